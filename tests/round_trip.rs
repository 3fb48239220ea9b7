//! Answers lose nothing: a rich answer of every kind (every modelled field, plus fields this
//! SDK does not model at every level) decodes, keeps the unknown fields reachable by name,
//! and serializes back to the same JSON. (The webhook event types are covered with the
//! webhook tests.)

#![recursion_limit = "256"]

use accessgrid::models::{
    AccessCard, AccessCardList, ApiErrorBody, CardTemplate, CredentialProfile, ExtraFields, HidOrg,
    IosPreflight, LandingPage, LedgerItemList, Pagination, PublishTemplateResult,
    SmartTapRevealAnswer, TemplateLogList, TemplatePairList, Webhook, WebhookList,
    WebhookVerifyResult,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// Decodes `answer` as `T`, checks that serializing it gives `answer` back, and hands the
/// decoded value over for more checks.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, answer: &Value) -> T {
    let decoded: T = serde_json::from_value(answer.clone())
        .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    let back = serde_json::to_value(&decoded).expect("serializes");
    assert_eq!(&back, answer, "{name} lost or changed something");
    decoded
}

fn card(id: &str) -> Value {
    json!({
        "id": id,
        "install_url": "https://accessgrid.com/install/x",
        "direct_install_url": "https://accessgrid.com/install/x?direct=true",
        "state": "active",
        "status": "issued",
        "full_name": "Zoë Ångström",
        "employee_id": "E-1",
        "email": "zoe@example.com",
        "phone_number": "+1555",
        "classification": "full_time",
        "title": "Engineer",
        "employee_photo": "aW1hZ2U=",
        "card_template_id": "0xd3adb00b5",
        "card_number": "65535",
        "site_code": "255",
        "file_data": "0A1B",
        "tag_id": "DF517FC87144DF",
        "start_date": "2025-01-01T00:00:00Z",
        "expiration_date": "2026-01-01T00:00:00Z",
        "organization_name": "Analytical Engines",
        "temporary": false,
        "allow_on_multiple_devices": true,
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-02T00:00:00Z",
        "devices": [{
            "id": "d1", "platform": "apple", "device_type": "watch", "status": "active",
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
            "os_version": "11.2"
        }],
        "metadata": {"badge": {"tier": 2}},
        "department": "R&D",
        "location": "London",
        "site_name": "HQ",
        "workstation": "4F",
        "mail_stop": "MS-1",
        "company_address": "1 Main St",
        "member_id": "M1",
        "membership_status": "gold",
        "is_pass_ready_to_transact": true,
        "tile_data": {"isCheckedIn": true},
        "reservations": {"reservationNumber": "R1"},
        "property_name": "Tower",
        "property_address": "2 Main St",
        "building_name": "B",
        "storage_unit": "S1",
        "parking_address": "P1",
        "barcode_data": "123",
        "unit_numbers": ["1A"],
        "parking_details": [{"label": "Spot", "value": "12"}],
        "wallet_serial": "W-9",
        "issuer": {"region": "eu", "shards": [1, 2]}
    })
}

#[test]
fn access_cards_and_pages() {
    let mut unified = card("0xunified");
    unified["details"] = json!([card("0xapple"), card("0xgoogle")]);
    let decoded: AccessCard = round_trip("AccessCard", &unified);
    assert_eq!(decoded.id, "0xunified");
    assert_eq!(decoded.extra_fields()["wallet_serial"], "W-9");
    assert_eq!(decoded.extra["issuer"]["shards"], json!([1, 2]));
    let details = decoded.details.as_deref().unwrap_or_default();
    assert_eq!(details[1].extra["wallet_serial"], "W-9");
    let devices = details[0].devices.as_deref().unwrap_or_default();
    assert_eq!(devices[0].extra["os_version"], "11.2");
    assert_eq!(decoded.updated_at.as_deref(), Some("2025-01-02T00:00:00Z"));
    assert_eq!(decoded.employee_photo.as_deref(), Some("aW1hZ2U="));
    assert_eq!(decoded.allow_on_multiple_devices, Some(true));

    let page = json!({
        "keys": [card("c1"), card("c2")],
        "page": 1, "per_page": 50, "total_pages": 1, "total_count": 2,
        "next_cursor": "abc"
    });
    let decoded: AccessCardList = round_trip("AccessCardList", &page);
    let ids: Vec<&str> = decoded.items().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert_eq!(decoded.extra["next_cursor"], "abc");
}

