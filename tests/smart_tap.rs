//! SmartTap reveal: the test plays the server. It takes the caller's public key from the
//! request body, encrypts a PEM to it with a one-time key of its own
//! (`accessgrid::smart_tap::encrypt_for`, the server's half, which the unit tests check
//! against an independently made vector) and answers; the client must decrypt it.
#![cfg(feature = "smart-tap")]

mod common;

use std::sync::{Arc, Mutex};

use accessgrid::Error;
use base64::Engine as _;
use common::{check, client, Expected};
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use serde_json::{json, Value};

const TEMPLATE: &str = "0xt3mp14t3";
const PATH: &str = "/v1/console/card-templates/0xt3mp14t3/smart-tap/reveal";
const SECRET_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nTEST-SMART-TAP-KEY-NOT-A-REAL-ONE\n-----END EC PRIVATE KEY-----\n";

/// How the test server answers, given the caller's public key PEM.
type Answer = dyn Fn(&str) -> Value + Send + Sync;

/// The answer AccessGrid gives: metadata and the PEM encrypted to `client_pem`.
fn honest(client_pem: &str) -> Value {
    let sealed = accessgrid::smart_tap::encrypt_for(client_pem, SECRET_PEM).expect("sealed");
    json!({
        "key_version": "3",
        "collector_id": "12345678",
        "fingerprint": "sha256:ab12cd34",
        "encrypted_private_key": sealed,
        "a_field_added_later": true,
    })
}

/// The honest answer with its envelope changed by `change`.
fn altered(change: impl Fn(&mut Value) + Send + Sync + 'static) -> Box<Answer> {
    Box::new(move |client_pem| {
        let mut answer = honest(client_pem);
        change(&mut answer);
        answer
    })
}

/// A mock for one reveal that accepts only the exact signed request whose body is
/// `{"client_public_key": <a P-256 SPKI PEM>}`, records the key, and answers `answer(key)`.
struct Reveal {
    mock: mockito::Mock,
    why: Arc<Mutex<Vec<String>>>,
    keys: Arc<Mutex<Vec<String>>>,
}

fn serve(server: &mut mockito::ServerGuard, calls: usize, answer: Box<Answer>) -> Reveal {
    let why = Arc::new(Mutex::new(Vec::new()));
    let keys = Arc::new(Mutex::new(Vec::new()));
    let (log, seen) = (why.clone(), keys.clone());
    let mock = server
        .mock("POST", PATH)
        .match_request(move |req| {
            let body = req.body().cloned().unwrap_or_default();
            let pem = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["client_public_key"].as_str().map(str::to_owned))
                .unwrap_or_default();
            // The exact body the key must be sent in, then method, path, headers and the
            // signature over those bytes.
            let exact = json!({ "client_public_key": pem }).to_string();
            let mut problems = check(&Expected::json("POST", PATH, &exact), req);
            if !pem.starts_with("-----BEGIN PUBLIC KEY-----\n")
                || p256::PublicKey::from_public_key_pem(&pem).is_err()
            {
                problems.push(format!("not a P-256 SubjectPublicKeyInfo PEM: {pem:?}"));
            }
            if let Ok(mut v) = log.lock() {
                v.extend(problems.iter().cloned());
            }
            if problems.is_empty() {
                seen.lock().expect("keys").push(pem);
            }
            problems.is_empty()
        })
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body_from_request(move |req| {
            let body: Value = serde_json::from_slice(req.body().expect("body")).expect("json");
            let pem = body["client_public_key"].as_str().expect("key");
            answer(pem).to_string().into_bytes()
        })
        .expect(calls)
        .create();
    Reveal { mock, why, keys }
}

/// Asserts the mock saw exactly its requests, printing the mismatches otherwise.
fn assert_hit(mock: &mockito::Mock, why: &Mutex<Vec<String>>) {
    assert!(
        mock.matched(),
        "the exact request was not received:\n{}",
        why.lock().map(|v| v.join("\n")).unwrap_or_default()
    );
    mock.assert();
}

fn reveal(
    server: &mockito::ServerGuard,
) -> Result<accessgrid::smart_tap::RevealedSmartTapKey, Error> {
    client(server)
        .console()
        .templates()
        .reveal_smart_tap(TEMPLATE)
}

/// A fresh P-256 public key PEM that is not the caller's.
fn stranger_pem() -> String {
    p256::ecdh::EphemeralSecret::try_generate()
        .expect("os randomness")
        .public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("pem")
}

