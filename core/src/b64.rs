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

/// Decodes `input` in either alphabet, padded or not. `None` if it is not base64.
pub fn decode_lenient(input: &[u8]) -> Option<Vec<u8>> {
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
}
