//! Each command: arguments in, one SDK call (or an iterator over pages), the answer out.

use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use accessgrid::models::{
    ActivateHidOrgRequest, CardState, ConsolePageQuery, CreateCredentialProfileRequest,
    CreateHidOrgRequest, CreateLandingPageRequest, CreateTemplatePairRequest,
    CreateTemplateRequest, CreateWebhookRequest, CredentialProfileKey, IssueCardRequest,
    LedgerItemsQuery, ListCardsQuery, LogEventType, TemplateLogFilters, TemplateLogQuery,
    UpdateCardRequest, UpdateLandingPageRequest, UpdateTemplateRequest,
};
use accessgrid::sandbox::Sandbox;
use accessgrid::webhooks::{escape_control, Receiver, StopHandle, WebhookEvent};
use accessgrid::Client;
use clap::CommandFactory;
use serde_json::{Map, Value};

use crate::args::{
    Cards, Cli, Command, CredentialProfiles, Fields, Global, Hid, HidOrgs, LandingPages, Listen,
    Paging, Pair, Pairs, SandboxArgs, Templates, Webhooks,
};
use crate::credentials::{self, read_secret, read_text};
use crate::output::Output;
use crate::Failure;

/// The environment variable with the token `webhooks listen` expects.
const ENV_WEBHOOK_TOKEN: &str = "ACCESSGRID_WEBHOOK_TOKEN";

const CARD_COLUMNS: &[&str] = &[
    "id",
    "state",
    "full_name",
    "card_template_id",
    "card_number",
    "created_at",
];
const TEMPLATE_COLUMNS: &[&str] = &["id", "name", "platform", "protocol", "use_case", "status"];
const LOG_COLUMNS: &[&str] = &["id", "event", "created_at", "ip_address"];
const PAIR_COLUMNS: &[&str] = &["id", "name", "ios_template.id", "android_template.id"];
const LANDING_PAGE_COLUMNS: &[&str] = &["id", "name", "kind", "password_protected"];
const PROFILE_COLUMNS: &[&str] = &["id", "name", "aid", "created_at"];
const WEBHOOK_COLUMNS: &[&str] = &["id", "name", "url", "auth_method", "subscribed_events"];
const LEDGER_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "kind",
    "event",
    "amount",
    "access_pass.id",
];
const HID_ORG_COLUMNS: &[&str] = &["id", "name", "slug", "status", "email"];

/// Sets each builder field whose value is `Some`: `setter = value, ...`, or
/// `source => field, ...` for the fields of `source` named like their setters.
macro_rules! set {
    ($builder:ident, $( $setter:ident = $value:expr ),* $(,)?) => {
        $( if let Some(value) = $value { $builder = $builder.$setter(value); } )*
    };
    ($builder:ident, $source:expr => $( $field:ident ),* $(,)?) => {
        $( if let Some(value) = $source.$field { $builder = $builder.$field(value); } )*
    };
}

/// Adds the holder's fields of a pass issue or update to a builder.
macro_rules! holder {
    ($builder:ident, $holder:expr) => {
        let h = $holder;
        set!($builder, phone_number = h.phone);
        set!($builder, h => email, employee_id, title, start_date, expiration_date);
    };
}

/// Adds `--field` and `--field-json` to a builder.
macro_rules! fields {
    ($builder:ident, $fields:expr) => {
        for (name, value) in extra_fields(&$fields)? {
            $builder = $builder.extra_field(name, value);
        }
    };
}

/// Adds `--metadata`, `--field` and `--field-json` to a builder.
macro_rules! extra {
    ($builder:ident, $extra:expr) => {
        if !$extra.metadata.is_empty() {
            $builder = $builder.metadata(metadata(&$extra.metadata));
        }
        fields!($builder, $extra.fields);
    };
}

/// A query builder with `--page` and `--per-page`.
macro_rules! paged {
    ($query:expr, $paging:expr) => {{
        let mut query = $query;
        set!(query, page = $paging.page, per_page = $paging.per_page);
        query
    }};
}

