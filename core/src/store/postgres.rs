//! A [`Store`] on PostgreSQL: the store for several app servers, in any of the bindings'
//! languages, sharing sessions and signing keys behind a load balancer.
//!
//! Concurrency is the database's job, not the process's:
//! - [`Store::update_session`] reads the row with `SELECT ... FOR UPDATE` and writes the
//!   verdict in the same transaction, so two servers refreshing one session at once are
//!   serialised by the row lock: the second sees the first's rotation and decides on it.
//! - Dynamic-key rotation takes a transaction-scoped advisory lock before its
//!   "is there a newer key?" check, so however many servers rotate at once exactly one key is
//!   added; the static key and named secrets rely on unique constraints (`ON CONFLICT DO
//!   NOTHING`) so the first writer wins and everyone reads the winner.
//! - The schema is created and migrated under an advisory lock, so servers starting together
//!   on an empty database create it once.
//!
//! Connections come from a small pool. A connection that failed at the connection level
//! (server restarted, network gone) is dropped, together with every idle one, since they
//! most likely point at the same dead server; the next call connects afresh, so the store
//! recovers when the database comes back without restarting the process. Every failure is a
//! `STORAGE` error, which the request protocol answers with a bare 500.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use ::postgres::error::{DbError, SqlState};
use ::postgres::types::ToSql;
use ::postgres::{Client, GenericClient, NoTls, Row, Statement};

use super::columns::{json_map, lock, to_i64, to_u64, SessionValues};
use super::{KeyKind, SessionRow, SessionUpdate, Store, StoredKey};
use crate::error::{Error, Result};

/// Connections per store (per process) unless the URI says `pool_size=N`.
pub const DEFAULT_POOL_SIZE: usize = 10;

/// The upper bound of `pool_size`: PostgreSQL's own default `max_connections` is 100, shared
/// by every server of a deployment.
pub const MAX_POOL_SIZE: usize = 100;

/// How long connecting may take unless the URI has `connect_timeout` (seconds, as libpq).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one statement, lock waits included, may run unless the URI has
/// `statement_timeout` (milliseconds, as PostgreSQL's setting).
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A pooled connection idle for longer than this is checked with an empty query before use:
/// after a quiet spell the server may have restarted or the network dropped it, and a failed
/// check costs nothing but a reconnect, while a failed real statement fails the request.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(2);

/// The schema version this code writes and understands.
const SCHEMA_VERSION: i32 = 1;

/// Advisory lock keys: arbitrary, fixed, and spelling "tessera" so a DBA can tell them apart.
const MIGRATION_LOCK: i64 = 0x7465_7373_6572_6101;
const DYNAMIC_KEY_LOCK: i64 = 0x7465_7373_6572_6102;

/// Migrations by target version: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
/// `COLLATE "C"` makes ordering by handle and kid bytewise, as SQLite orders them, whatever
/// the database's locale.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE tessera_sessions (
        handle                   TEXT COLLATE \"C\" NOT NULL PRIMARY KEY,
        user_id                  TEXT    NOT NULL,
        recipe_user_id           TEXT    NOT NULL,
        tenant_id                TEXT    NOT NULL,
        session_data             TEXT    NOT NULL,
        access_token_payload     TEXT    NOT NULL,
        refresh_token_hash2      TEXT    NOT NULL,
        prev_refresh_token_hash2 TEXT,
        rotated_at_ms            BIGINT,
        created_at_ms            BIGINT  NOT NULL,
        expires_at_ms            BIGINT  NOT NULL,
        use_static_key           BOOLEAN NOT NULL
    );
    CREATE INDEX tessera_sessions_by_user ON tessera_sessions (user_id, tenant_id);
    CREATE INDEX tessera_sessions_by_recipe_user ON tessera_sessions (recipe_user_id, tenant_id);
    CREATE INDEX tessera_sessions_by_expiry ON tessera_sessions (expires_at_ms);
    CREATE TABLE tessera_signing_keys (
        kid               TEXT COLLATE \"C\" NOT NULL PRIMARY KEY,
        kind              TEXT   NOT NULL CHECK (kind IN ('dynamic', 'static')),
        private_pkcs8_der BYTEA  NOT NULL,
        created_at_ms     BIGINT NOT NULL
    );
    CREATE INDEX tessera_signing_keys_by_kind ON tessera_signing_keys (kind, created_at_ms);
    CREATE UNIQUE INDEX tessera_one_static_key ON tessera_signing_keys (kind) WHERE kind = 'static';
    CREATE TABLE tessera_secrets (
        name  TEXT  NOT NULL PRIMARY KEY,
        value BYTEA NOT NULL
    );
