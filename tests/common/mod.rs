//! What the test crates share, one module per job. Each test crate includes the whole
//! folder with `mod common;` and uses what it needs; the rest is dead code there, hence the
//! one `allow` below.
//!
//! - [`agent`]: a plain ureq agent for raw requests.
//! - [`json`]: JSON comparisons.
//! - [`mock_server`]: a client for a local mockito server and mocks that accept only the exact
//!   request; re-exported here (`common::mock(..)`, `common::Expected`), as most tests use it.
//! - [`raw`]: a scripted raw HTTP/1.1 server for what mockito cannot do (dropped
//!   connections, truncated or slow answers, connection counting).
//! - [`tls`]: an HTTPS server with a per-run private CA (rcgen, rustls).
//! - [`ports`]: loopback ports held bound but never listening ("nobody listens here").
//! - [`receiver`]: a webhook receiver that records what it got and answers as told.
//! - [`sandbox`]: helpers for tests against the in-process sandbox.
//! - [`web`]: raw exchanges, a webhook receiver and a pass to install, for the sandbox's
//!   web pages.
//! - [`abuse`]: the servers this crate ships, attacked over raw connections with deadlines.
#![allow(dead_code)]

#[cfg(any(feature = "sandbox", feature = "webhook-receiver"))]
pub mod abuse;
pub mod agent;
pub mod json;
pub mod mock_server;
pub mod ports;
pub mod raw;
pub mod receiver;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod tls;
#[cfg(feature = "sandbox")]
pub mod web;

// Unused in the crates that use none of it.
#[allow(unused_imports)]
pub use mock_server::*;
