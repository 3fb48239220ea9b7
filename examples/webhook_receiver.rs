//! A webhook receiver for AccessGrid's events, on the library's [`Receiver`]: it checks the
//! bearer token, parses the event, drops repeated deliveries, prints each event (control
//! characters escaped) and acknowledges.
//!
//! ```text
//! ACCESSGRID_WEBHOOK_TOKEN=<the webhook's private_key> PORT=8080 \
//!     cargo run --example webhook_receiver --features webhook-receiver
//! ```
//!
//! It listens on every interface on `PORT` (default 8080), at `/`. Put it behind a
//! TLS-terminating proxy: AccessGrid delivers to an https URL.

use accessgrid::webhooks::{escape_control, EventData, Receiver, WebhookEvent};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let token = std::env::var("ACCESSGRID_WEBHOOK_TOKEN")
        .map_err(|_| "set ACCESSGRID_WEBHOOK_TOKEN to the webhook's private_key")?;
    // A token read from a file often ends with a newline; the token itself has no spaces.
    let token = token.trim().to_owned();
    let port: u16 = match std::env::var("PORT") {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("PORT={:?} is not a port number", escape_control(&text)))?,
        Err(_) => 8080,
    };
    let receiver = Receiver::builder(token)
        .bind(format!("0.0.0.0:{port}"))
        .start(|event: &WebhookEvent| {
            println!("{}", describe(event));
            Ok::<(), String>(())
        })?;
    eprintln!("listening on {}", receiver.local_addr());
    receiver.wait();
    Ok(())
}

/// One line per event: time, type, id, and what it is about, with control characters
/// escaped (every part of it comes from the sender).
pub fn describe(event: &WebhookEvent) -> String {
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
    let line = format!(
        "{} {} {} {about}",
        event.time.as_deref().unwrap_or("-"),
        event.event_type,
        event.id
    );
    escape_control(&line).into_owned()
}
