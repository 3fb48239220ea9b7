//! What the SDK costs next to the network, measured in one run.
//!
//! ```text
//! cargo build --release --example bench
//! target/release/examples/bench              # calls/s: SDK vs bare ureq, and per-op costs
//! target/release/examples/bench --memory     # resident memory over 100,000 calls
//! target/release/examples/bench --serve      # only the fixed-answer server (for get_card)
//! target/release/examples/bench --only-sdk   # only the SDK loops (or --only-bare), for a profiler
//! ```
//!
//! The program starts its own fixed-answer HTTP/1.1 keep-alive server on 127.0.0.1 (a thread
//! per connection; it reads the headers and a `Content-Length` body and answers a canned
//! access card). Against it, it measures calls per second of
//!
//! - `client.access_cards().get(id)` and `client.access_cards().issue(request)` through the
//!   SDK, with the throttle off (`Throttle::off()`) and retries at their default (a call
//!   that succeeds is never retried). The issue request is built with its builder on every
//!   call, so the checks, one serialization, the signature and the typed decoding all count.
//! - a bare `ureq` loop making the same HTTP exchanges (same method, path, query, headers with
//!   a signature computed once beforehand, same body bytes) on the client's own agent (a
//!   clone from `Client::agent`, so the settings are the same by construction), with no
//!   signing, typing or checks, reading the body with ureq's `read_to_vec`.
//!
//! - a hand-typed `ureq` loop: the bare loop's exchange plus the least any client that signs
//!   and types its calls must do per call (the signature computed for the call, the issue
//!   request serialized, the answer decoded into `AccessCard` with serde_json), with no
//!   SDK. Against the bare loop it shows what that work alone costs on the machine at hand
//!   (a bound no typed client can pass); against the SDK, what the SDK adds to it.
//!
//! All loops share that agent's one pooled connection, served by one server thread. On a
//! two-CPU virtual machine, which CPU a server thread happens to run on changes a loopback
//! call's time by up to a factor of three; with a connection per loop, the comparison
//! measured that placement, not the code.
//!
//! Before measuring, it checks that the server received byte-identical requests from both.
//! SDK and bare calls alternate in blocks of 25 (A B B A ...) so that the drift of a shared
//! machine falls on both alike; each round gives one rate per loop, and the figures printed
//! last are medians over the rounds. "SDK's own cost" is the difference of the time per call
//! of the two loops. After each comparison, an A/A check (the bare loop against an
//! identical bare loop, measured the same way) shows how far noise alone moves a ratio on
//! the machine at hand, and the server says how many TCP connections it accepted.
//!
//! The comparison runs twice:
//! 1. the client as `Client::builder` makes it (connect and read timeouts on, no overall
//!    timeout). This is the comparison the SDK is held to.
//! 2. the client with an overall timeout as well (`ClientBuilder::timeout`). With one, ureq 3.5 resolves the host on
//!    a new thread on every call, pooled connection or not: that thread dominates a
//!    loopback call for both loops alike, and makes this comparison noisy (see its A/A
//!    line). The last figures show what that thread costs a bare loop.
//!
//! Options: `--rounds N` (default 9), `--calls N` calls per round and loop (default 2000),
//! `--skip-default`, `--skip-overall`, `--memory-calls N` (default 100000), `--port N` for
//! `--serve` (default: any free port), `--overall` with `--memory`, `--only-sdk` or
//! `--only-bare` (add the overall timeout there too).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use accessgrid::models::{AccessCard, IssueCardRequest};
use accessgrid::{Client, Throttle};

const ACCOUNT: &str = "acct_bench";
const SECRET: &str = "bench_secret_0123456789abcdef";
const CARD_ID: &str = "0xc4rd1d";

/// The canned answer: a realistic access card (about 700 bytes).
const CARD_JSON: &str = r#"{"id":"0xc4rd1d","install_url":"https://accessgrid.com/install/0xc4rd1d","direct_install_url":"https://wallet.example/0xc4rd1d","state":"active","full_name":"Zoë Ångström","employee_id":"123456789","email":"zoe@example.com","phone_number":"+19547212241","classification":"full_time","title":"Engineering Manager","card_template_id":"0xd3adb00b5","card_number":"1234","site_code":"42","file_data":null,"tag_id":"DDEADB33FB00B5","start_date":"2025-01-31T22:46:25.601Z","expiration_date":"2025-04-30T22:46:25.601Z","organization_name":"Example Corp","temporary":false,"created_at":"2025-01-31T22:46:25Z","devices":[{"id":"d1","platform":"apple","device_type":"watch","status":"active","created_at":"2025-02-01T10:00:00Z"}],"metadata":{"badge_type":"contractor"}}"#;