/// Adds the design settings of a template create or update to a builder.
macro_rules! design {
    ($builder:ident, $design:expr) => {
        let d = $design;
        set!($builder, d => background_color, label_color, label_secondary_color);
        set!($builder, d => support_email, support_url, support_phone_number);
        set!($builder, d => privacy_policy_url, terms_and_conditions_url);
        set!($builder, d => watch_count, iphone_count);
        if !d.credential_profiles.is_empty() {
            $builder = $builder.credential_profiles(d.credential_profiles);
        }
        if !d.landing_pages.is_empty() {
            $builder = $builder.landing_pages(d.landing_pages);
        }
    };
}

/// Adds the settings of a landing page create or update (and `--field`, `--field-json`)
/// to a builder.
macro_rules! landing_page {
    ($builder:ident, $settings:expr) => {
        let s = $settings;
        set!($builder, s => additional_text, bg_color, logo);
        set!($builder, s => allow_immediate_download, is_2fa_enabled);
        set!($builder, password = password(s.password_file.as_deref())?);
        fields!($builder, s.fields);
    };
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let out = Output::new(cli.global.json);
    match cli.command {
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "accessgrid", &mut text);
            write_all(&text)
        }
        Command::Man => {
            let mut text = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut text)?;
            write_all(&text)
        }
        Command::Sandbox(args) => sandbox(&cli.global, &args, &out),
        Command::Webhooks(Webhooks::Listen(args)) => listen(&args, &out),
        command => {
            let client = credentials::client(&cli.global)?;
            api(&client, command, &out)
        }
    }
}

fn write_all(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    Ok(out.flush()?)
}

fn api(client: &Client, command: Command, out: &Output) -> Result<(), Failure> {
    match command {
        Command::Cards(cards) => self::cards(client, cards, out),
        Command::Templates(templates) => self::templates(client, templates, out),
        Command::Pairs(pairs) => self::pairs(client, pairs, out),
        Command::LandingPages(pages) => landing_pages(client, pages, out),
        Command::CredentialProfiles(profiles) => credential_profiles(client, profiles, out),
        Command::Webhooks(webhooks) => self::webhooks(client, webhooks, out),
        Command::Ledger(args) => {
            let mut query = LedgerItemsQuery::builder();
            set!(query, start_date = args.since, end_date = args.until);
            let query = paged!(query, args.paging);
            let ledger = client.console().ledger();
            let (every, one) = (|q| ledger.list_all(q), |q| ledger.list(q));
            out.list(args.paging.all, query, every, one, LEDGER_COLUMNS)
        }
        Command::Hid(Hid::Orgs(orgs)) => hid_orgs(client, orgs, out),
        Command::Sync(args) => crate::sync::run(client, &args, out.json()),
        Command::Completions { .. } | Command::Man | Command::Sandbox(_) => {
            Err(Failure::Other("not an API command".to_owned()))
        }
    }
}

fn cards(client: &Client, command: Cards, out: &Output) -> Result<(), Failure> {
    let cards = client.access_cards();
    match command {
        Cards::Issue(a) => {
            let mut request = IssueCardRequest::builder()
                .card_template_id(a.template)
                .full_name(a.name);
            holder!(request, a.holder);
            set!(request, a => site_code, card_number, tag_id, file_data);
            extra!(request, a.extra);
            out.one(&cards.issue(request)?)
        }
        Cards::Get(id) => out.one(&cards.get(&id.id)?),
        Cards::Update(a) => {
            let mut request = UpdateCardRequest::builder();
            set!(request, full_name = a.name);
            holder!(request, a.holder);
            extra!(request, a.extra);
            out.one(&cards.update(&a.id, request)?)
        }
        Cards::List(a) => {
            let mut query = ListCardsQuery::builder();
            set!(
                query,
                template_id = a.template,
                state = a.state.as_deref().map(CardState::from),
            );
            set!(query, a => site_code, card_number, employee_id);
            let query = paged!(query, a.paging);
            let (every, one) = (|q| cards.list_all(q), |q| cards.list(q));
            out.list(a.paging.all, query, every, one, CARD_COLUMNS)
        }
        Cards::Suspend(id) => out.one(&cards.suspend(&id.id)?),
        Cards::Resume(id) => out.one(&cards.resume(&id.id)?),
        Cards::Unlink(id) => out.one(&cards.unlink(&id.id)?),
        Cards::Delete(id) => out.one(&cards.delete(&id.id)?),
    }
}

