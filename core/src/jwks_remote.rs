//! The JWKS of remote SuperTokens cores, fetched over HTTP and cached, as supertokens-node's
//! jose-based `combinedRemoteJWKSet` does (protocol spec §2.2).
//!
//! The current key set lives in an [`ArcSwap`], so verifying a token whose kid is cached never
//! takes a lock that is held during network I/O. Fetches are serialised through a small state
//! behind a mutex that is only ever held for bookkeeping: the thread doing a fetch marks it
//! "in flight", drops the lock for the I/O, and wakes the threads that waited for it.

use std::fmt;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::error::{Error, Result};
use crate::keys::{KeySet, PublicKey, MAX_JWKS_BYTES};

/// Default age after which a cached key set is refreshed: node's `jwksRefreshIntervalSec`
/// default of 4 hours.
pub const DEFAULT_REFRESH_INTERVAL_MS: u64 = 4 * 3600 * 1000;

/// Default minimum time between two fetches caused by unknown kids: node's
/// `JWKCacheCooldownInMs`.
pub const DEFAULT_COOLDOWN_MS: u64 = 500;

/// Default per-host timeout of a JWKS fetch: jose's `timeoutDuration`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The path every SuperTokens core serves its public keys at, below its base path.
const JWKS_PATH: &str = "/.well-known/jwks.json";

/// How [`RemoteJwks`] reaches the cores and how long it trusts what it fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteJwksConfig {
    /// Core hosts, `http(s)://host[:port][/basePath]`, tried in order (see
    /// [`parse_connection_uri`]).
    pub hosts: Vec<String>,
    /// Age (ms) after which the cached set is refreshed; default 4 hours.
    pub refresh_interval_ms: u64,
    /// Minimum time (ms) between fetches caused by an unknown kid; default 500.
    pub cooldown_ms: u64,
    /// Timeout of the whole request to one host (connect, headers and body); default 5 s.
    pub timeout: Duration,
}

impl Default for RemoteJwksConfig {
    fn default() -> RemoteJwksConfig {
        RemoteJwksConfig {
            hosts: Vec::new(),
            refresh_interval_ms: DEFAULT_REFRESH_INTERVAL_MS,
            cooldown_ms: DEFAULT_COOLDOWN_MS,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Splits a `connectionURI` into core hosts: entries separated by `;`, trimmed, empty entries
/// skipped. Each entry must be `http://` or `https://` followed by a host, an optional port and
/// an optional base path; trailing `/` are removed and the scheme is lower-cased.
///
/// # Errors
/// `INVALID_CONFIG`, naming `connectionURI`, when there is no entry, or an entry has another
/// scheme, no host, a bad port, credentials, a query, a fragment or whitespace.
pub fn parse_connection_uri(uri: &str) -> Result<Vec<String>> {
    let hosts = uri
        .split(';')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(parse_host_entry)
        .collect::<Result<Vec<String>>>()?;
    if hosts.is_empty() {
        return Err(Error::config(
            "connectionURI names no SuperTokens core: expected http(s)://host[:port][/basePath], \
             several separated by ';'",
        ));
    }
    Ok(hosts)
}

fn parse_host_entry(entry: &str) -> Result<String> {
    let (scheme, rest) = split_scheme(entry)
        .ok_or_else(|| Error::config(format!("connectionURI entry {entry:?} must start with http:// or https://")))?;
    // Echoing an entry with credentials would put them in logs.
    if rest.contains('@') {
        return Err(Error::config("a connectionURI entry contains '@': credentials are not allowed in connectionURI"));
    }
    let bad = |why: &str| Error::config(format!("connectionURI entry {entry:?} {why}"));
    if rest.contains(['?', '#']) {
        return Err(bad("must not have a query or a fragment"));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err(bad("contains whitespace, a control character or '\\'"));
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => (rest.get(..slash).unwrap_or_default(), rest.get(slash..).unwrap_or_default()),
        None => (rest, ""),
    };
    validate_authority(authority).map_err(bad)?;
    Ok(format!("{scheme}{authority}{}", path.trim_end_matches('/')))
}

/// The lower-cased scheme prefix and what follows it.
fn split_scheme(entry: &str) -> Option<(&'static str, &str)> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        let head = entry.get(..scheme.len())?;
        if head.eq_ignore_ascii_case(scheme) {
            Some((scheme, entry.get(scheme.len()..)?))
        } else {
            None
        }
    })
}

/// Checks `host[:port]` or `[ipv6][:port]`.
fn validate_authority(authority: &str) -> std::result::Result<(), &'static str> {
    let (host_ok, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (ip, after) = bracketed.split_once(']').ok_or("has an unclosed '[' in its host")?;
        let ip_ok = !ip.is_empty() && ip.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("has text after its IPv6 address")?),
        };
        (ip_ok, port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty() && host.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.' || c == '_');
        (host_ok, port)
    };
    if !host_ok {
        return Err("has no valid host");
    }
    if let Some(port) = port {
        let valid = port.len() <= 5
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p != 0);
        if !valid {
            return Err("has an invalid port");
        }
    }
    Ok(())
}

