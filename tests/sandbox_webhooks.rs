//! The sandbox delivers its events to registered webhooks: receivers on 127.0.0.1 (tiny_http)
//! get each event as a CloudEvents envelope with the webhook's bearer token, verified with
//! `accessgrid::webhooks::verify`; refused deliveries are retried; subscriptions filter;
//! URLs outside loopback are never contacted. Nothing here waits on a clock: tests wait
//! for the sandbox's delivery queue to drain (`Sandbox::wait_for_deliveries`).
#![cfg(feature = "sandbox")]

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accessgrid::models::{
    CardState, CreateCredentialProfileRequest, CreateLandingPageRequest, CreateTemplateRequest,
    CreateWebhookRequest, CredentialProfileKey, EventType, IssueCardRequest, LandingPageKind,
    TemplatePlatform, TemplateProtocol, UpdateLandingPageRequest, UpdateTemplateRequest,
    WebhookAuthMethod,
};
use accessgrid::sandbox::{Delivery, DeliveryOutcome, Sandbox};
use accessgrid::webhooks::{
    self, Deduper, EventData, WebhookEvent, EVENT_CONTENT_TYPE, SENDER_USER_AGENT,
};
use accessgrid::Client;

mod common;
use common::json::without_nulls;
use common::ports::ReservedPort;
use common::receiver::Receiver;
use common::sandbox::issue;

/// The example receiver, whose `describe` is used against the sandbox below.
#[cfg(feature = "webhook-receiver")]
#[allow(dead_code)]
#[path = "../examples/webhook_receiver.rs"]
mod example_receiver;

/// Long enough for any delivery on a loaded machine; the tests never wait it out unless
/// something is broken.
const PATIENCE: Duration = Duration::from_secs(20);

// ------------------------------------------------------------------ helpers

/// Registers a webhook through the client; answers its id and bearer token.
fn register(client: &Client, url: &str, events: &[EventType]) -> (String, String) {
    let hook = client
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("test receiver")
                .url(url)
                .subscribed_events(events.iter().map(|e| e.to_string()).collect::<Vec<_>>()),
        )
        .expect("webhook created");
    let token = hook
        .private_key
        .expect("the create answer carries the bearer token")
        .expose()
        .to_owned();
    (hook.id, token)
}

/// A sandbox with an accepting receiver registered for `events`; the receiver's token.
fn watched(events: &[EventType]) -> (Sandbox, Receiver, String) {
    let sb = Sandbox::start().expect("sandbox starts");
    let receiver = Receiver::accepting();
    let (_, token) = register(&sb.client(), &receiver.url(), events);
    (sb, receiver, token)
}

const PASS_EVENTS: [EventType; 8] = [
    EventType::AccessPassIssued,
    EventType::AccessPassActivated,
    EventType::AccessPassUpdated,
    EventType::AccessPassSuspended,
    EventType::AccessPassResumed,
    EventType::AccessPassUnlinked,
    EventType::AccessPassDeleted,
    EventType::AccessPassDeviceAdded,
];

fn drained(sandbox: &Sandbox) {
    assert!(
        sandbox.wait_for_deliveries(PATIENCE),
        "deliveries still pending: {:#?}",
        sandbox.deliveries()
    );
}

fn types(events: &[WebhookEvent]) -> Vec<EventType> {
    events.iter().map(|e| e.event_type.clone()).collect()
}

fn for_hook(deliveries: &[Delivery], hook: &str) -> Vec<Delivery> {
    deliveries
        .iter()
        .filter(|d| d.webhook_id == hook)
        .cloned()
        .collect()
}

// ------------------------------------------------------------------ tests

