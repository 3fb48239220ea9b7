//! The `data` of the events the sandbox emits, in the shapes AccessGrid sends: for
//! access passes both the documented fields and the newer, richer ones the newest
//! official SDK reads (see [`crate::models::AccessPassEventData`]).
//!
//! Pass data is read from the pass's answer as JSON, field by field, so that it states
//! exactly what `GET /v1/key-cards/{id}` would answer.

use serde_json::{json, Map, Value};

use super::state::{Card, State, Template};
use super::DeviceType;

/// `value[key]`, or `null`.
fn field(value: &Value, key: &str) -> Value {
    value.get(key).cloned().unwrap_or(Value::Null)
}

/// A card template as event data names it: `{id, name, platform, protocol, metadata}`.
pub(crate) fn template_ref(template: &Template) -> Value {
    let mut out = Map::new();
    out.insert("id".to_owned(), template.id.clone().into());
    for key in ["name", "platform", "protocol", "metadata"] {
        out.insert(
            key.to_owned(),
            template.fields.get(key).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(out)
}

/// The `data` of an `ag.card_template.*` event: the template's id, name, platform,
/// protocol and metadata.
pub(crate) fn template_event(template: &Template) -> Value {
    let mut data = template_ref(template);
    if let Value::Object(map) = &mut data {
        if let Some(id) = map.remove("id") {
            map.insert("card_template_id".to_owned(), id);
        }
    }
    data
}

impl State {
    /// The templates a pass belongs to: its own, or both templates of the pair a unified
    /// pass was issued from.
    fn pass_templates(&self, card: &Card) -> Vec<Value> {
        let pair_members: Option<Vec<String>> = card
            .parent
            .as_deref()
            .and_then(|parent| self.unified.iter().find(|u| u.id == parent))
            .and_then(|unified| {
                self.console
                    .pairs
                    .iter()
                    .find(|p| p.get("id").and_then(Value::as_str) == Some(&unified.pair_id))
            })
            .map(|pair| {
                ["ios_template", "android_template"]
                    .iter()
                    .filter_map(|k| pair.get(*k)?.get("id")?.as_str().map(str::to_owned))
                    .collect()
            });
        let ids = pair_members.unwrap_or_else(|| vec![card.template_id.clone()]);
        ids.iter()
            .filter_map(|id| self.template(id))
            .map(template_ref)
            .collect()
    }

    /// The `data` of an `ag.access_pass.*` event about `card`, after the change. `device`
    /// is the kind of device just installed on (the event's `device` then names it).
    ///
    /// Both shapes at once: the documented one (`access_pass_id`, `card_template_id`,
    /// `protocol`, `metadata`, `card_number`, `site_code`, `file_data`, `device`) and the
    /// newer one (`id`, `state`, `full_name`, `employee_id`, `title`, `start_date`,
    /// `expiration_date`, `tag_id`, `card_templates`, `details` as an object, `devices`
    /// with each device's credential and status).
    pub(crate) fn pass_event_data(&self, card: &Card, device: Option<DeviceType>) -> Value {
        let answer = serde_json::to_value(&card.answer).unwrap_or(Value::Null);
        let template = self.template(&card.template_id);
        let template_field = |key: &str| {
            template
                .and_then(|t| t.fields.get(key).cloned())
                .unwrap_or(Value::Null)
        };
        let (protocol, platform) = (template_field("protocol"), template_field("platform"));
        let id = card.id();

        let mut data = Map::new();
        data.insert("access_pass_id".to_owned(), id.into());
        data.insert("id".to_owned(), id.into());
        data.insert(
            "card_template_id".to_owned(),
            card.template_id.clone().into(),
        );
        data.insert("protocol".to_owned(), protocol.clone());
        for key in [
            "state",
            "full_name",
            "employee_id",
            "title",
            "start_date",
            "expiration_date",
            "tag_id",
            "card_number",
            "site_code",
            "file_data",
            "metadata",
        ] {
            data.insert(key.to_owned(), field(&answer, key));
        }
        data.insert(
            "card_templates".to_owned(),
            Value::Array(self.pass_templates(card)),
        );
        data.insert(
            "details".to_owned(),
            json!({
                "id": id,
                "card_template_id": card.template_id,
                "platform": platform,
                "protocol": protocol,
                "status": field(&answer, "state"),
                "card_number": field(&answer, "card_number"),
                "site_code": field(&answer, "site_code"),
            }),
        );
        let devices: Vec<Value> = answer
            .get("devices")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|d| {
                json!({
                    "id": field(d, "id"),
                    "card_template_id": card.template_id,
                    "type": field(d, "device_type"),
                    "platform": field(d, "platform"),
                    "protocol": protocol,
                    "status": field(d, "status"),
                    "card_number": field(&answer, "card_number"),
                    "site_code": field(&answer, "site_code"),
                    "file_data": field(&answer, "file_data"),
                })
            })
            .collect();
        if let Some(kind) = device {
            // The device just installed on is the last one added.
            let device_id = devices.last().map_or(Value::Null, |d| field(d, "id"));
            data.insert(
                "device".to_owned(),
                json!({"type": kind.as_str(), "id": device_id}),
            );
        }
        data.insert("devices".to_owned(), Value::Array(devices));
        Value::Object(data)
    }
}

/// The `data` of an `ag.hid_org.*` event.
pub(crate) fn hid_org_event(org: &Map<String, Value>) -> Value {
    let get = |key: &str| org.get(key).cloned().unwrap_or(Value::Null);
    json!({"account_org_id": get("id"), "slug": get("slug"), "name": get("name")})
}
