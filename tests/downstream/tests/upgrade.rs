//! What a downstream user's test suite does on a model upgrade: snapshot the outline, and
//! build answers the way the SDK documents (so new fields do not break this code).

use accessgrid::models::{
    AccessCard, ApiErrorBody, CardState, CardTemplate, LogDevice, TemplateLogFilters,
};

/// Every model change of an upgrade shows up as a diff of this snapshot.
#[test]
fn models_outline() {
    insta::assert_snapshot!("accessgrid_models", accessgrid::models::outline());
}

/// Answers built in tests: by builder (only what the test cares about), and from JSON.
#[test]
fn builds_answers() -> Result<(), Box<dyn std::error::Error>> {
    let card: AccessCard = AccessCard::builder()
        .id("c1")
        .full_name("Ada")
        .state(CardState::Active)
        .try_into()?;
    assert_eq!(accessgrid_downstream::summary(&card), "c1 Ada active");

    let from_json: AccessCard = serde_json::from_value(serde_json::json!({
        "id": "c2", "state": "frozen", "not_modeled_yet": 1
    }))?;
    assert_eq!(accessgrid_downstream::summary(&from_json), "c2 - other");
    assert_eq!(from_json.extra["not_modeled_yet"], 1);

    let template: CardTemplate = CardTemplate::builder().id("t1").name("Staff").try_into()?;
    assert_eq!(template.name.as_deref(), Some("Staff"));

    // An answer whose fields are all optional: `Default` and field assignment, or builder.
    let mut error = ApiErrorBody::default();
    error.message = Some("Validation failed".into());
    let same: ApiErrorBody = ApiErrorBody::builder()
        .message("Validation failed".to_owned())
        .try_into()?;
    assert_eq!(serde_json::to_value(&error)?, serde_json::to_value(&same)?);
    assert_eq!(
        serde_json::to_value(&error)?,
        serde_json::json!({"message": "Validation failed"})
    );

    // Without its one required field, an answer does not build.
    let missing: Result<AccessCard, _> = AccessCard::builder().full_name("Ada").try_into();
    assert!(missing.is_err());
    Ok(())
}

/// Requests and queries: builders, `Default` and field assignment; closed enums matched
/// with a wildcard arm.
#[test]
fn builds_requests() -> Result<(), Box<dyn std::error::Error>> {
    let request = accessgrid_downstream::issue_request("0xd3adb00b5", "Ada")?;
    assert_eq!(
        serde_json::to_value(&request)?,
        serde_json::json!({"card_template_id": "0xd3adb00b5", "full_name": "Ada"})
    );
    let query = accessgrid_downstream::active_cards_of("0xd3adb00b5");
    assert_eq!(query.state, Some(CardState::Active));

    let filters: TemplateLogFilters = TemplateLogFilters::builder()
        .device(LogDevice::Watch)
        .try_into()?;
    let device = match filters.device {
        Some(LogDevice::Mobile) => "mobile",
        Some(LogDevice::Watch) => "watch",
        Some(_) => "another device",
        None => "any",
    };
    assert_eq!(device, "watch");
    Ok(())
}
