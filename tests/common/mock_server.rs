//! A client pointed at a local mockito server, and mocks that accept only the exact
//! request (method, path, every query parameter, headers, a recomputed signature, and the
//! exact body bytes). A mismatch is recorded so the test can say why.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use hmac::{KeyInit, Mac};

pub const ACCOUNT: &str = "acct_test_123";
pub const SECRET: &str = "test_secret";

/// The User-Agent every request must carry.
pub fn user_agent() -> String {
    format!("accessgrid-rs/{}", env!("CARGO_PKG_VERSION"))
}

/// A client for the mock server.
pub fn client(server: &mockito::ServerGuard) -> accessgrid::Client {
    accessgrid::Client::builder(ACCOUNT, SECRET)
        .base_url(server.url())
        // The default retries, with millisecond waits: a 5xx answer is retried as in
        // production without slowing the suite down.
        .retry(
            accessgrid::RetryPolicy::default()
                .with_initial_backoff(std::time::Duration::from_millis(1))
                .with_max_backoff(std::time::Duration::from_millis(10)),
        )
        .build()
        .expect("a valid test client")
}

/// HMAC-SHA256 over the base64 of the payload, hex: recomputed here independently of the
/// library's own signing code.
pub fn signature(payload: &[u8]) -> String {
    sign_with(SECRET.as_bytes(), payload)
}

/// [`signature`] under any secret key.
pub fn sign_with(secret: &[u8], payload: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(payload);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key");
    mac.update(b64.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Decodes a percent-encoded query string into its pairs, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
                    out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                    i += 3;
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).expect("utf-8 query")
    }
    if query.is_empty() {
        return Vec::new();
    }
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The exact request a mock accepts.
#[derive(Clone, Debug)]
pub struct Expected {
    pub method: &'static str,
    pub path: String,
    /// Every query parameter, in order, decoded; `sig_payload` included where expected.
    pub query: Vec<(String, String)>,
    /// The exact body; `None` for a request that must carry no body.
    pub body: Option<String>,
}

impl Expected {
    /// A body-less request signed over `sig_payload`, with these other query parameters first.
    pub fn bodyless(
        method: &'static str,
        path: impl Into<String>,
        params: &[(&str, &str)],
        sig_payload: &str,
    ) -> Self {
        let mut query: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        query.push(("sig_payload".into(), sig_payload.into()));
        Expected {
            method,
            path: path.into(),
            query,
            body: None,
        }
    }

    /// A request with this exact JSON body and no query.
    pub fn json(method: &'static str, path: impl Into<String>, body: &str) -> Self {
        Expected {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Some(body.into()),
        }
    }
}

/// Records why requests did not match, to print when a mock was not hit.
#[derive(Clone, Default)]
pub struct Mismatches(Arc<Mutex<Vec<String>>>);

impl Mismatches {
    pub fn report(&self) -> String {
        self.0.lock().map(|v| v.join("\n")).unwrap_or_default()
    }
}

/// Checks one request against `expected`: every mismatch, or none.
pub fn check(expected: &Expected, req: &mockito::Request) -> Vec<String> {
    let mut problems = Vec::new();
    if req.method() != expected.method {
        problems.push(format!("method {} != {}", req.method(), expected.method));
    }
    if req.path() != expected.path {
        problems.push(format!("path {} != {}", req.path(), expected.path));
    }
    let query = req
        .path_and_query()
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("");
    let pairs = query_pairs(query);
    if pairs != expected.query {
        problems.push(format!("query {pairs:?} != {:?}", expected.query));
    }
    let header = |name: &str| {
        req.header(name)
            .first()
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    if header("x-acct-id") != ACCOUNT {
        problems.push(format!("X-ACCT-ID {:?}", header("x-acct-id")));
    }
    if header("content-type") != "application/json" {
        problems.push(format!("Content-Type {:?}", header("content-type")));
    }
    if header("user-agent") != user_agent() {
        problems.push(format!("User-Agent {:?}", header("user-agent")));
    }
    let body = req.body().cloned().unwrap_or_default();
    let signed: Vec<u8> = match &expected.body {
        Some(exact) => {
            if body != exact.as_bytes() {
                problems.push(format!(
                    "body {:?} != {exact:?}",
                    String::from_utf8_lossy(&body)
                ));
            }
            body.clone()
        }
        None => {
            if !body.is_empty() {
                problems.push(format!(
                    "a body was sent: {:?}",
                    String::from_utf8_lossy(&body)
                ));
            }
            pairs
                .iter()
                .find(|(k, _)| k == "sig_payload")
                .map(|(_, v)| v.as_bytes().to_vec())
                .unwrap_or_default()
        }
    };
    if header("x-payload-sig") != signature(&signed) {
        problems.push(format!(
            "X-PAYLOAD-SIG {:?} is not the signature of {:?}",
            header("x-payload-sig"),
            String::from_utf8_lossy(&signed)
        ));
    }
    problems
}

/// A mock that answers `status` with `answer` to exactly one request equal to `expected`.
pub fn mock(
    server: &mut mockito::ServerGuard,
    expected: Expected,
    status: usize,
    answer: &str,
) -> (mockito::Mock, Mismatches) {
    let mismatches = Mismatches::default();
    let log = mismatches.clone();
    let mock = server
        .mock(expected.method, mockito::Matcher::Any)
        .match_request(move |req| {
            let problems = check(&expected, req);
            if let Ok(mut v) = log.0.lock() {
                v.extend(problems.iter().cloned());
            }
            problems.is_empty()
        })
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(answer)
        .expect(1)
        .create();
    (mock, mismatches)
}

/// Asserts the mock saw exactly its one request, printing the mismatches otherwise.
pub fn assert_hit(mock: &mockito::Mock, mismatches: &Mismatches) {
    assert!(
        mock.matched(),
        "the exact request was not received:\n{}",
        mismatches.report()
    );
    mock.assert();
}

/// Mocks that match any request of any method and expect none.
pub struct NothingSent(Vec<mockito::Mock>);

/// Installs the sentinel. Mocks made before it keep priority while they still expect hits;
/// any request beyond them lands here and fails [`NothingSent::assert`].
pub fn nothing_sent(server: &mut mockito::ServerGuard) -> NothingSent {
    NothingSent(
        ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .map(|method| {
                server
                    .mock(method, mockito::Matcher::Any)
                    .with_status(599)
                    .expect(0)
                    .create()
            })
            .collect(),
    )
}

impl NothingSent {
    /// Asserts that no request reached the sentinel.
    pub fn assert(&self) {
        for mock in &self.0 {
            assert!(
                mock.matched(),
                "a request was sent that should not have been"
            );
            mock.assert();
        }
    }
}

/// Unwraps an `InvalidInput` error into its field, failing on anything else.
pub fn invalid_field<T: std::fmt::Debug>(result: Result<T, accessgrid::Error>) -> String {
    match result {
        Err(accessgrid::Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
