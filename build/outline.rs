//! The public outline of the models (`accessgrid::models::outline()`), and the embedded
//! schema files (`accessgrid::models::schemas()`).
//!
//! The outline is what a user snapshots to review a model upgrade as a diff: every
//! endpoint (method, path, request and answer types) and every type the models name, each
//! field with its wire name, Rust type, whether it is required and its rules (`minimum`,
//! `maximum`, `pattern`), every enumeration with its values, every checked string with its
//! rule. It is made from the generated code itself (so it says exactly what a user compiles
//! against) plus the schema for what the code does not spell out (hand-written types,
//! open-enum values, defaults, rules). One line per fact and no alignment, so a change shows
//! as the lines it changes and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::bundle::Bundle;
use crate::endpoints::Entry;

/// The outline text.
pub fn outline(
    file: &syn::File,
    bundle: &Bundle,
    entries: &[Entry],
    hand_written_structs: &[syn::ItemStruct],
) -> Result<String, String> {
    let mut types: BTreeMap<String, TypeOutline> = BTreeMap::new();
    // The pattern each generated checked string compiles, by type name.
    let mut patterns: BTreeMap<String, String> = BTreeMap::new();
    for item in &file.items {
        match item {
            syn::Item::Impl(imp) => {
                let text = quote::ToTokens::to_token_stream(imp).to_string();
                let (syn::Type::Path(ty), Some(start)) =
                    (&*imp.self_ty, text.find("Regex :: new ("))
                else {
                    continue;
                };
                if let (Some(last), Some(lit)) = (
                    ty.path.segments.last(),
                    first_string_literal(&text[start..]),
                ) {
                    patterns.insert(last.ident.to_string(), lit);
                }
            }
            syn::Item::Struct(s) => {
                types.insert(s.ident.to_string(), struct_outline(s, bundle, false));
            }
            syn::Item::Enum(e) => {
                types.insert(e.ident.to_string(), closed_enum_outline(e));
            }
            _ => {}
        }
    }
    // The rules of the generated checked strings: the schema's, or (for a type declared
    // inline) the pattern the code compiles.
    for (name, t) in types.iter_mut().filter(|(_, t)| t.kind == "string") {
        t.lines = match bundle.defs.get(name) {
            Some(schema) => string_rule(schema),
            None => patterns
                .get(name)
                .map(|p| vec![format!("  pattern: {p}")])
                .unwrap_or_default(),
        };
        if !t.lines.is_empty() {
            t.kind = "checked string".into();
        }
    }
    for name in &bundle.hand_written {
        let schema = &bundle.defs[name];
        let outline = if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
            open_enum_outline(variants)
        } else if let Some(s) = hand_written_structs.iter().find(|s| s.ident == name) {
            struct_outline(s, bundle, true)
        } else if schema.get("pattern").is_some() || schema.get("maxLength").is_some() {
            TypeOutline {
                kind: "checked string".into(),
                lines: string_rule(schema),
                refs: BTreeSet::new(),
            }
        } else {
            TypeOutline {
                kind: "string".into(),
                lines: vec!["  (hand-written)".into()],
                refs: BTreeSet::new(),
            }
        };
        if types.insert(name.clone(), outline).is_some() {
            return Err(format!(
                "outline: `{name}` is both generated and hand-written"
            ));
        }
    }

    // Which types are sent, which are received.
    let names: BTreeSet<String> = types.keys().cloned().collect();
    let reach = |roots: Vec<&String>| {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> = roots.into_iter().cloned().collect();
        while let Some(t) = todo.pop() {
            if names.contains(&t) && seen.insert(t.clone()) {
                todo.extend(types[&t].refs.iter().cloned());
            }
        }
        seen
    };
    let sent = reach(
        entries
            .iter()
            .flat_map(|e| [&e.request, &e.query])
            .flatten()
            .collect(),
    );
    let answered = reach(
        entries
            .iter()
            .flat_map(|e| [&e.answer, &e.item])
            .flatten()
            .collect(),
    );

    let mut out = String::from(
        "# accessgrid models outline: every endpoint and every model type.\n\
         # Field lines: `wire name: Rust type`, then `required` when the field must be present\n\
         # (and `field rust_name` when the Rust name differs). Types are in alphabetical order.\n",
    );
    out.push_str("\n## endpoints\n");
    for e in entries {
        let feature = e
            .feature
            .as_deref()
            .map(|f| format!(" (feature {f})"))
            .unwrap_or_default();
        let _ = writeln!(out, "endpoint {} {} {}{feature}", e.name, e.method, e.path);
        let _ = writeln!(out, "  call: client.{}", e.call);
        if let Some(r) = &e.request {
            let _ = writeln!(out, "  request: {}", endpoint_type(r));
        }
        if let Some(q) = &e.query {
            let _ = writeln!(out, "  query: {}", endpoint_type(q));
        }
        let answer = match e.shape.as_str() {
            "none" => "() (the answer body is not read)".to_owned(),
            "page" => format!(
                "Page<{}> (decoded from {})",
                endpoint_type(e.item.as_deref().unwrap_or_default()),
                endpoint_type(e.answer.as_deref().unwrap_or_default())
            ),
            "list" => format!(
                "Page<{}> (a bare array, or wrapped under {})",
                endpoint_type(e.item.as_deref().unwrap_or_default()),
                e.wrappers.join(" or ")
            ),
            _ => endpoint_type(e.answer.as_deref().unwrap_or_default()),
        };
        let _ = writeln!(out, "  answer: {answer}");
    }
    out.push_str("\n## types\n");
    for (name, t) in &types {
        let role = match (sent.contains(name), answered.contains(name)) {
            (true, true) => "request+answer",
            (true, false) => "request",
            // Answers, webhook events, error bodies: everything the SDK only receives.
            _ => "answer",
        };
        let _ = writeln!(out, "{} {name} ({role})", t.kind);
        for line in &t.lines {
            let _ = writeln!(out, "{line}");
        }
    }
    Ok(out)
}

