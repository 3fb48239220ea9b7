//! Access passes (`/v1/key-cards`): issue, read, update, list, and change state.

use ureq::http::Method;

use crate::client::Client;
use crate::error::Error;
use crate::models::{
    AccessCard, AccessCardList, IssueCardRequest, ListCardsQuery, UpdateCardRequest,
};
use crate::pagination::{pages, PageInfo, PageQuery, Pages, Paginated};
use crate::transport::segment;
use crate::validate::{prepare, rooms_match, Validate};

/// Access-pass endpoints; made by [`Client::access_cards`].
#[derive(Debug, Clone, Copy)]
pub struct AccessCards<'c> {
    client: &'c Client,
}

impl<'c> AccessCards<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        AccessCards { client }
    }

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
    pub fn issue<R>(&self, request: R) -> Result<AccessCard, Error>
    where
        R: TryInto<IssueCardRequest>,
        R::Error: Into<Error>,
    {
        let request: IssueCardRequest = prepare(request)?;
        self.client
            .call(Method::POST, "/v1/key-cards")
            .json(&request)?
            .send()
    }

    /// Reads one pass: `GET /v1/key-cards/{card_id}`.
    pub fn get(&self, card_id: &str) -> Result<AccessCard, Error> {
        let path = format!("/v1/key-cards/{}", segment("card_id", card_id)?);
        self.client.call(Method::GET, path).about(card_id).send()
    }

    /// Makes an informational update (name, photo, dates, hotel data, ...):
    /// `PATCH /v1/key-cards/{card_id}`. Only the fields set in the request are sent.
    pub fn update<R>(&self, card_id: &str, request: R) -> Result<AccessCard, Error>
    where
        R: TryInto<UpdateCardRequest>,
        R::Error: Into<Error>,
    {
        let path = format!("/v1/key-cards/{}", segment("card_id", card_id)?);
        let request: UpdateCardRequest = prepare(request)?;
        self.client.call(Method::PATCH, path).json(&request)?.send()
    }

    /// Reads one page of passes: `GET /v1/key-cards`, of one template (`template_id`) or,
    /// without it, of every template. The passes are in [`AccessCardList::items`].
    pub fn list<R>(&self, query: R) -> Result<AccessCardList, Error>
    where
        R: TryInto<ListCardsQuery>,
        R::Error: Into<Error>,
    {
        let query: ListCardsQuery = prepare(query)?;
        self.list_page(&query)
    }

    /// Iterates over every pass of the query, across pages, fetching each page when needed
    /// (from `query.page`, default 1).
    pub fn iter<R>(&self, query: R) -> Result<Pages<'c, AccessCardList>, Error>
    where
        R: TryInto<ListCardsQuery>,
        R::Error: Into<Error>,
    {
        let query: ListCardsQuery = prepare(query)?;
        let this = *self;
        Ok(pages(query, move |q| this.list_page(q)))
    }

    fn list_page(&self, query: &ListCardsQuery) -> Result<AccessCardList, Error> {
        self.client
            .call(Method::GET, "/v1/key-cards")
            .query(query)?
            .send()
    }

    /// Suspends an active pass: `POST /v1/key-cards/{card_id}/suspend`.
    pub fn suspend(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.action(card_id, "suspend")
    }

    /// Resumes a suspended or unlinked pass: `POST /v1/key-cards/{card_id}/resume`.
    pub fn resume(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.action(card_id, "resume")
    }

    /// Removes the pass from its holder's device: `POST /v1/key-cards/{card_id}/unlink`.
    pub fn unlink(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.action(card_id, "unlink")
    }

    /// Deletes the pass for good: `POST /v1/key-cards/{card_id}/delete`.
    pub fn delete(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.action(card_id, "delete")
    }

    fn action(&self, card_id: &str, action: &str) -> Result<AccessCard, Error> {
        let path = format!("/v1/key-cards/{}/{action}", segment("card_id", card_id)?);
        self.client.call(Method::POST, path).about(card_id).send()
    }
}

impl AccessCard {
    /// Whether this is a unified Apple+Google pass, whose per-platform cards are in `details`.
    pub fn is_unified(&self) -> bool {
        self.details.as_ref().is_some_and(|d| !d.is_empty())
    }
}

impl PageQuery for ListCardsQuery {
    fn page(&self) -> Option<u32> {
        self.page.map(|p| p.get())
    }
    fn set_page(&mut self, page: u32) {
        self.page = std::num::NonZeroU32::new(page);
    }
}

impl AccessCardList {
    /// The passes of this page (empty when the answer has none).
    ///
    /// ```
    /// let page: accessgrid::models::AccessCardList =
    ///     serde_json::from_str(r#"{"keys":[{"id":"c1"}],"page":1,"total_count":1}"#)?;
    /// for card in page.items() {
    ///     assert_eq!(card.id, "c1");
    /// }
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn items(&self) -> &[AccessCard] {
        self.keys.as_deref().unwrap_or_default()
    }
}

impl Paginated for AccessCardList {
    type Item = AccessCard;

    fn items(&self) -> &[AccessCard] {
        AccessCardList::items(self)
    }

    fn page_info(&self) -> PageInfo {
        PageInfo {
            current_page: self.page,
            per_page: self.per_page,
            total_pages: self.total_pages,
            total_count: self.total_count,
        }
    }

    fn into_items(self) -> Vec<AccessCard> {
        self.keys.unwrap_or_default()
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
