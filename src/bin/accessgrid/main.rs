//! `accessgrid`: the AccessGrid API from the shell, built on the `accessgrid` crate's public
//! API only (cargo feature `cli`).
//!
//! Every failure is one line on standard error and an exit code by kind; see [`Failure`].

mod args;
mod commands;
mod credentials;
mod output;
mod sync;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use accessgrid::webhooks::escape_control;
use accessgrid::Error;
use clap::Parser;

/// Exit code: any other failure.
const EXIT_OTHER: u8 = 1;
/// Exit code: invalid input (arguments, or a 400/422 answer).
const EXIT_INVALID: u8 = 2;
/// Exit code: credentials missing or refused (401, 403).
const EXIT_AUTH: u8 = 3;
/// Exit code: not found (404).
const EXIT_NOT_FOUND: u8 = 4;
/// Exit code: rate limited or unavailable (429, 5xx, timeout, no connection).
const EXIT_UNAVAILABLE: u8 = 5;
/// Exit code: a change may or may not have been made.
const EXIT_OUTCOME_UNKNOWN: u8 = 6;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The SDK's error.
    Sdk(Error),
    /// An argument that cannot be used (exit code 2).
    Invalid(String),
    /// Credentials that are missing or unreadable (exit code 3).
    Credentials(String),
    /// Anything else (exit code 1).
    Other(String),
    /// Standard output was closed (`| head`): stop quietly.
    Closed,
    /// Some of a sync's actions failed: the exit code of the first failure's kind.
    Partial {
        /// The exit code.
        code: u8,
        /// The line to print.
        line: String,
    },
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Sdk(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Other(format!("could not write the output: {e}"))
        }
    }
}

impl Failure {
    /// The documented exit code of this failure.
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Invalid(_) => EXIT_INVALID,
            Failure::Credentials(_) => EXIT_AUTH,
            Failure::Other(_) => EXIT_OTHER,
            Failure::Closed => 0,
            Failure::Partial { code, .. } => *code,
            Failure::Sdk(e) => sdk_exit_code(e),
        }
    }

    /// The one line to print (without the `accessgrid: ` prefix).
    fn line(&self) -> String {
        let text = match self {
            Failure::Sdk(e) => {
                let mut text = e.to_string();
                if matches!(e, Error::Authentication(_)) {
                    text.push_str(" (check ACCESSGRID_ACCOUNT_ID and the secret key)");
                }
                text
            }
            Failure::Invalid(t)
            | Failure::Credentials(t)
            | Failure::Other(t)
            | Failure::Partial { line: t, .. } => t.clone(),
            Failure::Closed => String::new(),
        };
        // One line whatever the text holds.
        escape_control(&text).into_owned()
    }
}

/// The documented exit code of an SDK error. A plan the sync guard refuses is invalid
/// input (the desired state), like a request refused before it is sent.
fn sdk_exit_code(e: &Error) -> u8 {
    match e {
        Error::InvalidInput { .. } | Error::Config(_) | Error::PlanRefused { .. } => EXIT_INVALID,
        Error::Authentication(_) => EXIT_AUTH,
        Error::OutcomeUnknown { .. } => EXIT_OUTCOME_UNKNOWN,
        Error::Timeout { .. } | Error::Transport(_) => EXIT_UNAVAILABLE,
        _ => match e.status() {
            Some(400 | 422) => EXIT_INVALID,
            Some(401 | 403) => EXIT_AUTH,
            Some(404) => EXIT_NOT_FOUND,
            Some(429 | 500..=599) => EXIT_UNAVAILABLE,
            _ => EXIT_OTHER,
        },
    }
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0; a usage error prints clap's message and exits 2.
        Err(e) => e.exit(),
    };
    match commands::run(cli) {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(failure) => {
            let prefix = if output::colour_for(io::stderr().is_terminal()) {
                "\x1b[1;31merror:\x1b[0m"
            } else {
                "error:"
            };
            eprintln!("accessgrid: {prefix} {}", failure.line());
            ExitCode::from(failure.exit_code())
        }
    }
}
