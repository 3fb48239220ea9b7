//! Receiving webhooks: token verification, envelope checks, event types, typed data,
//! duplicate deliveries, robustness against any input, and the library receiver over HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

use accessgrid::models::{CardState, EventType, TemplatePlatform, TemplateProtocol};
use accessgrid::webhooks::{
    self, http, Deduper, EventData, WebhookError, WebhookEvent, ACK_BODY, ACK_CONTENT_TYPE,
};
use serde_json::{json, Value};

mod common;
use common::json::without_nulls;

const TOKEN: &str = "whk_9f8e7d6c5b4a3921";

/// Every documented event type (and the four the newest official SDK reads beyond the
/// documentation) with the variant it must parse to.
/// The documented event types, as the schema lists them (`schema/webhook_events.json`,
/// the one place their values are written), each with the variant it parses to.
fn documented() -> Vec<(String, EventType)> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/webhook_events.json")).expect("schema");
    schema["$defs"]["EventType"]["oneOf"]
        .as_array()
        .expect("EventType is a oneOf of documented constants")
        .iter()
        .map(|v| {
            let wire = v["const"].as_str().expect("a string constant").to_owned();
            let variant = EventType::from(wire.as_str());
            (wire, variant)
        })
        .collect()
}

/// A valid envelope in the CloudEvents spelling.
fn envelope(event_type: &str, data: Value) -> Value {
    json!({
        "specversion": "1.0",
        "id": "evt_01HZX3",
        "source": "accessgrid",
        "type": event_type,
        "datacontenttype": "application/json",
        "time": "2025-01-31T12:00:00Z",
        "data": data,
    })
}

fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a Value serializes")
}

/// The same envelope with one attribute replaced (`None` removes it).
fn with(field: &str, value: Option<Value>) -> Vec<u8> {
    let mut v = envelope(
        "ag.access_pass.issued",
        json!({"access_pass_id": "0xc4rd1d"}),
    );
    let map = v.as_object_mut().expect("an object");
    match value {
        Some(value) => map.insert(field.to_owned(), value),
        None => map.remove(field),
    };
    body(&v)
}

fn auth(header: &str) -> Result<WebhookEvent, WebhookError> {
    let b = body(&envelope("ag.access_pass.issued", json!({})));
    webhooks::verify(Some(header), &b, TOKEN)
}

fn invalid_field(result: Result<WebhookEvent, WebhookError>) -> String {
    match result {
        Err(e @ WebhookError::InvalidEnvelope { .. }) => {
            assert_eq!(e.status(), 400, "{e}");
            match e {
                WebhookError::InvalidEnvelope { field, .. } => field,
                _ => unreachable!(),
            }
        }
        other => panic!("expected an invalid envelope, got {other:?}"),
    }
}

// ---------------------------------------------------------------- authorization

#[test]
fn the_right_token_is_accepted_with_any_case_of_the_scheme() {
    for header in [
        format!("Bearer {TOKEN}"),
        format!("bearer {TOKEN}"),
        format!("BEARER {TOKEN}"),
        format!("bEaReR {TOKEN}"),
        format!("Bearer   {TOKEN}"),
        format!("Bearer\t{TOKEN}"),
        format!("  Bearer {TOKEN}  "),
    ] {
        let event = auth(&header).unwrap_or_else(|e| panic!("{header:?} refused: {e}"));
        assert_eq!(event.event_type, EventType::AccessPassIssued);
    }
}

#[test]
fn a_missing_authorization_is_401() {
    let b = body(&envelope("ag.access_pass.issued", json!({})));
    for header in [None, Some(""), Some("   ")] {
        let e = webhooks::verify(header, &b, TOKEN).expect_err("refused");
        assert_eq!(e, WebhookError::MissingAuthorization, "{header:?}");
        assert_eq!(e.status(), 401);
        assert!(e.is_unauthorized());
    }
}

#[test]
fn a_malformed_authorization_is_401() {
    for header in [
        TOKEN.to_owned(),
        format!("Basic {TOKEN}"),
        format!("Token {TOKEN}"),
        format!("Bearer{TOKEN}"),
        format!("Bearer: {TOKEN}"),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        format!("Bearer {TOKEN} {TOKEN}"),
        format!("Bearer {TOKEN} extra"),
        format!("Bearer {TOKEN}\u{0}"),
        format!("Bearer {TOKEN}\u{7f}"),
        format!("Bearer {TOKEN}é"),
        format!("Bearer\u{a0}{TOKEN}"),
    ] {
        let e = auth(&header).expect_err("refused");
        assert_eq!(e, WebhookError::MalformedAuthorization, "{header:?}");
        assert_eq!(e.status(), 401);
    }
}

#[test]
fn a_wrong_token_is_401() {
    let upper = TOKEN.to_uppercase();
    let prefix = &TOKEN[..TOKEN.len() - 1];
    let longer = format!("{TOKEN}x");
    for token in ["nope", upper.as_str(), prefix, longer.as_str(), "x"] {
        let e = auth(&format!("Bearer {token}")).expect_err("refused");
        assert_eq!(e, WebhookError::WrongToken, "{token:?}");
        assert_eq!(e.status(), 401);
    }
}

#[test]
fn the_token_is_checked_before_the_body() {
    let e = webhooks::verify(Some("Bearer nope"), b"not json at all", TOKEN).expect_err("refused");
    assert_eq!(e.status(), 401);
    let e = webhooks::verify(None, b"[]", TOKEN).expect_err("refused");
    assert_eq!(e.status(), 401);
}

#[test]
fn an_empty_expected_token_accepts_nothing() {
    let b = body(&envelope("ag.access_pass.issued", json!({})));
    for header in [None, Some("Bearer "), Some("Bearer x"), Some("")] {
        let e = webhooks::verify(header, &b, "").expect_err("refused");
        assert_eq!(e, WebhookError::NoExpectedToken);
        assert_eq!(e.status(), 500);
    }
}

#[test]
fn no_error_shows_a_token() {
    let presented = "guess_5ecr3t_guess";
    let b = body(&envelope("ag.access_pass.issued", json!({})));
    let errors = [
        webhooks::verify(Some(&format!("Bearer {presented}")), &b, TOKEN),
        webhooks::verify(Some(&format!("Basic {presented}")), &b, TOKEN),
        webhooks::verify(Some(&format!("Bearer {presented} x")), &b, TOKEN),
        webhooks::verify(None, &b, TOKEN),
    ];
    for result in errors {
        let e = result.expect_err("refused");
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(presented), "{text}");
            assert!(!text.contains(TOKEN), "{text}");
        }
    }
}

#[test]
fn authenticate_alone_checks_only_the_header() {
    assert_eq!(
        webhooks::authenticate(Some(&format!("Bearer {TOKEN}")), TOKEN),
        Ok(())
    );
    assert_eq!(
        webhooks::authenticate(Some("Bearer other"), TOKEN),
        Err(WebhookError::WrongToken)
    );
}

// ---------------------------------------------------------------- http::Request

