//! The embedded store: SQLite through rusqlite, statements run inline on the calling task.
//!
//! One connection writes (SQLite has one writer; an async mutex makes writers queue in-process
//! instead of failing with `SQLITE_BUSY`) and a small pool of connections reads (WAL mode lets
//! them read while the writer writes). Write transactions begin `IMMEDIATE` and commit with
//! `synchronous=FULL`, so a commit that returned has reached the disk. `sqlite::memory:` is one
//! connection for everything (each in-memory connection would otherwise be its own database).
//!
//! Why inline and not on a thread of its own: a read by index costs a few microseconds in
//! SQLite, less than handing the statement to another thread and waking the task when it is
//! done (`../shared/PERF.md`: about twice the throughput). Commits, which wait for the disk,
//! leave the worker thread with `block_in_place` on a multi-threaded runtime.
//!
//! Migrations are sqlx's files and bookkeeping (`sqlx::migrate!`, table `_sqlx_migrations`),
//! applied here with the same connection type, so databases created by earlier versions open
//! unchanged.

use std::path::PathBuf;
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;

use accessd_domain::query::{Expr, Query, Value, ValueType};
use accessd_domain::store::{Kind, Link, Row, SnapshotInfo, Store, StoreError, StoreResult, Tx};
use accessd_sql::{Dialect, Sql};
use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use tokio::sync::{Mutex, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

const D: Dialect = Dialect::Sqlite;

/// Readers kept open at most.
const MAX_READERS: usize = 8;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 512;

/// The SQLite implementation of [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

struct Inner {
    /// `None` for an in-memory database.
    path: Option<PathBuf>,
    writer: Arc<Mutex<Connection>>,
    /// Idle reader connections (file databases only).
    idle: SyncMutex<Vec<Connection>>,
    /// Bounds the reader connections in use.
    readers: Arc<Semaphore>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as C;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            let msg = msg.clone().unwrap_or_else(|| f.to_string());
            match f.code {
                C::ConstraintViolation => StoreError::Conflict(msg),
                C::DatabaseBusy | C::DatabaseLocked => StoreError::Unavailable(msg),
                _ => StoreError::Other(msg),
            }
        }
        _ => StoreError::Other(e.to_string()),
    }
}

/// The file a database URL names, or `None` for memory.
fn parse_url(url: &str) -> StoreResult<Option<PathBuf>> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Other(format!("invalid database URL {url}")))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path == ":memory:" || path.is_empty() || query.split('&').any(|p| p == "mode=memory") {
        return Ok(None);
    }
    Ok(Some(PathBuf::from(path)))
}

