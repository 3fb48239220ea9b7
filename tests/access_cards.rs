//! Every access-pass endpoint against a mock server: the exact request (method, path,
//! query, headers, recomputed signature, body) and the decoded answer.

mod common;

use accessgrid::models::{
    CardState, IssueCardRequest, ListCardsQuery, ParkingDetail, Reservations, TileData,
    UpdateCardRequest,
};
use accessgrid::Error;
use common::{assert_hit, client, mock, nothing_sent, Expected};

const CARD: &str = r#"{
  "id": "0xc4rd1d", "install_url": "https://accessgrid.com/install/0xc4rd1d",
  "direct_install_url": "https://wallet.example/0xc4rd1d", "state": "active",
  "full_name": "Zoë Ångström", "employee_id": "123456789", "card_template_id": "0xd3adb00b5",
  "card_number": "1234", "site_code": "42", "temporary": false, "created_at": "2025-01-31T22:46:25Z",
  "devices": [{"id": "d1", "platform": "apple", "device_type": "watch", "status": "active",
               "created_at": "2025-02-01T10:00:00Z", "updated_at": null}],
  "metadata": {"badge_type": "contractor"}, "served_by": "a field this SDK does not know"
}"#;

fn full_issue_request() -> IssueCardRequest {
    let mut metadata = serde_json::Map::new();
    metadata.insert("department".into(), "engineering".into());
    IssueCardRequest::builder()
        .card_template_id("0xd3adb00b5")
        .employee_id("123456789")
        .tag_id("DDEADB33FB00B5")
        .site_code("42")
        .card_number("1234")
        .full_name("Zoë Ångström")
        .email("zoe@example.com")
        .phone_number("+19547212241")
        .classification("full_time")
        .department("Engineering")
        .start_date("2025-01-31T22:46:25.601Z")
        .expiration_date("2025-04-30T22:46:25.601Z")
        .title("Engineering Manager")
        .member_id("M-1")
        .tile_data(
            TileData::builder()
                .is_checked_in(false)
                .check_in_url("https://hotel.example/checkin")
                .number_of_rooms_reserved(2u32)
                .room_numbers(vec!["101".to_string(), "102".to_string()]),
        )
        .reservations(
            Reservations::builder()
                .property_name("Hyatt Centric")
                .property_category("travel"),
        )
        .parking_details(vec![ParkingDetail::builder()
            .label("Spot")
            .value("B12")
            .try_into()
            .expect("valid")])
        .metadata(metadata)
        .try_into()
        .expect("a valid request")
}

#[test]
fn issue_sends_the_exact_signed_body_and_decodes_the_card() {
    let request = full_issue_request();
    let body = serde_json::to_string(&request).expect("serializes");
    insta::assert_snapshot!("issue_request_body", body);
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/key-cards", &body),
        200,
        CARD,
    );
    let card = client(&server)
        .access_cards()
        .issue(request)
        .expect("issued");
    assert_hit(&m, &why);
    assert!(!card.is_unified());
    insta::assert_json_snapshot!("issue_answer", card);
}

#[test]
fn issue_accepts_a_builder_and_answers_a_unified_pass() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::json(
            "POST",
            "/v1/key-cards",
            r#"{"card_template_id":"0xpa1r","credential_pool_id":"pool_1","full_name":"Ada"}"#,
        ),
        201,
        r#"{"id":"u1","install_url":"https://accessgrid.com/install/u1","state":"created","status":"issued",
            "details":[{"id":"a1","state":"created","card_template_id":"0xapple"},
                       {"id":"g1","state":"created","card_template_id":"0xgoogle"}]}"#,
    );
    let pass = client(&server)
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id("0xpa1r")
                .full_name("Ada")
                .credential_pool_id("pool_1"),
        )
        .expect("issued");
    assert_hit(&m, &why);
    assert!(pass.is_unified());
    let details = pass.details.as_deref().unwrap_or_default();
    let ids: Vec<_> = details.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a1", "g1"]);
    assert_eq!(pass.status.as_deref(), Some("issued"));
}

