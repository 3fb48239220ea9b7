//! The HTTP core: the client and its builder ([`Client`], [`ClientBuilder`]), one request
//! on the wire (`transport`), signing (`signing`), retries (`retry`), the throttle
//! (`throttle`), the secret key (`secret`) and the signed escape hatch (`request`). It
//! knows nothing of the API's resources: those are `crate::api`, built on
//! [`Client::request`]'s internal counterpart.

pub(crate) mod connector;
pub(crate) mod request;
pub(crate) mod retry;
pub(crate) mod secret;
pub mod signing;
pub(crate) mod throttle;
pub(crate) mod transport;

use std::sync::Arc;
use std::time::Duration;

use crate::client::retry::RetryPolicy;
use crate::client::secret::SecretKey;
use crate::client::throttle::{Limiter, Throttle};
use crate::error::Error;

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!(
    "accessgrid needs a TLS implementation: enable the `rustls` (default) or `native-tls` feature"
);

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.accessgrid.com";
/// Default limit on establishing a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit on each stage of an exchange once connected: sending the request, waiting
/// for the answer's status and headers, reading its body.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The environment variable [`Client::from_env`] reads the account id from.
pub const ENV_ACCOUNT_ID: &str = "ACCESSGRID_ACCOUNT_ID";
/// The environment variable [`Client::from_env`] reads the secret key from.
pub const ENV_SECRET_KEY: &str = "ACCESSGRID_SECRET_KEY";
/// The environment variable [`Client::from_env`] reads the base URL from (optional).
pub const ENV_BASE_URL: &str = "ACCESSGRID_BASE_URL";
/// Default limit on the size of an answer body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// The client's time limits on one attempt; see [`ClientBuilder::connect_timeout`],
/// [`ClientBuilder::read_timeout`] and [`ClientBuilder::timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub(crate) connect: Option<Duration>,
    pub(crate) read: Option<Duration>,
    pub(crate) overall: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Some(DEFAULT_CONNECT_TIMEOUT),
            read: Some(DEFAULT_READ_TIMEOUT),
            overall: None,
        }
    }
}

/// Sets [`Timeouts`] on a `ureq` configuration builder, an agent's or a request's (two
/// types with the same methods). Name resolution gets a limit only from `overall`: any
/// limit on it makes `ureq` resolve on a thread of its own, per call.
macro_rules! with_timeouts {
    ($config:expr, $timeouts:expr) => {{
        let t: $crate::client::Timeouts = $timeouts;
        $config
            .timeout_connect(t.connect)
            .timeout_send_request(t.read)
            .timeout_send_body(t.read)
            .timeout_recv_response(t.read)
            .timeout_recv_body(t.read)
            .timeout_global(t.overall)
    }};
}
pub(crate) use with_timeouts;

