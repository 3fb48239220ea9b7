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
use crate::endpoints as ep;
use crate::error::Error;
use crate::models::{ActivateHidOrgRequest, CreateHidOrgRequest, HidOrg};
use crate::pagination::Page;
use crate::validate::{IntoRequest, Validate};

/// HID endpoints; made by [`Console::hid`](crate::Console::hid).
#[derive(Debug, Clone, Copy)]
pub struct Hid<'c> {
    pub(super) client: &'c Client,
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
    client: &'c Client,
}

impl HidOrgs<'_> {
    /// Lists the account's HID organizations: `GET /v1/console/hid/orgs`. Accepts the
    /// answer as a bare array or as `{"orgs": [...]}`; the page has no page figures.
    pub fn list(&self) -> Result<Page<HidOrg>, Error> {
        self.client.execute::<ep::ListHidOrgs>(&[], None, None)
    }

    /// Registers an HID organization: `POST /v1/console/hid/orgs`. The server answers the
    /// existing one if an organization of that name is already registered.
    pub fn create(&self, request: impl IntoRequest<CreateHidOrgRequest>) -> Result<HidOrg, Error> {
        self.client.execute_body::<ep::CreateHidOrg>(&[], request)
    }

    /// Completes an organization's registration with the credentials from HID's email:
    /// `POST /v1/console/hid/orgs/activate`.
    pub fn activate(
        &self,
        request: impl IntoRequest<ActivateHidOrgRequest>,
    ) -> Result<HidOrg, Error> {
        self.client.execute_body::<ep::ActivateHidOrg>(&[], request)
    }
}

/// Nothing to refuse before sending: the server checks the organization's details.
impl Validate for CreateHidOrgRequest {}

/// Nothing to refuse before sending: the server checks the credentials.
impl Validate for ActivateHidOrgRequest {}
