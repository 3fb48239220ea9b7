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
//! let template = client.console().create_template(
//!     CreateTemplateRequest::builder()
//!         .name("Employee Access Pass")
//!         .platform(TemplatePlatform::Apple)
//!         .use_case(TemplateUseCase::CorporateId)
//!         .protocol("desfire")
//!         .background_color("#FFFFFF"),
//! )?;
//! let id = template.id.unwrap_or_default();
//! let published = client.console().publish_template(&id)?;
//! println!("{id}: {:?}", published.status);
//! # Ok(()) }
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny};
use ureq::http::Method;

use crate::client::Client;
use crate::console_webhooks::ConsoleWebhooks;
use crate::credential_profiles::CredentialProfiles;
use crate::error::Error;
use crate::hid::Hid;
use crate::models::{
    CardTemplate, ConsolePageQuery, CreateLandingPageRequest, CreateTemplatePairRequest,
    CreateTemplateRequest, IosPreflight, IosPreflightRequest, LandingPage, LedgerItem,
    LedgerItemList, LedgerItemsQuery, LogEventType, PublishTemplateResult, TemplateLogEntry,
    TemplateLogList, TemplateLogQuery, TemplatePair, TemplatePairList, UpdateLandingPageRequest,
    UpdateTemplateRequest,
};
use crate::pagination::{page_query, pages, PageInfo, Pages, Paginated};
use crate::transport::segment;
use crate::validate::{prepare, Validate};

/// Console endpoints; made by [`Client::console`].
#[derive(Debug, Clone, Copy)]
pub struct Console<'c> {
    pub(crate) client: &'c Client,
}

const TEMPLATES: &str = "/v1/console/card-templates";
const PAIRS: &str = "/v1/console/card-template-pairs";
const LANDING_PAGES: &str = "/v1/console/landing-pages";
const LEDGER: &str = "/v1/console/ledger-items";

