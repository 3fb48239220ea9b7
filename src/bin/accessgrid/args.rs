//! The command line, declared once: parsing, `--help`, the shell completions and the man
//! page all come from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// What `--help` shows after the commands: credentials and exit codes.
const AFTER_HELP: &str = "\
Credentials: ACCESSGRID_ACCOUNT_ID (or --account-id), ACCESSGRID_SECRET_KEY (or
--secret-key-file PATH, or --secret-key-stdin; the key is never taken as a flag value),
ACCESSGRID_BASE_URL (or --base-url; default https://api.accessgrid.com).

Exit codes:
  0  success
  1  any other failure (an answer that could not be read, insufficient balance, ...)
  2  invalid input: bad arguments, a request the server refused as invalid (400, 422), or
     a sync plan the guard refused (nothing was changed; --force applies it)
  3  authentication: credentials missing, or refused by the server (401, 403)
  4  not found (404)
  5  rate limited or unavailable: 429, 5xx, a timeout, no connection (try again later)
  6  outcome unknown: a change may or may not have been made (check before retrying)";

/// The AccessGrid command line: NFC access passes in Apple and Google Wallet, and the
/// enterprise console, from the shell.
#[derive(Parser, Debug)]
#[command(name = "accessgrid", version, after_help = AFTER_HELP, term_width = 100)]
pub struct Cli {
    /// Settings every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Credentials and output settings.
#[derive(Args, Debug)]
pub struct Global {
    /// The account id (the console's API keys page)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "ACCESSGRID_ACCOUNT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
    pub account_id: Option<String>,

    /// Read the secret key from this file (its first line) instead of ACCESSGRID_SECRET_KEY
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH",
        conflicts_with = "secret_key_stdin"
    )]
    pub secret_key_file: Option<PathBuf>,

    /// Read the secret key from standard input (its first line)
    #[arg(long, global = true, help_heading = "Global options")]
    pub secret_key_stdin: bool,

    /// The API's base URL
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "ACCESSGRID_BASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// Print JSON for scripts: one document, or one object per line with --all
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
}

/// The commands, named like the SDK's resources.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Access passes: issue, read, update, list, suspend, resume, unlink, delete
    #[command(subcommand)]
    Cards(Cards),
    /// Card templates: list, read, create, update, delete, publish, event logs
    #[command(subcommand)]
    Templates(Templates),
    /// Apple+Google template pairs
    #[command(subcommand)]
    Pairs(Pairs),
    /// Landing pages, where holders install their passes
    #[command(subcommand)]
    LandingPages(LandingPages),
    /// Credential profiles
    #[command(subcommand)]
    CredentialProfiles(CredentialProfiles),
    /// Webhook subscriptions, and a receiver that prints the events it is sent
    #[command(subcommand)]
    Webhooks(Webhooks),
    /// The account's ledger: charges and credits
    Ledger(LedgerArgs),
    /// HID Origo
    #[command(subcommand)]
    Hid(Hid),
    /// Make a template's passes match a desired-state CSV (the door controller's people.csv)
    Sync(SyncArgs),
    /// Run an offline AccessGrid sandbox on 127.0.0.1 until stopped (Ctrl-C)
    Sandbox(SandboxArgs),
    /// Print a shell completion script
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

/// A `NAME=VALUE` pair.
pub type Pair = (String, String);

/// Parses `NAME=VALUE` (the value may hold `=`; the name may not be empty).
pub fn pair(text: &str) -> Result<Pair, String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err("expected NAME=VALUE".to_owned()),
    }
}

/// `--metadata`, `--field` and `--field-json`, for the requests that carry metadata.
#[derive(Args, Debug, Default)]
pub struct Extra {
    /// A metadata entry, sent in `metadata` as a string (repeatable)
    #[arg(long = "metadata", value_name = "KEY=VALUE", value_parser = pair)]
    pub metadata: Vec<Pair>,
    #[command(flatten)]
    pub fields: Fields,
}

/// `--field` and `--field-json`: fields the command has no flag for (the SDK sends them
/// as given, signed like the rest).
#[derive(Args, Debug, Default)]
pub struct Fields {
    /// A field the command has no flag for, sent as a string (repeatable)
    #[arg(long = "field", value_name = "NAME=VALUE", value_parser = pair)]
    pub fields: Vec<Pair>,
    /// A field the command has no flag for, its value parsed as JSON (repeatable)
    #[arg(long = "field-json", value_name = "NAME=JSON", value_parser = pair)]
    pub json_fields: Vec<Pair>,
}