fn request(headers: &[(&str, &[u8])], body: Vec<u8>) -> http::Request<Vec<u8>> {
    let mut builder = http::Request::builder()
        .method("POST")
        .uri("/webhooks/accessgrid");
    for (name, value) in headers {
        let value = http::HeaderValue::from_bytes(value).expect("a header value");
        builder = builder.header(*name, value);
    }
    builder.body(body).expect("a request")
}

#[test]
fn verify_request_reads_the_header_and_the_body() {
    let bearer = format!("Bearer {TOKEN}");
    let b = body(&envelope(
        "ag.card_template.published",
        json!({"card_template_id": "t1"}),
    ));
    let ok = request(&[("authorization", bearer.as_bytes())], b.clone());
    let event = webhooks::verify_request(&ok, TOKEN).expect("verified");
    assert_eq!(event.event_type, EventType::CardTemplatePublished);

    // Any body that is bytes: a String, a &str, a Vec.
    let text = String::from_utf8(b.clone()).expect("UTF-8");
    let as_string = http::Request::builder()
        .header("Authorization", bearer.as_str())
        .body(text.clone())
        .expect("a request");
    assert!(webhooks::verify_request(&as_string, TOKEN).is_ok());
    let as_str = http::Request::builder()
        .header("Authorization", bearer.as_str())
        .body(text.as_str())
        .expect("a request");
    assert!(webhooks::verify_request(&as_str, TOKEN).is_ok());

    let missing = request(&[], b.clone());
    assert_eq!(
        webhooks::verify_request(&missing, TOKEN),
        Err(WebhookError::MissingAuthorization)
    );
    let wrong = request(&[("authorization", b"Bearer other")], b.clone());
    assert_eq!(
        webhooks::verify_request(&wrong, TOKEN),
        Err(WebhookError::WrongToken)
    );
    let twice = request(
        &[
            ("authorization", bearer.as_bytes()),
            ("authorization", bearer.as_bytes()),
        ],
        b.clone(),
    );
    assert_eq!(
        webhooks::verify_request(&twice, TOKEN),
        Err(WebhookError::MalformedAuthorization)
    );
    let not_ascii = request(&[("authorization", b"Bearer \xffabc")], b.clone());
    assert_eq!(
        webhooks::verify_request(&not_ascii, TOKEN),
        Err(WebhookError::MalformedAuthorization)
    );
    let bad_body = request(&[("authorization", bearer.as_bytes())], b"{".to_vec());
    assert_eq!(
        webhooks::verify_request(&bad_body, TOKEN)
            .expect_err("refused")
            .status(),
        400
    );
}

#[test]
fn authenticate_headers_works_on_request_parts() {
    let bearer = format!("Bearer {TOKEN}");
    let (parts, _body) = request(&[("authorization", bearer.as_bytes())], Vec::new()).into_parts();
    assert_eq!(
        webhooks::authenticate_headers(&parts.headers, TOKEN),
        Ok(())
    );
}

// ---------------------------------------------------------------- envelope checks

#[test]
fn a_wrong_spec_version_is_400() {
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "specversion",
            Some(json!("0.3"))
        ))),
        "specversion"
    );
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "specversion",
            Some(json!("1.0 "))
        ))),
        "specversion"
    );
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "specversion",
            Some(json!(1.0))
        ))),
        "specversion"
    );
    assert_eq!(
        invalid_field(webhooks::parse_event(&with("specversion", None))),
        "specversion"
    );
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "specversion",
            Some(Value::Null)
        ))),
        "specversion"
    );
    // The documentation's spelling is checked the same way, also next to the standard one.
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "spec_version",
            Some(json!("2.0"))
        ))),
        "spec_version"
    );
}

#[test]
fn a_wrong_source_is_400() {
    for source in [
        Some(json!("evil")),
        Some(json!("AccessGrid")),
        Some(json!("")),
        Some(json!(7)),
        None,
    ] {
        assert_eq!(
            invalid_field(webhooks::parse_event(&with("source", source.clone()))),
            "source",
            "{source:?}"
        );
    }
}

#[test]
fn a_body_that_is_not_json_is_400() {
    for b in [
        &b""[..],
        b"{",
        b"hello",
        b"{\"id\": }",
        b"\xff\xfe{}",
        b"{} {}",
    ] {
        let e = webhooks::parse_event(b).expect_err("refused");
        assert_eq!(e.status(), 400);
        assert!(
            matches!(&e, WebhookError::InvalidEnvelope { field, .. } if field.is_empty()),
            "{e:?}"
        );
    }
}

#[test]
fn json_that_is_not_an_object_is_400() {
    // An array in field order would fool a derived struct deserializer: it must not.
    let positional = json!([
        null,
        null,
        null,
        "evt_1",
        "accessgrid",
        null,
        null,
        "1.0",
        null,
        "ag.access_pass.issued"
    ]);
    for value in [
        json!([]),
        positional,
        json!("text"),
        json!(42),
        json!(null),
        json!(true),
    ] {
        let e = webhooks::parse_event(&body(&value)).expect_err("refused");
        assert_eq!(e.status(), 400, "{value}");
        assert!(e.to_string().contains("not an object"), "{e}");
    }
}

#[test]
fn a_missing_or_empty_id_or_type_is_400() {
    for (field, value) in [
        ("id", None),
        ("id", Some(json!(""))),
        ("id", Some(json!(12))),
        ("type", None),
        ("type", Some(json!(""))),
        ("type", Some(json!(["x"]))),
    ] {
        assert_eq!(
            invalid_field(webhooks::parse_event(&with(field, value.clone()))),
            field,
            "{field}: {value:?}"
        );
    }
}

#[test]
fn an_attribute_of_the_wrong_type_is_400() {
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "time",
            Some(json!(1700000000))
        ))),
        "time"
    );
    assert_eq!(
        invalid_field(webhooks::parse_event(&with(
            "datacontenttype",
            Some(json!({}))
        ))),
        "datacontenttype"
    );
}

#[test]
fn time_and_data_are_optional_and_time_is_kept_as_given() {
    let event = webhooks::parse_event(&with("time", None)).expect("valid");
    assert_eq!(event.time, None);
    let event = webhooks::parse_event(&with("data", None)).expect("valid");
    assert_eq!(event.data, Value::Null);
    for time in [
        "2025-01-31T12:00:00.123456+01:00",
        "2025-01-31 12:00",
        "yesterday",
    ] {
        let event = webhooks::parse_event(&with("time", Some(json!(time)))).expect("valid");
        assert_eq!(event.time.as_deref(), Some(time));
    }
}

#[test]
fn both_spellings_of_the_attributes_are_read() {
    let standard = envelope("ag.access_pass.issued", json!({"access_pass_id": "p"}));
    let documented = json!({
        "spec_version": "1.0",
        "id": "evt_01HZX3",
        "source": "accessgrid",
        "type": "ag.access_pass.issued",
        "data_content_type": "application/json",
        "time": "2025-01-31T12:00:00Z",
        "data": {"access_pass_id": "p"},
    });
    let a = webhooks::parse_event(&body(&standard)).expect("standard spelling");
    let b = webhooks::parse_event(&body(&documented)).expect("documented spelling");
    assert_eq!(a, b);
    assert_eq!(b.spec_version, "1.0");
    assert_eq!(b.data_content_type.as_deref(), Some("application/json"));

    // Mixed, and both at once when they agree.
    let mut mixed = documented.clone();
    mixed["specversion"] = json!("1.0");
    mixed["datacontenttype"] = json!("application/json");
    assert_eq!(webhooks::parse_event(&body(&mixed)).expect("both"), a);
    // Both at once when the version disagrees is refused.
    mixed["spec_version"] = json!("0.3");
    assert_eq!(
        invalid_field(webhooks::parse_event(&body(&mixed))),
        "spec_version"
    );
}

