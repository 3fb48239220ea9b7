//! The one error type of the crate.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How many bytes of a raw answer body `Display` shows at most.
const SNIPPET: usize = 200;
/// How many characters of a server's message `Display` shows at most.
const MESSAGE_CHARS: usize = 300;
/// How many characters of a field name, a field error or a request id `Display` shows.
const SHORT_CHARS: usize = 100;
/// How many fields of a 422 answer's `errors` `Display` lists, and how many reasons each.
const FIELDS_SHOWN: usize = 10;

/// Everything that can go wrong in a call. Match on the variant, or use the helpers
/// ([`Error::status`], [`Error::is_retryable`], [`Error::api`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 401: the account id, the secret key or the signature was refused.
    Authentication(Box<ApiError>),
    /// 402: the account balance does not cover the operation.
    InsufficientBalance(Box<ApiError>),
    /// Any other answer outside 2xx (404, 422, 429, 5xx, ...). (Boxed, like the other
    /// answers, so that every `Result<_, Error>` stays small.)
    Api(Box<ApiError>),
    /// An argument broke a documented rule; nothing was sent.
    InvalidInput {
        /// The field (or argument) at fault, as named on the wire.
        field: String,
        /// What rule it broke.
        reason: String,
    },
    /// The client could not be built (empty credentials, a malformed base URL, ...).
    Config(String),
    /// No answer within the configured time. (Match it with `..`: fields may be added.)
    #[non_exhaustive]
    Timeout {
        /// The limit that fired.
        limit: Option<Duration>,
        /// The server, as `host:port`.
        host: String,
        /// How many attempts were made, the first one included.
        attempts: u32,
    },
    /// The request could not be delivered or the answer could not be read (DNS, refused or
    /// dropped connection, TLS, ...): see [`TransportError::before_sending`] for whether
    /// the server can have seen it.
    Transport(TransportError),
    /// The answer's body exceeded the configured size limit; reading stopped there.
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The server answered 2xx but the body is not what the endpoint answers
    /// (not JSON, a field of the wrong type, empty where JSON was expected, ...).
    Decode(DecodeError),
    /// A request that may change state (a POST) failed in a way that leaves open whether
    /// the server acted on it; it was not retried. Check (for example, list passes) before
    /// sending it again. (Match it with `..`: fields may be added.)
    #[non_exhaustive]
    OutcomeUnknown {
        /// What happened.
        source: Box<Error>,
        /// The server's id for the request (`X-Request-ID` header or `request_id` in the
        /// body), when an answer (or the head of one) arrived: quote it to AccessGrid's
        /// support to learn what became of the request.
        request_id: Option<String>,
    },
    /// A reconciliation plan was refused by its guard (see
    /// [`reconcile::Plan::check`](crate::reconcile::Plan::check)): it was made from an
    /// empty desired state, or it deletes or suspends more than the allowed share of the
    /// existing passes. Nothing was sent; apply it with `force` if it is meant.
    PlanRefused {
        /// Why, with the figures.
        reason: String,
    },
    /// A SmartTap reveal answer does not hold a usable encrypted key: a field of the
    /// envelope is missing, not a string, not base64, of the wrong length (the iv must be
    /// 12 bytes, the tag 16), the server's public key is not a P-256 SubjectPublicKeyInfo
    /// PEM, the `alg` is not `ECDH-ES+A256GCM`, or the decrypted key is not UTF-8. The
    /// server did answer 2xx: the reveal may count against the account's rate limit.
    #[cfg(feature = "smart-tap")]
    #[cfg_attr(docsrs, doc(cfg(feature = "smart-tap")))]
    SmartTapEnvelope {
        /// What is wrong, naming the field (never any key material).
        reason: String,
    },
    /// A SmartTap reveal answer was well formed but did not decrypt: the AES-GCM tag did
    /// not verify, so the ciphertext was altered or encrypted to another key than the one
    /// this call sent.
    #[cfg(feature = "smart-tap")]
    #[cfg_attr(docsrs, doc(cfg(feature = "smart-tap")))]
    SmartTapDecryption,
    /// The operating system's random number generator failed while making a fresh key
    /// pair (or nonce) for a SmartTap reveal; nothing was sent.
    #[cfg(feature = "smart-tap")]
    #[cfg_attr(docsrs, doc(cfg(feature = "smart-tap")))]
    Randomness {
        /// The generator's error.
        reason: String,
    },
}