/// A blocking, thread-safe cache of the cores' JWKS, shared through `Arc`.
///
/// Mirrors jose's remote key set as used by supertokens-node, with one deliberate difference:
/// when the cached set is older than the refresh interval but still holds the kid asked for,
/// the key is returned at once and the set is refreshed on a background thread, so verifying
/// a token whose kid is cached never waits on the network.
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("urls", &self.inner.urls)
            .field("refresh_interval_ms", &self.inner.refresh_interval_ms)
            .field("cooldown_ms", &self.inner.cooldown_ms)
            .field("cached_keys", &self.inner.current.load().keys.keys().len())
            .field("fetch_count", &self.fetch_count())
            .finish_non_exhaustive()
    }
}

impl RemoteJwks {
    /// A cache for the cores in `config`. Nothing is fetched until a key is asked for, so an
    /// unreachable core does not fail initialisation.
    pub fn new(config: RemoteJwksConfig) -> RemoteJwks {
        let agent = ureq::AgentBuilder::new()
            .timeout(config.timeout)
            // jose does not follow redirects: anything but a 200 is a failure of that host.
            .redirects(0)
            // Fetches are hours apart; a pooled socket would only ever be a stale one.
            .max_idle_connections(0)
            .build();
        RemoteJwks {
            inner: Arc::new(Inner {
                urls: config.hosts.iter().map(|h| RemoteJwks::jwks_url(h)).collect(),
                refresh_interval_ms: config.refresh_interval_ms,
                cooldown_ms: config.cooldown_ms,
                agent,
                current: ArcSwap::from_pointee(Snapshot { keys: Arc::new(KeySet::default()), fetched: None }),
                state: Mutex::new(FetchState {
                    in_flight: false,
                    generation: 0,
                    last_attempt: None,
                    last_outcome: Ok(()),
                }),
                fetch_done: Condvar::new(),
                fetch_count: AtomicU64::new(0),
            }),
        }
    }

    /// The JWKS URL of a core host: the host with trailing `/` removed (a base path is kept)
    /// followed by `/.well-known/jwks.json`.
    pub fn jwks_url(host: &str) -> String {
        format!("{}{JWKS_PATH}", host.trim().trim_end_matches('/'))
    }

    /// The key set currently cached (empty before the first successful fetch). Never does I/O
    /// and never waits for a fetch in progress.
    pub fn cached(&self) -> Arc<KeySet> {
        Arc::clone(&self.inner.current.load().keys)
    }

    /// The key with this kid.
    ///
    /// A cached kid is answered without I/O, even from a set older than the refresh interval
    /// (which then starts one background refresh). An unknown kid causes a fetch when no set
    /// has been fetched yet, or when the last fetch attempt ended at least `cooldown_ms` ago;
    /// concurrent callers share one fetch. `now_ms` is the current time in ms since the epoch;
    /// ages are measured by it and by the monotonic clock, whichever says more.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` when no core answered with a usable JWKS (the message names the
    /// last failure), or when the kid is not in the set ("no matching key").
    pub fn key_for(&self, kid: &str, now_ms: u64) -> Result<Arc<PublicKey>> {
        let hit = {
            let snapshot = self.inner.current.load();
            snapshot.keys.get(kid).map(|key| (Arc::clone(key), snapshot.is_stale(now_ms, &self.inner)))
        };
        if let Some((key, stale)) = hit {
            if stale {
                self.inner.refresh_in_background(now_ms);
            }
            return Ok(key);
        }
        let keys = self.inner.fetch_blocking(now_ms, Wanted::Kid(kid))?;
        keys.get(kid).cloned().ok_or_else(|| no_matching_key(kid))
    }

    /// Every cached key, for legacy v2 tokens that carry no kid.
    ///
    /// Returns the cached set when it is non-empty and younger than the refresh interval;
    /// otherwise fetches under the same rules as [`RemoteJwks::key_for`], falling back to the
    /// stale set when that fetch fails or is not allowed yet.
    ///
    /// # Errors
    /// `TRY_REFRESH_TOKEN` when no key set could be fetched and none is cached, or the set has
    /// no usable key.
    pub fn all_keys(&self, now_ms: u64) -> Result<Arc<KeySet>> {
        match self.inner.fetch_blocking(now_ms, Wanted::All) {
            Ok(keys) if !keys.is_empty() => Ok(keys),
            Ok(_) => Err(Error::try_refresh("the JWKS of the SuperTokens core has no usable RS256 key")),
            Err(e) => {
                let stale = self.cached();
                if stale.is_empty() {
                    Err(e)
                } else {
                    Ok(stale)
                }
            }
        }
    }

