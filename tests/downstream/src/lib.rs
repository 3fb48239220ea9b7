//! Application code of a downstream user: reads answers, builds requests.

use accessgrid::models::{AccessCard, CardState, IssueCardRequest, ListCardsQuery};

/// One line about a pass. Matches an open enum with a wildcard arm and destructures an
/// answer with `..`, as `#[non_exhaustive]` asks: new values and new fields compile.
pub fn summary(card: &AccessCard) -> String {
    let AccessCard { id, full_name, .. } = card;
    let state = match &card.state {
        Some(CardState::Active) => "active",
        Some(CardState::Suspended) => "suspended",
        Some(_) => "other",
        None => "unknown",
    };
    format!("{id} {} {state}", full_name.as_deref().unwrap_or("-"))
}

/// A request, through its builder.
pub fn issue_request(template: &str, name: &str) -> Result<IssueCardRequest, accessgrid::Error> {
    IssueCardRequest::builder()
        .card_template_id(template)
        .full_name(name)
        .try_into()
        .map_err(accessgrid::Error::from)
}

/// A query with every field optional, through `Default` and field assignment.
pub fn active_cards_of(template: &str) -> ListCardsQuery {
    let mut query = ListCardsQuery::default();
    query.template_id = Some(template.to_owned());
    query.state = Some(CardState::Active);
    query
}
