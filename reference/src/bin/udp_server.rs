//! Reference solution of the `udp-server` exercise, written the way the course teaches it.
//!
//! 1. create a UDP socket and bind it to port 8888 (`UdpSocket::bind` does both);
//! 2. `recvfrom`: wait for a datagram — it comes with the address of its sender;
//! 3. print the message, and `sendto` the reply `Thanks` back to that sender's address;
//! 4. go back to 2, forever (there is no connection to close: UDP has none).
//!
//! A datagram arrives whole or not at all, but a receive buffer smaller than the datagram
//! cuts it silently: the buffer here holds the largest possible datagram.

use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    // Step 1: socket + bind.
    let socket = UdpSocket::bind("127.0.0.1:8888")?;
    let mut buffer = vec![0u8; 65535];

    loop {
        // Step 2: one datagram and who sent it.
        let (length, sender) = socket.recv_from(&mut buffer)?;
        let message = String::from_utf8_lossy(&buffer[..length]);

        // Step 3: print it and thank the sender (an empty datagram is thanked as well).
        println!("Receive from {sender}: {message}");
        socket.send_to(b"Thanks", sender)?;
    }
}