fn templates(client: &Client, command: Templates, out: &Output) -> Result<(), Failure> {
    let templates = client.console().templates();
    match command {
        Templates::List => out.page(&templates.list()?, TEMPLATE_COLUMNS),
        Templates::Get(id) => out.one(&templates.get(&id.id)?),
        Templates::Create(a) => {
            let mut request = CreateTemplateRequest::builder()
                .name(a.name)
                .platform(a.platform.as_str())
                .use_case(a.use_case.as_str());
            set!(request, protocol = a.protocol.as_deref());
            design!(request, a.design);
            extra!(request, a.extra);
            out.one(&templates.create(request)?)
        }
        Templates::Update(a) => {
            let mut request = UpdateTemplateRequest::builder();
            set!(request, name = a.name);
            design!(request, a.design);
            extra!(request, a.extra);
            out.one(&templates.update(&a.id, request)?)
        }
        Templates::Delete(id) => {
            templates.delete(&id.id)?;
            out.done(&id.id, "deleted")
        }
        Templates::Publish(id) => out.one(&templates.publish(&id.id)?),
        Templates::Logs(a) => {
            let mut filters = TemplateLogFilters::builder();
            set!(
                filters,
                device = a.device.as_deref(),
                event_type = a.event_type.as_deref().map(LogEventType::from),
                start_date = a.since,
                end_date = a.until,
            );
            let query = TemplateLogQuery::builder().filters(filters);
            let query = paged!(query, a.paging);
            let every = |q| templates.logs_all(&a.id, q);
            let one = |q| templates.logs(&a.id, q);
            out.list(a.paging.all, query, every, one, LOG_COLUMNS)
        }
        Templates::IosPreflight(a) => out.one(&templates.ios_preflight(&a.id, &a.pass)?),
    }
}

fn pairs(client: &Client, command: Pairs, out: &Output) -> Result<(), Failure> {
    let pairs = client.console().pairs();
    match command {
        Pairs::List(paging) => {
            let (every, one) = (|q| pairs.list_all(q), |q| pairs.list(q));
            out.list(paging.all, console_query(paging), every, one, PAIR_COLUMNS)
        }
        Pairs::Create(a) => out.one(
            &pairs.create(
                CreateTemplatePairRequest::builder()
                    .name(a.name)
                    .apple_card_template_id(a.apple)
                    .google_card_template_id(a.google),
            )?,
        ),
    }
}

fn landing_pages(client: &Client, command: LandingPages, out: &Output) -> Result<(), Failure> {
    let pages = client.console().landing_pages();
    match command {
        LandingPages::List => out.page(&pages.list()?, LANDING_PAGE_COLUMNS),
        LandingPages::Create(a) => {
            let mut request = CreateLandingPageRequest::builder()
                .name(a.name)
                .kind(a.kind.as_str());
            landing_page!(request, a.settings);
            out.one(&pages.create(request)?)
        }
        LandingPages::Update(a) => {
            let mut request = UpdateLandingPageRequest::builder();
            set!(request, name = a.name);
            landing_page!(request, a.settings);
            out.one(&pages.update(&a.id, request)?)
        }
    }
}

