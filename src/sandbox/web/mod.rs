//! The sandbox's web side, for people rather than programs: the holder's install page
//! (`/install/{id}`, what a pass's `install_url` opens) and the dashboard at the root (`/`),
//! with simulation buttons under `/dashboard/...`.
//!
//! Pages are rendered on the server with `maud` (compile-time checked templates that escape
//! every value), carry no script, and load nothing from elsewhere (a strict
//! `Content-Security-Policy`). A GET never changes anything: every change is a form POST
//! answered by a redirect (303) to a page, and a POST is refused (403) unless it comes
//! from the sandbox's own pages (see [`page::same_origin`]), since a sandbox runs on a
//! developer's machine while they browse other sites.

mod dashboard;
mod install;
mod page;

use super::exchange::{Incoming, Reply};
use super::shared::Shared;
use crate::http_server::Head;

/// Answers the web side's requests; `None` for every other path (the API's).
pub(crate) fn serve(shared: &Shared, head: &Head, rq: &Incoming) -> Option<Reply> {
    let segments: Vec<&str> = rq.segments.iter().map(String::as_str).collect();
    let reply = match segments.as_slice() {
        [] => match rq.method.as_str() {
            "GET" => dashboard::page(shared, None),
            _ => Reply::wrong_method(&rq.method, &rq.path, &["GET"]),
        },
        ["install", id] => install::serve(shared, head, rq, id),
        ["install", ..] => page::not_found("There is no install page here."),
        ["dashboard", rest @ ..] => dashboard::act(shared, head, rq, rest),
        _ => return None,
    };
    Some(reply)
}
