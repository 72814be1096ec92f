//! The grader's sockets in a run's network: [`Sandbox::connect_tcp`], [`Sandbox::listen_tcp`],
//! [`Sandbox::bind_udp`]. A socket belongs to the namespace it is created in, so each is made
//! by a thread that has joined the run's network namespace; it then works from any thread.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use super::Sandbox;

impl Sandbox {
    /// Runs `make` (which creates sockets) inside the sandbox's network namespace.
    async fn in_network<T, F>(&self, make: F) -> io::Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> io::Result<T> + Send + 'static,
    {
        match &self.netns {
            Some(netns) => netns.run(make).await,
            None => tokio::task::spawn_blocking(make)
                .await
                .map_err(io::Error::other)?,
        }
    }

    /// Opens a TCP connection from inside the sandbox's network, as a scripted client.
    pub async fn connect_tcp(
        &self,
        addr: SocketAddr,
        timeout: Duration,
    ) -> io::Result<tokio::net::TcpStream> {
        let stream = self
            .in_network(move || {
                let stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
                stream.set_nonblocking(true)?;
                // Pieces of a split send must leave as separate segments.
                stream.set_nodelay(true)?;
                Ok(stream)
            })
            .await?;
        tokio::net::TcpStream::from_std(stream)
    }

    /// The address the grader's own servers bind in this sandbox: every local address in the
    /// run's namespace (so 127.0.0.1, 0.0.0.0 and the run's host name all reach it), loopback
    /// only on the shared host.
    fn peer_server_address(&self, port: u16) -> SocketAddr {
        let ip = if self.netns.is_some() {
            std::net::Ipv4Addr::UNSPECIFIED
        } else {
            std::net::Ipv4Addr::LOCALHOST
        };
        SocketAddr::from((ip, port))
    }

    /// Listens on TCP `port` inside the sandbox's network, as the server a client program
    /// connects to.
    pub async fn listen_tcp(&self, port: u16) -> io::Result<tokio::net::TcpListener> {
        let address = self.peer_server_address(port);
        let listener = self
            .in_network(move || {
                let listener = std::net::TcpListener::bind(address)?;
                listener.set_nonblocking(true)?;
                Ok(listener)
            })
            .await?;
        tokio::net::TcpListener::from_std(listener)
    }

    /// Binds a UDP socket inside the sandbox's network: on `port` as the server a client
    /// program sends to, or (port 0) on loopback as one of the grader's UDP peers.
    pub async fn bind_udp(&self, port: u16) -> io::Result<tokio::net::UdpSocket> {
        let address = if port == 0 {
            SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0))
        } else {
            self.peer_server_address(port)
        };
        let socket = self
            .in_network(move || {
                let socket = std::net::UdpSocket::bind(address)?;
                socket.set_nonblocking(true)?;
                Ok(socket)
            })
            .await?;
        tokio::net::UdpSocket::from_std(socket)
    }
}
