//! One test per console endpoint: the exact request (method, path, query with
//! `sig_payload`, headers, recomputed signature, body bytes) and the decoded answer.

mod common;

use accessgrid::models::{
    ActivateHidOrgRequest, ConsolePageQuery, CreateCredentialProfileRequest, CreateHidOrgRequest,
    CreateLandingPageRequest, CreateTemplatePairRequest, CreateTemplateRequest,
    CreateWebhookRequest, CredentialProfileKey, LandingPageKind, LedgerItemsQuery, LogDevice,
    LogEventType, TemplateLogFilters, TemplateLogQuery, TemplatePlatform, TemplateProtocol,
    TemplateStatus, TemplateUseCase, UpdateLandingPageRequest, UpdateTemplateRequest,
    WebhookAuthMethod,
};
use common::{assert_hit, client, mock, Expected};

/// The body the mock accepted, pretty, for a snapshot.
fn pretty(body: &str) -> serde_json::Value {
    serde_json::from_str(body).expect("the expected body is JSON")
}

fn value<T: serde::Serialize>(answer: &T) -> serde_json::Value {
    serde_json::to_value(answer).expect("answers serialize")
}

// --- card templates ---

#[test]
fn create_template_sends_a_flat_body() {
    let mut server = mockito::Server::new();
    let body = concat!(
        r##"{"allow_on_multiple_devices":true,"background_color":"#FFFFFF","iphone_count":3,"##,
        r##""label_color":"#000000","label_secondary_color":"#333333","##,
        r##""metadata":{"approval_status":"approved","version":"2.1"},"##,
        r##""name":"Employee Access Pass","platform":"apple","##,
        r##""privacy_policy_url":"https://yourcompany.com/privacy","protocol":"desfire","##,
        r##""support_email":"support@yourcompany.com","support_phone_number":"+1-555-123-4567","##,
        r##""support_url":"https://help.yourcompany.com","##,
        r##""terms_and_conditions_url":"https://yourcompany.com/terms","##,
        r##""use_case":"corporate_id","watch_count":2}"##
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/card-templates", body),
        201,
        r#"{"id":"0xt3mp1a73","estimated_publishing_date":"2025-03-01","metadata":{"version":"2.1"},"unknown_field":[1]}"#,
    );
    let mut metadata = serde_json::Map::new();
    metadata.insert("version".into(), "2.1".into());
    metadata.insert("approval_status".into(), "approved".into());
    let template = client(&server)
        .console()
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Employee Access Pass")
                .platform(TemplatePlatform::Apple)
                .use_case(TemplateUseCase::CorporateId)
                .protocol("desfire")
                .allow_on_multiple_devices(true)
                .watch_count(2)
                .iphone_count(3)
                .background_color("#FFFFFF")
                .label_color("#000000")
                .label_secondary_color("#333333")
                .support_url("https://help.yourcompany.com")
                .support_phone_number("+1-555-123-4567")
                .support_email("support@yourcompany.com")
                .privacy_policy_url("https://yourcompany.com/privacy")
                .terms_and_conditions_url("https://yourcompany.com/terms")
                .metadata(metadata),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(template.id, "0xt3mp1a73");
    assert_eq!(
        template.estimated_publishing_date.as_deref(),
        Some("2025-03-01")
    );
    insta::assert_json_snapshot!("create_template_body", pretty(body));
}

#[test]
fn list_templates_reads_a_bare_array() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/console/card-templates", &[], "{}"),
        200,
        r#"[{"id":"t1","name":"A","platform":"apple"},{"id":"t2","name":"B","platform":"google"}]"#,
    );
    let templates = client(&server)
        .console()
        .templates()
        .list()
        .expect("listed");
    assert_hit(&m, &why);
    let ids: Vec<_> = templates.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t1", "t2"]);
    assert_eq!(templates[1].platform, Some(TemplatePlatform::Google));
}

#[test]
fn list_templates_reads_a_wrapped_array() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/console/card-templates", &[], "{}"),
        200,
        r#"{"card_templates":[{"id":"t1"}],"pagination":{"total_count":1}}"#,
    );
    let templates = client(&server)
        .console()
        .templates()
        .list()
        .expect("listed");
    assert_hit(&m, &why);
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].id, "t1");
}