/// `--page`, `--per-page`, `--all`.
#[derive(Args, Debug, Default, Clone, Copy)]
pub struct Paging {
    /// The page to read (from 1)
    #[arg(long, value_name = "N")]
    pub page: Option<u32>,
    /// Items a page
    #[arg(long, value_name = "N")]
    pub per_page: Option<u32>,
    /// Read every page (from --page, default 1)
    #[arg(long)]
    pub all: bool,
}

/// One id.
#[derive(Args, Debug)]
pub struct Id {
    /// The id
    pub id: String,
}

/// `accessgrid cards ...`
#[derive(Subcommand, Debug)]
pub enum Cards {
    /// Issue (provision) an access pass
    Issue(IssueCard),
    /// Show one pass
    Get(Id),
    /// Update a pass's information (name, dates, ...)
    Update(UpdateCard),
    /// List passes, of one template or of all
    List(ListCards),
    /// Suspend an active pass
    Suspend(Id),
    /// Resume a suspended or unlinked pass
    Resume(Id),
    /// Remove a pass from its holder's device
    Unlink(Id),
    /// Delete a pass for good
    Delete(Id),
}

/// The holder's fields an issue and an update both take.
#[derive(Args, Debug)]
pub struct Holder {
    /// The holder's email
    #[arg(long)]
    pub email: Option<String>,
    /// The holder's phone number
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// The holder's employee id
    #[arg(long, value_name = "ID")]
    pub employee_id: Option<String>,
    /// The holder's title
    #[arg(long)]
    pub title: Option<String>,
    /// When the pass starts to work (ISO 8601)
    #[arg(long, value_name = "DATE")]
    pub start_date: Option<String>,
    /// When the pass stops working (ISO 8601)
    #[arg(long, value_name = "DATE")]
    pub expiration_date: Option<String>,
}

/// `accessgrid cards issue`
#[derive(Args, Debug)]
pub struct IssueCard {
    /// The card template to issue from
    #[arg(long, value_name = "ID")]
    pub template: String,
    /// The holder's full name
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub holder: Holder,
    /// The facility (site) code
    #[arg(long, value_name = "N")]
    pub site_code: Option<String>,
    /// The card number
    #[arg(long, value_name = "N")]
    pub card_number: Option<String>,
    /// The 14-hex-digit tag id
    #[arg(long, value_name = "HEX")]
    pub tag_id: Option<String>,
    /// Raw credential data (hexadecimal), instead of site code and card number
    #[arg(long, value_name = "HEX")]
    pub file_data: Option<String>,
    #[command(flatten)]
    pub extra: Extra,
}

/// `accessgrid cards update`
#[derive(Args, Debug)]
pub struct UpdateCard {
    /// The pass's id
    pub id: String,
    /// The holder's full name
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub holder: Holder,
    #[command(flatten)]
    pub extra: Extra,
}

/// `accessgrid cards list`
#[derive(Args, Debug)]
pub struct ListCards {
    /// Only this template's passes
    #[arg(long, value_name = "ID")]
    pub template: Option<String>,
    /// Only passes in this state (active, suspended, unlink, deleted, created, ...)
    #[arg(long)]
    pub state: Option<String>,
    /// Only passes with this site code
    #[arg(long, value_name = "N")]
    pub site_code: Option<String>,
    /// Only passes with this card number
    #[arg(long, value_name = "N")]
    pub card_number: Option<String>,
    /// Only passes with this employee id
    #[arg(long, value_name = "ID")]
    pub employee_id: Option<String>,
    #[command(flatten)]
    pub paging: Paging,
}

/// `accessgrid templates ...`
#[derive(Subcommand, Debug)]
pub enum Templates {
    /// List the account's card templates
    List,
    /// Show one template (or template pair)
    Get(Id),
    /// Create a card template
    Create(CreateTemplate),
    /// Update a card template
    Update(UpdateTemplate),
    /// Delete a card template
    Delete(Id),
    /// Publish a card template
    Publish(Id),
    /// A template's event log
    Logs(TemplateLogs),
    /// The identifiers Apple Wallet in-app provisioning needs for a pass
    IosPreflight {
        /// The template's id
        id: String,
        /// The pass's id
        #[arg(long, value_name = "ID")]
        pass: String,
    },
}

