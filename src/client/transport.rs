//! One request on the wire: build, sign, send, read (bounded), decode.
//!
//! Every endpoint of every resource goes through [`Call`]:
//!
//! ```text
//! client.call(Method::POST, "/v1/key-cards").json(&request)?.send::<AccessCard>()
//! ```
//!
//! [`Call::send`] signs once, then makes up to `1 + max_retries` attempts (see
//! [`crate::client::retry`] for which failures are retried), each through the client's
//! [throttle](crate::client::throttle), each sending the same signed bytes. Log lines (through
//! the `log` facade, target `accessgrid::transport`) name the method, the path without
//! its query, the status or failure, the attempt and the time taken: never a header, a
//! body, the query, the secret key or a signature.

use std::borrow::Cow;
use std::time::Instant;

use serde::de::DeserializeOwned;
use serde::Serialize;
use ureq::http::{self, Method};

use crate::client::connector::unmark;
use crate::client::retry::{self, Action, Fault};
use crate::client::signing;
use crate::client::{Client, Timeouts};
use crate::error::{DecodeError, Error};

/// A request being put together; consumed by [`Call::send`].
#[must_use]
pub(crate) struct Call<'c> {
    client: &'c Client,
    method: Method,
    path: Cow<'static, str>,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    sig_payload: Option<String>,
}

impl Client {
    /// Starts a request to `path` (which begins with `/`).
    pub(crate) fn call(&self, method: Method, path: impl Into<Cow<'static, str>>) -> Call<'_> {
        Call {
            client: self,
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            sig_payload: None,
        }
    }
}

impl<'c> Call<'c> {
    /// Adds the fields of `query` as query parameters; nested objects become Rails bracket
    /// parameters (`filters[device]=watch`), arrays `key[]=a&key[]=b`, `null`s are left out.
    pub(crate) fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Result<Self, Error> {
        let value = serde_json::to_value(query)
            .map_err(|e| Error::invalid("query", format!("cannot be encoded: {e}")))?;
        flatten_query(&mut self.query, String::new(), &value);
        Ok(self)
    }

