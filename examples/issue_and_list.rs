//! Issues an access pass and lists the passes of its template.
//!
//! ```text
//! ACCESSGRID_ACCOUNT_ID=... ACCESSGRID_SECRET_KEY=... \
//!   cargo run --example issue_and_list -- <card_template_id>
//! ```
//!
//! `ACCESSGRID_BASE_URL` points it at another server (a sandbox, for instance).

use accessgrid::models::{IssueCardRequest, ListCardsQuery};
use accessgrid::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let template_id = std::env::args()
        .nth(1)
        .ok_or("usage: issue_and_list <card_template_id>")?;
    let client = Client::from_env()?;

    let card = client.access_cards().issue(
        IssueCardRequest::builder()
            .card_template_id(template_id.as_str())
            .full_name("Ada Lovelace")
            .email("ada@example.com")
            .employee_id("E-1815")
            .site_code("42")
            .card_number("1815"),
    )?;
    println!(
        "issued {} ({}): install at {}",
        card.id,
        card.state.as_ref().map_or("?", |s| s.as_str()),
        card.install_url.as_deref().unwrap_or("?")
    );

    for card in client
        .access_cards()
        .list_all(ListCardsQuery::builder().template_id(template_id.as_str()))?
    {
        let card = card?;
        println!(
            "{:<24} {:<10} {}",
            card.id,
            card.state.as_ref().map_or("?", |s| s.as_str()),
            card.full_name.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