fn credential_profiles(
    client: &Client,
    command: CredentialProfiles,
    out: &Output,
) -> Result<(), Failure> {
    let profiles = client.console().credential_profiles();
    match command {
        CredentialProfiles::List => out.page(&profiles.list()?, PROFILE_COLUMNS),
        CredentialProfiles::Create(a) => {
            let mut request = CreateCredentialProfileRequest::builder().name(a.name);
            set!(request, app_name = a.app_name, file_id = a.file_id);
            if let Some(path) = a.keys_file {
                let text = read_text(&path, "keys")?;
                let keys: Vec<CredentialProfileKey> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(CredentialProfileKey::new)
                    .collect();
                request = request.keys(keys);
            }
            fields!(request, a.fields);
            out.one(&profiles.create(request)?)
        }
        CredentialProfiles::Delete(id) => {
            profiles.delete(&id.id)?;
            out.done(&id.id, "deleted")
        }
    }
}

fn webhooks(client: &Client, command: Webhooks, out: &Output) -> Result<(), Failure> {
    let webhooks = client.console().webhooks();
    match command {
        Webhooks::List(paging) => {
            let (every, one) = (|q| webhooks.list_all(q), |q| webhooks.list(q));
            out.list(
                paging.all,
                console_query(paging),
                every,
                one,
                WEBHOOK_COLUMNS,
            )
        }
        Webhooks::Create(a) => {
            let mut request = CreateWebhookRequest::builder()
                .name(a.name)
                .url(a.url)
                .subscribed_events(a.events);
            set!(request, auth_method = a.auth_method.as_deref());
            fields!(request, a.fields);
            out.one(&webhooks.create(request)?)
        }
        Webhooks::Delete(id) => {
            webhooks.delete(&id.id)?;
            out.done(&id.id, "deleted")
        }
        Webhooks::Verify(id) => out.one(&webhooks.verify(&id.id)?),
        Webhooks::Listen(_) => Err(Failure::Other("not an API command".to_owned())),
    }
}

fn hid_orgs(client: &Client, command: HidOrgs, out: &Output) -> Result<(), Failure> {
    let orgs = client.console().hid().orgs();
    match command {
        HidOrgs::List => out.page(&orgs.list()?, HID_ORG_COLUMNS),
        HidOrgs::Create(a) => {
            let mut request = CreateHidOrgRequest::builder()
                .name(a.name)
                .first_name(a.first_name)
                .last_name(a.last_name)
                .phone(a.phone)
                .full_address(a.full_address);
            set!(request, email = a.email);
            fields!(request, a.fields);
            out.one(&orgs.create(request)?)
        }
        HidOrgs::Activate(a) => {
            let password = read_secret(&a.password_file, "password")?;
            let request = ActivateHidOrgRequest::builder().email(a.email);
            out.one(&orgs.activate(request.password(password))?)
        }
    }
}

/// Runs a sandbox until the process is stopped, after printing where it is and the
/// credentials to use (the sandbox's own, printed on purpose).
fn sandbox(global: &Global, args: &SandboxArgs, out: &Output) -> Result<(), Failure> {
    let mut builder = Sandbox::builder().port(args.port);
    if let Some(account) = credentials::account_id(global) {
        builder = builder.account_id(account);
    }
    if global.secret_key_file.is_some()
        || global.secret_key_stdin
        || std::env::var_os(credentials::ENV_SECRET_KEY).is_some_and(|v| !v.is_empty())
    {
        builder = builder.secret_key(credentials::secret_key(global)?);
    }
    let sandbox = builder
        .start()
        .map_err(|e| Failure::Other(format!("could not start the sandbox: {e}")))?;
    let secret = String::from_utf8_lossy(sandbox.secret_key().expose()).into_owned();
    let mut stdout = io::stdout().lock();
    if out.json() {
        let doc = serde_json::json!({
            "base_url": sandbox.base_url(),
            "account_id": sandbox.account_id(),
            "secret_key": secret,
            "template_id": sandbox.template_id(),
        });
        writeln!(stdout, "{doc}")?;
    } else {
        writeln!(
            stdout,
            "AccessGrid sandbox listening on {}\n\n\
             export ACCESSGRID_BASE_URL={}\n\
             export ACCESSGRID_ACCOUNT_ID={}\n\
             export ACCESSGRID_SECRET_KEY={secret}\n\n\
             card template ready to issue passes from: {}\n\
             open a pass's install_url to simulate a wallet install. Ctrl-C stops.",
            sandbox.base_url(),
            sandbox.base_url(),
            escape_control(sandbox.account_id()),
            sandbox.template_id(),
        )?;
    }
    stdout.flush()?;
    drop(stdout);
    // The sandbox serves on its own threads until the process is stopped.
    loop {
        std::thread::park();
    }
}

