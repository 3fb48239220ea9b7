//! The fault suite: one test per fault, each asserting the outcome and the exact number of
//! requests the (local) server saw.

mod common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use accessgrid::models::{AccessCard, IssueCardRequest};
use accessgrid::{Client, Error, RetryPolicy, Throttle};
use common::ports::ReservedPort;
use common::raw::{RawServer, Reply};

const ACCOUNT: &str = "acct_faults";
const SECRET: &str = "faults_secret_value";
const CARD: &str = r#"{"id":"0xc4rd1d","state":"active"}"#;

/// Retries with tiny waits, so the suite stays quick.
fn quick(retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(retries)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_max_elapsed(Duration::from_secs(5))
}

fn client_for(url: &str, policy: RetryPolicy) -> Client {
    finish(Client::builder(ACCOUNT, SECRET), url, policy)
}

/// `builder` for `url` with this retry policy and no throttle.
fn finish(builder: accessgrid::ClientBuilder, url: &str, policy: RetryPolicy) -> Client {
    builder
        .base_url(url)
        .retry(policy)
        .throttle(Throttle::off())
        .build()
        .expect("a valid client")
}

fn get(client: &Client) -> Result<AccessCard, Error> {
    client.access_cards().get("0xc4rd1d")
}

fn issue(client: &Client) -> Result<AccessCard, Error> {
    client.access_cards().issue(
        IssueCardRequest::builder()
            .card_template_id("0xt3mpl4t3")
            .full_name("Zoë Ångström")
            .site_code("42")
            .card_number("1234"),
    )
}

/// A GET whose first attempt meets `first` and whose retry gets the card: the card is
/// answered after exactly two requests, the same bytes each time.
fn get_is_retried_once_after(first: fn() -> Reply) {
    let server = RawServer::start(move |i, _| match i {
        0 => first(),
        _ => Reply::json(200, CARD),
    });
    let card = get(&client_for(&server.url(), quick(3))).expect("the retry succeeds");
    assert_eq!(card.id, "0xc4rd1d");
    assert_eq!(server.requests(), 2);
    assert_all_identical(&server);
}

/// Every request the server saw is the same: method, target, body bytes and signature.
fn assert_all_identical(server: &RawServer) {
    let seen = server.seen();
    let first = seen.first().expect("at least one request");
    for s in &seen[1..] {
        assert_eq!(s.method, first.method);
        assert_eq!(s.target, first.target);
        assert_eq!(s.body, first.body, "each attempt sends the same bytes");
        assert_eq!(s.header("x-payload-sig"), first.header("x-payload-sig"));
        assert_eq!(s.header("x-acct-id"), Some(ACCOUNT));
    }
}

fn unknown_source(e: Error) -> Error {
    match e {
        Error::OutcomeUnknown { source, .. } => *source,
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

// ---- a thread-aware log capture, to count attempts nobody can see on the server side ----

struct Capture(Mutex<Vec<(ThreadId, String)>>);

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.target().starts_with("accessgrid")
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            if let Ok(mut v) = self.0.lock() {
                v.push((std::thread::current().id(), r.args().to_string()));
            }
        }
    }
    fn flush(&self) {}
}

/// Log lines of the crate written on this thread so far.
fn my_log_lines() -> Vec<String> {
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    let logger = LOGGER.get_or_init(|| {
        let logger: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        let _ = log::set_logger(logger);
        log::set_max_level(log::LevelFilter::Debug);
        logger
    });
    let me = std::thread::current().id();
    logger
        .0
        .lock()
        .map(|v| {
            v.iter()
                .filter(|(t, _)| *t == me)
                .map(|(_, l)| l.clone())
                .collect()
        })
        .unwrap_or_default()
}

// ---- retried ----

