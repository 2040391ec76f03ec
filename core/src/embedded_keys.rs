//! The embedded authority's signing keys: made here, persisted in the store, rotated on an
//! interval, shared with every process on the same store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use crate::error::{Error, Result};
use crate::keys::{KeySet, PublicKey, SigningKey};
use crate::store::{KeyKind, Store, StoredKey};
use crate::token::KeyProvider;

/// A new dynamic key signs only once it is this old, so that other servers have seen it
/// before tokens signed by it reach them (the SuperTokens core's `dynamicSigningKeyOverlapMS`).
pub const SIGNING_KEY_OVERLAP_MS: u64 = 60_000;

/// An unknown kid reloads keys from the store at most this often.
pub const RELOAD_COOLDOWN_MS: u64 = 500;

/// An unknown dynamic kid newer than the last reload (a key another server has just made)
/// reloads at most this often: soon enough that a session created elsewhere right after this
/// server started verifies here at once, rarely enough that forged fresh kids cost little.
pub const FRESH_KEY_RELOAD_COOLDOWN_MS: u64 = 20;

/// How far the clocks of servers sharing a store may disagree when judging a kid's age.
const CLOCK_SKEW_MS: u64 = 5_000;

/// Rotation settings.
#[derive(Debug, Clone, Copy)]
pub struct KeyPolicy {
    /// A new dynamic key every this many ms.
    pub update_interval_ms: u64,
    /// Access-token validity, which bounds how long an old key must still verify.
    pub access_token_validity_ms: u64,
}

impl KeyPolicy {
    /// Keys stay verifiable this long after creation: interval + 2 x access-token validity.
    pub fn retention_ms(&self) -> u64 {
        self.update_interval_ms.saturating_add(self.access_token_validity_ms.saturating_mul(2))
    }
}

#[derive(Default)]
struct Loaded {
    /// Dynamic keys, oldest first.
    dynamic: Vec<Arc<SigningKey>>,
    static_key: Option<Arc<SigningKey>>,
    verify: Arc<KeySet>,
}

/// The key ring of an embedded authority.
pub struct EmbeddedKeys {
    store: Arc<dyn Store>,
    policy: KeyPolicy,
    loaded: ArcSwap<Loaded>,
    /// Serialises reloads and key generation; verification never takes it.
    write: Mutex<()>,
    last_reload_ms: AtomicU64,
}

