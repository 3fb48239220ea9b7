//! The SDK's console endpoints against the sandbox: templates, the event log, the ledger,
//! template pairs and unified passes, landing pages, credential profiles, webhooks and HID
//! orgs, plus bodies the sandbox refuses (sent raw, since the client never sends them).
#![cfg(feature = "sandbox")]

mod common;

use accessgrid::models::{
    ActivateHidOrgRequest, CardState, ConsolePageQuery, CreateCredentialProfileRequest,
    CreateHidOrgRequest, CreateLandingPageRequest, CreateTemplatePairRequest,
    CreateTemplateRequest, CreateWebhookRequest, CredentialProfileKey, IssueCardRequest,
    LandingPageKind, LedgerItemsQuery, ListCardsQuery, LogDevice, LogEventType, TemplateLogFilters,
    TemplateLogQuery, TemplatePlatform, TemplateStatus, UpdateLandingPageRequest,
    UpdateTemplateRequest,
};
use accessgrid::sandbox::DeviceType;
use accessgrid::Client;
use common::sandbox::{harness_sandbox, raw_post};
use serde_json::Value;

fn template(client: &Client, name: &str, platform: &str) -> String {
    common::sandbox::create_template(client, common::sandbox::template_request(name, platform))
}

/// Pairs an Apple and a Google template through the console.
fn pair(
    client: &Client,
    name: &str,
    apple: &str,
    google: &str,
) -> Result<accessgrid::models::TemplatePair, accessgrid::Error> {
    client.console().pairs().create(
        CreateTemplatePairRequest::builder()
            .name(name)
            .apple_card_template_id(apple.to_owned())
            .google_card_template_id(google.to_owned()),
    )
}

fn issue(client: &Client, template_id: &str, name: &str) -> accessgrid::models::AccessCard {
    client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(template_id.to_owned())
                .full_name(name)
                .site_code("7")
                .card_number("77"),
        )
        .expect("issued")
}

fn id(card: &accessgrid::models::AccessCard) -> String {
    card.id.clone()
}

#[test]
fn templates_are_created_read_updated_published_and_deleted() {
    let sb = harness_sandbox();
    let client = sb.client();
    let console = client.console();

    let created = console
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("HQ badge")
                .platform(TemplatePlatform::Apple)
                .use_case("corporate_id")
                .protocol("seos")
                .allow_on_multiple_devices(true)
                .watch_count(2)
                .background_color("#112233")
                .support_url("https://help.example.com")
                .metadata(serde_json::Map::from_iter([(
                    "cost_center".to_owned(),
                    Value::from("42"),
                )])),
        )
        .expect("created");
    let tid = created.id.clone();
    assert_eq!(created.status, Some(TemplateStatus::Draft));

    let read = console.templates().get(&tid).expect("read");
    assert!(!read.is_pair());
    assert_eq!(read.name.as_deref(), Some("HQ badge"));
    assert_eq!(read.platform, Some(TemplatePlatform::Apple));
    assert_eq!(
        read.protocol.as_ref().map(|p| p.to_string()).as_deref(),
        Some("seos")
    );
    let counts = read.allowed_device_counts.clone().expect("device counts");
    assert_eq!(counts.allow_on_multiple_devices, Some(true));
    assert_eq!(counts.watch, Some(2));
    let style = read.style_settings.clone().expect("style");
    assert_eq!(style.background_color.as_deref(), Some("#112233"));
    let support = read.support_settings.clone().expect("support");
    assert_eq!(support.url.as_deref(), Some("https://help.example.com"));
    assert_eq!(
        read.metadata.as_ref().and_then(|m| m.get("cost_center")),
        Some(&Value::from("42"))
    );
    assert_eq!(read.issued_keys_count, Some(0));

    let listed = console.templates().list().expect("listed");
    let ids: Vec<String> = listed.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, [sb.template_id(), tid.clone()]);

    let updated = console
        .templates()
        .update(&tid, UpdateTemplateRequest::builder().name("HQ badge v2"))
        .expect("updated");
    assert_eq!(updated.name.as_deref(), Some("HQ badge v2"));
    assert_eq!(
        updated
            .style_settings
            .and_then(|s| s.background_color)
            .as_deref(),
        Some("#112233"),
        "fields not sent are kept"
    );

    let published = console.templates().publish(&tid).expect("published");
    assert_eq!(published.id, tid.as_str());
    assert_eq!(published.status, Some(TemplateStatus::Ready));
    let read = console.templates().get(&tid).expect("read");
    assert!(read.last_published_at.is_some());

    let card = issue(&client, &tid, "Ada");
    sb.install(&id(&card)).expect("installed");
    let read = console.templates().get(&tid).expect("read");
    assert_eq!(
        (read.issued_keys_count, read.active_keys_count),
        (Some(1), Some(1))
    );

    let refused = console
        .templates()
        .delete(&tid)
        .expect_err("a pass still uses it");
    assert_eq!(refused.status(), Some(422));
    client
        .access_cards()
        .delete(&id(&card))
        .expect("pass deleted");
    console.templates().delete(&tid).expect("template deleted");
    assert_eq!(
        console.templates().get(&tid).err().and_then(|e| e.status()),
        Some(404)
    );
    let refused = client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(tid)
                .full_name("Late")
                .site_code("1"),
        )
        .expect_err("the template is gone");
    assert_eq!(refused.status(), Some(404));

    let kinds: Vec<String> = sb
        .events()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("ag.card_template"))
        .collect();
    assert_eq!(
        kinds,
        [
            "ag.card_template.created",
            "ag.card_template.updated",
            "ag.card_template.requested_publishing",
            "ag.card_template.published",
            "ag.card_template.deleted",
        ]
    );
}

