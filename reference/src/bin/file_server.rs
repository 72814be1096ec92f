//! Reference solution of the `file-server` exercise, written the way the course teaches it.
//!
//! 1. create a TCP socket, bind it to 127.0.0.1:8888 and listen (Rust's `TcpListener::bind`
//!    does socket + bind + listen in one call);
//! 2. accept a client;
//! 3. recv until the line end has arrived: the file name is what comes before it (TCP is a
//!    byte stream, so the name may come in several pieces);
//! 4. open the file in binary mode and send it piece by piece; a file that is not there gets
//!    `ERROR` instead;
//! 5. close the connection — that is how the client knows the file is complete — and go back
//!    to 2.
//!
//! It runs until it is stopped with Ctrl-C.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    // Step 1: socket, bind, listen.
    let listener = TcpListener::bind("127.0.0.1:8888")?;
    println!("File server on 127.0.0.1:8888");

    // Step 2: accept clients one after another, forever.
    loop {
        let (connection, address) = listener.accept()?;
        println!("Connect from {address}");
        // One client's trouble (it left early, say) must not stop the server.
        if let Err(error) = serve(connection) {
            println!("Client {address} ended with an error: {error}");
        }
    }
}

/// Steps 3 to 5 for one client: read the name, send the file (or `ERROR`), close.
fn serve(mut connection: TcpStream) -> std::io::Result<()> {
    // Step 3: the file name, up to its line end.
    let name = receive_line(&mut connection)?;
    println!("Client asks for {name:?}");

    // Step 4: open the file as bytes ("rb"): a file that is not text must arrive unchanged.
    match File::open(&name) {
        Ok(mut file) => {
            let mut buffer = [0u8; 4096];
            let mut total = 0;
            loop {
                let read = file.read(&mut buffer)?;
                if read == 0 {
                    break; // the whole file has been read
                }
                // write_all is Python's sendall: it loops until every byte is sent.
                connection.write_all(&buffer[..read])?;
                total += read;
            }
            println!("Sent {total} bytes");
        }
        Err(error) => {
            println!("Cannot open {name:?}: {error}");
            connection.write_all(b"ERROR\n")?;
        }
    }

    // Step 5: close the connection: the client's recv returns 0 bytes, the file is complete.
    drop(connection); // close()
    Ok(())
}

/// Receives until a line end and returns the text before it (without "\n" or "\r\n").
fn receive_line(connection: &mut TcpStream) -> std::io::Result<String> {
    let mut line = Vec::new();
    let mut buffer = [0u8; 1024];
    while !line.contains(&b'\n') {
        let received = connection.read(&mut buffer)?;
        if received == 0 {
            break; // the client closed before the line end: take what came
        }
        line.extend_from_slice(&buffer[..received]);
    }
    let text = String::from_utf8_lossy(&line);
    let name = text.split('\n').next().unwrap_or_default();
    Ok(name.trim_end_matches('\r').to_owned())
}
