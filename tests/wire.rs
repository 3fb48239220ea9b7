//! The raw bytes a call puts on the wire, as a plain HTTP/1.1 server on 127.0.0.1 sees them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use accessgrid::models::IssueCardRequest;
use accessgrid::Client;

/// Each request's head (lowercased) and body, in order.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A keep-alive server answering `{"id":"c"}` to every request; records what it receives.
fn recording_server() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("clone");
                let mut reader = BufReader::new(stream);
                loop {
                    let mut head = String::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        let line = line.to_ascii_lowercase();
                        if let Some(v) = line.strip_prefix("content-length:") {
                            length = v.trim().parse().expect("a length");
                        }
                        head.push_str(&line);
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).expect("body");
                    log.lock().expect("log").push((head, body));
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{\"id\":\"c\"}";
                    if writer.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

#[test]
fn bodyless_get_has_no_framing_headers_and_posts_have_a_length() {
    let (url, seen) = recording_server();
    let client = Client::builder("acct", "secret")
        .base_url(url)
        .build()
        .expect("client");
    client.access_cards().get("0xc4rd1d").expect("get");
    client.access_cards().suspend("0xc4rd1d").expect("suspend");
    client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id("0xd3adb00b5")
                .full_name("Ada")
                .site_code("42"),
        )
        .expect("issue");

    let seen = seen.lock().expect("log");
    assert_eq!(seen.len(), 3);
    let (get, get_body) = &seen[0];
    assert!(
        get.starts_with("get /v1/key-cards/0xc4rd1d?sig_payload="),
        "{get}"
    );
    assert!(
        !get.contains("content-length") && !get.contains("transfer-encoding"),
        "a GET carries no body framing:\n{get}"
    );
    assert!(get_body.is_empty());

    let (suspend, suspend_body) = &seen[1];
    assert!(suspend.starts_with("post /v1/key-cards/0xc4rd1d/suspend?sig_payload="));
    assert!(
        suspend.contains("content-length: 0\r\n") && !suspend.contains("transfer-encoding"),
        "a body-less POST says its length is 0:\n{suspend}"
    );
    assert!(suspend_body.is_empty());

    let (issue, issue_body) = &seen[2];
    let expected = br#"{"card_template_id":"0xd3adb00b5","full_name":"Ada","site_code":"42"}"#;
    assert!(
        issue.starts_with("post /v1/key-cards http/1.1\r\n"),
        "{issue}"
    );
    assert!(issue.contains(&format!("content-length: {}\r\n", expected.len())));
    assert_eq!(issue_body.as_slice(), expected.as_slice());
}