/// Declares builder setters, each written once: its doc, its name and argument, and the
/// field it stores the argument in (as the expression after `=`). Each becomes a documented
/// `pub fn name(mut self, argument) -> Self`.
macro_rules! setters {
    ($(
        $(#[$attr:meta])*
        fn $name:ident($arg:ident: $ty:ty) => $($field:ident).+ = $value:expr;
    )*) => {
        $(
            $(#[$attr])*
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.$($field).+ = $value;
                self
            }
        )*
    };
}
pub(crate) use setters;

/// A blocking AccessGrid API client.
///
/// Cheap to clone: clones share one connection pool, configuration and
/// [throttle](crate::Throttle), and a `Client` can be used from many threads at once
/// (`Clone + Send + Sync`).
///
/// Every call is bounded: the connect and read timeouts apply to each attempt, answers
/// larger than the size limit are refused, failed calls are retried only where that is safe
/// ([`RetryPolicy`](crate::RetryPolicy)), and the client keeps to the provider's rate and concurrency limits.
///
/// # Logging
///
/// The client logs through the [`log`](https://docs.rs/log) facade: each attempt at
/// `debug` (method, path without its query, status or failure, attempt number, time taken)
/// and each retry at `info`, under the target `accessgrid::transport`. It never logs a
/// header, a body (they hold personal data), the query, the secret key or a signature, and
/// neither `Debug` of the client, its builder or any [`Error`] shows the key or a
/// signature. Beware of `ureq`'s own `trace` level (targets `ureq` and `ureq_proto`): it
/// dumps the raw bytes on the wire, the `X-PAYLOAD-SIG` header and bodies included; its
/// `debug` level and below redact headers. Keep those targets at `debug` or lower in
/// production.
///
/// ```no_run
/// # fn main() -> Result<(), accessgrid::Error> {
/// let client = accessgrid::Client::new("my-account-id", "my-secret-key")?;
/// let card = client.access_cards().get("0xc4rd1d")?;
/// println!("{:?}", card.state);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) account_id: String,
    /// Without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) agent: ureq::Agent,
    pub(crate) user_agent: String,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_response_bytes: u64,
    /// Whether the agent was given by the caller (its configuration is then not ours).
    pub(crate) foreign_agent: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) throttle: Throttle,
    pub(crate) limiter: Limiter,
    /// Header values that are the same on every request, checked once at construction.
    pub(crate) fixed_headers: FixedHeaders,
    /// The HMAC keyed once with the secret key.
    pub(crate) signer: crate::client::signing::Signer,
}

/// The header that carries a request's signature.
pub(crate) const X_PAYLOAD_SIG: ureq::http::HeaderName =
    ureq::http::HeaderName::from_static("x-payload-sig");

/// The headers of every request, validated and laid out once so no call pays for it:
/// `X-ACCT-ID`, `X-PAYLOAD-SIG` (a placeholder each request replaces in place),
/// `Content-Type`, `Accept` and `User-Agent`, in that order.
pub(crate) struct FixedHeaders {
    pub(crate) template: ureq::http::HeaderMap,
}

impl Client {
    /// A client for the production API with default settings.
    ///
    /// Fails with [`Error::Config`] on an empty account id or secret key.
    pub fn new(
        account_id: impl Into<String>,
        secret_key: impl Into<SecretKey>,
    ) -> Result<Client, Error> {
        Client::builder(account_id, secret_key).build()
    }

    /// A client from the environment: `ACCESSGRID_ACCOUNT_ID`, `ACCESSGRID_SECRET_KEY`, and
    /// `ACCESSGRID_BASE_URL` when set (else the production API).
    ///
    /// Only these prefixed names are read. The generic `ACCOUNT_ID` and `SECRET_KEY` (which
    /// some official SDKs' examples read) are not: any tool may set names that plain, and a
    /// program must not start acting on a real, paying account because of them.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder_from_env()?.build()
    }

    /// A builder from the environment, as [`Client::from_env`] reads it, for further settings.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        // Say why a generic name set in the environment was not used.
        let missing = |name: &str, generic: &str, what: &str| {
            let hint = if read(generic).is_some() {
                format!(" ({generic} is set, but only {name} is read)")
            } else {
                String::new()
            };
            Error::Config(format!("set {name} to the {what}{hint}"))
        };
        let account = read(ENV_ACCOUNT_ID)
            .ok_or_else(|| missing(ENV_ACCOUNT_ID, "ACCOUNT_ID", "account id"))?;
        let secret = read(ENV_SECRET_KEY)
            .ok_or_else(|| missing(ENV_SECRET_KEY, "SECRET_KEY", "secret key"))?;
        let mut builder = Client::builder(account, secret);
        if let Some(url) = read(ENV_BASE_URL) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// A builder for a client with non-default settings.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = accessgrid::Client::builder("my-account-id", "my-secret-key")
    ///     .base_url("https://api.accessgrid.com")
    ///     .connect_timeout(Duration::from_secs(3))
    ///     .read_timeout(Duration::from_secs(20))
    ///     .user_agent("door-daemon/2.1")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://api.accessgrid.com");
    /// # Ok::<(), accessgrid::Error>(())
    /// ```
    pub fn builder(
        account_id: impl Into<String>,
        secret_key: impl Into<SecretKey>,
    ) -> ClientBuilder {
        ClientBuilder {
            account_id: account_id.into(),
            secret: secret_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeouts: Timeouts::default(),
            user_agent: default_user_agent(),
            agent: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            throttle: Throttle::default(),
            extra_roots: Vec::new(),
            built_in_roots: true,
            native_tls: false,
            max_idle_connections: None,
        }
    }

    /// The account id sent as `X-ACCT-ID`.
    pub fn account_id(&self) -> &str {
        &self.inner.account_id
    }

    /// The base URL every path is appended to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The `ureq` agent the client sends through: its own (built with the client's
    /// timeouts, TLS and pool settings) or the one given to [`ClientBuilder::agent`]. A clone
    /// shares the connection pool, for other requests to the same hosts.
    pub fn agent(&self) -> &ureq::Agent {
        &self.inner.agent
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The throttle in force (shared with every clone of this client).
    pub fn throttle(&self) -> &Throttle {
        &self.inner.throttle
    }
}

