//! retry: see the documentation of the type it defines.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ureq::http::Method;

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default ceiling of the first backoff; it doubles with each retry.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Default cap on each wait, including one asked for by `Retry-After`.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Default cap on the whole call: no retry starts later than this after the first attempt.
pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(60);

/// When a failed call is tried again, and how long the client waits first.
///
/// A [`RetryPolicy`] is set with [`ClientBuilder::retry`](crate::ClientBuilder::retry).
/// The default makes up to [`DEFAULT_MAX_RETRIES`] retries, with exponential backoff and
/// full jitter, each wait capped at [`DEFAULT_MAX_BACKOFF`] and the whole call (attempts and
/// waits) at [`DEFAULT_MAX_ELAPSED`]. [`RetryPolicy::none`] sends every request once.
///
/// # What is retried
///
/// The rules follow the provider's integration guide, and above all its warning that there
/// are no idempotency keys: a `POST` that issues a pass must never reach the server twice.
///
/// | failure | `GET`, `PUT`, `DELETE`, `PATCH` | `POST` |
/// |---|---|---|
/// | `429 Too Many Requests` | retried | retried |
/// | nothing was sent: the host name did not resolve, the connection was refused or not made (connect timeout, unreachable network, proxy refused), the TLS handshake failed | retried | retried |
/// | `500`, `502`, `503`, `504` | retried | [`Error::OutcomeUnknown`] |
/// | connection dropped or reset, other timeouts, broken HTTP | retried | [`Error::OutcomeUnknown`] |
/// | any other `5xx`, `3xx`, an unreadable or oversized answer | not retried | [`Error::OutcomeUnknown`] |
/// | a `2xx` whose body does not decode | not retried ([`Error::Decode`]) | not retried ([`Error::Decode`]: the server did act) |
/// | `4xx` other than 429 (400, 401, 402, 403, 404, 409, 422, ...) | not retried | not retried |
/// | nothing was sent, and trying again cannot help: a certificate that is not trusted, a TLS or URL configuration error | not retried | not retried |
///
/// A `POST` is retried only when the server cannot have acted on it: it said so (429), or
/// the request never left (no connection). Any other failure of a `POST` after it may have
/// been sent is [`Error::OutcomeUnknown`], wrapping what happened: the pass may or may not
/// have been issued (or suspended, ...), so check (for example, list the template's passes)
/// before sending it again.
///
/// Whether anything was sent is known, not guessed: the client's agent marks every failure
/// of name resolution, of connecting and of the TLS handshake (all of which happen before
/// the first byte of the request is written), and such a failure is a plain
/// [`Error::Transport`] whose [`before_sending`](crate::error::TransportError::before_sending)
/// is `true`, for every method. With a caller's own [agent](crate::ClientBuilder::agent)
/// there is no mark; then only what `ureq` itself reports as before sending (host not
/// found, connection refused, connect timeout) counts as such.
///
/// [`Error::is_retryable`](crate::Error::is_retryable) follows this same table (as for a
/// `GET`): an error it calls retryable is one the loop retries while the policy allows.
/// Timeout and transport errors name the server (`host:port`) and the number of attempts
/// made.
///
/// `PATCH` (the informational update of a pass) is treated as idempotent: its body sets
/// fields to absolute values (names, dates, hotel data: nothing is added to or counted), so
/// a second delivery leaves the pass as the first one did. The only visible difference is a
/// second `ag.access_pass.updated` webhook event. `PUT` and `DELETE` are idempotent by
/// definition (a repeated `DELETE` may answer 404, which is not retried).
///
/// # How long the client waits
///
/// Before retry *n* (counting from 0) the client sleeps a random time between zero and
/// `min(max_backoff, initial_backoff × 2ⁿ)` ("full jitter", so that many clients failing
/// at once do not come back at once). When a `429` or `503` answer carries `Retry-After`
/// (seconds, or an HTTP date), the client waits exactly that long instead, provided it is
/// at most `max_backoff`; a longer `Retry-After` ends the retries and the answer is
/// returned as an error whose [`ApiError::retry_after`](crate::ApiError::retry_after) tells
/// the caller when to come back ([`ApiError::retry_after_delay`](crate::ApiError::retry_after_delay) reads it).
///
/// A retry is made only if its wait ends within `max_elapsed` of the start of the call; the
/// last attempt can still run for up to the client's timeout after that, so a call lasts at
/// most about `max_elapsed + timeout` (plus any wait for the [throttle](crate::Throttle)).
///
/// Every attempt sends the same bytes with the same signature; nothing is re-serialized.
///
/// [`Error::OutcomeUnknown`]: crate::Error::OutcomeUnknown
/// [`Error::Transport`]: crate::Error::Transport
/// [`Error::Decode`]: crate::Error::Decode
///
/// How a client retries failed calls: how often, and how long it waits in between.
///
/// ```
/// use std::time::Duration;
/// use accessgrid::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .with_max_retries(5)
///     .with_initial_backoff(Duration::from_secs(1))
///     .with_max_backoff(Duration::from_secs(30))
///     .with_max_elapsed(Duration::from_secs(120));
/// assert_eq!(patient.max_retries(), 5);
///
/// let client = accessgrid::Client::builder("my-account-id", "my-secret-key")
///     .retry(patient)
///     .build()?;
/// # let _ = client;
/// assert_eq!(RetryPolicy::none().max_retries(), 0);
/// # Ok::<(), accessgrid::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// Up to 3 retries; backoff from 0.5 s doubling, each wait at most 10 s, the whole call
    /// at most 60 s (plus the last attempt's timeout).
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            max_elapsed: DEFAULT_MAX_ELAPSED,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`RetryPolicy::default`]).
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// No retries: every request is sent once, whatever happens. A `POST` that failed after
    /// it may have been sent is still reported as [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    crate::client::setters! {
        /// How many times a failed request may be sent again (default 3); 0 turns retries off.
        fn with_max_retries(retries: u32) => max_retries = retries;

        /// The ceiling of the first random backoff (default 0.5 s); it doubles with each retry.
        fn with_initial_backoff(backoff: Duration) => initial_backoff = backoff;

        /// The cap on each wait (default 10 s). A `Retry-After` longer than this is not waited
        /// for: the answer is returned as an error instead.
        fn with_max_backoff(cap: Duration) => max_backoff = cap;

        /// The cap on the whole call (default 60 s): a retry is made only if its wait ends
        /// within this time of the start of the first attempt.
        fn with_max_elapsed(cap: Duration) => max_elapsed = cap;
    }

    /// The number of retries allowed after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The ceiling of the first backoff.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The cap on each wait.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The cap on the whole call.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The ceiling of the random wait before retry `retry` (0 for the first retry):
    /// `min(max_backoff, initial_backoff × 2^retry)`.
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_backoff)
    }

    /// A random wait before retry `retry`, uniform in `[0, backoff_ceiling(retry)]`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        self.backoff_ceiling(retry).mul_f64(random_unit())
    }

    /// The wait before the next attempt, or `None` to stop retrying.
    ///
    /// `retries_done` is how many retries were already made, `elapsed` the time since the
    /// first attempt started, `asked` a wait the server asked for (`Retry-After`).
    pub(crate) fn next_wait(
        &self,
        retries_done: u32,
        elapsed: Duration,
        asked: Option<Duration>,
    ) -> Option<Duration> {
        if retries_done >= self.max_retries {
            return None;
        }
        let wait = match asked {
            Some(asked) if asked > self.max_backoff => return None,
            Some(asked) => asked,
            None => self.backoff(retries_done),
        };
        if elapsed.saturating_add(wait) > self.max_elapsed {
            return None;
        }
        Some(wait)
    }
}

