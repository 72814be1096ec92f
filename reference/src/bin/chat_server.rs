//! Reference solution of the `chat-server` exercise: a concurrent server, one thread per
//! client, written the way the course teaches it.
//!
//! 1. create a TCP socket, bind it to 127.0.0.1:8888 and listen (Rust's `TcpListener::bind`
//!    does socket + bind + listen in one call);
//! 2. accept a client, put its connection in the list everybody shares, and start a thread
//!    for it; go back to accepting at once, so many clients can be connected together;
//! 3. in the client's thread: recv a line and send it, unchanged, to every other connection
//!    in the list (not back to the sender); repeat until recv returns 0 bytes (it left);
//! 4. take the connection out of the list and close it.
//!
//! It runs until it is stopped with Ctrl-C.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// Every connected client: its address (which tells clients apart) and its connection.
/// Threads share it, so it sits behind a lock (Python: a list and a `threading.Lock`).
type Clients = Arc<Mutex<Vec<(SocketAddr, TcpStream)>>>;

fn main() -> std::io::Result<()> {
    // Step 1: socket, bind, listen.
    let listener = TcpListener::bind("127.0.0.1:8888")?;
    println!("Chat server on 127.0.0.1:8888");
    let clients: Clients = Arc::new(Mutex::new(Vec::new()));

    // Step 2: accept every client, forever; each one gets its own thread.
    loop {
        let (connection, address) = listener.accept()?;
        println!("{address} joined");
        // The list keeps one handle to send on; the thread gets another to recv on.
        let for_the_list = connection.try_clone()?;
        lock(&clients).push((address, for_the_list));
        let clients = Arc::clone(&clients);
        thread::spawn(move || serve(connection, address, clients));
    }
}

/// Steps 3 and 4 for one client, in its own thread.
fn serve(connection: TcpStream, address: SocketAddr, clients: Clients) {
    // Step 3: one line at a time. TCP is a byte stream: a line may arrive in pieces (even a
    // Chinese character, 3 bytes in UTF-8, split in two), so collect up to "\n" first and
    // send whole lines; lines from two clients are then never mixed.
    let mut reader = BufReader::new(connection);
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break, // recv returned nothing: the client left
            Ok(_) => {}
            Err(error) => {
                println!("{address} ended with an error: {error}");
                break;
            }
        }
        println!(
            "{address} says {}",
            String::from_utf8_lossy(&line).trim_end()
        );
        for (other, other_connection) in lock(&clients).iter_mut() {
            if *other != address {
                // write_all is Python's sendall. One client's trouble is not the sender's:
                // a client that left is taken out of the list by its own thread.
                let _ = other_connection.write_all(&line);
            }
        }
    }

    // Step 4: forget the client (its handle in the list goes with it), then close its
    // connection: this thread's handle is the last one.
    lock(&clients).retain(|(other, _)| *other != address);
    println!("{address} left");
    drop(reader); // close()
}

/// The list, locked for this thread (a thread that panicked holding it leaves it usable).
fn lock(clients: &Clients) -> std::sync::MutexGuard<'_, Vec<(SocketAddr, TcpStream)>> {
    clients
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