impl EmbeddedKeys {
    /// Loads the keys in `store`. Makes no key yet: the first signing does.
    ///
    /// # Errors
    /// `STORAGE` if the store cannot be read.
    pub fn new(store: Arc<dyn Store>, policy: KeyPolicy, now_ms: u64) -> Result<EmbeddedKeys> {
        let keys = EmbeddedKeys {
            store,
            policy,
            loaded: ArcSwap::from_pointee(Loaded::default()),
            write: Mutex::new(()),
            last_reload_ms: AtomicU64::new(0),
        };
        keys.reload(now_ms)?;
        Ok(keys)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Re-reads the keys from the store, reusing already parsed ones.
    fn reload(&self, now_ms: u64) -> Result<()> {
        let stored = self.store.signing_keys()?;
        let current = self.loaded.load();
        let mut known: HashMap<&str, &Arc<SigningKey>> = current.dynamic.iter().map(|k| (k.kid(), k)).collect();
        if let Some(s) = &current.static_key {
            known.insert(s.kid(), s);
        }
        let oldest_kept = now_ms.saturating_sub(self.policy.retention_ms());
        let mut dynamic = Vec::new();
        let mut static_key = None;
        for row in &stored {
            if row.kind == KeyKind::Dynamic && row.created_at_ms < oldest_kept {
                continue;
            }
            let key = match known.get(row.kid.as_str()) {
                Some(k) => Arc::clone(k),
                None => Arc::new(SigningKey::from_pkcs8(row.kid.clone(), row.created_at_ms, &row.private_pkcs8_der)?),
            };
            match row.kind {
                KeyKind::Dynamic => dynamic.push(key),
                KeyKind::Static => static_key = Some(key),
            }
        }
        dynamic.sort_by_key(|k| k.created_at_ms());
        let publics: Vec<PublicKey> = dynamic.iter().chain(static_key.iter()).map(|k| k.public_key().clone()).collect();
        self.loaded.store(Arc::new(Loaded { dynamic, static_key, verify: Arc::new(KeySet::new(publics)) }));
        self.last_reload_ms.store(now_ms, Ordering::Relaxed);
        Ok(())
    }

    /// The key to sign a new access token with, rotating first when the newest dynamic key
    /// is older than the update interval. `dynamic: false` gives the static key, made on
    /// first use.
    ///
    /// # Errors
    /// `STORAGE` if the store fails; `INTERNAL` if key generation fails.
    pub fn signing_key(&self, dynamic: bool, now_ms: u64) -> Result<Arc<SigningKey>> {
        if !dynamic {
            if let Some(k) = &self.loaded.load().static_key {
                return Ok(Arc::clone(k));
            }
            let _guard = self.lock();
            self.reload(now_ms)?;
            if let Some(k) = &self.loaded.load().static_key {
                return Ok(Arc::clone(k));
            }
            let candidate = SigningKey::generate(format!("s-{}", uuid::Uuid::new_v4()), now_ms)?;
            self.store.get_or_add_static_key(&stored(&candidate, KeyKind::Static))?;
            self.reload(now_ms)?;
            return self
                .loaded
                .load()
                .static_key
                .clone()
                .ok_or_else(|| Error::storage("the static signing key was not persisted"));
        }
        if let Some(k) = self.pick_dynamic(now_ms) {
            return Ok(k);
        }
        let _guard = self.lock();
        // Another process may have rotated already.
        self.reload(now_ms)?;
        if let Some(k) = self.pick_dynamic(now_ms) {
            return Ok(k);
        }
        let candidate = SigningKey::generate(format!("d-{now_ms}"), now_ms)?;
        let threshold = now_ms.saturating_sub(self.policy.update_interval_ms).saturating_add(1);
        self.store.add_dynamic_key_unless_newer(&stored(&candidate, KeyKind::Dynamic), threshold)?;
        let _ = self.store.delete_dynamic_keys_before(now_ms.saturating_sub(self.policy.retention_ms()));
        self.reload(now_ms)?;
        self.pick_any_dynamic(now_ms).ok_or_else(|| Error::storage("no dynamic signing key after rotation"))
    }

    /// The key to sign with, unless the newest dynamic key is due for rotation.
    fn pick_dynamic(&self, now_ms: u64) -> Option<Arc<SigningKey>> {
        let loaded = self.loaded.load();
        let newest = loaded.dynamic.last()?;
        if newest.created_at_ms().saturating_add(self.policy.update_interval_ms) <= now_ms {
            return None;
        }
        choose_dynamic(&loaded.dynamic, now_ms)
    }

    fn pick_any_dynamic(&self, now_ms: u64) -> Option<Arc<SigningKey>> {
        choose_dynamic(&self.loaded.load().dynamic, now_ms)
    }

    /// The public keys that verify now.
    pub fn verification_keys(&self) -> Arc<KeySet> {
        Arc::clone(&self.loaded.load().verify)
    }

    /// The JWKS document and its `Cache-Control` max-age in seconds: until the next dynamic
    /// key is due, minus the overlap, at least 1.
    pub fn jwks(&self, now_ms: u64) -> (serde_json::Value, u64) {
        let loaded = self.loaded.load();
        let max_age = loaded.dynamic.last().map_or(1, |k| {
            let due = k.created_at_ms().saturating_add(self.policy.update_interval_ms);
            (due.saturating_sub(SIGNING_KEY_OVERLAP_MS).saturating_sub(now_ms) / 1000).max(1)
        });
        (loaded.verify.to_jwks_json(), max_age)
    }
}

/// The newest key past the overlap; a first key on a new store signs at once, as there is
/// nothing older to use.
fn choose_dynamic(dynamic: &[Arc<SigningKey>], now_ms: u64) -> Option<Arc<SigningKey>> {
    let past_overlap =
        dynamic.iter().rev().find(|k| k.created_at_ms().saturating_add(SIGNING_KEY_OVERLAP_MS) <= now_ms);
    past_overlap.or(dynamic.first()).map(Arc::clone)
}

fn stored(key: &SigningKey, kind: KeyKind) -> StoredKey {
    StoredKey {
        kid: key.kid().to_owned(),
        kind,
        private_pkcs8_der: key.pkcs8_der().to_vec(),
        created_at_ms: key.created_at_ms(),
    }
}

impl KeyProvider for EmbeddedKeys {
    fn key_for(&self, kid: &str, now_ms: u64) -> Result<Arc<PublicKey>> {
        if let Some(k) = self.loaded.load().verify.get(kid) {
            return Ok(Arc::clone(k));
        }
        // Another process sharing the store may have made this key: look again, but not
        // more than once per cooldown, so garbage kids cannot hammer the store. A dynamic kid
        // made after the last look gets the short cooldown.
        // abs_diff: a clock that went backwards must not disable reloads.
        let last = self.last_reload_ms.load(Ordering::Relaxed);
        let made_since_last_look = kid
            .strip_prefix("d-")
            .and_then(|ms| ms.parse::<u64>().ok())
            .is_some_and(|made| made.saturating_add(CLOCK_SKEW_MS) > last);
        let cooldown = if made_since_last_look { FRESH_KEY_RELOAD_COOLDOWN_MS } else { RELOAD_COOLDOWN_MS };
        if now_ms.abs_diff(last) >= cooldown {
            let _guard = self.lock();
            if now_ms.abs_diff(self.last_reload_ms.load(Ordering::Relaxed)) >= cooldown {
                self.reload(now_ms)
                    .map_err(|e| Error::try_refresh(format!("signing keys could not be reloaded: {}", e.message())))?;
            }
        }
        self.loaded
            .load()
            .verify
            .get(kid)
            .cloned()
            .ok_or_else(|| Error::try_refresh(format!("no signing key with kid {kid}")))
    }