struct TypeOutline {
    kind: String,
    lines: Vec<String>,
    /// Type names its fields mention.
    refs: BTreeSet<String>,
}

fn endpoint_type(name: &str) -> String {
    match name {
        "Value" => "serde_json::Value".to_owned(),
        other => other.to_owned(),
    }
}

/// The first string literal in token text, unescaped: `a"b` from `x "a\"b" y`.
fn first_string_literal(text: &str) -> Option<String> {
    let start = text.find('"')?;
    let mut escaped = false;
    for (i, c) in text[start + 1..].char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                let lit: syn::LitStr = syn::parse_str(&text[start..start + i + 2]).ok()?;
                return Some(lit.value());
            }
            _ => escaped = false,
        }
    }
    None
}

/// `pattern` and `maxLength` of a string schema.
fn string_rule(schema: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        lines.push(format!("  pattern: {p}"));
    }
    for key in ["minLength", "maxLength"] {
        if let Some(n) = schema.get(key).and_then(Value::as_u64) {
            lines.push(format!("  {key}: {n}"));
        }
    }
    lines
}

fn struct_outline(s: &syn::ItemStruct, bundle: &Bundle, hand_written: bool) -> TypeOutline {
    let mut refs = BTreeSet::new();
    let mut lines = Vec::new();
    let name = s.ident.to_string();
    let props = bundle
        .defs
        .get(&name)
        .and_then(|d| d.get("properties"))
        .and_then(Value::as_object);
    let mut unknown = "ignored";
    if serde_words(&s.attrs).contains(&"deny_unknown_fields".to_owned()) {
        unknown = "refused";
    }
    let kind = match &s.fields {
        syn::Fields::Named(fields) => {
            for field in &fields.named {
                let rust = field
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let rust = rust.trim_start_matches("r#").to_owned();
                collect_refs(&field.ty, &mut refs);
                let words = serde_words(&field.attrs);
                if words.iter().any(|w| w == "flatten") {
                    unknown = "kept in extra";
                    continue;
                }
                let wire = serde_rename(&field.attrs).unwrap_or_else(|| rust.clone());
                let ty = render(&field.ty);
                let optional = ty.starts_with("Option<") || words.iter().any(|w| w == "default");
                let mut line = format!("  {wire}: {ty}");
                if !optional {
                    line.push_str(", required");
                }
                let prop = props.and_then(|p| p.get(&wire));
                if let Some(default) = prop.and_then(|p| p.get("default")) {
                    let _ = write!(line, ", default {default}");
                }
                // The field's own rules (a checked string type shows its rule itself).
                for key in ["minimum", "maximum", "pattern"] {
                    if key == "pattern" && !ty.contains("String") {
                        continue;
                    }
                    if let Some(rule) = prop.and_then(|p| p.get(key)) {
                        let _ = write!(line, ", {key} {rule}");
                    }
                }
                if wire != rust {
                    let _ = write!(line, ", field {rust}");
                }
                lines.push(line);
            }
            lines.push(format!("  (other fields: {unknown})"));
            if hand_written {
                lines.push("  (hand-written)".into());
            }
            "struct"
        }
        syn::Fields::Unnamed(fields) => {
            let inner: Vec<String> = fields.unnamed.iter().map(|f| render(&f.ty)).collect();
            for f in &fields.unnamed {
                collect_refs(&f.ty, &mut refs);
            }
            if inner == ["String"] {
                "string"
            } else {
                lines.push(format!("  newtype of {}", inner.join(", ")));
                "newtype"
            }
        }
        syn::Fields::Unit => "unit struct",
    };
    TypeOutline {
        kind: kind.into(),
        lines,
        refs,
    }
}

