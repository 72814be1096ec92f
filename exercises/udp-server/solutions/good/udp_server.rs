// netgrade-expect: pass
// A correct UDP server in Rust: binds every local address, prints each message as it is.
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let socket = UdpSocket::bind(("0.0.0.0", 8888))?;
    let mut buffer = [0u8; 65535];
    loop {
        let (size, peer) = socket.recv_from(&mut buffer)?;
        println!("{peer} says {}", String::from_utf8_lossy(&buffer[..size]));
        socket.send_to(b"Thanks", peer)?;
    }
}