debug_fields!(Client, |s| {
    account_id: s.inner.account_id,
    secret_key: s.inner.signer,
    base_url: s.inner.base_url,
    user_agent: s.inner.user_agent,
    timeouts: s.inner.timeouts,
    max_response_bytes: s.inner.max_response_bytes,
    custom_agent: s.inner.foreign_agent,
    retry: s.inner.retry,
    throttle: s.inner.throttle,
    ..
});

/// The `User-Agent` sent by default: `accessgrid-rs/<version>`.
pub(crate) fn default_user_agent() -> String {
    concat!("accessgrid-rs/", env!("CARGO_PKG_VERSION")).to_owned()
}

/// Settings for a [`Client`]; made by [`Client::builder`].
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    account_id: String,
    secret: SecretKey,
    base_url: String,
    timeouts: Timeouts,
    user_agent: String,
    agent: Option<ureq::Agent>,
    max_response_bytes: u64,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    throttle: Throttle,
    /// PEM texts, parsed by `build`.
    extra_roots: Vec<Vec<u8>>,
    built_in_roots: bool,
    native_tls: bool,
    max_idle_connections: Option<usize>,
}

impl ClientBuilder {
    setters! {
        /// The API's base URL (default [`DEFAULT_BASE_URL`]), e.g. a sandbox's. `https` is
        /// required, except for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) or after
        /// [`ClientBuilder::allow_insecure_http`].
        fn base_url(url: impl Into<String>) => base_url = url.into();

        /// Limit on establishing a connection: TCP connect and TLS handshake (default
        /// [5 s](DEFAULT_CONNECT_TIMEOUT)); `None` for no limit. A call on a kept-alive
        /// connection does not connect. The host name is resolved by the operating system's
        /// resolver within its own limits (see [`timeout`](ClientBuilder::timeout) to bound
        /// that too).
        fn connect_timeout(limit: impl Into<Option<Duration>>) => timeouts.connect = limit.into();

        /// Limit on each stage of an exchange once connected (default
        /// [30 s](DEFAULT_READ_TIMEOUT)), each stage timed on its own: sending the request (head,
        /// then body), waiting for the answer's status line and headers, reading the answer's
        /// body in full. `None` for no limit. These are the connect and read timeouts of
        /// AccessGrid's integration guide.
        fn read_timeout(limit: impl Into<Option<Duration>>) => timeouts.read = limit.into();

        /// One overall limit on each attempt, from resolving the host name to the last byte of
        /// the answer; off by default, on top of the connect and read timeouts. Retries and
        /// their waits come on top, within the [`RetryPolicy`]'s cap on the whole call.
        ///
        /// Its price: to hold name resolution to it, `ureq` resolves the host on a new thread
        /// for every attempt (some tens of microseconds each; nothing next to a call over the
        /// Internet, but it shows in tight loops on a local network). The connect and read
        /// timeouts cost nothing of the kind.
        fn timeout(limit: impl Into<Option<Duration>>) => timeouts.overall = limit.into();

        /// The `User-Agent` header (default `accessgrid-rs/<version>`).
        fn user_agent(user_agent: impl Into<String>) => user_agent = user_agent.into();

        /// Use the caller's own `ureq` agent (its pool, proxy and TLS settings).
        ///
        /// Per request the client still sets what it depends on: its own
        /// [`connect_timeout`](ClientBuilder::connect_timeout),
        /// [`read_timeout`](ClientBuilder::read_timeout) and [`timeout`](ClientBuilder::timeout)
        /// (overriding the agent's), reading error statuses
        /// as answers, and following no redirects. The TLS settings of this builder
        /// ([`add_root_certificate_pem`](ClientBuilder::add_root_certificate_pem), ...) cannot be
        /// combined with a caller's agent: configure them on the agent.
        fn agent(agent: ureq::Agent) => agent = Some(agent);

        /// How many idle connections the client's own agent keeps open for reuse (default: as
        /// many as may be in flight, at least 3); 0 closes every connection after its call.
        /// Not for a caller's [`agent`](ClientBuilder::agent), whose pool is its own.
        fn max_idle_connections(idle: usize) => max_idle_connections = Some(idle);

        /// Limit on the size of an answer body, after decompression (default 10 MiB); a larger
        /// answer is [`Error::ResponseTooLarge`]. Reading stops at the limit (or at once, when
        /// the declared length is over it), so memory stays bounded by it.
        fn max_response_bytes(limit: u64) => max_response_bytes = limit;

        /// Allow a plain `http` base URL on a host that is not loopback. Off by default:
        /// the signature and personal data would cross the network unencrypted.
        fn allow_insecure_http(allow: bool) => allow_insecure_http = allow;

        /// How failed calls are retried (default [`RetryPolicy::default`]: up to 3 retries with
        /// jittered exponential backoff); [`RetryPolicy::none`] turns retries off.
        fn retry(policy: RetryPolicy) => retry = policy;

        /// Limits on request rate and requests in flight, shared by the client and its clones
        /// (default [`Throttle::default`]: 20 a second, 5 at once); [`Throttle::off`] removes
        /// them.
        fn throttle(throttle: Throttle) => throttle = throttle;

        /// Whether the built-in roots are trusted besides the added ones (default `true`).
        /// With `false`, only certificates from
        /// [`add_root_certificate_pem`](ClientBuilder::add_root_certificate_pem) are trusted
        /// (at least one is then required).
        ///
        /// The built-in roots are Mozilla's (bundled), except with
        /// [`native_tls`](ClientBuilder::native_tls) and no added certificate, where they are
        /// the operating system's trust store.
        fn tls_built_in_roots(trust: bool) => built_in_roots = trust;
    }

