//! throttle: see the documentation of the type it defines.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Default number of request starts allowed in each [`DEFAULT_WINDOW`].
pub const DEFAULT_MAX_REQUESTS: u32 = 20;
/// Default length of the rate window.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(1);
/// Default number of requests in flight at once.
pub const DEFAULT_MAX_IN_FLIGHT: u32 = 5;

/// Client-side throttling: how many requests a client starts per time window, and how many
/// it has open at once.
///
/// The provider asks each account to keep to 20 requests a second and 5 concurrent
/// connections. A [`Throttle`], set with
/// [`ClientBuilder::throttle`](crate::ClientBuilder::throttle), enforces that inside one
/// client and all its clones (they share one limiter); separate clients, or separate
/// processes, each have their own. By default: at most [`DEFAULT_MAX_REQUESTS`] requests
/// started in any window of [`DEFAULT_WINDOW`], and at most [`DEFAULT_MAX_IN_FLIGHT`] in
/// flight. Every attempt counts, retries included.
///
/// A call over the limit waits (blocking its thread) until it may start; waiting callers
/// are served in the order they arrived at the rate limit. The wait is not part of the
/// client's timeout. [`Throttle::off`] removes both limits.
///
/// The rate limit is a sliding window: no window of the configured length ever holds more
/// than the configured number of request starts. A burst of up to that number starts at
/// once; the next ones start as the oldest leave the window. `n` calls in a row on an idle
/// client at a limit of `r` per window `w` therefore take at least `⌊(n − 1) / r⌋ × w`.
///
/// Limits on how fast and how many requests at once a client sends.
///
/// ```
/// use std::time::Duration;
/// use accessgrid::Throttle;
///
/// // Half the provider's limits, e.g. for two daemons sharing one account.
/// let half = Throttle::default()
///     .with_max_requests(10, Duration::from_secs(1))
///     .with_max_in_flight(2);
/// let client = accessgrid::Client::builder("my-account-id", "my-secret-key")
///     .throttle(half)
///     .build()?;
/// # let _ = client;
/// assert_eq!(Throttle::off().max_in_flight(), None);
/// # Ok::<(), accessgrid::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Throttle {
    rate: Option<(u32, Duration)>,
    max_in_flight: Option<u32>,
}

impl Default for Throttle {
    /// 20 requests a second, 5 in flight: the provider's limits.
    fn default() -> Self {
        Throttle {
            rate: Some((DEFAULT_MAX_REQUESTS, DEFAULT_WINDOW)),
            max_in_flight: Some(DEFAULT_MAX_IN_FLIGHT),
        }
    }
}

impl Throttle {
    /// The default limits (see [`Throttle::default`]).
    pub fn new() -> Self {
        Throttle::default()
    }

    /// No limits at all: every call starts at once.
    pub fn off() -> Self {
        Throttle {
            rate: None,
            max_in_flight: None,
        }
    }

    /// At most `requests` request starts in any window of length `per` (both must be more
    /// than zero, else [`ClientBuilder::build`](crate::ClientBuilder::build) fails).
    pub fn with_max_requests(mut self, requests: u32, per: Duration) -> Self {
        self.rate = Some((requests, per));
        self
    }

    /// No limit on the rate (the in-flight limit stays).
    pub fn no_rate_limit(mut self) -> Self {
        self.rate = None;
        self
    }

    /// At most `requests` requests in flight at once (more than zero, else
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) fails).
    pub fn with_max_in_flight(mut self, requests: u32) -> Self {
        self.max_in_flight = Some(requests);
        self
    }

    /// No limit on requests in flight (the rate limit stays).
    pub fn no_in_flight_limit(mut self) -> Self {
        self.max_in_flight = None;
        self
    }

    /// The rate limit: request starts allowed per window, and the window; `None` if off.
    pub fn rate(&self) -> Option<(u32, Duration)> {
        self.rate
    }

    /// The limit on requests in flight; `None` if off.
    pub fn max_in_flight(&self) -> Option<u32> {
        self.max_in_flight
    }

    /// Refuses a limit of zero requests or a window of zero length.
    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        let bad = |why: &str| Err(crate::Error::Config(format!("throttle: {why}")));
        match self.rate {
            Some((0, _)) => return bad("the rate limit must allow at least one request"),
            Some((_, per)) if per.is_zero() => return bad("the rate window must not be zero"),
            _ => {}
        }
        if self.max_in_flight == Some(0) {
            return bad("the in-flight limit must allow at least one request");
        }
        Ok(())
    }
}

/// The running state of a [`Throttle`], shared by a client and its clones.
#[derive(Debug)]
pub(crate) struct Limiter {
    rate: Option<Window>,
    slots: Option<Slots>,
}

