//! The reference door-controller daemon (`examples/door_controller.rs`, compiled into this
//! test) end to end against the sandbox: 50 people, a rerun that changes nothing, the
//! exact actions of a changed file, the guard, lost answers, a restart that must not apply
//! a repeated webhook twice, expiry by the sandbox's clock, an outage with `/healthz`.
#![cfg(all(
    feature = "sandbox",
    feature = "webhook-receiver",
    feature = "durable",
    feature = "people-csv"
))]

#[allow(dead_code)]
#[path = "../examples/door_controller.rs"]
mod door_controller;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use accessgrid::models::{CardState, CreateWebhookRequest};
use accessgrid::reconcile::key_of;
use accessgrid::sandbox::{Fault, Sandbox};
use door_controller::{parse_args, Allowed, Config, Daemon, Shutdown};

mod common;
use common::ports::ReservedPort;
use common::sandbox::live_passes;

struct Row<'a> {
    id: u32,
    name: &'a str,
    status: &'a str,
}

fn write_people(path: &Path, rows: &[Row<'_>]) {
    let mut text = String::from("pacs_id,full_name,email,site_code,card_number,status\n");
    for r in rows {
        text.push_str(&format!(
            "P{:04},{},p{}@example.com,42,{},{}\n",
            r.id, r.name, r.id, r.id, r.status
        ));
    }
    std::fs::write(path, text).expect("people.csv");
}

fn everyone(n: u32) -> Vec<Row<'static>> {
    (1..=n)
        .map(|id| Row {
            id,
            name: "Badge Holder",
            status: "active",
        })
        .collect()
}

fn state_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accessgrid-doors-{name}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).expect("state dir");
    dir
}

fn config(dir: &Path, template: &str, extra: &[&str]) -> Config {
    let mut args: Vec<String> = [
        "--desired",
        dir.join("people.csv").to_str().expect("utf-8"),
        "--template",
        template,
        "--state-dir",
        dir.to_str().expect("utf-8"),
        "--once",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    parse_args(args).expect("arguments")
}

fn allowlist(dir: &Path) -> Vec<Allowed> {
    let text = std::fs::read_to_string(dir.join("allowlist.json")).expect("allowlist.json");
    serde_json::from_str(&text).expect("a JSON array")
}

fn passes_per_person(sandbox: &Sandbox) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for pass in live_passes(sandbox) {
        *counts
            .entry(key_of(&pass, "pacs_id").unwrap_or_default())
            .or_insert(0) += 1;
    }
    counts
}

