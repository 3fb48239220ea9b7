//! The SDK against the in-process sandbox: whole flows, the state machine, signature and
//! body checks (with raw requests, since the client never sends bad ones), faults, and
//! independent sandboxes side by side.
#![cfg(feature = "sandbox")]

mod common;

use std::time::{Duration, Instant};

use accessgrid::models::{CardState, IssueCardRequest, ListCardsQuery, UpdateCardRequest};
use accessgrid::sandbox::{DeviceType, Fault, Sandbox};
use accessgrid::Error;
use common::sandbox::{harness_sandbox, raw_get, raw_post, raw_post_method};
use serde_json::json;

fn issue_request(template_id: &str, name: &str) -> IssueCardRequest {
    IssueCardRequest::builder()
        .card_template_id(template_id.to_owned())
        .full_name(name)
        .employee_id(format!("emp-{name}"))
        .site_code("42")
        .card_number("1234")
        .try_into()
        .expect("a valid request")
}

fn issue(sandbox: &Sandbox, name: &str) -> String {
    let card = sandbox
        .client()
        .access_cards()
        .issue(issue_request(&sandbox.template_id(), name))
        .expect("issued");
    card.id
}

fn refusal(result: Result<accessgrid::models::AccessCard, Error>) -> (u16, String) {
    match result {
        Ok(card) => panic!("expected a refusal, got {card:?}"),
        Err(e) => (
            e.status().expect("an answer from the sandbox"),
            e.api().map(|a| a.message.clone()).unwrap_or_default(),
        ),
    }
}

// ------------------------------------------------------------------ raw requests

fn encoded(payload: &str) -> String {
    payload
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ------------------------------------------------------------------ flows

#[test]
fn a_pass_goes_through_its_whole_life() {
    let sb = harness_sandbox();
    let client = sb.client();
    let cards = client.access_cards();
    let template = sb.template_id();

    let card = cards
        .issue(issue_request(&template, "Zoë Ångström"))
        .expect("issued");
    let id = card.id.clone();
    assert_eq!(card.state, Some(CardState::Created));
    assert_eq!(card.full_name.as_deref(), Some("Zoë Ångström"));
    assert_eq!(card.card_template_id.as_deref(), Some(template.as_str()));
    assert_eq!(card.site_code.as_deref(), Some("42"));
    let install_url = card.install_url.clone().expect("an install URL");
    assert!(install_url.starts_with(sb.base_url()), "{install_url}");

    let listed = cards
        .list(ListCardsQuery::builder().template_id(template.clone()))
        .expect("listed");
    assert_eq!(listed.info().total_count, Some(1));
    let keys = listed.items().to_vec();
    assert_eq!(keys[0].id, id.as_str());

    // created: nothing to suspend, resume or unlink yet.
    let (status, message) = refusal(cards.suspend(&id));
    assert_eq!(status, 422);
    assert!(
        message.contains("can not manage a pass that is not active"),
        "{message}"
    );
    assert!(message.contains("created"), "{message}");
    let (status, message) = refusal(cards.resume(&id));
    assert_eq!(status, 422);
    assert!(message.contains("not suspended or unlinked"), "{message}");
    assert_eq!(refusal(cards.unlink(&id)).0, 422);

    // The holder installs it: active.
    let card = sb.install(&id).expect("installed");
    assert_eq!(card.state, Some(CardState::Active));
    let devices = card.devices.unwrap_or_default();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_type.as_deref(), Some("mobile"));
    assert_eq!(devices[0].platform.as_deref(), Some("apple"));

    assert_eq!(
        refusal(cards.resume(&id)).0,
        422,
        "an active pass cannot be resumed"
    );
    let card = cards.suspend(&id).expect("suspended");
    assert_eq!(card.state, Some(CardState::Suspended));
    assert_eq!(refusal(cards.suspend(&id)).0, 422, "suspended twice");
    let card = cards.get(&id).expect("read");
    assert_eq!(card.state, Some(CardState::Suspended));

    let suspended = cards
        .list(
            ListCardsQuery::builder()
                .template_id(template.clone())
                .state(CardState::Suspended),
        )
        .expect("listed");
    assert_eq!(suspended.info().total_count, Some(1));
    let active = cards
        .list(
            ListCardsQuery::builder()
                .template_id(template.clone())
                .state(CardState::Active),
        )
        .expect("listed");
    assert_eq!(active.info().total_count, Some(0));

    assert_eq!(
        cards.resume(&id).expect("resumed").state,
        Some(CardState::Active)
    );
    assert_eq!(
        cards.unlink(&id).expect("unlinked").state,
        Some(CardState::Unlink)
    );
    assert_eq!(
        refusal(cards.suspend(&id)).0,
        422,
        "an unlinked pass is not active"
    );
    assert_eq!(
        cards.resume(&id).expect("resumed from unlink").state,
        Some(CardState::Active)
    );
    assert_eq!(
        cards.unlink(&id).expect("unlinked").state,
        Some(CardState::Unlink)
    );
    assert_eq!(
        cards.delete(&id).expect("deleted").state,
        Some(CardState::Deleted)
    );

    // deleted is terminal.
    for (what, result) in [
        ("suspend", cards.suspend(&id)),
        ("resume", cards.resume(&id)),
        ("unlink", cards.unlink(&id)),
        ("delete", cards.delete(&id)),
        (
            "update",
            cards.update(&id, UpdateCardRequest::builder().full_name("Someone else")),
        ),
    ] {
        let (status, message) = refusal(result);
        assert_eq!(status, 422, "{what} on a deleted pass");
        assert!(message.contains("deleted"), "{what}: {message}");
    }
    let (status, _) = match sb.install(&id) {
        Ok(card) => panic!("a deleted pass was installed: {card:?}"),
        Err(e) => (e.status(), ()),
    };
    assert_eq!(status, Some(422));
    assert_eq!(
        cards.get(&id).expect("still readable").state,
        Some(CardState::Deleted)
    );
    let deleted = cards
        .list(
            ListCardsQuery::builder()
                .template_id(template)
                .state(CardState::Deleted),
        )
        .expect("listed");
    assert_eq!(deleted.info().total_count, Some(1));

    let kinds: Vec<String> = sb.events().into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            "ag.access_pass.issued",
            "ag.access_pass.activated",
            "ag.access_pass.suspended",
            "ag.access_pass.resumed",
            "ag.access_pass.unlinked",
            "ag.access_pass.resumed",
            "ag.access_pass.unlinked",
            "ag.access_pass.deleted",
        ]
    );
}

