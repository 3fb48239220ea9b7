//! The sandbox's in-memory account: templates, passes and their state machine, the event
//! log, the ledger, and the journal of events a webhook would deliver.
//!
//! Every change of a pass goes through [`State::record_pass_change`]: it sets the new state,
//! appends the event-log entry and emits the event. Every event, of a pass or of a console
//! resource, goes through [`State::emit`], which also queues it for the webhooks that
//! subscribed to it.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::delivery::{Outbox, Target};
use super::util::{iso8601, now_millis, IdGen};
use super::{DeviceType, SandboxEvent};
use crate::models::{
    AccessCard, CardState, Device, EventType, IssueCardRequest, SensitiveText, UpdateCardRequest,
};

/// Console resources other than templates.
#[derive(Debug, Default)]
pub(crate) struct ConsoleState {
    pub(crate) pairs: Vec<Map<String, Value>>,
    pub(crate) landing_pages: Vec<Map<String, Value>>,
    pub(crate) credential_profiles: Vec<Map<String, Value>>,
    pub(crate) webhooks: Vec<Map<String, Value>>,
    /// Each bearer-token webhook's token, by webhook id (the answers show it on create
    /// only; deliveries carry it).
    pub(crate) webhook_tokens: HashMap<String, SensitiveText>,
    pub(crate) hid_orgs: Vec<Map<String, Value>>,
    /// Each password-protected landing page's password, by landing page id (answers only
    /// say `password_protected`; the install page checks it).
    pub(crate) landing_passwords: HashMap<String, SensitiveText>,
    /// Public keys already used for a SmartTap reveal (the server refuses them again).
    #[cfg_attr(not(feature = "smart-tap"), allow(dead_code))]
    pub(crate) revealed_keys: Vec<String>,
}

impl ConsoleState {
    /// Where an event of type `kind` goes: every webhook whose `subscribed_events` names
    /// it exactly; an empty list means every type.
    pub(crate) fn subscribers(&self, kind: &EventType) -> Vec<Target> {
        self.webhooks
            .iter()
            .filter(|hook| {
                let subscribed = hook
                    .get("subscribed_events")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                subscribed.is_empty()
                    || subscribed.iter().any(|s| s.as_str() == Some(kind.as_str()))
            })
            .map(|hook| {
                let id = hook.get("id").and_then(Value::as_str).unwrap_or_default();
                Target {
                    webhook_id: id.to_owned(),
                    url: hook
                        .get("url")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    token: self.webhook_tokens.get(id).cloned(),
                }
            })
            .collect()
    }
}

/// A request the state refuses: the status and the message the answer carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl Refusal {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Refusal::new(404, format!("{what} {id} not found"))
    }

    /// A request the state machine forbids, or a rule of the account it breaks.
    pub(crate) fn unprocessable(message: impl Into<String>) -> Self {
        Refusal::new(422, message)
    }

    /// Something the sandbox itself got wrong.
    pub(crate) fn internal(message: impl std::fmt::Display) -> Self {
        Refusal::new(500, format!("sandbox internal error: {message}"))
    }
}

/// Who made a request, for event-log entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Actor {
    pub(crate) ip_address: String,
    pub(crate) user_agent: Option<String>,
}

/// A state-changing action on a pass, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PassAction {
    Suspend,
    Resume,
    Unlink,
    Delete,
}

/// What happened to a pass: one event-log entry and one emitted event each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PassChange {
    Issued,
    Installed(DeviceType),
    Updated,
    Suspended,
    Resumed,
    Unlinked,
    Deleted,
    /// Its expiration date passed (see `clock.rs`): an active pass is suspended.
    Expired,
    /// Its expiration date was moved past the clock after it expired: a pass suspended by
    /// its expiry is active again.
    Renewed,
}

impl PassChange {
    /// The state the pass is in afterwards, if the change sets one.
    fn new_state(self, before: &CardState, card: &Card) -> Option<CardState> {
        match self {
            PassChange::Expired => (*before == CardState::Active).then_some(CardState::Suspended),
            PassChange::Renewed => card.suspended_by_expiry.then_some(CardState::Active),
            PassChange::Issued => Some(CardState::Created),
            PassChange::Installed(_) | PassChange::Resumed => Some(CardState::Active),
            PassChange::Updated => None,
            PassChange::Suspended => Some(CardState::Suspended),
            PassChange::Unlinked => Some(CardState::Unlink),
            PassChange::Deleted => Some(CardState::Deleted),
        }
    }

