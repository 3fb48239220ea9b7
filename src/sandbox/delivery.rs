//! Webhook delivery: every emitted event a webhook subscribed to is POSTed to its URL as a
//! CloudEvents envelope, from a background thread of the sandbox, with retries.
//!
//! The state hands events over with [`Outbox::enqueue`] while it holds its own lock; the
//! outbox has a lock of its own and never takes the state's, so the order is always state
//! then outbox. The delivery thread holds no lock while it talks to a receiver.
//!
//! Each webhook has its own lane (a FIFO queue): its events go out in the order they were
//! emitted, and an event waiting for a retry holds back the later events of the same
//! webhook (not those of other webhooks).

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Delivery, DeliveryOutcome, SandboxEvent};
use crate::models::SensitiveText;
use crate::webhooks::{EVENT_CONTENT_TYPE, SENDER_USER_AGENT};

/// How the sandbox delivers webhooks; set on [`SandboxBuilder`](super::SandboxBuilder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeliverySettings {
    /// Attempts per event and webhook, the first included (at least 1).
    pub(crate) attempts: u32,
    /// The wait before the second attempt; it doubles for each attempt after that.
    pub(crate) backoff: Duration,
    /// The longest wait between two attempts (unless `backoff` is longer).
    pub(crate) max_backoff: Duration,
    /// Connect and whole-request timeout of one attempt.
    pub(crate) timeout: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            attempts: 5,
            backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
        }
    }
}

impl DeliverySettings {
    /// The wait after failed attempt number `attempt` (1-based): `backoff`, doubled for
    /// each attempt after the first, at most `max_backoff` (or `backoff` when that is
    /// longer).
    pub(crate) fn wait_after(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        self.backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff.max(self.backoff))
    }
}

/// Where one webhook's deliveries go.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) webhook_id: String,
    pub(crate) url: String,
    /// The bearer token (`None` for an mTLS webhook: no `Authorization` header is sent).
    pub(crate) token: Option<SensitiveText>,
}

/// One event on its way to one webhook.
#[derive(Debug, Clone)]
struct Job {
    event_id: String,
    event_type: String,
    url: String,
    token: Option<SensitiveText>,
    body: Arc<Vec<u8>>,
    /// The number of the next attempt (1-based).
    attempt: u32,
}

/// One webhook's queue.
#[derive(Debug)]
struct Lane {
    webhook_id: String,
    jobs: VecDeque<Job>,
    /// When the job at the front may be attempted.
    due: Instant,
}

#[derive(Debug, Default)]
struct Queue {
    lanes: Vec<Lane>,
    /// Whether the thread is talking to a receiver right now.
    in_flight: bool,
    records: Vec<Delivery>,
    stop: bool,
}

impl Queue {
    fn idle(&self) -> bool {
        !self.in_flight && self.lanes.iter().all(|l| l.jobs.is_empty())
    }
}

/// The delivery queue, shared by the state (which fills it), the delivery thread (which
/// empties it) and the sandbox handle (which inspects it).
#[derive(Debug)]
pub(crate) struct Outbox {
    settings: DeliverySettings,
    queue: Mutex<Queue>,
    /// Signalled on every change: a job queued, an attempt done, a stop.
    changed: Condvar,
}