/// Whether sending `method` twice has the effect of sending it once (see the
/// [module documentation](self) for why `PATCH` counts as such here).
pub(crate) fn is_idempotent(method: &Method) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || *method == Method::OPTIONS
        || *method == Method::PUT
        || *method == Method::DELETE
        || *method == Method::PATCH
}

/// What went wrong in one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The server answered this status (and, if it is not 2xx, its body was read).
    Status(u16),
    /// Nothing reached the server, and trying again may work: name resolution failed, the
    /// connection was refused or timed out, a proxy refused to connect.
    Unsent,
    /// Nothing reached the server, and trying again will not help: a bad URL, a TLS setup
    /// error before connecting.
    UnsentPermanent,
    /// The exchange broke after the request may have been sent, in a way that may pass:
    /// the connection was reset or closed early, a timeout, broken HTTP.
    Interrupted,
    /// The exchange failed after the request may have been sent, in a way that trying again
    /// will not fix (an oversized answer, an unexpected I/O error, ...).
    Broken,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Try again (if the policy allows it; else fail as [`Action::Fail`]).
    Retry,
    /// Return the error as it is.
    Fail,
    /// Return the error wrapped in `Error::OutcomeUnknown`: the server may have acted.
    FailUnknown,
}

/// The rule table of the [module documentation](self).
pub(crate) fn action(idempotent: bool, fault: Fault) -> Action {
    match fault {
        Fault::Status(429) | Fault::Unsent => Action::Retry,
        Fault::UnsentPermanent => Action::Fail,
        Fault::Status(400..=499) => Action::Fail,
        Fault::Status(500 | 502 | 503 | 504) | Fault::Interrupted if idempotent => Action::Retry,
        _ if idempotent => Action::Fail,
        _ => Action::FailUnknown,
    }
}