    /// How many HTTP requests this cache has made, counting each host tried.
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetch_count.load(Ordering::Relaxed)
    }
}

fn no_matching_key(kid: &str) -> Error {
    // The kid comes from the token: bound what reaches the logs.
    let shown: String = kid.chars().take(64).collect();
    Error::try_refresh(format!("no matching key in the JWKS for kid {shown:?}"))
}

/// What a caller needs from the key set.
#[derive(Clone, Copy)]
enum Wanted<'a> {
    Kid(&'a str),
    All,
}

/// A point in time on both clocks: the caller's (`now_ms`, which tests control) and the
/// monotonic one, which keeps the cache sane if the wall clock jumps backwards.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    ms: u64,
    at: Instant,
}

impl Stamp {
    fn at_completion(started_ms: u64, started_at: Instant) -> Stamp {
        Stamp { ms: started_ms.saturating_add(millis(started_at.elapsed())), at: Instant::now() }
    }

    /// Time since this stamp by whichever clock says more.
    fn age_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.ms).max(millis(self.at.elapsed()))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The published key set and when it was fetched (`None` before the first success).
struct Snapshot {
    keys: Arc<KeySet>,
    fetched: Option<Stamp>,
}

impl Snapshot {
    fn is_stale(&self, now_ms: u64, inner: &Inner) -> bool {
        match self.fetched {
            Some(stamp) => stamp.age_ms(now_ms) >= inner.refresh_interval_ms,
            None => true,
        }
    }
}

struct FetchState {
    in_flight: bool,
    /// Completed fetch attempts, so that waiters notice a completion even if another fetch
    /// has started before they wake.
    generation: u64,
    last_attempt: Option<Stamp>,
    last_outcome: Result<()>,
}

struct Inner {
    urls: Vec<String>,
    refresh_interval_ms: u64,
    cooldown_ms: u64,
    agent: ureq::Agent,
    current: ArcSwap<Snapshot>,
    state: Mutex<FetchState>,
    fetch_done: Condvar,
    fetch_count: AtomicU64,
}