#[test]
fn templates_and_their_answers() {
    let template = |id: &str| {
        json!({
            "id": id, "name": "Badge", "platform": "android", "use_case": "corporate_id",
            "protocol": "smart_tap", "status": "ready", "created_at": "2025-01-01",
            "last_published_at": "2025-01-02", "estimated_publishing_date": "2025-01-03",
            "issued_keys_count": 10, "active_keys_count": 7,
            "allowed_device_counts": {"allow_on_multiple_devices": true, "watch": 1, "iphone": 2,
                                      "android_device_limit": "all_devices", "ipad": 1},
            "support_settings": {"url": "https://help", "phone": "+1", "email": "a@b.c", "chat": "x"},
            "terms_settings": {"privacy_policy_url": "https://p", "terms_and_conditions_url": "https://t",
                               "cookie_url": "https://c"},
            "style_settings": {"background_color": "#FFFFFF", "label_color": "#000000",
                               "label_secondary_color": "#333333", "font": "Inter"},
            "metadata": {"v": 1},
            "credential_profiles": ["cp_1"],
            "landing_pages": ["lp_1"]
        })
    };
    let mut pair = template("0xpair");
    pair["is_pair"] = json!(true);
    pair["templates"] = json!([template("0xa"), template("0xg")]);
    let decoded: CardTemplate = round_trip("CardTemplate", &pair);
    assert!(decoded.is_pair());
    assert_eq!(decoded.members()[1].id, "0xg");
    assert_eq!(
        decoded.landing_pages.as_deref(),
        Some(&["lp_1".to_owned()][..])
    );
    assert_eq!(
        decoded.style_settings.as_ref().expect("style").extra["font"],
        "Inter"
    );
    let counts = decoded.allowed_device_counts.as_ref().expect("counts");
    assert_eq!(counts.extra["ipad"], 1);

    let published: PublishTemplateResult = round_trip(
        "PublishTemplateResult",
        &json!({"id": "0xt", "status": "in-review", "queue_position": 3}),
    );
    assert_eq!(published.extra["queue_position"], 3);

    let logs: TemplateLogList = round_trip(
        "TemplateLogList",
        &json!({
            "logs": [{"id": 101, "event": "install", "created_at": "2025-01-01T00:00:00Z",
                      "ip_address": "203.0.113.9", "user_agent": "Wallet", "metadata": {"device": "watch"},
                      "actor_email": "ops@example.com"}],
            "pagination": {"current_page": 1, "per_page": 50, "total_pages": 1, "total_count": 1,
                           "next_page": null},
            "filters_applied": {"device": "watch"}
        }),
    );
    assert_eq!(logs.items()[0].id, json!(101));
    assert_eq!(logs.items()[0].extra["actor_email"], "ops@example.com");
    assert!(logs
        .pagination
        .as_ref()
        .is_some_and(|p| p.extra["next_page"].is_null()));

    let pairs: TemplatePairList = round_trip(
        "TemplatePairList",
        &json!({
            "card_template_pairs": [{
                "id": "pair_1", "ex_id": "0xpair", "name": "HQ", "created_at": "2025-01-01",
                "ios_template": {"id": "t_a", "ex_id": "0xa", "name": "HQ iOS", "platform": "apple", "status": "ready"},
                "android_template": {"id": "t_g", "ex_id": "0xg", "name": "HQ Android", "platform": "google"},
                "unified_passes_count": 4
            }],
            "pagination": {"current_page": 1, "per_page": 10, "total_pages": 1, "total_count": 1}
        }),
    );
    assert_eq!(pairs.items()[0].id, "pair_1");
    assert_eq!(pairs.items()[0].extra["unified_passes_count"], 4);
}

