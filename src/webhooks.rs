//! Receiving AccessGrid's webhooks: verify, parse and acknowledge incoming events.
//!
//! AccessGrid POSTs each event as a CloudEvents 1.0 envelope in JSON
//! (`Content-Type: application/cloudevents+json`) with `Authorization: Bearer <token>`,
//! where the token is the webhook's `private_key` from its create answer. The receiver
//! answers 200 or 201 with [`ACK_BODY`]; any other answer makes AccessGrid deliver the
//! event again, for up to six hours. Deliveries are at-least-once: the same event (same
//! [`WebhookEvent::id`]) can arrive more than once, which [`Deduper`] tells apart.
//!
//! This module needs no web framework:
//!
//! - [`verify`] takes the `Authorization` header value, the raw body and the expected
//!   token, and answers a [`WebhookEvent`] or a [`WebhookError`] whose
//!   [`status`](WebhookError::status) is the HTTP status to answer (401 for a missing,
//!   malformed or wrong token, 400 for a body that is not a valid envelope).
//! - [`verify_request`] does the same for an [`http::Request`].
//! - [`authenticate`] checks only the header (to refuse a stranger before reading the
//!   body), and [`parse_event`] only the body (when mTLS at the ingress authenticates).
//! - With the cargo feature `webhook-receiver`, [`Receiver`] is a whole hardened receiver
//!   to embed in a daemon: it serves one path, verifies and deduplicates each delivery and
//!   hands new events to a closure.
//! - [`WebhookEvent::typed_data`] gives the event's `data` as the type of its family;
//!   [`WebhookEvent::data`] keeps it as raw JSON. Unknown event types and unknown fields
//!   are accepted: a new event type must be acknowledged, not refused.
//!
//! ```
//! use std::time::Duration;
//! use accessgrid::webhooks::{self, Deduper, EventData, ACK_BODY};
//! use accessgrid::models::EventType;
//!
//! let token = "whk_secret_from_the_create_answer";
//! let body = br#"{"specversion":"1.0","id":"evt_1","source":"accessgrid",
//!     "type":"ag.access_pass.suspended","datacontenttype":"application/json",
//!     "time":"2025-01-31T12:00:00Z","data":{"access_pass_id":"0xc4rd1d"}}"#;
//! let deduper = Deduper::new(10_000, Duration::from_secs(24 * 60 * 60));
//!
//! // In a handler: the header value, the raw body, the expected token.
//! let (status, answer) = match webhooks::verify(Some("Bearer whk_secret_from_the_create_answer"), body, token) {
//!     Ok(event) => {
//!         if deduper.first_time(&event.id) {
//!             assert_eq!(event.event_type, EventType::AccessPassSuspended);
//!             if let Ok(EventData::AccessPass(data)) = event.typed_data() {
//!                 assert_eq!(data.access_pass_id.as_deref(), Some("0xc4rd1d"));
//!             }
//!         }
//!         (webhooks::ACK_STATUS, ACK_BODY)
//!     }
//!     Err(e) => (e.status(), ""),
//! };
//! assert_eq!((status, answer), (200, r#"{"received": true}"#));
//!
//! // A wrong token is refused with 401, before the body is looked at.
//! let refused = webhooks::verify(Some("Bearer guess"), body, token).unwrap_err();
//! assert_eq!(refused.status(), 401);
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::models::{
    AccessPassDeviceEventData, AccessPassEventData, AccountBalanceLowEventData,
    CardTemplateEventData, CardTemplatePairEventData, CredentialProfileEventData, EventType,
    HidOrgEventData, LandingPageEventData, WebhookCertExpiringEventData, WebhookEventEnvelope,
};

#[cfg(feature = "durable")]
mod durable;
#[cfg(feature = "webhook-receiver")]
mod receiver;
#[cfg(feature = "durable")]
#[cfg_attr(docsrs, doc(cfg(feature = "durable")))]
pub use durable::DurableSeenStore;
#[cfg(feature = "webhook-receiver")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook-receiver")))]
pub use receiver::{escape_control, Receiver, ReceiverBuilder, SeenStore, StopHandle};

