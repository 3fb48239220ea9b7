//! Credentials and other secrets: from the environment, a file or standard input, never
//! from a flag's value (which `ps` and the shell's history would show).

use std::io::{self, Read};
use std::path::Path;

use accessgrid::{Client, SecretKey};

use crate::args::Global;
use crate::Failure;

/// The most a secret file (or standard input) is read: secrets are short.
const SECRET_MAX_BYTES: u64 = 64 * 1024;

/// The environment variable with the secret key.
pub const ENV_SECRET_KEY: &str = "ACCESSGRID_SECRET_KEY";

/// The text of a file (`-`: standard input), read up to [`SECRET_MAX_BYTES`].
pub fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        io::stdin()
            .take(SECRET_MAX_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(SECRET_MAX_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        Failure::Invalid(format!(
            "could not read the {what} from {}: {e}",
            path.display()
        ))
    })?;
    if bytes.len() as u64 > SECRET_MAX_BYTES {
        return Err(Failure::Invalid(format!(
            "the {what} file {} is larger than {SECRET_MAX_BYTES} bytes",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        Failure::Invalid(format!(
            "the {what} in {} is not UTF-8 text",
            path.display()
        ))
    })
}

/// The first line of a file (`-`: standard input), trimmed; it must not be empty.
pub fn read_secret(path: &Path, what: &str) -> Result<String, Failure> {
    let text = read_text(path, what)?;
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return Err(Failure::Credentials(format!(
            "the {what} in {} is empty",
            path.display()
        )));
    }
    Ok(line.to_owned())
}

/// The secret key: from `--secret-key-file`, `--secret-key-stdin` or the environment.
pub fn secret_key(global: &Global) -> Result<SecretKey, Failure> {
    if let Some(path) = &global.secret_key_file {
        return read_secret(path, "secret key").map(SecretKey::new);
    }
    if global.secret_key_stdin {
        return read_secret(Path::new("-"), "secret key").map(SecretKey::new);
    }
    match std::env::var(ENV_SECRET_KEY) {
        Ok(key) if !key.trim().is_empty() => Ok(SecretKey::new(key.trim())),
        _ => Err(Failure::Credentials(format!(
            "no secret key: set {ENV_SECRET_KEY}, or pass --secret-key-file PATH or --secret-key-stdin"
        ))),
    }
}

/// The account id, if one was given.
pub fn account_id(global: &Global) -> Option<String> {
    global
        .account_id
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
}

/// A client from the flags and the environment.
pub fn client(global: &Global) -> Result<Client, Failure> {
    let account = account_id(global).ok_or_else(|| {
        Failure::Credentials(
            "no account id: set ACCESSGRID_ACCOUNT_ID or pass --account-id ID".to_owned(),
        )
    })?;
    let secret = secret_key(global)?;
    // The library's own default is `accessgrid-rs/<version>`; the tool names itself first.
    let mut builder = Client::builder(account, secret).user_agent(concat!(
        "accessgrid-cli/",
        env!("CARGO_PKG_VERSION"),
        " accessgrid-rs/",
        env!("CARGO_PKG_VERSION")
    ));
    if let Some(url) = global.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
        builder = builder.base_url(url.trim());
    }
    Ok(builder.build()?)
}