/// `ACCESSD_SQLITE_MMAP_SIZE`: read the database through a memory map of this many bytes
/// instead of `pread` (faster reads; the mapped pages count in the server's resident set size,
/// up to the size of the file). Off by default.
fn mmap_size() -> Option<u64> {
    std::env::var("ACCESSD_SQLITE_MMAP_SIZE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

fn configure(c: &Connection, memory: bool, reader: bool) -> StoreResult<()> {
    c.busy_timeout(Duration::from_secs(10)).map_err(db_err)?;
    c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let mut pragmas = String::new();
    if !memory {
        pragmas.push_str("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
    }
    pragmas.push_str("PRAGMA temp_store = memory; PRAGMA foreign_keys = OFF;");
    pragmas.push_str(if reader {
        "PRAGMA cache_size = -16000; PRAGMA query_only = 1;"
    } else {
        "PRAGMA cache_size = -262144;"
    });
    if !memory && let Some(bytes) = mmap_size() {
        pragmas.push_str(&format!("PRAGMA mmap_size = {bytes};"));
    }
    c.execute_batch(&pragmas).map_err(db_err)
}

fn open_file(path: &PathBuf, reader: bool) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let c = Connection::open_with_flags(path, flags).map_err(db_err)?;
    configure(&c, false, reader)?;
    Ok(c)
}

/// Keeps the per-index row counts of `ANALYZE` (`sqlite_stat1`) and drops its samples of
/// values (`sqlite_stat4`). With samples, SQLite plans a statement for the values bound to it
/// and so prepares every cached statement again each time it is run with new values (a tenth
/// of the cost of a small write, measured); the counts alone pick the right indexes here.
fn drop_value_statistics(c: &Connection) -> StoreResult<()> {
    let has_stat4: bool = c
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'sqlite_stat4'",
            [],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    if has_stat4 {
        c.execute_batch("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")
            .map_err(db_err)?;
    }
    Ok(())
}

/// Applies the migrations in `./migrations` that the database lacks, recording them the way
/// sqlx does.
fn migrate(c: &mut Connection) -> StoreResult<()> {
    let migrator = sqlx::migrate!("./migrations");
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            success BOOLEAN NOT NULL,
            checksum BLOB NOT NULL,
            execution_time BIGINT NOT NULL
        );",
    )
    .map_err(db_err)?;
    for m in migrator.iter() {
        if m.migration_type.is_down_migration() {
            continue;
        }
        let applied: Option<(bool, Vec<u8>)> = c
            .query_row(
                "SELECT success, checksum FROM _sqlx_migrations WHERE version = ?1",
                [m.version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(db_err)?;
        let applied = applied.as_ref().map(|(ok, sum)| (*ok, sum.as_slice()));
        if !accessd_sql::migration_needed(m.version, applied, &m.checksum)? {
            continue;
        }
        let started = std::time::Instant::now();
        // On a large database a migration that builds an index takes a while (0002: ~40 s for
        // 1,000,000 assignments); say so rather than look hung.
        tracing::info!(
            version = m.version,
            description = &*m.description,
            "applying a database migration"
        );
        let tx = c.transaction().map_err(db_err)?;
        tx.execute_batch(m.sql.as_str())
            .map_err(|e| StoreError::Other(format!("migration {} failed: {e}", m.version)))?;
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (?1, ?2, TRUE, ?3, ?4)",
            rusqlite::params![
                m.version,
                &*m.description,
                &*m.checksum,
                started.elapsed().as_nanos() as i64
            ],
        )
        .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        tracing::info!(
            version = m.version,
            seconds = started.elapsed().as_secs_f64(),
            "database migration applied"
        );
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path.db` or
    /// `sqlite::memory:`) and brings its schema up to date.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let path = parse_url(url)?;
        let mut writer = match &path {
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| StoreError::Other(format!("{}: {e}", dir.display())))?;
                }
                open_file(p, false)?
            }
            None => {
                let c = Connection::open_in_memory().map_err(db_err)?;
                configure(&c, true, false)?;
                c
            }
        };
        migrate(&mut writer)?;
        if path.is_some() {
            // Refreshes the planner's statistics where they are missing or stale (cheap).
            writer
                .execute_batch("PRAGMA optimize = 0x10002;")
                .map_err(db_err)?;
            drop_value_statistics(&writer)?;
        }
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                writer: Arc::new(Mutex::new(writer)),
                idle: SyncMutex::new(Vec::new()),
                readers: Arc::new(Semaphore::new(MAX_READERS)),
            }),
        })
    }

    /// Gathers the planner's statistics (`ANALYZE`), so that among several usable indexes
    /// SQLite picks the most selective one (without statistics it may pick, say, the policy
    /// index over the target index for "this target's assignment in this policy"). Bulk loaders
    /// call it after loading; `open` runs `PRAGMA optimize`, which refreshes stale statistics.
    pub async fn analyze(&self) -> StoreResult<()> {
        let c = self.inner.writer.lock().await;
        c.execute_batch("ANALYZE;").map_err(db_err)?;
        drop_value_statistics(&c)
    }

    /// For bulk loaders: a 1 GiB page cache on the writer (inserts into a dozen indexes of a
    /// multi-gigabyte file otherwise read most of their pages from the OS) and
    /// `synchronous = NORMAL` (a crash may lose the last batches, never corrupt the file).
    pub async fn tune_for_bulk_load(&self) -> StoreResult<()> {
        let c = self.inner.writer.lock().await;
        c.execute_batch("PRAGMA cache_size = -1048576; PRAGMA synchronous = NORMAL;")
            .map_err(db_err)
    }

    /// Back to the writer's serving settings after [`SqliteStore::tune_for_bulk_load`].
    pub async fn tune_for_serving(&self) -> StoreResult<()> {
        let c = self.inner.writer.lock().await;
        c.execute_batch("PRAGMA cache_size = -262144; PRAGMA synchronous = FULL;")
            .map_err(db_err)
    }

    /// Waits for connections in use to be returned and closes them (the writer checkpoints the
    /// write-ahead log when it closes).
    pub async fn close(&self) {
        let _all = self.inner.readers.acquire_many(MAX_READERS as u32).await;
        if let Ok(mut idle) = self.inner.idle.lock() {
            idle.clear();
        }
        let _w = self.inner.writer.lock().await;
    }

    /// Runs `EXPLAIN QUERY PLAN` for a rendered query (tests and diagnostics).
    pub async fn explain(&self, sql: &Sql) -> StoreResult<String> {
        let c = self.inner.writer.lock().await;
        let mut st = c
            .prepare(&format!("EXPLAIN QUERY PLAN {}", sql.text))
            .map_err(db_err)?;
        let rows = st
            .query_map(
                rusqlite::params_from_iter(sql.binds.iter().map(Bind)),
                |r| r.get::<_, String>(3),
            )
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(rows.join("; "))
    }

    /// The names of a table's columns (schema tests).
    pub async fn table_columns(&self, table: &str) -> StoreResult<Vec<String>> {
        let c = self.inner.writer.lock().await;
        let mut st = c
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .map_err(db_err)?;
        let cols = st
            .query_map([table], |r| r.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(cols)
    }

    async fn reader(&self) -> StoreResult<SqliteTx> {
        let Some(path) = &self.inner.path else {
            let guard = self.inner.writer.clone().lock_owned().await;
            return Ok(SqliteTx {
                conn: Conn::Locked(guard),
                write: false,
                open: false,
            });
        };
        let permit = self
            .inner
            .readers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let idle = self.inner.idle.lock().ok().and_then(|mut v| v.pop());
        let c = match idle {
            Some(c) => c,
            None => open_file(path, true)?,
        };
        Ok(SqliteTx {
            conn: Conn::Pooled {
                conn: Some(c),
                inner: self.inner.clone(),
                _permit: permit,
            },
            write: false,
            open: false,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(Box::new(self.reader().await?))
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let guard = self.inner.writer.clone().lock_owned().await;
        guard.execute_batch("BEGIN IMMEDIATE").map_err(db_err)?;
        Ok(Box::new(SqliteTx {
            conn: Conn::Locked(guard),
            write: true,
            open: true,
        }))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn close(&self) {
        SqliteStore::close(self).await;
    }

    async fn analyze(&self) -> StoreResult<()> {
        SqliteStore::analyze(self).await
    }
}

/// A transaction on one connection. Reads run in autocommit mode (each statement sees the
/// latest commit); writes hold `BEGIN IMMEDIATE` until commit, and roll back when dropped.
pub struct SqliteTx {
    conn: Conn,
    write: bool,
    /// A write transaction that has begun and not ended.
    open: bool,
}

enum Conn {
    Locked(OwnedMutexGuard<Connection>),
    Pooled {
        conn: Option<Connection>,
        inner: Arc<Inner>,
        _permit: OwnedSemaphorePermit,
    },
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open {
            // Not committed: nothing of it remains.
            let _ = self.c().execute_batch("ROLLBACK");
        }
        if let Conn::Pooled { conn, inner, .. } = &mut self.conn
            && let Some(c) = conn.take()
            && let Ok(mut idle) = inner.idle.lock()
        {
            idle.push(c);
        }
    }
}

/// A query value as a bound parameter.
struct Bind<'a>(&'a Value);

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Float(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn text_of(v: ValueRef<'_>) -> StoreResult<String> {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8(t.to_vec())
            .map_err(|e| StoreError::Other(format!("stored text is not UTF-8: {e}"))),
        ValueRef::Null => Ok(String::new()),
        ValueRef::Integer(i) => Ok(i.to_string()),
        ValueRef::Real(f) => Ok(f.to_string()),
    }
}

fn key_of(v: ValueRef<'_>, t: ValueType) -> StoreResult<Value> {
    Ok(match (v, t) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(i), ValueType::Bool | ValueType::Int) => Value::Int(i),
        (ValueRef::Integer(i), ValueType::Float) => Value::Float(i as f64),
        (ValueRef::Real(f), ValueType::Float | ValueType::Int | ValueType::Bool) => Value::Float(f),
        (ValueRef::Integer(i), ValueType::Text) => Value::Text(i.to_string()),
        (ValueRef::Real(f), ValueType::Text) => Value::Text(f.to_string()),
        (ValueRef::Text(_) | ValueRef::Blob(_), _) => Value::Text(text_of(v)?),
    })
}

/// Whether a value to be written equals one read back (booleans are stored as integers).
fn same_value(new: &Value, stored: &Value) -> bool {
    match (new, stored) {
        (Value::Bool(b), Value::Int(i)) => i64::from(*b) == *i,
        (a, b) => a == b,
    }
}

fn row_of(r: &rusqlite::Row<'_>, key_types: &[ValueType]) -> StoreResult<Row> {
    let id = text_of(r.get_ref(0).map_err(db_err)?)?;
    let version: i64 = r.get(1).map_err(db_err)?;
    let data = text_of(r.get_ref(2).map_err(db_err)?)?;
    let mut keys = Vec::with_capacity(key_types.len());
    for (i, t) in key_types.iter().enumerate() {
        keys.push(key_of(r.get_ref(3 + i).map_err(db_err)?, *t)?);
    }
    Ok(Row {
        id,
        version,
        data,
        keys,
    })
}

impl SqliteTx {
    fn c(&self) -> &Connection {
        match &self.conn {
            Conn::Locked(g) => g,
            Conn::Pooled { conn, .. } => conn
                .as_ref()
                .expect("a pooled transaction holds its connection until dropped"),
        }
    }

    fn fetch(&self, sql: &str, binds: &[Value], key_types: &[ValueType]) -> StoreResult<Vec<Row>> {
        let mut st = self.c().prepare_cached(sql).map_err(db_err)?;
        let mut rows = st
            .query(rusqlite::params_from_iter(binds.iter().map(Bind)))
            .map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db_err)? {
            out.push(row_of(r, key_types)?);
        }
        Ok(out)
    }

    fn strings(&self, sql: &str, binds: &[&str]) -> StoreResult<Vec<String>> {
        let mut st = self.c().prepare_cached(sql).map_err(db_err)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(binds.iter()), |r| {
                r.get::<_, String>(0)
            })
            .map_err(db_err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
    }

    fn exec(&self, sql: &str, binds: &[Value]) -> StoreResult<usize> {
        self.check_write()?;
        let mut st = self.c().prepare_cached(sql).map_err(db_err)?;
        st.execute(rusqlite::params_from_iter(binds.iter().map(Bind)))
            .map_err(db_err)
    }

    /// The index column values of a row, or `None` when there is no such row.
    fn index_values(&self, kind: Kind, id: &str) -> StoreResult<Option<Vec<Value>>> {
        let cols = kind.columns();
        let mut st = self
            .c()
            .prepare_cached(&accessd_sql::index_values(D, kind))
            .map_err(db_err)?;
        let mut rows = st.query([id]).map_err(db_err)?;
        let Some(r) = rows.next().map_err(db_err)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(cols.len());
        for (i, c) in cols.iter().enumerate() {
            let t = match c.ty {
                accessd_domain::store::ColumnType::Text => ValueType::Text,
                accessd_domain::store::ColumnType::Bool => ValueType::Bool,
                accessd_domain::store::ColumnType::Int => ValueType::Int,
            };
            out.push(key_of(r.get_ref(i).map_err(db_err)?, t)?);
        }
        Ok(Some(out))
    }

    fn check_write(&self) -> StoreResult<()> {
        if self.write {
            Ok(())
        } else {
            Err(StoreError::Other(
                "write attempted in a read transaction".into(),
            ))
        }
    }
}

fn texts(values: &[&str]) -> Vec<Value> {
    values
        .iter()
        .map(|s| Value::Text((*s).to_string()))
        .collect()
}

/// Runs `f`, which may wait for the disk, off the async worker when the runtime allows it.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn get(&mut self, kind: Kind, id: &str) -> StoreResult<Option<Row>> {
        let sql = accessd_sql::get(D, kind);
        let rows = self.fetch(&sql.text, &[Value::Text(id.to_string())], &[])?;
        Ok(rows.into_iter().next())
    }

    async fn get_many(&mut self, kind: Kind, ids: &[String]) -> StoreResult<Vec<Row>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = accessd_sql::get_many(D, kind, chunk.len());
            let binds: Vec<Value> = chunk.iter().map(|s| Value::Text(s.clone())).collect();
            out.extend(self.fetch(&sql.text, &binds, &[])?);
        }
        Ok(out)
    }

    async fn query(&mut self, kind: Kind, query: &Query) -> StoreResult<Vec<Row>> {
        let (sql, types) =
            accessd_sql::select(D, kind, query).map_err(|e| StoreError::Other(e.to_string()))?;
        self.fetch(&sql.text, &sql.binds, &types)
    }

    async fn count(&mut self, kind: Kind, filter: Option<&Expr>) -> StoreResult<u64> {
        let sql =
            accessd_sql::count(D, kind, filter).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut st = self.c().prepare_cached(&sql.text).map_err(db_err)?;
        let n: i64 = st
            .query_row(
                rusqlite::params_from_iter(sql.binds.iter().map(Bind)),
                |r| r.get(0),
            )
            .map_err(db_err)?;
        Ok(n.max(0) as u64)
    }

    async fn insert(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
    ) -> StoreResult<()> {
        accessd_domain::store::check_index(kind, index)?;
        let mut binds = Vec::with_capacity(index.len() + 2);
        binds.push(Value::Text(id.to_string()));
        binds.extend_from_slice(index);
        binds.push(Value::Text(data.to_string()));
        self.exec(&accessd_sql::insert(D, kind), &binds)?;
        Ok(())
    }

    async fn update(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<i64> {
        self.check_write()?;
        accessd_domain::store::check_index(kind, index)?;
        // Only the index columns whose values change are written: SQLite rewrites every index
        // over a column the statement sets, changed or not.
        let Some(current) = self.index_values(kind, id)? else {
            return Err(StoreError::NotFound);
        };
        let changed: Vec<bool> = index
            .iter()
            .zip(&current)
            .map(|(new, old)| !same_value(new, old))
            .collect();
        let mut binds = Vec::with_capacity(index.len() + 3);
        binds.extend(
            index
                .iter()
                .zip(&changed)
                .filter(|(_, c)| **c)
                .map(|(v, _)| v.clone()),
        );
        binds.push(Value::Text(data.to_string()));
        binds.push(Value::Text(id.to_string()));
        if let Some(v) = expected_version {
            binds.push(Value::Int(v));
        }
        let sql = accessd_sql::update_columns(D, kind, &changed, expected_version.is_some());
        let v: Option<i64> = {
            let mut st = self.c().prepare_cached(&sql).map_err(db_err)?;
            let mut rows = st
                .query(rusqlite::params_from_iter(binds.iter().map(Bind)))
                .map_err(db_err)?;
            match rows.next().map_err(db_err)? {
                Some(r) => Some(r.get(0).map_err(db_err)?),
                None => None,
            }
        };
        match v {
            Some(v) => Ok(v),
            None if expected_version.is_some() && self.get(kind, id).await?.is_some() => Err(
                StoreError::Conflict(format!("{} {id} was changed by someone else", kind.table())),
            ),
            None => Err(StoreError::NotFound),
        }
    }

    async fn delete(&mut self, kind: Kind, id: &str) -> StoreResult<bool> {
        Ok(self.exec(&accessd_sql::delete(D, kind), &texts(&[id]))? > 0)
    }

    async fn link(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        Ok(self.exec(
            &accessd_sql::links::insert(D),
            &texts(&[link.as_str(), from, to]),
        )? > 0)
    }

    async fn unlink(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        Ok(self.exec(
            &accessd_sql::links::delete(D),
            &texts(&[link.as_str(), from, to]),
        )? > 0)
    }

    async fn linked(&mut self, link: Link, from: &str) -> StoreResult<Vec<String>> {
        self.strings(&accessd_sql::links::targets(D), &[link.as_str(), from])
    }

    async fn linked_to(&mut self, link: Link, to: &str) -> StoreResult<Vec<String>> {
        self.strings(&accessd_sql::links::sources(D), &[link.as_str(), to])
    }

    async fn unlink_all(&mut self, link: Link, id: &str) -> StoreResult<u64> {
        Ok(self.exec(
            &accessd_sql::links::delete_all(D),
            &texts(&[link.as_str(), id, id]),
        )? as u64)
    }

    async fn links_page(
        &mut self,
        link: Link,
        after: Option<(&str, &str)>,
        limit: u64,
    ) -> StoreResult<Vec<(String, String)>> {
        let sql = accessd_sql::links::page(D, after.is_some(), limit);
        let binds = match after {
            Some((f, t)) => texts(&[link.as_str(), f, f, t]),
            None => texts(&[link.as_str()]),
        };
        let mut st = self.c().prepare_cached(&sql).map_err(db_err)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(binds.iter().map(Bind)), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db_err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
    }

    async fn meta_all(&mut self) -> StoreResult<Vec<(String, String)>> {
        let mut st = self
            .c()
            .prepare_cached(&accessd_sql::meta::all(D))
            .map_err(db_err)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
    }

    async fn meta_get(&mut self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .strings(&accessd_sql::meta::get(D), &[key])?
            .into_iter()
            .next())
    }

    async fn meta_put(&mut self, key: &str, value: &str) -> StoreResult<()> {
        self.exec(&accessd_sql::meta::put(D), &texts(&[key, value]))?;
        Ok(())
    }

    async fn snapshot_save(&mut self, name: &str, created: &str) -> StoreResult<u64> {
        self.check_write()?;
        let c = self.c();
        blocking(|| snapshots::save(c, name, created))
    }

    async fn snapshot_restore(&mut self, name: &str) -> StoreResult<Option<SnapshotInfo>> {
        self.check_write()?;
        let c = self.c();
        blocking(|| snapshots::restore(c, name))
    }

    async fn snapshot_list(&mut self) -> StoreResult<Vec<SnapshotInfo>> {
        snapshots::list(self.c())
    }

    async fn snapshot_delete(&mut self, name: &str) -> StoreResult<bool> {
        self.check_write()?;
        let c = self.c();
        blocking(|| snapshots::delete(c, name))
    }

    async fn clear_tenant(&mut self) -> StoreResult<()> {
        self.check_write()?;
        let c = self.c();
        blocking(|| snapshots::clear(c))
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        if !self.open {
            return Ok(());
        }
        self.open = false;
        let c = self.c();
        blocking(|| c.execute_batch("COMMIT")).map_err(|e| {
            // A failed COMMIT leaves the transaction open; end it.
            let _ = c.execute_batch("ROLLBACK");
            db_err(e)
        })
    }
}

mod snapshots;

#[cfg(test)]
mod tests;
