#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of the asymmetric API: sign/verify round trips and
//! tampering, 2DH / 3DH agreement on both sides, tampered messages, key
//! text round trips.

use aiootp::asymmetric::{
    Dh2Client, Dh2Server, Dh3Client, Dh3Server, DhResponse, DhRole, Ed25519, Ed25519PublicKey,
    X25519, X25519PublicKey,
};
use aiootp::error::AsymmetricError;
use proptest::prelude::*;

fn flip(bytes: [u8; 32], bit: usize) -> [u8; 32] {
    let mut out = bytes;
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn sign_verify_round_trip(seed in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..300), bit in 0usize..512) {
        let key = Ed25519::from_secret_array(seed);
        let sig = key.sign(&msg);
        let public = Ed25519PublicKey::from_hex(&key.public_key().to_hex()).unwrap();
        prop_assert_eq!(public.verify(sig.as_bytes(), &msg), Ok(()));
        // Any flipped signature bit fails.
        let mut bad = sig.to_bytes();
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(public.verify(&bad, &msg), Err(AsymmetricError::InvalidSignature));
        // A changed message fails.
        let mut other = msg.clone();
        other.push(0);
        prop_assert_eq!(public.verify(sig.as_bytes(), &other), Err(AsymmetricError::InvalidSignature));
        // Truncated or extended signatures fail, never panic.
        prop_assert!(public.verify(&sig.as_bytes()[..63], &msg).is_err());
        let mut long = sig.to_bytes().to_vec();
        long.push(0);
        prop_assert!(public.verify(&long, &msg).is_err());
    }

    #[test]
    fn dh2_both_sides_agree(a in any::<[u8; 32]>(), c in any::<[u8; 32]>(), d in any::<[u8; 32]>()) {
        let client = Dh2Client::with_ephemeral(X25519::from_secret_array(d));
        let server = Dh2Server::new(X25519::from_secret_array(a));
        let (response, pending) = server.respond_with_ephemeral(&client.hello(), X25519::from_secret_array(c));
        let ck = client.finish(&response).unwrap();
        let sk = pending.finish().unwrap();
        prop_assert_eq!(ck.digest(), sk.digest());
        prop_assert_eq!(ck.derive_key(b"k"), sk.derive_key(b"k"));
        prop_assert_ne!(ck.derive_key(b"k"), ck.derive_key(b"l"));
        prop_assert!(sk.check_confirmation_tag(DhRole::Client, &ck.confirmation_tag(DhRole::Client)).is_ok());
        prop_assert!(ck.check_confirmation_tag(DhRole::Server, &sk.confirmation_tag(DhRole::Server)).is_ok());
        // A reflected tag fails.
        prop_assert_eq!(
            ck.check_confirmation_tag(DhRole::Server, &ck.confirmation_tag(DhRole::Client)),
            Err(AsymmetricError::ConfirmationFailed)
        );
    }

    #[test]
    fn dh3_both_sides_agree(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), c in any::<[u8; 32]>(), d in any::<[u8; 32]>()) {
        let client = Dh3Client::with_ephemeral(X25519::from_secret_array(b), X25519::from_secret_array(d));
        let server = Dh3Server::new(X25519::from_secret_array(a));
        let (response, pending) = server.respond_with_ephemeral(&client.hello(), X25519::from_secret_array(c)).unwrap();
        let ck = client.finish(&response).unwrap();
        let sk = pending.finish().unwrap();
        prop_assert_eq!(ck.hexdigest(), sk.hexdigest());
        prop_assert_eq!(ck.derive_key(b"k"), sk.derive_key(b"k"));
    }

    /// A response with one flipped bit gives the client another result
    /// (or a low-order error). Bit 255 of a u-coordinate is ignored by
    /// X25519 (RFC 7748), so there the compat digest is unchanged — but
    /// the hardened `derive_key`, which binds the public keys as sent,
    /// differs.
    #[test]
    fn tampered_response_changes_the_result(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), c in any::<[u8; 32]>(), d in any::<[u8; 32]>(), bit in 0usize..256, which_key in any::<bool>()) {
        let client = Dh3Client::with_ephemeral(X25519::from_secret_array(b), X25519::from_secret_array(d));
        let server = Dh3Server::new(X25519::from_secret_array(a));
        let (response, pending) = server.respond_with_ephemeral(&client.hello(), X25519::from_secret_array(c)).unwrap();
        let sk = pending.finish().unwrap();
        let mut bad = response;
        if which_key {
            bad.public_key_a = X25519PublicKey::from(flip(response.public_key_a.to_bytes(), bit));
        } else {
            bad.public_key_c = X25519PublicKey::from(flip(response.public_key_c.to_bytes(), bit));
        }
        match client.finish(&bad) {
            Err(e) => prop_assert_eq!(e, AsymmetricError::LowOrderPoint),
            Ok(ck) => {
                if bit == 255 {
                    prop_assert_eq!(ck.digest(), sk.digest());
                } else {
                    prop_assert_ne!(ck.digest(), sk.digest());
                }
                prop_assert_ne!(ck.derive_key(b"k"), sk.derive_key(b"k"));
                prop_assert!(sk.check_confirmation_tag(DhRole::Client, &ck.confirmation_tag(DhRole::Client)).is_err());
            }
        }
    }

    #[test]
    fn tampered_hello_changes_the_result(a in any::<[u8; 32]>(), c in any::<[u8; 32]>(), d in any::<[u8; 32]>(), bit in 0usize..255) {
        let client = Dh2Client::with_ephemeral(X25519::from_secret_array(d));
        let mut hello = client.hello();
        hello.public_key_d = X25519PublicKey::from(flip(hello.public_key_d.to_bytes(), bit));
        let server = Dh2Server::new(X25519::from_secret_array(a));
        let (response, pending) = server.respond_with_ephemeral(&hello, X25519::from_secret_array(c));
        let ck = client.finish(&response).unwrap();
        match pending.finish() {
            Err(e) => prop_assert_eq!(e, AsymmetricError::LowOrderPoint),
            Ok(sk) => prop_assert_ne!(ck.digest(), sk.digest()),
        }
    }

    #[test]
    fn key_text_round_trips(secret in any::<[u8; 32]>()) {
        let x = X25519::from_secret_array(secret);
        prop_assert_eq!(&X25519::from_secret_hex(x.secret_hex().expose_secret()).unwrap(), &x);
        prop_assert_eq!(&X25519::from_secret_hex(&x.secret_hex().expose_secret().to_uppercase()).unwrap(), &x);
        let p: X25519PublicKey = x.public_key().to_string().parse().unwrap();
        prop_assert_eq!(&p, x.public_key());
        let e = Ed25519::from_secret_array(secret);
        prop_assert_eq!(&Ed25519::from_secret_hex(e.secret_hex().expose_secret()).unwrap(), &e);
        let q: Ed25519PublicKey = serde_json::from_str(&serde_json::to_string(e.public_key()).unwrap()).unwrap();
        prop_assert_eq!(&q, e.public_key());
        let r: DhResponse = serde_json::from_str(&serde_json::to_string(&DhResponse { public_key_a: p, public_key_c: p }).unwrap()).unwrap();
        prop_assert_eq!(r.public_key_a, p);
    }

    /// Arbitrary text never panics the key parsers.
    #[test]
    fn key_parsers_do_not_panic(text in ".{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..70)) {
        let _ = X25519::from_secret_hex(&text);
        let _ = X25519PublicKey::from_hex(&text);
        let _ = Ed25519::from_secret_hex(&text);
        let _ = Ed25519PublicKey::from_hex(&text);
        let _ = X25519::from_secret_bytes(&bytes);
        let _ = Ed25519PublicKey::from_bytes(&bytes);
        if let Ok(pk) = Ed25519PublicKey::from_bytes(&bytes) {
            let _ = pk.verify(&bytes, &bytes);
        }
    }
}
