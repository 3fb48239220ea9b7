//! Credential profiles (`/v1/console/credential-profiles`): the keys and files that a
//! template's credentials use. Made by [`Console::credential_profiles`](crate::Console::credential_profiles).
//!
//! ```no_run
//! # fn main() -> Result<(), accessgrid::Error> {
//! use accessgrid::models::{CreateCredentialProfileRequest, CredentialProfileKey};
//!
//! let client = accessgrid::Client::from_env()?;
//! let profile = client.console().credential_profiles().create(
//!     CreateCredentialProfileRequest::builder()
//!         .name("Main Office Profile")
//!         .keys(vec![
//!             CredentialProfileKey::new("00112233445566778899aabbccddeeff"),
//!             CredentialProfileKey::new("ffeeddccbbaa99887766554433221100"),
//!         ]),
//! )?;
//! println!("{:?} {:?}", profile.id, profile.aid);
//! # Ok(()) }
//! ```

use crate::client::Client;
use crate::models::{CredentialProfileKey, SensitiveText};

/// Hexadecimal characters a credential-profile key has (an AES-128 key). The server checks
/// key values; the client sends them as given.
pub const KEY_HEX_LEN: usize = 32;

/// Credential-profile endpoints; made by
/// [`Console::credential_profiles`](crate::Console::credential_profiles).
#[derive(Debug, Clone, Copy)]
pub struct CredentialProfiles<'c> {
    pub(crate) client: &'c Client,
}

impl CredentialProfileKey {
    /// A key with only its value (32 hexadecimal characters); the value is checked when
    /// the profile is created.
    pub fn new(value: impl Into<String>) -> Self {
        CredentialProfileKey {
            value: SensitiveText::new(value),
            keys_diversified: None,
            source_key_index: None,
            extra: serde_json::Map::new(),
        }
    }
}
