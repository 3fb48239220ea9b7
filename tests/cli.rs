//! The `accessgrid` binary (feature `cli`), run as a shell user runs it, against an
//! in-process sandbox on 127.0.0.1: every command's happy path, `--json` parsed back, the
//! error lines and exit codes, and the `--help` texts (insta snapshots).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use accessgrid::models::{AccessCard, CardState};
use accessgrid::sandbox::{Fault, Sandbox};
use serde_json::Value;

mod common;
use common::ports::ReservedPort;
use common::sandbox::{all_passes, issue, live_passes};

const BIN: &str = env!("CARGO_BIN_EXE_accessgrid");

/// The binary with a clean environment: nothing from the caller's (credentials, proxies,
/// `NO_COLOR`) leaks in.
fn bare() -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().stdin(Stdio::null());
    command
}

/// The binary, pointed at the sandbox through the environment.
fn ag(sandbox: &Sandbox) -> Command {
    let mut command = bare();
    command
        .env("ACCESSGRID_BASE_URL", sandbox.base_url())
        .env("ACCESSGRID_ACCOUNT_ID", sandbox.account_id())
        .env("ACCESSGRID_SECRET_KEY", secret(sandbox));
    command
}

fn secret(sandbox: &Sandbox) -> String {
    String::from_utf8(sandbox.secret_key().expose().to_vec()).expect("the sandbox's key is text")
}

/// Runs it; the output, with the exit status.
fn run(mut command: Command, args: &[&str]) -> Output {
    command.args(args).output().expect("the binary runs")
}