/// The `http` crate (1.x) as re-exported by `ureq`, whose types [`verify_request`] takes.
pub use ureq::http;

/// The body to answer an accepted event with. AccessGrid stops delivering an event once it
/// is answered 200 or 201.
pub const ACK_BODY: &str = r#"{"received": true}"#;

/// The `Content-Type` of [`ACK_BODY`].
pub const ACK_CONTENT_TYPE: &str = "application/json";

/// The status to answer an accepted event (or a duplicate delivery) with.
pub const ACK_STATUS: u16 = 200;

/// The `Content-Type` AccessGrid sends events with.
pub const EVENT_CONTENT_TYPE: &str = "application/cloudevents+json";

/// The `User-Agent` AccessGrid sends events with.
pub const SENDER_USER_AGENT: &str = "AccessGrid-Webhooks/1.0";

/// The only CloudEvents version accepted in `specversion`.
pub const SPEC_VERSION: &str = "1.0";

/// The only `source` accepted: events come from AccessGrid.
pub const SOURCE: &str = "accessgrid";

/// The `WWW-Authenticate` value to send with a 401 answer (RFC 6750).
pub const WWW_AUTHENTICATE: &str = "Bearer";

/// How many characters of a wrong value an error message quotes at most.
const QUOTE: usize = 64;

/// Checks the `Authorization` header value against the expected bearer token, then parses
/// the raw body as an event envelope.
///
/// `authorization` is the header's value (`None` when the request had none). The scheme
/// `Bearer` is matched without regard to case; the token must equal `expected_token`
/// exactly, compared in constant time. An empty `expected_token` accepts nothing
/// ([`WebhookError::NoExpectedToken`], 500): it is a receiver that was not configured.
///
/// The body is the request's raw bytes. Read it with a size limit: events are small, and a
/// bound (say 1 MiB) keeps a stranger from making the receiver buffer without end.
pub fn verify(
    authorization: Option<&str>,
    body: &[u8],
    expected_token: &str,
) -> Result<WebhookEvent, WebhookError> {
    authenticate(authorization, expected_token)?;
    parse_event(body)
}

/// [`verify`] for an [`http::Request`] holding the raw body.
///
/// More than one `Authorization` header, or one that is not visible ASCII, is malformed
/// (401). The method, path and `Content-Type` are not checked.
pub fn verify_request<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    expected_token: &str,
) -> Result<WebhookEvent, WebhookError> {
    authenticate_headers(request.headers(), expected_token)?;
    parse_event(request.body().as_ref())
}

/// Checks only the `Authorization` header value against the expected bearer token (see
/// [`verify`]), so that a stranger can be refused before the body is read.
pub fn authenticate(authorization: Option<&str>, expected_token: &str) -> Result<(), WebhookError> {
    if expected_token.is_empty() {
        return Err(WebhookError::NoExpectedToken);
    }
    let value = authorization
        .map(|v| v.trim_matches([' ', '\t']))
        .filter(|v| !v.is_empty())
        .ok_or(WebhookError::MissingAuthorization)?;
    let token = bearer_token(value)?;
    // Hashing both sides first makes the comparison independent of where they differ and
    // of their lengths.
    let given = Sha256::digest(token.as_bytes());
    let expected = Sha256::digest(expected_token.as_bytes());
    if bool::from(given.as_slice().ct_eq(expected.as_slice())) {
        Ok(())
    } else {
        Err(WebhookError::WrongToken)
    }
}

/// [`authenticate`] for the headers of an [`http::Request`] (or its `Parts`).
pub fn authenticate_headers(
    headers: &http::HeaderMap,
    expected_token: &str,
) -> Result<(), WebhookError> {
    if expected_token.is_empty() {
        return Err(WebhookError::NoExpectedToken);
    }
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => None,
        (Some(one), None) => Some(
            one.to_str()
                .map_err(|_| WebhookError::MalformedAuthorization)?,
        ),
        (Some(_), Some(_)) => return Err(WebhookError::MalformedAuthorization),
    };
    authenticate(value, expected_token)
}

