//! HID Origo (`/v1/console/hid/...`): organizations. Made by
//! [`Console::hid`](crate::console::Console::hid).
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

use ureq::http::Method;

use crate::client::Client;
use crate::console::Listed;
use crate::error::Error;
use crate::models::{ActivateHidOrgRequest, CreateHidOrgRequest, HidOrg};
use crate::validate::{prepare, Validate};

const ORGS: &str = "/v1/console/hid/orgs";

/// HID endpoints; made by [`Console::hid`](crate::console::Console::hid).
#[derive(Debug, Clone, Copy)]
pub struct Hid<'c> {
    client: &'c Client,
}

impl<'c> Hid<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Hid { client }
    }

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
    /// answer as a bare array or as `{"orgs": [...]}`.
    pub fn list(&self) -> Result<Vec<HidOrg>, Error> {
        self.client.call(Method::GET, ORGS).send_list()
    }

    /// Registers an HID organization: `POST /v1/console/hid/orgs`. The server answers the
    /// existing one if an organization of that name is already registered.
    pub fn create<R>(&self, request: R) -> Result<HidOrg, Error>
    where
        R: TryInto<CreateHidOrgRequest>,
        R::Error: Into<Error>,
    {
        let request: CreateHidOrgRequest = prepare(request)?;
        self.client.call(Method::POST, ORGS).json(&request)?.send()
    }

    /// Completes an organization's registration with the credentials from HID's email:
    /// `POST /v1/console/hid/orgs/activate`.
    pub fn activate<R>(&self, request: R) -> Result<HidOrg, Error>
    where
        R: TryInto<ActivateHidOrgRequest>,
        R::Error: Into<Error>,
    {
        let request: ActivateHidOrgRequest = prepare(request)?;
        self.client
            .call(Method::POST, format!("{ORGS}/activate"))
            .json(&request)?
            .send()
    }
}

impl Listed for HidOrg {
    const WRAPPERS: &'static [&'static str] = &["orgs", "hid_orgs"];
}

/// Nothing to refuse before sending: the server checks the organization's details.
impl Validate for CreateHidOrgRequest {}

/// Nothing to refuse before sending: the server checks the credentials.
impl Validate for ActivateHidOrgRequest {}
