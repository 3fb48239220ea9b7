//! Shared by the sandbox's web tests (`sandbox_web.rs`, `sandbox_browser.rs`): raw HTTP
//! exchanges with full control of the headers, a webhook receiver on loopback, and a
//! sandbox with a pass ready to install.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use accessgrid::models::{CreateTemplateRequest, CreateWebhookRequest, IssueCardRequest};
use accessgrid::sandbox::Sandbox;
use serde_json::Value;

/// An answer: the status, the headers (names lower-cased) and the body as text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request (`Connection: close`) and reads the whole answer, within 10 s.
/// `headers` are sent as given; `Host` is added when they do not name it.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("the sandbox listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .expect("sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("an answer");
    let text = String::from_utf8(raw).expect("a UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A GET as a browser's navigation sends it.
pub fn get(addr: SocketAddr, path: &str) -> Answer {
    http(addr, "GET", path, &[("User-Agent", "test")], "")
}

/// A form POST as the sandbox's own page sends it from Chromium (same origin).
pub fn post_form(addr: SocketAddr, path: &str, form: &str) -> Answer {
    let origin = format!("http://{addr}");
    http(
        addr,
        "POST",
        path,
        &[
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form,
    )
}

/// The path (and query) of a URL of the sandbox.
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned())
}

/// A webhook receiver on loopback: answers each delivery with the next status of
/// `statuses` (200 once they run out) and keeps the envelopes it was sent.
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Value>>>,
    stop: mpsc::Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start(statuses: &[u16]) -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a receiver");
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .expect("an IP address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&received);
        let mut statuses: Vec<u16> = statuses.to_vec();
        statuses.reverse();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            // Stops when told, and by itself after a minute at most.
            for _ in 0..600 {
                if stopped.try_recv().is_ok() {
                    break;
                }
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(100)) else {
                    continue;
                };
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                if let Ok(value) = serde_json::from_str(&body) {
                    kept.lock().expect("not poisoned").push(value);
                }
                let status = statuses.pop().unwrap_or(200);
                let _ = request.respond(
                    tiny_http::Response::from_string("{\"received\":true}")
                        .with_status_code(status),
                );
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// The types of the envelopes received so far.
    pub fn types(&self) -> Vec<String> {
        self.received
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Registers a webhook for every event at `url`.
pub fn subscribe(sb: &Sandbox, url: &str) -> String {
    sb.client()
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("Door sync")
                .url(url)
                .subscribed_events(Vec::<String>::new()),
        )
        .expect("webhook created")
        .id
}

/// A template with the given name and colours.
pub fn template(sb: &Sandbox, name: &str, platform: &str) -> String {
    sb.client()
        .console()
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name(name)
                .platform(platform)
                .use_case("corporate_id")
                .protocol("desfire")
                .background_color("#1D4ED8")
                .label_color("#FFFFFF"),
        )
        .expect("template created")
        .id
}

/// Issues a pass for `holder`: its id and install URL.
pub fn issue(sb: &Sandbox, template_id: &str, holder: &str) -> (String, String) {
    let card = sb
        .client()
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(template_id.to_owned())
                .full_name(holder)
                .site_code("42")
                .card_number("1815"),
        )
        .expect("issued");
    let url = card.install_url.expect("an install URL");
    (card.id, url)
}