#[test]
fn read_template_decodes_a_single_template() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-templates/0xd3adb00b5",
            &[],
            r#"{"id":"0xd3adb00b5"}"#,
        ),
        200,
        r##"{"id":"0xd3adb00b5","name":"Badge","platform":"apple","use_case":"corporate_id",
            "protocol":"desfire","status":"ready","created_at":"2025-01-01T00:00:00Z",
            "last_published_at":null,"issued_keys_count":12,"active_keys_count":10,
            "allowed_device_counts":{"allow_on_multiple_devices":true,"watch":2,"iphone":3,"android_device_limit":"all_devices"},
            "support_settings":{"url":"https://help.example.com","phone":"+1-555","email":"help@example.com"},
            "terms_settings":{"privacy_policy_url":"https://example.com/p","terms_and_conditions_url":"https://example.com/t"},
            "style_settings":{"background_color":"#FFFFFF","label_color":"#000000","label_secondary_color":"#333333"},
            "metadata":{"version":"2.1"},"something_new":{"a":1}}"##,
    );
    let template = client(&server)
        .console()
        .templates()
        .get("0xd3adb00b5")
        .expect("read");
    assert_hit(&m, &why);
    assert!(!template.is_pair());
    assert!(template.members().is_empty());
    assert_eq!(template.protocol, Some(TemplateProtocol::Desfire));
    assert_eq!(template.status, Some(TemplateStatus::Ready));
    assert_eq!(
        template
            .allowed_device_counts
            .as_ref()
            .and_then(|d| d.watch),
        Some(2)
    );
    insta::assert_json_snapshot!("read_template_single", value(&template));
}

#[test]
fn read_template_decodes_a_pair_with_templates() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-templates/0xpa1r",
            &[],
            r#"{"id":"0xpa1r"}"#,
        ),
        200,
        r#"{"id":"0xpa1r","name":"Pair","templates":[
            {"id":"0xapple","platform":"apple","protocol":"desfire"},
            {"id":"0xgoogle","platform":"android","protocol":"smart_tap"}]}"#,
    );
    let template = client(&server)
        .console()
        .templates()
        .get("0xpa1r")
        .expect("read");
    assert_hit(&m, &why);
    assert!(template.is_pair());
    let platforms: Vec<_> = template
        .members()
        .iter()
        .map(|t| t.platform.clone())
        .collect();
    assert_eq!(
        platforms,
        [
            Some(TemplatePlatform::Apple),
            Some(TemplatePlatform::Android)
        ]
    );
}

#[test]
fn read_template_recognises_is_pair() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-templates/0xpa1r",
            &[],
            r#"{"id":"0xpa1r"}"#,
        ),
        200,
        r#"{"id":"0xpa1r","name":"Pair","is_pair":true}"#,
    );
    let template = client(&server)
        .console()
        .templates()
        .get("0xpa1r")
        .expect("read");
    assert_hit(&m, &why);
    assert!(template.is_pair());
    assert!(template.members().is_empty());
}

#[test]
fn update_template_puts_a_flat_body() {
    let mut server = mockito::Server::new();
    let body = concat!(
        r#"{"allow_on_multiple_devices":true,"iphone_count":3,"name":"Updated Employee NFC key","#,
        r#""support_email":"support@yourcompany.com","support_url":"https://help.yourcompany.com","#,
        r#""watch_count":2}"#
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("PUT", "/v1/console/card-templates/0xd3adb00b5", body),
        200,
        r#"{"id":"0xd3adb00b5","name":"Updated Employee NFC key"}"#,
    );
    let template = client(&server)
        .console()
        .templates()
        .update(
            "0xd3adb00b5",
            UpdateTemplateRequest::builder()
                .name("Updated Employee NFC key")
                .allow_on_multiple_devices(true)
                .watch_count(2)
                .iphone_count(3)
                .support_url("https://help.yourcompany.com")
                .support_email("support@yourcompany.com"),
        )
        .expect("updated");
    assert_hit(&m, &why);
    assert_eq!(template.name.as_deref(), Some("Updated Employee NFC key"));
    insta::assert_json_snapshot!("update_template_body", pretty(body));
}

