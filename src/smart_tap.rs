//! SmartTap private-key reveal (feature `smart-tap`): the template's SmartTap private key,
//! encrypted by the server to a key pair made for the call and decrypted here, so the
//! plaintext never crosses the wire.
//!
//! The scheme (`ECDH-ES+A256GCM`):
//!
//! 1. the caller makes a fresh P-256 key pair and sends its public half as a
//!    SubjectPublicKeyInfo PEM (`{"client_public_key": "-----BEGIN PUBLIC KEY-----..."}`);
//! 2. the server makes its own one-time P-256 key pair and does ECDH with the caller's key;
//!    the shared secret is the 32-byte X coordinate;
//! 3. HKDF-SHA256 with an empty salt and the info [`HKDF_INFO`] turns it into a 32-byte
//!    AES-256 key;
//! 4. AES-256-GCM with a 12-byte iv and no associated data encrypts the private key PEM;
//!    the answer carries the server's public key, the iv, the ciphertext and the 16-byte
//!    tag, each base64 (see [`SmartTapEncryptedKey`]).
//!
//! [`Templates::reveal_smart_tap`](crate::Templates::reveal_smart_tap) is the caller's
//! half. [`encrypt_for`] is the server's half, public so that sandboxes and tests can
//! answer a reveal exactly as AccessGrid does.
//!
//! All cryptography comes from the RustCrypto crates (`p256`, `hkdf`, `aes-gcm`, `sha2`);
//! key pairs and nonces come from the operating system's random number generator.

use std::fmt;

use aes_gcm::aead::{AeadInOut, Generate as _, KeyInit, Nonce, Tag};
use aes_gcm::Aes256Gcm;
use base64::Engine as _;
use hkdf::Hkdf;
use p256::ecdh::{EphemeralSecret, SharedSecret};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use p256::PublicKey;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::api::Templates;
use crate::endpoints as ep;
use crate::error::Error;
use crate::models::{SmartTapEncryptedKey, SmartTapRevealAnswer, SmartTapRevealRequest};
use crate::validate::{prepare, SchemaRules as _, Validate};

/// The only `alg` of the envelope: ECDH-ES key agreement, AES-256-GCM encryption.
pub const ALG: &str = "ECDH-ES+A256GCM";

/// The HKDF `info` that binds the derived key to this protocol.
pub const HKDF_INFO: &[u8] = b"accessgrid-smart-tap-reveal-v1";

/// Length of the AES-GCM nonce (`iv`), in bytes.
pub const IV_LEN: usize = 12;

/// Length of the AES-GCM authentication tag (`tag`), in bytes.
pub const TAG_LEN: usize = 16;

/// A revealed SmartTap key: its identification as the server sent it, and the private key
/// PEM, decrypted.
///
/// The PEM is wiped from memory when this value is dropped, and `Debug` never shows it.
/// It has no `Clone`, `Display` or `Serialize`: take the PEM out with
/// [`private_key_pem`](Self::private_key_pem) (borrowed) or
/// [`into_private_key_pem`](Self::into_private_key_pem) (still wiped on drop).
pub struct RevealedSmartTapKey {
    /// Version of the template's SmartTap key (`None` if the server left it out).
    pub key_version: Option<String>,
    /// The Google SmartTap collector id the key belongs to (`None` if left out).
    pub collector_id: Option<String>,
    /// Fingerprint of the key, as the server computes it (`None` if left out).
    pub fingerprint: Option<String>,
    private_key_pem: Zeroizing<String>,
}

impl RevealedSmartTapKey {
    /// The SmartTap private key, a PEM as the server stored it.
    pub fn private_key_pem(&self) -> &str {
        &self.private_key_pem
    }

    /// The SmartTap private key PEM, in a string that is wiped when dropped.
    pub fn into_private_key_pem(self) -> Zeroizing<String> {
        self.private_key_pem
    }
}

debug_fields!(RevealedSmartTapKey, |s| {
    key_version,
    collector_id,
    fingerprint,
    private_key_pem: "<redacted>",
});

