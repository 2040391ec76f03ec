//! A [`Store`] on SQLite: one file shared by every thread and process of a deployment, or a
//! private in-memory database for tests and single-process use.
//!
//! File databases run in WAL mode so that readers never wait for the writer, and every write
//! is a `BEGIN IMMEDIATE` transaction: taking the write lock up front means a transaction never
//! has to upgrade a read lock, which is the one case where SQLite gives up with `SQLITE_BUSY`
//! without waiting. What is left of `SQLITE_BUSY`/`SQLITE_LOCKED` (WAL recovery, a journal
//! mode change by another process) is retried until the busy timeout
//! (10 s) has passed.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use super::columns::{json_map, lock, to_i64, to_u64, SessionValues};
use super::{KeyKind, SessionRow, SessionUpdate, Store, StoredKey};
use crate::error::{Error, Result};

/// How long an operation waits for another connection's write lock before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle file connections kept for reuse; more are opened on demand when more threads are busy
/// at once, and closed when returned to a full pool.
const MAX_IDLE_CONNECTIONS: usize = 8;

/// The schema version this code writes and understands (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

/// Migrations by target version: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE sessions (
        handle                   TEXT    NOT NULL PRIMARY KEY,
        user_id                  TEXT    NOT NULL,
        recipe_user_id           TEXT    NOT NULL,
        tenant_id                TEXT    NOT NULL,
        session_data             TEXT    NOT NULL,
        access_token_payload     TEXT    NOT NULL,
        refresh_token_hash2      TEXT    NOT NULL,
        prev_refresh_token_hash2 TEXT,
        rotated_at_ms            INTEGER,
        created_at_ms            INTEGER NOT NULL,
        expires_at_ms            INTEGER NOT NULL,
        use_static_key           INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions (user_id, tenant_id);
    CREATE INDEX sessions_by_recipe_user ON sessions (recipe_user_id, tenant_id);
    CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);
    CREATE TABLE signing_keys (
        kid               TEXT    NOT NULL PRIMARY KEY,
        kind              TEXT    NOT NULL CHECK (kind IN ('dynamic', 'static')),
        private_pkcs8_der BLOB    NOT NULL,
        created_at_ms     INTEGER NOT NULL
    );
    CREATE INDEX signing_keys_by_kind ON signing_keys (kind, created_at_ms);
    CREATE TABLE secrets (
        name  TEXT NOT NULL PRIMARY KEY,
        value BLOB NOT NULL
    );
"];

const SELECT_SESSION: &str = "SELECT handle, user_id, recipe_user_id, tenant_id, session_data, \
     access_token_payload, refresh_token_hash2, prev_refresh_token_hash2, rotated_at_ms, \
     created_at_ms, expires_at_ms, use_static_key FROM sessions WHERE handle = ?1";

const INSERT_SESSION: &str = "INSERT INTO sessions (handle, user_id, recipe_user_id, tenant_id, \
     session_data, access_token_payload, refresh_token_hash2, prev_refresh_token_hash2, \
     rotated_at_ms, created_at_ms, expires_at_ms, use_static_key) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

const UPSERT_SESSION: &str = "INSERT OR REPLACE INTO sessions (handle, user_id, recipe_user_id, \
     tenant_id, session_data, access_token_payload, refresh_token_hash2, \
     prev_refresh_token_hash2, rotated_at_ms, created_at_ms, expires_at_ms, use_static_key) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

const SELECT_KEYS: &str =
    "SELECT kid, kind, private_pkcs8_der, created_at_ms FROM signing_keys ORDER BY created_at_ms, kid";

const SELECT_STATIC_KEY: &str = "SELECT kid, kind, private_pkcs8_der, created_at_ms \
     FROM signing_keys WHERE kind = 'static' ORDER BY created_at_ms, kid LIMIT 1";

