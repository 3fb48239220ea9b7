//! What the abuse tests share: the two servers this crate ships (the sandbox and the
//! webhook receiver), started on 127.0.0.1, a raw HTTP exchange with a deadline, and a
//! legitimate request for each server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The receiver's bearer token.
pub const TOKEN: &str = "whk_abuse_test_token";
/// The receiver's path.
pub const HOOK_PATH: &str = "/hooks/accessgrid";
/// How long a legitimate request may take while the server is under attack.
pub const PROMPT: Duration = Duration::from_secs(3);
/// The longest any raw exchange waits for its answer.
pub const PATIENCE: Duration = Duration::from_secs(6);

/// An answer read off a raw connection.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        super::raw::header(&self.headers, name)
    }

    /// The `message` of a JSON error body; panics when the body is not one.
    pub fn message(&self) -> String {
        let ct = self.header("Content-Type").unwrap_or_default();
        assert!(
            ct.starts_with("application/json"),
            "not JSON ({ct:?}): {self:?}"
        );
        let value: Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {self:?}"));
        value["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {value}"))
            .to_owned()
    }
}

/// Parses a complete answer out of `bytes`, if it is there yet.
fn parse_answer(bytes: &[u8]) -> Option<Answer> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    if bytes.len() < end + length {
        return None;
    }
    Some(Answer {
        status,
        headers,
        body: bytes[end..end + length].to_vec(),
    })
}

/// Connects, sends `request` (from another thread, so a large request cannot block the
/// reading of an early answer) and reads one answer; `None` when none came within
/// [`PATIENCE`] (or the connection closed without one).
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Option<Answer> {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).ok()?;
    let mut writer = stream.try_clone().ok()?;
    let request = request.to_vec();
    let sending = std::thread::spawn(move || {
        // The server may refuse and close before all of it is sent.
        let _ = writer.write_all(&request);
    });
    let answer = read_answer(stream, PATIENCE);
    let _ = sending.join();
    answer
}

/// Connects, sends `request`, closes the sending side and reads one answer (`None` when
/// the server closed without one, as it may for an empty request).
pub fn exchange_and_close(addr: SocketAddr, request: &[u8]) -> Option<Answer> {
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE).ok()?;
    let _ = stream.write_all(request);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    read_answer(stream, PATIENCE)
}

/// Reads one answer from `stream` within `patience`.
pub fn read_answer(mut stream: TcpStream, patience: Duration) -> Option<Answer> {
    let deadline = Instant::now() + patience;
    let mut got = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(answer) = parse_answer(&got) {
            return Some(answer);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).ok()?;
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return parse_answer(&got),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A valid envelope with this id.
pub fn event_body(id: &str) -> String {
    serde_json::json!({
        "specversion": "1.0",
        "id": id,
        "source": "accessgrid",
        "type": "ag.access_pass.suspended",
        "datacontenttype": "application/json",
        "data": {"access_pass_id": "0xc4rd1d"},
    })
    .to_string()
}

/// VmRSS of this process, in bytes.
pub fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line");
    kib * 1024
}