#[test]
fn unknown_attributes_and_data_fields_are_accepted() {
    let mut v = envelope(
        "ag.access_pass.issued",
        json!({"access_pass_id": "p", "brand_new": {"nested": [1, 2]}}),
    );
    v["traceparent"] = json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    v["subject"] = json!(null);
    let event = webhooks::parse_event(&body(&v)).expect("valid");
    assert_eq!(event.data["brand_new"]["nested"], json!([1, 2]));
    let Ok(EventData::AccessPass(data)) = event.typed_data() else {
        panic!("typed as an access pass event")
    };
    assert_eq!(data.access_pass_id.as_deref(), Some("p"));
}

// ---------------------------------------------------------------- types and data

#[test]
fn every_documented_type_parses_to_its_variant() {
    let documented = documented();
    assert_eq!(documented.len(), 33);
    assert_eq!(
        EventType::KNOWN.len(),
        documented.len(),
        "a known type is missing from the schema"
    );
    for (wire, variant) in &documented {
        let event = webhooks::parse_event(&body(&envelope(wire, json!({})))).expect(wire);
        assert_eq!(&event.event_type, variant, "{wire}");
        assert!(!event.event_type.is_unknown(), "{wire}");
        assert_eq!(event.event_type.as_str(), wire);
        assert_eq!(event.event_type.to_string(), *wire);
        assert!(EventType::KNOWN.contains(variant), "{wire}");
    }
    // Spot checks of the generated variant names.
    assert_eq!(
        EventType::from("ag.access_pass.devices.added"),
        EventType::AccessPassDeviceAdded
    );
    assert_eq!(
        EventType::from("ag.account.impersonation_ended"),
        EventType::AccountImpersonationEnded
    );
}

#[test]
fn every_documented_type_gets_the_data_type_of_its_family() {
    for (wire, _) in &documented() {
        let wire = wire.as_str();
        let event = webhooks::parse_event(&body(&envelope(wire, json!({"x": 1})))).expect(wire);
        let family = match event.typed_data().expect(wire) {
            EventData::AccessPass(_) => "ag.access_pass.",
            EventData::AccessPassDevice(_) => "ag.access_pass.devices.",
            EventData::CardTemplate(_) => "ag.card_template.",
            EventData::LandingPage(_) => "ag.landing_page.",
            EventData::CredentialProfile(_) => "ag.credential_profile.",
            EventData::CardTemplatePair(_) => "ag.card_template_pair.",
            EventData::HidOrg(_) => "ag.hid_org.",
            EventData::WebhookCertExpiring(_) => "ag.webhook.cert_expiring",
            EventData::AccountBalanceLow(_) => "ag.account_balance.low",
            EventData::Other(raw) => {
                assert_eq!(raw, json!({"x": 1}));
                "other"
            }
            _ => panic!("a new variant"),
        };
        let expected = if wire.starts_with("ag.access_pass.devices.") {
            "ag.access_pass.devices."
        } else if wire.starts_with("ag.access_pass.") {
            "ag.access_pass."
        } else if let Some(prefix) = [
            "ag.card_template.",
            "ag.card_template_pair.",
            "ag.landing_page.",
            "ag.credential_profile.",
            "ag.hid_org.",
        ]
        .into_iter()
        .find(|p| wire.starts_with(p))
        {
            prefix
        } else if ["ag.account_balance.low", "ag.webhook.cert_expiring"].contains(&wire) {
            wire
        } else {
            "other"
        };
        assert_eq!(family, expected, "{wire}");
    }
}

#[test]
fn an_unknown_type_parses_and_keeps_its_text() {
    let event = webhooks::parse_event(&body(&envelope(
        "ag.teleporter.activated",
        json!({"where": "mars"}),
    )))
    .expect("an unknown type is accepted");
    assert_eq!(
        event.event_type,
        EventType::Unknown("ag.teleporter.activated".into())
    );
    assert!(event.event_type.is_unknown());
    let Ok(EventData::Other(raw)) = event.typed_data() else {
        panic!("raw data for an unknown family")
    };
    assert_eq!(raw, json!({"where": "mars"}));

    // A new type in a known family is typed by its family.
    let event = webhooks::parse_event(&body(&envelope(
        "ag.access_pass.transferred",
        json!({"access_pass_id": "p9"}),
    )))
    .expect("accepted");
    assert!(event.event_type.is_unknown());
    let Ok(EventData::AccessPass(data)) = event.typed_data() else {
        panic!("typed by family")
    };
    assert_eq!(data.access_pass_id.as_deref(), Some("p9"));
}

#[test]
fn typed_data_of_each_family() {
    let event = webhooks::parse_event(&body(&envelope(
        "ag.access_pass.devices.removed",
        json!({
            "access_pass_id": "0xc4rd1d", "card_template_id": "0xt3mpl4te", "protocol": "desfire",
            "metadata": {"employee": 42}, "card_number": "1234", "site_code": "42",
            "device": {"type": "iphone", "id": "dev_1"}
        }),
    )))
    .expect("valid");
    let Ok(EventData::AccessPassDevice(d)) = event.typed_data() else {
        panic!("device family")
    };
    let device = d.device.expect("a device");
    assert_eq!(
        (device.type_.as_deref(), device.id.as_deref()),
        (Some("iphone"), Some("dev_1"))
    );
    assert_eq!(d.protocol.as_deref(), Some("desfire"));
    assert_eq!(
        d.metadata.expect("metadata").get("employee"),
        Some(&json!(42))
    );

    let event = webhooks::parse_event(&body(&envelope(
        "ag.landing_page.attached_to_template",
        json!({"landing_page_id": "lp1", "card_template_id": "t1"}),
    )))
    .expect("valid");
    let Ok(EventData::LandingPage(d)) = event.typed_data() else {
        panic!("landing page")
    };
    assert_eq!(d.landing_page_id.as_deref(), Some("lp1"));
    assert_eq!(d.card_template_id.as_deref(), Some("t1"));

    let event = webhooks::parse_event(&body(&envelope(
        "ag.credential_profile.created",
        json!({"credential_profile_id": "cp1"}),
    )))
    .expect("valid");
    let Ok(EventData::CredentialProfile(d)) = event.typed_data() else {
        panic!("credential profile")
    };
    assert_eq!(d.credential_profile_id.as_deref(), Some("cp1"));

    let event = webhooks::parse_event(&body(&envelope(
        "ag.card_template.requested_publishing",
        json!({"card_template_id": "t2", "protocol": "seos", "metadata": null}),
    )))
    .expect("valid");
    let Ok(EventData::CardTemplate(d)) = event.typed_data() else {
        panic!("card template")
    };
    assert_eq!(d.card_template_id.as_deref(), Some("t2"));
    assert!(d.metadata.is_none());

    // Balances come as numbers or as decimal strings; both are kept as sent.
    for (balance, threshold) in [(json!(12.5), json!(100)), (json!("12.50"), json!("100.0"))] {
        let event = webhooks::parse_event(&body(&envelope(
            "ag.account_balance.low",
            json!({"account_id": "acct_1", "organization_name": "Zoë's Hotel",
                   "current_balance": balance, "threshold": threshold,
                   "amount_below_threshold": "87.5"}),
        )))
        .expect("valid");
        let Ok(EventData::AccountBalanceLow(d)) = event.typed_data() else {
            panic!("balance")
        };
        assert_eq!(d.current_balance, Some(balance));
        assert_eq!(d.threshold, Some(threshold));
        assert_eq!(d.organization_name.as_deref(), Some("Zoë's Hotel"));
    }
}