    /// The event-log `event` (the filter's `event_type` values, plus `delete`).
    fn log_event(self) -> &'static str {
        match self {
            PassChange::Issued => "issue",
            PassChange::Installed(_) => "install",
            PassChange::Updated => "update",
            PassChange::Suspended => "suspend",
            PassChange::Resumed => "resume",
            PassChange::Unlinked => "unlink",
            PassChange::Deleted => "delete",
            PassChange::Expired => "expire",
            PassChange::Renewed => "renew",
        }
    }

    /// The CloudEvents type a webhook receives.
    fn event_type(self, before: Option<&CardState>) -> EventType {
        match self {
            PassChange::Issued => EventType::AccessPassIssued,
            PassChange::Installed(_) if before == Some(&CardState::Active) => {
                EventType::AccessPassDeviceAdded
            }
            PassChange::Installed(_) => EventType::AccessPassActivated,
            PassChange::Updated => EventType::AccessPassUpdated,
            PassChange::Suspended => EventType::AccessPassSuspended,
            PassChange::Resumed => EventType::AccessPassResumed,
            PassChange::Unlinked => EventType::AccessPassUnlinked,
            PassChange::Deleted => EventType::AccessPassDeleted,
            PassChange::Expired => EventType::AccessPassExpired,
            PassChange::Renewed => EventType::AccessPassRenewed,
        }
    }
}

/// An issued pass.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    /// What `GET /v1/key-cards/{id}` answers (its `state` is the pass's state).
    pub(crate) answer: AccessCard,
    pub(crate) template_id: String,
    /// The unified pass this one is the Apple or Google half of.
    pub(crate) parent: Option<String>,
    /// Its expiration date passed and `ag.access_pass.expired` was emitted (until it is
    /// renewed); see `clock.rs`.
    pub(crate) expired: bool,
    /// Its expiry suspended it (it was active then): renewing it makes it active again.
    pub(crate) suspended_by_expiry: bool,
}

/// A unified Apple+Google pass, issued from a template pair: one card per platform. Its
/// state is its cards' state; every change is applied to each card.
#[derive(Debug, Clone)]
pub(crate) struct Unified {
    pub(crate) id: String,
    pub(crate) pair_id: String,
    pub(crate) children: Vec<String>,
    pub(crate) created_at: String,
}

impl Card {
    pub(crate) fn id(&self) -> &str {
        &self.answer.id
    }

    pub(crate) fn state(&self) -> CardState {
        self.answer.state.clone().unwrap_or(CardState::Created)
    }
}

/// A card template: its answer fields, as the console shows them.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) id: String,
    pub(crate) fields: Map<String, Value>,
}

impl Template {
    fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }
}

/// One entry of a template's event log.
#[derive(Debug, Clone)]
pub(crate) struct LogEntry {
    pub(crate) id: u64,
    pub(crate) template_id: String,
    pub(crate) event: &'static str,
    pub(crate) device: Option<DeviceType>,
    pub(crate) at: i64,
    pub(crate) actor: Actor,
    pub(crate) card_id: String,
}

/// One ledger item: the charge for an issued pass.
#[derive(Debug, Clone)]
pub(crate) struct LedgerItem {
    pub(crate) id: String,
    pub(crate) at: i64,
    pub(crate) card_id: String,
    pub(crate) amount: &'static str,
}

/// The status of a device the pass was removed from (see [`State::remove_from_wallet`]).
pub(crate) const DEVICE_REMOVED: &str = "removed";

/// What one pass costs in the sandbox's ledger.
pub(crate) const PASS_PRICE: &str = "-1.0";

