//! Keeping AccessGrid in step with a system of record (a door controller's PACS, an HR
//! system): snapshot every pass, compare with the people who should hold one, plan the
//! changes, check the plan, apply it, and issue without ever giving a person two passes.
//!
//! 1. [`Snapshot::take`] reads **every** pass of the given templates, page after page, and
//!    indexes them by pass id, by `employee_id` and by a metadata key (default `pacs_id`)
//!    that ties a pass to its person.
//! 2. The desired state is one [`Person`] per key: name, email, employee id, `site_code`,
//!    `card_number`, active or suspended, an optional expiry and metadata.
//! 3. [`Reconciler::plan`] compares them: [`Action`]s to issue, update the fields that
//!    differ, suspend, resume, delete, or renew an expiry that falls within a window, each
//!    with a reason. A pass in a state that cannot take an action yet (a `created` pass
//!    cannot be suspended) gets no action but a [`Waiting`] note, and the next run acts.
//!    The plan's `Display` is a readable dry run.
//! 4. [`Reconciler::apply`] first runs the guard ([`Plan::check`]): a plan that deletes or
//!    suspends more than a share of the existing passes (default 10%), or any plan made
//!    from an empty desired state, is refused with [`Error::PlanRefused`] unless forced.
//!    Then it applies every action and reports each one ([`Report`]).
//!
//! Every pass issued carries its person's key in its metadata. When an issue ends in
//! [`Error::OutcomeUnknown`] (the answer was lost: the pass may exist), the pass is looked
//! up by its key before anything is sent again; the lookup decides whether the pass exists,
//! and the request is sent again only when it does not ([`Reconciler::issue`]).
//!
//! ```
//! # #[cfg(feature = "sandbox")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use accessgrid::reconcile::{Person, Reconciler};
//!
//! let sandbox = accessgrid::sandbox::Sandbox::start()?;
//! let client = sandbox.client();
//! let sync = Reconciler::new(&client, sandbox.template_id());
//! let people = vec![
//!     Person::new("1001", "Ada Lovelace").email("ada@example.com").credential("42", "1001"),
//!     Person::new("1002", "Alan Turing").credential("42", "1002"),
//! ];
//!
//! let plan = sync.plan(&sync.snapshot()?, &people);
//! println!("{plan}"); // the dry run
//! let report = sync.apply(&plan, false)?;
//! assert_eq!(report.counts().issued, 2);
//!
//! // Nothing differs any more.
//! let again = sync.plan(&sync.snapshot()?, &people);
//! assert!(again.actions().is_empty());
//! assert_eq!(again.unchanged(), 2);
//!
//! // An empty desired state would delete everything: refused unless forced.
//! let empty = sync.plan(&sync.snapshot()?, &[]);
//! assert!(matches!(sync.apply(&empty, false), Err(accessgrid::Error::PlanRefused { .. })));
//! # Ok(()) }
//! # #[cfg(not(feature = "sandbox"))]
//! # fn main() {}
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::client::Client;
use crate::dates;
use crate::error::Clipped;

#[cfg(feature = "people-csv")]
mod people_csv;
use crate::error::Error;
use crate::models::{AccessCard, CardState, IssueCardRequest, ListCardsQuery, UpdateCardRequest};
#[cfg(feature = "people-csv")]
#[cfg_attr(docsrs, doc(cfg(feature = "people-csv")))]
pub use people_csv::{read_people_csv, PeopleFileError, PEOPLE_CSV_HEADER};

/// Text from outside, for messages and logs: control characters escaped, cut at 200
/// characters.
fn esc(text: &str) -> Clipped<'_> {
    Clipped(text, 200)
}

/// The metadata key that ties a pass to its person unless another is chosen.
pub const DEFAULT_KEY_FIELD: &str = "pacs_id";

/// The largest share of existing passes a plan may delete or suspend without being forced.
pub const DEFAULT_MAX_DESTRUCTIVE_SHARE: f64 = 0.10;

// ---------------------------------------------------------------- desired state

/// Whether a person's pass should open doors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// The pass should be active.
    Active,
    /// The pass should be suspended (kept, but opening nothing).
    Suspended,
}

impl Status {
    /// `active` or `suspended`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = Error;

    /// `active` or `suspended` (any case, surrounding spaces ignored).
    fn from_str(text: &str) -> Result<Status, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(Status::Active),
            "suspended" => Ok(Status::Suspended),
            _ => Err(Error::invalid(
                "status",
                format!("is `{}`; it must be active or suspended", esc(text)),
            )),
        }
    }
}

/// One person of the desired state: who should hold a pass, with what.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Person {
    /// The key that ties the person to their pass (stored in the pass's metadata under
    /// the reconciler's key field), such as the PACS's credential id.
    pub key: String,
    /// The name on the pass.
    pub full_name: String,
    /// The holder's email.
    pub email: Option<String>,
    /// The pass's `employee_id`.
    pub employee_id: Option<String>,
    /// The badge's facility code.
    pub site_code: Option<String>,
    /// The badge's card number.
    pub card_number: Option<String>,
    /// Whether the pass should be active or suspended.
    pub status: Status,
    /// The pass's expiry (ISO 8601), when the system of record sets one.
    pub expiration_date: Option<String>,
    /// More metadata for the pass (the key is added to it).
    pub metadata: Map<String, Value>,
}

impl Person {
    /// An active person with a key and a name.
    pub fn new(key: impl Into<String>, full_name: impl Into<String>) -> Person {
        Person {
            key: key.into(),
            full_name: full_name.into(),
            email: None,
            employee_id: None,
            site_code: None,
            card_number: None,
            status: Status::Active,
            expiration_date: None,
            metadata: Map::new(),
        }
    }