/// Receives deliveries with the library's receiver and prints each verified, new event:
/// one line (`time type id data`, control characters escaped), or its JSON envelope.
fn listen(args: &Listen, out: &Output) -> Result<(), Failure> {
    let token = match &args.token_file {
        Some(path) => read_secret(path, "webhook token")?,
        None => match std::env::var(ENV_WEBHOOK_TOKEN) {
            Ok(token) if !token.trim().is_empty() => token.trim().to_owned(),
            _ => {
                return Err(Failure::Credentials(format!(
                    "no webhook token: set {ENV_WEBHOOK_TOKEN} to the webhook's private_key, or pass --token-file PATH"
                )))
            }
        },
    };
    let bind = if args.bind.contains(':') && !args.bind.starts_with('[') {
        format!("[{}]:{}", args.bind, args.port)
    } else {
        format!("{}:{}", args.bind, args.port)
    };
    let json = out.json();
    let stopper: Arc<OnceLock<StopHandle>> = Arc::new(OnceLock::new());
    let stop_on_close = Arc::clone(&stopper);
    let receiver = Receiver::builder(token)
        .bind(bind)
        .path(args.path.clone())
        .start(move |event: &WebhookEvent| {
            let line = if json {
                serde_json::to_string(event).map_err(io::Error::other)?
            } else {
                describe(event)
            };
            let mut stdout = io::stdout().lock();
            let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
            if let Err(e) = &written {
                // Nobody reads any more: stop, and let AccessGrid deliver again later.
                if e.kind() == io::ErrorKind::BrokenPipe {
                    if let Some(stop) = stop_on_close.get() {
                        stop.stop();
                    }
                }
            }
            written
        })
        .map_err(|e| match e.kind() {
            io::ErrorKind::InvalidInput => Failure::Invalid(e.to_string()),
            _ => Failure::Other(format!("could not listen: {e}")),
        })?;
    let _ = stopper.set(receiver.stop_handle());
    eprintln!(
        "listening on http://{}{}",
        receiver.local_addr(),
        escape_control(&args.path)
    );
    receiver.wait();
    Ok(())
}

/// An event as one line: time, type, id and data, control characters escaped.
fn describe(event: &WebhookEvent) -> String {
    let line = format!(
        "{} {} {} {}",
        event.time.as_deref().unwrap_or("-"),
        event.event_type,
        event.id,
        event.data
    );
    escape_control(&line).into_owned()
}

/// A [`ConsolePageQuery`] builder with the page settings.
fn console_query(paging: Paging) -> accessgrid::models::ConsolePageQueryBuilder {
    let query = ConsolePageQuery::builder();
    paged!(query, paging)
}

/// `--metadata` as a JSON object of strings.
fn metadata(pairs: &[Pair]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect()
}

/// `--field` (strings) and `--field-json` (parsed) as name–value pairs.
fn extra_fields(fields: &Fields) -> Result<Vec<(String, Value)>, Failure> {
    let mut all: Vec<(String, Value)> = fields
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    for (name, text) in &fields.json_fields {
        let value = serde_json::from_str(text).map_err(|e| {
            Failure::Invalid(format!(
                "--field-json {}: not JSON ({e})",
                escape_control(name)
            ))
        })?;
        all.push((name.clone(), value));
    }
    Ok(all)
}

/// The password in a file, when one was named.
fn password(path: Option<&Path>) -> Result<Option<String>, Failure> {
    path.map(|p| read_secret(p, "password")).transpose()
}
