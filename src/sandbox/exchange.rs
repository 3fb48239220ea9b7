//! What every handler speaks: the request as the routes see it ([`Incoming`]), the answer
//! ([`Reply`], the shared HTTP layer's, with the sandbox's constructors), and the decoding
//! of bodies, queries and page parameters into checked model types. The server, the routes,
//! the console handlers and the web pages all depend on this module; it depends only on the
//! state's [`Actor`] and [`Refusal`], so no circle runs through it.

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use super::state::{Actor, Refusal};
use crate::{Error, Validate};

/// Default page size of lists.
pub(crate) const PER_PAGE: u64 = 50;

pub(crate) type Outcome = Result<Reply, Reply>;

/// One request as the routes see it.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: String,
    /// The path, still percent-encoded, without the query.
    pub(crate) path: String,
    /// The path's segments, decoded; no empty ones.
    pub(crate) segments: Vec<String>,
    /// The query's pairs, decoded, in order (`sig_payload` included).
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) account_id: Option<String>,
    pub(crate) signature: Option<String>,
    pub(crate) actor: Actor,
}

impl Incoming {
    /// The first value of a query parameter.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) use crate::http_server::Reply;

impl Reply {
    /// A 200 JSON answer.
    pub(crate) fn ok(value: &Value) -> Reply {
        Reply::json(200, value)
    }

    /// An empty 204 answer.
    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: Vec::new(),
            content_type: None,
            headers: Vec::new(),
        }
    }

    /// A 422 validation answer `{"message", "errors": {field: [reason]}}`.
    pub(crate) fn invalid(field: &str, reason: &str) -> Reply {
        Reply::json(
            422,
            &json!({
                "message": format!("Validation failed: {field} {reason}"),
                "errors": { field: [reason] },
            }),
        )
    }
}

impl From<Refusal> for Reply {
    fn from(r: Refusal) -> Reply {
        Reply::message(r.status, r.message)
    }
}

/// Decodes a JSON body as `T` and applies `T`'s rules: 400 for text that is not JSON, 422
/// naming the field for anything that breaks the schema or a rule.
pub(crate) fn decode_body<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, Reply> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| Reply::message(400, format!("the body is not valid JSON: {e}")))?
    };
    if !value.is_object() {
        return Err(Reply::invalid("body", "must be a JSON object"));
    }
    decode_value(value)
}

/// Decodes a query as `T`: `a[b]=c` pairs become nested objects, the `numbers` fields
/// become numbers when they are written as numbers; `sig_payload` is left out.
pub(crate) fn decode_query<T: DeserializeOwned + Validate>(
    rq: &Incoming,
    numbers: &[&str],
) -> Result<T, Reply> {
    let mut object = Map::new();
    for (key, text) in &rq.query {
        if key == "sig_payload" {
            continue;
        }
        let value = match text.parse::<u64>() {
            Ok(n) if numbers.contains(&key.as_str()) => Value::from(n),
            _ => Value::String(text.clone()),
        };
        match key.split_once('[') {
            Some((outer, rest)) if rest.ends_with(']') => {
                let inner = &rest[..rest.len() - 1];
                let slot = object
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = slot {
                    map.insert(inner.to_owned(), value);
                }
            }
            _ => {
                object.insert(key.clone(), value);
            }
        }
    }
    decode_value(Value::Object(object))
}

fn decode_value<T: DeserializeOwned + Validate>(value: Value) -> Result<T, Reply> {
    let decoded: T = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // A missing field is reported at its parent: name the field itself.
        if let Some(rest) = message.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or(rest);
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            return Reply::invalid(&field, "is required");
        }
        let field = if path == "." { "body" } else { path.as_str() };
        Reply::invalid(field, &message)
    })?;
    decoded.validate().map_err(|e| match e {
        Error::InvalidInput { field, reason } => Reply::invalid(&field, &reason),
        other => Reply::invalid("body", &other.to_string()),
    })?;
    Ok(decoded)
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Outcome {
    serde_json::to_value(value)
        .map(|v| Reply::ok(&v))
        .map_err(|e| Reply::message(500, format!("sandbox internal error: {e}")))
}

/// The `page` and `per_page` query parameters, 422 when they are not numbers.
pub(crate) fn page_params(rq: &Incoming) -> Result<(u64, u64), Reply> {
    let read = |name: &str, default: u64| match rq.param(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .map_err(|_| Reply::invalid(name, "must be a positive integer")),
    };
    Ok((read("page", 1)?, read("per_page", PER_PAGE)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::IssueCardRequest;

    fn error_body(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).unwrap_or(Value::Null)
    }

    #[test]
    fn decoding_names_the_field() {
        let missing = decode_body::<IssueCardRequest>(br#"{"card_template_id":"t"}"#)
            .expect_err("full_name is required");
        assert_eq!(missing.status, 422);
        assert_eq!(
            error_body(&missing)["errors"],
            json!({"full_name": ["is required"]})
        );

        let pattern = decode_body::<IssueCardRequest>(
            br#"{"card_template_id":"t","full_name":"A","tag_id":"DF517FC87144D"}"#,
        )
        .expect_err("13 characters");
        assert_eq!(pattern.status, 422);
        let errors = error_body(&pattern)["errors"]["tag_id"].clone();
        assert!(
            errors[0]
                .as_str()
                .is_some_and(|s| s.contains("14 hexadecimal characters")),
            "{errors}"
        );

        let nested = decode_body::<IssueCardRequest>(
            br#"{"card_template_id":"t","full_name":"A","site_code":"1","parking_details":[{"label":"x"}]}"#,
        )
        .expect_err("value is required");
        assert_eq!(
            error_body(&nested)["errors"],
            json!({"parking_details[0].value": ["is required"]})
        );

        let rule = decode_body::<IssueCardRequest>(br#"{"card_template_id":" ","full_name":"A"}"#)
            .expect_err("an empty template id");
        assert!(error_body(&rule)["errors"]["card_template_id"].is_array());

        // What the official examples send passes: no site code, and fields the schema does
        // not name are kept.
        let kept = decode_body::<IssueCardRequest>(
            br#"{"card_template_id":"t","full_name":"A","badge_tier":{"level":2}}"#,
        )
        .expect("accepted");
        assert_eq!(kept.extra["badge_tier"], json!({"level": 2}));

        let not_json = decode_body::<IssueCardRequest>(b"{").expect_err("not JSON");
        assert_eq!(not_json.status, 400);
        let array = decode_body::<IssueCardRequest>(b"[]").expect_err("not an object");
        assert_eq!(array.status, 422);
    }
}