#[test]
fn the_direct_install_puts_the_pass_on_a_device_and_opening_the_install_url_does_not() {
    let sb = harness_sandbox();
    let card = sb
        .client()
        .access_cards()
        .issue(issue_request(&sb.template_id(), "Ada"))
        .expect("issued");
    let id = card.id;
    let url = card.install_url.expect("an install URL");
    // Opening the link (a browser, a link-preview bot) shows the page; it installs nothing.
    let page = common::agent::agent(Duration::from_secs(10))
        .get(format!("{url}?device=watch"))
        .call()
        .expect("the sandbox answers");
    assert_eq!(page.status(), 200);
    let card = sb.client().access_cards().get(&id).expect("read");
    assert_eq!(card.state, Some(CardState::Created));

    // The direct way, for tests: a watch install without credentials or pages.
    let card = sb.install_on(&id, DeviceType::Watch).expect("installed");
    assert_eq!(card.state, Some(CardState::Active));
    let devices = card.devices.unwrap_or_default();
    assert_eq!(devices[0].device_type.as_deref(), Some("watch"));

    // A second device on an active pass: still active, two devices, and the event says so.
    let card = sb.install_on(&id, DeviceType::Mobile).expect("installed");
    assert_eq!(card.devices.map(|d| d.len()), Some(2));
    let last = sb.events().pop().expect("an event");
    assert_eq!(last.kind, "ag.access_pass.devices.added");
    assert_eq!(last.data["device"]["type"], "mobile");
    assert_eq!(last.data["access_pass_id"], id.as_str());

    assert_eq!(
        sb.install("0xnothere").map_err(|e| e.status()).err(),
        Some(Some(404))
    );
}