type Capture = Arc<Mutex<Option<Option<Vec<u8>>>>>;

/// The fixed-answer server: its base URL, and a slot that records the next request's bytes
/// when armed (`Some(None)`).
struct Server {
    url: String,
    capture: Capture,
    /// TCP connections accepted so far.
    connections: Arc<std::sync::atomic::AtomicUsize>,
}

fn start_server(port: u16) -> std::io::Result<Server> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let url = format!("http://{}", listener.local_addr()?);
    let capture: Capture = Arc::new(Mutex::new(None));
    let answer: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\r\n{}",
        CARD_JSON.len(),
        CARD_JSON
    )
    .into_bytes()
    .into();
    let slot = capture.clone();
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let accepted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (answer, slot) = (answer.clone(), slot.clone());
            std::thread::spawn(move || {
                // A connection ends when the client closes it (or sends garbage).
                let _ = serve_connection(stream, &answer, &slot);
            });
        }
    });
    Ok(Server {
        url,
        capture,
        connections,
    })
}

fn serve_connection(stream: TcpStream, answer: &[u8], capture: &Capture) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let (mut head, mut body) = (Vec::with_capacity(1024), Vec::with_capacity(4096));
    loop {
        head.clear();
        let mut content_length = 0usize;
        loop {
            let start = head.len();
            if reader.read_until(b'\n', &mut head)? == 0 {
                return Ok(());
            }
            let line = &head[start..];
            if line == b"\r\n" || line == b"\n" {
                break;
            }
            if line.len() > 15 && line[..15].eq_ignore_ascii_case(b"content-length:") {
                content_length = std::str::from_utf8(&line[15..])
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or(std::io::ErrorKind::InvalidData)?;
            }
        }
        body.resize(content_length, 0);
        reader.read_exact(&mut body)?;
        if let Ok(mut slot) = capture.lock() {
            if let Some(None) = *slot {
                let mut raw = head.clone();
                raw.extend_from_slice(&body);
                *slot = Some(Some(raw));
            }
        }
        writer.write_all(answer)?;
    }
}

impl Server {
    /// The raw bytes of the request that `call` makes.
    fn record(&self, call: impl FnOnce()) -> Vec<u8> {
        *self.capture.lock().expect("capture lock") = Some(None);
        call();
        self.capture
            .lock()
            .expect("capture lock")
            .take()
            .flatten()
            .expect("the server saw the request")
    }
}

/// The issue request used by both loops: what a provisioning script typically sends.
fn issue_request() -> accessgrid::models::IssueCardRequestBuilder {
    IssueCardRequest::builder()
        .card_template_id("0xd3adb00b5")
        .full_name("Zoë Ångström")
        .email("zoe@example.com")
        .phone_number("+19547212241")
        .employee_id("123456789")
        .classification("full_time")
        .title("Engineering Manager")
        .site_code("42")
        .card_number("1234")
        .tag_id("DDEADB33FB00B5")
        .start_date("2025-01-31T22:46:25.601Z")
        .expiration_date("2025-04-30T22:46:25.601Z")
}

/// The client as users build it, with the throttle off (by default it allows 20 requests a
/// second, 5 at once), and with an overall timeout when `overall`. Retries stay at their
/// default: a successful call never retries.
fn sdk_client(base_url: &str, overall: bool) -> Client {
    Client::builder(ACCOUNT, SECRET)
        .base_url(base_url)
        .timeout(overall.then_some(OVERALL))
        .throttle(Throttle::off())
        .build()
        .expect("client")
}

