//! The single-field rules of the requests, read from the schema and generated as checks.
//!
//! Shared by `build.rs` and the tests (`tests/schema_rules.rs`), like the bundler. The
//! schema states each rule a request field must keep with a standard JSON Schema keyword
//! on the property of a request or query type (`endpoints.json` names them):
//!
//! - `minimum` / `maximum` on an integer: the value is within the bounds;
//! - `pattern: "\\S"` on a string: the value holds something other than white space. It is
//!   checked as `!value.trim().is_empty()`: white space is Unicode's `White_Space`, which
//!   differs from ECMA-262's `\s` only in U+0085 (white space here) and U+FEFF (not).
//!
//! Each request or query type gets one generated `SchemaRules` implementation that refuses
//! exactly what these keywords forbid, with `Error::invalid(field, reason)`. typify is
//! handed each such property without these keywords, so a rule never changes a field's
//! Rust type (typify would turn `minimum: 1` into `NonZeroU32`, a pattern into a newtype).
//! A property marked `"x-bounds-as-type": true` keeps its bounds for typify instead: they
//! choose its Rust type (`NonZeroU32` for a minimum of 1), which enforces them when the
//! request is built, so no check is generated.
//!
//! Any other validation keyword on a request property (another `pattern`, `minLength`,
//! `enum`, ...) stops the build with a message naming the schema and the property: a
//! patterned string is a named type in `$defs` (a checked string, checked when built), and
//! a rule that spans fields is written by hand in `src/validate.rs`. Nested objects keep
//! their keywords for typify.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

/// What a field must keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// An integer within the bounds.
    Bounds {
        min: Option<i128>,
        max: Option<i128>,
    },
    /// A string with something other than white space (`pattern: "\\S"`).
    NotBlank,
}

/// One rule of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The field's name, on the wire and in Rust (request properties are snake_case).
    pub field: String,
    /// Whether the field is an `Option` (not required, or nullable).
    pub optional: bool,
    pub check: Check,
}

/// Keywords that describe or shape a property without restricting its value here.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "type",
    "format",
    "$ref",
    "default",
    "items",
    "examples",
    "deprecated",
    "$comment",
    "properties",
    "required",
    "additionalProperties",
];