#[test]
fn template_bodies_that_break_the_rules_are_refused() {
    let sb = harness_sandbox();
    let post = |body: &str| {
        raw_post(
            &sb,
            "/v1/console/card-templates",
            body,
            common::ACCOUNT,
            None,
        )
    };
    let cases = [
        (
            r#"{"name":"x","platform":"apple","use_case":"employee_badge"}"#,
            "use_case",
        ),
        (
            r#"{"name":"x","platform":"windows","use_case":"hotel"}"#,
            "platform",
        ),
        (
            r#"{"name":"x","platform":"apple","use_case":"hotel","protocol":"mifare"}"#,
            "protocol",
        ),
        (r#"{"platform":"apple","use_case":"hotel"}"#, "name"),
        (
            r#"{"name":"x","platform":"apple","use_case":"hotel","allow_on_multiple_devices":true,"watch_count":6}"#,
            "watch_count",
        ),
        (
            r#"{"name":"x","platform":"apple","use_case":"hotel","background_color":"blue"}"#,
            "background_color",
        ),
    ];
    for (body, field) in cases {
        let answer = post(body);
        let (status, answer) = (answer.status, answer.body);
        assert_eq!(status, 422, "{body} -> {answer}");
        assert!(
            answer["errors"][field].is_array(),
            "{body}: expected `{field}` in {answer}"
        );
    }
    assert_eq!(
        sb.client()
            .console()
            .templates()
            .list()
            .expect("listed")
            .len(),
        1
    );
    // The reasons list the values the schema's open enums know.
    for (body, field, reason) in [
        (
            r#"{"name":"x","platform":"windows","use_case":"hotel"}"#,
            "platform",
            "is `windows`; it must be one of apple, google, android",
        ),
        (
            r#"{"name":"x","platform":"apple","use_case":"gym"}"#,
            "use_case",
            "is `gym`; it must be one of corporate_id, student_id, multi_family, hotel",
        ),
    ] {
        let answer = post(body);
        assert_eq!(answer.status, 422, "{body} -> {}", answer.body);
        assert_eq!(answer.body["errors"][field][0], reason, "{}", answer.body);
    }
}

#[test]
fn the_event_log_records_every_change_and_filters() {
    let sb = harness_sandbox();
    let client = sb.client();
    let console = client.console();
    let tid = sb.template_id();
    let a = id(&issue(&client, &tid, "A"));
    let b = id(&issue(&client, &tid, "B"));
    sb.install_on(&a, DeviceType::Watch).expect("installed");
    sb.install(&b).expect("installed");
    client.access_cards().suspend(&a).expect("suspended");
    client.access_cards().resume(&a).expect("resumed");
    client.access_cards().unlink(&b).expect("unlinked");

    let all = console
        .templates()
        .logs(&tid, TemplateLogQuery::default())
        .expect("log");
    let events: Vec<String> = all
        .items()
        .to_vec()
        .into_iter()
        .filter_map(|e| e.event.map(|e| e.to_string()))
        .collect();
    assert_eq!(
        events,
        ["issue", "issue", "install", "install", "suspend", "resume", "unlink"]
    );
    let first = &all.items().to_vec()[0];
    assert_eq!(first.ip_address.as_deref(), Some("127.0.0.1"));
    assert!(
        first
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("accessgrid-rs/")),
        "{first:?}"
    );
    assert_eq!(
        first
            .metadata
            .as_ref()
            .and_then(|m| m.get("access_pass_id")),
        Some(&Value::from(a.clone()))
    );

    // The log entries a filter lets through.
    let logged = |filters| {
        console
            .templates()
            .logs(&tid, TemplateLogQuery::builder().filters(filters))
            .expect("log")
            .len()
    };
    assert_eq!(
        logged(TemplateLogFilters::builder().event_type(LogEventType::Install)),
        2,
        "installs"
    );
    assert_eq!(
        logged(TemplateLogFilters::builder().device(LogDevice::Watch)),
        1,
        "watch"
    );
    assert_eq!(
        logged(TemplateLogFilters::builder().start_date("2999-01-01T00:00:00Z")),
        0,
        "future"
    );
    assert_eq!(
        logged(TemplateLogFilters::builder().end_date("2000-01-01")),
        0,
        "past"
    );

    let page = console
        .templates()
        .logs(&tid, TemplateLogQuery::builder().per_page(3).page(3))
        .expect("page 3");
    assert_eq!(page.len(), 1);
    let p = page.info();
    assert_eq!(
        (p.current_page, p.per_page, p.total_pages, p.total_count),
        (Some(3), Some(3), Some(3), Some(7))
    );
    let walked = console
        .templates()
        .logs_all(&tid, TemplateLogQuery::builder().per_page(2))
        .expect("iterator")
        .count();
    assert_eq!(walked, 7);

    assert_eq!(
        console
            .templates()
            .logs("0xnothere", TemplateLogQuery::default())
            .err()
            .and_then(|e| e.status()),
        Some(404)
    );
}

