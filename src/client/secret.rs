//! The secret key, held so that it cannot be printed by accident.

use std::fmt;

/// For a `String` newtype that holds a secret: `From<String>`, `From<&str>`, and `Debug`
/// (`Name([redacted])`) and `Display` (`[redacted]`) that never show it.
macro_rules! redacted_string {
    ($($name:ident),+) => {$(
        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_owned())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }
    )+};
}

redacted_string!(SecretKey, SensitiveText);

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

/// A secret that travels in a request or an answer: a password, a credential-profile key,
/// a webhook's bearer token. It is a plain JSON string on the wire, but `Debug` and
/// `Display` print `[redacted]`, so logging a model never leaks it. Read it with
/// [`SensitiveText::expose`].
///
/// ```
/// use accessgrid::models::SensitiveText;
///
/// let token = SensitiveText::from("whsec_123");
/// assert_eq!(token.expose(), "whsec_123");
/// assert_eq!(format!("{token:?}"), "SensitiveText([redacted])");
/// assert_eq!(serde_json::to_string(&token).unwrap(), "\"whsec_123\"");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SensitiveText(String);

impl SensitiveText {
    /// Wraps a secret.
    pub fn new(text: impl Into<String>) -> Self {
        SensitiveText(text.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret itself, consuming the wrapper.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::str::FromStr for SensitiveText {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(SensitiveText::from(text))
    }
}
