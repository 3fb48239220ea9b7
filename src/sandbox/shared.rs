//! What the server's worker threads share with the [`Sandbox`](super::Sandbox) handle: the
//! simulated account's state, the faults waiting to be answered, and the bounded log of the
//! requests answered.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};

use super::data::{Fault, SeenRequest};
use super::state::State;
use crate::SecretKey;

/// A pending fault: what, how many more times, and which requests it is for.
#[derive(Debug, Clone)]
struct PendingFault {
    fault: Fault,
    left: u32,
    /// Only requests with this method and path (without the query); `None`: any request.
    only: Option<(String, String)>,
}

/// What the workers share with the handle.
pub(crate) struct Shared {
    pub(crate) account_id: String,
    pub(crate) secret: SecretKey,
    pub(crate) stop: AtomicBool,
    state: Mutex<State>,
    faults: Mutex<VecDeque<PendingFault>>,
    seen: Mutex<RequestLog>,
}

/// How many requests [`Sandbox::requests`](super::Sandbox::requests) keeps at most: the newest.
pub const REQUEST_LOG_MAX_ENTRIES: usize = 1000;
/// How many bytes of methods and paths [`Sandbox::requests`](super::Sandbox::requests) keeps at most, all entries
/// together: the newest entries that fit.
pub const REQUEST_LOG_MAX_BYTES: usize = 256 * 1024;
/// The longest path [`Sandbox::requests`](super::Sandbox::requests) keeps whole, in bytes; a longer one is cut.
pub const REQUEST_LOG_MAX_PATH: usize = 512;
/// The longest method kept whole, in bytes.
const REQUEST_LOG_MAX_METHOD: usize = 16;

/// The newest requests, bounded in count and in bytes: any client can send requests,
/// authenticated or not, and none of them may grow the sandbox's memory for good.
#[derive(Debug, Default)]
struct RequestLog {
    entries: VecDeque<SeenRequest>,
    /// Bytes of method and path held by `entries`.
    bytes: usize,
}

impl RequestLog {
    fn push(&mut self, mut request: SeenRequest) {
        clip(&mut request.method, REQUEST_LOG_MAX_METHOD);
        clip(&mut request.path, REQUEST_LOG_MAX_PATH);
        request.method.shrink_to_fit();
        request.path.shrink_to_fit();
        self.bytes += request.method.len() + request.path.len();
        self.entries.push_back(request);
        while self.entries.len() > REQUEST_LOG_MAX_ENTRIES || self.bytes > REQUEST_LOG_MAX_BYTES {
            let Some(old) = self.entries.pop_front() else {
                break;
            };
            self.bytes -= old.method.len() + old.path.len();
        }
    }
}

/// Cuts `text` to at most `max` bytes (at a character boundary), marking the cut with `…`.
fn clip(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let keep = max.saturating_sub('…'.len_utf8());
    let cut = (0..=keep)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text.truncate(cut);
    text.push('…');
}

/// Locks a mutex; a worker that panicked while holding it leaves data that is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(account_id: String, secret: SecretKey, state: State) -> Shared {
        Shared {
            account_id,
            secret,
            stop: AtomicBool::new(false),
            state: Mutex::new(state),
            faults: Mutex::new(VecDeque::new()),
            seen: Mutex::new(RequestLog::default()),
        }
    }

    /// Queues `fault` for the next `times` requests (with this method and path only, when
    /// `only` says so).
    pub(crate) fn inject(&self, fault: Fault, times: u32, only: Option<(String, String)>) {
        if times > 0 {
            lock(&self.faults).push_back(PendingFault {
                fault,
                left: times,
                only,
            });
        }
    }

    /// Drops every pending fault.
    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The logged requests, oldest first.
    pub(crate) fn requests(&self) -> Vec<SeenRequest> {
        lock(&self.seen).entries.iter().cloned().collect()
    }

    pub(crate) fn lock_state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
    /// The fault a request with `method` and `path` gets, if one is pending for it: the
    /// first one injected that applies to it.
    pub(crate) fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let at = faults.iter().position(|f| {
            f.only
                .as_ref()
                .is_none_or(|(m, p)| m.eq_ignore_ascii_case(method) && p == path)
        })?;
        let pending = &mut faults[at];
        let fault = pending.fault;
        pending.left = pending.left.saturating_sub(1);
        if pending.left == 0 {
            faults.remove(at);
        }
        Some(fault)
    }

    pub(crate) fn note(&self, request: SeenRequest) {
        lock(&self.seen).push(request);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_cuts_at_character_boundaries_and_counts_what_it_keeps() {
        let mut log = RequestLog::default();
        let path = "é".repeat(REQUEST_LOG_MAX_PATH); // twice the byte limit, all 2-byte chars
        log.push(SeenRequest {
            method: "X".repeat(100),
            path: path.clone(),
            status: 404,
        });
        let kept = &log.entries[0];
        assert!(
            kept.path.len() <= REQUEST_LOG_MAX_PATH,
            "{}",
            kept.path.len()
        );
        assert!(kept.path.ends_with('…') && path.starts_with(kept.path.trim_end_matches('…')));
        assert!(kept.method.len() <= REQUEST_LOG_MAX_METHOD);
        assert_eq!(log.bytes, kept.method.len() + kept.path.len());
        for n in 0..REQUEST_LOG_MAX_ENTRIES {
            log.push(SeenRequest {
                method: "GET".into(),
                path: format!("/{n}"),
                status: 200,
            });
        }
        assert_eq!(log.entries.len(), REQUEST_LOG_MAX_ENTRIES);
        assert_eq!(log.entries[0].path, "/0", "the oldest went first");
        let held: usize = log
            .entries
            .iter()
            .map(|r| r.method.len() + r.path.len())
            .sum();
        assert_eq!(log.bytes, held);
    }
}
