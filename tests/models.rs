//! The generated models: a reviewable snapshot of what the schemas produce, and the
//! behaviour users rely on (forward compatibility, validation on build).

use accessgrid::models::{AccessCard, AccessCardList, CardState, IssueCardRequest};

/// Any change to the schemas (or to typify) shows up as a diff of this snapshot: the same
/// public outline a user snapshots (`accessgrid::models::outline()`).
#[test]
fn generated_models_outline() {
    insta::assert_snapshot!("models_outline", accessgrid::models::outline());
}

/// The embedded schemas are the files in `schema/`, byte for byte, each under its name.
#[test]
fn embedded_schemas_are_the_schema_files() {
    let embedded = accessgrid::models::schemas();
    let mut on_disk: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/schema"))
            .expect("schema folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
    on_disk.sort();
    let names: Vec<&str> = embedded.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, on_disk);
    for (name, text) in embedded {
        let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            *text,
            std::fs::read_to_string(&path).expect("schema file"),
            "{name}"
        );
    }
}

#[test]
fn answers_tolerate_unknown_fields_nulls_missing_fields_and_new_states() {
    let card: AccessCard = serde_json::from_str(
        r#"{"id":"c1","state":"frozen","devices":null,"details":null,"metadata":null,
            "card_number":"77","site_code":null,"a_field_from_the_future":{"x":[1,2]}}"#,
    )
    .expect("decodes");
    assert_eq!(card.state, Some(CardState::Unknown("frozen".into())));
    assert_eq!(card.card_number.as_deref(), Some("77"));
    assert!(card.devices.is_none() && card.site_code.is_none());

    // `id` is the one field every answer carries: without it, the answer is refused, and
    // the error names the field.
    let err = serde_json::from_str::<AccessCard>("{}").expect_err("an answer without an id");
    assert!(err.to_string().contains("missing field `id`"), "{err}");
    let bare: AccessCard = serde_json::from_str(r#"{"id":"c2"}"#).expect("only an id decodes");
    assert_eq!(bare.id, "c2");
    assert!(bare.state.is_none() && bare.extra.is_empty());

    let list: AccessCardList = serde_json::from_str(r#"{"keys":null}"#).expect("decodes");
    assert!(list.keys.is_none());
}

#[test]
fn open_enum_round_trips_known_and_unknown_values() {
    for state in CardState::KNOWN {
        let json = serde_json::to_string(state).expect("serializes");
        assert_eq!(json, format!("\"{}\"", state.as_str()));
        assert_eq!(
            &serde_json::from_str::<CardState>(&json).expect("decodes"),
            state
        );
    }
    let unknown: CardState = serde_json::from_str("\"archived\"").expect("decodes");
    assert!(unknown.is_unknown());
    assert_eq!(
        serde_json::to_string(&unknown).expect("serializes"),
        "\"archived\""
    );
    assert_eq!("unlink".parse::<CardState>(), Ok(CardState::Unlink));
}

#[test]
fn request_limits_are_checked_when_built() {
    let base = || {
        IssueCardRequest::builder()
            .card_template_id("t")
            .full_name("n")
    };
    let cases: [(&str, Result<IssueCardRequest, _>); 9] = [
        ("tag_id", base().tag_id("DF517FC87144D").try_into()),
        ("tag_id", base().tag_id("DF517FC87144DFX").try_into()),
        ("tag_id", base().tag_id("GG517FC87144DF").try_into()),
        ("site_code", base().site_code("256").try_into()),
        ("site_code", base().site_code("-1").try_into()),
        ("card_number", base().card_number("65536").try_into()),
        ("card_number", base().card_number("12a").try_into()),
        ("file_data", base().file_data("A".repeat(16_385)).try_into()),
        ("file_data", base().file_data("0xAB").try_into()),
    ];
    for (field, result) in cases {
        let err = accessgrid::Error::from(result.expect_err("must be refused"));
        match err {
            accessgrid::Error::InvalidInput { field: f, .. } => assert_eq!(f, field),
            other => panic!("expected invalid input for {field}, got {other:?}"),
        }
    }
    // The whole 8-bit and 16-bit H10301 ranges, and 8,192 bytes of file data (C#'s limit).
    let ok: IssueCardRequest = base()
        .tag_id("df517fc87144df")
        .site_code("255")
        .card_number("65535")
        .file_data("0123456789ABCDEF".repeat(1024))
        .try_into()
        .expect("all at their limits");
    assert_eq!(ok.site_code.as_deref().map(String::as_str), Some("255"));
    assert_eq!(ok.file_data.as_deref().map(String::len), Some(16_384));

    let missing: Result<IssueCardRequest, _> =
        IssueCardRequest::builder().full_name("n").try_into();
    match accessgrid::Error::from(missing.expect_err("card_template_id is required")) {
        accessgrid::Error::InvalidInput { field, reason } => {
            assert_eq!(field, "card_template_id");
            assert_eq!(reason, "is required");
        }
        other => panic!("{other:?}"),
    }
}

/// The four hand-written checked strings accept exactly what their schema definitions'
/// patterns (and length limits) accept: every decimal number up to 99,999 with and without
/// a leading zero, edge cases, and random strings of digits, hex letters and near misses.
#[test]
fn hand_written_checks_agree_with_the_schema_patterns() {
    use accessgrid::models::{CardNumber, FileData, SiteCode, TagId};
    use proptest::prelude::*;

    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/access_cards.json")).expect("schema JSON");
    type Accepts = fn(&str) -> bool;
    let checks: [(&str, Accepts); 4] = [
        ("TagId", |s| s.parse::<TagId>().is_ok()),
        ("SiteCode", |s| s.parse::<SiteCode>().is_ok()),
        ("CardNumber", |s| s.parse::<CardNumber>().is_ok()),
        ("FileData", |s| s.parse::<FileData>().is_ok()),
    ];
    for (name, check) in checks {
        let def = &schema["$defs"][name];
        assert_eq!(def["x-hand-written"], true, "{name} is marked hand-written");
        let pattern = regress::Regex::new(def["pattern"].as_str().expect("a pattern"))
            .expect("the schema's pattern compiles");
        let max_len = def.get("maxLength").and_then(serde_json::Value::as_u64);
        let schema_accepts = |s: &str| {
            pattern.find(s).is_some() && max_len.is_none_or(|m| s.chars().count() as u64 <= m)
        };
        let agree = |s: &str| {
            assert_eq!(check(s), schema_accepts(s), "{name} on {s:?}");
        };

        for n in 0..100_000u32 {
            agree(&n.to_string());
            agree(&format!("0{n}"));
        }
        let edge = [
            "",
            " ",
            "-1",
            "+1",
            "1 ",
            "١",
            "DF517FC87144DF",
            "df517fc87144df",
            "DF517FC87144D",
            "DF517FC87144DFA",
            "GF517FC87144DF",
            "DF517FC87144D\u{e9}",
        ];
        for s in edge {
            agree(s);
        }
        for len in [63, 64, 65, 128, 16_384, 16_385] {
            agree(&"a".repeat(len));
            agree(&"9".repeat(len));
        }
        proptest!(ProptestConfig::with_cases(3000), |(s in "[0-9a-fA-FgG ._-]{0,70}")| {
            prop_assert_eq!(check(&s), schema_accepts(&s), "{} on {:?}", name, s);
        });
    }
}

/// A checked string says what a valid value looks like, and the builder names the field.
#[test]
fn checked_strings_explain_a_refusal() {
    use accessgrid::models::{SiteCode, TagId};
    let err = "300".parse::<SiteCode>().expect_err("over 255");
    assert_eq!(err.to_string(), "must be a decimal number from 0 to 255");
    let err = IssueCardRequest::try_from(
        IssueCardRequest::builder()
            .card_template_id("0xd3adb00b5")
            .full_name("Ada")
            .tag_id("DF517FC87144D"),
    )
    .expect_err("13 characters");
    assert!(err.to_string().contains("tag_id"), "{err}");
    assert!(err.to_string().contains(TagId::RULE), "{err}");
    let ok: TagId = "df517fc87144df".parse().expect("lower-case hex");
    assert_eq!(ok.as_str(), "df517fc87144df");
    assert_eq!(
        serde_json::to_string(&ok).expect("json"),
        r#""df517fc87144df""#
    );
    let back: Result<TagId, _> = serde_json::from_str(r#""zz""#);
    assert!(back.is_err());
}
