//! The sandbox's handler under the shared HTTP layer (`crate::http_server`, which reads
//! requests within bounds and writes answers): apply a pending fault, check the credentials
//! and the signature as the real server does, route the request.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::exchange::{Incoming, Reply};
use super::state::Actor;
use super::util::{percent_decode, query_pairs};
use super::{routes, Fault, SeenRequest, Shared};
use crate::http_server;

/// The largest request body the sandbox reads (an employee photo fits).
pub(crate) const MAX_BODY: u64 = 10 * 1024 * 1024;

/// The sandbox's side of the HTTP layer: each request is checked and routed.
pub(crate) struct Api(pub(crate) Arc<Shared>);

impl http_server::Handler for Api {
    fn handle(&self, request: http_server::Request) -> Reply {
        let shared = &*self.0;
        let http_server::Request { head, body } = request;
        let (path, query) = head
            .target
            .split_once('?')
            .unwrap_or((head.target.as_str(), ""));
        let incoming = Incoming {
            method: head.method.to_ascii_uppercase(),
            path: path.to_owned(),
            segments: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| percent_decode(s, false))
                .collect(),
            query: query_pairs(query),
            body,
            account_id: head.header("X-ACCT-ID").map(str::to_owned),
            signature: head.header("X-PAYLOAD-SIG").map(str::to_owned),
            actor: Actor {
                ip_address: head.peer.ip().to_string(),
                user_agent: head.header("User-Agent").map(str::to_owned),
            },
        };
        // The web side (install pages, dashboard) first; then the API.
        let reply = super::web::serve(shared, &head, &incoming)
            .unwrap_or_else(|| answer(shared, &incoming));
        shared.note(SeenRequest {
            method: incoming.method,
            path: incoming.path,
            status: reply.status,
        });
        reply
    }
}

/// The answer to one request.
fn answer(shared: &Shared, rq: &Incoming) -> Reply {
    let mut lose_answer = false;
    if let Some(fault) = shared.take_fault(&rq.method, &rq.path) {
        match fault {
            Fault::LoseAnswer => lose_answer = true,
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
    let reply = routes::route(shared, rq);
    if lose_answer {
        return Reply::hang_up();
    }
    reply
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
    if !crate::signing::verify(shared.secret.expose(), payload, signature) {
        return refuse("invalid signature: X-PAYLOAD-SIG does not match the payload");
    }
    Ok(())
}
