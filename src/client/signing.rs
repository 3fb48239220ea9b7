//! Request signing, as AccessGrid defines it: the signature the [`Client`](crate::Client)
//! puts on every request, public for what a program does beside the client: a fake or test
//! server of its own that checks signatures as AccessGrid does, a signature computed for a
//! payload from another language's code, a `401 invalid signature` to debug. Pure
//! functions: no I/O, no clock.
//!
//! Every request carries `X-PAYLOAD-SIG`: the lowercase hex HMAC-SHA256, keyed with the
//! secret key's UTF-8 bytes, of the **standard padded base64 text** of the payload bytes.
//!
//! What the payload is:
//! - a request with a JSON body: the body, byte for byte as sent (the client serializes once
//!   and sends and signs the same buffer);
//! - a request without a body: a small JSON text sent as the `sig_payload` query
//!   parameter: `{"id":"<id>"}` (the id as a JSON string) for a request about one
//!   resource, `{}` otherwise.
//!
//! ```
//! use accessgrid::signing;
//!
//! let secret = b"test_secret"; // the console's secret key, as bytes
//! let payload = br#"{"id":"card_123"}"#;
//! let signature = signing::sign(secret, payload);
//! assert_eq!(
//!     signature,
//!     "0b1918a2ba398bbd851ba5ab8bbcfe3a3fdbee5857f64e49439d97a717f76d51"
//! );
//! assert!(signing::verify(secret, payload, &signature));
//! assert!(!signing::verify(secret, br#"{"id":"card_124"}"#, &signature));
//! ```
//!
//! (The protocol's vectors are this module's unit tests.)

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The `sig_payload` of a body-less request that is about no one resource (lists).
pub(crate) const EMPTY_PAYLOAD: &str = "{}";

/// The signature of `payload` under `secret_key`, as lowercase hex (64 characters): what
/// `X-PAYLOAD-SIG` carries. To sign many payloads with one key, keep a [`Signer`].
pub fn sign(secret_key: &[u8], payload: &[u8]) -> String {
    Signer::new(secret_key).sign(payload)
}

/// A signer keyed once: the HMAC key schedule is computed when it is made, so each
/// signature costs only the payload's own hashing. The client holds one. Its `Debug`
/// shows no key (and it has no `Display`).
///
/// ```
/// use accessgrid::signing::Signer;
///
/// let signer = Signer::new(b"test_secret");
/// let signature = signer.sign(b"{}");
/// assert_eq!(signature, accessgrid::signing::sign(b"test_secret", b"{}"));
/// assert!(signer.verify(b"{}", &signature.to_uppercase()));
/// assert_eq!(format!("{signer:?}"), "Signer([redacted])");
/// ```
#[derive(Clone)]
pub struct Signer {
    keyed: HmacSha256,
}

impl Signer {
    /// A signer for `secret_key`.
    pub fn new(secret_key: &[u8]) -> Self {
        // HMAC takes a key of any length, so this cannot fail.
        let keyed = match HmacSha256::new_from_slice(secret_key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts keys of every length"),
        };
        Signer { keyed }
    }

    /// The signature of `payload`, as lowercase hex (64 characters).
    pub fn sign(&self, payload: &[u8]) -> String {
        let mut hex = [0u8; 64];
        self.sign_hex(payload, &mut hex);
        // Hex digits are ASCII.
        hex.iter().map(|&b| char::from(b)).collect()
    }

    /// Writes the lowercase hex signature of `payload` into `out`, allocating nothing.
    pub(crate) fn sign_hex(&self, payload: &[u8], out: &mut [u8; 64]) {
        let digest = self.mac_of(payload).finalize().into_bytes();
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (i, byte) in digest.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(byte >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(byte & 15)];
        }
    }

    /// The MAC state after the base64 text of `payload`: encoded in slices of a stack
    /// buffer (whole 3-byte groups, so the slices join into exactly the one encoding).
    fn mac_of(&self, payload: &[u8]) -> HmacSha256 {
        const CHUNK: usize = 768; // 3 * 256 bytes in, 1024 base64 characters out
        let mut mac = self.keyed.clone();
        let mut buf = [0u8; CHUNK / 3 * 4];
        for chunk in payload.chunks(CHUNK) {
            let engine = &base64::engine::general_purpose::STANDARD;
            match engine.encode_slice(chunk, &mut buf) {
                Ok(n) => mac.update(&buf[..n]),
                // The buffer holds a full chunk's encoding; kept total all the same.
                Err(_) => mac.update(engine.encode(chunk).as_bytes()),
            }
        }
        mac
    }

    /// Whether `signature` (hex, either case, surrounding white space ignored) is the
    /// signature of `payload`, compared in constant time.
    pub fn verify(&self, payload: &[u8], signature: &str) -> bool {
        match hex::decode(signature.trim()) {
            Ok(bytes) => self.mac_of(payload).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

/// Whether `signature` (hex, either case, surrounding white space ignored) is the
/// signature of `payload` under `secret_key`. The comparison takes the same time wherever
/// the first difference is; a signature that is not hex, or not 64 digits, is `false`.
pub fn verify(secret_key: &[u8], payload: &[u8], signature: &str) -> bool {
    Signer::new(secret_key).verify(payload, signature)
}

/// The `sig_payload` of a body-less request about the resource `id`: `{"id":"<id>"}`,
/// with `id` escaped as a JSON string.
pub(crate) fn resource_payload(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 9);
    out.push_str("{\"id\":");
    out.push_str(&serde_json::Value::from(id).to_string());
    out.push('}');
    out
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
    fn chunked_encoding_matches_one_pass_encoding_at_every_boundary() {
        use base64::Engine as _;
        let signer = Signer::new(SECRET);
        for len in [0, 1, 2, 3, 767, 768, 769, 1535, 1536, 1537, 2048, 5000] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let encoded = base64::engine::general_purpose::STANDARD.encode(&payload);
            let mut reference = HmacSha256::new_from_slice(SECRET).expect("any key");
            reference.update(encoded.as_bytes());
            let expected = hex::encode(reference.finalize().into_bytes());
            assert_eq!(signer.sign(&payload), expected, "length {len}");
            assert!(signer.verify(&payload, &expected));
        }
    }

    #[test]
    fn resource_payload_escapes_the_id() {
        assert_eq!(resource_payload("a\"b"), r#"{"id":"a\"b"}"#);
        assert_eq!(resource_payload("0xc4rd1d"), r#"{"id":"0xc4rd1d"}"#);
    }

    #[test]
    fn a_resource_payload_and_a_keyed_signer_sign_as_one_shot_signing_does() {
        let payload = resource_payload("card_123");
        assert_eq!(payload, r#"{"id":"card_123"}"#);
        assert_eq!(
            sign(b"test_secret", payload.as_bytes()),
            "0b1918a2ba398bbd851ba5ab8bbcfe3a3fdbee5857f64e49439d97a717f76d51"
        );
        let signer = Signer::new(b"test_secret");
        assert_eq!(signer.sign(b"{}"), sign(b"test_secret", b"{}"));
        assert_eq!(format!("{signer:?}"), "Signer([redacted])");
    }
}