/// The request signature (HMAC-SHA256 of the payload's standard base64 under `secret`,
/// lowercase hex), keyed from scratch: what the bare loop precomputes, and what one
/// signature costs at most.
fn hmac_hex(secret: &[u8], payload: &[u8]) -> String {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let b64 = base64::engine::general_purpose::STANDARD.encode(payload);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(b64.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The overall timeout of the second comparison.
const OVERALL: Duration = Duration::from_secs(30);

/// A plain ureq agent with the settings the SDK gives its own agent (and its overall
/// timeout when `overall`).
fn bare_agent(overall: bool) -> ureq::Agent {
    let read = Some(accessgrid::DEFAULT_READ_TIMEOUT);
    ureq::Agent::config_builder()
        .timeout_connect(Some(accessgrid::DEFAULT_CONNECT_TIMEOUT))
        .timeout_send_request(read)
        .timeout_send_body(read)
        .timeout_recv_response(read)
        .timeout_recv_body(read)
        .timeout_global(overall.then_some(OVERALL))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_idle_connections_per_host(10)
        .max_idle_connections(10)
        .user_agent(concat!("accessgrid-rs/", env!("CARGO_PKG_VERSION")).to_owned())
        .proxy(None)
        .build()
        .new_agent()
}

/// The bare loop's exchanges: everything precomputed once.
struct Bare {
    agent: ureq::Agent,
    user_agent: String,
    get_url: String,
    get_sig: String,
    issue_url: String,
    issue_body: Vec<u8>,
    issue_sig: String,
}

impl Bare {
    fn new(base_url: &str, agent: ureq::Agent) -> Bare {
        let payload = serde_json::json!({ "id": CARD_ID }).to_string();
        let body = serde_json::to_vec(
            &IssueCardRequest::try_from(issue_request()).expect("valid request"),
        )
        .expect("serializable");
        Bare {
            agent,
            user_agent: concat!("accessgrid-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            get_url: format!(
                "{base_url}/v1/key-cards/{CARD_ID}?sig_payload={}",
                percent_encode(&payload)
            ),
            get_sig: hmac_hex(SECRET.as_bytes(), payload.as_bytes()),
            issue_url: format!("{base_url}/v1/key-cards"),
            issue_sig: hmac_hex(SECRET.as_bytes(), &body),
            issue_body: body,
        }
    }

    fn get(&self) -> Vec<u8> {
        let mut response = self
            .agent
            .get(&self.get_url)
            .header("X-ACCT-ID", ACCOUNT)
            .header("X-PAYLOAD-SIG", &self.get_sig)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", &self.user_agent)
            .call()
            .expect("bare get");
        response.body_mut().read_to_vec().expect("bare get body")
    }

    fn issue(&self) -> Vec<u8> {
        let mut response = self
            .agent
            .post(&self.issue_url)
            .header("X-ACCT-ID", ACCOUNT)
            .header("X-PAYLOAD-SIG", &self.issue_sig)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", &self.user_agent)
            .send(&self.issue_body[..])
            .expect("bare issue");
        response.body_mut().read_to_vec().expect("bare issue body")
    }
}

/// The least any client that signs and types its calls must do per call, written by hand
/// on the same agent: the exchange of [`Bare`], plus the signature computed for this call
/// (an HMAC keyed once, as the SDK keys its own), the issue request serialized from a struct
/// built once (no builder, no checks), and the answer decoded into [`AccessCard`] as the
/// SDK decodes it. Against the bare loop it shows what that work alone costs on this
/// machine; against the SDK, what the SDK adds to it.
struct HandTyped {
    bare: Bare,
    mac: hmac::Hmac<sha2::Sha256>,
    get_payload: String,
    request: IssueCardRequest,
}

impl HandTyped {
    fn new(bare: Bare) -> HandTyped {
        use hmac::KeyInit;
        HandTyped {
            bare,
            mac: hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes())
                .expect("any key length"),
            get_payload: serde_json::json!({ "id": CARD_ID }).to_string(),
            request: IssueCardRequest::try_from(issue_request()).expect("valid request"),
        }
    }

    fn sign(&self, payload: &[u8]) -> String {
        use base64::Engine as _;
        use hmac::Mac;
        let mut mac = self.mac.clone();
        mac.update(
            base64::engine::general_purpose::STANDARD
                .encode(payload)
                .as_bytes(),
        );
        hex::encode(mac.finalize().into_bytes())
    }

    fn decode(body: &[u8]) -> AccessCard {
        serde_json::from_str(std::str::from_utf8(body).expect("UTF-8")).expect("card")
    }

    fn get(&self) -> AccessCard {
        let sig = self.sign(self.get_payload.as_bytes());
        let mut response = self
            .bare
            .agent
            .get(&self.bare.get_url)
            .header("X-ACCT-ID", ACCOUNT)
            .header("X-PAYLOAD-SIG", &sig)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", &self.bare.user_agent)
            .call()
            .expect("hand-typed get");
        Self::decode(&response.body_mut().read_to_vec().expect("body"))
    }

    fn issue(&self) -> AccessCard {
        let body = serde_json::to_vec(&self.request).expect("serializable");
        let sig = self.sign(&body);
        let mut response = self
            .bare
            .agent
            .post(&self.bare.issue_url)
            .header("X-ACCT-ID", ACCOUNT)
            .header("X-PAYLOAD-SIG", &sig)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", &self.bare.user_agent)
            .send(&body[..])
            .expect("hand-typed issue");
        Self::decode(&response.body_mut().read_to_vec().expect("body"))
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn sdk_get(client: &Client) {
    let card = client.access_cards().get(CARD_ID).expect("sdk get");
    std::hint::black_box(card);
}

fn sdk_issue(client: &Client) {
    let card = client
        .access_cards()
        .issue(issue_request())
        .expect("sdk issue");
    std::hint::black_box(card);
}

/// Calls per second of `n` calls of `f`.
fn rate(n: usize, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// Calls per second of `sdk` and of `bare`, `n` calls each, run in alternating blocks of
/// `BLOCK` calls (A B B A A B ...) so that whatever else the machine does falls on both.
fn interleaved(n: usize, mut sdk: impl FnMut(), mut bare: impl FnMut()) -> (f64, f64) {
    const BLOCK: usize = 25;
    let time = |f: &mut dyn FnMut(), total: &mut Duration| {
        let started = Instant::now();
        for _ in 0..BLOCK {
            f();
        }
        *total += started.elapsed();
    };
    let (mut t_sdk, mut t_bare) = (Duration::ZERO, Duration::ZERO);
    let blocks = n.div_ceil(BLOCK);
    for b in 0..blocks {
        if b % 2 == 0 {
            time(&mut sdk, &mut t_sdk);
            time(&mut bare, &mut t_bare);
        } else {
            time(&mut bare, &mut t_bare);
            time(&mut sdk, &mut t_sdk);
        }
    }
    let calls = (blocks * BLOCK) as f64;
    (calls / t_sdk.as_secs_f64(), calls / t_bare.as_secs_f64())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Checks that `get` and `issue` of another loop (named `other`) send the server the very
/// bytes the SDK's calls send, and says so; the run stops at a difference.
fn same_exchanges(
    server: &Server,
    client: &Client,
    other: &str,
    get: impl FnOnce(),
    issue: impl FnOnce(),
) {
    for (what, sdk, theirs) in [
        ("GET", server.record(|| sdk_get(client)), server.record(get)),
        (
            "POST",
            server.record(|| sdk_issue(client)),
            server.record(issue),
        ),
    ] {
        if sdk != theirs {
            eprintln!(
                "the SDK and the {other} loop sent different {what} requests:\n--- SDK\n{}\n--- {other}\n{}",
                String::from_utf8_lossy(&sdk),
                String::from_utf8_lossy(&theirs)
            );
            std::process::exit(1);
        }
        println!(
            "{what} exchange identical for SDK and {other} ({} request bytes)",
            sdk.len()
        );
    }
}

/// Rounds of one loop against another, measured by [`interleaved`]: per round, the first
/// loop's rate over the second's, and what a call of the first costs beyond one of the
/// second, in µs.
#[derive(Default)]
struct Pairing {
    ratios: Vec<f64>,
    costs: Vec<f64>,
}

impl Pairing {
    fn round(&mut self, calls: usize, first: impl FnMut(), second: impl FnMut()) {
        let (a, b) = interleaved(calls, first, second);
        self.ratios.push(a / b);
        self.costs.push(1e6 / a - 1e6 / b);
    }

    /// The median ratio, in percent.
    fn ratio(&mut self) -> f64 {
        100.0 * median(&mut self.ratios)
    }

    /// The median cost, in µs per call.
    fn cost(&mut self) -> f64 {
        median(&mut self.costs)
    }
}

/// Nanoseconds per call of `f`: the median of 7 timed batches of `n` calls.
fn ns_per_op<T>(n: usize, mut f: impl FnMut() -> T) -> f64 {
    for _ in 0..n / 10 {
        std::hint::black_box(f());
    }
    let mut batches: Vec<f64> = (0..7)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..n {
                std::hint::black_box(f());
            }
            started.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    median(&mut batches)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cpus} CPUs, {model}")
}

/// Which agent both loops use.
#[derive(Clone, Copy)]
enum Setup {
    /// The client as built by default, against an agent with the same settings.
    Default,
    /// Both with an overall timeout as well.
    Overall,
}

fn throughput(server: &Server, setup: Setup, rounds: usize, calls: usize) {
    let opened_before = server
        .connections
        .load(std::sync::atomic::Ordering::Relaxed);
    // `twin` is a second bare loop set up as the SDK's loop is, for the A/A check.
    let overall = matches!(setup, Setup::Overall);
    // One agent for all three loops: the client's own, so the settings are the same by
    // construction (`bare_agent` builds the same configuration; checked below), and one
    // pooled connection, served by one server thread, carries every call. On a machine
    // this small, which CPU a server thread lands on moves a loopback call's time by a
    // factor of three, so separate connections would compare scheduling, not code.
    let client = sdk_client(&server.url, overall);
    let agent = client.agent().clone();
    assert_eq!(
        format!("{:?}", agent.config().timeouts()),
        format!("{:?}", bare_agent(overall).config().timeouts()),
        "the bare agent's timeouts are the client's"
    );
    let (bare, twin) = (
        Bare::new(&server.url, agent.clone()),
        Bare::new(&server.url, agent),
    );
    match setup {
        Setup::Default => println!(
            "\n== the client as built by default (connect 5 s and read 30 s timeouts), bare ureq agent with the same settings =="
        ),
        Setup::Overall => println!(
            "\n== both with an overall timeout as well (ureq then resolves the host on a new thread per call) =="
        ),
    }

    // Same exchanges on the wire, byte for byte.
    same_exchanges(
        server,
        &client,
        "bare",
        || drop(bare.get()),
        || drop(bare.issue()),
    );
    // Both answers decode to the same card.
    let card: AccessCard = serde_json::from_slice(&bare.get()).expect("canned card");
    assert_eq!(card.id, CARD_ID);

    // Warm-up: connections open, caches and allocator warm.
    rate(calls / 2, || sdk_get(&client));
    rate(calls / 2, || {
        bare.get();
    });
    rate(calls / 2, || sdk_issue(&client));
    rate(calls / 2, || {
        bare.issue();
    });

    let (mut sg, mut bg, mut si, mut bi) = (vec![], vec![], vec![], vec![]);
    let (mut rg, mut ri, mut og, mut oi) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        let (s_get, b_get) = interleaved(
            calls,
            || sdk_get(&client),
            || {
                bare.get();
            },
        );
        let (s_issue, b_issue) = interleaved(
            calls,
            || sdk_issue(&client),
            || {
                bare.issue();
            },
        );
        println!(
            "round {:>2}: get SDK {:>7.0}/s bare {:>7.0}/s ({:>5.1}%)   issue SDK {:>7.0}/s bare {:>7.0}/s ({:>5.1}%)",
            round + 1,
            s_get,
            b_get,
            100.0 * s_get / b_get,
            s_issue,
            b_issue,
            100.0 * s_issue / b_issue
        );
        sg.push(s_get);
        bg.push(b_get);
        si.push(s_issue);
        bi.push(b_issue);
        rg.push(s_get / b_get);
        ri.push(s_issue / b_issue);
        og.push(1e6 / s_get - 1e6 / b_get);
        oi.push(1e6 / s_issue - 1e6 / b_issue);
    }
    println!();
    println!(
        "medians over {rounds} rounds of {calls} calls each, all on one keep-alive connection:"
    );
    println!(
        "  access_cards().get    SDK {:>7.0} calls/s   bare ureq {:>7.0} calls/s   SDK/bare {:>5.1}%   SDK's own cost {:>5.1} µs/call",
        median(&mut sg),
        median(&mut bg),
        100.0 * median(&mut rg),
        median(&mut og)
    );
    println!(
        "  access_cards().issue  SDK {:>7.0} calls/s   bare ureq {:>7.0} calls/s   SDK/bare {:>5.1}%   SDK's own cost {:>5.1} µs/call",
        median(&mut si),
        median(&mut bi),
        100.0 * median(&mut ri),
        median(&mut oi)
    );

    // A/A check: the bare GET loop against an identical bare loop, measured the same way.
    // Its spread is what this machine's noise alone does to a ratio.
    let mut aa: Vec<f64> = (0..rounds)
        .map(|_| {
            let (t, b) = interleaved(
                calls,
                || {
                    twin.get();
                },
                || {
                    bare.get();
                },
            );
            t / b
        })
        .collect();
    let (low, high) = aa
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), &r| (l.min(r), h.max(r)));
    println!(
        "  A/A check, bare GET vs an identical bare loop: median {:>5.1}%, rounds {:.1}% to {:.1}%",
        100.0 * median(&mut aa),
        100.0 * low,
        100.0 * high
    );
    // What signing and typing alone cost on this machine, and what the SDK adds to them:
    // the hand-typed loop (same agent, same exchange) against the bare loop and the SDK.
    let hand = HandTyped::new(Bare::new(&server.url, client.agent().clone()));
    same_exchanges(
        server,
        &client,
        "hand-typed",
        || drop(hand.get()),
        || drop(hand.issue()),
    );
    let [mut hg, mut hi, mut sg, mut si] = [(); 4].map(|()| Pairing::default());
    for _ in 0..rounds {
        hg.round(
            calls,
            || drop(std::hint::black_box(hand.get())),
            || drop(bare.get()),
        );
        hi.round(
            calls,
            || drop(std::hint::black_box(hand.issue())),
            || drop(bare.issue()),
        );
        sg.round(
            calls,
            || sdk_get(&client),
            || drop(std::hint::black_box(hand.get())),
        );
        si.round(
            calls,
            || sdk_issue(&client),
            || drop(std::hint::black_box(hand.issue())),
        );
    }
    println!(
        "  hand-typed ureq (signed per call, decoded by serde_json, no SDK)/bare: get {:>5.1}% ({:.1} µs/call), issue {:>5.1}% ({:.1} µs/call)",
        hg.ratio(),
        hg.cost(),
        hi.ratio(),
        hi.cost()
    );
    println!(
        "  SDK/hand-typed ureq: get {:>5.1}%, issue {:>5.1}%",
        sg.ratio(),
        si.ratio()
    );
    // The same comparison against a plain `ureq::Agent` (ureq's own connector and
    // resolver, built from the same configuration by `bare_agent`), not the client's
    // agent, whose connector and resolver are the SDK's marking wrappers. It has a
    // connection of its own, so scheduling noise weighs more here than above.
    let plain = Bare::new(&server.url, bare_agent(overall));
    rate(calls / 2, || {
        plain.get();
        plain.issue();
    });
    let (mut pg, mut pi) = (Pairing::default(), Pairing::default());
    for _ in 0..rounds {
        pg.round(calls, || sdk_get(&client), || drop(plain.get()));
        pi.round(calls, || sdk_issue(&client), || drop(plain.issue()));
    }
    println!(
        "  against a plain ureq agent (its own connection): SDK/plain get {:>5.1}%, issue {:>5.1}%",
        pg.ratio(),
        pi.ratio()
    );
    println!(
        "  TCP connections the server accepted for all of the above: {}",
        server
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
            - opened_before
    );
}

/// What the per-call resolver thread of ureq costs: the bare GET loop on an agent with the
/// SDK's timeouts and an overall one against the same loop without the overall one
/// (interleaved likewise).
fn resolver_thread_cost(server: &Server, rounds: usize, calls: usize) {
    let with = Bare::new(&server.url, bare_agent(true));
    let without = Bare::new(&server.url, bare_agent(false));
    rate(calls / 2, || {
        with.get();
        without.get();
    });
    let (mut a, mut b, mut d) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        let (t, n) = interleaved(
            calls,
            || {
                with.get();
            },
            || {
                without.get();
            },
        );
        a.push(t);
        b.push(n);
        d.push(1e6 / t - 1e6 / n);
    }
    println!(
        "\n== bare ureq GET, with vs without an overall timeout (medians over {rounds} rounds of {calls} calls) =="
    );
    println!(
        "  with an overall timeout {:>7.0} calls/s   without {:>7.0} calls/s   difference {:>5.1} µs/call",
        median(&mut a),
        median(&mut b),
        median(&mut d)
    );
}