#[test]
fn templates_attach_credential_profiles_and_landing_pages_by_ex_id() {
    let mut server = mockito::Server::new();
    let create = concat!(
        r#"{"credential_profiles":["cp_1","cp_2"],"landing_pages":["lp_1"],"#,
        r#""name":"Lobby pass","platform":"android","protocol":"smart_tap","use_case":"corporate_id"}"#
    );
    let answer = concat!(
        r#"{"id":"0xt3mp1a73","name":"Lobby pass","platform":"android","#,
        r#""credential_profiles":["cp_1","cp_2"],"landing_pages":["lp_1"]}"#
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/card-templates", create),
        201,
        answer,
    );
    let template = client(&server)
        .console()
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Lobby pass")
                .platform(TemplatePlatform::Android)
                .use_case(TemplateUseCase::CorporateId)
                .protocol(TemplateProtocol::SmartTap)
                .credential_profiles(vec!["cp_1".to_owned(), "cp_2".to_owned()])
                .landing_pages(vec!["lp_1".to_owned()]),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(
        template.credential_profiles,
        Some(vec!["cp_1".to_owned(), "cp_2".to_owned()])
    );
    assert_eq!(template.landing_pages, Some(vec!["lp_1".to_owned()]));
    assert_eq!(template.platform, Some(TemplatePlatform::Android));
    // The answer serializes back to what was received.
    assert_eq!(value(&template), pretty(answer));

    let update = r#"{"landing_pages":["lp_2"]}"#;
    let (m, why) = mock(
        &mut server,
        Expected::json("PUT", "/v1/console/card-templates/0xt3mp1a73", update),
        200,
        r#"{"id":"0xt3mp1a73","landing_pages":["lp_2"]}"#,
    );
    let template = client(&server)
        .console()
        .templates()
        .update(
            "0xt3mp1a73",
            UpdateTemplateRequest::builder().landing_pages(vec!["lp_2".to_owned()]),
        )
        .expect("updated");
    assert_hit(&m, &why);
    assert_eq!(template.landing_pages, Some(vec!["lp_2".to_owned()]));
    assert!(template.credential_profiles.is_none());
}

#[test]
fn delete_template_accepts_an_empty_204() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "DELETE",
            "/v1/console/card-templates/0xd3adb00b5",
            &[],
            r#"{"id":"0xd3adb00b5"}"#,
        ),
        204,
        "",
    );
    client(&server)
        .console()
        .templates()
        .delete("0xd3adb00b5")
        .expect("deleted");
    assert_hit(&m, &why);
}

#[test]
fn publish_template_sends_no_body() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "POST",
            "/v1/console/card-templates/0xd3adb00b5/publish",
            &[],
            r#"{"id":"0xd3adb00b5"}"#,
        ),
        200,
        r#"{"id":"0xd3adb00b5","status":"in-review"}"#,
    );
    let result = client(&server)
        .console()
        .templates()
        .publish("0xd3adb00b5")
        .expect("published");
    assert_hit(&m, &why);
    assert_eq!(result.status, Some(TemplateStatus::InReview));
}

// --- event log ---

#[test]
fn event_log_sends_rails_bracket_filters_and_reads_logs() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-templates/0xd3adb00b5/logs",
            &[
                ("filters[device]", "watch"),
                ("filters[end_date]", "2025-02-01T00:00:00Z"),
                ("filters[event_type]", "install"),
                ("filters[start_date]", "2025-01-01T00:00:00+01:00"),
                ("page", "2"),
                ("per_page", "25"),
            ],
            r#"{"id":"0xd3adb00b5"}"#,
        ),
        200,
        r#"{"logs":[
            {"id":101,"event":"install","created_at":"2025-01-02T10:00:00Z","ip_address":"192.0.2.1","user_agent":"iOS","metadata":{"device":"watch"}},
            {"id":102,"event":"shared_to_family","created_at":"2025-01-03T10:00:00Z","extra":true}],
            "pagination":{"current_page":2,"per_page":25,"total_pages":2,"total_count":27}}"#,
    );
    let page = client(&server)
        .console()
        .templates()
        .logs(
            "0xd3adb00b5",
            TemplateLogQuery::builder().page(2).per_page(25).filters(
                TemplateLogFilters::builder()
                    .device(LogDevice::Watch)
                    .start_date("2025-01-01T00:00:00+01:00")
                    .end_date("2025-02-01T00:00:00Z")
                    .event_type(LogEventType::Install),
            ),
        )
        .expect("logs");
    assert_hit(&m, &why);
    let logs = page.items().to_vec();
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0].event, Some(LogEventType::Install));
    assert_eq!(logs[0].id, serde_json::json!(101));
    assert_eq!(
        logs[1].event,
        Some(LogEventType::Unknown("shared_to_family".into()))
    );
    insta::assert_json_snapshot!("event_log_answer", value(&page));
}