    fn all_keys(&self, _now_ms: u64) -> Result<Arc<KeySet>> {
        Ok(self.verification_keys())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    const T0: u64 = 1_700_000_000_000;

    fn pair() -> (EmbeddedKeys, EmbeddedKeys) {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
        let policy = KeyPolicy { update_interval_ms: 3_600_000, access_token_validity_ms: 3_600_000 };
        let a = EmbeddedKeys::new(Arc::clone(&store), policy, T0).unwrap();
        let b = EmbeddedKeys::new(store, policy, T0).unwrap();
        (a, b)
    }

    #[test]
    fn a_key_made_elsewhere_just_after_start_verifies_at_once() {
        let (a, b) = pair();
        // `a` makes the first key 10 ms after both looked at the empty store.
        let kid = a.signing_key(true, T0 + 10).unwrap().kid().to_owned();
        assert!(b.key_for(&kid, T0 + 40).is_ok(), "well inside the 500 ms cooldown");
    }

    #[test]
    fn unknown_kids_are_still_rate_limited() {
        let (_, b) = pair();
        let last = || b.last_reload_ms.load(Ordering::Relaxed);
        let fresh = |ms: u64| format!("d-{ms}");
        // A fresh-looking kid reloads once the short cooldown has passed...
        assert!(b.key_for(&fresh(T0 + 100), T0 + 100).is_err());
        assert_eq!(last(), T0 + 100);
        // ...but not again right after.
        assert!(b.key_for(&fresh(T0 + 105), T0 + 105).is_err());
        assert_eq!(last(), T0 + 100);
        // Static or old-looking kids wait for the long cooldown.
        assert!(b.key_for("s-unknown", T0 + 200).is_err());
        assert!(b.key_for("d-1", T0 + 300).is_err());
        assert_eq!(last(), T0 + 100);
        assert!(b.key_for(&fresh(T0 + 230), T0 + 230).is_err());
        assert_eq!(last(), T0 + 230);
        assert!(b.key_for("d-1", T0 + 729).is_err());
        assert_eq!(last(), T0 + 230);
        assert!(b.key_for("d-1", T0 + 730).is_err());
        assert_eq!(last(), T0 + 730);
    }
}
