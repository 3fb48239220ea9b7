//! Access passes (`/v1/key-cards`): issue, get, update, list, and change state.

use crate::client::Client;
use crate::endpoints as ep;
use crate::error::Error;
use crate::models::{AccessCard, IssueCardRequest, ListCardsQuery, UpdateCardRequest};
use crate::pagination::{Page, Pages};
use crate::validate::{rooms_match, IntoRequest, Validate};

/// Access-pass endpoints; made by [`Client::access_cards`].
#[derive(Debug, Clone, Copy)]
pub struct AccessCards<'c> {
    pub(super) client: &'c Client,
}

impl<'c> AccessCards<'c> {
    /// Issues (provisions) an access pass: `POST /v1/key-cards`.
    ///
    /// Takes an [`IssueCardRequest`] or its builder. The answer is the new pass, or for a
    /// template that is an Apple+Google pair a unified pass whose `details` hold one card
    /// per platform ([`AccessCard::is_unified`]).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), accessgrid::Error> {
    /// use accessgrid::models::IssueCardRequest;
    ///
    /// let client = accessgrid::Client::from_env()?;
    /// let card = client.access_cards().issue(
    ///     IssueCardRequest::builder()
    ///         .card_template_id("0xd3adb00b5")
    ///         .full_name("Ada Lovelace")
    ///         .email("ada@example.com")
    ///         .site_code("42")
    ///         .card_number("1234"),
    /// )?;
    /// println!("install at {:?}", card.install_url);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "provision")]
    pub fn issue(&self, request: impl IntoRequest<IssueCardRequest>) -> Result<AccessCard, Error> {
        self.client.execute_body::<ep::IssueCard>(&[], request)
    }

    /// Reads one pass: `GET /v1/key-cards/{card_id}`.
    pub fn get(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.client.execute::<ep::GetCard>(&[card_id], None, None)
    }

    /// Makes an informational update (name, photo, dates, hotel data, ...):
    /// `PATCH /v1/key-cards/{card_id}`. Only the fields set in the request are sent.
    pub fn update(
        &self,
        card_id: &str,
        request: impl IntoRequest<UpdateCardRequest>,
    ) -> Result<AccessCard, Error> {
        self.client
            .execute_body::<ep::UpdateCard>(&[card_id], request)
    }

    /// Reads one page of passes: `GET /v1/key-cards`, of one template (`template_id`) or,
    /// without it, of every template.
    pub fn list(&self, query: impl IntoRequest<ListCardsQuery>) -> Result<Page<AccessCard>, Error> {
        self.client.execute_query::<ep::ListCards>(&[], query)
    }

    /// Iterates over every pass of the query, across pages, reading each page when needed
    /// (from `query.page`, default 1).
    pub fn list_all(
        &self,
        query: impl IntoRequest<ListCardsQuery>,
    ) -> Result<Pages<'c, AccessCard>, Error> {
        self.client.execute_all::<ep::ListCards, _>(&[], query)
    }

    /// Suspends an active pass: `POST /v1/key-cards/{card_id}/suspend`.
    pub fn suspend(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.client
            .execute::<ep::SuspendCard>(&[card_id], None, None)
    }

    /// Resumes a suspended or unlinked pass: `POST /v1/key-cards/{card_id}/resume`.
    pub fn resume(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.client
            .execute::<ep::ResumeCard>(&[card_id], None, None)
    }

    /// Removes the pass from its holder's device: `POST /v1/key-cards/{card_id}/unlink`.
    pub fn unlink(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.client
            .execute::<ep::UnlinkCard>(&[card_id], None, None)
    }

    /// Deletes the pass for good: `POST /v1/key-cards/{card_id}/delete`.
    pub fn delete(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.client
            .execute::<ep::DeleteCard>(&[card_id], None, None)
    }
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
