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

/// Declares a [`clap::Args`] struct (deriving `Args` and `Debug`; more derives may be
/// added), its fields `--long` options unless marked: a field's
/// doc comment is its help and `= "NAME"` after its type the value name the help shows
/// (none: clap's, the field's name in capitals). Marks: `@positional` (an argument by
/// position), `@flatten` (another such struct's arguments, in place) and `@arg(...)` (the
/// field's own `#[arg(...)]`, to which a value name is added).
macro_rules! arguments {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        arguments!(@field [$(#[$meta])* pub struct $name] [] $($fields)*);
    };
    (@field [$($head:tt)*] [$($done:tt)*]) => {
        #[derive(Args, Debug)]
        $($head)* { $($done)* }
    };
    (@field $head:tt [$($done:tt)*]
        $(#[doc = $doc:literal])* @positional $field:ident: $ty:ty, $($rest:tt)*) => {
        arguments!(@field $head [$($done)* $(#[doc = $doc])* pub $field: $ty,] $($rest)*);
    };
    (@field $head:tt [$($done:tt)*]
        $(#[doc = $doc:literal])* @flatten $field:ident: $ty:ty, $($rest:tt)*) => {
        arguments!(@field $head [$($done)* $(#[doc = $doc])* #[command(flatten)] pub $field: $ty,] $($rest)*);
    };
    (@field $head:tt [$($done:tt)*]
        $(#[doc = $doc:literal])* @arg($($arg:tt)*) $field:ident: $ty:ty $(= $value:literal)?,
        $($rest:tt)*) => {
        arguments!(@field $head [$($done)*
            $(#[doc = $doc])* #[arg($($arg)* $(, value_name = $value)?)] pub $field: $ty,] $($rest)*);
    };
    (@field $head:tt [$($done:tt)*]
        $(#[doc = $doc:literal])* $field:ident: $ty:ty $(= $value:literal)?, $($rest:tt)*) => {
        arguments!(@field $head [$($done)*
            $(#[doc = $doc])* #[arg(long $(, value_name = $value)?)] pub $field: $ty,] $($rest)*);
    };
}

arguments! {
    /// Credentials and output settings, which every command takes.
    #[command(next_help_heading = "Global options")]
    pub struct Global {
        /// The account id (the console's API keys page)
        @arg(long, global = true, env = "ACCESSGRID_ACCOUNT_ID", hide_env_values = true)
        account_id: Option<String> = "ID",
        /// Read the secret key from this file (its first line) instead of ACCESSGRID_SECRET_KEY
        @arg(long, global = true, conflicts_with = "secret_key_stdin")
        secret_key_file: Option<PathBuf> = "PATH",
        /// Read the secret key from standard input (its first line)
        @arg(long, global = true)
        secret_key_stdin: bool,
        /// The API's base URL
        @arg(long, global = true, env = "ACCESSGRID_BASE_URL", hide_env_values = true)
        base_url: Option<String> = "URL",
        /// Print JSON for scripts: one document, or one object per line with --all
        @arg(long, global = true)
        json: bool,
    }
}

arguments! {
    /// `--metadata`, `--field` and `--field-json`, for the requests that carry metadata.
    #[derive(Default)]
    pub struct Extra {
        /// A metadata entry, sent in `metadata` as a string (repeatable)
        @arg(long = "metadata", value_name = "KEY=VALUE", value_parser = pair)
        metadata: Vec<Pair>,
        @flatten fields: Fields,
    }
}

arguments! {
    /// `--field` and `--field-json`: fields the command has no flag for (the SDK sends them
    /// as given, signed like the rest).
    #[derive(Default)]
    pub struct Fields {
        /// A field the command has no flag for, sent as a string (repeatable)
        @arg(long = "field", value_name = "NAME=VALUE", value_parser = pair)
        fields: Vec<Pair>,
        /// A field the command has no flag for, its value parsed as JSON (repeatable)
        @arg(long = "field-json", value_name = "NAME=JSON", value_parser = pair)
        json_fields: Vec<Pair>,
    }
}

arguments! {
    /// `--page`, `--per-page`, `--all`.
    #[derive(Default, Clone, Copy)]
    pub struct Paging {
        /// The page to read (from 1)
        page: Option<u32> = "N",
        /// Items a page
        per_page: Option<u32> = "N",
        /// Read every page (from --page, default 1)
        all: bool,
    }
}

arguments! {
    /// One id.
    pub struct Id {
        /// The id
        @positional id: String,
    }
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

arguments! {
    /// The holder's fields an issue and an update both take.
    pub struct Holder {
        /// The holder's email
        email: Option<String>,
        /// The holder's phone number
        phone: Option<String> = "PHONE",
        /// The holder's employee id
        employee_id: Option<String> = "ID",
        /// The holder's title
        title: Option<String>,
        /// When the pass starts to work (ISO 8601)
        start_date: Option<String> = "DATE",
        /// When the pass stops working (ISO 8601)
        expiration_date: Option<String> = "DATE",
    }
}

arguments! {
    /// `accessgrid cards issue`
    pub struct IssueCard {
        /// The card template to issue from
        template: String = "ID",
        /// The holder's full name
        name: String,
        @flatten holder: Holder,
        /// The facility (site) code
        site_code: Option<String> = "N",
        /// The card number
        card_number: Option<String> = "N",
        /// The 14-hex-digit tag id
        tag_id: Option<String> = "HEX",
        /// Raw credential data (hexadecimal), instead of site code and card number
        file_data: Option<String> = "HEX",
        @flatten extra: Extra,
    }
}

arguments! {
    /// `accessgrid cards update`
    pub struct UpdateCard {
        /// The pass's id
        @positional id: String,
        /// The holder's full name
        name: Option<String>,
        @flatten holder: Holder,
        @flatten extra: Extra,
    }
}

arguments! {
    /// `accessgrid cards list`
    pub struct ListCards {
        /// Only this template's passes
        template: Option<String> = "ID",
        /// Only passes in this state (active, suspended, unlink, deleted, created, ...)
        state: Option<String>,
        /// Only passes with this site code
        site_code: Option<String> = "N",
        /// Only passes with this card number
        card_number: Option<String> = "N",
        /// Only passes with this employee id
        employee_id: Option<String> = "ID",
        @flatten paging: Paging,
    }
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
    IosPreflight(IosPreflight),
}

arguments! {
    /// `accessgrid templates ios-preflight`
    pub struct IosPreflight {
        /// The template's id
        @positional id: String,
        /// The pass's id
        pass: String = "ID",
    }
}

arguments! {
    /// The design and support settings a create and an update both take.
    pub struct Design {
        /// Background colour, #RRGGBB
        background_color: Option<String> = "#RRGGBB",
        /// Label colour, #RRGGBB
        label_color: Option<String> = "#RRGGBB",
        /// Secondary label colour, #RRGGBB
        label_secondary_color: Option<String> = "#RRGGBB",
        /// Support email
        support_email: Option<String> = "EMAIL",
        /// Support URL
        support_url: Option<String> = "URL",
        /// Support phone number
        support_phone_number: Option<String> = "PHONE",
        /// Privacy policy URL
        privacy_policy_url: Option<String> = "URL",
        /// Terms and conditions URL
        terms_and_conditions_url: Option<String> = "URL",
        /// How many watches a pass may be on (1 to 5)
        watch_count: Option<u8> = "N",
        /// How many iPhones a pass may be on (1 to 5)
        iphone_count: Option<u8> = "N",
        /// Attach this credential profile (repeatable; the list replaces the attached ones)
        @arg(long = "credential-profile", value_name = "ID")
        credential_profiles: Vec<String>,
        /// Attach this landing page (repeatable; the list replaces the attached ones)
        @arg(long = "landing-page", value_name = "ID")
        landing_pages: Vec<String>,
    }
}

arguments! {
    /// `accessgrid templates create`
    pub struct CreateTemplate {
        /// The template's name
        name: String,
        /// apple, google (or android)
        platform: String,
        /// employee_badge, corporate_id, hotel, ...
        use_case: String,
        /// desfire, seos, smart_tap, ...
        protocol: Option<String>,
        @flatten design: Design,
        @flatten extra: Extra,
    }
}

arguments! {
    /// `accessgrid templates update`
    pub struct UpdateTemplate {
        /// The template's id
        @positional id: String,
        /// The template's name
        name: Option<String>,
        @flatten design: Design,
        @flatten extra: Extra,
    }
}

arguments! {
    /// `accessgrid templates logs`
    pub struct TemplateLogs {
        /// The template's id
        @positional id: String,
        /// Only events of this device: mobile or watch
        device: Option<String>,
        /// Only events of this type (install, uninstall, ...)
        event_type: Option<String> = "TYPE",
        /// Only events since this time (ISO 8601)
        since: Option<String> = "DATE",
        /// Only events until this time (ISO 8601)
        until: Option<String> = "DATE",
        @flatten paging: Paging,
    }
}

/// `accessgrid pairs ...`
#[derive(Subcommand, Debug)]
pub enum Pairs {
    /// List template pairs
    List(Paging),
    /// Pair a published Apple template with a published Google one
    Create(CreatePair),
}

arguments! {
    /// `accessgrid pairs create`
    pub struct CreatePair {
        /// The pair's name
        name: String,
        /// The Apple template's id
        apple: String = "ID",
        /// The Google template's id
        google: String = "ID",
    }
}

/// `accessgrid landing-pages ...`
#[derive(Subcommand, Debug)]
pub enum LandingPages {
    /// List landing pages
    List,
    /// Create a landing page
    Create(CreateLandingPage),
    /// Update a landing page
    Update(UpdateLandingPage),
}

arguments! {
    /// The settings a landing page create and update both take.
    pub struct LandingPageSettings {
        /// Text shown on the page
        additional_text: Option<String> = "TEXT",
        /// Background colour, #RRGGBB
        bg_color: Option<String> = "#RRGGBB",
        /// Logo (URL or data)
        logo: Option<String>,
        /// Let holders download the pass at once
        allow_immediate_download: Option<bool> = "BOOL",
        /// Ask for a second factor
        is_2fa_enabled: Option<bool> = "BOOL",
        /// Protect the page with the password in this file (its first line)
        password_file: Option<PathBuf> = "PATH",
        @flatten fields: Fields,
    }
}

arguments! {
    /// `accessgrid landing-pages create`
    pub struct CreateLandingPage {
        /// The page's name
        name: String,
        /// The page's kind (universal, ...)
        kind: String,
        @flatten settings: LandingPageSettings,
    }
}

arguments! {
    /// `accessgrid landing-pages update`
    pub struct UpdateLandingPage {
        /// The page's id
        @positional id: String,
        /// The page's name
        name: Option<String>,
        @flatten settings: LandingPageSettings,
    }
}

/// `accessgrid credential-profiles ...`
#[derive(Subcommand, Debug)]
pub enum CredentialProfiles {
    /// List credential profiles
    List,
    /// Create a credential profile
    Create(CreateCredentialProfile),
    /// Delete a credential profile
    Delete(Id),
}

arguments! {
    /// `accessgrid credential-profiles create`
    pub struct CreateCredentialProfile {
        /// The profile's name
        name: String,
        /// The application name (default KEY-ID-main)
        app_name: Option<String>,
        /// The file id
        file_id: Option<String> = "ID",
        /// Read the keys (32 hexadecimal characters each, one a line) from this file; `-`
        /// reads standard input
        keys_file: Option<PathBuf> = "PATH",
        @flatten fields: Fields,
    }
}

/// `accessgrid webhooks ...`
#[derive(Subcommand, Debug)]
pub enum Webhooks {
    /// List webhook subscriptions
    List(Paging),
    /// Subscribe a URL to events; the answer holds the token deliveries carry
    Create(CreateWebhook),
    /// Delete a webhook subscription
    Delete(Id),
    /// Ask AccessGrid to verify a webhook's endpoint
    Verify(Id),
    /// Receive webhook deliveries and print each verified event as it arrives
    Listen(Listen),
}

arguments! {
    /// `accessgrid webhooks create`
    pub struct CreateWebhook {
        /// The webhook's name
        name: String,
        /// Where events are POSTed
        url: String,
        /// An event type to subscribe to (repeatable; none: every type)
        @arg(long = "event", value_name = "TYPE")
        events: Vec<String>,
        /// bearer_token (default) or mtls
        auth_method: Option<String> = "METHOD",
        @flatten fields: Fields,
    }
}

arguments! {
    /// `accessgrid webhooks listen`
    pub struct Listen {
        /// The port to listen on (0: a free one, printed on standard error)
        @arg(long, default_value_t = 8080)
        port: u16,
        /// The address to listen on
        @arg(long, value_name = "ADDR", default_value = "127.0.0.1")
        bind: String,
        /// The path deliveries are POSTed to
        @arg(long, default_value = "/")
        path: String,
        /// Read the webhook's token (its private_key) from this file instead of
        /// ACCESSGRID_WEBHOOK_TOKEN
        token_file: Option<PathBuf> = "PATH",
    }
}

arguments! {
    /// `accessgrid ledger`
    pub struct LedgerArgs {
        /// Only items since this time (ISO 8601)
        since: Option<String> = "DATE",
        /// Only items until this time (ISO 8601)
        until: Option<String> = "DATE",
        @flatten paging: Paging,
    }
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
    Create(CreateHidOrg),
    /// Activate an HID organization with the credentials from HID's email
    Activate(ActivateHidOrg),
}

arguments! {
    /// `accessgrid hid orgs create`
    pub struct CreateHidOrg {
        /// The organization's name
        name: String,
        /// The administrator's first name
        first_name: String,
        /// The administrator's last name
        last_name: String,
        /// A phone number
        phone: String,
        /// The postal address
        full_address: String = "ADDRESS",
        /// The administrator's email
        email: Option<String>,
        @flatten fields: Fields,
    }
}

arguments! {
    /// `accessgrid hid orgs activate`
    pub struct ActivateHidOrg {
        /// The email HID wrote to
        email: String,
        /// Read the password from this file (its first line)
        password_file: PathBuf = "PATH",
    }
}

arguments! {
    /// `accessgrid sync`
    pub struct SyncArgs {
        /// The desired state: a CSV with the header pacs_id,full_name,email,site_code,card_number,status
        /// (status: active or suspended); a pass is tied to its person by pacs_id
        desired: PathBuf = "FILE",
        /// The template whose passes are kept in step (new passes are issued from it)
        template: String = "ID",
        /// Print the plan and change nothing
        dry_run: bool,
        /// Apply a plan the guard refuses: an empty desired state, or one that deletes or
        /// suspends more than 10% of the passes
        force: bool,
    }
}

arguments! {
    /// `accessgrid sandbox`
    pub struct SandboxArgs {
        /// The port (0: a free one)
        @arg(long, default_value_t = 4010)
        port: u16,
    }
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
