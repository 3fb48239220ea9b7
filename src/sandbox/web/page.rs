//! What every page of the web side shares: the layout and its style, the replies (a page,
//! a redirect, an error page), and the form reader with its same-origin check.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;

use crate::http_server::Head;
use crate::sandbox::exchange::{Incoming, Reply};
use crate::sandbox::shared::Shared;

/// The largest form body read (the forms send a few short fields).
const MAX_FORM: usize = 16 * 1024;

/// What the pages may load and where their forms may go: nothing from elsewhere, no
/// script, no framing.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Checks that a form POST comes from the sandbox's own pages, as a browser tells it:
/// the `Host` is this sandbox's loopback address (so a DNS-rebound name is refused),
/// `Sec-Fetch-Site`, when sent, is `same-origin`, and `Origin`, when sent, is the
/// sandbox's own. A client that sends neither header is not a browser (a test, `curl`):
/// it could send anything anyway, and is let through.
fn same_origin(head: &Head, base_url: &str) -> Result<(), &'static str> {
    let port = base_url.rsplit(':').next().unwrap_or_default();
    let host = head.header("Host").unwrap_or_default();
    let loopback = ["127.0.0.1", "localhost"]
        .iter()
        .any(|name| host.strip_prefix(name) == Some(&format!(":{port}")));
    if !loopback {
        return Err("the Host header does not name this sandbox");
    }
    if let Some(site) = head.header("Sec-Fetch-Site") {
        if !site.eq_ignore_ascii_case("same-origin") {
            return Err("the form was posted from another site");
        }
    }
    if let Some(origin) = head.header("Origin") {
        if origin != format!("http://{host}") {
            return Err("the form was posted from another origin");
        }
    }
    Ok(())
}

/// A POST's form fields (`application/x-www-form-urlencoded`).
pub(super) struct Form(Vec<(String, String)>);

impl Form {
    fn read(rq: &Incoming) -> Result<Form, Reply> {
        if rq.body.len() > MAX_FORM {
            return Err(error_page(413, "The form is too large."));
        }
        let text = String::from_utf8_lossy(&rq.body);
        Ok(Form(crate::sandbox::util::query_pairs(&text)))
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The checks every form POST goes through: the same-origin rule and a readable form.
pub(super) fn form_post(shared: &Shared, head: &Head, rq: &Incoming) -> Result<Form, Reply> {
    let base_url = shared.lock_state().base_url.clone();
    same_origin(head, &base_url).map_err(|why| {
        error_page(
            403,
            &format!("Refused: {why}. Use the sandbox's own pages to make changes."),
        )
    })?;
    Form::read(rq)
}

/// An HTML answer with the pages' headers.
pub(super) fn html_reply(status: u16, page: Markup) -> Reply {
    Reply {
        status,
        body: page.into_string().into_bytes(),
        content_type: Some("text/html; charset=utf-8"),
        headers: vec![
            ("Content-Security-Policy", CSP.to_owned()),
            ("Cache-Control", "no-store".to_owned()),
            ("Referrer-Policy", "same-origin".to_owned()),
            ("X-Content-Type-Options", "nosniff".to_owned()),
        ],
    }
}

/// A 303 to a page of the sandbox (after a form POST).
pub(super) fn see_other(location: String) -> Reply {
    Reply {
        status: 303,
        body: Vec::new(),
        content_type: None,
        headers: vec![
            ("Location", location),
            ("Cache-Control", "no-store".to_owned()),
        ],
    }
}

pub(super) fn not_found(message: &str) -> Reply {
    error_page(404, message)
}

/// A small page saying what went wrong.
pub(super) fn error_page(status: u16, message: &str) -> Reply {
    html_reply(
        status,
        layout(
            "AccessGrid sandbox",
            None,
            html! {
                main.narrow {
                    h1 { "Nothing was changed" }
                    p.notice.bad role="alert" { (message) }
                    p { a href="/" { "Open the sandbox dashboard" } }
                }
            },
        ),
    )
}

/// The frame of every page: UTF-8, the style sheet, no script.
pub(super) fn layout(title: &str, background: Option<&str>, content: Markup) -> Markup {
    let body_style = background.map(|bg| format!("background:{bg}"));
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body style=[body_style] { (content) }
        }
    }
}

