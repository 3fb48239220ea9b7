//! The sandbox stands in for the server using only what a user of the crate could use: the
//! public API and the endpoint table. This test reads every file under `src/sandbox/` and
//! fails, naming file and line, on any `crate::` path outside that set.
//!
//! Allowed: a name the crate root makes public (`pub use` / `pub mod` in `src/lib.rs`), an
//! item of a public module that its source does not declare crate-private, the sandbox's own
//! modules, and the two shared private layers the sandbox module docs name as deliberate
//! exceptions: `crate::http_server` (the hardened HTTP server layer the sandbox shares with
//! `webhooks::Receiver`) and `crate::dates` (the one ISO-8601 reader, also behind the public
//! `reconcile::parse_date`).

use std::fs;
use std::path::{Path, PathBuf};

/// The private layers the sandbox may use, on purpose (see the sandbox module docs).
const SHARED_PRIVATE_LAYERS: &[&str] = &["http_server", "dates"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The text with every comment line (`//`, `///`, `//!`) blanked, so that documentation
/// may mention any path; line numbers are kept.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names a `pub use` / `pub mod` line of `src/lib.rs` makes public at the root.
fn root_public_names() -> Vec<String> {
    let lib = fs::read_to_string(root().join("src/lib.rs")).expect("src/lib.rs");
    let lib = code_only(&lib);
    let mut names = Vec::new();
    let mut rest = lib.as_str();
    while let Some(at) = rest.find("pub ") {
        rest = &rest[at + 4..];
        let item = rest.trim_start();
        if let Some(module) = item.strip_prefix("mod ") {
            names.push(module.chars().take_while(|&c| is_ident(c)).collect());
        } else if let Some(path) = item.strip_prefix("use ") {
            let path = &path[..path.find(';').expect("a `pub use` ends with `;`")];
            let leaves = match (path.find('{'), path.rfind('}')) {
                (Some(open), Some(close)) => path[open + 1..close].to_owned(),
                _ => path.rsplit("::").next().unwrap_or(path).to_owned(),
            };
            for leaf in leaves.split(',') {
                let leaf = leaf.trim();
                // `a as b` makes `b` public.
                let name = leaf.rsplit(" as ").next().unwrap_or(leaf).trim();
                let name = name.rsplit("::").next().unwrap_or(name);
                if !name.is_empty() {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

/// The hand-written source files of a public module (generated code is public as a whole).
fn module_sources(module: &str) -> Vec<PathBuf> {
    let src = root().join("src");
    let mut files = Vec::new();
    // `signing` is public through `pub use client::signing`.
    for file in [
        src.join(format!("{module}.rs")),
        src.join("client").join(format!("{module}.rs")),
    ] {
        if file.is_file() {
            files.push(file);
        }
    }
    if src.join(module).is_dir() {
        rust_files(&src.join(module), &mut files);
    }
    files
}

/// Whether `name` is declared in the module's sources only with a restricted visibility
/// (`pub(crate)`, `pub(super)` or none): an internal item of a public module.
fn declared_private(module: &str, name: &str) -> bool {
    const KINDS: &[&str] = &[
        "fn ", "struct ", "enum ", "const ", "static ", "trait ", "type ", "mod ",
    ];
    let mut public = false;
    let mut private = false;
    for file in module_sources(module) {
        let text = fs::read_to_string(&file).expect("a module source");
        for line in text.lines() {
            let line = line.trim_start();
            let (visibility, rest) = if let Some(rest) = line.strip_prefix("pub(") {
                (
                    "restricted",
                    rest.split_once(')').map_or("", |(_, r)| r.trim_start()),
                )
            } else if let Some(rest) = line.strip_prefix("pub ") {
                ("pub", rest.trim_start())
            } else {
                ("none", line)
            };
            let declares = KINDS.iter().any(|kind| {
                rest.strip_prefix(kind).is_some_and(|after| {
                    after.starts_with(name)
                        && !after[name.len()..].starts_with(|c: char| is_ident(c))
                })
            });
            if declares {
                match visibility {
                    "pub" => public = true,
                    _ => private = true,
                }
            }
        }
    }
    private && !public
}

/// The first segment of each path a `crate::` at `at` opens: one, or each item of a
/// `crate::{...}` group. Also the second segment, when there is one.
fn paths_at(code: &str, at: usize) -> Vec<(String, Option<String>)> {
    let rest = &code[at..];
    if let Some(group) = rest.strip_prefix('{') {
        let close = group.find('}').unwrap_or(group.len());
        return group[..close]
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(segments)
            .collect();
    }
    vec![segments(rest)]
}

fn segments(path: &str) -> (String, Option<String>) {
    let first: String = path.chars().take_while(|&c| is_ident(c)).collect();
    let after = &path[first.len()..];
    let second = after
        .strip_prefix("::")
        .map(|tail| {
            tail.chars()
                .take_while(|&c| is_ident(c))
                .collect::<String>()
        })
        .filter(|s| !s.is_empty());
    (first, second)
}

/// The spans of the inline modules (`mod name { ... }`) of a file's code.
fn inline_modules(code: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (at, _) in code.match_indices("mod ") {
        if at > 0 && code[..at].ends_with(|c: char| is_ident(c)) {
            continue;
        }
        let after = &code[at + 4..];
        let name_len = after.chars().take_while(|&c| is_ident(c)).count();
        if name_len == 0 || !after[name_len..].trim_start().starts_with('{') {
            continue;
        }
        let open = at + 4 + name_len + after[name_len..].find('{').unwrap_or(0);
        let mut depth = 0usize;
        let mut end = code.len();
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        spans.push((open, end));
    }
    spans
}

/// Every `crate::` path and every `super::` chain leaving `src/sandbox/`, that the public
/// API does not offer, as `file:line: reason`.
fn violations(files: &[PathBuf], checked: &mut usize) -> Vec<String> {
    let public = root_public_names();
    let public_modules: Vec<&str> = [
        "endpoints",
        "models",
        "reconcile",
        "signing",
        "smart_tap",
        "webhooks",
    ]
    .into_iter()
    .filter(|m| public.iter().any(|p| p == m))
    .collect();
    let sandbox = root().join("src/sandbox");
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(file).expect("a sandbox source");
        let code = code_only(&text);
        let shown = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        let line_of = |at: usize| code[..at].matches('\n').count() + 1;
        for (at, _) in code.match_indices("crate::") {
            // `$crate::` in a macro names the crate too; anything else ending in `crate`
            // (`my_crate::`) is not this crate.
            if at > 0 && code[..at].ends_with(|c: char| is_ident(c)) {
                continue;
            }
            for (first, second) in paths_at(&code, at + "crate::".len()) {
                *checked += 1;
                let line = line_of(at);
                if first == "sandbox" || SHARED_PRIVATE_LAYERS.contains(&first.as_str()) {
                    continue;
                }
                if !public.contains(&first) {
                    found.push(format!(
                        "{shown}:{line}: `crate::{first}` is not public at the crate root"
                    ));
                    continue;
                }
                if let Some(item) = second {
                    if public_modules.contains(&first.as_str()) && declared_private(&first, &item) {
                        found.push(format!(
                            "{shown}:{line}: `crate::{first}::{item}` is crate-private"
                        ));
                    }
                }
            }
        }
        // `super::super::...` climbing out of the sandbox, counted from the file's module
        // and the inline modules (`mod tests { ... }`) around it.
        let inline = inline_modules(&code);
        let depth = file
            .strip_prefix(&sandbox)
            .map(|rel| {
                let parts = rel.components().count();
                if rel.ends_with("mod.rs") {
                    parts
                } else {
                    parts + 1
                }
            })
            .unwrap_or(1);
        for (at, _) in code.match_indices("super::") {
            if at > 0 && code[..at].ends_with(|c: char| is_ident(c) || c == ':') {
                continue;
            }
            let climbs = code[at..]
                .split("::")
                .take_while(|seg| *seg == "super")
                .count();
            *checked += 1;
            let nested = inline
                .iter()
                .filter(|(start, end)| (*start..*end).contains(&at));
            if climbs >= depth + nested.count() {
                found.push(format!(
                    "{shown}:{}: `{}` climbs out of the sandbox; use the public path",
                    line_of(at),
                    "super::".repeat(climbs)
                ));
            }
        }
    }
    found
}

#[test]
fn the_sandbox_uses_only_the_public_api_and_the_endpoint_table() {
    let mut files = Vec::new();
    rust_files(&root().join("src/sandbox"), &mut files);
    assert!(
        files.len() >= 10,
        "expected the sandbox's sources, found {files:?}"
    );
    let mut checked = 0;
    let found = violations(&files, &mut checked);
    // The scan sees the sandbox's paths (so a pass means something).
    assert!(checked >= 30, "only {checked} paths checked");
    assert!(
        found.is_empty(),
        "the sandbox reaches past the public API:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_names_each_kind_of_forbidden_path() {
    let dir = std::env::temp_dir().join(format!("sandbox-public-api-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("bad.rs");
    fs::write(
        &file,
        "//! `crate::client::signing` in a comment is fine.\n\
         use crate::client::signing;\n\
         use crate::{Client, validate::Validate};\n\
         use crate::webhooks::WebhookEvent;\n\
         use crate::endpoints::path;\n\
         use crate::http_server::Reply;\n\
         use super::super::client::Client;\n\
         mod tests {\n    use super::*;\n    use super::super::Sandbox;\n}\n",
    )
    .expect("a test file");
    let mut checked = 0;
    let found = violations(std::slice::from_ref(&file), &mut checked);
    fs::remove_dir_all(&dir).expect("removing the temporary directory");
    let lines: Vec<String> = found
        .iter()
        .map(|f| {
            f.rsplit_once(".rs:")
                .map_or(f.clone(), |(_, l)| l.to_owned())
        })
        .collect();
    assert_eq!(
        lines,
        [
            "2: `crate::client` is not public at the crate root",
            "3: `crate::validate` is not public at the crate root",
            "5: `crate::endpoints::path` is crate-private",
            "7: `super::super::` climbs out of the sandbox; use the public path",
            "10: `super::super::` climbs out of the sandbox; use the public path",
        ],
        "{found:#?}"
    );
}

#[test]
fn the_root_public_names_include_the_re_exports_the_sandbox_uses() {
    let names = root_public_names();
    for name in [
        "Client",
        "ClientBuilder",
        "Error",
        "SecretKey",
        "Validate",
        "signing",
        "models",
        "endpoints",
        "webhooks",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    for private in ["client", "validate", "api", "error", "http_server", "dates"] {
        assert!(!names.iter().any(|n| n == private), "{private} is private");
    }
}
