//! Reference solution of the `udp-client` exercise, written the way the course teaches it.
//!
//! 1. create a UDP socket (no connect: UDP has no connection; the OS picks our port on the
//!    first send);
//! 2. show the prompt `Msg>>` and read a line; an empty line means "done" — and must not be
//!    sent: an empty datagram is a real message to the server;
//! 3. `sendto` the line (without its newline) as one datagram to 127.0.0.1:8888;
//! 4. `recvfrom` the reply (one datagram) and print it; go back to 2;
//! 5. exit with code 0.

use std::io::{BufRead, Write};
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    // Step 1: a socket on any free local port.
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    let server = "127.0.0.1:8888";
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let mut buffer = vec![0u8; 65535];

    loop {
        // Step 2: prompt and read a line; stop on an empty one (or the end of input).
        write!(stdout, "Msg>>")?;
        stdout.flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            break;
        }
        let message = line.trim_end_matches(['\n', '\r']);
        if message.is_empty() {
            break;
        }

        // Step 3: one line, one datagram.
        socket.send_to(message.as_bytes(), server)?;

        // Step 4: the reply is one datagram.
        let (length, _sender) = socket.recv_from(&mut buffer)?;
        println!("Server: {}", String::from_utf8_lossy(&buffer[..length]));
    }
    // Step 5: returning Ok exits with code 0.
    Ok(())
}