impl Templates<'_> {
    /// Reveals a card template's SmartTap private key:
    /// `POST /v1/console/card-templates/{template_id}/smart-tap/reveal`.
    ///
    /// Makes a fresh P-256 key pair, sends its public half, and decrypts the answer with
    /// the private half, which is then dropped (and wiped): the plaintext key never
    /// crosses the wire. The server refuses a public key it has seen before and allows
    /// about one reveal a minute per account.
    ///
    /// Errors beyond those of every call: [`Error::SmartTapEnvelope`] when the answer does
    /// not hold a well-formed encrypted key, [`Error::SmartTapDecryption`] when it does not
    /// decrypt, [`Error::Randomness`] when no key pair could be made (nothing sent).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), accessgrid::Error> {
    /// let client = accessgrid::Client::from_env()?;
    /// let key = client.console().templates().reveal_smart_tap("0xt3mp14t3")?;
    /// println!("collector {:?}, key version {:?}", key.collector_id, key.key_version);
    /// let pem = key.into_private_key_pem(); // wiped when `pem` is dropped
    /// # drop(pem);
    /// # Ok(()) }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "smart-tap")))]
    pub fn reveal_smart_tap(&self, template_id: &str) -> Result<RevealedSmartTapKey, Error> {
        let secret = EphemeralSecret::try_generate().map_err(randomness)?;
        let public_pem = public_key_pem(&secret.public_key())?;
        let request: SmartTapRevealRequest =
            prepare(SmartTapRevealRequest::builder().client_public_key(public_pem))?;
        let answer =
            self.client
                .execute::<ep::RevealSmartTap>(&[template_id], None, Some(&request))?;
        open_answer(answer, &secret)
    }
}

/// Checks and decrypts a reveal answer with the caller's secret.
fn open_answer(
    answer: serde_json::Value,
    secret: &EphemeralSecret,
) -> Result<RevealedSmartTapKey, Error> {
    let answer: SmartTapRevealAnswer = serde_path_to_error::deserialize(answer).map_err(|e| {
        let path = e.path().to_string();
        let what = e.into_inner();
        if path.is_empty() || path == "." {
            envelope(format!("the answer is not a reveal answer: {what}"))
        } else {
            envelope(format!("`{path}`: {what}"))
        }
    })?;
    let sealed = answer
        .encrypted_private_key
        .ok_or_else(|| envelope("`encrypted_private_key` is missing"))?;
    let plaintext = decrypt(&sealed, |server_key| secret.diffie_hellman(server_key))?;
    Ok(RevealedSmartTapKey {
        key_version: answer.key_version,
        collector_id: answer.collector_id,
        fingerprint: answer.fingerprint,
        private_key_pem: plaintext,
    })
}

/// Decrypts an envelope, given the ECDH with the server's public key.
fn decrypt(
    sealed: &SmartTapEncryptedKey,
    agree: impl FnOnce(&PublicKey) -> SharedSecret,
) -> Result<Zeroizing<String>, Error> {
    let alg = field("alg", sealed.alg.as_deref())?;
    if alg != ALG {
        return Err(envelope(format!(
            "`encrypted_private_key.alg` is {alg:?}, not {ALG:?}"
        )));
    }
    let server_pem = field(
        "ephemeral_public_key",
        sealed.ephemeral_public_key.as_deref(),
    )?;
    let server_key = PublicKey::from_public_key_pem(server_pem.trim()).map_err(|e| {
        envelope(format!(
            "`encrypted_private_key.ephemeral_public_key` is not a P-256 SubjectPublicKeyInfo PEM: {e}"
        ))
    })?;
    let iv = base64_field("iv", sealed.iv.as_deref())?;
    if iv.len() != IV_LEN {
        return Err(envelope(format!(
            "`encrypted_private_key.iv` is {} bytes, not {IV_LEN}",
            iv.len()
        )));
    }
    let tag = base64_field("tag", sealed.tag.as_deref())?;
    if tag.len() != TAG_LEN {
        return Err(envelope(format!(
            "`encrypted_private_key.tag` is {} bytes, not {TAG_LEN}",
            tag.len()
        )));
    }
    let ciphertext = base64_field("ciphertext", sealed.ciphertext.as_deref())?;
    if ciphertext.is_empty() {
        return Err(envelope("`encrypted_private_key.ciphertext` is empty"));
    }

    let cipher = cipher_for(&agree(&server_key))?;
    let nonce = Nonce::<Aes256Gcm>::try_from(iv.as_slice())
        .map_err(|_| envelope("`encrypted_private_key.iv` has the wrong length"))?;
    let tag = Tag::<Aes256Gcm>::try_from(tag.as_slice())
        .map_err(|_| envelope("`encrypted_private_key.tag` has the wrong length"))?;
    let mut buffer = Zeroizing::new(ciphertext);
    cipher
        .decrypt_inout_detached(&nonce, b"", buffer.as_mut_slice().into(), &tag)
        .map_err(|_| Error::SmartTapDecryption)?;
    let bytes = std::mem::take(&mut *buffer);
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            // Wipe the bytes before reporting.
            drop(Zeroizing::new(e.into_bytes()));
            Err(envelope("the decrypted key is not UTF-8"))
        }
    }
}

