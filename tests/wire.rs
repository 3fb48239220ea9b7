//! The raw bytes a call puts on the wire, as a plain HTTP/1.1 server on 127.0.0.1 sees them.

use accessgrid::models::IssueCardRequest;
use accessgrid::Client;

mod common;
use common::raw::{RawServer, Reply};

#[test]
fn bodyless_get_has_no_framing_headers_and_posts_have_a_length() {
    let server = RawServer::start(|_, _| Reply::json(200, r#"{"id":"c"}"#));
    let client = Client::builder("acct", "secret")
        .base_url(server.url())
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

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let get = &seen[0];
    assert_eq!(get.method, "GET");
    assert!(
        get.target
            .starts_with("/v1/key-cards/0xc4rd1d?sig_payload="),
        "{get:?}"
    );
    assert!(
        get.header("content-length").is_none() && get.header("transfer-encoding").is_none(),
        "a GET carries no body framing: {get:?}"
    );
    assert!(get.body.is_empty());

    let suspend = &seen[1];
    assert_eq!(suspend.method, "POST");
    assert!(suspend
        .target
        .starts_with("/v1/key-cards/0xc4rd1d/suspend?sig_payload="));
    assert!(
        suspend.header("content-length") == Some("0")
            && suspend.header("transfer-encoding").is_none(),
        "a body-less POST says its length is 0: {suspend:?}"
    );
    assert!(suspend.body.is_empty());

    let issue = &seen[2];
    let expected = br#"{"card_template_id":"0xd3adb00b5","full_name":"Ada","site_code":"42"}"#;
    assert_eq!(
        (issue.method.as_str(), issue.target.as_str()),
        ("POST", "/v1/key-cards")
    );
    let length = expected.len().to_string();
    assert_eq!(issue.header("content-length"), Some(length.as_str()));
    assert_eq!(issue.body.as_slice(), expected.as_slice());
}