/// The token of a `Bearer <token>` value (already trimmed, not empty).
fn bearer_token(value: &str) -> Result<&str, WebhookError> {
    let (scheme, rest) = value
        .split_once([' ', '\t'])
        .ok_or(WebhookError::MalformedAuthorization)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(WebhookError::MalformedAuthorization);
    }
    let token = rest.trim_start_matches([' ', '\t']);
    // A token is one run of visible ASCII: nothing after it, nothing invisible in it.
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(WebhookError::MalformedAuthorization);
    }
    Ok(token)
}

/// Parses a raw body as an event envelope, without authentication (for a receiver whose
/// ingress already authenticated the sender, e.g. by mTLS).
///
/// The body must be a JSON object with `specversion` (or `spec_version`) `"1.0"`, a
/// non-empty `id` and `type`, and `source` `"accessgrid"`; anything else is
/// [`WebhookError::InvalidEnvelope`] (400). Unknown types and unknown fields are accepted.
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::invalid("", format!("the body is not JSON: {e}")))?;
    WebhookEvent::try_from(value)
}

/// A verified incoming event: a CloudEvents 1.0 envelope from AccessGrid.
///
/// It serializes as a CloudEvents envelope with the standard attribute names
/// (`specversion`, `datacontenttype`), and deserializes from either spelling with the
/// same checks as [`parse_event`]. Attributes it does not model (CloudEvents extensions
/// such as `traceparent`) are kept in [`extensions`](WebhookEvent::extensions) and
/// serialized back, so parsing and serializing an event loses nothing but the spelling of
/// `spec_version` / `data_content_type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
#[non_exhaustive]
pub struct WebhookEvent {
    /// CloudEvents version: always [`SPEC_VERSION`].
    #[serde(rename = "specversion")]
    pub spec_version: String,
    /// Unique id of the event; a repeated delivery has the same id (see [`Deduper`]).
    pub id: String,
    /// Who sent the event: always [`SOURCE`].
    pub source: String,
    /// What happened, such as [`EventType::AccessPassIssued`].
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Content type of `data` as sent (`"application/json"`), from `datacontenttype` or
    /// `data_content_type`.
    #[serde(rename = "datacontenttype", skip_serializing_if = "Option::is_none")]
    pub data_content_type: Option<String>,
    /// URI of the schema the `data` follows (CloudEvents `dataschema`), when the sender
    /// names one.
    #[serde(rename = "dataschema", skip_serializing_if = "Option::is_none")]
    pub data_schema: Option<String>,
    /// ISO 8601 time the event occurred, exactly as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The event's payload as raw JSON (`Null` when there was none). See
    /// [`typed_data`](WebhookEvent::typed_data) for it as the type of its family.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub data: Value,
    /// Every other top-level attribute, as sent: CloudEvents extension attributes such as
    /// `traceparent` or `subject`. Serialized back at the top level.
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, Value>,
}

impl WebhookEvent {
    /// An event as AccessGrid would send it: `specversion` `"1.0"`, `source`
    /// `"accessgrid"`, `datacontenttype` `"application/json"`, no `time`. For building
    /// deliveries (a test sandbox, a replay); `serde_json::to_vec` gives the wire body.
    pub fn new(id: impl Into<String>, event_type: impl Into<EventType>, data: Value) -> Self {
        WebhookEvent {
            spec_version: SPEC_VERSION.to_owned(),
            id: id.into(),
            source: SOURCE.to_owned(),
            event_type: event_type.into(),
            data_content_type: Some("application/json".to_owned()),
            data_schema: None,
            time: None,
            data,
            extensions: serde_json::Map::new(),
        }
    }