"];

const SELECT_SESSION: &str = "SELECT handle, user_id, recipe_user_id, tenant_id, session_data, \
     access_token_payload, refresh_token_hash2, prev_refresh_token_hash2, rotated_at_ms, \
     created_at_ms, expires_at_ms, use_static_key FROM tessera_sessions WHERE handle = $1";

/// The row lock is what serialises two servers refreshing one session.
const SELECT_SESSION_FOR_UPDATE: &str = "SELECT handle, user_id, recipe_user_id, tenant_id, \
     session_data, access_token_payload, refresh_token_hash2, prev_refresh_token_hash2, \
     rotated_at_ms, created_at_ms, expires_at_ms, use_static_key FROM tessera_sessions \
     WHERE handle = $1 FOR UPDATE";

const DELETE_SESSION: &str = "DELETE FROM tessera_sessions WHERE handle = $1";

const INSERT_KEY: &str = "INSERT INTO tessera_signing_keys (kid, kind, private_pkcs8_der, created_at_ms) \
     VALUES ($1, $2, $3, $4)";

const INSERT_SESSION: &str = "INSERT INTO tessera_sessions (handle, user_id, recipe_user_id, \
     tenant_id, session_data, access_token_payload, refresh_token_hash2, \
     prev_refresh_token_hash2, rotated_at_ms, created_at_ms, expires_at_ms, use_static_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

const UPSERT_SESSION: &str = "INSERT INTO tessera_sessions (handle, user_id, recipe_user_id, \
     tenant_id, session_data, access_token_payload, refresh_token_hash2, \
     prev_refresh_token_hash2, rotated_at_ms, created_at_ms, expires_at_ms, use_static_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (handle) DO UPDATE SET user_id = EXCLUDED.user_id, \
     recipe_user_id = EXCLUDED.recipe_user_id, tenant_id = EXCLUDED.tenant_id, \
     session_data = EXCLUDED.session_data, access_token_payload = EXCLUDED.access_token_payload, \
     refresh_token_hash2 = EXCLUDED.refresh_token_hash2, \
     prev_refresh_token_hash2 = EXCLUDED.prev_refresh_token_hash2, \
     rotated_at_ms = EXCLUDED.rotated_at_ms, created_at_ms = EXCLUDED.created_at_ms, \
     expires_at_ms = EXCLUDED.expires_at_ms, use_static_key = EXCLUDED.use_static_key";

const SELECT_KEYS: &str = "SELECT kid, kind, private_pkcs8_der, created_at_ms \
     FROM tessera_signing_keys ORDER BY created_at_ms, kid";

const SELECT_STATIC_KEY: &str = "SELECT kid, kind, private_pkcs8_der, created_at_ms \
     FROM tessera_signing_keys WHERE kind = 'static' ORDER BY created_at_ms, kid LIMIT 1";

/// What a `postgresql://` connection URI says, checked without connecting. Tessera reads two
/// query parameters of its own and passes the rest to the PostgreSQL client:
/// - `pool_size`: connections this process keeps open at most, 1 to [`MAX_POOL_SIZE`],
///   default [`DEFAULT_POOL_SIZE`];
/// - `statement_timeout`: milliseconds one statement (lock waits included) may take,
///   default [`DEFAULT_STATEMENT_TIMEOUT`];
///
/// and `connect_timeout` (seconds, libpq's) defaults to [`DEFAULT_CONNECT_TIMEOUT`].
/// TLS is not supported: `sslmode` must be `disable` or `prefer` (which then connects
/// without TLS).
#[derive(Clone)]
pub struct PostgresSettings {
    config: ::postgres::Config,
    pool_size: usize,
    statement_timeout: Duration,
}