/// The whole in-memory account.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) base_url: String,
    pub(crate) ids: IdGen,
    pub(crate) templates: Vec<Template>,
    pub(crate) cards: Vec<Card>,
    pub(crate) log: Vec<LogEntry>,
    pub(crate) ledger: Vec<LedgerItem>,
    pub(crate) events: Vec<SandboxEvent>,
    pub(crate) unified: Vec<Unified>,
    /// Pairs, landing pages, credential profiles, webhooks, HID orgs.
    pub(crate) console: ConsoleState,
    /// Counter for `credential_pool_id` assignments.
    pool_next: u32,
    /// Where emitted events go to be delivered to webhooks (none: events are only
    /// recorded).
    pub(crate) outbox: Option<Arc<Outbox>>,
    /// How far the sandbox's clock is ahead of the system's, in milliseconds (see
    /// `Sandbox::advance_clock`).
    pub(crate) clock_offset: i64,
}

impl State {
    /// A fresh account with one published Apple template.
    pub(crate) fn new(base_url: String) -> State {
        let mut state = State {
            base_url,
            ids: IdGen::new(),
            templates: Vec::new(),
            cards: Vec::new(),
            log: Vec::new(),
            ledger: Vec::new(),
            events: Vec::new(),
            unified: Vec::new(),
            console: ConsoleState::default(),
            pool_next: 0,
            outbox: None,
            clock_offset: 0,
        };
        let id = state.ids.hex_id();
        let now = iso8601(now_millis());
        let fields = json!({
            "id": id,
            "name": "Sandbox employee badge",
            "platform": "apple",
            "use_case": "corporate_id",
            "protocol": "desfire",
            "created_at": now,
            "last_published_at": now,
            "status": "ready",
            "metadata": {},
            "allowed_device_counts": {
                "allow_on_multiple_devices": true,
                "watch": 1,
                "iphone": 1,
                "android_device_limit": null
            },
            "support_settings": {},
            "terms_settings": {},
            "style_settings": {
                "background_color": "#FFFFFF",
                "label_color": "#000000",
                "label_secondary_color": "#333333"
            }
        });
        if let Value::Object(fields) = fields {
            state.templates.push(Template { id, fields });
        }
        state
    }

    /// The id of the template every sandbox starts with.
    pub(crate) fn default_template_id(&self) -> &str {
        self.templates.first().map_or("", |t| t.id.as_str())
    }

