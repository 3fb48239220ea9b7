//! A reference door-controller daemon: it keeps AccessGrid in step with a PACS export
//! (`people.csv`) and keeps the readers' allow-list in step with AccessGrid.
//!
//! ```text
//! door_controller --desired people.csv --template TEMPLATE_ID --state-dir DIR
//!                 [--once] [--dry-run] [--interval SECS] [--listen ADDR] [--force]
//! ```
//!
//! - Credentials: `ACCESSGRID_ACCOUNT_ID`, `ACCESSGRID_SECRET_KEY`, and
//!   `ACCESSGRID_BASE_URL` (optional; the production API unless set). With `--listen`,
//!   the webhook's token (its `private_key`) from `ACCESSGRID_WEBHOOK_TOKEN`.
//! - `people.csv` has the header `pacs_id,full_name,email,site_code,card_number,status`,
//!   `status` being `active` or `suspended`; a person missing from the file loses their
//!   pass. The `pacs_id` is the key: it is stored in each pass's metadata and as its
//!   `employee_id`.
//! - Each reconciliation (every `--interval` seconds, default 300) ends with one line
//!   `sync: issued N, updated N, suspended N, resumed N, deleted N, unchanged N` (renewals
//!   count as updates). `--once` exits after one: 0 when it succeeded, 2 when the guard
//!   refused the plan (more than 10% of the passes deleted or suspended, or an empty
//!   file; `--force` applies it anyway), 3 when AccessGrid could not be reached, 1 for
//!   anything else (a bad file, bad arguments). `--dry-run` prints the plan and exits
//!   without changing anything.
//! - `DIR/allowlist.json` is what the readers should accept now: a JSON array of
//!   `{"pacs_id", "access_pass_id", "site_code", "card_number"}` for passes active in
//!   AccessGrid (and not past their expiry) whose person is active in the PACS. It is
//!   rewritten atomically (temporary file, fsync, rename, fsync of the directory) after
//!   each reconciliation and after each webhook event that changes it.
//! - With `--listen ADDR` it receives AccessGrid's webhooks on `/` (through the SDK's
//!   hardened receiver, ids of handled events kept in `DIR/seen.redb` for 7 days) and
//!   applies them to the allow-list at once; `GET /healthz` on the same address answers
//!   the time of the last good sync and the count of consecutive failures.
//! - When AccessGrid cannot be reached it keeps the last allow-list, backs off (the
//!   interval, doubling up to 15 minutes) and logs once when the state changes, not at
//!   every attempt. SIGTERM and Ctrl-C stop it cleanly.
//! - Expiring passes are renewed (within 30 days of their expiry, for a year) unless
//!   `DOOR_CONTROLLER_RENEWAL=off`; then an expired pass drops from the allow-list.
//!
//! ```text
//! cargo run --example door_controller --features webhook-receiver,durable,people-csv -- \
//!     --desired people.csv --template 0xd3adb00b5 --state-dir /var/lib/doors --listen 0.0.0.0:8080
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use accessgrid::models::{AccessCard, CardState, EventType};
use accessgrid::reconcile::{
    format_date as iso, is_expired, key_of, parse_date, read_people_csv, Counts, Person,
    Reconciler, RenewPolicy, Snapshot, Status,
};
use accessgrid::webhooks::{escape_control, DurableSeenStore, EventData, Receiver, WebhookEvent};
use accessgrid::{Client, Error};

/// The metadata key of the PACS id.
pub const KEY: &str = "pacs_id";

