//! The servers this crate ships — the sandbox and the webhook receiver — attacked as a
//! stranger on loopback would: lies about the body's length, idle and half-sent
//! connections, oversized request lines, headers and bodies, wrong methods, HTTP/2, and
//! requests that make a handler fail. Each attack must be answered with a 4xx/5xx and a
//! JSON `{"message"}` body (or survived), and a legitimate request right after it must be
//! answered within a few seconds. Everything runs on 127.0.0.1, bounded in count and time.
//! The memory test has a file of its own (`abuse_memory.rs`).
#![cfg(any(feature = "sandbox", feature = "webhook-receiver"))]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::abuse::{exchange, Target, PROMPT};

/// One terabyte.
const TIB: u64 = 1 << 40;

#[test]
fn a_content_length_lie_is_refused_and_the_server_lives() {
    for target in Target::all() {
        let path = target.post_path();
        // Without credentials and with them: neither may make the server allocate or
        // wait for a terabyte.
        for auth in [String::new(), target.auth_headers()] {
            let request = format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {TIB}\r\n\r\n"
            );
            let started = Instant::now();
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: no answer to a 1 TiB claim", target.name()));
            assert!(
                started.elapsed() < PROMPT,
                "{}: the refusal took {:?}",
                target.name(),
                started.elapsed()
            );
            let expected = if auth.is_empty() && target.name() == "receiver" {
                401 // the receiver checks the token before it looks at the body
            } else {
                413
            };
            assert_eq!(answer.status, expected, "{}: {answer:?}", target.name());
            assert!(!answer.message().is_empty());
            target.assert_serves("a 1 TiB Content-Length");
        }
    }
}

#[test]
fn idle_and_half_sent_connections_do_not_hold_up_others() {
    for target in Target::all() {
        let path = target.post_path();
        let auth = target.auth_headers();
        // Far more than the old sandbox's 4 workers (and the old receiver's one loop).
        let mut held = Vec::new();
        for n in 0..24 {
            let mut stream = TcpStream::connect(target.addr()).expect("connect");
            let partial = match n / 8 {
                // A whole head announcing a body that never comes (this froze the old
                // sandbox's workers, one each).
                0 => format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 5000\r\n\r\n{{"
                ),
                // Half a head.
                1 => format!("POST {path} HTTP/1.1\r\nHost: x\r\n"),
                // Connected, silent.
                _ => String::new(),
            };
            stream.write_all(partial.as_bytes()).expect("write");
            held.push(stream);
        }
        // Let the server take them all in.
        std::thread::sleep(Duration::from_millis(500));
        for _ in 0..3 {
            target.assert_serves("24 idle or half-sent connections");
        }
        drop(held);
        target.assert_serves("the held connections were closed");
    }
}

#[cfg(feature = "webhook-receiver")]
#[test]
fn a_request_that_never_finishes_is_answered_408_after_the_read_timeout() {
    let target = Target::receiver(Duration::from_secs(1), 64);
    let mut stream = TcpStream::connect(target.addr()).expect("connect");
    let started = Instant::now();
    stream
        .write_all(format!("POST {} HTTP/1.1\r\nHost: x\r\n", common::abuse::HOOK_PATH).as_bytes())
        .expect("write");
    let answer = common::abuse::read_answer(stream, common::abuse::PATIENCE)
        .expect("an answer before the connection closes");
    let took = started.elapsed();
    assert_eq!(answer.status, 408, "{answer:?}");
    assert!(answer.message().contains("did not arrive within 1000 ms"));
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    target.assert_serves("a timed-out request");
}

#[cfg(feature = "webhook-receiver")]
#[test]
fn connections_past_the_cap_are_answered_503_at_once() {
    let target = Target::receiver(Duration::from_secs(10), 4);
    let held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(target.addr()).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: x\r\n\r\n",
        common::abuse::HOOK_PATH
    );
    let answer = exchange(target.addr(), request.as_bytes()).expect("an answer");
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.header("Retry-After"), Some("1"));
    assert!(answer.message().contains("busy"));
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(held);
    // The freed connections are counted back once their threads see the close.
    let deadline = Instant::now() + PROMPT;
    while target.legit().is_err() {
        assert!(Instant::now() < deadline, "the slots were never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_oversized_request_line_is_414() {
    for target in Target::all() {
        for size in [9 * 1024, 1024 * 1024] {
            let request = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(size));
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: no answer to a {size}-byte path", target.name()));
            assert_eq!(answer.status, 414, "{}: {answer:?}", target.name());
            assert!(answer
                .message()
                .contains("request line is longer than 8192 bytes"));
            target.assert_serves("an oversized request line");
        }
    }
}

