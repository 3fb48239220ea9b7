//! A local HTTPS/1.1 server on 127.0.0.1 for the TLS tests.
//!
//! Its certificate (for `127.0.0.1` and `localhost`) is issued by a private CA generated
//! per run with rcgen, which no built-in trust store knows. It keeps connections alive,
//! answers every request with [`CARD`], and counts accepted TCP connections, completed
//! TLS handshakes and requests read in full.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What the server answers to every request.
pub const CARD: &str = r#"{"id":"0xc4rd1d","state":"active","full_name":"Zoë Ångström"}"#;

/// A private CA, and a server certificate it issued for 127.0.0.1 and localhost.
pub struct Pki {
    /// The CA's certificate, PEM: the root a client must add to trust the server.
    pub ca_pem: String,
    /// The server's own certificate, PEM (a leaf, no root).
    pub leaf_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Pki {
    /// A new CA (its key is dropped here) and a server certificate signed by it.
    pub fn new() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "accessgrid test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
            .expect("CA certificate");
        let key = KeyPair::generate().expect("server key");
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server params")
            .signed_by(&key, &ca)
            .expect("server certificate");
        Pki {
            ca_pem: ca.pem(),
            leaf_pem: leaf.pem(),
            chain: vec![leaf.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    handshakes: AtomicUsize,
    requests: AtomicUsize,
}

/// A running server; it stops accepting when dropped.
pub struct TlsServer {
    addr: SocketAddr,
    counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
}

impl TlsServer {
    /// A server on 127.0.0.1 with an OS-chosen port, presenting `pki`'s certificate.
    pub fn start(pki: &Pki) -> TlsServer {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(pki.chain.clone(), pki.key.clone_key())
        .expect("server certificate and key");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let counts = Arc::new(Counts::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopping) = (counts.clone(), stop.clone());
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(tcp) = tcp else { continue };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let (config, counts) = (config.clone(), shared.clone());
                std::thread::spawn(move || {
                    // Ends when the client goes away or the handshake fails.
                    let _ = serve(tcp, config, &counts);
                });
            }
        });
        TlsServer { addr, counts, stop }
    }

    /// `https://localhost:{port}`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// `https://127.0.0.1:{port}`.
    pub fn ip_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// How many TCP connections the server accepted.
    pub fn connections(&self) -> usize {
        self.counts.connections.load(Ordering::SeqCst)
    }

    /// How many TLS handshakes completed.
    pub fn handshakes(&self) -> usize {
        self.counts.handshakes.load(Ordering::SeqCst)
    }

    /// How many requests were read in full (and answered).
    pub fn requests(&self) -> usize {
        self.counts.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// Completes the handshake, then answers requests on the connection until it closes.
fn serve(
    mut tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    counts: &Counts,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
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
        if length > 1 << 20 {
            return Err(std::io::Error::other("a test body over 1 MiB"));
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body)?;
        counts.requests.fetch_add(1, Ordering::SeqCst);
        let out = stream.get_mut();
        out.write_all(answer.as_bytes())?;
        out.flush()?;
    }
}