#[test]
fn every_state_change_of_a_pass_arrives_once_verified_and_in_order() {
    let sb = Sandbox::start().expect("sandbox starts");
    let client = sb.client();
    let receiver = Receiver::accepting();
    let (hook, token) = register(&client, &receiver.url(), &PASS_EVENTS);

    let id = issue(&sb, "Ada");
    sb.install(&id).expect("installed");
    let cards = client.access_cards();
    cards.suspend(&id).expect("suspended");
    cards.resume(&id).expect("resumed");
    cards.unlink(&id).expect("unlinked");
    cards.delete(&id).expect("deleted");
    drained(&sb);

    let seen = receiver.seen();
    let deduper = Deduper::new(100, Duration::from_secs(3600));
    let mut events = Vec::new();
    for request in &seen {
        assert_eq!(request.method, "POST");
        assert_eq!(request.content_type.as_deref(), Some(EVENT_CONTENT_TYPE));
        assert_eq!(request.user_agent.as_deref(), Some(SENDER_USER_AGENT));
        assert_eq!(
            request.authorization.as_deref(),
            Some(format!("Bearer {token}").as_str())
        );
        let event = request.verify(&token);
        assert!(deduper.first_time(&event.id), "{} arrived twice", event.id);
        events.push(event);
    }
    // One webhook's events arrive in the order they happened.
    assert_eq!(
        types(&events),
        [
            EventType::AccessPassIssued,
            EventType::AccessPassActivated,
            EventType::AccessPassSuspended,
            EventType::AccessPassResumed,
            EventType::AccessPassUnlinked,
            EventType::AccessPassDeleted,
        ]
    );
    let recorded: Vec<String> = sb.events().into_iter().map(|e| e.id).collect();
    let delivered: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(delivered, recorded, "the ids the sandbox recorded");
    for event in &events {
        assert_eq!(event.source, "accessgrid");
        assert_eq!(event.data_content_type.as_deref(), Some("application/json"));
        let time = event.time.as_deref().expect("a time");
        assert!(
            time.len() >= 20 && time.as_bytes()[10] == b'T' && time.ends_with('Z'),
            "ISO 8601: {time}"
        );
        match event.typed_data().expect("documented data") {
            EventData::AccessPass(data) => {
                assert_eq!(data.access_pass_id.as_deref(), Some(id.as_str()));
                assert_eq!(
                    data.card_template_id.as_deref(),
                    Some(sb.template_id().as_str())
                );
                assert_eq!(data.site_code.as_deref(), Some("42"));
                assert_eq!(data.card_number.as_deref(), Some("1234"));
            }
            other => panic!("not access-pass data: {other:?}"),
        }
    }
    assert_eq!(events[0].data["protocol"], "desfire");
    assert_eq!(events[1].data["device"]["type"], "mobile");

    // The sandbox's own record: one accepted attempt per event.
    let deliveries = sb.deliveries();
    assert_eq!(deliveries.len(), 6, "{deliveries:#?}");
    for (delivery, event) in deliveries.iter().zip(&events) {
        assert_eq!(delivery.webhook_id, hook);
        assert_eq!(delivery.url, receiver.url());
        assert_eq!(delivery.event_id, event.id);
        assert_eq!(delivery.event_type, event.event_type.as_str());
        assert_eq!(delivery.attempt, 1);
        assert_eq!(delivery.outcome, DeliveryOutcome::Answered(200));
        assert!(delivery.delivered() && !delivery.will_retry);
    }
}

#[test]
fn a_refused_delivery_is_retried_with_backoff_and_deduped_by_the_receiver() {
    let backoff = Duration::from_millis(20);
    let sb = Sandbox::builder()
        .webhook_backoff(backoff)
        .start()
        .expect("sandbox starts");
    let receiver = Receiver::start(|n| if n < 2 { 500 } else { 200 });
    let (hook, token) = register(
        &sb.client(),
        &receiver.url(),
        &[EventType::AccessPassIssued],
    );

    let id = issue(&sb, "Grace");
    drained(&sb);

    let seen = receiver.seen();
    let answered: Vec<u16> = seen.iter().map(|r| r.answered).collect();
    assert_eq!(answered, [500, 500, 200]);
    let deduper = Deduper::new(100, Duration::from_secs(3600));
    let events: Vec<WebhookEvent> = seen.iter().map(|r| r.verify(&token)).collect();
    let first_times: Vec<bool> = events.iter().map(|e| deduper.first_time(&e.id)).collect();
    assert_eq!(
        first_times,
        [true, false, false],
        "the same event three times"
    );
    assert_eq!(events[0], events[2], "a retry carries the same envelope");
    assert_eq!(events[0].data["access_pass_id"], id.as_str());
    // Backoff: 20 ms, then 40 ms (lower bounds only: a busy machine is only slower).
    assert!(seen[1].at - seen[0].at >= backoff);
    assert!(seen[2].at - seen[1].at >= backoff * 2);

    let attempts: Vec<(u32, DeliveryOutcome, bool)> = for_hook(&sb.deliveries(), &hook)
        .into_iter()
        .map(|d| (d.attempt, d.outcome, d.will_retry))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, DeliveryOutcome::Answered(500), true),
            (2, DeliveryOutcome::Answered(500), true),
            (3, DeliveryOutcome::Answered(200), false),
        ]
    );
}

