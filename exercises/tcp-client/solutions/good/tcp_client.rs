// netgrade-expect: pass
// A correct client in Rust, in another style than the reference: a BufReader over a clone of
// the stream reads each reply line.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

fn main() -> std::io::Result<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", 8888))?;
    let mut replies = BufReader::new(stream.try_clone()?);
    let mut input = std::io::stdin().lock();
    loop {
        print!(">> ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        stream.write_all(line.trim_end().as_bytes())?;
        let mut reply = String::new();
        replies.read_line(&mut reply)?;
        println!("reply: {}", reply.trim_end());
    }
    Ok(())
}