impl PostgresSettings {
    /// Parses a `postgresql://` or `postgres://` URI.
    ///
    /// # Errors
    /// `INVALID_CONFIG` naming the bad part. Messages never repeat the URI, which may hold a
    /// password.
    pub fn parse(uri: &str) -> Result<PostgresSettings> {
        if !(uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
            return Err(Error::config("connectionURI: a PostgreSQL URI starts with postgresql:// or postgres://"));
        }
        let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut pool_size = DEFAULT_POOL_SIZE;
        let mut statement_timeout = DEFAULT_STATEMENT_TIMEOUT;
        let mut passed_on = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "pool_size" => {
                    pool_size = value.parse().ok().filter(|n| (1..=MAX_POOL_SIZE).contains(n)).ok_or_else(|| {
                        Error::config(format!(
                            "connectionURI: pool_size must be a whole number from 1 to {MAX_POOL_SIZE}, not {value:?}"
                        ))
                    })?;
                }
                "statement_timeout" => {
                    let ms: u64 = value.parse().ok().filter(|ms| *ms > 0).ok_or_else(|| {
                        Error::config(format!(
                            "connectionURI: statement_timeout must be a positive number of milliseconds, not {value:?}"
                        ))
                    })?;
                    statement_timeout = Duration::from_millis(ms);
                }
                _ => passed_on.push(pair),
            }
        }
        let client_uri = if passed_on.is_empty() { base.to_owned() } else { format!("{base}?{}", passed_on.join("&")) };
        let mut config = ::postgres::Config::from_str(&client_uri).map_err(|e| {
            // The client's message is generic; its source names the option at fault.
            let detail = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
            Error::config(format!("connectionURI is not a valid PostgreSQL URI: {detail}"))
        })?;
        if config.get_hosts().is_empty() {
            return Err(Error::config("connectionURI: the PostgreSQL URI has no host"));
        }
        if config.get_ssl_mode() == ::postgres::config::SslMode::Require {
            return Err(Error::config(
                "connectionURI: sslmode=require is not supported by this version; use a local or tunnelled connection",
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("tessera");
        }
        // A server that vanished without closing the socket (power loss, partition) is
        // noticed by the kernel instead of after the OS's default of hours.
        config.tcp_user_timeout(statement_timeout);
        config.keepalives_idle(Duration::from_secs(30));
        config.keepalives_interval(Duration::from_secs(5));
        config.keepalives_retries(3);
        Ok(PostgresSettings { config, pool_size, statement_timeout })
    }

    /// Connections this process keeps at most.
    pub fn pool_size(&self) -> usize {
        self.pool_size
    }

    /// The statement timeout set on every connection.
    pub fn statement_timeout(&self) -> Duration {
        self.statement_timeout
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.config.get_connect_timeout().copied().unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }
}

impl std::fmt::Debug for PostgresSettings {
    // By hand: the derived form would print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSettings")
            .field("hosts", &self.config.get_hosts())
            .field("ports", &self.config.get_ports())
            .field("dbname", &self.config.get_dbname())
            .field("user", &self.config.get_user())
            .field("pool_size", &self.pool_size)
            .field("statement_timeout", &self.statement_timeout)
            .finish_non_exhaustive()
    }
}

/// A session store on PostgreSQL.
///
/// Share it in an `Arc` between threads; run as many processes on one database as needed.
/// Behaviour the [`Store`] trait leaves open is the same as [`super::SqliteStore`]'s:
/// - [`Store::update_session`] on a handle with no row whose `decide` answers
///   [`SessionUpdate::Replace`] inserts that row; a replacement with another handle is
///   refused with `INVALID_INPUT`.
/// - `decide` runs while the session's row is locked, so it must be quick and must not call
///   back into the store for the same session.
/// - Timestamps above `i64::MAX` are refused with `INVALID_INPUT`, as is a key of the wrong
///   [`KeyKind`] given to the dynamic or static key methods.
pub struct PostgresStore {
    settings: PostgresSettings,
    pool: Mutex<PoolState>,
    returned: Condvar,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<Idle>,
    /// Connections open now, idle or lent out.
    open: usize,
}

struct Idle {
    conn: Conn,
    since: Instant,
}

