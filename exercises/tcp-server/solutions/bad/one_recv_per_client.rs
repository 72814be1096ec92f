// netgrade-expect: fail 2 fragile 9
//! Bug (in Rust): one read per connection, then the connection is dropped (closed).
use std::io::{Read, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:8888")?;
    for connection in listener.incoming() {
        let mut connection = connection?;
        let mut buffer = [0u8; 1024];
        if connection.read(&mut buffer)? > 0 {
            connection.write_all(b"Thanks")?;
        }
    }
    Ok(())
}
