//! Request and answer models.
//!
//! Every struct here is generated at build time from the JSON Schema files in `schema/`
//! (see `build.rs`): request bodies check the limits that are certain (a 14-hex-digit
//! `tag_id`, a `#RRGGBB` colour, ...) when built, and answer types accept `null`s and keep
//! the fields they do not know in `extra` ([`ExtraFields`]). The one field every resource
//! answer carries, its `id`, is a plain value; a missing one fails decoding and names it.
//! Each struct has a `builder()` whose setters accept anything the field converts from:
//!
//! ```
//! use accessgrid::models::{CardState, IssueCardRequest};
//!
//! let request: IssueCardRequest = IssueCardRequest::builder()
//!     .card_template_id("0xd3adb00b5")
//!     .full_name("Zoë Ångström")
//!     .tag_id("DF517FC87144DF")
//!     .try_into()
//!     .expect("every field is valid");
//! assert_eq!(request.tag_id.as_deref().map(String::as_str), Some("DF517FC87144DF"));
//!
//! // An invalid value is caught before anything is sent.
//! let bad: Result<IssueCardRequest, _> = IssueCardRequest::builder()
//!     .card_template_id("0xd3adb00b5")
//!     .full_name("Ada")
//!     .tag_id("DF517FC87144D")
//!     .try_into();
//! assert!(bad.is_err());
//! # let _ = CardState::Active;
//! ```
//!
//! The few enumerations the server may extend are hand-written open enums below: known
//! values are variants, and any other value is kept in `Unknown` instead of failing. So are
//! four checked strings of the access-pass requests ([`TagId`], [`SiteCode`],
//! [`CardNumber`], [`FileData`]): their checks are plain code rather than the regular
//! expressions the generator would compile (which cost more than the rest of building a
//! request), and the tests hold each to its schema's pattern.

//!
//! Every model struct and enumeration is `#[non_exhaustive]`, so that new fields and values
//! are not breaking changes (README, "Model upgrades"): outside this crate a model is built
//! with its builder, `Default` or from JSON, never with a struct literal.
//!
//! ```compile_fail
//! // error[E0639]: cannot create non-exhaustive struct using struct expression
//! let query = accessgrid::models::ListCardsQuery { page: None, ..Default::default() };
//! ```

#[allow(missing_docs, clippy::all, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/models.rs"));
}

pub use generated::builder::*;
pub use generated::*;

/// `data` of an `ag.access_pass.devices.*` event: the same type as the data of the other
/// access-pass events ([`AccessPassEventData`]), whose `device` names the device the event
/// is about.
pub type AccessPassDeviceEventData = AccessPassEventData;

/// Access to the fields a model does not name. Every generated struct has a public
/// `extra` map (`#[serde(flatten)]`) and implements this trait:
///
/// - an answer keeps there every field the server sent that this version does not model,
///   reachable by its wire name, and serializing the answer writes them back unchanged;
/// - a request sends them as given, after the named fields, signed like the rest: the way to
///   send a field the schema does not know yet. A builder adds one with `extra_field`.
///
/// ```
/// use accessgrid::models::{AccessCard, ExtraFields, IssueCardRequest};
/// use serde_json::json;
///
/// let card: AccessCard = serde_json::from_str(r#"{"id":"c1","badge_color":"teal"}"#)?;
/// assert_eq!(card.extra_fields()["badge_color"], "teal");
/// assert_eq!(serde_json::to_value(&card)?, json!({"id": "c1", "badge_color": "teal"}));
///
/// let request: IssueCardRequest = IssueCardRequest::builder()
///     .card_template_id("0xd3adb00b5")
///     .full_name("Ada Lovelace")
///     .extra_field("badge_color", "teal")
///     .try_into()?;
/// assert_eq!(request.extra["badge_color"], "teal");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A request whose extra fields repeat the wire name of a field it also sets is refused
/// before sending (the body would carry the key twice); an extra field whose named
/// counterpart is unset is sent, which is also how to send an explicit `null`.
pub trait ExtraFields {
    /// The fields the model does not name.
    fn extra_fields(&self) -> &serde_json::Map<String, serde_json::Value>;
    /// The fields the model does not name, to change.
    fn extra_fields_mut(&mut self) -> &mut serde_json::Map<String, serde_json::Value>;
}

