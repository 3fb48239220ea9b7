//! The small blocking HTTP/1.1 server under the sandbox and the webhook receiver, built to
//! hold under hostile traffic.
//!
//! - The request head is read into a buffer of at most [`Limits::max_head`] bytes: a request
//!   line longer than [`Limits::max_line`] is refused with 414, a longer head or more than
//!   [`MAX_HEADERS`] headers with 431, both as soon as the limit is passed.
//! - The body is read only up to [`Limits::max_body`]: a larger `Content-Length` is refused
//!   with 413 before a byte of it is read, and nothing is ever allocated from the size a
//!   client claims. A `Transfer-Encoding` body is refused with 411.
//! - Each request must arrive within [`Limits::read_timeout`] (408 after it); a kept-alive
//!   connection is closed after [`Limits::idle_timeout`] without a new request.
//! - Every connection has a thread of its own, up to [`Limits::max_connections`]; past that
//!   a connection is answered 503 at once, so slow or idle clients never hold up others.
//! - A handler that panics is answered 500; the server goes on serving.
//! - An `HTTP/2.0` request line is answered 505. Every error this layer produces has a
//!   JSON body `{"message": "..."}`.
//!
//! Requests are parsed with `httparse` (the parser under `ureq` and `hyper`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The most headers a request may have (431 past it).
pub(crate) const MAX_HEADERS: usize = 64;

/// How often a blocked read looks at the stop flag and the deadline.
const SLICE: Duration = Duration::from_millis(200);

/// How long a connection refused early is drained (so that the client reads the answer
/// instead of a reset) before it is closed.
const LINGER: Duration = Duration::from_secs(1);

/// How long writing an answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server accepts; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The longest request line, in bytes (414 past it).
    pub(crate) max_line: usize,
    /// The longest request head (line and headers), in bytes (431 past it).
    pub(crate) max_head: usize,
    /// The largest body, in bytes (413 past it).
    pub(crate) max_body: u64,
    /// The time a request (head and body) may take to arrive (408 after it).
    pub(crate) read_timeout: Duration,
    /// The time a kept-alive connection may wait for its next request.
    pub(crate) idle_timeout: Duration,
    /// The most connections served at once (503 past it).
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 8 * 1024,
            max_head: 32 * 1024,
            max_body: 1024 * 1024,
            read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            max_connections: 64,
        }
    }
}

/// A request's line and headers.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// The method, as sent (methods are case-sensitive).
    pub(crate) method: String,
    /// The request target as sent: the path and the query.
    pub(crate) target: String,
    /// The headers in order; values that are not UTF-8 are converted lossily.
    pub(crate) headers: Vec<(String, String)>,
    /// The client's address.
    pub(crate) peer: SocketAddr,
}

impl Head {
    /// The path, without the query.
    pub(crate) fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// The values of every header named `name` (case-insensitive), in order.
    pub(crate) fn all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + 'n
    where
        'a: 'n,
    {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of the header `name`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }
}

/// A whole request.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) head: Head,
    pub(crate) body: Vec<u8>,
}

/// An answer to write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            body: value.to_string().into_bytes(),
            content_type: Some("application/json; charset=utf-8"),
            headers: Vec::new(),
        }
    }

    /// An error answer `{"message": ...}`.
    pub(crate) fn message(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, &json!({ "message": message.into() }))
    }

    /// A 405 answer naming the methods the path has, in `Allow` too.
    pub(crate) fn wrong_method(method: &str, path: &str, allowed: &[&str]) -> Reply {
        let allow = allowed.join(", ");
        Reply::message(
            405,
            format!(
                "{} is not allowed on {}; allowed: {allow}",
                clip(method, 16),
                clip(path, 200)
            ),
        )
        .with_header("Allow", allow)
    }

    /// No answer at all: the connection is closed without a byte written (status 0).
    /// For the sandbox's lost-answer fault.
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    pub(crate) fn hang_up() -> Reply {
        Reply {
            status: 0,
            body: Vec::new(),
            content_type: None,
            headers: Vec::new(),
        }
    }

    /// The same answer with one more header.
    pub(crate) fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// At most `max` characters of `text` (for quoting client input in messages).
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// What a server does with requests.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Looks at a request's head before its body is read; an answer refuses the request
    /// without reading the body (e.g. a wrong path, method or token).
    fn check_head(&self, _head: &Head) -> Option<Reply> {
        None
    }

    /// Answers a whole request.
    fn handle(&self, request: Request) -> Reply;
}