    /// Also trust the CA certificate(s) in this PEM text, for example a corporate proxy's
    /// that inspects TLS. Every certificate in the text is added; the built-in roots stay
    /// trusted unless [`tls_built_in_roots(false)`](ClientBuilder::tls_built_in_roots).
    /// Certificate verification itself can never be turned off. A PEM text without a
    /// certificate makes [`build`](ClientBuilder::build) fail.
    ///
    /// ```no_run
    /// let pem = std::fs::read("/etc/ssl/corporate-root.pem").expect("readable");
    /// let client = accessgrid::Client::builder("my-account-id", "my-secret-key")
    ///     .add_root_certificate_pem(pem)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), accessgrid::Error>(())
    /// ```
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(pem.into());
        self
    }

    /// Use the platform's TLS library (OpenSSL on Linux, Secure Transport on macOS,
    /// SChannel on Windows) instead of rustls, with the operating system's trust store.
    /// Needs the `native-tls` feature. Without the `rustls` feature it is the only choice
    /// and is used anyway.
    #[cfg(feature = "native-tls")]
    pub fn native_tls(mut self) -> Self {
        self.native_tls = true;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`Error::Config`] on an empty account id or secret key, a base URL that
    /// is malformed or plain `http` to a host that is not loopback (without
    /// [`allow_insecure_http`](ClientBuilder::allow_insecure_http)), a throttle limit of zero,
    /// a PEM text without a certificate, or TLS settings combined with a caller's agent.
    pub fn build(self) -> Result<Client, Error> {
        if self.account_id.trim().is_empty() {
            return Err(Error::Config("the account id is empty".into()));
        }
        if self.secret.is_blank() {
            return Err(Error::Config("the secret key is empty".into()));
        }
        let base_url = check_base_url(&self.base_url, self.allow_insecure_http)?;
        self.throttle.check()?;
        let limiter = Limiter::new(&self.throttle);
        let loopback = is_loopback_url(&base_url);
        let foreign_agent = self.agent.is_some();
        let tls_customized =
            !self.extra_roots.is_empty() || !self.built_in_roots || self.native_tls;
        let agent = match self.agent {
            Some(_) if tls_customized => {
                return Err(Error::Config(
                    "TLS settings (root certificates, native-tls) cannot be combined with a custom agent: configure them on the agent".into(),
                ))
            }
            Some(agent) => agent,
            None => {
                let tls = tls_config(&self.extra_roots, self.built_in_roots, self.native_tls)?;
                // Keep as many idle connections as may be in flight, so a busy client
                // does not reconnect for every request.
                let idle = self
                    .max_idle_connections
                    .unwrap_or_else(|| limiter.max_in_flight().unwrap_or(10).max(3));
                let config = with_timeouts!(ureq::Agent::config_builder(), self.timeouts)
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .max_idle_connections_per_host(idle)
                    .max_idle_connections(if idle == 0 { 0 } else { idle.max(10) })
                    .tls_config(tls)
                    .user_agent(self.user_agent.as_str());
                // A proxy from the environment never applies to a loopback server.
                let config = if loopback { config.proxy(None) } else { config };
                connector::agent(config.build())
            }
        };
        let header = |what: &str, value: &str| {
            ureq::http::HeaderValue::from_str(value).map_err(|_| {
                Error::Config(format!(
                    "the {what} holds characters an HTTP header cannot carry"
                ))
            })
        };
        let signer = crate::client::signing::Signer::new(self.secret.expose());
        let fixed_headers = {
            use ureq::http::header::{self as h, HeaderValue};
            let json = HeaderValue::from_static("application/json");
            let mut template = ureq::http::HeaderMap::with_capacity(5);
            template.insert("x-acct-id", header("account id", &self.account_id)?);
            template.insert(X_PAYLOAD_SIG, HeaderValue::from_static(""));
            template.insert(h::CONTENT_TYPE, json.clone());
            template.insert(h::ACCEPT, json);
            template.insert(h::USER_AGENT, header("user agent", &self.user_agent)?);
            FixedHeaders { template }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                account_id: self.account_id,
                base_url,
                agent,
                user_agent: self.user_agent,
                timeouts: self.timeouts,
                max_response_bytes: self.max_response_bytes,
                foreign_agent,
                retry: self.retry,
                throttle: self.throttle,
                limiter,
                fixed_headers,
                signer,
            }),
        })
    }
}