#[test]
fn missing_or_null_data_types_as_empty() {
    for data in [None, Some(Value::Null)] {
        let mut v = envelope("ag.access_pass.issued", json!({}));
        match data {
            Some(d) => v["data"] = d,
            None => {
                v.as_object_mut().expect("object").remove("data");
            }
        }
        let event = webhooks::parse_event(&body(&v)).expect("valid");
        let Ok(EventData::AccessPass(d)) = event.typed_data() else {
            panic!("typed")
        };
        assert!(d.access_pass_id.is_none());
    }
}

#[test]
fn data_of_the_wrong_shape_is_a_typed_data_error_not_a_refusal() {
    let event = webhooks::parse_event(&body(&envelope(
        "ag.access_pass.devices.added",
        json!({"access_pass_id": "p", "device": {"id": 17}}),
    )))
    .expect("the envelope is valid, so the event is accepted");
    let e = event
        .typed_data()
        .expect_err("a number where a string is documented");
    assert_eq!(e.path, "device.id");
    assert_eq!(e.event_type, EventType::AccessPassDeviceAdded);
    assert!(e.to_string().contains("device.id"), "{e}");
    assert_eq!(event.data["device"]["id"], json!(17));

    let event = webhooks::parse_event(&body(&envelope("ag.card_template.created", json!("text"))))
        .expect("valid envelope");
    assert!(event.typed_data().is_err());
}

