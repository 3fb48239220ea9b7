//! Access passes (`/v1/key-cards`): issue, get, update, list, and change state.

use crate::client::Client;
use crate::error::Error;
use crate::models::{AccessCard, IssueCardRequest, ListCardsQuery, UpdateCardRequest};
use crate::validate::{rooms_match, Validate};

/// Access-pass endpoints; made by [`Client::access_cards`].
#[derive(Debug, Clone, Copy)]
pub struct AccessCards<'c> {
    pub(crate) client: &'c Client,
}

impl AccessCard {
    /// Whether this is a unified Apple+Google pass, whose per-platform cards are in `details`.
    pub fn is_unified(&self) -> bool {
        self.details.as_ref().is_some_and(|d| !d.is_empty())
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
    if let Some(t) = tile {
        rooms_match(
            "tile_data",
            t.number_of_rooms_reserved,
            t.room_numbers.as_ref(),
        )?;
    }
    if let Some(r) = reservations {
        rooms_match(
            "reservations",
            r.number_of_rooms_reserved,
            r.room_numbers.as_ref(),
        )?;
    }
    Ok(())
}