#[test]
fn event_log_without_filters_sends_only_sig_payload() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-templates/0xd3adb00b5/logs",
            &[],
            r#"{"id":"0xd3adb00b5"}"#,
        ),
        200,
        r#"{"logs":[]}"#,
    );
    let page = client(&server)
        .console()
        .templates()
        .logs("0xd3adb00b5", TemplateLogQuery::default())
        .expect("logs");
    assert_hit(&m, &why);
    assert_eq!(page.len(), 0);
}

// --- iOS preflight ---

#[test]
fn ios_preflight_posts_the_pass_id_and_reads_camel_case() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::json(
            "POST",
            "/v1/console/card-templates/0xt3mp14t3/ios_preflight",
            r#"{"access_pass_ex_id":"0xp455"}"#,
        ),
        200,
        r#"{"provisioningCredentialIdentifier":"pci","sharingInstanceIdentifier":"sii",
            "cardTemplateIdentifier":"cti","environmentIdentifier":"ei","new":1}"#,
    );
    let ids = client(&server)
        .console()
        .templates()
        .ios_preflight("0xt3mp14t3", "0xp455")
        .expect("preflight");
    assert_hit(&m, &why);
    assert_eq!(
        ids.provisioning_credential_identifier.as_deref(),
        Some("pci")
    );
    assert_eq!(ids.sharing_instance_identifier.as_deref(), Some("sii"));
    assert_eq!(ids.card_template_identifier.as_deref(), Some("cti"));
    assert_eq!(ids.environment_identifier.as_deref(), Some("ei"));
}

// --- ledger ---

#[test]
fn ledger_items_keep_amounts_exact() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/ledger-items",
            &[
                ("end_date", "2025-02-01T00:00:00Z"),
                ("page", "1"),
                ("per_page", "100"),
                ("start_date", "2025-01-01T00:00:00Z"),
            ],
            "{}",
        ),
        200,
        r#"{"ledger_items":[
            {"id":"li_1","created_at":"2025-01-05T00:00:00Z","amount":"-49.0","kind":"pass_issued",
             "metadata":{},"access_pass":{"id":"ap_1","ex_id":"0xap1","full_name":"Ada","state":"active",
             "unified_access_pass_ex_id":null,"pass_template":{"id":"pt_1","ex_id":"0xpt1","name":"Badge",
             "protocol":"desfire","platform":"apple","use_case":"corporate_id"}}},
            {"id":"li_2","amount":"0.10","kind":"credit","access_pass":null},
            {"id":"li_3","amount":"0.20","kind":"credit"}],
            "pagination":{"current_page":1,"per_page":100,"total_pages":1,"total_count":3}}"#,
    );
    let page = client(&server)
        .console()
        .ledger()
        .list(
            LedgerItemsQuery::builder()
                .page(1)
                .per_page(100)
                .start_date("2025-01-01T00:00:00Z")
                .end_date("2025-02-01T00:00:00Z"),
        )
        .expect("ledger");
    assert_hit(&m, &why);
    let items = page.items().to_vec();
    let amount = items[0].amount.clone().expect("an amount");
    assert_eq!(amount.as_str(), "-49.0");
    assert_eq!(amount.to_cents(), Some(-4900));
    assert_eq!(amount.to_f64(), -49.0);
    // Exact: 0.10 + 0.20 is 30 cents, with no float rounding.
    let credits: i128 = items[1..]
        .iter()
        .filter_map(|i| i.amount.as_ref()?.to_cents())
        .sum();
    assert_eq!(credits, 30);
    let pass = items[0].access_pass.as_ref().expect("a pass");
    assert_eq!(pass.state, Some(accessgrid::models::CardState::Active));
    assert_eq!(
        pass.pass_template.as_ref().and_then(|t| t.protocol.clone()),
        Some(TemplateProtocol::Desfire)
    );
    insta::assert_json_snapshot!("ledger_items_answer", value(&page));
}

// --- template pairs ---

