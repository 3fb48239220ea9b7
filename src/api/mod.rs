//! The API's resources: one handle per resource, each method a line that names its
//! endpoint descriptor ([`crate::endpoints`]). Every handle has the same verbs where the
//! API has them (`get`, `list`, `list_all`, `create`, `update`, `delete`) plus the
//! resource's actions.

mod access_cards;
mod console;
mod credential_profiles;
mod hid;
mod methods;
mod webhooks;

pub use access_cards::AccessCards;
pub use console::{Console, LandingPages, Ledger, TemplatePairs, Templates};
pub use credential_profiles::{CredentialProfiles, KEY_HEX_LEN};
pub use hid::{Hid, HidOrgs};
pub use webhooks::ConsoleWebhooks;

use crate::client::Client;
use crate::endpoints::{path, Endpoint, Sign};
use crate::error::Error;
use crate::models::ExtraFields;
use crate::pagination::{pages, Page, PageQuery, Pages};
use crate::validate::{prepare, IntoRequest, Validate};

impl Client {
    /// Access passes: issue, get, update, list, and change state.
    pub fn access_cards(&self) -> AccessCards<'_> {
        AccessCards { client: self }
    }

    /// The enterprise console: templates, template pairs, landing pages, the ledger,
    /// credential profiles, webhooks and HID organizations.
    pub fn console(&self) -> Console<'_> {
        Console { client: self }
    }

    /// Calls endpoint `E` with its path parameters, query and body (all checked already:
    /// a resource method passes its request or query through [`prepare`] first).
    pub(crate) fn execute<E: Endpoint>(
        &self,
        params: &[&str],
        query: Option<&E::Query>,
        body: Option<&E::Request>,
    ) -> Result<E::Answer, Error> {
        let mut call = self.call(E::METHOD, path::<E>(params)?);
        if let Some(query) = query {
            call = call.query(query)?;
        }
        match (body, E::SIGN, params.first()) {
            (Some(body), _, _) => call = call.json(body)?,
            (None, Sign::Id, Some(id)) => call = call.about(id),
            _ => {}
        }
        let (status, answer) = call.send_raw()?;
        E::decode(status, &answer, params)
    }

    /// Every item of `E`'s pages, from the query's page (default 1), read when needed.
    pub(crate) fn execute_all<'c, E, T>(
        &'c self,
        params: &[&str],
        query: impl IntoRequest<E::Query>,
    ) -> Result<Pages<'c, T>, Error>
    where
        E: Endpoint<Answer = Page<T>> + 'c,
        E::Query: Validate + ExtraFields + PageQuery + 'c,
        T: 'c,
    {
        let query = prepare(query)?;
        // The path is checked now, so a bad id fails before the first item is asked for.
        path::<E>(params)?;
        let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
        Ok(pages(query, move |q| {
            let params: Vec<&str> = params.iter().map(String::as_str).collect();
            self.execute::<E>(&params, Some(q), None)
        }))
    }
}