impl Inner {
    fn lock_state(&self) -> MutexGuard<'_, FetchState> {
        // The state is consistent at every unlock, so a panic elsewhere does not taint it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn cooling_down(&self, state: &FetchState, now_ms: u64) -> bool {
        state.last_attempt.is_some_and(|stamp| stamp.age_ms(now_ms) < self.cooldown_ms)
    }

    /// The current set once it satisfies `wanted`, fetching (or joining the fetch in flight)
    /// when the rules allow; the current set as it is when they do not.
    fn fetch_blocking(self: &Arc<Self>, now_ms: u64, wanted: Wanted<'_>) -> Result<Arc<KeySet>> {
        let mut state = self.lock_state();
        let snapshot = self.current.load_full();
        let satisfied = match wanted {
            Wanted::Kid(kid) => snapshot.keys.contains(kid),
            Wanted::All => !snapshot.keys.is_empty() && !snapshot.is_stale(now_ms, self),
        };
        if satisfied {
            return Ok(Arc::clone(&snapshot.keys));
        }
        if state.in_flight {
            let seen = state.generation;
            while state.in_flight && state.generation == seen {
                state = self.fetch_done.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            let outcome = state.last_outcome.clone();
            drop(state);
            return outcome.map(|()| Arc::clone(&self.current.load().keys));
        }
        // jose always fetches while it has no set; the cooldown only limits refetches.
        if snapshot.fetched.is_some() && self.cooling_down(&state, now_ms) {
            return Ok(Arc::clone(&snapshot.keys));
        }
        state.in_flight = true;
        drop(state);
        InFlight::start(Arc::clone(self), now_ms).run()?;
        Ok(Arc::clone(&self.current.load().keys))
    }

    /// Starts a refresh on its own thread unless one is in flight or the cooldown forbids it
    /// (a core that keeps failing must not get a new thread per request).
    fn refresh_in_background(self: &Arc<Self>, now_ms: u64) {
        let mut state = match self.state.try_lock() {
            Ok(state) => state,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            // Someone is updating the state right now; a later hit will try again.
            Err(TryLockError::WouldBlock) => return,
        };
        if state.in_flight || self.cooling_down(&state, now_ms) {
            return;
        }
        state.in_flight = true;
        drop(state);
        let fetch = InFlight::start(Arc::clone(self), now_ms);
        // If the thread cannot be spawned the closure is dropped, and with it `fetch`, whose
        // Drop clears the in-flight mark.
        let spawned = thread::Builder::new().name("tessera-jwks-refresh".to_owned()).spawn(move || {
            // A failure is recorded as the last outcome; nobody waits on this thread.
            let _ = fetch.run();
        });
        drop(spawned);
    }

    /// Tries each host in order; the first usable JWKS wins.
    fn fetch_from_hosts(&self) -> Result<KeySet> {
        let mut last_failure = String::from("no SuperTokens core is configured in connectionURI");
        for url in &self.urls {
            self.fetch_count.fetch_add(1, Ordering::Relaxed);
            match self.fetch_one(url) {
                Ok(keys) => return Ok(keys),
                Err(why) => last_failure = format!("{url}: {why}"),
            }
        }
        Err(Error::try_refresh(format!(
            "could not fetch the JWKS from any SuperTokens core; last failure: {last_failure}"
        )))
    }

    fn fetch_one(&self, url: &str) -> std::result::Result<KeySet, String> {
        let response = match self.agent.get(url).call() {
            Ok(response) => response,
            Err(ureq::Error::Status(code, _)) => return Err(format!("HTTP status {code}, expected 200")),
            Err(ureq::Error::Transport(transport)) => return Err(transport.to_string()),
        };
        if response.status() != 200 {
            return Err(format!("HTTP status {}, expected 200", response.status()));
        }
        let limit = u64::try_from(MAX_JWKS_BYTES).unwrap_or(u64::MAX);
        let declared = response.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit) {
            return Err(format!("the body is over {MAX_JWKS_BYTES} bytes"));
        }
        let mut body = Vec::new();
        response
            .into_reader()
            // One byte over the limit is enough to know the body is too large.
            .take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the body failed: {e}"))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(format!("the body is over {MAX_JWKS_BYTES} bytes"));
        }
        KeySet::from_jwks_json(&body).map_err(|e| e.message().to_owned())
    }

    /// Records the end of a fetch attempt: a new set replaces the old one only on success.
    fn finish_fetch(&self, result: Result<KeySet>, started_ms: u64, started_at: Instant) -> Result<()> {
        let stamp = Stamp::at_completion(started_ms, started_at);
        let outcome = result.map(|keys| {
            self.current.store(Arc::new(Snapshot { keys: Arc::new(keys), fetched: Some(stamp) }));
        });
        let mut state = self.lock_state();
        state.in_flight = false;
        state.generation = state.generation.wrapping_add(1);
        state.last_attempt = Some(stamp);
        state.last_outcome = outcome.clone();
        drop(state);
        self.fetch_done.notify_all();
        outcome
    }
}

/// The fetch a thread has claimed by setting `in_flight`. Dropping it unfinished (a panic, a
/// thread that could not be spawned) still clears the mark, so waiters never hang.
struct InFlight {
    inner: Arc<Inner>,
    started_ms: u64,
    started_at: Instant,
    finished: bool,
}

impl InFlight {
    fn start(inner: Arc<Inner>, started_ms: u64) -> InFlight {
        InFlight { inner, started_ms, started_at: Instant::now(), finished: false }
    }

