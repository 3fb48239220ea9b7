//! An offline, in-process stand-in for the AccessGrid API, for tests and first steps
//! (cargo feature `sandbox`).
//!
//! [`Sandbox::start`] serves the API on `127.0.0.1` on a free port, on background threads
//! (a thread per connection, no async runtime), with the same hardened HTTP layer as the
//! webhook receiver (see [below](#limits)). It checks every request as
//! the real server does — `X-ACCT-ID`, and `X-PAYLOAD-SIG` over the raw body or over the
//! `sig_payload` query parameter; a failure answers 401 — decodes bodies with the same
//! schema-generated types as the client (a body that breaks them answers 422
//! `{message, errors: {field: [...]}}`), and keeps the account's state in memory: passes
//! with ids and install URLs, their state machine, lists with filters and pages, the event
//! log and the ledger, and every console resource (templates, template pairs and the
//! unified passes issued from them, landing pages, credential profiles, webhooks with a
//! generated bearer token, HID orgs), and it delivers its events to webhooks on loopback
//! (see [below](#webhook-delivery)). It shuts down when dropped: its threads are joined and
//! its port is free again. Two sandboxes share nothing.
//!
//! Each sandbox starts with one published Apple template ([`Sandbox::template_id`]).
//! Passes start `created`; a test makes one `active` with [`Sandbox::install`] (or
//! [`Sandbox::install_on`] for a watch); a person does it with the form of the pass's
//! install page (see [below](#pages-for-people)). Only `active` passes can be suspended, `suspended` and
//! `unlink` ones resumed, `active` and `suspended` ones unlinked; `deleted` is final. A
//! forbidden change answers 422 with a message that says why, such as
//! `can not manage a pass that is not active (pass 0x… is created)`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use accessgrid::models::{CardState, IssueCardRequest, ListCardsQuery};
//! use accessgrid::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start()?;
//! let client = sandbox.client();
//! let card = client.access_cards().issue(
//!     IssueCardRequest::builder()
//!         .card_template_id(sandbox.template_id())
//!         .full_name("Ada Lovelace")
//!         .site_code("42")
//!         .card_number("1234"),
//! )?;
//! let id = card.id.clone();
//! assert_eq!(card.state, Some(CardState::Created));
//!
//! // Only an active pass can be suspended: install it in a (simulated) wallet first.
//! assert!(client.access_cards().suspend(&id).is_err());
//! sandbox.install(&id)?;
//! let card = client.access_cards().suspend(&id)?;
//! assert_eq!(card.state, Some(CardState::Suspended));
//!
//! let page = client.access_cards().list(
//!     ListCardsQuery::builder().template_id(sandbox.template_id()).state(CardState::Suspended),
//! )?;
//! assert_eq!(page.info().total_count, Some(1));
//! # Ok(()) }
//! ```
//!
//! Faults for testing error handling: [`Sandbox::inject`] makes the next requests answer a
//! chosen status (429 with `Retry-After`, 500, 503, ...), arrive late, or be carried out
//! with their answer lost ([`Fault::LoseAnswer`]); [`Sandbox::inject_on`] aims a fault at
//! one route. [`Sandbox::advance_clock`] moves the sandbox's clock forward: passes past
//! their `expiration_date` then expire (`ag.access_pass.expired`; an active one is
//! suspended).
//!
//! # Built on the public API
//!
//! The sandbox is written as a user of this crate could write it: it routes by the
//! [`endpoints`](crate::endpoints) table (so a path cannot differ between the client and the
//! sandbox), decodes requests into the [`models`](crate::models), refuses what
//! [`Validate`](crate::Validate) refuses, checks signatures with
//! [`signing::verify`](crate::signing::verify) and makes its errors with
//! [`Error::from_response`](crate::Error::from_response). Two private layers are shared on
//! purpose, neither of them the client's internals: the hardened HTTP server layer it has in
//! common with `webhooks::Receiver`, and the one ISO-8601 date reader (public as
//! [`reconcile::parse_date`](crate::reconcile::parse_date)). A test
//! (`tests/house.rs`) keeps it so.
//!
//! # Limits
//!
//! The sandbox's HTTP layer (shared with the webhook receiver) holds under hostile traffic,
//! and every refusal it makes has a JSON `{"message"}` body:
//!
//! | attack | answer |
//! | --- | --- |
//! | a request line over 8 KiB | 414 |
//! | a head over 32 KiB, or more than 64 headers | 431 |
//! | a body over 10 MiB (by its `Content-Length`, which is never allocated) | 413 |
//! | a `Transfer-Encoding` body | 411 |
//! | an `HTTP/2.0` request line | 505 |
//! | a request not received within 10 s | 408 |
//! | more than 64 connections at once | 503 with `Retry-After` |
//! | a known path with the wrong method | 405 with `Allow` |
//! | a handler that panics | 500; the sandbox goes on serving |
//!
//! Each connection has a thread of its own, so an idle or slow client holds up no one.
//!
//! # Pages for people
//!
//! Beside the API, the sandbox serves HTML pages (server-rendered, no script, nothing
//! loaded from elsewhere, every value escaped, UTF-8):
//!
//! - **The install page**, what a pass's `install_url` (`/install/{id}`; its
//!   `direct_install_url` shows the same page) opens: the
//!   landing page attached to the pass's template (its name, text, background colour and
//!   password prompt; a plain default page when none is attached), a preview of the pass
//!   in the template's colours with the holder's name, and a button per wallet the
//!   template is for (Apple, Google, both for a unified pass), on a phone or a watch.
//!   **A GET changes nothing** (a link-preview bot or a browser's prefetch installs no
//!   pass); the buttons POST the page's form, which checks the landing page's password,
//!   installs the pass as [`Sandbox::install_on`] does (`ag.access_pass.activated`, or
//!   `devices.added`), and redirects (303) back to the page.
//! - **The dashboard** at the root ([`Sandbox::dashboard_url`]): templates, passes with
//!   their states, devices and history, the event log, webhooks and every delivery attempt
//!   with its outcome, the ledger; and buttons where the real world would act: install on
//!   a phone or a watch, mark the device lost (the pass is suspended, as the wallet does),
//!   remove from the wallet (the newest active device becomes `removed` with an
//!   `ag.access_pass.devices.removed` event; a pass left on no device becomes `unlink`),
//!   and replay a delivery that failed for good (the same envelope, `id` included). The
//!   newest 200 rows of each list are shown.
//!
//! Every form POST must come from the sandbox's own pages: its `Host` must be the
//! sandbox's (`127.0.0.1:port` or `localhost:port`, so a DNS-rebound name is refused),
//! and a browser's `Sec-Fetch-Site` must be `same-origin` and its `Origin` the sandbox's;
//! otherwise it is refused with 403, since a sandbox runs on a developer's machine while
//! other sites are open. Faults ([`Sandbox::inject`]) are for the API: pages are always
//! served.
//!
//! # Webhook delivery
//!
//! Every change the sandbox makes emits an event ([`Sandbox::events`]): a pass issued
//! (`ag.access_pass.issued`), installed (`activated`, or `devices.added` when it was already
//! active), updated, suspended, resumed, unlinked or deleted; a card template created,
//! updated, published (`requested_publishing` then `published`) or deleted; a credential
//! profile or a landing page attached to a template (`attached_to_template`, see below); a
//! landing page created or updated; a credential profile created or deleted; a template
//! pair created (`ag.card_template_pair.created`); an HID org created or activated
//! (`ag.hid_org.created`, `ag.hid_org.activated`). The types are those of [`EventType`](crate::models::EventType).
//!
//! Creating or updating a template with `credential_profiles` or `landing_pages` (lists of
//! ex_ids) sets what the template has attached of that kind (a list replaces the previous
//! one; a kind the request leaves out is unchanged), answers the lists in the template, and
//! emits one `attached_to_template` event for each id not attached before, after the
//! template's own `created`/`updated` event. An id the account does not have is refused
//! with 422 naming the field (`credential_profiles` or `landing_pages`), and nothing
//! changes. Deleting a credential profile detaches it from every template.
//!
//! A template created with `platform` `android` is the Google side, as with `google`: it
//! pairs with an Apple template and issues the Google half of unified passes.
//!
//! Each event is POSTed to every webhook registered with
//! [`ConsoleWebhooks::create`](crate::ConsoleWebhooks::create) whose
//! `subscribed_events` names its type exactly (an empty list subscribes it to every
//! type). The request is the one AccessGrid sends: a CloudEvents 1.0
//! envelope ([`SandboxEvent::envelope`]; `specversion` `"1.0"`, a unique `id`, `source`
//! `"accessgrid"`, `type`, `datacontenttype` `"application/json"`, an ISO 8601 `time`, and
//! `data` with the family's fields: for passes both the documented ones (`access_pass_id`,
//! `card_template_id`, `protocol`, `metadata`, `card_number`, `site_code`, `file_data`, and
//! `device` for an install) and the richer ones the newest official SDK reads (`id`,
//! `state`, `full_name`, `employee_id`, `title`, `start_date`, `expiration_date`, `tag_id`,
//! `card_templates`, `details` as an object, `devices` with each device's credential and
//! status); `card_template_id`, `name`, `platform`, `protocol`, `metadata` for templates;
//! `landing_page_id` or `credential_profile_id`, with `card_template_id` for an attachment;
//! `card_template_pair_id`, `name`, `ios_template`, `android_template` for a pair;
//! `account_org_id`, `slug`, `name` for an HID org; see
//! [`EventData`](crate::webhooks::EventData)), with `Content-Type: application/cloudevents+json`,
//! `User-Agent: AccessGrid-Webhooks/1.0` and `Authorization: Bearer <private_key>` (the
//! token of the create answer; an `mtls` webhook gets no `Authorization` header). So a
//! receiver built on [`webhooks::verify`](crate::webhooks::verify) can be tested end to end.
//!
//! - Deliveries go out from a background thread of the sandbox: the API answers without
//!   waiting for any receiver. Events are queued before the answer of the request that
//!   caused them is sent; [`Sandbox::wait_for_deliveries`] waits until the queue is empty
//!   and [`Sandbox::deliveries`] lists every attempt with its outcome.
//! - Only loopback hosts are contacted (`localhost`, `127.0.0.0/8`, `[::1]`), without any
//!   proxy and without following redirects. A webhook with another URL is stored and listed
//!   like any other, but never contacted: each event it subscribed to is recorded as
//!   [`DeliveryOutcome::NotLoopback`].
//! - Any answer other than 200 or 201, and a failed connection, is retried, at least once
//!   like the real service: by default 5 attempts, 50 ms after the first and doubling
//!   ([`SandboxBuilder::webhook_attempts`], [`SandboxBuilder::webhook_backoff`],
//!   [`SandboxBuilder::webhook_timeout`]). Every attempt carries the same envelope, so a
//!   receiver dedupes on its `id` ([`Deduper`](crate::webhooks::Deduper)).
//! - Each webhook receives its events in the order they were emitted: an event waiting for
//!   a retry holds back the later events of the same webhook (not of other webhooks). The
//!   real service promises no order; a receiver should not depend on it.
//! - Deleting a webhook drops its pending deliveries. Dropping the sandbox stops the
//!   delivery thread and joins it; pending deliveries are dropped.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use accessgrid::models::CreateWebhookRequest;
//! use accessgrid::sandbox::{DeliveryOutcome, Sandbox};
//!
//! let sandbox = Sandbox::start()?;
//! let client = sandbox.client();
//! // A URL outside loopback: stored, never contacted.
//! let hook = client.console().webhooks().create(
//!     CreateWebhookRequest::builder()
//!         .name("Door sync")
//!         .url("https://doors.example.com/hook")
//!         .subscribed_events(vec!["ag.card_template.created".to_owned()]),
//! )?;
//! let _token = hook.private_key; // what deliveries to a loopback URL would carry
//! client.console().templates().create(
//!     accessgrid::models::CreateTemplateRequest::builder()
//!         .name("Lab")
//!         .platform("apple")
//!         .use_case("corporate_id")
//!         .protocol("desfire"),
//! )?;
//! assert!(sandbox.wait_for_deliveries(Duration::from_secs(10)));
//! let deliveries = sandbox.deliveries();
//! assert_eq!(deliveries.len(), 1);
//! assert_eq!(deliveries[0].outcome, DeliveryOutcome::NotLoopback);
//! # Ok(()) }
//! ```

