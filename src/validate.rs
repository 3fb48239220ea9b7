//! Every check made before a request is sent, in one place: the rules a request must keep
//! that its schema does not state (rules that span fields, a few ranges and non-empty
//! ids), one `Validate` implementation per request type. The schema's own limits
//! (patterns, lengths) are checked when a request is built. Each check refuses only what
//! is certainly invalid (see the README's "What the client checks"); everything else is
//! the server's to decide.

use std::fmt;

use crate::error::Error;
use crate::models::{
    ActivateHidOrgRequest, ConsolePageQuery, CreateCredentialProfileRequest, CreateHidOrgRequest,
    CreateLandingPageRequest, CreateTemplatePairRequest, CreateTemplateRequest,
    CreateWebhookRequest, ExtraFields, IosPreflightRequest, IssueCardRequest, LedgerItemsQuery,
    ListCardsQuery, LogEventType, TemplateLogQuery, UpdateCardRequest, UpdateLandingPageRequest,
    UpdateTemplateRequest,
};

/// A request that can check itself before it is sent. The client calls it on every request;
/// a broken rule is [`Error::InvalidInput`] naming the field, and nothing is sent.
pub trait Validate {
    /// `Ok(())` when every documented rule holds.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// What a request or query parameter accepts: the request itself, or its builder (whose
/// conversion fails with [`Error::InvalidInput`] when a field breaks its schema).
pub trait IntoRequest<T> {
    /// The request, built.
    fn into_request(self) -> Result<T, Error>;
}

impl<T, R> IntoRequest<T> for R
where
    R: TryInto<T>,
    R::Error: Into<Error>,
{
    fn into_request(self) -> Result<T, Error> {
        self.try_into().map_err(Into::into)
    }
}

/// Converts a caller's request (a built request, or a builder) and validates it: its
/// extra fields must not repeat a field it sets (see [`crate::models::ExtraFields`]), and
/// its [`Validate`] rules must hold.
pub(crate) fn prepare<T, R>(request: R) -> Result<T, Error>
where
    T: Validate + ExtraFields + serde::Serialize,
    R: IntoRequest<T>,
{
    let mut request = request.into_request()?;
    no_repeated_fields(&mut request)?;
    request.validate()?;
    Ok(request)
}

/// An extra field named like a field the request also sets would put the key in the body
/// twice, and which one the server keeps is anyone's guess: refused. (An extra field whose
/// named counterpart is unset is fine: that is how to send an explicit `null`.) Costs
/// nothing for a request without extra fields.
fn no_repeated_fields<T: ExtraFields + serde::Serialize>(request: &mut T) -> Result<(), Error> {
    if request.extra_fields().is_empty() {
        return Ok(());
    }
    let extra = std::mem::take(request.extra_fields_mut());
    let named = serde_json::to_value(&*request);
    *request.extra_fields_mut() = extra;
    let named = named.map_err(|e| Error::invalid("body", format!("cannot be encoded: {e}")))?;
    let serde_json::Value::Object(named) = named else {
        return Ok(());
    };
    match request
        .extra_fields()
        .keys()
        .find(|k| named.contains_key(*k))
    {
        Some(key) => Err(Error::invalid(
            format!("extra.{key}"),
            format!("repeats the field `{key}` that the request also sets; set one or the other"),
        )),
        None => Ok(()),
    }
}

/// `numberOfRoomsReserved` must equal the number of `roomNumbers` when both are given.
pub(crate) fn rooms_match(
    field: &str,
    count: Option<u32>,
    rooms: Option<&Vec<String>>,
) -> Result<(), Error> {
    match (count, rooms) {
        (Some(n), Some(rooms)) if n as usize != rooms.len() => Err(Error::invalid(
            format!("{field}.numberOfRoomsReserved"),
            format!(
                "is {n} but roomNumbers lists {} rooms; they must match",
                rooms.len()
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuses only what is certainly invalid (see the README's "What the client checks"):
/// an empty template id, and hotel room counts that contradict their room lists. Limits of
/// single fields (`tag_id`, `site_code`, `card_number`, `file_data`) are checked when the
/// request is built. Everything else, `site_code` being required without `file_data` for
/// instance, is the server's to decide.
impl Validate for IssueCardRequest {
    fn validate(&self) -> Result<(), Error> {
        if self.card_template_id.trim().is_empty() {
            return Err(Error::invalid("card_template_id", "must not be empty"));
        }
        check_hotel(self.tile_data.as_ref(), self.reservations.as_ref())
    }
}

impl Validate for UpdateCardRequest {
    fn validate(&self) -> Result<(), Error> {
        check_hotel(self.tile_data.as_ref(), self.reservations.as_ref())
    }
}

/// `template_id` is optional (without it, every template's passes are listed), but when
/// given it must not be empty.
impl Validate for ListCardsQuery {
    fn validate(&self) -> Result<(), Error> {
        if self
            .template_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            return Err(Error::invalid("template_id", "must not be empty"));
        }
        Ok(())
    }
}

fn check_hotel(
    tile: Option<&crate::models::TileData>,
    reservations: Option<&crate::models::Reservations>,
) -> Result<(), Error> {
    let rooms = [
        (
            "tile_data",
            tile.map(|t| (t.number_of_rooms_reserved, t.room_numbers.as_ref())),
        ),
        (
            "reservations",
            reservations.map(|r| (r.number_of_rooms_reserved, r.room_numbers.as_ref())),
        ),
    ];
    for (field, (reserved, numbers)) in rooms
        .into_iter()
        .filter_map(|(field, found)| Some((field, found?)))
    {
        rooms_match(field, reserved, numbers)?;
    }
    Ok(())
}

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

/// Nothing to refuse before sending: `auth_method` is an open value, and the name, URL
/// and event types are the server's to check.
impl Validate for CreateWebhookRequest {}

/// Nothing to refuse before sending: the server checks the organization's details.
impl Validate for CreateHidOrgRequest {}

/// Nothing to refuse before sending: the server checks the credentials.
impl Validate for ActivateHidOrgRequest {}

/// Nothing to refuse before sending: `keys` is optional (as in the official Python, Go and
/// JavaScript SDKs), and key values, names and file ids are the server's to check.
impl Validate for CreateCredentialProfileRequest {}

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
}
