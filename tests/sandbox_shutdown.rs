//! A dropped sandbox leaves no thread behind. Its own file, so that no other test's threads
//! come and go while the process's threads are counted.
#![cfg(all(feature = "sandbox", target_os = "linux"))]

use std::time::{Duration, Instant};

use accessgrid::models::{CreateWebhookRequest, IssueCardRequest, ListCardsQuery};
use accessgrid::sandbox::Sandbox;

mod common;
use common::ports::ReservedPort;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

#[test]
fn a_dropped_sandbox_leaves_no_threads_and_no_listener() {
    let before = threads();
    // Webhook deliveries to a loopback port nobody listens on fail, and wait a minute
    // before their next attempt: the drop must not wait for them.
    let sandbox = Sandbox::builder()
        .webhook_backoff(Duration::from_secs(60))
        .start()
        .expect("sandbox starts");
    let addr = sandbox.addr();
    let client = sandbox.client();
    let closed = ReservedPort::new();
    client
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("nobody listens")
                .url(closed.url("/hook"))
                .subscribed_events(vec!["ag.access_pass.issued".to_owned()]),
        )
        .expect("webhook created");
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
    assert_eq!(listed.info().total_count, Some(3));
    assert!(threads() > before, "the sandbox runs on threads of its own");
    let deadline = Instant::now() + Duration::from_secs(20);
    while sandbox.deliveries().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let first = sandbox.deliveries();
    assert!(
        first.first().is_some_and(|d| d.will_retry),
        "a failed first attempt, with a retry pending: {first:?}"
    );
    assert!(
        !sandbox.wait_for_deliveries(Duration::from_millis(1)),
        "retries are pending"
    );

    let dropping = Instant::now();
    drop(sandbox);
    assert!(
        dropping.elapsed() < Duration::from_secs(10),
        "the drop waited for pending deliveries: {:?}",
        dropping.elapsed()
    );
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
