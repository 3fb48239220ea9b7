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
//! let id = template.id;
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
    /// `watch_count` and `iphone_count` must be 1 to 5; `platform` and `use_case` are sent
    /// as given (`android` names the Google side). The design and support fields go on the wire flat,
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
        let (status, body) = self
            .client
            .call(Method::GET, path)
            .about(template_id)
            .send_raw()?;
        let mut value: serde_json::Value = crate::transport::decode(status, &body)?;
        // A pair may be answered as `{"templates": [...]}` alone: it is the id asked for.
        if let serde_json::Value::Object(map) = &mut value {
            if !map.contains_key("id") && map.contains_key("templates") {
                map.insert("id".to_owned(), template_id.into());
            }
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            Error::Decode(crate::error::DecodeError {
                status,
                path: if path == "." { String::new() } else { path },
                message: e.into_inner().to_string(),
                body,
            })
        })
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
        impl $list {
            /// The page's items (empty when the answer has none).
            pub fn items(&self) -> &[$item] {
                self.$field.as_deref().unwrap_or_default()
            }
        }

        impl Paginated for $list {
            type Item = $item;

            fn page_info(&self) -> PageInfo {
                self.pagination.as_ref().map(PageInfo::from).unwrap_or_default()
            }

            fn items(&self) -> &[$item] {
                <$list>::items(self)
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

    fn decode(text: &str) -> Result<Vec<LandingPage>, Error> {
        crate::transport::decode::<BareOrWrapped<LandingPage>>(200, text.as_bytes()).map(|l| l.0)
    }

    #[test]
    fn bare_or_wrapped_lists() {
        let ids = |r: Result<Vec<LandingPage>, Error>| -> Vec<String> {
            r.map(|v| v.into_iter().map(|p| p.id).collect())
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
