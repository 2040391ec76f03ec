//! [`Tessera`]: one configured engine (config, keys, authority, verified-token cache) shared
//! by every request of a process.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::authority::{Authority, AuthorityConfig};
use crate::config::{Config, Connection};
use crate::embedded_keys::{EmbeddedKeys, KeyPolicy};
use crate::error::{Error, ErrorKind, Result};
use crate::jwks_remote::{RemoteJwks, RemoteJwksConfig};
use crate::keys::{KeySet, PublicKey};
use crate::store::{PostgresStore, SqliteStore, Store};
use crate::token::{self, KeyProvider, VerifiedToken};

/// The current time in ms since the epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Where verification keys come from.
enum Keys {
    Embedded(Arc<EmbeddedKeys>),
    Remote(Arc<RemoteJwks>),
    Fixed(Arc<KeySet>),
}

impl Keys {
    fn provider(&self) -> &dyn KeyProvider {
        match self {
            Keys::Embedded(k) => &**k,
            Keys::Remote(r) => &**r,
            Keys::Fixed(k) => &**k,
        }
    }

    /// The key for `kid` if it is known now; never does I/O (a stale remote set still
    /// answers and refreshes in the background).
    fn key_without_io(&self, kid: &str, now_ms: u64) -> Option<Arc<PublicKey>> {
        match self {
            Keys::Embedded(k) => k.verification_keys().get(kid).cloned(),
            Keys::Remote(r) => r.cached().contains(kid).then(|| r.key_for(kid, now_ms).ok()).flatten(),
            Keys::Fixed(k) => k.get(kid).cloned(),
        }
    }

    fn keys_without_io(&self) -> Arc<KeySet> {
        match self {
            Keys::Embedded(k) => k.verification_keys(),
            Keys::Remote(r) => r.cached(),
            Keys::Fixed(k) => Arc::clone(k),
        }
    }

    /// Whether `kid` still verifies, without I/O.
    fn has_key(&self, kid: &str) -> bool {
        match self {
            Keys::Embedded(k) => k.verification_keys().contains(kid),
            Keys::Remote(r) => r.cached().contains(kid),
            Keys::Fixed(k) => k.contains(kid),
        }
    }
}

impl KeyProvider for RemoteJwks {
    fn key_for(&self, kid: &str, now_ms: u64) -> Result<Arc<PublicKey>> {
        RemoteJwks::key_for(self, kid, now_ms)
    }

    fn all_keys(&self, now_ms: u64) -> Result<Arc<KeySet>> {
        RemoteJwks::all_keys(self, now_ms)
    }
}

/// A key provider that answers from what is in memory and reports `WOULD_BLOCK` for
/// anything that would need the store or the network.
struct WithoutIo<'a> {
    keys: &'a Keys,
}

impl KeyProvider for WithoutIo<'_> {
    fn key_for(&self, kid: &str, now_ms: u64) -> Result<Arc<PublicKey>> {
        self.keys.key_without_io(kid, now_ms).ok_or_else(would_block)
    }

    fn all_keys(&self, _now_ms: u64) -> Result<Arc<KeySet>> {
        let set = self.keys.keys_without_io();
        if set.is_empty() {
            Err(would_block())
        } else {
            Ok(set)
        }
    }
}

/// How far a verification may go before it answers `WOULD_BLOCK` instead, so that the
/// caller can run it again where that work is welcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Work {
    /// Anything: signature checks, key reloads and fetches, the store.
    Any,
    /// No disk or network I/O: signatures checked with the keys in memory.
    NoIo,
    /// Only what the verified-token cache answers: no signature check either.
    Cached,
}

pub(crate) fn would_block() -> Error {
    Error::new(ErrorKind::WouldBlock, "this call needs I/O; run it off the event loop")
}

/// An access token from a request, looked at once (see [`Tessera::examine_access_token`]).
#[derive(Debug)]
pub enum TokenCandidate<'a> {
    /// Verified before; the cached result, to be re-checked for expiry and key.
    Known(Arc<VerifiedToken>),
    /// Parsed and structure-checked, not yet verified.
    Parsed(token::ParsedToken<'a>),
}

/// A configured session engine. Cheap to share (`Arc<Tessera>`); every method is safe to
/// call from many threads at once.
pub struct Tessera {
    config: Arc<Config>,
    keys: Keys,
    authority: Option<Authority>,
    cache: TokenCache,
}

