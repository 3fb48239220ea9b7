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

/// Webhook-subscription endpoints; made by
/// [`Console::webhooks`](crate::Console::webhooks).
#[derive(Debug, Clone, Copy)]
pub struct ConsoleWebhooks<'c> {
    pub(crate) client: &'c Client,
}