#[test]
fn round_trip_decrypts_the_key_encrypted_to_the_callers_public_key() {
    let mut server = mockito::Server::new();
    let r = serve(&mut server, 1, Box::new(honest));
    let key = reveal(&server).expect("revealed");
    assert_hit(&r.mock, &r.why);
    assert_eq!(key.private_key_pem(), SECRET_PEM);
    assert_eq!(key.key_version.as_deref(), Some("3"));
    assert_eq!(key.collector_id.as_deref(), Some("12345678"));
    assert_eq!(key.fingerprint.as_deref(), Some("sha256:ab12cd34"));
    assert_eq!(key.into_private_key_pem().as_str(), SECRET_PEM);
}

#[test]
fn two_calls_send_two_different_public_keys() {
    let mut server = mockito::Server::new();
    let r = serve(&mut server, 2, Box::new(honest));
    let first = reveal(&server).expect("first");
    let second = reveal(&server).expect("second");
    assert_hit(&r.mock, &r.why);
    assert_eq!(first.private_key_pem(), SECRET_PEM);
    assert_eq!(second.private_key_pem(), SECRET_PEM);
    let keys = r.keys.lock().expect("keys").clone();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "a public key was sent twice");
}

#[test]
fn debug_of_the_answer_does_not_show_the_key() {
    let mut server = mockito::Server::new();
    let r = serve(&mut server, 1, Box::new(honest));
    let key = reveal(&server).expect("revealed");
    assert_hit(&r.mock, &r.why);
    let shown = format!("{key:?} {key:#?}");
    assert!(!shown.contains("TEST-SMART-TAP-KEY"), "{shown}");
    assert!(!shown.contains("BEGIN EC PRIVATE KEY"), "{shown}");
    insta::assert_snapshot!(format!("{key:#?}"));
}

#[test]
fn missing_metadata_still_gives_the_key() {
    let mut server = mockito::Server::new();
    let r = serve(
        &mut server,
        1,
        altered(|a| {
            let o = a.as_object_mut().expect("object");
            o.remove("key_version");
            o.insert("collector_id".into(), Value::Null);
            o.remove("fingerprint");
        }),
    );
    let key = reveal(&server).expect("revealed");
    assert_hit(&r.mock, &r.why);
    assert_eq!(key.private_key_pem(), SECRET_PEM);
    assert_eq!(key.key_version, None);
    assert_eq!(key.collector_id, None);
    assert_eq!(key.fingerprint, None);
}

/// Flips one bit of a base64 envelope field.
fn flip(answer: &mut Value, field: &str, byte: usize) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let slot = &mut answer["encrypted_private_key"][field];
    let mut raw = b64.decode(slot.as_str().expect("string")).expect("base64");
    raw[byte] ^= 0x01;
    *slot = Value::String(b64.encode(raw));
}

#[test]
fn an_altered_or_misaddressed_envelope_is_a_decryption_error() {
    let cases: Vec<(&str, Box<Answer>)> = vec![
        ("a flipped tag bit", altered(|a| flip(a, "tag", 0))),
        ("a flipped last tag bit", altered(|a| flip(a, "tag", 15))),
        (
            "a flipped ciphertext bit",
            altered(|a| flip(a, "ciphertext", 3)),
        ),
        ("a flipped iv bit", altered(|a| flip(a, "iv", 11))),
        (
            "encrypted to another caller key",
            Box::new(|_caller: &str| honest(&stranger_pem())),
        ),
    ];
    for (case, answer) in cases {
        let mut server = mockito::Server::new();
        let r = serve(&mut server, 1, answer);
        let err = reveal(&server).expect_err(case);
        assert_hit(&r.mock, &r.why);
        assert!(matches!(err, Error::SmartTapDecryption), "{case}: {err:?}");
        assert!(!err.to_string().contains("TEST-SMART-TAP-KEY"), "{case}");
    }
}

/// Sets (or, for `None`, removes) one field of the envelope.
fn set(field: &'static str, value: Option<Value>) -> Box<Answer> {
    altered(move |a| {
        let envelope = a["encrypted_private_key"]
            .as_object_mut()
            .expect("envelope");
        match &value {
            Some(v) => {
                envelope.insert(field.to_owned(), v.clone());
            }
            None => {
                envelope.remove(field);
            }
        }
    })
}

fn b64_of(len: usize) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(vec![7u8; len]))
}

const P384_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEKWEpWelvVuEebPDzWKP5nPvaIzLHtxFz\nK3hbwafV1BkdTsJWEwxH0e4RVeoV7zIbccObiwdJz7agCjMSalYhJlCmTZIcVfK4\nrO8/WM7G12E7vUV6msKrnE4O8SRfR/LG\n-----END PUBLIC KEY-----\n";

