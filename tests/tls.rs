//! Transport security: https required off loopback, certificates always checked, extra
//! roots for a TLS-inspecting proxy, the native-tls backend. Against a local rustls server
//! ([`common::tls`]) whose certificate (for `localhost` and 127.0.0.1) is signed by a test
//! CA generated per run that no built-in trust store knows.

mod common;

use accessgrid::{Client, Error, RetryPolicy, Throttle};
use common::tls::{Pki, TlsServer};

fn builder(url: &str) -> accessgrid::ClientBuilder {
    Client::builder("acct_tls", "tls_secret_value")
        .base_url(url)
        .retry(RetryPolicy::none())
        .throttle(Throttle::off())
}

#[test]
fn an_unknown_certificate_is_refused_and_nothing_is_sent() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let client = builder(&server.url()).build().expect("client");
    let err = client
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("the test CA is not trusted");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.requests(), 0);
}

#[test]
fn a_post_whose_tls_handshake_failed_is_a_plain_transport_error_never_outcome_unknown() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let client = builder(&server.url())
        .retry(RetryPolicy::default().with_max_retries(3))
        .build()
        .expect("client");
    let err = client
        .access_cards()
        .suspend("0xc4rd1d")
        .expect_err("the test CA is not trusted");
    let Error::Transport(transport) = &err else {
        panic!("nothing was sent: a plain transport error, got {err:?}");
    };
    assert!(transport.before_sending, "{transport:?}");
    assert_eq!(
        transport.attempts, 1,
        "an untrusted certificate is not retried: it will not change"
    );
    assert_eq!(transport.host, format!("localhost:{}", server.port()));
    assert!(!err.is_retryable());
    assert_eq!(server.requests(), 0);
}

#[test]
fn an_added_root_certificate_is_trusted() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let client = builder(&server.url())
        .add_root_certificate_pem(pki.ca_pem.as_str())
        .build()
        .expect("client");
    let card = client.access_cards().get("0xc4rd1d").expect("trusted now");
    assert_eq!(card.id, "0xc4rd1d");
    assert_eq!(server.requests(), 1);

    // Also with only the added roots trusted.
    let only = builder(&server.url())
        .add_root_certificate_pem(pki.ca_pem.as_str())
        .tls_built_in_roots(false)
        .build()
        .expect("client");
    only.access_cards().get("0xc4rd1d").expect("trusted");
    assert_eq!(server.requests(), 2);
}

#[test]
fn the_server_certificate_itself_is_no_root() {
    // Trusting the leaf, not its CA, is not enough: verification is real.
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let client = builder(&server.url())
        .add_root_certificate_pem(pki.leaf_pem.as_str())
        .tls_built_in_roots(false)
        .build()
        .expect("client");
    assert!(client.access_cards().get("0xc4rd1d").is_err());
    assert_eq!(server.requests(), 0);
}

#[cfg(feature = "native-tls")]
#[test]
fn native_tls_checks_certificates_too() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let refused = builder(&server.url()).native_tls().build().expect("client");
    assert!(refused.access_cards().get("0xc4rd1d").is_err());
    assert_eq!(server.requests(), 0);
    let trusted = builder(&server.url())
        .native_tls()
        .add_root_certificate_pem(pki.ca_pem.as_str())
        .build()
        .expect("client");
    trusted
        .access_cards()
        .get("0xc4rd1d")
        .expect("trusted with the added root");
    assert_eq!(server.requests(), 1);
}

#[test]
fn tls_settings_are_checked_when_building() {
    let pki = Pki::new();
    let config_error = |b: accessgrid::ClientBuilder| match b.build() {
        Err(Error::Config(why)) => why,
        other => panic!("expected a configuration error, got {other:?}"),
    };
    let why =
        config_error(builder("https://api.accessgrid.com").add_root_certificate_pem("no pem here"));
    assert!(why.contains("no certificate"), "{why}");
    let why = config_error(builder("https://api.accessgrid.com").tls_built_in_roots(false));
    assert!(why.contains("add_root_certificate_pem"), "{why}");
    let agent = ureq::Agent::config_builder().build().new_agent();
    let why = config_error(
        builder("https://api.accessgrid.com")
            .agent(agent)
            .add_root_certificate_pem(pki.ca_pem.as_str()),
    );
    assert!(why.contains("custom agent"), "{why}");
    builder("https://api.accessgrid.com")
        .add_root_certificate_pem(pki.ca_pem.as_str())
        .build()
        .expect("a PEM certificate is accepted");
}

#[test]
fn https_is_required_except_on_loopback() {
    for url in [
        "http://api.accessgrid.com",
        "http://10.0.0.5:8080",
        "ftp://x.com",
    ] {
        assert!(
            matches!(builder(url).build(), Err(Error::Config(_))),
            "{url} must be refused"
        );
    }
    for url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        builder(url).build().expect("loopback may use http");
    }
    builder("http://api.accessgrid.com")
        .allow_insecure_http(true)
        .build()
        .expect("an explicit opt-in");
}