/// A connection and the statements prepared on it: preparing costs a round trip, and every
/// operation uses the same few statements.
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    fn stmt(&mut self, sql: &'static str) -> Result<Statement, ::postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database of a `postgresql://` URI (see [`PostgresSettings`]) and
    /// brings its schema up to date.
    ///
    /// # Errors
    /// `INVALID_CONFIG` for a bad URI; `STORAGE` if the database cannot be reached within the
    /// connect timeout, or its schema is newer than this version of Tessera understands.
    pub fn open(uri: &str) -> Result<PostgresStore> {
        PostgresStore::with_settings(PostgresSettings::parse(uri)?)
    }

    /// [`PostgresStore::open`] with settings already parsed.
    ///
    /// # Errors
    /// As [`PostgresStore::open`], less the URI check.
    pub fn with_settings(settings: PostgresSettings) -> Result<PostgresStore> {
        let store = PostgresStore { settings, pool: Mutex::new(PoolState::default()), returned: Condvar::new() };
        store.with_client(migrate)?;
        Ok(store)
    }

    /// The settings this store runs with.
    pub fn settings(&self) -> &PostgresSettings {
        &self.settings
    }

    fn connect(&self) -> Result<Conn> {
        let mut client = self
            .settings
            .config
            .connect(NoTls)
            .map_err(|e| Error::storage(format!("cannot connect to PostgreSQL: {e}")))?;
        client
            .batch_execute(&format!("SET statement_timeout = {}", self.settings.statement_timeout.as_millis()))
            .map_err(|e| Error::storage(format!("cannot set up a PostgreSQL connection: {e}")))?;
        Ok(Conn { client, statements: HashMap::new() })
    }

    /// Borrows a connection: an idle one that still works, else a new one if the pool has
    /// room, else the first one returned within the statement timeout. Says whether the
    /// connection was already open before this call.
    fn checkout(&self) -> Result<(Conn, bool)> {
        let deadline = Instant::now() + self.settings.statement_timeout;
        let mut pool = lock(&self.pool);
        loop {
            if let Some(Idle { mut conn, since }) = pool.idle.pop() {
                drop(pool);
                let stale = since.elapsed() >= CHECK_AFTER_IDLE;
                if !conn.client.is_closed() && (!stale || conn.client.is_valid(self.settings.connect_timeout()).is_ok())
                {
                    return Ok((conn, true));
                }
                drop(conn);
                pool = lock(&self.pool);
                pool.open -= 1;
                continue;
            }
            if pool.open < self.settings.pool_size {
                pool.open += 1;
                drop(pool);
                return self
                    .connect()
                    .inspect_err(|_| {
                        lock(&self.pool).open -= 1;
                        self.returned.notify_one();
                    })
                    .map(|conn| (conn, false));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::storage(format!(
                    "all {} PostgreSQL connections of the pool stayed busy for {} ms",
                    self.settings.pool_size,
                    self.settings.statement_timeout.as_millis()
                )));
            }
            pool = self.returned.wait_timeout(pool, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Gives a connection back to the pool, or closes it.
    fn checkin(&self, conn: Conn, after: AfterUse) {
        let mut pool = lock(&self.pool);
        let after = if conn.client.is_closed() { AfterUse::CloseAll } else { after };
        let stale: Vec<Idle> = match after {
            AfterUse::Pool => {
                pool.idle.push(Idle { conn, since: Instant::now() });
                drop(pool);
                self.returned.notify_one();
                return;
            }
            AfterUse::Close => Vec::new(),
            AfterUse::CloseAll => pool.idle.drain(..).collect(),
        };
        pool.open -= 1 + stale.len();
        drop(pool);
        self.returned.notify_all();
        // Closing talks to the socket: do it with the pool unlocked.
        drop(stale);
        drop(conn);
    }

    /// Runs `op` on a pooled connection and maps every failure to `STORAGE`. `op` runs again
    /// on serialisation failures and deadlocks, which PostgreSQL asks clients to retry, and
    /// once on a fresh connection when a pooled one turns out dead (the database restarted
    /// since it was last used), so a restart costs callers nothing. That second run may
    /// follow a first whose commit happened but was not acknowledged, which is harmless
    /// here: conditional inserts and `update_session`'s `decide` see the first run's result
    /// and answer accordingly, and at worst an insert reports a duplicate handle.
    fn with_client<T>(&self, mut op: impl FnMut(&mut Conn) -> Result<T, Fail>) -> Result<T> {
        const ATTEMPTS: usize = 5;
        let mut attempt = 0;
        let mut reconnected = false;
        loop {
            attempt += 1;
            let (conn, reused) = self.checkout()?;
            let mut lent = Lent { store: self, conn: Some(conn) };
            let out = match lent.conn.as_mut() {
                Some(conn) => op(conn),
                None => Err(Error::internal("a pooled PostgreSQL connection went missing").into()),
            };
            let after = match &out {
                Err(fail) if fail.breaks_connection() => AfterUse::CloseAll,
                _ => AfterUse::Pool,
            };
            if let Some(conn) = lent.conn.take() {
                self.checkin(conn, after);
            }
            match out {
                Ok(v) => return Ok(v),
                Err(fail) if fail.is_retryable() && attempt < ATTEMPTS => continue,
                Err(_) if matches!(after, AfterUse::CloseAll) && reused && !reconnected => {
                    reconnected = true;
                    continue;
                }
                Err(fail) => return Err(fail.into_error()),
            }
        }
    }
}

/// A connection lent to one operation. If the operation panics, the connection is closed
/// rather than pooled (it may be mid-transaction) and its pool slot is freed.
struct Lent<'a> {
    store: &'a PostgresStore,
    conn: Option<Conn>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.store.checkin(conn, AfterUse::Close);
        }
    }
}

