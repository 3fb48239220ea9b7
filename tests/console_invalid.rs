//! Documented limits are checked before sending: each violation is `InvalidInput` naming
//! the field, and a catch-all mock that expects no request proves nothing left the machine.

mod common;

use accessgrid::models::{
    ConsolePageQuery, CreateCredentialProfileRequest, CreateHidOrgRequest,
    CreateLandingPageRequest, CreateTemplatePairRequest, CreateTemplateRequest,
    CredentialProfileKey, LedgerItemsQuery, TemplateLogFilters, TemplateLogQuery,
    UpdateLandingPageRequest, UpdateTemplateRequest,
};
use accessgrid::{Client, Error};
use common::client;
use common::{invalid_field, nothing_sent};

type Case = (&'static str, fn(&Client) -> Result<(), Error>);

fn template() -> accessgrid::models::CreateTemplateRequestBuilder {
    CreateTemplateRequest::builder()
        .name("Badge")
        .platform("apple")
        .use_case("corporate_id")
}

const KEY: &str = "00112233445566778899aabbccddeeff";

fn cases() -> Vec<Case> {
    vec![
        // card templates
        ("background_color", |c| {
            c.console()
                .templates()
                .create(template().background_color("#FFF"))
                .map(drop)
        }),
        ("label_color", |c| {
            c.console()
                .templates()
                .create(template().label_color("black"))
                .map(drop)
        }),
        ("label_secondary_color", |c| {
            c.console()
                .templates()
                .create(template().label_secondary_color("#GGGGGG"))
                .map(drop)
        }),
        ("watch_count", |c| {
            c.console()
                .templates()
                .create(template().allow_on_multiple_devices(true).watch_count(6))
                .map(drop)
        }),
        ("iphone_count", |c| {
            c.console()
                .templates()
                .create(template().allow_on_multiple_devices(true).iphone_count(0))
                .map(drop)
        }),
        ("use_case", |c| {
            c.console()
                .templates()
                .create(
                    CreateTemplateRequest::builder()
                        .name("Badge")
                        .platform("apple"),
                )
                .map(drop)
        }),
        ("watch_count", |c| {
            c.console()
                .templates()
                .update("0xt", UpdateTemplateRequest::builder().watch_count(9))
                .map(drop)
        }),
        ("background_color", |c| {
            c.console()
                .templates()
                .update(
                    "0xt",
                    UpdateTemplateRequest::builder().background_color("FFFFFF"),
                )
                .map(drop)
        }),
        ("template_id", |c| {
            c.console()
                .templates()
                .update("", UpdateTemplateRequest::builder().name("x"))
                .map(drop)
        }),
        ("template_id", |c| {
            c.console().templates().get(" ").map(drop)
        }),
        ("template_id", |c| c.console().templates().delete("")),
        ("template_id", |c| {
            c.console().templates().publish("").map(drop)
        }),
        // event log
        ("filters.device", |c| {
            c.console()
                .templates()
                .logs(
                    "0xt",
                    TemplateLogQuery::builder()
                        .filters(TemplateLogFilters::builder().device("tablet")),
                )
                .map(drop)
        }),
        ("filters.event_type", |c| {
            c.console()
                .templates()
                .logs(
                    "0xt",
                    TemplateLogQuery::builder()
                        .filters(TemplateLogFilters::builder().event_type("shared")),
                )
                .map(drop)
        }),
        ("page", |c| {
            c.console()
                .templates()
                .logs("0xt", TemplateLogQuery::builder().page(0))
                .map(drop)
        }),
        ("template_id", |c| {
            c.console()
                .templates()
                .logs("", TemplateLogQuery::default())
                .map(drop)
        }),
        ("filters.event_type", |c| {
            c.console()
                .templates()
                .logs_all(
                    "0xt",
                    TemplateLogQuery::builder()
                        .filters(TemplateLogFilters::builder().event_type("shared")),
                )
                .map(drop)
        }),
        ("template_id", |c| {
            c.console()
                .templates()
                .logs_all("", TemplateLogQuery::default())
                .map(drop)
        }),
        // iOS preflight
        ("access_pass_ex_id", |c| {
            c.console().templates().ios_preflight("0xt", "").map(drop)
        }),
        ("template_id", |c| {
            c.console().templates().ios_preflight("", "0xp").map(drop)
        }),
        // ledger
        ("per_page", |c| {
            c.console()
                .ledger()
                .list(LedgerItemsQuery::builder().per_page(101))
                .map(drop)
        }),
        ("per_page", |c| {
            c.console()
                .ledger()
                .list(LedgerItemsQuery::builder().per_page(0))
                .map(drop)
        }),
        ("page", |c| {
            c.console()
                .ledger()
                .list(LedgerItemsQuery::builder().page(-1))
                .map(drop)
        }),
        // template pairs
        ("google_card_template_id", |c| {
            c.console()
                .pairs()
                .create(
                    CreateTemplatePairRequest::builder()
                        .name("HQ")
                        .apple_card_template_id("0xa"),
                )
                .map(drop)
        }),
        ("apple_card_template_id", |c| {
            c.console()
                .pairs()
                .create(
                    CreateTemplatePairRequest::builder()
                        .name("HQ")
                        .apple_card_template_id("")
                        .google_card_template_id("0xg"),
                )
                .map(drop)
        }),
        // landing pages
        ("bg_color", |c| {
            c.console()
                .landing_pages()
                .create(
                    CreateLandingPageRequest::builder()
                        .name("Miami")
                        .kind("universal")
                        .bg_color("#12345"),
                )
                .map(drop)
        }),
        ("bg_color", |c| {
            c.console()
                .landing_pages()
                .update("lp_1", UpdateLandingPageRequest::builder().bg_color("blue"))
                .map(drop)
        }),
        ("landing_page_id", |c| {
            c.console()
                .landing_pages()
                .update("", UpdateLandingPageRequest::builder().name("x"))
                .map(drop)
        }),
        // credential profiles
        ("name", |c| {
            c.console()
                .credential_profiles()
                .create(
                    CreateCredentialProfileRequest::builder()
                        .keys(vec![CredentialProfileKey::new(KEY)]),
                )
                .map(drop)
        }),
        ("profile_id", |c| {
            c.console().credential_profiles().delete("")
        }),
        // webhooks
        ("per_page", |c| {
            c.console()
                .webhooks()
                .list(ConsolePageQuery::builder().per_page(0))
                .map(drop)
        }),
        ("webhook_id", |c| c.console().webhooks().delete("")),
        ("webhook_id", |c| {
            c.console().webhooks().verify(" ").map(drop)
        }),
        // HID orgs
        ("last_name", |c| {
            c.console()
                .hid()
                .orgs()
                .create(
                    CreateHidOrgRequest::builder()
                        .name("Org")
                        .full_address("1 Main St")
                        .phone("+1")
                        .first_name("Ada"),
                )
                .map(drop)
        }),
    ]
}

#[test]
fn every_violation_names_its_field_and_sends_nothing() {
    let mut server = mockito::Server::new();
    let sentinel = nothing_sent(&mut server);
    let client = client(&server);
    let mut wrong = Vec::new();
    for (i, (field, case)) in cases().into_iter().enumerate() {
        let got = invalid_field(case(&client));
        if got != field {
            wrong.push(format!("case {i}: expected `{field}`, got `{got}`"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    sentinel.assert();
}

#[test]
fn the_reason_says_what_rule_was_broken() {
    let mut server = mockito::Server::new();
    let sentinel = nothing_sent(&mut server);
    let client = client(&server);
    let err = client
        .console()
        .templates()
        .create(template().allow_on_multiple_devices(true).watch_count(6))
        .expect_err("more than 5 watches");
    let text = err.to_string();
    assert!(text.contains("between 1 and 5"), "{text}");
    assert!(text.contains("nothing was sent"), "{text}");

    let err = client
        .console()
        .templates()
        .logs(
            "0xt",
            TemplateLogQuery::builder().filters(TemplateLogFilters::builder().event_type("shared")),
        )
        .expect_err("unknown event type");
    let text = err.to_string();
    assert!(
        text.contains("issue, install, update, suspend, resume, unlink"),
        "{text}"
    );

    sentinel.assert();
}

#[test]
fn limits_at_their_edges_are_accepted() {
    // The extreme documented values pass validation, so the requests are sent.
    let mut server = mockito::Server::new();
    let posts = server
        .mock("POST", mockito::Matcher::Any)
        .with_body(r#"{"id":"x"}"#)
        .expect(2)
        .create();
    let gets = server
        .mock("GET", mockito::Matcher::Any)
        .with_body(r#"{"ledger_items":[]}"#)
        .expect(1)
        .create();
    let client = client(&server);
    client
        .console()
        .templates()
        .create(
            template()
                .allow_on_multiple_devices(true)
                .watch_count(5)
                .iphone_count(1)
                .background_color("#abcDEF"),
        )
        .expect("watch_count 5, iphone_count 1 and a mixed-case colour are valid");
    client
        .console()
        .ledger()
        .list(LedgerItemsQuery::builder().page(1).per_page(100))
        .expect("per_page 100 is valid");
    client
        .console()
        .credential_profiles()
        .create(
            CreateCredentialProfileRequest::builder()
                .name("Main")
                .keys(vec![CredentialProfileKey::new(KEY.to_uppercase())])
                .file_id("0A"),
        )
        .expect("an upper-case hex key is valid");
    posts.assert();
    gets.assert();
}
