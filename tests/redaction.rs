//! Redaction: the secret key and the signatures made with it never appear in `Debug` or
//! `Display` of the client, its builder or any error, nor in log output; request bodies
//! (personal data) never appear in log output.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use accessgrid::models::IssueCardRequest;
use accessgrid::{Client, Error, RetryPolicy, Throttle};
use base64::Engine as _;
use common::ports::ReservedPort;
use common::raw::{RawServer, Reply};

const SECRET: &str = "s3cr3t-K3Y-do-not-print-9f8e7d";
/// Personal data in a request body: must never reach a log line.
const NAME: &str = "Zoë Ångström-Privatperson";

/// Every log record: crate lines at every level, dependency lines up to `debug` (see
/// `secret_material` and the note in `nothing_ever_shows_the_secret_or_a_signature`).
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.target().starts_with("accessgrid") || m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            if let Ok(mut v) = self.0.lock() {
                v.push(format!("{} {} {}", r.level(), r.target(), r.args()));
            }
        }
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

/// Texts that must never be printed: the secret, also hex- or base64-encoded.
fn secret_material() -> Vec<String> {
    vec![
        SECRET.to_owned(),
        hex::encode(SECRET),
        base64::engine::general_purpose::STANDARD.encode(SECRET),
    ]
}

fn assert_clean(what: &str, text: &str, signatures: &[String]) {
    for s in secret_material() {
        assert!(!text.contains(&s), "{what} shows the secret: {text}");
    }
    for sig in signatures {
        // Even a part of a signature is too much.
        assert!(
            !text.contains(&sig[..16]),
            "{what} shows a signature: {text}"
        );
    }
}