    /// The `data` as the type of the event's family, chosen by the type's prefix (so a
    /// new type in a known family, say `ag.access_pass.transferred`, is typed too):
    ///
    /// | type | variant |
    /// | --- | --- |
    /// | `ag.access_pass.devices.*` | [`EventData::AccessPassDevice`] |
    /// | other `ag.access_pass.*` | [`EventData::AccessPass`] |
    /// | `ag.card_template.*` | [`EventData::CardTemplate`] |
    /// | `ag.landing_page.*` | [`EventData::LandingPage`] |
    /// | `ag.credential_profile.*` | [`EventData::CredentialProfile`] |
    /// | `ag.card_template_pair.*` | [`EventData::CardTemplatePair`] |
    /// | `ag.hid_org.*` | [`EventData::HidOrg`] |
    /// | `ag.webhook.cert_expiring` | [`EventData::WebhookCertExpiring`] |
    /// | `ag.account_balance.low` | [`EventData::AccountBalanceLow`] |
    /// | anything else | [`EventData::Other`] with the raw JSON |
    ///
    /// Missing or `null` data gives the family's type with every field `None`. An error
    /// means the data has a documented field of the wrong type; the envelope itself is
    /// valid, so such an event should still be acknowledged (and the raw
    /// [`data`](WebhookEvent::data) looked at).
    pub fn typed_data(&self) -> Result<EventData, EventDataError> {
        let family: Vec<&str> = self.event_type.as_str().split('.').collect();
        let data = match family.as_slice() {
            ["ag", "access_pass", "devices", _, ..] => EventData::AccessPassDevice(self.data_as()?),
            ["ag", "access_pass", _, ..] => EventData::AccessPass(self.data_as()?),
            ["ag", "card_template", _, ..] => EventData::CardTemplate(self.data_as()?),
            ["ag", "landing_page", _, ..] => EventData::LandingPage(self.data_as()?),
            ["ag", "credential_profile", _, ..] => EventData::CredentialProfile(self.data_as()?),
            ["ag", "card_template_pair", _, ..] => EventData::CardTemplatePair(self.data_as()?),
            ["ag", "hid_org", _, ..] => EventData::HidOrg(self.data_as()?),
            _ if self.event_type == EventType::WebhookCertExpiring => {
                EventData::WebhookCertExpiring(self.data_as()?)
            }
            _ if self.event_type == EventType::AccountBalanceLow => {
                EventData::AccountBalanceLow(self.data_as()?)
            }
            _ => EventData::Other(self.data.clone()),
        };
        Ok(data)
    }

    /// The `data` decoded as any type (missing or `null` data decodes as `{}`).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, EventDataError> {
        let data = match &self.data {
            Value::Null => Value::Object(serde_json::Map::new()),
            other => other.clone(),
        };
        serde_path_to_error::deserialize(data).map_err(|e| EventDataError {
            event_type: self.event_type.clone(),
            path: path_text(e.path()),
            message: e.into_inner().to_string(),
        })
    }
}

impl TryFrom<Value> for WebhookEvent {
    type Error = WebhookError;

    /// Checks and converts a parsed JSON body (see [`parse_event`]).
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        if !value.is_object() {
            return Err(WebhookError::invalid(
                "",
                format!(
                    "the body is JSON but not an object (it is {})",
                    kind(&value)
                ),
            ));
        }
        let extensions: serde_json::Map<String, Value> = value
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(key, _)| !ENVELOPE_ATTRIBUTES.contains(&key.as_str()))
            .map(|(key, v)| (key.clone(), v.clone()))
            .collect();
        let envelope: WebhookEventEnvelope = serde_path_to_error::deserialize(value)
            .map_err(|e| WebhookError::invalid(path_text(e.path()), e.into_inner().to_string()))?;
        let mut event = WebhookEvent::try_from(envelope)?;
        event.extensions = extensions;
        Ok(event)
    }
}

impl TryFrom<WebhookEventEnvelope> for WebhookEvent {
    type Error = WebhookError;