    pub(crate) fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }

    fn card_index(&self, id: &str) -> Result<usize, Refusal> {
        self.cards
            .iter()
            .position(|c| c.id() == id)
            .ok_or_else(|| Refusal::not_found("access pass", id))
    }

    pub(crate) fn card(&self, id: &str) -> Result<&Card, Refusal> {
        Ok(&self.cards[self.card_index(id)?])
    }

    /// Issues a pass from `request`: it starts `created`, with an install URL. From a
    /// template pair's id, a unified pass with one card per member template.
    pub(crate) fn issue(
        &mut self,
        request: &IssueCardRequest,
        actor: &Actor,
    ) -> Result<AccessCard, Refusal> {
        let template_id = request.card_template_id.as_str();
        if self.template(template_id).is_some() {
            let index = self.issue_one(request, template_id, None, actor)?;
            return Ok(self.cards[index].answer.clone());
        }
        let members: Vec<String> = self
            .console
            .pairs
            .iter()
            .find(|p| p.get("id").and_then(Value::as_str) == Some(template_id))
            .map(|pair| {
                ["ios_template", "android_template"]
                    .iter()
                    .filter_map(|k| pair.get(*k)?.get("id")?.as_str().map(str::to_owned))
                    .collect()
            })
            .ok_or_else(|| Refusal::not_found("card template", template_id))?;
        if members.iter().any(|m| self.template(m).is_none()) {
            return Err(Refusal::unprocessable(format!(
                "a template of pair {template_id} has been deleted"
            )));
        }
        let id = self.ids.hex_id();
        // Recorded before its cards are issued, so that their events can name the pair.
        self.unified.push(Unified {
            id: id.clone(),
            pair_id: template_id.to_owned(),
            children: Vec::new(),
            created_at: iso8601(self.now()),
        });
        let slot = self.unified.len() - 1;
        for member in &members {
            let index = self.issue_one(request, member, Some(&id), actor)?;
            let child = self.cards[index].id().to_owned();
            self.unified[slot].children.push(child);
        }
        self.unified_answer(&self.unified[slot])
    }

    fn issue_one(
        &mut self,
        request: &IssueCardRequest,
        template_id: &str,
        parent: Option<&str>,
        actor: &Actor,
    ) -> Result<usize, Refusal> {
        // The request's fields that the answer shares keep their names on the wire; fields
        // the request carries beyond its schema are kept and answered too.
        let mut answer = card_from_fields(Map::new(), request)?;
        let id = self.ids.hex_id();
        answer.install_url = Some(format!("{}/install/{id}", self.base_url));
        answer.direct_install_url = Some(format!("{}/install/{id}?direct=true", self.base_url));
        answer.id = id.clone();
        answer.card_template_id = Some(template_id.to_owned());
        // Fields the request may set keep what it sent.
        answer
            .organization_name
            .get_or_insert_with(|| "AccessGrid Sandbox".to_owned());
        answer.temporary.get_or_insert(false);
        answer.allow_on_multiple_devices.get_or_insert(false);
        let now = iso8601(self.now());
        answer.created_at = Some(now.clone());
        answer.updated_at = Some(now);
        answer.devices = Some(Vec::new());
        if request.credential_pool_id.is_some() && answer.site_code.is_none() {
            self.pool_next += 1;
            answer.site_code = Some("100".to_owned());
            answer.card_number = Some(self.pool_next.to_string());
        }
        self.cards.push(Card {
            answer,
            template_id: template_id.to_owned(),
            parent: parent.map(str::to_owned),
            expired: false,
            suspended_by_expiry: false,
        });
        let index = self.cards.len() - 1;
        let ledger_id = self.ids.hex_id();
        self.ledger.push(LedgerItem {
            id: ledger_id,
            at: self.now(),
            card_id: id,
            amount: PASS_PRICE,
        });
        self.record_pass_change(index, PassChange::Issued, actor);
        Ok(index)
    }

    /// A unified pass as the API answers it: its cards in `details`.
    pub(crate) fn unified_answer(&self, unified: &Unified) -> Result<AccessCard, Refusal> {
        let details: Vec<AccessCard> = unified
            .children
            .iter()
            .filter_map(|c| self.card(c).ok())
            .map(|c| c.answer.clone())
            .collect();
        let base: AccessCard = AccessCard::builder()
            .id(unified.id.clone())
            .try_into()
            .map_err(Refusal::internal)?;
        let first = details.first();
        let state = first.and_then(|f| f.state.clone());
        let text = |pick: fn(&AccessCard) -> &Option<String>| first.and_then(|f| pick(f).clone());
        let mut answer = AccessCard {
            id: unified.id.clone(),
            install_url: Some(format!("{}/install/{}", self.base_url, unified.id)),
            direct_install_url: Some(format!(
                "{}/install/{}?direct=true",
                self.base_url, unified.id
            )),
            status: state.as_ref().map(|s| s.as_str().to_owned()),
            state,
            full_name: text(|f| &f.full_name),
            employee_id: text(|f| &f.employee_id),
            email: text(|f| &f.email),
            card_template_id: Some(unified.pair_id.clone()),
            created_at: Some(unified.created_at.clone()),
            metadata: first.and_then(|f| f.metadata.clone()),
            ..base
        };
        answer.details = Some(details);
        Ok(answer)
    }

    fn unified_index(&self, id: &str) -> Option<usize> {
        self.unified.iter().position(|u| u.id == id)
    }

    /// What `GET /v1/key-cards/{id}` answers: a card, or a unified pass.
    pub(crate) fn read(&self, id: &str) -> Result<AccessCard, Refusal> {
        if let Some(u) = self.unified_index(id) {
            return self.unified_answer(&self.unified[u]);
        }
        Ok(self.card(id)?.answer.clone())
    }

    /// The cards a change of `id` applies to: the card, or a unified pass's cards.
    fn targets(&self, id: &str) -> Result<Vec<usize>, Refusal> {
        match self.unified_index(id) {
            Some(u) => self.unified[u]
                .children
                .iter()
                .map(|c| self.card_index(c))
                .collect(),
            None => Ok(vec![self.card_index(id)?]),
        }
    }

    /// The answer after a change of `id`.
    fn answer_after(&self, id: &str, index: usize) -> Result<AccessCard, Refusal> {
        match self.unified_index(id) {
            Some(u) => self.unified_answer(&self.unified[u]),
            None => Ok(self.cards[index].answer.clone()),
        }
    }

    /// Applies an informational update; a deleted pass refuses it.
    pub(crate) fn update(
        &mut self,
        id: &str,
        request: &UpdateCardRequest,
        actor: &Actor,
    ) -> Result<AccessCard, Refusal> {
        let targets = self.targets(id)?;
        if targets
            .iter()
            .any(|&i| self.cards[i].state() == CardState::Deleted)
        {
            return Err(Refusal::unprocessable(format!(
                "can not update a pass that has been deleted (pass {id} is deleted)"
            )));
        }
        let mut updated = Vec::with_capacity(targets.len());
        for &index in &targets {
            let before = match serde_json::to_value(&self.cards[index].answer) {
                Ok(Value::Object(map)) => map,
                Ok(_) => Map::new(),
                Err(e) => return Err(Refusal::internal(e)),
            };
            let mut card = card_from_fields(before, request)?;
            card.updated_at = Some(iso8601(self.now()));
            updated.push((index, card));
        }
        // Every card takes the change before any card changes.
        for (index, card) in updated {
            self.cards[index].answer = card;
            self.record_pass_change(index, PassChange::Updated, actor);
            self.renew_if_due(index, actor);
        }
        self.answer_after(id, targets[0])
    }

    /// Suspends, resumes, unlinks or deletes a pass, as the state machine allows:
    /// only `active` can be suspended; `suspended` and `unlink` can be resumed; `active`
    /// and `suspended` can be unlinked; anything but `deleted` can be deleted, and
    /// `deleted` allows nothing.
    pub(crate) fn act(
        &mut self,
        id: &str,
        action: PassAction,
        actor: &Actor,
    ) -> Result<AccessCard, Refusal> {
        let targets = self.targets(id)?;
        // Every card must allow the change before any card changes.
        let mut changes = Vec::with_capacity(targets.len());
        for &index in &targets {
            let state = self.cards[index].state();
            let change = transition(action, &state)
                .map_err(|rule| Refusal::unprocessable(format!("{rule} (pass {id} is {state})")))?;
            changes.push((index, change));
        }
        for (index, change) in changes {
            self.record_pass_change(index, change, actor);
        }
        self.answer_after(id, targets[0])
    }

    /// A simulated wallet install: a `created` or unlinked pass becomes `active` on a new
    /// device; an `active` one gains another device. Suspended and deleted passes refuse.
    /// A unified pass is installed as a whole: each of its cards on a device of its own
    /// template's platform.
    pub(crate) fn install(
        &mut self,
        id: &str,
        device: DeviceType,
        actor: &Actor,
    ) -> Result<AccessCard, Refusal> {
        let targets = self.targets(id)?;
        for &index in &targets {
            let state = self.cards[index].state();
            if !matches!(
                state,
                CardState::Created | CardState::Unlink | CardState::Active
            ) {
                return Err(Refusal::unprocessable(format!(
                    "can not install a pass that is {state} (pass {id})"
                )));
            }
        }
        for &index in &targets {
            let platform = self
                .template(&self.cards[index].template_id)
                .and_then(|t| t.text("platform"))
                .unwrap_or("apple")
                .to_owned();
            let now = iso8601(self.now());
            let device_id = self.ids.hex_id();
            self.cards[index]
                .answer
                .devices
                .get_or_insert_with(Vec::new)
                .push(Device {
                    id: Some(device_id),
                    platform: Some(platform),
                    device_type: Some(device.as_str().to_owned()),
                    status: Some("active".to_owned()),
                    created_at: Some(now.clone()),
                    updated_at: Some(now),
                    extra: Map::new(),
                });
            self.record_pass_change(index, PassChange::Installed(device), actor);
        }
        self.answer_after(id, targets[0])
    }

    /// A simulated removal from the wallet: the newest `active` device of each card of the
    /// pass becomes `removed` (an `ag.access_pass.devices.removed` event each); a card left
    /// with no active device becomes `unlink` (an `ag.access_pass.unlinked` event). Only
    /// an `active` pass is on a device to remove it from.
    pub(crate) fn remove_from_wallet(
        &mut self,
        id: &str,
        actor: &Actor,
    ) -> Result<AccessCard, Refusal> {
        let targets = self.targets(id)?;
        let mut removals = Vec::with_capacity(targets.len());
        for &index in &targets {
            let card = &self.cards[index];
            let state = card.state();
            let device = card
                .answer
                .devices
                .as_deref()
                .unwrap_or_default()
                .iter()
                .rposition(|d| d.status.as_deref() == Some("active"));
            match (state, device) {
                (CardState::Active, Some(device)) => removals.push((index, device)),
                (state, _) => {
                    return Err(Refusal::unprocessable(format!(
                        "can not remove a pass from a wallet it is not active in (pass {id} is {state})"
                    )))
                }
            }
        }
        for (index, device) in removals {
            let now = iso8601(now_millis());
            let devices = self.cards[index]
                .answer
                .devices
                .get_or_insert_with(Vec::new);
            let Some(removed) = devices.get_mut(device) else {
                continue;
            };
            removed.status = Some(DEVICE_REMOVED.to_owned());
            removed.updated_at = Some(now.clone());
            let removed = removed.clone();
            let left = devices
                .iter()
                .any(|d| d.status.as_deref() == Some("active"));
            self.cards[index].answer.updated_at = Some(now);
            let card = self.cards[index].clone();
            let mut data = self.pass_event_data(&card, None);
            if let Value::Object(map) = &mut data {
                map.insert(
                    "device".to_owned(),
                    json!({"type": removed.device_type, "id": removed.id}),
                );
            }
            self.emit(EventType::AccessPassDeviceRemoved, data);
            if !left {
                self.record_pass_change(index, PassChange::Unlinked, actor);
            }
        }
        self.answer_after(id, targets[0])
    }

    /// THE one place where a pass changes: sets its new state (and its devices' status),
    /// appends the template's event-log entry, and emits the event a webhook subscriber
    /// would receive. Every mutation of a pass ends here; hooks belong here too.
    pub(crate) fn record_pass_change(&mut self, index: usize, change: PassChange, actor: &Actor) {
        let now = self.now();
        let Some(card) = self.cards.get_mut(index) else {
            return;
        };
        let before = card.answer.state.clone();
        let new_state = change.new_state(&before.clone().unwrap_or(CardState::Created), card);
        if let Some(state) = new_state {
            let device_status = match state {
                CardState::Active => "active",
                CardState::Suspended => "suspended",
                CardState::Unlink => "unlinked",
                CardState::Deleted => "deleted",
                _ => "pending",
            };
            // A device the pass was removed from stays removed.
            let present = |d: &&mut Device| d.status.as_deref() != Some(DEVICE_REMOVED);
            for device in card.answer.devices.iter_mut().flatten().filter(present) {
                if device.status.as_deref() != Some(device_status) {
                    device.status = Some(device_status.to_owned());
                    device.updated_at = Some(iso8601(now));
                }
            }
            card.answer.state = Some(state);
            card.answer.updated_at = Some(iso8601(now));
        }
        let card = card.clone();
        let device = match change {
            PassChange::Installed(device) => Some(device),
            _ => None,
        };
        let entry_id = self.ids.number();
        self.log.push(LogEntry {
            id: entry_id,
            template_id: card.template_id.clone(),
            event: change.log_event(),
            device,
            at: now,
            actor: actor.clone(),
            card_id: card.id().to_owned(),
        });

        let data = self.pass_event_data(&card, device);
        self.emit(change.event_type(before.as_ref()), data);
    }

    /// THE one place where an event is emitted: appends it to the journal and queues it
    /// for every webhook that subscribed to its type (see [`ConsoleState::subscribers`]).
    pub(crate) fn emit(&mut self, kind: EventType, data: Value) {
        let id = format!("evt_{}", self.ids.token(24));
        let event = SandboxEvent {
            id,
            kind: kind.as_str().to_owned(),
            time: iso8601(self.now()),
            data,
        };
        if let Some(outbox) = &self.outbox {
            for target in self.console.subscribers(&kind) {
                outbox.enqueue(target, &event);
            }
        }
        self.events.push(event);
    }

    /// Deletes a webhook: no further event is queued for it, and its pending deliveries
    /// are dropped.
    pub(crate) fn delete_webhook(&mut self, id: &str) -> Result<(), Refusal> {
        let before = self.console.webhooks.len();
        self.console
            .webhooks
            .retain(|m| m.get("id").and_then(Value::as_str) != Some(id));
        if self.console.webhooks.len() == before {
            return Err(Refusal::not_found("webhook", id));
        }
        self.console.webhook_tokens.remove(id);
        if let Some(outbox) = &self.outbox {
            outbox.cancel(id);
        }
        Ok(())
    }

    /// A template's answer, with its pass counts.
    pub(crate) fn template_answer(&self, template: &Template) -> Value {
        let mine = self.cards.iter().filter(|c| c.template_id == template.id);
        let issued = mine.clone().count();
        let active = mine.filter(|c| c.state() == CardState::Active).count();
        let mut fields = template.fields.clone();
        fields.insert("issued_keys_count".to_owned(), issued.into());
        fields.insert("active_keys_count".to_owned(), active.into());
        Value::Object(fields)
    }

    /// An event-log entry as `GET .../logs` answers it.
    pub(crate) fn log_answer(&self, entry: &LogEntry) -> Value {
        let card = self.card(&entry.card_id).ok();
        json!({
            "id": entry.id,
            "event": entry.event,
            "created_at": iso8601(entry.at),
            "ip_address": entry.actor.ip_address,
            "user_agent": entry.actor.user_agent,
            "metadata": {
                "access_pass_id": entry.card_id,
                "device": entry.device.map(DeviceType::as_str),
                "full_name": card.and_then(|c| c.answer.full_name.clone()),
            },
        })
    }

    /// A ledger item as `GET /v1/console/ledger-items` answers it.
    pub(crate) fn ledger_answer(&self, item: &LedgerItem) -> Value {
        let card = self.card(&item.card_id).ok();
        let template = card.and_then(|c| self.template(&c.template_id));
        let field = |key: &str| template.and_then(|t| t.fields.get(key).cloned());
        json!({
            "id": item.id,
            "created_at": iso8601(item.at),
            "amount": item.amount,
            "kind": "access_pass_issued",
            "metadata": {},
            "access_pass": {
                "id": item.card_id,
                "ex_id": item.card_id,
                "full_name": card.and_then(|c| c.answer.full_name.clone()),
                "state": card.map(|c| c.state().as_str().to_owned()),
                "metadata": card.and_then(|c| c.answer.metadata.clone()),
                "unified_access_pass_ex_id": card.and_then(|c| c.parent.clone()),
                "pass_template": {
                    "id": template.map(|t| t.id.clone()),
                    "ex_id": template.map(|t| t.id.clone()),
                    "name": field("name"),
                    "protocol": field("protocol"),
                    "platform": field("platform"),
                    "use_case": field("use_case"),
                },
            },
        })
    }
}