fn builder(url: &str) -> accessgrid::ClientBuilder {
    Client::builder("acct_redaction", SECRET)
        .base_url(url)
        .retry(
            RetryPolicy::default()
                .with_max_retries(1)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .throttle(Throttle::off())
}

fn issue(client: &Client) -> Result<accessgrid::models::AccessCard, Error> {
    client.access_cards().issue(
        IssueCardRequest::builder()
            .card_template_id("0xt3mpl4t3")
            .full_name(NAME)
            .site_code("42"),
    )
}

#[test]
fn client_and_builder_debug_are_redacted() {
    let b = builder("https://api.accessgrid.com");
    let shown = format!("{b:?} {b:#?}");
    assert_clean("builder Debug", &shown, &[]);
    assert!(shown.contains("redacted"), "{shown}");
    let client = b.build().expect("client");
    let shown = format!("{client:?} {client:#?}");
    assert_clean("client Debug", &shown, &[]);
    assert!(
        shown.contains("acct_redaction"),
        "the account id is not secret"
    );
    let key = accessgrid::SecretKey::new(SECRET);
    assert_clean("SecretKey", &format!("{key:?} {key}"), &[]);
}

#[test]
fn nothing_ever_shows_the_secret_or_a_signature() {
    let _ = log::set_logger(&LOGS);
    log::set_max_level(log::LevelFilter::Trace);

    // A server whose answer depends on the path, so that one server yields most errors.
    let server = RawServer::start(|_, seen| match seen.path() {
        "/v1/key-cards/auth" => Reply::json(401, r#"{"message":"bad signature"}"#),
        "/v1/key-cards/broke" => Reply::json(402, r#"{"message":"balance"}"#),
        "/v1/key-cards/gone" => Reply::json(404, r#"{"message":"not found"}"#),
        "/v1/key-cards/garbage" => Reply::json(200, "<html>oops</html>"),
        "/v1/key-cards/huge" => Reply::json(200, &format!(r#"{{"id":"{}"}}"#, "x".repeat(4096))),
        "/v1/key-cards/slow" => {
            Reply::After(Duration::from_millis(800), Box::new(Reply::json(200, "{}")))
        }
        "/v1/key-cards/drop" => Reply::Close,
        "/v1/key-cards" => Reply::json(500, r#"{"message":"boom"}"#),
        _ => Reply::json(200, r#"{"id":"ok"}"#),
    });
    let client = builder(&server.url())
        .timeout(Duration::from_millis(300))
        .max_response_bytes(1024)
        .build()
        .expect("client");
    let cards = client.access_cards();
    let refused_port = ReservedPort::new();
    let refused = builder(&refused_port.url("")).build().expect("client");

    let mut errors: Vec<Error> = vec![
        cards.get("auth").expect_err("401"),
        cards.get("broke").expect_err("402"),
        cards.get("gone").expect_err("404"),
        cards.get("garbage").expect_err("decode"),
        cards.get("huge").expect_err("too large"),
        cards.get("slow").expect_err("timeout"),
        cards.get("drop").expect_err("dropped"),
        cards.get(" ").expect_err("invalid input"),
        issue(&client).expect_err("500 on a POST"),
        refused.access_cards().get("x").expect_err("refused"),
        builder("http://example.com").build().expect_err("config"),
    ];
    errors.push(issue(&refused).expect_err("refused POST"));
    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Authentication(_) => "Authentication",
            Error::InsufficientBalance(_) => "InsufficientBalance",
            Error::Api(_) => "Api",
            Error::InvalidInput { .. } => "InvalidInput",
            Error::Config(_) => "Config",
            Error::Timeout { .. } => "Timeout",
            Error::Transport(_) => "Transport",
            Error::ResponseTooLarge { .. } => "ResponseTooLarge",
            Error::Decode(_) => "Decode",
            Error::OutcomeUnknown { .. } => "OutcomeUnknown",
            _ => "other",
        })
        .collect();
    for kind in [
        "Authentication",
        "InsufficientBalance",
        "Api",
        "InvalidInput",
        "Config",
        "Timeout",
        "Transport",
        "ResponseTooLarge",
        "Decode",
        "OutcomeUnknown",
    ] {
        assert!(
            kinds.contains(&kind),
            "no {kind} error was produced: {kinds:?}"
        );
    }

    let signatures: Vec<String> = server
        .seen()
        .iter()
        .filter_map(|s| s.header("x-payload-sig").map(str::to_owned))
        .collect();
    assert!(signatures.len() >= 9, "the requests were signed");
    for e in &errors {
        let shown = format!("{e} | {e:?} | {e:#?}");
        assert_clean("an error", &shown, &signatures);
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            assert_clean("an error source", &format!("{s} | {s:?}"), &signatures);
            source = s.source();
        }
    }

    // What the crate logs: method, path, status or failure, attempt, time; never a body.
    // (ureq's own `trace` level dumps the raw bytes on the wire, signature header and body
    // included: it is documented to stay off in production, and not captured here.)
    let logs = LOGS.0.lock().expect("not poisoned").clone();
    assert!(
        logs.iter()
            .any(|l| l.contains("GET /v1/key-cards/gone -> 404 (attempt 1")),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|l| l.contains("retrying")),
        "retries are logged"
    );
    assert!(
        logs.iter().any(|l| l.contains(" ureq")),
        "dependency lines are captured too"
    );
    for line in &logs {
        assert_clean("a log line", line, &signatures);
        assert!(!line.contains(NAME), "a log line shows a body: {line}");
        assert!(
            !line.contains("sig_payload"),
            "a log line shows the query: {line}"
        );
    }
}

/// Passwords, credential-profile keys and webhook bearer tokens are secrets too: models that
/// carry them never show them in `Debug`, while the wire still carries the plain text.
#[test]
fn models_never_show_passwords_keys_or_tokens() {
    use accessgrid::models::{
        ActivateHidOrgRequest, CreateCredentialProfileRequest, CreateLandingPageRequest,
        CredentialProfileKey, Webhook,
    };
    const KEY: &str = "00112233445566778899AABBCCDDEEFF";
    let profile: CreateCredentialProfileRequest = CreateCredentialProfileRequest::builder()
        .name("Main office")
        .keys(vec![CredentialProfileKey::new(KEY)])
        .try_into()
        .expect("valid");
    let activate: ActivateHidOrgRequest = ActivateHidOrgRequest::builder()
        .email("admin@example.com")
        .password("hid-password-123")
        .try_into()
        .expect("valid");
    let page: CreateLandingPageRequest = CreateLandingPageRequest::builder()
        .name("Miami")
        .kind("universal")
        .password("landing-pass-456")
        .try_into()
        .expect("valid");
    let webhook: Webhook =
        serde_json::from_str(r#"{"id":"wh_1","private_key":"whsec_token_789"}"#).expect("decodes");

    for (shown, secret) in [
        (format!("{profile:?}"), KEY),
        (format!("{activate:?}"), "hid-password-123"),
        (format!("{page:?}"), "landing-pass-456"),
        (format!("{webhook:?}"), "whsec_token_789"),
    ] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    // On the wire the secret is plain text, as the API expects.
    let wire = serde_json::to_string(&activate).expect("serializes");
    assert_eq!(
        wire,
        r#"{"email":"admin@example.com","password":"hid-password-123"}"#
    );
    assert_eq!(
        webhook.private_key.as_ref().map(|t| t.expose()),
        Some("whsec_token_789")
    );
}
