//! The dashboard at the sandbox's root: templates, passes with their states and history,
//! the event log, webhooks and every delivery attempt, the ledger; and buttons that act
//! where the real world would (a wallet install, a device reported lost, a pass removed
//! from the wallet, time passing until a pass expires, a failed delivery replayed). Every button is a form POST to
//! `/dashboard/...`, answered with a redirect back to `/`.

use std::collections::HashMap;

use maud::{html, Markup};
use serde_json::Value;

use super::page::{error_page, form_post, html_reply, layout, see_other, text};
use crate::http_server::Head;
use crate::models::CardState;
use crate::sandbox::delivery::Target;
use crate::sandbox::exchange::{Incoming, Reply};
use crate::sandbox::shared::Shared;
use crate::sandbox::state::{PassAction, State};
use crate::sandbox::{Delivery, DeliveryOutcome, DeviceType, SandboxEvent};

/// The most rows a list of the dashboard shows: the newest (the page says how many more
/// there are).
pub(crate) const ROWS: usize = 200;

/// `GET /`: the dashboard, with an optional message about the last action.
pub(super) fn page(shared: &Shared, problem: Option<(u16, String)>) -> Reply {
    let state = shared.lock_state();
    let deliveries = state
        .outbox
        .as_ref()
        .map(|o| o.records())
        .unwrap_or_default();
    let status = problem.as_ref().map_or(200, |(s, _)| *s);
    html_reply(status, render(&state, &deliveries, problem.map(|(_, m)| m)))
}

