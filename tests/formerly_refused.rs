//! Requests the client used to refuse before sending, although the server accepts them (an
//! official SDK or example sends them): each now goes out, exactly as written. Also the
//! request fields added from the official SDKs, and fields sent beyond the schema.

mod common;

use accessgrid::models::{
    ActivateHidOrgRequest, ConsolePageQuery, CreateCredentialProfileRequest, CreateHidOrgRequest,
    CreateLandingPageRequest, CreateTemplatePairRequest, CreateTemplateRequest,
    CreateWebhookRequest, CredentialProfileKey, IssueCardRequest, ListCardsQuery, TemplateLogQuery,
    UpdateCardRequest, UpdateTemplateRequest,
};
use accessgrid::{Client, Error};
use common::{mock, Expected};
use serde_json::json;

struct Case {
    what: &'static str,
    expected: Expected,
    answer: &'static str,
    call: fn(&Client) -> Result<(), Error>,
}

fn post(path: &str, body: serde_json::Value) -> Expected {
    Expected::json("POST", path, &body.to_string())
}

fn cases() -> Vec<Case> {
    let card = r#"{"id":"0xc4rd1d"}"#;
    vec![
        Case {
            what: "issue without site_code, file_data or credential_pool_id",
            expected: post(
                "/v1/key-cards",
                json!({"card_template_id": "0xd3adb00b5", "full_name": "Ada"}),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id("0xd3adb00b5")
                            .full_name("Ada"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "site_code 255 and card_number 65535 (the whole H10301 ranges)",
            expected: post(
                "/v1/key-cards",
                json!({"card_template_id": "t", "full_name": "Ada", "site_code": "255", "card_number": "65535"}),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id("t")
                            .full_name("Ada")
                            .site_code("255")
                            .card_number("65535"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "site_code and card_number with leading zeros",
            expected: post(
                "/v1/key-cards",
                json!({"card_template_id": "t", "full_name": "Ada", "site_code": "007", "card_number": "00042"}),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id("t")
                            .full_name("Ada")
                            .site_code("007")
                            .card_number("00042"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "file_data of 8,192 bytes (16,384 hex characters, as C# allows)",
            expected: post(
                "/v1/key-cards",
                json!({"card_template_id": "t", "full_name": "Ada", "file_data": "ab".repeat(8192)}),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id("t")
                            .full_name("Ada")
                            .file_data("ab".repeat(8192)),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "update file_data over 64 characters",
            expected: Expected::json(
                "PATCH",
                "/v1/key-cards/0xc4rd1d",
                &json!({"file_data": "0".repeat(100)}).to_string(),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .update(
                        "0xc4rd1d",
                        UpdateCardRequest::builder().file_data("0".repeat(100)),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "issue with an empty full_name (the server decides)",
            expected: post(
                "/v1/key-cards",
                json!({"card_template_id": "t", "full_name": ""}),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(IssueCardRequest::builder().card_template_id("t").full_name(""))
                    .map(drop)
            },
        },
        Case {
            what: "issue: temporary, allow_on_multiple_devices, organization_name",
            expected: post(
                "/v1/key-cards",
                json!({"card_template_id": "t", "full_name": "Ada", "temporary": true,
                       "allow_on_multiple_devices": true, "organization_name": "Analytical Engines"}),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id("t")
                            .full_name("Ada")
                            .temporary(true)
                            .allow_on_multiple_devices(true)
                            .organization_name("Analytical Engines"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "update: email, phone_number, organization_name, start_date",
            expected: Expected::json(
                "PATCH",
                "/v1/key-cards/0xc4rd1d",
                &json!({"email": "ada@example.com", "phone_number": "+441234",
                        "organization_name": "Analytical Engines", "start_date": "2025-03-01T00:00:00Z"})
                .to_string(),
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .update(
                        "0xc4rd1d",
                        UpdateCardRequest::builder()
                            .email("ada@example.com")
                            .phone_number("+441234")
                            .organization_name("Analytical Engines")
                            .start_date("2025-03-01T00:00:00Z"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "list passes without template_id",
            expected: Expected::bodyless("GET", "/v1/key-cards", &[("state", "active")], "{}"),
            answer: r#"{"keys":[]}"#,
            call: |c| {
                c.access_cards()
                    .list(ListCardsQuery::builder().state("active"))
                    .map(drop)
            },
        },
        Case {
            what: "a query parameter beyond the schema",
            expected: Expected::bodyless(
                "GET",
                "/v1/key-cards",
                &[("holder_email", "ada@example.com"), ("template_id", "t")],
                "{}",
            ),
            answer: r#"{"keys":[]}"#,
            call: |c| {
                c.access_cards()
                    .list(
                        ListCardsQuery::builder()
                            .template_id("t")
                            .extra_field("holder_email", "ada@example.com"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "a field beyond the schema, after the named ones, and an explicit null",
            expected: Expected::json(
                "POST",
                "/v1/key-cards",
                r#"{"card_template_id":"t","full_name":"Ada","badge_tier":{"level":2},"email":null}"#,
            ),
            answer: card,
            call: |c| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id("t")
                            .full_name("Ada")
                            .extra_field("badge_tier", json!({"level": 2}))
                            .extra_field("email", serde_json::Value::Null),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "update template: watch_count and iphone_count without allow_on_multiple_devices",
            expected: Expected::json(
                "PUT",
                "/v1/console/card-templates/0xd3adb00b5",
                &json!({"watch_count": 2, "iphone_count": 3}).to_string(),
            ),
            answer: r#"{"id":"0xd3adb00b5"}"#,
            call: |c| {
                c.console()
                    .templates().update(
                        "0xd3adb00b5",
                        UpdateTemplateRequest::builder().watch_count(2).iphone_count(3),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "create template: iphone_count with allow_on_multiple_devices false",
            expected: post(
                "/v1/console/card-templates",
                json!({"name": "Badge", "platform": "apple", "use_case": "corporate_id",
                       "allow_on_multiple_devices": false, "iphone_count": 1}),
            ),
            answer: r#"{"id":"0xt"}"#,
            call: |c| {
                c.console()
                    .templates().create(
                        CreateTemplateRequest::builder()
                            .name("Badge")
                            .platform("apple")
                            .use_case("corporate_id")
                            .allow_on_multiple_devices(false)
                            .iphone_count(1),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "create template: platform android (C#, Elixir), and an empty name",
            expected: post(
                "/v1/console/card-templates",
                json!({"name": "", "platform": "android", "use_case": "corporate_id", "protocol": "smart_tap"}),
            ),
            answer: r#"{"id":"0xt"}"#,
            call: |c| {
                c.console()
                    .templates().create(
                        CreateTemplateRequest::builder()
                            .name("")
                            .platform("android")
                            .use_case("corporate_id")
                            .protocol("smart_tap"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "create template: the `logo` spelling, beyond the schema",
            expected: Expected::json(
                "POST",
                "/v1/console/card-templates",
                r#"{"name":"Badge","platform":"apple","use_case":"corporate_id","logo":"aW1n"}"#,
            ),
            answer: r#"{"id":"0xt"}"#,
            call: |c| {
                c.console()
                    .templates().create(
                        CreateTemplateRequest::builder()
                            .name("Badge")
                            .platform("apple")
                            .use_case("corporate_id")
                            .extra_field("logo", "aW1n"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "event log: per_page over 100 (no documented limit)",
            expected: Expected::bodyless(
                "GET",
                "/v1/console/card-templates/0xt/logs",
                &[("per_page", "101")],
                r#"{"id":"0xt"}"#,
            ),
            answer: r#"{"logs":[]}"#,
            call: |c| {
                c.console()
                    .templates().logs("0xt", TemplateLogQuery::builder().per_page(101))
                    .map(drop)
            },
        },
        Case {
            what: "template pairs: per_page 500, and a pair with an empty name",
            expected: Expected::bodyless(
                "GET",
                "/v1/console/card-template-pairs",
                &[("per_page", "500")],
                "{}",
            ),
            answer: r#"{"card_template_pairs":[]}"#,
            call: |c| {
                c.console()
                    .pairs().list(ConsolePageQuery::builder().per_page(500))
                    .map(drop)
            },
        },
        Case {
            what: "create pair with an empty name",
            expected: post(
                "/v1/console/card-template-pairs",
                json!({"name": "", "apple_card_template_id": "0xa", "google_card_template_id": "0xg"}),
            ),
            answer: r#"{"id":"pair_1"}"#,
            call: |c| {
                c.console()
                    .pairs().create(
                        CreateTemplatePairRequest::builder()
                            .name("")
                            .apple_card_template_id("0xa")
                            .google_card_template_id("0xg"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "landing page: a kind the SDK does not know, an empty name",
            expected: post(
                "/v1/console/landing-pages",
                json!({"name": "", "kind": "kiosk"}),
            ),
            answer: r#"{"id":"lp_1"}"#,
            call: |c| {
                c.console()
                    .landing_pages().create(CreateLandingPageRequest::builder().name("").kind("kiosk"))
                    .map(drop)
            },
        },
        Case {
            what: "credential profile without keys (Python, Go, JS make them optional)",
            expected: post(
                "/v1/console/credential-profiles",
                json!({"name": "Main", "app_name": "KEY-ID-main"}),
            ),
            answer: r#"{"id":"cp_1"}"#,
            call: |c| {
                c.console()
                    .credential_profiles()
                    .create(CreateCredentialProfileRequest::builder().name("Main"))
                    .map(drop)
            },
        },
        Case {
            what: "credential profile: a key that is not 32 hex digits, an empty app_name, file_id `zz`",
            expected: post(
                "/v1/console/credential-profiles",
                json!({"name": "Main", "app_name": "", "keys": [{"value": "abc"}], "file_id": "zz"}),
            ),
            answer: r#"{"id":"cp_1"}"#,
            call: |c| {
                c.console()
                    .credential_profiles()
                    .create(
                        CreateCredentialProfileRequest::builder()
                            .name("Main")
                            .app_name("")
                            .keys(vec![CredentialProfileKey::new("abc")])
                            .file_id("zz"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "webhook: an auth_method the SDK does not know, no events, empty name and URL",
            expected: post(
                "/v1/console/webhooks",
                json!({"name": "", "url": "", "subscribed_events": [], "auth_method": "hmac"}),
            ),
            answer: r#"{"id":"wh_1"}"#,
            call: |c| {
                c.console()
                    .webhooks()
                    .create(
                        CreateWebhookRequest::builder()
                            .name("")
                            .url("")
                            .subscribed_events(Vec::<String>::new())
                            .auth_method("hmac"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "webhooks list: per_page over 100",
            expected: Expected::bodyless("GET", "/v1/console/webhooks", &[("per_page", "101")], "{}"),
            answer: r#"{"webhooks":[]}"#,
            call: |c| {
                c.console()
                    .webhooks()
                    .list(ConsolePageQuery::builder().per_page(101))
                    .map(drop)
            },
        },
        Case {
            what: "HID org with an empty phone",
            expected: post(
                "/v1/console/hid/orgs",
                json!({"name": "Org", "full_address": "1 Main St", "phone": "",
                       "first_name": "Ada", "last_name": "Lovelace"}),
            ),
            answer: r#"{"id":"org_1"}"#,
            call: |c| {
                c.console()
                    .hid()
                    .orgs()
                    .create(
                        CreateHidOrgRequest::builder()
                            .name("Org")
                            .full_address("1 Main St")
                            .phone("")
                            .first_name("Ada")
                            .last_name("Lovelace"),
                    )
                    .map(drop)
            },
        },
        Case {
            what: "HID activation with an empty password",
            expected: post(
                "/v1/console/hid/orgs/activate",
                json!({"email": "a@b.c", "password": ""}),
            ),
            answer: r#"{"id":"org_1"}"#,
            call: |c| {
                c.console()
                    .hid()
                    .orgs()
                    .activate(ActivateHidOrgRequest::builder().email("a@b.c").password(""))
                    .map(drop)
            },
        },
    ]
}

#[test]
fn formerly_refused_requests_now_go_out_exactly() {
    let mut failures = Vec::new();
    for case in cases() {
        let mut server = mockito::Server::new();
        let (m, why) = mock(&mut server, case.expected, 200, case.answer);
        let client = common::client(&server);
        match (case.call)(&client) {
            Ok(()) if m.matched() => m.assert(),
            Ok(()) => failures.push(format!(
                "{}: not the exact request:\n{}",
                case.what,
                why.report()
            )),
            Err(e) => failures.push(format!("{}: {e}\n{}", case.what, why.report())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// HID org lists may come wrapped as `{"hid_orgs": [...]}`, as well as bare or as `orgs`.
#[test]
fn hid_org_lists_decode_in_every_wrapping() {
    for answer in [
        r#"[{"id":"1","name":"A"}]"#,
        r#"{"orgs":[{"id":"1","name":"A"}]}"#,
        r#"{"hid_orgs":[{"id":"1","name":"A"}]}"#,
    ] {
        let mut server = mockito::Server::new();
        let (m, why) = mock(
            &mut server,
            Expected::bodyless("GET", "/v1/console/hid/orgs", &[], "{}"),
            200,
            answer,
        );
        let orgs = common::client(&server)
            .console()
            .hid()
            .orgs()
            .list()
            .unwrap_or_else(|e| panic!("{answer}: {e}"));
        common::assert_hit(&m, &why);
        assert_eq!(orgs.len(), 1, "{answer}");
        assert_eq!(orgs[0].id, "1");
    }
}

/// Reading a pair may answer only `{"templates": [...]}`: the template is the one asked
/// for. Any other answer without an id is a decode error naming it.
#[test]
fn a_template_answer_without_an_id() {
    let read = |answer: &str| {
        let mut server = mockito::Server::new();
        let (m, why) = mock(
            &mut server,
            Expected::bodyless(
                "GET",
                "/v1/console/card-templates/0xpair",
                &[],
                r#"{"id":"0xpair"}"#,
            ),
            200,
            answer,
        );
        let result = common::client(&server).console().templates().get("0xpair");
        common::assert_hit(&m, &why);
        result
    };
    let pair = read(r#"{"templates":[{"id":"0xa"},{"id":"0xg"}],"served_by":"x"}"#)
        .expect("a pair without its own id");
    assert_eq!(pair.id, "0xpair");
    assert!(pair.is_pair());
    assert_eq!(pair.extra["served_by"], "x");
    match read(r#"{"name":"Badge"}"#) {
        Err(Error::Decode(e)) => {
            assert!(e.message.contains("missing field `id`"), "{}", e.message);
            assert_eq!(e.body, br#"{"name":"Badge"}"#);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    match read(r#"{"templates":[{"name":"no id"}]}"#) {
        Err(Error::Decode(e)) => assert_eq!(e.path, "templates[0]"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}
