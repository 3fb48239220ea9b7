//! The holder's install page: what a pass's `install_url` opens. A GET shows the pass's
//! landing page; installing is the page's form POST (a phone or a watch), never a GET, so a
//! link-preview bot or a browser's prefetch installs nothing.

use maud::{html, Markup};
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::page::{css_color, form_post, html_reply, layout, not_found, see_other, text};
use crate::http_server::Head;
use crate::models::{AccessCard, CardState};
use crate::sandbox::exchange::{Incoming, Reply};
use crate::sandbox::shared::Shared;
use crate::sandbox::state::State;
use crate::sandbox::DeviceType;

/// `/install/{id}`: GET shows the page, POST installs.
pub(super) fn serve(shared: &Shared, head: &Head, rq: &Incoming, id: &str) -> Reply {
    match rq.method.as_str() {
        "GET" => {
            let installed = rq.param("installed").and_then(device_named);
            let state = shared.lock_state();
            render(&state, id, installed.map(Notice::Installed), 200)
        }
        "POST" => install(shared, head, rq, id),
        _ => Reply::wrong_method(&rq.method, &rq.path, &["GET", "POST"]),
    }
}

fn device_named(name: &str) -> Option<DeviceType> {
    match name {
        "mobile" => Some(DeviceType::Mobile),
        "watch" => Some(DeviceType::Watch),
        _ => None,
    }
}

/// What the page says above the pass.
enum Notice {
    Installed(DeviceType),
    Refused(String),
}

/// The install form's POST: checks the origin, the device and the landing page's password,
/// then installs, and sends the browser back to the page (303).
fn install(shared: &Shared, head: &Head, rq: &Incoming, id: &str) -> Reply {
    let form = match form_post(shared, head, rq) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let mut state = shared.lock_state();
    let Some(device) = form.get("device").and_then(device_named) else {
        let notice = Notice::Refused("Choose a phone or a watch.".to_owned());
        return render(&state, id, Some(notice), 422);
    };
    let Some(view) = View::of(&state, id) else {
        return not_found("This pass does not exist.");
    };
    if let Some(expected) = view.password(&state) {
        let given = form.get("password").unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            let notice = Notice::Refused("That password is not right.".to_owned());
            return render(&state, id, Some(notice), 403);
        }
    }
    match state.install(id, device, &rq.actor) {
        Ok(_) => see_other(format!(
            "/install/{}?installed={}",
            path_segment(id),
            device.as_str()
        )),
        Err(refused) => {
            let status = refused.status;
            render(&state, id, Some(Notice::Refused(refused.message)), status)
        }
    }
}

/// Percent-encodes an id for a path segment of a `Location`.
fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the page shows of a pass.
struct View {
    card: AccessCard,
    /// The pass's templates (one; two for a unified pass), as the console answers them.
    templates: Vec<Value>,
    /// The landing page attached to the first template that has one.
    landing: Option<Value>,
}

impl View {
    fn of(state: &State, id: &str) -> Option<View> {
        let card = state.read(id).ok()?;
        let template_ids: Vec<String> = match &card.details {
            Some(cards) => cards
                .iter()
                .filter_map(|c| c.card_template_id.clone())
                .collect(),
            None => card.card_template_id.iter().cloned().collect(),
        };
        let templates: Vec<Value> = template_ids
            .iter()
            .filter_map(|t| state.template(t))
            .map(|t| Value::Object(t.fields.clone()))
            .collect();
        let landing = templates
            .iter()
            .flat_map(|t| {
                t.get("landing_pages")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .find_map(|lp| {
                state
                    .console
                    .landing_pages
                    .iter()
                    .find(|page| page.get("id") == Some(&lp))
                    .map(|page| Value::Object(page.clone()))
            });
        Some(View {
            card,
            templates,
            landing,
        })
    }

    /// The landing page's password, when it has one.
    fn password<'s>(&self, state: &'s State) -> Option<&'s str> {
        let id = self.landing.as_ref()?.get("id")?.as_str()?;
        state.console.landing_passwords.get(id).map(|p| p.expose())
    }

    /// The wallets the pass's templates are for: `(platform, label)`.
    fn wallets(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        for template in &self.templates {
            let wallet = match template.get("platform").and_then(Value::as_str) {
                Some("google" | "android") => ("google", "Google Wallet"),
                _ => ("apple", "Apple Wallet"),
            };
            if !out.contains(&wallet) {
                out.push(wallet);
            }
        }
        if out.is_empty() {
            out.push(("apple", "Apple Wallet"));
        }
        out
    }
}