#[test]
fn oversized_headers_are_431() {
    for target in Target::all() {
        let one_huge = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "b".repeat(1024 * 1024)
        );
        let many: String = (0..100).map(|n| format!("X-H{n}: v\r\n")).collect();
        let too_many = format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n");
        for (what, request) in [("a 1 MiB header", one_huge), ("100 headers", too_many)] {
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: no answer to {what}", target.name()));
            assert_eq!(answer.status, 431, "{}: {what}: {answer:?}", target.name());
            assert!(!answer.message().is_empty());
            target.assert_serves(what);
        }
    }
}

#[test]
fn an_oversized_body_is_413_without_being_read() {
    for target in Target::all() {
        // The sandbox takes bodies up to 10 MiB (employee photos), the receiver 1 MiB.
        let limit: usize = if target.name() == "sandbox" {
            10 << 20
        } else {
            1 << 20
        };
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\n{}Content-Length: {}\r\n\r\n",
            target.post_path(),
            target.auth_headers(),
            limit + 1
        );
        // The refusal comes from the declared length alone, before any of the body is
        // sent; and when the body is sent whole, it comes all the same.
        let whole = [head.as_bytes(), &vec![b'x'; limit + 1]].concat();
        for (what, request) in [
            ("the head alone", head.as_bytes()),
            ("the whole body", &whole),
        ] {
            let started = Instant::now();
            let answer = exchange(target.addr(), request).unwrap_or_else(|| {
                panic!(
                    "{}: no answer to {what} of an oversized body",
                    target.name()
                )
            });
            assert!(started.elapsed() < PROMPT, "{}: {what}", target.name());
            assert_eq!(answer.status, 413, "{}: {what}: {answer:?}", target.name());
            assert_eq!(
                answer.message(),
                format!("the body is larger than {limit} bytes")
            );
        }
        target.assert_serves("an oversized body");
    }
}

#[test]
fn wrong_methods_are_405_with_allow_and_unknown_paths_404() {
    for target in Target::all() {
        let cases: Vec<(String, u16, Option<&str>)> = match &target {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(sb) => {
                let sig = common::sign_with(sb.secret_key().expose(), b"x");
                let signed = |line: &str| {
                    format!(
                        "{line} HTTP/1.1\r\nHost: x\r\nX-ACCT-ID: {}\r\nX-PAYLOAD-SIG: {sig}\r\nConnection: close\r\n\r\n",
                        sb.account_id()
                    )
                };
                vec![
                    (
                        signed("DELETE /v1/key-cards?sig_payload=x"),
                        405,
                        Some("POST, GET"),
                    ),
                    (
                        signed("POST /v1/key-cards/0xabc?sig_payload=x"),
                        405,
                        Some("GET, PATCH"),
                    ),
                    (
                        signed("GET /v1/key-cards/0xabc/suspend?sig_payload=x"),
                        405,
                        Some("POST"),
                    ),
                    (
                        signed("PATCH /v1/console/card-templates/t1?sig_payload=x"),
                        405,
                        Some("GET, PUT, DELETE"),
                    ),
                    (
                        signed("GET /v1/console/webhooks/w1/verify?sig_payload=x"),
                        405,
                        Some("POST"),
                    ),
                    // The wallet's install page needs no credentials.
                    (
                        "PUT /install/0xabc HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
                        405,
                        Some("GET, POST"),
                    ),
                    // Nor does the dashboard (at the root) or its buttons.
                    (
                        "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
                        405,
                        Some("GET"),
                    ),
                    (
                        "GET /dashboard/deliveries/replay HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
                        405,
                        Some("POST"),
                    ),
                    (signed("GET /v1/nothing-here?sig_payload=x"), 404, None),
                ]
            }
            #[cfg(feature = "webhook-receiver")]
            Target::Receiver { .. } => {
                let path = common::abuse::HOOK_PATH;
                vec![
                    (
                        format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"),
                        405,
                        Some("POST"),
                    ),
                    (
                        format!("PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}"),
                        405,
                        Some("POST"),
                    ),
                    (
                        "POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                            .to_owned(),
                        404,
                        None,
                    ),
                ]
            }
        };
        for (request, status, allow) in cases {
            let line = request.lines().next().unwrap_or_default().to_owned();
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: no answer to {line}", target.name()));
            assert_eq!(
                answer.status,
                status,
                "{}: {line}: {answer:?}",
                target.name()
            );
            assert_eq!(answer.header("Allow"), allow, "{}: {line}", target.name());
            assert!(!answer.message().is_empty());
        }
        target.assert_serves("wrong methods");
    }
}