/// The design and support settings a create and an update both take.
#[derive(Args, Debug)]
pub struct Design {
    /// Background colour, #RRGGBB
    #[arg(long, value_name = "#RRGGBB")]
    pub background_color: Option<String>,
    /// Label colour, #RRGGBB
    #[arg(long, value_name = "#RRGGBB")]
    pub label_color: Option<String>,
    /// Secondary label colour, #RRGGBB
    #[arg(long, value_name = "#RRGGBB")]
    pub label_secondary_color: Option<String>,
    /// Support email
    #[arg(long, value_name = "EMAIL")]
    pub support_email: Option<String>,
    /// Support URL
    #[arg(long, value_name = "URL")]
    pub support_url: Option<String>,
    /// Support phone number
    #[arg(long, value_name = "PHONE")]
    pub support_phone_number: Option<String>,
    /// Privacy policy URL
    #[arg(long, value_name = "URL")]
    pub privacy_policy_url: Option<String>,
    /// Terms and conditions URL
    #[arg(long, value_name = "URL")]
    pub terms_and_conditions_url: Option<String>,
    /// How many watches a pass may be on (1 to 5)
    #[arg(long, value_name = "N")]
    pub watch_count: Option<u8>,
    /// How many iPhones a pass may be on (1 to 5)
    #[arg(long, value_name = "N")]
    pub iphone_count: Option<u8>,
    /// Attach this credential profile (repeatable; the list replaces the attached ones)
    #[arg(long = "credential-profile", value_name = "ID")]
    pub credential_profiles: Vec<String>,
    /// Attach this landing page (repeatable; the list replaces the attached ones)
    #[arg(long = "landing-page", value_name = "ID")]
    pub landing_pages: Vec<String>,
}

/// `accessgrid templates create`
#[derive(Args, Debug)]
pub struct CreateTemplate {
    /// The template's name
    #[arg(long)]
    pub name: String,
    /// apple, google (or android)
    #[arg(long)]
    pub platform: String,
    /// employee_badge, corporate_id, hotel, ...
    #[arg(long)]
    pub use_case: String,
    /// desfire, seos, smart_tap, ...
    #[arg(long)]
    pub protocol: Option<String>,
    #[command(flatten)]
    pub design: Design,
    #[command(flatten)]
    pub extra: Extra,
}

/// `accessgrid templates update`
#[derive(Args, Debug)]
pub struct UpdateTemplate {
    /// The template's id
    pub id: String,
    /// The template's name
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub design: Design,
    #[command(flatten)]
    pub extra: Extra,
}

/// `accessgrid templates logs`
#[derive(Args, Debug)]
pub struct TemplateLogs {
    /// The template's id
    pub id: String,
    /// Only events of this device: mobile or watch
    #[arg(long)]
    pub device: Option<String>,
    /// Only events of this type (install, uninstall, ...)
    #[arg(long, value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only events since this time (ISO 8601)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only events until this time (ISO 8601)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    #[command(flatten)]
    pub paging: Paging,
}

/// `accessgrid pairs ...`
#[derive(Subcommand, Debug)]
pub enum Pairs {
    /// List template pairs
    List(Paging),
    /// Pair a published Apple template with a published Google one
    Create {
        /// The pair's name
        #[arg(long)]
        name: String,
        /// The Apple template's id
        #[arg(long, value_name = "ID")]
        apple: String,
        /// The Google template's id
        #[arg(long, value_name = "ID")]
        google: String,
    },
}

/// The settings a landing page create and update both take.
#[derive(Args, Debug)]
pub struct LandingPageSettings {
    /// Text shown on the page
    #[arg(long, value_name = "TEXT")]
    pub additional_text: Option<String>,
    /// Background colour, #RRGGBB
    #[arg(long, value_name = "#RRGGBB")]
    pub bg_color: Option<String>,
    /// Logo (URL or data)
    #[arg(long)]
    pub logo: Option<String>,
    /// Let holders download the pass at once
    #[arg(long, value_name = "BOOL")]
    pub allow_immediate_download: Option<bool>,
    /// Ask for a second factor
    #[arg(long, value_name = "BOOL")]
    pub is_2fa_enabled: Option<bool>,
    /// Protect the page with the password in this file (its first line)
    #[arg(long, value_name = "PATH")]
    pub password_file: Option<PathBuf>,
    #[command(flatten)]
    pub fields: Fields,
}

