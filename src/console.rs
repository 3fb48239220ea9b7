//! The enterprise console (`/v1/console/...`): card templates, event logs, pairs, landing
//! pages, ledger, and the nested handles for credential profiles, webhooks and HID orgs.

use crate::client::Client;

/// Console endpoints; made by [`Client::console`].
#[derive(Debug, Clone, Copy)]
pub struct Console<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Console<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Console { client }
    }
}