/// Declares an open string enumeration: one variant per known wire value, plus
/// `Unknown(String)` holding any other value exactly as the server sent it.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept as the server sent it.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the SDK knows, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as it is spelled on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::from(s.as_str()) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::from(text.into_owned()))
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use open_enum;

include!(concat!(env!("OUT_DIR"), "/open_enums.rs"));

mod amount;
#[cfg(test)]
mod answer_props;

pub use crate::client::secret::SensitiveText;
pub use amount::Amount;

/// Declares a string newtype whose value is checked when it is made (by `TryFrom`,
/// `FromStr` or deserializing), with the same conversions as the generated checked types.
macro_rules! checked_text {
    (
        $(#[$meta:meta])*
        pub struct $name:ident;
        rule = $rule:literal;
        check = $check:expr;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// What a valid value looks like.
            pub const RULE: &'static str = $rule;

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = String;
            fn deref(&self) -> &String {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = error::ConversionError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                value.to_owned().try_into()
            }
        }

        impl TryFrom<&str> for $name {
            type Error = error::ConversionError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl TryFrom<&String> for $name {
            type Error = error::ConversionError;
            fn try_from(value: &String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = error::ConversionError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                let check: fn(&[u8]) -> bool = $check;
                if check(value.as_bytes()) {
                    Ok($name(value))
                } else {
                    Err(concat!("must be ", $rule).into())
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer)?
                    .try_into()
                    .map_err(|e: error::ConversionError| <D::Error as ::serde::de::Error>::custom(e))
            }
        }
    };
}

/// Whether `text` is one or more decimal digits (leading zeros allowed) for a number no
/// greater than `max`.
fn decimal_at_most(text: &[u8], max: u32) -> bool {
    !text.is_empty()
        && text.iter().all(u8::is_ascii_digit)
        && text
            .iter()
            .try_fold(0u32, |n, &d| {
                let n = n * 10 + u32::from(d - b'0');
                (n <= max).then_some(n)
            })
            .is_some()
}

checked_text! {
    /// A tag identifier: 7 bytes as 14 hexadecimal characters, e.g. `DF517FC87144DF`.
    pub struct TagId;
    rule = "14 hexadecimal characters, e.g. DF517FC87144DF";
    check = |b| b.len() == 14 && b.iter().all(u8::is_ascii_hexdigit);
}

checked_text! {
    /// An H10301 (26-bit) site code (facility code): decimal digits for a number from 0 to
    /// 255, the whole 8-bit range H10301 badges use.
    pub struct SiteCode;
    rule = "a decimal number from 0 to 255";
    check = |b| decimal_at_most(b, 255);
}

checked_text! {
    /// An H10301 (26-bit) card number: decimal digits for a number from 0 to 65,535, the
    /// whole 16-bit range H10301 badges use.
    pub struct CardNumber;
    rule = "a decimal number from 0 to 65535";
    check = |b| decimal_at_most(b, 65_535);
}

/// The most hexadecimal characters [`FileData`] takes: 8,192 bytes, as the C# SDK allows.
pub const FILE_DATA_MAX_HEX: usize = 16_384;

checked_text! {
    /// Proprietary credential data: hexadecimal characters, at most [`FILE_DATA_MAX_HEX`]
    /// (8,192 bytes).
    pub struct FileData;
    rule = "hexadecimal characters, at most 16384 of them";
    check = |b| b.len() <= FILE_DATA_MAX_HEX && b.iter().all(u8::is_ascii_hexdigit);
}

/// Declares an answer whose string fields the server sends in camelCase or in snake_case:
/// the struct as written (each such field an `Option<String>` with its camelCase wire name
/// in `#[serde(rename)]`, the snake_case one being the field's name; then the flattened
/// `extra`, whose doc the macro adds), plus what reading either spelling takes. Serializing writes the camelCase keys
/// (and leaves out `None`); decoding takes either spelling, the camelCase one first (the
/// other then stays in `extra`, so nothing the server sent is lost). The outline
/// (`build/outline.rs`) reads the struct as written here.
macro_rules! either_case {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                #[serde(rename = $camel:literal)]
                pub $field:ident: Option<String>,
            )*
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $camel, skip_serializing_if = "Option::is_none")]
                pub $field: Option<String>,
            )*
            /// Fields this version does not name, by their wire name (see [`ExtraFields`]).
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                use serde::de::Error as _;
                let mut extra = serde_json::Map::deserialize(deserializer)?;
                let mut take = |camel: &str, snake: &str| -> Result<Option<String>, D::Error> {
                    let key = if extra.contains_key(camel) { camel } else { snake };
                    match extra.remove(key) {
                        None | Some(serde_json::Value::Null) => Ok(None),
                        Some(serde_json::Value::String(text)) => Ok(Some(text)),
                        Some(other) => Err(D::Error::custom(format!(
                            "`{key}`: invalid type: {other}, expected a string"
                        ))),
                    }
                };
                Ok($name {
                    $($field: take($camel, stringify!($field))?,)*
                    extra,
                })
            }
        }

        impl ExtraFields for $name {
            fn extra_fields(&self) -> &serde_json::Map<String, serde_json::Value> {
                &self.extra
            }
            fn extra_fields_mut(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {
                &mut self.extra
            }
        }
    };
}