#[test]
fn an_event_round_trips_through_its_serialization() {
    let mut event = WebhookEvent::new(
        "evt_42",
        EventType::AccessPassResumed,
        json!({"access_pass_id": "p"}),
    );
    event.time = Some("2025-02-01T00:00:00Z".into());
    let wire = serde_json::to_vec(&event).expect("serializes");
    let again = webhooks::verify(Some(&format!("Bearer {TOKEN}")), &wire, TOKEN).expect("valid");
    assert_eq!(again, event);
    // Deserializing with serde applies the same checks.
    let parsed: WebhookEvent = serde_json::from_slice(&wire).expect("deserializes");
    assert_eq!(parsed, event);
    assert!(serde_json::from_str::<WebhookEvent>(
        r#"{"specversion":"1.0","id":"a","source":"x","type":"t"}"#
    )
    .is_err());
    assert!(serde_json::from_str::<WebhookEvent>(r#"["1.0","a","accessgrid","t"]"#).is_err());
}

// ---------------------------------------------------------------- rich data, round trips

/// A rich `data` for each kind of event, with every field the data type models: the
/// documented access-pass shape, the newer (C#-shaped) one, and one event of each other
/// family.
fn rich_events() -> Vec<(&'static str, Value)> {
    vec![
        // The newer shape, as the C# SDK (2026-08) reads it: `details` is an object.
        (
            "ag.access_pass.activated",
            json!({
                "id": "ap_123", "card_template_id": "ct_456", "state": "active",
                "full_name": "Zoë Ångström", "employee_id": "E-1001", "title": "Engineer",
                "start_date": "2025-01-01T00:00:00Z", "expiration_date": "2026-01-01T00:00:00Z",
                "metadata": {"department": "R&D", "floor": 3}, "hid_org_id": "hid_9",
                "apple_user_id": "001234.abc567def890.1234", "tag_id": "DF517FC87144DF",
                "card_templates": [
                    {"id": "ct_456", "name": "Badge iOS", "platform": "apple",
                     "protocol": "desfire", "metadata": {"v": 2}, "hid_org_id": "hid_9"},
                    {"id": "ct_789", "name": "Badge Android", "platform": "android",
                     "protocol": "smart_tap"}
                ],
                "details": {"id": "ap_123", "card_template_id": "ct_456", "platform": "apple",
                            "protocol": "desfire", "status": "active",
                            "card_number": "65535", "site_code": "255"},
                "devices": [
                    {"id": "dev_1", "card_template_id": "ct_456", "type": "iphone",
                     "platform": "apple", "protocol": "desfire", "status": "active",
                     "card_number": "65535", "site_code": "255", "file_data": "0A1B"},
                    {"id": "dev_2", "type": "watch", "platform": "apple", "status": "suspended"}
                ]
            }),
        ),
        // The documented shape.
        (
            "ag.access_pass.issued",
            json!({
                "access_pass_id": "0xc4rd1d", "card_template_id": "0xd3adb00b5",
                "protocol": "desfire", "metadata": {"employee": 42},
                "card_number": "1234", "site_code": "42", "file_data": "CAFE"
            }),
        ),
        (
            "ag.access_pass.devices.added",
            json!({
                "access_pass_id": "0xc4rd1d", "card_template_id": "0xd3adb00b5",
                "protocol": "seos", "device": {"type": "watch", "id": "dev_8f3a"},
                "id": "0xc4rd1d", "state": "active",
                "devices": [{"id": "dev_8f3a", "type": "watch", "status": "active"}]
            }),
        ),
        (
            "ag.card_template.published",
            json!({
                "card_template_id": "ct_456", "name": "Badge iOS", "platform": "apple",
                "protocol": "desfire", "metadata": {"v": 2}, "hid_org_id": "hid_9"
            }),
        ),
        (
            "ag.landing_page.attached_to_template",
            json!({"landing_page_id": "lp_1", "card_template_id": "ct_456", "metadata": {"a": 1}}),
        ),
        (
            "ag.credential_profile.deleted",
            json!({"credential_profile_id": "cp_1", "card_template_id": "ct_456", "metadata": {}}),
        ),
        (
            "ag.hid_org.created",
            json!({"account_org_id": "org_123", "slug": "acme-corp", "name": "Acme Corp"}),
        ),
        (
            "ag.hid_org.activated",
            json!({"account_org_id": "org_123", "slug": "acme-corp", "name": "Acme Corp"}),
        ),
        (
            "ag.card_template_pair.created",
            json!({
                "card_template_pair_id": "ctp_123", "name": "Corporate Badge",
                "ios_template": {"id": "ct_ios", "name": "Corporate Badge iOS",
                                 "platform": "apple", "protocol": "desfire"},
                "android_template": {"id": "ct_android", "name": "Corporate Badge Android",
                                     "platform": "android", "protocol": "smart_tap"}
            }),
        ),
        (
            "ag.webhook.cert_expiring",
            json!({
                "webhook_id": "wh_123", "webhook_name": "Production endpoint",
                "cert_expires_at": "2026-09-11T00:00:00Z", "days_until_expiration": 30
            }),
        ),
        (
            "ag.account_balance.low",
            json!({
                "account_id": "acct_1", "organization_name": "Zoë's Hotel",
                "current_balance": "12.50", "threshold": 100, "amount_below_threshold": 87.5
            }),
        ),
    ]
}

/// The typed data serialized back to JSON.
fn typed_json(data: &EventData) -> Value {
    let value = match data {
        EventData::AccessPass(d) | EventData::AccessPassDevice(d) => serde_json::to_value(d),
        EventData::CardTemplate(d) => serde_json::to_value(d),
        EventData::LandingPage(d) => serde_json::to_value(d),
        EventData::CredentialProfile(d) => serde_json::to_value(d),
        EventData::CardTemplatePair(d) => serde_json::to_value(d),
        EventData::HidOrg(d) => serde_json::to_value(d),
        EventData::WebhookCertExpiring(d) => serde_json::to_value(d),
        EventData::AccountBalanceLow(d) => serde_json::to_value(d),
        EventData::Other(raw) => Ok(raw.clone()),
        _ => panic!("a new variant"),
    };
    value.expect("typed data serializes")
}

#[test]
fn rich_data_of_every_kind_is_typed_and_round_trips() {
    for (event_type, data) in rich_events() {
        let sent = envelope(event_type, data.clone());
        let event = webhooks::parse_event(&body(&sent)).expect(event_type);
        assert_eq!(
            serde_json::to_value(&event).expect("serializes"),
            sent,
            "{event_type}: the envelope round trip"
        );
        let typed = event.typed_data().expect(event_type);
        assert!(
            !matches!(typed, EventData::Other(_)),
            "{event_type} has a data type"
        );
        // decode -> serialize -> the same JSON.
        assert_eq!(typed_json(&typed), data, "{event_type}");
    }
}

#[test]
fn the_newer_access_pass_shape_is_typed_field_by_field() {
    let (event_type, data) = rich_events().swap_remove(0);
    let event = webhooks::parse_event(&body(&envelope(event_type, data))).expect("valid");
    let Ok(EventData::AccessPass(d)) = event.typed_data() else {
        panic!("access pass family")
    };
    assert_eq!(d.id.as_deref(), Some("ap_123"));
    assert_eq!(d.card_template_id.as_deref(), Some("ct_456"));
    assert_eq!(d.state, Some(CardState::Active));
    assert_eq!(d.full_name.as_deref(), Some("Zoë Ångström"));
    assert_eq!(d.employee_id.as_deref(), Some("E-1001"));
    assert_eq!(d.title.as_deref(), Some("Engineer"));
    assert_eq!(d.start_date.as_deref(), Some("2025-01-01T00:00:00Z"));
    assert_eq!(d.expiration_date.as_deref(), Some("2026-01-01T00:00:00Z"));
    assert_eq!(d.hid_org_id.as_deref(), Some("hid_9"));
    assert_eq!(d.apple_user_id.as_deref(), Some("001234.abc567def890.1234"));
    assert_eq!(d.tag_id.as_deref(), Some("DF517FC87144DF"));
    assert_eq!(
        d.metadata.as_ref().and_then(|m| m.get("floor")),
        Some(&json!(3))
    );
    // `details` stays raw JSON.
    let details = d.details.as_ref().expect("details");
    assert_eq!(details["status"], json!("active"));
    assert_eq!(details["card_number"], json!("65535"));

    let templates = d.card_templates.as_deref().expect("card templates");
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[0].id.as_deref(), Some("ct_456"));
    assert_eq!(templates[0].platform, Some(TemplatePlatform::Apple));
    assert_eq!(templates[0].protocol, Some(TemplateProtocol::Desfire));
    assert_eq!(templates[0].hid_org_id.as_deref(), Some("hid_9"));
    assert_eq!(templates[1].platform, Some(TemplatePlatform::Android));
    assert_eq!(templates[1].protocol, Some(TemplateProtocol::SmartTap));

    let devices = d.devices.as_deref().expect("devices");
    assert_eq!(devices.len(), 2);
    let phone = &devices[0];
    assert_eq!(phone.id.as_deref(), Some("dev_1"));
    assert_eq!(phone.type_.as_deref(), Some("iphone"));
    assert_eq!(phone.platform, Some(TemplatePlatform::Apple));
    assert_eq!(phone.protocol, Some(TemplateProtocol::Desfire));
    assert_eq!(phone.status.as_deref(), Some("active"));
    assert_eq!(
        (phone.card_number.as_deref(), phone.site_code.as_deref()),
        (Some("65535"), Some("255"))
    );
    assert_eq!(phone.file_data.as_deref(), Some("0A1B"));
    assert_eq!(devices[1].status.as_deref(), Some("suspended"));
    assert!(devices[1].card_number.is_none());
    // The documented fields are simply absent in this shape.
    assert!(d.access_pass_id.is_none() && d.device.is_none());
}

#[test]
fn the_new_families_are_typed_field_by_field() {
    let typed = |event_type: &str| {
        let data = rich_events()
            .into_iter()
            .find(|(t, _)| *t == event_type)
            .expect("a fixture")
            .1;
        webhooks::parse_event(&body(&envelope(event_type, data)))
            .expect("valid")
            .typed_data()
            .expect("typed")
    };

    for event_type in ["ag.hid_org.created", "ag.hid_org.activated"] {
        let EventData::HidOrg(org) = typed(event_type) else {
            panic!("{event_type}: HID org family")
        };
        assert_eq!(org.account_org_id.as_deref(), Some("org_123"));
        assert_eq!(org.slug.as_deref(), Some("acme-corp"));
        assert_eq!(org.name.as_deref(), Some("Acme Corp"));
    }

    let EventData::CardTemplatePair(pair) = typed("ag.card_template_pair.created") else {
        panic!("template pair family")
    };
    assert_eq!(pair.card_template_pair_id.as_deref(), Some("ctp_123"));
    assert_eq!(pair.name.as_deref(), Some("Corporate Badge"));
    let ios = pair.ios_template.expect("ios template");
    let android = pair.android_template.expect("android template");
    assert_eq!(ios.id.as_deref(), Some("ct_ios"));
    assert_eq!(ios.platform, Some(TemplatePlatform::Apple));
    assert_eq!(android.id.as_deref(), Some("ct_android"));
    assert_eq!(android.platform, Some(TemplatePlatform::Android));
    assert_eq!(android.protocol, Some(TemplateProtocol::SmartTap));

    let EventData::WebhookCertExpiring(cert) = typed("ag.webhook.cert_expiring") else {
        panic!("cert expiring")
    };
    assert_eq!(cert.webhook_id.as_deref(), Some("wh_123"));
    assert_eq!(cert.webhook_name.as_deref(), Some("Production endpoint"));
    assert_eq!(
        cert.cert_expires_at.as_deref(),
        Some("2026-09-11T00:00:00Z")
    );
    assert_eq!(cert.days_until_expiration, Some(30));

    let EventData::CredentialProfile(profile) = typed("ag.credential_profile.deleted") else {
        panic!("credential profile family")
    };
    assert_eq!(profile.credential_profile_id.as_deref(), Some("cp_1"));

    let EventData::CardTemplate(template) = typed("ag.card_template.published") else {
        panic!("card template family")
    };
    assert_eq!(template.name.as_deref(), Some("Badge iOS"));
    assert_eq!(template.platform, Some(TemplatePlatform::Apple));
    assert_eq!(template.hid_org_id.as_deref(), Some("hid_9"));
}

#[test]
fn nulls_and_missing_fields_decode_as_none_and_values_survive() {
    // The C# SDK's own fixture: explicit nulls, empty lists, no documented fields.
    let data = json!({
        "id": "ap_123", "card_template_id": "ct_456", "state": "active",
        "apple_user_id": null, "tag_id": null, "details": null,
        "card_templates": [], "devices": []
    });
    let event = webhooks::parse_event(&body(&envelope("ag.access_pass.updated", data.clone())))
        .expect("valid");
    let Ok(EventData::AccessPass(d)) = event.typed_data() else {
        panic!("typed")
    };
    assert!(d.apple_user_id.is_none() && d.tag_id.is_none() && d.details.is_none());
    assert_eq!(d.card_templates.as_deref().map(<[_]>::len), Some(0));
    assert_eq!(d.devices.as_deref().map(<[_]>::len), Some(0));
    // Empty lists are kept; a null comes back as an absent field, which means the same.
    assert_eq!(
        serde_json::to_value(&d).expect("serializes"),
        without_nulls(&data)
    );

    // A state this SDK does not know is kept as sent.
    let event = webhooks::parse_event(&body(&envelope(
        "ag.access_pass.updated",
        json!({"id": "ap_1", "state": "frozen"}),
    )))
    .expect("valid");
    let Ok(EventData::AccessPass(d)) = event.typed_data() else {
        panic!("typed")
    };
    assert_eq!(d.state, Some(CardState::Unknown("frozen".into())));
    assert_eq!(
        serde_json::to_value(&d).expect("serializes")["state"],
        json!("frozen")
    );
}

#[test]
fn the_envelope_keeps_dataschema_and_extension_attributes() {
    let mut sent = envelope(
        "ag.hid_org.created",
        json!({"account_org_id": "org_1", "slug": "acme", "name": "Acme"}),
    );
    sent["dataschema"] = json!("https://api.accessgrid.com/schemas/hid_org.json");
    sent["traceparent"] = json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    sent["subject"] = json!("org_1");
    let event = webhooks::parse_event(&body(&sent)).expect("valid");
    assert_eq!(
        event.data_schema.as_deref(),
        Some("https://api.accessgrid.com/schemas/hid_org.json")
    );
    assert_eq!(event.extensions.len(), 2);
    assert_eq!(event.extensions["subject"], json!("org_1"));
    // decode -> serialize -> the same envelope.
    assert_eq!(serde_json::to_value(&event).expect("serializes"), sent);
    // And once more, through serde's own deserialization.
    let again: WebhookEvent = serde_json::from_value(sent.clone()).expect("deserializes");
    assert_eq!(again, event);
}

/// Needs the generated models to keep the fields they do not model (the flattened extra
/// map every generated type gets from the build script): then a field AccessGrid adds to
/// event data later survives a round trip through the typed data, nested ones included.
#[test]
fn typed_data_round_trips_fields_it_does_not_model() {
    for (event_type, mut data) in rich_events() {
        data["brand_new_field"] = json!({"nested": [1, 2, 3]});
        if let Some(devices) = data.get_mut("devices").and_then(Value::as_array_mut) {
            devices[0]["firmware"] = json!("17.4");
        }
        if let Some(ios) = data.get_mut("ios_template") {
            ios["style"] = json!({"background_color": "#FFFFFF"});
        }
        let event =
            webhooks::parse_event(&body(&envelope(event_type, data.clone()))).expect(event_type);
        let typed = event.typed_data().expect(event_type);
        assert_eq!(typed_json(&typed), data, "{event_type}");
    }
}

#[test]
fn snapshot_of_a_parsed_event() {
    let raw = br#"{
        "spec_version": "1.0",
        "id": "evt_01HZX3K8Q2",
        "source": "accessgrid",
        "type": "ag.access_pass.devices.added",
        "data_content_type": "application/json",
        "time": "2025-01-31T12:34:56.789Z",
        "data": {
            "access_pass_id": "0xc4rd1d",
            "card_template_id": "0xd3adb00b5",
            "protocol": "desfire",
            "metadata": {"employee_id": "E-1001"},
            "device": {"type": "iphone", "id": "dev_8f3a"},
            "card_number": "1234",
            "site_code": "42",
            "brand_new_field": true
        },
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    }"#;
    let event = webhooks::verify(Some(&format!("Bearer {TOKEN}")), raw, TOKEN).expect("valid");
    insta::assert_json_snapshot!(
        "parsed_event",
        serde_json::to_value(&event).expect("serializes")
    );
    let Ok(EventData::AccessPassDevice(data)) = event.typed_data() else {
        panic!("device family")
    };
    insta::assert_json_snapshot!(
        "parsed_event_typed_data",
        serde_json::to_value(&data).expect("serializes")
    );
}