#[test]
fn ios_preflight_in_either_spelling() {
    let camel = json!({
        "provisioningCredentialIdentifier": "pci", "sharingInstanceIdentifier": "sii",
        "cardTemplateIdentifier": "cti", "environmentIdentifier": "env", "expiresAt": "soon"
    });
    let decoded: IosPreflight = round_trip("IosPreflight", &camel);
    assert_eq!(decoded.extra["expiresAt"], "soon");

    // snake_case decodes into the same fields (serialized back in the documented camelCase).
    let snake: IosPreflight = serde_json::from_value(json!({
        "provisioning_credential_identifier": "pci", "sharing_instance_identifier": "sii",
        "card_template_identifier": "cti", "environment_identifier": "env", "expiresAt": "soon"
    }))
    .expect("snake_case decodes");
    assert_eq!(snake, decoded);

    // Both spellings at once: the camelCase one fills the field, the other is kept as sent.
    let both = json!({"environmentIdentifier": "env", "environment_identifier": "env-2"});
    let decoded: IosPreflight = round_trip("IosPreflight", &both);
    assert_eq!(decoded.environment_identifier.as_deref(), Some("env"));
    assert_eq!(decoded.extra["environment_identifier"], "env-2");

    let wrong: Result<IosPreflight, _> =
        serde_json::from_value(json!({"environment_identifier": 7}));
    assert!(wrong
        .expect_err("not a string")
        .to_string()
        .contains("environment_identifier"));
}

#[test]
fn ledger_items() {
    let answer = json!({
        "ledger_items": [{
            "id": "li_1", "created_at": "2025-01-01T00:00:00Z", "amount": "-49.0",
            "kind": "access_pass_issued", "event": "issue", "metadata": {"n": 1},
            "invoice_id": "inv_1",
            "access_pass": {
                "id": "ap_1", "ex_id": "0xap", "full_name": "Ada", "state": "active",
                "metadata": {}, "unified_access_pass_ex_id": "0xu", "unified_access_pass_id": "u_1",
                "temporary": true, "holder_email": "ada@example.com",
                "pass_template": {"id": "t_1", "ex_id": "0xt", "name": "Badge", "protocol": "desfire",
                                  "platform": "apple", "use_case": "corporate_id", "region": "eu"}
            }
        }],
        "pagination": {"current_page": 1, "per_page": 50, "total_pages": 1, "total_count": 1}
    });
    let decoded: LedgerItemList = round_trip("LedgerItemList", &answer);
    let item = &decoded.items()[0];
    assert_eq!(item.id, "li_1");
    assert_eq!(item.event.as_deref(), Some("issue"));
    assert_eq!(item.extra["invoice_id"], "inv_1");
    let pass = item.access_pass.as_ref().expect("a pass");
    assert_eq!(pass.unified_access_pass_id.as_deref(), Some("u_1"));
    assert_eq!(pass.temporary, Some(true));
    assert_eq!(pass.extra["holder_email"], "ada@example.com");
}

