//! The generated models: a reviewable snapshot of what the schemas produce, and the
//! behaviour users rely on (forward compatibility, validation on build).

use accessgrid::models::{AccessCard, AccessCardList, CardState, IssueCardRequest};

/// Any change to the schemas (or to typify) shows up as a diff of this snapshot.
#[test]
fn generated_models_outline() {
    insta::assert_snapshot!(
        "models_outline",
        include_str!(concat!(env!("OUT_DIR"), "/models_outline.txt"))
    );
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

    let empty: AccessCard = serde_json::from_str("{}").expect("an empty object decodes");
    assert!(empty.id.is_none());

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
    let cases: [(&str, Result<IssueCardRequest, _>); 8] = [
        ("tag_id", base().tag_id("DF517FC87144D").try_into()),
        ("tag_id", base().tag_id("DF517FC87144DFX").try_into()),
        ("tag_id", base().tag_id("GG517FC87144DF").try_into()),
        ("site_code", base().site_code("255").try_into()),
        ("site_code", base().site_code("-1").try_into()),
        ("card_number", base().card_number("65535").try_into()),
        ("card_number", base().card_number("12a").try_into()),
        ("file_data", base().file_data("A".repeat(65)).try_into()),
    ];
    for (field, result) in cases {
        let err = accessgrid::Error::from(result.expect_err("must be refused"));
        match err {
            accessgrid::Error::InvalidInput { field: f, .. } => assert_eq!(f, field),
            other => panic!("expected invalid input for {field}, got {other:?}"),
        }
    }
    let ok: IssueCardRequest = base()
        .tag_id("df517fc87144df")
        .site_code("254")
        .card_number("65534")
        .file_data("0123456789ABCDEF".repeat(4))
        .try_into()
        .expect("all at their limits");
    assert_eq!(ok.site_code.as_deref().map(String::as_str), Some("254"));

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