#[test]
fn the_ledger_has_one_item_per_issued_pass() {
    let sb = harness_sandbox();
    let client = sb.client();
    let ids: Vec<String> = (0..3)
        .map(|n| id(&issue(&client, &sb.template_id(), &format!("p{n}"))))
        .collect();
    let ledger = client
        .console()
        .ledger()
        .list(LedgerItemsQuery::default())
        .expect("ledger");
    let items = ledger.items().to_vec();
    assert_eq!(items.len(), 3);
    let pass_ids: Vec<String> = items
        .iter()
        .filter_map(|i| i.access_pass.as_ref()?.id.clone())
        .collect();
    assert_eq!(pass_ids, ids);
    let first = &items[0];
    assert_eq!(first.amount.as_ref().and_then(|a| a.to_cents()), Some(-100));
    let pass = first.access_pass.clone().expect("access pass");
    assert_eq!(pass.full_name.as_deref(), Some("p0"));
    assert_eq!(
        pass.pass_template.and_then(|t| t.id),
        Some(sb.template_id())
    );
    let total: i128 = client
        .console()
        .ledger()
        .list_all(LedgerItemsQuery::builder().per_page(2))
        .expect("iterator")
        .map(|i| {
            i.expect("item")
                .amount
                .and_then(|a| a.to_cents())
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(total, -300);
    let none = client
        .console()
        .ledger()
        .list(LedgerItemsQuery::builder().end_date("2001-01-01T00:00:00Z"))
        .expect("ledger");
    assert_eq!(none.len(), 0);
}

#[test]
fn a_template_pair_issues_unified_passes() {
    let sb = harness_sandbox();
    let client = sb.client();
    let console = client.console();
    let apple = template(&client, "HQ Apple", "apple");
    let google = template(&client, "HQ Google", "google");

    let refused = pair(&client, "wrong way round", &google, &apple).expect_err("platforms swapped");
    assert_eq!(refused.status(), Some(422));

    let pair = pair(&client, "HQ", &apple, &google).expect("paired");
    let pair_id = pair.id.clone();
    assert_eq!(
        pair.ios_template.and_then(|t| t.id).as_deref(),
        Some(apple.as_str())
    );
    let pairs = console
        .pairs()
        .list(ConsolePageQuery::default())
        .expect("pairs");
    assert_eq!(pairs.len(), 1);
    let read = console.templates().get(&pair_id).expect("read the pair");
    assert!(read.is_pair());
    assert_eq!(read.members().len(), 2);

    let unified = issue(&client, &pair_id, "Ada");
    assert!(unified.is_unified());
    let uid = id(&unified);
    let details = unified.details.clone().unwrap_or_default();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0].card_template_id.as_deref(), Some(apple.as_str()));
    assert_eq!(
        details[1].card_template_id.as_deref(),
        Some(google.as_str())
    );

    sb.install(&uid).expect("installed");
    let suspended = client.access_cards().suspend(&uid).expect("suspended");
    assert_eq!(suspended.state, Some(CardState::Suspended));
    assert!(suspended
        .details
        .unwrap_or_default()
        .iter()
        .all(|d| d.state == Some(CardState::Suspended)));
    let read = client.access_cards().get(&uid).expect("read");
    assert_eq!(read.status.as_deref(), Some("suspended"));

    // Each half is listed under its own template.
    let google_passes = client
        .access_cards()
        .list(ListCardsQuery::builder().template_id(google))
        .expect("listed");
    assert_eq!(google_passes.info().total_count, Some(1));
    let ledger = console
        .ledger()
        .list(LedgerItemsQuery::default())
        .expect("ledger")
        .into_items();
    assert_eq!(ledger.len(), 2);
    assert!(ledger.iter().all(|i| {
        i.access_pass
            .as_ref()
            .and_then(|p| p.unified_access_pass_ex_id.as_deref())
            == Some(uid.as_str())
    }));
}