#[test]
fn get_500_once_then_200_is_retried_once() {
    get_is_retried_once_after(|| Reply::json(500, r#"{"message":"boom"}"#));
}

#[test]
fn retry_after_one_second_is_honoured_even_for_a_post() {
    let server = RawServer::start(|i, _| match i {
        0 => Reply::with(
            429,
            &[("Content-Type", "application/json"), ("Retry-After", "1")],
            br#"{"message":"slow down"}"#,
        ),
        _ => Reply::json(200, CARD),
    });
    // Default waits: the Retry-After (1 s) is within the 10 s cap.
    let client = client_for(&server.url(), RetryPolicy::default());
    let started = Instant::now();
    let card = issue(&client).expect("issued after the wait");
    let waited = started.elapsed();
    assert_eq!(card.id, "0xc4rd1d");
    assert_eq!(server.requests(), 2, "a 429 means the server did not act");
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    let seen = server.seen();
    assert!(seen[1].at.duration_since(seen[0].at) >= Duration::from_secs(1));
    assert_all_identical(&server);
}

#[test]
fn retry_after_over_the_cap_is_returned_not_waited_for() {
    let server = RawServer::start(|_, _| {
        Reply::with(
            429,
            &[("Content-Type", "application/json"), ("Retry-After", "120")],
            br#"{"message":"slow down"}"#,
        )
    });
    let started = Instant::now();
    let err = get(&client_for(&server.url(), RetryPolicy::default())).expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.requests(), 1);
    assert_eq!(err.status(), Some(429));
    let after = err.api().and_then(|a| a.retry_after.clone());
    assert_eq!(after.as_deref(), Some("120"));
    assert_eq!(
        err.api().and_then(|a| a.retry_after_delay()),
        Some(Duration::from_secs(120))
    );
}

#[test]
fn get_503_forever_gives_up_after_four_requests_within_the_total_cap() {
    let server = RawServer::start(|_, _| Reply::json(503, r#"{"message":"down"}"#));
    let policy = RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(50))
        .with_max_backoff(Duration::from_millis(200))
        .with_max_elapsed(Duration::from_secs(2));
    let started = Instant::now();
    let err = get(&client_for(&server.url(), policy)).expect_err("503");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 4, "1 attempt + 3 retries");
    assert_eq!(err.status(), Some(503));
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_all_identical(&server);
}

#[test]
fn every_retryable_status_is_retried_on_get_put_delete() {
    for status in [429u16, 500, 502, 503, 504] {
        let server = RawServer::start(move |i, _| match i {
            0 => Reply::json(status, "{}"),
            _ => Reply::json(200, CARD),
        });
        get(&client_for(&server.url(), quick(3))).expect("retried");
        assert_eq!(server.requests(), 2, "status {status}");
    }
}

#[test]
fn get_connection_dropped_mid_answer_is_retried() {
    get_is_retried_once_after(|| Reply::truncated(200, 200, r#"{"id":"0xc4r"#));
}

#[test]
fn get_connection_closed_without_answer_is_retried() {
    get_is_retried_once_after(|| Reply::Close);
}

#[test]
fn issue_is_retried_when_the_connection_was_refused() {
    let _ = my_log_lines(); // installs the capture before the first attempt
                            // Held (bound, not listening) until the server takes it: refused meanwhile, and
                            // handed to no other test.
    let reserved = ReservedPort::new();
    let url = reserved.url("");
    let addr = reserved.addr();
    let opened: Arc<Mutex<Option<RawServer>>> = Arc::new(Mutex::new(None));
    let slot = opened.clone();
    let opener = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let listener = TcpListener::bind(addr).expect("the reserved port can be listened on");
        *slot.lock().expect("not poisoned") =
            Some(RawServer::on(listener, |_, _| Reply::json(200, CARD)));
    });
    // Many short waits: the server appears after 300 ms, well within them.
    let policy = RetryPolicy::default()
        .with_max_retries(60)
        .with_initial_backoff(Duration::from_millis(50))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_elapsed(Duration::from_secs(10));
    let card = issue(&client_for(&url, policy)).expect("issued once the server is up");
    opener.join().expect("opener");
    assert_eq!(card.id, "0xc4rd1d");
    let server = opened.lock().expect("not poisoned");
    let server = server.as_ref().expect("server started");
    assert_eq!(server.requests(), 1, "the pass was requested exactly once");
    let attempts = my_log_lines()
        .iter()
        .filter(|l| l.starts_with("POST /v1/key-cards failed"))
        .count();
    assert!(attempts >= 1, "at least one refused attempt was made");
}

#[test]
fn issue_refused_forever_is_a_plain_transport_error_after_every_retry() {
    let _ = my_log_lines(); // installs the capture before the first attempt
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let err = issue(&client_for(&format!("http://127.0.0.1:{port}"), quick(3)))
        .expect_err("nobody listens");
    let Error::Transport(transport) = &err else {
        panic!("expected a plain Transport error, got {err:?}");
    };
    assert_eq!(transport.host, format!("127.0.0.1:{port}"));
    assert_eq!(transport.attempts, 4, "1 attempt + 3 retries");
    assert!(transport.before_sending, "{transport:?}");
    assert!(
        err.is_retryable(),
        "nothing was sent, so the caller may retry"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{port}")) && text.contains("after 4 attempts"),
        "{text}"
    );
    let refused = my_log_lines()
        .iter()
        .filter(|l| l.starts_with("POST /v1/key-cards failed"))
        .count();
    assert_eq!(refused, 4, "1 attempt + 3 retries");
}

#[test]
fn get_refused_is_retried_and_names_host_and_attempts() {
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let err = get(&client_for(&format!("http://127.0.0.1:{port}"), quick(2)))
        .expect_err("nobody listens");
    let Error::Transport(transport) = &err else {
        panic!("expected a plain Transport error, got {err:?}");
    };
    assert_eq!(
        (transport.host.as_str(), transport.attempts),
        (format!("127.0.0.1:{port}").as_str(), 3)
    );
    assert!(err.is_retryable());
}

#[test]
fn is_retryable_agrees_with_the_retry_loop() {
    // Each failure once, then a good answer, with one retry allowed: the loop retried it
    // exactly when the server saw 2 requests. The same failure forever with no retries:
    // `is_retryable` on the error returned must say the same.
    let cases: Vec<(fn() -> Reply, bool)> = vec![
        (|| Reply::json(500, "{}"), true),
        (|| Reply::json(503, "{}"), true),
        (|| Reply::json(429, "{}"), true),
        (|| Reply::json(501, "{}"), false),
        (|| Reply::json(404, "{}"), false),
        (|| Reply::json(422, "{}"), false),
        (|| Reply::Close, true),
        (|| Reply::truncated(200, 200, "{"), true),
        (|| Reply::Raw(b"NOT HTTP AT ALL\r\n\r\n".to_vec()), true),
        // A body that cannot be decompressed: trying again will not fix it.
        (
            || {
                Reply::with(
                    200,
                    &[
                        ("Content-Type", "application/json"),
                        ("Content-Encoding", "gzip"),
                    ],
                    b"this is not gzip at all",
                )
            },
            false,
        ),
    ];
    for (i, (failure, retried)) in cases.into_iter().enumerate() {
        let once = RawServer::start(move |n, _| {
            if n == 0 {
                failure()
            } else {
                Reply::json(200, CARD)
            }
        });
        let outcome = get(&client_for(&once.url(), quick(1)));
        assert_eq!(
            once.requests() == 2,
            retried,
            "case {i}: {} requests",
            once.requests()
        );
        assert_eq!(outcome.is_ok(), retried, "case {i}");

        let always = RawServer::start(move |_, _| failure());
        let err = get(&client_for(&always.url(), RetryPolicy::none())).expect_err("fails");
        assert_eq!(err.is_retryable(), retried, "case {i}: {err:?}");
    }
}

#[test]
fn a_timeout_names_host_and_attempts() {
    let server = RawServer::start(|_, _| {
        Reply::After(Duration::from_secs(3), Box::new(Reply::json(200, CARD)))
    });
    let client = finish(
        Client::builder(ACCOUNT, SECRET).read_timeout(Duration::from_millis(150)),
        &server.url(),
        quick(1),
    );
    let err = get(&client).expect_err("too slow");
    let host = server.url().trim_start_matches("http://").to_owned();
    match &err {
        Error::Timeout {
            host: h, attempts, ..
        } => {
            assert_eq!((h.as_str(), *attempts), (host.as_str(), 2));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&host) && text.contains("after 2 attempts"),
        "{text}"
    );
    assert!(err.is_retryable());
}

#[test]
fn a_post_whose_answer_broke_keeps_the_request_id() {
    let server = RawServer::start(|_, _| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\nX-Request-ID: req-77\r\nContent-Length: 100\r\n\r\n{\"id\""
                .to_vec(),
        )
    });
    let err = issue(&client_for(&server.url(), quick(3))).expect_err("truncated");
    assert_eq!(server.requests(), 1, "never sent twice");
    assert_eq!(err.request_id(), Some("req-77"));
    assert!(err.to_string().contains("request id req-77"), "{err}");
    match err {
        Error::OutcomeUnknown { request_id, .. } => {
            assert_eq!(request_id.as_deref(), Some("req-77"))
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

// ---- a POST that may have been acted on is never sent twice ----

#[test]
fn issue_500_is_sent_once_and_outcome_unknown() {
    let server = RawServer::start(|_, _| Reply::json(500, r#"{"message":"boom"}"#));
    let err = issue(&client_for(&server.url(), quick(3))).expect_err("500");
    assert_eq!(server.requests(), 1);
    assert_eq!(err.status(), Some(500));
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("check before sending it again"),
        "{err}"
    );
    let source = unknown_source(err);
    assert_eq!(source.api().map(|a| a.message.as_str()), Some("boom"));
}

#[test]
fn issue_502_503_504_are_sent_once_and_outcome_unknown() {
    for status in [502u16, 503, 504] {
        let server = RawServer::start(move |_, _| Reply::json(status, "{}"));
        let err = issue(&client_for(&server.url(), quick(3))).expect_err("5xx");
        assert_eq!(server.requests(), 1, "status {status}");
        assert_eq!(unknown_source(err).status(), Some(status));
    }
}

#[test]
fn state_action_500_is_sent_once_and_outcome_unknown() {
    let server = RawServer::start(|_, _| Reply::json(500, "{}"));
    let err = client_for(&server.url(), quick(3))
        .access_cards()
        .suspend("0xc4rd1d")
        .expect_err("500");
    assert_eq!(server.requests(), 1);
    assert!(matches!(err, Error::OutcomeUnknown { .. }));
}

#[test]
fn issue_connection_dropped_mid_answer_is_sent_once_and_outcome_unknown() {
    let server = RawServer::start(|_, _| Reply::truncated(200, 200, r#"{"id":"new"#));
    let err = issue(&client_for(&server.url(), quick(3))).expect_err("truncated");
    assert_eq!(server.requests(), 1);
    assert!(matches!(unknown_source(err), Error::Transport(_)));
}

#[test]
fn issue_connection_closed_without_answer_is_sent_once_and_outcome_unknown() {
    let server = RawServer::start(|_, _| Reply::Close);
    let err = issue(&client_for(&server.url(), quick(3))).expect_err("closed");
    assert_eq!(server.requests(), 1);
    assert!(matches!(unknown_source(err), Error::Transport(_)));
}

// ---- never retried ----

#[test]
fn client_errors_are_never_retried() {
    for status in [400u16, 401, 402, 403, 404, 409, 422] {
        let server = RawServer::start(move |_, _| {
            Reply::json(
                status,
                r#"{"message":"no","errors":{"full_name":["is too long"]}}"#,
            )
        });
        let client = client_for(&server.url(), quick(3));
        let on_get = get(&client).expect_err("4xx");
        let on_post = issue(&client).expect_err("4xx");
        assert_eq!(server.requests(), 2, "status {status}: once each");
        for err in [on_get, on_post] {
            assert_eq!(err.status(), Some(status));
            assert!(
                !matches!(err, Error::OutcomeUnknown { .. }),
                "a refusal is certain"
            );
            assert_eq!(err.api().map(|a| a.message.as_str()), Some("no"));
        }
    }
}

// ---- bad answers: an error with the status and a bounded snippet, never a panic ----

#[test]
fn html_502_is_retried_then_reported_with_a_bounded_snippet() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "<p>upstream unavailable</p>".repeat(50)
    );
    let body = page.clone();
    let server = RawServer::start(move |_, _| {
        Reply::with(502, &[("Content-Type", "text/html")], body.as_bytes())
    });
    let err = get(&client_for(&server.url(), quick(3))).expect_err("502");
    assert_eq!(server.requests(), 4);
    assert_eq!(err.status(), Some(502));
    let api = err.api().expect("an API error");
    assert!(api
        .message
        .starts_with("<html><head><title>502 Bad Gateway"));
    assert!(
        api.message.chars().count() <= 201,
        "snippet: {}",
        api.message
    );
    assert_eq!(api.body, page.as_bytes(), "the raw body is kept");
    assert!(err.to_string().len() < 400, "{err}");
    assert!(format!("{err:?}").len() < 1000);
}

#[test]
fn truncated_json_body_is_a_decode_error_with_snippet() {
    let server = RawServer::start(|_, _| Reply::json(200, r#"{"id":"0xc4rd1d","state":"act"#));
    let err = get(&client_for(&server.url(), quick(3))).expect_err("truncated JSON");
    assert_eq!(server.requests(), 1);
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.status, 200);
            assert_eq!(d.body, br#"{"id":"0xc4rd1d","state":"act"#);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(
        err.to_string().contains(r#"{"id":"0xc4rd1d","state":"act"#),
        "{err}"
    );
}

#[test]
fn garbage_json_is_a_decode_error() {
    let server = RawServer::start(|_, _| Reply::json(200, "}}not json at all{{"));
    let err = get(&client_for(&server.url(), quick(3))).expect_err("garbage");
    assert_eq!(server.requests(), 1);
    assert_eq!(err.status(), Some(200));
    assert!(matches!(err, Error::Decode(_)));
    assert!(err.to_string().contains("}}not json at all{{"));
}

#[test]
fn answers_with_and_without_a_declared_length_decode_alike() {
    // Content-Length (the buffer is sized from it), and chunked in small pieces (no length:
    // the buffer grows as the chunks arrive).
    let card = r#"{"id":"0xc4rd1d","state":"suspended","full_name":"Zoë Ångström"}"#;
    let mut chunked =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for piece in card.as_bytes().chunks(7) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let replies = [Reply::json(200, card), Reply::Raw(chunked)];
    for reply in replies {
        let reply = std::sync::Mutex::new(Some(reply));
        let server = RawServer::start(move |_, _| {
            reply.lock().expect("lock").take().unwrap_or(Reply::Close)
        });
        let got = get(&client_for(&server.url(), quick(0))).expect("decoded");
        assert_eq!(got.id, "0xc4rd1d");
        assert_eq!(got.state, Some(accessgrid::models::CardState::Suspended));
        assert_eq!(got.full_name.as_deref(), Some("Zoë Ångström"));
        assert_eq!(server.requests(), 1);
    }
}

#[test]
fn a_body_that_is_not_utf8_is_a_decode_error_naming_the_field() {
    // Latin-1 where UTF-8 belongs: valid JSON framing, an invalid string.
    let body: &[u8] = b"{\"id\":\"0xc4rd1d\",\"full_name\":\"Zo\xeb\"}";
    let server = RawServer::start(move |_, _| Reply::with(200, &[], body));
    let err = get(&client_for(&server.url(), quick(3))).expect_err("not UTF-8");
    assert_eq!(server.requests(), 1);
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.path, "full_name", "{err}");
            assert_eq!(d.body, body, "the raw bytes are kept");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[test]
fn wrong_field_types_and_empty_bodies_are_decode_errors() {
    let cases: [(&str, &str); 4] = [
        (r#"{"id":5}"#, "id"),
        (r#"{"id":"x","devices":{"a":1}}"#, "devices"),
        ("", "empty"),
        ("<html>captive portal</html>", "captive portal"),
    ];
    for (body, expect) in cases {
        let server = RawServer::start(move |_, _| Reply::json(200, body));
        let err = get(&client_for(&server.url(), quick(3))).expect_err(body);
        assert_eq!(server.requests(), 1);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains(expect), "{err}");
    }
}

#[test]
fn error_answer_without_json_keeps_status_and_snippet() {
    let long = "x".repeat(5000);
    let body = long.clone();
    let server = RawServer::start(move |_, _| Reply::with(404, &[], body.as_bytes()));
    let err = get(&client_for(&server.url(), quick(3))).expect_err("404");
    assert_eq!(server.requests(), 1);
    let api = err.api().expect("api error");
    assert_eq!(api.status, 404);
    assert!(api.message.len() < 300);
    assert_eq!(api.body.len(), 5000);
}

// ---- time and size bounds ----

/// `builder` aimed at `url`, with retries and the throttle off.
fn single_attempt(builder: accessgrid::ClientBuilder, url: &str) -> Client {
    finish(builder, url, RetryPolicy::none())
}

/// One GET that must fail with `Error::Timeout` naming `limit`; answers how long it took.
fn get_times_out(client: &Client, limit: Duration) -> Duration {
    let started = Instant::now();
    let err = get(client).expect_err("too slow");
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { limit: Some(l), .. } if l == limit),
        "{err:?}"
    );
    took
}

#[test]
fn slow_server_times_out_within_twenty_percent() {
    let server = RawServer::start(|_, _| {
        Reply::After(Duration::from_secs(3), Box::new(Reply::json(200, CARD)))
    });
    let limit = Duration::from_millis(500);
    // The read timeout (on by default) and the overall one (opt-in) both bound the wait.
    let builders = [
        Client::builder(ACCOUNT, SECRET).read_timeout(limit),
        Client::builder(ACCOUNT, SECRET)
            .read_timeout(None)
            .timeout(limit),
    ];
    for (i, builder) in builders.into_iter().enumerate() {
        let took = get_times_out(&single_attempt(builder, &server.url()), limit);
        assert!(took >= limit, "{took:?}");
        assert!(took <= limit.mul_f64(1.2), "{took:?}");
        assert_eq!(server.requests(), i + 1);
    }
}

#[test]
fn a_body_that_trickles_past_the_read_timeout_fails() {
    // Headers at once, then the body a few bytes at a time: each read succeeds, but reading
    // the whole body takes longer than the read timeout allows.
    // 64 pieces of 8 bytes, one every 50 ms: about 3 s in all.
    let body = format!(
        r#"{{"id":"0xc4rd1d","state":"active","metadata":{{"note":"{}"}}}}"#,
        "x".repeat(460)
    );
    let server = RawServer::start(move |_, _| Reply::Trickle {
        head: format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes(),
        body: body.clone().into_bytes(),
        every: Duration::from_millis(50),
    });
    let limit = Duration::from_millis(400);
    let client = single_attempt(
        Client::builder(ACCOUNT, SECRET).read_timeout(limit),
        &server.url(),
    );
    let took = get_times_out(&client, limit);
    assert!(took < limit.mul_f64(1.5), "{took:?}");
}

#[test]
fn slow_server_get_is_retried_and_post_is_not() {
    let server = RawServer::start(|_, _| {
        Reply::After(Duration::from_secs(3), Box::new(Reply::json(200, CARD)))
    });
    let client = finish(
        Client::builder(ACCOUNT, SECRET).read_timeout(Duration::from_millis(200)),
        &server.url(),
        quick(2),
    );
    let err = get(&client).expect_err("too slow");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.requests(), 3, "1 attempt + 2 retries");
    let err = issue(&client).expect_err("too slow");
    assert_eq!(server.requests(), 4, "the POST was sent once");
    assert!(matches!(unknown_source(err), Error::Timeout { .. }));
}

#[test]
fn a_callers_agent_still_gets_the_clients_timeouts() {
    let server = RawServer::start(|_, _| {
        Reply::After(Duration::from_secs(3), Box::new(Reply::json(200, CARD)))
    });
    // An agent with no timeouts at all.
    let agent = ureq::Agent::config_builder().build().new_agent();
    let limit = Duration::from_millis(300);
    let builder = Client::builder(ACCOUNT, SECRET)
        .agent(agent)
        .read_timeout(limit);
    let took = get_times_out(&single_attempt(builder, &server.url()), limit);
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(server.requests(), 1);
}

#[test]
fn huge_declared_body_is_refused_before_reading() {
    let server = RawServer::start(|_, _| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n{\"id\":"
                .to_vec(),
        )
    });
    let err = get(&client_for(&server.url(), quick(3))).expect_err("too large");
    assert!(
        matches!(err, Error::ResponseTooLarge { limit } if limit == 10 * 1024 * 1024),
        "{err:?}"
    );
    assert_eq!(server.requests(), 1, "an oversized answer is not retried");
}

#[test]
fn huge_streamed_body_stops_at_the_limit() {
    let server = RawServer::start(|_, _| Reply::Stream {
        status: 200,
        total: 8 * 1024 * 1024,
    });
    let client = finish(
        Client::builder(ACCOUNT, SECRET).max_response_bytes(1024 * 1024),
        &server.url(),
        quick(3),
    );
    let err = get(&client).expect_err("too large");
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1_048_576 }),
        "{err:?}"
    );
    assert_eq!(server.requests(), 1);
    // On a POST whose answer is oversized, the server may well have acted.
    let err = issue(&client).expect_err("too large");
    assert!(matches!(
        unknown_source(err),
        Error::ResponseTooLarge { .. }
    ));
    assert_eq!(server.requests(), 2);
}

#[test]
fn a_body_exactly_at_the_limit_is_accepted() {
    let server = RawServer::start(|_, _| Reply::json(200, CARD));
    let client = finish(
        Client::builder(ACCOUNT, SECRET).max_response_bytes(CARD.len() as u64),
        &server.url(),
        RetryPolicy::default(),
    );
    get(&client).expect("exactly at the limit");
}
