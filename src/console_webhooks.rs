//! Webhook subscriptions (`/v1/console/webhooks`): list, create, delete, verify. Made by
//! [`Console::webhooks`](crate::console::Console::webhooks). (Receiving the deliveries is
//! another matter.)
//!
//! ```no_run
//! # fn main() -> Result<(), accessgrid::Error> {
//! use accessgrid::models::CreateWebhookRequest;
//!
//! let client = accessgrid::Client::from_env()?;
//! let webhook = client.console().webhooks().create(
//!     CreateWebhookRequest::builder()
//!         .name("Production")
//!         .url("https://example.com/webhooks")
//!         .subscribed_events(vec!["ag.access_pass.issued".to_owned()]),
//! )?;
//! // The bearer token deliveries will carry; the server shows it only now.
//! let token = webhook.private_key.unwrap_or_default();
//! # let _ = token;
//! # Ok(()) }
//! ```

use serde::de::IgnoredAny;
use ureq::http::Method;

use crate::client::Client;
use crate::console::paginated;
use crate::error::Error;
use crate::models::{
    ConsolePageQuery, CreateWebhookRequest, Webhook, WebhookList, WebhookVerifyResult,
};
use crate::pagination::pages;
use crate::pagination::{PageInfo, Pages, Paginated};
use crate::transport::segment;
use crate::validate::{prepare, Validate};

const PATH: &str = "/v1/console/webhooks";

/// Webhook-subscription endpoints; made by
/// [`Console::webhooks`](crate::console::Console::webhooks).
#[derive(Debug, Clone, Copy)]
pub struct ConsoleWebhooks<'c> {
    client: &'c Client,
}

impl<'c> ConsoleWebhooks<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        ConsoleWebhooks { client }
    }

    /// Reads one page of webhooks: `GET /v1/console/webhooks`.
    pub fn list<R>(&self, query: R) -> Result<WebhookList, Error>
    where
        R: TryInto<ConsolePageQuery>,
        R::Error: Into<Error>,
    {
        let query: ConsolePageQuery = prepare(query)?;
        self.page(&query)
    }

    /// Iterates over every webhook, across pages, fetching each page when needed (from
    /// `query.page`, default 1).
    pub fn iter<R>(&self, query: R) -> Result<Pages<'c, WebhookList>, Error>
    where
        R: TryInto<ConsolePageQuery>,
        R::Error: Into<Error>,
    {
        let query: ConsolePageQuery = prepare(query)?;
        let this = *self;
        Ok(pages(query, move |q| this.page(q)))
    }

    fn page(&self, query: &ConsolePageQuery) -> Result<WebhookList, Error> {
        self.client.call(Method::GET, PATH).query(query)?.send()
    }

    /// Creates a webhook: `POST /v1/console/webhooks`.
    ///
    /// `auth_method` defaults to `bearer_token`; the answer then carries the bearer token
    /// in [`Webhook::private_key`], which the server does not show again: store it.
    pub fn create<R>(&self, request: R) -> Result<Webhook, Error>
    where
        R: TryInto<CreateWebhookRequest>,
        R::Error: Into<Error>,
    {
        let request: CreateWebhookRequest = prepare(request)?;
        self.client.call(Method::POST, PATH).json(&request)?.send()
    }

    /// Deletes a webhook: `DELETE /v1/console/webhooks/{webhook_id}`.
    pub fn delete(&self, webhook_id: &str) -> Result<(), Error> {
        let path = format!("{PATH}/{}", segment("webhook_id", webhook_id)?);
        self.client
            .call(Method::DELETE, path)
            .about(webhook_id)
            .send::<IgnoredAny>()
            .map(drop)
    }

    /// Asks the server to verify a webhook: `POST /v1/console/webhooks/{webhook_id}/verify`,
    /// with no body. `verified` is true if it already was, false if verification has just
    /// started.
    pub fn verify(&self, webhook_id: &str) -> Result<WebhookVerifyResult, Error> {
        let path = format!("{PATH}/{}/verify", segment("webhook_id", webhook_id)?);
        self.client
            .call(Method::POST, path)
            .about(webhook_id)
            .send()
    }
}

paginated!(WebhookList => webhooks: Webhook);

/// Nothing to refuse before sending: `auth_method` is an open value, and the name, URL
/// and event types are the server's to check.
impl Validate for CreateWebhookRequest {}
