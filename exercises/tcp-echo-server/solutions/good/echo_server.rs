// netgrade-expect: pass
//! A correct echo server in Rust, using one thread per client.
use std::io::{Read, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:8888")?;
    for connection in listener.incoming() {
        let mut connection = connection?;
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = connection.read(&mut buffer) {
                if n == 0 || connection.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        });
    }
    Ok(())
}
