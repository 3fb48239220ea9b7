//! The library's source read as a house plan: its files import each other in no circle.
//!
//! Every file under `src/` (but `src/bin/`, the command-line tool, a crate of its own) is
//! parsed with `syn`. Each `use` and each path in code that starts with `crate::`, `super::`,
//! `self::` or a child module's name is resolved to the file that defines what it names,
//! following re-exports (`pub use`) to where the item really lives. That gives a graph of
//! files; a circle in it fails the test, naming every edge of it.
//!
//! What does not count as an import: a module's `mod` declarations and its re-exports of its
//! own descendants (`pub use child::Item`): that is a folder showing its face, not code
//! depending on code. Unit tests (`#[cfg(test)] mod tests`) may use anything. Paths inside
//! macro invocations are tokens, not read; items generated into a module by `include!` count
//! as that module's own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module path from the crate root (`["sandbox", "state"]`).
type Module = Vec<String>;

/// A name a module brings into scope with `use`: the path it stands for, and whether the
/// `use` is visible outside the module (`pub`, `pub(crate)`, ...).
#[derive(Debug, Clone)]
struct Binding {
    path: Vec<String>,
    public: bool,
}

/// What the parse of the source gives: which file each module lives in, the names each
/// module binds, and the paths each module refers to.
#[derive(Default)]
struct Source {
    files: BTreeMap<Module, PathBuf>,
    bindings: BTreeMap<Module, BTreeMap<String, Binding>>,
    globs: BTreeMap<Module, Vec<Vec<String>>>,
    references: BTreeMap<Module, Vec<Vec<String>>>,
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

fn src() -> &'static Path {
    static SRC: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SRC.get_or_init(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// Reads one file's items, keeping the inline modules it declares apart.
struct Reader<'a> {
    source: &'a mut Source,
    file: PathBuf,
    module: Module,
}

impl Reader<'_> {
    fn add_use(&mut self, tree: &syn::UseTree, prefix: Vec<String>, public: bool) {
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                self.add_use(&p.tree, next, public);
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                let mut path = prefix;
                if name != "self" {
                    path.push(name);
                }
                self.bind(path, None, public);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix;
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                self.bind(path, Some(r.rename.to_string()), public);
            }
            syn::UseTree::Glob(_) => {
                self.source
                    .globs
                    .entry(self.module.clone())
                    .or_default()
                    .push(prefix.clone());
                self.refer(prefix);
            }
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.add_use(item, prefix.clone(), public);
                }
            }
        }
    }

    fn bind(&mut self, path: Vec<String>, rename: Option<String>, public: bool) {
        let Some(name) = rename.or_else(|| path.last().cloned()) else {
            return;
        };
        self.source
            .bindings
            .entry(self.module.clone())
            .or_default()
            .insert(
                name,
                Binding {
                    path: path.clone(),
                    public,
                },
            );
        self.refer(path);
    }

    fn refer(&mut self, path: Vec<String>) {
        self.source
            .references
            .entry(self.module.clone())
            .or_default()
            .push(path);
    }
}

fn is_test_module(item: &syn::ItemMod) -> bool {
    item.attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if is_test_module(item) {
            return;
        }
        if let Some((_, items)) = &item.content {
            self.module.push(item.ident.to_string());
            self.source
                .files
                .insert(self.module.clone(), self.file.clone());
            for inner in items {
                self.visit_item(inner);
            }
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let public = !matches!(item.vis, syn::Visibility::Inherited);
        self.add_use(&item.tree, Vec::new(), public);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.refer(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

impl Source {
    fn read() -> Source {
        let mut paths = Vec::new();
        rust_files(src(), &mut paths);
        let mut source = Source::default();
        for path in &paths {
            let relative = path.strip_prefix(src()).expect("under src/");
            source.files.insert(module_of(relative), path.clone());
        }
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("a source file");
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
            let module = module_of(path.strip_prefix(src()).expect("under src/"));
            let mut reader = Reader {
                source: &mut source,
                file: path,
                module,
            };
            reader.visit_file(&file);
        }
        source
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

    /// Which files each file depends on.
    fn graph(&self) -> BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>> {
        let mut graph: BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<String>>> = BTreeMap::new();
        for file in self.files.values() {
            graph.entry(file.clone()).or_default();
        }
        for (module, paths) in &self.references {
            let Some(file) = self.files.get(module) else {
                continue;
            };
            let face_exports: BTreeSet<Vec<String>> = self
                .bindings
                .get(module)
                .into_iter()
                .flatten()
                .filter(|(_, b)| b.public)
                .filter_map(|(_, b)| self.absolute(module, &b.path))
                .filter(|abs| abs.len() > module.len() && abs.starts_with(module))
                .collect();
            for path in paths {
                let Some(absolute) = self.absolute(module, path) else {
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
                            .push(path.join("::"));
                    }
                }
            }
        }
        graph
    }
}

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
    let source = Source::read();
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
    let source = Source::read();
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
