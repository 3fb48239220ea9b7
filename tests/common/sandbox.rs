//! Helpers for tests that run against the in-process sandbox.

use accessgrid::models::{AccessCard, CardState, IssueCardRequest, ListCardsQuery};
use accessgrid::sandbox::Sandbox;

/// Issues a pass on the sandbox's template for `name` (site 42, card 1234); its id.
pub fn issue(sandbox: &Sandbox, name: &str) -> String {
    sandbox
        .client()
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(sandbox.template_id())
                .full_name(name)
                .site_code("42")
                .card_number("1234"),
        )
        .expect("issued")
        .id
}

/// Every pass of the sandbox's template, deleted ones too, read through all pages.
pub fn all_passes(sandbox: &Sandbox) -> Vec<AccessCard> {
    sandbox
        .client()
        .access_cards()
        .list_all(
            ListCardsQuery::builder()
                .template_id(sandbox.template_id())
                .per_page(100u32),
        )
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("listed")
}

/// Every pass of the sandbox's template that is not deleted, read through all pages.
pub fn live_passes(sandbox: &Sandbox) -> Vec<AccessCard> {
    all_passes(sandbox)
        .into_iter()
        .filter(|p| p.state != Some(CardState::Deleted))
        .collect()
}