#[derive(Debug)]
struct Window {
    limit: usize,
    per: Duration,
    /// The start times handed out most recently, oldest first; at most `limit` of them,
    /// some possibly in the future (reserved by callers now sleeping until then).
    starts: Mutex<VecDeque<Instant>>,
}

#[derive(Debug)]
struct Slots {
    limit: usize,
    used: Mutex<usize>,
    freed: Condvar,
}

/// Held while a request is in flight; frees its slot when dropped.
#[must_use]
pub(crate) struct Permit<'a> {
    slots: Option<&'a Slots>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(slots) = self.slots {
            let mut used = lock(&slots.used);
            *used = used.saturating_sub(1);
            drop(used);
            slots.freed.notify_one();
        }
    }
}

/// Locks a mutex; a poisoned one is used as is (the guarded data is a counter or a list
/// of times, valid whatever a panicking thread was doing).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Limiter {
    /// The limiter for `throttle` (checked by [`Throttle::check`] before).
    pub(crate) fn new(throttle: &Throttle) -> Self {
        Limiter {
            rate: throttle.rate.map(|(limit, per)| Window {
                limit: limit.max(1) as usize,
                per,
                starts: Mutex::new(VecDeque::new()),
            }),
            slots: throttle.max_in_flight.map(|limit| Slots {
                limit: limit.max(1) as usize,
                used: Mutex::new(0),
                freed: Condvar::new(),
            }),
        }
    }

    /// Blocks until a request may start; the permit frees its in-flight slot when dropped.
    ///
    /// The in-flight slot is taken first and the rate slot second, so a request starts as
    /// soon as its rate slot comes: a rate slot is never reserved by a request that then
    /// waits for a connection slot (which would let starts bunch up past the rate).
    pub(crate) fn acquire(&self) -> Permit<'_> {
        let permit = match &self.slots {
            Some(slots) => {
                let mut used = lock(&slots.used);
                while *used >= slots.limit {
                    used = slots
                        .freed
                        .wait(used)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                *used += 1;
                Permit { slots: Some(slots) }
            }
            None => Permit { slots: None },
        };
        if let Some(window) = &self.rate {
            let start = window.reserve(Instant::now());
            let now = Instant::now();
            if start > now {
                std::thread::sleep(start - now);
            }
        }
        permit
    }

    /// The limit on requests in flight, if any.
    pub(crate) fn max_in_flight(&self) -> Option<usize> {
        self.slots.as_ref().map(|s| s.limit)
    }
}

impl Window {
    /// Reserves the earliest start time at or after `now` that keeps at most `limit`
    /// starts in any window of length `per`, and returns it.
    fn reserve(&self, now: Instant) -> Instant {
        let mut starts = lock(&self.starts);
        let start = if starts.len() < self.limit {
            now
        } else {
            // The list is sorted; the oldest of the last `limit` starts must have left the
            // window before this one begins.
            let oldest = starts.pop_front().unwrap_or(now);
            now.max(oldest + self.per)
        };
        // Never hand out a time before the newest one: keeps the list sorted.
        let start = starts.back().map_or(start, |last| start.max(*last));
        starts.push_back(start);
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_reservations_keep_the_rate() {
        let window = Window {
            limit: 3,
            per: Duration::from_millis(100),
            starts: Mutex::new(VecDeque::new()),
        };
        let t0 = Instant::now();
        let got: Vec<u128> = (0..10)
            .map(|_| (window.reserve(t0) - t0).as_millis())
            .collect();
        assert_eq!(got, [0, 0, 0, 100, 100, 100, 200, 200, 200, 300]);
        // After a quiet spell, a new burst starts at once.
        let later = t0 + Duration::from_secs(5);
        assert_eq!(window.reserve(later), later);
    }

    #[test]
    fn zero_limits_are_refused() {
        assert!(Throttle::default().check().is_ok());
        assert!(Throttle::off().check().is_ok());
        assert!(Throttle::default()
            .with_max_requests(0, Duration::from_secs(1))
            .check()
            .is_err());
        assert!(Throttle::default()
            .with_max_requests(5, Duration::ZERO)
            .check()
            .is_err());
        assert!(Throttle::default().with_max_in_flight(0).check().is_err());
    }

    #[test]
    fn permits_are_counted_and_freed() {
        let limiter = Limiter::new(&Throttle::off().with_max_in_flight(2));
        let a = limiter.acquire();
        let b = limiter.acquire();
        let used = |l: &Limiter| l.slots.as_ref().map(|s| *lock(&s.used));
        assert_eq!(used(&limiter), Some(2));
        drop(a);
        assert_eq!(used(&limiter), Some(1));
        drop(b);
        assert_eq!(used(&limiter), Some(0));
        assert_eq!(limiter.max_in_flight(), Some(2));
    }
}
