//! `accessgrid::reconcile` against the sandbox: snapshots across pages, plans with reasons,
//! the guard, state rules, safe issuing after a lost answer, expiry and renewal.
#![cfg(feature = "sandbox")]

use std::time::Duration;

use accessgrid::models::{CardState, IssueCardRequest};
use accessgrid::reconcile::{Action, Issued, Person, Reconciler, RenewPolicy, Snapshot, Status};
use accessgrid::sandbox::{Fault, Sandbox};
use accessgrid::Error;

mod common;
use common::sandbox::live_passes;

fn person(n: u32) -> Person {
    Person::new(format!("p{n:03}"), format!("Person {n}"))
        .employee_id(format!("p{n:03}"))
        .email(format!("p{n}@example.com"))
        .credential("42", n.to_string())
}

fn people(range: std::ops::RangeInclusive<u32>) -> Vec<Person> {
    range.map(person).collect()
}

#[test]
fn a_snapshot_reads_every_page_and_indexes_by_id_employee_and_key() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let sync = Reconciler::new(&client, sandbox.template_id());
    let report = sync
        .apply(
            &sync.plan(&sync.snapshot().expect("snapshot"), &people(1..=130)),
            false,
        )
        .expect("applied");
    assert_eq!(report.counts().issued, 130);
    assert!(report.is_success(), "{report}");

    // 130 passes are two pages of 100: the provider's own sync saw only the first 25.
    let snapshot = Snapshot::take(&client, &[sandbox.template_id()], "pacs_id").expect("snapshot");
    assert_eq!(snapshot.passes().len(), 130);
    let by_key = snapshot.by_key("p129");
    assert_eq!(by_key.len(), 1);
    assert_eq!(by_key[0].full_name.as_deref(), Some("Person 129"));
    assert_eq!(snapshot.by_employee_id("p129")[0].id, by_key[0].id);
    assert_eq!(
        snapshot.by_id(&by_key[0].id).map(|p| p.card_number.clone()),
        Some(Some("129".to_owned()))
    );
    // Every issued pass carries its key in its metadata.
    assert!(snapshot.passes().iter().all(|p| p
        .metadata
        .as_ref()
        .and_then(|m| m.get("pacs_id"))
        .is_some()));
}

#[test]
fn the_plan_names_each_action_with_its_reason_and_the_guard_holds() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let sync = Reconciler::new(&client, sandbox.template_id());
    let mut desired = people(1..=20);
    sync.apply(
        &sync.plan(&sync.snapshot().expect("snapshot"), &desired),
        false,
    )
    .expect("applied");
    for pass in live_passes(&sandbox) {
        sandbox.install(&pass.id).expect("installed");
    }

    // p001 leaves, p002 is suspended, p003 is renamed, p004 gets a new badge, p021 joins.
    desired.remove(0);
    desired[0] = person(2).status(Status::Suspended);
    desired[1].full_name = "Renamed Three".into();
    desired[2] = person(4).credential("42", "9004");
    desired.push(person(21));
    let plan = sync.plan(&sync.snapshot().expect("snapshot"), &desired);
    let verbs: Vec<(&str, Option<&str>)> =
        plan.actions().iter().map(|a| (a.verb(), a.key())).collect();
    assert_eq!(
        verbs,
        [
            // People first, in the desired state's order; then the passes nobody claims.
            ("delete", Some("p004")),
            ("delete", Some("p001")),
            ("suspend", Some("p002")),
            ("update", Some("p003")),
            ("issue", Some("p004")),
            ("issue", Some("p021")),
        ]
    );
    assert_eq!(plan.unchanged(), 16);
    let text = plan.to_string();
    assert!(text.contains("delete  p001"), "{text}");
    assert!(text.contains("not in the desired state"), "{text}");
    assert!(
        text.contains("full_name \"Person 3\" -> \"Renamed Three\""),
        "{text}"
    );
    assert!(
        text.contains("badge changed from 42/4 to 42/9004"),
        "{text}"
    );

    // 3 of 20 passes taken away is 15%: refused, and nothing was sent.
    let before = sandbox.requests().len();
    let refused = sync.apply(&plan, false).expect_err("over 10%");
    assert!(matches!(refused, Error::PlanRefused { .. }), "{refused}");
    assert!(refused.to_string().contains("3 of 20 passes"), "{refused}");
    assert_eq!(sandbox.requests().len(), before);

    let report = sync.apply(&plan, true).expect("forced");
    assert!(report.is_success(), "{report}");
    let c = report.counts();
    assert_eq!((c.issued, c.updated, c.suspended, c.deleted), (2, 1, 1, 2));
    let again = sync.plan(&sync.snapshot().expect("snapshot"), &desired);
    assert!(again.actions().is_empty(), "{again}");

    // An empty desired state is always refused unless forced.
    let empty = sync.plan(&sync.snapshot().expect("snapshot"), &[]);
    assert_eq!(empty.destructive(), 20);
    let refused = sync.apply(&empty, false).expect_err("empty");
    assert!(
        refused.to_string().contains("the desired state is empty"),
        "{refused}"
    );
    assert_eq!(live_passes(&sandbox).len(), 20);
}