fn writes(sandbox: &Sandbox) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .count()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_daemon_keeps_accessgrid_and_the_readers_in_step() {
    let started = Instant::now();
    let sandbox = Arc::new(
        Sandbox::builder()
            .webhook_attempts(1)
            .start()
            .expect("sandbox"),
    );
    let client = sandbox.client();
    let template = sandbox.template_id();
    let dir = state_dir("e2e");
    let people = dir.join("people.csv");
    let clock_of = |s: &Arc<Sandbox>| -> door_controller::Clock {
        let s = Arc::clone(s);
        Arc::new(move || s.now())
    };
    let once = |extra: &[&str]| {
        Daemon::with_clock(
            client.clone(),
            config(&dir, &template, extra),
            clock_of(&sandbox),
        )
    };
    let mut figures = Vec::new();

    // 1. 50 people -> 50 passes.
    let mut rows = everyone(50);
    write_people(&people, &rows);
    let daemon = once(&[]);
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(
        daemon.printed(),
        ["sync: issued 50, updated 0, suspended 0, resumed 0, deleted 0, unchanged 0"]
    );
    assert_eq!(live_passes(&sandbox).len(), 50);
    // Nobody has installed a pass yet: no pass opens a door.
    assert!(allowlist(&dir).is_empty());
    for pass in live_passes(&sandbox) {
        sandbox.install(&pass.id).expect("installed");
    }
    figures.push(format!("50 issued: {:?}", started.elapsed()));

    // 2. The same file again: nothing changes (no request but reads), and the allow-list
    // now has the 50 installed passes.
    let before = writes(&sandbox);
    let daemon = once(&[]);
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(
        daemon.printed(),
        ["sync: issued 0, updated 0, suspended 0, resumed 0, deleted 0, unchanged 50"]
    );
    assert_eq!(writes(&sandbox), before);
    let list = allowlist(&dir);
    assert_eq!(list.len(), 50);
    let p7 = list.iter().find(|a| a.pacs_id == "P0007").expect("P0007");
    assert_eq!(
        (p7.site_code.as_str(), p7.card_number.as_str()),
        ("42", "7")
    );
    let raw = std::fs::read_to_string(dir.join("allowlist.json")).expect("file");
    assert!(raw.contains(r#""access_pass_id""#) && raw.trim_start().starts_with('['));

    // 3. Three removed, two suspended, one renamed, one new: exactly those actions.
    rows.retain(|r| ![1, 2, 3].contains(&r.id));
    for r in rows.iter_mut() {
        match r.id {
            4 | 5 => r.status = "suspended",
            6 => r.name = "Renamed Holder",
            _ => {}
        }
    }
    rows.push(Row {
        id: 51,
        name: "New Holder",
        status: "active",
    });
    write_people(&people, &rows);
    let dry = once(&["--dry-run"]);
    assert_eq!(dry.run(&Shutdown::default()), 0);
    let plan = dry.printed().join("\n");
    assert!(
        plan.contains("issue 1, update 1, renew 0, suspend 2, resume 0, delete 3"),
        "{plan}"
    );
    assert!(
        plan.contains("\"Badge Holder\" -> \"Renamed Holder\""),
        "{plan}"
    );
    let daemon = once(&[]);
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(
        daemon.printed(),
        ["sync: issued 1, updated 1, suspended 2, resumed 0, deleted 3, unchanged 44"]
    );
    let list = allowlist(&dir);
    assert_eq!(list.len(), 45, "47 people left, 2 of them suspended");
    for gone in ["P0001", "P0002", "P0003", "P0004", "P0005", "P0051"] {
        assert!(list.iter().all(|a| a.pacs_id != gone), "{gone}");
    }
    figures.push(format!("7 changes: {:?}", started.elapsed()));

    // 4. An empty file: refused (exit 2), nothing deleted, the allow-list kept.
    write_people(&people, &[]);
    let before = writes(&sandbox);
    assert_eq!(once(&[]).run(&Shutdown::default()), 2);
    assert_eq!(writes(&sandbox), before);
    assert_eq!(live_passes(&sandbox).len(), 48);
    assert_eq!(allowlist(&dir).len(), 45);
    write_people(&people, &rows);

    // 5. Lost answers while issuing: the passes are found by key, never issued twice; a
    // rerun ends with one pass per person.
    for id in [52, 53] {
        rows.push(Row {
            id,
            name: "Lost Answer",
            status: "active",
        });
    }
    write_people(&people, &rows);
    sandbox.inject_on("POST", "/v1/key-cards", Fault::LoseAnswer, 2);
    let daemon = once(&[]);
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(
        daemon.printed(),
        ["sync: issued 2, updated 0, suspended 0, resumed 0, deleted 0, unchanged 48"]
    );
    let lost: Vec<u16> = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/key-cards")
        .map(|r| r.status)
        .collect();
    assert_eq!(&lost[lost.len() - 2..], [0, 0], "both answers were lost");
    let daemon = once(&[]);
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert!(daemon.printed()[0].ends_with("unchanged 50"));
    let counts = passes_per_person(&sandbox);
    assert_eq!(counts.len(), 50);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    for pass in live_passes(&sandbox) {
        if pass.state == Some(CardState::Created) {
            sandbox.install(&pass.id).expect("installed");
        }
    }
    figures.push(format!("lost answers: {:?}", started.elapsed()));

    // 6. Webhooks, and a restart: a repeated delivery is not applied twice.
    // Held for the whole test: refused until our server binds it, handed to no other test.
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let hook = client
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("doors")
                .url(format!("http://127.0.0.1:{port}/"))
                .subscribed_events(Vec::<String>::new()),
        )
        .expect("webhook");
    let token = hook.private_key.clone().expect("token").expose().to_owned();
    let listen = format!("127.0.0.1:{port}");
    let start_daemon = || {
        let mut cfg = config(&dir, &template, &["--listen", &listen]);
        cfg.once = false;
        cfg.interval = Duration::from_secs(3600);
        let daemon = Arc::new(Daemon::with_clock(client.clone(), cfg, clock_of(&sandbox)));
        let receiver = daemon
            .listen(&token)
            .expect("listening")
            .expect("a receiver");
        (daemon, receiver)
    };
    let (daemon, receiver) = start_daemon();
    assert!(daemon.sync_once().is_ok());
    assert_eq!(allowlist(&dir).len(), 48);
    let p10 = live_passes(&sandbox)
        .into_iter()
        .find(|p| key_of(p, "pacs_id").as_deref() == Some("P0010"))
        .expect("P0010");
    client.access_cards().suspend(&p10.id).expect("suspended");
    assert!(sandbox.wait_for_deliveries(Duration::from_secs(10)));
    // Applied at once, without a reconciliation.
    wait_until("P0010 to leave the allow-list", || {
        allowlist(&dir).iter().all(|a| a.pacs_id != "P0010")
    });
    let suspended_event = sandbox
        .events()
        .into_iter()
        .rev()
        .find(|e| e.kind == "ag.access_pass.suspended")
        .expect("the event");
    // /healthz answers on the same address.
    let health: serde_json::Value = serde_json::from_str(
        &ureq::get(format!("http://{listen}/healthz"))
            .call()
            .expect("healthz")
            .body_mut()
            .read_to_string()
            .expect("body"),
    )
    .expect("JSON");
    assert_eq!(health["consecutive_failures"], 0);
    receiver.stop();
    drop(daemon);

    // While the daemon is down the pass is resumed (that delivery is lost), and the
    // daemon restarts: its reconciliation catches up.
    client.access_cards().resume(&p10.id).expect("resumed");
    assert!(sandbox.wait_for_deliveries(Duration::from_secs(10)));
    let (daemon, receiver) = start_daemon();
    assert!(daemon.sync_once().is_ok());
    assert!(allowlist(&dir).iter().any(|a| a.pacs_id == "P0010"));
    // AccessGrid delivers the old suspension again: acknowledged, not applied.
    let replay = ureq::post(format!("http://{listen}/"))
        .header("Authorization", format!("Bearer {token}"))
        .content_type("application/cloudevents+json")
        .send(serde_json::to_vec(&suspended_event.envelope()).expect("body"))
        .expect("answered");
    assert_eq!(replay.status(), 200);
    assert!(
        allowlist(&dir).iter().any(|a| a.pacs_id == "P0010"),
        "the repeated suspension was applied again"
    );
    figures.push(format!("webhooks and restart: {:?}", started.elapsed()));

    // 7. The clock passes the expiry (a year): the passes expire (suspended, and the
    // `expired` events empty the allow-list at once); without renewal they stay off it;
    // with renewal (the default) they are renewed and back on it.
    sandbox.advance_clock(Duration::from_secs(366 * 24 * 3600));
    let expired = sandbox
        .events()
        .iter()
        .filter(|e| e.kind == "ag.access_pass.expired")
        .count();
    assert_eq!(expired, 50, "every live pass, the two suspended ones too");
    assert!(sandbox.wait_for_deliveries(Duration::from_secs(10)));
    wait_until("the expired passes to leave the allow-list", || {
        allowlist(&dir).is_empty()
    });
    receiver.stop();
    drop(daemon);
    let mut no_renewal = config(&dir, &template, &[]);
    no_renewal.renew = None;
    let daemon = Daemon::with_clock(client.clone(), no_renewal, clock_of(&sandbox));
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(
        daemon.printed(),
        ["sync: issued 0, updated 0, suspended 0, resumed 0, deleted 0, unchanged 50"]
    );
    assert!(allowlist(&dir).is_empty(), "expired passes are dropped");
    let daemon = once(&[]);
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(
        daemon.printed(),
        ["sync: issued 0, updated 50, suspended 0, resumed 0, deleted 0, unchanged 0"]
    );
    assert_eq!(allowlist(&dir).len(), 48, "renewed passes are back");
    let active = live_passes(&sandbox)
        .iter()
        .filter(|p| p.state == Some(CardState::Active))
        .count();
    assert_eq!(active, 48, "the two suspended people stay suspended");
    figures.push(format!("expiry: {:?}", started.elapsed()));

    let total = started.elapsed();
    eprintln!(
        "door controller e2e: {} passes live, {} requests answered by the sandbox; {}",
        live_passes(&sandbox).len(),
        sandbox.requests().len(),
        figures.join("; ")
    );
    assert!(total < Duration::from_secs(60), "took {total:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_outage_keeps_the_allow_list_backs_off_and_healthz_tells() {
    let sandbox = Arc::new(Sandbox::start().expect("sandbox"));
    let client = sandbox
        .client_builder()
        .retry(accessgrid::RetryPolicy::default().with_max_retries(0))
        .build()
        .expect("client");
    let template = sandbox.template_id();
    let dir = state_dir("outage");
    write_people(&dir.join("people.csv"), &everyone(3));
    // Held for the whole test: refused until our server binds it, handed to no other test.
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let listen = format!("127.0.0.1:{port}");
    let mut cfg = config(&dir, &template, &["--listen", &listen, "--interval", "1"]);
    cfg.once = false;
    let daemon = Arc::new(Daemon::new(client.clone(), cfg));
    let receiver = daemon
        .listen("whk_token")
        .expect("listening")
        .expect("receiver");
    let health = || -> (u16, serde_json::Value) {
        let agent = common::agent::agent(Duration::from_secs(10));
        let mut answer = agent
            .get(format!("http://{listen}/healthz"))
            .call()
            .expect("healthz");
        let body = answer.body_mut().read_to_string().expect("body");
        (
            answer.status().as_u16(),
            serde_json::from_str(&body).expect("JSON"),
        )
    };
    // Before any sync: failing (nothing good yet).
    assert_eq!(health().0, 503);

    let shutdown = Shutdown::default();
    let runner = {
        let (daemon, shutdown) = (Arc::clone(&daemon), shutdown.clone());
        std::thread::spawn(move || daemon.run(&shutdown))
    };
    wait_until("a good sync", || health().0 == 200);
    let (_, ok) = health();
    assert!(ok["last_good_sync"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    for pass in live_passes(&sandbox) {
        sandbox.install(&pass.id).expect("installed");
    }
    wait_until("the installed passes on the allow-list", || {
        std::fs::read_to_string(dir.join("allowlist.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Vec<Allowed>>(&t).ok())
            .is_some_and(|l| l.len() == 3)
    });

    // AccessGrid goes down: the allow-list stays, failures are counted.
    sandbox.inject(Fault::Status(503), 1000);
    wait_until("a failure to be counted", || {
        health().1["consecutive_failures"].as_u64() >= Some(1)
    });
    let (status, failing) = health();
    assert_eq!(status, 503);
    assert_eq!(failing["status"], "failing");
    assert!(failing["last_good_sync"].is_string());
    assert_eq!(allowlist(&dir).len(), 3, "the last allow-list is kept");
    // It backs off: after the first failure the wait doubles (2 s), so within 1.5 s no
    // second attempt is made.
    let seen = sandbox.requests().len();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(sandbox.requests().len() <= seen + 1);

    // Back up: it recovers by itself.
    sandbox.clear_faults();
    wait_until("recovery", || health().1["consecutive_failures"] == 0);

    // A clean stop, at once, not after the interval.
    let asked = Instant::now();
    shutdown.stop();
    assert_eq!(runner.join().expect("joined"), 0);
    assert!(asked.elapsed() < Duration::from_secs(2));
    receiver.stop();

    // --once against an unreachable API: exit 3, the allow-list kept.
    let dead_port = ReservedPort::new();
    let dead = accessgrid::Client::builder("acct", "secret")
        .base_url(dead_port.url(""))
        .retry(accessgrid::RetryPolicy::default().with_max_retries(0))
        .build()
        .expect("client");
    let daemon = Daemon::new(dead, config(&dir, &template, &[]));
    assert_eq!(daemon.run(&Shutdown::default()), 3);
    assert_eq!(allowlist(&dir).len(), 3);

    // Issuing fails (the API answers 503 to every issue): exit 3, and no pass is issued
    // twice for the newcomer (the second try came only after a lookup by key found none).
    write_people(&dir.join("people.csv"), &everyone(4));
    sandbox.inject_on("POST", "/v1/key-cards", Fault::Status(503), 10);
    let daemon = Daemon::new(client.clone(), config(&dir, &template, &[]));
    assert_eq!(daemon.run(&Shutdown::default()), 3);
    assert_eq!(live_passes(&sandbox).len(), 3);
    sandbox.clear_faults();
    let daemon = Daemon::new(client, config(&dir, &template, &[]));
    assert_eq!(daemon.run(&Shutdown::default()), 0);
    assert_eq!(passes_per_person(&sandbox).len(), 4);
    assert!(passes_per_person(&sandbox).values().all(|&n| n == 1));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_command_line_and_the_file_are_checked() {
    let dir = state_dir("args");
    assert!(parse_args(["--desired".to_string()]).is_err());
    assert_eq!(
        parse_args(["--template", "t", "--state-dir", "d"].map(String::from)).unwrap_err(),
        "--desired is required"
    );
    let err = parse_args(
        [
            "--desired",
            "p",
            "--template",
            "t",
            "--state-dir",
            "d",
            "--interval",
            "0",
        ]
        .map(String::from),
    )
    .unwrap_err();
    assert!(err.contains("--interval"), "{err}");
    let cfg = parse_args(
        [
            "--desired",
            "p.csv",
            "--template",
            "tpl",
            "--state-dir",
            "d",
            "--once",
            "--dry-run",
            "--interval",
            "60",
            "--listen",
            "0.0.0.0:8080",
            "--force",
        ]
        .map(String::from),
    )
    .expect("every flag");
    assert!(cfg.once && cfg.dry_run && cfg.force);
    assert_eq!(cfg.interval, Duration::from_secs(60));
    assert_eq!(cfg.listen.as_deref(), Some("0.0.0.0:8080"));

    let file = dir.join("people.csv");
    // Each refused file, and what the error says.
    for (text, says) in [
        (
            "id,name\n1,a\n",
            "the header must be pacs_id,full_name,email,site_code,card_number,status",
        ),
        (
            "pacs_id,full_name,email,site_code,card_number,status\nA,Ann,,42,1,active\nB,Bob,,42,70000,active\n",
            ":3: card_number 70000",
        ),
        (
            "pacs_id,full_name,email,site_code,card_number,status\nA,Ann,,42,1,active\nA,Bob,,42,2,gone\n",
            "pacs_id A is on line 2 already",
        ),
    ] {
        std::fs::write(&file, text).expect("file");
        let err = door_controller::read_people(&file).unwrap_err();
        assert!(err.contains(says), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