mod clock;
mod console;
mod data;
mod delivery;
mod events;
mod exchange;
mod routes;
mod server;
mod shared;
mod state;
mod util;
mod web;

pub use data::{Delivery, DeliveryOutcome, DeviceType, Fault, SandboxEvent, SeenRequest};
pub use shared::{REQUEST_LOG_MAX_BYTES, REQUEST_LOG_MAX_ENTRIES, REQUEST_LOG_MAX_PATH};

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::models::AccessCard;
use crate::{Client, ClientBuilder, Error, SecretKey};

use delivery::{DeliverySettings, Outbox};
use shared::Shared;
use state::{Actor, State};

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    base_url: String,
    addr: SocketAddr,
    account_id: String,
    secret: SecretKey,
    client: Client,
    shared: Arc<Shared>,
    server: Option<crate::http_server::Server>,
    outbox: Arc<Outbox>,
    deliverer: Option<JoinHandle<()>>,
}

/// Settings for a [`Sandbox`]; made by [`Sandbox::builder`].
#[derive(Clone, Default)]
#[must_use]
pub struct SandboxBuilder {
    account_id: Option<String>,
    secret: Option<SecretKey>,
    port: u16,
    delivery: DeliverySettings,
}

impl Sandbox {
    /// Starts a sandbox on a free port of `127.0.0.1`, with fresh random credentials.
    pub fn start() -> std::io::Result<Sandbox> {
        Sandbox::builder().start()
    }