#[test]
fn attempts_are_bounded_and_only_200_or_201_counts_as_delivered() {
    let sb = Sandbox::builder()
        .webhook_attempts(3)
        .webhook_backoff(Duration::from_millis(5))
        .start()
        .expect("sandbox starts");
    let client = sb.client();
    let refusing = Receiver::start(|_| 503);
    let redirecting = Receiver::start(|_| 302);
    let creating = Receiver::start(|_| 201);
    // A loopback port nobody listens on (held for the whole test): the connection is refused.
    let closed_port = ReservedPort::new();
    let closed = closed_port.url("/hook");
    let only_issued = [EventType::AccessPassIssued];
    let (refusing_hook, _) = register(&client, &refusing.url(), &only_issued);
    let (redirecting_hook, _) = register(&client, &redirecting.url(), &only_issued);
    let (creating_hook, _) = register(&client, &creating.url(), &only_issued);
    let (closed_hook, _) = register(&client, &closed, &only_issued);

    issue(&sb, "Edsger");
    drained(&sb);
    let deliveries = sb.deliveries();

    assert_eq!(refusing.seen().len(), 3, "three attempts, then it gives up");
    let refused = for_hook(&deliveries, &refusing_hook);
    let retries: Vec<bool> = refused.iter().map(|d| d.will_retry).collect();
    assert_eq!(retries, [true, true, false]);
    assert!(refused
        .iter()
        .all(|d| d.outcome == DeliveryOutcome::Answered(503) && !d.delivered()));

    assert_eq!(redirecting.seen().len(), 3, "a redirect is not followed");
    assert_eq!(for_hook(&deliveries, &redirecting_hook).len(), 3);

    assert_eq!(creating.seen().len(), 1);
    let created = for_hook(&deliveries, &creating_hook);
    assert_eq!(created.len(), 1);
    assert!(created[0].delivered());

    let failed = for_hook(&deliveries, &closed_hook);
    assert_eq!(failed.len(), 3, "{failed:#?}");
    for (n, delivery) in failed.iter().enumerate() {
        assert_eq!(delivery.attempt, n as u32 + 1);
        assert!(
            matches!(&delivery.outcome, DeliveryOutcome::Failed(why) if !why.is_empty()),
            "{delivery:?}"
        );
    }
}

#[test]
fn a_webhook_gets_only_the_types_it_subscribed_to() {
    let sb = Sandbox::start().expect("sandbox starts");
    let client = sb.client();
    let suspensions = Receiver::accepting();
    let everything = Receiver::accepting();
    let (_, suspensions_token) = register(
        &client,
        &suspensions.url(),
        &[EventType::AccessPassSuspended],
    );
    let (_, everything_token) = register(&client, &everything.url(), &PASS_EVENTS);

    let a = issue(&sb, "A");
    let b = issue(&sb, "B");
    for id in [&a, &b] {
        sb.install(id).expect("installed");
    }
    client.access_cards().suspend(&b).expect("suspended");
    client.access_cards().resume(&b).expect("resumed");
    drained(&sb);

    let got: Vec<WebhookEvent> = suspensions
        .seen()
        .iter()
        .map(|r| r.verify(&suspensions_token))
        .collect();
    assert_eq!(types(&got), [EventType::AccessPassSuspended]);
    assert_eq!(got[0].data["access_pass_id"], b.as_str());

    let all: Vec<WebhookEvent> = everything
        .seen()
        .iter()
        .map(|r| r.verify(&everything_token))
        .collect();
    assert_eq!(all.len(), 6);
    // Each webhook has its own token: one's token does not verify the other's deliveries.
    let foreign = &suspensions.seen()[0];
    assert!(webhooks::verify(
        foreign.authorization.as_deref(),
        &foreign.body,
        &everything_token
    )
    .is_err());
}