/// Keys of a pass that only the server sets: a request cannot change them, even as an
/// extra field.
const SERVER_OWNED: [&str; 10] = [
    "id",
    "state",
    "status",
    "install_url",
    "direct_install_url",
    "card_template_id",
    "created_at",
    "updated_at",
    "devices",
    "details",
];

/// A pass's fields (`base`) with a request's fields laid over them: the named ones and the
/// extra ones alike, except what only the server sets. A request field whose value cannot
/// be a pass's field (an extra `"temporary": "soon"`) is refused with 422.
fn card_from_fields<R: serde::Serialize>(
    mut base: Map<String, Value>,
    request: &R,
) -> Result<AccessCard, Refusal> {
    let Value::Object(mut changes) = serde_json::to_value(request).map_err(Refusal::internal)?
    else {
        return Err(Refusal::internal("a request is not a JSON object"));
    };
    for key in SERVER_OWNED {
        changes.remove(key);
    }
    base.extend(changes);
    // An issue has no id yet: the caller sets it.
    base.entry("id")
        .or_insert_with(|| Value::String(String::new()));
    serde_path_to_error::deserialize(Value::Object(base))
        .map_err(|e| Refusal::unprocessable(format!("{}: {}", e.path(), e.inner())))
}

/// The change `action` makes to a pass in `state`, or the rule that forbids it: only
/// `active` can be suspended; `suspended` and `unlink` can be resumed; `active` and
/// `suspended` can be unlinked; anything but `deleted` can be deleted, and `deleted` allows
/// nothing.
fn transition(action: PassAction, state: &CardState) -> Result<PassChange, &'static str> {
    match (action, state) {
        (_, CardState::Deleted) => Err("can not manage a pass that has been deleted"),
        (PassAction::Suspend, CardState::Active) => Ok(PassChange::Suspended),
        (PassAction::Suspend, _) => Err("can not manage a pass that is not active"),
        (PassAction::Resume, CardState::Suspended | CardState::Unlink) => Ok(PassChange::Resumed),
        (PassAction::Resume, _) => Err("can not resume a pass that is not suspended or unlinked"),
        (PassAction::Unlink, CardState::Active | CardState::Suspended) => Ok(PassChange::Unlinked),
        (PassAction::Unlink, _) => Err("can not unlink a pass that is not installed on a device"),
        (PassAction::Delete, _) => Ok(PassChange::Deleted),
    }
}

