//! The sandbox keeps the fields it is sent, the new ones and those beyond the schema alike,
//! and answers them, as the API does; fields only the server sets stay its own.
#![cfg(feature = "sandbox")]

use accessgrid::models::{
    ActivateHidOrgRequest, CreateCredentialProfileRequest, CreateHidOrgRequest,
    CreateLandingPageRequest, CreateTemplateRequest, CreateWebhookRequest, CredentialProfileKey,
    IssueCardRequest, UpdateCardRequest, UpdateLandingPageRequest, UpdateTemplateRequest,
};
use accessgrid::sandbox::Sandbox;
use serde_json::json;

#[test]
fn passes_keep_new_and_extra_fields() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let cards = client.access_cards();
    let card = cards
        .issue(
            IssueCardRequest::builder()
                .card_template_id(sandbox.template_id())
                .full_name("Ada Lovelace")
                .temporary(true)
                .allow_on_multiple_devices(true)
                .organization_name("Analytical Engines")
                .extra_field("badge_tier", json!({"level": 2}))
                // Only the server sets these: an extra field cannot.
                .extra_field("id", "0xmine")
                .extra_field("state", "active"),
        )
        .expect("issued");
    assert_ne!(card.id, "0xmine");
    assert_eq!(card.state.as_ref().map(|s| s.as_str()), Some("created"));
    assert_eq!(card.temporary, Some(true));
    assert_eq!(card.allow_on_multiple_devices, Some(true));
    assert_eq!(
        card.organization_name.as_deref(),
        Some("Analytical Engines")
    );
    assert_eq!(card.extra["badge_tier"], json!({"level": 2}));
    assert!(card.updated_at.is_some());

    let updated = cards
        .update(
            &card.id,
            UpdateCardRequest::builder()
                .email("ada@example.com")
                .phone_number("+441234")
                .organization_name("Difference Engines")
                .start_date("2025-03-01T00:00:00Z")
                .extra_field("badge_tier", json!({"level": 3}))
                .extra_field("locker", "L-7"),
        )
        .expect("updated");
    let read = cards.get(&card.id).expect("read");
    for answer in [&updated, &read] {
        assert_eq!(answer.email.as_deref(), Some("ada@example.com"));
        assert_eq!(answer.phone_number.as_deref(), Some("+441234"));
        assert_eq!(
            answer.organization_name.as_deref(),
            Some("Difference Engines")
        );
        assert_eq!(answer.start_date.as_deref(), Some("2025-03-01T00:00:00Z"));
        assert_eq!(answer.extra["badge_tier"], json!({"level": 3}));
        assert_eq!(answer.extra["locker"], "L-7");
        assert_eq!(answer.temporary, Some(true), "kept from the issue");
    }

    // A field whose value cannot be a pass's field is a 422, not a crash.
    let refused = cards
        .update(
            &card.id,
            UpdateCardRequest::builder().extra_field("temporary", "soon"),
        )
        .expect_err("not a boolean");
    assert_eq!(refused.status(), Some(422), "{refused}");
}

#[test]
fn console_resources_keep_extra_fields() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let console = client.console();

    let template = console
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Lobby")
                .platform("android")
                .use_case("corporate_id")
                .protocol("smart_tap")
                .extra_field("logo", "aW1n")
                .extra_field("issued_keys_count", 99),
        )
        .expect("created with platform android");
    assert_eq!(template.extra["logo"], "aW1n");
    assert_eq!(
        template.issued_keys_count,
        Some(0),
        "the server's own count"
    );
    let updated = console
        .templates()
        .update(
            &template.id,
            UpdateTemplateRequest::builder().extra_field("logo", "bmV3"),
        )
        .expect("updated");
    assert_eq!(updated.extra["logo"], "bmV3");
    let read = console.templates().get(&template.id).expect("read");
    assert_eq!(read.extra["logo"], "bmV3");
    assert_eq!(read.platform.as_ref().map(|p| p.as_str()), Some("android"));

    let page = console
        .landing_pages()
        .create(
            CreateLandingPageRequest::builder()
                .name("Lobby")
                .kind("universal")
                .password("s3cret")
                .extra_field("footer_text", "Welcome"),
        )
        .expect("created");
    assert_eq!(page.extra["footer_text"], "Welcome");
    assert!(page.extra.get("password").is_none(), "never echoed");
    let page = console
        .landing_pages()
        .update(
            &page.id,
            UpdateLandingPageRequest::builder().extra_field("footer_text", "Hello"),
        )
        .expect("updated");
    assert_eq!(page.extra["footer_text"], "Hello");

    let profile = console
        .credential_profiles()
        .create(
            CreateCredentialProfileRequest::builder()
                .name("Main")
                .keys(vec![CredentialProfileKey::new(
                    "00112233445566778899aabbccddeeff",
                )])
                .extra_field("card_storage_hint", "4K"),
        )
        .expect("created");
    assert_eq!(profile.extra["card_storage_hint"], "4K");
    assert!(
        !serde_json::to_string(&profile)
            .expect("json")
            .contains("00112233445566778899aabbccddeeff"),
        "key values are never echoed"
    );
    let without_keys = console
        .credential_profiles()
        .create(CreateCredentialProfileRequest::builder().name("No keys"))
        .expect("keys are optional");
    assert_eq!(without_keys.keys.as_deref().map(<[_]>::len), Some(0));

    let hook = console
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("Prod")
                .url("http://127.0.0.1:9/hook")
                .subscribed_events(vec!["ag.access_pass.issued".to_owned()])
                .extra_field("description", "door controllers"),
        )
        .expect("created");
    assert_eq!(hook.extra["description"], "door controllers");
    let listed = console
        .webhooks()
        .list(accessgrid::models::ConsolePageQuery::default())
        .expect("listed");
    assert_eq!(listed.items()[0].extra["description"], "door controllers");

    let org = console
        .hid()
        .orgs()
        .create(
            CreateHidOrgRequest::builder()
                .name("Org")
                .full_address("1 Main St")
                .phone("+1")
                .first_name("Ada")
                .last_name("Lovelace")
                .extra_field("region", "EU"),
        )
        .expect("created");
    assert_eq!(org.extra["region"], "EU");
    // Activated with the credentials HID mailed, though the org was created without an
    // email (the official example's flow).
    let active = console
        .hid()
        .orgs()
        .activate(
            ActivateHidOrgRequest::builder()
                .email("admin@example.com")
                .password("hid-password-123"),
        )
        .expect("activated");
    assert_eq!(active.id, org.id);
    assert_eq!(active.status.as_deref(), Some("active"));
    assert_eq!(active.extra["region"], "EU");
}