/// `accessgrid landing-pages ...`
#[derive(Subcommand, Debug)]
pub enum LandingPages {
    /// List landing pages
    List,
    /// Create a landing page
    Create {
        /// The page's name
        #[arg(long)]
        name: String,
        /// The page's kind (universal, ...)
        #[arg(long)]
        kind: String,
        #[command(flatten)]
        settings: LandingPageSettings,
    },
    /// Update a landing page
    Update {
        /// The page's id
        id: String,
        /// The page's name
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        settings: LandingPageSettings,
    },
}

/// `accessgrid credential-profiles ...`
#[derive(Subcommand, Debug)]
pub enum CredentialProfiles {
    /// List credential profiles
    List,
    /// Create a credential profile
    Create {
        /// The profile's name
        #[arg(long)]
        name: String,
        /// The application name (default KEY-ID-main)
        #[arg(long)]
        app_name: Option<String>,
        /// The file id
        #[arg(long, value_name = "ID")]
        file_id: Option<String>,
        /// Read the keys (32 hexadecimal characters each, one a line) from this file; `-`
        /// reads standard input
        #[arg(long, value_name = "PATH")]
        keys_file: Option<PathBuf>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Delete a credential profile
    Delete(Id),
}

/// `accessgrid webhooks ...`
#[derive(Subcommand, Debug)]
pub enum Webhooks {
    /// List webhook subscriptions
    List(Paging),
    /// Subscribe a URL to events; the answer holds the token deliveries carry
    Create {
        /// The webhook's name
        #[arg(long)]
        name: String,
        /// Where events are POSTed
        #[arg(long)]
        url: String,
        /// An event type to subscribe to (repeatable; none: every type)
        #[arg(long = "event", value_name = "TYPE")]
        events: Vec<String>,
        /// bearer_token (default) or mtls
        #[arg(long, value_name = "METHOD")]
        auth_method: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Delete a webhook subscription
    Delete(Id),
    /// Ask AccessGrid to verify a webhook's endpoint
    Verify(Id),
    /// Receive webhook deliveries and print each verified event as it arrives
    Listen(Listen),
}

/// `accessgrid webhooks listen`
#[derive(Args, Debug)]
pub struct Listen {
    /// The port to listen on (0: a free one, printed on standard error)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: String,
    /// The path deliveries are POSTed to
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Read the webhook's token (its private_key) from this file instead of
    /// ACCESSGRID_WEBHOOK_TOKEN
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// `accessgrid ledger`
#[derive(Args, Debug)]
pub struct LedgerArgs {
    /// Only items since this time (ISO 8601)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only items until this time (ISO 8601)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    #[command(flatten)]
    pub paging: Paging,
}

/// `accessgrid hid ...`
#[derive(Subcommand, Debug)]
pub enum Hid {
    /// HID Origo organizations
    #[command(subcommand)]
    Orgs(HidOrgs),
}

/// `accessgrid hid orgs ...`
#[derive(Subcommand, Debug)]
pub enum HidOrgs {
    /// List HID organizations
    List,
    /// Create an HID organization
    Create {
        /// The organization's name
        #[arg(long)]
        name: String,
        /// The administrator's first name
        #[arg(long)]
        first_name: String,
        /// The administrator's last name
        #[arg(long)]
        last_name: String,
        /// A phone number
        #[arg(long)]
        phone: String,
        /// The postal address
        #[arg(long, value_name = "ADDRESS")]
        full_address: String,
        /// The administrator's email
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// Activate an HID organization with the credentials from HID's email
    Activate {
        /// The email HID wrote to
        #[arg(long)]
        email: String,
        /// Read the password from this file (its first line)
        #[arg(long, value_name = "PATH")]
        password_file: PathBuf,
    },
}

/// `accessgrid sync`
#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The desired state: a CSV with the header pacs_id,full_name,email,site_code,card_number,status
    /// (status: active or suspended); a pass is tied to its person by pacs_id
    #[arg(long, value_name = "FILE")]
    pub desired: PathBuf,
    /// The template whose passes are kept in step (new passes are issued from it)
    #[arg(long, value_name = "ID")]
    pub template: String,
    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply a plan the guard refuses: an empty desired state, or one that deletes or
    /// suspends more than 10% of the passes
    #[arg(long)]
    pub force: bool,
}

/// `accessgrid sandbox`
#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// The port (0: a free one)
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        assert_eq!(pair("a=b=c"), Ok(("a".to_owned(), "b=c".to_owned())));
        assert_eq!(pair("a="), Ok(("a".to_owned(), String::new())));
        assert!(pair("=b").is_err());
        assert!(pair("ab").is_err());
    }

    #[test]
    fn the_definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