#[test]
fn a_template_created_for_android_pairs_like_a_google_one() {
    let sb = harness_sandbox();
    let client = sb.client();
    let console = client.console();
    let apple = template(&client, "HQ Apple", "apple");
    // C# and Elixir create the Google side with `platform: "android"`.
    let android = template(&client, "HQ Android", "android");
    let read = console.templates().get(&android).expect("read");
    assert_eq!(read.platform, Some(TemplatePlatform::Android));

    // Still the Google side only.
    let refused = pair(&client, "wrong way round", &android, &apple)
        .expect_err("an android template is not an Apple one");
    assert_eq!(refused.status(), Some(422));

    let pair = pair(&client, "HQ", &apple, &android)
        .expect("an android template pairs as the Google side");
    let side = pair.android_template.clone().expect("the Google side");
    assert_eq!(side.platform, Some(TemplatePlatform::Android));
    // Ids read from the answer's JSON, whatever their Rust type.
    let answer = serde_json::to_value(&pair).expect("serializes");
    assert_eq!(answer["android_template"]["id"], android.as_str());
    let pair_id = answer["id"].as_str().expect("pair id").to_owned();
    let read = console.templates().get(&pair_id).expect("read the pair");
    assert!(read.is_pair());
    assert_eq!(read.members().len(), 2);

    // A unified pass: one card per side, installed on a device of each side's platform.
    let unified = issue(&client, &pair_id, "Ada");
    assert!(unified.is_unified());
    let uid = id(&unified);
    let details = unified.details.clone().unwrap_or_default();
    let templates: Vec<Option<&str>> = details
        .iter()
        .map(|d| d.card_template_id.as_deref())
        .collect();
    assert_eq!(templates, [Some(apple.as_str()), Some(android.as_str())]);
    // Each half's `ag.access_pass.issued` event names both templates of the pair.
    let issued: Vec<Value> = sb
        .events()
        .into_iter()
        .filter(|e| e.kind == "ag.access_pass.issued")
        .map(|e| e.data)
        .collect();
    assert_eq!(issued.len(), 2);
    for data in &issued {
        let platforms: Vec<&str> = data["card_templates"]
            .as_array()
            .expect("card_templates")
            .iter()
            .filter_map(|t| t["platform"].as_str())
            .collect();
        assert_eq!(platforms, ["apple", "android"], "{data}");
    }
    assert_eq!(issued[1]["card_template_id"], android.as_str());
    assert_eq!(issued[1]["details"]["platform"], "android");
    let installed = sb.install(&uid).expect("installed");
    let platforms: Vec<Option<String>> = installed
        .details
        .unwrap_or_default()
        .iter()
        .map(|d| {
            d.devices
                .as_deref()
                .unwrap_or_default()
                .first()?
                .platform
                .clone()
        })
        .collect();
    assert_eq!(
        platforms,
        [Some("apple".to_owned()), Some("android".to_owned())]
    );
    let suspended = client.access_cards().suspend(&uid).expect("suspended");
    assert!(suspended
        .details
        .unwrap_or_default()
        .iter()
        .all(|d| d.state == Some(CardState::Suspended)));
    let android_passes = client
        .access_cards()
        .list(ListCardsQuery::builder().template_id(android))
        .expect("listed");
    assert_eq!(android_passes.info().total_count, Some(1));
}

