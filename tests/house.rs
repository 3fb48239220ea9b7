//! The library's source read as a house plan, with two rules:
//!
//! 1. Its files import each other in no circle.
//! 2. The sandbox stands in for the server using only what a user of the crate could use:
//!    the public API and the endpoint table, plus the two private layers the sandbox's
//!    module docs name as shared on purpose (`http_server`, `dates`).
//!
//! One reader serves both. Every file under `src/` (but `src/bin/`, the command-line tool,
//! a crate of its own) is parsed with `syn`. The reader records, per module, the items it
//! declares and their visibility, the names it binds with `use`, and every path it writes
//! with its line. A path resolves to the file that defines what it names, following
//! re-exports (`pub use`) to where the item really lives.
//!
//! For rule 1, what does not count as an import: a module's `mod` declarations and its
//! re-exports of its own descendants (`pub use child::Item`), which are a folder showing its
//! face, not code depending on code; and unit tests (`#[cfg(test)] mod tests`), which may use
//! anything. Paths inside macro invocations are tokens, not read; items generated into a
//! module by `include!` count as that module's own (and as public, for rule 2: the
//! generated models are public as a whole).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module path from the crate root (`["sandbox", "state"]`).
type Module = Vec<String>;

/// How far a declaration is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visibility {
    /// `pub`.
    Public,
    /// `pub(crate)`, `pub(super)`, `pub(in ...)`.
    Restricted,
    /// No `pub`.
    Private,
}

impl From<&syn::Visibility> for Visibility {
    fn from(v: &syn::Visibility) -> Visibility {
        match v {
            syn::Visibility::Public(_) => Visibility::Public,
            syn::Visibility::Restricted(_) => Visibility::Restricted,
            syn::Visibility::Inherited => Visibility::Private,
        }
    }
}

/// A name a module brings into scope with `use`: the path it stands for, and how far the
/// `use` is visible.
#[derive(Debug, Clone)]
struct Binding {
    path: Vec<String>,
    visibility: Visibility,
}

/// A path as a module writes it, and the line it is on.
#[derive(Debug, Clone)]
struct Reference {
    path: Vec<String>,
    line: usize,
}

/// What the parse of the source gives.
#[derive(Default)]
struct Source {
    /// Which file each module lives in (an inline module: the file around it).
    files: BTreeMap<Module, PathBuf>,
    /// How each module is declared in its parent (`pub mod` or `mod`).
    declared: BTreeMap<Module, Visibility>,
    /// The `#[cfg(test)]` modules.
    tests: BTreeSet<Module>,
    /// The items each module declares, by name.
    items: BTreeMap<Module, BTreeMap<String, Visibility>>,
    bindings: BTreeMap<Module, BTreeMap<String, Binding>>,
    references: BTreeMap<Module, Vec<Reference>>,
}

fn module_of(relative: &Path) -> Module {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn src() -> &'static Path {
    static SRC: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SRC.get_or_init(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "bin") && path.parent() == Some(src()) {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_test_module(item: &syn::ItemMod) -> bool {
    item.attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

/// The name and visibility of an item that a path can name.
fn declared_item(item: &syn::Item) -> Option<(String, &syn::Visibility)> {
    let (ident, vis) = match item {
        syn::Item::Const(i) => (&i.ident, &i.vis),
        syn::Item::Enum(i) => (&i.ident, &i.vis),
        syn::Item::Fn(i) => (&i.sig.ident, &i.vis),
        syn::Item::Mod(i) => (&i.ident, &i.vis),
        syn::Item::Static(i) => (&i.ident, &i.vis),
        syn::Item::Struct(i) => (&i.ident, &i.vis),
        syn::Item::Trait(i) => (&i.ident, &i.vis),
        syn::Item::Type(i) => (&i.ident, &i.vis),
        syn::Item::Union(i) => (&i.ident, &i.vis),
        _ => return None,
    };
    Some((ident.to_string(), vis))
}

/// Reads one file, keeping the inline modules it declares apart.
struct Reader<'a> {
    source: &'a mut Source,
    file: PathBuf,
    module: Module,
}

impl Reader<'_> {
    fn read_items(&mut self, items: &[syn::Item]) {
        for item in items {
            if let Some((name, vis)) = declared_item(item) {
                self.source
                    .items
                    .entry(self.module.clone())
                    .or_default()
                    .insert(name, vis.into());
            }
            self.visit_item(item);
        }
    }

    fn add_use(&mut self, tree: &syn::UseTree, prefix: Vec<String>, visibility: Visibility) {
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                self.add_use(&p.tree, next, visibility);
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix;
                if n.ident != "self" {
                    path.push(n.ident.to_string());
                }
                self.bind(path, None, visibility, n.ident.span().start().line);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix;
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                let line = r.ident.span().start().line;
                self.bind(path, Some(r.rename.to_string()), visibility, line);
            }
            syn::UseTree::Glob(g) => {
                let line = g.star_token.span.start().line;
                self.refer(prefix, line);
            }
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.add_use(item, prefix.clone(), visibility);
                }
            }
        }
    }

    fn bind(&mut self, path: Vec<String>, rename: Option<String>, vis: Visibility, line: usize) {
        let Some(name) = rename.or_else(|| path.last().cloned()) else {
            return;
        };
        let binding = Binding {
            path: path.clone(),
            visibility: vis,
        };
        self.source
            .bindings
            .entry(self.module.clone())
            .or_default()
            .insert(name, binding);
        self.refer(path, line);
    }

    fn refer(&mut self, path: Vec<String>, line: usize) {
        self.source
            .references
            .entry(self.module.clone())
            .or_default()
            .push(Reference { path, line });
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let mut module = self.module.clone();
        module.push(item.ident.to_string());
        self.source
            .declared
            .insert(module.clone(), (&item.vis).into());
        if is_test_module(item) {
            self.source.tests.insert(module.clone());
        }
        if let Some((_, items)) = &item.content {
            self.source.files.insert(module.clone(), self.file.clone());
            let outer = std::mem::replace(&mut self.module, module);
            self.read_items(items);
            self.module = outer;
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.add_use(&item.tree, Vec::new(), (&item.vis).into());
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            let line = path.segments[0].ident.span().start().line;
            self.refer(segments, line);
        }
        syn::visit::visit_path(self, path);
    }
}

