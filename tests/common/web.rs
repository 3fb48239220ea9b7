//! Shared by the sandbox's web tests (`sandbox_web.rs`, `sandbox_browser.rs`): raw HTTP
//! exchanges with full control of the headers, and a sandbox with a pass ready to install
//! (the webhook receiver is [`super::receiver`]).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use accessgrid::models::{CreateWebhookRequest, IssueCardRequest};
use accessgrid::sandbox::Sandbox;

/// An answer: the status, the headers (names lower-cased) and the body as text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        super::raw::header(&self.headers, name)
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
    let request = super::sandbox::template_request(name, platform)
        .background_color("#1D4ED8")
        .label_color("#FFFFFF");
    super::sandbox::create_template(&sb.client(), request)
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
