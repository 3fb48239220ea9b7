//! The build script's schema bundling: what it produces and how it refuses bad input.

#[path = "../build/bundle.rs"]
#[allow(dead_code)]
mod bundle;

use std::path::PathBuf;

use serde_json::json;

/// Writes `files` into a fresh folder and bundles them.
fn run(files: &[(&str, serde_json::Value)]) -> Result<bundle::Bundle, String> {
    let dir = std::env::temp_dir().join(format!(
        "accessgrid-bundle-{}-{}",
        std::process::id(),
        files
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join("-")
            .replace('.', "_")
            + &format!("{:?}", std::thread::current().id()).replace(['(', ')'], "")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, value) in files {
        std::fs::write(dir.join(name), value.to_string()).expect("write schema");
    }
    let paths: Vec<PathBuf> = bundle::schema_files(&dir)?;
    let result = bundle::bundle(&paths);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[test]
fn cross_file_and_whole_file_refs_become_local() {
    let b = run(&[
        ("a.json", json!({"$defs": {"Thing": {"title": "Thing", "type": "object", "properties": {
            "meta": {"$ref": "b.json#/$defs/Meta"}, "root": {"$ref": "b.json"}}}}})),
        ("b.json", json!({"title": "BRoot", "type": "object", "$defs": {"Meta": {"title": "Meta", "type": "object"}}})),
    ])
    .expect("bundles");
    let names: Vec<&str> = b.defs.keys().map(String::as_str).collect();
    assert_eq!(names, ["BRoot", "Meta", "Thing"]);
    assert_eq!(
        b.defs["Thing"]["properties"]["meta"]["$ref"],
        "#/$defs/Meta"
    );
    assert_eq!(
        b.defs["Thing"]["properties"]["root"]["$ref"],
        "#/$defs/BRoot"
    );
    assert!(
        b.defs["BRoot"].get("$defs").is_none(),
        "nested $defs are lifted out"
    );
}

#[test]
fn marked_definitions_are_hand_written() {
    let b = run(&[(
        "a.json",
        json!({"$defs": {
            "Colour": {"title": "Colour", "type": "string", "enum": ["red"], "x-open-enum": true},
            "Amount": {"title": "Amount", "type": "string", "x-hand-written": true}
        }}),
    )])
    .expect("bundles");
    assert_eq!(b.hand_written, ["Amount", "Colour"]);
    assert!(
        b.defs["Colour"].get("x-open-enum").is_none(),
        "x- keys are stripped for typify"
    );
}

#[test]
fn duplicate_names_are_refused_naming_both_files() {
    let err = run(&[
        (
            "a.json",
            json!({"$defs": {"Card": {"title": "Card", "type": "object"}}}),
        ),
        (
            "b.json",
            json!({"$defs": {"Card": {"title": "Card", "type": "object"}}}),
        ),
    ])
    .err()
    .expect("a duplicate must fail");
    assert!(
        err.contains("b.json") && err.contains("a.json") && err.contains("`Card`"),
        "{err}"
    );
}

#[test]
fn unresolved_refs_are_refused_naming_the_file_and_ref() {
    let err = run(&[(
        "a.json",
        json!({"$defs": {"Card": {"title": "Card", "type": "object",
        "properties": {"x": {"$ref": "missing.json#/$defs/Nope"}}}}}),
    )])
    .err()
    .expect("an unresolved ref must fail");
    assert!(
        err.starts_with("a.json:") && err.contains("missing.json#/$defs/Nope"),
        "{err}"
    );

    let err = run(&[(
        "a.json",
        json!({"$defs": {"Card": {"title": "Card", "type": "object",
        "properties": {"x": {"$ref": "other.json"}}}}}),
    )])
    .err()
    .expect("a ref to a file with no titled root must fail");
    assert!(err.contains("other.json"), "{err}");
}

#[test]
fn an_untitled_root_that_defines_a_type_is_refused() {
    let err = run(&[(
        "a.json",
        json!({"type": "object", "properties": {"id": {"type": "string"}}}),
    )])
    .err()
    .expect("an untitled root must fail");
    assert!(
        err.starts_with("a.json:") && err.contains("no `title`"),
        "{err}"
    );
}

#[test]
fn a_title_that_differs_from_its_name_is_refused() {
    let err = run(&[(
        "a.json",
        json!({"$defs": {"Card": {"title": "Kard", "type": "object"}}}),
    )])
    .err()
    .expect("a mismatched title must fail");
    assert!(
        err.contains("`$defs/Card`") && err.contains("`Kard`"),
        "{err}"
    );
}

#[test]
fn malformed_files_are_refused_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("accessgrid-bundle-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("broken.json"), "{ not json").expect("write");
    let paths = bundle::schema_files(&dir).expect("lists files");
    let err = bundle::bundle(&paths).err().expect("broken JSON must fail");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.starts_with("broken.json: not valid JSON"), "{err}");
}

#[test]
fn the_real_schema_folder_bundles() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema");
    let b = bundle::bundle(&bundle::schema_files(&dir).expect("files")).expect("bundles");
    assert!(b.defs.contains_key("IssueCardRequest"));
    assert!(b.hand_written.iter().any(|n| n == "CardState"));
}

#[test]
fn object_schemas_keep_unknown_fields_unless_they_say_otherwise() {
    let b = run(&[(
        "a.json",
        json!({"$defs": {
            "Open": {"title": "Open", "type": "object", "properties": {
                "inline": {"type": "object", "properties": {"x": {"type": "string"}}},
                "list": {"type": "array", "items": {"type": "object", "properties": {"y": {}}}},
                "either": {"anyOf": [{"type": "object", "properties": {"z": {}}}, {"type": "null"}]},
                "free": {"type": "object", "additionalProperties": true}
            }},
            "Closed": {"title": "Closed", "type": "object", "additionalProperties": false,
                       "properties": {"a": {}}},
            "Ignoring": {"title": "Ignoring", "type": "object", "additionalProperties": true,
                         "properties": {"a": {}}},
            "Text": {"title": "Text", "type": "string"}
        }}),
    )])
    .expect("bundles");
    let open = &b.defs["Open"];
    assert_eq!(open["additionalProperties"], json!({}));
    assert_eq!(
        open["properties"]["inline"]["additionalProperties"],
        json!({})
    );
    assert_eq!(
        open["properties"]["list"]["items"]["additionalProperties"],
        json!({})
    );
    assert_eq!(
        open["properties"]["either"]["anyOf"][0]["additionalProperties"],
        json!({})
    );
    // A free-form map (no properties) and schemas that say otherwise are left alone.
    assert_eq!(open["properties"]["free"]["additionalProperties"], true);
    assert_eq!(b.defs["Closed"]["additionalProperties"], false);
    assert_eq!(b.defs["Ignoring"]["additionalProperties"], true);
    assert!(b.defs["Text"].get("additionalProperties").is_none());
}
