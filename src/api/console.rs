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

use std::fmt;

use crate::client::Client;
use crate::endpoints as ep;
use crate::error::Error;
use crate::models::{
    CardTemplate, ConsolePageQuery, CreateLandingPageRequest, CreateTemplatePairRequest,
    CreateTemplateRequest, IosPreflight, IosPreflightRequest, LedgerItemsQuery, LogEventType,
    TemplateLogQuery, UpdateLandingPageRequest, UpdateTemplateRequest,
};
use crate::validate::{prepare, Validate};

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

// --- validation ---

/// `field` must hold something other than white space.
pub(crate) fn required(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// `page` and `per_page` are 1 or more (pages count from 1; a page of no items would stop
/// an iteration before its end); `per_page` is at most `max` where the documentation sets
/// one.
pub(crate) fn check_page(
    page: Option<u32>,
    per_page: Option<u32>,
    max: Option<u32>,
) -> Result<(), Error> {
    if page == Some(0) {
        return Err(Error::invalid(
            "page",
            "must be 1 or more (pages count from 1)",
        ));
    }
    match (per_page, max) {
        (Some(0), _) => Err(Error::invalid("per_page", "must be 1 or more")),
        (Some(n), Some(max)) if n > max => Err(Error::invalid(
            "per_page",
            format!("is {n}; it must be between 1 and {max}"),
        )),
        _ => Ok(()),
    }
}

/// The most items a console list page holds.
pub const MAX_PER_PAGE: u32 = 100;

/// An open enumeration value in a request must be one the SDK knows.
pub(crate) fn known<T: fmt::Display>(
    field: &str,
    value: &T,
    unknown: bool,
    allowed: &[T],
) -> Result<(), Error> {
    if unknown {
        let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
        return Err(Error::invalid(
            field,
            format!("is `{value}`; it must be one of {}", allowed.join(", ")),
        ));
    }
    Ok(())
}

/// `watch_count` and `iphone_count` are 1 to 5, as documented. (The documentation also
/// ties them to `allow_on_multiple_devices`, but that is the template's setting, not
/// something the same request must repeat: the server decides.)
fn check_device_counts(watch_count: Option<u8>, iphone_count: Option<u8>) -> Result<(), Error> {
    for (field, count) in [("watch_count", watch_count), ("iphone_count", iphone_count)] {
        let Some(n) = count else { continue };
        if !(1..=5).contains(&n) {
            return Err(Error::invalid(
                field,
                format!("is {n}; it must be between 1 and 5"),
            ));
        }
    }
    Ok(())
}

/// Colours are `#RRGGBB` (checked when built); device counts 1 to 5. `platform` and
/// `use_case` are open values, sent as given (`android` names the Google side).
impl Validate for CreateTemplateRequest {
    fn validate(&self) -> Result<(), Error> {
        check_device_counts(self.watch_count, self.iphone_count)
    }
}

impl Validate for UpdateTemplateRequest {
    fn validate(&self) -> Result<(), Error> {
        check_device_counts(self.watch_count, self.iphone_count)
    }
}

/// Pages from 1; the event-type filter takes only the documented values.
impl Validate for TemplateLogQuery {
    fn validate(&self) -> Result<(), Error> {
        check_page(self.page, self.per_page, None)?;
        if let Some(event_type) = self.filters.as_ref().and_then(|f| f.event_type.as_ref()) {
            known(
                "filters.event_type",
                event_type,
                event_type.is_unknown(),
                LogEventType::KNOWN,
            )?;
        }
        Ok(())
    }
}

impl Validate for IosPreflightRequest {
    fn validate(&self) -> Result<(), Error> {
        required("access_pass_ex_id", &self.access_pass_ex_id)
    }
}

/// Pages from 1, at most [`MAX_PER_PAGE`] items a page (documented for the ledger).
impl Validate for LedgerItemsQuery {
    fn validate(&self) -> Result<(), Error> {
        check_page(self.page, self.per_page, Some(MAX_PER_PAGE))
    }
}

impl Validate for ConsolePageQuery {
    fn validate(&self) -> Result<(), Error> {
        check_page(self.page, self.per_page, None)
    }
}

/// The two template ids must not be empty.
impl Validate for CreateTemplatePairRequest {
    fn validate(&self) -> Result<(), Error> {
        required("apple_card_template_id", &self.apple_card_template_id)?;
        required("google_card_template_id", &self.google_card_template_id)
    }
}

/// `bg_color` is `#RRGGBB` (checked when built); `kind` is an open value, sent as given.
impl Validate for CreateLandingPageRequest {}

impl Validate for UpdateLandingPageRequest {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_limits() {
        let max = Some(MAX_PER_PAGE);
        assert!(check_page(Some(1), Some(1), max).is_ok());
        assert!(check_page(None, Some(MAX_PER_PAGE), max).is_ok());
        assert!(check_page(Some(0), None, max).is_err());
        assert!(check_page(None, Some(0), max).is_err());
        assert!(check_page(None, Some(0), None).is_err());
        assert!(check_page(None, Some(MAX_PER_PAGE + 1), max).is_err());
        assert!(check_page(None, Some(MAX_PER_PAGE + 1), None).is_ok());
    }

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
