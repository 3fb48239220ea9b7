//! Generation of the endpoint descriptors from `schema/endpoints.json`.
//!
//! Shared by `build.rs` and the tests, like the bundler. Each entry of `x-endpoints`
//! becomes a unit type implementing `crate::endpoints::Endpoint`, a variant of
//! `EndpointId`, and a row of `ENDPOINTS`; list items answered bare or wrapped get their
//! `Listed` implementation. A malformed entry stops the build with a message naming it.

use std::fmt::Write as _;

use serde_json::Value;

/// One endpoint, as declared.
pub struct Entry {
    pub name: String,
    pub call: String,
    pub method: String,
    pub path: String,
    pub params: Vec<String>,
    pub request: Option<String>,
    pub query: Option<String>,
    pub answer: Option<String>,
    pub shape: String,
    pub item: Option<String>,
    pub wrappers: Vec<String>,
    pub sign: String,
    pub fill_id_when: Option<String>,
    pub feature: Option<String>,
    pub doc: Vec<String>,
    pub alias: Option<String>,
    pub custom: bool,
}

/// The handle type of each `call` prefix (`x-handles`).
pub fn handles(text: &str) -> Result<Vec<(String, String)>, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("endpoints.json: not valid JSON: {e}"))?;
    let Some(map) = root.get("x-handles").and_then(Value::as_object) else {
        return Err("endpoints.json: no `x-handles` object".into());
    };
    Ok(map
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect())
}

/// Reads and checks the table.
pub fn read(text: &str) -> Result<Vec<Entry>, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("endpoints.json: not valid JSON: {e}"))?;
    let Some(list) = root.get("x-endpoints").and_then(Value::as_array) else {
        return Err("endpoints.json: no `x-endpoints` array".into());
    };
    let mut out: Vec<Entry> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let s = |key: &str| e.get(key).and_then(Value::as_str).map(str::to_owned);
        let name = s("name").ok_or_else(|| format!("endpoints.json: entry {i} has no `name`"))?;
        let need =
            |key: &str| s(key).ok_or_else(|| format!("endpoints.json: `{name}` has no `{key}`"));
        let method = need("method")?;
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
            return Err(format!(
                "endpoints.json: `{name}`: unknown method `{method}`"
            ));
        }
        let path = need("path")?;
        if !path.starts_with("/v1/") {
            return Err(format!(
                "endpoints.json: `{name}`: the path must start with /v1/"
            ));
        }
        let params: Vec<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        let shape = s("answer_shape").unwrap_or_else(|| "one".to_owned());
        let item = s("item");
        let answer = s("answer");
        match shape.as_str() {
            "one" | "page" if answer.is_none() => {
                return Err(format!(
                    "endpoints.json: `{name}`: `{shape}` needs an `answer`"
                ))
            }
            "page" | "list" if item.is_none() => {
                return Err(format!(
                    "endpoints.json: `{name}`: `{shape}` needs an `item`"
                ))
            }
            "one" | "page" | "list" | "none" => {}
            other => {
                return Err(format!(
                    "endpoints.json: `{name}`: unknown answer_shape `{other}`"
                ))
            }
        }
        let wrappers = crate::bundle::strings(e.get("wrappers"));
        if shape == "list" && wrappers.is_empty() {
            return Err(format!("endpoints.json: `{name}`: a list needs `wrappers`"));
        }
        let request = s("request");
        let sign = need("sign")?;
        match (sign.as_str(), request.is_some(), params.is_empty()) {
            ("body", true, _) | ("empty", false, _) | ("id", false, false) => {}
            _ => {
                return Err(format!(
                    "endpoints.json: `{name}`: sign `{sign}` does not fit (body: with a request; id: without one, with a path parameter; empty: without a request)"
                ))
            }
        }
        if out.iter().any(|o| o.name == name) {
            return Err(format!("endpoints.json: `{name}` is declared twice"));
        }
        if out
            .iter()
            .any(|o| o.method == method && shape_of(&o.path) == shape_of(&path))
        {
            return Err(format!(
                "endpoints.json: `{name}`: {method} {path} is declared twice"
            ));
        }
        out.push(Entry {
            call: need("call")?,
            name,
            method,
            path,
            params,
            request,
            query: s("query"),
            answer,
            shape,
            item,
            wrappers,
            sign,
            fill_id_when: s("fill_id_when"),
            feature: s("feature"),
            doc: e
                .get("doc")
                .and_then(Value::as_array)
                .map(|d| {
                    d.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            alias: s("alias"),
            custom: e.get("custom").and_then(Value::as_bool) == Some(true),
        });
    }
    Ok(out)
}

