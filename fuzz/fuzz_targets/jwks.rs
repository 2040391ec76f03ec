//! JWKS documents: arbitrary bytes into `KeySet::from_jwks_json`. Whatever is accepted must
//! serialise back to a document that parses to the same keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::keys::KeySet;

fuzz_target!(|data: &[u8]| {
    let Ok(set) = KeySet::from_jwks_json(data) else { return };
    let doc = serde_json::to_vec(&set.to_jwks_json()).expect("a key set serialises");
    let again = KeySet::from_jwks_json(&doc).expect("a serialised key set parses");
    assert_eq!(again.keys().len(), set.keys().len());
    for (a, b) in again.keys().iter().zip(set.keys()) {
        assert_eq!(**a, **b);
    }
    for k in set.keys() {
        if let Some(kid) = k.kid() {
            assert!(set.contains(kid));
        }
        assert!(!k.verify_rs256(b"fuzz", &[0u8; 256]));
    }
});