#[test]
fn a_created_pass_that_should_be_suspended_waits_for_its_install() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let sync = Reconciler::new(&client, sandbox.template_id()).max_destructive_share(1.0);
    sync.apply(
        &sync.plan(&sync.snapshot().expect("snapshot"), &people(1..=2)),
        false,
    )
    .expect("applied");
    let desired = vec![person(1).status(Status::Suspended), person(2)];
    let plan = sync.plan(&sync.snapshot().expect("snapshot"), &desired);
    assert!(plan.actions().is_empty(), "{plan}");
    assert_eq!(plan.waiting().len(), 1);
    assert!(plan.waiting()[0].reason.contains("once it is installed"));

    // Once installed, the next plan suspends it.
    let pass = sync.snapshot().expect("snapshot").by_key("p001")[0]
        .id
        .clone();
    sandbox.install(&pass).expect("installed");
    let plan = sync.plan(&sync.snapshot().expect("snapshot"), &desired);
    assert!(matches!(plan.actions(), [Action::Suspend { pass_id, .. }] if *pass_id == pass));
    assert!(sync.apply(&plan, false).expect("applied").is_success());
    assert_eq!(
        client.access_cards().get(&pass).expect("read").state,
        Some(CardState::Suspended)
    );
}

#[test]
fn a_lost_issue_answer_is_recovered_by_key_and_never_issued_twice() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let sync = Reconciler::new(&client, sandbox.template_id());

    sandbox.inject_on("POST", "/v1/key-cards", Fault::LoseAnswer, 1);
    let issued = sync.issue(&person(7)).expect("recovered");
    assert!(matches!(issued, Issued::Found(_)));
    assert_eq!(issued.card().employee_id.as_deref(), Some("p007"));
    let posts = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/key-cards")
        .map(|r| r.status)
        .collect::<Vec<_>>();
    assert_eq!(posts, [0], "the issue was sent once, and its answer lost");
    assert_eq!(live_passes(&sandbox).len(), 1);

    // Lost answers in the middle of a whole run: one pass per person in the end.
    sandbox.inject_on("POST", "/v1/key-cards", Fault::LoseAnswer, 3);
    let desired = people(1..=10);
    let report = sync
        .apply(
            &sync.plan(&sync.snapshot().expect("snapshot"), &desired),
            false,
        )
        .expect("applied");
    assert!(report.is_success(), "{report}");
    assert_eq!(report.counts().issued, 9);
    assert_eq!(
        report
            .entries()
            .iter()
            .filter(|(_, o)| matches!(o, accessgrid::reconcile::Outcome::Recovered(_)))
            .count(),
        3
    );
    let passes = live_passes(&sandbox);
    assert_eq!(passes.len(), 10);
    let mut keys: Vec<String> = passes
        .iter()
        .filter_map(|p| accessgrid::reconcile::key_of(p, "pacs_id"))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 10);
}

#[test]
fn a_lost_answer_with_the_lookup_failing_too_sends_nothing_again() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox
        .client_builder()
        .retry(accessgrid::RetryPolicy::default().with_max_retries(0))
        .build()
        .expect("client");
    let sync = Reconciler::new(&client, sandbox.template_id());
    sandbox.inject_on("POST", "/v1/key-cards", Fault::LoseAnswer, 1);
    sandbox.inject_on("GET", "/v1/key-cards", Fault::Status(503), 5);
    let err = sync.issue(&person(1)).expect_err("unknown");
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err}");
    let posts = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
}

#[test]
fn the_sandbox_clock_expires_passes_and_the_reconciler_renews_them_by_policy() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let day = Duration::from_secs(24 * 3600);
    let renewing =
        Reconciler::new(&client, sandbox.template_id()).renew(RenewPolicy::new(7 * day, 365 * day));
    renewing
        .apply(
            &renewing.plan(&renewing.snapshot().expect("snapshot"), &people(1..=3)),
            false,
        )
        .expect("applied");
    for pass in live_passes(&sandbox) {
        assert!(pass.expiration_date.is_some(), "a term is set on issue");
        sandbox.install(&pass.id).expect("installed");
    }

    sandbox.advance_clock(366 * day);
    let passes = live_passes(&sandbox);
    assert!(passes.iter().all(|p| p.state == Some(CardState::Suspended)));
    let expired = sandbox
        .events()
        .iter()
        .filter(|e| e.kind == "ag.access_pass.expired")
        .count();
    assert_eq!(expired, 3);

    // Without renewal, nothing is resumed: the expired passes wait.
    let plain = Reconciler::new(&client, sandbox.template_id()).now(sandbox.now());
    let plan = plain.plan(&plain.snapshot().expect("snapshot"), &people(1..=3));
    assert!(plan.actions().is_empty(), "{plan}");
    assert_eq!(plan.waiting().len(), 3);

    // With renewal, each is renewed and active again.
    let renewing = renewing.now(sandbox.now());
    let plan = renewing.plan(&renewing.snapshot().expect("snapshot"), &people(1..=3));
    assert_eq!(plan.counts().renewed, 3, "{plan}");
    let report = renewing.apply(&plan, false).expect("applied");
    assert!(report.is_success(), "{report}");
    assert!(live_passes(&sandbox)
        .iter()
        .all(|p| p.state == Some(CardState::Active)));
    assert_eq!(
        sandbox
            .events()
            .iter()
            .filter(|e| e.kind == "ag.access_pass.renewed")
            .count(),
        3
    );
}

#[test]
fn an_unkeyed_pass_of_the_same_employee_is_adopted_not_duplicated() {
    let sandbox = Sandbox::start().expect("sandbox");
    let client = sandbox.client();
    let by_hand = client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(sandbox.template_id())
                .full_name("Person 1")
                .employee_id("p001")
                .email("p1@example.com")
                .site_code("42")
                .card_number("1"),
        )
        .expect("issued");
    let sync = Reconciler::new(&client, sandbox.template_id());
    let plan = sync.plan(&sync.snapshot().expect("snapshot"), &people(1..=1));
    match plan.actions() {
        [Action::Update {
            pass_id, changes, ..
        }] => {
            assert_eq!(*pass_id, by_hand.id);
            assert_eq!(changes[0].field, "metadata");
            assert_eq!(changes[0].to["pacs_id"], "p001");
        }
        other => panic!("{other:?}"),
    }
}
