//! The public request signing (`accessgrid::signing`): what a program that builds its own
//! fake server, or signs from another language's payload, relies on. Every expected
//! signature is recomputed here with hmac, sha2 and base64 directly
//! (`common::sign_with`), independently of the library's code.

mod common;

use accessgrid::signing::{self, Signer};

const SECRET: &[u8] = b"test_secret";

const PAYLOADS: &[&[u8]] = &[
    b"{}",
    br#"{"id":"card_123"}"#,
    br#"{"full_name":"Zo\u00eb","card_template_id":"0xd3adb00b5"}"#,
    "{\"full_name\":\"Zoë Ångström\"}".as_bytes(),
    b"",
];

#[test]
fn sign_matches_an_independent_hmac_over_the_base64_of_the_payload() {
    let signer = Signer::new(SECRET);
    for payload in PAYLOADS {
        let expected = common::sign_with(SECRET, payload);
        assert_eq!(signing::sign(SECRET, payload), expected, "{payload:?}");
        assert_eq!(signer.sign(payload), expected, "{payload:?}");
        assert_eq!(expected.len(), 64);
    }
    // The protocol's published vector, as a fixed point.
    assert_eq!(
        signing::sign(SECRET, br#"{"id":"card_123"}"#),
        "0b1918a2ba398bbd851ba5ab8bbcfe3a3fdbee5857f64e49439d97a717f76d51"
    );
}

#[test]
fn verify_accepts_the_independent_signature_and_rejects_a_tampered_one() {
    let signer = Signer::new(SECRET);
    for payload in PAYLOADS {
        let good = common::sign_with(SECRET, payload);
        assert!(signing::verify(SECRET, payload, &good), "{payload:?}");
        assert!(signer.verify(payload, &good));
        // Hex in either case, surrounding white space ignored (as a header value may have).
        assert!(signing::verify(SECRET, payload, &good.to_uppercase()));
        assert!(signing::verify(SECRET, payload, &format!(" {good}\t")));

        // One digit changed.
        let mut tampered = good.clone().into_bytes();
        tampered[17] = if tampered[17] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).expect("hex");
        assert!(!signing::verify(SECRET, payload, &tampered), "{payload:?}");
        assert!(!signer.verify(payload, &tampered));

        // The payload changed, another key, a cut or non-hex signature.
        let mut longer = payload.to_vec();
        longer.push(b' ');
        assert!(!signing::verify(SECRET, &longer, &good));
        assert!(!signing::verify(b"other_secret", payload, &good));
        assert!(!signing::verify(SECRET, payload, &good[..63]));
        assert!(!signing::verify(SECRET, payload, &good[..62]));
        assert!(!signing::verify(SECRET, payload, ""));
        assert!(!signing::verify(SECRET, payload, &"zz".repeat(32)));
    }
}

#[test]
fn a_signer_never_shows_its_key() {
    let secret = "sk_live_do_not_print_me";
    let signer = Signer::new(secret.as_bytes());
    let shown = format!("{signer:?} {signer:#?}");
    assert!(!shown.contains(secret), "{shown}");
    assert_eq!(format!("{signer:?}"), "Signer([redacted])");
}

/// A request built by hand and signed with `signing::sign` is what the sandbox (standing in
/// for the server) accepts; the same request with a tampered signature is refused.
#[cfg(feature = "sandbox")]
#[test]
fn a_hand_signed_request_is_accepted_by_the_sandbox_and_a_tampered_one_refused() {
    let sandbox = common::sandbox::harness_sandbox();
    let agent = common::agent::agent(std::time::Duration::from_secs(10));
    let body = serde_json::json!({
        "card_template_id": sandbox.template_id(),
        "full_name": "Ada Lovelace",
        "site_code": "42",
        "card_number": "1234",
    })
    .to_string();
    let post = |signature: &str| {
        let answer = agent
            .post(&format!("{}/v1/key-cards", sandbox.base_url()))
            .header("X-ACCT-ID", common::ACCOUNT)
            .header("X-PAYLOAD-SIG", signature)
            .header("Content-Type", "application/json")
            .send(body.as_bytes());
        match answer {
            Ok(mut answer) => (
                answer.status().as_u16(),
                answer.body_mut().read_to_string().expect("a text body"),
            ),
            Err(e) => panic!("no answer: {e}"),
        }
    };

    let signature = signing::sign(common::SECRET.as_bytes(), body.as_bytes());
    let (status, answer) = post(&signature);
    assert_eq!(status, 200, "{answer}");
    let card: serde_json::Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(card["full_name"], "Ada Lovelace");

    let mut tampered = signature.into_bytes();
    tampered[0] = if tampered[0] == b'a' { b'b' } else { b'a' };
    let (status, answer) = post(&String::from_utf8(tampered).expect("hex"));
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("invalid signature"), "{answer}");
}