/// What to do with a connection an operation is done with.
#[derive(Clone, Copy)]
enum AfterUse {
    /// Keep it for the next operation.
    Pool,
    /// Close it: it may be in a state the next user must not inherit.
    Close,
    /// Close it and every idle connection: the server went away, and connections opened
    /// before that are as dead as this one.
    CloseAll,
}

impl Store for PostgresStore {
    fn insert_session(&self, row: &SessionRow) -> Result<()> {
        let values = SessionValues::new(row)?;
        self.with_client(|c| {
            let insert = c.stmt(INSERT_SESSION)?;
            write_session(&mut c.client, &insert, &values)?;
            Ok(())
        })
    }

    fn get_session(&self, handle: &str) -> Result<Option<SessionRow>> {
        self.with_client(|c| {
            let select = c.stmt(SELECT_SESSION)?;
            select_session(&mut c.client, &select, handle)
        })
    }

    fn update_session(
        &self,
        handle: &str,
        decide: &mut dyn FnMut(Option<&SessionRow>) -> SessionUpdate,
    ) -> Result<Option<SessionRow>> {
        self.with_client(|c| {
            let (select, upsert, delete) =
                (c.stmt(SELECT_SESSION_FOR_UPDATE)?, c.stmt(UPSERT_SESSION)?, c.stmt(DELETE_SESSION)?);
            let mut tx = c.client.transaction()?;
            let current = select_session(&mut tx, &select, handle)?;
            match decide(current.as_ref()) {
                SessionUpdate::Keep => {}
                SessionUpdate::Replace(row) => {
                    if row.handle != handle {
                        return Err(Error::input(format!(
                            "update_session: the replacement row has handle {:?}, not {handle:?}",
                            row.handle
                        ))
                        .into());
                    }
                    write_session(&mut tx, &upsert, &SessionValues::new(&row)?)?;
                }
                SessionUpdate::Delete => {
                    tx.execute(&delete, &[&handle])?;
                }
            }
            tx.commit()?;
            Ok(current)
        })
    }