    /// Sends `body` as JSON. It is serialized once; the same bytes are signed and sent.
    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        // Room for a typical request at once, instead of growing from serde_json's 128 bytes.
        let mut bytes = Vec::with_capacity(1024);
        serde_json::to_writer(&mut bytes, body)
            .map_err(|e| Error::invalid("body", format!("cannot be encoded: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// For a body-less request about one resource: signs `{"id":"<id>"}` as `sig_payload`.
    pub(crate) fn about(mut self, id: &str) -> Self {
        self.sig_payload = Some(signing::resource_payload(id));
        self
    }

    /// Sends the request and decodes a 2xx answer as `T` (an empty body decodes as JSON
    /// `null`, so `()` accepts it and structs refuse it).
    pub(crate) fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        let (status, body) = self.exchange()?;
        decode(status, &body)
    }

    /// Sends the request and answers the 2xx status and raw body, for an answer that needs
    /// a look before it is decoded.
    pub(crate) fn send_raw(self) -> Result<(u16, Vec<u8>), Error> {
        self.exchange()
    }

    /// Sends the request, retrying as the client's [`RetryPolicy`](crate::RetryPolicy)
    /// allows; answers the 2xx status and raw body.
    fn exchange(self) -> Result<(u16, Vec<u8>), Error> {
        let inner = &self.client.inner;
        let mut url = String::with_capacity(inner.base_url.len() + self.path.len() + 64);
        url.push_str(&inner.base_url);
        url.push_str(&self.path);

        let mut query = self.query;
        let (payload, body) = match self.body {
            Some(body) => (None, body),
            None => {
                let payload = self
                    .sig_payload
                    .unwrap_or_else(|| signing::EMPTY_PAYLOAD.to_owned());
                (Some(payload), Vec::new())
            }
        };
        let mut signature = [0u8; 64];
        match &payload {
            Some(p) => inner.signer.sign_hex(p.as_bytes(), &mut signature),
            None => inner.signer.sign_hex(&body, &mut signature),
        }
        if let Some(p) = payload {
            query.push(("sig_payload".to_owned(), p));
        }
        append_query(&mut url, &query);

        // Signed once; every attempt sends this same buffer with this same signature.
        let uri: http::Uri = url
            .try_into()
            .map_err(|e| Error::invalid("path", format!("does not make a valid URL: {e}")))?;
        let signature = http::HeaderValue::from_bytes(&signature)
            .map_err(|_| Error::invalid("signature", "is not a valid header value"))?;
        let prepared = Prepared {
            method: self.method,
            path: self.path,
            uri,
            signature,
            body,
        };
        let idempotent = retry::is_idempotent(&prepared.method);
        let policy = &inner.retry;
        let first_started = Instant::now();
        let mut retries = 0u32;
        loop {
            let attempt = retries + 1;
            let permit = inner.limiter.acquire();
            let started = Instant::now();
            let result = prepared.attempt(self.client);
            drop(permit);
            let elapsed = started.elapsed();

            let (fault, error, asked, request_id) = match result {
                Ok(answer) if (200..300).contains(&answer.status) => {
                    log::debug!(
                        "{} {} -> {} (attempt {attempt}, {elapsed:?})",
                        prepared.method,
                        prepared.path,
                        answer.status,
                    );
                    return Ok((answer.status, answer.body));
                }
                Ok(answer) => {
                    log::debug!(
                        "{} {} -> {} (attempt {attempt}, {elapsed:?})",
                        prepared.method,
                        prepared.path,
                        answer.status,
                    );
                    // A wait the server asked for, on the answers that may carry one.
                    let asked = match answer.status {
                        429 | 503 => answer
                            .retry_after
                            .as_deref()
                            .and_then(retry::retry_after_delay),
                        _ => None,
                    };
                    let request_id = answer.request_id;
                    let error = Error::from_answer(
                        answer.status,
                        answer.retry_after,
                        request_id.clone(),
                        answer.body,
                    );
                    (Fault::Status(answer.status), error, asked, request_id)
                }
                Err(failure) => {
                    log::debug!(
                        "{} {} failed: {} (attempt {attempt}, {elapsed:?})",
                        prepared.method,
                        prepared.path,
                        failure.summary(),
                    );
                    (failure.fault, failure.error, None, failure.request_id)
                }
            };

            match retry::action(idempotent, fault) {
                Action::Fail => return Err(prepared.finish(error, attempt)),
                Action::FailUnknown => {
                    // The id from the head, else from an error body.
                    let request_id = request_id.or_else(|| error.request_id().map(str::to_owned));
                    return Err(Error::OutcomeUnknown {
                        source: Box::new(prepared.finish(error, attempt)),
                        request_id,
                    });
                }
                Action::Retry => {
                    let Some(wait) = policy.next_wait(retries, first_started.elapsed(), asked)
                    else {
                        return Err(prepared.finish(error, attempt));
                    };
                    log::info!(
                        "{} {}: retrying in {wait:?} after {} (attempt {attempt} of {})",
                        prepared.method,
                        prepared.path,
                        fault_summary(fault),
                        policy.max_retries().saturating_add(1),
                    );
                    std::thread::sleep(wait);
                    retries += 1;
                }
            }
        }
    }
}

/// A signed request, ready to be sent as many times as the retry policy allows.
struct Prepared {
    method: Method,
    /// For log lines: the path without the query (which may hold personal data).
    path: Cow<'static, str>,
    uri: http::Uri,
    signature: http::HeaderValue,
    body: Vec<u8>,
}

/// An answer whose body was read in full (within the size limit).
struct Answer {
    status: u16,
    retry_after: Option<String>,
    /// `X-Request-ID`, read only from answers outside 2xx.
    request_id: Option<String>,
    body: Vec<u8>,
}

/// An attempt that got no complete answer.
struct Failure {
    fault: Fault,
    error: Error,
    /// `X-Request-ID` of an answer whose head arrived before the exchange broke.
    request_id: Option<String>,
}

impl Failure {
    /// A short, body-free description for log lines.
    fn summary(&self) -> String {
        match &self.error {
            Error::Timeout { .. } => "timeout".to_owned(),
            Error::ResponseTooLarge { limit } => format!("answer over {limit} bytes"),
            // Not every `ureq` error's text: a bad or refused URL would name the query.
            Error::Transport(e) => match e.source.as_ref() {
                ureq::Error::Io(io) => format!("I/O error: {io}"),
                ureq::Error::Protocol(p) => format!("HTTP error: {p}"),
                ureq::Error::HostNotFound => "host not found".to_owned(),
                _ => fault_summary(self.fault),
            },
            _ => fault_summary(self.fault),
        }
    }
}

fn fault_summary(fault: Fault) -> String {
    match fault {
        Fault::Status(status) => format!("status {status}"),
        Fault::Unsent => "no connection".to_owned(),
        Fault::UnsentPermanent => "a setup error".to_owned(),
        Fault::Interrupted => "an interrupted exchange".to_owned(),
        Fault::Broken => "a failed exchange".to_owned(),
    }
}

impl Prepared {
    /// The error to return after `attempts` attempts: a timeout or transport error names
    /// the server and the attempts. (Built only on failure: nothing on the way of a call
    /// that succeeds.)
    fn finish(&self, mut error: Error, attempts: u32) -> Error {
        match &mut error {
            Error::Timeout {
                host, attempts: n, ..
            } => {
                *host = host_and_port(&self.uri);
                *n = attempts;
            }
            Error::Transport(e) => {
                e.host = host_and_port(&self.uri);
                e.attempts = attempts;
            }
            _ => {}
        }
        error
    }

    /// One attempt: send, read the status and the whole body (bounded).
    fn attempt(&self, client: &Client) -> Result<Answer, Failure> {
        let inner = &client.inner;
        // Every part was parsed and checked once (the URI and signature per call, the
        // account id and user agent per client): an attempt only assembles them.
        let mut request = http::Request::new(&self.body[..]);
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        // The client's header template, with this request's signature in its slot.
        let headers = request.headers_mut();
        *headers = inner.fixed_headers.template.clone();
        headers.insert(crate::client::X_PAYLOAD_SIG, self.signature.clone());
        let request = if inner.foreign_agent {
            // A caller's agent: our timeouts and answer handling still apply, per request.
            crate::client::with_timeouts!(inner.agent.configure_request(request), inner.timeouts)
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
        } else {
            request
        };

        let fail = |e: ureq::Error| {
            let (e, before_sending) = unmark(e);
            let fault = if before_sending {
                retry::classify_before_sending(&e)
            } else {
                retry::classify(&e)
            };
            Failure {
                fault,
                error: map_ureq(e, fault, &inner.timeouts),
                request_id: None,
            }
        };
        // A GET or DELETE without a body goes out with no framing headers at all (RFC 9110
        // 8.6: no `Content-Length: 0` where the method gives content no meaning); a body-less
        // POST action keeps its `Content-Length: 0`.
        let bodyless = request.body().is_empty()
            && matches!(
                *request.method(),
                Method::GET | Method::DELETE | Method::HEAD
            );
        let sent = if bodyless {
            inner.agent.run(request.map(|_| ()))
        } else {
            inner.agent.run(request)
        };
        let mut response = sent.map_err(fail)?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // A declared length over the limit fails before anything is read.
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let encoded = headers.contains_key(http::header::CONTENT_ENCODING);
        // Only an error answer's id is kept: a 2xx pays nothing for it.
        let request_id = if (200..300).contains(&status) {
            None
        } else {
            request_id(headers)
        };
        if !encoded && declared.is_some_and(|len| len > inner.max_response_bytes) {
            let mut failure = too_large(status, inner.max_response_bytes);
            failure.request_id = request_id.or_else(|| self::request_id(headers));
            return Err(failure);
        }
        // Sized from the declared length (up to 64 KiB), the buffer takes the body in one
        // read instead of growing through a series of reads and copies; an undeclared or
        // larger body grows from there, up to the limit.
        let mut body = Vec::with_capacity(match declared {
            Some(len) if !encoded => usize::try_from(len).map_or(PRESIZE_CAP, |n| {
                n.saturating_add(READ_SLACK).min(PRESIZE_CAP)
            }),
            _ => 0,
        });
        let read = std::io::Read::read_to_end(
            &mut response
                .body_mut()
                .with_config()
                .limit(inner.max_response_bytes)
                .reader(),
            &mut body,
        );
        if let Err(e) = read {
            let mut failure = match ureq::Error::from(e) {
                ureq::Error::BodyExceedsLimit(_) => too_large(status, inner.max_response_bytes),
                other => fail(other),
            };
            // The head arrived: its id tells support which request this was.
            failure.request_id = self::request_id(response.headers());
            return Err(failure);
        }
        Ok(Answer {
            status,
            retry_after,
            request_id,
            body,
        })
    }
}

/// The most an answer's buffer is sized to before its bytes arrive.
const PRESIZE_CAP: usize = 64 * 1024;
/// Room past the declared length, so the read that finds the end needs no growth first.
const READ_SLACK: usize = 64;

/// An oversized answer: a refusal (4xx) stays one, anything else may have been acted on.
fn too_large(status: u16, limit: u64) -> Failure {
    Failure {
        fault: if (400..500).contains(&status) && status != 429 {
            Fault::Status(status)
        } else {
            Fault::Broken
        },
        error: Error::ResponseTooLarge { limit },
        request_id: None,
    }
}

/// The `X-Request-ID` of an answer, if it is text.
fn request_id(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `host:port` of a request's URI (the scheme's port when none is written).
fn host_and_port(uri: &http::Uri) -> String {
    let host = uri.host().unwrap_or("(no host)");
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    format!("{host}:{port}")
}

// ---------------------------------------------------------------- before sending

/// Decodes an answer body; the error keeps the bytes and the path of the failing field.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    // A good answer is decoded once, by serde_json alone. Tracking the path costs a copy of
    // every key read (about 80% more time for a card), so only an answer that fails is
    // read a second time, with tracking, to name the failing field. The body is checked as
    // UTF-8 in one pass first: decoding from `&str` then skips the check per string (about
    // a fifth of the time for a card). Bytes that are not UTF-8 take the slow path, which
    // names where they are.
    if let Ok(json) = std::str::from_utf8(text) {
        if let Ok(value) = serde_json::from_str(json) {
            return Ok(value);
        }
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let fail = |path: String, message: String| {
        Error::Decode(DecodeError {
            status,
            path,
            message,
            body: body.to_vec(),
        })
    };
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // serde_path_to_error says `.` for the top and `?` where it lost track.
        let path = match e.path().to_string() {
            p if p == "." || p == "?" => String::new(),
            p => p,
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            fail(path, "the body is empty where JSON was expected".to_owned())
        } else {
            fail(path, e.into_inner().to_string())
        }
    })?;
    de.end().map_err(|e| fail(String::new(), e.to_string()))?;
    Ok(value)
}

/// The crate's error for a `ureq` failure; a timeout names the limit that fired. The host
/// and the number of attempts are filled in when the call ends ([`Prepared::finish`]).
fn map_ureq(e: ureq::Error, fault: Fault, timeouts: &Timeouts) -> Error {
    use ureq::Timeout as T;
    match e {
        ureq::Error::Timeout(stage) => Error::Timeout {
            host: String::new(),
            attempts: 1,
            limit: match stage {
                T::Connect => timeouts.connect,
                T::SendRequest | T::SendBody | T::RecvResponse | T::RecvBody => timeouts.read,
                // Global, per call, resolve (only `overall` bounds it), and any stage
                // `ureq` adds later.
                _ => timeouts.overall,
            },
        },
        ureq::Error::BodyExceedsLimit(limit) => Error::ResponseTooLarge { limit },
        // A socket timeout that surfaced as I/O: the read limit is the one on sockets.
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Error::Timeout {
            host: String::new(),
            attempts: 1,
            limit: timeouts.read.or(timeouts.overall),
        },
        other => Error::Transport(crate::error::TransportError::new(other, fault)),
    }
}

/// A path segment made from a caller's id: refused if empty or a dot segment (`.` or
/// `..`, which URL handling anywhere on the way may resolve against the path, sending the
/// request to another resource), percent-encoded otherwise. Encoding cannot help a dot
/// segment: `%2E` is the same as `.` to servers that normalize paths (RFC 3986, 6.2.2.2),
/// and no AccessGrid id is made of dots.
pub(crate) fn segment(field: &str, id: &str) -> Result<String, Error> {
    if id.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if id == "." || id == ".." {
        return Err(Error::invalid(
            field,
            format!("must not be `{id}`: a dot segment would name another path"),
        ));
    }
    Ok(percent_encode(id))
}

fn flatten_query(out: &mut Vec<(String, String)>, key: String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((key, b.to_string())),
        Value::Number(n) => out.push((key, n.to_string())),
        Value::String(s) => out.push((key, s.clone())),
        Value::Array(items) => {
            for item in items {
                flatten_query(out, format!("{key}[]"), item);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let nested = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}[{k}]")
                };
                flatten_query(out, nested, v);
            }
        }
    }
}

