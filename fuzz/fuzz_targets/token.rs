//! Access tokens: arbitrary bytes into `token::parse` and `token::verify`, and arbitrary
//! header/payload bytes signed with a real key (so that everything after the signature
//! check — structure, claims, times — sees hostile JSON too).
//!
//! Input: a mode byte, then
//! - bit 0 clear: the token text (bytes, lossily decoded);
//! - bit 0 set: header and payload bytes separated by the first NUL; they are encoded
//!   (bit 2: the legacy v2 header instead), signed with the fixed key and verified.
//!
//! Bit 1 set: 8 more bytes are the clock (ms, little endian) instead of a fixed time.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tessera_core::b64;
use tessera_core::keys::{KeySet, SigningKey};
use tessera_core::token;

const NOW_MS: u64 = 1_700_000_000_000;

struct Keys {
    signing: SigningKey,
    set: KeySet,
}

static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    let signing = SigningKey::generate("d-fuzz".to_owned(), NOW_MS).expect("key generation");
    let set = KeySet::new(vec![signing.public_key().clone()]);
    Keys { signing, set }
});

fuzz_target!(|data: &[u8]| {
    let keys = &*KEYS;
    let Some((&mode, mut rest)) = data.split_first() else { return };
    let mut now = NOW_MS;
    if mode & 2 != 0 {
        let Some((clock, tail)) = rest.split_first_chunk::<8>() else { return };
        now = u64::from_le_bytes(*clock);
        rest = tail;
    }
    let raw = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let (header, payload) = match rest.iter().position(|b| *b == 0) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &b"{}"[..]),
        };
        let header = if mode & 4 != 0 { token::V2_HEADER.to_owned() } else { b64::encode_url(header) };
        let signing_input = format!("{header}.{}", b64::encode_url(payload));
        let sig = keys.signing.sign_rs256(signing_input.as_bytes()).expect("signing");
        format!("{signing_input}.{}", b64::encode_url(&sig))
    };
    let parsed = token::parse(&raw);
    let verified = token::verify(&raw, &keys.set, now);
    if parsed.is_err() {
        assert!(verified.is_err(), "a token that does not parse verified");
    }
    if let Ok(t) = verified {
        assert_eq!(t.raw, raw);
        assert!(t.version >= 2);
    }
});
