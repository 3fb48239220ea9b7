//! Over TLS, one client keeps its connection: N calls make one TLS handshake, not N.
//!
//! A local TLS server on 127.0.0.1 with a certificate issued by a private CA generated here
//! (rcgen); the client trusts that CA through `ClientBuilder::add_root_certificate_pem` and
//! nothing else. The server counts accepted TCP connections and completed handshakes itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use accessgrid::models::IssueCardRequest;
use accessgrid::{Client, Error, Throttle};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const CARD: &str = r#"{"id":"0xc4rd1d","state":"active","full_name":"Zoë Ångström"}"#;

/// A private CA, and a server certificate it issued for 127.0.0.1 and localhost.
struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
}

fn new_pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "accessgrid test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");

    let server_key = KeyPair::generate().expect("server key");
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server params")
        .signed_by(&server_key, &ca)
        .expect("server certificate");
    Pki {
        ca_pem: ca.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    handshakes: AtomicUsize,
    requests: AtomicUsize,
}

/// A keep-alive HTTPS/1.1 server on 127.0.0.1 answering `CARD` to every request. Answers
/// its base URL and its counters.
fn tls_server(pki: &Pki) -> (String, Arc<Counts>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
    .expect("server certificate and key");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("https://{}", listener.local_addr().expect("addr"));
    let counts = Arc::new(Counts::default());
    let shared = counts.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            shared.connections.fetch_add(1, Ordering::SeqCst);
            let (config, counts) = (config.clone(), shared.clone());
            std::thread::spawn(move || {
                // Ends when the client goes away or the handshake fails.
                let _ = serve(tcp, config, &counts);
            });
        }
    });
    (url, counts)
}

fn serve(
    mut tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    counts: &Counts,
) -> std::io::Result<()> {
    let mut tls = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    while tls.is_handshaking() {
        tls.complete_io(&mut tcp)?;
    }
    counts.handshakes.fetch_add(1, Ordering::SeqCst);

    let mut stream = BufReader::new(rustls::StreamOwned::new(tls, tcp));
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{CARD}",
        CARD.len()
    );
    loop {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().map_err(std::io::Error::other)?;
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body)?;
        counts.requests.fetch_add(1, Ordering::SeqCst);
        let out = stream.get_mut();
        out.write_all(answer.as_bytes())?;
        out.flush()?;
    }
}

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
    let pki = new_pki();
    let (url, counts) = tls_server(&pki);
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
    assert_eq!(counts.requests.load(Ordering::SeqCst), calls);
    assert_eq!(
        counts.connections.load(Ordering::SeqCst),
        1,
        "{calls} calls, one TCP connection"
    );
    assert_eq!(
        counts.handshakes.load(Ordering::SeqCst),
        1,
        "{calls} calls, one TLS handshake"
    );
}

#[test]
fn the_server_counts_every_handshake_and_an_untrusted_certificate_is_refused() {
    let pki = new_pki();
    let (url, counts) = tls_server(&pki);

    // Two independent clients: two connections, two handshakes (so the counter counts).
    for _ in 0..2 {
        let client = client(&url, &pki.ca_pem);
        client.access_cards().get("a").expect("first");
        client.access_cards().get("b").expect("second");
    }
    assert_eq!(counts.handshakes.load(Ordering::SeqCst), 2);
    assert_eq!(counts.connections.load(Ordering::SeqCst), 2);

    // Without the extra root, the same server is not trusted: nothing is read or answered.
    let other_ca = new_pki();
    let stranger = client(&url, &other_ca.ca_pem);
    match stranger.access_cards().get("a") {
        Err(Error::Transport(_)) => {}
        other => panic!("an untrusted certificate must be a transport error, got {other:?}"),
    }
    assert_eq!(counts.handshakes.load(Ordering::SeqCst), 2);
    assert_eq!(counts.requests.load(Ordering::SeqCst), 4);
}