    fn run(mut self) -> Result<()> {
        let result = self.inner.fetch_from_hosts();
        self.finished = true;
        self.inner.finish_fetch(result, self.started_ms, self.started_at)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.finished {
            let abandoned = Err(Error::try_refresh("the JWKS fetch was abandoned before it completed"));
            let _ = self.inner.finish_fetch(abandoned, self.started_ms, self.started_at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::keys::SigningKey;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::AtomicUsize;
    use std::sync::{Barrier, OnceLock};

    const T0: u64 = 1_700_000_000_000;
    const COOLDOWN: u64 = 60_000;
    const INTERVAL: u64 = 3_600_000;

    fn signing_keys() -> &'static [SigningKey] {
        static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
        KEYS.get_or_init(|| {
            ["d-1", "d-2", "s-3"].iter().map(|kid| SigningKey::generate((*kid).to_owned(), 0).unwrap()).collect()
        })
    }

    fn doc(which: &[usize]) -> Vec<u8> {
        let keys = which.iter().map(|i| signing_keys()[*i].public_key().clone()).collect();
        serde_json::to_vec(&KeySet::new(keys).to_jwks_json()).unwrap()
    }

    fn config(hosts: Vec<String>) -> RemoteJwksConfig {
        RemoteJwksConfig {
            hosts,
            refresh_interval_ms: INTERVAL,
            cooldown_ms: COOLDOWN,
            timeout: Duration::from_secs(10),
        }
    }

    /// Blocks a response until opened (or 30 s pass).
    #[derive(Default)]
    struct Gate {
        open: Mutex<bool>,
        cv: Condvar,
    }

    impl Gate {
        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.cv.notify_all();
        }

        fn wait(&self) {
            let guard = self.open.lock().unwrap();
            let _ = self.cv.wait_timeout_while(guard, Duration::from_secs(30), |open| !*open).unwrap();
        }
    }

    #[derive(Clone)]
    enum Reply {
        Json(Vec<u8>),
        Status(u16),
        /// A whole raw HTTP response, written as is, then the connection is closed.
        Raw(Vec<u8>),
        /// Reads the request and never answers (for 10 s).
        Hang,
        Gated(Vec<u8>, Arc<Gate>),
    }

    struct Server {
        base: String,
        hits: Arc<AtomicUsize>,
        heads: Arc<Mutex<Vec<String>>>,
        reply: Arc<Mutex<Reply>>,
    }

    impl Server {
        fn start(reply: Reply) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let server =
                Server { base, hits: Arc::default(), heads: Arc::default(), reply: Arc::new(Mutex::new(reply)) };
            let (hits, heads, reply) = (Arc::clone(&server.hits), Arc::clone(&server.heads), Arc::clone(&server.reply));
            thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (hits, heads, reply) = (Arc::clone(&hits), Arc::clone(&heads), Arc::clone(&reply));
                    thread::spawn(move || serve(stream, &hits, &heads, &reply));
                }
            });
            server
        }

        fn set(&self, reply: Reply) {
            *self.reply.lock().unwrap() = reply;
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }
    }

    fn serve(mut stream: TcpStream, hits: &AtomicUsize, heads: &Mutex<Vec<String>>, reply: &Mutex<Reply>) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let mut head = Vec::new();
        let mut chunk = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&chunk[..n]),
            }
        }
        heads.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
        hits.fetch_add(1, Ordering::SeqCst);
        let reply = reply.lock().unwrap().clone();
        let respond = |stream: &mut TcpStream, status: u16, body: &[u8]| {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        };
        match reply {
            Reply::Json(body) => respond(&mut stream, 200, &body),
            Reply::Status(status) => respond(&mut stream, status, b"{\"message\":\"nope\"}"),
            Reply::Raw(raw) => {
                let _ = stream.write_all(&raw);
            }
            Reply::Hang => thread::sleep(Duration::from_secs(10)),
            Reply::Gated(body, gate) => {
                gate.wait();
                respond(&mut stream, 200, &body);
            }
        }
    }

    /// A URL on which nothing listens.
    fn closed_port() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        base
    }

    fn wait_until(what: &str, cond: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn assert_try_refresh<T: fmt::Debug>(result: Result<T>, needle: &str) {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TryRefreshToken, "{err}");
        assert!(err.message().contains(needle), "{err} should mention {needle:?}");
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<RemoteJwks>();
    }

    #[test]
    fn jwks_url_keeps_base_path() {
        assert_eq!(RemoteJwks::jwks_url("http://a:3567"), "http://a:3567/.well-known/jwks.json");
        assert_eq!(RemoteJwks::jwks_url("http://a:3567/"), "http://a:3567/.well-known/jwks.json");
        assert_eq!(RemoteJwks::jwks_url("https://a/base//"), "https://a/base/.well-known/jwks.json");
    }

    #[test]
    fn construction_does_no_io() {
        let jwks = RemoteJwks::new(config(vec![closed_port()]));
        assert_eq!(jwks.fetch_count(), 0);
        assert!(jwks.cached().is_empty());
        let defaults = RemoteJwksConfig::default();
        assert_eq!(defaults.refresh_interval_ms, 14_400_000);
        assert_eq!(defaults.cooldown_ms, 500);
        assert_eq!(defaults.timeout, Duration::from_secs(5));
    }

    #[test]
    fn fetches_once_and_reuses_the_cache() {
        let server = Server::start(Reply::Json(doc(&[0, 1])));
        let jwks = RemoteJwks::new(config(vec![format!("{}/base/", server.base)]));
        let key = jwks.key_for("d-1", T0).unwrap();
        let sig = signing_keys()[0].sign_rs256(b"msg").unwrap();
        assert!(key.verify_rs256(b"msg", &sig));
        assert_eq!(server.hits(), 1);
        assert!(jwks.key_for("d-2", T0 + 1_000).is_ok());
        assert!(jwks.key_for("d-1", T0 + INTERVAL - 1_000).is_ok());
        assert_eq!(server.hits(), 1);
        assert_eq!(jwks.fetch_count(), 1);
        assert_eq!(jwks.cached().keys().len(), 2);

        let heads = server.heads.lock().unwrap();
        assert!(heads[0].starts_with("GET /base/.well-known/jwks.json HTTP/1.1\r\n"), "{}", heads[0]);
        let lower = heads[0].to_ascii_lowercase();
        assert!(!lower.contains("api-key") && !lower.contains("authorization") && !lower.contains("rid:"));
    }

    #[test]
    fn unknown_kid_refetches_once_per_cooldown() {
        let server = Server::start(Reply::Json(doc(&[0])));
        let jwks = RemoteJwks::new(config(vec![server.base.clone()]));
        // Nothing cached: the unknown kid fetches, and a second one right after does not.
        assert_try_refresh(jwks.key_for("nope", T0), "no matching key");
        assert_eq!(server.hits(), 1);
        assert_try_refresh(jwks.key_for("nope-2", T0 + 10), "no matching key");
        assert_eq!(server.hits(), 1);
        assert!(jwks.key_for("d-1", T0 + 20).is_ok());
        assert_eq!(server.hits(), 1);

        // After the cooldown an unknown kid refetches once; the next one within it does not,
        // even though the core now has it.
        let t1 = T0 + 2 * COOLDOWN;
        assert_try_refresh(jwks.key_for("nope", t1), "no matching key");
        assert_eq!(server.hits(), 2);
        server.set(Reply::Json(doc(&[0, 1])));
        assert_try_refresh(jwks.key_for("d-2", t1 + 10), "no matching key");
        assert_eq!(server.hits(), 2);

        let t2 = t1 + 2 * COOLDOWN;
        assert!(jwks.key_for("d-2", t2).is_ok());
        assert_eq!(server.hits(), 3);
        assert_eq!(jwks.fetch_count(), 3);
    }

    #[test]
    fn stale_cache_answers_at_once_and_refreshes_in_the_background() {
        let server = Server::start(Reply::Json(doc(&[0])));
        let jwks = RemoteJwks::new(config(vec![server.base.clone()]));
        assert!(jwks.key_for("d-1", T0).is_ok());
        let gate = Arc::new(Gate::default());
        server.set(Reply::Gated(doc(&[0, 1]), Arc::clone(&gate)));

        let stale = T0 + INTERVAL + 2 * COOLDOWN;
        let started = Instant::now();
        assert!(jwks.key_for("d-1", stale).is_ok());
        assert!(jwks.key_for("d-1", stale + 1).is_ok());
        assert!(started.elapsed() < Duration::from_secs(10), "a cached kid waited on the network");
        wait_until("the background request", || server.hits() == 2);
        assert!(!jwks.cached().contains("d-2"));
        gate.open();
        wait_until("the background refresh", || jwks.cached().contains("d-2"));
        assert!(jwks.key_for("d-2", stale + 2).is_ok());
        assert_eq!(server.hits(), 2);
        assert_eq!(jwks.fetch_count(), 2);
    }

    #[test]
    fn failing_background_refresh_keeps_the_set_and_respects_the_cooldown() {
        let server = Server::start(Reply::Json(doc(&[0])));
        let jwks = RemoteJwks::new(config(vec![server.base.clone()]));
        assert!(jwks.key_for("d-1", T0).is_ok());
        server.set(Reply::Status(500));
        let stale = T0 + INTERVAL + 2 * COOLDOWN;
        assert!(jwks.key_for("d-1", stale).is_ok());
        wait_until("the background attempt", || jwks.inner.lock_state().generation == 2);
        for i in 0..5 {
            assert!(jwks.key_for("d-1", stale + i).is_ok());
        }
        thread::sleep(Duration::from_millis(100));
        assert_eq!(server.hits(), 2);
        assert!(jwks.cached().contains("d-1"));
        // The set is still stale, so all_keys falls back to it while the cooldown holds.
        assert_eq!(jwks.all_keys(stale + 10).unwrap().keys().len(), 1);
        assert_eq!(server.hits(), 2);
    }

    #[test]
    fn stale_set_without_the_kid_refetches_in_the_foreground() {
        let server = Server::start(Reply::Json(doc(&[0])));
        let jwks = RemoteJwks::new(config(vec![server.base.clone()]));
        assert!(jwks.key_for("d-1", T0).is_ok());
        server.set(Reply::Json(doc(&[1])));
        assert!(jwks.key_for("d-2", T0 + INTERVAL + 2 * COOLDOWN).is_ok());
        assert_eq!(server.hits(), 2);
        assert!(!jwks.cached().contains("d-1"));
    }

    #[test]
    fn failed_refetch_keeps_the_old_set() {
        let server = Server::start(Reply::Json(doc(&[0])));
        let jwks = RemoteJwks::new(config(vec![server.base.clone()]));
        assert!(jwks.key_for("d-1", T0).is_ok());
        server.set(Reply::Status(503));
        assert_try_refresh(jwks.key_for("d-2", T0 + 2 * COOLDOWN), "HTTP status 503");
        assert!(jwks.cached().contains("d-1"));
        assert!(jwks.key_for("d-1", T0 + 2 * COOLDOWN).is_ok());
        assert_eq!(server.hits(), 2);
    }

    #[test]
    fn falls_through_a_host_that_is_down() {
        let server = Server::start(Reply::Json(doc(&[0])));
        let jwks = RemoteJwks::new(config(vec![closed_port(), server.base.clone()]));
        assert!(jwks.key_for("d-1", T0).is_ok());
        assert_eq!(jwks.fetch_count(), 2);
        assert_eq!(server.hits(), 1);
    }

    #[test]
    fn falls_through_error_statuses_and_redirects() {
        let good = Server::start(Reply::Json(doc(&[0])));
        let location = format!("{}/.well-known/jwks.json", good.base);
        let redirect = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
        for reply in [Reply::Status(500), Reply::Status(404), Reply::Status(204), Reply::Raw(redirect.into_bytes())] {
            let bad = Server::start(reply);
            let before = good.hits();
            let jwks = RemoteJwks::new(config(vec![bad.base.clone(), good.base.clone()]));
            assert!(jwks.key_for("d-1", T0).is_ok());
            assert_eq!(jwks.fetch_count(), 2);
            assert_eq!(bad.hits(), 1);
            assert_eq!(good.hits(), before + 1);
        }
    }

    #[test]
    fn all_hosts_failing_is_try_refresh() {
        let a = Server::start(Reply::Status(500));
        let b = Server::start(Reply::Json(b"nope".to_vec()));
        let hosts = vec![closed_port(), a.base.clone(), b.base.clone()];
        let jwks = RemoteJwks::new(config(hosts));
        assert_try_refresh(jwks.key_for("d-1", T0), &b.base);
        assert_eq!(jwks.fetch_count(), 3);
        assert!(jwks.cached().is_empty());
        // With nothing cached every call tries again, as jose does.
        assert_try_refresh(jwks.all_keys(T0 + 1), "not JSON");
        assert_eq!(jwks.fetch_count(), 6);

        let none = RemoteJwks::new(config(Vec::new()));
        assert_try_refresh(none.key_for("d-1", T0), "no SuperTokens core");
    }

    #[test]
    fn malformed_and_oversized_bodies_fall_through_without_panicking() {
        let good = Server::start(Reply::Json(doc(&[0])));
        let huge = vec![b' '; MAX_JWKS_BYTES + 10];
        let mut unsized_huge = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"keys\":[".to_vec();
        unsized_huge.resize(2 * MAX_JWKS_BYTES, b' ');
        let bodies = [
            (Reply::Json(b"nope".to_vec()), "not JSON"),
            (Reply::Json(b"[]".to_vec()), "no \"keys\" array"),
            (Reply::Json(b"null".to_vec()), "no \"keys\" array"),
            (Reply::Json(b"{\"keys\":{}}".to_vec()), "no \"keys\" array"),
            (Reply::Json(b"{\"keys\":[1,".to_vec()), "not JSON"),
            (Reply::Json(Vec::new()), "not JSON"),
            (Reply::Json(huge), "over"),
            (Reply::Raw(unsized_huge), "over"),
            (Reply::Raw(b"garbage\r\n\r\n".to_vec()), "127.0.0.1"),
        ];
        for (reply, needle) in bodies {
            let bad = Server::start(reply);
            let alone = RemoteJwks::new(config(vec![bad.base.clone()]));
            assert_try_refresh(alone.key_for("d-1", T0), needle);
            let both = RemoteJwks::new(config(vec![bad.base.clone(), good.base.clone()]));
            assert!(both.key_for("d-1", T0).is_ok());
            assert_eq!(both.fetch_count(), 2);
        }

        // A document of exactly the limit is still read.
        let mut padded = doc(&[0]);
        padded.resize(MAX_JWKS_BYTES, b' ');
        let exact = Server::start(Reply::Json(padded));
        let jwks = RemoteJwks::new(config(vec![exact.base.clone()]));
        assert!(jwks.key_for("d-1", T0).is_ok());
    }

    #[test]
    fn a_host_that_never_answers_times_out() {
        let hang = Server::start(Reply::Hang);
        let good = Server::start(Reply::Json(doc(&[0])));
        let mut cfg = config(vec![hang.base.clone(), good.base.clone()]);
        cfg.timeout = Duration::from_millis(300);
        let jwks = RemoteJwks::new(cfg);
        let started = Instant::now();
        assert!(jwks.key_for("d-1", T0).is_ok());
        assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
        assert_eq!(hang.hits(), 1);
        assert_eq!(good.hits(), 1);
    }

    fn sixteen_at_once(jwks: &Arc<RemoteJwks>, kid: &'static str, now_ms: u64) -> Vec<Result<Arc<PublicKey>>> {
        let barrier = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (jwks, barrier) = (Arc::clone(jwks), Arc::clone(&barrier));
                thread::spawn(move || {
                    barrier.wait();
                    jwks.key_for(kid, now_ms)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    #[test]
    fn concurrent_unknown_kids_share_one_request() {
        let gate = Arc::new(Gate::default());
        let server = Server::start(Reply::Gated(doc(&[0]), Arc::clone(&gate)));
        let jwks = Arc::new(RemoteJwks::new(config(vec![server.base.clone()])));
        let opener = {
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(200));
                gate.open();
            })
        };
        let results = sixteen_at_once(&jwks, "unknown", T0);
        opener.join().unwrap();
        for result in results {
            assert_try_refresh(result, "no matching key");
        }
        assert_eq!(server.hits(), 1);
        assert_eq!(jwks.fetch_count(), 1);

        // Same with a cached set once the cooldown has passed.
        server.set(Reply::Json(doc(&[0, 1])));
        for result in sixteen_at_once(&jwks, "d-2", T0 + 2 * COOLDOWN) {
            assert!(result.is_ok());
        }
        assert_eq!(server.hits(), 2);
    }

    #[test]
    fn all_keys_rules() {
        let server = Server::start(Reply::Json(doc(&[0, 1])));
        let jwks = RemoteJwks::new(config(vec![server.base.clone()]));
        assert_eq!(jwks.all_keys(T0).unwrap().keys().len(), 2);
        assert_eq!(jwks.all_keys(T0 + 1_000).unwrap().keys().len(), 2);
        assert_eq!(server.hits(), 1);

        // Stale: refetched.
        server.set(Reply::Json(doc(&[2])));
        let stale = T0 + INTERVAL + 2 * COOLDOWN;
        assert!(jwks.all_keys(stale).unwrap().contains("s-3"));
        assert_eq!(server.hits(), 2);

        // Stale and the core failing: the stale set.
        server.set(Reply::Status(500));
        let later = stale + INTERVAL + 2 * COOLDOWN;
        assert!(jwks.all_keys(later).unwrap().contains("s-3"));
        assert_eq!(server.hits(), 3);

        // An empty set is not a usable answer.
        let empty = Server::start(Reply::Json(b"{\"keys\":[]}".to_vec()));
        let jwks = RemoteJwks::new(config(vec![empty.base.clone()]));
        assert_try_refresh(jwks.all_keys(T0), "no usable");
        assert_try_refresh(jwks.key_for("d-1", T0 + 1), "no matching key");
        assert_eq!(empty.hits(), 1);
    }

    #[test]
    fn connection_uri_parsing() {
        let ok = |uri: &str| parse_connection_uri(uri).unwrap();
        assert_eq!(ok("http://localhost:3567"), ["http://localhost:3567"]);
        assert_eq!(
            ok(" https://a.example.com/base/ ;; HTTP://b_1:80 ;"),
            ["https://a.example.com/base", "http://b_1:80"]
        );
        assert_eq!(ok("http://[::1]:3567/"), ["http://[::1]:3567"]);
        assert_eq!(ok("https://[::1]"), ["https://[::1]"]);
        for bad in [
            "",
            " ; ;",
            "ftp://x",
            "localhost:3567",
            "http:/x",
            "http://",
            "http://:3567",
            "http:///path",
            "http://host:",
            "http://host:abc",
            "http://host:70000",
            "http://host:0",
            "http://user:pass@host",
            "http://host/?q=1",
            "http://host/#x",
            "http://ho st",
            "http://[::1",
            "http://[::1]x",
            "http://[]",
            "http://good; file:///etc",
            "httpé://x",
            "ht\u{e9}tps://x",
        ] {
            let err = parse_connection_uri(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad:?}");
            assert!(err.message().contains("connectionURI"), "{bad:?}: {err}");
        }
        assert!(!parse_connection_uri("http://user:secret@host").unwrap_err().message().contains("secret"));
    }
}
