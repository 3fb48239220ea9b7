//! The enterprise console (`/v1/console/...`): card templates, event logs, iOS preflight,
//! template pairs, landing pages, the ledger, and the nested handles for credential
//! profiles ([`Console::credential_profiles`]), webhooks ([`Console::webhooks`]) and HID
//! organizations ([`Console::hid`]).
//!
//! ```no_run
//! # fn main() -> Result<(), accessgrid::Error> {
//! use accessgrid::models::{CreateTemplateRequest, TemplatePlatform, TemplateUseCase};
//!
//! let client = accessgrid::Client::from_env()?;
//! let template = client.console().templates().create(
//!     CreateTemplateRequest::builder()
//!         .name("Employee Access Pass")
//!         .platform(TemplatePlatform::Apple)
//!         .use_case(TemplateUseCase::CorporateId)
//!         .protocol("desfire")
//!         .background_color("#FFFFFF"),
//! )?;
//! let id = template.id;
//! let published = client.console().templates().publish(&id)?;
//! println!("{id}: {:?}", published.status);
//! # Ok(()) }
//! ```

use crate::client::Client;
use crate::endpoints as ep;
use crate::error::Error;
use crate::models::{CardTemplate, IosPreflight, IosPreflightRequest};
use crate::validate::prepare;

use super::{ConsoleWebhooks, CredentialProfiles, Hid};

/// The enterprise console's resources; made by [`Client::console`].
#[derive(Debug, Clone, Copy)]
pub struct Console<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Console<'c> {
    /// Card templates: create, list, get, update, delete, publish, their event logs, iOS
    /// preflight (and, with the `smart-tap` feature, SmartTap key reveal).
    pub fn templates(&self) -> Templates<'c> {
        Templates {
            client: self.client,
        }
    }

    /// Apple+Google template pairs: list, create.
    pub fn pairs(&self) -> TemplatePairs<'c> {
        TemplatePairs {
            client: self.client,
        }
    }

    /// Landing pages: list, create, update.
    pub fn landing_pages(&self) -> LandingPages<'c> {
        LandingPages {
            client: self.client,
        }
    }

    /// The account's ledger (charges and credits): list.
    pub fn ledger(&self) -> Ledger<'c> {
        Ledger {
            client: self.client,
        }
    }

    /// Credential profiles: list, create, delete.
    pub fn credential_profiles(&self) -> CredentialProfiles<'c> {
        CredentialProfiles {
            client: self.client,
        }
    }

    /// Webhook subscriptions: list, create, delete, verify.
    pub fn webhooks(&self) -> ConsoleWebhooks<'c> {
        ConsoleWebhooks {
            client: self.client,
        }
    }

    /// HID Origo: organizations.
    pub fn hid(&self) -> Hid<'c> {
        Hid {
            client: self.client,
        }
    }
}

/// Card-template endpoints; made by [`Console::templates`].
#[derive(Debug, Clone, Copy)]
pub struct Templates<'c> {
    pub(crate) client: &'c Client,
}

impl<'c> Templates<'c> {
    /// Gets the identifiers Apple Wallet in-app provisioning needs for a pass:
    /// `POST /v1/console/card-templates/{template_id}/ios_preflight` with
    /// `{"access_pass_ex_id": ...}`.
    pub fn ios_preflight(
        &self,
        template_id: &str,
        access_pass_ex_id: &str,
    ) -> Result<IosPreflight, Error> {
        let request: IosPreflightRequest =
            prepare(IosPreflightRequest::builder().access_pass_ex_id(access_pass_ex_id))?;
        self.client
            .execute::<ep::IosPreflight>(&[template_id], None, Some(&request))
    }
}

/// Template-pair endpoints; made by [`Console::pairs`].
#[derive(Debug, Clone, Copy)]
pub struct TemplatePairs<'c> {
    pub(crate) client: &'c Client,
}

/// Landing-page endpoints; made by [`Console::landing_pages`].
#[derive(Debug, Clone, Copy)]
pub struct LandingPages<'c> {
    pub(crate) client: &'c Client,
}

/// Ledger endpoints; made by [`Console::ledger`].
#[derive(Debug, Clone, Copy)]
pub struct Ledger<'c> {
    pub(crate) client: &'c Client,
}

impl CardTemplate {
    /// Whether this answer is an Apple+Google template pair (`is_pair: true`, or member
    /// templates in `templates`).
    pub fn is_pair(&self) -> bool {
        self.is_pair == Some(true) || self.templates.as_ref().is_some_and(|t| !t.is_empty())
    }

    /// The member templates of a pair; empty for a single template.
    pub fn members(&self) -> &[CardTemplate] {
        self.templates.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_detection() {
        let template = |json: &str| -> CardTemplate {
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
        };
        let single = template(r#"{"id":"t"}"#);
        assert!(!single.is_pair());
        let flagged = template(r#"{"id":"p","is_pair":true}"#);
        assert!(flagged.is_pair());
        let with_members = template(r#"{"id":"p","templates":[{"id":"t"}]}"#);
        assert!(with_members.is_pair());
        assert_eq!(with_members.members().len(), 1);
        assert_eq!(with_members.members()[0].id, "t");
    }
}