impl Source {
    /// Reads `src/`, and `extra` files as if they were in it (for the rules' own tests).
    fn read(extra: &[(&str, &str)]) -> Source {
        let mut paths = Vec::new();
        rust_files(src(), &mut paths);
        let mut texts: Vec<(PathBuf, String)> = paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("a source file");
                (p, text)
            })
            .collect();
        texts.extend(
            extra
                .iter()
                .map(|(name, text)| (src().join(name), (*text).to_owned())),
        );
        let mut source = Source::default();
        for (path, _) in &texts {
            let relative = path.strip_prefix(src()).expect("under src/");
            source.files.insert(module_of(relative), path.clone());
        }
        source.declared.insert(Vec::new(), Visibility::Public);
        for (path, text) in texts {
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
            let module = module_of(path.strip_prefix(src()).expect("under src/"));
            let mut reader = Reader {
                source: &mut source,
                file: path,
                module,
            };
            reader.read_items(&file.items);
        }
        source
    }

    fn is_test(&self, module: &Module) -> bool {
        (1..=module.len()).any(|n| self.tests.contains(&module[..n]))
    }

    /// `path` as written in `module`, made absolute from the crate root; `None` for a path
    /// into another crate (or a local name that is not a module).
    fn absolute(&self, module: &Module, path: &[String]) -> Option<Vec<String>> {
        let (first, rest) = path.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some(module.iter().chain(rest).cloned().collect()),
            "super" => {
                let mut base = module.clone();
                let mut rest = path;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                Some(base.into_iter().chain(rest.iter().cloned()).collect())
            }
            _ => {
                let mut child = module.clone();
                child.push(first.clone());
                if self.files.contains_key(&child) {
                    return Some(child.into_iter().chain(rest.iter().cloned()).collect());
                }
                let binding = self.bindings.get(module)?.get(first)?;
                if binding.path.first() == Some(first) && binding.path.len() == 1 {
                    return None; // `use serde;` and the like
                }
                let mut full = self.absolute(module, &binding.path)?;
                full.extend(rest.iter().cloned());
                Some(full)
            }
        }
    }

    /// The file that defines what the absolute `path` names, following re-exports.
    fn defining_file(&self, path: &[String], depth: usize) -> Option<&PathBuf> {
        if depth > 32 {
            return None;
        }
        let mut module: Module = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            let mut child = module.clone();
            child.push(segment.clone());
            if self.files.contains_key(&child) {
                module = child;
                continue;
            }
            if let Some(binding) = self.bindings.get(&module).and_then(|b| b.get(segment)) {
                let mut target = self.absolute(&module, &binding.path)?;
                target.extend(path[i + 1..].iter().cloned());
                return self.defining_file(&target, depth + 1);
            }
            return self.files.get(&module);
        }
        self.files.get(&module)
    }

    /// Which files each file depends on, and by which paths (unit tests left out).
    fn graph(&self) -> BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>> {
        let mut graph: BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>> = BTreeMap::new();
        for file in self.files.values() {
            graph.entry(file.clone()).or_default();
        }
        for (module, references) in &self.references {
            let Some(file) = self.files.get(module) else {
                continue;
            };
            if self.is_test(module) {
                continue;
            }
            let face_exports: BTreeSet<Vec<String>> = self
                .bindings
                .get(module)
                .into_iter()
                .flatten()
                .filter(|(_, b)| b.visibility != Visibility::Private)
                .filter_map(|(_, b)| self.absolute(module, &b.path))
                .filter(|abs| abs.len() > module.len() && abs.starts_with(module))
                .collect();
            for reference in references {
                let Some(absolute) = self.absolute(module, &reference.path) else {
                    continue;
                };
                if face_exports.contains(&absolute) {
                    continue;
                }
                if let Some(target) = self.defining_file(&absolute, 0) {
                    if target != file {
                        graph
                            .entry(file.clone())
                            .or_default()
                            .entry(target.clone())
                            .or_default()
                            .push(reference.path.join("::"));
                    }
                }
            }
        }
        graph
    }

    /// Why the absolute `path` is not one a user of the crate could write, if it is not.
    fn not_public(&self, path: &[String]) -> Option<String> {
        let mut module: Module = Vec::new();
        for segment in path {
            let mut child = module.clone();
            child.push(segment.clone());
            let shown = format!("crate::{}", child.join("::"));
            if self.files.contains_key(&child) {
                if self.declared.get(&child) != Some(&Visibility::Public) {
                    return Some(format!("`{shown}` is not a public module"));
                }
                module = child;
                continue;
            }
            if let Some(binding) = self.bindings.get(&module).and_then(|b| b.get(segment)) {
                // A public re-export: Rust allows one only of what is visible that far.
                return (binding.visibility != Visibility::Public)
                    .then(|| format!("`{shown}` is not re-exported publicly"));
            }
            return match self.items.get(&module).and_then(|i| i.get(segment)) {
                Some(Visibility::Public) | None => None,
                Some(_) => Some(format!("`{shown}` is crate-private")),
            };
        }
        None
    }

    /// Rule 2: every path a sandbox file writes from `crate::`, `super::` or `self::` that
    /// leaves the sandbox, and is not a public path nor one of `allowed` layers, as
    /// `file:line: reason`; and how many such paths were checked.
    fn sandbox_violations(&self, allowed: &[&str]) -> (Vec<String>, usize) {
        let (mut found, mut checked) = (Vec::new(), 0);
        for (module, references) in &self.references {
            if module.first().map(String::as_str) != Some("sandbox") {
                continue;
            }
            let file = &self.files[module];
            let shown = file.strip_prefix(src()).unwrap_or(file).display();
            for reference in references {
                let written = reference.path.first().map(String::as_str);
                if !matches!(written, Some("crate" | "super" | "self")) {
                    continue;
                }
                let Some(absolute) = self.absolute(module, &reference.path) else {
                    continue;
                };
                if absolute.first().map(String::as_str) == Some("sandbox") {
                    continue;
                }
                checked += 1;
                if absolute
                    .first()
                    .is_some_and(|first| allowed.contains(&first.as_str()))
                {
                    continue;
                }
                if let Some(why) = self.not_public(&absolute) {
                    found.push(format!(
                        "src/{shown}:{}: {why} (written `{}`)",
                        reference.line,
                        reference.path.join("::")
                    ));
                }
            }
        }
        (found, checked)
    }
}