fn per_op_costs() {
    let body = {
        // A 2 KB JSON body.
        let mut text = String::from("{\"full_name\":\"Zoë Ångström\",\"notes\":\"");
        while text.len() < 2046 {
            text.push('x');
        }
        text.push_str("\"}");
        text.into_bytes()
    };
    let request = IssueCardRequest::try_from(issue_request()).expect("valid request");
    let answer = CARD_JSON.as_bytes();
    println!();
    println!("per-operation costs (median of 7 batches):");
    println!(
        "  HMAC-SHA256 from scratch, {} byte body     {:>8.0} ns/op",
        body.len(),
        ns_per_op(20_000, || hmac_hex(SECRET.as_bytes(), &body))
    );
    println!(
        "  serde_json::to_vec(&IssueCardRequest)      {:>8.0} ns/op",
        ns_per_op(50_000, || serde_json::to_vec(&request)
            .expect("serializable"))
    );
    println!(
        "  decode a card answer ({} B) as the SDK does {:>6.0} ns/op",
        answer.len(),
        // A one-pass UTF-8 check, then serde_json from `&str` (see `transport::decode`).
        ns_per_op(50_000, || serde_json::from_str::<AccessCard>(
            std::str::from_utf8(answer).expect("UTF-8")
        )
        .expect("card"))
    );
    println!(
        "  IssueCardRequest builder + checks          {:>8.0} ns/op",
        ns_per_op(50_000, || IssueCardRequest::try_from(issue_request())
            .expect("valid request"))
    );
}