impl<'c> Console<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Console { client }
    }

    /// Credential profiles: list, create, delete.
    pub fn credential_profiles(&self) -> CredentialProfiles<'c> {
        CredentialProfiles::new(self.client)
    }

    /// Webhook subscriptions: list, create, delete, verify.
    pub fn webhooks(&self) -> ConsoleWebhooks<'c> {
        ConsoleWebhooks::new(self.client)
    }

    /// HID Origo: organizations.
    pub fn hid(&self) -> Hid<'c> {
        Hid::new(self.client)
    }

    // --- card templates ---

    /// Creates a card template (enterprise): `POST /v1/console/card-templates`.
    ///
    /// Takes a [`CreateTemplateRequest`] or its builder. Colours must be `#RRGGBB`;
    /// `watch_count` and `iphone_count` must be 1 to 5 and need `allow_on_multiple_devices`;
    /// `platform` must be a known one. The design and support fields go on the wire flat,
    /// at the top level of the body. The answer may hold only `id`,
    /// `estimated_publishing_date` and `metadata`.
    pub fn create_template<R>(&self, request: R) -> Result<CardTemplate, Error>
    where
        R: TryInto<CreateTemplateRequest>,
        R::Error: Into<Error>,
    {
        let request: CreateTemplateRequest = prepare(request)?;
        self.client
            .call(Method::POST, TEMPLATES)
            .json(&request)?
            .send()
    }

    /// Lists the account's card templates: `GET /v1/console/card-templates`.
    ///
    /// Accepts the answer as a bare array or wrapped as `{"card_templates": [...]}` or
    /// `{"templates": [...]}`.
    pub fn list_templates(&self) -> Result<Vec<CardTemplate>, Error> {
        self.client.call(Method::GET, TEMPLATES).send_list()
    }

    /// Reads one card template: `GET /v1/console/card-templates/{template_id}`.
    ///
    /// When the id names an Apple+Google template pair, the answer is the pair: its
    /// [`CardTemplate::is_pair`] is true and [`CardTemplate::members`] holds the member
    /// templates.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), accessgrid::Error> {
    /// let client = accessgrid::Client::from_env()?;
    /// let template = client.console().read_template("0xd3adb00b5")?;
    /// if template.is_pair() {
    ///     for member in template.members() {
    ///         println!("{:?} on {:?}", member.name, member.platform);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn read_template(&self, template_id: &str) -> Result<CardTemplate, Error> {
        let path = template_path(template_id, "")?;
        self.client
            .call(Method::GET, path)
            .about(template_id)
            .send()
    }

    /// Updates a card template (enterprise): `PUT /v1/console/card-templates/{template_id}`.
    /// Only the fields set are sent, flat at the top level of the body.
    pub fn update_template<R>(&self, template_id: &str, request: R) -> Result<CardTemplate, Error>
    where
        R: TryInto<UpdateTemplateRequest>,
        R::Error: Into<Error>,
    {
        let path = template_path(template_id, "")?;
        let request: UpdateTemplateRequest = prepare(request)?;
        self.client.call(Method::PUT, path).json(&request)?.send()
    }

    /// Deletes a card template: `DELETE /v1/console/card-templates/{template_id}`.
    /// The server refuses (422) while passes still use it.
    pub fn delete_template(&self, template_id: &str) -> Result<(), Error> {
        let path = template_path(template_id, "")?;
        self.client
            .call(Method::DELETE, path)
            .about(template_id)
            .send::<IgnoredAny>()
            .map(drop)
    }

    /// Publishes a card template: `POST /v1/console/card-templates/{template_id}/publish`,
    /// with no body. The answer's status is `publishing`, `in-review` or `ready`.
    pub fn publish_template(&self, template_id: &str) -> Result<PublishTemplateResult, Error> {
        let path = template_path(template_id, "/publish")?;
        self.client
            .call(Method::POST, path)
            .about(template_id)
            .send()
    }

    // --- event log ---

    /// Reads one page of a template's event log:
    /// `GET /v1/console/card-templates/{template_id}/logs`.
    ///
    /// Filters go on the wire as `filters[device]`, `filters[start_date]`,
    /// `filters[end_date]` and `filters[event_type]`; `device` must be `mobile` or `watch`,
    /// `event_type` one of the known [`LogEventType`]s, and `per_page` 1 to 100. The
    /// entries are in `logs`.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), accessgrid::Error> {
    /// use accessgrid::models::{LogEventType, TemplateLogFilters, TemplateLogQuery};
    ///
    /// let client = accessgrid::Client::from_env()?;
    /// let page = client.console().event_log(
    ///     "0xd3adb00b5",
    ///     TemplateLogQuery::builder().filters(
    ///         TemplateLogFilters::builder()
    ///             .device("mobile")
    ///             .event_type(LogEventType::Install)
    ///             .start_date("2025-01-01T00:00:00Z"),
    ///     ),
    /// )?;
    /// for entry in page.logs.unwrap_or_default() {
    ///     println!("{:?} {:?}", entry.created_at, entry.event);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn event_log<R>(&self, template_id: &str, query: R) -> Result<TemplateLogList, Error>
    where
        R: TryInto<TemplateLogQuery>,
        R::Error: Into<Error>,
    {
        let query: TemplateLogQuery = prepare(query)?;
        self.event_log_page(template_id, &query)
    }

    /// Iterates over every event of a template's log, across pages, fetching each page
    /// when needed (from `query.page`, default 1).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), accessgrid::Error> {
    /// use accessgrid::models::TemplateLogQuery;
    ///
    /// let client = accessgrid::Client::from_env()?;
    /// for entry in client.console().event_log_iter("0xd3adb00b5", TemplateLogQuery::default())? {
    ///     let entry = entry?;
    ///     println!("{:?}", entry.event);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn event_log_iter<R>(
        &self,
        template_id: &str,
        query: R,
    ) -> Result<Pages<'c, TemplateLogList>, Error>
    where
        R: TryInto<TemplateLogQuery>,
        R::Error: Into<Error>,
    {
        let query: TemplateLogQuery = prepare(query)?;
        segment("template_id", template_id)?;
        let this = *self;
        let template_id = template_id.to_owned();
        Ok(pages(query, move |q| this.event_log_page(&template_id, q)))
    }

    fn event_log_page(
        &self,
        template_id: &str,
        query: &TemplateLogQuery,
    ) -> Result<TemplateLogList, Error> {
        let path = template_path(template_id, "/logs")?;
        self.client
            .call(Method::GET, path)
            .query(query)?
            .about(template_id)
            .send()
    }

    // --- iOS preflight ---

    /// Gets the identifiers Apple Wallet in-app provisioning needs for a pass:
    /// `POST /v1/console/card-templates/{template_id}/ios_preflight` with
    /// `{"access_pass_ex_id": ...}`.
    pub fn ios_preflight(
        &self,
        template_id: &str,
        access_pass_ex_id: &str,
    ) -> Result<IosPreflight, Error> {
        let path = template_path(template_id, "/ios_preflight")?;
        let request: IosPreflightRequest =
            prepare(IosPreflightRequest::builder().access_pass_ex_id(access_pass_ex_id))?;
        self.client.call(Method::POST, path).json(&request)?.send()
    }

    // --- ledger ---

    /// Reads one page of the account's ledger (charges and credits):
    /// `GET /v1/console/ledger-items`. `per_page` is 1 to 100 (the server's default is 50).
    /// Each item's [`Amount`](crate::models::Amount) is exact.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), accessgrid::Error> {
    /// use accessgrid::models::LedgerItemsQuery;
    ///
    /// let client = accessgrid::Client::from_env()?;
    /// let page = client.console().ledger_items(
    ///     LedgerItemsQuery::builder().per_page(100).start_date("2025-01-01T00:00:00Z"),
    /// )?;
    /// let total_cents: i128 = page
    ///     .ledger_items
    ///     .unwrap_or_default()
    ///     .iter()
    ///     .filter_map(|item| item.amount.as_ref()?.to_cents())
    ///     .sum();
    /// println!("{total_cents} cents");
    /// # Ok(()) }
    /// ```
    pub fn ledger_items<R>(&self, query: R) -> Result<LedgerItemList, Error>
    where
        R: TryInto<LedgerItemsQuery>,
        R::Error: Into<Error>,
    {
        let query: LedgerItemsQuery = prepare(query)?;
        self.ledger_page(&query)
    }

    /// Iterates over every ledger item of the query, across pages, fetching each page when
    /// needed (from `query.page`, default 1).
    pub fn ledger_items_iter<R>(&self, query: R) -> Result<Pages<'c, LedgerItemList>, Error>
    where
        R: TryInto<LedgerItemsQuery>,
        R::Error: Into<Error>,
    {
        let query: LedgerItemsQuery = prepare(query)?;
        let this = *self;
        Ok(pages(query, move |q| this.ledger_page(q)))
    }

    fn ledger_page(&self, query: &LedgerItemsQuery) -> Result<LedgerItemList, Error> {
        self.client.call(Method::GET, LEDGER).query(query)?.send()
    }

    // --- template pairs ---

    /// Reads one page of Apple+Google template pairs: `GET /v1/console/card-template-pairs`.
    pub fn list_pass_template_pairs<R>(&self, query: R) -> Result<TemplatePairList, Error>
    where
        R: TryInto<ConsolePageQuery>,
        R::Error: Into<Error>,
    {
        let query: ConsolePageQuery = prepare(query)?;
        self.pairs_page(&query)
    }

    /// Iterates over every template pair, across pages, fetching each page when needed
    /// (from `query.page`, default 1).
    pub fn pass_template_pairs_iter<R>(
        &self,
        query: R,
    ) -> Result<Pages<'c, TemplatePairList>, Error>
    where
        R: TryInto<ConsolePageQuery>,
        R::Error: Into<Error>,
    {
        let query: ConsolePageQuery = prepare(query)?;
        let this = *self;
        Ok(pages(query, move |q| this.pairs_page(q)))
    }

    fn pairs_page(&self, query: &ConsolePageQuery) -> Result<TemplatePairList, Error> {
        self.client.call(Method::GET, PAIRS).query(query)?.send()
    }

    /// Pairs a published Apple template with a published Google one, for unified passes:
    /// `POST /v1/console/card-template-pairs`.
    pub fn create_pass_template_pair<R>(&self, request: R) -> Result<TemplatePair, Error>
    where
        R: TryInto<CreateTemplatePairRequest>,
        R::Error: Into<Error>,
    {
        let request: CreateTemplatePairRequest = prepare(request)?;
        self.client.call(Method::POST, PAIRS).json(&request)?.send()
    }

    // --- landing pages ---

    /// Lists the account's landing pages: `GET /v1/console/landing-pages`. Accepts the
    /// answer as a bare array or as `{"landing_pages": [...]}`.
    pub fn list_landing_pages(&self) -> Result<Vec<LandingPage>, Error> {
        self.client.call(Method::GET, LANDING_PAGES).send_list()
    }

    /// Creates a landing page: `POST /v1/console/landing-pages`. `kind` must be a known
    /// [`LandingPageKind`](crate::models::LandingPageKind); `bg_color` must be `#RRGGBB`.
    pub fn create_landing_page<R>(&self, request: R) -> Result<LandingPage, Error>
    where
        R: TryInto<CreateLandingPageRequest>,
        R::Error: Into<Error>,
    {
        let request: CreateLandingPageRequest = prepare(request)?;
        self.client
            .call(Method::POST, LANDING_PAGES)
            .json(&request)?
            .send()
    }

    /// Updates a landing page: `PUT /v1/console/landing-pages/{landing_page_id}`. Only the
    /// fields set are sent.
    pub fn update_landing_page<R>(
        &self,
        landing_page_id: &str,
        request: R,
    ) -> Result<LandingPage, Error>
    where
        R: TryInto<UpdateLandingPageRequest>,
        R::Error: Into<Error>,
    {
        let path = format!(
            "{LANDING_PAGES}/{}",
            segment("landing_page_id", landing_page_id)?
        );
        let request: UpdateLandingPageRequest = prepare(request)?;
        self.client.call(Method::PUT, path).json(&request)?.send()
    }
}

