//! A webhook receiver to embed in a daemon (cargo feature `webhook-receiver`).

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use super::{
    authenticate, parse_event, Deduper, WebhookError, WebhookEvent, ACK_BODY, ACK_CONTENT_TYPE,
    ACK_STATUS, WWW_AUTHENTICATE,
};
use crate::client::secret::SensitiveText;
use crate::http_server::{self, clip, Head, Limits, Reply, Request, Server, Stopper};

/// Remembers which events were handled, so that a repeated delivery is acknowledged
/// without being handled twice; see [`ReceiverBuilder::seen_store`].
///
/// [`Deduper`] is the in-memory store (the default); a store in a database keeps the ids
/// across restarts (the provider's guide asks for at least 7 days).
pub trait SeenStore: Send + Sync + 'static {
    /// Records `id` and answers whether it is new: `Ok(true)` the first time (the event is
    /// then handled), `Ok(false)` for a repeat (acknowledged without being handled). An
    /// error answers the delivery 500, so that it is delivered again.
    fn first_time(&self, id: &str) -> io::Result<bool>;

    /// Forgets `id` after its handling failed, so that the next delivery is handled.
    fn forget(&self, id: &str) -> io::Result<()>;
}

impl SeenStore for Deduper {
    fn first_time(&self, id: &str) -> io::Result<bool> {
        Ok(Deduper::first_time(self, id))
    }

    fn forget(&self, id: &str) -> io::Result<()> {
        Deduper::forget(self, id);
        Ok(())
    }
}

