//! The secret key, held so that it cannot be printed by accident.

use std::fmt;

/// An AccessGrid secret key. `Debug` and `Display` print `[redacted]`; the key itself is
/// read only by the signing code.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a secret key.
    pub fn new(key: impl Into<String>) -> Self {
        SecretKey(key.into())
    }

    /// The key's bytes, for signing.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether the key is empty (or only white space).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl From<String> for SecretKey {
    fn from(key: String) -> Self {
        SecretKey(key)
    }
}

impl From<&str> for SecretKey {
    fn from(key: &str) -> Self {
        SecretKey(key.to_owned())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