debug_fields!(ClientBuilder, |s| {
    account_id,
    secret_key: s.secret,
    base_url,
    timeouts,
    user_agent,
    custom_agent: s.agent.is_some(),
    max_response_bytes,
    allow_insecure_http,
    retry,
    throttle,
    extra_root_certificates: s.extra_roots.len(),
    tls_built_in_roots: s.built_in_roots,
    native_tls,
    max_idle_connections,
});

/// The TLS settings: which library, and which roots. Verification always stays on.
fn tls_config(
    extra_pems: &[Vec<u8>],
    built_in_roots: bool,
    native_tls: bool,
) -> Result<ureq::tls::TlsConfig, Error> {
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

    let native = native_tls || cfg!(not(feature = "rustls"));
    let mut extra: Vec<Certificate<'static>> = Vec::new();
    for (i, pem) in extra_pems.iter().enumerate() {
        let before = extra.len();
        for item in ureq::tls::parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => extra.push(cert),
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::Config(format!(
                        "root certificate PEM #{} cannot be read: {e}",
                        i + 1
                    )))
                }
            }
        }
        if extra.len() == before {
            return Err(Error::Config(format!(
                "root certificate PEM #{} holds no certificate",
                i + 1
            )));
        }
    }
    let roots = match (extra.is_empty(), built_in_roots) {
        (true, false) => {
            return Err(Error::Config(
                "tls_built_in_roots(false) needs at least one add_root_certificate_pem".into(),
            ))
        }
        // The operating system's store is the point of native-tls.
        (true, true) if native => RootCerts::PlatformVerifier,
        (true, true) => RootCerts::WebPki,
        (false, true) => webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()))
            .chain(extra)
            .collect::<Vec<_>>()
            .into(),
        (false, false) => extra.into(),
    };
    let provider = if native {
        TlsProvider::NativeTls
    } else {
        TlsProvider::Rustls
    };
    Ok(TlsConfig::builder()
        .provider(provider)
        .root_certs(roots)
        .build())
}