fn template_path(template_id: &str, suffix: &str) -> Result<String, Error> {
    Ok(format!(
        "{TEMPLATES}/{}{suffix}",
        segment("template_id", template_id)?
    ))
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

// --- lists that come bare or wrapped ---

/// An item of a list the server answers either as a bare JSON array or as an object that
/// holds the array under one of `WRAPPERS`.
pub(crate) trait Listed: DeserializeOwned {
    /// The keys the array may be wrapped under.
    const WRAPPERS: &'static [&'static str];
}

/// Decodes `[...]`, `{"<wrapper>": [...], ...}` or `null` (as empty) into the items.
pub(crate) struct BareOrWrapped<T>(pub(crate) Vec<T>);

impl<'de, T: Listed> serde::Deserialize<'de> for BareOrWrapped<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(PhantomData<T>);
        impl<'de, T: Listed> serde::de::Visitor<'de> for Visitor<T> {
            type Value = BareOrWrapped<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a JSON array, or an object with `{}`",
                    T::WRAPPERS.join("` or `")
                )
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(BareOrWrapped(Vec::new()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(BareOrWrapped(items))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut found: Option<Vec<T>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if found.is_none() && T::WRAPPERS.contains(&key.as_str()) {
                        let items: Option<Vec<T>> = map.next_value()?;
                        found = Some(items.unwrap_or_default());
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                found.map(BareOrWrapped).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(
                        "expected a JSON array, or an object with `{}`",
                        T::WRAPPERS.join("` or `")
                    ))
                })
            }
        }
        deserializer.deserialize_any(Visitor(PhantomData))
    }
}

