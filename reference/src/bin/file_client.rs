//! Reference solution of the `file-client` exercise, written the way the course teaches it.
//!
//! It is started with the name of the file to download: `file-client hello.txt`.
//!
//! 1. create a TCP socket and connect it to the server at 127.0.0.1:8888
//!    (`TcpStream::connect` does socket + connect in one call);
//! 2. send the file name and a line end;
//! 3. recv until the server closes the connection (recv returns 0 bytes): everything before
//!    the close is the file, which TCP may deliver in many pieces;
//! 4. close the connection;
//! 5. save the bytes as they are (binary mode, "wb") under the same name, and exit with
//!    code 0.

use std::io::{Read, Write};
use std::net::TcpStream;

fn main() -> std::io::Result<()> {
    // The file name is the first argument (Python: sys.argv[1]).
    let Some(name) = std::env::args().nth(1) else {
        eprintln!("usage: file-client NAME");
        std::process::exit(2);
    };

    // Step 1: socket + connect.
    let mut connection = TcpStream::connect("127.0.0.1:8888")?;

    // Step 2: ask for the file: its name and "\n", which tells the server the name is complete.
    connection.write_all(format!("{name}\n").as_bytes())?;

    // Step 3: receive until the server closes; each recv returns only what has arrived so far.
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let received = connection.read(&mut buffer)?;
        if received == 0 {
            break; // the server closed: the file is complete
        }
        data.extend_from_slice(&buffer[..received]);
    }

    // Step 4: close our side too.
    drop(connection); // close()

    // Step 5: write the bytes unchanged (Python: open(name, "wb").write(data)).
    std::fs::write(&name, &data)?;
    println!("Saved {} bytes as {name}", data.len());
    Ok(())
}
