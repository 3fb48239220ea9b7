//! The single-field rules written in `schema/` (`minimum`, `maximum`, `pattern: "\\S"` on
//! request properties) and the checks `build.rs` generates from them (`build/rules.rs`).
//!
//! Every rule the schema states is refused here before anything is sent, and its boundary
//! values go out exactly as given; a rule added to the schema without a case here fails
//! `every_schema_rule_has_its_cases`. The generator's own refusals are tested on small
//! schemas.

mod common;

#[path = "../build/bundle.rs"]
#[allow(dead_code)]
mod bundle;
#[path = "../build/rules.rs"]
#[allow(dead_code)]
mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use accessgrid::models::{
    ConsolePageQuery, CreateTemplatePairRequest, CreateTemplateRequest, IssueCardRequest,
    LedgerItemsQuery, ListCardsQuery, TemplateLogQuery, UpdateTemplateRequest,
};
use accessgrid::{Client, Error};
use common::{client, invalid_field, mock, nothing_sent, Expected};
use serde_json::{json, Value};

/// A request that breaks one rule: (request type, field, what is wrong, the call).
type Refused = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Client) -> Result<(), Error>,
);

fn template() -> accessgrid::models::CreateTemplateRequestBuilder {
    CreateTemplateRequest::builder()
        .name("Badge")
        .platform("apple")
        .use_case("corporate_id")
}

fn pair(apple: &str, google: &str) -> accessgrid::models::CreateTemplatePairRequestBuilder {
    CreateTemplatePairRequest::builder()
        .name("HQ")
        .apple_card_template_id(apple)
        .google_card_template_id(google)
}

fn issue(template_id: &str) -> accessgrid::models::IssueCardRequestBuilder {
    IssueCardRequest::builder()
        .card_template_id(template_id)
        .full_name("Ada")
}

fn refused() -> Vec<Refused> {
    vec![
        ("IssueCardRequest", "card_template_id", "empty", |c| {
            c.access_cards().issue(issue("")).map(drop)
        }),
        ("IssueCardRequest", "card_template_id", "white space", |c| {
            c.access_cards().issue(issue(" \t\n")).map(drop)
        }),
        ("ListCardsQuery", "template_id", "empty", |c| {
            c.access_cards()
                .list(ListCardsQuery::builder().template_id(""))
                .map(drop)
        }),
        ("ListCardsQuery", "template_id", "white space", |c| {
            c.access_cards()
                .list(ListCardsQuery::builder().template_id("\u{3000} "))
                .map(drop)
        }),
        ("IosPreflightRequest", "access_pass_ex_id", "empty", |c| {
            c.console().templates().ios_preflight("0xt", "").map(drop)
        }),
        (
            "IosPreflightRequest",
            "access_pass_ex_id",
            "white space",
            |c| c.console().templates().ios_preflight("0xt", "  ").map(drop),
        ),
        (
            "CreateTemplatePairRequest",
            "apple_card_template_id",
            "empty",
            |c| c.console().pairs().create(pair("", "0xg")).map(drop),
        ),
        (
            "CreateTemplatePairRequest",
            "apple_card_template_id",
            "white space",
            |c| c.console().pairs().create(pair(" ", "0xg")).map(drop),
        ),
        (
            "CreateTemplatePairRequest",
            "google_card_template_id",
            "empty",
            |c| c.console().pairs().create(pair("0xa", "")).map(drop),
        ),
        (
            "CreateTemplatePairRequest",
            "google_card_template_id",
            "white space",
            |c| c.console().pairs().create(pair("0xa", "\t")).map(drop),
        ),
        ("TemplateLogQuery", "page", "below 1", |c| {
            c.console()
                .templates()
                .logs("0xt", TemplateLogQuery::builder().page(0))
                .map(drop)
        }),
        ("TemplateLogQuery", "per_page", "below 1", |c| {
            c.console()
                .templates()
                .logs("0xt", TemplateLogQuery::builder().per_page(0))
                .map(drop)
        }),
        ("LedgerItemsQuery", "page", "below 1", |c| {
            c.console()
                .ledger()
                .list(LedgerItemsQuery::builder().page(0))
                .map(drop)
        }),
        ("LedgerItemsQuery", "per_page", "below 1", |c| {
            c.console()
                .ledger()
                .list(LedgerItemsQuery::builder().per_page(0))
                .map(drop)
        }),
        ("LedgerItemsQuery", "per_page", "above 100", |c| {
            c.console()
                .ledger()
                .list(LedgerItemsQuery::builder().per_page(101))
                .map(drop)
        }),
        ("ConsolePageQuery", "page", "below 1", |c| {
            c.console()
                .pairs()
                .list(ConsolePageQuery::builder().page(0))
                .map(drop)
        }),
        ("ConsolePageQuery", "per_page", "below 1", |c| {
            c.console()
                .webhooks()
                .list(ConsolePageQuery::builder().per_page(0))
                .map(drop)
        }),
        ("CreateTemplateRequest", "watch_count", "below 1", |c| {
            c.console()
                .templates()
                .create(template().watch_count(0))
                .map(drop)
        }),
        ("CreateTemplateRequest", "watch_count", "above 5", |c| {
            c.console()
                .templates()
                .create(template().watch_count(6))
                .map(drop)
        }),
        ("CreateTemplateRequest", "iphone_count", "below 1", |c| {
            c.console()
                .templates()
                .create(template().iphone_count(0))
                .map(drop)
        }),
        ("CreateTemplateRequest", "iphone_count", "above 5", |c| {
            c.console()
                .templates()
                .create(template().iphone_count(6))
                .map(drop)
        }),
        ("UpdateTemplateRequest", "watch_count", "below 1", |c| {
            c.console()
                .templates()
                .update("0xt", UpdateTemplateRequest::builder().watch_count(0))
                .map(drop)
        }),
        ("UpdateTemplateRequest", "watch_count", "above 5", |c| {
            c.console()
                .templates()
                .update("0xt", UpdateTemplateRequest::builder().watch_count(6))
                .map(drop)
        }),
        ("UpdateTemplateRequest", "iphone_count", "below 1", |c| {
            c.console()
                .templates()
                .update("0xt", UpdateTemplateRequest::builder().iphone_count(0))
                .map(drop)
        }),
        ("UpdateTemplateRequest", "iphone_count", "above 5", |c| {
            c.console()
                .templates()
                .update("0xt", UpdateTemplateRequest::builder().iphone_count(6))
                .map(drop)
        }),
    ]
}

