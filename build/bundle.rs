//! Bundling of the schema folder into one set of definitions, for typify.
//!
//! Shared by `build.rs` and the tests (`tests/schema_bundle.rs`), so the build's error
//! messages are tested like any other code.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The `.json` files of the schema folder, sorted so the output is stable.
pub fn schema_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no .json schema files", dir.display()));
    }
    Ok(files)
}

/// The strings of a schema value that is a string or a list of them (`"type"`,
/// `"required"`, ...): one string, the list's strings, or none.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

pub struct Bundle {
    /// Every definition by name, with local references only.
    pub defs: BTreeMap<String, Value>,
    /// Names marked `x-open-enum` or `x-hand-written`.
    pub hand_written: Vec<String>,
}

/// Bundles the files; an error names the file and the problem.
pub fn bundle(files: &[PathBuf]) -> Result<Bundle, String> {
    // file name -> the title of its root, for whole-file references.
    let mut roots: BTreeMap<String, String> = BTreeMap::new();
    // type name -> (file it came from, schema).
    let mut defs: BTreeMap<String, (String, Value)> = BTreeMap::new();

    for path in files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: {e}"))?;
        let mut root: Value =
            serde_json::from_str(&text).map_err(|e| format!("{file}: not valid JSON: {e}"))?;
        let Some(obj) = root.as_object_mut() else {
            return Err(format!("{file}: the root is not a JSON object"));
        };
        let local_defs = match obj.remove("$defs") {
            None => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(format!("{file}: `$defs` is not an object")),
        };
        for (name, schema) in local_defs {
            if let Some(title) = schema.get("title").and_then(Value::as_str) {
                if title != name {
                    return Err(format!(
                        "{file}: `$defs/{name}` has title `{title}`; a definition's title must be its name"
                    ));
                }
            }
            insert_def(&mut defs, &file, name, schema)?;
        }
        let defines_type = [
            "type",
            "properties",
            "enum",
            "oneOf",
            "anyOf",
            "allOf",
            "$ref",
        ]
        .iter()
        .any(|key| obj.contains_key(*key));
        if defines_type {
            let Some(title) = obj.get("title").and_then(Value::as_str).map(str::to_owned) else {
                return Err(format!(
                    "{file}: the root schema defines a type but has no `title`, so it would have no name"
                ));
            };
            for key in ["$schema", "$id"] {
                obj.remove(key);
            }
            roots.insert(file.clone(), title.clone());
            insert_def(&mut defs, &file, title, root)?;
        }
    }

    let names: Vec<String> = defs.keys().cloned().collect();
    let mut hand_written = Vec::new();
    let mut out = BTreeMap::new();
    for (name, (file, mut schema)) in defs {
        rewrite_refs(&mut schema, &file, &roots, &names)?;
        let marked = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
        if marked("x-open-enum") || marked("x-hand-written") {
            hand_written.push(name.clone());
        }
        if let Some(obj) = schema.as_object_mut() {
            obj.retain(|key, _| !key.starts_with("x-"));
        }
        keep_unknown_fields(&mut schema);
        out.insert(name, schema);
    }
    Ok(Bundle {
        defs: out,
        hand_written,
    })
}

/// Makes every object schema with `properties` lossless: unless it says otherwise, it
/// gets `additionalProperties: {}`, for which typify emits a flattened
/// `extra: serde_json::Map<String, Value>` field. Decoding then keeps every field the
/// schema does not name (reachable by name in `extra`), serializing writes them back, and a
/// request can carry a field the schema does not know yet. A schema that wants another
/// behaviour says so with its own `additionalProperties` (`false` refuses unknown fields,
/// `true` ignores them). Walks every place a subschema can appear.
pub fn keep_unknown_fields(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.get("properties").is_some_and(Value::is_object)
        && !obj.contains_key("additionalProperties")
    {
        obj.insert("additionalProperties".to_owned(), Value::Object(Map::new()));
    }
    for key in ["properties", "$defs", "definitions", "patternProperties"] {
        if let Some(Value::Object(children)) = obj.get_mut(key) {
            children.values_mut().for_each(keep_unknown_fields);
        }
    }
    for key in ["items", "additionalProperties", "not", "contains"] {
        if let Some(child) = obj.get_mut(key) {
            match child {
                Value::Array(list) => list.iter_mut().for_each(keep_unknown_fields),
                other => keep_unknown_fields(other),
            }
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            list.iter_mut().for_each(keep_unknown_fields);
        }
    }
}

fn insert_def(
    defs: &mut BTreeMap<String, (String, Value)>,
    file: &str,
    name: String,
    schema: Value,
) -> Result<(), String> {
    if let Some((first, _)) = defs.get(&name) {
        return Err(format!(
            "{file}: type name `{name}` is already defined in {first}; names share one namespace"
        ));
    }
    defs.insert(name, (file.to_owned(), schema));
    Ok(())
}

/// Turns every `$ref` into `#/$defs/Name` and checks that `Name` exists.
fn rewrite_refs(
    value: &mut Value,
    file: &str,
    roots: &BTreeMap<String, String>,
    names: &[String],
) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                let target = resolve(reference, file, roots)?;
                if !names.contains(&target) {
                    return Err(format!(
                        "{file}: `$ref` `{reference}` resolves to `{target}`, which no schema file defines"
                    ));
                }
                let mut local = String::new();
                let _ = write!(local, "#/$defs/{target}");
                *reference = local;
            }
            for child in map.values_mut() {
                rewrite_refs(child, file, roots, names)?;
            }
        }
        Value::Array(items) => {
            for child in items {
                rewrite_refs(child, file, roots, names)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The type name a reference points at.
fn resolve(
    reference: &str,
    file: &str,
    roots: &BTreeMap<String, String>,
) -> Result<String, String> {
    let (doc, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if fragment.is_empty() {
        // A whole file (`other.json`) or the file itself (`#`): its titled root.
        let doc = if doc.is_empty() { file } else { doc };
        return roots.get(doc).cloned().ok_or_else(|| {
            format!("{file}: `$ref` `{reference}` names a file with no titled root schema")
        });
    }
    match fragment.rsplit_once('/') {
        Some((prefix, name)) if prefix == "/$defs" || prefix == "/definitions" => {
            Ok(name.to_owned())
        }
        _ => Err(format!(
            "{file}: `$ref` `{reference}` is not of the form `[file.json]#/$defs/Name`"
        )),
    }
}