    /// Checks a decoded envelope: the version (in either spelling), `source`, and that
    /// `id` and `type` are present and not empty. (The envelope type has no place for
    /// extension attributes; [`parse_event`] keeps them.)
    fn try_from(envelope: WebhookEventEnvelope) -> Result<Self, Self::Error> {
        let WebhookEventEnvelope {
            data,
            data_content_type,
            datacontenttype,
            dataschema,
            id,
            source,
            spec_version,
            specversion,
            time,
            type_,
            ..
        } = envelope;

        let versions = [("specversion", specversion), ("spec_version", spec_version)];
        if versions.iter().all(|(_, v)| v.is_none()) {
            return Err(WebhookError::invalid("specversion", "missing"));
        }
        for (field, version) in &versions {
            if let Some(version) = version {
                if version != SPEC_VERSION {
                    return Err(WebhookError::invalid(
                        *field,
                        format!("{}, expected \"{SPEC_VERSION}\"", quote(version)),
                    ));
                }
            }
        }
        let id = required("id", id)?;
        let source = required("source", source)?;
        if source != SOURCE {
            return Err(WebhookError::invalid(
                "source",
                format!("{}, expected \"{SOURCE}\"", quote(&source)),
            ));
        }
        let event_type = type_.ok_or_else(|| WebhookError::invalid("type", "missing"))?;
        if event_type.as_str().is_empty() {
            return Err(WebhookError::invalid("type", "empty"));
        }
        Ok(WebhookEvent {
            spec_version: SPEC_VERSION.to_owned(),
            id,
            source,
            event_type,
            data_content_type: datacontenttype.or(data_content_type),
            data_schema: dataschema,
            time,
            data: data.unwrap_or(Value::Null),
            extensions: serde_json::Map::new(),
        })
    }
}

/// The envelope attributes [`WebhookEventEnvelope`] models (in either spelling); any
/// other top-level member is an extension attribute.
const ENVELOPE_ATTRIBUTES: [&str; 10] = [
    "specversion",
    "spec_version",
    "id",
    "source",
    "type",
    "datacontenttype",
    "data_content_type",
    "dataschema",
    "time",
    "data",
];

fn required(field: &'static str, value: Option<String>) -> Result<String, WebhookError> {
    match value {
        None => Err(WebhookError::invalid(field, "missing")),
        Some(v) if v.is_empty() => Err(WebhookError::invalid(field, "empty")),
        Some(v) => Ok(v),
    }
}

fn quote(text: &str) -> String {
    if text.chars().count() > QUOTE {
        let cut: String = text.chars().take(QUOTE).collect();
        format!("{cut:?}...")
    } else {
        format!("{text:?}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn path_text(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." {
        String::new()
    } else {
        text
    }
}

/// An event's `data` as the type of its family (see [`WebhookEvent::typed_data`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EventData {
    /// `ag.access_pass.*` (issued, activated, updated, suspended, resumed, unlinked,
    /// deleted, expired, renewed, failed, viewed).
    AccessPass(AccessPassEventData),
    /// `ag.access_pass.devices.*` (added, suspended, resumed, removed).
    AccessPassDevice(AccessPassDeviceEventData),
    /// `ag.card_template.*`.
    CardTemplate(CardTemplateEventData),
    /// `ag.landing_page.*`.
    LandingPage(LandingPageEventData),
    /// `ag.credential_profile.*` (created, attached_to_template, deleted).
    CredentialProfile(CredentialProfileEventData),
    /// `ag.card_template_pair.*` (created).
    CardTemplatePair(CardTemplatePairEventData),
    /// `ag.hid_org.*` (created, activated).
    HidOrg(HidOrgEventData),
    /// `ag.webhook.cert_expiring`.
    WebhookCertExpiring(WebhookCertExpiringEventData),
    /// `ag.account_balance.low`.
    AccountBalanceLow(AccountBalanceLowEventData),
    /// Any other type (`ag.account.impersonation_*`, types this SDK does not know): the
    /// raw JSON.
    Other(Value),
}

/// An event's `data` does not have the documented shape of its family (a field of the
/// wrong type). The envelope was valid: acknowledge the event and read the raw data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDataError {
    /// The event's type.
    pub event_type: EventType,
    /// Where in the data decoding failed, such as `device.id`; empty at the top.
    pub path: String,
    /// Why decoding failed.
    pub message: String,
}

impl fmt::Display for EventDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data of a {} event", self.event_type)?;
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for EventDataError {}