#[test]
fn list_pass_template_pairs_reads_card_template_pairs() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-template-pairs",
            &[("page", "1"), ("per_page", "10")],
            "{}",
        ),
        200,
        r#"{"card_template_pairs":[{"id":"pair_1","ex_id":"0xpair1","name":"HQ","created_at":"2025-01-01",
            "ios_template":{"id":"t_a","ex_id":"0xta","name":"HQ iOS","platform":"apple"},
            "android_template":{"id":"t_g","ex_id":"0xtg","name":"HQ Android","platform":"android"}}],
            "pagination":{"current_page":1,"per_page":10,"total_pages":1,"total_count":1}}"#,
    );
    let page = client(&server)
        .console()
        .pairs()
        .list(ConsolePageQuery::builder().page(1).per_page(10))
        .expect("pairs");
    assert_hit(&m, &why);
    let pairs = page.items().to_vec();
    assert_eq!(pairs.len(), 1);
    assert_eq!(
        pairs[0]
            .android_template
            .as_ref()
            .and_then(|t| t.platform.clone()),
        Some(TemplatePlatform::Android)
    );
    insta::assert_json_snapshot!("template_pairs_answer", value(&page));
}

#[test]
fn create_pass_template_pair_posts_both_ids() {
    let mut server = mockito::Server::new();
    let body = r#"{"apple_card_template_id":"0xta","google_card_template_id":"0xtg","name":"HQ"}"#;
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/card-template-pairs", body),
        201,
        r#"{"id":"pair_1","name":"HQ","ios_template":{"id":"0xta"},"android_template":{"id":"0xtg"}}"#,
    );
    let pair = client(&server)
        .console()
        .pairs()
        .create(
            CreateTemplatePairRequest::builder()
                .name("HQ")
                .apple_card_template_id("0xta")
                .google_card_template_id("0xtg"),
        )
        .expect("paired");
    assert_hit(&m, &why);
    assert_eq!(pair.id, "pair_1");
}

// --- landing pages ---

#[test]
fn list_landing_pages_reads_a_bare_array() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/console/landing-pages", &[], "{}"),
        200,
        r#"[{"id":"lp_1","name":"Miami","created_at":"2025-01-01","kind":"universal","password_protected":false,"logo_url":null},
            {"id":"lp_2","name":"Event","kind":"kiosk"}]"#,
    );
    let pages = client(&server)
        .console()
        .landing_pages()
        .list()
        .expect("pages");
    assert_hit(&m, &why);
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].kind, Some(LandingPageKind::Universal));
    assert_eq!(
        pages[1].kind,
        Some(LandingPageKind::Unknown("kiosk".into()))
    );
    insta::assert_json_snapshot!("landing_pages_answer", value(&pages));
}

#[test]
fn list_landing_pages_reads_a_wrapped_array() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/console/landing-pages", &[], "{}"),
        200,
        r#"{"landing_pages":[{"id":"lp_1"}]}"#,
    );
    let pages = client(&server)
        .console()
        .landing_pages()
        .list()
        .expect("pages");
    assert_hit(&m, &why);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].id, "lp_1");
}

