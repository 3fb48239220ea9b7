//! A blocking receiver for AccessGrid's webhooks, on `tiny_http`: it checks the bearer
//! token, parses the event, drops repeated deliveries, prints each event and acknowledges.
//!
//! ```text
//! ACCESSGRID_WEBHOOK_TOKEN=<the webhook's private_key> PORT=8080 \
//!     cargo run --example webhook_receiver
//! ```
//!
//! It listens on every interface on `PORT` (default 8080). Put it behind a TLS-terminating
//! proxy: AccessGrid delivers to an https URL.

use std::io::Read;
use std::time::Duration;

use accessgrid::webhooks::{self, Deduper, EventData, WebhookError, WebhookEvent};

/// Bodies larger than this are refused (413) without being read further; events are small.
const MAX_BODY: usize = 1 << 20;

/// AccessGrid retries a delivery for up to 6 hours; remember ids for a day.
const REMEMBER_FOR: Duration = Duration::from_secs(24 * 60 * 60);

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let token = std::env::var("ACCESSGRID_WEBHOOK_TOKEN")
        .map_err(|_| "set ACCESSGRID_WEBHOOK_TOKEN to the webhook's private_key")?;
    // A token read from a file often ends with a newline; the token itself has no spaces.
    let token = token.trim().to_owned();
    let port: u16 = match std::env::var("PORT") {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("PORT={text:?} is not a port number"))?,
        Err(_) => 8080,
    };
    let server = tiny_http::Server::http(("0.0.0.0", port))?;
    eprintln!("listening on {}", server.server_addr());
    let deduper = Deduper::new(100_000, REMEMBER_FOR);
    serve(&server, &token, &deduper, |event| {
        print_event(event);
        Ok(())
    });
    Ok(())
}

/// Answers the requests of `server` until it is unblocked. `handle` is called once per
/// event id; when it fails, the id is forgotten and the delivery answered 500, so that
/// AccessGrid delivers it again.
pub fn serve(
    server: &tiny_http::Server,
    token: &str,
    deduper: &Deduper,
    mut handle: impl FnMut(&WebhookEvent) -> Result<(), String>,
) {
    for mut request in server.incoming_requests() {
        let reply = answer(&mut request, token, deduper, &mut handle);
        let mut response =
            tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
        for (name, value) in reply.headers {
            if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        if let Err(e) = request.respond(response) {
            eprintln!("could not answer: {e}");
        }
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
}

impl Reply {
    fn new(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8")],
            body: body.into(),
        }
    }

    fn ack() -> Self {
        Reply {
            status: webhooks::ACK_STATUS,
            headers: vec![("Content-Type", webhooks::ACK_CONTENT_TYPE)],
            body: webhooks::ACK_BODY.to_owned(),
        }
    }

    fn refuse(error: &WebhookError) -> Self {
        let mut reply = Reply::new(error.status(), error.to_string());
        if error.is_unauthorized() {
            reply
                .headers
                .push(("WWW-Authenticate", webhooks::WWW_AUTHENTICATE));
        }
        reply
    }
}

fn answer(
    request: &mut tiny_http::Request,
    token: &str,
    deduper: &Deduper,
    handle: &mut impl FnMut(&WebhookEvent) -> Result<(), String>,
) -> Reply {
    if *request.method() != tiny_http::Method::Post {
        let mut reply = Reply::new(405, "POST only");
        reply.headers.push(("Allow", "POST"));
        return reply;
    }

    // The token first, so that a stranger's body is never read.
    let authorization: Vec<&str> = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str())
        .collect();
    let authorization = match authorization.as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => return Reply::refuse(&WebhookError::MalformedAuthorization),
    };
    if let Err(e) = webhooks::authenticate(authorization, token) {
        return Reply::refuse(&e);
    }

    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Reply::new(413, "body too large");
    }
    let mut body = Vec::new();
    let limit = u64::try_from(MAX_BODY)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if let Err(e) = request.as_reader().take(limit).read_to_end(&mut body) {
        return Reply::new(400, format!("could not read the body: {e}"));
    }
    if body.len() > MAX_BODY {
        return Reply::new(413, "body too large");
    }

    let event = match webhooks::parse_event(&body) {
        Ok(event) => event,
        Err(e) => return Reply::refuse(&e),
    };
    if !deduper.first_time(&event.id) {
        // A repeated delivery: it was handled already; acknowledge it again.
        return Reply::ack();
    }
    match handle(&event) {
        Ok(()) => Reply::ack(),
        Err(reason) => {
            deduper.forget(&event.id);
            eprintln!("handling {} failed: {reason}", event.id);
            Reply::new(500, "handling failed; deliver again")
        }
    }
}

/// One line per event: time, type, id, and what it is about.
fn print_event(event: &WebhookEvent) {
    let about = match event.typed_data() {
        Ok(EventData::AccessPass(d)) => {
            // The documented shape names the pass `access_pass_id`, the newer one `id`.
            let pass = d.access_pass_id.or(d.id).unwrap_or_default();
            format!("access pass {pass} ({})", d.full_name.unwrap_or_default())
        }
        Ok(EventData::AccessPassDevice(d)) => {
            let device = d.device.unwrap_or_default();
            format!(
                "access pass {} device {} {}",
                d.access_pass_id.or(d.id).unwrap_or_default(),
                device.type_.unwrap_or_default(),
                device.id.unwrap_or_default()
            )
        }
        Ok(EventData::CardTemplate(d)) => {
            format!("card template {}", d.card_template_id.unwrap_or_default())
        }
        Ok(EventData::LandingPage(d)) => {
            format!("landing page {}", d.landing_page_id.unwrap_or_default())
        }
        Ok(EventData::CredentialProfile(d)) => format!(
            "credential profile {}",
            d.credential_profile_id.unwrap_or_default()
        ),
        Ok(EventData::AccountBalanceLow(d)) => format!(
            "balance {} below threshold {}",
            d.current_balance.unwrap_or_default(),
            d.threshold.unwrap_or_default()
        ),
        // HID orgs, template pairs, certificate expiry, impersonation, new types.
        Ok(_) => format!("data {}", event.data),
        Err(e) => format!("unexpected data ({e}): {}", event.data),
    };
    println!(
        "{} {} {} {about}",
        event.time.as_deref().unwrap_or("-"),
        event.event_type,
        event.id
    );
}