/// The AES-256-GCM cipher keyed from an ECDH shared secret (HKDF-SHA256, empty salt).
fn cipher_for(shared: &SharedSecret) -> Result<Aes256Gcm, Error> {
    let hkdf = Hkdf::<Sha256>::new(Some(&[]), shared.raw_secret_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf.expand(HKDF_INFO, key.as_mut_slice())
        .map_err(|e| envelope(format!("key derivation failed: {e}")))?;
    Aes256Gcm::new_from_slice(key.as_slice())
        .map_err(|e| envelope(format!("key derivation failed: {e}")))
}

/// The server's half of a SmartTap reveal: encrypts `private_key_pem` to the caller's
/// `client_public_key_pem` (a P-256 SubjectPublicKeyInfo PEM) as AccessGrid does, with a
/// fresh one-time server key pair and a fresh iv, and answers the envelope to put under
/// `encrypted_private_key`.
///
/// This is for sandboxes and tests that play the server; a client never needs it.
/// A `client_public_key_pem` that is not a P-256 public key is
/// [`Error::InvalidInput`] with field `client_public_key`.
///
/// ```
/// # fn main() -> Result<(), accessgrid::Error> {
/// # let client_public_key_pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAER7aiMZ6szbFHUw+Gf1AsXwWxCihY\nr1/TlqaO3W99TLDdi9JQhWMaao/8HPvRlHkn/t0opyAaNjGbKnW3FLccng==\n-----END PUBLIC KEY-----\n";
/// let sealed = accessgrid::smart_tap::encrypt_for(
///     client_public_key_pem,
///     "-----BEGIN EC PRIVATE KEY-----\n...\n-----END EC PRIVATE KEY-----\n",
/// )?;
/// assert_eq!(sealed.alg.as_deref(), Some("ECDH-ES+A256GCM"));
/// let answer = serde_json::json!({
///     "key_version": "1",
///     "collector_id": "12345678",
///     "fingerprint": "sha256:...",
///     "encrypted_private_key": sealed,
/// });
/// # let _ = answer;
/// # Ok(()) }
/// ```
pub fn encrypt_for(
    client_public_key_pem: &str,
    private_key_pem: &str,
) -> Result<SmartTapEncryptedKey, Error> {
    let client_key = parse_client_key(client_public_key_pem)?;
    let server_secret = EphemeralSecret::try_generate().map_err(randomness)?;
    let cipher = cipher_for(&server_secret.diffie_hellman(&client_key))?;
    let nonce = Nonce::<Aes256Gcm>::try_generate().map_err(randomness)?;
    let mut buffer = Zeroizing::new(private_key_pem.as_bytes().to_vec());
    let tag = cipher
        .encrypt_inout_detached(&nonce, b"", buffer.as_mut_slice().into())
        .map_err(|e| Error::invalid("private_key_pem", format!("cannot be encrypted: {e}")))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(SmartTapEncryptedKey {
        alg: Some(ALG.to_owned()),
        ephemeral_public_key: Some(public_key_pem(&server_secret.public_key())?),
        iv: Some(b64.encode(nonce.as_slice())),
        ciphertext: Some(b64.encode(buffer.as_slice())),
        tag: Some(b64.encode(tag.as_slice())),
        extra: serde_json::Map::new(),
    })
}

impl Validate for SmartTapRevealRequest {
    /// The schema's rules, then: the public key must be a P-256 SubjectPublicKeyInfo PEM.
    fn validate(&self) -> Result<(), Error> {
        self.schema_rules()?;
        parse_client_key(&self.client_public_key).map(|_| ())
    }
}

fn parse_client_key(pem: &str) -> Result<PublicKey, Error> {
    PublicKey::from_public_key_pem(pem.trim()).map_err(|e| {
        Error::invalid(
            "client_public_key",
            format!("is not a P-256 SubjectPublicKeyInfo PEM: {e}"),
        )
    })
}

/// A public key as a SubjectPublicKeyInfo PEM with `\n` line endings.
fn public_key_pem(key: &PublicKey) -> Result<String, Error> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| Error::invalid("client_public_key", format!("cannot be encoded: {e}")))
}

/// A present envelope field.
fn field<'a>(name: &str, value: Option<&'a str>) -> Result<&'a str, Error> {
    value.ok_or_else(|| envelope(format!("`encrypted_private_key.{name}` is missing")))
}

