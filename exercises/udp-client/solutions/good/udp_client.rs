// netgrade-expect: pass
// A correct UDP client in Rust: a "connected" UDP socket (send/recv to one address).
use std::io::{BufRead, Write};
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    socket.connect("127.0.0.1:8888")?;
    let mut reply = [0u8; 4096];
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        print!("> ");
        std::io::stdout().flush()?;
        let Some(line) = lines.next().transpose()? else {
            break;
        };
        if line.is_empty() {
            break;
        }
        socket.send(line.as_bytes())?;
        let size = socket.recv(&mut reply)?;
        println!("{}", String::from_utf8_lossy(&reply[..size]));
    }
    Ok(())
}
