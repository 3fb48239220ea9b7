//! JSON comparisons shared by tests.

use serde_json::Value;

/// `value` with every `null` member of every object removed, at any depth (a `null` and an
/// absent field mean the same, and the typed models do not send `None`).
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
