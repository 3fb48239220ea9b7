//! A webhook receiver on 127.0.0.1 (tiny_http) that records every request it gets and
//! answers the status the test chooses, with [`webhooks::ACK_BODY`].

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use accessgrid::webhooks::{self, WebhookEvent};
use serde_json::Value;

/// One request a receiver got, and what it answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: Instant,
    pub method: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub user_agent: Option<String>,
    pub body: Vec<u8>,
    pub answered: u16,
}

impl Received {
    /// The event, verified against the webhook's token as a real receiver would.
    pub fn verify(&self, token: &str) -> WebhookEvent {
        webhooks::verify(self.authorization.as_deref(), &self.body, token).unwrap_or_else(|e| {
            panic!(
                "delivery does not verify: {e}: {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as JSON; panics when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// A running receiver; it stops when dropped.
pub struct Receiver {
    server: Arc<tiny_http::Server>,
    seen: Arc<Mutex<Vec<Received>>>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Answers the status `answer` chooses, given the number of the request (from 0).
    pub fn start(mut answer: impl FnMut(usize) -> u16 + Send + 'static) -> Receiver {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("receiver binds"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (for_server, for_seen) = (Arc::clone(&server), Arc::clone(&seen));
        let thread = std::thread::spawn(move || {
            for mut request in for_server.incoming_requests() {
                let header = |name: &'static str| {
                    request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv(name))
                        .map(|h| h.value.as_str().to_owned())
                };
                let (authorization, content_type, user_agent) = (
                    header("Authorization"),
                    header("Content-Type"),
                    header("User-Agent"),
                );
                let method = request.method().as_str().to_owned();
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let n = for_seen.lock().expect("lock").len();
                let status = answer(n);
                // Recorded before answering: once the sender has its answer, it is here.
                for_seen.lock().expect("lock").push(Received {
                    at: Instant::now(),
                    method,
                    authorization,
                    content_type,
                    user_agent,
                    body,
                    answered: status,
                });
                let reply =
                    tiny_http::Response::from_string(webhooks::ACK_BODY).with_status_code(status);
                let _ = request.respond(reply);
            }
        });
        Receiver {
            server,
            seen,
            thread: Some(thread),
        }
    }

    /// A receiver that accepts everything.
    pub fn accepting() -> Receiver {
        Receiver::start(|_| 200)
    }

    /// Answers these statuses in turn, then 200 once they run out.
    pub fn answering(statuses: &[u16]) -> Receiver {
        let statuses = statuses.to_vec();
        Receiver::start(move |n| statuses.get(n).copied().unwrap_or(200))
    }

    /// `http://127.0.0.1:{port}/accessgrid/events`.
    pub fn url(&self) -> String {
        let port = self
            .server
            .server_addr()
            .to_ip()
            .expect("an IP address")
            .port();
        format!("http://127.0.0.1:{port}/accessgrid/events")
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Received> {
        self.seen.lock().expect("lock").clone()
    }

    /// Every request so far, verified against the webhook's token.
    pub fn events(&self, token: &str) -> Vec<WebhookEvent> {
        self.seen().iter().map(|r| r.verify(token)).collect()
    }

    /// The `type` of every envelope received so far.
    pub fn types(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