/// A session store on SQLite.
///
/// Cheap to share: wrap it in an `Arc` and use it from any number of threads. Several
/// processes may open the same file at once; their writes are serialised by SQLite's file lock.
///
/// Behaviour the [`Store`] trait leaves open:
/// - [`Store::update_session`] on a handle with no row, whose `decide` answers
///   [`SessionUpdate::Replace`], inserts that row; a replacement with another handle is
///   refused with `INVALID_INPUT`.
/// - `decide` runs inside the write transaction, so it must not call back into the store
///   (that would wait for itself), and should be quick: every other writer waits for it.
/// - Timestamps above `i64::MAX` cannot be stored and are refused with `INVALID_INPUT`, as is
///   a key of the wrong [`KeyKind`] given to the dynamic or static key methods.
pub struct SqliteStore {
    backend: Backend,
}

enum Backend {
    /// A pool of connections to one file; a connection is used by one thread at a time.
    File { path: PathBuf, idle: Mutex<Vec<Connection>> },
    /// An in-memory database lives and dies with its one connection, so every thread shares
    /// it in turn: an in-memory store is for tests and small single-process use.
    Memory(Mutex<Connection>),
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::File { path, .. } => f.debug_struct("SqliteStore").field("path", path).finish(),
            Backend::Memory(_) => f.debug_struct("SqliteStore").field("path", &":memory:").finish(),
        }
    }
}

impl SqliteStore {
    /// Opens (creating it and its parent directories if missing) the database file at `path`,
    /// switches it to WAL mode and brings its schema up to date.
    ///
    /// Safe to call from several processes at once on the same file: the schema is created or
    /// migrated by exactly one of them.
    ///
    /// # Errors
    /// `STORAGE` if the directory or file cannot be created or opened, if it is not a SQLite
    /// database, if the lock cannot be had within the busy timeout, or if the file's schema
    /// is newer than this version of Tessera understands (the file is then left untouched).
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Error::storage(format!(
                        "cannot create the directory {} for the session database: {e}",
                        parent.display()
                    ))
                })?;
            }
        }
        let conn = open_file_connection(&path)?;
        // The journal mode is a property of the file, so setting it once here is enough; it
        // needs a moment of exclusive access, which another process opening the file may hold.
        with_retry(|| {
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
                .map(drop)
                .map_err(Fail::from)
        })?;
        migrate(&conn, &path.display().to_string())?;
        Ok(SqliteStore { backend: Backend::File { path, idle: Mutex::new(vec![conn]) } })
    }

    /// Opens a new, empty in-memory database, private to this handle and shared by every
    /// thread that uses it. It is gone when the handle is dropped.
    ///
    /// # Errors
    /// `STORAGE` if SQLite cannot allocate the database.
    pub fn open_in_memory() -> Result<SqliteStore> {
        let conn = Connection::open_in_memory()?;
        migrate(&conn, ":memory:")?;
        Ok(SqliteStore { backend: Backend::Memory(Mutex::new(conn)) })
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::File { path, .. } => Some(path),
            Backend::Memory(_) => None,
        }
    }

    /// Runs `f` on a connection of this store. A file connection goes back to the pool only if
    /// `f` left no transaction open, so that a failure cannot leak into the next user.
    fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Fail>) -> Result<T, Fail> {
        match &self.backend {
            Backend::File { path, idle } => {
                let pooled = lock(idle).pop();
                let mut conn = match pooled {
                    Some(conn) => conn,
                    None => open_file_connection(path)?,
                };
                let out = f(&mut conn);
                if conn.is_autocommit() {
                    let mut idle = lock(idle);
                    if idle.len() < MAX_IDLE_CONNECTIONS {
                        idle.push(conn);
                    }
                }
                out
            }
            Backend::Memory(conn) => {
                let mut conn = lock(conn);
                // A panic inside a transaction poisons the mutex; the transaction guard rolls
                // back while unwinding, but make sure before anyone else uses the connection.
                if !conn.is_autocommit() {
                    conn.execute_batch("ROLLBACK")?;
                }
                f(&mut conn)
            }
        }
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction and commits, retrying the whole
    /// transaction (so calling `f` again) while the database is busy.
    fn write<T>(&self, mut f: impl FnMut(&Connection) -> Result<T, Fail>) -> Result<T> {
        with_retry(|| {
            self.with_conn(|conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let out = f(&tx)?;
                tx.commit()?;
                Ok(out)
            })
        })
    }

    /// Runs `f`, a single read statement, retrying while the database is busy.
    fn read<T>(&self, mut f: impl FnMut(&Connection) -> Result<T, Fail>) -> Result<T> {
        with_retry(|| self.with_conn(|conn| f(conn)))
    }
}