/// `POST /dashboard/...`: a simulation button.
pub(super) fn act(shared: &Shared, head: &Head, rq: &Incoming, path: &[&str]) -> Reply {
    let known = matches!(
        path,
        ["passes", _, "install" | "lose-device" | "remove" | "expire"] | ["deliveries", "replay"]
    );
    if !known {
        return error_page(404, "There is no dashboard action here.");
    }
    if rq.method != "POST" {
        return Reply::wrong_method(&rq.method, &rq.path, &["POST"]);
    }
    let form = match form_post(shared, head, rq) {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let done = {
        let mut state = shared.lock_state();
        let actor = crate::sandbox::state::Actor {
            ip_address: rq.actor.ip_address.clone(),
            user_agent: Some("AccessGrid sandbox dashboard".to_owned()),
        };
        match path {
            ["passes", id, "install"] => {
                let device = match form.get("device") {
                    Some("watch") => DeviceType::Watch,
                    _ => DeviceType::Mobile,
                };
                state
                    .install(id, device, &actor)
                    .map(|_| ())
                    .map_err(|r| (r.status, r.message))
            }
            // A device reported lost: the pass is suspended, as the wallet does.
            ["passes", id, "lose-device"] => state
                .act(id, PassAction::Suspend, &actor)
                .map(|_| ())
                .map_err(|r| (r.status, r.message)),
            ["passes", id, "remove"] => state
                .remove_from_wallet(id, &actor)
                .map(|_| ())
                .map_err(|r| (r.status, r.message)),
            // Time passes: the sandbox clock moves just past the pass's expiration date.
            ["passes", id, "expire"] => state.expire_pass(id).map_err(|r| (r.status, r.message)),
            _ => replay(
                &state,
                form.get("webhook_id").unwrap_or_default(),
                form.get("event_id").unwrap_or_default(),
            ),
        }
    };
    match done {
        Ok(()) => see_other("/".to_owned()),
        Err(problem) => page(shared, Some(problem)),
    }
}

/// Queues an event again for a webhook it was delivered to (or not), with the same
/// envelope (`id` included), as a replay from the console does.
fn replay(state: &State, webhook_id: &str, event_id: &str) -> Result<(), (u16, String)> {
    let outbox = state
        .outbox
        .as_ref()
        .ok_or((409, "this sandbox delivers no webhooks".to_owned()))?;
    let attempted = outbox
        .records()
        .iter()
        .any(|d| d.webhook_id == webhook_id && d.event_id == event_id);
    let event = state.events.iter().find(|e| e.id == event_id);
    let (true, Some(event)) = (attempted, event) else {
        return Err((
            404,
            format!("event {event_id} was never sent to webhook {webhook_id}"),
        ));
    };
    let hook = state
        .console
        .webhooks
        .iter()
        .find(|h| h.get("id").and_then(Value::as_str) == Some(webhook_id))
        .ok_or_else(|| (404, format!("webhook {webhook_id} has been deleted")))?;
    let target = Target {
        webhook_id: webhook_id.to_owned(),
        url: hook
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        token: state.console.webhook_tokens.get(webhook_id).cloned(),
    };
    outbox.enqueue(target, event);
    Ok(())
}

/// Whether a delivery record is a final failure (no attempt follows it).
fn failed_for_good(d: &Delivery) -> bool {
    !d.delivered() && !d.will_retry && d.outcome != DeliveryOutcome::NotLoopback
}

fn outcome_text(d: &Delivery) -> String {
    match &d.outcome {
        DeliveryOutcome::Answered(status) => format!("answered {status}"),
        DeliveryOutcome::Failed(why) => format!("failed: {why}"),
        DeliveryOutcome::NotLoopback => "not sent (the URL is not on loopback)".to_owned(),
    }
}

/// "showing the newest N of M" when a list is cut.
fn cut_note(total: usize) -> Markup {
    html! {
        @if total > ROWS { p.empty { "Showing the newest " (ROWS) " of " (total) "." } }
    }
}

/// The id an event is about, for the event log.
fn subject(data: &Value) -> String {
    [
        "access_pass_id",
        "card_template_id",
        "landing_page_id",
        "credential_profile_id",
        "card_template_pair_id",
        "account_org_id",
    ]
    .iter()
    .map(|k| text(data, k))
    .find(|s| !s.is_empty())
    .unwrap_or_default()
}

fn render(state: &State, deliveries: &[Delivery], problem: Option<String>) -> Markup {
    let templates: Vec<Value> = state
        .templates
        .iter()
        .map(|t| state.template_answer(t))
        .collect();
    // Each pass's events, gathered in one pass over the journal.
    let mut histories: HashMap<&str, Vec<&SandboxEvent>> = HashMap::new();
    for event in &state.events {
        if let Some(pass) = event.data.get("access_pass_id").and_then(Value::as_str) {
            histories.entry(pass).or_default().push(event);
        }
    }
    let content = html! {
        main {
            h1 { "AccessGrid sandbox" }
            p {
                "API at " code { (state.base_url) } " · "
                (state.cards.len()) " pass(es) · " (state.events.len()) " event(s) · "
                (deliveries.len()) " delivery record(s). "
                "The buttons act where the real world would: a holder's wallet, a lost device, "
                "a replayed delivery."
            }
            @if let Some(problem) = &problem {
                p.notice.bad role="alert" id="problem" { (problem) }
            }

            h2 id="templates" { "Card templates" }
            table {
                tr { th { "Id" } th { "Name" } th { "Platform" } th { "Protocol" } th { "Status" }
                     th { "Passes (active)" } th { "Landing pages" } }
                @for t in &templates {
                    tr {
                        td { code { (text(t, "id")) } }
                        td { (text(t, "name")) }
                        td { (text(t, "platform")) }
                        td { (text(t, "protocol")) }
                        td { (text(t, "status")) }
                        td { (text(t, "issued_keys_count")) " (" (text(t, "active_keys_count")) ")" }
                        td {
                            @for lp in t.get("landing_pages").and_then(Value::as_array).into_iter().flatten() {
                                code { (lp.as_str().unwrap_or_default()) } " "
                            }
                        }
                    }
                }
            }

            h2 id="passes" { "Passes" }
            (cut_note(state.cards.len()))
            @if state.cards.is_empty() { p.empty { "No pass issued yet." } } @else {
                table {
                    tr { th { "Pass" } th { "Holder" } th { "Template" } th { "State" }
                         th { "Devices" } th { "Simulate" } }
                    @for card in state.cards.iter().rev().take(ROWS) {
                        (pass_row(state, card, histories.get(card.id()).map(Vec::as_slice).unwrap_or_default()))
                    }
                }
            }

            h2 id="events" { "Event log" }
            (cut_note(state.events.len()))
            @if state.events.is_empty() { p.empty { "No event yet." } } @else {
                table {
                    tr { th { "Time" } th { "Type" } th { "About" } th { "Event" } }
                    @for event in state.events.iter().rev().take(ROWS) {
                        tr.event {
                            td { (event.time) }
                            td { code { (event.kind) } }
                            td { code { (subject(&event.data)) } }
                            td {
                                details {
                                    summary { code { (event.id) } }
                                    pre { (serde_json::to_string_pretty(&event.data).unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }

            h2 id="webhooks" { "Webhook endpoints" }
            @if state.console.webhooks.is_empty() { p.empty { "No webhook registered." } } @else {
                table {
                    tr { th { "Id" } th { "Name" } th { "URL" } th { "Auth" } th { "Subscribed to" } }
                    @for hook in &state.console.webhooks {
                        @let hook = Value::Object(hook.clone());
                        tr {
                            td { code { (text(&hook, "id")) } }
                            td { (text(&hook, "name")) }
                            td { code { (text(&hook, "url")) } }
                            td { (text(&hook, "auth_method")) }
                            td {
                                @match hook.get("subscribed_events").and_then(Value::as_array) {
                                    Some(list) if !list.is_empty() => {
                                        @for e in list { code { (e.as_str().unwrap_or_default()) } " " }
                                    }
                                    _ => "every event",
                                }
                            }
                        }
                    }
                }
            }

            h2 id="deliveries" { "Webhook deliveries" }
            (cut_note(deliveries.len()))
            @if deliveries.is_empty() { p.empty { "No delivery attempted yet." } } @else {
                table {
                    tr { th { "Webhook" } th { "Event" } th { "Attempt" } th { "Outcome" } th { "" } }
                    @for d in deliveries.iter().rev().take(ROWS) {
                        tr.delivery {
                            td { code { (d.webhook_id) } br; code { (d.url) } }
                            td { code { (d.event_type) } br; code { (d.event_id) } }
                            td { (d.attempt) }
                            td {
                                span.badge.ok[d.delivered()].fail[!d.delivered()] { (outcome_text(d)) }
                                @if d.will_retry { " (will retry)" }
                            }
                            td {
                                @if failed_for_good(d) {
                                    form.inline method="post" action="/dashboard/deliveries/replay" {
                                        input type="hidden" name="webhook_id" value=(d.webhook_id);
                                        input type="hidden" name="event_id" value=(d.event_id);
                                        button type="submit" { "Replay" }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            h2 id="ledger" { "Ledger" }
            (cut_note(state.ledger.len()))
            @if state.ledger.is_empty() { p.empty { "Nothing charged yet." } } @else {
                table {
                    tr { th { "Item" } th { "Time" } th { "Amount" } th { "Pass" } th { "Holder" } }
                    @for item in state.ledger.iter().rev().take(ROWS) {
                        @let answer = state.ledger_answer(item);
                        tr {
                            td { code { (item.id) } }
                            td { (text(&answer, "created_at")) }
                            td { (item.amount) }
                            td { code { (item.card_id) } }
                            td { (answer.get("access_pass").map(|p| text(p, "full_name")).unwrap_or_default()) }
                        }
                    }
                }
            }
            footer { "Server-rendered; refresh the page to see new events and deliveries." }
        }
    };
    layout("AccessGrid sandbox dashboard", None, content)
}

fn pass_row(
    state: &State,
    card: &crate::sandbox::state::Card,
    history: &[&SandboxEvent],
) -> Markup {
    let id = card.id();
    let current = card.state();
    let template = state
        .template(&card.template_id)
        .map(|t| text(&Value::Object(t.fields.clone()), "name"))
        .unwrap_or_default();
    let devices = card.answer.devices.as_deref().unwrap_or_default();
    let on_device = devices
        .iter()
        .any(|d| d.status.as_deref() == Some("active"));
    let installable = matches!(
        current,
        CardState::Created | CardState::Active | CardState::Unlink
    );
    let expirable =
        !card.expired && current != CardState::Deleted && card.answer.expiration_date.is_some();
    let action = |what: &str| format!("/dashboard/passes/{id}/{what}");
    html! {
        tr.pass-row id=(format!("pass-{id}")) {
            td {
                code { (id) }
                @if let Some(parent) = &card.parent { br; "half of " code { (parent) } }
                br; a href=(format!("/install/{id}")) { "install page" }
            }
            td.holder { (card.answer.full_name.clone().unwrap_or_default()) }
            td { (template) }
            td { span class=(format!("badge s-{}", current.as_str())) { (current.as_str()) } }
            td {
                @for d in devices {
                    (d.device_type.clone().unwrap_or_default()) " ("
                    (d.status.clone().unwrap_or_default()) ")" br;
                }
            }
            td {
                @if installable {
                    form.inline method="post" action=(action("install")) {
                        input type="hidden" name="device" value="mobile";
                        button type="submit" { "Install on phone" }
                    }
                    form.inline method="post" action=(action("install")) {
                        input type="hidden" name="device" value="watch";
                        button type="submit" { "Install on watch" }
                    }
                }
                @if current == CardState::Active && on_device {
                    form.inline method="post" action=(action("lose-device")) {
                        button type="submit" { "Mark device lost" }
                    }
                    form.inline method="post" action=(action("remove")) {
                        button type="submit" { "Remove from wallet" }
                    }
                }
                @if expirable {
                    form.inline method="post" action=(action("expire")) {
                        button type="submit" { "Let it expire" }
                    }
                }
                details {
                    summary { "History (" (history.len()) ")" }
                    ol {
                        @for e in history { li { (e.time) " " code { (e.kind) } } }
                    }
                }
            }
        }
    }
}
