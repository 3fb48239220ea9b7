//! Access passes (`/v1/key-cards`): issue, get, update, list, and change state.

use crate::client::Client;
use crate::models::AccessCard;

/// Access-pass endpoints; made by [`Client::access_cards`].
#[derive(Debug, Clone, Copy)]
pub struct AccessCards<'c> {
    pub(crate) client: &'c Client,
}

impl AccessCard {
    /// Whether this is a unified Apple+Google pass, whose per-platform cards are in `details`.
    pub fn is_unified(&self) -> bool {
        self.details.as_ref().is_some_and(|d| !d.is_empty())
    }
}
