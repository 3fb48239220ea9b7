//! A plain ureq agent for raw requests to the local servers under test.

use std::time::Duration;

/// An agent that answers every status as a response (not an error), never uses a proxy
/// from the environment, and gives up on a request after `timeout`.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(timeout))
        .build()
        .new_agent()
}