/// One of the servers under test.
pub enum Target {
    #[cfg(feature = "sandbox")]
    Sandbox(accessgrid::sandbox::Sandbox),
    #[cfg(feature = "webhook-receiver")]
    Receiver {
        receiver: accessgrid::webhooks::Receiver,
        /// The ids the handler was given.
        handled: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    },
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Target {
    /// Every server compiled in: the sandbox and the webhook receiver. The receiver's
    /// handler panics for ids starting with `evt_panic`.
    pub fn all() -> Vec<Target> {
        vec![
            #[cfg(feature = "sandbox")]
            Target::Sandbox(accessgrid::sandbox::Sandbox::start().expect("the sandbox starts")),
            #[cfg(feature = "webhook-receiver")]
            Target::receiver(Duration::from_secs(10), 64),
        ]
    }

    /// A receiver on 127.0.0.1 with these limits.
    #[cfg(feature = "webhook-receiver")]
    pub fn receiver(read_timeout: Duration, max_connections: usize) -> Target {
        use accessgrid::webhooks::{Receiver, WebhookEvent};
        let handled = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let for_handler = std::sync::Arc::clone(&handled);
        let receiver = Receiver::builder(TOKEN)
            .bind("127.0.0.1:0")
            .path(HOOK_PATH)
            .read_timeout(read_timeout)
            .max_connections(max_connections)
            .start(move |event: &WebhookEvent| {
                if event.id.starts_with("evt_panic") {
                    panic!("a bug in the handler");
                }
                for_handler
                    .lock()
                    .map_err(|e| e.to_string())?
                    .push(event.id.clone());
                Ok::<(), String>(())
            })
            .expect("the receiver starts");
        Target::Receiver { receiver, handled }
    }

    pub fn name(&self) -> &'static str {
        match self {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(_) => "sandbox",
            #[cfg(feature = "webhook-receiver")]
            Target::Receiver { .. } => "receiver",
        }
    }

    pub fn addr(&self) -> SocketAddr {
        match self {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(sb) => sb.addr(),
            #[cfg(feature = "webhook-receiver")]
            Target::Receiver { receiver, .. } => receiver.local_addr(),
        }
    }

    /// The path that takes POSTs.
    pub fn post_path(&self) -> &'static str {
        match self {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(_) => "/v1/key-cards",
            #[cfg(feature = "webhook-receiver")]
            Target::Receiver { .. } => HOOK_PATH,
        }
    }

    /// The headers that get a request past authentication to the body (the receiver's
    /// token; the sandbox checks its signature only after the body is read).
    pub fn auth_headers(&self) -> String {
        match self {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(_) => String::new(),
            #[cfg(feature = "webhook-receiver")]
            Target::Receiver { .. } => format!("Authorization: Bearer {TOKEN}\r\n"),
        }
    }

    /// A request the server serves successfully, answered within [`PROMPT`]: the sandbox
    /// lists passes through the SDK's client; the receiver takes a new, valid event.
    /// `Err` says what went wrong.
    pub fn legit(&self) -> Result<Duration, String> {
        let started = Instant::now();
        match self {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(sb) => {
                let client = sb
                    .client_builder()
                    .timeout(PROMPT)
                    .retry(accessgrid::RetryPolicy::none())
                    .build()
                    .map_err(|e| e.to_string())?;
                let query =
                    accessgrid::models::ListCardsQuery::builder().template_id(sb.template_id());
                client
                    .access_cards()
                    .list(query)
                    .map_err(|e| format!("the sandbox did not answer a list: {e}"))?;
            }
            #[cfg(feature = "webhook-receiver")]
            Target::Receiver { receiver, handled } => {
                let id = format!(
                    "evt_legit_{}",
                    NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                );
                let agent = super::agent::agent(PROMPT);
                let answer = agent
                    .post(&format!("http://{}{HOOK_PATH}", receiver.local_addr()))
                    .header("Authorization", &format!("Bearer {TOKEN}"))
                    .content_type("application/cloudevents+json")
                    .send(event_body(&id))
                    .map_err(|e| format!("the receiver did not answer: {e}"))?;
                if answer.status() != 200 {
                    return Err(format!("the receiver answered {}", answer.status()));
                }
                let seen = handled.lock().map_err(|e| e.to_string())?;
                if !seen.contains(&id) {
                    return Err(format!("{id} was acknowledged but not handled"));
                }
            }
        }
        let took = started.elapsed();
        if took > PROMPT {
            return Err(format!("answered after {took:?}"));
        }
        Ok(took)
    }

    /// Asserts that a legitimate request is answered promptly.
    pub fn assert_serves(&self, after: &str) {
        if let Err(e) = self.legit() {
            panic!(
                "{}: after {after}, a legitimate request failed: {e}",
                self.name()
            );
        }
    }
}
