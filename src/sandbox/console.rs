//! The console endpoints (`/v1/console/...`): card templates, their event logs, pairs,
//! landing pages, credential profiles, webhooks, HID orgs and the ledger.
//!
//! Console resources are kept as the JSON objects the console answers with; the pass
//! state they touch (event log, ledger) lives in [`State`].

use serde_json::{json, Map, Value};

use super::events::{hid_org_event, template_event, template_ref};
use super::exchange::{decode_body, page_params, Incoming, Outcome, Reply};
use super::state::{paginate, ConsoleState, Refusal, State, Template};
use super::util::{iso8601, now_millis, parse_iso8601};
use crate::models::{
    CardState, EventType, LedgerItemsQuery, SensitiveText, TemplateLogQuery, TemplatePlatform,
    TemplateProtocol, TemplateUseCase,
};
use crate::Validate;

/// A request body as a JSON object, checked by `T`'s schema and rules.
pub(crate) fn body_object<T>(rq: &Incoming) -> Result<Map<String, Value>, Reply>
where
    T: serde::de::DeserializeOwned + serde::Serialize + Validate,
{
    let typed: T = decode_body(&rq.body)?;
    match serde_json::to_value(&typed) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Reply::invalid("body", "must be a JSON object")),
        Err(e) => Err(Reply::message(500, format!("sandbox internal error: {e}"))),
    }
}

fn find<'a>(
    items: &'a mut [Map<String, Value>],
    what: &str,
    id: &str,
) -> Result<&'a mut Map<String, Value>, Reply> {
    items
        .iter_mut()
        .find(|m| m.get("id").and_then(Value::as_str) == Some(id))
        .ok_or_else(|| Refusal::not_found(what, id).into())
}

pub(crate) fn remove(items: &mut Vec<Map<String, Value>>, what: &str, id: &str) -> Outcome {
    let before = items.len();
    items.retain(|m| m.get("id").and_then(Value::as_str) != Some(id));
    if items.len() == before {
        return Err(Refusal::not_found(what, id).into());
    }
    Ok(Reply::no_content())
}

/// `{pagination: {current_page, per_page, total_pages, total_count}}` figures.
fn pagination(figures: [u64; 4]) -> Value {
    json!({
        "current_page": figures[0],
        "per_page": figures[1],
        "total_pages": figures[2],
        "total_count": figures[3],
    })
}

fn template_or_404<'a>(state: &'a State, id: &str) -> Result<&'a Template, Reply> {
    state
        .template(id)
        .ok_or_else(|| Refusal::not_found("card template", id).into())
}

/// Copies `keys` of `from` into `to` (when present).
fn copy(to: &mut Map<String, Value>, from: &Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(v) = from.get(*key) {
            to.insert((*key).to_owned(), v.clone());
        }
    }
}