/// A running server; dropping it stops it.
pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` and serves requests with `handler` on threads named after `name`.
    pub(crate) fn start(
        addr: impl ToSocketAddrs,
        limits: Limits,
        name: &str,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        Server::from_listener(listener, limits, name, handler)
    }

    /// Serves requests arriving on `listener`.
    pub(crate) fn from_listener(
        listener: TcpListener,
        limits: Limits,
        name: &str,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let active = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            limits,
            handler,
            stop: Arc::clone(&stop),
            active: Arc::clone(&active),
            name: name.to_owned(),
        });
        let accept = std::thread::Builder::new()
            .name(format!("{name}-accept"))
            .spawn(move || accept_loop(&listener, &shared))?;
        Ok(Server {
            addr,
            stop,
            active,
            accept: Some(accept),
        })
    }

    /// The address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops the server from another thread.
    pub(crate) fn stopper(&self) -> Stopper {
        Stopper {
            addr: self.addr,
            stop: Arc::clone(&self.stop),
        }
    }

    /// Whether the server was told to stop.
    pub(crate) fn is_stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Waits until a [`Stopper`] stops the server.
    pub(crate) fn join(mut self) {
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        self.finish();
    }

    /// Stops accepting, closes the listener and waits (up to 2 s) for the connections
    /// being served to end; each notices the stop within a fraction of a second, or ends
    /// when its handler returns.
    pub(crate) fn stop(&mut self) {
        self.stopper().stop();
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        self.finish();
    }

    fn finish(&self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.active.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops a [`Server`] from any thread.
#[derive(Debug, Clone)]
pub(crate) struct Stopper {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Stopper {
    /// Tells the server to stop and wakes its accept loop.
    pub(crate) fn stop(&self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // The accept loop blocks in `accept`: a connection of our own wakes it.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
    }
}

struct Shared {
    limits: Limits,
    handler: Arc<dyn Handler>,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    name: String,
}

/// Counts a connection as active while it lives.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut n: u64 = 0;
    loop {
        let accepted = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let mut stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors or a connection reset before it was accepted: wait a
                // little rather than spin.
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        if shared.active.fetch_add(1, Ordering::SeqCst) >= shared.limits.max_connections {
            let slot = Slot(Arc::clone(&shared.active));
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let busy = Reply::message(503, "the server is busy; try again shortly")
                .with_header("Retry-After", "1".to_owned());
            let _ = write_reply(&mut stream, &busy, false, false);
            drop(slot);
            continue;
        }
        let slot = Slot(Arc::clone(&shared.active));
        let for_thread = Arc::clone(shared);
        n = n.wrapping_add(1);
        let spawned = std::thread::Builder::new()
            .name(format!("{}-{n}", shared.name))
            .spawn(move || serve_connection(stream, slot, &for_thread));
        if spawned.is_err() {
            // The slot went with the closure; the connection is closed.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Why reading a request stopped.
enum Failure {
    /// Answer this and close.
    Refuse(Reply),
    /// Close without an answer (the client left, the server stops, an idle keep-alive).
    Close,
}

impl From<io::Error> for Failure {
    fn from(_: io::Error) -> Self {
        Failure::Close
    }
}

/// Reads from a stream with a deadline, looking at the stop flag while it waits.
struct Conn<'a> {
    /// The connection's place under the cap, given back by [`Conn::close`] just before
    /// the stream is shut (and else when the connection is dropped), so that a client that
    /// saw the close and connects again is not refused for a place not yet returned.
    slot: Option<Slot>,
    stream: TcpStream,
    stop: &'a AtomicBool,
    /// Bytes read past the current request (the start of the next one).
    buffer: Vec<u8>,
}

impl Conn<'_> {
    /// Gives the connection's place back, then shuts the stream both ways.
    fn close(&mut self) {
        self.slot.take();
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Reads some bytes into `into`; `Ok(0)` at the end of the stream. A deadline passed
    /// is `Err(TimedOut)`; a stop, `Err(Interrupted)`.
    fn read_some(&mut self, into: &mut [u8], deadline: Instant) -> io::Result<usize> {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.stream.set_read_timeout(Some(left.min(SLICE)))?;
            match self.stream.read(into) {
                Ok(n) => return Ok(n),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

fn serve_connection(stream: TcpStream, slot: Slot, shared: &Shared) {
    let peer = match stream.peer_addr() {
        Ok(peer) => peer,
        Err(_) => return,
    };
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut conn = Conn {
        slot: Some(slot),
        stream,
        stop: &shared.stop,
        buffer: Vec::new(),
    };
    let mut first = true;
    loop {
        let request = read_request(&mut conn, shared, peer, first);
        first = false;
        let (request, keep_alive) = match request {
            Ok(read) => read,
            Err(Failure::Close) => return,
            Err(Failure::Refuse(reply)) => {
                if write_reply(&mut conn.stream, &reply, false, false).is_ok() {
                    linger(&mut conn);
                }
                return;
            }
        };
        let head_only = request.head.method == "HEAD";
        let handler = &shared.handler;
        let (reply, keep_alive) = match catch_unwind(AssertUnwindSafe(|| handler.handle(request))) {
            Ok(reply) => (reply, keep_alive),
            Err(_) => (
                Reply::message(500, "internal error: the request's handler failed"),
                false,
            ),
        };
        if reply.status == 0 {
            // Hang up without answering (see `Reply::hang_up`).
            conn.close();
            return;
        }
        let keep_alive = keep_alive && !shared.stop.load(Ordering::SeqCst);
        if write_reply(&mut conn.stream, &reply, keep_alive, head_only).is_err() || !keep_alive {
            conn.close();
            return;
        }
    }
}

/// After an early refusal: stop writing, then read and drop what the client still sends
/// (for at most [`LINGER`]), so that it reads the answer rather than a reset.
fn linger(conn: &mut Conn<'_>) {
    let _ = conn.stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 8192];
    while let Ok(n) = conn.read_some(&mut sink, deadline) {
        if n == 0 {
            break;
        }
    }
}

/// Reads one request: its head (bounded), the handler's look at it, its body (bounded).
/// Answers the request and whether the connection may serve another after it.
fn read_request(
    conn: &mut Conn<'_>,
    shared: &Shared,
    peer: SocketAddr,
    first: bool,
) -> Result<(Request, bool), Failure> {
    let limits = &shared.limits;
    // A kept-alive connection waits for its next request's first byte for the idle
    // timeout; from the first byte on, the request has the read timeout.
    let mut started = !conn.buffer.is_empty();
    let mut deadline = Instant::now()
        + if first || started {
            limits.read_timeout
        } else {
            limits.idle_timeout
        };
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = head_end(&conn.buffer) {
            break end;
        }
        let line_done = conn.buffer.contains(&b'\n');
        if !line_done && conn.buffer.len() > limits.max_line {
            return Err(too_long_line(limits));
        }
        if conn.buffer.len() >= limits.max_head {
            return Err(too_large_head(limits));
        }
        let room = (limits.max_head + 1 - conn.buffer.len()).min(chunk.len());
        match conn.read_some(&mut chunk[..room], deadline) {
            Ok(0) if !started => return Err(Failure::Close),
            Ok(0) => {
                return Err(Failure::Refuse(Reply::message(
                    400,
                    "the connection ended in the middle of the request head",
                )))
            }
            Ok(n) => {
                if !started {
                    started = true;
                    deadline = Instant::now() + limits.read_timeout;
                }
                conn.buffer.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut && started => {
                return Err(timed_out(limits))
            }
            Err(_) => return Err(Failure::Close),
        }
    };
    let line_end = conn
        .buffer
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(head_end);
    if line_end > limits.max_line {
        return Err(too_long_line(limits));
    }

    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&conn.buffer[..head_end]) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Failure::Refuse(Reply::message(
                400,
                "malformed request head",
            )))
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Failure::Refuse(Reply::message(
                431,
                format!("a request may have at most {MAX_HEADERS} headers"),
            )))
        }
        Err(httparse::Error::Version) => {
            return Err(Failure::Refuse(Reply::message(
                505,
                "only HTTP/1.0 and HTTP/1.1 are served",
            )))
        }
        Err(e) => {
            return Err(Failure::Refuse(Reply::message(
                400,
                format!("malformed request head: {e}"),
            )))
        }
    }
    let version = parsed.version.unwrap_or(1);
    let head = Head {
        method: parsed.method.unwrap_or_default().to_owned(),
        target: parsed.path.unwrap_or_default().to_owned(),
        headers: parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_owned(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        peer,
    };
    conn.buffer.drain(..head_end);

    if let Some(refusal) = shared.handler.check_head(&head) {
        return Err(Failure::Refuse(refusal));
    }
    if head.header("Transfer-Encoding").is_some() {
        return Err(Failure::Refuse(Reply::message(
            411,
            "Transfer-Encoding bodies are not accepted; send Content-Length",
        )));
    }
    let length = content_length(&head)?;
    if length > limits.max_body {
        return Err(Failure::Refuse(Reply::message(
            413,
            format!("the body is larger than {} bytes", limits.max_body),
        )));
    }
    let Ok(length) = usize::try_from(length) else {
        return Err(Failure::Refuse(Reply::message(
            413,
            "the body is too large",
        )));
    };
    if length > conn.buffer.len()
        && head
            .header("Expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        conn.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = Vec::with_capacity(length.min(64 * 1024));
    let from_buffer = length.min(conn.buffer.len());
    body.extend(conn.buffer.drain(..from_buffer));
    while body.len() < length {
        let want = (length - body.len()).min(chunk.len());
        match conn.read_some(&mut chunk[..want], deadline) {
            Ok(0) => {
                return Err(Failure::Refuse(Reply::message(
                    400,
                    "the connection ended before the whole body arrived",
                )))
            }
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => return Err(timed_out(limits)),
            Err(_) => return Err(Failure::Close),
        }
    }
    let close = head
        .all("Connection")
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("close"));
    let keep_alive = version == 1 && !close;
    Ok((Request { head, body }, keep_alive))
}

/// Where the head ends (after its blank line), if it is complete.
fn head_end(buffer: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(n) = buffer[at..].iter().position(|&b| b == b'\n') {
        let next = at + n + 1;
        match buffer.get(next) {
            Some(b'\n') => return Some(next + 1),
            Some(b'\r') if buffer.get(next + 1) == Some(&b'\n') => return Some(next + 2),
            _ => at = next,
        }
    }
    None
}

/// The declared body length (0 without `Content-Length`); 400 for a value that is not a
/// number or copies that disagree.
fn content_length(head: &Head) -> Result<u64, Failure> {
    let mut length = None;
    for value in head.all("Content-Length").flat_map(|v| v.split(',')) {
        let value = value.trim();
        let parsed = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            // Too many digits for a u64 is surely too large a body.
            value.parse::<u64>().unwrap_or(u64::MAX)
        } else {
            return Err(Failure::Refuse(Reply::message(
                400,
                "Content-Length is not a number",
            )));
        };
        if length.is_some_and(|l| l != parsed) {
            return Err(Failure::Refuse(Reply::message(
                400,
                "Content-Length values disagree",
            )));
        }
        length = Some(parsed);
    }
    Ok(length.unwrap_or(0))
}

fn too_long_line(limits: &Limits) -> Failure {
    Failure::Refuse(Reply::message(
        414,
        format!("the request line is longer than {} bytes", limits.max_line),
    ))
}

fn too_large_head(limits: &Limits) -> Failure {
    Failure::Refuse(Reply::message(
        431,
        format!("the request head is larger than {} bytes", limits.max_head),
    ))
}

fn timed_out(limits: &Limits) -> Failure {
    Failure::Refuse(Reply::message(
        408,
        format!(
            "the request did not arrive within {} ms",
            limits.read_timeout.as_millis()
        ),
    ))
}

fn write_reply(
    stream: &mut TcpStream,
    reply: &Reply,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let reason = ureq::http::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut out = Vec::with_capacity(256 + reply.body.len());
    let _ = write!(out, "HTTP/1.1 {} {reason}\r\n", reply.status);
    if let Some(content_type) = reply.content_type {
        let _ = write!(out, "Content-Type: {content_type}\r\n");
    }
    for (name, value) in &reply.headers {
        // A value with a line break would split the answer: drop it.
        if !value.bytes().any(|b| b == b'\r' || b == b'\n') {
            let _ = write!(out, "{name}: {value}\r\n");
        }
    }
    let _ = write!(out, "Content-Length: {}\r\n", reply.body.len());
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&reply.body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Panics;

    impl Handler for Panics {
        fn handle(&self, request: Request) -> Reply {
            if request.head.path() == "/panic" {
                panic!("a handler bug");
            }
            Reply::json(
                200,
                &json!({ "path": request.head.path(), "body": request.body.len() }),
            )
        }
    }

    fn exchange(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream.write_all(request).expect("write");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    #[test]
    fn a_panic_is_answered_500_and_the_server_goes_on() {
        let limits = Limits {
            max_connections: 2,
            ..Limits::default()
        };
        let server =
            Server::start("127.0.0.1:0", limits, "test", Arc::new(Panics)).expect("server starts");
        // More panics than connections allowed at once: no slot is lost.
        for _ in 0..5 {
            let answer = exchange(server.addr(), b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n");
            assert!(answer.starts_with("HTTP/1.1 500 "), "{answer}");
            assert!(
                answer.ends_with(r#""message":"internal error: the request's handler failed"}"#),
                "{answer}"
            );
        }
        let answer = exchange(
            server.addr(),
            b"POST /fine HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        );
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with(r#"{"body":3,"path":"/fine"}"#), "{answer}");
    }

    #[test]
    fn the_head_ends_at_the_first_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nrest"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n"), None);
        assert_eq!(head_end(b""), None);
    }

    #[test]
    fn keep_alive_serves_pipelined_requests_in_order() {
        let server = Server::start("127.0.0.1:0", Limits::default(), "test", Arc::new(Panics))
            .expect("server starts");
        let answer = exchange(
            server.addr(),
            b"POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nxyGET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let first = answer.find(r#"{"body":2,"path":"/a"}"#);
        let second = answer.find(r#"{"body":0,"path":"/b"}"#);
        assert!(first.is_some() && second > first, "{answer}");
    }
}
