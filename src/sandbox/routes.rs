//! Routing and the endpoints. Request bodies and queries are decoded with the same
//! schema-generated types the client sends (`crate::models`) and checked with the same
//! `Validate` rules; a violation answers 422 `{message, errors: {field: [reason]}}`.

use serde_json::json;

use super::console as con;
use super::exchange::{decode_body, decode_query, to_json, Incoming, Outcome, Reply, PER_PAGE};
use super::state::{paginate, PassAction, State};
use super::Shared;
use crate::http_server::clip;
use crate::models::{CardState, IssueCardRequest, ListCardsQuery, UpdateCardRequest};

/// Answers an authenticated API request. The endpoint comes from the SDK's own table
/// ([`crate::endpoints::ENDPOINTS`], generated from `schema/endpoints.json`), so the
/// sandbox and the client cannot disagree on a path; the match below names every endpoint
/// (a new one does not compile until it has a handler here).
pub(crate) fn route(shared: &Shared, rq: &Incoming) -> Reply {
    use crate::endpoints::{route as find, EndpointId as E, Route};
    use crate::models::{
        ActivateHidOrgRequest, ConsolePageQuery, CreateCredentialProfileRequest,
        CreateHidOrgRequest, CreateLandingPageRequest, CreateTemplatePairRequest,
        CreateTemplateRequest, CreateWebhookRequest, IosPreflightRequest, LedgerItemsQuery,
        TemplateLogQuery, UpdateLandingPageRequest, UpdateTemplateRequest,
    };
    const PAGES: &[&str] = &["page", "per_page"];

    let segments: Vec<&str> = rq.segments.iter().map(String::as_str).collect();
    let (info, params) = match find(&rq.method, &segments) {
        Route::Found(info, params) => (info, params),
        Route::WrongMethod(allowed) => return wrong_method(rq, &allowed),
        Route::NotFound => return not_found(rq),
    };
    let id = params.first().copied().unwrap_or_default();
    let mut state = shared.lock_state();
    let state = &mut *state;
    let outcome = (|| match info.id {
        E::IssueCard => issue_card(state, rq),
        E::ListCards => list_cards(state, rq),
        E::GetCard => get_card(state, id),
        E::UpdateCard => update_card(state, rq, id),
        E::SuspendCard => act_on_card(state, rq, id, PassAction::Suspend),
        E::ResumeCard => act_on_card(state, rq, id, PassAction::Resume),
        E::UnlinkCard => act_on_card(state, rq, id, PassAction::Unlink),
        E::DeleteCard => act_on_card(state, rq, id, PassAction::Delete),
        E::CreateTemplate => {
            con::create_template(state, &con::body_object::<CreateTemplateRequest>(rq)?)
        }
        E::ListTemplates => con::list_templates(state, rq),
        E::GetTemplate => con::get_template(state, id),
        E::UpdateTemplate => {
            con::update_template(state, id, &con::body_object::<UpdateTemplateRequest>(rq)?)
        }
        E::DeleteTemplate => con::delete_template(state, id),
        E::PublishTemplate => con::publish_template(state, id),
        E::ListTemplateLogs => {
            let query: TemplateLogQuery = decode_query(rq, PAGES)?;
            con::event_log(state, &query, id)
        }
        E::IosPreflight => {
            let request: IosPreflightRequest = decode_body(&rq.body)?;
            con::ios_preflight(state, id, &request.access_pass_ex_id)
        }
        #[cfg(feature = "smart-tap")]
        E::RevealSmartTap => con::reveal_smart_tap(state, rq, id),
        E::ListPairs => {
            let query: ConsolePageQuery = decode_query(rq, PAGES)?;
            con::list_pairs(state, query.page, query.per_page)
        }
        E::CreatePair => {
            con::create_pair(state, &con::body_object::<CreateTemplatePairRequest>(rq)?)
        }
        E::ListLandingPages => Ok(Reply::ok(&json!(state.console.landing_pages))),
        E::CreateLandingPage => {
            con::create_landing_page(state, &con::body_object::<CreateLandingPageRequest>(rq)?)
        }
        E::UpdateLandingPage => con::update_landing_page(
            state,
            id,
            &con::body_object::<UpdateLandingPageRequest>(rq)?,
        ),
        E::ListCredentialProfiles => Ok(Reply::ok(&json!(state.console.credential_profiles))),
        E::CreateCredentialProfile => con::create_credential_profile(
            state,
            &con::body_object::<CreateCredentialProfileRequest>(rq)?,
        ),
        E::DeleteCredentialProfile => con::delete_credential_profile(state, id),
        E::ListWebhooks => {
            let query: ConsolePageQuery = decode_query(rq, PAGES)?;
            con::list_webhooks(state, query.page, query.per_page)
        }
        E::CreateWebhook => {
            con::create_webhook(state, &con::body_object::<CreateWebhookRequest>(rq)?)
        }
        E::DeleteWebhook => con::delete_webhook(state, id),
        E::VerifyWebhook => con::verify_webhook(state, id),
        E::ListHidOrgs => Ok(Reply::ok(&json!(state.console.hid_orgs))),
        E::CreateHidOrg => {
            con::create_hid_org(state, &con::body_object::<CreateHidOrgRequest>(rq)?)
        }
        E::ActivateHidOrg => {
            con::activate_hid_org(state, &con::body_object::<ActivateHidOrgRequest>(rq)?)
        }
        E::ListLedgerItems => {
            let query: LedgerItemsQuery = decode_query(rq, PAGES)?;
            con::ledger(state, &query)
        }
    })();
    outcome.unwrap_or_else(|refused| refused)
}