// ---------------------------------------------------------------- command line

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--desired`: the PACS export.
    pub desired: PathBuf,
    /// `--template`: the card template passes are issued from.
    pub template: String,
    /// `--state-dir`: where `allowlist.json` and `seen.redb` live.
    pub state_dir: PathBuf,
    /// `--once`.
    pub once: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--interval`.
    pub interval: Duration,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--force`.
    pub force: bool,
    /// The renewal policy (`DOOR_CONTROLLER_RENEWAL=off`: none).
    pub renew: Option<RenewPolicy>,
}

/// The usage text.
pub const USAGE: &str = "usage: door_controller --desired people.csv --template TEMPLATE_ID --state-dir DIR\n                       [--once] [--dry-run] [--interval SECS] [--listen ADDR] [--force]";

/// Reads the command line (without the program name).
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
    let (mut desired, mut template, mut state_dir) = (None, None, None);
    let mut config = Config {
        desired: PathBuf::new(),
        template: String::new(),
        state_dir: PathBuf::new(),
        once: false,
        dry_run: false,
        interval: Duration::from_secs(300),
        listen: None,
        force: false,
        renew: Some(default_renewal()),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .filter(|v| !v.starts_with("--"))
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--desired" => desired = Some(PathBuf::from(value("--desired")?)),
            "--template" => template = Some(value("--template")?),
            "--state-dir" => state_dir = Some(PathBuf::from(value("--state-dir")?)),
            "--interval" => {
                let text = value("--interval")?;
                let secs: u64 = text.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!(
                        "--interval {}: not a positive number of seconds",
                        escape_control(&text)
                    )
                })?;
                config.interval = Duration::from_secs(secs);
            }
            "--listen" => config.listen = Some(value("--listen")?),
            "--once" => config.once = true,
            "--dry-run" => config.dry_run = true,
            "--force" => config.force = true,
            other => return Err(format!("unexpected argument: {}", escape_control(other))),
        }
    }
    config.desired = desired.ok_or("--desired is required")?;
    config.template = template
        .filter(|t| !t.trim().is_empty())
        .ok_or("--template is required")?;
    config.state_dir = state_dir.ok_or("--state-dir is required")?;
    Ok(config)
}

/// Renew within 30 days of the expiry, for a year.
pub fn default_renewal() -> RenewPolicy {
    let day = Duration::from_secs(24 * 3600);
    RenewPolicy::new(30 * day, 365 * day)
}

// ---------------------------------------------------------------- people.csv

/// Reads `people.csv` into the desired state (`accessgrid::reconcile::read_people_csv`):
/// one person per line, keyed by `pacs_id`; the message names the file and the line.
pub fn read_people(path: &Path) -> Result<Vec<Person>, String> {
    read_people_csv(path).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------- allow-list

/// One credential the readers accept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Allowed {
    /// The person's PACS id.
    pub pacs_id: String,
    /// The pass.
    pub access_pass_id: String,
    /// The facility code.
    pub site_code: String,
    /// The card number.
    pub card_number: String,
}

/// Writes `entries` to `path` atomically: a temporary file beside it, fsync, rename over,
/// fsync of the directory. A crash leaves the old list or the new one, never half.
pub fn write_atomically(path: &Path, entries: &[Allowed]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("allowlist.json")
    ));
    let mut body = serde_json::to_vec_pretty(entries).map_err(std::io::Error::other)?;
    body.push(b'\n');
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&body)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The readers' view: who may open doors now, and what is known to decide it.
#[derive(Debug, Default)]
struct Doors {
    /// pass id -> the entry, for passes allowed now.
    allowed: BTreeMap<String, Allowed>,
    /// pacs_id -> status in the PACS (the last people.csv read).
    pacs: HashMap<String, Status>,
    /// pacs_id -> (site_code, card_number) in the PACS.
    badges: HashMap<String, (String, String)>,
}

impl Doors {
    fn entries(&self) -> Vec<Allowed> {
        let mut entries: Vec<Allowed> = self.allowed.values().cloned().collect();
        entries
            .sort_by(|a, b| (&a.pacs_id, &a.access_pass_id).cmp(&(&b.pacs_id, &b.access_pass_id)));
        entries
    }

    /// Whether the PACS has this person active with this badge.
    fn pacs_allows(&self, pacs_id: &str, site: &str, card: &str) -> bool {
        self.pacs.get(pacs_id) == Some(&Status::Active)
            && self
                .badges
                .get(pacs_id)
                .is_some_and(|(s, c)| s == site && c == card)
    }

    /// Rebuilds the list from a snapshot.
    fn rebuild(&mut self, snapshot: &Snapshot, now: SystemTime) {
        self.allowed.clear();
        for pass in snapshot.live() {
            if let Some(entry) = self.entry_for(pass, now) {
                self.allowed.insert(pass.id.clone(), entry);
            }
        }
    }

    fn entry_for(&self, pass: &AccessCard, now: SystemTime) -> Option<Allowed> {
        if pass.state != Some(CardState::Active) || is_expired(pass, now) {
            return None;
        }
        let pacs_id = key_of(pass, KEY)?;
        let (site, card) = (pass.site_code.clone()?, pass.card_number.clone()?);
        self.pacs_allows(&pacs_id, &site, &card).then(|| Allowed {
            pacs_id,
            access_pass_id: pass.id.clone(),
            site_code: site,
            card_number: card,
        })
    }

    /// Applies one webhook event; answers whether the list changed.
    fn apply(&mut self, event: &WebhookEvent, now: SystemTime) -> bool {
        let Ok(EventData::AccessPass(data)) = event.typed_data() else {
            return false;
        };
        let Some(pass_id) = data.access_pass_id.clone().or(data.id.clone()) else {
            return false;
        };
        let t = &event.event_type;
        let closes = [
            EventType::AccessPassSuspended,
            EventType::AccessPassUnlinked,
            EventType::AccessPassDeleted,
            EventType::AccessPassExpired,
        ];
        let opens = [
            EventType::AccessPassActivated,
            EventType::AccessPassResumed,
            EventType::AccessPassRenewed,
        ];
        if closes.contains(t) {
            return self.allowed.remove(&pass_id).is_some();
        }
        if !opens.contains(t) {
            return false;
        }
        let pacs_id = data
            .metadata
            .as_ref()
            .and_then(|m| m.get(KEY))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let (Some(pacs_id), Some(site), Some(card)) =
            (pacs_id, data.site_code.clone(), data.card_number.clone())
        else {
            return false;
        };
        if expired(data.expiration_date.as_deref(), now)
            || !self.pacs_allows(&pacs_id, &site, &card)
        {
            return false;
        }
        let entry = Allowed {
            pacs_id,
            access_pass_id: pass_id.clone(),
            site_code: site,
            card_number: card,
        };
        self.allowed.insert(pass_id, entry.clone()) != Some(entry)
    }
}

/// Whether an expiry (ISO 8601) is past at `now`; an unreadable one counts as not past.
fn expired(date: Option<&str>, now: SystemTime) -> bool {
    date.and_then(parse_date).is_some_and(|at| at <= now)
}

// ---------------------------------------------------------------- the daemon

/// How one reconciliation ended badly.
#[derive(Debug)]
pub enum SyncError {
    /// `people.csv` could not be read or is invalid.
    Desired(String),
    /// The guard refused the plan.
    Refused(String),
    /// AccessGrid could not be reached (or failed) while reading.
    Api(Error),
    /// Some actions of the plan failed (the next run tries them again).
    Actions {
        /// How many failed or were skipped.
        failed: usize,
        /// The first failure.
        first: String,
        /// Whether AccessGrid could not be reached (the rest were skipped).
        unreachable: bool,
    },
    /// The allow-list could not be written.
    Io(std::io::Error),
}

impl SyncError {
    /// The exit code `--once` ends with.
    pub fn exit_code(&self) -> u8 {
        match self {
            SyncError::Refused(_) => 2,
            SyncError::Api(_) => 3,
            SyncError::Actions { unreachable, .. } => {
                if *unreachable {
                    3
                } else {
                    1
                }
            }
            SyncError::Desired(_) | SyncError::Io(_) => 1,
        }
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Desired(e) => write!(f, "the desired state cannot be used: {e}"),
            SyncError::Refused(e) => write!(f, "refused: {e}"),
            SyncError::Api(e) => write!(f, "AccessGrid cannot be reached or failed: {e}"),
            SyncError::Actions { failed, first, .. } => {
                write!(
                    f,
                    "{failed} actions failed or were skipped; the first: {first}"
                )
            }
            SyncError::Io(e) => write!(f, "the allow-list cannot be written: {e}"),
        }
    }
}

/// `sync: issued N, updated N, suspended N, resumed N, deleted N, unchanged N`.
pub fn sync_line(c: &Counts) -> String {
    format!(
        "sync: issued {}, updated {}, suspended {}, resumed {}, deleted {}, unchanged {}",
        c.issued,
        c.updated + c.renewed,
        c.suspended,
        c.resumed,
        c.deleted,
        c.unchanged
    )
}

/// The health figures `/healthz` answers.
#[derive(Debug, Default, Clone)]
struct Health {
    last_good_sync: Option<SystemTime>,
    consecutive_failures: u32,
}

/// Wakes the daemon's sleep and tells it to stop: SIGTERM / Ctrl-C in `main`, a test
/// otherwise.
#[derive(Debug, Clone, Default)]
pub struct Shutdown(Arc<(Mutex<bool>, Condvar)>);

impl Shutdown {
    /// Asks the daemon to stop.
    pub fn stop(&self) {
        *lock(&self.0 .0) = true;
        self.0 .1.notify_all();
    }

    /// Whether a stop was asked for.
    pub fn is_stopping(&self) -> bool {
        *lock(&self.0 .0)
    }

    /// Sleeps `wait`, or less if a stop is asked for; answers whether to go on.
    fn sleep(&self, wait: Duration) -> bool {
        let guard = lock(&self.0 .0);
        let (guard, _) = self
            .0
             .1
            .wait_timeout_while(guard, wait, |stop| !*stop)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !*guard
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The time source: the system's, or a test's (a sandbox whose clock was moved).
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The daemon: one reconciliation at a time, webhook events in between.
pub struct Daemon {
    client: Client,
    config: Config,
    doors: Arc<Mutex<Doors>>,
    health: Arc<Mutex<Health>>,
    clock: Clock,
    out: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    /// A daemon with the system's clock.
    pub fn new(client: Client, config: Config) -> Daemon {
        Daemon::with_clock(client, config, Arc::new(SystemTime::now))
    }

    /// A daemon with another clock.
    pub fn with_clock(client: Client, config: Config, clock: Clock) -> Daemon {
        Daemon {
            client,
            config,
            doors: Arc::default(),
            health: Arc::default(),
            clock,
            out: Arc::default(),
        }
    }

    /// The lines printed so far (the sync lines, the dry-run plans), newest last.
    pub fn printed(&self) -> Vec<String> {
        lock(&self.out).clone()
    }

    fn print(&self, line: String) {
        println!("{line}");
        lock(&self.out).push(line);
    }

    fn allowlist_path(&self) -> PathBuf {
        self.config.state_dir.join("allowlist.json")
    }

    fn reconciler(&self) -> Reconciler<'_> {
        let mut sync = Reconciler::new(&self.client, self.config.template.clone())
            .key_field(KEY)
            .now((self.clock)());
        if let Some(policy) = self.config.renew {
            sync = sync.renew(policy);
        }
        sync
    }

    /// One reconciliation: read the file, snapshot, plan, guard, apply, rebuild and write
    /// the allow-list, print the sync line. With `--dry-run`, print the plan instead and
    /// change nothing. The outcome counts for `/healthz`.
    pub fn sync_once(&self) -> Result<Counts, SyncError> {
        let outcome = self.reconcile();
        let mut health = lock(&self.health);
        match &outcome {
            Ok(_) => {
                health.last_good_sync = Some((self.clock)());
                health.consecutive_failures = 0;
            }
            Err(_) => {
                health.consecutive_failures = health.consecutive_failures.saturating_add(1);
            }
        }
        outcome
    }

    fn reconcile(&self) -> Result<Counts, SyncError> {
        let people = read_people(&self.config.desired).map_err(SyncError::Desired)?;
        let sync = self.reconciler();
        let snapshot = sync.snapshot().map_err(SyncError::Api)?;
        let plan = sync.plan(&snapshot, &people);
        if self.config.dry_run {
            self.print(plan.to_string().trim_end().to_owned());
            if let Err(Error::PlanRefused { reason }) = plan.check(self.config.force) {
                return Err(SyncError::Refused(reason));
            }
            return Ok(plan.counts());
        }
        let report = match sync.apply(&plan, self.config.force) {
            Ok(report) => report,
            Err(Error::PlanRefused { reason }) => return Err(SyncError::Refused(reason)),
            Err(e) => return Err(SyncError::Api(e)),
        };
        for (action, outcome) in report.entries() {
            if let accessgrid::reconcile::Outcome::Failed(e) = outcome {
                eprintln!("door_controller: {action}: {e}");
            }
        }
        let counts = report.counts();
        let after = if plan.actions().is_empty() {
            snapshot
        } else {
            sync.snapshot().map_err(SyncError::Api)?
        };
        {
            let mut doors = lock(&self.doors);
            doors.pacs = people.iter().map(|p| (p.key.clone(), p.status)).collect();
            doors.badges = people
                .iter()
                .filter_map(|p| {
                    Some((
                        p.key.clone(),
                        (p.site_code.clone()?, p.card_number.clone()?),
                    ))
                })
                .collect();
            doors.rebuild(&after, (self.clock)());
            write_atomically(&self.allowlist_path(), &doors.entries()).map_err(SyncError::Io)?;
        }
        self.print(sync_line(&counts));
        if let Some(e) = report.first_error() {
            // Some actions failed: the next run tries them again.
            return Err(SyncError::Actions {
                failed: counts.failed + counts.skipped,
                first: e.to_string(),
                unreachable: report.api_unreachable(),
            });
        }
        Ok(counts)
    }

    /// Applies one webhook event to the allow-list, rewriting it if it changed.
    pub fn apply_event(&self, event: &WebhookEvent) -> std::io::Result<bool> {
        let mut doors = lock(&self.doors);
        let changed = doors.apply(event, (self.clock)());
        if changed {
            write_atomically(&self.allowlist_path(), &doors.entries())?;
        }
        Ok(changed)
    }

    /// The `/healthz` answer: 200 while the last sync succeeded, 503 while failing.
    fn health_page(health: &Mutex<Health>) -> (u16, serde_json::Value) {
        let h = lock(health).clone();
        let status = if h.consecutive_failures == 0 && h.last_good_sync.is_some() {
            200
        } else {
            503
        };
        (
            status,
            serde_json::json!({
                "status": if status == 200 { "ok" } else { "failing" },
                "last_good_sync": h.last_good_sync.map(iso),
                "consecutive_failures": h.consecutive_failures,
            }),
        )
    }

    /// Starts the webhook receiver (with `/healthz`) on `--listen`, if given.
    pub fn listen(self: &Arc<Self>, token: &str) -> std::io::Result<Option<Receiver>> {
        let Some(addr) = self.config.listen.clone() else {
            return Ok(None);
        };
        let store = DurableSeenStore::open(self.config.state_dir.join("seen.redb"))?;
        if let Some(last) = store.last_seen()? {
            eprintln!(
                "door_controller: last webhook event seen at {}; catching up from AccessGrid's state",
                iso(last)
            );
            match self.reconciler().log_since(last) {
                Ok(log) => eprintln!(
                    "door_controller: {} entries in the template's event log since then",
                    log.len()
                ),
                Err(e) => eprintln!("door_controller: the event log cannot be read: {e}"),
            }
        }
        let health = Arc::clone(&self.health);
        let me = Arc::clone(self);
        let receiver = Receiver::builder(token.to_owned())
            .bind(addr)
            .seen_store(store)
            .serve_get("/healthz", move || Daemon::health_page(&health))
            .start(move |event: &WebhookEvent| me.apply_event(event).map(|_| ()))?;
        eprintln!(
            "door_controller: receiving webhooks on {}",
            receiver.local_addr()
        );
        Ok(Some(receiver))
    }

    /// Reconciles until `shutdown` (or once with `--once` / `--dry-run`). Answers the
    /// exit code.
    pub fn run(&self, shutdown: &Shutdown) -> u8 {
        let mut failing: Option<String> = None;
        loop {
            let outcome = self.sync_once();
            match &outcome {
                Ok(_) => {
                    if failing.take().is_some() {
                        eprintln!("door_controller: back to normal");
                    }
                }
                Err(_) if self.config.once || self.config.dry_run => {}
                Err(e) => {
                    // Log once per change of state, not at every attempt.
                    let kind = std::mem::discriminant(e);
                    let text = format!("{kind:?}");
                    if failing.as_deref() != Some(&text) {
                        eprintln!("door_controller: {e}; keeping the last allow-list");
                        failing = Some(text);
                    }
                }
            }
            let failures = lock(&self.health).consecutive_failures;
            if self.config.once || self.config.dry_run {
                return match outcome {
                    Ok(_) => 0,
                    Err(e) => {
                        eprintln!("door_controller: {e}");
                        e.exit_code()
                    }
                };
            }
            let wait = if failures == 0 {
                self.config.interval
            } else {
                let factor = 1u32 << failures.saturating_sub(1).min(10);
                (self.config.interval * factor)
                    .min(self.config.interval.max(Duration::from_secs(900)))
            };
            if !shutdown.sleep(wait) {
                eprintln!("door_controller: stopping");
                return 0;
            }
        }
    }
}

// ---------------------------------------------------------------- main

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The client from `ACCESSGRID_ACCOUNT_ID`, `ACCESSGRID_SECRET_KEY`, `ACCESSGRID_BASE_URL`.
pub fn client_from_env() -> Result<Client, String> {
    let account = env("ACCESSGRID_ACCOUNT_ID").ok_or("set ACCESSGRID_ACCOUNT_ID")?;
    let secret = env("ACCESSGRID_SECRET_KEY").ok_or("set ACCESSGRID_SECRET_KEY")?;
    let mut builder = Client::builder(account, secret);
    if let Some(url) = env("ACCESSGRID_BASE_URL") {
        builder = builder.base_url(url);
    }
    builder.build().map_err(|e| e.to_string())
}

#[allow(dead_code)] // a test includes this file and drives `Daemon` itself
fn main() -> ExitCode {
    let mut config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("door_controller: {e}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    if env("DOOR_CONTROLLER_RENEWAL").as_deref() == Some("off") {
        config.renew = None;
    }
    let client = match client_from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("door_controller: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&config.state_dir) {
        eprintln!("door_controller: {}: {e}", config.state_dir.display());
        return ExitCode::from(1);
    }
    let shutdown = Shutdown::default();
    let on_signal = shutdown.clone();
    if let Err(e) = ctrlc::set_handler(move || on_signal.stop()) {
        eprintln!("door_controller: cannot handle SIGTERM / Ctrl-C: {e}");
        return ExitCode::from(1);
    }
    let daemon = Arc::new(Daemon::new(client, config.clone()));
    let receiver = if config.listen.is_some() && !config.once && !config.dry_run {
        let Some(token) = env("ACCESSGRID_WEBHOOK_TOKEN") else {
            eprintln!("door_controller: --listen needs ACCESSGRID_WEBHOOK_TOKEN");
            return ExitCode::from(1);
        };
        match daemon.listen(&token) {
            Ok(receiver) => receiver,
            Err(e) => {
                eprintln!("door_controller: cannot listen: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    let code = daemon.run(&shutdown);
    if let Some(receiver) = receiver {
        receiver.stop();
    }
    ExitCode::from(code)
}