#[test]
fn snapshot_of_the_error_messages() {
    let messages: Vec<String> = [
        webhooks::verify(None, b"{}", TOKEN),
        webhooks::verify(Some("Basic abc"), b"{}", TOKEN),
        webhooks::verify(Some("Bearer abc"), b"{}", TOKEN),
        webhooks::verify(Some("Bearer abc"), b"{}", ""),
        webhooks::parse_event(b"{"),
        webhooks::parse_event(b"[1]"),
        webhooks::parse_event(&with("specversion", Some(json!("0.3")))),
        webhooks::parse_event(&with("source", Some(json!("evil")))),
        webhooks::parse_event(&with("id", None)),
        webhooks::parse_event(&with("type", Some(json!("")))),
        webhooks::parse_event(&with("time", Some(json!(5)))),
    ]
    .into_iter()
    .map(|r| {
        let e = r.expect_err("refused");
        format!("{} {e}", e.status())
    })
    .collect();
    insta::assert_snapshot!("error_messages", messages.join("\n"));
}

#[test]
fn the_acknowledgement_is_received_true() {
    let ack: Value = serde_json::from_str(ACK_BODY).expect("JSON");
    assert_eq!(ack, json!({"received": true}));
    assert_eq!(ACK_CONTENT_TYPE, "application/json");
    assert!(matches!(webhooks::ACK_STATUS, 200 | 201));
}

// ---------------------------------------------------------------- duplicates

#[test]
fn a_repeated_id_is_a_duplicate() {
    let seen = Deduper::new(100, Duration::from_secs(3600));
    assert!(seen.first_time("evt_1"));
    assert!(!seen.first_time("evt_1"));
    assert!(!seen.first_time("evt_1"));
    assert!(seen.first_time("evt_2"));
    assert!(seen.first_time("EVT_1"), "ids are compared exactly");
    assert_eq!(seen.len(), 3);
}

