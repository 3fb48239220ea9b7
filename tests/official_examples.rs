//! Every request example of the provider's own documentation (`api-docs.txt`) and of the
//! official Python SDK's README, written with this SDK: each is sent through the client to a
//! mock that accepts only the exact request (method, path, query, signature, body bytes),
//! and then sent to the sandbox, which must accept it as the real API does.
//!
//! The one example the sandbox refuses is refused because the real API refuses it too: the
//! README creates a template with `use_case: "employee_badge"`, which the server no longer
//! takes for new templates (see `protocol.md`). The client sends it as written; the table
//! says so, and the test checks that refusal is a typed 422 naming the field.

mod common;

use accessgrid::models::{
    ActivateHidOrgRequest, CardState, ConsolePageQuery, CreateCredentialProfileRequest,
    CreateHidOrgRequest, CreateLandingPageRequest, CreateTemplateRequest, CreateWebhookRequest,
    CredentialProfileKey, IssueCardRequest, LedgerItemsQuery, ListCardsQuery, LogDevice,
    Reservations, TemplateLogFilters, TemplateLogQuery, TileData, UpdateCardRequest,
    UpdateLandingPageRequest, UpdateTemplateRequest,
};
#[cfg(feature = "sandbox")]
use accessgrid::sandbox::Sandbox;
use accessgrid::{Client, Error};
use common::{assert_hit, mock, Expected};
use serde_json::{json, Value};

/// The ids an example talks about: the documentation's placeholders for the mock, ids the
/// sandbox made for the sandbox.
struct Ids {
    template: String,
    card: String,
    landing_page: String,
    webhook: String,
    preflight_template: String,
    preflight_pass: String,
}

impl Ids {
    fn documented() -> Ids {
        Ids {
            template: "0xd3adb00b5".into(),
            card: "0xc4rd1d".into(),
            landing_page: "0xlandingpage1d".into(),
            webhook: "abc123".into(),
            preflight_template: "0xt3mp14t3-3x1d".into(),
            preflight_pass: "0xp455-3x1d".into(),
        }
    }
}

