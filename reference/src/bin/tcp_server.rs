//! Reference solution of the `tcp-server` exercise, written the way the course teaches it.
//!
//! 1. create a TCP socket, bind it to 127.0.0.1:8888 and listen (Rust's `TcpListener::bind`
//!    does socket + bind + listen in one call);
//! 2. accept a client;
//! 3. recv a message, send back "Thanks\n" (the line end tells a client the reply is
//!    complete); repeat until recv returns 0 bytes (the client closed);
//! 4. close the connection and go back to 2.
//!
//! It runs until it is stopped with Ctrl-C.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    // Steps 1: socket, bind, listen.
    let listener = TcpListener::bind("127.0.0.1:8888")?;
    println!("Waiting for connect...");

    // Step 2: accept clients one after another, forever.
    loop {
        let (connection, address) = listener.accept()?;
        println!("Connect from {address}");
        // One client's trouble (a reset, say) must not stop the server.
        if let Err(error) = serve(connection) {
            println!("Client {address} ended with an error: {error}");
        }
    }
}

/// Steps 3 and 4 for one client: thank every message until the client closes, then close.
fn serve(mut connection: TcpStream) -> std::io::Result<()> {
    let mut buffer = [0u8; 1024];
    loop {
        // Step 3: recv(1024), then send(b"Thanks\n").
        let received = connection.read(&mut buffer)?;
        if received == 0 {
            break; // recv returned nothing: the client closed its side
        }
        let message = String::from_utf8_lossy(&buffer[..received]);
        println!("Receive message: {message}");
        connection.write_all(b"Thanks\n")?;
    }
    // Step 4: close our side of the connection.
    println!("Client closed");
    drop(connection); // close()
    Ok(())
}
