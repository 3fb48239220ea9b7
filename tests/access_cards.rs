mod common;

use accessgrid::models::IssueCardRequest;
use common::{assert_hit, client, mock, Expected};

#[test]
fn get_reads_one_card() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/key-cards/0xc4rd1d", &[], r#"{"id":"0xc4rd1d"}"#),
        200,
        r#"{"id":"0xc4rd1d","state":"active","card_number":"1234","brand_new_field":1}"#,
    );
    let card = client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect("card");
    assert_hit(&m, &why);
    assert_eq!(card.id.as_deref(), Some("0xc4rd1d"));
    assert_eq!(card.state, Some(accessgrid::models::CardState::Active));
}

#[test]
fn issue_signs_the_exact_body() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::json(
            "POST",
            "/v1/key-cards",
            r#"{"card_template_id":"0xd3adb00b5","full_name":"Zoë Ångström","site_code":"42"}"#,
        ),
        200,
        r#"{"id":"new","state":"created"}"#,
    );
    let card = client(&server)
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id("0xd3adb00b5")
                .full_name("Zoë Ångström")
                .site_code("42"),
        )
        .expect("issued");
    assert_hit(&m, &why);
    assert_eq!(card.id.as_deref(), Some("new"));
}