#[test]
fn an_http2_request_is_answered() {
    for target in Target::all() {
        for request in [
            "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
            // The HTTP/2 connection preface, as a client with prior knowledge sends it.
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ] {
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: no answer to {request:?}", target.name()));
            assert_eq!(answer.status, 505, "{}: {answer:?}", target.name());
            assert_eq!(answer.message(), "only HTTP/1.0 and HTTP/1.1 are served");
        }
        // Garbage is a 400, with JSON too.
        let answer = exchange(
            target.addr(),
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
        )
        .unwrap_or_else(|| panic!("{}: no answer to a TLS hello", target.name()));
        assert_eq!(answer.status, 400, "{}: {answer:?}", target.name());
        assert!(answer.message().starts_with("malformed request head"));
        target.assert_serves("HTTP/2 and garbage");
    }
}

#[test]
fn a_failing_handler_never_silences_the_server() {
    for target in Target::all() {
        // More failures than the old sandbox had workers.
        for n in 0..8 {
            let (request, expected) = match &target {
                // A date far out of range (an overflow in the sandbox's date parser once
                // panicked a worker): refused as invalid, or at worst answered 500.
                #[cfg(feature = "sandbox")]
                Target::Sandbox(sb) => {
                    let sig = common::sign_with(sb.secret_key().expose(), b"x");
                    let path = if n % 2 == 0 {
                        "/v1/console/ledger-items?start_date=99999999999999-01-01&sig_payload=x"
                    } else {
                        "/v1/console/card-templates/t/logs?start_date=99999999999999-01-01&sig_payload=x"
                    };
                    (
                        format!(
                            "GET {path} HTTP/1.1\r\nHost: x\r\nX-ACCT-ID: {}\r\nX-PAYLOAD-SIG: {sig}\r\nConnection: close\r\n\r\n",
                            sb.account_id()
                        ),
                        [400, 404, 422, 500],
                    )
                }
                // The handler panics on these ids: 500, so that AccessGrid delivers again.
                #[cfg(feature = "webhook-receiver")]
                Target::Receiver { .. } => {
                    let body = common::abuse::event_body(&format!("evt_panic_{n}"));
                    (
                        format!(
                            "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n{body}",
                            common::abuse::HOOK_PATH,
                            common::abuse::TOKEN,
                            body.len()
                        ),
                        [500, 500, 500, 500],
                    )
                }
            };
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: request {n} got no answer", target.name()));
            assert!(
                expected.contains(&answer.status),
                "{}: request {n}: {answer:?}",
                target.name()
            );
            assert!(!answer.message().is_empty());
        }
        target.assert_serves("8 requests whose handling failed");
    }
}

#[cfg(feature = "webhook-receiver")]
#[allow(irrefutable_let_patterns)]
#[test]
fn a_panicked_event_is_forgotten_and_handled_when_delivered_again() {
    let target = Target::receiver(Duration::from_secs(10), 64);
    let Target::Receiver { handled, .. } = &target else {
        unreachable!("a receiver")
    };
    let post = |id: &str| {
        let body = common::abuse::event_body(id);
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n{body}",
            common::abuse::HOOK_PATH,
            common::abuse::TOKEN,
            body.len()
        );
        exchange(target.addr(), request.as_bytes()).expect("an answer")
    };
    let first = post("evt_panic_once");
    assert_eq!(first.status, 500);
    assert_eq!(first.message(), "the event was not handled; deliver again");
    // The id was forgotten: a redelivery reaches the handler again (and panics again),
    // rather than being acknowledged as a duplicate.
    assert_eq!(post("evt_panic_once").status, 500);
    // A normal event is handled once; its redelivery is acknowledged, not handled again.
    assert_eq!(post("evt_ok").status, 200);
    assert_eq!(post("evt_ok").body, br#"{"received": true}"#);
    let seen = handled.lock().expect("lock").clone();
    assert_eq!(seen, ["evt_ok"]);
}

#[test]
fn random_bytes_get_a_json_error_answer_and_never_take_a_server_down() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    for target in Target::all() {
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            ..Config::default()
        });
        let prefixes = prop_oneof![
            Just(String::new()),
            Just(format!("POST {} HTTP/1.1\r\n", target.post_path())),
            Just("GET / HTTP/1.1\r\nContent-Length: ".to_owned()),
        ];
        let requests = (prefixes, proptest::collection::vec(any::<u8>(), 0..2048));
        let addr = target.addr();
        let outcome = runner.run(&requests, |(prefix, bytes)| {
            let request = [prefix.as_bytes(), &bytes].concat();
            let answer = common::abuse::exchange_and_close(addr, &request);
            let shown = String::from_utf8_lossy(&request[..request.len().min(60)]).into_owned();
            // Only an empty request may go unanswered.
            let Some(answer) = answer else {
                prop_assert!(request.is_empty(), "no answer to {shown:?}...");
                return Ok(());
            };
            prop_assert!(
                (400..600).contains(&answer.status),
                "{shown:?}...: {answer:?}"
            );
            prop_assert!(!answer.message().is_empty());
            Ok(())
        });
        if let Err(e) = outcome {
            panic!("{}: {e}", target.name());
        }
        target.assert_serves("random bytes");
    }
}