/// An error answer from the API: its status, message and raw body.
///
/// `Display` shows the status, at most 300 characters of the message, at most ten field
/// errors and the request id, each cut short and with control characters escaped (`\n`,
/// `\u{1b}`, ...), so that a hostile or broken server cannot flood or forge a terminal or
/// a log line. The fields keep everything as received.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The `message` (or `error`) of a JSON body; else a short text of the body. Kept
    /// whole, as sent: escape it before printing it anywhere but through `Display`.
    pub message: String,
    /// Field-level validation failures of a 422 answer (`errors: {field: [...]}`).
    pub field_errors: BTreeMap<String, Vec<String>>,
    /// The value of a `Retry-After` header, if any, as sent.
    pub retry_after: Option<String>,
    /// The server's id for this request: the `X-Request-ID` answer header, else a
    /// `request_id` in the JSON body. Quote it to AccessGrid's support.
    pub request_id: Option<String>,
    /// The raw body as received (it may be HTML from a proxy).
    pub body: Vec<u8>,
}

impl ApiError {
    /// The wait the server asked for in its `Retry-After` header: a number of seconds, or
    /// an HTTP date (a date in the past is a wait of zero). `None` without the header or
    /// when it is neither.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut answer = accessgrid::ApiError {
    ///     status: 429,
    ///     message: "slow down".into(),
    ///     field_errors: Default::default(),
    ///     retry_after: Some("120".into()),
    ///     request_id: None,
    ///     body: Vec::new(),
    /// };
    /// assert_eq!(answer.retry_after_delay(), Some(Duration::from_secs(120)));
    /// answer.retry_after = Some("Sun, 06 Nov 1994 08:49:37 GMT".into());
    /// assert_eq!(answer.retry_after_delay(), Some(Duration::ZERO));
    /// answer.retry_after = Some("soon".into());
    /// assert_eq!(answer.retry_after_delay(), None);
    /// ```
    pub fn retry_after_delay(&self) -> Option<Duration> {
        self.retry_after
            .as_deref()
            .and_then(crate::client::retry::retry_after_delay)
    }
}

/// A call that got no (complete) answer: where it went, how often it was tried, and what
/// went wrong.
///
/// `Display` names the server and the number of attempts, e.g. `could not reach
/// api.accessgrid.com:443 (after 4 attempts): io: Connection refused (os error 111)`.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// The server, as `host:port`.
    pub host: String,
    /// How many attempts were made, the first one included.
    pub attempts: u32,
    /// Whether the last attempt failed before any byte of the request was written: the host
    /// name did not resolve, the connection was refused or not made, or the TLS handshake
    /// failed. The server cannot have seen such a request. (Always `false` through a
    /// caller's own [agent](crate::ClientBuilder::agent), except for failures `ureq` itself
    /// reports as before sending: host not found, connection refused, connect timeout.)
    pub before_sending: bool,
    /// What `ureq` reported.
    pub source: Box<ureq::Error>,
    /// How the retry rules see it; the one input of both the retry loop and
    /// [`Error::is_retryable`].
    pub(crate) fault: crate::client::retry::Fault,
}

