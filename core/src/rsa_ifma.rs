//! RS256 verification for the usual key shape (a 2048-bit modulus, e = 65537) on x86-64 CPUs
//! with AVX-512 IFMA.
//!
//! An uncached verification is one RSA public operation, `s^65537 mod n`, and that operation is
//! nearly all of its cost. aws-lc computes it with Montgomery multiplications on 64-bit scalar
//! limbs; IFMA multiplies eight 52-bit limbs per instruction, so one 2048-bit multiplication
//! takes about a third of the time (the layout and the reduction follow the "almost Montgomery
//! multiplication" of Gueron and Krasnov, as OpenSSL's and aws-lc's private-key RSA code do).
//! Every other key shape, and every CPU without IFMA, verifies through aws-lc.
//!
//! Only public values pass through here (the key, the signature, the message's digest), so the
//! code need not run in constant time.

#[cfg(target_arch = "x86_64")]
use aws_lc_rs::digest;

/// A public key prepared for the IFMA path.
pub(crate) struct FastRs256 {
    #[cfg(target_arch = "x86_64")]
    key: ifma::Key,
    // Nothing else can build one: off x86-64 the type is uninhabited.
    #[cfg(not(target_arch = "x86_64"))]
    never: std::convert::Infallible,
}

impl FastRs256 {
    /// The prepared key, when this CPU has IFMA and the key is 2048 bits with e = 65537;
    /// `None` sends the key to aws-lc. `n` and `e` are big-endian without leading zeros.
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Option<FastRs256> {
        #[cfg(target_arch = "x86_64")]
        {
            ifma::Key::new(n, e).map(|key| FastRs256 { key })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (n, e);
            None
        }
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`: the
    /// same answer as aws-lc's `RSA_PKCS1_2048_8192_SHA256` for this key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            self.key.verify(message, signature)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (message, signature);
            match self.never {}
        }
    }
}

#[cfg(target_arch = "x86_64")]
const MODULUS_BYTES: usize = 256;

/// The encoded message a valid signature decrypts to (RFC 8017 §9.2): `00 01 FF.. 00`, the
/// DER `DigestInfo` prefix for SHA-256, then the digest, `MODULUS_BYTES` long in all.
#[cfg(target_arch = "x86_64")]
fn pkcs1_sha256_encoding(message: &[u8]) -> [u8; MODULUS_BYTES] {
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
        0x20,
    ];
    let digest = digest::digest(&digest::SHA256, message);
    let mut em = [0xffu8; MODULUS_BYTES];
    let tail = MODULUS_BYTES - DIGEST_INFO.len() - 32;
    em[0] = 0;
    em[1] = 1;
    em[tail - 1] = 0;
    em[tail..tail + DIGEST_INFO.len()].copy_from_slice(&DIGEST_INFO);
    em[tail + DIGEST_INFO.len()..].copy_from_slice(digest.as_ref());
    em
}

#[cfg(target_arch = "x86_64")]
mod ifma {
    use std::arch::x86_64::*;

    use super::{pkcs1_sha256_encoding, MODULUS_BYTES};

    /// 52-bit limbs, least significant first: 40 of them hold 2080 bits, so R = 2^2080 > 4n,
    /// which keeps every almost-Montgomery product below 2n without a final subtraction.
    const LIMBS: usize = 40;
    const MASK52: u64 = (1 << 52) - 1;
    type Limbs = [u64; LIMBS];

    pub(super) struct Key {
        n: Limbs,
        n_be: [u8; MODULUS_BYTES],
        /// -n^-1 mod 2^52.
        k0: u64,
        /// R^65537 mod n: the one factor that turns the exponentiation of the raw signature
        /// (which skips the usual conversion into Montgomery form) into `s^65537 mod n`.
        fix: Limbs,
    }

    impl Key {
        pub(super) fn new(n: &[u8], e: &[u8]) -> Option<Key> {
            if e != [0x01, 0x00, 0x01] || n.len() != MODULUS_BYTES || n[0] < 0x80 || n[MODULUS_BYTES - 1] & 1 == 0 {
                return None;
            }
            if !is_x86_feature_detected!("avx512f") || !is_x86_feature_detected!("avx512ifma") {
                return None;
            }
            let mut n_be = [0u8; MODULUS_BYTES];
            n_be.copy_from_slice(n);
            let limbs = to_limbs(&n_be);
            let low = u64::from_be_bytes(n_be[MODULUS_BYTES - 8..].try_into().ok()?);
            // Newton's iteration doubles the correct low bits each step; an odd n is its own
            // inverse modulo 8, so five steps give 96 >= 64.
            let mut inv = low;
            for _ in 0..5 {
                inv = inv.wrapping_mul(2u64.wrapping_sub(low.wrapping_mul(inv)));
            }
            let k0 = inv.wrapping_neg() & MASK52;
            let rr = to_limbs(&r_squared(&n_be));
            let mut one = [0u64; LIMBS];
            one[0] = 1;
            // SAFETY: the features `amm` needs were detected above.
            let fix = unsafe {
                // R^2 is R in Montgomery form; raise it to 65537 there, then leave the form.
                let mut x = rr;
                for _ in 0..16 {
                    x = amm(&x, &x, &limbs, k0);
                }
                x = amm(&x, &rr, &limbs, k0);
                amm(&x, &one, &limbs, k0)
            };
            Some(Key { n: limbs, n_be, k0, fix })
        }

        pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
            let Ok(s) = <&[u8; MODULUS_BYTES]>::try_from(signature) else { return false };
            match self.public_op(s) {
                Some(m) => m == to_limbs(&pkcs1_sha256_encoding(message)),
                None => false,
            }
        }

        /// `s^65537 mod n` as fully reduced limbs, or `None` when `s >= n` (RFC 8017's
        /// "signature representative out of range").
        pub(super) fn public_op(&self, s: &[u8; MODULUS_BYTES]) -> Option<Limbs> {
            if s >= &self.n_be {
                return None;
            }
            let s = to_limbs(s);
            // SAFETY: a `Key` exists only where `new` found the features `amm` needs.
            let mut x = unsafe {
                // amm(a, b) = a*b/R, so after sixteen squarings of the raw s and one product
                // with s, x = s^65537 / R^65536; the last product with R^65537 leaves s^65537.
                let mut x = s;
                for _ in 0..16 {
                    x = amm(&x, &x, &self.n, self.k0);
                }
                x = amm(&x, &s, &self.n, self.k0);
                amm(&x, &self.fix, &self.n, self.k0)
            };
            // The product is below 2n: one subtraction at most.
            if !less_than(&x, &self.n) {
                let mut borrow = 0u64;
                for (xi, ni) in x.iter_mut().zip(self.n.iter()) {
                    let d = xi.wrapping_sub(*ni).wrapping_sub(borrow);
                    *xi = d & MASK52;
                    borrow = d >> 63;
                }
            }
            Some(x)
        }
    }

    fn less_than(a: &Limbs, b: &Limbs) -> bool {
        a.iter().rev().cmp(b.iter().rev()) == std::cmp::Ordering::Less
    }

    /// Big-endian bytes to 52-bit limbs.
    fn to_limbs(be: &[u8; MODULUS_BYTES]) -> Limbs {
        // Little-endian, with room to read eight bytes at the top limb's offset.
        let mut le = [0u8; MODULUS_BYTES + 8];
        for (dst, src) in le.iter_mut().zip(be.iter().rev()) {
            *dst = *src;
        }
        let mut out = [0u64; LIMBS];
        for (i, limb) in out.iter_mut().enumerate() {
            let bit = 52 * i;
            let mut word = [0u8; 8];
            word.copy_from_slice(&le[bit / 8..bit / 8 + 8]);
            *limb = (u64::from_le_bytes(word) >> (bit % 8)) & MASK52;
        }
        out
    }

    /// R^2 mod n, R = 2^(52 * LIMBS), by doubling modulo n from 2^2047, which is below n
    /// because n is odd with its top bit set. Runs once per key.
    fn r_squared(n_be: &[u8; MODULUS_BYTES]) -> [u8; MODULUS_BYTES] {
        const WORDS: usize = MODULUS_BYTES / 8;
        let mut n = [0u64; WORDS];
        for (i, word) in n.iter_mut().enumerate() {
            let at = MODULUS_BYTES - 8 * (i + 1);
            *word = u64::from_be_bytes(n_be[at..at + 8].try_into().unwrap_or([0; 8]));
        }
        let mut x = [0u64; WORDS];
        x[WORDS - 1] = 1 << 63;
        for _ in 2047..2 * 52 * LIMBS {
            let carry = x[WORDS - 1] >> 63 == 1;
            for i in (1..WORDS).rev() {
                x[i] = (x[i] << 1) | (x[i - 1] >> 63);
            }
            x[0] <<= 1;
            if carry || x.iter().rev().cmp(n.iter().rev()) != std::cmp::Ordering::Less {
                let mut borrow = false;
                for (xi, ni) in x.iter_mut().zip(n.iter()) {
                    let (d, b1) = xi.overflowing_sub(*ni);
                    let (d, b2) = d.overflowing_sub(u64::from(borrow));
                    *xi = d;
                    borrow = b1 | b2;
                }
            }
        }
        let mut out = [0u8; MODULUS_BYTES];
        for (i, word) in x.iter().enumerate() {
            let at = MODULUS_BYTES - 8 * (i + 1);
            out[at..at + 8].copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    /// Almost Montgomery multiplication: a*b/R mod n, as a value below 2n in normalised
    /// limbs, for inputs below 2n in normalised limbs.
    ///
    /// Operand scanning over b's limbs: each step adds a*b_i and y*n (y chosen to clear the
    /// lowest limb) into five vectors of eight 64-bit lanes and shifts one limb out. The
    /// lanes are not carried until the end: each gains at most four 52-bit terms per step,
    /// 160 in all, well within 64 bits. The lowest limb lives in a scalar instead, because y
    /// depends on it and a vector-to-scalar move would sit on every step's critical path.
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn amm(a: &Limbs, b: &Limbs, n: &Limbs, k0: u64) -> Limbs {
        // SAFETY (loads and stores): each of the five offsets reads or writes eight u64
        // inside a 40-element array; the unaligned forms need no alignment.
        let load = |p: &Limbs, k: usize| _mm512_loadu_si512(p.as_ptr().add(8 * k).cast());
        let (a0, a1, a2, a3, a4) = (load(a, 0), load(a, 1), load(a, 2), load(a, 3), load(a, 4));
        let (n0, n1, n2, n3, n4) = (load(n, 0), load(n, 1), load(n, 2), load(n, 3), load(n, 4));
        let zero = _mm512_setzero_si512();
        let (mut c0, mut c1, mut c2, mut c3, mut c4) = (zero, zero, zero, zero, zero);
        let (a_low, n_low) = (u128::from(a[0]), u128::from(n[0]));
        let mut low: u128 = 0;
        for &bi in b {
            let bv = _mm512_set1_epi64(bi as i64);
            low += a_low * u128::from(bi);
            let y = (low as u64).wrapping_mul(k0) & MASK52;
            let yv = _mm512_set1_epi64(y as i64);
            low += n_low * u128::from(y);
            low >>= 52;
            c0 = _mm512_madd52lo_epu64(c0, a0, bv);
            c1 = _mm512_madd52lo_epu64(c1, a1, bv);
            c2 = _mm512_madd52lo_epu64(c2, a2, bv);
            c3 = _mm512_madd52lo_epu64(c3, a3, bv);
            c4 = _mm512_madd52lo_epu64(c4, a4, bv);
            c0 = _mm512_madd52lo_epu64(c0, n0, yv);
            c1 = _mm512_madd52lo_epu64(c1, n1, yv);
            c2 = _mm512_madd52lo_epu64(c2, n2, yv);
            c3 = _mm512_madd52lo_epu64(c3, n3, yv);
            c4 = _mm512_madd52lo_epu64(c4, n4, yv);
            // Lane 0 (already counted in `low`) drops out; the next limb joins `low`.
            c0 = _mm512_alignr_epi64(c1, c0, 1);
            c1 = _mm512_alignr_epi64(c2, c1, 1);
            c2 = _mm512_alignr_epi64(c3, c2, 1);
            c3 = _mm512_alignr_epi64(c4, c3, 1);
            c4 = _mm512_alignr_epi64(zero, c4, 1);
            low += u128::from(_mm_cvtsi128_si64(_mm512_castsi512_si128(c0)) as u64);
            // The high halves land one limb up, which after the shift is their own lane;
            // lane 0's are in `low` already and are shifted out next step.
            c0 = _mm512_madd52hi_epu64(c0, a0, bv);
            c1 = _mm512_madd52hi_epu64(c1, a1, bv);
            c2 = _mm512_madd52hi_epu64(c2, a2, bv);
            c3 = _mm512_madd52hi_epu64(c3, a3, bv);
            c4 = _mm512_madd52hi_epu64(c4, a4, bv);
            c0 = _mm512_madd52hi_epu64(c0, n0, yv);
            c1 = _mm512_madd52hi_epu64(c1, n1, yv);
            c2 = _mm512_madd52hi_epu64(c2, n2, yv);
            c3 = _mm512_madd52hi_epu64(c3, n3, yv);
            c4 = _mm512_madd52hi_epu64(c4, n4, yv);
        }
        let mut out = [0u64; LIMBS];
        let store = |p: &mut Limbs, k: usize, v| _mm512_storeu_si512(p.as_mut_ptr().add(8 * k).cast(), v);
        store(&mut out, 0, c0);
        store(&mut out, 1, c1);
        store(&mut out, 2, c2);
        store(&mut out, 3, c3);
        store(&mut out, 4, c4);
        out[0] = low as u64;
        let mut carry = 0u64;
        for limb in out.iter_mut() {
            let v = *limb + carry;
            *limb = v & MASK52;
            carry = v >> 52;
        }
        out
    }

    #[cfg(test)]
    pub(super) mod testing {
        use super::*;

        pub(in crate::rsa_ifma) fn available() -> bool {
            is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512ifma")
        }

        /// `s^65537 mod n` as big-endian bytes, through the IFMA path.
        pub(in crate::rsa_ifma) fn public_op(key: &Key, s: &[u8; MODULUS_BYTES]) -> Option<Vec<u8>> {
            key.public_op(s).map(|limbs| {
                let mut be = Vec::with_capacity(MODULUS_BYTES);
                let (mut acc, mut bits) = (0u128, 0u32);
                let mut le = Vec::new();
                for limb in limbs {
                    acc |= u128::from(limb) << bits;
                    bits += 52;
                    while bits >= 8 {
                        le.push(acc as u8);
                        acc >>= 8;
                        bits -= 8;
                    }
                }
                le.truncate(MODULUS_BYTES);
                be.extend(le.iter().rev());
                be
            })
        }

        pub(in crate::rsa_ifma) fn new(n: &[u8]) -> Option<Key> {
            Key::new(n, &[1, 0, 1])
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
    use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair, UnparsedPublicKey};
    use num_bigint::BigUint;

    use super::ifma::testing;
    use super::*;

    /// A small deterministic generator, so that a failure reproduces.
    struct XorShift(u64);
    impl XorShift {
        fn bytes(&mut self, out: &mut [u8]) {
            for b in out {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                *b = self.0 as u8;
            }
        }
    }

    fn key_pair() -> (RsaKeyPair, Vec<u8>, Vec<u8>) {
        let kp = RsaKeyPair::generate(KeySize::Rsa2048).expect("key generation");
        let comps: PublicKeyComponents<Vec<u8>> = kp.public_key().into();
        (kp, comps.n, comps.e)
    }

    fn sign(kp: &RsaKeyPair, message: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; kp.public_modulus_len()];
        kp.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig).expect("sign");
        sig
    }

    fn aws_lc_verifies(n: &[u8], e: &[u8], message: &[u8], sig: &[u8]) -> bool {
        let der = crate::keys::rsa_public_key_der(n, e);
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der).verify(message, sig).is_ok()
    }

    fn require_ifma() -> bool {
        if !testing::available() {
            eprintln!("this CPU has no AVX-512 IFMA: the accelerated path is not built here, aws-lc verifies");
            return false;
        }
        true
    }

    #[test]
    fn the_public_operation_matches_big_integer_arithmetic() {
        if !require_ifma() {
            return;
        }
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..4 {
            let (_, n, _) = key_pair();
            let key = testing::new(&n).expect("a 2048-bit key with e = 65537 is accelerated");
            let big_n = BigUint::from_bytes_be(&n);
            let e = BigUint::from(65537u32);
            let mut inputs: Vec<[u8; 256]> = Vec::new();
            // The edges: 0, 1, 2, n - 1, and values with all bits set below n's top byte.
            for small in [0u8, 1, 2] {
                let mut s = [0u8; 256];
                s[255] = small;
                inputs.push(s);
            }
            let n_minus_1 = (&big_n - 1u32).to_bytes_be();
            inputs.push(n_minus_1.as_slice().try_into().expect("256 bytes"));
            let mut ones = [0xffu8; 256];
            ones[0] = n[0] - 1;
            inputs.push(ones);
            for _ in 0..200 {
                let mut s = [0u8; 256];
                rng.bytes(&mut s);
                s[0] %= n[0];
                inputs.push(s);
            }
            for s in inputs {
                let want = BigUint::from_bytes_be(&s).modpow(&e, &big_n);
                let got = testing::public_op(&key, &s).expect("below n");
                assert_eq!(BigUint::from_bytes_be(&got), want, "s = {}", BigUint::from_bytes_be(&s));
            }
        }
    }

    #[test]
    fn signature_representatives_at_or_above_the_modulus_are_refused() {
        if !require_ifma() {
            return;
        }
        let (kp, n, e) = key_pair();
        let key = FastRs256::new(&n, &e).expect("accelerated");
        let ikey = testing::new(&n).expect("accelerated");
        let big_n = BigUint::from_bytes_be(&n);
        for s in [big_n.clone(), &big_n + 1u32, (BigUint::from(1u8) << 2048) - 1u32] {
            let s: [u8; 256] = s.to_bytes_be().as_slice().try_into().expect("256 bytes");
            assert!(testing::public_op(&ikey, &s).is_none());
            assert!(!key.verify(b"message", &s));
        }
        // s + n is congruent to s, so arithmetic alone would take it: only the range check
        // refuses it. 2 + n always fits in the modulus's 256 bytes.
        let mut two = [0u8; 256];
        two[255] = 2;
        let two_plus_n: [u8; 256] = (&big_n + 2u32).to_bytes_be().as_slice().try_into().expect("256 bytes");
        assert!(testing::public_op(&ikey, &two).is_some());
        assert!(testing::public_op(&ikey, &two_plus_n).is_none());
        assert!(!aws_lc_verifies(&n, &e, b"message", &two_plus_n));
        // A valid signature still verifies with this key: the refusals above are the range's.
        assert!(key.verify(b"message", &sign(&kp, b"message")));
    }

    #[test]
    fn verification_agrees_with_aws_lc() {
        if !require_ifma() {
            return;
        }
        let mut rng = XorShift(42);
        for _ in 0..3 {
            let (kp, n, e) = key_pair();
            let key = FastRs256::new(&n, &e).expect("accelerated");
            for len in [0usize, 1, 55, 64, 300, 1000] {
                let mut message = vec![0u8; len];
                rng.bytes(&mut message);
                let sig = sign(&kp, &message);
                assert!(key.verify(&message, &sig), "a valid signature of {len} bytes");
                let mut cases: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
                for bit in [0usize, 7, 100, 1000, 2047] {
                    let mut bad = sig.clone();
                    bad[bit / 8] ^= 1 << (bit % 8);
                    cases.push((message.clone(), bad));
                }
                let mut other = message.clone();
                other.push(0);
                cases.push((other, sig.clone()));
                cases.push((message.clone(), sig[1..].to_vec()));
                cases.push((message.clone(), [&[0u8][..], &sig].concat()));
                cases.push((message.clone(), Vec::new()));
                cases.push((message.clone(), vec![0u8; 256]));
                for (m, s) in cases {
                    assert_eq!(key.verify(&m, &s), aws_lc_verifies(&n, &e, &m, &s));
                    assert!(!key.verify(&m, &s));
                }
            }
        }
    }

    #[test]
    fn a_signature_over_another_digest_encoding_is_refused() {
        if !require_ifma() {
            return;
        }
        // Signed with SHA-512: a valid RSA signature whose encoding is not SHA-256's.
        let (kp, n, e) = key_pair();
        let mut sig = vec![0u8; 256];
        kp.sign(&signature::RSA_PKCS1_SHA512, &SystemRandom::new(), b"m", &mut sig).expect("sign");
        let key = FastRs256::new(&n, &e).expect("accelerated");
        assert!(!key.verify(b"m", &sig));
        assert!(!aws_lc_verifies(&n, &e, b"m", &sig));
    }

    #[test]
    fn only_2048_bit_keys_with_e_65537_are_accelerated() {
        let (_, n, e) = key_pair();
        assert_eq!(FastRs256::new(&n, &e).is_some(), testing::available());
        assert!(FastRs256::new(&n, &[3]).is_none());
        assert!(FastRs256::new(&n, &[1, 0, 0, 1]).is_none());
        assert!(FastRs256::new(&n[1..], &e).is_none());
        let mut even = n.clone();
        even[255] &= 0xfe;
        assert!(FastRs256::new(&even, &e).is_none());
        let kp = RsaKeyPair::generate(KeySize::Rsa3072).expect("key generation");
        let comps: PublicKeyComponents<Vec<u8>> = kp.public_key().into();
        assert!(FastRs256::new(&comps.n, &comps.e).is_none());
    }
}
