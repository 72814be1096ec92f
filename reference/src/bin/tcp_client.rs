//! Reference solution of the `tcp-client` exercise, written the way the course teaches it.
//!
//! 1. create a TCP socket and connect it to the server at 127.0.0.1:8888
//!    (`TcpStream::connect` does socket + connect in one call);
//! 2. show the prompt `Msg>>` and read a line; an empty line means "done";
//! 3. send the line (without its newline) and receive the server's reply — one line, ending
//!    in `\n`, which TCP may deliver in several pieces, so keep receiving until the `\n`;
//! 4. print the reply and go back to 2;
//! 5. close the connection (the four-way close starts with our FIN) and exit with code 0.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;

fn main() -> std::io::Result<()> {
    // Step 1: socket + connect.
    let mut connection = TcpStream::connect("127.0.0.1:8888")?;
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();

    loop {
        // Step 2: prompt (no newline, as Python's input("Msg>>") does) and read a line.
        write!(stdout, "Msg>>")?;
        stdout.flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            break; // end of input: done as well
        }
        let message = line.trim_end_matches(['\n', '\r']);
        if message.is_empty() {
            break;
        }

        // Step 3: send, then receive until the reply's newline has arrived.
        connection.write_all(message.as_bytes())?;
        let reply = receive_line(&mut connection)?;

        // Step 4: print it.
        println!("Server: {reply}");
    }

    // Step 5: dropping the stream closes it; returning Ok exits with code 0.
    drop(connection);
    Ok(())
}

/// Receives bytes until a newline (one reply may arrive in several recv calls).
fn receive_line(connection: &mut TcpStream) -> std::io::Result<String> {
    let mut reply = Vec::new();
    let mut buffer = [0u8; 1024];
    while !reply.ends_with(b"\n") {
        let received = connection.read(&mut buffer)?;
        if received == 0 {
            break; // the server closed the connection
        }
        reply.extend_from_slice(&buffer[..received]);
    }
    Ok(String::from_utf8_lossy(&reply).trim_end().to_string())
}