impl std::fmt::Debug for Tessera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tessera").field("connection", &self.config.connection).finish_non_exhaustive()
    }
}

impl Tessera {
    /// An engine from a JSON configuration (see [`crate::config::ConfigInput`]).
    ///
    /// # Errors
    /// `INVALID_CONFIG` naming the wrong option; `STORAGE` if the store cannot be opened.
    pub fn from_json(json: &str) -> Result<Tessera> {
        Tessera::new(Config::from_json(json)?)
    }

    /// An engine from a normalised configuration. Opens (and migrates) the store; makes no
    /// network request.
    ///
    /// # Errors
    /// `STORAGE` if the store cannot be opened.
    pub fn new(config: Config) -> Result<Tessera> {
        let store: Option<Arc<dyn Store>> = match &config.connection {
            Connection::Sqlite(path) => Some(Arc::new(SqliteStore::open(path).map_err(|e| {
                Error::new(e.kind(), format!("opening the session store at {}: {}", path.display(), e.message()))
            })?)),
            Connection::SqliteMemory => Some(Arc::new(SqliteStore::open_in_memory()?)),
            Connection::Postgres(uri) => Some(Arc::new(PostgresStore::open(uri.expose())?)),
            Connection::Remote(_) => None,
        };
        Tessera::with_store(config, store)
    }

    /// An engine over a store of the caller's choosing (`None` only for remote connections).
    ///
    /// # Errors
    /// `STORAGE` if the store's keys cannot be read; `INVALID_CONFIG` if an embedded
    /// connection has no store.
    pub fn with_store(config: Config, store: Option<Arc<dyn Store>>) -> Result<Tessera> {
        let s = &config.session;
        let (keys, authority) = match (&config.connection, store) {
            (Connection::Remote(hosts), _) => {
                let remote = RemoteJwks::new(RemoteJwksConfig {
                    hosts: hosts.clone(),
                    refresh_interval_ms: s.jwks_refresh_interval_sec.saturating_mul(1000),
                    cooldown_ms: 500,
                    timeout: Duration::from_secs(5),
                });
                (Keys::Remote(Arc::new(remote)), None)
            }
            (_, Some(store)) => {
                let policy = KeyPolicy {
                    update_interval_ms: s.signing_key_update_interval_ms,
                    access_token_validity_ms: s.access_token_validity_ms,
                };
                let keys = Arc::new(EmbeddedKeys::new(Arc::clone(&store), policy, now_ms())?);
                let authority = Authority::new(
                    store,
                    Arc::clone(&keys),
                    AuthorityConfig {
                        access_token_validity_ms: s.access_token_validity_ms,
                        refresh_token_validity_ms: s.refresh_token_validity_ms,
                        refresh_token_grace_ms: s.refresh_token_grace_ms,
                        issuer: config.issuer(),
                    },
                );
                (Keys::Embedded(keys), Some(authority))
            }
            (_, None) => return Err(Error::config("connectionURI: an embedded connection needs a store")),
        };
        let cache = TokenCache::new(s.verified_token_cache_size);
        Ok(Tessera { config: Arc::new(config), keys, authority, cache })
    }

    /// A verification-only engine that trusts exactly the keys of `keys` (for example a
    /// JWKS document the application ships). It has no session authority, so create,
    /// refresh and `checkDatabase` answer `NOT_SUPPORTED`; the connection in `config` is
    /// ignored.
    pub fn with_key_set(config: Config, keys: KeySet) -> Tessera {
        let cache = TokenCache::new(config.session.verified_token_cache_size);
        Tessera { config: Arc::new(config), keys: Keys::Fixed(Arc::new(keys)), authority: None, cache }
    }

