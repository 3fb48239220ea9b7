//! The sandbox's clock: passes expire when it is moved past their expiry, once each.
#![cfg(feature = "sandbox")]

use std::time::Duration;

use accessgrid::models::{CardState, IssueCardRequest, UpdateCardRequest};
use accessgrid::sandbox::Sandbox;

fn issue(sandbox: &Sandbox, name: &str, expiry: Option<&str>) -> String {
    let mut request = IssueCardRequest::builder()
        .card_template_id(sandbox.template_id())
        .full_name(name)
        .site_code("1")
        .card_number("2");
    if let Some(expiry) = expiry {
        request = request.expiration_date(expiry);
    }
    sandbox
        .client()
        .access_cards()
        .issue(request)
        .expect("issued")
        .id
}

fn count(sandbox: &Sandbox, kind: &str) -> usize {
    sandbox.events().iter().filter(|e| e.kind == kind).count()
}

#[test]
fn moving_the_clock_expires_each_pass_once_and_only_when_it_is_due() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let before = sandbox.now();
    let in_a_week = accessgrid::reconcile::format_date(before + Duration::from_secs(7 * 86_400));
    let active = issue(&sandbox, "Active", Some(&in_a_week));
    sandbox.install(&active).expect("installed");
    let created = issue(&sandbox, "Never installed", Some(&in_a_week));
    let forever = issue(&sandbox, "No expiry", None);
    sandbox.install(&forever).expect("installed");

    // Six days: nothing is due.
    sandbox.advance_clock(Duration::from_secs(6 * 86_400));
    assert_eq!(count(&sandbox, "ag.access_pass.expired"), 0);
    assert!(sandbox.now() >= before + Duration::from_secs(6 * 86_400));

    // Eight days: both dated passes expire; the active one is suspended, the created one
    // keeps its state; the one without an expiry is untouched.
    sandbox.advance_clock(Duration::from_secs(2 * 86_400));
    assert_eq!(count(&sandbox, "ag.access_pass.expired"), 2);
    let state = |id: &str| client.access_cards().get(id).expect("read").state;
    assert_eq!(state(&active), Some(CardState::Suspended));
    assert_eq!(state(&created), Some(CardState::Created));
    assert_eq!(state(&forever), Some(CardState::Active));
    let expired = sandbox
        .events()
        .into_iter()
        .find(|e| e.kind == "ag.access_pass.expired")
        .expect("an event");
    assert_eq!(expired.data["access_pass_id"], active.as_str());
    assert_eq!(expired.data["state"], "suspended");

    // Moving on does not expire them again.
    sandbox.advance_clock(Duration::from_secs(86_400));
    assert_eq!(count(&sandbox, "ag.access_pass.expired"), 2);

    // An update that keeps the expiry in the past renews nothing; one past the clock does.
    let past = UpdateCardRequest::builder().expiration_date(in_a_week.clone());
    client
        .access_cards()
        .update(&active, past)
        .expect("updated");
    assert_eq!(count(&sandbox, "ag.access_pass.renewed"), 0);
    let later = accessgrid::reconcile::format_date(sandbox.now() + Duration::from_secs(86_400));
    let renewed = client
        .access_cards()
        .update(&active, UpdateCardRequest::builder().expiration_date(later))
        .expect("updated");
    assert_eq!(renewed.state, Some(CardState::Active));
    assert_eq!(count(&sandbox, "ag.access_pass.renewed"), 1);
}