impl Outbox {
    pub(crate) fn new(settings: DeliverySettings) -> Self {
        Outbox {
            settings,
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues `event` for `target`. A URL that is not on a loopback host is recorded as
    /// [`DeliveryOutcome::NotLoopback`] and never contacted.
    pub(crate) fn enqueue(&self, target: Target, event: &SandboxEvent) {
        let mut queue = self.lock();
        let record = |outcome| Delivery {
            webhook_id: target.webhook_id.clone(),
            url: target.url.clone(),
            event_id: event.id.clone(),
            event_type: event.kind.clone(),
            attempt: 0,
            outcome,
            will_retry: false,
        };
        if !is_loopback_url(&target.url) {
            queue.records.push(record(DeliveryOutcome::NotLoopback));
            return;
        }
        let body = match serde_json::to_vec(&event.envelope()) {
            Ok(body) => body,
            Err(e) => {
                queue.records.push(record(DeliveryOutcome::Failed(format!(
                    "the event could not be serialized: {e}"
                ))));
                return;
            }
        };
        let job = Job {
            event_id: event.id.clone(),
            event_type: event.kind.clone(),
            url: target.url,
            token: target.token,
            body: Arc::new(body),
            attempt: 1,
        };
        match queue
            .lanes
            .iter_mut()
            .find(|l| l.webhook_id == target.webhook_id)
        {
            Some(lane) => {
                if lane.jobs.is_empty() {
                    lane.due = Instant::now();
                }
                lane.jobs.push_back(job);
            }
            None => queue.lanes.push(Lane {
                webhook_id: target.webhook_id,
                jobs: VecDeque::from([job]),
                due: Instant::now(),
            }),
        }
        self.changed.notify_all();
    }

    /// Drops the pending deliveries of a deleted webhook (an attempt in flight finishes
    /// and is recorded, without retries).
    pub(crate) fn cancel(&self, webhook_id: &str) {
        let mut queue = self.lock();
        queue.lanes.retain(|l| l.webhook_id != webhook_id);
        self.changed.notify_all();
    }

    /// Every attempt so far, in the order they were made.
    pub(crate) fn records(&self) -> Vec<Delivery> {
        self.lock().records.clone()
    }

    /// Waits until no delivery is pending or in flight; `false` if `timeout` passed first.
    pub(crate) fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut queue = self.lock();
        loop {
            if queue.idle() {
                return true;
            }
            if queue.stop {
                return false;
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return false;
            }
            queue = self
                .changed
                .wait_timeout(queue, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// Tells the delivery thread to stop; pending deliveries are dropped.
    pub(crate) fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Starts the delivery thread.
pub(crate) fn spawn(outbox: Arc<Outbox>, name: String) -> std::io::Result<JoinHandle<()>> {
    let timeout = outbox.settings.timeout;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(timeout))
        .timeout_global(Some(timeout))
        .max_idle_connections(0)
        .max_idle_connections_per_host(0)
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .user_agent(SENDER_USER_AGENT)
        .build()
        .new_agent();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || run(&outbox, &agent))
}

/// The delivery thread: attempts the due job of each lane until told to stop.
fn run(outbox: &Outbox, agent: &ureq::Agent) {
    let mut queue = outbox.lock();
    loop {
        if queue.stop {
            return;
        }
        let now = Instant::now();
        let next = queue
            .lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.jobs.is_empty())
            .min_by_key(|(_, l)| l.due)
            .map(|(i, l)| (i, l.due));
        let index = match next {
            None => {
                // Forget empty lanes, then sleep until something changes.
                queue.lanes.retain(|l| !l.jobs.is_empty());
                queue = outbox
                    .changed
                    .wait(queue)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            }
            Some((_, due)) if due > now => {
                queue = outbox
                    .changed
                    .wait_timeout(queue, due - now)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
                continue;
            }
            Some((index, _)) => index,
        };
        let webhook_id = queue.lanes[index].webhook_id.clone();
        let Some(job) = queue.lanes[index].jobs.front().cloned() else {
            continue;
        };
        queue.in_flight = true;
        drop(queue);

        let outcome = attempt(agent, &job);

        queue = outbox.lock();
        queue.in_flight = false;
        let delivered = matches!(outcome, DeliveryOutcome::Answered(200 | 201));
        let lane = queue.lanes.iter_mut().find(|l| l.webhook_id == webhook_id);
        let will_retry = match lane {
            // Cancelled (webhook deleted) while in flight: nothing more to do.
            None => false,
            Some(lane) => {
                let retry = !delivered && job.attempt < outbox.settings.attempts.max(1);
                if retry {
                    if let Some(front) = lane.jobs.front_mut() {
                        front.attempt += 1;
                    }
                    lane.due = Instant::now() + outbox.settings.wait_after(job.attempt);
                } else {
                    lane.jobs.pop_front();
                    lane.due = Instant::now();
                }
                retry
            }
        };
        queue.records.push(Delivery {
            webhook_id,
            url: job.url,
            event_id: job.event_id,
            event_type: job.event_type,
            attempt: job.attempt,
            outcome,
            will_retry,
        });
        outbox.changed.notify_all();
    }
}

/// The largest receiver answer read (and thrown away).
const MAX_ANSWER: u64 = 64 * 1024;

/// One POST of a job's envelope.
fn attempt(agent: &ureq::Agent, job: &Job) -> DeliveryOutcome {
    let mut request = agent
        .post(&job.url)
        .header("Content-Type", EVENT_CONTENT_TYPE);
    if let Some(token) = &job.token {
        request = request.header("Authorization", format!("Bearer {}", token.expose()));
    }
    match request.send(&job.body[..]) {
        Ok(mut answer) => {
            let status = answer.status().as_u16();
            // Read the answer so that the receiver sees a clean exchange; it is not kept.
            let _ = answer
                .body_mut()
                .with_config()
                .limit(MAX_ANSWER)
                .read_to_vec();
            DeliveryOutcome::Answered(status)
        }
        Err(e) => DeliveryOutcome::Failed(e.to_string()),
    }
}

/// Whether `url` is an `http`/`https` URL whose host is on the loopback interface:
/// `localhost`, an address in `127.0.0.0/8`, or `[::1]`. Anything else (another host, a
/// name other than `localhost`, a URL that does not parse) is never contacted.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return false;
    }
    let Some(host) = uri.host() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_delivered_to() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://127.0.0.1/",
            "http://127.255.255.254:1/x?y=z",
            "https://127.0.0.1:8443/hook",
            "http://localhost:9000/hook",
            "http://LOCALHOST/",
            "http://[::1]:9000/hook",
        ] {
            assert!(is_loopback_url(url), "{url} is loopback");
        }
        for url in [
            "https://example.com/hook",
            "http://10.0.0.1/hook",
            "http://192.0.2.1:9/hook",
            "http://0.0.0.0:8080/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://127.0.0.1.example.com/",
            "http://localhost.example.com/",
            "http://127.0.0.1@example.com/",
            "http://user:pw@example.com:80/",
            "ftp://127.0.0.1/",
            "127.0.0.1:8080/hook",
            "/hook",
            "",
            "not a url",
        ] {
            assert!(!is_loopback_url(url), "{url} is not loopback");
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_bound() {
        let settings = DeliverySettings {
            attempts: 10,
            backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(300),
            timeout: Duration::from_secs(1),
        };
        let waits: Vec<u128> = (1..=5)
            .map(|a| settings.wait_after(a).as_millis())
            .collect();
        assert_eq!(waits, [50, 100, 200, 300, 300]);
        assert_eq!(settings.wait_after(u32::MAX), Duration::from_millis(300));
    }
}