    fn delete_sessions(&self, handles: &[String]) -> Result<Vec<String>> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        self.with_client(|c| {
            let delete = c.stmt("DELETE FROM tessera_sessions WHERE handle = ANY($1) RETURNING handle")?;
            let rows = c.client.query(&delete, &[&handles])?;
            Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<Vec<String>, _>>()?)
        })
    }

    fn session_handles_for_user(&self, user_id: &str, tenant_id: Option<&str>, now_ms: u64) -> Result<Vec<String>> {
        let now = to_i64(now_ms, "now_ms")?;
        self.with_client(|c| {
            let select = c.stmt(
                "SELECT handle FROM tessera_sessions \
                 WHERE (user_id = $1 OR recipe_user_id = $1) \
                   AND ($2::TEXT IS NULL OR tenant_id = $2) \
                   AND expires_at_ms > $3 \
                 ORDER BY created_at_ms, handle",
            )?;
            let rows = c.client.query(&select, &[&user_id, &tenant_id, &now])?;
            Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<Vec<String>, _>>()?)
        })
    }

    fn delete_expired_sessions(&self, now_ms: u64) -> Result<u64> {
        let now = to_i64(now_ms, "now_ms")?;
        self.with_client(|c| {
            let delete = c.stmt("DELETE FROM tessera_sessions WHERE expires_at_ms <= $1")?;
            Ok(c.client.execute(&delete, &[&now])?)
        })
    }

    fn signing_keys(&self) -> Result<Vec<StoredKey>> {
        self.with_client(|c| {
            let select = c.stmt(SELECT_KEYS)?;
            c.client.query(&select, &[])?.iter().map(key_from_row).collect()
        })
    }

    fn add_dynamic_key_unless_newer(&self, key: &StoredKey, unless_newer_than_ms: u64) -> Result<bool> {
        if key.kind != KeyKind::Dynamic {
            return Err(Error::input(format!("add_dynamic_key_unless_newer: key {} is not a dynamic key", key.kid)));
        }
        let created = to_i64(key.created_at_ms, "created_at_ms")?;
        let threshold = to_i64(unless_newer_than_ms, "unless_newer_than_ms")?;
        self.with_client(|c| {
            let (take_lock, newer, insert) = (
                c.stmt("SELECT pg_advisory_xact_lock($1)::TEXT")?,
                c.stmt(
                    "SELECT EXISTS (SELECT 1 FROM tessera_signing_keys \
                     WHERE kind = 'dynamic' AND created_at_ms >= $1)",
                )?,
                c.stmt(INSERT_KEY)?,
            );
            let mut tx = c.client.transaction()?;
            // Under READ COMMITTED two servers could both see "no newer key" and both insert;
            // the lock makes the check and the insert one step for every server.
            tx.execute(&take_lock, &[&DYNAMIC_KEY_LOCK])?;
            let newer_exists: bool = tx.query_one(&newer, &[&threshold])?.try_get(0)?;
            if newer_exists {
                return Ok(false);
            }
            tx.execute(&insert, &[&key.kid, &"dynamic", &key.private_pkcs8_der, &created])?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn get_or_add_static_key(&self, key: &StoredKey) -> Result<StoredKey> {
        if key.kind != KeyKind::Static {
            return Err(Error::input(format!("get_or_add_static_key: key {} is not a static key", key.kid)));
        }
        let created = to_i64(key.created_at_ms, "created_at_ms")?;
        self.with_client(|c| {
            let (insert, select) = (
                c.stmt(
                    "INSERT INTO tessera_signing_keys (kid, kind, private_pkcs8_der, created_at_ms) \
                     VALUES ($1, 'static', $2, $3) ON CONFLICT (kind) WHERE kind = 'static' DO NOTHING",
                )?,
                c.stmt(SELECT_STATIC_KEY)?,
            );
            c.client.execute(&insert, &[&key.kid, &key.private_pkcs8_der, &created])?;
            match c.client.query_opt(&select, &[])? {
                Some(row) => key_from_row(&row),
                None => Err(Error::storage("the static signing key vanished after it was stored").into()),
            }
        })
    }

    fn delete_dynamic_keys_before(&self, created_before_ms: u64) -> Result<u64> {
        let before = to_i64(created_before_ms, "created_before_ms")?;
        self.with_client(|c| {
            let delete = c.stmt("DELETE FROM tessera_signing_keys WHERE kind = 'dynamic' AND created_at_ms < $1")?;
            Ok(c.client.execute(&delete, &[&before])?)
        })
    }

    fn get_or_add_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>> {
        self.with_client(|c| {
            let (insert, select) = (
                c.stmt("INSERT INTO tessera_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")?,
                c.stmt("SELECT value FROM tessera_secrets WHERE name = $1")?,
            );
            c.client.execute(&insert, &[&name, &candidate])?;
            // Secrets are never changed or deleted, so whatever is there now is the winner.
            Ok(c.client.query_one(&select, &[&name])?.try_get(0)?)
        })
    }
}

/// A failure inside a store operation, keeping the client's error so that the pool can tell
/// a dead connection from a refused statement.
enum Fail {
    Pg(::postgres::Error),
    Other(Error),
}

impl From<::postgres::Error> for Fail {
    fn from(e: ::postgres::Error) -> Fail {
        Fail::Pg(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Other(e)
    }
}

impl Fail {
    /// Whether the connection is unusable: everything but an error the server reported
    /// for one statement (an I/O error, a closed socket, a timeout waiting for the server, or
    /// the server ending the session).
    fn breaks_connection(&self) -> bool {
        match self {
            Fail::Pg(e) => e.is_closed() || e.as_db_error().is_none_or(is_fatal),
            Fail::Other(_) => false,
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            Fail::Pg(e) => {
                matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED)
            }
            Fail::Other(_) => false,
        }
    }

    fn into_error(self) -> Error {
        match self {
            Fail::Pg(e) => Error::storage(describe(&e)),
            Fail::Other(e) => e,
        }
    }
}

fn is_fatal(e: &DbError) -> bool {
    matches!(e.severity(), "FATAL" | "PANIC")
}

/// The client's message, with the server's own message when there is one ("db error"
/// alone says nothing).
fn describe(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("PostgreSQL: {} ({})", db.message(), db.code().code()),
        None => format!("PostgreSQL: {e}"),
    }
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction under an advisory lock, so that
/// of several servers starting at once on an empty database exactly one creates the tables
/// and the others wait, then find them made.
fn migrate(conn: &mut Conn) -> Result<(), Fail> {
    let mut tx = conn.client.transaction()?;
    tx.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
         CREATE TABLE IF NOT EXISTS tessera_schema_version (version INTEGER NOT NULL);"
    ))?;
    let version: i32 = match tx.query_opt("SELECT max(version) FROM tessera_schema_version", &[])? {
        Some(row) => row.try_get::<_, Option<i32>>(0)?.unwrap_or(0),
        None => 0,
    };
    if version > SCHEMA_VERSION {
        return Err(Error::storage(format!(
            "the PostgreSQL session schema has version {version}, newer than the version \
             {SCHEMA_VERSION} this Tessera understands; upgrade Tessera or use another database"
        ))
        .into());
    }
    if version < 0 {
        return Err(Error::storage(format!("the PostgreSQL session schema has an invalid version {version}")).into());
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql)?;
        tx.execute("DELETE FROM tessera_schema_version", &[])?;
        tx.execute("INSERT INTO tessera_schema_version (version) VALUES ($1)", &[&(from as i32 + 1)])?;
    }
    tx.commit()?;
    Ok(())
}

