//! HID Origo (`/v1/console/hid/...`): organizations. Made by
//! [`Console::hid`](crate::Console::hid).
//!
//! ```no_run
//! # fn main() -> Result<(), accessgrid::Error> {
//! use accessgrid::models::{ActivateHidOrgRequest, CreateHidOrgRequest};
//!
//! let client = accessgrid::Client::from_env()?;
//! let orgs = client.console().hid().orgs();
//! let org = orgs.create(
//!     CreateHidOrgRequest::builder()
//!         .name("My Organization")
//!         .full_address("1 Main St, NY NY")
//!         .phone("+1-555-0000")
//!         .first_name("Ada")
//!         .last_name("Lovelace"),
//! )?;
//! println!("{:?} {:?}", org.id, org.slug);
//! // Later, with the credentials from HID's email:
//! let org = orgs.activate(
//!     ActivateHidOrgRequest::builder().email("admin@example.com").password("hid-password"),
//! )?;
//! println!("{:?}", org.status);
//! # Ok(()) }
//! ```

use crate::client::Client;

/// HID endpoints; made by [`Console::hid`](crate::Console::hid).
#[derive(Debug, Clone, Copy)]
pub struct Hid<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Hid<'c> {
    /// HID Origo organizations: list, create, activate.
    pub fn orgs(&self) -> HidOrgs<'c> {
        HidOrgs {
            client: self.client,
        }
    }
}

/// HID-organization endpoints; made by [`Hid::orgs`].
#[derive(Debug, Clone, Copy)]
pub struct HidOrgs<'c> {
    pub(crate) client: &'c Client,
}