/// What the sandbox must do with an example.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
enum InSandbox {
    Accepted,
    /// Refused as the real API refuses it: a 422 naming this field.
    RefusedLikeTheApi(&'static str),
}

#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
struct Example {
    source: &'static str,
    expected: fn(&Ids) -> Expected,
    answer: &'static str,
    call: fn(&Client, &Ids) -> Result<(), Error>,
    sandbox: InSandbox,
}

/// Compact JSON with sorted keys: how the generated models write a body whose fields are
/// all named (their fields are in name order).
fn body(value: Value) -> String {
    value.to_string()
}

const START: &str = "2025-01-31T22:46:25.601Z";
const EXPIRY: &str = "2025-04-30T22:46:25.601Z";
/// Python's `datetime.now().isoformat()`: no zone.
const LOG_START: &str = "2025-01-01T10:00:00.123456";
const LOG_END: &str = "2025-01-31T10:00:00.123456";

fn python_provision() -> Value {
    json!({
        "card_template_id": "0xd3adb00b5",
        "employee_id": "123456789",
        "tag_id": "DDEADB33FB00B5",
        "full_name": "Employee name",
        "email": "employee@yourwebsite.com",
        "phone_number": "+19547212241",
        "classification": "full_time",
        "department": "Engineering",
        "location": "San Francisco",
        "site_name": "HQ Building A",
        "workstation": "4F-207",
        "mail_stop": "MS-401",
        "company_address": "123 Main St, San Francisco, CA 94105",
        "start_date": START,
        "expiration_date": EXPIRY,
        "employee_photo": "[image_in_base64_encoded_format]",
        "title": "Engineering Manager",
        "metadata": {"department": "engineering", "badge_type": "contractor"}
    })
}

fn metadata(value: Value) -> accessgrid::models::Metadata {
    serde_json::from_value(value).expect("an object")
}

fn examples() -> Vec<Example> {
    vec![
        // ---------------------------------------------------------- python-sdk-readme.txt
        Example {
            source: "Python README: Provision a new card (no site_code, card_number or file_data)",
            expected: |ids| {
                let mut value = python_provision();
                value["card_template_id"] = ids.template.clone().into();
                Expected::json("POST", "/v1/key-cards", &body(value))
            },
            answer: r#"{"id":"0xc4rd1d","state":"created"}"#,
            call: |c, ids| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id(ids.template.clone())
                            .employee_id("123456789")
                            .tag_id("DDEADB33FB00B5")
                            .full_name("Employee name")
                            .email("employee@yourwebsite.com")
                            .phone_number("+19547212241")
                            .classification("full_time")
                            .department("Engineering")
                            .location("San Francisco")
                            .site_name("HQ Building A")
                            .workstation("4F-207")
                            .mail_stop("MS-401")
                            .company_address("123 Main St, San Francisco, CA 94105")
                            .start_date(START)
                            .expiration_date(EXPIRY)
                            .employee_photo("[image_in_base64_encoded_format]")
                            .title("Engineering Manager")
                            .metadata(metadata(
                                json!({"department": "engineering", "badge_type": "contractor"}),
                            )),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Update a card",
            expected: |ids| {
                Expected::json(
                    "PATCH",
                    format!("/v1/key-cards/{}", ids.card),
                    &body(json!({
                        "employee_id": "987654321",
                        "full_name": "Updated Employee Name",
                        "classification": "contractor",
                        "department": "Marketing",
                        "location": "New York",
                        "site_name": "NYC Office",
                        "workstation": "2F-105",
                        "mail_stop": "MS-200",
                        "company_address": "456 Broadway, New York, NY 10013",
                        "expiration_date": "2025-02-22T21:04:03.664Z",
                        "employee_photo": "[image_in_base64_encoded_format]",
                        "title": "Senior Developer"
                    })),
                )
            },
            answer: r#"{"id":"0xc4rd1d"}"#,
            call: |c, ids| {
                c.access_cards()
                    .update(
                        &ids.card,
                        UpdateCardRequest::builder()
                            .employee_id("987654321")
                            .full_name("Updated Employee Name")
                            .classification("contractor")
                            .department("Marketing")
                            .location("New York")
                            .site_name("NYC Office")
                            .workstation("2F-105")
                            .mail_stop("MS-200")
                            .company_address("456 Broadway, New York, NY 10013")
                            .expiration_date("2025-02-22T21:04:03.664Z")
                            .employee_photo("[image_in_base64_encoded_format]")
                            .title("Senior Developer"),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: List all cards for a template",
            expected: |ids| {
                Expected::bodyless(
                    "GET",
                    "/v1/key-cards",
                    &[("template_id", &ids.template)],
                    "{}",
                )
            },
            answer: r#"{"keys":[]}"#,
            call: |c, ids| {
                c.access_cards()
                    .list(ListCardsQuery::builder().template_id(ids.template.clone()))
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Filter cards by state",
            expected: |ids| {
                Expected::bodyless(
                    "GET",
                    "/v1/key-cards",
                    &[("state", "active"), ("template_id", &ids.template)],
                    "{}",
                )
            },
            answer: r#"{"keys":[]}"#,
            call: |c, ids| {
                c.access_cards()
                    .list(
                        ListCardsQuery::builder()
                            .template_id(ids.template.clone())
                            .state(CardState::Active),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: iOS In-App Provisioning Preflight",
            expected: |ids| {
                Expected::json(
                    "POST",
                    format!(
                        "/v1/console/card-templates/{}/ios_preflight",
                        ids.preflight_template
                    ),
                    &body(json!({"access_pass_ex_id": ids.preflight_pass})),
                )
            },
            answer: r#"{"provisioningCredentialIdentifier":"p","environmentIdentifier":"e"}"#,
            call: |c, ids| {
                c.console()
                    .templates()
                    .ios_preflight(&ids.preflight_template, &ids.preflight_pass)
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Get event logs",
            expected: |ids| {
                Expected::bodyless(
                    "GET",
                    format!("/v1/console/card-templates/{}/logs", ids.template),
                    &[
                        ("filters[device]", "mobile"),
                        ("filters[end_date]", LOG_END),
                        ("filters[event_type]", "install"),
                        ("filters[start_date]", LOG_START),
                    ],
                    &format!(r#"{{"id":"{}"}}"#, ids.template),
                )
            },
            answer: r#"{"logs":[]}"#,
            call: |c, ids| {
                c.console()
                    .templates().logs(
                        &ids.template,
                        TemplateLogQuery::builder().filters(
                            TemplateLogFilters::builder()
                                .device(LogDevice::Mobile)
                                .start_date(LOG_START)
                                .end_date(LOG_END)
                                .event_type("install"),
                        ),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Suspend a card",
            expected: |ids| card_action(ids, "suspend"),
            answer: r#"{"id":"0xc4rd1d","state":"suspended"}"#,
            call: |c, ids| c.access_cards().suspend(&ids.card).map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Resume a card",
            expected: |ids| card_action(ids, "resume"),
            answer: r#"{"id":"0xc4rd1d","state":"active"}"#,
            call: |c, ids| c.access_cards().resume(&ids.card).map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Unlink a card",
            expected: |ids| card_action(ids, "unlink"),
            answer: r#"{"id":"0xc4rd1d","state":"unlink"}"#,
            call: |c, ids| c.access_cards().unlink(&ids.card).map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Delete a card",
            expected: |ids| card_action(ids, "delete"),
            answer: r#"{"id":"0xc4rd1d","state":"deleted"}"#,
            call: |c, ids| c.access_cards().delete(&ids.card).map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Create a template (use_case employee_badge)",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/card-templates",
                    &body(python_template("employee_badge")),
                )
            },
            answer: r#"{"id":"0xt3mp1a73"}"#,
            call: |c, _| python_create_template(c, "employee_badge"),
            sandbox: InSandbox::RefusedLikeTheApi("use_case"),
        },
        Example {
            source: "Python README: Create a template, with a use case the server takes today",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/card-templates",
                    &body(python_template("corporate_id")),
                )
            },
            answer: r#"{"id":"0xt3mp1a73"}"#,
            call: |c, _| python_create_template(c, "corporate_id"),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Update a template (device counts without repeating allow_on_multiple_devices is covered elsewhere)",
            expected: |ids| {
                Expected::json(
                    "PUT",
                    format!("/v1/console/card-templates/{}", ids.template),
                    &body(json!({
                        "name": "Updated Employee NFC key",
                        "allow_on_multiple_devices": true,
                        "watch_count": 2,
                        "iphone_count": 3,
                        "support_url": "https://help.yourcompany.com",
                        "support_phone_number": "+1-555-123-4567",
                        "support_email": "support@yourcompany.com",
                        "privacy_policy_url": "https://yourcompany.com/privacy",
                        "terms_and_conditions_url": "https://yourcompany.com/terms"
                    })),
                )
            },
            answer: r#"{"id":"0xd3adb00b5"}"#,
            call: |c, ids| {
                c.console()
                    .templates().update(
                        &ids.template,
                        UpdateTemplateRequest::builder()
                            .name("Updated Employee NFC key")
                            .allow_on_multiple_devices(true)
                            .watch_count(2)
                            .iphone_count(3)
                            .support_url("https://help.yourcompany.com")
                            .support_phone_number("+1-555-123-4567")
                            .support_email("support@yourcompany.com")
                            .privacy_policy_url("https://yourcompany.com/privacy")
                            .terms_and_conditions_url("https://yourcompany.com/terms"),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Read a template",
            expected: |ids| {
                Expected::bodyless(
                    "GET",
                    format!("/v1/console/card-templates/{}", ids.template),
                    &[],
                    &format!(r#"{{"id":"{}"}}"#, ids.template),
                )
            },
            answer: r#"{"id":"0xd3adb00b5","name":"Badge"}"#,
            call: |c, ids| c.console().templates().get(&ids.template).map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: List ledger items",
            expected: |_| {
                Expected::bodyless(
                    "GET",
                    "/v1/console/ledger-items",
                    &[
                        ("end_date", "2025-01-31T10:00:00+00:00"),
                        ("page", "1"),
                        ("per_page", "50"),
                        ("start_date", "2025-01-01T10:00:00+00:00"),
                    ],
                    "{}",
                )
            },
            answer: r#"{"ledger_items":[]}"#,
            call: |c, _| {
                c.console()
                    .ledger().list(
                        LedgerItemsQuery::builder()
                            .page(1)
                            .per_page(50)
                            .start_date("2025-01-01T10:00:00+00:00")
                            .end_date("2025-01-31T10:00:00+00:00"),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: List landing pages",
            expected: |_| Expected::bodyless("GET", "/v1/console/landing-pages", &[], "{}"),
            answer: "[]",
            call: |c, _| c.console().landing_pages().list().map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Create a landing page",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/landing-pages",
                    &body(json!({
                        "name": "Miami Office Access Pass",
                        "kind": "universal",
                        "additional_text": "Welcome to the Miami Office",
                        "bg_color": "#f1f5f9",
                        "allow_immediate_download": true
                    })),
                )
            },
            answer: r#"{"id":"0xlandingpage1d"}"#,
            call: |c, _| {
                c.console()
                    .landing_pages().create(
                        CreateLandingPageRequest::builder()
                            .name("Miami Office Access Pass")
                            .kind("universal")
                            .additional_text("Welcome to the Miami Office")
                            .bg_color("#f1f5f9")
                            .allow_immediate_download(true),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Update a landing page",
            expected: |ids| {
                Expected::json(
                    "PUT",
                    format!("/v1/console/landing-pages/{}", ids.landing_page),
                    &body(json!({
                        "name": "Updated Miami Office Access Pass",
                        "additional_text": "Welcome! Tap below to get your access pass.",
                        "bg_color": "#e2e8f0"
                    })),
                )
            },
            answer: r#"{"id":"0xlandingpage1d"}"#,
            call: |c, ids| {
                c.console()
                    .landing_pages().update(
                        &ids.landing_page,
                        UpdateLandingPageRequest::builder()
                            .name("Updated Miami Office Access Pass")
                            .additional_text("Welcome! Tap below to get your access pass.")
                            .bg_color("#e2e8f0"),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: List credential profiles",
            expected: |_| Expected::bodyless("GET", "/v1/console/credential-profiles", &[], "{}"),
            answer: "[]",
            call: |c, _| c.console().credential_profiles().list().map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Create a credential profile (placeholder key values)",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/credential-profiles",
                    &body(json!({
                        "name": "Main Office Profile",
                        "app_name": "KEY-ID-main",
                        "keys": [
                            {"value": "your_32_char_hex_master_key_here"},
                            {"value": "your_32_char_hex__read_key__here"}
                        ]
                    })),
                )
            },
            answer: r#"{"id":"cp_1"}"#,
            call: |c, _| {
                c.console()
                    .credential_profiles()
                    .create(
                        CreateCredentialProfileRequest::builder()
                            .name("Main Office Profile")
                            .app_name("KEY-ID-main")
                            .keys(vec![
                                CredentialProfileKey::new("your_32_char_hex_master_key_here"),
                                CredentialProfileKey::new("your_32_char_hex__read_key__here"),
                            ]),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Create a webhook",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/webhooks",
                    &body(json!({
                        "name": "Production",
                        "url": "https://example.com/webhooks",
                        "subscribed_events": ["ag.access_pass.issued"],
                        "auth_method": "bearer_token"
                    })),
                )
            },
            answer: r#"{"id":"abc123","private_key":"whsec_1"}"#,
            call: |c, _| {
                c.console()
                    .webhooks()
                    .create(
                        CreateWebhookRequest::builder()
                            .name("Production")
                            .url("https://example.com/webhooks")
                            .subscribed_events(vec!["ag.access_pass.issued".to_owned()]),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: List webhooks",
            expected: |_| Expected::bodyless("GET", "/v1/console/webhooks", &[], "{}"),
            answer: r#"{"webhooks":[]}"#,
            call: |c, _| {
                c.console()
                    .webhooks()
                    .list(ConsolePageQuery::default())
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Delete a webhook",
            expected: |ids| {
                Expected::bodyless(
                    "DELETE",
                    format!("/v1/console/webhooks/{}", ids.webhook),
                    &[],
                    &format!(r#"{{"id":"{}"}}"#, ids.webhook),
                )
            },
            answer: "",
            call: |c, ids| c.console().webhooks().delete(&ids.webhook),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Create a HID organization (no email)",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/hid/orgs",
                    &body(json!({
                        "name": "My Organization",
                        "full_address": "1 Main St, NY NY",
                        "phone": "+1-555-0000",
                        "first_name": "Ada",
                        "last_name": "Lovelace"
                    })),
                )
            },
            answer: r#"{"id":"org_1","slug":"my-organization"}"#,
            call: |c, _| {
                c.console()
                    .hid()
                    .orgs()
                    .create(
                        CreateHidOrgRequest::builder()
                            .name("My Organization")
                            .full_address("1 Main St, NY NY")
                            .phone("+1-555-0000")
                            .first_name("Ada")
                            .last_name("Lovelace"),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: Complete HID org registration",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/hid/orgs/activate",
                    &body(json!({"email": "admin@example.com", "password": "hid-password-123"})),
                )
            },
            answer: r#"{"id":"org_1","status":"active"}"#,
            call: |c, _| {
                c.console()
                    .hid()
                    .orgs()
                    .activate(
                        ActivateHidOrgRequest::builder()
                            .email("admin@example.com")
                            .password("hid-password-123"),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "Python README: List all HID organizations",
            expected: |_| Expected::bodyless("GET", "/v1/console/hid/orgs", &[], "{}"),
            answer: "[]",
            call: |c, _| c.console().hid().orgs().list().map(drop),
            sandbox: InSandbox::Accepted,
        },
        // ---------------------------------------------------------------- api-docs.txt
        Example {
            source: "API docs: Issue Access Pass, with the documented example values and hotel data",
            expected: |ids| {
                Expected::json(
                    "POST",
                    "/v1/key-cards",
                    &body(json!({
                        "card_template_id": ids.template,
                        "full_name": "Guest of room 101",
                        "tag_id": "DF517FC87144DF",
                        "site_code": "254",
                        "card_number": "65534",
                        "file_data": "0A1B2C3D",
                        "classification": "full_time",
                        "start_date": START,
                        "expiration_date": EXPIRY,
                        "member_id": "M-1",
                        "membership_status": "gold",
                        "is_pass_ready_to_transact": true,
                        "tile_data": {
                            "checkInAvailableWindowStartDateTime": "2025-02-01T15:00:00-05:00",
                            "checkInAvailableWindowEndDateTime": "2025-02-01T23:00:00-05:00",
                            "checkInURL": "https://hotel.example/checkin",
                            "isCheckedIn": false,
                            "numberOfRoomsReserved": 1,
                            "roomNumbers": ["101"]
                        },
                        "reservations": {
                            "isCheckedIn": false,
                            "numberOfRoomsReserved": 1,
                            "propertyLocation": "Key West",
                            "propertyName": "Hyatt Centric Resort & Spa",
                            "propertyCategory": "travel",
                            "reservationNumber": "R-42",
                            "reservationStartDateTime": "2025-02-01T15:00:00-05:00",
                            "reservationEndDateTime": "2025-02-03T11:00:00-05:00",
                            "roomNumbers": ["101"]
                        },
                        "metadata": {"source": "api-docs"}
                    })),
                )
            },
            answer: r#"{"id":"0xc4rd1d"}"#,
            call: |c, ids| {
                c.access_cards()
                    .issue(
                        IssueCardRequest::builder()
                            .card_template_id(ids.template.clone())
                            .full_name("Guest of room 101")
                            .tag_id("DF517FC87144DF")
                            .site_code("254")
                            .card_number("65534")
                            .file_data("0A1B2C3D")
                            .classification("full_time")
                            .start_date(START)
                            .expiration_date(EXPIRY)
                            .member_id("M-1")
                            .membership_status("gold")
                            .is_pass_ready_to_transact(true)
                            .tile_data(
                                TileData::builder()
                                    .check_in_available_window_start_date_time(
                                        "2025-02-01T15:00:00-05:00",
                                    )
                                    .check_in_available_window_end_date_time(
                                        "2025-02-01T23:00:00-05:00",
                                    )
                                    .check_in_url("https://hotel.example/checkin")
                                    .is_checked_in(false)
                                    .number_of_rooms_reserved(1u32)
                                    .room_numbers(vec!["101".to_owned()]),
                            )
                            .reservations(
                                Reservations::builder()
                                    .is_checked_in(false)
                                    .number_of_rooms_reserved(1u32)
                                    .property_location("Key West")
                                    .property_name("Hyatt Centric Resort & Spa")
                                    .property_category("travel")
                                    .reservation_number("R-42")
                                    .reservation_start_date_time("2025-02-01T15:00:00-05:00")
                                    .reservation_end_date_time("2025-02-03T11:00:00-05:00")
                                    .room_numbers(vec!["101".to_owned()]),
                            )
                            .metadata(metadata(json!({"source": "api-docs"}))),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "API docs: List Access Passes without template_id (live docs: all templates)",
            expected: |_| Expected::bodyless("GET", "/v1/key-cards", &[], "{}"),
            answer: r#"{"keys":[]}"#,
            call: |c, _| c.access_cards().list(ListCardsQuery::default()).map(drop),
            sandbox: InSandbox::Accepted,
        },
        Example {
            source: "API docs: Create Card Template with the documented design and support values",
            expected: |_| {
                Expected::json(
                    "POST",
                    "/v1/console/card-templates",
                    &body(json!({
                        "name": "Hotel key",
                        "platform": "apple",
                        "use_case": "hotel",
                        "protocol": "desfire",
                        "allow_on_multiple_devices": true,
                        "watch_count": 1,
                        "iphone_count": 5,
                        "background_color": "#FFFFFF",
                        "label_color": "#000000",
                        "label_secondary_color": "#333333",
                        "background_image": "aW1hZ2U=",
                        "logo_image": "aW1hZ2U=",
                        "icon_image": "aW1hZ2U=",
                        "support_url": "https://help.example.com",
                        "metadata": {"version": "1"}
                    })),
                )
            },
            answer: r#"{"id":"0xt3mp1a73"}"#,
            call: |c, _| {
                c.console()
                    .templates().create(
                        CreateTemplateRequest::builder()
                            .name("Hotel key")
                            .platform("apple")
                            .use_case("hotel")
                            .protocol("desfire")
                            .allow_on_multiple_devices(true)
                            .watch_count(1)
                            .iphone_count(5)
                            .background_color("#FFFFFF")
                            .label_color("#000000")
                            .label_secondary_color("#333333")
                            .background_image("aW1hZ2U=")
                            .logo_image("aW1hZ2U=")
                            .icon_image("aW1hZ2U=")
                            .support_url("https://help.example.com")
                            .metadata(metadata(json!({"version": "1"}))),
                    )
                    .map(drop)
            },
            sandbox: InSandbox::Accepted,
        },
    ]
}

fn card_action(ids: &Ids, action: &str) -> Expected {
    Expected::bodyless(
        "POST",
        format!("/v1/key-cards/{}/{action}", ids.card),
        &[],
        &format!(r#"{{"id":"{}"}}"#, ids.card),
    )
}

fn python_template(use_case: &str) -> Value {
    json!({
        "name": "Employee Access Pass",
        "platform": "apple",
        "use_case": use_case,
        "protocol": "desfire",
        "allow_on_multiple_devices": true,
        "watch_count": 2,
        "iphone_count": 3,
        "background_color": "#FFFFFF",
        "label_color": "#000000",
        "label_secondary_color": "#333333",
        "support_url": "https://help.yourcompany.com",
        "support_phone_number": "+1-555-123-4567",
        "support_email": "support@yourcompany.com",
        "privacy_policy_url": "https://yourcompany.com/privacy",
        "terms_and_conditions_url": "https://yourcompany.com/terms",
        "metadata": {"version": "2.1", "approval_status": "approved"}
    })
}

fn python_create_template(c: &Client, use_case: &str) -> Result<(), Error> {
    c.console()
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Employee Access Pass")
                .platform("apple")
                .use_case(use_case)
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
                .metadata(metadata(
                    json!({"version": "2.1", "approval_status": "approved"}),
                )),
        )
        .map(drop)
}

#[test]
fn every_documented_example_is_sent_exactly() {
    let ids = Ids::documented();
    let mut failures = Vec::new();
    for example in examples() {
        let mut server = mockito::Server::new();
        let (m, why) = mock(&mut server, (example.expected)(&ids), 200, example.answer);
        let client = common::client(&server);
        match (example.call)(&client, &ids) {
            Ok(()) if m.matched() => {}
            Ok(()) => failures.push(format!(
                "{}: answered, but not by the exact request:\n{}",
                example.source,
                why.report()
            )),
            Err(e) => failures.push(format!("{}: {e}\n{}", example.source, why.report())),
        }
        if m.matched() {
            assert_hit(&m, &why);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[cfg(feature = "sandbox")]
#[test]
fn every_documented_example_is_accepted_by_the_sandbox() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    // The things the examples talk about, made in the sandbox first.
    let card = client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(sandbox.template_id())
                .full_name("Ada Lovelace"),
        )
        .expect("a pass to act on");
    sandbox
        .install(&card.id)
        .expect("installed, so it can be suspended");
    let page = client
        .console()
        .landing_pages()
        .create(
            CreateLandingPageRequest::builder()
                .name("Lobby")
                .kind("universal"),
        )
        .expect("a landing page to update");
    let hook = client
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("To delete")
                .url("http://127.0.0.1:9/hook")
                .subscribed_events(vec!["ag.access_pass.deleted".to_owned()]),
        )
        .expect("a webhook to delete");
    let ids = Ids {
        template: sandbox.template_id(),
        card: card.id.clone(),
        landing_page: page.id,
        webhook: hook.id,
        preflight_template: sandbox.template_id(),
        preflight_pass: card.id,
    };

    let before = sandbox.requests().len();
    let mut failures = Vec::new();
    for example in examples() {
        match ((example.call)(&client, &ids), example.sandbox) {
            (Ok(()), InSandbox::Accepted) => {}
            (Err(Error::Api(api)), InSandbox::RefusedLikeTheApi(field))
                if api.status == 422 && api.field_errors.contains_key(field) => {}
            (outcome, expected) => failures.push(format!(
                "{}: {:?}, expected {}",
                example.source,
                outcome.err(),
                match expected {
                    InSandbox::Accepted => "acceptance".to_owned(),
                    InSandbox::RefusedLikeTheApi(field) => format!("a 422 naming {field}"),
                }
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every example reached the sandbox, once: nothing was refused before sending.
    assert_eq!(sandbox.requests().len() - before, examples().len());
}