    /// The normalised configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The embedded session authority.
    ///
    /// # Errors
    /// `NOT_SUPPORTED` when the connection is a remote SuperTokens core (verification only).
    pub fn authority(&self) -> Result<&Authority> {
        self.authority.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::NotSupported,
                "this operation needs the embedded session store; this engine only verifies tokens (connectionURI points at a remote SuperTokens core, or a fixed key set was given)",
            )
        })
    }

    /// Parses and verifies an access token (signature, structure, expiry). A token verified
    /// before is answered from the cache while it is valid and its key is still in the key
    /// set. The dynamic/static key and anti-CSRF checks are the caller's.
    ///
    /// # Errors
    /// `UNAUTHORISED` (tokens kept) when `raw` is not an access token; `TRY_REFRESH_TOKEN`
    /// when it does not verify.
    pub fn verify_access_token(&self, raw: &str, now_ms: u64) -> Result<Arc<VerifiedToken>> {
        let candidate = self.examine_access_token(raw)?;
        self.verify_candidate(raw, candidate, now_ms)
    }

    /// Looks at `raw` once: a token verified before comes from the cache, anything else is
    /// parsed and structure-checked (§1.4, §1.5) but not verified.
    ///
    /// # Errors
    /// `UNAUTHORISED` (tokens kept) when `raw` is not an access token.
    pub fn examine_access_token<'a>(&self, raw: &'a str) -> Result<TokenCandidate<'a>> {
        match self.cache.get(raw) {
            Some(hit) => Ok(TokenCandidate::Known(hit)),
            None => token::parse(raw).map(TokenCandidate::Parsed),
        }
    }

    /// Verifies `raw`'s signature and structure whatever its expiry (not cached): for
    /// functions that act on a session through a token that may have expired, such as
    /// [`Tessera::regenerate_access_token`].
    ///
    /// # Errors
    /// `UNAUTHORISED` when `raw` is not an access token; `TRY_REFRESH_TOKEN` when its
    /// signature does not verify.
    pub fn verify_access_token_signature(&self, raw: &str, now_ms: u64) -> Result<VerifiedToken> {
        let parsed = token::parse(raw)?;
        // Checked as at an instant before its expiry, keys looked up as now.
        let at = parsed.expiry_ms().map_or(now_ms, |exp| now_ms.min(exp.saturating_sub(1)));
        token::verify_parsed(parsed, &KeysAsOf { inner: self.keys.provider(), now_ms }, at)
    }

    /// Verifies what [`Tessera::examine_access_token`] found in `raw`, caching the result.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` when the token does not verify (or no longer does).
    pub fn verify_candidate(
        &self,
        raw: &str,
        candidate: TokenCandidate<'_>,
        now_ms: u64,
    ) -> Result<Arc<VerifiedToken>> {
        self.verify_candidate_with(raw, candidate, now_ms, Work::Any)
    }

    /// As [`Tessera::verify_candidate`], doing no more than `work` allows: past it, the
    /// answer is `WOULD_BLOCK`.
    pub(crate) fn verify_candidate_with(
        &self,
        raw: &str,
        candidate: TokenCandidate<'_>,
        now_ms: u64,
        work: Work,
    ) -> Result<Arc<VerifiedToken>> {
        let without_io = WithoutIo { keys: &self.keys };
        let provider: &dyn KeyProvider = if work == Work::Any { self.keys.provider() } else { &without_io };
        let verified = match candidate {
            TokenCandidate::Known(hit) => {
                let key_present = hit.kid.as_deref().is_none_or(|kid| self.keys.has_key(kid));
                if hit.is_valid_at(now_ms) && key_present {
                    return Ok(hit);
                }
                if work == Work::Cached {
                    return Err(would_block());
                }
                self.cache.remove(raw);
                token::verify(raw, provider, now_ms)?
            }
            TokenCandidate::Parsed(_) if work == Work::Cached => return Err(would_block()),
            TokenCandidate::Parsed(parsed) => token::verify_parsed(parsed, provider, now_ms)?,
        };
        let verified = Arc::new(verified);
        self.cache.insert(raw, Arc::clone(&verified));
        Ok(verified)
    }

    /// The JWKS document served at `{apiBasePath}/jwt/jwks.json` and its max-age in seconds.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` when a remote JWKS cannot be fetched.
    pub fn jwks(&self, now_ms: u64) -> Result<(Value, u64)> {
        match &self.keys {
            Keys::Embedded(k) => {
                if k.verification_keys().is_empty() {
                    // Serve a real key from the first request on, as the core does.
                    k.signing_key(self.config.session.use_dynamic_access_token_signing_key, now_ms)?;
                }
                // `createJWT` signs with the static key by default: it is in the document from
                // the start, so that no client caching the JWKS misses it.
                k.signing_key(false, now_ms)?;
                Ok(k.jwks(now_ms))
            }
            Keys::Remote(r) => {
                let set = r.all_keys(now_ms)?;
                Ok((set.to_jwks_json(), self.config.session.jwks_refresh_interval_sec.max(1)))
            }
            Keys::Fixed(k) => Ok((k.to_jwks_json(), self.config.session.jwks_refresh_interval_sec.max(1))),
        }
    }
}

