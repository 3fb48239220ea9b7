//! Throttling and concurrency: the rate and in-flight limits hold across threads and
//! clones, and many threads sharing one client get every answer right.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use accessgrid::models::IssueCardRequest;
use accessgrid::{Client, RetryPolicy, Throttle};
use base64::Engine as _;
use common::raw::{RawServer, Reply, Seen};
use hmac::{KeyInit, Mac};

const ACCOUNT: &str = "acct_throttle";
const SECRET: &str = "throttle_secret_value";

fn client(url: &str, throttle: Throttle) -> Client {
    Client::builder(ACCOUNT, SECRET)
        .base_url(url)
        .throttle(throttle)
        .retry(RetryPolicy::none())
        .build()
        .expect("a valid client")
}

fn echo_card(_: usize, seen: &Seen) -> Reply {
    let id = seen.path().rsplit('/').next().unwrap_or("");
    Reply::json(200, &format!(r#"{{"id":"{id}"}}"#))
}

#[test]
fn a_burst_is_spread_out_at_the_configured_rate() {
    const RATE: u32 = 5;
    const WINDOW: Duration = Duration::from_millis(200);
    const CALLS: usize = 16;
    let server = RawServer::start(echo_card);
    let client = client(
        &server.url(),
        Throttle::default().with_max_requests(RATE, WINDOW),
    );
    // Two threads on two clones: they share one limiter.
    let started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                for i in 0..CALLS / 2 {
                    let id = format!("t{t}-{i}");
                    let card = client.access_cards().get(&id).expect("answer");
                    assert_eq!(card.id, id.as_str());
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let took = started.elapsed();
    // 16 starts at 5 per 200 ms: bursts at 0, 200, 400 and 600 ms.
    let floor = WINDOW * ((CALLS as u32 - 1) / RATE);
    assert!(took >= floor, "{took:?} < {floor:?}");
    assert!(took < floor + Duration::from_millis(500), "{took:?}");
    assert_eq!(server.requests(), CALLS);
    // As the server saw it: no window of 200 ms held more than 5 arrivals, allowing 100 ms
    // for the time between a start and its arrival on a loaded machine (the first of six
    // arrivals held up by the scheduler, the sixth not). Without a throttle the six arrive
    // within a few milliseconds; the floor above holds the pacing itself.
    let mut at: Vec<Instant> = server.seen().iter().map(|s| s.at).collect();
    at.sort();
    for pair in at.windows(RATE as usize + 1) {
        let span = pair[RATE as usize].duration_since(pair[0]);
        assert!(span >= WINDOW - Duration::from_millis(100), "{span:?}");
    }
}

#[test]
fn without_a_throttle_calls_do_not_wait() {
    let server = RawServer::start(echo_card);
    let client = client(&server.url(), Throttle::off());
    let started = Instant::now();
    for i in 0..30 {
        client.access_cards().get(&format!("c{i}")).expect("answer");
    }
    // At the default 20 a second, 30 calls would take at least a second.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 30);
}

#[test]
fn eight_threads_never_have_more_than_five_in_flight() {
    let server = RawServer::start(|i, seen| {
        Reply::After(Duration::from_millis(20), Box::new(echo_card(i, seen)))
    });
    // The default in-flight limit (5); no rate limit, to keep the test short.
    let client = client(&server.url(), Throttle::default().no_rate_limit());
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    client
                        .access_cards()
                        .get(&format!("t{t}-{i}"))
                        .expect("answer");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    assert_eq!(server.requests(), 80);
    assert_eq!(
        server.max_concurrent(),
        5,
        "at most 5 at once, and the limit is actually used"
    );
}

/// HMAC-SHA256 over the base64 of the payload, hex (independent of the library's code).
fn signature(payload: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(payload);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
    mac.update(b64.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks the signature of a request and answers with what identifies it: the id in the
/// path of a GET, the full name in the body of a POST.
fn checking_echo(_: usize, seen: &Seen) -> Reply {
    let signed: Vec<u8> = if seen.method == "POST" {
        seen.body.clone()
    } else {
        let query = seen.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let raw = query
            .split('&')
            .find_map(|p| p.strip_prefix("sig_payload="))
            .unwrap_or("");
        percent_decode(raw)
    };
    if seen.header("x-payload-sig") != Some(signature(&signed).as_str())
        || seen.header("x-acct-id") != Some(ACCOUNT)
    {
        return Reply::json(401, r#"{"message":"bad signature"}"#);
    }
    if seen.method == "POST" {
        let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        let name = body["full_name"].as_str().unwrap_or("");
        Reply::json(200, &format!(r#"{{"id":"new","full_name":"{name}"}}"#))
    } else {
        echo_card(0, seen)
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
            out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn eight_threads_five_hundred_calls_each_every_answer_correct() {
    const THREADS: usize = 8;
    const CALLS: usize = 500;
    let server = RawServer::start(checking_echo);
    // The default in-flight limit under contention; no rate limit (4000 calls at 20 a
    // second would take minutes); default retries.
    let client = Client::builder(ACCOUNT, SECRET)
        .base_url(server.url())
        .throttle(Throttle::default().no_rate_limit())
        .build()
        .expect("client");
    let (done, finished) = mpsc::channel();
    for t in 0..THREADS {
        let client = client.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut wrong = Vec::new();
            for i in 0..CALLS {
                if i % 5 == 0 {
                    let name = format!("Zoë {t}-{i}");
                    match client.access_cards().issue(
                        IssueCardRequest::builder()
                            .card_template_id("0xt3mpl4t3")
                            .full_name(name.as_str())
                            .site_code("42"),
                    ) {
                        Ok(card) if card.full_name.as_deref() == Some(name.as_str()) => {}
                        other => wrong.push(format!("{name}: {other:?}")),
                    }
                } else {
                    let id = format!("c{t}-{i}");
                    match client.access_cards().get(&id) {
                        Ok(card) if card.id == id => {}
                        other => wrong.push(format!("{id}: {other:?}")),
                    }
                }
            }
            let _ = done.send(wrong);
        });
    }
    drop(done);
    let mut wrong = Vec::new();
    for _ in 0..THREADS {
        // A deadlock shows up as a thread that never reports.
        let report = finished
            .recv_timeout(Duration::from_secs(120))
            .expect("every thread finishes: no deadlock");
        wrong.extend(report);
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers, e.g. {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(3)]
    );
    assert_eq!(server.requests(), THREADS * CALLS, "no retries were needed");
    assert!(server.max_concurrent() <= 5);
}
