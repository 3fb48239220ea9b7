//! The signed escape hatch: any method and path, with the client's signing, retries,
//! throttle, limits and errors.

use serde::de::DeserializeOwned;
use serde::Serialize;
use ureq::http::Method;

use crate::client::transport::Call;
use crate::client::Client;
use crate::error::Error;

/// A request to any path of the API, made by [`Client::request`]: for an endpoint the SDK
/// does not cover yet. It is signed, retried, throttled and bounded exactly like the SDK's
/// own calls, and fails with the same [`Error`]s.
///
/// A request with a body is signed over the body; one without is signed over `{}`, or over
/// `{"id":"<id>"}` after [`sign_id`](Request::sign_id) (as AccessGrid expects of requests
/// about one resource), sent as the `sig_payload` query parameter.
///
/// ```no_run
/// # fn main() -> Result<(), accessgrid::Error> {
/// use accessgrid::Method;
///
/// let client = accessgrid::Client::from_env()?;
/// // Typed: any `DeserializeOwned` answer.
/// let card: accessgrid::models::AccessCard = client
///     .request(Method::GET, "/v1/key-cards/0xc4rd1d")
///     .sign_id("0xc4rd1d")
///     .send()?;
/// // Raw JSON.
/// let answer = client
///     .request(Method::POST, "/v1/console/some-new-endpoint")
///     .json(&serde_json::json!({"name": "x"}))
///     .send_json()?;
/// println!("{card:?} {answer}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until sent"]
pub struct Request<'c> {
    call: Result<Call<'c>, Error>,
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a signed request to `path` (which begins with `/`, e.g. `/v1/key-cards`,
    /// without a query: add one with [`Request::query`]); see [`Request`].
    pub fn request(&self, method: Method, path: &str) -> Request<'_> {
        let call = if !path.starts_with('/') {
            Err(Error::invalid("path", "must begin with `/`"))
        } else if path.contains(['?', '#']) {
            Err(Error::invalid(
                "path",
                "must not hold `?` or `#`: give the query with `.query(..)`",
            ))
        } else {
            Ok(self.call(method, path.to_owned()))
        };
        Request { call }
    }
}

impl Request<'_> {
    /// Adds the fields of `query` (any `Serialize` struct or map) as query parameters;
    /// nested objects become bracket parameters (`filters[device]=watch`), arrays
    /// `key[]=a&key[]=b`, and `null`s are left out.
    pub fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Self {
        self.call = self.call.and_then(|c| c.query(query));
        self
    }

    /// Sends `body` as JSON (and signs it).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.call = self.call.and_then(|c| c.json(body));
        self
    }

    /// For a request without a body about one resource: signs `{"id":"<id>"}` instead of
    /// `{}`.
    pub fn sign_id(mut self, id: &str) -> Self {
        self.call = self.call.map(|c| c.about(id));
        self
    }

    /// Sends the request and decodes a 2xx answer as `T` (an empty body decodes as JSON
    /// `null`, so `()` and `Option<_>` accept it).
    pub fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.call?.send()
    }

    /// Sends the request and answers a 2xx answer as raw JSON (`null` for an empty body).
    pub fn send_json(self) -> Result<serde_json::Value, Error> {
        self.send()
    }
}
