//! The request loop: read a request, apply a pending fault, check the credentials and the
//! signature as the real server does, route it, write the answer.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::state::{Actor, Refusal};
use super::util::{percent_decode, query_pairs};
use super::{routes, Fault, SeenRequest, Shared};
use crate::signing;

/// The largest request body the sandbox reads (an employee photo fits).
const MAX_BODY: u64 = 10 * 1024 * 1024;

/// How long a worker waits for a request before it looks at the stop flag again.
const POLL: Duration = Duration::from_millis(200);

/// One request as the routes see it.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: String,
    /// The path, still percent-encoded, without the query.
    pub(crate) path: String,
    /// The path's segments, decoded; no empty ones.
    pub(crate) segments: Vec<String>,
    /// The query's pairs, decoded, in order (`sig_payload` included).
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) account_id: Option<String>,
    pub(crate) signature: Option<String>,
    pub(crate) actor: Actor,
}

impl Incoming {
    /// The first value of a query parameter.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
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

    /// A 200 JSON answer.
    pub(crate) fn ok(value: &Value) -> Reply {
        Reply::json(200, value)
    }

    /// An empty 204 answer.
    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: Vec::new(),
            content_type: None,
            headers: Vec::new(),
        }
    }

    /// An error answer `{"message": ...}`.
    pub(crate) fn message(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, &json!({ "message": message.into() }))
    }

    /// A 422 validation answer `{"message", "errors": {field: [reason]}}`.
    pub(crate) fn invalid(field: &str, reason: &str) -> Reply {
        Reply::json(
            422,
            &json!({
                "message": format!("Validation failed: {field} {reason}"),
                "errors": { field: [reason] },
            }),
        )
    }

    fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

impl From<Refusal> for Reply {
    fn from(r: Refusal) -> Reply {
        Reply::message(r.status, r.message)
    }
}

/// A worker: answers requests until the sandbox stops.
pub(crate) fn serve(server: Arc<tiny_http::Server>, shared: Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match server.recv_timeout(POLL) {
            Ok(Some(request)) => handle(request, &shared),
            Ok(None) => {}
            // The listener failed; nothing more will come. Idle until stopped.
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

fn handle(mut request: tiny_http::Request, shared: &Shared) {
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let account_id = header("X-ACCT-ID");
    let signature = header("X-PAYLOAD-SIG");
    let user_agent = header("User-Agent");
    let method = request.method().as_str().to_ascii_uppercase();
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let ip_address = request
        .remote_addr()
        .map_or_else(|| "127.0.0.1".to_owned(), |a| a.ip().to_string());

    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let reply = if read.is_err() {
        Reply::message(400, "the request body could not be read")
    } else if body.len() as u64 > MAX_BODY {
        Reply::message(413, format!("the body is larger than {MAX_BODY} bytes"))
    } else {
        let incoming = Incoming {
            method,
            path: path.to_owned(),
            segments: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| percent_decode(s, false))
                .collect(),
            query: query_pairs(query),
            body,
            account_id,
            signature,
            actor: Actor {
                ip_address,
                user_agent,
            },
        };
        let reply = answer(shared, &incoming);
        shared.note(SeenRequest {
            method: incoming.method.clone(),
            path: incoming.path.clone(),
            status: reply.status,
        });
        reply
    };

    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let content_type = reply.content_type.map(|v| ("Content-Type", v.to_owned()));
    for (name, value) in content_type.into_iter().chain(reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // The client may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

/// The answer to one request.
fn answer(shared: &Shared, rq: &Incoming) -> Reply {
    // The install page stands for the wallet, not for the API: no credentials, no faults.
    if rq.segments.first().map(String::as_str) == Some("install") {
        return routes::install_page(shared, rq);
    }
    if let Some(fault) = shared.take_fault() {
        match fault {
            Fault::Delay(wait) => pause(wait, shared),
            Fault::Status(status) => {
                return Reply::message(status, format!("sandbox fault: status {status}"))
            }
            Fault::RateLimited { retry_after } => {
                return Reply::message(429, "sandbox fault: rate limited")
                    .with_header("Retry-After", retry_after.to_string())
            }
        }
    }
    if let Err(refused) = authenticate(shared, rq) {
        return refused;
    }
    routes::route(shared, rq)
}

/// Sleeps for `wait`, or less when the sandbox is stopping.
fn pause(wait: Duration, shared: &Shared) {
    let until = Instant::now() + wait;
    while !shared.stop.load(Ordering::SeqCst) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}

/// Checks `X-ACCT-ID` and `X-PAYLOAD-SIG` (over the raw body, or over `sig_payload` for a
/// body-less request); a failure is a 401 with a JSON message.
fn authenticate(shared: &Shared, rq: &Incoming) -> Result<(), Reply> {
    let refuse = |message: &str| Err(Reply::message(401, message));
    match rq.account_id.as_deref() {
        None => return refuse("missing X-ACCT-ID header"),
        Some(id) if id != shared.account_id => {
            return refuse("X-ACCT-ID does not name a known account")
        }
        Some(_) => {}
    }
    let Some(signature) = rq.signature.as_deref() else {
        return refuse("missing X-PAYLOAD-SIG header");
    };
    let payload: &[u8] = if rq.body.is_empty() {
        match rq.param("sig_payload") {
            Some(p) => p.as_bytes(),
            None => {
                return refuse(
                    "a request without a body must carry the signed payload as the sig_payload query parameter",
                )
            }
        }
    } else {
        &rq.body
    };
    if !signing::verify(shared.secret.expose(), payload, signature) {
        return refuse("invalid signature: X-PAYLOAD-SIG does not match the payload");
    }
    Ok(())
}