fn append_query(url: &mut String, query: &[(String, String)]) {
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        push_percent_encoded(url, k);
        url.push('=');
        push_percent_encoded(url, v);
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_percent_encoded(&mut out, text);
    out
}

/// Appends `text` to `out`, percent-encoded as [`percent_encode`] does.
fn push_percent_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::connector::{agent_with, mark};
    use serde_json::json;

    #[test]
    fn query_flattens_to_rails_brackets() {
        let mut out = Vec::new();
        flatten_query(
            &mut out,
            String::new(),
            &json!({"filters": {"device": "watch", "event_type": "install"}, "page": 2, "skip": null, "ids": ["a", "b"]}),
        );
        let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("filters[device]", "watch"),
                ("filters[event_type]", "install"),
                ("ids[]", "a"),
                ("ids[]", "b"),
                ("page", "2"),
            ]
        );
    }

    #[test]
    fn percent_encoding_matches_a_byte_by_byte_encoder() {
        use proptest::prelude::*;
        fn reference(text: &str) -> String {
            text.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        }
        proptest!(|(text in "\\PC*", prefix in "[a-z?=&]{0,4}")| {
            prop_assert_eq!(percent_encode(&text), reference(&text));
            let mut out = prefix.clone();
            push_percent_encoded(&mut out, &text);
            prop_assert_eq!(out, format!("{prefix}{}", reference(&text)));
        });
        for text in ["", "é", "aé", "éa", "日本語", "a\u{1F600}b", "~-._", "%"] {
            assert_eq!(percent_encode(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode("a b/c?d&é"), "a%20b%2Fc%3Fd%26%C3%A9");
        assert_eq!(percent_encode(r#"{"id":"x"}"#), "%7B%22id%22%3A%22x%22%7D");
        assert!(segment("card_id", " ").is_err());
        assert_eq!(
            segment("card_id", "0xc4rd1d").ok().as_deref(),
            Some("0xc4rd1d")
        );
    }

    /// A resolver that fails as the operating system's does for a name that does not
    /// resolve (std reports getaddrinfo's failure as an I/O error of no particular kind),
    /// and counts the lookups. Nothing is looked up for real: nothing leaves the machine.
    #[derive(Debug, Default)]
    struct NoSuchHost(std::sync::Arc<std::sync::atomic::AtomicU32>);

    impl ureq::unversioned::resolver::Resolver for NoSuchHost {
        fn resolve(
            &self,
            _: &http::Uri,
            _: &ureq::config::Config,
            _: ureq::unversioned::transport::NextTimeout,
        ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(ureq::Error::Io(std::io::Error::other(
                "failed to lookup address information: Name or service not known",
            )))
        }
    }

    fn unresolvable_client(
        lookups: &std::sync::Arc<std::sync::atomic::AtomicU32>,
        retries: u32,
    ) -> Client {
        let agent = agent_with(
            ureq::Agent::config_builder().build(),
            NoSuchHost(std::sync::Arc::clone(lookups)),
        );
        Client::builder("acct", "secret")
            .base_url("https://accessgrid-test.invalid")
            .agent(agent)
            .retry(
                crate::RetryPolicy::default()
                    .with_max_retries(retries)
                    .with_initial_backoff(std::time::Duration::from_millis(1))
                    .with_max_backoff(std::time::Duration::from_millis(5)),
            )
            .throttle(crate::Throttle::off())
            .build()
            .expect("a valid client")
    }

    #[test]
    fn an_unresolvable_host_is_a_retried_transport_error_for_a_post_and_a_get() {
        use std::sync::atomic::Ordering;
        let lookups = std::sync::Arc::default();
        let client = unresolvable_client(&lookups, 3);
        let issued = client.access_cards().issue(
            crate::models::IssueCardRequest::builder()
                .card_template_id("0xt3mpl4t3")
                .full_name("Ada")
                .site_code("42")
                .card_number("1234"),
        );
        let err = issued.expect_err("the host does not resolve");
        let Error::Transport(e) = &err else {
            panic!("a plain transport error, never outcome-unknown: {err:?}");
        };
        assert_eq!(e.host, "accessgrid-test.invalid:443");
        assert_eq!(e.attempts, 4);
        assert!(e.before_sending);
        assert!(
            matches!(e.source.as_ref(), ureq::Error::Io(_)),
            "the unmarked error"
        );
        assert_eq!(lookups.load(Ordering::SeqCst), 4, "1 attempt + 3 retries");
        assert!(err.is_retryable());
        let text = err.to_string();
        assert!(
            text.contains("could not reach accessgrid-test.invalid:443 (after 4 attempts)")
                && text.contains("Name or service not known"),
            "{text}"
        );

        let lookups = std::sync::Arc::default();
        let err = unresolvable_client(&lookups, 2)
            .access_cards()
            .get("0xc4rd1d")
            .expect_err("the host does not resolve");
        assert!(
            matches!(&err, Error::Transport(e) if e.attempts == 3),
            "{err:?}"
        );
        assert_eq!(lookups.load(Ordering::SeqCst), 3, "a GET is retried too");
        assert!(err.is_retryable());
    }

    #[test]
    fn the_mark_comes_off_and_only_marked_errors_count_as_unsent() {
        let (e, marked) = unmark(mark(ureq::Error::HostNotFound));
        assert!(marked && matches!(e, ureq::Error::HostNotFound));
        let (e, marked) = unmark(ureq::Error::Io(std::io::Error::other("reset")));
        assert!(!marked && matches!(e, ureq::Error::Io(_)));
        let io = |kind| ureq::Error::Io(std::io::Error::new(kind, "x"));
        use std::io::ErrorKind as K;
        assert_eq!(
            retry::classify_before_sending(&io(K::ConnectionReset)),
            Fault::Unsent
        );
        assert_eq!(retry::classify_before_sending(&io(K::Other)), Fault::Unsent);
        assert_eq!(
            retry::classify_before_sending(&io(K::InvalidData)),
            Fault::UnsentPermanent,
            "an untrusted certificate: trying again cannot help"
        );
        assert_eq!(
            retry::classify_before_sending(&ureq::Error::BadUri("x".into())),
            Fault::UnsentPermanent
        );
    }

    #[test]
    fn dot_segments_are_refused_other_dots_are_kept() {
        for id in [".", ".."] {
            assert!(
                matches!(segment("card_id", id), Err(Error::InvalidInput { ref field, .. }) if field == "card_id"),
                "{id:?}"
            );
        }
        assert_eq!(segment("card_id", "...").ok().as_deref(), Some("..."));
        assert_eq!(segment("card_id", "a.b").ok().as_deref(), Some("a.b"));
        assert_eq!(segment("card_id", "%2E").ok().as_deref(), Some("%252E"));
        assert_eq!(segment("card_id", "./").ok().as_deref(), Some(".%2F"));
    }

    #[test]
    fn decode_keeps_body_and_path() {
        let r: Result<crate::models::AccessCardList, _> =
            decode(200, br#"{"keys":[{"id":"a","temporary":"yes"}]}"#);
        match r {
            Err(Error::Decode(e)) => {
                assert_eq!(e.path, "keys[0].temporary");
                assert_eq!(e.body, br#"{"keys":[{"id":"a","temporary":"yes"}]}"#);
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(matches!(decode::<()>(204, b""), Ok(())));
        assert!(matches!(
            decode::<crate::models::AccessCard>(200, b""),
            Err(Error::Decode(_))
        ));
        assert!(matches!(
            decode::<crate::models::AccessCard>(200, b"{} x"),
            Err(Error::Decode(_))
        ));
    }
}