#[test]
fn get_reads_one_card_signing_its_id() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/key-cards/0xc4rd1d", &[], r#"{"id":"0xc4rd1d"}"#),
        200,
        CARD,
    );
    let card = client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect("card");
    assert_hit(&m, &why);
    assert_eq!(card.state, Some(CardState::Active));
    assert_eq!(card.full_name.as_deref(), Some("Zoë Ångström"));
    let devices = card.devices.unwrap_or_default();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_type.as_deref(), Some("watch"));
}

#[test]
fn ids_are_percent_encoded_in_the_path_and_signed_as_given() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "POST",
            "/v1/key-cards/a%2Fb%20c/suspend",
            &[],
            r#"{"id":"a/b c"}"#,
        ),
        200,
        r#"{"id":"a/b c","state":"suspended"}"#,
    );
    let card = client(&server)
        .access_cards()
        .suspend("a/b c")
        .expect("suspended");
    assert_hit(&m, &why);
    assert_eq!(card.state, Some(CardState::Suspended));
}

#[test]
fn update_patches_only_the_fields_set() {
    let mut server = mockito::Server::new();
    let body = r#"{"classification":"contractor","expiration_date":"2025-02-22T21:04:03.664Z","full_name":"Updated Name","title":"Senior Developer"}"#;
    let (m, why) = mock(
        &mut server,
        Expected::json("PATCH", "/v1/key-cards/0xc4rd1d", body),
        200,
        CARD,
    );
    let card = client(&server)
        .access_cards()
        .update(
            "0xc4rd1d",
            UpdateCardRequest::builder()
                .full_name("Updated Name")
                .classification("contractor")
                .expiration_date("2025-02-22T21:04:03.664Z")
                .title("Senior Developer"),
        )
        .expect("updated");
    assert_hit(&m, &why);
    assert_eq!(card.id, "0xc4rd1d");
}

#[test]
fn list_sends_every_filter_and_decodes_the_page() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/key-cards",
            &[
                ("page", "2"),
                ("per_page", "10"),
                ("state", "active"),
                ("template_id", "0xd3adb00b5"),
            ],
            "{}",
        ),
        200,
        &format!(r#"{{"keys":[{CARD}],"page":2,"per_page":10,"total_pages":3,"total_count":21}}"#),
    );
    let page = client(&server)
        .access_cards()
        .list(
            ListCardsQuery::builder()
                .template_id("0xd3adb00b5")
                .state(CardState::Active)
                .page(2u32)
                .per_page(10u32),
        )
        .expect("a page");
    assert_hit(&m, &why);
    assert_eq!(
        (
            page.info().current_page,
            page.info().total_pages,
            page.info().total_count
        ),
        (Some(2), Some(3), Some(21))
    );
    insta::assert_json_snapshot!("list_answer", page);
}

#[test]
fn iter_walks_three_pages_lazily_and_stops_after_the_last() {
    let mut server = mockito::Server::new();
    let mut mocks = Vec::new();
    for (page, ids) in [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"])] {
        let keys: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":"{id}"}}"#)).collect();
        mocks.push(mock(
            &mut server,
            Expected::bodyless(
                "GET",
                "/v1/key-cards",
                &[("page", &page.to_string()), ("template_id", "t")],
                "{}",
            ),
            200,
            &format!(
                r#"{{"keys":[{}],"page":{page},"per_page":2,"total_pages":3,"total_count":6}}"#,
                keys.join(",")
            ),
        ));
    }
    let client = client(&server);
    let mut iter = client
        .access_cards()
        .list_all(ListCardsQuery::builder().template_id("t"))
        .expect("valid query");
    // Lazy: the first page is fetched by the first `next`, the second only after two items.
    assert!(!mocks[0].0.matched());
    assert_eq!(
        iter.next().and_then(Result::ok).map(|c| c.id).as_deref(),
        Some("a")
    );
    assert!(mocks[0].0.matched() && !mocks[1].0.matched());
    let rest: Vec<String> = iter.map(|c| c.expect("no error").id).collect();
    assert_eq!(rest, ["b", "c", "d", "e", "f"]);
    for (m, why) in &mocks {
        assert_hit(m, why);
    }
}

#[test]
fn iter_over_an_empty_first_page_yields_nothing_after_one_request() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/key-cards",
            &[("page", "1"), ("template_id", "t")],
            "{}",
        ),
        200,
        r#"{"keys":[],"page":1,"per_page":50,"total_pages":0,"total_count":0}"#,
    );
    let client = client(&server);
    let items: Vec<_> = client
        .access_cards()
        .list_all(ListCardsQuery::builder().template_id("t"))
        .expect("valid")
        .collect();
    assert!(items.is_empty());
    assert_hit(&m, &why);
}