impl Store for SqliteStore {
    fn insert_session(&self, row: &SessionRow) -> Result<()> {
        let values = SessionValues::new(row)?;
        self.write(|conn| {
            write_session(conn, INSERT_SESSION, &values)?;
            Ok(())
        })
    }

    fn get_session(&self, handle: &str) -> Result<Option<SessionRow>> {
        self.read(|conn| select_session(conn, handle))
    }

    fn update_session(
        &self,
        handle: &str,
        decide: &mut dyn FnMut(Option<&SessionRow>) -> SessionUpdate,
    ) -> Result<Option<SessionRow>> {
        self.write(|conn| {
            let current = select_session(conn, handle)?;
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
                    write_session(conn, UPSERT_SESSION, &SessionValues::new(&row)?)?;
                }
                SessionUpdate::Delete => {
                    conn.prepare_cached("DELETE FROM sessions WHERE handle = ?1")?.execute([handle])?;
                }
            }
            Ok(current)
        })
    }

    fn delete_sessions(&self, handles: &[String]) -> Result<Vec<String>> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|conn| {
            let mut stmt = conn.prepare_cached("DELETE FROM sessions WHERE handle = ?1")?;
            let mut deleted = Vec::new();
            for handle in handles {
                // A handle listed twice is deleted once, so it is reported once.
                if stmt.execute([handle])? > 0 {
                    deleted.push(handle.clone());
                }
            }
            Ok(deleted)
        })
    }

    fn session_handles_for_user(&self, user_id: &str, tenant_id: Option<&str>, now_ms: u64) -> Result<Vec<String>> {
        let now = to_i64(now_ms, "now_ms")?;
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT handle FROM sessions \
                 WHERE (user_id = ?1 OR recipe_user_id = ?1) \
                   AND (?2 IS NULL OR tenant_id = ?2) \
                   AND expires_at_ms > ?3 \
                 ORDER BY created_at_ms, handle",
            )?;
            let handles = stmt
                .query_map(params![user_id, tenant_id, now], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(handles)
        })
    }

    fn delete_expired_sessions(&self, now_ms: u64) -> Result<u64> {
        let now = to_i64(now_ms, "now_ms")?;
        self.write(|conn| {
            let n = conn.prepare_cached("DELETE FROM sessions WHERE expires_at_ms <= ?1")?.execute([now])?;
            Ok(n as u64)
        })
    }

    fn signing_keys(&self) -> Result<Vec<StoredKey>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(SELECT_KEYS)?;
            let mut rows = stmt.query([])?;
            let mut keys = Vec::new();
            while let Some(r) = rows.next()? {
                keys.push(key_from_row(r)?);
            }
            Ok(keys)
        })
    }

    fn add_dynamic_key_unless_newer(&self, key: &StoredKey, unless_newer_than_ms: u64) -> Result<bool> {
        if key.kind != KeyKind::Dynamic {
            return Err(Error::input(format!("add_dynamic_key_unless_newer: key {} is not a dynamic key", key.kid)));
        }
        let created = to_i64(key.created_at_ms, "created_at_ms")?;
        let threshold = to_i64(unless_newer_than_ms, "unless_newer_than_ms")?;
        self.write(|conn| {
            let newer_exists: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM signing_keys \
                     WHERE kind = 'dynamic' AND created_at_ms >= ?1)",
                )?
                .query_row([threshold], |r| r.get(0))?;
            if newer_exists {
                return Ok(false);
            }
            insert_key(conn, key, "dynamic", created)?;
            Ok(true)
        })
    }

    fn get_or_add_static_key(&self, key: &StoredKey) -> Result<StoredKey> {
        if key.kind != KeyKind::Static {
            return Err(Error::input(format!("get_or_add_static_key: key {} is not a static key", key.kid)));
        }
        let created = to_i64(key.created_at_ms, "created_at_ms")?;
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(SELECT_STATIC_KEY)?;
            let mut rows = stmt.query([])?;
            if let Some(r) = rows.next()? {
                return key_from_row(r);
            }
            insert_key(conn, key, "static", created)?;
            Ok(key.clone())
        })
    }

    fn delete_dynamic_keys_before(&self, created_before_ms: u64) -> Result<u64> {
        let before = to_i64(created_before_ms, "created_before_ms")?;
        self.write(|conn| {
            let n = conn
                .prepare_cached("DELETE FROM signing_keys WHERE kind = 'dynamic' AND created_at_ms < ?1")?
                .execute([before])?;
            Ok(n as u64)
        })
    }

    fn get_or_add_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>> {
        self.write(|conn| {
            let existing: Option<Vec<u8>> = conn
                .prepare_cached("SELECT value FROM secrets WHERE name = ?1")?
                .query_row([name], |r| r.get(0))
                .optional()?;
            if let Some(value) = existing {
                return Ok(value);
            }
            conn.prepare_cached("INSERT INTO secrets (name, value) VALUES (?1, ?2)")?
                .execute(params![name, candidate])?;
            Ok(candidate.to_vec())
        })
    }
}