/// Resident memory of this process, in kB.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn memory(server: &Server, total: usize, overall: bool) {
    let client = sdk_client(&server.url, overall);
    let warm_up = 5_000;
    let step = 20_000;
    println!(
        "resident memory over {total} calls through one client (alternating get and issue){}:",
        if overall {
            ", with an overall timeout"
        } else {
            ""
        }
    );
    let started = Instant::now();
    for i in 0..warm_up {
        if i % 2 == 0 {
            sdk_get(&client)
        } else {
            sdk_issue(&client)
        }
    }
    let base = rss_kb();
    println!("  after {warm_up:>6} warm-up calls: VmRSS {base} kB");
    let mut last = base;
    for i in 1..=total {
        if i % 2 == 0 {
            sdk_get(&client)
        } else {
            sdk_issue(&client)
        }
        if i % step == 0 || i == total {
            last = rss_kb();
            println!("  after {i:>6} more calls:   VmRSS {last} kB");
        }
    }
    let growth = last as i64 - base as i64;
    println!(
        "growth after warm-up: {growth} kB over {total} calls = {:.2} bytes/call ({:.1} s, {:.0} calls/s)",
        growth as f64 * 1024.0 / total as f64,
        started.elapsed().as_secs_f64(),
        (warm_up + total) as f64 / started.elapsed().as_secs_f64()
    );
    println!(
        "(one leaked 16-byte allocation per call would add {} kB)",
        total * 16 / 1024
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().expect("a number"))
            .unwrap_or(default)
    };
    let flag = |name: &str| args.iter().any(|a| a == name);
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; measure with `cargo run --release --example bench`");
    }

    if flag("--serve") {
        let port = u16::try_from(option("--port", 0)).expect("a port number");
        let server = start_server(port).expect("bind 127.0.0.1");
        println!("{}", server.url);
        std::io::stdout().flush().ok();
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }

    let server = start_server(0).expect("bind 127.0.0.1");
    println!("machine: {}", machine());
    println!("fixed-answer server: {}", server.url);
    if flag("--memory") {
        memory(
            &server,
            option("--memory-calls", 100_000),
            flag("--overall"),
        );
    } else if flag("--only-sdk") || flag("--only-bare") {
        // One kind of loop alone, to look at under a profiler.
        let n = option("--calls", 20_000);
        let overall = flag("--overall");
        let (get, issue) = if flag("--only-sdk") {
            let client = sdk_client(&server.url, overall);
            (rate(n, || sdk_get(&client)), rate(n, || sdk_issue(&client)))
        } else {
            let bare = Bare::new(&server.url, bare_agent(overall));
            (
                rate(n, || {
                    bare.get();
                }),
                rate(n, || {
                    bare.issue();
                }),
            )
        };
        println!("{n} calls each: get {get:.0} calls/s, issue {issue:.0} calls/s");
    } else {
        let (rounds, calls) = (option("--rounds", 9), option("--calls", 2000));
        if !flag("--skip-default") {
            throughput(&server, Setup::Default, rounds, calls);
        }
        if !flag("--skip-overall") {
            throughput(&server, Setup::Overall, rounds, calls);
            resolver_thread_cost(&server, rounds.min(5), calls);
        }
        per_op_costs();
    }
}