#[test]
fn a_webhook_outside_loopback_is_stored_but_never_contacted() {
    let sb = Sandbox::start().expect("sandbox starts");
    let client = sb.client();
    let local = Receiver::accepting();
    let outside = [
        "https://hooks.example.com/accessgrid",
        "http://192.0.2.10:8080/hook",
        "http://127.0.0.1.example.com/hook",
    ];
    let mut outside_hooks = Vec::new();
    for url in outside {
        outside_hooks.push(register(&client, url, &PASS_EVENTS).0);
    }
    let (local_hook, _) = register(&client, &local.url(), &PASS_EVENTS);

    let id = issue(&sb, "Barbara");
    sb.install(&id).expect("installed");
    drained(&sb);

    let deliveries = sb.deliveries();
    for (hook, url) in outside_hooks.iter().zip(outside) {
        let records = for_hook(&deliveries, hook);
        assert_eq!(records.len(), 2, "one record per event: {records:#?}");
        for record in records {
            assert_eq!(record.url, url);
            assert_eq!(record.outcome, DeliveryOutcome::NotLoopback);
            assert_eq!(record.attempt, 0);
            assert!(!record.delivered() && !record.will_retry);
        }
    }
    assert_eq!(for_hook(&deliveries, &local_hook).len(), 2);
    assert_eq!(local.seen().len(), 2);

    // Still registered, as the API keeps it.
    let listed = client
        .console()
        .webhooks()
        .list(accessgrid::models::ConsolePageQuery::default())
        .expect("listed")
        .into_items();
    let urls: Vec<String> = listed.into_iter().filter_map(|w| w.url).collect();
    for url in outside {
        assert!(urls.iter().any(|u| u == url), "{url} is listed: {urls:?}");
    }
}

#[test]
fn delivery_never_holds_up_the_api() {
    let sb = Sandbox::start().expect("sandbox starts");
    let (arrived_tx, arrived) = mpsc::channel::<()>();
    let (release, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let timed_out = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&timed_out);
    // The receiver holds its first delivery until the test releases it.
    let receiver = Receiver::start(move |n| {
        if n == 0 {
            let _ = arrived_tx.send(());
            let released = release_rx.lock().expect("lock").recv_timeout(PATIENCE);
            *flag.lock().expect("lock") = released.is_err();
        }
        200
    });
    let (_, token) = register(&sb.client(), &receiver.url(), &PASS_EVENTS);

    let id = issue(&sb, "Frances");
    arrived
        .recv_timeout(PATIENCE)
        .expect("the first delivery reached the receiver");
    // The receiver is still holding the first delivery: the API answers all the same.
    sb.install(&id).expect("installed");
    sb.client().access_cards().suspend(&id).expect("suspended");
    release.send(()).expect("release");
    drained(&sb);

    assert!(
        !*timed_out.lock().expect("lock"),
        "the API waited for the receiver"
    );
    let got: Vec<EventType> = receiver
        .seen()
        .iter()
        .map(|r| r.verify(&token).event_type)
        .collect();
    assert_eq!(
        got,
        [
            EventType::AccessPassIssued,
            EventType::AccessPassActivated,
            EventType::AccessPassSuspended,
        ]
    );
}

/// The console events of one run through templates, landing pages and profiles, in order.
const CONSOLE_EVENTS: [EventType; 8] = [
    EventType::CardTemplateCreated,
    EventType::CardTemplateUpdated,
    EventType::CardTemplateRequestedPublishing,
    EventType::CardTemplatePublished,
    EventType::CardTemplateDeleted,
    EventType::LandingPageCreated,
    EventType::LandingPageUpdated,
    EventType::CredentialProfileCreated,
];

#[test]
fn console_events_are_delivered_with_their_family_data() {
    let (sb, receiver, token) = watched(&CONSOLE_EVENTS);
    let client = sb.client();
    let console = client.console();

    let template = console
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Lab door")
                .platform("apple")
                .use_case("corporate_id")
                .protocol("seos"),
        )
        .expect("created")
        .id;
    console
        .templates()
        .update(&template, UpdateTemplateRequest::builder().name("Lab"))
        .expect("updated");
    console.templates().publish(&template).expect("published");
    console.templates().delete(&template).expect("deleted");
    let page = console
        .landing_pages()
        .create(
            CreateLandingPageRequest::builder()
                .name("Lobby")
                .kind(LandingPageKind::Universal),
        )
        .expect("created")
        .id;
    console
        .landing_pages()
        .update(&page, UpdateLandingPageRequest::builder().name("Front"))
        .expect("updated");
    let profile = console
        .credential_profiles()
        .create(
            CreateCredentialProfileRequest::builder()
                .name("Main office")
                .keys(vec![CredentialProfileKey::new(
                    "00112233445566778899AABBCCDDEEFF",
                )]),
        )
        .expect("created")
        .id;
    drained(&sb);

    let events = receiver.events(&token);
    assert_eq!(types(&events), CONSOLE_EVENTS);
    for event in &events[..5] {
        match event.typed_data().expect("documented data") {
            EventData::CardTemplate(data) => {
                assert_eq!(data.card_template_id.as_deref(), Some(template.as_str()));
                assert_eq!(
                    data.protocol.map(|p| p.to_string()).as_deref(),
                    Some("seos")
                );
            }
            other => panic!("not card-template data: {other:?}"),
        }
    }
    for event in &events[5..7] {
        match event.typed_data().expect("documented data") {
            EventData::LandingPage(data) => {
                assert_eq!(data.landing_page_id.as_deref(), Some(page.as_str()));
            }
            other => panic!("not landing-page data: {other:?}"),
        }
    }
    match events[7].typed_data().expect("documented data") {
        EventData::CredentialProfile(data) => {
            assert_eq!(
                data.credential_profile_id.as_deref(),
                Some(profile.as_str())
            );
        }
        other => panic!("not credential-profile data: {other:?}"),
    }
}

