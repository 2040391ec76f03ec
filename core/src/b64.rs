//! Lenient base64: SuperTokens v1/v2 tokens use standard base64 with padding, JWTs use
//! base64url without; both must decode whatever the alphabet and padding.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Sextet values of both alphabets at once (`+`/`-` are 62, `/`/`_` are 63); `INVALID`
/// elsewhere, `=` included.
const INVALID: u8 = 0xff;
const SEXTETS: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        table[b'A' as usize + i] = i as u8;
        table[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        table[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    table[b'+' as usize] = 62;
    table[b'-' as usize] = 62;
    table[b'/' as usize] = 63;
    table[b'_' as usize] = 63;
    table
};

/// One pass over unpadded input made only of alphabet characters: what every JWT segment
/// is. Mapping both alphabets to the same values gives what the general path gives (mixed
/// alphabets are read as standard there too); anything else returns `None` for that path.
fn decode_unpadded(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 == 1 {
        return None;
    }
    let whole = input.len() / 4;
    let mut out = vec![0u8; whole * 3];
    let chunks = input.chunks_exact(4);
    let rest = chunks.remainder();
    let mut bad = 0u8;
    for (chunk, dst) in chunks.zip(out.chunks_exact_mut(3)) {
        let [a, b, c, d] = [chunk[0], chunk[1], chunk[2], chunk[3]].map(|x| SEXTETS[x as usize]);
        // Checked once at the end: invalid sextets have the top bits set.
        bad |= a | b | c | d;
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        dst.copy_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    if bad > 63 {
        return None;
    }
    if !rest.is_empty() {
        let mut n = 0u32;
        for (i, x) in rest.iter().enumerate() {
            let v = SEXTETS[*x as usize];
            if v > 63 {
                return None;
            }
            n |= u32::from(v) << (18 - 6 * i);
        }
        // Trailing bits are allowed, as in the general path.
        out.push((n >> 16) as u8);
        if rest.len() == 3 {
            out.push((n >> 8) as u8);
        }
    }
    Some(out)
}

/// Decodes `input` in either alphabet, padded or not. `None` if it is not base64.
pub fn decode_lenient(input: &[u8]) -> Option<Vec<u8>> {
    if let Some(bytes) = decode_unpadded(input) {
        return Some(bytes);
    }
    let url_chars = input.iter().any(|b| *b == b'-' || *b == b'_');
    let std_chars = input.iter().any(|b| *b == b'+' || *b == b'/');
    if url_chars && std_chars {
        // Mixed alphabets: map to standard, as the SuperTokens core does.
        let mapped: Vec<u8> = input
            .iter()
            .map(|b| match b {
                b'-' => b'+',
                b'_' => b'/',
                other => *other,
            })
            .collect();
        return STANDARD_LENIENT.decode(mapped).ok();
    }
    if url_chars {
        URL_LENIENT.decode(input).ok()
    } else {
        STANDARD_LENIENT.decode(input).ok()
    }
}

/// Decodes `input` as Node's `Buffer.from(input, "base64")` does, which is how the reference
/// SDK (supertokens-node, and jose under it) reads token segments: both alphabets, any
/// character outside them skipped (whitespace, quotes), decoding stopped at the first `=`, a
/// lone trailing sextet ignored. Never fails; what it gives may not be the token's intent, so
/// what it decodes must still be verified (a signature over the raw segments).
pub fn decode_forgiving(input: &[u8]) -> Vec<u8> {
    if let Some(bytes) = decode_unpadded(input) {
        return bytes;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let (mut acc, mut n) = (0u32, 0u8);
    for &c in input {
        if c == b'=' {
            break;
        }
        let v = SEXTETS[c as usize];
        if v == INVALID {
            continue;
        }
        acc = (acc << 6) | u32::from(v);
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            (acc, n) = (0, 0);
        }
    }
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
    out
}

/// Standard base64 with padding (front tokens, legacy tokens).
pub fn encode_standard(input: &[u8]) -> String {
    STANDARD.encode(input)
}

/// base64url without padding (JWT segments, JWK members).
pub fn encode_url(input: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgiving_decoding_is_nodes_buffer_from_base64() {
        // Each expectation is what Node 20 gives for Buffer.from(input, "base64").
        let cases: [(&str, &[u8]); 9] = [
            ("SGVsbG8", b"Hello"),
            ("SGVsbG8=", b"Hello"),
            ("SGVs bG8", b"Hello"),
            ("\"SGVsbG8\"", b"Hello"),
            ("SGVs=bG8", b"Hel"),
            ("SGVsbG8==junk", b"Hello"),
            ("SGVsbG8A", b"Hello\0"),
            ("SGVsbG8AA", b"Hello\0"),
            ("-_+/", &[0xfb, 0xff, 0xbf]),
        ];
        for (input, want) in cases {
            assert_eq!(decode_forgiving(input.as_bytes()), want, "{input}");
        }
        assert!(decode_forgiving(b"!!").is_empty());
    }

    #[test]
    fn both_alphabets_and_padding() {
        let bytes = [0xfbu8, 0xff, 0xbf, 0x01];
        let std = STANDARD.encode(bytes);
        let url = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(std, "+/+/AQ==");
        assert_eq!(decode_lenient(std.as_bytes()).unwrap(), bytes);
        assert_eq!(decode_lenient(url.as_bytes()).unwrap(), bytes);
        assert_eq!(decode_lenient(b"+/+/AQ").unwrap(), bytes);
        assert_eq!(decode_lenient(b"-_+/AQ==").unwrap(), bytes);
        assert!(decode_lenient(b"!!!").is_none());
        assert!(decode_lenient(b"A").is_none());
    }

    proptest::proptest! {
        /// The one-pass path answers exactly as the base64 crate's lenient engines do.
        #[test]
        fn fast_path_matches_the_general_one(input in "[A-Za-z0-9+/_=-]{0,24}") {
            let bytes = input.as_bytes();
            let url_chars = bytes.iter().any(|b| *b == b'-' || *b == b'_');
            let mapped: Vec<u8> =
                bytes.iter().map(|b| match b { b'-' => b'+', b'_' => b'/', o => *o }).collect();
            let general = if url_chars { STANDARD_LENIENT.decode(mapped).ok() } else { STANDARD_LENIENT.decode(bytes).ok() };
            proptest::prop_assert_eq!(decode_lenient(bytes), general);
        }
    }
}