#[test]
fn update_changes_only_the_fields_sent() {
    let sb = harness_sandbox();
    let cards = sb.client();
    let cards = cards.access_cards();
    let id = issue(&sb, "Ada");
    let card = cards
        .update(
            &id,
            UpdateCardRequest::builder()
                .full_name("Ada King")
                .title("Countess"),
        )
        .expect("updated");
    assert_eq!(card.full_name.as_deref(), Some("Ada King"));
    assert_eq!(card.title.as_deref(), Some("Countess"));
    assert_eq!(card.employee_id.as_deref(), Some("emp-Ada"), "kept");
    assert_eq!(
        card.state,
        Some(CardState::Created),
        "an update is no transition"
    );
    assert_eq!(
        cards.get(&id).expect("read").full_name.as_deref(),
        Some("Ada King")
    );
}

#[test]
fn lists_filter_and_paginate() {
    let sb = harness_sandbox();
    let client = sb.client();
    let cards = client.access_cards();
    let template = sb.template_id();
    let ids: Vec<String> = (0..5).map(|n| issue(&sb, &format!("p{n}"))).collect();
    sb.install(&ids[1]).expect("installed");
    sb.install(&ids[3]).expect("installed");

    let page = cards
        .list(
            ListCardsQuery::builder()
                .template_id(template.clone())
                .per_page(2u32)
                .page(3u32),
        )
        .expect("page 3");
    assert_eq!(page.info().current_page, Some(3));
    assert_eq!(page.info().per_page, Some(2));
    assert_eq!(page.info().total_pages, Some(3));
    assert_eq!(page.info().total_count, Some(5));
    let keys = page.items().to_vec();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, ids[4].as_str());

    let all: Vec<String> = cards
        .list_all(
            ListCardsQuery::builder()
                .template_id(template.clone())
                .per_page(2u32),
        )
        .expect("iterator")
        .map(|c| c.expect("page").id)
        .collect();
    assert_eq!(all, ids);

    let active: Vec<String> = cards
        .list_all(
            ListCardsQuery::builder()
                .template_id(template.clone())
                .state(CardState::Active),
        )
        .expect("iterator")
        .map(|c| c.expect("page").id)
        .collect();
    assert_eq!(active, [ids[1].clone(), ids[3].clone()]);

    let by_employee = cards
        .list(
            ListCardsQuery::builder()
                .template_id(template)
                .employee_id("emp-p2"),
        )
        .expect("listed");
    assert_eq!(by_employee.info().total_count, Some(1));

    let unknown = cards
        .list(ListCardsQuery::builder().template_id("0xnotmine"))
        .expect_err("unknown template");
    assert_eq!(unknown.status(), Some(404));
    let unknown = cards
        .issue(issue_request("0xnotmine", "Ada"))
        .expect_err("unknown template");
    assert_eq!(unknown.status(), Some(404));
    assert!(matches!(
        cards.get("0xnothere"),
        Err(Error::Api(ref e)) if e.status == 404
    ));
}

// ------------------------------------------------------------------ authentication

