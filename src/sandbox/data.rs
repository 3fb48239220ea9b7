//! The sandbox's plain data: what a test injects into it ([`Fault`], [`DeviceType`]) and
//! what it reads back from it ([`SandboxEvent`], [`Delivery`], [`SeenRequest`]). Re-exported
//! by the `sandbox` module; nothing here depends on the running server.

use std::time::Duration;

use crate::models::EventType;
use crate::webhooks::WebhookEvent;

/// A fault the sandbox answers with instead of serving a request; see [`Sandbox::inject`](super::Sandbox::inject).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this status with a JSON `message` (and no `Retry-After`).
    Status(u16),
    /// Answer 429 with `Retry-After` set to this many seconds.
    RateLimited {
        /// The `Retry-After` value, in seconds.
        retry_after: u64,
    },
    /// Wait this long, then serve the request as usual.
    Delay(Duration),
    /// Serve the request as usual (a pass is issued, a state changes), then close the
    /// connection without answering: the client learns nothing of what happened. For
    /// testing that a lost answer never makes a client act twice; aim it at one route
    /// with [`Sandbox::inject_on`](super::Sandbox::inject_on).
    LoseAnswer,
}

/// The kind of device a simulated wallet install puts the pass on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeviceType {
    /// A phone.
    Mobile,
    /// A watch.
    Watch,
}

impl DeviceType {
    /// The name the API uses (`mobile`, `watch`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::Mobile => "mobile",
            DeviceType::Watch => "watch",
        }
    }
}

/// An event the sandbox recorded, as a webhook subscriber would receive it (CloudEvents
/// `id`, `type`, `time` and `data`). See [`Sandbox::events`](super::Sandbox::events).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SandboxEvent {
    /// Unique event id.
    pub id: String,
    /// The event type, e.g. `ag.access_pass.suspended`.
    pub kind: String,
    /// ISO 8601 time of the event.
    pub time: String,
    /// The event's data (`access_pass_id`, `card_template_id`, `device`, ...).
    pub data: serde_json::Value,
}

impl SandboxEvent {
    /// The event type as the SDK's open enum.
    pub fn event_type(&self) -> EventType {
        EventType::from(self.kind.as_str())
    }

    /// The CloudEvents envelope the sandbox POSTs to webhooks for this event
    /// (`specversion` `"1.0"`, `source` `"accessgrid"`, `datacontenttype`
    /// `"application/json"`, and this event's `id`, `type`, `time` and `data`).
    pub fn envelope(&self) -> WebhookEvent {
        let mut event = WebhookEvent::new(self.id.clone(), self.event_type(), self.data.clone());
        event.time = Some(self.time.clone());
        event
    }
}

/// One attempt to deliver an event to a webhook, or the record that an event was not
/// delivered to a webhook whose URL is not on loopback; see [`Sandbox::deliveries`](super::Sandbox::deliveries).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The webhook's id.
    pub webhook_id: String,
    /// The webhook's URL.
    pub url: String,
    /// The event's id (the envelope's `id`; the same on every attempt).
    pub event_id: String,
    /// The event's type, e.g. `ag.access_pass.suspended`.
    pub event_type: String,
    /// The attempt's number, from 1; 0 for [`DeliveryOutcome::NotLoopback`].
    pub attempt: u32,
    /// What came of it.
    pub outcome: DeliveryOutcome,
    /// Whether another attempt follows (the attempt failed and attempts are left).
    pub will_retry: bool,
}

impl Delivery {
    /// Whether the receiver accepted the event (answered 200 or 201).
    pub fn delivered(&self) -> bool {
        matches!(self.outcome, DeliveryOutcome::Answered(200 | 201))
    }
}

/// What came of one delivery attempt; see [`Delivery`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// The receiver answered this status. Only 200 and 201 count as delivered; any other
    /// status is retried.
    Answered(u16),
    /// No answer: the connection failed or timed out (the message says how). Retried.
    Failed(String),
    /// The webhook's URL is not on a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`):
    /// the sandbox never contacts it.
    NotLoopback,
}

/// A request the sandbox answered; see [`Sandbox::requests`](super::Sandbox::requests).
///
/// The method and path are the client's text: a path longer than
/// [`REQUEST_LOG_MAX_PATH`](super::REQUEST_LOG_MAX_PATH) bytes is kept cut at a character boundary and ends in `…`,
/// a method longer than 16 bytes likewise.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path, without the query, e.g. `/v1/key-cards`.
    pub path: String,
    /// The status of the answer; 0 when the answer was lost on purpose
    /// ([`Fault::LoseAnswer`]).
    pub status: u16,
}
