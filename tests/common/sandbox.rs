//! Helpers for tests that run against the in-process sandbox, and raw requests to it signed
//! with the mock harness's key (for what the client never sends).

use accessgrid::models::{
    AccessCard, CardState, CreateTemplateRequest, CreateTemplateRequestBuilder, IssueCardRequest,
    ListCardsQuery,
};
use std::time::Duration;

use accessgrid::sandbox::Sandbox;
use accessgrid::Client;
use serde_json::Value;

/// A corporate-id DESFire template request with this name and platform; callers add or
/// override fields with the builder's setters.
pub fn template_request(name: &str, platform: &str) -> CreateTemplateRequestBuilder {
    CreateTemplateRequest::builder()
        .name(name)
        .platform(platform)
        .use_case("corporate_id")
        .protocol("desfire")
}

/// Creates the template: its id.
pub fn create_template(client: &Client, request: CreateTemplateRequestBuilder) -> String {
    client
        .console()
        .templates()
        .create(request)
        .expect("template created")
        .id
}

/// Issues a pass on the sandbox's template for `name` (site 42, card 1234); its id.
pub fn issue(sandbox: &Sandbox, name: &str) -> String {
    sandbox
        .client()
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(sandbox.template_id())
                .full_name(name)
                .site_code("42")
                .card_number("1234"),
        )
        .expect("issued")
        .id
}

/// Every pass of the sandbox's template, deleted ones too, read through all pages.
pub fn all_passes(sandbox: &Sandbox) -> Vec<AccessCard> {
    sandbox
        .client()
        .access_cards()
        .list_all(
            ListCardsQuery::builder()
                .template_id(sandbox.template_id())
                .per_page(100u32),
        )
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("listed")
}

/// Every pass of the sandbox's template that is not deleted, read through all pages.
pub fn live_passes(sandbox: &Sandbox) -> Vec<AccessCard> {
    all_passes(sandbox)
        .into_iter()
        .filter(|p| p.state != Some(CardState::Deleted))
        .collect()
}

/// A sandbox with the shared harness's credentials, so `super::signature` signs for it.
pub fn harness_sandbox() -> Sandbox {
    Sandbox::builder()
        .account_id(super::ACCOUNT)
        .secret_key(super::SECRET)
        .start()
        .expect("sandbox starts")
}

// ------------------------------------------------------------------ raw requests

/// The agent for raw requests.
fn agent() -> ureq::Agent {
    super::agent::agent(Duration::from_secs(10))
}

/// An answer to a raw request: its status, its `Retry-After`, its JSON body (`Null` when
/// empty).
pub struct Raw {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}

fn read(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Raw {
    let mut response = result.expect("the sandbox answers");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.body_mut().read_to_string().expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON answer, got {text}"))
    };
    Raw {
        status,
        retry_after,
        body,
    }
}

/// POSTs `body` signed with the harness's secret (unless `signature` is given).
pub fn raw_post(
    sb: &Sandbox,
    path: &str,
    body: &str,
    account: &str,
    signature: Option<&str>,
) -> Raw {
    let signature = signature.map_or_else(|| super::signature(body.as_bytes()), str::to_owned);
    read(
        agent()
            .post(format!("{}{path}", sb.base_url()))
            .header("X-ACCT-ID", account)
            .header("X-PAYLOAD-SIG", signature)
            .header("Content-Type", "application/json")
            .send(body.as_bytes()),
    )
}

/// GETs `path_and_query` with the given headers (each optional).
pub fn raw_get(
    sb: &Sandbox,
    path_and_query: &str,
    account: Option<&str>,
    sig: Option<&str>,
) -> Raw {
    let mut request = agent().get(format!("{}{path_and_query}", sb.base_url()));
    if let Some(account) = account {
        request = request.header("X-ACCT-ID", account);
    }
    if let Some(sig) = sig {
        request = request.header("X-PAYLOAD-SIG", sig);
    }
    read(request.call())
}

/// Sends `body` with this method, signed with the harness's secret.
pub fn raw_post_method(sb: &Sandbox, method: &str, path: &str, body: &str) -> Raw {
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", sb.base_url()))
        .header("X-ACCT-ID", super::ACCOUNT)
        .header("X-PAYLOAD-SIG", super::signature(body.as_bytes()))
        .header("Content-Type", "application/json")
        .body(body.as_bytes().to_vec())
        .expect("a request");
    read(agent().run(request))
}