fn select_session(c: &mut impl GenericClient, select: &Statement, handle: &str) -> Result<Option<SessionRow>, Fail> {
    match c.query_opt(select, &[&handle])? {
        Some(r) => Ok(Some(session_from_row(&r)?)),
        None => Ok(None),
    }
}

fn session_from_row(r: &Row) -> Result<SessionRow, Fail> {
    let handle: String = r.try_get(0)?;
    let session_data: String = r.try_get(4)?;
    let access_token_payload: String = r.try_get(5)?;
    let rotated_at_ms: Option<i64> = r.try_get(8)?;
    Ok(SessionRow {
        session_data: json_map(&session_data, "session_data", &handle)?,
        access_token_payload: json_map(&access_token_payload, "access_token_payload", &handle)?,
        user_id: r.try_get(1)?,
        recipe_user_id: r.try_get(2)?,
        tenant_id: r.try_get(3)?,
        refresh_token_hash2: r.try_get(6)?,
        prev_refresh_token_hash2: r.try_get(7)?,
        rotated_at_ms: rotated_at_ms.map(|v| to_u64(v, "rotated_at_ms")).transpose()?,
        created_at_ms: to_u64(r.try_get(9)?, "created_at_ms")?,
        expires_at_ms: to_u64(r.try_get(10)?, "expires_at_ms")?,
        use_static_key: r.try_get(11)?,
        handle,
    })
}

fn key_from_row(r: &Row) -> Result<StoredKey, Fail> {
    let kid: String = r.try_get(0)?;
    let kind: String = r.try_get(1)?;
    let kind = match kind.as_str() {
        "dynamic" => KeyKind::Dynamic,
        "static" => KeyKind::Static,
        other => return Err(Error::storage(format!("signing key {kid} has an unknown kind {other:?}")).into()),
    };
    Ok(StoredKey {
        kind,
        private_pkcs8_der: r.try_get(2)?,
        created_at_ms: to_u64(r.try_get(3)?, "created_at_ms")?,
        kid,
    })
}

/// Writes `v` with `statement` (an insert or upsert of every session column, in order).
fn write_session(
    c: &mut impl GenericClient,
    statement: &Statement,
    v: &SessionValues<'_>,
) -> Result<u64, ::postgres::Error> {
    let r = v.row;
    let params: [&(dyn ToSql + Sync); 12] = [
        &r.handle,
        &r.user_id,
        &r.recipe_user_id,
        &r.tenant_id,
        &v.session_data,
        &v.access_token_payload,
        &r.refresh_token_hash2,
        &r.prev_refresh_token_hash2,
        &v.rotated_at_ms,
        &v.created_at_ms,
        &v.expires_at_ms,
        &r.use_static_key,
    ];
    c.execute(statement, &params)
}