    /// The holder's email.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Person {
        self.email = Some(email.into());
        self
    }

    /// The pass's `employee_id`.
    #[must_use]
    pub fn employee_id(mut self, employee_id: impl Into<String>) -> Person {
        self.employee_id = Some(employee_id.into());
        self
    }

    /// The badge: facility code and card number.
    #[must_use]
    pub fn credential(
        mut self,
        site_code: impl Into<String>,
        card_number: impl Into<String>,
    ) -> Person {
        self.site_code = Some(site_code.into());
        self.card_number = Some(card_number.into());
        self
    }

    /// Active or suspended.
    #[must_use]
    pub fn status(mut self, status: Status) -> Person {
        self.status = status;
        self
    }

    /// The pass's expiry (ISO 8601).
    #[must_use]
    pub fn expiration_date(mut self, date: impl Into<String>) -> Person {
        self.expiration_date = Some(date.into());
        self
    }

    /// One more metadata entry.
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Person {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

// ---------------------------------------------------------------- snapshot

/// Every pass of some templates at one moment, indexed by pass id, `employee_id` and the
/// key metadata field. Deleted passes are kept (they are listed) but never indexed by key
/// or employee id.
#[derive(Debug, Clone)]
pub struct Snapshot {
    passes: Vec<AccessCard>,
    key_field: String,
    by_id: HashMap<String, usize>,
    by_employee: HashMap<String, Vec<usize>>,
    by_key: HashMap<String, Vec<usize>>,
}

impl Snapshot {
    /// Reads every pass of `templates`, every page (100 a page).
    pub fn take<S: AsRef<str>>(
        client: &Client,
        templates: &[S],
        key_field: &str,
    ) -> Result<Snapshot, Error> {
        let mut passes = Vec::new();
        for template in templates {
            passes.extend(api::list_all(client, template.as_ref(), None)?);
        }
        Ok(Snapshot::from_passes(passes, key_field))
    }

    /// A snapshot of passes read some other way.
    pub fn from_passes(passes: Vec<AccessCard>, key_field: &str) -> Snapshot {
        let mut snapshot = Snapshot {
            passes: Vec::with_capacity(passes.len()),
            key_field: key_field.to_owned(),
            by_id: HashMap::new(),
            by_employee: HashMap::new(),
            by_key: HashMap::new(),
        };
        for pass in passes {
            if snapshot.by_id.contains_key(&pass.id) {
                continue; // listed twice (pages shifted while reading): keep the first
            }
            let at = snapshot.passes.len();
            snapshot.by_id.insert(pass.id.clone(), at);
            if !is_deleted(&pass) {
                if let Some(employee) = pass.employee_id.as_deref().filter(|e| !e.is_empty()) {
                    snapshot
                        .by_employee
                        .entry(employee.to_owned())
                        .or_default()
                        .push(at);
                }
                if let Some(key) = key_of(&pass, key_field) {
                    snapshot.by_key.entry(key).or_default().push(at);
                }
            }
            snapshot.passes.push(pass);
        }
        snapshot
    }

    /// Every pass, deleted ones included, in the order read.
    pub fn passes(&self) -> &[AccessCard] {
        &self.passes
    }

    /// The passes that are not deleted.
    pub fn live(&self) -> impl Iterator<Item = &AccessCard> {
        self.passes.iter().filter(|p| !is_deleted(p))
    }

    /// The pass with this id.
    pub fn by_id(&self, id: &str) -> Option<&AccessCard> {
        self.by_id.get(id).map(|&i| &self.passes[i])
    }

    /// The live passes with this `employee_id`.
    pub fn by_employee_id(&self, employee_id: &str) -> Vec<&AccessCard> {
        self.pick(self.by_employee.get(employee_id))
    }

    /// The live passes whose metadata holds this key.
    pub fn by_key(&self, key: &str) -> Vec<&AccessCard> {
        self.pick(self.by_key.get(key))
    }

    /// The metadata field the snapshot indexes by.
    pub fn key_field(&self) -> &str {
        &self.key_field
    }

    fn pick(&self, at: Option<&Vec<usize>>) -> Vec<&AccessCard> {
        at.map(|v| v.iter().map(|&i| &self.passes[i]).collect())
            .unwrap_or_default()
    }
}

/// A pass's key: its metadata field `key_field`, as text (a number is written out).
pub fn key_of(pass: &AccessCard, key_field: &str) -> Option<String> {
    match pass.metadata.as_ref()?.get(key_field)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An ISO 8601 date (`2026-05-01`) or date-time (`2026-05-01T12:30:00Z`, with an optional
/// fraction and a `Z` or `±HH:MM` offset; none means UTC) as a time; `None` for anything
/// else (or a time before 1970).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use accessgrid::reconcile::{format_date, parse_date};
///
/// let t = parse_date("2026-11-30T14:00:00+02:00").expect("a date-time");
/// assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_796_040_000));
/// assert_eq!(format_date(t), "2026-11-30T12:00:00Z");
/// assert_eq!(parse_date("30/11/2026"), None);
/// ```
pub fn parse_date(text: &str) -> Option<SystemTime> {
    let millis = u64::try_from(dates::parse(text)?).ok()?;
    Some(UNIX_EPOCH + Duration::from_millis(millis))
}

/// A time as ISO 8601 in UTC, to the second: `2026-11-30T12:00:00Z`.
pub fn format_date(time: SystemTime) -> String {
    dates::format(dates::millis_since_epoch(time))
}

/// Whether `pass` has an expiry (that can be read) at or before `at`.
pub fn is_expired(pass: &AccessCard, at: SystemTime) -> bool {
    pass.expiration_date
        .as_deref()
        .and_then(parse_date)
        .is_some_and(|expiry| expiry <= at)
}

fn is_deleted(pass: &AccessCard) -> bool {
    pass.state == Some(CardState::Deleted)
}

fn state_of(pass: &AccessCard) -> CardState {
    pass.state.clone().unwrap_or(CardState::Created)
}

// ---------------------------------------------------------------- plan

/// A field a planned update changes: its name, what the pass has, what it gets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field, as named on the wire (`full_name`, `metadata`, ...).
    pub field: &'static str,
    /// What the pass has now.
    pub from: Value,
    /// What it gets.
    pub to: Value,
}

/// One change to make in AccessGrid.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// Issue a pass to a person who has none.
    Issue {
        /// Who.
        person: Person,
        /// Why.
        reason: String,
    },
    /// Update the fields that differ.
    Update {
        /// The person's key.
        key: String,
        /// The pass.
        pass_id: String,
        /// What changes.
        changes: Vec<FieldChange>,
        /// Why.
        reason: String,
    },
    /// Suspend an active pass.
    Suspend {
        /// The person's key.
        key: String,
        /// The pass.
        pass_id: String,
        /// Why.
        reason: String,
    },
    /// Resume a suspended or unlinked pass.
    Resume {
        /// The person's key.
        key: String,
        /// The pass.
        pass_id: String,
        /// Why.
        reason: String,
    },
    /// Delete a pass for good.
    Delete {
        /// The person's key, if the pass has one.
        key: Option<String>,
        /// The pass.
        pass_id: String,
        /// Why.
        reason: String,
    },
    /// Move a pass's expiry that is near (or past) to a later date; then, if the pass is
    /// still suspended by its expiry and should be active, resume it.
    Renew {
        /// The person's key.
        key: String,
        /// The pass.
        pass_id: String,
        /// The new expiry (ISO 8601).
        expiration_date: String,
        /// Whether to resume the pass afterwards if it is still suspended.
        resume: bool,
        /// Why.
        reason: String,
    },
}

impl Action {
    /// The action's verb: `issue`, `update`, `suspend`, `resume`, `delete`, `renew`.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Issue { .. } => "issue",
            Action::Update { .. } => "update",
            Action::Suspend { .. } => "suspend",
            Action::Resume { .. } => "resume",
            Action::Delete { .. } => "delete",
            Action::Renew { .. } => "renew",
        }
    }

    /// Why the action is planned.
    pub fn reason(&self) -> &str {
        match self {
            Action::Issue { reason, .. }
            | Action::Update { reason, .. }
            | Action::Suspend { reason, .. }
            | Action::Resume { reason, .. }
            | Action::Delete { reason, .. }
            | Action::Renew { reason, .. } => reason,
        }
    }

    /// The pass acted on (none for an issue).
    pub fn pass_id(&self) -> Option<&str> {
        match self {
            Action::Issue { .. } => None,
            Action::Update { pass_id, .. }
            | Action::Suspend { pass_id, .. }
            | Action::Resume { pass_id, .. }
            | Action::Delete { pass_id, .. }
            | Action::Renew { pass_id, .. } => Some(pass_id),
        }
    }

    /// The person's key, when the action concerns one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Action::Issue { person, .. } => Some(&person.key),
            Action::Delete { key, .. } => key.as_deref(),
            Action::Update { key, .. }
            | Action::Suspend { key, .. }
            | Action::Resume { key, .. }
            | Action::Renew { key, .. } => Some(key),
        }
    }

    /// Whether the action takes access away (delete, suspend): what the guard counts.
    pub fn is_destructive(&self) -> bool {
        matches!(self, Action::Delete { .. } | Action::Suspend { .. })
    }

    /// The order actions are applied in: deletes first (they free badge numbers), issues
    /// last.
    fn rank(&self) -> u8 {
        match self {
            Action::Delete { .. } => 0,
            Action::Suspend { .. } => 1,
            Action::Update { .. } => 2,
            Action::Renew { .. } => 3,
            Action::Resume { .. } => 4,
            Action::Issue { .. } => 5,
        }
    }
}