/// Why an incoming request was refused, and so which status to answer
/// ([`status`](WebhookError::status)). Messages never contain a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// 401: no `Authorization` header (or a blank one).
    MissingAuthorization,
    /// 401: an `Authorization` header that is not `Bearer <token>` (another scheme, no
    /// token, more than one word, characters that are not visible ASCII, or more than one
    /// such header).
    MalformedAuthorization,
    /// 401: a bearer token that is not the expected one.
    WrongToken,
    /// 500: the receiver was given an empty expected token, so it accepts nothing. Set
    /// the webhook's `private_key`.
    NoExpectedToken,
    /// 400: the body is not a valid event envelope.
    InvalidEnvelope {
        /// The envelope attribute at fault, such as `specversion`; empty when it is the
        /// whole body (not JSON, not an object).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl WebhookError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        WebhookError::InvalidEnvelope {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The HTTP status to answer: 401, 400 or (for [`WebhookError::NoExpectedToken`]) 500.
    /// AccessGrid delivers the event again after any of them.
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::MissingAuthorization
            | WebhookError::MalformedAuthorization
            | WebhookError::WrongToken => 401,
            WebhookError::NoExpectedToken => 500,
            WebhookError::InvalidEnvelope { .. } => 400,
        }
    }

    /// Whether the request failed authentication (status 401). Such an answer should
    /// carry `WWW-Authenticate: Bearer` ([`WWW_AUTHENTICATE`]).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == 401
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingAuthorization => f.write_str("no Authorization header"),
            WebhookError::MalformedAuthorization => {
                f.write_str("the Authorization header is not `Bearer <token>`")
            }
            WebhookError::WrongToken => f.write_str("the bearer token is not the webhook's"),
            WebhookError::NoExpectedToken => {
                f.write_str("the receiver has no expected token configured")
            }
            WebhookError::InvalidEnvelope { field, reason } if field.is_empty() => {
                write!(f, "invalid event envelope: {reason}")
            }
            WebhookError::InvalidEnvelope { field, reason } => {
                write!(f, "invalid event envelope: `{field}`: {reason}")
            }
        }
    }
}

impl std::error::Error for WebhookError {}

/// Tells a repeated delivery of an event from its first: a bounded, thread-safe,
/// in-memory set of the event ids seen recently, for a receiver that keeps no database.
///
/// An id is remembered for `ttl` after it was first seen; at most `capacity` ids are
/// remembered, and at most [`max_bytes`](Deduper::max_bytes) bytes of them (16 MiB unless
/// set; each id counts its length twice plus [`Deduper::ENTRY_OVERHEAD`]): past either
/// bound the oldest is forgotten, and an id too long to fit at all is never remembered. AccessGrid retries a delivery for up
/// to six hours, so a `ttl` of at least that catches every retry of an acknowledged event
/// that the capacity has room for. A receiver that restarts forgets everything: keep the
/// ids in a database where a duplicate would do harm.
///
/// ```
/// use std::time::Duration;
/// use accessgrid::webhooks::Deduper;
///
/// let seen = Deduper::new(10_000, Duration::from_secs(24 * 60 * 60));
/// assert!(seen.first_time("evt_1"));
/// assert!(!seen.first_time("evt_1")); // a redelivery
/// // Handling failed: forget it, so that AccessGrid's next delivery is handled.
/// seen.forget("evt_1");
/// assert!(seen.first_time("evt_1"));
/// ```
pub struct Deduper {
    capacity: usize,
    max_bytes: usize,
    ttl: Duration,
    state: Mutex<DedupState>,
}

#[derive(Default)]
struct DedupState {
    /// id -> when it was first seen.
    seen: HashMap<String, Instant>,
    /// The same ids, oldest first.
    order: VecDeque<(String, Instant)>,
    /// What the remembered ids count against `max_bytes`.
    bytes: usize,
}

impl DedupState {
    /// Forgets the oldest id.
    fn pop_oldest(&mut self) -> bool {
        match self.order.pop_front() {
            Some((oldest, _)) => {
                self.seen.remove(&oldest);
                self.bytes = self.bytes.saturating_sub(Deduper::cost(&oldest));
                true
            }
            None => false,
        }
    }