#[test]
fn create_landing_page_posts_its_fields() {
    let mut server = mockito::Server::new();
    let body = concat!(
        r##"{"additional_text":"Welcome to the Miami Office","allow_immediate_download":true,"##,
        r##""bg_color":"#f1f5f9","is_2fa_enabled":false,"kind":"universal","name":"Miami Office Access Pass"}"##
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/landing-pages", body),
        201,
        r#"{"id":"lp_1","name":"Miami Office Access Pass","kind":"universal","password_protected":false}"#,
    );
    let page = client(&server)
        .console()
        .landing_pages()
        .create(
            CreateLandingPageRequest::builder()
                .name("Miami Office Access Pass")
                .kind(LandingPageKind::Universal)
                .additional_text("Welcome to the Miami Office")
                .bg_color("#f1f5f9")
                .allow_immediate_download(true)
                .is_2fa_enabled(false),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(page.id, "lp_1");
    insta::assert_json_snapshot!("create_landing_page_body", pretty(body));
}

#[test]
fn update_landing_page_puts_only_set_fields() {
    let mut server = mockito::Server::new();
    let body = r##"{"additional_text":"Tap below.","bg_color":"#e2e8f0","name":"Updated"}"##;
    let (m, why) = mock(
        &mut server,
        Expected::json("PUT", "/v1/console/landing-pages/0xlandingpage1d", body),
        200,
        r#"{"id":"0xlandingpage1d","name":"Updated"}"#,
    );
    let page = client(&server)
        .console()
        .landing_pages()
        .update(
            "0xlandingpage1d",
            UpdateLandingPageRequest::builder()
                .name("Updated")
                .additional_text("Tap below.")
                .bg_color("#e2e8f0"),
        )
        .expect("updated");
    assert_hit(&m, &why);
    assert_eq!(page.name.as_deref(), Some("Updated"));
}

// --- credential profiles ---

#[test]
fn credential_profiles_list_reads_bare_and_wrapped() {
    for answer in [
        r#"[{"id":"cp_1","aid":"F0ABCD","name":"Main","keys":[{"index":0}],"files":[]}]"#,
        r#"{"credential_profiles":[{"id":"cp_1","aid":"F0ABCD","name":"Main","keys":[{"index":0}],"files":[]}]}"#,
    ] {
        let mut server = mockito::Server::new();
        let (m, why) = mock(
            &mut server,
            Expected::bodyless("GET", "/v1/console/credential-profiles", &[], "{}"),
            200,
            answer,
        );
        let profiles = client(&server)
            .console()
            .credential_profiles()
            .list()
            .expect("profiles");
        assert_hit(&m, &why);
        assert_eq!(profiles.len(), 1, "{answer}");
        assert_eq!(profiles[0].aid.as_deref(), Some("F0ABCD"));
        insta::assert_json_snapshot!("credential_profiles_answer", value(&profiles));
    }
}

#[test]
fn credential_profile_create_defaults_app_name() {
    let mut server = mockito::Server::new();
    let body = concat!(
        r#"{"app_name":"KEY-ID-main","keys":[{"value":"00112233445566778899aabbccddeeff"},"#,
        r#"{"keys_diversified":true,"source_key_index":0,"value":"FFEEDDCCBBAA99887766554433221100"}],"#,
        r#""name":"Main Office Profile"}"#
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/credential-profiles", body),
        201,
        r#"{"id":"cp_1","aid":"F0ABCD","name":"Main Office Profile"}"#,
    );
    let derived = CredentialProfileKey::builder()
        .value("FFEEDDCCBBAA99887766554433221100")
        .keys_diversified(true)
        .source_key_index(0)
        .try_into()
        .expect("a key");
    let profile = client(&server)
        .console()
        .credential_profiles()
        .create(
            CreateCredentialProfileRequest::builder()
                .name("Main Office Profile")
                .keys(vec![
                    CredentialProfileKey::new("00112233445566778899aabbccddeeff"),
                    derived,
                ]),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(profile.id, "cp_1");
    insta::assert_json_snapshot!("create_credential_profile_body", pretty(body));
}

#[test]
fn credential_profile_delete_accepts_an_empty_204() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "DELETE",
            "/v1/console/credential-profiles/cp_1",
            &[],
            r#"{"id":"cp_1"}"#,
        ),
        204,
        "",
    );
    client(&server)
        .console()
        .credential_profiles()
        .delete("cp_1")
        .expect("deleted");
    assert_hit(&m, &why);
}

// --- webhooks ---

#[test]
fn webhooks_list_reads_a_page() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/console/webhooks", &[], "{}"),
        200,
        r#"{"webhooks":[{"id":"wh_1","name":"Production","url":"https://example.com/webhooks",
            "auth_method":"bearer_token","subscribed_events":["ag.access_pass.issued"],
            "created_at":"2025-01-01T00:00:00Z"},
            {"id":"wh_2","name":"Future","auth_method":"hmac_v2"}],
            "pagination":{"current_page":1,"per_page":50,"total_pages":1,"total_count":2}}"#,
    );
    let page = client(&server)
        .console()
        .webhooks()
        .list(ConsolePageQuery::default())
        .expect("webhooks");
    assert_hit(&m, &why);
    let hooks = page.items().to_vec();
    assert_eq!(hooks[0].auth_method, Some(WebhookAuthMethod::BearerToken));
    assert_eq!(
        hooks[1].auth_method,
        Some(WebhookAuthMethod::Unknown("hmac_v2".into()))
    );
    insta::assert_json_snapshot!("webhooks_answer", value(&page));
}