impl fmt::Display for Action {
    /// One line: verb, key, pass, what changes, and why (text from outside escaped).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<7}", self.verb())?;
        if let Some(key) = self.key() {
            write!(f, " {}", esc(key))?;
        }
        if let Some(pass) = self.pass_id() {
            write!(f, " (pass {})", esc(pass))?;
        }
        match self {
            Action::Issue { person, .. } => {
                write!(f, " \"{}\"", esc(&person.full_name))?;
            }
            Action::Update { changes, .. } => {
                for (n, c) in changes.iter().enumerate() {
                    let sep = if n == 0 { ":" } else { "," };
                    write!(
                        f,
                        "{sep} {} {} -> {}",
                        c.field,
                        esc(&c.from.to_string()),
                        esc(&c.to.to_string())
                    )?;
                }
            }
            Action::Renew {
                expiration_date, ..
            } => write!(f, " until {}", esc(expiration_date))?,
            _ => {}
        }
        write!(f, " -- {}", esc(self.reason()))
    }
}

/// A pass that needs a change the API does not allow yet; nothing is planned for it now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Waiting {
    /// The person's key.
    pub key: String,
    /// The pass.
    pub pass_id: String,
    /// What is waited for.
    pub reason: String,
}

/// When passes are renewed: an expiry within `window` of now (or past) is moved to
/// `term` from now. Passes the desired state gives an explicit expiry keep that one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenewPolicy {
    /// How close to its expiry a pass is renewed.
    pub window: Duration,
    /// How long from now the new expiry is.
    pub term: Duration,
}

impl RenewPolicy {
    /// Renew within `window` of the expiry, to `term` from now.
    pub fn new(window: Duration, term: Duration) -> RenewPolicy {
        RenewPolicy { window, term }
    }
}

/// What [`Reconciler::plan`] decided: the actions, the passes waiting, and the figures
/// the guard looks at. `Display` renders it as a dry run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    actions: Vec<Action>,
    waiting: Vec<Waiting>,
    unchanged: usize,
    existing: usize,
    desired: usize,
    max_share: f64,
}

impl Plan {
    /// The actions, in the order they are applied.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The passes that need a change the API does not allow yet.
    pub fn waiting(&self) -> &[Waiting] {
        &self.waiting
    }

    /// How many people already have what they should (no action planned for them).
    pub fn unchanged(&self) -> usize {
        self.unchanged
    }

    /// How many live passes the snapshot held.
    pub fn existing(&self) -> usize {
        self.existing
    }

    /// How many people the desired state held.
    pub fn desired(&self) -> usize {
        self.desired
    }

    /// How many actions delete or suspend a pass.
    pub fn destructive(&self) -> usize {
        self.actions.iter().filter(|a| a.is_destructive()).count()
    }