/// The path with every parameter written `{}`.
fn shape_of(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn ty(name: &str) -> String {
    match name {
        "Value" => "::serde_json::Value".to_owned(),
        other => format!("crate::models::{other}"),
    }
}

/// The Rust source of the descriptors.
pub fn generate(entries: &[Entry]) -> String {
    let mut out =
        String::from("// Generated by build.rs from schema/endpoints.json. Do not edit.\n\n");
    let cfg = |e: &Entry| {
        e.feature
            .as_ref()
            .map(|f| format!("#[cfg(feature = \"{f}\")]\n"))
            .unwrap_or_default()
    };
    // The ids.
    out.push_str("/// Names every endpoint of [`ENDPOINTS`].\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum EndpointId {\n");
    for e in entries {
        let _ = writeln!(
            out,
            "    /// `{} {}`.\n    {}{},",
            e.method,
            e.path,
            cfg(e).replace('\n', "\n    "),
            camel(&e.name)
        );
    }
    out.push_str("}\n\n");
    // The table.
    out.push_str("/// Every endpoint the SDK calls, in the order of `schema/endpoints.json`.\npub const ENDPOINTS: &[EndpointInfo] = &[\n");
    for e in entries {
        let _ = writeln!(
            out,
            "    {}EndpointInfo {{ id: EndpointId::{}, name: {:?}, call: {:?}, method: {:?}, path: {:?}, params: &{:?} }},",
            cfg(e),
            camel(&e.name),
            e.name,
            e.call,
            e.method,
            e.path,
            e.params,
        );
    }
    out.push_str("];\n\n");
    // The descriptors.
    for e in entries {
        let name = camel(&e.name);
        let answer = match e.shape.as_str() {
            "none" => "()".to_owned(),
            "page" | "list" => format!("Page<{}>", ty(e.item.as_deref().unwrap_or_default())),
            _ => ty(e.answer.as_deref().unwrap_or_default()),
        };
        let decode = match (e.shape.as_str(), &e.fill_id_when) {
            ("none", _) => "decode_nothing(status, body)".to_owned(),
            ("page", _) => format!(
                "decode_page::<{}>(status, body)",
                ty(e.answer.as_deref().unwrap_or_default())
            ),
            ("list", _) => "decode_list(status, body)".to_owned(),
            (_, Some(key)) => format!("decode_filling_id(status, body, {key:?}, params)"),
            _ => "decode_one(status, body)".to_owned(),
        };
        let sign = match e.sign.as_str() {
            "body" => "Body",
            "id" => "Id",
            _ => "Empty",
        };
        let _ = write!(
            out,
            "/// `{method} {path}`: the descriptor of `client.{call}`.\n{cfg}#[derive(Debug, Clone, Copy, Default)]\npub struct {name};\n\n\
             {cfg}impl Endpoint for {name} {{\n\
             \x20   const ID: EndpointId = EndpointId::{name};\n\
             \x20   const METHOD: Method = Method::{method};\n\
             \x20   const PATH: &'static str = {path:?};\n\
             \x20   const PARAMS: &'static [&'static str] = &{params:?};\n\
             \x20   const SIGN: Sign = Sign::{sign};\n\
             \x20   type Request = {request};\n\
             \x20   type Query = {query};\n\
             \x20   type Answer = {answer};\n\
             \x20   fn decode(status: u16, body: &[u8], params: &[&str]) -> Result<Self::Answer, Error> {{\n\
             \x20       let _ = params;\n\
             \x20       {decode}\n\
             \x20   }}\n\
             }}\n\n",
            method = e.method,
            path = e.path,
            call = e.call,
            cfg = cfg(e),
            params = e.params,
            request = e.request.as_deref().map_or("()".to_owned(), ty),
            query = e.query.as_deref().map_or("()".to_owned(), ty),
        );
    }
    // Lists answered bare or wrapped.
    for e in entries.iter().filter(|e| e.shape == "list") {
        let _ = writeln!(
            out,
            "{}impl Listed for {} {{\n    const WRAPPERS: &'static [&'static str] = &{:?};\n}}\n",
            cfg(e),
            ty(e.item.as_deref().unwrap_or_default()),
            e.wrappers
        );
    }
    out
}

/// The Rust source of the resource methods: one per endpoint not marked `custom`, on the
/// handle its `call` names, plus `<verb>_all` for a paginated list.
pub fn generate_methods(entries: &[Entry], handles: &[(String, String)]) -> Result<String, String> {
    let mut out =
        String::from("// Generated by build.rs from schema/endpoints.json. Do not edit.\n\n");
    for e in entries.iter().filter(|e| !e.custom) {
        let (prefix, verb) = e
            .call
            .rsplit_once('.')
            .ok_or_else(|| format!("endpoints.json: `{}`: `call` has no method", e.name))?;
        let handle = handles
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, h)| h)
            .ok_or_else(|| format!("endpoints.json: `{}`: no handle for `{prefix}`", e.name))?;
        if e.doc.is_empty() {
            return Err(format!("endpoints.json: `{}` has no `doc`", e.name));
        }
        let descriptor = format!("ep::{}", camel(&e.name));
        let mut args = String::new();
        let mut ids = Vec::new();
        for p in &e.params {
            let _ = write!(args, ", {p}: &str");
            ids.push(p.clone());
        }
        let ids = format!("&[{}]", ids.join(", "));
        let answer = match e.shape.as_str() {
            "none" => "()".to_owned(),
            "page" | "list" => format!("Page<{}>", ty(e.item.as_deref().unwrap_or_default())),
            _ => ty(e.answer.as_deref().unwrap_or_default()),
        };
        let body = if let Some(request) = &e.request {
            let _ = write!(args, ", request: impl IntoRequest<{}>", ty(request));
            format!("self.client.execute::<{descriptor}>({ids}, None, Some(&prepare(request)?))")
        } else if let Some(query) = &e.query {
            let _ = write!(args, ", query: impl IntoRequest<{}>", ty(query));
            format!("self.client.execute::<{descriptor}>({ids}, Some(&prepare(query)?), None)")
        } else {
            format!("self.client.execute::<{descriptor}>({ids}, None, None)")
        };
        let cfg = e
            .feature
            .as_ref()
            .map(|f| format!("#[cfg(feature = \"{f}\")]\n"))
            .unwrap_or_default();
        let _ = writeln!(out, "{cfg}impl<'c> {handle}<'c> {{");
        for line in &e.doc {
            let _ = writeln!(out, "    #[doc = {:?}]", format!(" {line}"));
        }
        if let Some(alias) = &e.alias {
            let _ = writeln!(out, "    #[doc(alias = {alias:?})]");
        }
        let _ = writeln!(
            out,
            "    pub fn {verb}(&self{args}) -> Result<{answer}, Error> {{\n        {body}\n    }}"
        );
        if e.shape == "page" {
            let item = ty(e.item.as_deref().unwrap_or_default());
            let _ = writeln!(
                out,
                "\n    #[doc = \" Iterates over every item of [`{verb}`](Self::{verb})'s pages, reading each page\"]\n    #[doc = \" when needed (from `query.page`, default 1).\"]\n    pub fn {verb}_all(&self{args}) -> Result<Pages<'c, {item}>, Error> {{\n        self.client.execute_all::<{descriptor}, _>({ids}, query)\n    }}"
            );
        }
        out.push_str("}\n\n");
    }
    Ok(out)
}