/// A present, base64 envelope field (standard alphabet; padding optional; line breaks
/// and other ASCII white space ignored), decoded.
fn base64_field(name: &str, value: Option<&str>) -> Result<Vec<u8>, Error> {
    let text: String = field(name, value)?
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine
        .decode(text.as_bytes())
        .map_err(|e| envelope(format!("`encrypted_private_key.{name}` is not base64: {e}")))
}

fn envelope(reason: impl Into<String>) -> Error {
    Error::SmartTapEnvelope {
        reason: reason.into(),
    }
}

fn randomness(e: impl fmt::Display) -> Error {
    Error::Randomness {
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_for_then_decrypt_gives_the_plaintext_back() {
        let caller = EphemeralSecret::try_generate().expect("os randomness");
        let caller_pem = public_key_pem(&caller.public_key()).expect("pem");
        let sealed = encrypt_for(&caller_pem, "-----BEGIN KEY-----\nzoë\n-----END KEY-----\n")
            .expect("sealed");
        let plain = decrypt(&sealed, |k| caller.diffie_hellman(k)).expect("opened");
        assert_eq!(
            plain.as_str(),
            "-----BEGIN KEY-----\nzoë\n-----END KEY-----\n"
        );
    }

    /// A vector made with an independent implementation (Python `cryptography`: ECDH on
    /// SECP256R1, HKDF-SHA256 with salt `b""` and the info, AESGCM with no associated
    /// data), following the protocol description: this side must open it.
    #[test]
    fn opens_an_independently_made_envelope() {
        let caller = p256::SecretKey::from_slice(
            &hex::decode("4f3d88e6a2b069b944b6e961f81e4b5127a151108b68bfd8d892855593f59d6e")
                .expect("hex"),
        )
        .expect("scalar");
        let sealed = SmartTapEncryptedKey {
            alg: Some(ALG.to_owned()),
            ephemeral_public_key: Some(
                "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1O2XaUf3wONB58310HwVbF8q72OD\nIg6cWk7XwPjLxdX472fJJ6V3ne3bF5s3QFLA1VkTipp9AWMaSeJBUG5c5Q==\n-----END PUBLIC KEY-----\n"
                    .to_owned(),
            ),
            iv: Some("YT7EmFIHyI7ug5Hu".to_owned()),
            ciphertext: Some("yEoyOLvqF7MQ4p39hNVmDJrXPjjBPWOAG2H7CT0z+TIn4yiQGHYTwcGpEo0mPqTb59TazMSTNtSqnoibyAOwbU8dl7FXOFaHnDcUfmtHriyG2Pm84WNQVw==".to_owned()),
            tag: Some("fMOYIoJbCCdtqC6Iy2iHiw==".to_owned()),
            extra: serde_json::Map::new(),
        };
        let plain = decrypt(&sealed, |server| {
            p256::ecdh::diffie_hellman(caller.to_nonzero_scalar(), server.as_affine())
        })
        .expect("opened");
        assert_eq!(
            plain.as_str(),
            "-----BEGIN EC PRIVATE KEY-----\nKNOWN-ANSWER-TEST-NOT-A-KEY\n-----END EC PRIVATE KEY-----\n"
        );
    }

    #[test]
    fn base64_fields_tolerate_line_breaks_and_missing_padding() {
        assert_eq!(
            base64_field("tag", Some("fMOYIoJbCCdt\nqC6Iy2iHiw")).expect("decoded"),
            base64::engine::general_purpose::STANDARD
                .decode("fMOYIoJbCCdtqC6Iy2iHiw==")
                .expect("decoded")
        );
        assert!(matches!(
            base64_field("tag", Some("fMOY_oJb")),
            Err(Error::SmartTapEnvelope { .. })
        ));
    }

    #[test]
    fn the_request_accepts_only_a_p256_public_key() {
        let good = SmartTapRevealRequest {
            client_public_key: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1O2XaUf3wONB58310HwVbF8q72OD\nIg6cWk7XwPjLxdX472fJJ6V3ne3bF5s3QFLA1VkTipp9AWMaSeJBUG5c5Q==\n-----END PUBLIC KEY-----\n".to_owned(),
            extra: serde_json::Map::new(),
        };
        assert!(good.validate().is_ok());
        let bad = SmartTapRevealRequest {
            client_public_key: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
                .to_owned(),
            extra: serde_json::Map::new(),
        };
        assert!(matches!(
            bad.validate(),
            Err(Error::InvalidInput { field, .. }) if field == "client_public_key"
        ));
    }
}
