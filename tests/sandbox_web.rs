//! The sandbox's web side over plain HTTP (no browser): the holder's install page, its
//! form POST, the landing page's password, escaping, the same-origin rule for every form,
//! and the dashboard with its simulation buttons.
#![cfg(feature = "sandbox")]

mod common;

use std::time::Duration;

use accessgrid::models::{
    CardState, CreateLandingPageRequest, CreateTemplatePairRequest, IssueCardRequest,
    LandingPageKind, UpdateTemplateRequest,
};
use accessgrid::sandbox::{DeliveryOutcome, Sandbox};
use common::receiver::Receiver;
use common::web::{get, http, issue, path_of, post_form, subscribe, template};

fn state_of(sb: &Sandbox, id: &str) -> Option<CardState> {
    sb.client().access_cards().get(id).expect("read").state
}

fn event_types(sb: &Sandbox) -> Vec<String> {
    sb.events().into_iter().map(|e| e.kind).collect()
}

#[test]
fn opening_the_install_url_shows_the_page_and_installs_nothing() {
    let sb = Sandbox::start().expect("sandbox");
    let (id, url) = issue(&sb, &sb.template_id(), "Ada Lovelace");
    let events_before = event_types(&sb);
    let path = path_of(&url);
    // A browser, a link-preview bot, a prefetch; with the old `?device=` and `?direct=`.
    for (target, agent) in [
        (path.clone(), "Mozilla/5.0"),
        (path.clone(), "Slackbot-LinkExpanding 1.0"),
        (format!("{path}?device=watch"), "facebookexternalhit/1.1"),
        (format!("{path}?direct=true"), "Mozilla/5.0"),
        (format!("{path}?installed=mobile"), "Mozilla/5.0"),
    ] {
        let page = http(sb.addr(), "GET", &target, &[("User-Agent", agent)], "");
        assert_eq!(page.status, 200, "{target}: {}", page.body);
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(page.body.starts_with("<!DOCTYPE html>"), "{}", page.body);
        assert!(page.body.contains(r#"<meta charset="utf-8">"#));
        assert!(page
            .body
            .contains(r#"<div class="holder" id="holder">Ada Lovelace</div>"#));
        assert!(
            page.body.contains("Sandbox employee badge"),
            "template name"
        );
        assert!(page.body.contains("Add to Apple Wallet on a phone"));
        assert!(page.body.contains(r#"name="device" value="watch""#));
        assert!(!page.body.contains("Added to your wallet"), "{target}");
        assert!(!page.body.contains("<script"), "no script");
        let csp = page.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self'"));
    }
    assert_eq!(state_of(&sb, &id), Some(CardState::Created));
    assert_eq!(event_types(&sb), events_before, "no event from a GET");
    let card = sb.client().access_cards().get(&id).expect("read");
    assert!(card.devices.unwrap_or_default().is_empty());

    let missing = get(sb.addr(), "/install/0xnothere");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("This pass does not exist"));
    assert_eq!(get(sb.addr(), "/install/a/b").status, 404);
}

#[test]
fn the_install_form_post_activates_the_pass_and_delivers_the_event() {
    let receiver = Receiver::accepting();
    let sb = Sandbox::start().expect("sandbox");
    subscribe(&sb, &receiver.url());
    let (id, url) = issue(&sb, &sb.template_id(), "Ada Lovelace");
    let path = path_of(&url);

    let posted = post_form(sb.addr(), &path, "device=watch");
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.header("location").expect("a Location");
    assert_eq!(location, format!("/install/{id}?installed=watch"));

    let card = sb.client().access_cards().get(&id).expect("read");
    assert_eq!(card.state, Some(CardState::Active));
    let devices = card.devices.unwrap_or_default();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_type.as_deref(), Some("watch"));
    let event = sb.events().pop().expect("an event");
    assert_eq!(event.kind, "ag.access_pass.activated");
    assert_eq!(event.data["device"]["type"], "watch");

    assert!(sb.wait_for_deliveries(Duration::from_secs(10)));
    assert!(receiver
        .types()
        .contains(&"ag.access_pass.activated".to_owned()));

    let after = get(sb.addr(), location);
    assert_eq!(after.status, 200);
    assert!(after.body.contains("Added to your wallet on a watch."));
    assert!(
        after.body.contains(r#"id="state">active</span>"#),
        "{}",
        after.body
    );

    // No device chosen, or an unknown one: refused, nothing changes.
    let events = sb.events().len();
    for form in ["", "device=toaster"] {
        let refused = post_form(sb.addr(), &path, form);
        assert_eq!(refused.status, 422, "{form}");
        assert!(refused.body.contains("Choose a phone or a watch."));
    }
    assert_eq!(sb.events().len(), events);

    // A pass that can not be installed: the page says why, with the state machine's status.
    sb.client().access_cards().suspend(&id).expect("suspended");
    let page = get(sb.addr(), &path);
    assert!(page
        .body
        .contains("can not be added to a wallet now (it is suspended)"));
    assert!(!page.body.contains("<form"), "no install form");
    let refused = post_form(sb.addr(), &path, "device=mobile");
    assert_eq!(refused.status, 422);
    assert!(refused
        .body
        .contains("can not install a pass that is suspended"));
    assert_eq!(state_of(&sb, &id), Some(CardState::Suspended));
}

#[test]
fn the_attached_landing_page_is_shown_and_its_password_checked() {
    let sb = Sandbox::start().expect("sandbox");
    let client = sb.client();
    let console = client.console();
    let landing = console
        .landing_pages()
        .create(
            CreateLandingPageRequest::builder()
                .name("Welcome to the Lab")
                .kind(LandingPageKind::Universal)
                .additional_text("Show this pass at the front desk.")
                .bg_color("#FDE68A")
                .password("s3cret"),
        )
        .expect("landing page");
    let template_id = template(&sb, "Lab badge", "apple");
    console
        .templates()
        .update(
            &template_id,
            UpdateTemplateRequest::builder().landing_pages(vec![landing.id.clone()]),
        )
        .expect("attached");
    let (id, url) = issue(&sb, &template_id, "Grace Hopper");
    let path = path_of(&url);

    let page = get(sb.addr(), &path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>Welcome to the Lab</h1>"));
    assert!(page.body.contains("Show this pass at the front desk."));
    assert!(page.body.contains(r#"<body style="background:#FDE68A">"#));
    assert!(page.body.contains("Lab badge"));
    assert!(
        page.body.contains("background:#1D4ED8;color:#FFFFFF"),
        "template colours"
    );
    assert!(page.body.contains(r#"type="password""#), "{}", page.body);

    for form in [
        "device=mobile",
        "device=mobile&password=wrong",
        "device=mobile&password=s3cre",
    ] {
        let refused = post_form(sb.addr(), &path, form);
        assert_eq!(refused.status, 403, "{form}");
        assert!(refused.body.contains("That password is not right."));
    }
    assert_eq!(state_of(&sb, &id), Some(CardState::Created));

    let posted = post_form(sb.addr(), &path, "device=mobile&password=s3cret");
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(state_of(&sb, &id), Some(CardState::Active));

    // A template without a landing page gets the plain default page, without a password.
    let (_, plain) = issue(&sb, &sb.template_id(), "Ada");
    let page = get(sb.addr(), &path_of(&plain));
    assert!(page.body.contains("<h1>Add your pass to your wallet</h1>"));
    assert!(!page.body.contains(r#"type="password""#));
}

#[test]
fn a_google_template_offers_google_wallet() {
    let sb = Sandbox::start().expect("sandbox");
    let google = template(&sb, "Android badge", "google");
    let (_, url) = issue(&sb, &google, "Ada");
    let page = get(sb.addr(), &path_of(&url));
    assert!(page.body.contains("Add to Google Wallet on a phone"));
    assert!(!page.body.contains("Apple Wallet"));
}

#[test]
fn a_unified_pass_offers_both_wallets_and_installs_both_halves() {
    let sb = Sandbox::start().expect("sandbox");
    let apple = template(&sb, "HQ Apple", "apple");
    let google = template(&sb, "HQ Google", "google");
    let pair = sb
        .client()
        .console()
        .pairs()
        .create(
            CreateTemplatePairRequest::builder()
                .name("HQ")
                .apple_card_template_id(apple)
                .google_card_template_id(google),
        )
        .expect("paired")
        .id;
    let (id, url) = issue(&sb, &pair, "Ada");
    let page = get(sb.addr(), &path_of(&url));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Add to Apple Wallet on a phone"));
    assert!(page.body.contains("Add to Google Wallet on a phone"));
    assert_eq!(
        post_form(sb.addr(), &path_of(&url), "device=mobile").status,
        303
    );
    let card = sb.client().access_cards().get(&id).expect("read");
    assert_eq!(card.state, Some(CardState::Active));
    let halves = card.details.unwrap_or_default();
    assert_eq!(halves.len(), 2);
    assert!(halves.iter().all(|h| h.state == Some(CardState::Active)));
}

#[test]
fn names_are_escaped_on_every_page() {
    let sb = Sandbox::start().expect("sandbox");
    let hostile = "<script>alert(1)</script>";
    let template_id = template(&sb, r#"<img src=x onerror="alert(2)">"#, "apple");
    let (_, url) = issue(&sb, &template_id, &format!("Zoë Ångström {hostile}"));
    let page = get(sb.addr(), &path_of(&url));
    let dashboard = get(sb.addr(), "/");
    for (what, body) in [("install page", &page.body), ("dashboard", &dashboard.body)] {
        assert!(
            body.contains("Zoë Ångström &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{what}: {body}"
        );
        assert!(!body.contains(hostile), "{what}");
        assert!(!body.contains("<img"), "{what}");
        assert!(
            body.contains("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"),
            "{what}"
        );
    }
    assert_eq!(
        dashboard.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn cross_site_form_posts_are_refused() {
    let sb = Sandbox::start().expect("sandbox");
    let (id, url) = issue(&sb, &sb.template_id(), "Ada");
    let path = path_of(&url);
    let host = sb.addr().to_string();
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let events = sb.events().len();
    for (why, headers) in [
        (
            "another site's page",
            vec![
                ("Origin", "https://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
                form,
            ],
        ),
        (
            "a cross-site fetch metadata alone",
            vec![("Sec-Fetch-Site", "cross-site"), form],
        ),
        (
            "a same-site page on another port",
            vec![("Sec-Fetch-Site", "same-site"), form],
        ),
        ("an opaque origin", vec![("Origin", "null"), form]),
        (
            "a rebound DNS name",
            vec![
                ("Host", "evil.example"),
                ("Origin", "http://evil.example"),
                form,
            ],
        ),
    ] {
        for target in [
            path.clone(),
            format!("/dashboard/passes/{id}/install"),
            "/dashboard/deliveries/replay".to_owned(),
        ] {
            let refused = http(sb.addr(), "POST", &target, &headers, "device=mobile");
            assert_eq!(refused.status, 403, "{why}: {target}: {}", refused.body);
            assert!(refused.body.contains("Refused:"), "{why}");
        }
    }
    assert_eq!(state_of(&sb, &id), Some(CardState::Created));
    assert_eq!(sb.events().len(), events);

    // The sandbox's own page, named `localhost`, may post.
    let own = format!("http://localhost:{}", sb.addr().port());
    let host_header = format!("localhost:{}", sb.addr().port());
    let posted = http(
        sb.addr(),
        "POST",
        &path,
        &[
            ("Host", &host_header),
            ("Origin", &own),
            ("Sec-Fetch-Site", "same-origin"),
            form,
        ],
        "device=mobile",
    );
    assert_eq!(posted.status, 303, "{host}: {}", posted.body);
    assert_eq!(state_of(&sb, &id), Some(CardState::Active));
}

#[test]
fn the_dashboard_shows_everything_and_its_buttons_simulate_the_world() {
    // The receiver fails the first delivery; with one attempt per event it stays failed.
    let receiver = Receiver::answering(&[500]);
    let sb = Sandbox::builder()
        .webhook_attempts(1)
        .start()
        .expect("sandbox");
    let hook = subscribe(&sb, &receiver.url());
    let (id, _) = issue(&sb, &sb.template_id(), "Ada Lovelace");
    assert!(sb.wait_for_deliveries(Duration::from_secs(10)));
    let failed = sb.deliveries();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].outcome, DeliveryOutcome::Answered(500));

    let page = get(sb.addr(), "/");
    assert_eq!(page.status, 200);
    for expected in [
        "<h1>AccessGrid sandbox</h1>",
        "Sandbox employee badge",
        &format!(r#"<tr class="pass-row" id="pass-{id}">"#),
        r#"<td class="holder">Ada Lovelace</td>"#,
        r#"<span class="badge s-created">created</span>"#,
        "ag.access_pass.issued",
        &hook,
        &receiver.url(),
        "answered 500",
        r#"action="/dashboard/deliveries/replay""#,
        "Install on phone",
        "-1.0",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    assert!(
        !page.body.contains("Mark device lost"),
        "not on a device yet"
    );

    // Replay the failed delivery: the same envelope again, and this time it is accepted.
    let replay = format!("webhook_id={hook}&event_id={}", failed[0].event_id);
    let posted = post_form(sb.addr(), "/dashboard/deliveries/replay", &replay);
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(posted.header("location"), Some("/"));
    assert!(sb.wait_for_deliveries(Duration::from_secs(10)));
    let deliveries = sb.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[1].event_id, failed[0].event_id);
    assert!(deliveries[1].delivered());
    let received: Vec<_> = receiver.seen().iter().map(|r| r.json()).collect();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0]["id"], received[1]["id"], "the same envelope");
    let unknown = post_form(
        sb.addr(),
        "/dashboard/deliveries/replay",
        &format!("webhook_id={hook}&event_id=evt_nothere"),
    );
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("was never sent to webhook"));

    // Install (watch), report the device lost (suspended), and remove from the wallet.
    let act = |what: &str, form: &str| {
        post_form(sb.addr(), &format!("/dashboard/passes/{id}/{what}"), form)
    };
    assert_eq!(act("install", "device=watch").status, 303);
    assert_eq!(state_of(&sb, &id), Some(CardState::Active));
    let page = get(sb.addr(), "/");
    assert!(page.body.contains("watch (active)"), "{}", page.body);
    assert!(page.body.contains("Mark device lost"));

    assert_eq!(act("lose-device", "").status, 303);
    assert_eq!(state_of(&sb, &id), Some(CardState::Suspended));
    assert_eq!(
        event_types(&sb).last().map(String::as_str),
        Some("ag.access_pass.suspended")
    );
    // A suspended pass is not in the wallet to be removed from: refused, shown on the page.
    let refused = act("remove", "");
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains(r#"id="problem""#));
    assert!(refused
        .body
        .contains("can not remove a pass from a wallet it is not active in"));

    sb.client().access_cards().resume(&id).expect("resumed");
    assert_eq!(act("install", "device=mobile").status, 303);
    assert_eq!(act("remove", "").status, 303, "the phone goes");
    let card = sb.client().access_cards().get(&id).expect("read");
    assert_eq!(card.state, Some(CardState::Active), "the watch is left");
    let statuses: Vec<_> = card
        .devices
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            (
                d.device_type.unwrap_or_default(),
                d.status.unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("watch".to_owned(), "active".to_owned()),
            ("mobile".to_owned(), "removed".to_owned())
        ]
    );
    let removed = sb.events().pop().expect("an event");
    assert_eq!(removed.kind, "ag.access_pass.devices.removed");
    assert_eq!(removed.data["device"]["type"], "mobile");

    assert_eq!(act("remove", "").status, 303, "the watch goes too");
    assert_eq!(state_of(&sb, &id), Some(CardState::Unlink));
    let last: Vec<String> = event_types(&sb).into_iter().rev().take(2).collect();
    assert_eq!(
        last,
        ["ag.access_pass.unlinked", "ag.access_pass.devices.removed"]
    );
    let page = get(sb.addr(), "/");
    assert!(page
        .body
        .contains(r#"<span class="badge s-unlink">unlink</span>"#));
    assert!(page.body.contains("ag.access_pass.devices.removed"));

    // Unknown passes and actions; a GET on a button changes nothing.
    assert_eq!(
        post_form(
            sb.addr(),
            "/dashboard/passes/0xnothere/install",
            "device=mobile"
        )
        .status,
        404
    );
    assert_eq!(
        post_form(sb.addr(), "/dashboard/passes/x/explode", "").status,
        404
    );
    let events = sb.events().len();
    let got = get(sb.addr(), &format!("/dashboard/passes/{id}/install"));
    assert_eq!(got.status, 405);
    assert_eq!(got.header("allow"), Some("POST"));
    assert_eq!(sb.events().len(), events);
}

#[test]
fn the_api_is_still_served_beside_the_pages() {
    let sb = Sandbox::start().expect("sandbox");
    // Unsigned API requests are still refused; the root is the dashboard, not the API.
    let unsigned = get(sb.addr(), "/v1/key-cards");
    assert_eq!(unsigned.status, 401);
    assert!(unsigned.body.contains("X-ACCT-ID"));
    assert_eq!(sb.dashboard_url(), format!("{}/", sb.base_url()));
    assert_eq!(get(sb.addr(), &path_of(&sb.dashboard_url())).status, 200);
    // Faults are for the API: pages are served regardless.
    sb.inject(accessgrid::sandbox::Fault::Status(503), 5);
    assert_eq!(get(sb.addr(), "/").status, 200);
    let (status, _) = (get(sb.addr(), "/v1/key-cards").status, ());
    assert_eq!(status, 503);
}

#[test]
fn the_dashboard_shows_the_newest_200_rows_of_a_list() {
    let sb = Sandbox::start().expect("sandbox");
    let template_id = sb.template_id();
    // Unthrottled: 205 requests at the default 20 a second would take 10 s.
    let client = sb
        .client_builder()
        .throttle(accessgrid::Throttle::off())
        .build()
        .expect("a client");
    let mut last = String::new();
    for n in 0..205 {
        last = client
            .access_cards()
            .issue(
                accessgrid::models::IssueCardRequest::builder()
                    .card_template_id(template_id.clone())
                    .full_name(format!("Holder {n}")),
            )
            .expect("issued")
            .id;
    }
    drop(client);
    let page = get(sb.addr(), "/");
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches(r#"<tr class="pass-row""#).count(), 200);
    assert!(page.body.contains("Showing the newest 200 of 205."));
    assert!(
        page.body.contains(&format!(r#"id="pass-{last}""#)),
        "the newest is shown"
    );
    assert!(
        page.body.contains(">Holder 5<"),
        "the 200th newest is shown"
    );
    assert!(!page.body.contains(">Holder 4<"), "older ones are not");
}

#[test]
fn the_dashboard_lets_a_pass_expire_by_moving_the_sandbox_clock() {
    let sb = Sandbox::start().expect("sandbox");
    let client = sb.client();
    let expiring = client
        .access_cards()
        .issue(
            IssueCardRequest::builder()
                .card_template_id(sb.template_id())
                .full_name("Grace Hopper")
                .expiration_date("2099-06-01T00:00:00Z"),
        )
        .expect("issued")
        .id;
    let (lasting, _) = issue(&sb, &sb.template_id(), "Ada Lovelace");
    sb.install(&expiring).expect("installed");
    let before = sb.now();

    let page = get(sb.addr(), "/");
    let expire_form = format!(r#"action="/dashboard/passes/{expiring}/expire""#);
    assert!(page.body.contains(&expire_form), "{}", page.body);
    assert!(
        !page
            .body
            .contains(&format!("/dashboard/passes/{lasting}/expire")),
        "a pass without an expiration date has nothing to reach"
    );

    let posted = post_form(
        sb.addr(),
        &format!("/dashboard/passes/{expiring}/expire"),
        "",
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(state_of(&sb, &expiring), Some(CardState::Suspended));
    assert_eq!(state_of(&sb, &lasting), Some(CardState::Created));
    assert_eq!(
        event_types(&sb).last().map(String::as_str),
        Some("ag.access_pass.expired")
    );
    let moved = sb
        .now()
        .duration_since(before)
        .expect("the clock moved forward");
    assert!(
        moved > Duration::from_secs(60 * 60 * 24 * 365 * 60),
        "{moved:?}"
    );
    assert!(
        !get(sb.addr(), "/").body.contains(&expire_form),
        "expired once"
    );

    // Again: refused with the reason on the page; a pass without a date likewise.
    for id in [&expiring, &lasting] {
        let refused = post_form(sb.addr(), &format!("/dashboard/passes/{id}/expire"), "");
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains(r#"id="problem""#));
    }
}