fn not_found(rq: &Incoming) -> Reply {
    Reply::message(
        404,
        format!(
            "no route matches {} {}",
            clip(&rq.method, 16),
            clip(&rq.path, 200)
        ),
    )
}

fn wrong_method(rq: &Incoming, allowed: &[&str]) -> Reply {
    Reply::wrong_method(&rq.method, &rq.path, allowed)
}

// ---------------------------------------------------------------- decoding

// ---------------------------------------------------------------- access passes

fn issue_card(state: &mut State, rq: &Incoming) -> Outcome {
    let request: IssueCardRequest = decode_body(&rq.body)?;
    let card = state.issue(&request, &rq.actor)?;
    to_json(&card)
}

fn get_card(state: &mut State, id: &str) -> Outcome {
    to_json(&state.read(id)?)
}

fn update_card(state: &mut State, rq: &Incoming, id: &str) -> Outcome {
    let request: UpdateCardRequest = decode_body(&rq.body)?;
    let card = state.update(id, &request, &rq.actor)?;
    to_json(&card)
}

fn act_on_card(state: &mut State, rq: &Incoming, id: &str, action: PassAction) -> Outcome {
    let card = state.act(id, action, &rq.actor)?;
    to_json(&card)
}

fn list_cards(state: &mut State, rq: &Incoming) -> Outcome {
    let query: ListCardsQuery = decode_query(rq, &["page", "per_page"])?;
    if let Some(template_id) = &query.template_id {
        if state.template(template_id).is_none() {
            return Err(Reply::message(
                404,
                format!("card template {template_id} not found"),
            ));
        }
    }
    if let Some(CardState::Unknown(other)) = &query.state {
        return Err(Reply::invalid(
            "state",
            &format!(
                "is `{other}`; it must be one of {}",
                CardState::KNOWN
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let matching: Vec<&crate::models::AccessCard> = state
        .cards
        .iter()
        .filter(|c| {
            query
                .template_id
                .as_deref()
                .is_none_or(|t| c.template_id == t)
        })
        .filter(|c| query.state.as_ref().is_none_or(|s| *s == c.state()))
        .map(|c| &c.answer)
        .filter(|a| {
            query.employee_id.is_none() || a.employee_id.as_deref() == query.employee_id.as_deref()
        })
        .filter(|a| {
            query.card_number.is_none() || a.card_number.as_deref() == query.card_number.as_deref()
        })
        .filter(|a| {
            query.site_code.is_none() || a.site_code.as_deref() == query.site_code.as_deref()
        })
        .collect();
    let page = query.page.map_or(1, |p| u64::from(p.get()));
    let per_page = query.per_page.map_or(PER_PAGE, |p| u64::from(p.get()));
    let (keys, [page, per_page, total_pages, total_count]) = paginate(&matching, page, per_page);
    Ok(Reply::ok(&json!({
        "keys": keys,
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
        "total_count": total_count,
    })))
}
