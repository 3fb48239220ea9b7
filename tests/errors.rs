//! What an error shows: a server's text clipped and escaped in `Display` (kept whole in
//! the fields), the server's request id, and ids that would become dot segments refused
//! before sending.

mod common;

use accessgrid::models::IssueCardRequest;
use accessgrid::Error;

fn issue(client: &accessgrid::Client) -> Result<accessgrid::models::AccessCard, Error> {
    client.access_cards().issue(
        IssueCardRequest::builder()
            .card_template_id("0xt3mpl4t3")
            .full_name("Ada")
            .site_code("42")
            .card_number("1234"),
    )
}

#[test]
fn display_clips_and_escapes_a_hostile_message_and_the_body_stays_whole() {
    let mut server = mockito::Server::new();
    // 5 MB of message: a forged log line, ANSI escapes, a bidi override, a bell.
    let message = format!(
        "boom\n2026-01-01 INFO all good\r\u{1b}[2J\u{1b}[31mred\u{202e}txt\u{7}{}",
        "x".repeat(5 * 1024 * 1024)
    );
    let body = serde_json::json!({
        "message": message,
        "errors": {"full\nname": ["is\u{1b}[0m bad"]},
    })
    .to_string();
    let mock = server
        .mock("GET", "/v1/key-cards/0xc4rd1d")
        .match_query(mockito::Matcher::Any)
        .with_status(422)
        .with_header("content-type", "application/json")
        .with_body(body.clone())
        .expect(1)
        .create();
    let err = common::client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("422");
    mock.assert();
    let text = err.to_string();
    assert!(
        text.len() < 1_500,
        "Display is bounded: {} bytes",
        text.len()
    );
    for raw in ['\n', '\r', '\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!text.contains(raw), "{raw:?} must be escaped: {text}");
    }
    assert!(
        text.contains(r"boom\n2026-01-01 INFO all good\r\u{1b}[2J"),
        "{text}"
    );
    assert!(text.contains(r"full\nname: is\u{1b}[0m bad"), "{text}");
    assert!(text.contains("more bytes)"), "the cut is marked: {text}");
    let debug = format!("{err:?}");
    assert!(
        debug.len() < 3_000,
        "Debug is bounded too: {} bytes",
        debug.len()
    );
    // Everything stays available as received.
    let api = err.api().expect("an API error");
    assert_eq!(api.message, message);
    assert_eq!(err.body(), Some(body.as_bytes()));
}

#[test]
fn a_decode_error_clips_and_escapes_what_it_quotes() {
    let mut server = mockito::Server::new();
    // A field of the wrong type whose value serde quotes in its message.
    let hostile = format!("\u{1b}[31m{}", "y".repeat(100_000));
    let body = serde_json::json!({"id": "0xc4rd1d", "devices": hostile}).to_string();
    let _mock = server
        .mock("GET", "/v1/key-cards/0xc4rd1d")
        .match_query(mockito::Matcher::Any)
        .with_status(200)
        .with_body(body.clone())
        .create();
    let err = common::client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("not a card");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.len() < 1_500, "{} bytes", text.len());
    assert!(!text.contains('\u{1b}'), "{text}");
    assert_eq!(err.body(), Some(body.as_bytes()));
}

#[test]
fn a_request_id_header_is_kept_and_shown() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/v1/key-cards/0xc4rd1d")
        .match_query(mockito::Matcher::Any)
        .with_status(404)
        .with_header("x-request-id", "req-4f2a")
        .with_body(r#"{"message":"not found","request_id":"from-body"}"#)
        .expect(1)
        .create();
    let err = common::client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("404");
    mock.assert();
    assert_eq!(err.request_id(), Some("req-4f2a"), "the header wins");
    assert_eq!(
        err.api().and_then(|a| a.request_id.as_deref()),
        Some("req-4f2a")
    );
    assert!(
        err.to_string().ends_with("not found (request id req-4f2a)"),
        "{err}"
    );
}

#[test]
fn a_request_id_in_the_body_is_kept_on_an_outcome_unknown_post() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/v1/key-cards")
        .with_status(500)
        .with_body(r#"{"message":"internal error","request_id":"b0dy-1d"}"#)
        .expect(1)
        .create();
    let err = issue(&common::client(&server)).expect_err("500");
    mock.assert(); // sent once: a POST that may have been acted on is not retried
    assert!(
        matches!(&err, Error::OutcomeUnknown { request_id: Some(id), .. } if id == "b0dy-1d"),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("b0dy-1d"));
    let text = err.to_string();
    assert!(text.contains("(request id b0dy-1d)"), "{text}");
    assert_eq!(text.matches("request id").count(), 1, "{text}");
}

#[test]
fn an_answer_without_a_request_id_has_none() {
    let mut server = mockito::Server::new();
    let _mock = server
        .mock("GET", "/v1/key-cards/0xc4rd1d")
        .match_query(mockito::Matcher::Any)
        .with_status(403)
        .with_body(r#"{"message":"forbidden"}"#)
        .create();
    let err = common::client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("403");
    assert_eq!(err.request_id(), None);
    assert!(!err.to_string().contains("request id"), "{err}");
}

#[test]
fn dot_segment_ids_are_refused_before_sending() {
    let mut server = mockito::Server::new();
    // Any request at all would be a failure.
    let nothing = server.mock("ANY", mockito::Matcher::Any).expect(0).create();
    let client = common::client(&server);
    for id in [".", ".."] {
        let results = [
            client.access_cards().get(id).map(|_| ()),
            client.access_cards().suspend(id).map(|_| ()),
            client.access_cards().delete(id).map(|_| ()),
            client.console().templates().get(id).map(|_| ()),
            client.console().webhooks().delete(id).map(|_| ()),
        ];
        for result in results {
            match result {
                Err(Error::InvalidInput { reason, .. }) => {
                    assert!(reason.contains("dot segment"), "{reason}")
                }
                other => panic!("{id:?}: expected InvalidInput, got {other:?}"),
            }
        }
    }
    nothing.assert();
}