#[test]
fn a_deleted_webhook_gets_nothing_more_and_an_mtls_webhook_no_token() {
    let sb = Sandbox::start().expect("sandbox starts");
    let client = sb.client();
    let receiver = Receiver::accepting();
    let (hook, token) = register(&client, &receiver.url(), &PASS_EVENTS);
    let mtls = Receiver::accepting();
    let mtls_hook = client
        .console()
        .webhooks()
        .create(
            CreateWebhookRequest::builder()
                .name("mtls receiver")
                .url(mtls.url())
                .auth_method(WebhookAuthMethod::Mtls)
                .subscribed_events(vec![EventType::AccessPassIssued.to_string()]),
        )
        .expect("created");
    assert_eq!(mtls_hook.private_key, None);

    let id = issue(&sb, "Katherine");
    drained(&sb);
    assert_eq!(receiver.seen().len(), 1);
    client
        .console()
        .webhooks()
        .delete(&hook)
        .expect("webhook deleted");
    sb.install(&id).expect("installed");
    client.access_cards().suspend(&id).expect("suspended");
    drained(&sb);

    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "nothing after the delete");
    assert_eq!(
        seen[0].verify(&token).event_type,
        EventType::AccessPassIssued
    );
    assert_eq!(
        sb.deliveries()
            .iter()
            .filter(|d| d.webhook_id == hook)
            .count(),
        1
    );

    // mTLS authenticates at the receiver's ingress; the sandbox sends no bearer token.
    let got = mtls.seen();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].authorization, None);
    let event = webhooks::parse_event(&got[0].body).expect("an envelope");
    assert_eq!(event.event_type, EventType::AccessPassIssued);
}

#[cfg(feature = "webhook-receiver")]
#[test]
fn the_library_receiver_handles_sandbox_deliveries_once_each() {
    let backoff = Duration::from_millis(10);
    let sb = Sandbox::builder()
        .webhook_backoff(backoff)
        .start()
        .expect("sandbox starts");
    let handled = Arc::new(Mutex::new(Vec::<(WebhookEvent, String)>::new()));
    let failures_left = Arc::new(Mutex::new(1));
    let receiver = {
        let (handled, failures_left) = (Arc::clone(&handled), Arc::clone(&failures_left));
        // The webhook's URL names the port and its create answer holds the token: reserve
        // a free port, register, then start the receiver on that port with that token.
        let reserved = ReservedPort::new();
        let port = reserved.port();
        let (_, token) = register(
            &sb.client(),
            &format!("http://127.0.0.1:{port}/hooks"),
            &PASS_EVENTS,
        );
        webhooks::Receiver::builder(token)
            .bind(format!("127.0.0.1:{port}"))
            .path("/hooks")
            .start(move |event: &WebhookEvent| {
                // The first activation fails to be handled: it is answered 500, forgotten
                // by the deduper, and handled when the sandbox delivers it again.
                let mut left = failures_left.lock().expect("lock");
                if event.event_type == EventType::AccessPassActivated && *left > 0 {
                    *left -= 1;
                    return Err("database unavailable");
                }
                let line = example_receiver::describe(event);
                handled.lock().expect("lock").push((event.clone(), line));
                Ok(())
            })
            .expect("receiver starts")
    };

    let id = issue(&sb, "Radia");
    sb.install(&id).expect("installed");
    sb.client().access_cards().suspend(&id).expect("suspended");
    drained(&sb);
    receiver.stop();

    let handled = handled.lock().expect("lock").clone();
    let events: Vec<WebhookEvent> = handled.iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(
        types(&events),
        [
            EventType::AccessPassIssued,
            EventType::AccessPassActivated,
            EventType::AccessPassSuspended,
        ]
    );
    for (event, line) in &handled {
        assert!(line.contains(&event.id), "{line}");
        assert!(line.contains(&format!("access pass {id}")), "{line}");
    }
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    let statuses: Vec<DeliveryOutcome> = sb.deliveries().into_iter().map(|d| d.outcome).collect();
    assert_eq!(
        statuses,
        [
            DeliveryOutcome::Answered(200),
            DeliveryOutcome::Answered(500),
            DeliveryOutcome::Answered(200),
            DeliveryOutcome::Answered(200),
        ]
    );
}