    /// A builder, to choose the credentials or the port.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:53412`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The account id the sandbox accepts as `X-ACCT-ID`.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The secret key requests must be signed with.
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret
    }

    /// A client for this sandbox. It opens a connection per request, so that no pooled
    /// connection outlives the sandbox.
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// A client builder with this sandbox's base URL and credentials, for other settings
    /// (timeouts, user agent, ...). Its connection pool may keep connections to the
    /// sandbox: drop such a client before the sandbox, or a request sent after the sandbox
    /// stopped waits for its timeout.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(self.account_id.clone(), self.secret.clone()).base_url(&self.base_url)
    }

    /// The id of the card template every sandbox starts with (Apple, `corporate_id`,
    /// `desfire`, published), so passes can be issued right away.
    pub fn template_id(&self) -> String {
        self.shared.lock_state().default_template_id().to_owned()
    }

    /// The dashboard's URL (the sandbox's root, e.g. `http://127.0.0.1:53412/`): a page
    /// for people, listing templates, passes with their states and history, the event
    /// log, webhooks and every delivery attempt, and the ledger, with buttons that act
    /// where the real world would. See [the module documentation](self#pages-for-people).
    pub fn dashboard_url(&self) -> String {
        format!("{}/", self.base_url)
    }

    /// Simulates the holder installing the pass on a phone: a `created` (or unlinked) pass
    /// becomes `active`. This is the direct way for tests and programs; a person does the
    /// same with the form of the pass's install page (opening its `install_url` only
    /// shows the page).
    pub fn install(&self, card_id: &str) -> Result<AccessCard, Error> {
        self.install_on(card_id, DeviceType::Mobile)
    }

    /// Simulates the holder installing the pass on a device of the given type.
    pub fn install_on(&self, card_id: &str, device: DeviceType) -> Result<AccessCard, Error> {
        let actor = Actor {
            ip_address: "127.0.0.1".to_owned(),
            user_agent: Some("AccessGrid sandbox wallet".to_owned()),
        };
        self.shared
            .lock_state()
            .install(card_id, device, &actor)
            .map_err(|refused| {
                // The error the client would make of the same refusal over HTTP.
                let body = serde_json::json!({ "message": refused.message }).to_string();
                Error::from_response(refused.status, body)
            })
    }

    /// Makes the next `times` requests to the API get `fault` (after any faults injected
    /// before). A fault answers before credentials are checked, like a proxy would.
    /// Requests to the pages (install pages, the dashboard) are not affected. Each retry a client makes is a request
    /// of its own: inject enough faults to outlast them.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use accessgrid::sandbox::{Fault, Sandbox};
    ///
    /// let sandbox = Sandbox::start()?;
    /// sandbox.inject(Fault::Status(503), 10);
    /// let err = sandbox.client().access_cards().get("0xc4rd1d").unwrap_err();
    /// assert_eq!(err.status(), Some(503));
    ///
    /// sandbox.clear_faults();
    /// sandbox.inject(Fault::RateLimited { retry_after: 1 }, 10);
    /// let err = sandbox.client().access_cards().get("0xc4rd1d").unwrap_err();
    /// assert_eq!(err.api().and_then(|e| e.retry_after.as_deref()), Some("1"));
    /// # Ok(()) }
    /// ```
    pub fn inject(&self, fault: Fault, times: u32) {
        self.shared.inject(fault, times, None);
    }

    /// Like [`inject`](Sandbox::inject), for the next `times` requests with this method
    /// and path (without the query) only, such as `("POST", "/v1/key-cards")`: other
    /// requests pass untouched.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use accessgrid::models::{IssueCardRequest, ListCardsQuery};
    /// use accessgrid::sandbox::{Fault, Sandbox};
    ///
    /// let sandbox = Sandbox::start()?;
    /// let client = sandbox.client();
    /// sandbox.inject_on("POST", "/v1/key-cards", Fault::LoseAnswer, 1);
    /// let lost = client.access_cards().issue(
    ///     IssueCardRequest::builder()
    ///         .card_template_id(sandbox.template_id())
    ///         .full_name("Ada Lovelace")
    ///         .site_code("42")
    ///         .card_number("1234"),
    /// );
    /// // The pass was issued, but the answer never came: the client cannot know.
    /// assert!(matches!(lost, Err(accessgrid::Error::OutcomeUnknown { .. })));
    /// let page = client.access_cards().list(ListCardsQuery::builder().template_id(sandbox.template_id()))?;
    /// assert_eq!(page.items().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn inject_on(&self, method: &str, path: &str, fault: Fault, times: u32) {
        self.shared
            .inject(fault, times, Some((method.to_owned(), path.to_owned())));
    }

    /// The sandbox's clock now: the system's time, plus what
    /// [`advance_clock`](Sandbox::advance_clock) moved it forward by. Timestamps in
    /// answers and events, and pass expiry, follow it.
    pub fn now(&self) -> std::time::SystemTime {
        let millis = self.shared.lock_state().now();
        let since = Duration::from_millis(u64::try_from(millis).unwrap_or(0));
        std::time::UNIX_EPOCH + since
    }

    /// Moves the sandbox's clock forward by `by`. Every pass whose `expiration_date` is
    /// now past expires: an `active` one becomes `suspended` (the state the provider's
    /// guide has receivers record for an expiry), any other keeps its state, and each
    /// emits `ag.access_pass.expired` once (delivered to webhooks like every event). An
    /// expired pass whose `expiration_date` is later updated past the clock is renewed:
    /// `ag.access_pass.renewed`, and `active` again if its expiry suspended it. Passes
    /// expire only when the clock is moved (by any amount, zero included), never as the
    /// real time passes: so a test decides when, and the documentation's examples, whose
    /// dates are in the past, keep working.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use accessgrid::models::{CardState, IssueCardRequest, UpdateCardRequest};
    /// use accessgrid::sandbox::Sandbox;
    ///
    /// let sandbox = Sandbox::start()?;
    /// let client = sandbox.client();
    /// let card = client.access_cards().issue(
    ///     IssueCardRequest::builder()
    ///         .card_template_id(sandbox.template_id())
    ///         .full_name("Ada Lovelace")
    ///         .site_code("42")
    ///         .card_number("1234")
    ///         .expiration_date("2099-01-01T00:00:00Z"),
    /// )?;
    /// sandbox.install(&card.id)?;
    /// sandbox.advance_clock(Duration::from_secs(100 * 366 * 24 * 3600));
    /// assert_eq!(client.access_cards().get(&card.id)?.state, Some(CardState::Suspended));
    /// assert!(sandbox.events().iter().any(|e| e.kind == "ag.access_pass.expired"));
    ///
    /// let renewed = client.access_cards().update(
    ///     &card.id,
    ///     UpdateCardRequest::builder().expiration_date("2299-01-01T00:00:00Z"),
    /// )?;
    /// assert_eq!(renewed.state, Some(CardState::Active));
    /// # Ok(()) }
    /// ```
    pub fn advance_clock(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.shared.lock_state().advance_clock(millis);
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// The requests the sandbox answered so far, in order (install pages included): the
    /// newest [`REQUEST_LOG_MAX_ENTRIES`] of them, fewer when their methods and paths
    /// together exceed [`REQUEST_LOG_MAX_BYTES`]; a path over [`REQUEST_LOG_MAX_PATH`] bytes
    /// is kept cut (see [`SeenRequest`]). So no client, authenticated or not, can make the
    /// log grow without bound.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.requests()
    }

    /// Every event recorded so far, in order, as webhook subscribers receive them: one
    /// per pass issued, installed, updated, suspended, resumed, unlinked or deleted
    /// (`ag.access_pass.*`), and per template, landing page or credential profile created,
    /// updated, published or deleted (`ag.card_template.*`, ...). Events are recorded
    /// whether or not a webhook subscribed to them.
    pub fn events(&self) -> Vec<SandboxEvent> {
        self.shared.lock_state().events.clone()
    }

    /// Every webhook delivery attempt so far, in the order they were made, with the
    /// receiver's status (or why there was none); and one record with
    /// [`DeliveryOutcome::NotLoopback`] for each event a webhook whose URL is not on
    /// loopback subscribed to. Call [`wait_for_deliveries`](Sandbox::wait_for_deliveries)
    /// first to see the attempts of events just emitted.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.outbox.records()
    }

    /// Waits until every emitted event has been delivered, or has failed its last attempt
    /// (nothing is queued or in flight); answers `false` if `timeout` passed first. Events
    /// are queued before the API answers the request that caused them, so after a call
    /// returns its events are waited for.
    #[must_use = "false means deliveries were still pending when the timeout passed"]
    pub fn wait_for_deliveries(&self, timeout: Duration) -> bool {
        self.outbox.wait_idle(timeout)
    }
}

