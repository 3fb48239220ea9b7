//! Building a client: credentials, base URL, environment, redaction, thread safety.

use accessgrid::{Client, Error};

mod common;
use common::raw::{RawServer, Reply};

const SECRET: &str = "sk_live_do_not_print_me_0123456789";

#[test]
fn client_is_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    assert_traits::<accessgrid::ClientBuilder>();
}

#[test]
fn empty_credentials_are_refused_at_construction() {
    for (account, secret, needle) in [
        ("", SECRET, "account id"),
        ("acct", "", "secret key"),
        ("  ", SECRET, "account id"),
        ("acct", " \t", "secret key"),
    ] {
        match Client::new(account, secret) {
            Err(Error::Config(reason)) => assert!(reason.contains(needle), "{reason}"),
            other => panic!("expected a config error, got {other:?}"),
        }
    }
}

#[test]
fn header_breaking_account_ids_and_user_agents_are_refused_at_construction() {
    let bad_account = Client::new("acct\r\nX-Injected: 1", SECRET);
    assert!(
        matches!(bad_account, Err(Error::Config(ref m)) if m.contains("account id")),
        "{bad_account:?}"
    );
    let bad_agent = Client::builder("acct", SECRET)
        .user_agent("door\ndaemon")
        .build();
    assert!(
        matches!(bad_agent, Err(Error::Config(ref m)) if m.contains("user agent")),
        "{bad_agent:?}"
    );
}

#[test]
fn malformed_or_insecure_base_urls_are_refused_at_construction() {
    for url in [
        "",
        "not a url",
        "api.accessgrid.com",
        "ftp://api.accessgrid.com",
        "http://api.accessgrid.com",
        "https://x.example/?q=1",
    ] {
        let result = Client::builder("acct", SECRET).base_url(url).build();
        assert!(
            matches!(result, Err(Error::Config(_))),
            "{url:?} must be refused: {result:?}"
        );
    }
    let ok = Client::builder("acct", SECRET)
        .base_url("https://api.accessgrid.com/")
        .build()
        .expect("valid");
    assert_eq!(ok.base_url(), "https://api.accessgrid.com");
    let local = Client::builder("acct", SECRET)
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("loopback http");
    assert_eq!(local.base_url(), "http://127.0.0.1:9");
    let opted = Client::builder("acct", SECRET)
        .base_url("http://gateway.internal")
        .allow_insecure_http(true)
        .build()
        .expect("explicit opt-in");
    assert_eq!(opted.base_url(), "http://gateway.internal");
}

#[test]
fn defaults_match_the_provider_guidance() {
    let client = Client::new("acct", SECRET).expect("client");
    assert_eq!(client.base_url(), "https://api.accessgrid.com");
    assert_eq!(client.account_id(), "acct");
    assert_eq!(
        accessgrid::DEFAULT_CONNECT_TIMEOUT,
        std::time::Duration::from_secs(5)
    );
    assert_eq!(
        accessgrid::DEFAULT_READ_TIMEOUT,
        std::time::Duration::from_secs(30)
    );
    let shown = format!("{client:?}");
    assert!(
        shown.contains("connect: Some(5s), read: Some(30s), overall: None"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "user_agent: \"accessgrid-rs/{}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "the default User-Agent: {shown}"
    );
}

#[test]
fn debug_never_shows_the_secret() {
    let builder = Client::builder("acct", SECRET);
    let client = builder.clone().build().expect("client");
    for text in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{:?}", accessgrid::SecretKey::new(SECRET)),
        accessgrid::SecretKey::new(SECRET).to_string(),
    ] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("0123456789"), "{text}");
    }
    assert!(
        format!("{client:?}").contains("acct"),
        "the account id is not secret"
    );
}

/// The only test in this binary that touches the environment, so no other test races it.
#[test]
fn from_env_reads_only_the_prefixed_names_and_the_base_url() {
    let clear = || {
        for name in [
            "ACCESSGRID_ACCOUNT_ID",
            "ACCESSGRID_SECRET_KEY",
            "ACCOUNT_ID",
            "SECRET_KEY",
            "ACCESSGRID_BASE_URL",
        ] {
            std::env::remove_var(name);
        }
    };
    clear();
    assert!(
        matches!(Client::from_env(), Err(Error::Config(ref m)) if m == "set ACCESSGRID_ACCOUNT_ID to the account id")
    );

    // The generic names any tool may set are never read; the error says so.
    std::env::set_var("ACCOUNT_ID", "from_plain");
    std::env::set_var("SECRET_KEY", SECRET);
    let err = Client::from_env().expect_err("the generic names are not read");
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("ACCOUNT_ID is set, but only ACCESSGRID_ACCOUNT_ID is read")),
        "{err:?}"
    );
    std::env::set_var("ACCESSGRID_ACCOUNT_ID", "from_prefixed");
    let err = Client::from_env().expect_err("no prefixed secret key");
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("only ACCESSGRID_SECRET_KEY is read")),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains(SECRET));

    std::env::set_var("ACCESSGRID_SECRET_KEY", SECRET);
    let client = Client::from_env().expect("prefixed names");
    assert_eq!(client.account_id(), "from_prefixed");
    assert_eq!(client.base_url(), accessgrid::DEFAULT_BASE_URL);
    std::env::set_var("ACCESSGRID_BASE_URL", "http://127.0.0.1:4010/");
    let client = Client::from_env().expect("prefixed names");
    assert_eq!(client.base_url(), "http://127.0.0.1:4010");
    clear();
}

#[test]
fn clones_share_configuration() {
    let client = Client::builder("acct", SECRET)
        .base_url("http://127.0.0.1:1")
        .build()
        .expect("client");
    let clone = client.clone();
    assert_eq!(clone.base_url(), client.base_url());
    let handle = std::thread::spawn(move || clone.account_id().to_owned());
    assert_eq!(handle.join().expect("thread"), "acct");
}

#[test]
fn clones_share_one_connection_pool() {
    let server = RawServer::start(|_, _| Reply::json(200, r#"{"id":"c"}"#));
    let client = Client::builder("acct", SECRET)
        .base_url(server.url())
        .build()
        .expect("client");
    let clone = client.clone();
    client.access_cards().get("a").expect("first call");
    clone.access_cards().get("b").expect("through the clone");
    client.access_cards().get("c").expect("again");
    clone
        .access_cards()
        .get("d")
        .expect("again through the clone");
    assert_eq!(server.requests(), 4);
    assert_eq!(
        server.connections(),
        1,
        "four calls through two clones, one connection"
    );
}