#[test]
fn signatures_and_account_ids_are_checked() {
    let sb = harness_sandbox();
    let template = sb.template_id();
    let body = format!(r#"{{"card_template_id":"{template}","full_name":"Ada","site_code":"1"}}"#);

    // The raw request itself is right: correctly signed, it is served.
    let ok = raw_post(&sb, "/v1/key-cards", &body, common::ACCOUNT, None);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["state"], "created");

    // One changed hex digit in the signature.
    let good = common::signature(body.as_bytes());
    let flipped = if good.starts_with('0') { "1" } else { "0" };
    let tampered = format!("{flipped}{}", &good[1..]);
    let refused = raw_post(
        &sb,
        "/v1/key-cards",
        &body,
        common::ACCOUNT,
        Some(&tampered),
    );
    assert_eq!(refused.status, 401);
    assert!(refused.body["message"]
        .as_str()
        .is_some_and(|m| m.contains("signature")));

    // The body changed after signing (a space more).
    let spaced = body.replacen(':', ": ", 1);
    let refused = raw_post(&sb, "/v1/key-cards", &spaced, common::ACCOUNT, Some(&good));
    assert_eq!(refused.status, 401);

    // A valid signature from another account id.
    let refused = raw_post(&sb, "/v1/key-cards", &body, "acct_someone_else", None);
    assert_eq!(refused.status, 401);
    assert!(refused.body["message"]
        .as_str()
        .is_some_and(|m| m.contains("X-ACCT-ID")));

    // Body-less: sig_payload is what is signed, and it is required.
    let payload = r#"{"id":"0xnothere"}"#;
    let sig = common::signature(payload.as_bytes());
    let path = format!("/v1/key-cards/0xnothere?sig_payload={}", encoded(payload));
    let served = raw_get(&sb, &path, Some(common::ACCOUNT), Some(&sig));
    assert_eq!(
        served.status, 404,
        "signature accepted, then the pass is unknown"
    );
    let refused = raw_get(
        &sb,
        "/v1/key-cards/0xnothere",
        Some(common::ACCOUNT),
        Some(&sig),
    );
    assert_eq!(refused.status, 401);
    assert!(refused.body["message"]
        .as_str()
        .is_some_and(|m| m.contains("sig_payload")));
    let other = r#"{"id":"0xother"}"#;
    let path = format!("/v1/key-cards/0xnothere?sig_payload={}", encoded(other));
    let refused = raw_get(&sb, &path, Some(common::ACCOUNT), Some(&sig));
    assert_eq!(refused.status, 401, "the signature is over another payload");
    let whitespace = r#"{"id": "0xnothere"}"#;
    let path = format!(
        "/v1/key-cards/0xnothere?sig_payload={}",
        encoded(whitespace)
    );
    let sig = common::signature(whitespace.as_bytes());
    let served = raw_get(&sb, &path, Some(common::ACCOUNT), Some(&sig));
    assert_eq!(
        served.status, 404,
        "any whitespace style is accepted when signed as sent"
    );

    // Missing headers.
    let path = format!("/v1/key-cards/0xnothere?sig_payload={}", encoded(payload));
    assert_eq!(raw_get(&sb, &path, None, Some(&sig)).status, 401);
    assert_eq!(raw_get(&sb, &path, Some(common::ACCOUNT), None).status, 401);

    // Through the SDK: a wrong secret is an authentication error.
    let wrong = accessgrid::Client::builder(sb.account_id(), "not the secret")
        .base_url(sb.base_url())
        .build()
        .expect("client");
    let err = wrong
        .access_cards()
        .get("0xnothere")
        .expect_err("wrong secret");
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    assert_eq!(sb.requests().last().map(|r| r.status), Some(401));
}

// ------------------------------------------------------------------ validation