/// Keeps a request's other fields on the resource, as sent, so the answers echo them: every
/// key of `body` except those already `handled` (folded into other fields) and those the
/// server alone sets (`owned`). This is how fields the SDK does not model (sent as extra
/// fields) survive in the sandbox, as they do on the server.
fn keep_other(
    to: &mut Map<String, Value>,
    body: &Map<String, Value>,
    handled: &[&str],
    owned: &[&str],
) {
    for (key, value) in body {
        if !handled.contains(&key.as_str()) && !owned.contains(&key.as_str()) {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// A new resource: `answer` (the object the server builds) with the request's other fields
/// as sent (see [`keep_other`]): every key of `body` the answer does not set itself, except
/// those in `skip` (folded into other fields, or set later).
fn with_other(answer: Value, body: &Map<String, Value>, skip: &[&str]) -> Map<String, Value> {
    let mut map = match answer {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in body {
        if !skip.contains(&key.as_str()) && !map.contains_key(key) {
            map.insert(key.clone(), value.clone());
        }
    }
    map
}

// ------------------------------------------------------------------ templates

const DESIGN_KEYS: [&str; 3] = ["background_color", "label_color", "label_secondary_color"];
const TERMS_KEYS: [&str; 2] = ["privacy_policy_url", "terms_and_conditions_url"];
const IMAGE_KEYS: [&str; 3] = ["background_image", "logo_image", "icon_image"];

/// Body keys folded into a template's nested answer groups.
const TEMPLATE_GROUPED: [&str; 15] = [
    "background_color",
    "label_color",
    "label_secondary_color",
    "privacy_policy_url",
    "terms_and_conditions_url",
    "background_image",
    "logo_image",
    "icon_image",
    "support_url",
    "support_phone_number",
    "support_email",
    "allow_on_multiple_devices",
    "android_device_limit",
    "watch_count",
    "iphone_count",
];

/// Template answer keys only the server sets (the attachment lists are set by [`attach`],
/// which checks each id and announces the new ones).
const TEMPLATE_OWNED: [&str; 10] = [
    "id",
    "created_at",
    "last_published_at",
    "status",
    "issued_keys_count",
    "active_keys_count",
    "is_pair",
    "templates",
    "credential_profiles",
    "landing_pages",
];

/// Folds a create/update body (flat on the wire) into a template's answer fields; any other
/// field the body carries is kept as sent.
fn apply_template_fields(fields: &mut Map<String, Value>, body: &Map<String, Value>) {
    keep_other(fields, body, &TEMPLATE_GROUPED, &TEMPLATE_OWNED);
    copy(
        fields,
        body,
        &["name", "platform", "use_case", "protocol", "metadata"],
    );
    let group = |fields: &mut Map<String, Value>, name: &str, keys: &[&str]| {
        let slot = fields
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(group) = slot {
            copy(group, body, keys);
        }
    };
    group(fields, "style_settings", &DESIGN_KEYS);
    group(fields, "support_settings", &[]);
    if let Some(Value::Object(support)) = fields.get_mut("support_settings") {
        for (wire, answer) in [
            ("support_url", "url"),
            ("support_phone_number", "phone"),
            ("support_email", "email"),
        ] {
            if let Some(v) = body.get(wire) {
                support.insert(answer.to_owned(), v.clone());
            }
        }
    }
    group(fields, "terms_settings", &TERMS_KEYS);
    group(fields, "images", &IMAGE_KEYS);
    let slot = fields
        .entry("allowed_device_counts".to_owned())
        .or_insert_with(|| json!({"allow_on_multiple_devices": false}));
    if let Value::Object(counts) = slot {
        copy(
            counts,
            body,
            &["allow_on_multiple_devices", "android_device_limit"],
        );
        if let Some(v) = body.get("watch_count") {
            counts.insert("watch".to_owned(), v.clone());
        }
        if let Some(v) = body.get("iphone_count") {
            counts.insert("iphone".to_owned(), v.clone());
        }
    }
}

/// What a template create or update body attaches by ex_id.
struct Attachable {
    /// The body's key, and the template answer's.
    key: &'static str,
    /// What one is called in messages.
    what: &'static str,
    /// The account's items of this kind.
    items: fn(&ConsoleState) -> &[Map<String, Value>],
    /// The event announcing one attachment, and its id field.
    event: EventType,
    id_field: &'static str,
}

const ATTACHABLE: [Attachable; 2] = [
    Attachable {
        key: "credential_profiles",
        what: "credential profile",
        items: |c| &c.credential_profiles,
        event: EventType::CredentialProfileAttachedToTemplate,
        id_field: "credential_profile_id",
    },
    Attachable {
        key: "landing_pages",
        what: "landing page",
        items: |c| &c.landing_pages,
        event: EventType::LandingPageAttachedToTemplate,
        id_field: "landing_page_id",
    },
];

/// The ids a body attaches, per [`ATTACHABLE`] kind (`None` where the body does not say),
/// in order and without repeats; 422 naming the field when an id names nothing of the
/// account (as a request that breaks a rule of the account: the template exists, the
/// body is what is wrong).
fn attachments(
    state: &State,
    body: &Map<String, Value>,
) -> Result<[Option<Vec<String>>; 2], Reply> {
    let mut out: [Option<Vec<String>>; 2] = [None, None];
    for (slot, kind) in out.iter_mut().zip(&ATTACHABLE) {
        let Some(ids) = body.get(kind.key).and_then(Value::as_array) else {
            continue;
        };
        let mut wanted: Vec<String> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = id.as_str().unwrap_or_default();
            let known = (kind.items)(&state.console)
                .iter()
                .any(|item| item.get("id").and_then(Value::as_str) == Some(id));
            if !known {
                return Err(Reply::invalid(
                    kind.key,
                    &format!("names {} {id:?}, which does not exist", kind.what),
                ));
            }
            if !wanted.iter().any(|w| w == id) {
                wanted.push(id.to_owned());
            }
        }
        *slot = Some(wanted);
    }
    Ok(out)
}

/// Sets what template `index` has attached to the lists given (a list replaces what was
/// attached of its kind), and emits one `attached_to_template` event for each id that was
/// not attached before.
fn attach(state: &mut State, index: usize, lists: [Option<Vec<String>>; 2]) {
    for (ids, kind) in lists.into_iter().zip(&ATTACHABLE) {
        let Some(ids) = ids else { continue };
        let template = &mut state.templates[index];
        let before: Vec<Value> = template
            .fields
            .get(kind.key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        template.fields.insert(kind.key.to_owned(), json!(ids));
        let template_id = template.id.clone();
        for id in ids {
            if !before.iter().any(|b| b.as_str() == Some(id.as_str())) {
                let data = json!({kind.id_field: id, "card_template_id": template_id});
                state.emit(kind.event.clone(), data);
            }
        }
    }
}

pub(crate) fn create_template(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    if text("use_case") == Some("employee_badge") {
        return Err(Reply::invalid(
            "use_case",
            "employee_badge is no longer accepted for new templates; use corporate_id",
        ));
    }
    // The values the schema's open enums know (a server refuses what it does not know),
    // less `employee_badge`, refused above.
    fn wire<T: std::fmt::Display>(known: &[T]) -> Vec<String> {
        known.iter().map(ToString::to_string).collect()
    }
    let mut use_cases = wire(TemplateUseCase::KNOWN);
    use_cases.retain(|u| u != TemplateUseCase::EmployeeBadge.as_str());
    for (field, known) in [
        ("platform", wire(TemplatePlatform::KNOWN)),
        ("use_case", use_cases),
        ("protocol", wire(TemplateProtocol::KNOWN)),
    ] {
        if let Some(value) = text(field) {
            if !known.iter().any(|k| k == value) {
                return Err(Reply::invalid(
                    field,
                    &format!("is `{value}`; it must be one of {}", known.join(", ")),
                ));
            }
        }
    }
    let lists = attachments(state, body)?;
    let id = state.ids.hex_id();
    let mut fields = Map::new();
    fields.insert("id".to_owned(), id.clone().into());
    fields.insert("created_at".to_owned(), iso8601(now_millis()).into());
    fields.insert("last_published_at".to_owned(), Value::Null);
    fields.insert("status".to_owned(), "draft".into());
    fields.insert("metadata".to_owned(), json!({}));
    fields.insert("credential_profiles".to_owned(), json!([]));
    fields.insert("landing_pages".to_owned(), json!([]));
    apply_template_fields(&mut fields, body);
    let template = Template {
        id: id.clone(),
        fields,
    };
    let data = template_event(&template);
    state.templates.push(template);
    state.emit(EventType::CardTemplateCreated, data);
    let index = state.templates.len() - 1;
    attach(state, index, lists);
    let answer = state.template_answer(&state.templates[index]);
    Ok(Reply::ok(&answer))
}

pub(crate) fn get_template(state: &State, id: &str) -> Outcome {
    if let Some(pair) = state
        .console
        .pairs
        .iter()
        .find(|p| p.get("id").and_then(Value::as_str) == Some(id))
    {
        let templates: Vec<Value> = ["ios_template", "android_template"]
            .iter()
            .filter_map(|k| pair.get(*k)?.get("id")?.as_str())
            .filter_map(|tid| state.template(tid))
            .map(|t| state.template_answer(t))
            .collect();
        return Ok(Reply::ok(&json!({
            "id": id,
            "name": pair.get("name"),
            "is_pair": true,
            "templates": templates,
        })));
    }
    Ok(Reply::ok(
        &state.template_answer(template_or_404(state, id)?),
    ))
}

pub(crate) fn list_templates(state: &State, rq: &Incoming) -> Outcome {
    let (page, per_page) = page_params(rq)?;
    let all: Vec<Value> = state
        .templates
        .iter()
        .map(|t| state.template_answer(t))
        .collect();
    let (items, figures) = paginate(&all, page, per_page);
    Ok(Reply::ok(
        &json!({"card_templates": items, "pagination": pagination(figures)}),
    ))
}

pub(crate) fn update_template(state: &mut State, id: &str, body: &Map<String, Value>) -> Outcome {
    let index = state
        .templates
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| Reply::from(Refusal::not_found("card template", id)))?;
    let lists = attachments(state, body)?;
    // Platform, use case and protocol are fixed once a template exists.
    let mut changes = body.clone();
    for fixed in ["platform", "use_case", "protocol"] {
        changes.remove(fixed);
    }
    apply_template_fields(&mut state.templates[index].fields, &changes);
    let data = template_event(&state.templates[index]);
    state.emit(EventType::CardTemplateUpdated, data);
    attach(state, index, lists);
    let answer = state.template_answer(&state.templates[index]);
    Ok(Reply::ok(&answer))
}

pub(crate) fn delete_template(state: &mut State, id: &str) -> Outcome {
    let data = template_event(template_or_404(state, id)?);
    let in_use = state
        .cards
        .iter()
        .filter(|c| c.template_id == id && c.state() != CardState::Deleted)
        .count();
    if in_use > 0 {
        return Err(Reply::message(
            422,
            format!("card template {id} still has {in_use} passes that are not deleted"),
        ));
    }
    state.templates.retain(|t| t.id != id);
    state.emit(EventType::CardTemplateDeleted, data);
    Ok(Reply::no_content())
}

pub(crate) fn publish_template(state: &mut State, id: &str) -> Outcome {
    let index = state
        .templates
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| Reply::from(Refusal::not_found("card template", id)))?;
    let now = iso8601(now_millis());
    let fields = &mut state.templates[index].fields;
    fields.insert("last_published_at".to_owned(), now.into());
    fields.insert("status".to_owned(), "ready".into());
    let data = template_event(&state.templates[index]);
    state.emit(EventType::CardTemplateRequestedPublishing, data.clone());
    state.emit(EventType::CardTemplatePublished, data);
    Ok(Reply::ok(&json!({"id": id, "status": "ready"})))
}

/// `GET .../logs`: the template's event log, oldest first, filtered by device, event
/// type and a time range.
pub(crate) fn event_log(state: &State, query: &TemplateLogQuery, id: &str) -> Outcome {
    template_or_404(state, id)?;
    let filters = query.filters.clone().unwrap_or_default();
    let device = filters.device.map(|d| d.to_string());
    let event_type = filters.event_type.map(|e| e.to_string());
    let (start, end) = (
        date("filters.start_date", filters.start_date.as_deref())?,
        date("filters.end_date", filters.end_date.as_deref())?,
    );
    let entries: Vec<Value> = state
        .log
        .iter()
        .filter(|e| e.template_id == id)
        .filter(|e| {
            device
                .as_deref()
                .is_none_or(|d| e.device.map(|x| x.as_str()) == Some(d))
        })
        .filter(|e| event_type.as_deref().is_none_or(|t| e.event == t))
        .filter(|e| start.is_none_or(|s| e.at >= s))
        .filter(|e| end.is_none_or(|s| e.at <= s))
        .map(|e| state.log_answer(e))
        .collect();
    let (logs, figures) = paginate(&entries, page_of(query.page), per_page_of(query.per_page));
    Ok(Reply::ok(
        &json!({"logs": logs, "pagination": pagination(figures)}),
    ))
}

/// An optional ISO 8601 bound; 422 naming `field` when it is not one.
fn date(field: &str, text: Option<&str>) -> Result<Option<i64>, Reply> {
    match text {
        None => Ok(None),
        Some(text) => parse_iso8601(text)
            .map(Some)
            .ok_or_else(|| Reply::invalid(field, "must be an ISO 8601 date or time")),
    }
}

fn page_of(page: Option<u32>) -> u64 {
    page.map_or(1, u64::from)
}

fn per_page_of(per_page: Option<u32>) -> u64 {
    per_page.map_or(50, u64::from)
}

/// `POST .../ios_preflight`: the identifiers Apple provisioning needs for one pass.
pub(crate) fn ios_preflight(state: &State, id: &str, pass_id: &str) -> Outcome {
    template_or_404(state, id)?;
    let card = state.card(pass_id).map_err(Reply::from)?;
    if card.template_id != id {
        return Err(Reply::message(
            404,
            format!("access pass {pass_id} does not belong to card template {id}"),
        ));
    }
    Ok(Reply::ok(&json!({
        "provisioningCredentialIdentifier": format!("sandbox-pci-{pass_id}"),
        "sharingInstanceIdentifier": format!("sandbox-sii-{pass_id}"),
        "cardTemplateIdentifier": format!("sandbox-cti-{id}"),
        "environmentIdentifier": "sandbox",
    })))
}

// ------------------------------------------------------------------ pairs

/// Creates a template pair. The Google side is a template created with `platform`
/// `google` or `android` (two names for the same side); each member is answered with the
/// platform it was created with.
pub(crate) fn create_pair(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let side = |state: &State, key: &str, platforms: &[&str]| -> Result<Value, Reply> {
        let tid = body.get(key).and_then(Value::as_str).unwrap_or_default();
        let template = state
            .template(tid)
            .ok_or_else(|| Reply::invalid(key, &format!("card template {tid} not found")))?;
        let platform = template.fields.get("platform").and_then(Value::as_str);
        if !platform.is_some_and(|p| platforms.contains(&p)) {
            return Err(Reply::invalid(
                key,
                &format!("must be a {} template", platforms[0]),
            ));
        }
        Ok(json!({
            "id": tid,
            "ex_id": tid,
            "name": template.fields.get("name"),
            "platform": platform,
        }))
    };
    let ios = side(state, "apple_card_template_id", &["apple"])?;
    let android = side(state, "google_card_template_id", &["google", "android"])?;
    let id = state.ids.hex_id();
    let answer = json!({
        "id": id,
        "ex_id": id,
        "name": body.get("name"),
        "created_at": iso8601(now_millis()),
        "ios_template": ios,
        "android_template": android,
    });
    let skip = ["apple_card_template_id", "google_card_template_id"];
    let pair = with_other(answer, body, &skip);
    state.console.pairs.push(pair.clone());
    let member = |key: &str| {
        pair.get(key)
            .and_then(|m| m.get("id"))
            .and_then(Value::as_str)
            .and_then(|tid| state.template(tid))
            .map_or(Value::Null, template_ref)
    };
    let data = json!({
        "card_template_pair_id": id,
        "name": body.get("name"),
        "ios_template": member("ios_template"),
        "android_template": member("android_template"),
    });
    state.emit(EventType::CardTemplatePairCreated, data);
    Ok(Reply::ok(&Value::Object(pair)))
}

pub(crate) fn list_pairs(state: &State, page: Option<u32>, per_page: Option<u32>) -> Outcome {
    let (items, figures) = paginate(&state.console.pairs, page_of(page), per_page_of(per_page));
    Ok(Reply::ok(
        &json!({"card_template_pairs": items, "pagination": pagination(figures)}),
    ))
}

// ------------------------------------------------------------------ landing pages

const LANDING_KEYS: [&str; 7] = [
    "name",
    "kind",
    "additional_text",
    "bg_color",
    "allow_immediate_download",
    "is_2fa_enabled",
    "logo",
];

fn landing_fields(page: &mut Map<String, Value>, body: &Map<String, Value>) {
    copy(page, body, &LANDING_KEYS);
    keep_other(
        page,
        body,
        &LANDING_KEYS,
        &[
            "password",
            "id",
            "created_at",
            "password_protected",
            "logo_url",
        ],
    );
    if let Some(logo) = page.remove("logo") {
        if !logo.is_null() {
            let id = page.get("id").and_then(Value::as_str).unwrap_or_default();
            page.insert(
                "logo_url".to_owned(),
                format!("https://sandbox.invalid/logos/{id}.png").into(),
            );
        }
    }
    if let Some(password) = body.get("password") {
        let set = password.as_str().is_some_and(|p| !p.is_empty());
        page.insert("password_protected".to_owned(), set.into());
    }
}

/// Keeps the password a landing page body sets (an empty or null one removes it), for the install
/// page to check.
fn keep_password(console: &mut ConsoleState, id: &str, body: &Map<String, Value>) {
    let Some(password) = body.get("password") else {
        return;
    };
    match password.as_str() {
        Some(text) if !text.is_empty() => {
            console
                .landing_passwords
                .insert(id.to_owned(), SensitiveText::new(text));
        }
        _ => {
            console.landing_passwords.remove(id);
        }
    }
}

pub(crate) fn create_landing_page(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let id = state.ids.hex_id();
    let mut page = Map::new();
    page.insert("id".to_owned(), id.clone().into());
    page.insert("created_at".to_owned(), iso8601(now_millis()).into());
    page.insert("password_protected".to_owned(), false.into());
    page.insert("logo_url".to_owned(), Value::Null);
    landing_fields(&mut page, body);
    keep_password(&mut state.console, &id, body);
    state.console.landing_pages.push(page.clone());
    state.emit(
        EventType::LandingPageCreated,
        json!({"landing_page_id": id}),
    );
    Ok(Reply::ok(&Value::Object(page)))
}

pub(crate) fn update_landing_page(
    state: &mut State,
    id: &str,
    body: &Map<String, Value>,
) -> Outcome {
    let page = find(&mut state.console.landing_pages, "landing page", id)?;
    landing_fields(page, body);
    let answer = Value::Object(page.clone());
    keep_password(&mut state.console, id, body);
    state.emit(
        EventType::LandingPageUpdated,
        json!({"landing_page_id": id}),
    );
    Ok(Reply::ok(&answer))
}

// ------------------------------------------------------------------ credential profiles

pub(crate) fn create_credential_profile(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let id = state.ids.hex_id();
    let aid = format!("F{}", state.ids.token(5).to_uppercase());
    let keys: Vec<Value> = body
        .get("keys")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .enumerate()
                .map(|(n, k)| {
                    json!({
                        "id": n + 1,
                        "source_key_index": k.get("source_key_index"),
                        "keys_diversified": k.get("keys_diversified"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let answer = json!({
        "id": id,
        "aid": aid,
        "name": body.get("name"),
        "apple_id": null,
        "app_name": body.get("app_name").cloned().unwrap_or_else(|| "KEY-ID-main".into()),
        "created_at": iso8601(now_millis()),
        "card_storage": "2K",
        "keys": keys,
        "files": body.get("file_id").map(|f| json!([{"id": f}])).unwrap_or_else(|| json!([])),
    });
    // Never the key values (`keys` is in the answer without them): the server does not
    // show them again either.
    let profile = with_other(answer, body, &["file_id"]);
    state.console.credential_profiles.push(profile.clone());
    state.emit(
        EventType::CredentialProfileCreated,
        json!({"credential_profile_id": id}),
    );
    Ok(Reply::ok(&Value::Object(profile)))
}

/// `DELETE /v1/console/credential-profiles/{id}`: the profile is detached from every
/// template and `ag.credential_profile.deleted` is emitted.
pub(crate) fn delete_credential_profile(state: &mut State, id: &str) -> Outcome {
    let reply = remove(
        &mut state.console.credential_profiles,
        "credential profile",
        id,
    )?;
    for template in &mut state.templates {
        if let Some(Value::Array(ids)) = template.fields.get_mut("credential_profiles") {
            ids.retain(|p| p.as_str() != Some(id));
        }
    }
    state.emit(
        EventType::CredentialProfileDeleted,
        json!({"credential_profile_id": id}),
    );
    Ok(reply)
}

// ------------------------------------------------------------------ webhooks

pub(crate) fn create_webhook(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let id = state.ids.hex_id();
    let auth = body
        .get("auth_method")
        .and_then(Value::as_str)
        .unwrap_or("bearer_token")
        .to_owned();
    let answer = json!({
        "id": id,
        "name": body.get("name"),
        "url": body.get("url"),
        "auth_method": auth,
        "subscribed_events": body.get("subscribed_events").cloned().unwrap_or_else(|| json!([])),
        "created_at": iso8601(now_millis()),
        "client_cert": null,
        "cert_expires_at": null,
    });
    let token = format!("whsec_{}", state.ids.token(40));
    let mut hook = with_other(answer, body, &["private_key"]);
    state.console.webhooks.push(hook.clone());
    // The bearer token is in the create answer only; deliveries carry it. An mTLS webhook
    // has none, and its deliveries carry no `Authorization` header.
    let private_key = if auth == "bearer_token" {
        state
            .console
            .webhook_tokens
            .insert(id, SensitiveText::new(token.clone()));
        Value::from(token)
    } else {
        Value::Null
    };
    hook.insert("private_key".to_owned(), private_key);
    Ok(Reply::ok(&Value::Object(hook)))
}

pub(crate) fn delete_webhook(state: &mut State, id: &str) -> Outcome {
    state.delete_webhook(id)?;
    Ok(Reply::no_content())
}

pub(crate) fn list_webhooks(state: &State, page: Option<u32>, per_page: Option<u32>) -> Outcome {
    let (items, figures) = paginate(
        &state.console.webhooks,
        page_of(page),
        per_page_of(per_page),
    );
    Ok(Reply::ok(
        &json!({"webhooks": items, "pagination": pagination(figures)}),
    ))
}

pub(crate) fn verify_webhook(state: &mut State, id: &str) -> Outcome {
    find(&mut state.console.webhooks, "webhook", id)?;
    Ok(Reply::ok(&json!({"id": id, "verified": true})))
}

// ------------------------------------------------------------------ HID orgs

pub(crate) fn create_hid_org(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let id = state.ids.number().to_string();
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let now = iso8601(now_millis());
    let mut org = Map::new();
    org.insert("id".to_owned(), id.into());
    org.insert("slug".to_owned(), slug.into());
    org.insert("status".to_owned(), "pending".into());
    copy(
        &mut org,
        body,
        &[
            "name",
            "full_address",
            "phone",
            "first_name",
            "last_name",
            "email",
        ],
    );
    keep_other(
        &mut org,
        body,
        &[],
        &["id", "slug", "status", "created_at", "updated_at"],
    );
    org.insert("created_at".to_owned(), now.clone().into());
    org.insert("updated_at".to_owned(), now.into());
    state.console.hid_orgs.push(org.clone());
    state.emit(EventType::HidOrgCreated, hid_org_event(&org));
    Ok(Reply::ok(&Value::Object(org)))
}

pub(crate) fn activate_hid_org(state: &mut State, body: &Map<String, Value>) -> Outcome {
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // The org registered with that email; otherwise the latest one still pending (the
    // official example creates an org without an email and activates it with the
    // credentials HID mailed).
    let orgs = &mut state.console.hid_orgs;
    let by_email = orgs
        .iter()
        .position(|o| o.get("email").and_then(Value::as_str) == Some(email));
    let pending = || {
        orgs.iter()
            .rposition(|o| o.get("status").and_then(Value::as_str) == Some("pending"))
    };
    let index = by_email.or_else(pending).ok_or_else(|| {
        Reply::message(
            404,
            format!("no HID org is registered for {email}, and none is pending"),
        )
    })?;
    let org = &mut orgs[index];
    org.entry("email").or_insert_with(|| email.into());
    org.insert("status".to_owned(), "active".into());
    org.insert("updated_at".to_owned(), iso8601(now_millis()).into());
    let (answer, data) = (Value::Object(org.clone()), hid_org_event(org));
    state.emit(EventType::HidOrgActivated, data);
    Ok(Reply::ok(&answer))
}

// ------------------------------------------------------------------ ledger

/// `GET /v1/console/ledger-items`: one item per issued pass, within the
/// `start_date`/`end_date` bounds.
pub(crate) fn ledger(state: &State, query: &LedgerItemsQuery) -> Outcome {
    let start = date("start_date", query.start_date.as_deref())?;
    let end = date("end_date", query.end_date.as_deref())?;
    let items: Vec<Value> = state
        .ledger
        .iter()
        .filter(|i| start.is_none_or(|s| i.at >= s))
        .filter(|i| end.is_none_or(|s| i.at <= s))
        .map(|i| state.ledger_answer(i))
        .collect();
    let (ledger_items, figures) =
        paginate(&items, page_of(query.page), per_page_of(query.per_page));
    Ok(Reply::ok(
        &json!({"ledger_items": ledger_items, "pagination": pagination(figures)}),
    ))
}

/// The SmartTap private key the sandbox holds for a template (what a reveal decrypts to).
#[cfg(feature = "smart-tap")]
pub(crate) fn smart_tap_private_key(template_id: &str) -> String {
    format!(
        "-----BEGIN EC PRIVATE KEY-----\nSANDBOX-SMART-TAP-KEY-{template_id}\n-----END EC PRIVATE KEY-----\n"
    )
}

/// `POST .../smart-tap/reveal`: the template's key, encrypted to the caller's fresh key.
#[cfg(feature = "smart-tap")]
pub(crate) fn reveal_smart_tap(state: &mut State, rq: &Incoming, id: &str) -> Outcome {
    use crate::models::SmartTapRevealRequest;
    let template = template_or_404(state, id)?;
    if template.fields.get("protocol").and_then(Value::as_str) != Some("smart_tap") {
        return Err(Reply::message(
            422,
            format!("card template {id} does not use the smart_tap protocol"),
        ));
    }
    let request: SmartTapRevealRequest = decode_body(&rq.body)?;
    let key = request.client_public_key.trim().to_owned();
    if state.console.revealed_keys.contains(&key) {
        return Err(Reply::invalid(
            "client_public_key",
            "has been used before; make a fresh key pair for every reveal",
        ));
    }
    let sealed = crate::smart_tap::encrypt_for(&key, &smart_tap_private_key(id))
        .map_err(|e| Reply::message(500, format!("sandbox internal error: {e}")))?;
    state.console.revealed_keys.push(key);
    Ok(Reply::ok(&json!({
        "key_version": "1",
        "collector_id": "96000000",
        "fingerprint": format!("sha256:sandbox-{id}"),
        "encrypted_private_key": sealed,
    })))
}
