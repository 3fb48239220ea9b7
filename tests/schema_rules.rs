//! The single-field rules written in `schema/` (`minimum`, `maximum`, `pattern: "\\S"` on
//! request properties) and the checks `build.rs` generates from them (`build/rules.rs`).
//!
//! The rules the schema states are listed here once more (`expected_rules`), so losing or
//! adding one fails `the_schema_states_exactly_these_rules`. For each, the values that break
//! it are refused before anything is sent, naming the field, and the values at its edges go
//! out exactly as given. The generator's own refusals are tested on small schemas.

mod common;

#[path = "../build/bundle.rs"]
#[allow(dead_code)]
mod bundle;
#[path = "../build/rules.rs"]
#[allow(dead_code)]
mod rules;

use std::collections::BTreeMap;
use std::path::Path;

use accessgrid::models::{
    ConsolePageQuery, CreateTemplatePairRequest, CreateTemplateRequest, IosPreflightRequest,
    IssueCardRequest, LedgerItemsQuery, ListCardsQuery, TemplateLogQuery, UpdateTemplateRequest,
};
use accessgrid::{Client, Error};
use common::{client, invalid_field, mock, nothing_sent, Expected};
use rules::Check;
use serde_json::{json, Map, Value};

/// The rules the schema states today, written out here so that losing one from the schema
/// fails a test: (request type, field, rule).
fn expected_rules() -> BTreeMap<(String, String), Check> {
    let not_blank = |ty: &str, field: &str| ((ty.to_owned(), field.to_owned()), Check::NotBlank);
    let bounds = |ty: &str, field: &str, min: i128, max: Option<i128>| {
        (
            (ty.to_owned(), field.to_owned()),
            Check::Bounds {
                min: Some(min),
                max,
            },
        )
    };
    BTreeMap::from([
        not_blank("IssueCardRequest", "card_template_id"),
        not_blank("ListCardsQuery", "template_id"),
        not_blank("IosPreflightRequest", "access_pass_ex_id"),
        not_blank("CreateTemplatePairRequest", "apple_card_template_id"),
        not_blank("CreateTemplatePairRequest", "google_card_template_id"),
        bounds("TemplateLogQuery", "page", 1, None),
        bounds("TemplateLogQuery", "per_page", 1, None),
        bounds("ConsolePageQuery", "page", 1, None),
        bounds("ConsolePageQuery", "per_page", 1, None),
        bounds("LedgerItemsQuery", "page", 1, None),
        bounds("LedgerItemsQuery", "per_page", 1, Some(100)),
        bounds("CreateTemplateRequest", "watch_count", 1, Some(5)),
        bounds("CreateTemplateRequest", "iphone_count", 1, Some(5)),
        bounds("UpdateTemplateRequest", "watch_count", 1, Some(5)),
        bounds("UpdateTemplateRequest", "iphone_count", 1, Some(5)),
    ])
}

/// How a request type is sent: the exact request for given fields, an answer, the call.
struct Target {
    method: &'static str,
    path: &'static str,
    /// `sig_payload` of a body-less request; `None` for a request with a JSON body.
    sig_payload: Option<&'static str>,
    /// Fields every request of the type carries (its required fields).
    base: Value,
    answer: &'static str,
    send: fn(&Client, Value) -> Result<(), Error>,
}

fn from<T: serde::de::DeserializeOwned>(fields: Value) -> T {
    serde_json::from_value(fields).expect("the test's fields decode")
}

fn target(ty: &str) -> Target {
    let body = |method, path, base: Value, answer, send| Target {
        method,
        path,
        sig_payload: None,
        base,
        answer,
        send,
    };
    let query = |path, sig_payload, answer, send| Target {
        method: "GET",
        path,
        sig_payload: Some(sig_payload),
        base: json!({}),
        answer,
        send,
    };
    let template = json!({"name": "Badge", "platform": "apple", "use_case": "corporate_id"});
    match ty {
        "IssueCardRequest" => body(
            "POST",
            "/v1/key-cards",
            json!({"card_template_id": "t", "full_name": "Ada"}),
            r#"{"id":"0xc"}"#,
            |c, f| {
                c.access_cards()
                    .issue(from::<IssueCardRequest>(f))
                    .map(drop)
            },
        ),
        "ListCardsQuery" => query("/v1/key-cards", "{}", r#"{"keys":[]}"#, |c, f| {
            c.access_cards().list(from::<ListCardsQuery>(f)).map(drop)
        }),
        "IosPreflightRequest" => body(
            "POST",
            "/v1/console/card-templates/0xt/ios_preflight",
            json!({"access_pass_ex_id": "p"}),
            "{}",
            |c, f| {
                let request = from::<IosPreflightRequest>(f);
                c.console()
                    .templates()
                    .ios_preflight("0xt", &request.access_pass_ex_id)
                    .map(drop)
            },
        ),
        "CreateTemplatePairRequest" => body(
            "POST",
            "/v1/console/card-template-pairs",
            json!({"name": "HQ", "apple_card_template_id": "a", "google_card_template_id": "g"}),
            r#"{"id":"0xp"}"#,
            |c, f| {
                c.console()
                    .pairs()
                    .create(from::<CreateTemplatePairRequest>(f))
                    .map(drop)
            },
        ),
        "TemplateLogQuery" => query(
            "/v1/console/card-templates/0xt/logs",
            r#"{"id":"0xt"}"#,
            r#"{"logs":[]}"#,
            |c, f| {
                c.console()
                    .templates()
                    .logs("0xt", from::<TemplateLogQuery>(f))
                    .map(drop)
            },
        ),
        "ConsolePageQuery" => query(
            "/v1/console/webhooks",
            "{}",
            r#"{"webhooks":[]}"#,
            |c, f| {
                c.console()
                    .webhooks()
                    .list(from::<ConsolePageQuery>(f))
                    .map(drop)
            },
        ),
        "LedgerItemsQuery" => query(
            "/v1/console/ledger-items",
            "{}",
            r#"{"ledger_items":[]}"#,
            |c, f| {
                c.console()
                    .ledger()
                    .list(from::<LedgerItemsQuery>(f))
                    .map(drop)
            },
        ),
        "CreateTemplateRequest" => body(
            "POST",
            "/v1/console/card-templates",
            template,
            r#"{"id":"0xt"}"#,
            |c, f| {
                c.console()
                    .templates()
                    .create(from::<CreateTemplateRequest>(f))
                    .map(drop)
            },
        ),
        "UpdateTemplateRequest" => body(
            "PUT",
            "/v1/console/card-templates/0xt",
            json!({}),
            r#"{"id":"0xt"}"#,
            |c, f| {
                c.console()
                    .templates()
                    .update("0xt", from::<UpdateTemplateRequest>(f))
                    .map(drop)
            },
        ),
        other => panic!("no target for `{other}`: add one for the schema's new rule"),
    }
}

