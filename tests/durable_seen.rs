//! `webhooks::DurableSeenStore`: ids survive a restart and a crash (SIGKILL) in the middle
//! of writing, are kept for the ttl, and are bounded in bytes.
#![cfg(feature = "durable")]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use accessgrid::webhooks::DurableSeenStore;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accessgrid-durable-{name}-{}-{:?}",
        std::process::id(),
        SystemTime::now()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn ids_survive_a_restart_and_forget_works_across_it() {
    let dir = scratch("restart");
    let path = dir.join("seen.redb");
    {
        let seen = DurableSeenStore::open(&path).expect("open");
        assert!(seen.first_time("evt_1").expect("write"));
        assert!(seen.first_time("evt_2").expect("write"));
        assert!(!seen.first_time("evt_1").expect("read"));
        assert!(seen.last_seen().expect("meta").is_some());
    }
    let seen = DurableSeenStore::open(&path).expect("reopen");
    assert_eq!(seen.len().expect("len"), 2);
    assert!(!seen.first_time("evt_1").expect("repeat after restart"));
    assert!(seen.forget("evt_2").expect("forget"));
    drop(seen);
    let seen = DurableSeenStore::open(&path).expect("reopen");
    assert!(seen.first_time("evt_2").expect("forgotten, so new"));
    drop(seen);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ids_are_kept_for_the_ttl_and_no_longer() {
    let dir = scratch("ttl");
    let seen = DurableSeenStore::open(dir.join("seen.redb")).expect("open");
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let week = Duration::from_secs(7 * 24 * 3600);
    assert!(seen.first_time_at("evt_1", t0).expect("write"));
    let almost = t0 + week - Duration::from_millis(1);
    assert!(!seen.first_time_at("evt_1", almost).expect("within 7 days"));
    // Another write a week later purges it.
    assert!(seen.first_time_at("evt_2", t0 + week).expect("write"));
    assert_eq!(seen.len().expect("len"), 1);
    assert!(seen
        .first_time_at("evt_1", t0 + week)
        .expect("expired: new again"));
    drop(seen);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_store_stays_within_its_byte_bound_forgetting_the_oldest() {
    let dir = scratch("bytes");
    // Each 8-byte id counts 8 * 2 + 64 = 80 bytes: room for two.
    let seen = DurableSeenStore::open(dir.join("seen.redb"))
        .expect("open")
        .max_bytes(160);
    assert!(seen.first_time("evt_0001").expect("write"));
    assert!(seen.first_time("evt_0002").expect("write"));
    assert!(seen.first_time("evt_0003").expect("write"));
    assert_eq!(seen.len().expect("len"), 2);
    assert_eq!(seen.bytes().expect("bytes"), 160);
    assert!(seen
        .first_time("evt_0001")
        .expect("the oldest was forgotten"));
    assert!(!seen.first_time("evt_0003").expect("kept"));
    // An id too long to fit at all is never remembered (and evicts nothing).
    let long = "x".repeat(100);
    assert!(seen.first_time(&long).expect("write"));
    assert!(seen.first_time(&long).expect("still new"));
    assert_eq!(seen.len().expect("len"), 2);
    drop(seen);
    let _ = std::fs::remove_dir_all(dir);
}

const CHILD: &str = "ACCESSGRID_DURABLE_CRASH_CHILD";

/// Run as the parent: starts this same test in a child process that writes ids as fast as
/// it can, printing each one once its write is committed; kills it (SIGKILL) in the middle
/// of its writes; then reopens the file. Run as the child (the environment variable set):
/// writes until killed.
#[test]
fn a_crash_in_the_middle_of_a_write_loses_nothing_committed() {
    if let Some(path) = std::env::var_os(CHILD) {
        let seen = DurableSeenStore::open(PathBuf::from(path)).expect("open");
        for n in 0..1_000_000u32 {
            let id = format!("evt_{n:07}");
            assert!(seen.first_time(&id).expect("write"));
            println!("committed {id}");
        }
        return;
    }
    let dir = scratch("crash");
    let path = dir.join("seen.redb");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "a_crash_in_the_middle_of_a_write_loses_nothing_committed",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("child");
    let stdout = child.stdout.take().expect("piped");
    let mut committed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Some(id) = line.strip_prefix("committed ") {
            committed.push(id.to_owned());
        }
        if committed.len() >= 150 || Instant::now() > deadline {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(committed.len() >= 20, "the child wrote {}", committed.len());

    let seen = DurableSeenStore::open(&path).expect("the file opens after the crash");
    let remembered = seen.len().expect("len");
    assert!(remembered >= committed.len() as u64);
    for id in &committed {
        assert!(!seen.first_time(id).expect("read"), "{id} was lost");
    }
    // The byte count agrees with what is stored: no write was half applied.
    assert_eq!(seen.bytes().expect("bytes"), remembered * (11 * 2 + 64));
    drop(seen);
    let _ = std::fs::remove_dir_all(dir);
}