fn closed_enum_outline(e: &syn::ItemEnum) -> TypeOutline {
    let mut refs = BTreeSet::new();
    let mut lines = Vec::new();
    for v in &e.variants {
        let wire = serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string());
        let mut line = format!("  {wire:?}: {}", v.ident);
        for f in &v.fields {
            collect_refs(&f.ty, &mut refs);
            let _ = write!(line, " ({})", render(&f.ty));
        }
        lines.push(line);
    }
    lines.push("  (other values: refused)".into());
    TypeOutline {
        kind: "enum".into(),
        lines,
        refs,
    }
}

fn open_enum_outline(variants: &[Value]) -> TypeOutline {
    let mut lines: Vec<String> = variants
        .iter()
        .map(|v| {
            format!(
                "  {}: {}",
                v.get("const").cloned().unwrap_or(Value::Null),
                v.get("title").and_then(Value::as_str).unwrap_or_default()
            )
        })
        .collect();
    lines.push("  (other values: kept as Unknown)".into());
    TypeOutline {
        kind: "open enum".into(),
        lines,
        refs: BTreeSet::new(),
    }
}

/// The bare words and keys of `#[serde(...)]` attributes (`flatten`, `default`, ...).
fn serde_words(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut words = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if let Some(id) = meta.path.get_ident() {
                words.push(id.to_string());
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    words
}

/// The `rename = "..."` of `#[serde(...)]` attributes.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|meta| {
            if meta.input.peek(syn::Token![=]) {
                let value: syn::Expr = meta.value()?.parse()?;
                if meta.path.is_ident("rename") {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = value
                    {
                        rename = Some(s.value());
                    }
                }
            }
            Ok(())
        });
    }
    rename
}

/// A type as a user writes it: the last path segment (`Option<String>`), with
/// `serde_json::` kept where the type comes from there.
fn render(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return String::new();
            };
            let from_json = p.path.segments.iter().any(|s| s.ident == "serde_json");
            let mut out = if from_json {
                format!("serde_json::{}", last.ident)
            } else {
                last.ident.to_string()
            };
            if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                let inner: Vec<String> = args
                    .args
                    .iter()
                    .map(|a| match a {
                        syn::GenericArgument::Type(t) => render(t),
                        other => quote::ToTokens::to_token_stream(other).to_string(),
                    })
                    .collect();
                let _ = write!(out, "<{}>", inner.join(", "));
            }
            out
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => "()".into(),
        other => quote::ToTokens::to_token_stream(other).to_string(),
    }
}

/// Every path segment name in a type (candidates for references to other model types).
fn collect_refs(ty: &syn::Type, refs: &mut BTreeSet<String>) {
    if let syn::Type::Path(p) = ty {
        for seg in &p.path.segments {
            refs.insert(seg.ident.to_string());
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                for a in &args.args {
                    if let syn::GenericArgument::Type(t) = a {
                        collect_refs(t, refs);
                    }
                }
            }
        }
    }
}

/// The hand-written structs the schema marks `x-hand-written`, found in the crate's
/// sources (`src/**/*.rs`), so their outline is read from the code users compile against:
/// a struct item, or a struct written as the whole body of a macro invocation.
/// Returns them and the files they were found in (for `rerun-if-changed`).
pub fn hand_written_structs(
    src: &Path,
    names: &[String],
) -> Result<(Vec<syn::ItemStruct>, Vec<String>), String> {
    let mut found = Vec::new();
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    let mut sources = Vec::new();
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
    }
    sources.sort();
    for path in sources {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if !names
            .iter()
            .any(|n| text.contains(&format!("pub struct {n} ")))
        {
            continue;
        }
        let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for item in parsed.items {
            // A struct, or one written inside a macro invocation (`either_case! { ... }`).
            let s = match item {
                syn::Item::Struct(s) => s,
                syn::Item::Macro(m) => match syn::parse2::<syn::ItemStruct>(m.mac.tokens) {
                    Ok(s) => s,
                    Err(_) => continue,
                },
                _ => continue,
            };
            if names.iter().any(|n| s.ident == n) {
                found.push(s);
            }
        }
        files.push(path.display().to_string());
    }
    Ok((found, files))
}

/// `schemas.rs`: every schema file, embedded with its file name.
pub fn schemas_source(files: &[std::path::PathBuf]) -> Result<String, String> {
    let mut out =
        String::from("// Generated by build.rs: the schema files, embedded. Do not edit.\n\n&[\n");
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| format!("{}: no file name", path.display()))?;
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/schema/{name}\"))),"
        );
    }
    out.push_str("]\n");
    Ok(out)
}