impl TransportError {
    pub(crate) fn new(source: ureq::Error, fault: crate::client::retry::Fault) -> TransportError {
        TransportError {
            host: String::new(),
            attempts: 1,
            before_sending: matches!(
                fault,
                crate::client::retry::Fault::Unsent | crate::client::retry::Fault::UnsentPermanent
            ),
            source: Box::new(source),
            fault,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.before_sending {
            "could not reach"
        } else {
            "lost the exchange with"
        };
        write!(f, "{verb} {}", Clipped(&self.host, SHORT_CHARS))?;
        write_attempts(f, self.attempts)?;
        write!(f, ": {}", self.source)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// ` (after N attempts)` when there was more than one.
fn write_attempts(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    match attempts {
        0 | 1 => write!(f, " (1 attempt)"),
        n => write!(f, " (after {n} attempts)"),
    }
}

/// An answer body that could not be decoded, with the bytes the server sent.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// HTTP status of the answer.
    pub status: u16,
    /// Where in the document decoding failed, e.g. `keys[0].devices`; empty at the top.
    pub path: String,
    /// Why decoding failed.
    pub message: String,
    /// The raw body as received.
    pub body: Vec<u8>,
}

impl Error {
    /// The HTTP status of the answer behind this error, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Authentication(e) | Error::InsufficientBalance(e) | Error::Api(e) => {
                Some(e.status)
            }
            Error::Decode(e) => Some(e.status),
            Error::OutcomeUnknown { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The server's id for the request (`X-Request-ID`, or `request_id` in an error
    /// body), when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::OutcomeUnknown { request_id, source } => {
                request_id.as_deref().or_else(|| source.request_id())
            }
            _ => self.api().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// The API error answer, for the variants that carry one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Authentication(e) | Error::InsufficientBalance(e) | Error::Api(e) => Some(e),
            Error::OutcomeUnknown { source, .. } => source.api(),
            _ => None,
        }
    }

    /// The raw answer body, for the variants that carry one.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Error::Decode(e) => Some(&e.body),
            _ => self.api().map(|e| e.body.as_slice()),
        }
    }

    /// Whether trying the same request again later may succeed: exactly the failures the
    /// client's own retry loop retries (see [`RetryPolicy`](crate::RetryPolicy)): 429, 500, 502, 503, 504,
    /// timeouts, a connection that was never made or was dropped. Never for invalid input,
    /// 4xx client errors, a TLS certificate that is not trusted, or an outcome-unknown POST
    /// (whose retry could act twice).
    pub fn is_retryable(&self) -> bool {
        use crate::client::retry::{action, Action, Fault};
        let fault = match self {
            Error::Authentication(e) | Error::InsufficientBalance(e) | Error::Api(e) => {
                Fault::Status(e.status)
            }
            // Every timeout is retried: before sending (resolve, connect) or after.
            Error::Timeout { .. } => Fault::Interrupted,
            Error::Transport(e) => e.fault,
            Error::ResponseTooLarge { .. } => Fault::Broken,
            _ => return false,
        };
        // As the loop sees an idempotent request; a POST's other failures are
        // `OutcomeUnknown`, never retryable.
        action(true, fault) == Action::Retry
    }

    /// The error the client makes of a non-2xx answer with this status and body (and no
    /// `Retry-After` or `X-Request-ID` header): `401` is [`Error::Authentication`], `402`
    /// [`Error::InsufficientBalance`], any other status [`Error::Api`], with the message,
    /// field errors and request id read from a JSON body as the client reads them. For
    /// fakes and test doubles that stand in for the client, so that the code under test
    /// sees exactly the error a real answer would give.
    ///
    /// ```
    /// use accessgrid::Error;
    ///
    /// let err = Error::from_response(
    ///     422,
    ///     r#"{"message":"Validation failed","errors":{"full_name":["can't be blank"]}}"#,
    /// );
    /// let api = err.api().expect("an answer from the server");
    /// assert_eq!(api.status, 422);
    /// assert_eq!(api.message, "Validation failed");
    /// assert_eq!(api.field_errors["full_name"], ["can't be blank"]);
    /// assert!(matches!(
    ///     Error::from_response(401, r#"{"message":"invalid signature"}"#),
    ///     Error::Authentication(_)
    /// ));
    /// ```
    pub fn from_response(status: u16, body: impl Into<Vec<u8>>) -> Error {
        Error::from_answer(status, None, None, body.into())
    }

    /// Builds the error for a non-2xx answer (`request_id`: its `X-Request-ID`, if any).
    pub(crate) fn from_answer(
        status: u16,
        retry_after: Option<String>,
        request_id: Option<String>,
        body: Vec<u8>,
    ) -> Error {
        let parsed: Option<crate::models::ApiErrorBody> = serde_json::from_slice(&body).ok();
        let request_id = request_id.or_else(|| body_request_id(&body));
        let (message, field_errors) = match parsed {
            Some(b) => {
                let message = b.message.or(b.error).unwrap_or_else(|| snippet(&body));
                (message, b.errors.unwrap_or_default().into_iter().collect())
            }
            None => (snippet(&body), BTreeMap::new()),
        };
        let api = Box::new(ApiError {
            status,
            message,
            field_errors,
            retry_after,
            request_id,
            body,
        });
        match status {
            401 => Error::Authentication(api),
            402 => Error::InsufficientBalance(api),
            _ => Error::Api(api),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A `request_id` (a string or a number) at the top of a JSON error body.
fn body_request_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithId {
        request_id: Option<serde_json::Value>,
    }
    match serde_json::from_slice::<WithId>(body).ok()?.request_id? {
        serde_json::Value::String(id) if !id.is_empty() => Some(id),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Text from outside shown by `Display`: at most `.1` characters, control characters
/// escaped, a cut marked with the number of bytes left out.
pub(crate) struct Clipped<'a>(pub(crate) &'a str, pub(crate) usize);

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        let Clipped(text, max) = *self;
        for (shown, (at, c)) in text.char_indices().enumerate() {
            if shown == max {
                return write!(f, "… ({} more bytes)", text.len() - at);
            }
            if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            {
                for e in c.escape_default() {
                    f.write_char(e)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// The first bytes of a body as text, for messages: whitespace runs become one space,
/// other control characters are escaped.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET)]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = Clipped(&text, SNIPPET).to_string();
    if body.len() > SNIPPET {
        format!("{text}…")
    } else if text.is_empty() {
        "(empty body)".to_owned()
    } else {
        text
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Authentication(e) => write!(f, "authentication failed: {e}"),
            Error::InsufficientBalance(e) => write!(f, "insufficient account balance: {e}"),
            Error::Api(e) => write!(f, "AccessGrid API error: {e}"),
            Error::InvalidInput { field, reason } => {
                write!(f, "invalid input: `{field}` {reason} (nothing was sent)")
            }
            Error::Config(reason) => write!(f, "invalid client configuration: {reason}"),
            Error::Timeout {
                limit,
                host,
                attempts,
            } => {
                write!(f, "timed out: no answer from {}", Clipped(host, SHORT_CHARS))?;
                if let Some(d) = limit {
                    write!(f, " within {d:?}")?;
                }
                write_attempts(f, *attempts)
            }
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::ResponseTooLarge { limit } => {
                write!(f, "the answer is larger than the limit of {limit} bytes")
            }
            Error::Decode(e) => write!(f, "{e}"),
            Error::OutcomeUnknown { source, request_id } => {
                write!(
                    f,
                    "the request may or may not have been carried out ({source}); it was not retried: check before sending it again"
                )?;
                // An API error shows its own id; only an id from elsewhere is added here.
                match (request_id, source.api()) {
                    (Some(id), None) => write!(f, " (request id {})", Clipped(id, SHORT_CHARS)),
                    _ => Ok(()),
                }
            }
            Error::PlanRefused { reason } => write!(f, "plan refused: {reason}"),
            #[cfg(feature = "smart-tap")]
            Error::SmartTapEnvelope { reason } => {
                write!(f, "invalid SmartTap key envelope: {reason}")
            }
            #[cfg(feature = "smart-tap")]
            Error::SmartTapDecryption => f.write_str(
                "the SmartTap key did not decrypt: its authentication tag does not verify (altered, or encrypted to another key)",
            ),
            #[cfg(feature = "smart-tap")]
            Error::Randomness { reason } => write!(
                f,
                "the operating system's random number generator failed ({reason}); nothing was sent"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::OutcomeUnknown { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "status {}: {}",
            self.status,
            Clipped(&self.message, MESSAGE_CHARS)
        )?;
        for (field, reasons) in self.field_errors.iter().take(FIELDS_SHOWN) {
            write!(f, "; {}: ", Clipped(field, SHORT_CHARS))?;
            for (i, reason) in reasons.iter().take(FIELDS_SHOWN).enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                write!(f, "{sep}{}", Clipped(reason, SHORT_CHARS))?;
            }
            if reasons.len() > FIELDS_SHOWN {
                write!(f, ", … ({} more)", reasons.len() - FIELDS_SHOWN)?;
            }
        }
        if self.field_errors.len() > FIELDS_SHOWN {
            write!(
                f,
                "; … ({} more fields)",
                self.field_errors.len() - FIELDS_SHOWN
            )?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", Clipped(id, SHORT_CHARS))?;
        }
        Ok(())
    }
}

debug_fields!(ApiError, |s| {
    status,
    message: Clipped(&s.message, MESSAGE_CHARS).to_string(),
    field_errors,
    retry_after,
    request_id,
    body: snippet(&s.body),
});

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode the answer (status {})", self.status)?;
        if !self.path.is_empty() && self.path != "." {
            write!(f, " at `{}`", Clipped(&self.path, SHORT_CHARS))?;
        }
        // The message may quote the server's text (`invalid type: string "..."`).
        write!(
            f,
            ": {}; body: {}",
            Clipped(&self.message, MESSAGE_CHARS),
            snippet(&self.body)
        )
    }
}

debug_fields!(DecodeError, |s| {
    status,
    path,
    message,
    body: snippet(&s.body),
});

impl From<crate::models::error::ConversionError> for Error {
    /// A builder's error names the field it is about; keep that as the field. A nested
    /// builder's error (a filter inside a query, ...) names the path, e.g. `filters.device`.
    fn from(e: crate::models::error::ConversionError) -> Self {
        let text = e.to_string();
        let mut path: Vec<&str> = Vec::new();
        let mut rest = text.as_str();
        while let Some(inner) = rest.strip_prefix("error converting supplied value for ") {
            let Some((field, reason)) = inner.split_once(": ") else {
                break;
            };
            path.push(field);
            rest = reason;
        }
        if let Some(field) = rest.strip_prefix("no value supplied for ") {
            path.push(field);
            return Error::invalid(path.join("."), "is required");
        }
        if path.is_empty() {
            return Error::invalid("request", text);
        }
        Error::invalid(path.join("."), rest)
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}
