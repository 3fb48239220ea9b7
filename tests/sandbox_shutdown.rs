//! A dropped sandbox leaves no thread behind. Its own file, so that no other test's threads
//! come and go while the process's threads are counted.
#![cfg(all(feature = "sandbox", target_os = "linux"))]

use std::time::{Duration, Instant};

use accessgrid::models::{IssueCardRequest, ListCardsQuery};
use accessgrid::sandbox::Sandbox;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

#[test]
fn a_dropped_sandbox_leaves_no_threads_and_no_listener() {
    let before = threads();
    let sandbox = Sandbox::start().expect("sandbox starts");
    let addr = sandbox.addr();
    let client = sandbox.client();
    for n in 0..3 {
        client
            .access_cards()
            .issue(
                IssueCardRequest::builder()
                    .card_template_id(sandbox.template_id())
                    .full_name(format!("p{n}"))
                    .site_code("1"),
            )
            .expect("issued");
    }
    let listed = client
        .access_cards()
        .list(ListCardsQuery::builder().template_id(sandbox.template_id()))
        .expect("listed");
    assert_eq!(listed.total_count, Some(3));
    assert!(threads() > before, "the sandbox runs on threads of its own");

    drop(sandbox);
    assert!(
        std::net::TcpListener::bind(addr).is_ok(),
        "the port is free as soon as the drop returns"
    );
    // The sandbox's workers are joined by the drop; the HTTP server's connection pool
    // winds down on its own a few seconds later.
    let deadline = Instant::now() + Duration::from_secs(20);
    while threads() > before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(threads(), before, "threads left running after the drop");
    drop(client);
}