/// A colour for a style attribute: `#` and 3, 4, 6 or 8 hex digits, else `fallback` (so
/// no stored text can reach the CSS).
pub(super) fn css_color(value: Option<&Value>, fallback: &'static str) -> String {
    match value.and_then(Value::as_str) {
        Some(text)
            if matches!(text.len(), 4 | 5 | 7 | 9)
                && text.starts_with('#')
                && text[1..].bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            text.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// A JSON field as display text ("" when missing or null).
pub(super) fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f1f5f9}
main{max-width:1200px;margin:0 auto;padding:24px}
main.narrow{max-width:520px}
h1{font-size:26px;margin:8px 0 12px}
h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #cbd5e1;padding-bottom:4px}
code{font:13px ui-monospace,Menlo,Consolas,monospace;background:#e2e8f0;padding:1px 4px;border-radius:4px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #cbd5e1}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
th{background:#e2e8f0;font-size:13px}
.empty{color:#64748b;font-style:italic}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e2e8f0}
.s-created{background:#e0e7ff}.s-active{background:#bbf7d0}.s-suspended{background:#fde68a}
.s-unlink{background:#fed7aa}.s-deleted{background:#fecaca}.ok{background:#bbf7d0}.fail{background:#fecaca}
form.inline{display:inline;margin:0 4px 0 0}
button{font:inherit;font-size:13px;padding:4px 10px;border-radius:6px;border:1px solid #64748b;background:#fff;cursor:pointer}
button.wallet{display:block;width:100%;margin:8px 0;padding:12px;font-size:16px;background:#000;color:#fff;border:0;border-radius:10px}
button.wallet.google{background:#1a73e8}
.notice{padding:10px 12px;border-radius:8px;background:#dcfce7}
.notice.bad{background:#fee2e2}
.pass{border-radius:16px;padding:18px;margin:16px 0;box-shadow:0 6px 18px rgba(0,0,0,.18);min-height:190px}
.pass .org{font-size:13px;text-transform:uppercase;letter-spacing:.06em}
.pass .holder{font-size:24px;font-weight:700;margin:28px 0 4px}
.pass .meta{font-size:13px}
.card{background:#fff;border-radius:14px;padding:20px;box-shadow:0 2px 10px rgba(0,0,0,.08)}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=password]{width:100%;padding:10px;font:inherit;border:1px solid #94a3b8;border-radius:8px}
pre{white-space:pre-wrap;word-break:break-all;font-size:12px;margin:4px 0}
footer{color:#64748b;font-size:13px;margin-top:24px}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn head(headers: &[(&str, &str)]) -> Head {
        Head {
            method: "POST".into(),
            target: "/install/x".into(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            peer: ([127, 0, 0, 1], 9).into(),
        }
    }

    #[test]
    fn only_the_sandboxs_own_pages_may_post() {
        let base = "http://127.0.0.1:4010";
        let ok = |h: &[(&str, &str)]| same_origin(&head(h), base);
        assert!(ok(&[("Host", "127.0.0.1:4010")]).is_ok(), "not a browser");
        assert!(ok(&[
            ("Host", "localhost:4010"),
            ("Origin", "http://localhost:4010"),
            ("Sec-Fetch-Site", "same-origin"),
        ])
        .is_ok());
        assert!(ok(&[("Host", "127.0.0.1:4010"), ("Sec-Fetch-Site", "cross-site")]).is_err());
        assert!(ok(&[("Host", "127.0.0.1:4010"), ("Sec-Fetch-Site", "same-site")]).is_err());
        assert!(ok(&[
            ("Host", "127.0.0.1:4010"),
            ("Origin", "http://evil.example")
        ])
        .is_err());
        assert!(ok(&[("Host", "127.0.0.1:4010"), ("Origin", "null")]).is_err());
        assert!(ok(&[("Host", "evil.example:4010")]).is_err(), "rebound");
        assert!(ok(&[("Host", "127.0.0.1:40100")]).is_err());
        assert!(ok(&[]).is_err(), "no Host");
    }

    #[test]
    fn colours_are_hex_or_the_fallback() {
        let c = |v: Value| css_color(Some(&v), "#fff");
        assert_eq!(c("#1D4ED8".into()), "#1D4ED8");
        assert_eq!(c("#abc".into()), "#abc");
        assert_eq!(c("red;}</style>".into()), "#fff");
        assert_eq!(c("#12345g".into()), "#fff");
        assert_eq!(c(Value::Null), "#fff");
    }
}
