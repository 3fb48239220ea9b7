//! Unauthenticated requests with huge paths and headers must not grow the process: after
//! 300 of them, VmRSS is within 40 MiB of what it was before. Its own file, so that no
//! other test allocates in this process while it measures.
#![cfg(all(
    any(feature = "sandbox", feature = "webhook-receiver"),
    target_os = "linux"
))]

mod common;

use std::time::{Duration, Instant};

use common::abuse::{exchange, rss, Target};

const MIB: u64 = 1024 * 1024;

#[test]
fn oversized_requests_leave_memory_where_it_was() {
    for target in Target::all() {
        // Warm up: threads, buffers and the allocator's arenas exist before measuring.
        target.assert_serves("nothing");
        let before = rss();
        let started = Instant::now();
        let path = "p".repeat(1024 * 1024);
        let header = "h".repeat(1024 * 1024);
        for n in 0..300 {
            let request = if n % 2 == 0 {
                format!("GET /{path}?n={n} HTTP/1.1\r\nHost: x\r\n\r\n")
            } else {
                format!("GET /?n={n} HTTP/1.1\r\nHost: x\r\nX-Pad: {header}\r\n\r\n")
            };
            let answer = exchange(target.addr(), request.as_bytes())
                .unwrap_or_else(|| panic!("{}: request {n} got no answer", target.name()));
            assert!(
                [414, 431].contains(&answer.status),
                "{}: request {n}: {answer:?}",
                target.name()
            );
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{}: 300 refusals take too long ({n} done)",
                target.name()
            );
        }
        target.assert_serves("300 oversized requests");
        let after = rss();
        let grown = after.saturating_sub(before);
        eprintln!(
            "{}: VmRSS {} MiB before, {} MiB after 300 oversized requests (+{} KiB) in {:?}",
            target.name(),
            before / MIB,
            after / MIB,
            grown / 1024,
            started.elapsed()
        );
        assert!(
            grown < 40 * MIB,
            "{}: VmRSS grew by {} MiB",
            target.name(),
            grown / MIB
        );
    }
}