#[test]
fn webhook_create_defaults_to_bearer_token_and_exposes_it() {
    let mut server = mockito::Server::new();
    let body = concat!(
        r#"{"auth_method":"bearer_token","name":"Production","#,
        r#""subscribed_events":["ag.access_pass.issued","ag.card_template.published"],"#,
        r#""url":"https://example.com/webhooks"}"#
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/webhooks", body),
        201,
        r#"{"id":"wh_1","name":"Production","url":"https://example.com/webhooks","auth_method":"bearer_token",
            "subscribed_events":["ag.access_pass.issued","ag.card_template.published"],
            "private_key":"whsec_token_123","created_at":"2025-01-01T00:00:00Z"}"#,
    );
    let webhook = client(&server)
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("Production")
                .url("https://example.com/webhooks")
                .subscribed_events(vec![
                    "ag.access_pass.issued".to_owned(),
                    "ag.card_template.published".to_owned(),
                ]),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(
        webhook.private_key.as_ref().map(|t| t.expose()),
        Some("whsec_token_123")
    );
    // The bearer token is a secret: logging the answer must not show it.
    assert!(!format!("{webhook:?}").contains("whsec_token_123"));
    insta::assert_json_snapshot!("create_webhook_body", pretty(body));
}

#[test]
fn webhook_create_mtls() {
    let mut server = mockito::Server::new();
    let body = r#"{"auth_method":"mtls","name":"Secure","subscribed_events":["ag.access_pass.issued"],"url":"https://example.com/hook"}"#;
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/webhooks", body),
        201,
        r#"{"id":"wh_2","auth_method":"mtls","client_cert":"-----BEGIN CERTIFICATE-----","cert_expires_at":"2026-01-01"}"#,
    );
    let webhook = client(&server)
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("Secure")
                .url("https://example.com/hook")
                .subscribed_events(vec!["ag.access_pass.issued".to_owned()])
                .auth_method(WebhookAuthMethod::Mtls),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(webhook.cert_expires_at.as_deref(), Some("2026-01-01"));
}

#[test]
fn webhook_delete_accepts_an_empty_204() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "DELETE",
            "/v1/console/webhooks/wh_1",
            &[],
            r#"{"id":"wh_1"}"#,
        ),
        204,
        "",
    );
    client(&server)
        .console()
        .webhooks()
        .delete("wh_1")
        .expect("deleted");
    assert_hit(&m, &why);
}

#[test]
fn webhook_verify_sends_no_body() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "POST",
            "/v1/console/webhooks/wh_1/verify",
            &[],
            r#"{"id":"wh_1"}"#,
        ),
        200,
        r#"{"id":"wh_1","verified":false}"#,
    );
    let result = client(&server)
        .console()
        .webhooks()
        .verify("wh_1")
        .expect("verify");
    assert_hit(&m, &why);
    assert_eq!(result.verified, Some(false));
}

// --- HID orgs ---

#[test]
fn hid_orgs_list_reads_bare_and_wrapped() {
    for answer in [
        r#"[{"id":"org_1","name":"My Organization","slug":"my-organization","status":"pending"}]"#,
        r#"{"orgs":[{"id":"org_1","name":"My Organization","slug":"my-organization","status":"pending"}]}"#,
    ] {
        let mut server = mockito::Server::new();
        let (m, why) = mock(
            &mut server,
            Expected::bodyless("GET", "/v1/console/hid/orgs", &[], "{}"),
            200,
            answer,
        );
        let orgs = client(&server).console().hid().orgs().list().expect("orgs");
        assert_hit(&m, &why);
        assert_eq!(orgs.len(), 1, "{answer}");
        assert_eq!(orgs[0].slug.as_deref(), Some("my-organization"));
    }
}