/// Reads the rules of the request and query `types` and removes their keywords from what
/// typify sees (`defs`). Returns the rules by type name (every type, with or without rules).
pub fn take(
    defs: &mut BTreeMap<String, Value>,
    types: &[String],
) -> Result<BTreeMap<String, Vec<Rule>>, String> {
    let mut out = BTreeMap::new();
    for name in types {
        let Some(schema) = defs.get_mut(name) else {
            return Err(format!("request type `{name}`: no schema defines it"));
        };
        let required = crate::bundle::strings(schema.get("required"));
        let mut rules = Vec::new();
        if let Some(Value::Object(props)) = schema.get_mut("properties") {
            for (field, prop) in props.iter_mut() {
                let Some(prop) = prop.as_object_mut() else {
                    continue;
                };
                let at = || format!("schema `{name}`, property `{field}`");
                let bounds_as_type = match prop.remove("x-bounds-as-type") {
                    None => false,
                    Some(Value::Bool(b)) => b,
                    Some(_) => {
                        return Err(format!(
                            "{}: `x-bounds-as-type` must be true or false",
                            at()
                        ))
                    }
                };
                if let Some(key) = prop.keys().find(|k| {
                    !ANNOTATIONS.contains(&k.as_str())
                        && !["minimum", "maximum", "pattern"].contains(&k.as_str())
                }) {
                    return Err(format!(
                        "{}: the keyword `{key}` is not supported on a request property \
                         (supported rules: `minimum` and `maximum` on an integer, \
                         `pattern: \"\\\\S\"` on a string; a patterned string is a named type \
                         in `$defs`, a rule spanning fields is written in src/validate.rs)",
                        at()
                    ));
                }
                let types = crate::bundle::strings(prop.get("type"));
                let is = |t: &str| types.iter().any(|have| have == t);
                let optional = is("null") || !required.contains(field);
                let has_bounds = prop.contains_key("minimum") || prop.contains_key("maximum");
                if has_bounds && !bounds_as_type {
                    if !is("integer") {
                        return Err(format!(
                            "{}: `minimum` / `maximum` are supported on an integer only",
                            at()
                        ));
                    }
                    let mut bound = |key: &str| -> Result<Option<i128>, String> {
                        match prop.remove(key) {
                            None => Ok(None),
                            Some(v) => v.as_i64().map(|n| Some(n.into())).ok_or_else(|| {
                                format!("{}: `{key}` must be a whole number, not {v}", at())
                            }),
                        }
                    };
                    let (min, max) = (bound("minimum")?, bound("maximum")?);
                    if let (Some(min), Some(max)) = (min, max) {
                        if min > max {
                            return Err(format!(
                                "{}: `minimum` {min} is above `maximum` {max}",
                                at()
                            ));
                        }
                    }
                    rules.push(Rule {
                        field: rust_field(field, &at())?,
                        optional,
                        check: Check::Bounds { min, max },
                    });
                }
                if let Some(pattern) = prop.remove("pattern") {
                    if pattern.as_str() != Some("\\S") || !is("string") {
                        return Err(format!(
                            "{}: the `pattern` {pattern} is not supported on a request property \
                             (only `\"\\\\S\"` on a string, for a value that must not be blank; \
                             a patterned string is a named type in `$defs`)",
                            at()
                        ));
                    }
                    rules.push(Rule {
                        field: rust_field(field, &at())?,
                        optional,
                        check: Check::NotBlank,
                    });
                }
            }
        }
        out.insert(name.clone(), rules);
    }
    Ok(out)
}

/// Rust's keywords, which typify would rename (`r#type`) and which are not snake_case names.
const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The Rust name of a request field: its wire name, which must be a snake_case identifier.
fn rust_field(wire: &str, at: &str) -> Result<String, String> {
    let ok = wire
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && wire
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok || KEYWORDS.contains(&wire) {
        return Err(format!(
            "{at}: a property with rules needs a snake_case name that is not a Rust keyword"
        ));
    }
    Ok(wire.to_owned())
}

/// `schema_rules.rs`: one `SchemaRules` implementation per request or query type, for
/// `src/validate.rs`, which defines `SchemaRules` and the `rule` checks it calls.
pub fn generate(rules: &BTreeMap<String, Vec<Rule>>) -> String {
    let mut out = String::from(
        "// Generated by build.rs from the rules of schema/*.json (see build/rules.rs). Do not edit.\n\n",
    );
    for (name, rules) in rules {
        let _ = writeln!(
            out,
            "impl SchemaRules for crate::models::{name} {{\n    fn schema_rules(&self) -> Result<(), Error> {{"
        );
        for r in rules {
            let field = &r.field;
            let (value, call) = match &r.check {
                Check::Bounds { min, max } => (
                    "i128::from(value)",
                    format!("rule::bounds({field:?}, {{v}}, {min:?}, {max:?})"),
                ),
                Check::NotBlank => ("value", format!("rule::not_blank({field:?}, {{v}})")),
            };
            if r.optional {
                let borrow = if r.check == Check::NotBlank { "&" } else { "" };
                let call = call.replace("{v}", value);
                let _ = writeln!(
                    out,
                    "        if let Some(value) = {borrow}self.{field} {{\n            {call}?;\n        }}"
                );
            } else {
                let own = match &r.check {
                    Check::Bounds { .. } => format!("i128::from(self.{field})"),
                    Check::NotBlank => format!("&self.{field}"),
                };
                let _ = writeln!(out, "        {}?;", call.replace("{v}", &own));
            }
        }
        out.push_str("        Ok(())\n    }\n}\n\n");
    }
    out
}