#[test]
fn bodies_that_break_the_schema_are_refused_with_422() {
    let sb = harness_sandbox();
    let t = sb.template_id();
    let cases = [
        (
            format!(
                r#"{{"card_template_id":"{t}","full_name":"Ada","tag_id":"DF517FC87144D","site_code":"1"}}"#
            ),
            "tag_id",
            "14 hexadecimal characters",
        ),
        (
            format!(r#"{{"card_template_id":"{t}","full_name":5,"site_code":"1"}}"#),
            "full_name",
            "invalid type",
        ),
        (
            format!(r#"{{"card_template_id":"{t}","site_code":"1"}}"#),
            "full_name",
            "required",
        ),
        (
            format!(r#"{{"card_template_id":"{t}","full_name":"Ada","site_code":"256"}}"#),
            "site_code",
            "from 0 to 255",
        ),
        (
            format!(r#"{{"card_template_id":"{t}","full_name":"Ada","temporary":"soon"}}"#),
            "temporary",
            "invalid type",
        ),
        (
            format!(
                r#"{{"card_template_id":"{t}","full_name":"Ada","site_code":"1","tile_data":{{"numberOfRoomsReserved":2,"roomNumbers":["1"]}}}}"#
            ),
            "tile_data.numberOfRoomsReserved",
            "must match",
        ),
    ];
    for (body, field, words) in cases {
        let answer = raw_post(&sb, "/v1/key-cards", &body, common::ACCOUNT, None);
        assert_eq!(answer.status, 422, "{body} -> {}", answer.body);
        assert!(answer.body["message"].is_string(), "{}", answer.body);
        let reasons = &answer.body["errors"][field];
        assert!(
            reasons[0].as_str().is_some_and(|r| r.contains(words)),
            "{body}: expected `{field}` to mention `{words}`, got {}",
            answer.body
        );
    }
    let answer = raw_post(&sb, "/v1/key-cards", "{not json", common::ACCOUNT, None);
    assert_eq!(answer.status, 400);

    // The PATCH body and the list query go through the same types.
    let id = issue(&sb, "Ada");
    let answer = raw_post_method(
        &sb,
        "PATCH",
        &format!("/v1/key-cards/{id}"),
        r#"{"file_data":"XYZ"}"#,
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body["errors"]["file_data"].is_array());
    let sig = common::signature(b"{}");
    let answer = raw_get(
        &sb,
        "/v1/key-cards?sig_payload=%7B%7D",
        Some(common::ACCOUNT),
        Some(&sig),
    );
    // Without a template id, every template's passes are listed.
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body["keys"].is_array(), "{}", answer.body);
    let answer = raw_get(
        &sb,
        &format!("/v1/key-cards?template_id={t}&page=two&sig_payload=%7B%7D"),
        Some(common::ACCOUNT),
        Some(&sig),
    );
    assert_eq!(answer.status, 422);
    assert!(answer.body["errors"]["page"].is_array(), "{}", answer.body);

    // Nothing was issued by the refused requests.
    let all = sb
        .client()
        .access_cards()
        .list(ListCardsQuery::builder().template_id(t))
        .expect("listed");
    assert_eq!(all.info().total_count, Some(1));
}

// ------------------------------------------------------------------ faults

#[test]
fn faults_answer_the_next_requests_then_stop() {
    let sb = harness_sandbox();
    let sig = common::signature(b"{}");
    let path = format!(
        "/v1/key-cards?template_id={}&sig_payload=%7B%7D",
        sb.template_id()
    );
    let get = || raw_get(&sb, &path, Some(common::ACCOUNT), Some(&sig));

    sb.inject(Fault::Status(503), 2);
    sb.inject(Fault::RateLimited { retry_after: 7 }, 1);
    sb.inject(Fault::Status(500), 1);
    let statuses: Vec<(u16, Option<String>)> = (0..5)
        .map(|_| get())
        .map(|r| (r.status, r.retry_after))
        .collect();
    assert_eq!(
        statuses,
        [
            (503, None),
            (503, None),
            (429, Some("7".to_owned())),
            (500, None),
            (200, None),
        ]
    );

    // A fault answers before the credentials are looked at, like a proxy would.
    sb.inject(Fault::Status(503), 1);
    assert_eq!(raw_get(&sb, &path, None, None).status, 503);
    assert_eq!(raw_get(&sb, &path, None, None).status, 401);

    sb.inject(Fault::Status(500), 3);
    sb.clear_faults();
    assert_eq!(get().status, 200);

    // Through the SDK: the status and Retry-After reach the caller's error (enough faults
    // to outlast any retries the client makes).
    sb.inject(Fault::RateLimited { retry_after: 1 }, 10);
    let err = sb
        .client()
        .access_cards()
        .issue(issue_request(&sb.template_id(), "Ada"))
        .expect_err("rate limited");
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.api().and_then(|e| e.retry_after.as_deref()), Some("1"));
    sb.clear_faults();
    let listed = sb
        .client()
        .access_cards()
        .list(ListCardsQuery::builder().template_id(sb.template_id()))
        .expect("served again");
    assert_eq!(
        listed.info().total_count,
        Some(0),
        "the rate-limited issue did not happen"
    );
}

#[test]
fn a_delay_fault_makes_a_short_timeout_fire() {
    let sb = harness_sandbox();
    let sig = common::signature(b"{}");
    let url = format!(
        "{}/v1/key-cards?template_id={}&sig_payload=%7B%7D",
        sb.base_url(),
        sb.template_id()
    );
    let impatient = common::agent::agent(Duration::from_millis(300));
    sb.inject(Fault::Delay(Duration::from_secs(3)), 1);
    let started = Instant::now();
    let result = impatient
        .get(&url)
        .header("X-ACCT-ID", common::ACCOUNT)
        .header("X-PAYLOAD-SIG", &sig)
        .call();
    assert!(matches!(result, Err(ureq::Error::Timeout(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    sb.inject(Fault::Delay(Duration::from_millis(400)), 1);
    let started = Instant::now();
    let page = sb
        .client()
        .access_cards()
        .list(ListCardsQuery::builder().template_id(sb.template_id()))
        .expect("served after the delay");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(page.info().total_count, Some(0));
}

// ------------------------------------------------------------------ independence, shutdown

#[test]
fn sandboxes_side_by_side_are_independent() {
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let sb = Sandbox::start().expect("a starts");
            let id = issue(&sb, "in-a");
            (sb, id)
        });
        let b = s.spawn(|| {
            let sb = Sandbox::start().expect("b starts");
            let ids: Vec<String> = (0..3).map(|n| issue(&sb, &format!("in-b-{n}"))).collect();
            (sb, ids)
        });
        (a.join().expect("a"), b.join().expect("b"))
    });
    let ((sa, id_a), (sb, ids_b)) = (a, b);
    assert_ne!(sa.base_url(), sb.base_url());
    assert_ne!(sa.account_id(), sb.account_id());
    assert_ne!(sa.template_id(), sb.template_id());
    assert!(!ids_b.contains(&id_a));

    let count = |s: &Sandbox| {
        s.client()
            .access_cards()
            .list(ListCardsQuery::builder().template_id(s.template_id()))
            .expect("listed")
            .info()
            .total_count
    };
    assert_eq!(count(&sa), Some(1));
    assert_eq!(count(&sb), Some(3));
    let err = sb.client().access_cards().get(&id_a).expect_err("not in b");
    assert_eq!(err.status(), Some(404));

    // a's credentials mean nothing to b.
    let cross = sa
        .client_builder()
        .base_url(sb.base_url())
        .build()
        .expect("client");
    let err = cross
        .access_cards()
        .get(&ids_b[0])
        .expect_err("wrong account");
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");

    // A fault in one does not reach the other.
    sa.inject(Fault::Status(503), 10);
    assert_eq!(count(&sb), Some(3));
    assert_eq!(
        sa.client()
            .access_cards()
            .get(&id_a)
            .err()
            .and_then(|e| e.status()),
        Some(503)
    );
}

#[test]
fn dropping_the_sandbox_frees_its_port() {
    let sb = harness_sandbox();
    let addr = sb.addr();
    let client = sb.client();
    let id = issue(&sb, "Ada");
    // A request held by a long delay is in flight when the sandbox is dropped.
    sb.inject(Fault::Delay(Duration::from_secs(30)), 1);
    let in_flight = {
        let client = client.clone();
        std::thread::spawn(move || client.access_cards().get(&id))
    };
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    drop(sb);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a pending delay does not hold the shutdown"
    );
    // Served once the delay was cut short (or refused, had it come after the drop).
    let answered = in_flight.join().expect("the request thread");
    assert!(
        answered.is_ok() || matches!(answered, Err(Error::Transport(_))),
        "{answered:?}"
    );
    // Held (bound, not listening) from here on, so no parallel test is handed the port.
    let rebound = common::ports::ReservedPort::on(addr);
    assert!(
        rebound.is_ok(),
        "port {addr} still taken: {:?}",
        rebound.err()
    );
    let err = client
        .access_cards()
        .get("0xanything")
        .expect_err("nobody listens");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[test]
fn the_sandbox_never_prints_its_secret() {
    let sb = harness_sandbox();
    let shown = format!("{sb:?} {:?}", Sandbox::builder().secret_key(common::SECRET));
    assert!(!shown.contains(common::SECRET), "{shown}");
    assert!(shown.contains(common::ACCOUNT));
    let bad = raw_post(&sb, "/v1/key-cards", "{}", common::ACCOUNT, Some("00"));
    assert_eq!(
        bad.body,
        json!({"message": "invalid signature: X-PAYLOAD-SIG does not match the payload"})
    );
}