/// A failure inside a store operation, keeping SQLite's own error so that the retry loop can
/// tell "busy, try again" from everything else.
enum Fail {
    Sql(rusqlite::Error),
    Other(Error),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Fail {
        Fail::Sql(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Other(e)
    }
}

impl Fail {
    fn is_busy(&self) -> bool {
        match self {
            Fail::Sql(e) => matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)),
            Fail::Other(_) => false,
        }
    }

    fn into_error(self) -> Error {
        match self {
            Fail::Sql(e) => Error::from(e),
            Fail::Other(e) => e,
        }
    }
}

/// Runs `attempt` until it succeeds, fails with something other than busy, or
/// [`BUSY_TIMEOUT`] has passed.
fn with_retry<T>(mut attempt: impl FnMut() -> Result<T, Fail>) -> Result<T> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        match attempt() {
            Ok(out) => return Ok(out),
            Err(fail) if fail.is_busy() && Instant::now() < deadline => {
                // Jitter keeps processes that collided once from colliding again in lockstep.
                let jitter =
                    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::from(d.subsec_nanos()) % 1_000_000);
                thread::sleep(pause + Duration::from_nanos(jitter));
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(fail) => {
                let busy = fail.is_busy();
                let e = fail.into_error();
                return Err(if busy {
                    Error::storage(format!("{} (still busy after {} s)", e.message(), BUSY_TIMEOUT.as_secs()))
                } else {
                    e
                });
            }
        }
    }
}

/// Opens one connection to a database file with the per-connection settings.
fn open_file_connection(path: &Path) -> Result<Connection> {
    // No SQLITE_OPEN_URI: a path that happens to start with "file:" is still a path.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::storage(format!("cannot open the session database {}: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // NORMAL is durable across application crashes in WAL mode; only a power loss can undo
    // the last commits, which for sessions means a client signs in again.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// Brings the schema to [`SCHEMA_VERSION`] in one write transaction, so that of several
/// processes opening a new file at once exactly one creates the tables.
fn migrate(conn: &Connection, name: &str) -> Result<()> {
    with_retry(|| {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let out = migrate_locked(conn, name);
        let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
        match (out, conn.execute_batch(end)) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(e), _) => Err(e),
            (Ok(()), Err(e)) => {
                // A failed COMMIT may leave the transaction open; close it so a retry can
                // begin a new one. Its own failure changes nothing about what to report.
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                Err(e.into())
            }
        }
    })
}