/// Checks a base URL and returns it without a trailing slash.
fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let bad = |why: &str| Error::Config(format!("base URL `{url}` {why}"));
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad("is not a valid URL"))?;
    let scheme = uri
        .scheme_str()
        .ok_or_else(|| bad("has no scheme (https://...)"))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if uri.query().is_some() {
        return Err(bad("must not have a query"));
    }
    let trimmed = url.trim_end_matches('/').to_owned();
    match scheme {
        "https" => Ok(trimmed),
        "http" if allow_insecure_http || is_loopback_url(&trimmed) => Ok(trimmed),
        "http" => Err(bad(
            "uses plain http on a host that is not loopback; use https, or allow_insecure_http(true)",
        )),
        _ => Err(bad("must use https")),
    }
}

/// Whether the URL's host is `localhost`, an address in 127.0.0.0/8, or `::1`.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_agent_has_connect_and_read_limits_and_leaves_resolution_unthreaded() {
        let client = Client::new("acct", "secret").expect("client");
        let t = client.inner.agent.config().timeouts();
        assert_eq!(t.connect, Some(Duration::from_secs(5)));
        for stage in [t.send_request, t.send_body, t.recv_response, t.recv_body] {
            assert_eq!(stage, Some(Duration::from_secs(30)));
        }
        // Any of these would make ureq resolve the host on a new thread for every call.
        assert_eq!((t.global, t.per_call, t.resolve), (None, None, None));

        let bounded = Client::builder("acct", "secret")
            .connect_timeout(None)
            .read_timeout(Duration::from_secs(7))
            .timeout(Duration::from_secs(9))
            .build()
            .expect("client");
        let t = bounded.inner.agent.config().timeouts();
        assert_eq!(t.connect, None);
        assert_eq!(t.recv_body, Some(Duration::from_secs(7)));
        assert_eq!(t.global, Some(Duration::from_secs(9)));
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            check_base_url("https://api.accessgrid.com/", false)
                .ok()
                .as_deref(),
            Some("https://api.accessgrid.com")
        );
        assert!(check_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(check_base_url("http://127.5.0.1:8080", false).is_ok());
        assert!(check_base_url("http://localhost:1", false).is_ok());
        assert!(check_base_url("http://[::1]:1", false).is_ok());
        assert!(check_base_url("http://example.com", false).is_err());
        assert!(check_base_url("http://example.com", true).is_ok());
        assert!(check_base_url("ftp://example.com", true).is_err());
        assert!(check_base_url("not a url", false).is_err());
        assert!(check_base_url("api.accessgrid.com", false).is_err());
        assert!(check_base_url("https://x.com/?a=1", false).is_err());
    }
}