/// The private layers the sandbox may use, on purpose (see the sandbox module docs).
const SHARED_PRIVATE_LAYERS: &[&str] = &["http_server", "dates"];

/// Every circle of the graph (its strongly connected parts of more than one file).
fn circles(graph: &BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>>) -> Vec<Vec<PathBuf>> {
    // Kosaraju: finish order on the graph, then components on the reversed graph.
    fn finish<'a>(
        node: &'a PathBuf,
        graph: &'a BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>>,
        seen: &mut BTreeSet<&'a PathBuf>,
        order: &mut Vec<&'a PathBuf>,
    ) {
        if !seen.insert(node) {
            return;
        }
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            finish(next, graph, seen, order);
        }
        order.push(node);
    }
    let mut reversed: BTreeMap<&PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for (from, edges) in graph {
        for to in edges.keys() {
            reversed.entry(to).or_default().push(from);
        }
    }
    let (mut seen, mut order) = (BTreeSet::new(), Vec::new());
    for node in graph.keys() {
        finish(node, graph, &mut seen, &mut order);
    }
    let mut assigned = BTreeSet::new();
    let mut found = Vec::new();
    for &start in order.iter().rev() {
        if assigned.contains(start) {
            continue;
        }
        let (mut part, mut stack) = (Vec::new(), vec![start]);
        assigned.insert(start);
        while let Some(node) = stack.pop() {
            part.push(node.clone());
            for &prev in reversed.get(node).into_iter().flatten() {
                if assigned.insert(prev) {
                    stack.push(prev);
                }
            }
        }
        if part.len() > 1 {
            part.sort();
            found.push(part);
        }
    }
    found
}

