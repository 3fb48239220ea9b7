//! The endpoints of the API, declared once in `schema/endpoints.json` and generated at
//! build time: one descriptor type per endpoint (its [`Endpoint`] implementation carries
//! the method, the path template, the request, query and answer types, and how a
//! body-less request is signed), and the table [`ENDPOINTS`] that the resource handles,
//! the sandbox's router and the README's endpoint table all follow.
//!
//! ```
//! use accessgrid::endpoints::{Endpoint, GetCard, ENDPOINTS};
//!
//! assert_eq!(GetCard::METHOD, ureq::http::Method::GET);
//! assert_eq!(GetCard::PATH, "/v1/key-cards/{card_id}");
//! let row = ENDPOINTS.iter().find(|e| e.name == "get_card").expect("declared");
//! assert_eq!(row.call, "access_cards().get");
//! ```
//!
//! An endpoint the SDK does not cover yet is reachable, signed like the rest, through
//! [`Client::request`](crate::Client::request).

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;
use ureq::http::Method;

use crate::error::{DecodeError, Error};
use crate::pagination::{Listed, Page, Paginated};

/// What a request is signed over (the `X-PAYLOAD-SIG` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// The JSON body, byte for byte.
    Body,
    /// No body: `{"id":"<first path parameter>"}`, sent as the `sig_payload` query parameter.
    Id,
    /// No body: `{}`, sent as the `sig_payload` query parameter.
    Empty,
}

/// One endpoint of the API, as a type: see the module documentation.
pub trait Endpoint {
    /// Its row in [`ENDPOINTS`].
    const ID: EndpointId;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template; each `{name}` is one percent-encoded segment.
    const PATH: &'static str;
    /// The names of the path's parameters, in order.
    const PARAMS: &'static [&'static str];
    /// What the request is signed over.
    const SIGN: Sign;
    /// The JSON body's type (`()` for none).
    type Request: Serialize;
    /// The query's type (`()` for none).
    type Query: Serialize;
    /// What a 2xx answer decodes into.
    type Answer;
    /// Decodes a 2xx answer; `params` are the path parameters of the request.
    fn decode(status: u16, body: &[u8], params: &[&str]) -> Result<Self::Answer, Error>;
}

/// A row of [`ENDPOINTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointInfo {
    /// The endpoint's id.
    pub id: EndpointId,
    /// Its snake_case name in `schema/endpoints.json`.
    pub name: &'static str,
    /// The SDK method that calls it, from the client (`access_cards().get`).
    pub call: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The names of the path's parameters, in order.
    pub params: &'static [&'static str],
}

impl EndpointInfo {
    /// The path parameters, when `segments` (a path split at `/`, without the empty first
    /// one) has this endpoint's shape; `None` otherwise. The method is not compared.
    pub fn match_path<'p>(&self, segments: &[&'p str]) -> Option<Vec<&'p str>> {
        let template = self.path.trim_start_matches('/').split('/');
        if template.clone().count() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (want, got) in template.zip(segments) {
            if want.starts_with('{') {
                params.push(*got);
            } else if want != *got {
                return None;
            }
        }
        Some(params)
    }
}

/// Where a request goes: its endpoint and path parameters, or why none fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'p> {
    /// The endpoint and its path parameters.
    Found(&'static EndpointInfo, Vec<&'p str>),
    /// The path names endpoints, none with this method; these are the methods it has.
    WrongMethod(Vec<&'static str>),
    /// No endpoint has this path.
    NotFound,
}

/// Finds the endpoint of `method` and `segments` (the path split at `/`, without the empty
/// first one) in [`ENDPOINTS`].
pub fn route<'p>(method: &str, segments: &[&'p str]) -> Route<'p> {
    let mut allowed = Vec::new();
    for info in ENDPOINTS {
        if let Some(params) = info.match_path(segments) {
            if info.method == method {
                return Route::Found(info, params);
            }
            allowed.push(info.method);
        }
    }
    if allowed.is_empty() {
        Route::NotFound
    } else {
        Route::WrongMethod(allowed)
    }
}

/// The path of `E` with `params` filled in (each checked and percent-encoded).
pub(crate) fn path<E: Endpoint>(params: &[&str]) -> Result<String, Error> {
    let mut out = String::with_capacity(E::PATH.len() + 32);
    let mut given = params.iter();
    let mut names = E::PARAMS.iter();
    for part in E::PATH.split('{') {
        match part.split_once('}') {
            Some((_, rest)) => {
                let name = names.next().copied().unwrap_or("id");
                let value = given
                    .next()
                    .ok_or_else(|| Error::invalid(name, "is missing"))?;
                out.push_str(&crate::client::transport::segment(name, value)?);
                out.push_str(rest);
            }
            None => out.push_str(part),
        }
    }
    Ok(out)
}

fn decode_one<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    crate::client::transport::decode(status, body)
}

fn decode_nothing(status: u16, body: &[u8]) -> Result<(), Error> {
    crate::client::transport::decode::<IgnoredAny>(status, body).map(drop)
}

fn decode_page<L: Paginated>(status: u16, body: &[u8]) -> Result<Page<L::Item>, Error> {
    crate::client::transport::decode::<L>(status, body).map(Page::from_list)
}

fn decode_list<T: Listed>(status: u16, body: &[u8]) -> Result<Page<T>, Error> {
    crate::client::transport::decode::<crate::pagination::BareOrWrapped<T>>(status, body)
        .map(|list| Page::unpaged(list.0))
}

/// Decodes an object that may lack its `id` when it has `key` (a template pair answered
/// as `{"templates": [...]}` alone is the id asked for): the first path parameter is then
/// its id.
fn decode_filling_id<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    key: &str,
    params: &[&str],
) -> Result<T, Error> {
    let mut value: serde_json::Value = crate::client::transport::decode(status, body)?;
    if let (serde_json::Value::Object(map), Some(id)) = (&mut value, params.first()) {
        if !map.contains_key("id") && map.contains_key(key) {
            map.insert("id".to_owned(), (*id).into());
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode(DecodeError {
            status,
            path: if path == "." { String::new() } else { path },
            message: e.into_inner().to_string(),
            body: body.to_vec(),
        })
    })
}

include!(concat!(env!("OUT_DIR"), "/endpoints.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_table() {
        match route("POST", &["v1", "key-cards", "c1", "suspend"]) {
            Route::Found(info, params) => {
                assert_eq!(info.id, EndpointId::SuspendCard);
                assert_eq!(params, ["c1"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            route("PUT", &["v1", "key-cards", "c1"]),
            Route::WrongMethod(vec!["GET", "PATCH"])
        );
        assert_eq!(route("GET", &["v1", "nothing"]), Route::NotFound);
    }

    #[test]
    fn paths_are_filled_and_encoded() {
        assert_eq!(
            path::<SuspendCard>(&["a b"]).ok().as_deref(),
            Some("/v1/key-cards/a%20b/suspend")
        );
        assert!(path::<SuspendCard>(&[]).is_err());
        assert!(path::<SuspendCard>(&[".."]).is_err());
        assert_eq!(
            path::<IssueCard>(&[]).ok().as_deref(),
            Some("/v1/key-cards")
        );
    }
}