    /// How many actions of each kind the plan holds.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            unchanged: self.unchanged,
            ..Counts::default()
        };
        for action in &self.actions {
            counts.add(action);
        }
        counts
    }

    /// The guard: refuses a plan made from an empty desired state, and one that deletes
    /// or suspends more than the allowed share of the existing live passes (10% unless
    /// set with [`Reconciler::max_destructive_share`]), unless `force`.
    pub fn check(&self, force: bool) -> Result<(), Error> {
        if force {
            return Ok(());
        }
        if self.desired == 0 {
            return Err(Error::PlanRefused {
                reason: format!(
                    "the desired state is empty: it would remove all {} passes (force to apply it)",
                    self.existing
                ),
            });
        }
        let destructive = self.destructive();
        let allowed = self.max_share * self.existing as f64;
        if destructive as f64 > allowed {
            return Err(Error::PlanRefused {
                reason: format!(
                    "the plan deletes or suspends {destructive} of {} passes, more than {}% (force to apply it)",
                    self.existing,
                    self.max_share * 100.0
                ),
            });
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.counts();
        writeln!(
            f,
            "plan for {} people against {} passes: issue {}, update {}, renew {}, suspend {}, resume {}, delete {}, unchanged {}, waiting {}",
            self.desired,
            self.existing,
            c.issued,
            c.updated,
            c.renewed,
            c.suspended,
            c.resumed,
            c.deleted,
            c.unchanged,
            self.waiting.len()
        )?;
        for action in &self.actions {
            writeln!(f, "  {action}")?;
        }
        for w in &self.waiting {
            writeln!(
                f,
                "  wait    {} (pass {}) -- {}",
                esc(&w.key),
                esc(&w.pass_id),
                esc(&w.reason)
            )?;
        }
        Ok(())
    }
}

/// How many actions of each kind: planned ([`Plan::counts`]) or done ([`Report::counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Passes issued.
    pub issued: usize,
    /// Passes updated.
    pub updated: usize,
    /// Passes renewed.
    pub renewed: usize,
    /// Passes suspended.
    pub suspended: usize,
    /// Passes resumed.
    pub resumed: usize,
    /// Passes deleted.
    pub deleted: usize,
    /// People with nothing to do.
    pub unchanged: usize,
    /// Actions that failed (reports only).
    pub failed: usize,
    /// Actions not tried because the API could not be reached (reports only).
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, action: &Action) {
        match action {
            Action::Issue { .. } => self.issued += 1,
            Action::Update { .. } => self.updated += 1,
            Action::Renew { .. } => self.renewed += 1,
            Action::Suspend { .. } => self.suspended += 1,
            Action::Resume { .. } => self.resumed += 1,
            Action::Delete { .. } => self.deleted += 1,
        }
    }
}

// ---------------------------------------------------------------- report

/// What became of one action.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Done; the pass as the API answered it last.
    Done(Box<AccessCard>),
    /// An issue whose answer was lost: the pass was found by its key, so it was not sent
    /// again.
    Recovered(Box<AccessCard>),
    /// It failed.
    Failed(Error),
    /// Not tried: an earlier action found the API unreachable.
    Skipped,
}

/// What [`Reconciler::apply`] did, action by action.
#[derive(Debug)]
pub struct Report {
    entries: Vec<(Action, Outcome)>,
    unchanged: usize,
    unreachable: bool,
}

impl Report {
    /// Each action with its outcome, in the order applied.
    pub fn entries(&self) -> &[(Action, Outcome)] {
        &self.entries
    }

