//! Reads one access pass and prints it as JSON: a one-shot command-line call.
//!
//! ```text
//! ACCESSGRID_ACCOUNT_ID=... ACCESSGRID_SECRET_KEY=... \
//!   cargo run --example get_card -- <card_id>
//! ```
//!
//! `ACCESSGRID_BASE_URL` points it at another server: the offline sandbox
//! (`cargo run --release --example sandbox --features sandbox` prints the URL and
//! credentials), or the fixed-answer server of `cargo run --release --example bench -- --serve`
//! (which answers the same card to any id and credentials).

use accessgrid::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let card_id = std::env::args().nth(1).ok_or("usage: get_card <card_id>")?;
    let client = Client::from_env()?;
    let card = client.access_cards().get(&card_id)?;
    println!("{}", serde_json::to_string_pretty(&card)?);
    Ok(())
}