    /// Forgets `id` wherever it is.
    fn remove(&mut self, id: &str) -> bool {
        let known = self.seen.remove(id).is_some();
        if known {
            self.order.retain(|(k, _)| k != id);
            self.bytes = self.bytes.saturating_sub(Deduper::cost(id));
        }
        known
    }
}

impl Deduper {
    /// What each remembered id counts against [`max_bytes`](Deduper::max_bytes) besides
    /// twice its length (it is kept in a map and in a queue).
    pub const ENTRY_OVERHEAD: usize = 64;

    /// Remembers up to `capacity` ids (0 remembers none: every id is new), each for `ttl`,
    /// in at most 16 MiB.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Deduper {
            capacity,
            max_bytes: 16 * 1024 * 1024,
            ttl,
            state: Mutex::new(DedupState::default()),
        }
    }

    /// The same, remembering ids in at most `bytes` bytes (the oldest are forgotten first).
    ///
    /// ```
    /// use std::time::Duration;
    /// use accessgrid::webhooks::Deduper;
    ///
    /// // Room for two ids of 8 bytes: (8 * 2 + 64) * 2 = 160.
    /// let seen = Deduper::new(1000, Duration::from_secs(3600)).max_bytes(160);
    /// assert!(seen.first_time("evt_0001") && seen.first_time("evt_0002"));
    /// assert!(seen.first_time("evt_0003")); // evt_0001 is forgotten to make room
    /// assert_eq!(seen.len(), 2);
    /// assert!(seen.first_time("evt_0001"));
    /// ```
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// What `id` counts against `max_bytes`.
    fn cost(id: &str) -> usize {
        id.len()
            .saturating_mul(2)
            .saturating_add(Self::ENTRY_OVERHEAD)
    }

    /// Whether `id` is seen for the first time (within `ttl`): `true` the first time, and
    /// records it; `false` for a repeat.
    pub fn first_time(&self, id: &str) -> bool {
        self.first_time_at(id, Instant::now())
    }

    /// [`first_time`](Deduper::first_time) with the current time given (for tests and
    /// for callers with their own clock).
    pub fn first_time_at(&self, id: &str, now: Instant) -> bool {
        if self.capacity == 0 {
            return true;
        }
        let mut state = self.lock();
        self.purge(&mut state, now);
        if let Some(first) = state.seen.get(id) {
            if !self.expired(*first, now) {
                return false;
            }
            // Only reachable when times were given out of order: drop the stale entry.
            state.remove(id);
        }
        let cost = Self::cost(id);
        if cost > self.max_bytes {
            // Too long to remember at all: every delivery of it counts as the first.
            return true;
        }
        while state.order.len() >= self.capacity
            || state.bytes.saturating_add(cost) > self.max_bytes
        {
            if !state.pop_oldest() {
                break;
            }
        }
        state.seen.insert(id.to_owned(), now);
        state.order.push_back((id.to_owned(), now));
        state.bytes = state.bytes.saturating_add(cost);
        true
    }

    /// Forgets `id`, so that its next delivery counts as the first; for when handling an
    /// event failed after [`first_time`](Deduper::first_time) and the receiver answers an
    /// error to have it delivered again. Answers whether it was remembered.
    pub fn forget(&self, id: &str) -> bool {
        self.lock().remove(id)
    }

    /// How many ids are remembered now (expired ones are dropped first).
    pub fn len(&self) -> usize {
        let mut state = self.lock();
        self.purge(&mut state, Instant::now());
        state.seen.len()
    }

    /// Whether no id is remembered now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, DedupState> {
        // The state stays consistent at every step, so a panic elsewhere that poisoned
        // the lock leaves nothing broken behind.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn expired(&self, first: Instant, now: Instant) -> bool {
        now.saturating_duration_since(first) >= self.ttl
    }

    /// Drops the expired ids at the front (the oldest).
    fn purge(&self, state: &mut DedupState, now: Instant) {
        while let Some((_, first)) = state.order.front() {
            if !self.expired(*first, now) || !state.pop_oldest() {
                break;
            }
        }
    }
}

debug_fields!(Deduper, |s| {
    capacity,
    max_bytes,
    ttl,
    remembered: s.lock().seen.len(),
});
