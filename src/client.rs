//! The client and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::access_cards::AccessCards;
use crate::console::Console;
use crate::error::Error;
use crate::secret::SecretKey;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.accessgrid.com";
/// Default limit on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit on a whole call, from connecting to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit on the size of an answer body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// A blocking AccessGrid API client.
///
/// Cheap to clone: clones share one connection pool and configuration, and a `Client` can be
/// used from many threads at once (`Clone + Send + Sync`).
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
    pub(crate) secret: SecretKey,
    /// Without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) agent: ureq::Agent,
    pub(crate) user_agent: String,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_response_bytes: u64,
    /// Whether the agent was given by the caller (its configuration is then not ours).
    pub(crate) foreign_agent: bool,
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

    /// A client from the environment: `ACCESSGRID_ACCOUNT_ID` and `ACCESSGRID_SECRET_KEY`
    /// (or, as the official SDKs read them, `ACCOUNT_ID` and `SECRET_KEY`), and
    /// `ACCESSGRID_BASE_URL` when set.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder_from_env()?.build()
    }

    /// A builder from the environment, as [`Client::from_env`] reads it, for further settings.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let read = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        };
        let account = read(&["ACCESSGRID_ACCOUNT_ID", "ACCOUNT_ID"]).ok_or_else(|| {
            Error::Config("set ACCESSGRID_ACCOUNT_ID (or ACCOUNT_ID) to the account id".into())
        })?;
        let secret = read(&["ACCESSGRID_SECRET_KEY", "SECRET_KEY"]).ok_or_else(|| {
            Error::Config("set ACCESSGRID_SECRET_KEY (or SECRET_KEY) to the secret key".into())
        })?;
        let mut builder = Client::builder(account, secret);
        if let Some(url) = read(&["ACCESSGRID_BASE_URL"]) {
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
    ///     .timeout(Duration::from_secs(20))
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
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            user_agent: default_user_agent(),
            agent: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
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

    /// Access passes: issue, read, update, list, and change state.
    pub fn access_cards(&self) -> AccessCards<'_> {
        AccessCards::new(self)
    }

    /// The enterprise console: templates, event logs, pairs, landing pages, ledger,
    /// credential profiles, webhooks and HID orgs.
    pub fn console(&self) -> Console<'_> {
        Console::new(self)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("account_id", &self.inner.account_id)
            .field("secret_key", &self.inner.secret)
            .field("base_url", &self.inner.base_url)
            .field("user_agent", &self.inner.user_agent)
            .field("timeout", &self.inner.timeout)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// The `User-Agent` sent by default: `accessgrid-rs/<version>`.
pub fn default_user_agent() -> String {
    concat!("accessgrid-rs/", env!("CARGO_PKG_VERSION")).to_owned()
}

/// Settings for a [`Client`]; made by [`Client::builder`].
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    account_id: String,
    secret: SecretKey,
    base_url: String,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: String,
    agent: Option<ureq::Agent>,
    max_response_bytes: u64,
    allow_insecure_http: bool,
}

impl ClientBuilder {
    /// The API's base URL (default [`DEFAULT_BASE_URL`]), e.g. a sandbox's. `https` is
    /// required, except for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) or after
    /// [`ClientBuilder::allow_insecure_http`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Limit on establishing a connection (default 5 s); `None` for no limit.
    pub fn connect_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = limit.into();
        self
    }

    /// Limit on a whole call, from connecting to the end of the answer (default 30 s);
    /// `None` for no limit.
    pub fn timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeout = limit.into();
        self
    }

    /// The `User-Agent` header (default `accessgrid-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use the caller's own `ureq` agent (its pool, proxy and TLS settings). The client's
    /// timeouts then come from that agent, and error statuses are read per request.
    pub fn agent(mut self, agent: ureq::Agent) -> Self {
        self.agent = Some(agent);
        self
    }

    /// Limit on the size of an answer body (default 10 MiB); a larger answer is
    /// [`Error::ResponseTooLarge`].
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allow a plain `http` base URL on a host that is not loopback. Off by default:
    /// the signature and personal data would cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if self.account_id.trim().is_empty() {
            return Err(Error::Config("the account id is empty".into()));
        }
        if self.secret.is_blank() {
            return Err(Error::Config("the secret key is empty".into()));
        }
        let base_url = check_base_url(&self.base_url, self.allow_insecure_http)?;
        let loopback = is_loopback_url(&base_url);
        let foreign_agent = self.agent.is_some();
        let agent = match self.agent {
            Some(agent) => agent,
            None => {
                let config = ureq::Agent::config_builder()
                    .timeout_connect(self.connect_timeout)
                    .timeout_global(self.timeout)
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .user_agent(self.user_agent.as_str());
                // A proxy from the environment never applies to a loopback server.
                let config = if loopback { config.proxy(None) } else { config };
                config.build().new_agent()
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                account_id: self.account_id,
                secret: self.secret,
                base_url,
                agent,
                user_agent: self.user_agent,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
                foreign_agent,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("account_id", &self.account_id)
            .field("secret_key", &self.secret)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("custom_agent", &self.agent.is_some())
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
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
