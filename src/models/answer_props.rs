//! Property tests: decoding any bytes, any JSON, and JSON shaped like the answers (known
//! field names with values of any type, cut off anywhere) into every answer type is an
//! `Ok` or an `Err`, never a panic; so is turning it into an error answer and printing it.
//!
//! To cover a new answer type, add it to the `answer_types!` list below.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::client::transport::decode;
use crate::error::Error;

/// Declares `decode_every_answer_type(status, body)`, which decodes `body` as each listed
/// type through the client's own decoding path and prints every error it gets.
macro_rules! answer_types {
    ($($ty:ty),+ $(,)?) => {
        /// The listed types, for the test that checks the list is not empty.
        const ANSWER_TYPES: &[&str] = &[$(stringify!($ty)),+];

        fn decode_every_answer_type(status: u16, body: &[u8]) {
            $(
                if let Err(e) = decode::<$ty>(status, body) {
                    let _ = format!("{e} {e:?}");
                }
            )+
        }
    };
}

answer_types!(
    crate::models::AccessCard,
    crate::models::AccessCardList,
    crate::models::Device,
    crate::models::TileData,
    crate::models::Reservations,
    crate::models::ParkingDetail,
    crate::models::Metadata,
    crate::models::Pagination,
    crate::models::ApiErrorBody,
    crate::models::CardState,
    crate::models::CardTemplate,
    Vec<crate::models::CardTemplate>,
    crate::models::CredentialProfile,
    crate::models::CredentialProfileKey,
    crate::models::HidOrg,
    crate::models::IosPreflight,
    crate::models::LandingPage,
    crate::models::LedgerItem,
    crate::models::LedgerItemList,
    crate::models::LedgerAccessPass,
    crate::models::LedgerPassTemplate,
    crate::models::PublishTemplateResult,
    crate::models::TemplateLogEntry,
    crate::models::TemplateLogList,
    crate::models::TemplatePair,
    crate::models::TemplatePairList,
    crate::models::TemplatePairMember,
    crate::models::TemplateDeviceCounts,
    crate::models::TemplateStyleSettings,
    crate::models::TemplateSupportSettings,
    crate::models::TemplateTermsSettings,
    crate::models::Webhook,
    crate::models::WebhookList,
    crate::models::WebhookVerifyResult,
    crate::models::SmartTapRevealAnswer,
    crate::models::SmartTapEncryptedKey,
    crate::models::WebhookEventEnvelope,
    crate::models::WebhookEventDevice,
    crate::models::AccessPassEventData,
    crate::models::AccessPassDeviceEventData,
    crate::models::CardTemplateEventData,
    crate::models::LandingPageEventData,
    crate::models::CredentialProfileEventData,
    crate::models::AccountBalanceLowEventData,
    crate::models::EventType,
    crate::models::Amount,
    serde_json::Value,
    (),
);

/// Every property name in `schema/*.json`, so that generated objects hit real fields.
fn field_names() -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    out.extend(props.keys().cloned());
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            if let Ok(schema) = serde_json::from_str::<Value>(&text) {
                walk(&schema, &mut out);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Any JSON value: scalars of every type, nested arrays and objects whose keys are mostly
/// real field names.
fn any_json() -> impl Strategy<Value = Value> {
    let names = field_names();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "active",
            "suspended",
            "unlink",
            "deleted",
            "",
            "-49.0",
            "1e400",
            "2025-01-01",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    let key = prop_oneof![
        4 => prop::sample::select(names),
        1 => ".{0,8}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn any_status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), Just(201), Just(204), 100u16..600]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(status in any_status(), body in prop::collection::vec(any::<u8>(), 0..600)) {
        decode_every_answer_type(status, &body);
        let _ = format!("{}", Error::from_answer(status, None, None, body));
    }

    #[test]
    fn arbitrary_json_never_panics(status in any_status(), value in any_json()) {
        let body = serde_json::to_vec(&value).unwrap_or_default();
        decode_every_answer_type(status, &body);
        let _ = format!("{:?}", Error::from_answer(status, Some("1".into()), None, body));
    }

    #[test]
    fn truncated_json_never_panics(value in any_json(), cut in any::<prop::sample::Index>()) {
        let body = serde_json::to_vec(&value).unwrap_or_default();
        let body = &body[..cut.index(body.len() + 1)];
        decode_every_answer_type(200, body);
        let _ = format!("{}", Error::from_answer(502, None, None, body.to_vec()));
    }

    #[test]
    fn answer_shaped_objects_never_panic(fields in prop::collection::vec((prop::sample::select(field_names()), any_json()), 0..12)) {
        let object = Value::Object(fields.into_iter().collect());
        // Also as a list answer, and as a unified pass whose details hold the object.
        for value in [
            object.clone(),
            serde_json::json!({"keys": [object.clone()], "page": 1}),
            serde_json::json!({"id": "x", "details": [object.clone()], "devices": [object]}),
        ] {
            let body = serde_json::to_vec(&value).unwrap_or_default();
            decode_every_answer_type(200, &body);
        }
    }
}

#[test]
fn the_generators_see_the_schema() {
    let names = field_names();
    for expected in ["id", "state", "keys", "devices", "total_pages", "message"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(ANSWER_TYPES.len() >= 10);
}