#[test]
fn each_malformed_envelope_is_an_invalid_envelope_error() {
    let mut cases: Vec<(String, &str, Box<Answer>)> = Vec::new();
    for field in ["alg", "ephemeral_public_key", "iv", "ciphertext", "tag"] {
        cases.push((format!("{field} missing"), field, set(field, None)));
        cases.push((
            format!("{field} null"),
            field,
            set(field, Some(Value::Null)),
        ));
        cases.push((
            format!("{field} a number"),
            field,
            set(field, Some(json!(12))),
        ));
        cases.push((
            format!("{field} an object"),
            field,
            set(field, Some(json!({}))),
        ));
    }
    for field in ["iv", "ciphertext", "tag"] {
        cases.push((
            format!("{field} not base64"),
            field,
            set(field, Some(json!("not!base64!"))),
        ));
        cases.push((
            format!("{field} url-safe base64"),
            field,
            set(field, Some(json!("_-_-_-_-_-_-_-_-"))),
        ));
    }
    let more: Vec<(&str, &str, Box<Answer>)> = vec![
        ("iv of 8 bytes", "iv", set("iv", Some(b64_of(8)))),
        ("iv of 16 bytes", "iv", set("iv", Some(b64_of(16)))),
        ("tag of 12 bytes", "tag", set("tag", Some(b64_of(12)))),
        ("tag of 17 bytes", "tag", set("tag", Some(b64_of(17)))),
        (
            "empty ciphertext",
            "ciphertext",
            set("ciphertext", Some(json!(""))),
        ),
        (
            "another alg",
            "alg",
            set("alg", Some(json!("ECDH-ES+A128GCM"))),
        ),
        ("empty alg", "alg", set("alg", Some(json!("")))),
        (
            "server key not a PEM",
            "ephemeral_public_key",
            set("ephemeral_public_key", Some(json!("not a pem"))),
        ),
        (
            "server key a PEM of garbage",
            "ephemeral_public_key",
            set(
                "ephemeral_public_key",
                Some(json!(
                    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
                )),
            ),
        ),
        (
            "server key on P-384",
            "ephemeral_public_key",
            set("ephemeral_public_key", Some(json!(P384_PEM))),
        ),
        (
            "no envelope",
            "encrypted_private_key",
            altered(|a| {
                a.as_object_mut()
                    .expect("object")
                    .remove("encrypted_private_key");
            }),
        ),
        (
            "a null envelope",
            "encrypted_private_key",
            altered(|a| a["encrypted_private_key"] = Value::Null),
        ),
        (
            "an envelope that is a string",
            "encrypted_private_key",
            altered(|a| a["encrypted_private_key"] = json!("sealed")),
        ),
        (
            "a numeric key_version",
            "key_version",
            altered(|a| a["key_version"] = json!(3)),
        ),
        (
            "an array for an answer",
            "answer",
            Box::new(|_: &str| json!([])),
        ),
    ];
    cases.extend(more.into_iter().map(|(c, f, a)| (c.to_owned(), f, a)));

    for (case, field, answer) in cases {
        let mut server = mockito::Server::new();
        let r = serve(&mut server, 1, answer);
        let err = reveal(&server).expect_err(&case);
        assert_hit(&r.mock, &r.why);
        match &err {
            Error::SmartTapEnvelope { reason } => {
                assert!(
                    reason.contains(field),
                    "{case}: the reason {reason:?} names no {field}"
                )
            }
            other => panic!("{case}: expected an invalid-envelope error, got {other:?}"),
        }
        assert!(
            err.to_string().starts_with("invalid SmartTap key envelope"),
            "{case}"
        );
    }
}

#[test]
fn an_empty_template_id_sends_nothing() {
    let mut server = mockito::Server::new();
    let any = server
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create();
    let err = client(&server)
        .console()
        .templates()
        .reveal_smart_tap(" ")
        .expect_err("refused");
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "template_id"),
        "{err:?}"
    );
    any.assert();
}

#[test]
fn an_error_answer_is_an_api_error() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", PATH)
        .with_status(429)
        .with_header("retry-after", "60")
        .with_body(r#"{"message":"one reveal a minute"}"#)
        .expect(1)
        .create();
    let err = reveal(&server).expect_err("rate limited");
    m.assert();
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        err.api().map(|a| a.message.as_str()),
        Some("one reveal a minute")
    );
}

#[test]
fn encrypt_for_refuses_a_key_that_is_not_p256() {
    let err = accessgrid::smart_tap::encrypt_for(P384_PEM, SECRET_PEM).expect_err("refused");
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "client_public_key"),
        "{err:?}"
    );
}