/// A bounded map from token bytes to verified tokens. Sharded so that threads rarely meet on
/// one lock; when a shard is full an arbitrary entry goes (expired ones first when cheap).
struct TokenCache {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    hasher: TailState,
}

type Shard = HashMap<Box<str>, Arc<VerifiedToken>, TailState>;

/// How many trailing bytes of a token its cache hash reads.
const HASHED_TAIL: usize = 32;

/// Hashes only the tail of each write: a token ends in its RS256 signature, different for
/// every token, so its last bytes spread tokens as well as all ~850 bytes would, at a
/// fraction of the cost. Keys are still compared whole; the random SipHash keys still keep a
/// client from choosing collisions.
#[derive(Clone, Default)]
struct TailState(RandomState);

struct TailHasher(std::collections::hash_map::DefaultHasher);

impl BuildHasher for TailState {
    type Hasher = TailHasher;
    fn build_hasher(&self) -> TailHasher {
        TailHasher(self.0.build_hasher())
    }
}

impl Hasher for TailHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes.get(bytes.len().saturating_sub(HASHED_TAIL)..).unwrap_or_default());
    }
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

const SHARDS: usize = 16;

impl TokenCache {
    fn new(capacity: usize) -> TokenCache {
        let per_shard = capacity.div_ceil(SHARDS);
        let hasher = TailState::default();
        let shards = if capacity == 0 {
            Vec::new()
        } else {
            (0..SHARDS).map(|_| Mutex::new(HashMap::with_hasher(hasher.clone()))).collect()
        };
        TokenCache { shards, per_shard, hasher }
    }

    fn shard(&self, key: &str) -> Option<std::sync::MutexGuard<'_, Shard>> {
        if self.shards.is_empty() {
            return None;
        }
        // The high bits pick the shard; the map inside uses the low ones.
        let i = ((self.hasher.hash_one(key) >> 32) as usize) % self.shards.len();
        self.shards.get(i).map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn get(&self, key: &str) -> Option<Arc<VerifiedToken>> {
        self.shard(key)?.get(key).cloned()
    }

    fn remove(&self, key: &str) {
        if let Some(mut s) = self.shard(key) {
            s.remove(key);
        }
    }

    fn insert(&self, key: &str, value: Arc<VerifiedToken>) {
        let per_shard = self.per_shard;
        if let Some(mut s) = self.shard(key) {
            if s.len() >= per_shard {
                let victim = s.keys().next().cloned();
                if let Some(v) = victim {
                    s.remove(&v);
                }
            }
            s.insert(key.into(), value);
        }
    }
}

/// A key provider that looks keys up as of `now_ms` whatever instant a token is checked at.
struct KeysAsOf<'a> {
    inner: &'a dyn KeyProvider,
    now_ms: u64,
}

impl KeyProvider for KeysAsOf<'_> {
    fn key_for(&self, kid: &str, _at_ms: u64) -> Result<Arc<PublicKey>> {
        self.inner.key_for(kid, self.now_ms)
    }

    fn all_keys(&self, _at_ms: u64) -> Result<Arc<KeySet>> {
        self.inner.all_keys(self.now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(user: &str) -> Arc<VerifiedToken> {
        Arc::new(VerifiedToken {
            raw: String::new(),
            version: 5,
            kid: None,
            user_id: user.into(),
            recipe_user_id: user.into(),
            tenant_id: "public".into(),
            session_handle: String::new(),
            refresh_token_hash1: String::new(),
            parent_refresh_token_hash1: None,
            anti_csrf_token: None,
            expiry_ms: 0,
            time_created_ms: 0,
            payload: serde_json::Map::new(),
        })
    }

    #[test]
    fn tokens_with_the_same_tail_are_still_different_keys() {
        let cache = TokenCache::new(100);
        let tail = "x".repeat(HASHED_TAIL * 2);
        let (a, b) = (format!("a.{tail}"), format!("b.{tail}"));
        cache.insert(&a, verified("a"));
        assert!(cache.get(&b).is_none());
        cache.insert(&b, verified("b"));
        assert_eq!(cache.get(&a).unwrap().user_id, "a");
        assert_eq!(cache.get(&b).unwrap().user_id, "b");
        cache.remove(&a);
        assert!(cache.get(&a).is_none());
        assert_eq!(cache.get(&b).unwrap().user_id, "b");
        // Short keys hash whole.
        cache.insert("s", verified("s"));
        assert_eq!(cache.get("s").unwrap().user_id, "s");
    }
}