/// `text` with every control character (line breaks, escape sequences, ...), every
/// Unicode line separator and bidirectional override, and every backslash escaped, so
/// that text from outside cannot forge or hide log lines.
///
/// ```
/// use accessgrid::webhooks::escape_control;
///
/// assert_eq!(escape_control("evt_1"), "evt_1");
/// assert_eq!(escape_control("evt\n2025 fake line\x1b[2J"), "evt\\n2025 fake line\\u{1b}[2J");
/// ```
pub fn escape_control(text: &str) -> Cow<'_, str> {
    let needs = |c: char| {
        c.is_control()
            || c == '\\'
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if needs(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A running webhook receiver: an HTTP server that takes AccessGrid's deliveries on one
/// path, verifies them, drops repeated ones and hands each new event to a closure.
/// Made by [`Receiver::builder`]; dropping it stops it.
///
/// For each request, in this order (every refusal has a JSON body `{"message": ...}`):
///
/// 1. a path other than the receiver's: 404; a method other than `POST`: 405;
/// 2. a missing, malformed or wrong `Authorization: Bearer <token>`: 401 with
///    `WWW-Authenticate: Bearer`, before the body is read;
/// 3. a body larger than [`ReceiverBuilder::max_body`]: 413, unread;
/// 4. a body that is not a CloudEvents 1.0 envelope from AccessGrid (`specversion`
///    `"1.0"`, `source` `"accessgrid"`, an `id` and a `type`): 400;
/// 5. an event whose id was seen before ([`SeenStore`]): 200 `{"received": true}`, not
///    handled again;
/// 6. otherwise the handler runs: `Ok` answers 200 `{"received": true}` (for unknown
///    event types too: acknowledge what you do not act on); an `Err` or a panic forgets
///    the id and answers 500, so that AccessGrid delivers the event again.
///
/// The HTTP layer underneath refuses a request line over 8 KiB (414), a head over 32 KiB or
/// with more than 64 headers (431), an `HTTP/2.0` request (505), a request that does not
/// arrive within [`ReceiverBuilder::read_timeout`] (408), and connections past
/// [`ReceiverBuilder::max_connections`] (503); each connection has a thread of its own, so
/// slow or idle clients do not hold up deliveries. No async runtime is involved.
///
/// Handlers run on the connection's thread, so several can run at once. AccessGrid waits
/// a few seconds for the answer: work that may take longer belongs in a queue (persist,
/// enqueue, acknowledge).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::mpsc;
/// use accessgrid::webhooks::{Receiver, WebhookEvent};
///
/// let (events, received) = mpsc::channel::<WebhookEvent>();
/// let receiver = Receiver::builder("whk_secret_from_the_create_answer")
///     .bind("127.0.0.1:0") // in a daemon: "0.0.0.0:8080", behind a TLS proxy
///     .path("/hooks/accessgrid")
///     .start(move |event: &WebhookEvent| events.send(event.clone()))?;
///
/// // What AccessGrid sends:
/// let body = r#"{"specversion":"1.0","id":"evt_1","source":"accessgrid",
///     "type":"ag.access_pass.suspended","data":{"access_pass_id":"0xc4rd1d"}}"#;
/// let url = format!("http://{}/hooks/accessgrid", receiver.local_addr());
/// let answer = ureq::post(&url)
///     .header("Authorization", "Bearer whk_secret_from_the_create_answer")
///     .content_type("application/cloudevents+json")
///     .send(body)?;
/// assert_eq!(answer.status(), 200);
/// assert_eq!(received.recv()?.id, "evt_1");
/// receiver.stop();
/// # Ok(()) }
/// ```
pub struct Receiver {
    server: Server,
}

impl Receiver {
    /// A builder for a receiver that accepts deliveries carrying `token`: the webhook's
    /// `private_key` from its create answer.
    pub fn builder(token: impl Into<SensitiveText>) -> ReceiverBuilder {
        ReceiverBuilder {
            token: token.into(),
            bind: "127.0.0.1:8080".to_owned(),
            path: "/".to_owned(),
            limits: Limits::default(),
            seen: None,
            pages: Vec::new(),
        }
    }

    /// The address the receiver listens on (with the port chosen when the bound port was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// A handle that stops the receiver from another thread (a signal handler, a shutdown
    /// path); [`wait`](Receiver::wait) then returns.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.server.stopper())
    }

    /// Blocks until a [`StopHandle`] stops the receiver, then waits (up to 2 s) for the
    /// deliveries being handled.
    pub fn wait(self) {
        self.server.join();
    }

    /// Stops accepting deliveries, closes the port and waits (up to 2 s) for the
    /// deliveries being handled. Dropping the receiver does the same.
    pub fn stop(mut self) {
        self.server.stop();
    }
}

debug_fields!(Receiver, |s| {
    local_addr: s.server.addr(),
    stopping: s.server.is_stopping(),
});

/// Stops a [`Receiver`] from any thread; see [`Receiver::stop_handle`].
#[derive(Debug, Clone)]
pub struct StopHandle(Stopper);

impl StopHandle {
    /// Stops the receiver: it takes no new connection, and [`Receiver::wait`] returns.
    pub fn stop(&self) {
        self.0.stop();
    }
}

/// Settings for a [`Receiver`]; made by [`Receiver::builder`].
#[must_use]
pub struct ReceiverBuilder {
    token: SensitiveText,
    bind: String,
    path: String,
    limits: Limits,
    seen: Option<Arc<dyn SeenStore>>,
    pages: Vec<(String, StatusPage)>,
}

/// What a page added with [`ReceiverBuilder::serve_get`] answers: a status and a JSON body.
type StatusPage = Box<dyn Fn() -> (u16, serde_json::Value) + Send + Sync>;

impl ReceiverBuilder {
    /// Also answers `GET path` with the status and JSON body `page` returns,
    /// without a token: for a health check such as `/healthz` on the same port. The
    /// page must not be the delivery path. The body is never read; keep it free of
    /// secrets, since anyone who reaches the port can read it.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use accessgrid::webhooks::{Receiver, WebhookEvent};
    ///
    /// let receiver = Receiver::builder("whk_token")
    ///     .bind("127.0.0.1:0")
    ///     .serve_get("/healthz", || (200, serde_json::json!({"status": "ok"})))
    ///     .start(|_: &WebhookEvent| Ok::<(), String>(()))?;
    /// let url = format!("http://{}/healthz", receiver.local_addr());
    /// let body = ureq::get(&url).call()?.body_mut().read_to_string()?;
    /// assert_eq!(body, r#"{"status":"ok"}"#);
    /// # Ok(()) }
    /// ```
    pub fn serve_get(
        mut self,
        path: impl Into<String>,
        page: impl Fn() -> (u16, serde_json::Value) + Send + Sync + 'static,
    ) -> Self {
        self.pages.push((path.into(), Box::new(page)));
        self
    }

    /// The address to listen on, such as `0.0.0.0:8080` (default `127.0.0.1:8080`; port
    /// 0 picks a free port, see [`Receiver::local_addr`]).
    pub fn bind(mut self, addr: impl Into<String>) -> Self {
        self.bind = addr.into();
        self
    }

    /// The path deliveries are POSTed to, such as `/hooks/accessgrid` (default `/`); the
    /// query is not looked at.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The largest body accepted, in bytes (default 1 MiB; events are small). A larger
    /// one is refused with 413 without being read.
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.limits.max_body = bytes;
        self
    }

    /// How many connections are served at once (default 64); past that a connection is
    /// answered 503 at once, and AccessGrid delivers again later.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// How long a request (head and body) may take to arrive (default 10 s); a slower one
    /// is answered 408 and its connection closed. An idle kept-alive connection is closed
    /// after half this time, at most 5 s.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        let timeout = timeout.max(Duration::from_millis(1));
        self.limits.read_timeout = timeout;
        self.limits.idle_timeout = (timeout / 2).min(Duration::from_secs(5));
        self
    }

    /// Where the ids of handled events are remembered (default: a [`Deduper`] of 100,000
    /// ids and at most 16 MiB, each kept for 7 days).
    pub fn seen_store(mut self, store: impl SeenStore) -> Self {
        self.seen = Some(Arc::new(store));
        self
    }

    /// Binds the address and starts serving; each new, verified event is handed to
    /// `handler`. Fails with [`io::ErrorKind::InvalidInput`] for an empty token or a
    /// path that does not start with `/`, and with the system's error when the address
    /// cannot be bound.
    pub fn start<F, E>(self, handler: F) -> io::Result<Receiver>
    where
        F: Fn(&WebhookEvent) -> Result<(), E> + Send + Sync + 'static,
        E: fmt::Display,
    {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what);
        if self.token.expose().trim().is_empty() {
            return Err(invalid("the webhook token must not be empty"));
        }
        if !self.path.starts_with('/') {
            return Err(invalid("the receiver's path must start with `/`"));
        }
        if self.pages.iter().any(|(p, _)| *p == self.path) {
            return Err(invalid(
                "a page added with serve_get must not be the delivery path",
            ));
        }
        let addrs: Vec<SocketAddr> = self.bind.to_socket_addrs()?.collect();
        let seen = self.seen.unwrap_or_else(|| {
            Arc::new(Deduper::new(100_000, Duration::from_secs(7 * 24 * 60 * 60)))
        });
        let endpoint = Endpoint {
            token: self.token,
            path: self.path,
            pages: self.pages,
            seen,
            handler: Box::new(move |event: &WebhookEvent| {
                handler(event).map_err(|e| e.to_string())
            }),
        };
        let server = Server::start(
            addrs.as_slice(),
            self.limits,
            "accessgrid-webhooks",
            Arc::new(endpoint),
        )?;
        log::info!("webhook receiver listening on {}", server.addr());
        Ok(Receiver { server })
    }
}