fn migrate_locked(conn: &Connection, name: &str) -> Result<(), Fail> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::storage(format!(
            "the session database {name} has schema version {version}, newer than the \
             version {SCHEMA_VERSION} this Tessera understands; upgrade Tessera or use another \
             database"
        ))
        .into());
    }
    if version < 0 {
        return Err(
            Error::storage(format!("the session database {name} has an invalid schema version {version}")).into()
        );
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(sql)?;
        conn.pragma_update(None, "user_version", from as i64 + 1)?;
    }
    Ok(())
}

fn select_session(conn: &Connection, handle: &str) -> Result<Option<SessionRow>, Fail> {
    let mut stmt = conn.prepare_cached(SELECT_SESSION)?;
    let mut rows = stmt.query([handle])?;
    match rows.next()? {
        Some(r) => Ok(Some(session_from_row(r)?)),
        None => Ok(None),
    }
}

fn session_from_row(r: &rusqlite::Row<'_>) -> Result<SessionRow, Fail> {
    let handle: String = r.get(0)?;
    let session_data: String = r.get(4)?;
    let access_token_payload: String = r.get(5)?;
    let rotated_at_ms: Option<i64> = r.get(8)?;
    Ok(SessionRow {
        session_data: json_map(&session_data, "session_data", &handle)?,
        access_token_payload: json_map(&access_token_payload, "access_token_payload", &handle)?,
        user_id: r.get(1)?,
        recipe_user_id: r.get(2)?,
        tenant_id: r.get(3)?,
        refresh_token_hash2: r.get(6)?,
        prev_refresh_token_hash2: r.get(7)?,
        rotated_at_ms: rotated_at_ms.map(|v| to_u64(v, "rotated_at_ms")).transpose()?,
        created_at_ms: to_u64(r.get(9)?, "created_at_ms")?,
        expires_at_ms: to_u64(r.get(10)?, "expires_at_ms")?,
        use_static_key: r.get(11)?,
        handle,
    })
}

fn key_from_row(r: &rusqlite::Row<'_>) -> Result<StoredKey, Fail> {
    let kid: String = r.get(0)?;
    let kind: String = r.get(1)?;
    let kind = match kind.as_str() {
        "dynamic" => KeyKind::Dynamic,
        "static" => KeyKind::Static,
        other => return Err(Error::storage(format!("signing key {kid} has an unknown kind {other:?}")).into()),
    };
    Ok(StoredKey { kind, private_pkcs8_der: r.get(2)?, created_at_ms: to_u64(r.get(3)?, "created_at_ms")?, kid })
}

fn insert_key(conn: &Connection, key: &StoredKey, kind: &str, created_at_ms: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO signing_keys (kid, kind, private_pkcs8_der, created_at_ms) \
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![key.kid, kind, key.private_pkcs8_der, created_at_ms])
}

/// Writes `v` with `sql` (an insert or upsert of every session column, in order).
fn write_session(conn: &Connection, sql: &str, v: &SessionValues<'_>) -> rusqlite::Result<usize> {
    let r = v.row;
    conn.prepare_cached(sql)?.execute(params![
        r.handle,
        r.user_id,
        r.recipe_user_id,
        r.tenant_id,
        v.session_data,
        v.access_token_payload,
        r.refresh_token_hash2,
        r.prev_refresh_token_hash2,
        v.rotated_at_ms,
        v.created_at_ms,
        v.expires_at_ms,
        r.use_static_key,
    ])
}
