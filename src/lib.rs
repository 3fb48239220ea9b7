//! # accessgrid
//!
//! A blocking Rust SDK for the [AccessGrid](https://www.accessgrid.com) API: issue NFC
//! access passes to Apple and Google Wallet, suspend, resume, unlink and delete them, and
//! manage templates through the enterprise console.
//!
//! - [`Client`] signs every request (HMAC-SHA256 over the base64 of the body, or of `sig_payload` for a body-less request; module [`signing`]) and sends it over one
//!   shared connection pool; it is `Clone + Send + Sync` and needs no async runtime.
//! - Every request and answer type in [`models`] is generated from the JSON Schema files in
//!   `schema/` at build time. Requests refuse only what is certainly invalid before
//!   anything is sent (the same checks run alone with [`Validate`]), and can carry fields the schema does not know yet; answers keep every
//!   field they do not model ([`models::ExtraFields`]) and accept `null`s and new
//!   enumeration values.
//! - Every failure is one [`Error`], which keeps the status and raw body of what the server
//!   said.
//! - [`webhooks`] receives AccessGrid's webhooks: it verifies the bearer token, parses the
//!   CloudEvents envelope into a typed event, and tells repeated deliveries apart.
//!   With the cargo feature `webhook-receiver` (off by default), `webhooks::Receiver` is a
//!   whole hardened receiver to embed in a daemon (no async runtime).
//!   With the feature `durable`, `webhooks::DurableSeenStore` keeps the ids of handled
//!   events in a redb database file, across restarts and crashes.
//! - [`reconcile`] keeps AccessGrid in step with a system of record (a door controller's
//!   PACS): a snapshot of every pass, a plan with a reason per action and a guard against
//!   mass deletion, and issuing that never gives a person two passes.
//! - With the cargo feature `smart-tap` (off by default), `Templates::reveal_smart_tap`
//!   reveals a card template's SmartTap private key, encrypted to a key pair made for the
//!   call and decrypted on the client (module `smart_tap`: P-256 ECDH, HKDF-SHA256,
//!   AES-256-GCM from the RustCrypto crates).
//!
//! ```no_run
//! # fn main() -> Result<(), accessgrid::Error> {
//! use accessgrid::models::{CardState, IssueCardRequest, ListCardsQuery};
//!
//! // ACCESSGRID_ACCOUNT_ID and ACCESSGRID_SECRET_KEY: the console's API keys page.
//! let client = accessgrid::Client::from_env()?;
//! let card = client.access_cards().issue(
//!     IssueCardRequest::builder()
//!         .card_template_id("0xd3adb00b5")
//!         .full_name("Ada Lovelace")
//!         .site_code("42")
//!         .card_number("1234"),
//! )?;
//! println!("send the holder to {:?}", card.install_url);
//!
//! // A pass can be suspended once its holder has installed it (it is then active).
//! if client.access_cards().get(&card.id)?.state == Some(CardState::Active) {
//!     client.access_cards().suspend(&card.id)?;
//! }
//! let page = client.access_cards().list(
//!     ListCardsQuery::builder().template_id("0xd3adb00b5").state(CardState::Suspended),
//! )?;
//! println!("{} suspended passes", page.len());
//! # Ok(()) }
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod debug_fields;
mod api;
mod client;
mod dates;
pub mod endpoints;
mod error;
#[cfg(any(feature = "sandbox", feature = "webhook-receiver"))]
// Each server uses part of the layer; with one of them built, the rest is unused.
#[cfg_attr(
    not(all(feature = "sandbox", feature = "webhook-receiver")),
    allow(dead_code)
)]
mod http_server;
pub mod models;
mod pagination;
pub mod reconcile;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
#[cfg(feature = "smart-tap")]
#[cfg_attr(docsrs, doc(cfg(feature = "smart-tap")))]
pub mod smart_tap;
mod validate;
pub mod webhooks;

pub use api::{
    AccessCards, Console, ConsoleWebhooks, CredentialProfiles, Hid, HidOrgs, LandingPages, Ledger,
    TemplatePairs, Templates, KEY_HEX_LEN,
};
pub use client::request::Request;
pub use client::retry::{
    RetryPolicy, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_ELAPSED,
    DEFAULT_MAX_RETRIES,
};
pub use client::secret::SecretKey;
pub use client::signing;
pub use client::throttle::{Throttle, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_REQUESTS, DEFAULT_WINDOW};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_READ_TIMEOUT, ENV_ACCOUNT_ID, ENV_BASE_URL, ENV_SECRET_KEY,
};
pub use error::{ApiError, DecodeError, Error, TransportError};
pub use pagination::{Page, PageInfo, Pages};
/// The HTTP method of [`Client::request`] (`http`'s, as `ureq` re-exports it): public
/// because the escape hatch takes one, and the [`endpoints`] descriptors name theirs.
pub use ureq::http::Method;
pub use validate::{IntoRequest, Validate};

/// The README's code blocks, compiled and run as doc tests.
#[cfg(all(doctest, feature = "sandbox", feature = "webhook-receiver"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