    /// How many actions of each kind succeeded, failed or were skipped.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            unchanged: self.unchanged,
            ..Counts::default()
        };
        for (action, outcome) in &self.entries {
            match outcome {
                Outcome::Done(_) | Outcome::Recovered(_) => counts.add(action),
                Outcome::Failed(_) => counts.failed += 1,
                Outcome::Skipped => counts.skipped += 1,
            }
        }
        counts
    }

    /// Whether every action succeeded.
    pub fn is_success(&self) -> bool {
        self.entries
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Done(_) | Outcome::Recovered(_)))
    }

    /// Whether an action failed because AccessGrid could not be reached (a transport
    /// failure, a timeout, a 5xx or 429 after the client's retries, an issue whose answer
    /// was lost with the lookup failing too): the actions after it were skipped.
    pub fn api_unreachable(&self) -> bool {
        self.unreachable
    }

    /// The first failure, if any.
    pub fn first_error(&self) -> Option<&Error> {
        self.entries.iter().find_map(|(_, o)| match o {
            Outcome::Failed(e) => Some(e),
            _ => None,
        })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (action, outcome) in &self.entries {
            let what = match outcome {
                Outcome::Done(_) => "done".to_owned(),
                Outcome::Recovered(_) => "done (answer lost; pass found by key)".to_owned(),
                Outcome::Failed(e) => format!("FAILED: {e}"),
                Outcome::Skipped => "skipped".to_owned(),
            };
            writeln!(f, "{action}: {what}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- reconciler

/// Plans and applies the changes that make AccessGrid match a desired state; see the
/// [module documentation](self).
#[derive(Debug, Clone)]
pub struct Reconciler<'c> {
    client: &'c Client,
    templates: Vec<String>,
    key_field: String,
    max_share: f64,
    renew: Option<RenewPolicy>,
    now: Option<SystemTime>,
}

impl<'c> Reconciler<'c> {
    /// A reconciler for the passes of `template_id`, which new passes are issued from.
    pub fn new(client: &'c Client, template_id: impl Into<String>) -> Reconciler<'c> {
        Reconciler {
            client,
            templates: vec![template_id.into()],
            key_field: DEFAULT_KEY_FIELD.to_owned(),
            max_share: DEFAULT_MAX_DESTRUCTIVE_SHARE,
            renew: None,
            now: None,
        }
    }

    /// One more template whose passes belong to the snapshot (issues still use the first).
    #[must_use]
    pub fn also_template(mut self, template_id: impl Into<String>) -> Self {
        self.templates.push(template_id.into());
        self
    }

    /// The metadata field that holds a person's key (default [`DEFAULT_KEY_FIELD`]).
    #[must_use]
    pub fn key_field(mut self, field: impl Into<String>) -> Self {
        self.key_field = field.into();
        self
    }

    /// The largest share of existing passes a plan may delete or suspend unforced
    /// (default 0.10; clamped to 0..=1).
    #[must_use]
    pub fn max_destructive_share(mut self, share: f64) -> Self {
        self.max_share = if share.is_nan() {
            0.0
        } else {
            share.clamp(0.0, 1.0)
        };
        self
    }

    /// Renew expiries by this policy (default: never renew). New passes then get an
    /// expiry `term` from now when their person has none.
    #[must_use]
    pub fn renew(mut self, policy: RenewPolicy) -> Self {
        self.renew = Some(policy);
        self
    }

    /// The time to plan against (default: the system's time when planning); for tests
    /// and for a sandbox whose clock was moved.
    #[must_use]
    pub fn now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    fn now_millis(&self) -> i64 {
        dates::millis_since_epoch(self.now.unwrap_or_else(SystemTime::now))
    }

    /// Reads every pass of the reconciler's templates.
    pub fn snapshot(&self) -> Result<Snapshot, Error> {
        Snapshot::take(self.client, &self.templates, &self.key_field)
    }

    /// Compares `snapshot` with `people` and plans the actions that make them match.
    ///
    /// For each person (the first record of a key counts; later ones are ignored):
    /// - no live pass with the key: **issue** one (a suspended person gets none: a new
    ///   pass could not be suspended before it is installed);
    /// - a pass whose credential (`site_code`, `card_number`) differs: the API cannot
    ///   change a credential, so **delete** it and **issue** a new one;
    /// - names, email, employee id, metadata or an explicit expiry that differ:
    ///   **update** them;
    /// - an expiry within the renewal window (or past): **renew** it;
    /// - should be active: **resume** a suspended or unlinked pass (a pass suspended by
    ///   its expiry only when it is renewed); a `created` pass waits for its install;
    /// - should be suspended: **suspend** an active pass; a `created` one waits.
    ///
    /// A live pass with a key nobody has, a second pass of the same key, and a pass
    /// without a key that no person claims (by `employee_id`) are **deleted**.
    pub fn plan(&self, snapshot: &Snapshot, people: &[Person]) -> Plan {
        let now = self.now_millis();
        let mut plan = Plan {
            actions: Vec::new(),
            waiting: Vec::new(),
            unchanged: 0,
            existing: snapshot.live().count(),
            desired: 0,
            max_share: self.max_share,
        };
        let mut seen_keys = HashSet::new();
        let mut claimed: HashSet<&str> = HashSet::new();
        for person in people {
            if person.key.is_empty() || !seen_keys.insert(person.key.as_str()) {
                continue;
            }
            plan.desired += 1;
            let mut candidates = snapshot.by_key(&person.key);
            if candidates.is_empty() {
                // A pass issued without the key (by hand, by an older sync) is adopted
                // when its employee id is the person's.
                if let Some(employee) = person.employee_id.as_deref() {
                    candidates = snapshot
                        .by_employee_id(employee)
                        .into_iter()
                        .filter(|p| key_of(p, &self.key_field).is_none())
                        .collect();
                }
            }
            // Keep the pass furthest along (active, suspended, unlinked, created); the
            // rest are duplicates.
            candidates.sort_by_key(|p| match state_of(p) {
                CardState::Active => 0,
                CardState::Suspended => 1,
                CardState::Unlink => 2,
                _ => 3,
            });
            let mut candidates = candidates.into_iter();
            let Some(pass) = candidates.next() else {
                match person.status {
                    Status::Active => plan.actions.push(Action::Issue {
                        person: self.with_default_expiry(person, now),
                        reason: "has no pass".to_owned(),
                    }),
                    Status::Suspended => plan.unchanged += 1,
                }
                continue;
            };
            claimed.insert(pass.id.as_str());
            for duplicate in candidates {
                claimed.insert(duplicate.id.as_str());
                plan.actions.push(Action::Delete {
                    key: Some(person.key.clone()),
                    pass_id: duplicate.id.clone(),
                    reason: format!("a second pass of the same person (keeping {})", pass.id),
                });
            }
            let before = plan.actions.len();
            self.plan_person(&mut plan, person, pass, now);
            if plan.actions.len() == before {
                plan.unchanged += 1;
            }
        }
        for pass in snapshot.live() {
            if claimed.contains(pass.id.as_str()) {
                continue;
            }
            let key = key_of(pass, &self.key_field);
            let reason = match &key {
                Some(_) => "not in the desired state".to_owned(),
                None => format!("has no {} and no person claims it", self.key_field),
            };
            plan.actions.push(Action::Delete {
                key,
                pass_id: pass.id.clone(),
                reason,
            });
        }
        plan.actions.sort_by_key(Action::rank);
        plan
    }

    fn with_default_expiry(&self, person: &Person, now: i64) -> Person {
        let mut person = person.clone();
        if person.expiration_date.is_none() {
            if let Some(policy) = self.renew {
                person.expiration_date =
                    Some(dates::format(now.saturating_add(millis(policy.term))));
            }
        }
        person
    }

    fn plan_person(&self, plan: &mut Plan, person: &Person, pass: &AccessCard, now: i64) {
        let key = person.key.clone();
        let id = pass.id.clone();
        // A credential cannot be changed: replace the pass.
        let credential_differs = |want: &Option<String>, have: &Option<String>| {
            want.as_deref().is_some_and(|w| have.as_deref() != Some(w))
        };
        if credential_differs(&person.site_code, &pass.site_code)
            || credential_differs(&person.card_number, &pass.card_number)
        {
            let reason = format!(
                "badge changed from {}/{} to {}/{} (a pass's credential cannot be changed)",
                pass.site_code.as_deref().unwrap_or("-"),
                pass.card_number.as_deref().unwrap_or("-"),
                person.site_code.as_deref().unwrap_or("-"),
                person.card_number.as_deref().unwrap_or("-"),
            );
            plan.actions.push(Action::Delete {
                key: Some(key.clone()),
                pass_id: id,
                reason: reason.clone(),
            });
            if person.status == Status::Active {
                plan.actions.push(Action::Issue {
                    person: self.with_default_expiry(person, now),
                    reason,
                });
            }
            return;
        }

        let changes = self.field_changes(person, pass);
        if !changes.is_empty() {
            let names: Vec<&str> = changes.iter().map(|c| c.field).collect();
            plan.actions.push(Action::Update {
                key: key.clone(),
                pass_id: id.clone(),
                reason: format!("{} differ", names.join(", ")),
                changes,
            });
        }

        let state = state_of(pass);
        let expires = pass.expiration_date.as_deref().and_then(dates::parse);
        let expired = expires.is_some_and(|at| at <= now);
        let renewal = match (self.renew, expires, &person.expiration_date) {
            (Some(policy), Some(at), None) if at <= now.saturating_add(millis(policy.window)) => {
                Some(dates::format(now.saturating_add(millis(policy.term))))
            }
            _ => None,
        };
        let want_active = person.status == Status::Active;
        if let Some(until) = renewal {
            let resume = want_active && state == CardState::Suspended && expired;
            plan.actions.push(Action::Renew {
                key: key.clone(),
                pass_id: id.clone(),
                expiration_date: until,
                resume,
                reason: if expired {
                    "expired".to_owned()
                } else {
                    "expires within the renewal window".to_owned()
                },
            });
            if resume {
                return;
            }
        }
        match (person.status, &state) {
            (Status::Active, CardState::Suspended | CardState::Unlink) => {
                if expired && self.renew.is_none() && person.expiration_date.is_none() {
                    plan.waiting.push(Waiting {
                        key,
                        pass_id: id,
                        reason: "expired; renewal is off".to_owned(),
                    });
                } else {
                    plan.actions.push(Action::Resume {
                        key,
                        pass_id: id,
                        reason: format!("{state} in AccessGrid, active in the desired state"),
                    });
                }
            }
            (Status::Suspended, CardState::Active) => plan.actions.push(Action::Suspend {
                key,
                pass_id: id,
                reason: "suspended in the desired state".to_owned(),
            }),
            (Status::Suspended, CardState::Created) => plan.waiting.push(Waiting {
                key,
                pass_id: id,
                reason: "suspended in the desired state; a created pass can be suspended once it is installed".to_owned(),
            }),
            _ => {}
        }
    }

    fn field_changes(&self, person: &Person, pass: &AccessCard) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let mut text = |field: &'static str, want: Option<&str>, have: &Option<String>| {
            if let Some(want) = want {
                if have.as_deref() != Some(want) {
                    changes.push(FieldChange {
                        field,
                        from: have.clone().map_or(Value::Null, Value::String),
                        to: Value::String(want.to_owned()),
                    });
                }
            }
        };
        text("full_name", Some(&person.full_name), &pass.full_name);
        text("email", person.email.as_deref(), &pass.email);
        text(
            "employee_id",
            person.employee_id.as_deref(),
            &pass.employee_id,
        );
        if let Some(want) = person.expiration_date.as_deref() {
            let same = match (
                dates::parse(want),
                pass.expiration_date.as_deref().and_then(dates::parse),
            ) {
                (Some(a), Some(b)) => a == b,
                _ => pass.expiration_date.as_deref() == Some(want),
            };
            if !same {
                text("expiration_date", Some(want), &pass.expiration_date);
            }
        }
        let have = pass.metadata.clone().unwrap_or_default();
        let want = self.metadata_for(person, &have);
        if want != have {
            changes.push(FieldChange {
                field: "metadata",
                from: Value::Object(have),
                to: Value::Object(want),
            });
        }
        changes
    }

    /// The metadata a person's pass should have: what it has, with the person's entries
    /// and the key laid over.
    fn metadata_for(&self, person: &Person, have: &Map<String, Value>) -> Map<String, Value> {
        let mut want = have.clone();
        for (k, v) in &person.metadata {
            want.insert(k.clone(), v.clone());
        }
        want.insert(self.key_field.clone(), Value::String(person.key.clone()));
        want
    }

    /// Applies `plan` after the guard ([`Plan::check`]; `force` skips it), action by
    /// action in the plan's order, and reports each. A failed action does not stop the
    /// others, except when the API cannot be reached (a transport failure, a timeout, a
    /// 5xx or 429 after the client's retries): the rest are then skipped.
    pub fn apply(&self, plan: &Plan, force: bool) -> Result<Report, Error> {
        plan.check(force)?;
        let mut report = Report {
            entries: Vec::with_capacity(plan.actions.len()),
            unchanged: plan.unchanged,
            unreachable: false,
        };
        for action in &plan.actions {
            if report.unreachable {
                report.entries.push((action.clone(), Outcome::Skipped));
                continue;
            }
            let outcome = self.apply_one(action);
            if let Outcome::Failed(e) = &outcome {
                report.unreachable = is_unreachable(e);
            }
            report.entries.push((action.clone(), outcome));
        }
        Ok(report)
    }

    fn apply_one(&self, action: &Action) -> Outcome {
        let done = |r: Result<AccessCard, Error>| match r {
            Ok(card) => Outcome::Done(Box::new(card)),
            Err(e) => Outcome::Failed(e),
        };
        match action {
            Action::Issue { person, .. } => match self.issue(person) {
                Ok(Issued::New(card)) => Outcome::Done(card),
                Ok(Issued::Found(card)) => Outcome::Recovered(card),
                Err(e) => Outcome::Failed(e),
            },
            Action::Update {
                pass_id, changes, ..
            } => done(api::update(self.client, pass_id, changes)),
            Action::Suspend { pass_id, .. } => done(api::suspend(self.client, pass_id)),
            Action::Resume { pass_id, .. } => done(api::resume(self.client, pass_id)),
            Action::Delete { pass_id, .. } => done(api::delete(self.client, pass_id)),
            Action::Renew {
                pass_id,
                expiration_date,
                resume,
                ..
            } => {
                let change = FieldChange {
                    field: "expiration_date",
                    from: Value::Null,
                    to: Value::String(expiration_date.clone()),
                };
                match api::update(self.client, pass_id, &[change]) {
                    Ok(card) if *resume && card.state == Some(CardState::Suspended) => {
                        done(api::resume(self.client, pass_id))
                    }
                    other => done(other),
                }
            }
        }
    }

    /// Issues a pass to `person`, with the key in its metadata, never twice: when the
    /// answer is lost ([`Error::OutcomeUnknown`]), the pass is looked up by its key
    /// (among the live passes of the reconciler's templates, by `employee_id` when the
    /// person has one) before anything is sent again. Found: it is answered as
    /// [`Issued::Found`]. Not found: the request is sent once more (its first sending
    /// made nothing). The lookup failing too: the `OutcomeUnknown` error is returned, and
    /// nothing is sent again.
    pub fn issue(&self, person: &Person) -> Result<Issued, Error> {
        let request = self.issue_request(person)?;
        let first = api::issue(self.client, request.clone());
        let lost = match first {
            Ok(card) => return Ok(Issued::New(Box::new(card))),
            Err(e @ Error::OutcomeUnknown { .. }) => e,
            Err(e) => return Err(e),
        };
        log::warn!(
            "the answer to issuing a pass to {} was lost; looking it up by its key",
            esc(&person.key)
        );
        match self.find_by_key(person) {
            Ok(Some(card)) => Ok(Issued::Found(Box::new(card))),
            Ok(None) => api::issue(self.client, request).map(|c| Issued::New(Box::new(c))),
            Err(lookup) => {
                log::warn!(
                    "looking up the pass of {} failed: {}",
                    esc(&person.key),
                    esc(&lookup.to_string())
                );
                Err(lost)
            }
        }
    }

    /// The entries of each template's event log since `since` (every page): for a
    /// receiver that was down, the record of what happened meanwhile (issues, installs,
    /// suspensions, ...). Catching up itself is a fresh [`snapshot`](Reconciler::snapshot)
    /// and plan: a pass's state now is in the snapshot; the log tells how it got there.
    pub fn log_since(
        &self,
        since: SystemTime,
    ) -> Result<Vec<crate::models::TemplateLogEntry>, Error> {
        let since = dates::format(dates::millis_since_epoch(since));
        let mut entries = Vec::new();
        for template in &self.templates {
            entries.extend(api::log_since(self.client, template, &since)?);
        }
        Ok(entries)
    }

    /// The live pass whose metadata holds `person`'s key, if any.
    pub fn find_by_key(&self, person: &Person) -> Result<Option<AccessCard>, Error> {
        for template in &self.templates {
            let passes = api::list_all(self.client, template, person.employee_id.as_deref())?;
            if let Some(found) = passes.into_iter().find(|p| {
                !is_deleted(p) && key_of(p, &self.key_field).as_deref() == Some(&person.key)
            }) {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    fn issue_request(&self, person: &Person) -> Result<IssueCardRequest, Error> {
        let template = self.templates.first().cloned().unwrap_or_default();
        let metadata = self.metadata_for(person, &Map::new());
        let mut builder = IssueCardRequest::builder()
            .card_template_id(template)
            .full_name(person.full_name.clone())
            .metadata(crate::models::Metadata::from(metadata));
        if let Some(v) = &person.email {
            builder = builder.email(v.clone());
        }
        if let Some(v) = &person.employee_id {
            builder = builder.employee_id(v.clone());
        }
        if let Some(v) = &person.site_code {
            builder = builder.site_code(v.clone());
        }
        if let Some(v) = &person.card_number {
            builder = builder.card_number(v.clone());
        }
        if let Some(v) = &person.expiration_date {
            builder = builder.expiration_date(v.clone());
        }
        builder.try_into().map_err(Into::into)
    }
}

/// What [`Reconciler::issue`] did.
#[derive(Debug)]
#[non_exhaustive]
pub enum Issued {
    /// A pass was issued; its answer.
    New(Box<AccessCard>),
    /// The answer was lost, and the pass was found by its key: it was not issued again.
    Found(Box<AccessCard>),
}

impl Issued {
    /// The pass.
    pub fn card(&self) -> &AccessCard {
        match self {
            Issued::New(c) | Issued::Found(c) => c,
        }
    }
}

/// Whether an error means the API could not be reached (so later actions would fail too).
fn is_unreachable(e: &Error) -> bool {
    match e {
        Error::Transport(_) | Error::Timeout { .. } => true,
        Error::OutcomeUnknown { source, .. } => is_unreachable(source),
        other => other.is_retryable(),
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The few calls the reconciler makes, in one place.
mod api {
    use super::*;

    /// Every pass of `template` (of one employee id, when given), every page.
    pub(super) fn list_all(
        client: &Client,
        template: &str,
        employee_id: Option<&str>,
    ) -> Result<Vec<AccessCard>, Error> {
        let mut query = ListCardsQuery::builder()
            .template_id(template)
            .per_page(100u32);
        if let Some(e) = employee_id {
            query = query.employee_id(e);
        }
        client.access_cards().list_all(query)?.collect()
    }

    pub(super) fn log_since(
        client: &Client,
        template: &str,
        since: &str,
    ) -> Result<Vec<crate::models::TemplateLogEntry>, Error> {
        let query: crate::models::TemplateLogQuery = serde_json::from_value(
            serde_json::json!({"filters": {"start_date": since}, "per_page": 100}),
        )
        .map_err(|e| Error::invalid("start_date", e.to_string()))?;
        client
            .console()
            .templates()
            .logs_all(template, query)?
            .collect()
    }

    pub(super) fn issue(client: &Client, request: IssueCardRequest) -> Result<AccessCard, Error> {
        client.access_cards().issue(request)
    }

    pub(super) fn update(
        client: &Client,
        pass_id: &str,
        changes: &[FieldChange],
    ) -> Result<AccessCard, Error> {
        let mut body = BTreeMap::new();
        for c in changes {
            body.insert(c.field, c.to.clone());
        }
        let request: UpdateCardRequest = serde_json::to_value(&body)
            .and_then(serde_json::from_value)
            .map_err(|e| Error::invalid("update", e.to_string()))?;
        client.access_cards().update(pass_id, request)
    }

    pub(super) fn suspend(client: &Client, pass_id: &str) -> Result<AccessCard, Error> {
        client.access_cards().suspend(pass_id)
    }

    pub(super) fn resume(client: &Client, pass_id: &str) -> Result<AccessCard, Error> {
        client.access_cards().resume(pass_id)
    }

    pub(super) fn delete(client: &Client, pass_id: &str) -> Result<AccessCard, Error> {
        client.access_cards().delete(pass_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder("acct", "secret")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("a client")
    }

    fn pass(id: &str, key: Option<&str>, state: CardState) -> AccessCard {
        let mut value = serde_json::json!({
            "id": id, "state": state.as_str(), "full_name": "N", "site_code": "1",
            "card_number": id.trim_start_matches('c'),
        });
        if let Some(key) = key {
            value["metadata"] = serde_json::json!({ "pacs_id": key });
        }
        serde_json::from_value(value).expect("a pass")
    }

    /// The passes as a snapshot keyed by `pacs_id`.
    fn snapshot_of(passes: Vec<AccessCard>) -> Snapshot {
        Snapshot::from_passes(passes, "pacs_id")
    }

    /// The plan of a reconciler of template `t` whose guard lets every plan through.
    fn unguarded_plan(snapshot: &Snapshot, people: &[Person]) -> Plan {
        Reconciler::new(&client(), "t")
            .max_destructive_share(1.0)
            .plan(snapshot, people)
    }

    fn person(key: &str, card: &str) -> Person {
        Person::new(key, "N").credential("1", card)
    }

    #[test]
    fn duplicates_and_strangers_are_deleted_and_the_best_pass_is_kept() {
        let snapshot = snapshot_of(vec![
            pass("c1", Some("a"), CardState::Created),
            pass("c1", Some("a"), CardState::Active), // listed twice: the first counts
            pass("c2", Some("a"), CardState::Active),
            pass("c3", None, CardState::Active),
            pass("c4", Some("gone"), CardState::Deleted),
        ]);
        assert_eq!(snapshot.passes().len(), 4);
        assert_eq!(snapshot.live().count(), 3);
        let plan = unguarded_plan(&snapshot, &[person("a", "2")]);
        let deletes: Vec<(&str, &str)> = plan
            .actions()
            .iter()
            .map(|a| (a.pass_id().unwrap_or(""), a.reason()))
            .collect();
        assert_eq!(
            deletes,
            [
                ("c1", "a second pass of the same person (keeping c2)"),
                ("c3", "has no pacs_id and no person claims it"),
            ]
        );
        assert_eq!(plan.unchanged(), 1);
    }

    #[test]
    fn the_guard_allows_ten_percent_and_refuses_more() {
        let client = client();
        let sync = Reconciler::new(&client, "t");
        let passes: Vec<AccessCard> = (1..=20)
            .map(|n| pass(&format!("c{n}"), Some(&format!("k{n}")), CardState::Active))
            .collect();
        let snapshot = snapshot_of(passes);
        let people = |n: u32| -> Vec<Person> {
            (1..=n)
                .map(|i| person(&format!("k{i}"), &i.to_string()))
                .collect()
        };
        let two = sync.plan(&snapshot, &people(18));
        assert_eq!(two.destructive(), 2);
        assert!(two.check(false).is_ok(), "2 of 20 is 10%, not more");
        let three = sync.plan(&snapshot, &people(17));
        assert!(matches!(three.check(false), Err(Error::PlanRefused { .. })));
        assert!(three.check(true).is_ok());
        let empty = unguarded_plan(&snapshot_of(Vec::new()), &[]);
        assert!(empty.actions().is_empty());
        assert!(
            matches!(empty.check(false), Err(Error::PlanRefused { reason }) if reason.contains("empty"))
        );
    }

    #[test]
    fn states_get_the_action_the_api_allows() {
        let snapshot = snapshot_of(vec![
            pass("c1", Some("a"), CardState::Created),
            pass("c2", Some("b"), CardState::Unlink),
            pass("c3", Some("c"), CardState::Suspended),
            pass("c4", Some("d"), CardState::Created),
        ]);
        let plan = unguarded_plan(
            &snapshot,
            &[
                person("a", "1").status(Status::Suspended),
                person("b", "2"),
                person("c", "3").status(Status::Suspended),
                person("d", "4"),
                person("e", "5").status(Status::Suspended),
            ],
        );
        let verbs: Vec<(&str, Option<&str>)> =
            plan.actions().iter().map(|a| (a.verb(), a.key())).collect();
        assert_eq!(verbs, [("resume", Some("b"))]);
        assert_eq!(plan.waiting().len(), 1);
        assert_eq!(plan.waiting()[0].key, "a");
        assert_eq!(plan.unchanged(), 4);
        let text = plan.to_string();
        assert!(
            text.contains("resume  b (pass c2) -- unlink in AccessGrid"),
            "{text}"
        );
        assert!(text.contains("wait    a (pass c1)"), "{text}");
    }

    #[test]
    fn text_from_outside_is_escaped_in_the_dry_run() {
        let client = client();
        let sync = Reconciler::new(&client, "t");
        let plan = sync.plan(
            &snapshot_of(Vec::new()),
            &[Person::new("k\n1", "Evil\u{1b}[2J")],
        );
        let text = plan.to_string();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert_eq!(text.lines().count(), 2, "{text:?}");
    }

    #[test]
    fn status_parses_and_refuses_the_rest() {
        assert_eq!(" Active ".parse::<Status>().ok(), Some(Status::Active));
        assert_eq!("suspended".parse::<Status>().ok(), Some(Status::Suspended));
        assert!("gone".parse::<Status>().is_err());
    }
}