either_case! {
    /// Identifiers for Apple Wallet in-app provisioning: the answer of
    /// `POST /v1/console/card-templates/{id}/ios_preflight`.
    ///
    /// The server answers camelCase keys (`provisioningCredentialIdentifier`, ...) or
    /// snake_case ones (`provisioning_credential_identifier`, ...); either decodes into the same
    /// fields, and serializing writes the camelCase keys. When an answer carries both spellings
    /// of a field, the camelCase one fills the field and the other stays in `extra`, so nothing
    /// the server sent is lost.
    ///
    /// ```
    /// use accessgrid::models::IosPreflight;
    ///
    /// let camel: IosPreflight = serde_json::from_str(r#"{"environmentIdentifier":"prod"}"#)?;
    /// let snake: IosPreflight = serde_json::from_str(r#"{"environment_identifier":"prod"}"#)?;
    /// assert_eq!(camel.environment_identifier.as_deref(), Some("prod"));
    /// assert_eq!(camel, snake);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, ::serde::Serialize)]
    #[non_exhaustive]
    pub struct IosPreflight {
        /// Provisioning credential identifier.
        #[serde(rename = "provisioningCredentialIdentifier")]
        pub provisioning_credential_identifier: Option<String>,
        /// Sharing instance identifier.
        #[serde(rename = "sharingInstanceIdentifier")]
        pub sharing_instance_identifier: Option<String>,
        /// Card template identifier.
        #[serde(rename = "cardTemplateIdentifier")]
        pub card_template_identifier: Option<String>,
        /// Environment identifier.
        #[serde(rename = "environmentIdentifier")]
        pub environment_identifier: Option<String>,
        #[serde(flatten)]
        pub extra: serde_json::Map<String, serde_json::Value>,
    }
}

/// The outline of every model this version of the SDK generates, as one deterministic
/// text: every endpoint (method, path, SDK call, request and answer types) and every type
/// (each field with its wire name, Rust type, whether it is required and its rules; every
/// enumeration with its values; every checked string with its rule).
///
/// Snapshot it in your own tests, and an upgrade of the crate shows every model change as a
/// reviewable diff (see the README's "Model upgrades"):
///
/// ```
/// let outline = accessgrid::models::outline();
/// assert!(outline.contains("endpoint issue_card POST /v1/key-cards"));
/// assert!(outline.contains("struct AccessCard (answer)"));
/// // In a test: insta::assert_snapshot!(accessgrid::models::outline());
/// ```
///
/// It is the same whatever cargo features are on (an endpoint that needs one says so).
pub fn outline() -> &'static str {
    include_str!(concat!(env!("OUT_DIR"), "/models_outline.txt"))
}

/// The JSON Schema files the models are generated from, as `(file name, contents)`, in
/// file-name order: the exact schema version this build of the SDK uses, to snapshot or to
/// validate against. `endpoints.json` is the table of endpoints.
///
/// ```
/// let schemas = accessgrid::models::schemas();
/// let (_, text) = schemas.iter().find(|(name, _)| *name == "access_cards.json").ok_or("none")?;
/// let schema: serde_json::Value = serde_json::from_str(text)?;
/// assert!(schema["$defs"]["IssueCardRequest"].is_object());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn schemas() -> &'static [(&'static str, &'static str)] {
    include!(concat!(env!("OUT_DIR"), "/schemas.rs"))
}