#[test]
fn iter_yields_a_page_error_and_stops() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/key-cards",
            &[("page", "1"), ("template_id", "t")],
            "{}",
        ),
        404,
        r#"{"message":"Template not found"}"#,
    );
    let client = client(&server);
    let items: Vec<_> = client
        .access_cards()
        .list_all(ListCardsQuery::builder().template_id("t"))
        .expect("valid")
        .collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().err().and_then(Error::status), Some(404));
    assert_hit(&m, &why);
}

#[test]
fn state_changes_post_no_body_and_sign_the_card_id() {
    type Action =
        fn(&accessgrid::AccessCards<'_>, &str) -> Result<accessgrid::models::AccessCard, Error>;
    let actions: [(&str, Action, &str); 4] = [
        ("suspend", |c, id| c.suspend(id), "suspended"),
        ("resume", |c, id| c.resume(id), "active"),
        ("unlink", |c, id| c.unlink(id), "unlink"),
        ("delete", |c, id| c.delete(id), "deleted"),
    ];
    for (action, call, state) in actions {
        let mut server = mockito::Server::new();
        let (m, why) = mock(
            &mut server,
            Expected::bodyless(
                "POST",
                format!("/v1/key-cards/0xc4rd1d/{action}"),
                &[],
                r#"{"id":"0xc4rd1d"}"#,
            ),
            200,
            &format!(r#"{{"id":"0xc4rd1d","state":"{state}"}}"#),
        );
        let client = client(&server);
        let card = call(&client.access_cards(), "0xc4rd1d").expect(action);
        assert_hit(&m, &why);
        assert_eq!(
            card.state.map(|s| s.to_string()).as_deref(),
            Some(state),
            "{action}"
        );
    }
}

#[test]
fn invalid_input_is_refused_before_anything_is_sent() {
    let mut server = mockito::Server::new();
    let none = nothing_sent(&mut server);
    let client = client(&server);
    let cards = client.access_cards();
    let field = |r: Result<accessgrid::models::AccessCard, Error>| match r {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected invalid input, got {other:?}"),
    };
    let base = || {
        IssueCardRequest::builder()
            .card_template_id("t")
            .full_name("n")
            .site_code("1")
    };
    assert_eq!(field(cards.issue(base().tag_id("DF517FC87144D"))), "tag_id");
    assert_eq!(field(cards.issue(base().site_code("300"))), "site_code");
    assert_eq!(
        field(cards.issue(base().card_number("70000"))),
        "card_number"
    );
    assert_eq!(field(cards.issue(base().file_data("XYZ"))), "file_data");
    // An extra field that repeats a field the request sets would send the key twice.
    assert_eq!(
        field(cards.issue(base().extra_field("full_name", "again"))),
        "extra.full_name"
    );
    assert_eq!(
        field(cards.issue(IssueCardRequest::builder().full_name("n").site_code("1"))),
        "card_template_id"
    );
    assert_eq!(
        field(cards.issue(base().card_template_id(" "))),
        "card_template_id"
    );
    assert_eq!(
        field(
            cards.issue(
                base().tile_data(
                    TileData::builder()
                        .number_of_rooms_reserved(3u32)
                        .room_numbers(vec!["1".to_string()])
                )
            )
        ),
        "tile_data.numberOfRoomsReserved"
    );
    assert_eq!(
        field(
            cards.issue(
                base().reservations(
                    Reservations::builder()
                        .number_of_rooms_reserved(2u32)
                        .room_numbers(vec!["1".to_string()])
                )
            )
        ),
        "reservations.numberOfRoomsReserved"
    );
    assert_eq!(
        field(
            cards.issue(base().reservations(Reservations::builder().property_category("resort")))
        ),
        // A nested builder's error names the whole path.
        "reservations.property_category"
    );
    assert_eq!(field(cards.get("")), "card_id");
    assert_eq!(field(cards.suspend(" ")), "card_id");
    assert_eq!(
        field(cards.update("", UpdateCardRequest::builder().full_name("x"))),
        "card_id"
    );
    assert!(matches!(
        cards.list(ListCardsQuery::builder().template_id("")),
        Err(Error::InvalidInput { ref field, .. }) if field == "template_id"
    ));
    assert!(matches!(
        cards.list(ListCardsQuery::builder().template_id("t").page(0u32)),
        Err(Error::InvalidInput { ref field, .. }) if field == "page"
    ));
    none.assert();
}

fn answer_error(status: usize, content_type: &str, body: &str) -> Error {
    let mut server = mockito::Server::new();
    let _m = server
        .mock("GET", mockito::Matcher::Any)
        .with_status(status)
        .with_header("content-type", content_type)
        .with_body(body)
        .create();
    client(&server)
        .access_cards()
        .get("0xc4rd1d")
        .expect_err("an error status")
}

#[test]
fn error_statuses_map_to_variants_keeping_status_message_and_body() {
    let e = answer_error(
        401,
        "application/json",
        r#"{"message":"Invalid signature"}"#,
    );
    assert!(
        matches!(&e, Error::Authentication(api) if api.message == "Invalid signature"),
        "{e:?}"
    );
    assert_eq!(e.status(), Some(401));

    let e = answer_error(
        402,
        "application/json",
        r#"{"error":"Insufficient balance"}"#,
    );
    assert!(
        matches!(&e, Error::InsufficientBalance(api) if api.message == "Insufficient balance"),
        "{e:?}"
    );

    let e = answer_error(
        404,
        "application/json",
        r#"{"message":"Key card not found"}"#,
    );
    assert!(
        matches!(&e, Error::Api(api) if api.status == 404 && api.message == "Key card not found")
    );
    assert!(!e.is_retryable());

    let body = r#"{"message":"Validation failed","errors":{"tag_id":["is invalid"],"full_name":["can't be blank"]}}"#;
    let e = answer_error(422, "application/json", body);
    let api = e.api().expect("an API error");
    assert_eq!(api.status, 422);
    assert_eq!(api.field_errors["tag_id"], ["is invalid"]);
    assert_eq!(api.body, body.as_bytes());
    assert_eq!(
        e.to_string(),
        "AccessGrid API error: status 422: Validation failed; full_name: can't be blank; tag_id: is invalid"
    );

    let e = answer_error(500, "application/json", r#"{"message":"boom"}"#);
    assert!(matches!(&e, Error::Api(api) if api.status == 500 && api.message == "boom"));
    assert!(e.is_retryable());

    let html =
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
    for status in [401, 402, 404, 422, 500] {
        let e = answer_error(status, "text/html", html);
        assert_eq!(e.status(), Some(status as u16));
        let api = e.api().expect("an API error");
        assert_eq!(api.body, html.as_bytes(), "raw body kept");
        assert!(api.message.contains("Bad Gateway"), "{}", api.message);
    }
}

#[test]
fn undecodable_success_answers_are_errors_that_keep_the_body() {
    let cases = [
        ("<html>maintenance</html>", ""),
        (r#"{"id":"x","devices":"many"}"#, "devices"),
        (r#"{"id":"x""#, ""),
        ("", ""),
    ];
    for (body, path) in cases {
        let mut server = mockito::Server::new();
        let _m = server
            .mock("GET", mockito::Matcher::Any)
            .with_status(200)
            .with_body(body)
            .create();
        match client(&server).access_cards().get("x") {
            Err(Error::Decode(e)) => {
                assert_eq!(e.status, 200);
                assert_eq!(e.body, body.as_bytes());
                assert_eq!(e.path.trim_start_matches('.'), path, "{body}");
            }
            other => panic!("expected a decode error for {body:?}, got {other:?}"),
        }
    }
}

#[test]
fn a_custom_user_agent_is_sent() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("GET", "/v1/key-cards/c")
        .match_query(mockito::Matcher::Any)
        .match_header("user-agent", "door-daemon/2.1")
        .with_body(r#"{"id":"c"}"#)
        .create();
    let client = accessgrid::Client::builder(common::ACCOUNT, common::SECRET)
        .base_url(server.url())
        .user_agent("door-daemon/2.1")
        .build()
        .expect("client");
    client.access_cards().get("c").expect("ok");
    m.assert();
}