/// Runs it and expects success; its standard output.
fn ok(sandbox: &Sandbox, args: &[&str]) -> String {
    let out = run(ag(sandbox), args);
    assert!(
        out.status.success(),
        "accessgrid {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs it with `--json` and parses the one document it prints.
fn json(sandbox: &Sandbox, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let text = ok(sandbox, &all);
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON document on one line: {text}"
    );
    serde_json::from_str(&text).expect("the output is JSON")
}

/// Runs it with `--json --all` and parses each line.
fn json_lines(sandbox: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--json", "--all"]);
    ok(sandbox, &all)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect()
}

/// Runs it, expects the exit code, and returns the one line on standard error.
fn fails(command: Command, args: &[&str], code: i32) -> String {
    let out = run(command, args);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 errors");
    assert_eq!(
        out.status.code(),
        Some(code),
        "accessgrid {args:?}: {stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing on standard output");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("accessgrid: error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("a page has items")
        .iter()
        .map(|i| i["id"].as_str().expect("an item has an id"))
        .collect()
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("accessgrid-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("temp file written");
    path
}

#[test]
fn cards_issue_get_update_list_and_every_state_change() {
    let sandbox = Sandbox::start().expect("sandbox");
    let template = sandbox.template_id();
    let card = json(
        &sandbox,
        &[
            "cards",
            "issue",
            "--template",
            &template,
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.com",
            "--site-code",
            "42",
            "--card-number",
            "1234",
            "--employee-id",
            "E-7",
            "--metadata",
            "team=eng",
            "--field",
            "badge_color=teal",
            "--field-json",
            "temporary=true",
        ],
    );
    let id = card["id"].as_str().expect("an id").to_owned();
    assert_eq!(card["full_name"], "Ada Lovelace");
    assert_eq!(card["email"], "ada@example.com");
    assert_eq!(card["employee_id"], "E-7");
    assert_eq!(card["state"], "created");
    assert_eq!(card["metadata"]["team"], "eng");
    assert_eq!(
        card["badge_color"], "teal",
        "an extra field is sent and kept"
    );
    assert_eq!(card["temporary"], true, "--field-json sends JSON");
    // The sandbox holds what the command sent.
    let held = sandbox.client().access_cards().get(&id).expect("held");
    assert_eq!(held.card_number.as_deref(), Some("1234"));

    assert_eq!(json(&sandbox, &["cards", "get", &id])["id"], id.as_str());
    let view = ok(&sandbox, &["cards", "get", &id]);
    assert!(
        view.lines()
            .any(|l| l.starts_with("full_name:") && l.ends_with(" Ada Lovelace")),
        "{view}"
    );
    assert!(
        view.lines().any(|l| l.starts_with("metadata.team:")),
        "{view}"
    );

    let updated = json(&sandbox, &["cards", "update", &id, "--name", "Ada King"]);
    assert_eq!(updated["full_name"], "Ada King");

    sandbox.install(&id).expect("installed");
    assert_eq!(
        json(&sandbox, &["cards", "suspend", &id])["state"],
        "suspended"
    );
    assert_eq!(json(&sandbox, &["cards", "resume", &id])["state"], "active");
    assert_eq!(json(&sandbox, &["cards", "unlink", &id])["state"], "unlink");
    assert_eq!(json(&sandbox, &["cards", "resume", &id])["state"], "active");
    let other = issue(&sandbox, "Grace Hopper");

    let page = json(&sandbox, &["cards", "list", "--template", &template]);
    assert_eq!(ids(&page), [id.as_str(), other.as_str()]);
    assert_eq!(page["info"]["total_count"], 2);
    let active = json(&sandbox, &["cards", "list", "--state", "active"]);
    assert_eq!(ids(&active), [id.as_str()]);
    // --all: one object per line, across pages of one.
    let lines = json_lines(&sandbox, &["cards", "list", "--per-page", "1"]);
    let all: Vec<&str> = lines
        .iter()
        .map(|c| c["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(all, [id.as_str(), other.as_str()]);
    let second = json(
        &sandbox,
        &["cards", "list", "--per-page", "1", "--page", "2"],
    );
    assert_eq!(ids(&second), [other.as_str()]);

    let table = ok(&sandbox, &["cards", "list"]);
    let mut rows = table.lines();
    let header = rows.next().expect("a header");
    assert!(header.starts_with("ID ") && header.contains("STATE") && header.contains("FULL NAME"));
    let row = rows.next().expect("a row");
    assert!(
        row.starts_with(&id) && row.contains("active") && row.contains("Ada King"),
        "{row}"
    );
    assert!(
        !table.contains('\u{1b}'),
        "no colour when not on a terminal"
    );

    assert_eq!(
        json(&sandbox, &["cards", "delete", &id])["state"],
        "deleted"
    );
    let held = sandbox.client().access_cards().get(&id).expect("held");
    assert_eq!(held.state, Some(CardState::Deleted));
}

#[test]
fn templates_create_get_update_publish_logs_preflight_delete() {
    let sandbox = Sandbox::start().expect("sandbox");
    let created = json(
        &sandbox,
        &[
            "templates",
            "create",
            "--name",
            "Lab",
            "--platform",
            "apple",
            "--use-case",
            "corporate_id",
            "--protocol",
            "desfire",
            "--background-color",
            "#112233",
            "--support-email",
            "help@example.com",
            "--metadata",
            "site=north",
        ],
    );
    let id = created["id"].as_str().expect("an id").to_owned();
    let template = json(&sandbox, &["templates", "get", &id]);
    assert_eq!(template["name"], "Lab");
    assert_eq!(template["style_settings"]["background_color"], "#112233");
    assert_eq!(template["support_settings"]["email"], "help@example.com");
    assert!(ids(&json(&sandbox, &["templates", "list"])).contains(&id.as_str()));
    let table = ok(&sandbox, &["templates", "list"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(&id) && l.contains("Lab")),
        "{table}"
    );

    let updated = json(&sandbox, &["templates", "update", &id, "--name", "Lab 2"]);
    assert_eq!(updated["name"], "Lab 2");
    let published = json(&sandbox, &["templates", "publish", &id]);
    assert_eq!(published["id"], id.as_str());
    assert!(published["status"].is_string(), "{published}");

    // The sandbox's own template has a log once a pass is issued and installed.
    let base = sandbox.template_id();
    let card = issue(&sandbox, "Ada");
    sandbox.install(&card).expect("installed");
    let logs = json(&sandbox, &["templates", "logs", &base]);
    let count = logs["items"].as_array().map_or(0, Vec::len);
    assert!(count > 0, "{logs}");
    let every = json_lines(&sandbox, &["templates", "logs", &base, "--per-page", "1"]);
    assert_eq!(every.len(), count);
    assert_eq!(every[0], logs["items"][0]);
    let installs = json(
        &sandbox,
        &["templates", "logs", &base, "--event-type", "install"],
    );
    assert!(installs["items"]
        .as_array()
        .is_some_and(|a| a.iter().all(|e| e["event"] == "install")));

    let preflight = json(
        &sandbox,
        &["templates", "ios-preflight", &base, "--pass", &card],
    );
    assert!(preflight.is_object() && !preflight.as_object().is_some_and(|o| o.is_empty()));

    let deleted = json(&sandbox, &["templates", "delete", &id]);
    assert_eq!(deleted, serde_json::json!({"id": id, "deleted": true}));
    let args = [
        "templates",
        "create",
        "--name",
        "Scratch",
        "--platform",
        "apple",
    ];
    let scratch = json(
        &sandbox,
        &[&args[..], &["--use-case", "corporate_id"]].concat(),
    );
    let scratch = scratch["id"].as_str().expect("an id").to_owned();
    let said = ok(&sandbox, &["templates", "delete", &scratch]);
    assert_eq!(said, format!("deleted {scratch}\n"));
    let left = ids(&json(&sandbox, &["templates", "list"])).join(" ");
    assert!(!left.contains(&id) && !left.contains(&scratch), "{left}");
}

#[test]
fn pairs_landing_pages_credential_profiles_hid_and_ledger() {
    let sandbox = Sandbox::start().expect("sandbox");
    // A pair needs a published Google template beside the sandbox's Apple one.
    let google = json(
        &sandbox,
        &[
            "templates",
            "create",
            "--name",
            "Lab G",
            "--platform",
            "google",
            "--use-case",
            "corporate_id",
            "--protocol",
            "desfire",
        ],
    );
    let google = google["id"].as_str().expect("an id").to_owned();
    ok(&sandbox, &["templates", "publish", &google]);
    let pair = json(
        &sandbox,
        &[
            "pairs",
            "create",
            "--name",
            "Lab pair",
            "--apple",
            &sandbox.template_id(),
            "--google",
            &google,
        ],
    );
    let pair_id = pair["id"].as_str().expect("an id").to_owned();
    assert_eq!(ids(&json(&sandbox, &["pairs", "list"])), [pair_id.as_str()]);
    let lines = json_lines(&sandbox, &["pairs", "list"]);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["name"], "Lab pair");

    let page = json(
        &sandbox,
        &[
            "landing-pages",
            "create",
            "--name",
            "Welcome",
            "--kind",
            "universal",
            "--bg-color",
            "#ffffff",
        ],
    );
    let page_id = page["id"].as_str().expect("an id").to_owned();
    let password = temp_file("password", "hunter2\n");
    let updated = json(
        &sandbox,
        &[
            "landing-pages",
            "update",
            &page_id,
            "--name",
            "Welcome 2",
            "--password-file",
            password.to_str().expect("path"),
        ],
    );
    assert_eq!(updated["name"], "Welcome 2");
    assert_eq!(updated["password_protected"], true);
    assert_eq!(
        ids(&json(&sandbox, &["landing-pages", "list"])),
        [page_id.as_str()]
    );

    let keys = temp_file(
        "keys",
        "00112233445566778899aabbccddeeff\n\nffeeddccbbaa99887766554433221100\n",
    );
    let profile = json(
        &sandbox,
        &[
            "credential-profiles",
            "create",
            "--name",
            "Doors",
            "--keys-file",
            keys.to_str().expect("path"),
        ],
    );
    let profile_id = profile["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        profile["keys"].as_array().map(Vec::len),
        Some(2),
        "{profile}"
    );
    assert!(ids(&json(&sandbox, &["credential-profiles", "list"])).contains(&profile_id.as_str()));
    assert_eq!(
        json(&sandbox, &["credential-profiles", "delete", &profile_id]),
        serde_json::json!({"id": profile_id, "deleted": true})
    );
    assert!(!ids(&json(&sandbox, &["credential-profiles", "list"])).contains(&profile_id.as_str()));

    let org = json(
        &sandbox,
        &[
            "hid",
            "orgs",
            "create",
            "--name",
            "Acme",
            "--first-name",
            "Ada",
            "--last-name",
            "Lovelace",
            "--phone",
            "+1-555-0000",
            "--full-address",
            "1 Main St",
        ],
    );
    let org_id = org["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        ids(&json(&sandbox, &["hid", "orgs", "list"])),
        [org_id.as_str()]
    );
    let activated = json(
        &sandbox,
        &[
            "hid",
            "orgs",
            "activate",
            "--email",
            "admin@example.com",
            "--password-file",
            password.to_str().expect("path"),
        ],
    );
    assert!(activated["id"].is_string(), "{activated}");

    issue(&sandbox, "Ada");
    issue(&sandbox, "Grace");
    let ledger = json(&sandbox, &["ledger"]);
    assert_eq!(
        ledger["items"].as_array().map(Vec::len),
        Some(2),
        "{ledger}"
    );
    let lines = json_lines(&sandbox, &["ledger", "--per-page", "1"]);
    assert_eq!(lines.len(), 2);
    let future = json(&sandbox, &["ledger", "--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(future["items"].as_array().map(Vec::len), Some(0));
    let table = ok(&sandbox, &["ledger"]);
    assert!(table.starts_with("ID "), "{table}");
    assert_eq!(table.lines().count(), 3, "a header and two rows: {table}");
    let _ = std::fs::remove_file(password);
    let _ = std::fs::remove_file(keys);
}

/// Kills the child when dropped, so that a failed test leaves no process behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Each line the child prints on `stream`, sent on a channel.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn webhooks_create_list_verify_listen_delete() {
    let sandbox = Sandbox::start().expect("sandbox");
    // Held for the whole test: refused until our server binds it, handed to no other test.
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let hook = json(
        &sandbox,
        &[
            "webhooks",
            "create",
            "--name",
            "Doors",
            "--url",
            &url,
            "--event",
            "ag.access_pass.issued",
        ],
    );
    let hook_id = hook["id"].as_str().expect("an id").to_owned();
    let token = hook["private_key"].as_str().expect("a token").to_owned();
    assert_eq!(
        ids(&json(&sandbox, &["webhooks", "list"])),
        [hook_id.as_str()]
    );
    let lines_all = json_lines(&sandbox, &["webhooks", "list"]);
    assert_eq!(lines_all.len(), 1);
    assert_eq!(lines_all[0]["url"], url.as_str());
    let table = ok(&sandbox, &["webhooks", "list"]);
    assert!(
        table.contains(&hook_id) && table.contains("ag.access_pass.issued"),
        "{table}"
    );
    assert_eq!(
        json(&sandbox, &["webhooks", "verify", &hook_id])["id"],
        hook_id.as_str()
    );

    // The listener: the library's receiver, printing each verified event.
    let mut child = bare()
        .args([
            "webhooks",
            "listen",
            "--port",
            &port.to_string(),
            "--path",
            "/hook",
        ])
        .env("ACCESSGRID_WEBHOOK_TOKEN", &token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("listen starts");
    let stdout = lines(child.stdout.take().expect("stdout"));
    let stderr = lines(child.stderr.take().expect("stderr"));
    let _running = Running(child);
    let said = stderr
        .recv_timeout(Duration::from_secs(10))
        .expect("it says where it listens");
    assert_eq!(said, format!("listening on http://127.0.0.1:{port}/hook"));

    let card = issue(&sandbox, "Eve\u{1b}[2J\nforged line");
    let line = stdout
        .recv_timeout(Duration::from_secs(10))
        .expect("the event is printed");
    assert!(line.contains(" ag.access_pass.issued "), "{line}");
    assert!(line.contains(&card), "{line}");
    assert!(!line.chars().any(char::is_control), "escaped: {line:?}");
    assert!(sandbox.wait_for_deliveries(Duration::from_secs(10)));
    assert!(sandbox.deliveries().iter().any(|d| d.delivered()));
    // Exactly one line for the event (the forged line break is escaped).
    assert!(stdout.recv_timeout(Duration::from_millis(300)).is_err());

    assert_eq!(
        json(&sandbox, &["webhooks", "delete", &hook_id]),
        serde_json::json!({"id": hook_id, "deleted": true})
    );
    assert!(ids(&json(&sandbox, &["webhooks", "list"])).is_empty());
}

#[test]
fn listen_prints_json_envelopes_and_refuses_to_start_without_a_token() {
    let sandbox = Sandbox::start().expect("sandbox");
    // Held for the whole test: refused until our server binds it, handed to no other test.
    let reserved = ReservedPort::new();
    let port = reserved.port();
    let hook = json(
        &sandbox,
        &[
            "webhooks",
            "create",
            "--name",
            "All",
            "--url",
            &format!("http://127.0.0.1:{port}/"),
        ],
    );
    let token_file = temp_file(
        "token",
        &format!("{}\n", hook["private_key"].as_str().expect("token")),
    );
    let mut child = bare()
        .args(["webhooks", "listen", "--json", "--port", &port.to_string()])
        .args(["--token-file", token_file.to_str().expect("path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("listen starts");
    let stdout = lines(child.stdout.take().expect("stdout"));
    let stderr = lines(child.stderr.take().expect("stderr"));
    let _running = Running(child);
    stderr
        .recv_timeout(Duration::from_secs(10))
        .expect("listening");
    let card = issue(&sandbox, "Ada");
    let line = stdout
        .recv_timeout(Duration::from_secs(10))
        .expect("an event");
    let event: Value = serde_json::from_str(&line).expect("a JSON envelope");
    assert_eq!(event["type"], "ag.access_pass.issued");
    assert_eq!(event["source"], "accessgrid");
    assert_eq!(event["data"]["access_pass_id"], card.as_str());
    let _ = std::fs::remove_file(token_file);

    let line = fails(bare(), &["webhooks", "listen", "--port", "0"], 3);
    assert!(line.contains("ACCESSGRID_WEBHOOK_TOKEN"), "{line}");
}

#[test]
fn errors_are_one_line_with_an_exit_code_by_kind() {
    let sandbox = Sandbox::start().expect("sandbox");
    let card = issue(&sandbox, "Ada");

    // A wrong secret: authentication, 3; the key is never printed.
    let mut wrong = ag(&sandbox);
    wrong.env("ACCESSGRID_SECRET_KEY", "not-the-secret-at-all");
    let line = fails(wrong, &["cards", "get", &card], 3);
    assert!(
        line.starts_with("accessgrid: error: authentication failed: status 401"),
        "{line}"
    );
    assert!(!line.contains("not-the-secret-at-all") && !line.contains(&secret(&sandbox)));

    // No credentials: 3, naming what to set.
    let mut none = ag(&sandbox);
    none.env_remove("ACCESSGRID_SECRET_KEY");
    let line = fails(none, &["cards", "get", &card], 3);
    assert!(
        line.contains("ACCESSGRID_SECRET_KEY") && line.contains("--secret-key-file"),
        "{line}"
    );
    let mut none = ag(&sandbox);
    none.env_remove("ACCESSGRID_ACCOUNT_ID");
    let line = fails(none, &["cards", "get", &card], 3);
    assert!(line.contains("ACCESSGRID_ACCOUNT_ID"), "{line}");

    // Not found: 4.
    let line = fails(ag(&sandbox), &["cards", "get", "0xnope"], 4);
    assert!(line.contains("404"), "{line}");

    // Refused as invalid by the server (a pass that is not active cannot be suspended): 2.
    let line = fails(ag(&sandbox), &["cards", "suspend", &card], 2);
    assert!(
        line.contains("422") && line.contains("not active"),
        "{line}"
    );

    // Refused before sending: 2.
    let before = sandbox.requests().len();
    let args = [
        "cards",
        "issue",
        "--template",
        "t",
        "--name",
        "A",
        "--tag-id",
        "XYZ",
    ];
    let line = fails(ag(&sandbox), &args, 2);
    assert!(
        line.contains("tag_id") && line.contains("nothing was sent"),
        "{line}"
    );
    let line = fails(
        ag(&sandbox),
        &["cards", "update", &card, "--field-json", "x={not json"],
        2,
    );
    assert!(line.contains("--field-json x"), "{line}");
    assert_eq!(sandbox.requests().len(), before, "nothing was sent");

    // Rate limited or unavailable: 5 (after the client's own retries).
    sandbox.inject(Fault::RateLimited { retry_after: 0 }, 20);
    let line = fails(ag(&sandbox), &["cards", "get", &card], 5);
    assert!(line.contains("429"), "{line}");
    sandbox.clear_faults();
    let dead_port = ReservedPort::new();
    let mut closed = ag(&sandbox);
    closed.env("ACCESSGRID_BASE_URL", dead_port.url(""));
    let line = fails(closed, &["cards", "get", &card], 5);
    assert!(line.contains("could not reach"), "{line}");

    // Outcome unknown: a POST that failed after it may have been acted on: 6.
    sandbox.install(&card).expect("installed");
    sandbox.inject(Fault::Status(500), 1);
    let line = fails(ag(&sandbox), &["cards", "suspend", &card], 6);
    assert!(
        line.contains("may or may not have been carried out"),
        "{line}"
    );

    // A usage error is clap's, with exit code 2; there is no flag for the key itself.
    let out = run(ag(&sandbox), &["cards", "get", &card, "--secret-key", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--secret-key"));
}

#[test]
fn the_secret_key_from_a_file_or_standard_input() {
    let sandbox = Sandbox::start().expect("sandbox");
    let card = issue(&sandbox, "Ada");
    let file = temp_file("secret", &format!("{}\n", secret(&sandbox)));
    let mut command = ag(&sandbox);
    command.env_remove("ACCESSGRID_SECRET_KEY");
    let out = run(
        command,
        &[
            "cards",
            "get",
            &card,
            "--json",
            "--secret-key-file",
            file.to_str().expect("path"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&file);

    let mut command = ag(&sandbox);
    command
        .env_remove("ACCESSGRID_SECRET_KEY")
        .args(["--secret-key-stdin", "cards", "get", &card, "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{}\n", secret(&sandbox)).as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("finishes");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(answer["id"], card.as_str());

    // Flags and the environment: --account-id and --base-url win over nothing.
    let out = run(
        bare(),
        &[
            "cards",
            "get",
            &card,
            "--json",
            "--account-id",
            sandbox.account_id(),
            "--base-url",
            sandbox.base_url(),
            "--secret-key-file",
            "/nonexistent/secret",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not read the secret key"));
}

#[test]
fn the_sandbox_command_serves_the_api() {
    let mut child = bare()
        .args(["sandbox", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox starts");
    let stdout = lines(child.stdout.take().expect("stdout"));
    let _running = Running(child);
    let first = stdout
        .recv_timeout(Duration::from_secs(10))
        .expect("its settings");
    let settings: Value = serde_json::from_str(&first).expect("JSON");
    let text = |k: &str| settings[k].as_str().expect("a string").to_owned();
    let out = run(
        bare(),
        &[
            "cards",
            "issue",
            "--template",
            &text("template_id"),
            "--name",
            "Ada",
            "--json",
        ],
    );
    // The sandbox of the command checks signatures like any: with its own credentials.
    assert_eq!(out.status.code(), Some(3), "no credentials given");
    let mut command = bare();
    command
        .env("ACCESSGRID_BASE_URL", text("base_url"))
        .env("ACCESSGRID_ACCOUNT_ID", text("account_id"))
        .env("ACCESSGRID_SECRET_KEY", text("secret_key"));
    let out = run(
        command,
        &[
            "cards",
            "issue",
            "--template",
            &text("template_id"),
            "--name",
            "Ada",
            "--site-code",
            "1",
            "--card-number",
            "2",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let card: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(card["state"], "created");
}

#[test]
fn completions_and_man_page_come_from_the_same_definitions() {
    let out = run(bare(), &["completions", "bash"]);
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).expect("text");
    for word in [
        "accessgrid",
        "cards",
        "suspend",
        "credential-profiles",
        "--secret-key-file",
    ] {
        assert!(script.contains(word), "bash completion knows {word}");
    }
    let out = run(bare(), &["completions", "zsh"]);
    assert!(
        out.status.success()
            && String::from_utf8_lossy(&out.stdout).contains("#compdef accessgrid")
    );
    let out = run(bare(), &["man"]);
    assert!(out.status.success());
    let man = String::from_utf8(out.stdout).expect("text");
    assert!(
        man.starts_with(".ie") || man.contains(".TH accessgrid"),
        "{}",
        &man[..man.len().min(200)]
    );
    assert!(man.contains("webhooks") && man.contains("ACCESSGRID_SECRET_KEY"));
}

#[test]
fn help_texts() {
    let cases: &[&[&str]] = &[
        &[],
        &["cards"],
        &["cards", "issue"],
        &["cards", "update"],
        &["cards", "list"],
        &["templates"],
        &["templates", "create"],
        &["templates", "logs"],
        &["pairs"],
        &["landing-pages", "create"],
        &["credential-profiles", "create"],
        &["webhooks"],
        &["webhooks", "create"],
        &["webhooks", "listen"],
        &["ledger"],
        &["hid", "orgs"],
        &["sync"],
        &["sandbox"],
    ];
    for args in cases {
        let mut all = args.to_vec();
        all.push("--help");
        let out = run(bare(), &all);
        assert!(out.status.success(), "{all:?}");
        let name = if args.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", args.join("_").replace('-', "_"))
        };
        insta::assert_snapshot!(name, String::from_utf8(out.stdout).expect("text"));
    }
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), so that standard output and
/// standard error are terminals; what the terminal showed.
fn on_terminal(sandbox: &Sandbox, args: &str, no_color: bool) -> String {
    let mut command = Command::new("script");
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("ACCESSGRID_BASE_URL", sandbox.base_url())
        .env("ACCESSGRID_ACCOUNT_ID", sandbox.account_id())
        .env("ACCESSGRID_SECRET_KEY", secret(sandbox))
        .args(["-qec", &format!("{BIN} {args}"), "/dev/null"])
        .stdin(Stdio::null());
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let out = command.output().expect("util-linux `script` runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colours_on_a_terminal_only_and_never_with_no_color() {
    let sandbox = Sandbox::start().expect("sandbox");
    let card = issue(&sandbox, "Ada");
    let shown = on_terminal(&sandbox, "cards list", false);
    assert!(
        shown.contains("\u{1b}[1mID "),
        "a bold header on a terminal: {shown:?}"
    );
    assert!(shown.contains(&card));
    let plain = on_terminal(&sandbox, "cards list", true);
    assert!(!plain.contains('\u{1b}'), "NO_COLOR: {plain:?}");
    assert!(plain.contains(&card));
    // A failure's line: coloured on a terminal, plain with NO_COLOR.
    let shown = on_terminal(&sandbox, "cards get 0xnope || true", false);
    assert!(shown.contains("\u{1b}[1;31merror:"), "{shown:?}");
    let plain = on_terminal(&sandbox, "cards get 0xnope || true", true);
    assert!(
        plain.contains("accessgrid: error: ") && !plain.contains('\u{1b}'),
        "{plain:?}"
    );
}

#[test]
fn a_spinner_for_every_page_only_on_a_terminal() {
    let sandbox = Sandbox::start().expect("sandbox");
    let made: Vec<String> = (0..3).map(|i| issue(&sandbox, &format!("P{i}"))).collect();
    // Standard error a terminal, standard output a file: the spinner is drawn, the file
    // gets one object per line and nothing else.
    let file = std::env::temp_dir().join(format!("accessgrid-cli-{}-all", std::process::id()));
    let shown = on_terminal(
        &sandbox,
        &format!("cards list --all --per-page 1 --json > {}", file.display()),
        false,
    );
    assert!(shown.contains(" read ("), "the spinner: {shown:?}");
    let written = std::fs::read_to_string(&file).expect("the output file");
    let _ = std::fs::remove_file(&file);
    let ids: Vec<String> = written
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON lines only");
            v["id"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(ids, made);
    // Not a terminal: nothing on standard error.
    let out = run(
        ag(&sandbox),
        &["cards", "list", "--all", "--per-page", "1", "--json"],
    );
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

fn as_json(passes: &[AccessCard]) -> Value {
    serde_json::to_value(passes).expect("passes serialize")
}

const PEOPLE: &str = "\
pacs_id,full_name,email,site_code,card_number,status
1001,Ada Lovelace,ada@example.com,42,1001,active
1002, Alan Turing ,,42,1002,active
";

#[test]
fn sync_dry_run_changes_nothing_apply_issues_and_a_second_run_is_unchanged() {
    let sandbox = Sandbox::start().expect("sandbox");
    let template = sandbox.template_id().to_owned();
    let file = temp_file("sync-people.csv", PEOPLE);
    let desired = file.to_str().expect("a UTF-8 path");
    let sync = ["sync", "--desired", desired, "--template", &template];
    let dry = [&sync[..], &["--dry-run"]].concat();

    // The dry run: the plan, and nothing sent that changes anything.
    let before = as_json(&all_passes(&sandbox));
    let text = ok(&sandbox, &dry);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("plan for 2 people against 0 passes: issue 2, update 0"),
        "{text}"
    );
    assert!(
        lines[1].contains("issue")
            && lines[1].contains("1001")
            && lines[1].contains("\"Ada Lovelace\""),
        "{text}"
    );
    assert!(
        lines[2].contains("1002") && lines[2].contains("\"Alan Turing\""),
        "{text}"
    );
    assert_eq!(lines.last(), Some(&"dry run: nothing changed"), "{text}");
    let plan = json(&sandbox, &dry);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["refused"], Value::Null);
    assert_eq!(plan["plan"]["counts"]["issued"], 2);
    assert_eq!(plan["plan"]["desired"], 2);
    assert_eq!(plan["plan"]["existing"], 0);
    let actions = plan["plan"]["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["action"], "issue");
    assert_eq!(actions[0]["key"], "1001");
    assert_eq!(actions[0]["email"], "ada@example.com");
    assert_eq!(actions[1]["full_name"], "Alan Turing");
    assert_eq!(actions[1]["email"], Value::Null);
    assert_eq!(
        as_json(&all_passes(&sandbox)),
        before,
        "the dry run changed nothing"
    );

    // Applied: both passes issued, each tied to its person.
    let text = ok(&sandbox, &sync);
    assert_eq!(
        text.lines().last(),
        Some("sync: issued 2, updated 0, suspended 0, resumed 0, deleted 0, unchanged 0"),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.ends_with(": done")).count(),
        2,
        "{text}"
    );
    let mut issued: Vec<(String, String, String)> = live_passes(&sandbox)
        .iter()
        .map(|p| {
            let v = serde_json::to_value(p).expect("a pass serializes");
            (
                v["metadata"]["pacs_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                v["full_name"].as_str().unwrap_or_default().to_owned(),
                v["card_number"].to_string(),
            )
        })
        .collect();
    issued.sort();
    assert_eq!(issued.len(), 2, "{issued:?}");
    assert_eq!(
        (issued[0].0.as_str(), issued[0].1.as_str()),
        ("1001", "Ada Lovelace")
    );
    assert_eq!(
        (issued[1].0.as_str(), issued[1].1.as_str()),
        ("1002", "Alan Turing")
    );
    assert!(issued[1].2.contains("1002"), "{issued:?}");

    // Again: nothing to do, nothing changed.
    let after = as_json(&all_passes(&sandbox));
    let text = ok(&sandbox, &sync);
    assert_eq!(
        text.lines().last(),
        Some("sync: issued 0, updated 0, suspended 0, resumed 0, deleted 0, unchanged 2"),
        "{text}"
    );
    assert_eq!(as_json(&all_passes(&sandbox)), after);

    // A changed name, applied with --json: one document, the report parsed back.
    let renamed = PEOPLE.replace(" Alan Turing ", "Alan M. Turing");
    std::fs::write(&file, renamed).expect("rewritten");
    let doc = json(&sandbox, &sync);
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["summary"]["updated"], 1);
    assert_eq!(doc["summary"]["unchanged"], 1);
    assert_eq!(doc["summary"]["issued"], 0);
    let report = doc["report"].as_array().expect("a report");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0]["action"], "update");
    assert_eq!(report[0]["key"], "1002");
    assert_eq!(report[0]["outcome"], "done");
    assert_eq!(report[0]["changes"][0]["field"], "full_name");
    assert_eq!(report[0]["changes"][0]["to"], "Alan M. Turing");
    assert_eq!(report[0]["pass"]["full_name"], "Alan M. Turing");
    assert_eq!(report[0]["pass"]["id"], report[0]["pass_id"]);
    let _ = std::fs::remove_file(file);
}

#[test]
fn sync_refuses_an_empty_desired_state_with_exit_code_2_and_deletes_nothing() {
    let sandbox = Sandbox::start().expect("sandbox");
    let template = sandbox.template_id().to_owned();
    let people = temp_file("sync-refuse-people.csv", PEOPLE);
    let people = people.to_str().expect("a UTF-8 path").to_owned();
    ok(
        &sandbox,
        &["sync", "--desired", &people, "--template", &template],
    );
    let before = as_json(&all_passes(&sandbox));
    assert_eq!(live_passes(&sandbox).len(), 2);

    // A header alone, and a file with nothing in it: both an empty desired state.
    let header = temp_file(
        "sync-header.csv",
        "pacs_id,full_name,email,site_code,card_number,status\n",
    );
    let nothing = temp_file("sync-nothing.csv", "");
    for file in [&header, &nothing] {
        let desired = file.to_str().expect("a UTF-8 path");
        let line = fails(
            ag(&sandbox),
            &["sync", "--desired", desired, "--template", &template],
            2,
        );
        assert!(
            line.contains("plan refused: the desired state is empty"),
            "{line}"
        );
        assert!(line.contains("all 2 passes"), "{line}");
        // The dry run shows what would happen and says it would be refused.
        let text = ok(
            &sandbox,
            &[
                "sync",
                "--desired",
                desired,
                "--template",
                &template,
                "--dry-run",
            ],
        );
        assert!(text.contains("delete 2"), "{text}");
        assert!(
            text.lines().last().is_some_and(
                |l| l.starts_with("dry run; applying it would be refused: plan refused:")
            ),
            "{text}"
        );
        assert_eq!(as_json(&all_passes(&sandbox)), before, "nothing deleted");
    }

    // --force applies it.
    let desired = header.to_str().expect("a UTF-8 path");
    let text = ok(
        &sandbox,
        &[
            "sync",
            "--desired",
            desired,
            "--template",
            &template,
            "--force",
        ],
    );
    assert_eq!(
        text.lines().last(),
        Some("sync: issued 0, updated 0, suspended 0, resumed 0, deleted 2, unchanged 0"),
        "{text}"
    );
    assert!(live_passes(&sandbox).is_empty());
    for file in [header, nothing, PathBuf::from(people)] {
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn sync_refuses_a_bad_desired_state_file_in_one_line() {
    let sandbox = Sandbox::start().expect("sandbox");
    let template = sandbox.template_id().to_owned();
    let cases = [
        ("sync-bad-header.csv", "id,name\n1,A\n", "the header must be pacs_id,full_name,email,site_code,card_number,status"),
        ("sync-bad-status.csv", "pacs_id,full_name,email,site_code,card_number,status\n1,A,,42,7,gone\n", ":2: "),
        ("sync-bad-number.csv", "pacs_id,full_name,email,site_code,card_number,status\n1,A,,42,70000,active\n", "card_number 70000 is not a number from 0 to 65535"),
        ("sync-twice.csv", "pacs_id,full_name,email,site_code,card_number,status\n1,A,,42,7,active\n1,B,,42,8,active\n", ":3: pacs_id 1 is on line 2 already"),
    ];
    for (name, text, expected) in cases {
        let file = temp_file(name, text);
        let desired = file.to_str().expect("a UTF-8 path");
        let line = fails(
            ag(&sandbox),
            &["sync", "--desired", desired, "--template", &template],
            2,
        );
        assert!(line.contains(expected), "{name}: {line}");
        let _ = std::fs::remove_file(&file);
    }
    assert!(all_passes(&sandbox).is_empty(), "nothing issued");
    let line = fails(
        ag(&sandbox),
        &[
            "sync",
            "--desired",
            "/nonexistent/people.csv",
            "--template",
            &template,
        ],
        1,
    );
    assert!(
        line.contains("/nonexistent/people.csv: cannot read it"),
        "{line}"
    );
}

#[test]
fn sync_reports_a_failed_action_and_exits_with_its_kind() {
    let sandbox = Sandbox::start().expect("sandbox");
    let template = sandbox.template_id().to_owned();
    let file = temp_file("sync-partial-people.csv", PEOPLE);
    let desired = file.to_str().expect("a UTF-8 path");
    // The first issue is refused as invalid; the second goes through.
    sandbox.inject_on("POST", "/v1/key-cards", Fault::Status(422), 1);
    let out = run(
        ag(&sandbox),
        &["sync", "--desired", desired, "--template", &template],
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 errors");
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.contains(": FAILED: ")).count(),
        1,
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("sync: issued 1, updated 0, suspended 0, resumed 0, deleted 0, unchanged 0, failed 1, skipped 0"),
        "{stdout}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "accessgrid: error: sync: 1 actions failed and 0 were skipped; the first: "
        ),
        "{stderr}"
    );
    assert_eq!(live_passes(&sandbox).len(), 1);

    // The next run issues the one that failed.
    let text = ok(
        &sandbox,
        &["sync", "--desired", desired, "--template", &template],
    );
    assert_eq!(
        text.lines().last(),
        Some("sync: issued 1, updated 0, suspended 0, resumed 0, deleted 0, unchanged 1"),
        "{text}"
    );
    let _ = std::fs::remove_file(file);
}