#[test]
fn ios_preflight_answers_for_passes_of_the_template() {
    let sb = harness_sandbox();
    let client = sb.client();
    let tid = sb.template_id();
    let card = id(&issue(&client, &tid, "Ada"));
    let ids = client
        .console()
        .templates()
        .ios_preflight(&tid, &card)
        .expect("preflight");
    assert!(ids.provisioning_credential_identifier.is_some());
    assert!(ids.card_template_identifier.is_some());
    let other = template(&client, "Other", "apple");
    let err = client
        .console()
        .templates()
        .ios_preflight(&other, &card)
        .expect_err("not this template's pass");
    assert_eq!(err.status(), Some(404));
}

#[test]
fn landing_pages_credential_profiles_webhooks_and_hid_orgs() {
    let sb = harness_sandbox();
    let client = sb.client();
    let console = client.console();

    let page = console
        .landing_pages()
        .create(
            CreateLandingPageRequest::builder()
                .name("Lobby")
                .kind(LandingPageKind::Universal)
                .password("s3cret"),
        )
        .expect("created");
    let page_id = page.id.clone();
    assert_eq!(page.password_protected, Some(true));
    let updated = console
        .landing_pages()
        .update(
            &page_id,
            UpdateLandingPageRequest::builder().name("Front desk"),
        )
        .expect("updated");
    assert_eq!(updated.name.as_deref(), Some("Front desk"));
    let pages = console.landing_pages().list().expect("listed");
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].name.as_deref(), Some("Front desk"));

    let profiles = console.credential_profiles();
    let profile = profiles
        .create(
            CreateCredentialProfileRequest::builder()
                .name("Main office")
                .keys(vec![CredentialProfileKey::new(
                    "00112233445566778899AABBCCDDEEFF",
                )]),
        )
        .expect("created");
    let profile_id = profile.id.clone();
    assert!(profile.aid.is_some());
    assert_eq!(profiles.list().expect("listed").len(), 1);
    profiles.delete(&profile_id).expect("deleted");
    assert!(profiles.list().expect("listed").is_empty());
    assert_eq!(
        profiles.delete(&profile_id).err().and_then(|e| e.status()),
        Some(404)
    );

    let hooks = console.webhooks();
    let hook = hooks
        .create(
            CreateWebhookRequest::builder()
                .name("Door sync")
                .url("https://doors.example.com/hook")
                .subscribed_events(vec!["ag.access_pass.suspended".to_owned()]),
        )
        .expect("created");
    let hook_id = hook.id.clone();
    let token = hook.private_key.clone().expect("a bearer token on create");
    assert!(token.expose().len() >= 32, "{}", token.expose());
    let listed = hooks.list(ConsolePageQuery::default()).expect("listed");
    let listed = listed.items().to_vec();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].private_key, None, "the token is shown once");
    assert_eq!(
        hooks.verify(&hook_id).expect("verified").verified,
        Some(true)
    );
    hooks.delete(&hook_id).expect("deleted");
    assert_eq!(
        hooks.verify(&hook_id).err().and_then(|e| e.status()),
        Some(404)
    );

    let orgs = console.hid().orgs();
    let org = orgs
        .create(
            CreateHidOrgRequest::builder()
                .name("My Org")
                .full_address("1 Main St")
                .phone("+1-555-0000")
                .first_name("Ada")
                .last_name("Lovelace")
                .email("ada@example.com"),
        )
        .expect("created");
    assert_eq!(org.status.as_deref(), Some("pending"));
    assert_eq!(org.slug.as_deref(), Some("my-org"));
    let activated = orgs
        .activate(
            ActivateHidOrgRequest::builder()
                .email("ada@example.com")
                .password("hid-password"),
        )
        .expect("activated");
    assert_eq!(activated.status.as_deref(), Some("active"));
    assert_eq!(orgs.list().expect("listed").len(), 1);
    let unknown = orgs
        .activate(
            ActivateHidOrgRequest::builder()
                .email("nobody@example.com")
                .password("x"),
        )
        .expect_err("no such org");
    assert_eq!(unknown.status(), Some(404));
}

