//! Loopback ports that no other test can be handed meanwhile.
//!
//! Binding `127.0.0.1:0`, reading the port and dropping the listener leaves a window in
//! which a test running in parallel can be given the same port, and then a delivery meant
//! for "nobody" reaches somebody else's receiver. A [`ReservedPort`] keeps the port bound
//! (with `SO_REUSEADDR`, never listening) for as long as it lives, so:
//! - a connection to it is refused at once (nothing listens), and
//! - the kernel hands it to nobody who binds port 0, while
//! - a server that binds it by number (std's listeners set `SO_REUSEADDR` on Unix) still can.

use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Socket, Type};

/// A port on 127.0.0.1 held bound, never listening, until dropped.
pub struct ReservedPort {
    _socket: Socket,
    port: u16,
}

impl ReservedPort {
    /// Reserves a free port on 127.0.0.1.
    pub fn new() -> ReservedPort {
        ReservedPort::on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("a free loopback port can be reserved")
    }

    /// Reserves this address: fails if something listens on it.
    pub fn on(addr: SocketAddr) -> std::io::Result<ReservedPort> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        let port = socket
            .local_addr()?
            .as_socket()
            .map(|a| a.port())
            .ok_or_else(|| std::io::Error::other("not an IP socket"))?;
        Ok(ReservedPort {
            _socket: socket,
            port,
        })
    }

    /// The port number.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:{port}` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// `127.0.0.1:{port}`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}