#[test]
fn console_resources() {
    let page: LandingPage = round_trip(
        "LandingPage",
        &json!({"id": "lp_1", "name": "Lobby", "created_at": "2025-01-01", "kind": "universal",
                "password_protected": false, "logo_url": "https://logo", "bg_color": "#f1f5f9"}),
    );
    assert_eq!(page.extra["bg_color"], "#f1f5f9");

    let profile: CredentialProfile = round_trip(
        "CredentialProfile",
        &json!({"id": "cp_1", "aid": "F0ABCD", "name": "Main", "apple_id": "A1",
                "created_at": "2025-01-01", "card_storage": "2K",
                "keys": [{"id": 1, "source_key_index": 0}], "files": [{"id": "00"}],
                "app_name": "KEY-ID-main"}),
    );
    assert_eq!(profile.extra["app_name"], "KEY-ID-main");

    let hook = json!({"id": "wh_1", "name": "Prod", "url": "https://example.com/hook",
                      "auth_method": "mtls", "subscribed_events": ["ag.access_pass.issued"],
                      "created_at": "2025-01-01", "private_key": "whsec_1",
                      "client_cert": "-----BEGIN CERTIFICATE-----", "cert_expires_at": "2026-01-01",
                      "last_delivery_at": "2025-06-01"});
    let decoded: Webhook = round_trip("Webhook", &hook);
    assert_eq!(decoded.extra["last_delivery_at"], "2025-06-01");
    let list: WebhookList = round_trip(
        "WebhookList",
        &json!({"webhooks": [hook], "pagination": {"current_page": 1}}),
    );
    assert_eq!(list.items().len(), 1);
    let verified: WebhookVerifyResult = round_trip(
        "WebhookVerifyResult",
        &json!({"id": "wh_1", "verified": true, "verified_at": "2025-01-01"}),
    );
    assert_eq!(verified.extra["verified_at"], "2025-01-01");

    let org: HidOrg = round_trip(
        "HidOrg",
        &json!({"id": "42", "name": "Org", "slug": "org", "status": "active",
                "full_address": "1 Main St", "phone": "+1", "first_name": "Ada",
                "last_name": "Lovelace", "email": "a@b.c", "created_at": "2025-01-01",
                "updated_at": "2025-01-02", "origo_region": "EU"}),
    );
    assert_eq!(org.extra["origo_region"], "EU");
}

#[test]
fn smart_tap_errors_and_pages() {
    let reveal: SmartTapRevealAnswer = round_trip(
        "SmartTapRevealAnswer",
        &json!({"key_version": "1", "collector_id": "96000000", "fingerprint": "sha256:x",
                "encrypted_private_key": {"alg": "ECDH-ES+A256GCM", "ephemeral_public_key": "PEM",
                                          "iv": "aXY=", "ciphertext": "Y3Q=", "tag": "dGFn", "kid": "k1"},
                "expires_at": "2025-01-01"}),
    );
    assert_eq!(
        reveal.encrypted_private_key.as_ref().expect("key").extra["kid"],
        "k1"
    );

    let error: ApiErrorBody = round_trip(
        "ApiErrorBody",
        &json!({"message": "Validation failed", "error": "unprocessable",
                "errors": {"site_code": ["is invalid"]}, "request_id": "req_1", "trace": "t1"}),
    );
    assert_eq!(error.request_id, Some(json!("req_1")));
    assert_eq!(error.extra["trace"], "t1");

    let pagination: Pagination = round_trip(
        "Pagination",
        &json!({"current_page": 2, "per_page": 10, "total_pages": 3, "total_count": 25, "cursor": "c"}),
    );
    assert_eq!(pagination.extra["cursor"], "c");
}

/// Every resource answer carries its id: without one, decoding fails and names it.
#[test]
fn a_missing_id_is_a_decode_error_that_names_it() {
    fn missing<T: DeserializeOwned>(name: &str) {
        let err = serde_json::from_str::<T>(r#"{"name":"x"}"#)
            .err()
            .unwrap_or_else(|| panic!("{name} decoded without an id"));
        assert!(
            err.to_string().contains("missing field `id`"),
            "{name}: {err}"
        );
    }
    missing::<AccessCard>("AccessCard");
    missing::<CardTemplate>("CardTemplate");
    missing::<PublishTemplateResult>("PublishTemplateResult");
    missing::<accessgrid::models::TemplateLogEntry>("TemplateLogEntry");
    missing::<accessgrid::models::TemplatePair>("TemplatePair");
    missing::<accessgrid::models::LedgerItem>("LedgerItem");
    missing::<LandingPage>("LandingPage");
    missing::<CredentialProfile>("CredentialProfile");
    missing::<Webhook>("Webhook");
    missing::<WebhookVerifyResult>("WebhookVerifyResult");
    missing::<HidOrg>("HidOrg");
}
