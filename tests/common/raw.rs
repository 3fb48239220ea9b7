//! A raw HTTP/1.1 server on a loopback address, for faults mockito cannot make: a dropped
//! connection, a truncated body, a slow answer, a huge body. Each test scripts the reply to
//! every request by its number (0-based), and reads back what the server saw.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The value of the first header called `name` (in any case) among `headers`.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// What the server does with one request.
pub enum Reply {
    /// A complete answer; the connection stays open for the next request.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// These bytes exactly, then the connection is closed.
    Raw(Vec<u8>),
    /// Close the connection without answering.
    Close,
    /// Wait, then do the other thing.
    After(Duration, Box<Reply>),
    /// `head` at once, then `body` 8 bytes at a time, one piece every `every`; then the
    /// connection is closed (stops early if the client goes away).
    Trickle {
        head: Vec<u8>,
        body: Vec<u8>,
        every: Duration,
    },
    /// A chunked answer of `total` bytes of `x`, written in 64 KiB chunks (stops early if
    /// the client goes away).
    Stream { status: u16, total: usize },
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// An answer with a content type and extra headers.
    pub fn with(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        Reply::Http {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    /// Headers declaring `declared` bytes, then only `sent`, then the connection closes.
    pub fn truncated(status: u16, declared: usize, sent: &str) -> Reply {
        Reply::Raw(
            format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n{sent}"
            )
            .into_bytes(),
        )
    }
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

/// A running server; it stops accepting when dropped.
pub struct RawServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    count: Arc<AtomicUsize>,
    /// The most requests that were being answered at the same time.
    max_concurrent: Arc<AtomicUsize>,
    /// How many TCP connections were accepted.
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl RawServer {
    /// A server on 127.0.0.1 with an OS-chosen port.
    pub fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        RawServer::on(listener, script)
    }

    /// A server on this listener.
    pub fn on(
        listener: TcpListener,
        script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> RawServer {
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let max_concurrent = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = connections.clone();
        let script: Arc<Script> = Arc::new(script);
        let state = Shared {
            seen: seen.clone(),
            count: count.clone(),
            active: Arc::new(AtomicUsize::new(0)),
            max_concurrent: max_concurrent.clone(),
            script,
        };
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                accepted.fetch_add(1, Ordering::SeqCst);
                let state = state.clone();
                std::thread::spawn(move || serve(conn, state));
            }
        });
        RawServer {
            addr,
            seen,
            count,
            max_concurrent,
            connections,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests were read in full.
    pub fn requests(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }

    pub fn max_concurrent(&self) -> usize {
        self.max_concurrent.load(Ordering::SeqCst)
    }

    /// How many TCP connections the server accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    count: Arc<AtomicUsize>,
    active: Arc<AtomicUsize>,
    max_concurrent: Arc<AtomicUsize>,
    script: Arc<Script>,
}

/// Serves requests on one connection until it closes or a reply closes it.
fn serve(conn: TcpStream, state: Shared) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = conn.set_nodelay(true);
    let Ok(writer) = conn.try_clone() else { return };
    let mut writer = writer;
    let mut reader = BufReader::new(conn);
    loop {
        let Some(seen) = read_request(&mut reader) else {
            return;
        };
        let now_active = state.active.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_concurrent.fetch_max(now_active, Ordering::SeqCst);
        let index = {
            let mut all = state.seen.lock().expect("not poisoned");
            all.push(seen.clone());
            state.count.fetch_add(1, Ordering::SeqCst)
        };
        let reply = (state.script)(index, &seen);
        let keep_open = write_reply(&mut writer, reply);
        state.active.fetch_sub(1, Ordering::SeqCst);
        if !keep_open {
            let _ = writer.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
        at: Instant::now(),
    })
}

/// Writes a reply; whether the connection stays open.
fn write_reply(w: &mut TcpStream, reply: Reply) -> bool {
    match reply {
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            w.write_all(head.as_bytes()).is_ok() && w.write_all(&body).is_ok() && w.flush().is_ok()
        }
        Reply::Raw(bytes) => {
            let _ = w.write_all(&bytes);
            let _ = w.flush();
            false
        }
        Reply::Close => false,
        Reply::After(wait, then) => {
            std::thread::sleep(wait);
            write_reply(w, *then)
        }
        Reply::Trickle { head, body, every } => {
            if w.write_all(&head).and_then(|()| w.flush()).is_err() {
                return false;
            }
            for piece in body.chunks(8) {
                std::thread::sleep(every);
                if w.write_all(piece).and_then(|()| w.flush()).is_err() {
                    return false;
                }
            }
            false
        }
        Reply::Stream { status, total } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            );
            if w.write_all(head.as_bytes()).is_err() {
                return false;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = total;
            while left > 0 {
                let n = left.min(chunk.len());
                let ok = w.write_all(format!("{n:x}\r\n").as_bytes()).is_ok()
                    && w.write_all(&chunk[..n]).is_ok()
                    && w.write_all(b"\r\n").is_ok();
                if !ok {
                    return false;
                }
                left -= n;
            }
            w.write_all(b"0\r\n\r\n").is_ok() && w.flush().is_ok()
        }
    }
}