debug_fields!(ReceiverBuilder, |s| {
    token,
    bind,
    path,
    max_body: s.limits.max_body,
    max_connections: s.limits.max_connections,
    read_timeout: s.limits.read_timeout,
    ..
});

type EventHandler = Box<dyn Fn(&WebhookEvent) -> Result<(), String> + Send + Sync>;

/// The receiver's side of the HTTP layer.
struct Endpoint {
    token: SensitiveText,
    path: String,
    pages: Vec<(String, StatusPage)>,
    seen: Arc<dyn SeenStore>,
    handler: EventHandler,
}

fn refuse(error: &WebhookError) -> Reply {
    let reply = Reply::message(error.status(), error.to_string());
    if error.is_unauthorized() {
        reply.with_header("WWW-Authenticate", WWW_AUTHENTICATE.to_owned())
    } else {
        reply
    }
}

fn ack() -> Reply {
    Reply {
        status: ACK_STATUS,
        body: ACK_BODY.as_bytes().to_vec(),
        content_type: Some(ACK_CONTENT_TYPE),
        headers: Vec::new(),
    }
}

fn redeliver(message: &str) -> Reply {
    Reply::message(500, format!("{message}; deliver again"))
}

impl http_server::Handler for Endpoint {
    fn check_head(&self, head: &Head) -> Option<Reply> {
        if let Some((_, page)) = self.pages.iter().find(|(p, _)| p == head.path()) {
            if head.method != "GET" {
                return Some(Reply::wrong_method(&head.method, head.path(), &["GET"]));
            }
            let answer = catch_unwind(AssertUnwindSafe(page));
            return Some(match answer {
                Ok((status, body)) => Reply::json(status, &body),
                Err(_) => Reply::message(500, "the page failed"),
            });
        }
        if head.path() != self.path {
            return Some(Reply::message(
                404,
                format!(
                    "nothing is served at {}",
                    escape_control(&clip(head.path(), 200))
                ),
            ));
        }
        if head.method != "POST" {
            return Some(Reply::wrong_method(&head.method, head.path(), &["POST"]));
        }
        // The token first, so that a stranger's body is never read.
        let mut values = head.all("Authorization");
        let value = match (values.next(), values.next()) {
            (value, None) => value,
            (_, Some(_)) => return Some(refuse(&WebhookError::MalformedAuthorization)),
        };
        match authenticate(value, self.token.expose()) {
            Ok(()) => None,
            Err(e) => {
                log::debug!(
                    "webhook delivery from {} refused: {}",
                    head.peer,
                    escape_control(&e.to_string())
                );
                Some(refuse(&e))
            }
        }
    }