impl Target {
    /// The base fields with `field` set to `value`.
    fn fields(&self, field: &str, value: &Value) -> Value {
        let mut fields = self.base.clone();
        fields[field] = value.clone();
        fields
    }

    /// The exact request for these fields (serialized in field-name order, as the models
    /// are).
    fn expected(&self, fields: &Value) -> Expected {
        let map: Map<String, Value> = fields.as_object().cloned().unwrap_or_default();
        match self.sig_payload {
            None => Expected::json(self.method, self.path, &Value::Object(map).to_string()),
            Some(sig) => {
                let params: Vec<(String, String)> = map
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_owned)))
                    .collect();
                let params: Vec<(&str, &str)> = params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                Expected::bodyless(self.method, self.path, &params, sig)
            }
        }
    }
}

/// Values that break the rule, by what is wrong with them.
fn breaking(check: &Check) -> Vec<(String, Value)> {
    match check {
        Check::NotBlank => vec![
            ("empty".into(), json!("")),
            ("white space".into(), json!(" \t\n\u{3000}")),
        ],
        Check::Bounds { min, max } => min
            .map(|m| (format!("below {m}"), json!(m - 1)))
            .into_iter()
            .chain(max.map(|m| (format!("above {m}"), json!(m + 1))))
            .collect(),
    }
}

/// Values at the edges of the rule, which go out as given.
fn keeping(check: &Check) -> Vec<Value> {
    match check {
        Check::NotBlank => vec![json!("t"), json!(" t ")],
        Check::Bounds { min, max } => {
            let mut values: Vec<Value> = min.iter().chain(max.iter()).map(|n| json!(n)).collect();
            if max.is_none() {
                // No maximum is documented: a large value is the server's to judge.
                values.push(json!(u32::MAX));
            }
            values
        }
    }
}

#[test]
fn the_schema_states_exactly_these_rules() {
    let (rules, _) = schema_rules();
    assert_eq!(rules, expected_rules());
}

#[test]
fn every_broken_rule_is_refused_naming_its_field_and_nothing_is_sent() {
    let mut server = mockito::Server::new();
    let sentinel = nothing_sent(&mut server);
    let client = client(&server);
    let mut wrong = Vec::new();
    for ((ty, field), check) in expected_rules() {
        let target = target(&ty);
        for (what, value) in breaking(&check) {
            let got = invalid_field((target.send)(&client, target.fields(&field, &value)));
            if got != field {
                wrong.push(format!("{ty}.{field} ({what}): the error names `{got}`"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    sentinel.assert();
}

#[test]
fn boundary_values_go_out_exactly_as_given() {
    let mut failures = Vec::new();
    for ((ty, field), check) in expected_rules() {
        let target = target(&ty);
        for value in keeping(&check) {
            let fields = target.fields(&field, &value);
            let mut server = mockito::Server::new();
            let (m, why) = mock(&mut server, target.expected(&fields), 200, target.answer);
            let what = format!("{ty}.{field} = {value}");
            match (target.send)(&client(&server), fields) {
                Ok(()) if m.matched() => m.assert(),
                Ok(()) => {
                    failures.push(format!("{what}: not the exact request:\n{}", why.report()))
                }
                Err(e) => failures.push(format!("{what}: {e}\n{}", why.report())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The builders reach the same checks (the cases above decode their requests from JSON).
#[test]
fn builders_are_checked_alike() {
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
    let issue = IssueCardRequest::builder()
        .card_template_id(" ")
        .full_name("Ada");
    assert_eq!(
        reason(client.access_cards().issue(issue).map(drop)),
        "card_template_id: must not be empty"
    );
    let pair = CreateTemplatePairRequest::builder()
        .name("HQ")
        .apple_card_template_id("a")
        .google_card_template_id("");
    assert_eq!(
        reason(client.console().pairs().create(pair).map(drop)),
        "google_card_template_id: must not be empty"
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
