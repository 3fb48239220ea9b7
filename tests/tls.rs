//! Transport security: https required off loopback, certificates always checked, extra
//! roots for a TLS-inspecting proxy, the native-tls backend. Against a local rustls server
//! whose certificate (for `localhost` and 127.0.0.1) is signed by a test CA that no
//! built-in trust store knows (`tests/fixtures/`, valid until 2126; the CA's key was
//! discarded after signing).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use accessgrid::{Client, Error, RetryPolicy, Throttle};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

const CA: &[u8] = include_bytes!("fixtures/test-ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/test-server.pem");
const KEY: &[u8] = include_bytes!("fixtures/test-server.key");

/// A TLS server answering every request with a card; counts the requests it read.
struct TlsServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl TlsServer {
    fn start() -> TlsServer {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT)
            .collect::<Result<_, _>>()
            .expect("test certificate");
        let key = PrivateKeyDer::from_pem_slice(KEY).expect("test key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let config = config.clone();
                let count = count.clone();
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(conn, tcp);
                    let mut reader = BufReader::new(&mut tls);
                    let mut length = 0usize;
                    let mut line = String::new();
                    // The request head; a failed handshake ends here.
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line.trim_end().is_empty() => break,
                            Ok(_) => {
                                let lower = line.to_ascii_lowercase();
                                if let Some(v) = lower.strip_prefix("content-length:") {
                                    length = v.trim().parse().unwrap_or(0);
                                }
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                    let answer = r#"{"id":"0xc4rd1d"}"#;
                    let _ = write!(
                        tls,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        TlsServer { addr, requests }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

fn builder(url: &str) -> accessgrid::ClientBuilder {
    Client::builder("acct_tls", "tls_secret_value")
        .base_url(url)
        .retry(RetryPolicy::none())
        .throttle(Throttle::off())
}

#[test]
fn an_unknown_certificate_is_refused_and_nothing_is_sent() {
    let server = TlsServer::start();
    let client = builder(&server.url()).build().expect("client");
    let err = client
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("the test CA is not trusted");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn a_post_whose_tls_handshake_failed_is_a_plain_transport_error_never_outcome_unknown() {
    let server = TlsServer::start();
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
    assert_eq!(transport.host, format!("localhost:{}", server.addr.port()));
    assert!(!err.is_retryable());
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn an_added_root_certificate_is_trusted() {
    let server = TlsServer::start();
    let client = builder(&server.url())
        .add_root_certificate_pem(CA)
        .build()
        .expect("client");
    let card = client.access_cards().get("0xc4rd1d").expect("trusted now");
    assert_eq!(card.id, "0xc4rd1d");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);

    // Also with only the added roots trusted.
    let only = builder(&server.url())
        .add_root_certificate_pem(CA)
        .tls_built_in_roots(false)
        .build()
        .expect("client");
    only.access_cards().get("0xc4rd1d").expect("trusted");
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
}

#[test]
fn the_server_certificate_itself_is_no_root() {
    // Trusting the leaf, not its CA, is not enough: verification is real.
    let server = TlsServer::start();
    let client = builder(&server.url())
        .add_root_certificate_pem(CERT)
        .tls_built_in_roots(false)
        .build()
        .expect("client");
    assert!(client.access_cards().get("0xc4rd1d").is_err());
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
}

#[cfg(feature = "native-tls")]
#[test]
fn native_tls_checks_certificates_too() {
    let server = TlsServer::start();
    let refused = builder(&server.url()).native_tls().build().expect("client");
    assert!(refused.access_cards().get("0xc4rd1d").is_err());
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
    let trusted = builder(&server.url())
        .native_tls()
        .add_root_certificate_pem(CA)
        .build()
        .expect("client");
    trusted
        .access_cards()
        .get("0xc4rd1d")
        .expect("trusted with the added root");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn tls_settings_are_checked_when_building() {
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
            .add_root_certificate_pem(CA),
    );
    assert!(why.contains("custom agent"), "{why}");
    builder("https://api.accessgrid.com")
        .add_root_certificate_pem(CA)
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