/// A request at the edge of its rules: (what, the exact request, an answer, the call).
type Accepted = (
    &'static str,
    Expected,
    &'static str,
    fn(&Client) -> Result<(), Error>,
);

fn get(path: &str, params: &[(&str, &str)], sig_payload: &str) -> Expected {
    Expected::bodyless("GET", path, params, sig_payload)
}

fn accepted() -> Vec<Accepted> {
    let t = r#"{"id":"0xt"}"#;
    vec![
        (
            "a template id with white space around it, sent untrimmed",
            Expected::json(
                "POST",
                "/v1/key-cards",
                &json!({"card_template_id": " t ", "full_name": "Ada"}).to_string(),
            ),
            r#"{"id":"0xc"}"#,
            |c| c.access_cards().issue(issue(" t ")).map(drop),
        ),
        (
            "a one-character template filter",
            get("/v1/key-cards", &[("template_id", "t")], "{}"),
            r#"{"keys":[]}"#,
            |c| {
                c.access_cards()
                    .list(ListCardsQuery::builder().template_id("t"))
                    .map(drop)
            },
        ),
        (
            "no template filter at all",
            get("/v1/key-cards", &[], "{}"),
            r#"{"keys":[]}"#,
            |c| c.access_cards().list(ListCardsQuery::default()).map(drop),
        ),
        (
            "a pass id with white space around it",
            Expected::json(
                "POST",
                "/v1/console/card-templates/0xt/ios_preflight",
                r#"{"access_pass_ex_id":" p "}"#,
            ),
            "{}",
            |c| c.console().templates().ios_preflight("0xt", " p ").map(drop),
        ),
        (
            "one-character template ids in a pair",
            Expected::json(
                "POST",
                "/v1/console/card-template-pairs",
                &json!({"apple_card_template_id": "a", "google_card_template_id": " g", "name": "HQ"})
                    .to_string(),
            ),
            r#"{"id":"0xp"}"#,
            |c| c.console().pairs().create(pair("a", " g")).map(drop),
        ),
        (
            "event log page 1, 1 a page",
            get(
                "/v1/console/card-templates/0xt/logs",
                &[("page", "1"), ("per_page", "1")],
                r#"{"id":"0xt"}"#,
            ),
            r#"{"logs":[]}"#,
            |c| {
                c.console()
                    .templates()
                    .logs("0xt", TemplateLogQuery::builder().page(1).per_page(1))
                    .map(drop)
            },
        ),
        (
            "event log past 100 a page (no maximum is documented for it)",
            get(
                "/v1/console/card-templates/0xt/logs",
                &[("per_page", "4294967295")],
                r#"{"id":"0xt"}"#,
            ),
            r#"{"logs":[]}"#,
            |c| {
                c.console()
                    .templates()
                    .logs("0xt", TemplateLogQuery::builder().per_page(u32::MAX))
                    .map(drop)
            },
        ),
        (
            "ledger page 1, 1 a page",
            get(
                "/v1/console/ledger-items",
                &[("page", "1"), ("per_page", "1")],
                "{}",
            ),
            r#"{"ledger_items":[]}"#,
            |c| {
                c.console()
                    .ledger()
                    .list(LedgerItemsQuery::builder().page(1).per_page(1))
                    .map(drop)
            },
        ),
        (
            "ledger 100 a page",
            get("/v1/console/ledger-items", &[("per_page", "100")], "{}"),
            r#"{"ledger_items":[]}"#,
            |c| {
                c.console()
                    .ledger()
                    .list(LedgerItemsQuery::builder().per_page(100))
                    .map(drop)
            },
        ),
        (
            "pairs page 1, 1 a page",
            get(
                "/v1/console/card-template-pairs",
                &[("page", "1"), ("per_page", "1")],
                "{}",
            ),
            r#"{"card_template_pairs":[]}"#,
            |c| {
                c.console()
                    .pairs()
                    .list(ConsolePageQuery::builder().page(1).per_page(1))
                    .map(drop)
            },
        ),
        (
            "webhooks page 1, 1 a page",
            get(
                "/v1/console/webhooks",
                &[("page", "1"), ("per_page", "1")],
                "{}",
            ),
            r#"{"webhooks":[]}"#,
            |c| {
                c.console()
                    .webhooks()
                    .list(ConsolePageQuery::builder().page(1).per_page(1))
                    .map(drop)
            },
        ),
        (
            "create a template with 1 watch and 5 iPhones",
            Expected::json(
                "POST",
                "/v1/console/card-templates",
                &json!({"iphone_count": 5, "name": "Badge", "platform": "apple", "use_case": "corporate_id", "watch_count": 1})
                    .to_string(),
            ),
            t,
            |c| {
                c.console()
                    .templates()
                    .create(template().watch_count(1).iphone_count(5))
                    .map(drop)
            },
        ),
        (
            "create a template with 5 watches and 1 iPhone",
            Expected::json(
                "POST",
                "/v1/console/card-templates",
                &json!({"iphone_count": 1, "name": "Badge", "platform": "apple", "use_case": "corporate_id", "watch_count": 5})
                    .to_string(),
            ),
            t,
            |c| {
                c.console()
                    .templates()
                    .create(template().watch_count(5).iphone_count(1))
                    .map(drop)
            },
        ),
        (
            "update a template to 5 watches and 1 iPhone",
            Expected::json(
                "PUT",
                "/v1/console/card-templates/0xt",
                r#"{"iphone_count":1,"watch_count":5}"#,
            ),
            t,
            |c| {
                c.console()
                    .templates()
                    .update(
                        "0xt",
                        UpdateTemplateRequest::builder()
                            .watch_count(5)
                            .iphone_count(1),
                    )
                    .map(drop)
            },
        ),
        (
            "update a template to 1 watch and 5 iPhones",
            Expected::json(
                "PUT",
                "/v1/console/card-templates/0xt",
                r#"{"iphone_count":5,"watch_count":1}"#,
            ),
            t,
            |c| {
                c.console()
                    .templates()
                    .update(
                        "0xt",
                        UpdateTemplateRequest::builder()
                            .watch_count(1)
                            .iphone_count(5),
                    )
                    .map(drop)
            },
        ),
    ]
}

