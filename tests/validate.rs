//! `accessgrid::Validate`: the checks the client makes before sending, run on their own
//! (a CSV import, a dry run), with no server involved.

mod common;

use accessgrid::models::{
    IssueCardRequest, LedgerItemsQuery, LogEventType, TemplateLogFilters, TemplateLogQuery,
    TileData,
};
use accessgrid::{Client, Error, Validate};

/// The field a refusal names.
fn refused_field(result: Result<(), Error>) -> String {
    match result {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected Error::InvalidInput, got {other:?}"),
    }
}

/// A row as a CSV import would make it: deserialized, not built (so nothing was checked).
fn row(json: serde_json::Value) -> IssueCardRequest {
    serde_json::from_value(json).expect("a request")
}

#[test]
fn a_certainly_invalid_request_is_refused_naming_its_field() {
    let blank_template = row(serde_json::json!({
        "card_template_id": " \t",
        "full_name": "Ada Lovelace",
    }));
    assert_eq!(refused_field(blank_template.validate()), "card_template_id");

    // A rule beyond the schema: the room count must match the room list.
    let mut rooms = row(serde_json::json!({
        "card_template_id": "0xd3adb00b5",
        "full_name": "Ada Lovelace",
    }));
    let mut tile = TileData::default();
    tile.number_of_rooms_reserved = Some(2);
    tile.room_numbers = Some(vec!["101".into()]);
    rooms.tile_data = Some(tile);
    assert_eq!(
        refused_field(rooms.validate()),
        "tile_data.numberOfRoomsReserved"
    );

    let mut ledger = LedgerItemsQuery::default();
    ledger.per_page = Some(101);
    assert_eq!(refused_field(ledger.validate()), "per_page");

    let mut filters = TemplateLogFilters::default();
    filters.event_type = Some(LogEventType::Unknown("teleport".into()));
    let mut log = TemplateLogQuery::default();
    log.filters = Some(filters);
    assert_eq!(refused_field(log.validate()), "filters.event_type");
}

#[test]
fn a_valid_request_passes() {
    let mut request = row(serde_json::json!({
        "card_template_id": "0xd3adb00b5",
        "full_name": "Ada Lovelace",
        "site_code": "42",
        "card_number": "1234",
    }));
    assert_eq!(request.validate().ok(), Some(()));
    let mut tile = TileData::default();
    tile.number_of_rooms_reserved = Some(1);
    tile.room_numbers = Some(vec!["101".into()]);
    request.tile_data = Some(tile);
    assert_eq!(request.validate().ok(), Some(()));

    let mut ledger = LedgerItemsQuery::default();
    ledger.per_page = Some(100);
    assert_eq!(ledger.validate().ok(), Some(()));

    let mut filters = TemplateLogFilters::default();
    filters.event_type = Some(LogEventType::KNOWN[0].clone());
    let mut log = TemplateLogQuery::default();
    log.filters = Some(filters);
    assert_eq!(log.validate().ok(), Some(()));
}

/// What `validate` refuses is what the client refuses before sending: a client pointed at
/// a port where nothing listens answers the same `InvalidInput`, not a connection error.
#[test]
fn the_client_refuses_what_validate_refuses_before_connecting() {
    let nobody = common::ports::ReservedPort::new();
    let client = Client::builder(common::ACCOUNT, common::SECRET)
        .base_url(format!("http://127.0.0.1:{}", nobody.port()))
        .build()
        .expect("a client");
    let request = row(serde_json::json!({
        "card_template_id": "",
        "full_name": "Ada Lovelace",
    }));
    let checked = request.validate();
    let sent = client.access_cards().issue(request);
    match (checked, sent) {
        (
            Err(Error::InvalidInput { field, reason }),
            Err(Error::InvalidInput {
                field: sent_field,
                reason: sent_reason,
            }),
        ) => {
            assert_eq!(field, "card_template_id");
            assert_eq!((field, reason), (sent_field, sent_reason));
        }
        other => panic!("expected the same refusal twice, got {other:?}"),
    }
}