#[test]
fn hid_org_create_posts_its_fields() {
    let mut server = mockito::Server::new();
    let body = concat!(
        r#"{"email":"ada@example.com","first_name":"Ada","full_address":"1 Main St, NY NY","#,
        r#""last_name":"Lovelace","name":"My Organization","phone":"+1-555-0000"}"#
    );
    let (m, why) = mock(
        &mut server,
        Expected::json("POST", "/v1/console/hid/orgs", body),
        201,
        r#"{"id":"org_1","name":"My Organization","slug":"my-organization","status":"pending",
            "full_address":"1 Main St, NY NY","phone":"+1-555-0000","first_name":"Ada","last_name":"Lovelace",
            "email":"ada@example.com","created_at":"2025-01-01","updated_at":"2025-01-01"}"#,
    );
    let org = client(&server)
        .console()
        .hid()
        .orgs()
        .create(
            CreateHidOrgRequest::builder()
                .name("My Organization")
                .full_address("1 Main St, NY NY")
                .phone("+1-555-0000")
                .first_name("Ada")
                .last_name("Lovelace")
                .email("ada@example.com"),
        )
        .expect("created");
    assert_hit(&m, &why);
    assert_eq!(org.id, "org_1");
}

#[test]
fn hid_org_activate_posts_the_credentials() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::json(
            "POST",
            "/v1/console/hid/orgs/activate",
            r#"{"email":"admin@example.com","password":"hid-password-123"}"#,
        ),
        200,
        r#"{"id":"org_1","name":"My Organization","status":"active","already_completed":true}"#,
    );
    let org = client(&server)
        .console()
        .hid()
        .orgs()
        .activate(
            ActivateHidOrgRequest::builder()
                .email("admin@example.com")
                .password("hid-password-123"),
        )
        .expect("activated");
    assert_hit(&m, &why);
    assert_eq!(org.status.as_deref(), Some("active"));
}

// --- tolerance ---

#[test]
fn unknown_enum_values_and_fields_decode() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "GET",
            "/v1/console/card-templates/0xnew",
            &[],
            r#"{"id":"0xnew"}"#,
        ),
        200,
        r##"{"id":"0xnew","platform":"huawei","use_case":"parking","protocol":"iso_18013",
            "status":"archived","style_settings":{"background_color":"#FFFFFF","gradient":"x"},
            "allowed_device_counts":{"android_device_limit":3},"feature_flags":{"a":true}}"##,
    );
    let template = client(&server)
        .console()
        .templates()
        .get("0xnew")
        .expect("read");
    assert_hit(&m, &why);
    assert_eq!(
        template.platform,
        Some(TemplatePlatform::Unknown("huawei".into()))
    );
    assert_eq!(
        template.use_case,
        Some(TemplateUseCase::Unknown("parking".into()))
    );
    assert_eq!(
        template.protocol,
        Some(TemplateProtocol::Unknown("iso_18013".into()))
    );
    assert_eq!(
        template.status,
        Some(TemplateStatus::Unknown("archived".into()))
    );
    // Unknown values are sent back as they came.
    assert_eq!(value(&template)["platform"], "huawei");
}

#[test]
fn a_list_answer_of_another_shape_is_a_decode_error_with_the_body() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless("GET", "/v1/console/landing-pages", &[], "{}"),
        200,
        r#"{"pages":[]}"#,
    );
    let err = client(&server)
        .console()
        .landing_pages()
        .list()
        .expect_err("not a landing-page list");
    assert_hit(&m, &why);
    match err {
        accessgrid::Error::Decode(e) => {
            assert_eq!(e.body, br#"{"pages":[]}"#);
            assert!(e.message.contains("landing_pages"), "{}", e.message);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_delete_answered_with_json_is_still_a_success() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "DELETE",
            "/v1/console/webhooks/wh_1",
            &[],
            r#"{"id":"wh_1"}"#,
        ),
        200,
        r#"{"deleted":true}"#,
    );
    client(&server)
        .console()
        .webhooks()
        .delete("wh_1")
        .expect("deleted");
    assert_hit(&m, &why);
}

#[test]
fn an_error_answer_keeps_status_and_message() {
    let mut server = mockito::Server::new();
    let (m, why) = mock(
        &mut server,
        Expected::bodyless(
            "DELETE",
            "/v1/console/credential-profiles/cp_1",
            &[],
            r#"{"id":"cp_1"}"#,
        ),
        422,
        r#"{"message":"profile in use","active_pass_count":3}"#,
    );
    let err = client(&server)
        .console()
        .credential_profiles()
        .delete("cp_1")
        .expect_err("refused");
    assert_hit(&m, &why);
    assert_eq!(err.status(), Some(422));
    assert_eq!(
        err.api().map(|a| a.message.as_str()),
        Some("profile in use")
    );
}
