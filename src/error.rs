//! The one error type of the crate.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How many bytes of a raw answer body `Display` shows at most.
const SNIPPET: usize = 200;

/// Everything that can go wrong in a call. Match on the variant, or use the helpers
/// ([`Error::status`], [`Error::is_retryable`], [`Error::api`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 401: the account id, the secret key or the signature was refused.
    Authentication(ApiError),
    /// 402: the account balance does not cover the operation.
    InsufficientBalance(ApiError),
    /// Any other answer outside 2xx (404, 422, 429, 5xx, ...).
    Api(ApiError),
    /// An argument broke a documented rule; nothing was sent.
    InvalidInput {
        /// The field (or argument) at fault, as named on the wire.
        field: String,
        /// What rule it broke.
        reason: String,
    },
    /// The client could not be built (empty credentials, a malformed base URL, ...).
    Config(String),
    /// No answer within the configured time.
    Timeout {
        /// The limit that fired.
        limit: Option<Duration>,
    },
    /// The request could not be delivered or the answer could not be read (DNS, refused or
    /// dropped connection, TLS, ...). The server may not have seen the request.
    Transport(Box<ureq::Error>),
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
    /// sending it again.
    OutcomeUnknown {
        /// What happened.
        source: Box<Error>,
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
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The `message` (or `error`) of a JSON body; else a short text of the body.
    pub message: String,
    /// Field-level validation failures of a 422 answer (`errors: {field: [...]}`).
    pub field_errors: BTreeMap<String, Vec<String>>,
    /// The value of a `Retry-After` header, if any, as sent.
    pub retry_after: Option<String>,
    /// The raw body as received (it may be HTML from a proxy).
    pub body: Vec<u8>,
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
            Error::OutcomeUnknown { source } => source.status(),
            _ => None,
        }
    }

    /// The API error answer, for the variants that carry one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Authentication(e) | Error::InsufficientBalance(e) | Error::Api(e) => Some(e),
            Error::OutcomeUnknown { source } => source.api(),
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

    /// Whether trying the same request again later may succeed: 429, 500, 502, 503, 504,
    /// timeouts and transport failures. Never for invalid input, 4xx client errors, or an
    /// outcome-unknown POST (whose retry could act twice).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 429 | 500 | 502 | 503 | 504),
            Error::Timeout { .. } | Error::Transport(_) => true,
            _ => false,
        }
    }

    /// Builds the error for a non-2xx answer.
    pub(crate) fn from_answer(status: u16, retry_after: Option<String>, body: Vec<u8>) -> Error {
        let parsed: Option<crate::models::ApiErrorBody> = serde_json::from_slice(&body).ok();
        let (message, field_errors) = match parsed {
            Some(b) => {
                let message = b.message.or(b.error).unwrap_or_else(|| snippet(&body));
                (message, b.errors.unwrap_or_default().into_iter().collect())
            }
            None => (snippet(&body), BTreeMap::new()),
        };
        let api = ApiError {
            status,
            message,
            field_errors,
            retry_after,
            body,
        };
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

/// The first bytes of a body as text, for messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET)]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
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
            Error::Timeout { limit: Some(d) } => write!(f, "timed out after {d:?}"),
            Error::Timeout { limit: None } => f.write_str("timed out"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::ResponseTooLarge { limit } => {
                write!(f, "the answer is larger than the limit of {limit} bytes")
            }
            Error::Decode(e) => write!(f, "{e}"),
            Error::OutcomeUnknown { source } => write!(
                f,
                "the request may or may not have been carried out ({source}); it was not retried: check before sending it again"
            ),
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
            Error::Transport(e) => Some(e.as_ref()),
            Error::OutcomeUnknown { source } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}: {}", self.status, self.message)?;
        for (field, reasons) in &self.field_errors {
            write!(f, "; {field}: {}", reasons.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("field_errors", &self.field_errors)
            .field("retry_after", &self.retry_after)
            .field("body", &snippet(&self.body))
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode the answer (status {})", self.status)?;
        if !self.path.is_empty() && self.path != "." {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}; body: {}", self.message, snippet(&self.body))
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("body", &snippet(&self.body))
            .finish()
    }
}

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