/// The page, with a notice and an HTTP status.
fn render(state: &State, id: &str, notice: Option<Notice>, status: u16) -> Reply {
    let Some(view) = View::of(state, id) else {
        return not_found("This pass does not exist (or was never issued by this sandbox).");
    };
    let password = view.password(state).is_some();
    html_reply(status, page(&view, password, notice))
}

fn page(view: &View, password: bool, notice: Option<Notice>) -> Markup {
    let card = &view.card;
    let template = view.templates.first().cloned().unwrap_or(Value::Null);
    let style = template
        .get("style_settings")
        .cloned()
        .unwrap_or(Value::Null);
    let background = css_color(style.get("background_color"), "#1e293b");
    let label = css_color(style.get("label_color"), "#ffffff");
    let secondary = css_color(style.get("label_secondary_color"), "#cbd5e1");
    let landing = view.landing.clone().unwrap_or(Value::Null);
    let page_bg = css_color(landing.get("bg_color"), "#f1f5f9");
    let heading = match text(&landing, "name") {
        name if name.is_empty() => "Add your pass to your wallet".to_owned(),
        name => name,
    };
    let additional = text(&landing, "additional_text");
    let two_factor = landing.get("is_2fa_enabled") == Some(&Value::Bool(true));
    let holder = card.full_name.clone().unwrap_or_default();
    let state = card.state.clone().unwrap_or(CardState::Created);
    let installable = matches!(
        state,
        CardState::Created | CardState::Active | CardState::Unlink
    );
    let devices = card.devices.as_deref().unwrap_or_default();
    let on_devices = devices
        .iter()
        .filter(|d| d.status.as_deref() == Some("active"))
        .count();
    let title = format!("{heading} · {holder}");
    let content = html! {
        main.narrow {
            div.card {
                h1 { (heading) }
                @if !additional.is_empty() { p.additional { (additional) } }
                @match &notice {
                    Some(Notice::Installed(device)) if on_devices > 0 => p.notice role="status" id="notice" {
                        "Added to your wallet on a "
                        (if *device == DeviceType::Watch { "watch" } else { "phone" }) "."
                    },
                    Some(Notice::Refused(message)) => p.notice.bad role="alert" id="notice" {
                        (message)
                    },
                    _ => {},
                }
                div.pass id="pass-preview"
                    style=(format!("background:{background};color:{label}")) {
                    div.org style=(format!("color:{secondary}")) {
                        (card.organization_name.clone().unwrap_or_default())
                    }
                    div.template { (text(&template, "name")) }
                    div.holder id="holder" { (holder) }
                    @if let Some(title) = &card.title { div.meta { (title) } }
                    div.meta style=(format!("color:{secondary}")) {
                        @if let Some(number) = &card.card_number { "Card " (number) }
                        @if let Some(site) = &card.site_code { " · site " (site) }
                    }
                }
                p {
                    "Pass " code { (card.id) } " is "
                    span class=(format!("badge s-{}", state.as_str())) id="state" { (state.as_str()) }
                    @if on_devices > 0 { " on " (on_devices) " device(s)" }
                    "."
                }
                @if installable {
                    form method="post" action=(format!("/install/{}", path_segment(&card.id))) {
                        @if password {
                            label for="password" { "Password" }
                            input type="password" id="password" name="password"
                                autocomplete="off" required;
                        }
                        @if two_factor {
                            p.meta { "This page asks for a second factor; the sandbox skips it." }
                        }
                        @for (platform, wallet) in view.wallets() {
                            button class=(format!("wallet {platform}")) type="submit" name="device" value="mobile" {
                                "Add to " (wallet) " on a phone"
                            }
                            button class=(format!("wallet {platform}")) type="submit" name="device" value="watch" {
                                "Add to " (wallet) " on a watch"
                            }
                        }
                    }
                } @else {
                    p.notice.bad { "This pass can not be added to a wallet now (it is " (state.as_str()) ")." }
                }
            }
            footer {
                "AccessGrid sandbox: nothing here reaches a real wallet. "
                a href="/" { "Dashboard" }
            }
        }
    };
    layout(&title, Some(&page_bg), content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_for_paths() {
        assert_eq!(path_segment("0xab12"), "0xab12");
        assert_eq!(path_segment("a/b?c d"), "a%2Fb%3Fc%20d");
    }
}