// ------------------------------------------------------------------ richer data, new types

/// The `id` of any answer, read from its JSON (whatever Rust type the field has).
fn id_of<T: serde::Serialize>(answer: &T) -> String {
    serde_json::to_value(answer).expect("serializes")["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

#[test]
fn pass_events_carry_the_documented_and_the_richer_data() {
    let (sb, receiver, token) = watched(&PASS_EVENTS);
    let client = sb.client();
    let template = sb.template_id();

    let card = client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(template.clone())
                .full_name("Zoë Ångström")
                .employee_id("E-1001")
                .title("Engineer")
                .start_date("2025-01-01T00:00:00Z")
                .expiration_date("2026-01-01T00:00:00Z")
                .tag_id("DF517FC87144DF")
                .site_code("42")
                .card_number("1234"),
        )
        .expect("issued");
    let id = id_of(&card);
    sb.install(&id).expect("installed");
    client.access_cards().suspend(&id).expect("suspended");
    drained(&sb);

    let events = receiver.events(&token);
    assert_eq!(
        types(&events),
        [
            EventType::AccessPassIssued,
            EventType::AccessPassActivated,
            EventType::AccessPassSuspended
        ]
    );
    for event in &events {
        let Ok(EventData::AccessPass(data)) = event.typed_data() else {
            panic!("access-pass data: {}", event.data)
        };
        // The typed data models every field the sandbox sends.
        assert_eq!(
            serde_json::to_value(&data).expect("serializes"),
            without_nulls(&event.data),
            "{}",
            event.event_type
        );
        // The documented shape ...
        assert_eq!(data.access_pass_id.as_deref(), Some(id.as_str()));
        assert_eq!(data.card_template_id.as_deref(), Some(template.as_str()));
        assert_eq!(data.protocol.as_deref(), Some("desfire"));
        assert_eq!(
            (data.site_code.as_deref(), data.card_number.as_deref()),
            (Some("42"), Some("1234"))
        );
        // ... and the newer one.
        assert_eq!(data.id.as_deref(), Some(id.as_str()));
        assert_eq!(data.full_name.as_deref(), Some("Zoë Ångström"));
        assert_eq!(data.employee_id.as_deref(), Some("E-1001"));
        assert_eq!(data.title.as_deref(), Some("Engineer"));
        assert_eq!(data.start_date.as_deref(), Some("2025-01-01T00:00:00Z"));
        assert_eq!(
            data.expiration_date.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(data.tag_id.as_deref(), Some("DF517FC87144DF"));
        let templates = data.card_templates.clone().unwrap_or_default();
        assert_eq!(templates.len(), 1);
        assert_eq!(templates[0].id.as_deref(), Some(template.as_str()));
        assert_eq!(templates[0].platform, Some(TemplatePlatform::Apple));
        assert_eq!(templates[0].protocol, Some(TemplateProtocol::Desfire));
        let details = data.details.clone().expect("details");
        assert!(details.is_object(), "details is an object in events");
        assert_eq!(details["id"], id.as_str());
        assert_eq!(details["platform"], "apple");
        assert_eq!(details["card_number"], "1234");
    }

    let state = |n: usize| {
        events[n].typed_data().ok().and_then(|d| match d {
            EventData::AccessPass(d) => d.state,
            _ => None,
        })
    };
    assert_eq!(
        [state(0), state(1), state(2)],
        [
            Some(CardState::Created),
            Some(CardState::Active),
            Some(CardState::Suspended)
        ]
    );
    let devices = |n: usize| match events[n].typed_data() {
        Ok(EventData::AccessPass(d)) => d.devices.unwrap_or_default(),
        _ => Vec::new(),
    };
    assert!(devices(0).is_empty(), "no device before the install");
    let installed = devices(1);
    assert_eq!(installed.len(), 1);
    let device_id = installed[0].id.clone().expect("a device id");
    assert_eq!(installed[0].type_.as_deref(), Some("mobile"));
    assert_eq!(installed[0].platform, Some(TemplatePlatform::Apple));
    assert_eq!(installed[0].protocol, Some(TemplateProtocol::Desfire));
    assert_eq!(installed[0].status.as_deref(), Some("active"));
    assert_eq!(installed[0].card_number.as_deref(), Some("1234"));
    assert_eq!(installed[0].site_code.as_deref(), Some("42"));
    // The documented `device` names the device just installed on.
    assert_eq!(events[1].data["device"]["id"], device_id.as_str());
    assert_eq!(events[1].data["device"]["type"], "mobile");
    assert_eq!(devices(2)[0].status.as_deref(), Some("suspended"));
}

#[test]
fn templates_attach_profiles_and_landing_pages_and_announce_each_attachment() {
    let (sb, receiver, token) = watched(&[
        EventType::CardTemplateCreated,
        EventType::CardTemplateUpdated,
        EventType::CredentialProfileAttachedToTemplate,
        EventType::LandingPageAttachedToTemplate,
    ]);
    let client = sb.client();
    let console = client.console();
    let profile = |name: &str| {
        id_of(
            &console
                .credential_profiles()
                .create(
                    CreateCredentialProfileRequest::builder()
                        .name(name)
                        .keys(vec![CredentialProfileKey::new(
                            "00112233445566778899AABBCCDDEEFF",
                        )]),
                )
                .expect("profile created"),
        )
    };
    let (p1, p2) = (profile("Main office"), profile("Annex"));
    let page = id_of(
        &console
            .landing_pages()
            .create(
                CreateLandingPageRequest::builder()
                    .name("Lobby")
                    .kind(LandingPageKind::Universal),
            )
            .expect("page created"),
    );

    let created = console
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Lab door")
                .platform("apple")
                .use_case("corporate_id")
                .protocol("desfire")
                .credential_profiles(vec![p1.clone()])
                .landing_pages(vec![page.clone()]),
        )
        .expect("created");
    let template = id_of(&created);
    assert_eq!(created.credential_profiles, Some(vec![p1.clone()]));
    assert_eq!(created.landing_pages, Some(vec![page.clone()]));

    // An update names what is attached: p1 stays (not announced again), p2 is new.
    let updated = console
        .templates()
        .update(
            &template,
            UpdateTemplateRequest::builder().credential_profiles(vec![p1.clone(), p2.clone()]),
        )
        .expect("updated");
    assert_eq!(
        updated.credential_profiles,
        Some(vec![p1.clone(), p2.clone()])
    );
    assert_eq!(updated.landing_pages, Some(vec![page.clone()]), "untouched");
    let read = console.templates().get(&template).expect("read");
    assert_eq!(read.credential_profiles, Some(vec![p1.clone(), p2.clone()]));
    drained(&sb);

    let events = receiver.events(&token);
    assert_eq!(
        types(&events),
        [
            EventType::CardTemplateCreated,
            EventType::CredentialProfileAttachedToTemplate,
            EventType::LandingPageAttachedToTemplate,
            EventType::CardTemplateUpdated,
            EventType::CredentialProfileAttachedToTemplate,
        ]
    );
    let attached: Vec<(String, String)> = events
        .iter()
        .filter_map(|e| match e.typed_data().expect("typed") {
            EventData::CredentialProfile(d) => Some((
                d.credential_profile_id.unwrap_or_default(),
                d.card_template_id.unwrap_or_default(),
            )),
            EventData::LandingPage(d) => Some((
                d.landing_page_id.unwrap_or_default(),
                d.card_template_id.unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        attached,
        [
            (p1.clone(), template.clone()),
            (page, template.clone()),
            (p2.clone(), template.clone())
        ]
    );

    // Deleting a profile detaches it from the template.
    console
        .credential_profiles()
        .delete(&p1)
        .expect("profile deleted");
    let read = console.templates().get(&template).expect("read");
    assert_eq!(read.credential_profiles, Some(vec![p2]));
}

#[test]
fn attaching_an_id_that_does_not_exist_is_refused_with_422_and_changes_nothing() {
    let sb = Sandbox::start().expect("sandbox starts");
    let client = sb.client();
    let console = client.console();
    let templates_before = console.templates().list().expect("listed").len();
    let events_before = sb.events().len();

    let refused = console
        .templates()
        .create(
            CreateTemplateRequest::builder()
                .name("Lab door")
                .platform("apple")
                .use_case("corporate_id")
                .credential_profiles(vec!["cp_missing".to_owned()]),
        )
        .expect_err("an unknown profile");
    assert_eq!(refused.status(), Some(422), "{refused}");
    assert!(refused.to_string().contains("cp_missing"), "{refused}");
    assert_eq!(
        console.templates().list().expect("listed").len(),
        templates_before
    );
    assert_eq!(sb.events().len(), events_before, "nothing was emitted");

    let template = sb.template_id();
    let refused = console
        .templates()
        .update(
            &template,
            UpdateTemplateRequest::builder()
                .name("Renamed")
                .landing_pages(vec!["lp_missing".to_owned()]),
        )
        .expect_err("an unknown landing page");
    assert_eq!(refused.status(), Some(422), "{refused}");
    assert!(refused.to_string().contains("lp_missing"), "{refused}");
    let read = console.templates().get(&template).expect("read");
    assert_ne!(
        read.name.as_deref(),
        Some("Renamed"),
        "the update did not apply"
    );
    assert_eq!(sb.events().len(), events_before, "nothing was emitted");
}

#[test]
fn hid_org_pair_and_profile_deletion_events_are_delivered_typed() {
    use accessgrid::models::{
        ActivateHidOrgRequest, CreateHidOrgRequest, CreateTemplatePairRequest,
    };

    let (sb, receiver, token) = watched(&[
        EventType::HidOrgCreated,
        EventType::HidOrgActivated,
        EventType::CardTemplatePairCreated,
        EventType::CredentialProfileDeleted,
    ]);
    let client = sb.client();
    let console = client.console();
    let org = console
        .hid()
        .orgs()
        .create(
            CreateHidOrgRequest::builder()
                .name("Acme Corp")
                .full_address("1 Main St")
                .phone("+15555550100")
                .first_name("Ada")
                .last_name("Lovelace")
                .email("ada@acme.test"),
        )
        .expect("org created");
    let org_id = id_of(&org);
    console
        .hid()
        .orgs()
        .activate(
            ActivateHidOrgRequest::builder()
                .email("ada@acme.test")
                .password("hunter2"),
        )
        .expect("activated");
    let template = |name: &str, platform: &str| {
        let protocol = if platform == "apple" {
            "desfire"
        } else {
            "smart_tap"
        };
        common::sandbox::create_template(
            &client,
            common::sandbox::template_request(name, platform).protocol(protocol),
        )
    };
    let (apple, android) = (
        template("HQ iOS", "apple"),
        template("HQ Android", "android"),
    );
    let pair = id_of(
        &console
            .pairs()
            .create(
                CreateTemplatePairRequest::builder()
                    .name("HQ")
                    .apple_card_template_id(apple.clone())
                    .google_card_template_id(android.clone()),
            )
            .expect("paired"),
    );
    let profile = id_of(
        &console
            .credential_profiles()
            .create(
                CreateCredentialProfileRequest::builder()
                    .name("Old")
                    .keys(vec![CredentialProfileKey::new(
                        "00112233445566778899AABBCCDDEEFF",
                    )]),
            )
            .expect("profile created"),
    );
    console
        .credential_profiles()
        .delete(&profile)
        .expect("deleted");
    drained(&sb);

    let events = receiver.events(&token);
    assert_eq!(
        types(&events),
        [
            EventType::HidOrgCreated,
            EventType::HidOrgActivated,
            EventType::CardTemplatePairCreated,
            EventType::CredentialProfileDeleted,
        ]
    );
    for event in &events[..2] {
        let Ok(EventData::HidOrg(d)) = event.typed_data() else {
            panic!("HID org data: {}", event.data)
        };
        assert_eq!(d.account_org_id.as_deref(), Some(org_id.as_str()));
        assert_eq!(d.name.as_deref(), Some("Acme Corp"));
        assert_eq!(d.slug.as_deref(), Some("acme-corp"));
    }
    let Ok(EventData::CardTemplatePair(d)) = events[2].typed_data() else {
        panic!("pair data: {}", events[2].data)
    };
    assert_eq!(d.card_template_pair_id.as_deref(), Some(pair.as_str()));
    assert_eq!(d.name.as_deref(), Some("HQ"));
    let ios = d.ios_template.expect("ios side");
    let google = d.android_template.expect("android side");
    assert_eq!(
        (ios.id.as_deref(), ios.platform),
        (Some(apple.as_str()), Some(TemplatePlatform::Apple))
    );
    assert_eq!(
        (google.id.as_deref(), google.platform),
        (Some(android.as_str()), Some(TemplatePlatform::Android))
    );
    assert_eq!(google.protocol, Some(TemplateProtocol::SmartTap));
    let Ok(EventData::CredentialProfile(d)) = events[3].typed_data() else {
        panic!("profile data: {}", events[3].data)
    };
    assert_eq!(d.credential_profile_id.as_deref(), Some(profile.as_str()));
}