/// One page of `items`: the page's items and `(page, per_page, total_pages, total_count)`.
pub(crate) fn paginate<T: Clone>(items: &[T], page: u64, per_page: u64) -> (Vec<T>, [u64; 4]) {
    let page = page.max(1);
    let per_page = per_page.clamp(1, 100);
    let total = items.len() as u64;
    let pages = total.div_ceil(per_page);
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<T> = items
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    (slice, [page, per_page, pages, total])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(state: &mut State) -> String {
        let request: IssueCardRequest = IssueCardRequest::builder()
            .card_template_id(state.default_template_id().to_owned())
            .full_name("Ada")
            .site_code("1")
            .card_number("2")
            .try_into()
            .expect("a valid request");
        let card = state.issue(&request, &Actor::default()).expect("issued");
        card.id
    }

    #[test]
    fn every_change_logs_and_emits_once() {
        let mut state = State::new("http://127.0.0.1:1".into());
        let id = issued(&mut state);
        state
            .install(&id, DeviceType::Mobile, &Actor::default())
            .expect("installed");
        state
            .act(&id, PassAction::Suspend, &Actor::default())
            .expect("suspended");
        let events: Vec<&str> = state.log.iter().map(|e| e.event).collect();
        assert_eq!(events, ["issue", "install", "suspend"]);
        let kinds: Vec<&str> = state.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ag.access_pass.issued",
                "ag.access_pass.activated",
                "ag.access_pass.suspended"
            ]
        );
        assert_eq!(state.ledger.len(), 1);
        let card = state.card(&id).expect("known");
        assert_eq!(card.state(), CardState::Suspended);
        let devices = card.answer.devices.as_deref().unwrap_or_default();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].status.as_deref(), Some("suspended"));
    }

    #[test]
    fn forbidden_transitions_change_nothing() {
        let mut state = State::new("http://127.0.0.1:1".into());
        let id = issued(&mut state);
        let refused = state
            .act(&id, PassAction::Suspend, &Actor::default())
            .expect_err("created passes cannot be suspended");
        assert_eq!(refused.status, 422);
        assert!(
            refused.message.contains("not active"),
            "{}",
            refused.message
        );
        assert_eq!(state.log.len(), 1);
        assert_eq!(state.events.len(), 1);
        assert_eq!(state.card(&id).expect("known").state(), CardState::Created);
    }

    #[test]
    fn pages() {
        let items: Vec<u32> = (1..=7).collect();
        assert_eq!(paginate(&items, 1, 3), (vec![1, 2, 3], [1, 3, 3, 7]));
        assert_eq!(paginate(&items, 3, 3), (vec![7], [3, 3, 3, 7]));
        assert_eq!(paginate(&items, 4, 3), (vec![], [4, 3, 3, 7]));
        assert_eq!(paginate(&items, 0, 500).1, [1, 100, 1, 7]);
        assert_eq!(paginate::<u32>(&[], 1, 50).1, [1, 50, 0, 0]);
    }
}
