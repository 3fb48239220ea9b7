//! The offline quickstart stays offline: run without `--live`, with production-looking
//! credentials in the environment, it reaches nothing but its own sandbox. The example's
//! own code is compiled into this test (no cargo run from inside a test).
//!
//! Every way out is watched by one listener on 127.0.0.1: `ACCESSGRID_BASE_URL` points at
//! it, and so do the proxy variables, so a request meant for the production API would
//! arrive there too (as a proxy `CONNECT`) instead of leaving the machine.
#![cfg(feature = "sandbox")]

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

use std::time::Duration;

mod common;
use common::raw::{RawServer, Reply};

/// Every variable that can send a request through a proxy.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The only test in this binary: it sets process-wide environment variables.
#[test]
fn the_quickstart_without_live_never_leaves_its_sandbox_whatever_the_environment_holds() {
    // Counts connections and closes each without an answer.
    let tripwire = RawServer::start(|_, _| Reply::Close);
    let trap = tripwire.url();
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    for name in PROXY_VARIABLES {
        std::env::set_var(name, &trap);
    }

    // The generic names (what the old quickstart switched to production on), then the
    // prefixed ones with a base URL on the tripwire.
    std::env::remove_var("ACCESSGRID_BASE_URL");
    std::env::set_var("ACCOUNT_ID", "acct_live_production_like");
    std::env::set_var("SECRET_KEY", "sk_live_production_like_0123456789");
    let code = quickstart::run(false).expect("the offline quickstart succeeds");
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    std::env::set_var("ACCESSGRID_ACCOUNT_ID", "acct_live_production_like");
    std::env::set_var(
        "ACCESSGRID_SECRET_KEY",
        "sk_live_production_like_0123456789",
    );
    std::env::set_var("ACCESSGRID_BASE_URL", &trap);
    let code = quickstart::run(false).expect("the offline quickstart succeeds");
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        tripwire.connections(),
        0,
        "nothing but the sandbox was contacted"
    );

    // The opt-in does use the environment: the tripwire sees it (and the run fails there).
    assert!(quickstart::run(true).is_err());
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        tripwire.connections() >= 1,
        "--live went to ACCESSGRID_BASE_URL"
    );

    for name in [
        "ACCOUNT_ID",
        "SECRET_KEY",
        "ACCESSGRID_ACCOUNT_ID",
        "ACCESSGRID_SECRET_KEY",
        "ACCESSGRID_BASE_URL",
    ]
    .into_iter()
    .chain(PROXY_VARIABLES)
    {
        std::env::remove_var(name);
    }
}