#[test]
fn every_broken_rule_is_refused_naming_its_field_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let sentinel = nothing_sent(&mut server);
    let client = client(&server);
    let mut wrong = Vec::new();
    for (ty, field, what, call) in refused() {
        let got = invalid_field(call(&client));
        if got != field {
            wrong.push(format!("{ty}.{field} ({what}): the error names `{got}`"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    sentinel.assert();
}

#[test]
fn boundary_values_go_out_exactly_as_given() {
    let mut failures = Vec::new();
    for (what, expected, answer, call) in accepted() {
        let mut server = mockito::Server::new();
        let (m, why) = mock(&mut server, expected, 200, answer);
        match call(&client(&server)) {
            Ok(()) if m.matched() => m.assert(),
            Ok(()) => failures.push(format!("{what}: not the exact request:\n{}", why.report())),
            Err(e) => failures.push(format!("{what}: {e}\n{}", why.report())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The reasons name the rule, and the value where it is a number.
#[test]
fn the_reasons_state_the_rule() {
    let server = mockito::Server::new();
    let client = client(&server);
    let reason = |result: Result<(), Error>| match result {
        Err(Error::InvalidInput { field, reason }) => format!("{field}: {reason}"),
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(
        reason(
            client
                .console()
                .ledger()
                .list(LedgerItemsQuery::builder().per_page(101))
                .map(drop)
        ),
        "per_page: is 101; it must be between 1 and 100"
    );
    assert_eq!(
        reason(
            client
                .console()
                .templates()
                .logs("0xt", TemplateLogQuery::builder().page(0))
                .map(drop)
        ),
        "page: is 0; it must be 1 or more"
    );
    assert_eq!(
        reason(client.access_cards().issue(issue(" ")).map(drop)),
        "card_template_id: must not be empty"
    );
}

/// The rules of the real schema folder, by (request type, field), and the bundle as typify
/// sees it after they are taken out.
fn schema_rules() -> (
    BTreeMap<(String, String), rules::Check>,
    BTreeMap<String, Value>,
) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let files = bundle::schema_files(&dir).expect("schema files");
    let mut defs = bundle::bundle(&files).expect("bundles").defs;
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("endpoints.json")).expect("endpoints.json"),
    )
    .expect("endpoints.json is JSON");
    let mut sent: Vec<String> = table["x-endpoints"]
        .as_array()
        .expect("x-endpoints")
        .iter()
        .flat_map(|e| [e.get("request"), e.get("query")])
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    sent.sort();
    sent.dedup();
    let by_type = rules::take(&mut defs, &sent).expect("the schema's rules are supported");
    let mut out = BTreeMap::new();
    for (ty, list) in by_type {
        for rule in list {
            out.insert((ty.clone(), rule.field.clone()), rule.check);
        }
    }
    (out, defs)
}

#[test]
fn every_schema_rule_has_its_cases() {
    let (rules, _) = schema_rules();
    let mut cases: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for (ty, field, what, _) in refused() {
        cases
            .entry((ty.to_owned(), field.to_owned()))
            .or_default()
            .push(what);
    }
    let in_schema: BTreeSet<_> = rules.keys().cloned().collect();
    let tested: BTreeSet<_> = cases.keys().cloned().collect();
    assert_eq!(in_schema, tested, "schema rules vs. refused cases");
    for (key, check) in &rules {
        let whats = &cases[key];
        let needed: Vec<String> = match check {
            rules::Check::NotBlank => vec!["empty".into(), "white space".into()],
            rules::Check::Bounds { min, max } => min
                .iter()
                .map(|m| format!("below {m}"))
                .chain(max.iter().map(|m| format!("above {m}")))
                .collect(),
        };
        for need in needed {
            assert!(whats.contains(&need.as_str()), "{key:?}: no `{need}` case");
        }
    }
}

/// What typify is handed has no rule keywords left on those properties (so no field's
/// type changes), while `x-bounds-as-type` keeps the bounds that make a `NonZeroU32`.
#[test]
fn typify_sees_request_properties_without_their_rules() {
    let (rules, defs) = schema_rules();
    for (ty, field) in rules.keys() {
        let prop = &defs[ty]["properties"][field];
        for key in ["minimum", "maximum", "pattern"] {
            assert!(prop.get(key).is_none(), "{ty}.{field} still has `{key}`");
        }
    }
    let page = &defs["ListCardsQuery"]["properties"]["page"];
    assert_eq!(page["minimum"], 1);
    assert!(page.get("x-bounds-as-type").is_none());
    assert!(!rules.contains_key(&("ListCardsQuery".to_owned(), "page".to_owned())));
}

/// The README's check table names every field the schema's rules check.
#[test]
fn the_readme_names_every_schema_rule() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("## What the client checks")
        .expect("the README's check section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let (rules, _) = schema_rules();
    for (ty, field) in rules.keys() {
        assert!(
            section.contains(&format!("`{field}`")),
            "the README's check table does not name `{field}` ({ty})"
        );
    }
}

/// A rule the generator cannot check stops the build with a message naming the schema and
/// the property.
#[test]
fn unsupported_rules_stop_the_build_naming_schema_and_property() {
    let run = |prop: Value| {
        let mut defs = BTreeMap::from([(
            "Thing".to_owned(),
            json!({"type": "object", "properties": {"field": prop}}),
        )]);
        rules::take(&mut defs, &["Thing".to_owned()]).map(|_| defs)
    };
    for (prop, says) in [
        (json!({"type": "string", "minLength": 1}), "`minLength`"),
        (json!({"type": "string", "pattern": "^a$"}), "`pattern`"),
        (json!({"type": "string", "minimum": 1}), "integer only"),
        (json!({"type": "integer", "minimum": 1.5}), "whole number"),
        (
            json!({"type": "integer", "minimum": 5, "maximum": 1}),
            "above",
        ),
        (json!({"type": "string", "enum": ["a"]}), "`enum`"),
    ] {
        let err = run(prop.clone()).expect_err(&prop.to_string());
        assert!(
            err.contains("schema `Thing`, property `field`") && err.contains(says),
            "{prop}: {err}"
        );
    }
    let defs = run(json!({"type": "integer", "format": "uint8", "minimum": 1, "maximum": 5}))
        .expect("bounds are supported");
    assert_eq!(
        defs["Thing"]["properties"]["field"],
        json!({"type": "integer", "format": "uint8"})
    );
    let missing = rules::take(&mut BTreeMap::new(), &["Nothing".to_owned()]);
    assert!(missing.is_err());
}
