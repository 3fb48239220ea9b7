//! `Client::request`: any method and path, signed, retried and decoded like the SDK's
//! own calls. The sandbox checks every signature, so an answer proves the signing.
#![cfg(feature = "sandbox")]

use accessgrid::models::{AccessCard, CardState, IssueCardRequest};
use accessgrid::sandbox::Sandbox;
use accessgrid::{Error, Method};

#[test]
fn a_signed_request_to_any_path_answers_typed_or_raw_json() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();

    // A body: signed over the body.
    let card: AccessCard = client
        .request(Method::POST, "/v1/key-cards")
        .json(
            &IssueCardRequest::builder()
                .card_template_id(sandbox.template_id())
                .full_name("Ada Lovelace")
                .site_code("42")
                .card_number("1234")
                .try_into()
                .map(|r: IssueCardRequest| r)
                .expect("valid"),
        )
        .send()
        .expect("issued through the escape hatch");
    assert_eq!(card.state, Some(CardState::Created));

    // No body, about one resource: signed over {"id": ...}.
    let read: AccessCard = client
        .request(Method::GET, &format!("/v1/key-cards/{}", card.id))
        .sign_id(&card.id)
        .send()
        .expect("read");
    assert_eq!(read.id, card.id);

    // Raw JSON, with a query; no body and no id: signed over {}.
    let page = client
        .request(Method::GET, "/v1/key-cards")
        .query(&serde_json::json!({"template_id": sandbox.template_id(), "per_page": 1}))
        .send_json()
        .expect("listed");
    assert_eq!(page["keys"][0]["id"], card.id.as_str());
    assert_eq!(page["per_page"], 1);

    // The server's refusals are the same typed errors.
    let missing = client
        .request(Method::GET, "/v1/key-cards/0xn0p3")
        .sign_id("0xn0p3")
        .send_json()
        .expect_err("no such pass");
    assert_eq!(missing.status(), Some(404), "{missing:?}");
}

#[test]
fn a_path_that_is_not_one_is_refused_before_sending() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    for path in ["v1/key-cards", "/v1/key-cards?page=2", "/v1/key-cards#x"] {
        let err = client
            .request(Method::GET, path)
            .send_json()
            .expect_err("refused");
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "path"),
            "{path}: {err:?}"
        );
    }
    assert_eq!(sandbox.requests().len(), 0, "nothing was sent");
}
