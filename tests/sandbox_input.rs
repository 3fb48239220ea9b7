//! Hostile client input to the sandbox: out-of-range dates and numbers are refused with a
//! 4xx JSON error and the sandbox keeps answering; the request log stays bounded however
//! many and however large the requests. Everything on 127.0.0.1, bounded in count and time.
#![cfg(feature = "sandbox")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use accessgrid::sandbox::{
    Sandbox, REQUEST_LOG_MAX_BYTES, REQUEST_LOG_MAX_ENTRIES, REQUEST_LOG_MAX_PATH,
};
use serde_json::Value;

const ACCOUNT: &str = "acct_input";
const SECRET: &str = "input_secret_value";

fn sandbox() -> Sandbox {
    Sandbox::builder()
        .account_id(ACCOUNT)
        .secret_key(SECRET)
        .start()
        .expect("sandbox starts")
}

fn agent() -> ureq::Agent {
    common::agent::agent(Duration::from_secs(5))
}

/// A signed, body-less GET of `path_and_query` (already encoded as the attacker wants it),
/// answered as (status, JSON body); `None` when no answer came.
fn signed_get(
    agent: &ureq::Agent,
    sandbox: &Sandbox,
    path_and_query: &str,
) -> Option<(u16, Value)> {
    let signature = common::sign_with(SECRET.as_bytes(), b"{}");
    let sep = if path_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!(
        "{}{path_and_query}{sep}sig_payload=%7B%7D",
        sandbox.base_url()
    );
    let mut answer = agent
        .get(&url)
        .header("X-ACCT-ID", ACCOUNT)
        .header("X-PAYLOAD-SIG", &signature)
        .call()
        .ok()?;
    let status = answer.status().as_u16();
    let body = answer.body_mut().read_to_string().ok()?;
    Some((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
}

/// The sandbox still answers a legitimate request, promptly.
fn assert_alive(sandbox: &Sandbox) {
    let started = Instant::now();
    let template = sandbox.template_id();
    sandbox
        .client()
        .console()
        .templates()
        .get(&template)
        .expect("a legitimate request is still answered");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A 4xx JSON refusal with a `message` and an `errors` entry for `field`.
fn assert_refused(answer: Option<(u16, Value)>, field: &str, what: &str) {
    let (status, body) = answer.unwrap_or_else(|| panic!("{what}: no answer at all"));
    assert_eq!(status, 422, "{what}: {body}");
    assert!(body["message"].is_string(), "{what}: {body}");
    assert!(body["errors"][field].is_array(), "{what}: {body}");
}

#[test]
fn out_of_range_dates_and_numbers_are_refused_and_the_sandbox_keeps_answering() {
    let sandbox = sandbox();
    let agent = agent();
    let template = sandbox.template_id();
    // More hostile requests than the sandbox has workers, on both endpoints that read dates.
    let hostile = [
        "99999999999999-01-01",
        "9223372036854775807-12-31",
        "-99999999999999-01-01",
        "2024-01-01T00:00:00%2B%C3%A9%C3%A9",
        "2024-01-01T00:00:00%2Ba%C3%A91",
        "2024-02-30",
        "2024-01-01T99:00:00Z",
    ];
    for date in hostile {
        for bound in ["start_date", "end_date"] {
            let ledger = signed_get(
                &agent,
                &sandbox,
                &format!("/v1/console/ledger-items?{bound}={date}"),
            );
            assert_refused(ledger, bound, &format!("ledger {bound}={date}"));
            let log = signed_get(
                &agent,
                &sandbox,
                &format!("/v1/console/card-templates/{template}/logs?filters%5B{bound}%5D={date}"),
            );
            assert_refused(
                log,
                &format!("filters.{bound}"),
                &format!("log {bound}={date}"),
            );
        }
    }
    assert_alive(&sandbox);
    // The last moment a date can name is still accepted.
    let (status, body) = signed_get(
        &agent,
        &sandbox,
        "/v1/console/ledger-items?start_date=2024-01-01&end_date=9999-12-31T23:59:59.999Z",
    )
    .expect("an answer");
    assert_eq!(status, 200, "{body}");

    // Numbers out of range: a 422, never an overflow.
    let huge = "99999999999999999999999999";
    for path in [
        format!("/v1/console/ledger-items?page={huge}"),
        format!("/v1/console/ledger-items?per_page={huge}"),
        format!("/v1/console/webhooks?page={huge}"),
        format!("/v1/console/card-template-pairs?per_page={huge}"),
        format!("/v1/console/card-templates/{template}/logs?page={huge}"),
        format!("/v1/key-cards?template_id={template}&page={huge}"),
        format!("/v1/console/card-templates?page={huge}"),
        "/v1/console/card-templates?per_page=-1".to_owned(),
    ] {
        let (status, body) =
            signed_get(&agent, &sandbox, &path).unwrap_or_else(|| panic!("{path}: no answer"));
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["message"].is_string(), "{path}: {body}");
    }
    // The largest page a u64 holds is a valid, empty page: no overflow computing its start.
    let (status, body) = signed_get(
        &agent,
        &sandbox,
        "/v1/console/card-templates?page=18446744073709551615&per_page=100",
    )
    .expect("an answer");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["card_templates"], Value::Array(Vec::new()), "{body}");
    assert_alive(&sandbox);
}

/// Sends `GET <path>` on a fresh connection and reads until the server closes or 2 s pass.
fn raw_get(sandbox: &Sandbox, path: &str) {
    let Ok(mut stream) = TcpStream::connect(sandbox.addr()) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut sink = Vec::new();
        let _ = stream.take(1 << 20).read_to_end(&mut sink);
    }
}

fn log_bytes(sandbox: &Sandbox) -> usize {
    sandbox
        .requests()
        .iter()
        .map(|r| r.method.len() + r.path.len())
        .sum()
}

#[test]
fn the_request_log_is_bounded_in_count_and_bytes_and_keeps_the_newest() {
    let sandbox = sandbox();
    let agent = agent();
    // Many small unauthenticated requests: only the newest REQUEST_LOG_MAX_ENTRIES stay.
    let count = REQUEST_LOG_MAX_ENTRIES + 50;
    for n in 0..count {
        let _ = agent
            .get(format!("{}/v1/key-cards/n{n}", sandbox.base_url()))
            .call();
    }
    let seen = sandbox.requests();
    assert_eq!(seen.len(), REQUEST_LOG_MAX_ENTRIES);
    assert_eq!(
        seen.last().map(|r| r.path.as_str()),
        Some(format!("/v1/key-cards/n{}", count - 1).as_str()),
        "the newest request is kept"
    );
    assert_eq!(
        seen.first().map(|r| r.path.as_str()),
        Some("/v1/key-cards/n50"),
        "the oldest ones went first"
    );
    assert!(log_bytes(&sandbox) <= REQUEST_LOG_MAX_BYTES);

    // Long paths: each is kept cut, and the whole log within its byte budget. (A server
    // layer that refuses such paths outright, 414, keeps even less.)
    let long = format!("/v1/key-cards/{}", "%C3%A9x".repeat(1_400)); // about 9.8 KB
    for _ in 0..150 {
        raw_get(&sandbox, &long);
    }
    for request in sandbox.requests() {
        assert!(
            request.path.len() <= REQUEST_LOG_MAX_PATH,
            "{} bytes",
            request.path.len()
        );
    }
    assert!(log_bytes(&sandbox) <= REQUEST_LOG_MAX_BYTES);
    assert!(sandbox.requests().len() <= REQUEST_LOG_MAX_ENTRIES);
    assert_alive(&sandbox);
}
