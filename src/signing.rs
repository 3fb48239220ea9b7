//! Request signing, as AccessGrid defines it. Pure functions: no I/O, no clock.
//!
//! Every request carries `X-PAYLOAD-SIG`: the lowercase hex HMAC-SHA256, keyed with the
//! secret key's UTF-8 bytes, of the **standard padded base64 text** of the payload bytes.
//!
//! What the payload is:
//! - a request with a JSON body: the body, byte for byte as sent (the client serializes once
//!   and sends and signs the same buffer);
//! - a request without a body: a small JSON text sent as the `sig_payload` query
//!   parameter: `{"id":"<id>"}` for a request about one resource ([`resource_payload`]),
//!   [`EMPTY_PAYLOAD`] otherwise.
//!
//! ```
//! use accessgrid::signing::{sign, resource_payload};
//!
//! let payload = resource_payload("card_123");
//! assert_eq!(payload, r#"{"id":"card_123"}"#);
//! assert_eq!(
//!     sign(b"test_secret", payload.as_bytes()),
//!     "0b1918a2ba398bbd851ba5ab8bbcfe3a3fdbee5857f64e49439d97a717f76d51"
//! );
//! ```

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The `sig_payload` of a body-less request that is about no one resource (lists).
pub const EMPTY_PAYLOAD: &str = "{}";

/// The signature of `payload` under `secret_key`, as lowercase hex.
pub fn sign(secret_key: &[u8], payload: &[u8]) -> String {
    hex::encode(mac(secret_key, payload).finalize().into_bytes())
}

/// Whether `signature` (hex, either case) is the signature of `payload` under `secret_key`.
/// The comparison takes the same time wherever the first difference is.
pub fn verify(secret_key: &[u8], payload: &[u8], signature: &str) -> bool {
    match hex::decode(signature.trim()) {
        Ok(bytes) => mac(secret_key, payload).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The `sig_payload` of a body-less request about the resource `id`: `{"id":"<id>"}`,
/// with `id` escaped as a JSON string.
pub fn resource_payload(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 9);
    out.push_str("{\"id\":");
    out.push_str(&serde_json::Value::from(id).to_string());
    out.push('}');
    out
}

fn mac(secret_key: &[u8], payload: &[u8]) -> HmacSha256 {
    let encoded = base64::engine::general_purpose::STANDARD.encode(payload);
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(secret_key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(encoded.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test_secret";

    #[test]
    fn protocol_test_vectors() {
        let vectors = [
            (
                r#"{"id":"card_123"}"#,
                "0b1918a2ba398bbd851ba5ab8bbcfe3a3fdbee5857f64e49439d97a717f76d51",
            ),
            (
                "{}",
                "bb98f7d7e577e826235bd51f99cfb30542e74f0f992624fd3bb61d7cf053f737",
            ),
            (
                r#"{"name":"test"}"#,
                "0e492e35e3858140c7e4a6678ca96a2dc553e81cc3bd97b5cf4a8576107b868e",
            ),
            (
                r#"{"id": "card_123"}"#,
                "778b21158d1b5d960ee5c9d246a077679d3edba1bb4a4a137c0f6c25c3867e91",
            ),
        ];
        for (payload, expected) in vectors {
            assert_eq!(
                sign(SECRET, payload.as_bytes()),
                expected,
                "payload {payload}"
            );
            assert!(verify(SECRET, payload.as_bytes(), expected));
            assert!(verify(SECRET, payload.as_bytes(), &expected.to_uppercase()));
        }
    }

    #[test]
    fn non_ascii_payload_is_signed_as_utf8() {
        let payload = r#"{"full_name":"Zoë Ångström"}"#;
        // HMAC-SHA256 over base64 of the UTF-8 bytes, computed independently with
        // `printf '%s' "$payload" | base64 -w0 | openssl dgst -sha256 -hmac test_secret`.
        assert_eq!(
            sign(SECRET, payload.as_bytes()),
            "0d47cf17f6a97e8a31919b30dfd515c11ee878157954741e2875ace842d5dadc"
        );
        // The same text in Latin-1 bytes must not verify.
        let latin1: Vec<u8> = payload.chars().map(|c| c as u32 as u8).collect();
        assert_ne!(sign(SECRET, &latin1), sign(SECRET, payload.as_bytes()));
    }

    #[test]
    fn verify_rejects_wrong_and_malformed_signatures() {
        let good = sign(SECRET, b"{}");
        assert!(!verify(SECRET, b"{} ", &good));
        assert!(!verify(b"other", b"{}", &good));
        assert!(!verify(SECRET, b"{}", "not hex"));
        assert!(!verify(SECRET, b"{}", &good[..10]));
    }

    #[test]
    fn resource_payload_escapes_the_id() {
        assert_eq!(resource_payload("a\"b"), r#"{"id":"a\"b"}"#);
        assert_eq!(resource_payload("0xc4rd1d"), r#"{"id":"0xc4rd1d"}"#);
    }
}
