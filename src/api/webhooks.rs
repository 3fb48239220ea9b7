//! Webhook subscriptions (`/v1/console/webhooks`): list, create, delete, verify. Made by
//! [`Console::webhooks`](crate::Console::webhooks). (Receiving the deliveries is
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

use crate::client::Client;
use crate::endpoints as ep;
use crate::error::Error;
use crate::models::{ConsolePageQuery, CreateWebhookRequest, Webhook, WebhookVerifyResult};
use crate::pagination::{Page, Pages};
use crate::validate::{IntoRequest, Validate};

/// Webhook-subscription endpoints; made by
/// [`Console::webhooks`](crate::Console::webhooks).
#[derive(Debug, Clone, Copy)]
pub struct ConsoleWebhooks<'c> {
    pub(super) client: &'c Client,
}

impl<'c> ConsoleWebhooks<'c> {
    /// Reads one page of webhooks: `GET /v1/console/webhooks`.
    pub fn list(&self, query: impl IntoRequest<ConsolePageQuery>) -> Result<Page<Webhook>, Error> {
        self.client.execute_query::<ep::ListWebhooks>(&[], query)
    }

    /// Iterates over every webhook, across pages, reading each page when needed (from
    /// `query.page`, default 1).
    pub fn list_all(
        &self,
        query: impl IntoRequest<ConsolePageQuery>,
    ) -> Result<Pages<'c, Webhook>, Error> {
        self.client.execute_all::<ep::ListWebhooks, _>(&[], query)
    }

    /// Creates a webhook: `POST /v1/console/webhooks`.
    ///
    /// `auth_method` defaults to `bearer_token`; the answer then carries the bearer token
    /// in [`Webhook::private_key`], which the server does not show again: store it.
    pub fn create(
        &self,
        request: impl IntoRequest<CreateWebhookRequest>,
    ) -> Result<Webhook, Error> {
        self.client.execute_body::<ep::CreateWebhook>(&[], request)
    }

    /// Deletes a webhook: `DELETE /v1/console/webhooks/{webhook_id}`.
    pub fn delete(&self, webhook_id: &str) -> Result<(), Error> {
        self.client
            .execute::<ep::DeleteWebhook>(&[webhook_id], None, None)
    }

    /// Asks the server to verify a webhook: `POST /v1/console/webhooks/{webhook_id}/verify`,
    /// with no body. `verified` is true if it already was, false if verification has just
    /// started.
    pub fn verify(&self, webhook_id: &str) -> Result<WebhookVerifyResult, Error> {
        self.client
            .execute::<ep::VerifyWebhook>(&[webhook_id], None, None)
    }
}

/// Nothing to refuse before sending: `auth_method` is an open value, and the name, URL
/// and event types are the server's to check.
impl Validate for CreateWebhookRequest {}