impl SandboxBuilder {
    /// The account id to accept (default: a fresh random one).
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// The secret key requests must be signed with (default: a fresh random one).
    pub fn secret_key(mut self, secret_key: impl Into<SecretKey>) -> Self {
        self.secret = Some(secret_key.into());
        self
    }

    /// The port on `127.0.0.1` (default 0: a free port chosen by the system).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many times the sandbox tries to deliver an event to a webhook, the first
    /// attempt included (default 5; 0 counts as 1). A receiver that answers anything but
    /// 200 or 201, or cannot be reached, gets the event again after a wait.
    pub fn webhook_attempts(mut self, attempts: u32) -> Self {
        self.delivery.attempts = attempts.max(1);
        self
    }

    /// The wait before the second delivery attempt (default 50 ms); it doubles for each
    /// attempt after that, up to 5 s (or up to `backoff` itself when that is longer).
    pub fn webhook_backoff(mut self, backoff: Duration) -> Self {
        self.delivery.backoff = backoff;
        self
    }

    /// The connect and whole-request timeout of one delivery attempt (default 2 s). A
    /// dropped sandbox waits for an attempt in flight at most this long.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.delivery.timeout = timeout;
        self
    }

    /// Binds the port and starts serving.
    pub fn start(self) -> std::io::Result<Sandbox> {
        let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
        let mut ids = util::IdGen::new();
        let account_id = self
            .account_id
            .unwrap_or_else(|| format!("sandbox_{}", ids.token(16)));
        let secret = self.secret.unwrap_or_else(|| SecretKey::new(ids.token(48)));
        if account_id.trim().is_empty() || secret.is_blank() {
            return Err(invalid(
                "the sandbox's account id and secret key must not be empty",
            ));
        }

        let listener = TcpListener::bind(("127.0.0.1", self.port))?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");

        // A client as any program would make one, keeping no idle connection open (so a
        // stopped sandbox has no connection left to it).
        let client = Client::builder(account_id.clone(), secret.clone())
            .base_url(&base_url)
            .max_idle_connections(0)
            .build()
            .map_err(|e| std::io::Error::other(e.to_string()))?;

        let outbox = Arc::new(Outbox::new(self.delivery));
        let mut state = State::new(base_url.clone());
        state.outbox = Some(Arc::clone(&outbox));
        let shared = Arc::new(Shared::new(account_id.clone(), secret.clone(), state));
        let deliverer = delivery::spawn(
            Arc::clone(&outbox),
            format!("accessgrid-sandbox-{}-webhooks", addr.port()),
        )?;
        let limits = crate::http_server::Limits {
            max_body: server::MAX_BODY,
            ..crate::http_server::Limits::default()
        };
        let started = crate::http_server::Server::from_listener(
            listener,
            limits,
            &format!("accessgrid-sandbox-{}", addr.port()),
            Arc::new(server::Api(Arc::clone(&shared))),
        );
        let server = match started {
            Ok(server) => server,
            Err(e) => {
                outbox.stop();
                let _ = deliverer.join();
                return Err(e);
            }
        };
        Ok(Sandbox {
            base_url,
            addr,
            account_id,
            secret,
            client,
            shared,
            server: Some(server),
            outbox,
            deliverer: Some(deliverer),
        })
    }
}

impl Drop for Sandbox {
    /// Stops the workers (a delayed request is cut short), joins them, stops the webhook
    /// delivery thread (pending deliveries are dropped; an attempt in flight ends within the
    /// delivery timeout) and joins it, closes the listener and waits (up to 2 s) until the
    /// port can be bound again.
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Stops accepting, closes the listener and waits for the requests being served.
        if let Some(mut server) = self.server.take() {
            server.stop();
        }
        self.outbox.stop();
        if let Some(handle) = self.deliverer.take() {
            let _ = handle.join();
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if TcpListener::bind(self.addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

debug_fields!(Sandbox, |s| {
    base_url,
    account_id,
    secret_key: s.secret,
    ..
});

debug_fields!(SandboxBuilder, |s| {
    account_id,
    secret_key: s.secret.as_ref().map(|_| "[redacted]"),
    port,
    delivery,
});
