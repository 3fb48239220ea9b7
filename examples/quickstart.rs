//! The main job end to end: create a card template, issue a pass, list passes, suspend and
//! resume the pass, read the template's event log, delete the pass.
//!
//! ```text
//! cargo run --example quickstart --features sandbox          # offline, always
//! cargo run --example quickstart --features sandbox -- --live   # a real server
//! ```
//!
//! Without `--live` it runs on an in-process sandbox (feature `sandbox`) and nothing leaves
//! 127.0.0.1, whatever the environment holds: credentials in the environment are never a
//! reason to act on a real account. With `--live` it reads `ACCESSGRID_ACCOUNT_ID`,
//! `ACCESSGRID_SECRET_KEY` and `ACCESSGRID_BASE_URL` (default: the production API) and
//! talks to that server; there, suspend and resume wait until the pass is installed on a
//! device. Either way the first line it prints names the base URL it uses.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use accessgrid::models::{
    AccessCard, CardState, CreateTemplateRequest, IssueCardRequest, ListCardsQuery,
    TemplateLogQuery,
};
use accessgrid::Client;

/// The flag that opts in to a real server.
pub const LIVE_FLAG: &str = "--live";

fn main() -> ExitCode {
    let live = std::env::args().skip(1).any(|arg| arg == LIVE_FLAG);
    match run(live) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The quickstart: on the server the environment names when `live`, else offline.
pub fn run(live: bool) -> Result<ExitCode, Box<dyn Error>> {
    if live {
        let client = Client::from_env()?;
        println!("Using the AccessGrid API at {} (--live)", client.base_url());
        walk(&client, &Wallet::Real)?;
        return Ok(ExitCode::SUCCESS);
    }
    sandboxed()
}

#[cfg(feature = "sandbox")]
fn sandboxed() -> Result<ExitCode, Box<dyn Error>> {
    let sandbox = accessgrid::sandbox::Sandbox::start()?;
    println!(
        "Using an in-process sandbox at {} (offline; pass {LIVE_FLAG} for a real server)",
        sandbox.base_url()
    );
    walk(&sandbox.client(), &Wallet::Simulated(&sandbox))?;
    println!(
        "Next: `cargo run --example sandbox --features sandbox` keeps a sandbox running; \
         open its dashboard ({} here) to see passes, events and webhook deliveries.",
        sandbox.dashboard_url()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "sandbox"))]
fn sandboxed() -> Result<ExitCode, Box<dyn Error>> {
    eprintln!(
        "Nothing to talk to. Either run it on the offline sandbox:\n\n    \
         cargo run --example quickstart --features sandbox\n\n\
         or set ACCESSGRID_ACCOUNT_ID and ACCESSGRID_SECRET_KEY (and ACCESSGRID_BASE_URL for \
         a server other than production) and opt in to a real server:\n\n    \
         cargo run --example quickstart -- {LIVE_FLAG}"
    );
    Ok(ExitCode::from(2))
}

/// How the pass gets onto a device.
enum Wallet<'a> {
    /// A real phone: the holder opens the install URL.
    Real,
    /// The sandbox simulates the install.
    #[cfg(feature = "sandbox")]
    Simulated(&'a accessgrid::sandbox::Sandbox),
    #[cfg(not(feature = "sandbox"))]
    #[allow(dead_code)]
    Never(std::marker::PhantomData<&'a ()>),
}

fn walk(client: &Client, wallet: &Wallet<'_>) -> Result<(), Box<dyn Error>> {
    let console = client.console();
    let cards = client.access_cards();

    // 1. A card template.
    let template = console.templates().create(
        CreateTemplateRequest::builder()
            .name("Quickstart employee badge")
            .platform("apple")
            .use_case("corporate_id")
            .protocol("desfire")
            .background_color("#1D4ED8")
            .label_color("#FFFFFF"),
    )?;
    let template_id = template.id.clone();
    println!("1. created card template {template_id}");
    let published = console.templates().publish(&template_id)?;
    println!(
        "   published it: status {}",
        published.status.map(|s| s.to_string()).unwrap_or_default()
    );

    // 2. A pass.
    let card = cards.issue(
        IssueCardRequest::builder()
            .card_template_id(template_id.clone())
            .full_name("Ada Lovelace")
            .email("ada@example.com")
            .employee_id("quickstart-1")
            .site_code("42")
            .card_number("1234"),
    )?;
    let card_id = card.id.clone();
    println!(
        "2. issued pass {card_id} ({}); install it at {}",
        state(&card),
        card.install_url.as_deref().unwrap_or("(no install URL)")
    );

    // 3. The template's passes.
    let page = cards.list(ListCardsQuery::builder().template_id(template_id.clone()))?;
    println!(
        "3. the template has {} pass(es):",
        page.info().total_count.unwrap_or(0)
    );
    for key in page.items() {
        println!(
            "   - {} {} ({})",
            key.id,
            key.full_name.as_deref().unwrap_or_default(),
            state(key)
        );
    }

    // 4. Suspend and resume: only a pass installed on a device (active) can be suspended.
    if wait_until_installed(client, wallet, &card_id)? {
        let suspended = cards.suspend(&card_id)?;
        println!("4. suspended the pass: {}", state(&suspended));
        let resumed = cards.resume(&card_id)?;
        println!("   resumed the pass: {}", state(&resumed));
    } else {
        println!("4. the pass was not installed in time: skipping suspend and resume");
    }

    // 5. What happened, from the template's event log.
    let log = console
        .templates()
        .logs(&template_id, TemplateLogQuery::default())?;
    println!("5. event log of the template:");
    for entry in log.items().to_vec() {
        println!(
            "   - {} {}",
            entry.created_at.unwrap_or_default(),
            entry.event.map(|e| e.to_string()).unwrap_or_default()
        );
    }

    // 6. Delete the pass.
    let deleted = cards.delete(&card_id)?;
    println!("6. deleted the pass: {}", state(&deleted));
    match console.templates().delete(&template_id) {
        Ok(()) => println!("   and removed the quickstart template"),
        Err(e) => println!("   (the quickstart template stays: {e})"),
    }
    Ok(())
}

/// A pass's state as the API spells it.
fn state(card: &AccessCard) -> String {
    card.state
        .as_ref()
        .map_or_else(|| "unknown".to_owned(), ToString::to_string)
}

/// Makes sure the pass is active: the sandbox simulates the install; on a real server the
/// holder opens the install URL, and this waits (up to 5 minutes) for it.
fn wait_until_installed(
    client: &Client,
    wallet: &Wallet<'_>,
    card_id: &str,
) -> Result<bool, Box<dyn Error>> {
    match wallet {
        #[cfg(feature = "sandbox")]
        Wallet::Simulated(sandbox) => {
            let card = sandbox.install(card_id)?;
            println!(
                "   (the sandbox simulated a wallet install: the pass is {})",
                state(&card)
            );
            Ok(true)
        }
        #[cfg(not(feature = "sandbox"))]
        Wallet::Never(_) => Ok(false),
        Wallet::Real => {
            println!("   waiting for the pass to be installed on a device...");
            let deadline = Instant::now() + Duration::from_secs(300);
            while Instant::now() < deadline {
                if client.access_cards().get(card_id)?.state == Some(CardState::Active) {
                    return Ok(true);
                }
                std::thread::sleep(Duration::from_secs(5));
            }
            Ok(false)
        }
    }
}