#[test]
fn console_bodies_are_checked_with_the_sdk_types() {
    let sb = harness_sandbox();
    let cases = [
        (
            "/v1/console/webhooks",
            r#"{"name":"x","url":"https://x"}"#,
            "subscribed_events",
        ),
        (
            "/v1/console/landing-pages",
            r#"{"name":"x","kind":"universal","bg_color":"red"}"#,
            "bg_color",
        ),
        (
            "/v1/console/hid/orgs/activate",
            r#"{"email":"a@b.c"}"#,
            "password",
        ),
        (
            "/v1/console/card-template-pairs",
            r#"{"name":"x","apple_card_template_id":"a"}"#,
            "google_card_template_id",
        ),
    ];
    for (path, body, field) in cases {
        let answer = raw_post(&sb, path, body, common::ACCOUNT, None);
        let (status, answer) = (answer.status, answer.body);
        assert_eq!(status, 422, "{path} {body} -> {answer}");
        assert!(
            answer["errors"][field].is_array(),
            "{path}: expected `{field}` in {answer}"
        );
    }
}

#[cfg(feature = "smart-tap")]
#[test]
fn smart_tap_keys_are_revealed_encrypted_to_the_callers_key() {
    let sb = harness_sandbox();
    let client = sb.client();
    let console = client.console();
    let tid = console
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Tap")
                .platform("google")
                .use_case("corporate_id")
                .protocol("smart_tap"),
        )
        .expect("created")
        .id;
    let key = console
        .templates()
        .reveal_smart_tap(&tid)
        .expect("revealed");
    assert!(
        key.private_key_pem().contains(&tid),
        "the sandbox's key for this template"
    );
    assert!(key
        .private_key_pem()
        .starts_with("-----BEGIN EC PRIVATE KEY-----"));
    // A fresh key pair each call: a second reveal works too.
    console
        .templates()
        .reveal_smart_tap(&tid)
        .expect("revealed again");

    let err = console
        .templates()
        .reveal_smart_tap(&sb.template_id())
        .expect_err("a desfire template has no SmartTap key");
    assert_eq!(err.status(), Some(422));
    assert!(matches!(err, accessgrid::Error::Api(_)));
}