fn describe(
    graph: &BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>>,
    circle: &[PathBuf],
) -> String {
    let name = |p: &PathBuf| p.strip_prefix(src()).unwrap_or(p).display().to_string();
    let mut text = String::new();
    for from in circle {
        for (to, via) in &graph[from] {
            if circle.contains(to) {
                text.push_str(&format!(
                    "  {} -> {} (by {})\n",
                    name(from),
                    name(to),
                    via.join(", ")
                ));
            }
        }
    }
    text
}

#[test]
fn the_library_s_files_import_each_other_in_no_circle() {
    let source = Source::read(&[]);
    let graph = source.graph();
    let found = circles(&graph);
    let report: Vec<String> = found.iter().map(|c| describe(&graph, c)).collect();
    assert!(
        found.is_empty(),
        "import circles among src/ files:\n{}",
        report.join("\n")
    );
}

/// The reader sees real imports: without this the test above could pass on a graph with no
/// edges at all.
#[test]
fn the_reader_finds_the_imports_it_must() {
    let source = Source::read(&[]);
    let graph = source.graph();
    let depends = |from: &str, to: &str| {
        graph
            .get(&src().join(from))
            .is_some_and(|edges| edges.contains_key(&src().join(to)))
    };
    // `crate::error::Error` reached through the root's re-export `crate::Error`.
    assert!(depends("client/transport.rs", "error.rs"));
    // A child module's use of a sibling, through `super::`.
    assert!(depends("client/mod.rs", "client/retry.rs"));
    // The sandbox routes by the endpoint table.
    assert!(depends("sandbox/routes.rs", "endpoints.rs"));
    // A face's re-export of its own child is not an import.
    assert!(!depends("lib.rs", "client/mod.rs"));
    // And a made-up circle is found and named.
    let mut with_circle = graph.clone();
    with_circle
        .entry(src().join("error.rs"))
        .or_default()
        .insert(src().join("client/transport.rs"), vec!["test".to_owned()]);
    let (error, transport) = (src().join("error.rs"), src().join("client/transport.rs"));
    assert!(
        circles(&with_circle)
            .iter()
            .any(|c| c.contains(&error) && c.contains(&transport)),
        "the made-up circle error.rs -> client/transport.rs -> error.rs was not found"
    );
}

#[test]
fn the_sandbox_uses_only_the_public_api_and_the_endpoint_table() {
    let source = Source::read(&[]);
    let (found, checked) = source.sandbox_violations(SHARED_PRIVATE_LAYERS);
    // The rule sees the sandbox's paths out of it (so a pass means something).
    assert!(checked >= 30, "only {checked} paths checked");
    assert!(
        found.is_empty(),
        "the sandbox reaches past the public API:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_sandbox_rule_names_each_kind_of_path_past_the_public_api() {
    // A made-up sandbox file, read with the rest of src/.
    let bad = "\
//! `crate::client::signing` in a comment is not a path.
use crate::client::signing;
use crate::{Client, validate::Validate};
use crate::webhooks::WebhookEvent;
use crate::endpoints::path;
use crate::http_server::Reply;
use super::super::client::Client as Again;
fn f() { let _ = crate::signing::verify; let _ = crate::client::retry::Fault::Unsent; }
#[cfg(test)]
mod tests {
    use super::*;
    use super::super::super::error::Error;
}
";
    let source = Source::read(&[("sandbox/bad.rs", bad)]);
    let (found, _) = source.sandbox_violations(SHARED_PRIVATE_LAYERS);
    let mut lines: Vec<&str> = found
        .iter()
        .filter_map(|f| f.strip_prefix("src/sandbox/bad.rs:"))
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "12: `crate::error` is not a public module (written `super::super::super::error::Error`)",
            "2: `crate::client` is not a public module (written `crate::client::signing`)",
            "3: `crate::validate` is not a public module (written `crate::validate::Validate`)",
            "5: `crate::endpoints::path` is crate-private (written `crate::endpoints::path`)",
            "7: `crate::client` is not a public module (written `super::super::client::Client`)",
            "8: `crate::client` is not a public module (written `crate::client::retry::Fault::Unsent`)",
        ],
        "{found:#?}"
    );
}
