//! Reference solution of the `tcp-echo-server` exercise.
//!
//! 1. socket, bind 127.0.0.1:8888, listen (`TcpListener::bind` does all three);
//! 2. accept a client;
//! 3. recv some bytes and send back exactly those bytes; repeat until recv returns 0 bytes.
//!    TCP is a byte stream: a recv may return part of what the client sent, or several of its
//!    sends at once, so the server never assumes one recv is one message;
//! 4. close the connection and go back to 2.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    // Step 1: socket, bind, listen.
    let listener = TcpListener::bind("127.0.0.1:8888")?;
    println!("Echo server on 127.0.0.1:8888");

    // Step 2: one client after another, forever (stop it with Ctrl-C).
    loop {
        let (connection, address) = listener.accept()?;
        println!("Connect from {address}");
        match echo(connection) {
            Ok(total) => println!("Client left after {total} bytes"),
            Err(error) => println!("Client {address} ended with an error: {error}"),
        }
    }
}

/// Steps 3 and 4: echo until the client closes, then close; returns how many bytes were
/// echoed.
fn echo(mut connection: TcpStream) -> std::io::Result<usize> {
    let mut buffer = [0u8; 1024];
    let mut total = 0;
    loop {
        // Step 3: recv(1024), then send everything back.
        let received = connection.read(&mut buffer)?;
        if received == 0 {
            break; // the client closed its side
        }
        // write_all is Python's sendall: it loops until every byte is sent.
        connection.write_all(&buffer[..received])?;
        total += received;
    }
    // Step 4: close our side of the connection.
    drop(connection); // close()
    Ok(total)
}
