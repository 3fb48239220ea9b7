//! Runs an AccessGrid sandbox until stopped (Ctrl-C), for programs in any language:
//!
//! ```text
//! cargo run --example sandbox --features sandbox
//! cargo run --example sandbox --features sandbox -- --port 4010
//! ```
//!
//! It prints the base URL and the credentials to point an SDK at. The account id and
//! secret key are random unless `ACCESSGRID_ACCOUNT_ID` and `ACCESSGRID_SECRET_KEY` are set.
//! Open the dashboard it prints to see templates, passes, events and webhook deliveries,
//! and to simulate what a holder's wallet would do; a pass's `install_url` opens the page a
//! holder sees, whose buttons install the pass.

use std::process::ExitCode;

use accessgrid::sandbox::Sandbox;

fn main() -> ExitCode {
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(value)) => match value.parse() {
                Ok(p) => port = p,
                Err(_) => return usage(&format!("not a port: {value}")),
            },
            _ => return usage(&format!("unexpected argument: {arg}")),
        }
    }

    let mut builder = Sandbox::builder().port(port);
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(account) = env("ACCESSGRID_ACCOUNT_ID") {
        builder = builder.account_id(account);
    }
    if let Some(secret) = env("ACCESSGRID_SECRET_KEY") {
        builder = builder.secret_key(secret);
    }
    let sandbox = match builder.start() {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("could not start the sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };

    // The secret is printed on purpose: it is the sandbox's own, and clients need it.
    let secret = String::from_utf8_lossy(sandbox.secret_key().expose()).into_owned();
    println!("AccessGrid sandbox listening on {}", sandbox.base_url());
    println!();
    println!("export ACCESSGRID_BASE_URL={}", sandbox.base_url());
    println!("export ACCESSGRID_ACCOUNT_ID={}", sandbox.account_id());
    println!("export ACCESSGRID_SECRET_KEY={secret}");
    println!();
    println!(
        "card template ready to issue passes from: {}",
        sandbox.template_id()
    );
    println!("dashboard: {}", sandbox.dashboard_url());
    println!("open a pass's install_url to see the holder's page and install it. Ctrl-C stops.");

    // Serve until the process is stopped; the sandbox answers on its own threads.
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{problem}\nusage: cargo run --example sandbox --features sandbox [-- --port PORT]");
    ExitCode::FAILURE
}