impl crate::transport::Call<'_> {
    /// Sends the request and decodes a list answered bare or wrapped.
    pub(crate) fn send_list<T: Listed>(self) -> Result<Vec<T>, Error> {
        self.send::<BareOrWrapped<T>>().map(|list| list.0)
    }
}

impl Listed for CardTemplate {
    const WRAPPERS: &'static [&'static str] = &["card_templates", "templates"];
}

impl Listed for LandingPage {
    const WRAPPERS: &'static [&'static str] = &["landing_pages"];
}

// --- pagination ---

page_query!(TemplateLogQuery, LedgerItemsQuery, ConsolePageQuery);

/// Implements [`Paginated`] for a list answer of the shape `{<items>: [...], pagination}`.
macro_rules! paginated {
    ($($list:ty => $field:ident: $item:ty),+ $(,)?) => {$(
        impl Paginated for $list {
            type Item = $item;

            fn page_info(&self) -> PageInfo {
                self.pagination.as_ref().map(PageInfo::from).unwrap_or_default()
            }

            fn into_items(self) -> Vec<$item> {
                self.$field.unwrap_or_default()
            }
        }
    )+};
}
pub(crate) use paginated;

paginated!(
    TemplateLogList => logs: TemplateLogEntry,
    LedgerItemList => ledger_items: LedgerItem,
    TemplatePairList => card_template_pairs: TemplatePair,
);

// --- validation ---