    fn handle(&self, request: Request) -> Reply {
        let event = match parse_event(&request.body) {
            Ok(event) => event,
            Err(e) => {
                log::warn!(
                    "webhook delivery from {} refused: {}",
                    request.head.peer,
                    escape_control(&e.to_string())
                );
                return refuse(&e);
            }
        };
        let id = escape_control(&event.id);
        match self.seen.first_time(&event.id) {
            Ok(true) => {}
            Ok(false) => {
                log::debug!("webhook event {id} delivered again; acknowledged");
                return ack();
            }
            Err(e) => {
                log::error!(
                    "webhook event {id}: the seen-event store failed: {}",
                    escape_control(&e.to_string())
                );
                return redeliver("the seen-event store failed");
            }
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| (self.handler)(&event)));
        let failure = match outcome {
            Ok(Ok(())) => return ack(),
            Ok(Err(reason)) => reason,
            Err(_) => "the handler panicked".to_owned(),
        };
        log::warn!(
            "webhook event {id} ({}) not handled: {}",
            escape_control(event.event_type.as_str()),
            escape_control(&failure)
        );
        if let Err(e) = self.seen.forget(&event.id) {
            log::error!(
                "webhook event {id}: the seen-event store failed to forget it: {}",
                escape_control(&e.to_string())
            );
        }
        redeliver("the event was not handled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_plain_text_alone_and_escapes_the_rest() {
        assert!(matches!(
            escape_control("evt_123"),
            Cow::Borrowed("evt_123")
        ));
        assert_eq!(escape_control("a\\nb"), "a\\\\nb");
        assert_eq!(escape_control("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(
            escape_control("x\u{7f}\u{85}\u{202e}"),
            "x\\u{7f}\\u{85}\\u{202e}"
        );
        assert_eq!(escape_control("caf\u{e9}"), "caf\u{e9}");
    }
}