/// Sorts a `ureq` failure into a [`Fault`].
pub(crate) fn classify(error: &ureq::Error) -> Fault {
    use std::io::ErrorKind;
    use ureq::Error as E;
    match error {
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => Fault::Unsent,
        E::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => Fault::Unsent,
        E::Timeout(_) => Fault::Interrupted,
        // A refusal only ever comes from `connect`; on an open connection the kernel
        // reports a reset instead.
        E::Io(io) if io.kind() == ErrorKind::ConnectionRefused => Fault::Unsent,
        E::Io(io) => match io.kind() {
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::NotConnected
            | ErrorKind::TimedOut
            | ErrorKind::Interrupted
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::NetworkDown => Fault::Interrupted,
            _ => Fault::Broken,
        },
        E::Protocol(_) => Fault::Interrupted,
        E::Decompress(_, io) if io.kind() == ErrorKind::UnexpectedEof => Fault::Interrupted,
        E::BadUri(_)
        | E::Http(_)
        | E::InvalidProxyUrl
        | E::RequireHttpsOnly(_)
        | E::Tls(_)
        | E::Pem(_)
        | E::TlsRequired => Fault::UnsentPermanent,
        _ => Fault::Broken,
    }
}

/// Sorts a `ureq` failure that came before any byte of the request was written (name
/// resolution, connecting, the TLS handshake) into [`Fault::Unsent`], or
/// [`Fault::UnsentPermanent`] where trying again cannot help: a bad URL or TLS setup, a
/// certificate that is not trusted (`InvalidData` from the handshake).
pub(crate) fn classify_before_sending(error: &ureq::Error) -> Fault {
    match error {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            Fault::UnsentPermanent
        }
        _ if classify(error) == Fault::UnsentPermanent => Fault::UnsentPermanent,
        _ => Fault::Unsent,
    }
}

/// How long a `Retry-After` header value asks to wait: a number of seconds, or an HTTP date
/// (IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete RFC 850 and
/// asctime forms). A date in the past is a wait of zero. `None` if the value is neither.
///
/// See [`ApiError::retry_after_delay`](crate::ApiError::retry_after_delay).
pub(crate) fn retry_after_delay(value: &str) -> Option<Duration> {
    retry_after_delay_at(value, SystemTime::now())
}

