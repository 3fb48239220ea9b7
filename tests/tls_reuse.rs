//! Over TLS, one client keeps its connection: N calls make one TLS handshake, not N.
//!
//! A local TLS server on 127.0.0.1 ([`common::tls`]) with a certificate issued by a private
//! CA generated per run (rcgen); the client trusts that CA through
//! `ClientBuilder::add_root_certificate_pem` and nothing else. The server counts accepted TCP
//! connections and completed handshakes itself.

mod common;

use accessgrid::models::IssueCardRequest;
use accessgrid::{Client, Error, Throttle};
use common::tls::{Pki, TlsServer};

/// A client that trusts the test CA, and only it, through the builder's extra-root option.
/// No throttle, so the test runs at full speed (it has no bearing on connection reuse).
fn client(url: &str, ca_pem: &str) -> Client {
    Client::builder("acct", "secret")
        .base_url(url)
        .add_root_certificate_pem(ca_pem)
        .tls_built_in_roots(false)
        .throttle(Throttle::off())
        .build()
        .expect("client")
}

#[test]
fn many_calls_through_one_client_make_one_tls_handshake() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let url = server.ip_url();
    let client = client(&url, &pki.ca_pem);

    const ROUNDS: usize = 10;
    for i in 0..ROUNDS {
        let card = client.access_cards().get("0xc4rd1d").expect("get over TLS");
        assert_eq!(card.full_name.as_deref(), Some("Zoë Ångström"));
        client
            .access_cards()
            .issue(
                IssueCardRequest::builder()
                    .card_template_id("0xd3adb00b5")
                    .full_name(format!("Holder {i}"))
                    .site_code("42"),
            )
            .expect("issue over TLS");
        client.access_cards().suspend("0xc4rd1d").expect("suspend");
    }
    // A clone shares the pool, so it shares the connection too.
    client.clone().access_cards().get("x").expect("clone");

    let calls = 3 * ROUNDS + 1;
    assert_eq!(server.requests(), calls);
    assert_eq!(server.connections(), 1, "{calls} calls, one TCP connection");
    assert_eq!(server.handshakes(), 1, "{calls} calls, one TLS handshake");
}

#[test]
fn the_server_counts_every_handshake_and_an_untrusted_certificate_is_refused() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki);
    let url = server.ip_url();

    // Two independent clients: two connections, two handshakes (so the counter counts).
    for _ in 0..2 {
        let client = client(&url, &pki.ca_pem);
        client.access_cards().get("a").expect("first");
        client.access_cards().get("b").expect("second");
    }
    assert_eq!(server.handshakes(), 2);
    assert_eq!(server.connections(), 2);

    // Without the extra root, the same server is not trusted: nothing is read or answered.
    let other_ca = Pki::new();
    let stranger = client(&url, &other_ca.ca_pem);
    match stranger.access_cards().get("a") {
        Err(Error::Transport(_)) => {}
        other => panic!("an untrusted certificate must be a transport error, got {other:?}"),
    }
    assert_eq!(server.handshakes(), 2);
    assert_eq!(server.requests(), 4);
}