#[test]
fn an_id_is_forgotten_after_the_ttl() {
    let ttl = Duration::from_secs(60);
    let seen = Deduper::new(100, ttl);
    let t0 = Instant::now();
    assert!(seen.first_time_at("evt_1", t0));
    assert!(!seen.first_time_at("evt_1", t0 + Duration::from_secs(59)));
    // A repeat does not extend the time it is remembered.
    assert!(seen.first_time_at("evt_1", t0 + ttl));
    assert!(!seen.first_time_at("evt_1", t0 + ttl + Duration::from_secs(1)));

    // With the real clock too.
    let seen = Deduper::new(100, Duration::from_millis(500));
    assert!(seen.first_time("evt_x"));
    assert!(!seen.first_time("evt_x"));
    std::thread::sleep(Duration::from_millis(1000));
    assert!(seen.is_empty());
    assert!(seen.first_time("evt_x"));
}

#[test]
fn past_capacity_the_oldest_is_forgotten() {
    let seen = Deduper::new(3, Duration::from_secs(3600));
    let t0 = Instant::now();
    for (i, id) in ["a", "b", "c"].iter().enumerate() {
        assert!(seen.first_time_at(id, t0 + Duration::from_secs(i as u64)));
    }
    assert!(seen.first_time_at("d", t0 + Duration::from_secs(3)));
    assert_eq!(seen.len(), 3);
    assert!(!seen.first_time_at("b", t0 + Duration::from_secs(4)));
    assert!(!seen.first_time_at("c", t0 + Duration::from_secs(4)));
    assert!(!seen.first_time_at("d", t0 + Duration::from_secs(4)));
    assert!(
        seen.first_time_at("a", t0 + Duration::from_secs(4)),
        "the oldest was evicted"
    );
    assert!(
        seen.first_time_at("b", t0 + Duration::from_secs(5)),
        "then the next oldest"
    );

    let none = Deduper::new(0, Duration::from_secs(3600));
    assert!(none.first_time("a"));
    assert!(none.first_time("a"), "a capacity of 0 remembers nothing");
}

#[test]
fn a_forgotten_id_counts_as_new_again() {
    let seen = Deduper::new(2, Duration::from_secs(3600));
    assert!(seen.first_time("a"));
    assert!(seen.forget("a"));
    assert!(!seen.forget("a"));
    assert!(seen.first_time("a"));
    // Forgetting and seeing again many times does not crowd out other ids.
    assert!(seen.first_time("b"));
    for _ in 0..10 {
        seen.forget("a");
        assert!(seen.first_time("a"));
    }
    assert!(!seen.first_time("b"));
}

#[test]
fn concurrent_deliveries_of_one_id_are_handled_once() {
    let seen = Arc::new(Deduper::new(10_000, Duration::from_secs(3600)));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                (0..200)
                    .filter(|i| seen.first_time(&format!("evt_{i}")))
                    .count()
            })
        })
        .collect();
    let firsts: usize = threads
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .sum();
    assert_eq!(firsts, 200);
}

// ---------------------------------------------------------------- any input

mod any_input {
    use super::*;
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "specversion",
        "spec_version",
        "id",
        "source",
        "type",
        "datacontenttype",
        "data_content_type",
        "time",
        "data",
        "device",
        "access_pass_id",
    ];

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(KEYS).prop_map(str::to_owned),
            any::<String>(),
        ]
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
            any::<String>().prop_map(Value::String),
            proptest::sample::select(
                &[
                    "1.0",
                    "accessgrid",
                    "ag.access_pass.issued",
                    "ag.account_balance.low",
                    ""
                ][..]
            )
            .prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map(key(), inner, 0..10)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), header in any::<String>()) {
            let result = webhooks::verify(Some(&format!("Bearer {TOKEN}")), &body, TOKEN);
            if let Ok(event) = result {
                let _ = event.typed_data();
            }
            let refused = webhooks::verify(Some(&header), &body, TOKEN);
            prop_assert!(refused.is_err() || header.contains(TOKEN));
        }

        #[test]
        fn arbitrary_json_never_panics(value in json()) {
            match webhooks::parse_event(&serde_json::to_vec(&value).expect("serializes")) {
                Ok(event) => {
                    prop_assert_eq!(event.spec_version.as_str(), "1.0");
                    prop_assert_eq!(event.source.as_str(), "accessgrid");
                    prop_assert!(!event.id.is_empty());
                    let _ = event.typed_data();
                }
                Err(e) => prop_assert_eq!(e.status(), 400),
            }
        }

        #[test]
        fn any_data_under_any_type_is_accepted(event_type in any::<String>(), data in json()) {
            prop_assume!(!event_type.is_empty());
            let v = envelope(&event_type, data.clone());
            let event = webhooks::parse_event(&body(&v)).expect("a valid envelope");
            prop_assert_eq!(event.event_type.as_str(), event_type.as_str());
            prop_assert_eq!(&event.data, &data);
            let _ = event.typed_data();
        }

        #[test]
        fn only_the_exact_token_is_accepted(given in any::<String>()) {
            let accepted = webhooks::authenticate(Some(&format!("Bearer {given}")), TOKEN).is_ok();
            prop_assert_eq!(accepted, given.trim_matches([' ', '\t']) == TOKEN);
        }
    }
}

// ---------------------------------------------------------------- over HTTP

#[cfg(feature = "webhook-receiver")]
struct Receiver {
    url: String,
    receiver: Option<webhooks::Receiver>,
    events: std::sync::mpsc::Receiver<WebhookEvent>,
}

#[cfg(feature = "webhook-receiver")]
impl Receiver {
    /// The library's receiver on 127.0.0.1; its handler fails once for `evt_fail_once`.
    fn start() -> Receiver {
        let (tx, events) = std::sync::mpsc::channel();
        let failed_once = std::sync::atomic::AtomicBool::new(false);
        let tx = std::sync::Mutex::new(tx);
        let receiver = webhooks::Receiver::builder(TOKEN)
            .bind("127.0.0.1:0")
            .path("/webhooks")
            .seen_store(Deduper::new(100, Duration::from_secs(3600)))
            .start(move |event: &WebhookEvent| {
                if event.id == "evt_fail_once"
                    && !failed_once.swap(true, std::sync::atomic::Ordering::SeqCst)
                {
                    return Err("the database is down".to_owned());
                }
                tx.lock()
                    .map_err(|e| e.to_string())?
                    .send(event.clone())
                    .map_err(|e| e.to_string())
            })
            .expect("the receiver starts on 127.0.0.1");
        Receiver {
            url: format!("http://{}/webhooks", receiver.local_addr()),
            receiver: Some(receiver),
            events,
        }
    }