/// [`retry_after_delay`] as seen at `now`.
pub(crate) fn retry_after_delay_at(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than fit in a u64 is a wait longer than any cap: saturate.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Seconds since the Unix epoch of an HTTP date (RFC 9110 section 5.6.7), in any of its
/// three forms (IMF-fixdate, RFC 850, asctime); always GMT. Parsed by `httpdate`.
pub(crate) fn parse_http_date(text: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(text).ok()?;
    at.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// A random number in `[0, 1)`, for jitter. Std only: `RandomState` is seeded from the
/// operating system once per thread and changes with every call; a counter makes each
/// draw distinct even within one thread.
fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // The top 53 bits make an f64 in [0, 1) with every value equally likely.
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_provider_guide() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries(), 3);
        assert_eq!(p.initial_backoff(), Duration::from_millis(500));
        assert_eq!(p.max_backoff(), Duration::from_secs(10));
        assert_eq!(p.max_elapsed(), Duration::from_secs(60));
        assert_eq!(RetryPolicy::none().max_retries(), 0);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_full_jitter() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1000));
        let ceilings: Vec<u128> = (0..6).map(|n| p.backoff_ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            p.backoff_ceiling(u32::MAX),
            Duration::from_millis(1000),
            "no overflow"
        );
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..2000 {
            let d = p.backoff(2);
            assert!(d <= Duration::from_millis(400), "{d:?}");
            seen_low |= d < Duration::from_millis(100);
            seen_high |= d > Duration::from_millis(300);
        }
        assert!(
            seen_low && seen_high,
            "full jitter spreads over the whole range"
        );
    }

    #[test]
    fn next_wait_respects_count_caps_and_retry_after() {
        let p = RetryPolicy::default()
            .with_max_retries(2)
            .with_max_backoff(Duration::from_secs(5))
            .with_max_elapsed(Duration::from_secs(8));
        assert!(p.next_wait(0, Duration::ZERO, None).is_some());
        assert_eq!(p.next_wait(2, Duration::ZERO, None), None, "count");
        assert_eq!(
            p.next_wait(0, Duration::ZERO, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3)),
            "Retry-After is waited exactly"
        );
        assert_eq!(
            p.next_wait(0, Duration::ZERO, Some(Duration::from_secs(6))),
            None,
            "a Retry-After over the cap ends retries"
        );
        assert_eq!(
            p.next_wait(1, Duration::from_secs(6), Some(Duration::from_secs(3))),
            None,
            "the total cap"
        );
        assert_eq!(RetryPolicy::none().next_wait(0, Duration::ZERO, None), None);
    }

    #[test]
    fn rule_table() {
        use Action::*;
        let cases: &[(Fault, Action, Action)] = &[
            // fault, idempotent, POST
            (Fault::Status(429), Retry, Retry),
            (Fault::Unsent, Retry, Retry),
            (Fault::UnsentPermanent, Fail, Fail),
            (Fault::Status(500), Retry, FailUnknown),
            (Fault::Status(502), Retry, FailUnknown),
            (Fault::Status(503), Retry, FailUnknown),
            (Fault::Status(504), Retry, FailUnknown),
            (Fault::Status(501), Fail, FailUnknown),
            (Fault::Status(302), Fail, FailUnknown),
            (Fault::Interrupted, Retry, FailUnknown),
            (Fault::Broken, Fail, FailUnknown),
        ];
        for (fault, idem, post) in cases {
            assert_eq!(action(true, *fault), *idem, "{fault:?} idempotent");
            assert_eq!(action(false, *fault), *post, "{fault:?} POST");
        }
        for status in [400, 401, 402, 403, 404, 409, 422] {
            assert_eq!(action(true, Fault::Status(status)), Fail);
            assert_eq!(action(false, Fault::Status(status)), Fail);
        }
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::PUT));
        assert!(is_idempotent(&Method::DELETE));
        assert!(is_idempotent(&Method::PATCH));
        assert!(!is_idempotent(&Method::POST));
    }

    #[test]
    fn classify_ureq_errors() {
        use std::io::{Error as IoError, ErrorKind};
        let io = |kind| ureq::Error::Io(IoError::new(kind, "x"));
        assert_eq!(classify(&ureq::Error::HostNotFound), Fault::Unsent);
        assert_eq!(classify(&io(ErrorKind::ConnectionRefused)), Fault::Unsent);
        assert_eq!(
            classify(&ureq::Error::Timeout(ureq::Timeout::Connect)),
            Fault::Unsent
        );
        assert_eq!(
            classify(&ureq::Error::Timeout(ureq::Timeout::Global)),
            Fault::Interrupted
        );
        assert_eq!(
            classify(&ureq::Error::Timeout(ureq::Timeout::RecvResponse)),
            Fault::Interrupted
        );
        assert_eq!(
            classify(&io(ErrorKind::ConnectionReset)),
            Fault::Interrupted
        );
        assert_eq!(classify(&io(ErrorKind::UnexpectedEof)), Fault::Interrupted);
        assert_eq!(classify(&io(ErrorKind::InvalidData)), Fault::Broken);
        assert_eq!(classify(&ureq::Error::BodyExceedsLimit(5)), Fault::Broken);
        assert_eq!(
            classify(&ureq::Error::BadUri("x".into())),
            Fault::UnsentPermanent
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        // 1994-11-06T08:49:37Z
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sun Nov  6 08:49:37 1994"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 23:59:59 GMT"),
            Some(951_868_799)
        );
        assert_eq!(
            parse_http_date("Fri, 01 Jan 2100 00:00:00 GMT"),
            Some(4_102_444_800)
        );
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sat, 01 Jan 2100 00:00:00 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Mon, 29 Feb 1900 00:00:00 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "Sun, 006 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "1.5",
            "-3",
        ] {
            assert_eq!(retry_after_delay_at(bad, t), None, "{bad:?}");
        }
        assert_eq!(retry_after_delay_at("7", t), Some(Duration::from_secs(7)));
        assert_eq!(retry_after_delay_at(" 0 ", t), Some(Duration::ZERO));
        assert_eq!(
            retry_after_delay_at("99999999999999999999999", t),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            retry_after_delay_at("Sun, 06 Nov 1994 08:50:07 GMT", t),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after_delay_at("Sun, 06 Nov 1994 08:00:00 GMT", t),
            Some(Duration::ZERO),
            "a date in the past"
        );
    }
}