/// `field` must hold something other than white space.
pub(crate) fn required(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// `page` is 1 or more; `per_page` is 1 to 100.
pub(crate) fn check_page(page: Option<u32>, per_page: Option<u32>) -> Result<(), Error> {
    if page == Some(0) {
        return Err(Error::invalid(
            "page",
            "must be 1 or more (pages count from 1)",
        ));
    }
    match per_page {
        Some(n) if !(1..=MAX_PER_PAGE).contains(&n) => Err(Error::invalid(
            "per_page",
            format!("is {n}; it must be between 1 and {MAX_PER_PAGE}"),
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

/// `watch_count` and `iphone_count` are 1 to 5, and only with
/// `allow_on_multiple_devices: true`.
fn check_device_counts(
    allow_on_multiple_devices: Option<bool>,
    watch_count: Option<u8>,
    iphone_count: Option<u8>,
) -> Result<(), Error> {
    for (field, count) in [("watch_count", watch_count), ("iphone_count", iphone_count)] {
        let Some(n) = count else { continue };
        if !(1..=5).contains(&n) {
            return Err(Error::invalid(
                field,
                format!("is {n}; it must be between 1 and 5"),
            ));
        }
        if allow_on_multiple_devices != Some(true) {
            return Err(Error::invalid(
                field,
                "is only allowed with allow_on_multiple_devices set to true",
            ));
        }
    }
    Ok(())
}

impl Validate for CreateTemplateRequest {
    fn validate(&self) -> Result<(), Error> {
        required("name", &self.name)?;
        known(
            "platform",
            &self.platform,
            self.platform.is_unknown(),
            crate::models::TemplatePlatform::KNOWN,
        )?;
        check_device_counts(
            self.allow_on_multiple_devices,
            self.watch_count,
            self.iphone_count,
        )
    }
}

impl Validate for UpdateTemplateRequest {
    fn validate(&self) -> Result<(), Error> {
        if let Some(name) = &self.name {
            required("name", name)?;
        }
        check_device_counts(
            self.allow_on_multiple_devices,
            self.watch_count,
            self.iphone_count,
        )
    }
}

impl Validate for TemplateLogQuery {
    fn validate(&self) -> Result<(), Error> {
        check_page(self.page, self.per_page)?;
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

impl Validate for LedgerItemsQuery {
    fn validate(&self) -> Result<(), Error> {
        check_page(self.page, self.per_page)
    }
}

impl Validate for ConsolePageQuery {
    fn validate(&self) -> Result<(), Error> {
        check_page(self.page, self.per_page)
    }
}

impl Validate for CreateTemplatePairRequest {
    fn validate(&self) -> Result<(), Error> {
        required("name", &self.name)?;
        required("apple_card_template_id", &self.apple_card_template_id)?;
        required("google_card_template_id", &self.google_card_template_id)
    }
}

impl Validate for CreateLandingPageRequest {
    fn validate(&self) -> Result<(), Error> {
        required("name", &self.name)?;
        known(
            "kind",
            &self.kind,
            self.kind.is_unknown(),
            crate::models::LandingPageKind::KNOWN,
        )
    }
}

impl Validate for UpdateLandingPageRequest {
    fn validate(&self) -> Result<(), Error> {
        match &self.name {
            Some(name) => required("name", name),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<Vec<LandingPage>, Error> {
        crate::transport::decode::<BareOrWrapped<LandingPage>>(200, text.as_bytes()).map(|l| l.0)
    }

    #[test]
    fn bare_or_wrapped_lists() {
        let ids = |r: Result<Vec<LandingPage>, Error>| -> Vec<String> {
            r.map(|v| v.into_iter().filter_map(|p| p.id).collect())
                .unwrap_or_else(|e| vec![format!("error: {e}")])
        };
        assert_eq!(ids(decode(r#"[{"id":"a"},{"id":"b"}]"#)), ["a", "b"]);
        assert_eq!(
            ids(decode(r#"{"meta":{"x":[1]},"landing_pages":[{"id":"a"}]}"#)),
            ["a"]
        );
        assert!(ids(decode(r#"{"landing_pages":null}"#)).is_empty());
        assert!(ids(decode("[]")).is_empty());
        assert!(ids(decode("")).is_empty());
        assert!(decode(r#"{"pages":[]}"#).is_err());
        assert!(decode(r#""text""#).is_err());
        match decode(r#"[{"id":"a"},{"id":7}]"#) {
            Err(Error::Decode(e)) => assert_eq!(e.path, "[1].id"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn page_limits() {
        assert!(check_page(Some(1), Some(1)).is_ok());
        assert!(check_page(None, Some(MAX_PER_PAGE)).is_ok());
        assert!(check_page(Some(0), None).is_err());
        assert!(check_page(None, Some(0)).is_err());
        assert!(check_page(None, Some(MAX_PER_PAGE + 1)).is_err());
    }

    #[test]
    fn pair_detection() {
        let single = CardTemplate::default();
        assert!(!single.is_pair());
        let flagged = CardTemplate {
            is_pair: Some(true),
            ..CardTemplate::default()
        };
        assert!(flagged.is_pair());
        let with_members = CardTemplate {
            templates: Some(vec![CardTemplate::default()]),
            ..CardTemplate::default()
        };
        assert!(with_members.is_pair());
        assert_eq!(with_members.members().len(), 1);
    }
}