    fn post(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> (u16, Option<String>, Option<String>, String) {
        let agent = common::agent::agent(Duration::from_secs(10));
        let mut req = agent
            .post(&self.url)
            .header("Content-Type", webhooks::EVENT_CONTENT_TYPE)
            .header("User-Agent", webhooks::SENDER_USER_AGENT);
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        let mut resp = req.send(body).expect("an answer");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type");
        let www = header("www-authenticate");
        let text = resp.body_mut().read_to_string().expect("a body");
        (resp.status().as_u16(), content_type, www, text)
    }

    /// The event handled for the last request. The handler runs before the answer is
    /// sent, so once a request is answered its event is already here.
    fn next_event(&self) -> Option<WebhookEvent> {
        self.events.recv_timeout(Duration::from_secs(5)).ok()
    }

    fn nothing_handled(&self) -> bool {
        self.events.try_recv().is_err()
    }
}

#[cfg(feature = "webhook-receiver")]
impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(receiver) = self.receiver.take() {
            receiver.stop();
        }
    }
}

#[cfg(feature = "webhook-receiver")]
#[test]
fn the_library_receiver_verifies_dedupes_and_acknowledges_over_http() {
    let r = Receiver::start();
    let bearer = format!("Bearer {TOKEN}");
    let issued = body(&envelope(
        "ag.access_pass.issued",
        json!({"access_pass_id": "p1"}),
    ));

    let (status, content_type, _, text) = r.post(Some(&bearer), &issued);
    assert_eq!((status, text.as_str()), (200, ACK_BODY));
    assert_eq!(content_type.as_deref(), Some(ACK_CONTENT_TYPE));
    let event = r.next_event().expect("the event was handled");
    assert_eq!(event.event_type, EventType::AccessPassIssued);

    // A redelivery is acknowledged but not handled again.
    let (status, _, _, text) = r.post(Some(&bearer), &issued);
    assert_eq!((status, text.as_str()), (200, ACK_BODY));
    assert!(r.nothing_handled(), "a duplicate was handled");

    // Strangers get 401 with a challenge, and nothing is handled.
    for auth in [None, Some("Bearer wrong"), Some("Basic dXNlcjpwYXNz")] {
        let other = body(&envelope("ag.access_pass.deleted", json!({})));
        let (status, _, www, _) = r.post(auth, &other);
        assert_eq!(status, 401, "{auth:?}");
        assert_eq!(www.as_deref(), Some("Bearer"));
    }
    assert!(r.nothing_handled());

    // A bad envelope is 400.
    let (status, _, _, _) = r.post(Some(&bearer), &with("source", Some(json!("evil"))));
    assert_eq!(status, 400);

    // A failed handling is 500 and the redelivery is handled.
    let mut failing = envelope("ag.account_balance.low", json!({"current_balance": "3.0"}));
    failing["id"] = json!("evt_fail_once");
    let (status, _, _, _) = r.post(Some(&bearer), &body(&failing));
    assert_eq!(status, 500);
    assert!(r.nothing_handled());
    let (status, _, _, text) = r.post(Some(&bearer), &body(&failing));
    assert_eq!((status, text.as_str()), (200, ACK_BODY));
    assert_eq!(
        r.next_event().expect("handled on redelivery").id,
        "evt_fail_once"
    );

    // A body over the limit is refused without being handled.
    let mut huge = envelope(
        "ag.access_pass.updated",
        json!({"pad": "x".repeat(1 << 20)}),
    );
    huge["id"] = json!("evt_huge");
    let (status, _, _, _) = r.post(Some(&bearer), &body(&huge));
    assert_eq!(status, 413);
    assert!(r.nothing_handled());
}

#[test]
fn the_deduper_is_bounded_in_bytes_as_well_as_in_count() {
    let budget = 1 << 20;
    let seen = Deduper::new(1_000_000, Duration::from_secs(3600)).max_bytes(budget);
    let per_id = 1024 * 2 + Deduper::ENTRY_OVERHEAD;
    for n in 0..5_000 {
        let id = format!("{n:01024}");
        assert!(seen.first_time(&id), "id {n} is new");
        assert!(
            seen.len() * per_id <= budget,
            "{} ids after {n}",
            seen.len()
        );
    }
    assert_eq!(seen.len(), budget / per_id);
    // The newest are remembered, the oldest were forgotten to make room.
    assert!(!seen.first_time(&format!("{:01024}", 4_999)));
    assert!(seen.first_time(&format!("{:01024}", 0)));
    // An id too long for the whole budget is never remembered: each delivery is "new".
    let huge = "x".repeat(budget);
    assert!(seen.first_time(&huge));
    assert!(seen.first_time(&huge));
}

#[cfg(feature = "webhook-receiver")]
#[test]
fn the_receiver_never_shows_its_token_and_refuses_bad_settings() {
    let builder = webhooks::Receiver::builder(TOKEN).path("/hooks");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    let empty = webhooks::Receiver::builder("  ")
        .bind("127.0.0.1:0")
        .start(|_: &WebhookEvent| Ok::<(), String>(()))
        .expect_err("an empty token");
    assert_eq!(empty.kind(), std::io::ErrorKind::InvalidInput);
    let relative = webhooks::Receiver::builder(TOKEN)
        .bind("127.0.0.1:0")
        .path("hooks")
        .start(|_: &WebhookEvent| Ok::<(), String>(()))
        .expect_err("a path without a leading slash");
    assert_eq!(relative.kind(), std::io::ErrorKind::InvalidInput);
}

#[cfg(feature = "webhook-receiver")]
#[test]
fn a_get_page_answers_beside_the_deliveries_without_a_token() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&calls);
    let receiver = webhooks::Receiver::builder(TOKEN)
        .bind("127.0.0.1:0")
        .path("/hooks")
        .serve_get("/healthz", move || {
            let n = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            (503, serde_json::json!({"status": "failing", "calls": n}))
        })
        .start(|_: &WebhookEvent| Ok::<(), String>(()))
        .expect("started");
    let agent = common::agent::agent(Duration::from_secs(10));
    let base = format!("http://{}", receiver.local_addr());
    let mut answer = agent
        .get(format!("{base}/healthz"))
        .call()
        .expect("answered");
    assert_eq!(answer.status(), 503);
    let body: Value =
        serde_json::from_str(&answer.body_mut().read_to_string().expect("body")).expect("JSON");
    assert_eq!(body, serde_json::json!({"status": "failing", "calls": 1}));
    // Another method on the page: 405 naming GET; the page is not run.
    let post = agent
        .post(format!("{base}/healthz"))
        .send("x")
        .expect("answered");
    assert_eq!(post.status(), 405);
    assert_eq!(
        post.headers().get("Allow").and_then(|v| v.to_str().ok()),
        Some("GET")
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Deliveries still need the token.
    let delivery = agent
        .post(format!("{base}/hooks"))
        .send("{}")
        .expect("answered");
    assert_eq!(delivery.status(), 401);
    receiver.stop();

    // A page on the delivery path is refused.
    let clash = webhooks::Receiver::builder(TOKEN)
        .bind("127.0.0.1:0")
        .path("/hooks")
        .serve_get("/hooks", || (200, Value::Null))
        .start(|_: &WebhookEvent| Ok::<(), String>(()))
        .expect_err("the delivery path");
    assert_eq!(clash.kind(), std::io::ErrorKind::InvalidInput);
}
