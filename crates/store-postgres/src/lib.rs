//! The production store: PostgreSQL through tokio-postgres, with a pool of connections
//! (deadpool-postgres) that several accessd instances may share one database through.
//!
//! The same primitives as the embedded store, to the letter, rendered by `accessd-sql` in its
//! PostgreSQL dialect. Reads run on a pooled connection in autocommit mode (each statement
//! sees the latest commit, never blocks a writer). Writers are serialized, as the
//! [`Store`] contract says, across every instance on the database: a write transaction takes
//! a transaction-scoped advisory lock before its first statement, so the engine's
//! read-check-write use cases (one open request per target and package, uniqueness rules, due
//! work taken out before it is done) hold with any number of instances, exactly as they hold
//! on SQLite's single writer. Within an instance, writers queue on an async mutex first, so that
//! a burst of writes waits without holding a connection each. Commits use the server's
//! `synchronous_commit` (on by default): a write acknowledged has reached PostgreSQL's WAL.
//!
//! Migrations are sqlx's files and bookkeeping (`_sqlx_migrations`), applied under a
//! session-scoped advisory lock so that instances starting at once apply each exactly once.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use accessd_domain::query::{Expr, Query, Value, ValueType};
use accessd_domain::store::{Kind, Link, Row, SnapshotInfo, Store, StoreError, StoreResult, Tx};
use accessd_sql::{Dialect, Sql};
use async_trait::async_trait;
use bytes::{BufMut, BytesMut};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio_postgres::NoTls;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

mod snapshots;
pub mod testing;
mod tls;

const D: Dialect = Dialect::Postgres;

/// Connections per instance at most.
const POOL_SIZE: usize = 16;
/// The advisory lock every write transaction holds ("accessd-w").
const WRITER_LOCK: i64 = 0x6163_6365_7373_6477;
/// The advisory lock migrations run under ("accessd-m").
const MIGRATION_LOCK: i64 = 0x6163_6365_7373_646d;

/// The PostgreSQL implementation of [`Store`].
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// Queues this instance's writers before they ask the database for the writer lock.
    writer: Arc<Mutex<()>>,
    /// Where it is connected, without credentials (for `Debug` and logs).
    target: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Maps a driver error: unique violations are conflicts, lost connections and serialization
/// failures may be retried, the rest is the message PostgreSQL gave.
fn db_err(e: tokio_postgres::Error) -> StoreError {
    use tokio_postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            return StoreError::Conflict(db.message().to_string());
        }
        if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::TOO_MANY_CONNECTIONS
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
        {
            return StoreError::Unavailable(db.message().to_string());
        }
        return StoreError::Other(format!("{}: {}", code.code(), db.message()));
    }
    if e.is_closed() {
        return StoreError::Unavailable(format!("the database connection is closed: {e}"));
    }
    StoreError::Unavailable(e.to_string())
}

fn pool_err(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db_err(e),
        e => StoreError::Unavailable(format!("no database connection: {e}")),
    }
}

/// Whether a database URL names PostgreSQL.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The connection settings a URL names, and a description of it without credentials.
fn parse_url(url: &str) -> StoreResult<(tokio_postgres::Config, String)> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| StoreError::Other(format!("invalid PostgreSQL URL: {e}")))?;
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let target = format!(
        "postgres://{}:{port}/{}",
        hosts.join(","),
        config.get_dbname().unwrap_or_default()
    );
    Ok((config, target))
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and brings its
    /// schema up to date.
    pub async fn open(url: &str) -> StoreResult<PostgresStore> {
        let (url, tls) = tls::from_url(url)?;
        let url = url.as_str();
        let (mut config, target) = parse_url(url)?;
        if config.get_application_name().is_none() {
            config.application_name("accessd");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let mc = || ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match tls.connector.clone() {
            Some(c) => Manager::from_config(config, c, mc()),
            None => Manager::from_config(config, NoTls, mc()),
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Other(format!("database pool: {e}")))?;
        let store = PostgresStore {
            pool,
            writer: Arc::new(Mutex::new(())),
            target,
        };
        let mut c = match store.pool.get().await {
            Ok(c) => c,
            Err(deadpool_postgres::PoolError::Backend(e))
                if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_DATABASE) =>
            {
                // Like the SQLite file, the database is made when it is missing.
                create_database(url, &tls).await?;
                store.pool.get().await.map_err(pool_err)?
            }
            Err(e) => return Err(pool_err(e)),
        };
        migrate(&mut c).await?;
        Ok(store)
    }

    /// Where the store is connected, without credentials.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Gathers the planner's statistics (`ANALYZE`); bulk loaders call it after loading.
    pub async fn analyze(&self) -> StoreResult<()> {
        let c = self.pool.get().await.map_err(pool_err)?;
        c.batch_execute("ANALYZE").await.map_err(db_err)
    }

    /// `EXPLAIN` of a rendered query (tests and diagnostics).
    pub async fn explain(&self, sql: &Sql) -> StoreResult<String> {
        let c = self.pool.get().await.map_err(pool_err)?;
        let binds: Vec<Bind> = sql.binds.iter().map(Bind).collect();
        let params: Vec<&(dyn ToSql + Sync)> =
            binds.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let rows = c
            .query(&format!("EXPLAIN {}", sql.text), &params)
            .await
            .map_err(db_err)?;
        Ok(rows
            .iter()
            .filter_map(|r| r.try_get::<_, String>(0).ok())
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// The names of a table's columns (schema tests).
    pub async fn table_columns(&self, table: &str) -> StoreResult<Vec<String>> {
        let c = self.pool.get().await.map_err(pool_err)?;
        let rows = c
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1",
                &[&table],
            )
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| r.try_get::<_, String>(0).map_err(db_err))
            .collect()
    }

    /// Closes the pool: connections are closed as they come back.
    pub fn close(&self) {
        self.pool.close();
    }
}

/// Creates the database a URL names, connected to the server's `postgres` database.
async fn create_database(url: &str, tls: &tls::Tls) -> StoreResult<()> {
    let (config, target) = parse_url(url)?;
    let name = config
        .get_dbname()
        .ok_or_else(|| StoreError::Other("the PostgreSQL URL names no database".into()))?
        .to_string();
    if name.contains('"') {
        return Err(StoreError::Other(format!("invalid database name {name}")));
    }
    let mut admin = config.clone();
    admin.dbname("postgres");
    let client = match tls.connector.clone() {
        Some(c) => {
            let (client, conn) = admin.connect(c).await.map_err(db_err)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        }
        None => {
            let (client, conn) = admin.connect(NoTls).await.map_err(db_err)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        }
    };
    match client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
    {
        Ok(()) => {
            tracing::info!(database = target, "created the PostgreSQL database");
            Ok(())
        }
        // Another instance made it meanwhile.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => Ok(()),
        Err(e) => Err(db_err(e)),
    }
}

/// Applies the migrations in `./migrations` that the database lacks, recording them the way
/// sqlx does, one instance at a time.
async fn migrate(c: &mut Object) -> StoreResult<()> {
    let migrator = sqlx::migrate!("./migrations");
    c.query("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db_err)?;
    let result = apply_migrations(c, &migrator).await;
    let unlocked = c
        .query("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db_err);
    result.and(unlocked.map(|_| ()))
}

async fn apply_migrations(c: &mut Object, migrator: &sqlx::migrate::Migrator) -> StoreResult<()> {
    c.batch_execute(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
            success BOOLEAN NOT NULL,
            checksum BYTEA NOT NULL,
            execution_time BIGINT NOT NULL
        )",
    )
    .await
    .map_err(db_err)?;
    for m in migrator.iter() {
        if m.migration_type.is_down_migration() {
            continue;
        }
        let applied = c
            .query_opt(
                "SELECT success, checksum FROM _sqlx_migrations WHERE version = $1",
                &[&m.version],
            )
            .await
            .map_err(db_err)?
            .map(|r| (r.get::<_, bool>(0), r.get::<_, Vec<u8>>(1)));
        let applied = applied.as_ref().map(|(ok, sum)| (*ok, sum.as_slice()));
        if !accessd_sql::migration_needed(m.version, applied, &m.checksum)? {
            continue;
        }
        let started = std::time::Instant::now();
        tracing::info!(
            version = m.version,
            description = &*m.description,
            "applying a database migration"
        );
        let tx = c.transaction().await.map_err(db_err)?;
        tx.batch_execute(m.sql.as_str())
            .await
            .map_err(|e| StoreError::Other(format!("migration {} failed: {e}", m.version)))?;
        let description: &str = &m.description;
        let checksum: &[u8] = &m.checksum;
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES ($1, $2, TRUE, $3, $4)",
            &[
                &m.version,
                &description,
                &checksum,
                &(started.elapsed().as_nanos() as i64),
            ],
        )
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let client = self.pool.get().await.map_err(pool_err)?;
        Ok(Box::new(PgTx {
            client: Some(client),
            write: false,
            open: false,
            _writer: None,
        }))
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let queued = self.writer.clone().lock_owned().await;
        let client = self.pool.get().await.map_err(pool_err)?;
        client.batch_execute("BEGIN").await.map_err(db_err)?;
        let tx = PgTx {
            client: Some(client),
            write: true,
            open: true,
            _writer: Some(queued),
        };
        let lock = tx
            .c()
            .prepare_cached("SELECT pg_advisory_xact_lock($1)")
            .await;
        let locked = match lock {
            Ok(st) => tx.c().query(&st, &[&WRITER_LOCK]).await,
            Err(e) => Err(e),
        };
        locked.map_err(db_err)?;
        Ok(Box::new(tx))
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn close(&self) {
        PostgresStore::close(self);
    }

    async fn analyze(&self) -> StoreResult<()> {
        PostgresStore::analyze(self).await
    }
}

/// A transaction on one pooled connection. Reads run in autocommit mode; writes hold `BEGIN`
/// and the writer lock until commit, and roll back when dropped.
pub struct PgTx {
    client: Option<Object>,
    write: bool,
    /// A write transaction that has begun and not ended.
    open: bool,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // Not committed: roll back before the connection serves anyone else. Without a runtime
        // to do it on, the connection is closed instead (which ends the transaction).
        let Some(client) = self.client.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                h.spawn(async move {
                    if client.batch_execute("ROLLBACK").await.is_err() {
                        drop(Object::take(client));
                    }
                });
            }
            Err(_) => drop(Object::take(client)),
        }
    }
}

/// A query value as a bound parameter, encoded for the type PostgreSQL inferred for it.
struct Bind<'a>(&'a Value);

type BoxError = Box<dyn StdError + Sync + Send>;

impl std::fmt::Debug for Bind<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let int = |i: i64, out: &mut BytesMut| -> Result<IsNull, BoxError> {
            match *ty {
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT8 => i.to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                _ => text(&i.to_string(), ty, out),
            }
        };
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => match *ty {
                Type::BOOL => b.to_sql(ty, out),
                Type::INT2 | Type::INT4 | Type::INT8 => int(i64::from(*b), out),
                _ => text(if *b { "true" } else { "false" }, ty, out),
            },
            Value::Int(i) => int(*i, out),
            Value::Float(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Type::INT8 if f.fract() == 0.0 => (*f as i64).to_sql(ty, out),
                _ => text(&f.to_string(), ty, out),
            },
            Value::Text(s) => match *ty {
                Type::BOOL => match s.as_str() {
                    "true" | "1" => true.to_sql(ty, out),
                    "false" | "0" => false.to_sql(ty, out),
                    _ => Err(format!("'{s}' is not a boolean").into()),
                },
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.parse::<i32>()?.to_sql(ty, out),
                Type::FLOAT8 => s.parse::<f64>()?.to_sql(ty, out),
                // A path (`'{a,b}'::text[]`, as `accessd-sql` writes it): plain names, no quoting.
                Type::TEXT_ARRAY => {
                    let inner = s.trim_start_matches('{').trim_end_matches('}');
                    let parts: Vec<&str> = if inner.is_empty() {
                        vec![]
                    } else {
                        inner.split(',').collect()
                    };
                    parts.to_sql(ty, out)
                }
                _ => text(s, ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Text for a parameter of a text-like type (text, citext, varchar, unknown), or JSON.
fn text(s: &str, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    if *ty == Type::JSONB {
        // jsonb's binary form: a version byte, then the text.
        out.put_u8(1);
    }
    out.put_slice(s.as_bytes());
    Ok(IsNull::No)
}

/// A column of any type read back as a query value.
struct AnyValue(Value);

impl<'a> FromSql<'a> for AnyValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(AnyValue(match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Float(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Float(f64::from_sql(ty, raw)?),
            Type::JSONB => Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or(&[]))?.into()),
            _ => Value::Text(std::str::from_utf8(raw)?.to_string()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(AnyValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A sort key as the type the query declared for it.
fn key_as(v: Value, t: ValueType) -> Value {
    match (v, t) {
        (Value::Bool(b), ValueType::Int) => Value::Int(i64::from(b)),
        (Value::Int(i), ValueType::Float) => Value::Float(i as f64),
        (v, _) => v,
    }
}

fn row_of(r: &tokio_postgres::Row, key_types: &[ValueType]) -> StoreResult<Row> {
    let id: String = r.try_get(0).map_err(db_err)?;
    let version: i64 = r.try_get(1).map_err(db_err)?;
    let data: String = r.try_get(2).map_err(db_err)?;
    let mut keys = Vec::with_capacity(key_types.len());
    for (i, t) in key_types.iter().enumerate() {
        let v: AnyValue = r.try_get(3 + i).map_err(db_err)?;
        keys.push(key_as(v.0, *t));
    }
    Ok(Row {
        id,
        version,
        data,
        keys,
    })
}

fn texts(values: &[&str]) -> Vec<Value> {
    values
        .iter()
        .map(|s| Value::Text((*s).to_string()))
        .collect()
}

impl PgTx {
    fn c(&self) -> &Object {
        self.client
            .as_ref()
            .expect("a transaction holds its connection until dropped")
    }

    async fn rows(&self, sql: &str, binds: &[Value]) -> StoreResult<Vec<tokio_postgres::Row>> {
        let st = self.c().prepare_cached(sql).await.map_err(db_err)?;
        let binds: Vec<Bind> = binds.iter().map(Bind).collect();
        let params: Vec<&(dyn ToSql + Sync)> =
            binds.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        self.c().query(&st, &params).await.map_err(db_err)
    }

    async fn fetch(
        &self,
        sql: &str,
        binds: &[Value],
        key_types: &[ValueType],
    ) -> StoreResult<Vec<Row>> {
        self.rows(sql, binds)
            .await?
            .iter()
            .map(|r| row_of(r, key_types))
            .collect()
    }

    async fn strings(&self, sql: &str, binds: &[&str]) -> StoreResult<Vec<String>> {
        self.rows(sql, &texts(binds))
            .await?
            .iter()
            .map(|r| r.try_get::<_, String>(0).map_err(db_err))
            .collect()
    }

    async fn exec(&self, sql: &str, binds: &[Value]) -> StoreResult<u64> {
        self.check_write()?;
        let st = self.c().prepare_cached(sql).await.map_err(db_err)?;
        let binds: Vec<Bind> = binds.iter().map(Bind).collect();
        let params: Vec<&(dyn ToSql + Sync)> =
            binds.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        self.c().execute(&st, &params).await.map_err(db_err)
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

#[async_trait]
impl Tx for PgTx {
    async fn get(&mut self, kind: Kind, id: &str) -> StoreResult<Option<Row>> {
        let sql = accessd_sql::get(D, kind);
        let rows = self
            .fetch(&sql.text, &[Value::Text(id.to_string())], &[])
            .await?;
        Ok(rows.into_iter().next())
    }

    async fn get_many(&mut self, kind: Kind, ids: &[String]) -> StoreResult<Vec<Row>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = accessd_sql::get_many(D, kind, chunk.len());
            let binds: Vec<Value> = chunk.iter().map(|s| Value::Text(s.clone())).collect();
            out.extend(self.fetch(&sql.text, &binds, &[]).await?);
        }
        Ok(out)
    }

    async fn query(&mut self, kind: Kind, query: &Query) -> StoreResult<Vec<Row>> {
        let (sql, types) =
            accessd_sql::select(D, kind, query).map_err(|e| StoreError::Other(e.to_string()))?;
        self.fetch(&sql.text, &sql.binds, &types).await
    }

    async fn count(&mut self, kind: Kind, filter: Option<&Expr>) -> StoreResult<u64> {
        let sql =
            accessd_sql::count(D, kind, filter).map_err(|e| StoreError::Other(e.to_string()))?;
        let rows = self.rows(&sql.text, &sql.binds).await?;
        let n: i64 = rows
            .first()
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(db_err)?
            .unwrap_or(0);
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
        // A failed statement would abort the whole transaction in PostgreSQL (in SQLite only
        // the statement fails): a taken id or unique value is reported without failing.
        let sql = format!("{} ON CONFLICT DO NOTHING", accessd_sql::insert(D, kind));
        if self.exec(&sql, &binds).await? == 0 {
            return Err(StoreError::Conflict(format!(
                "{} {id} exists (or one of its unique values is taken)",
                kind.table()
            )));
        }
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
        // Every index column is written: PostgreSQL compares old and new values itself (an
        // update that changes no indexed value stays a heap-only tuple).
        let mut binds = Vec::with_capacity(index.len() + 3);
        binds.extend_from_slice(index);
        binds.push(Value::Text(data.to_string()));
        binds.push(Value::Text(id.to_string()));
        if let Some(v) = expected_version {
            binds.push(Value::Int(v));
        }
        let sql = accessd_sql::update(D, kind, expected_version.is_some());
        let rows = self.rows(&sql, &binds).await?;
        match rows.first() {
            Some(r) => r.try_get::<_, i64>(0).map_err(db_err),
            None if expected_version.is_some() && self.get(kind, id).await?.is_some() => Err(
                StoreError::Conflict(format!("{} {id} was changed by someone else", kind.table())),
            ),
            None => Err(StoreError::NotFound),
        }
    }

    async fn delete(&mut self, kind: Kind, id: &str) -> StoreResult<bool> {
        Ok(self
            .exec(&accessd_sql::delete(D, kind), &texts(&[id]))
            .await?
            > 0)
    }

    async fn link(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        Ok(self
            .exec(
                &accessd_sql::links::insert(D),
                &texts(&[link.as_str(), from, to]),
            )
            .await?
            > 0)
    }

    async fn unlink(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        Ok(self
            .exec(
                &accessd_sql::links::delete(D),
                &texts(&[link.as_str(), from, to]),
            )
            .await?
            > 0)
    }

    async fn linked(&mut self, link: Link, from: &str) -> StoreResult<Vec<String>> {
        self.strings(&accessd_sql::links::targets(D), &[link.as_str(), from])
            .await
    }

    async fn linked_to(&mut self, link: Link, to: &str) -> StoreResult<Vec<String>> {
        self.strings(&accessd_sql::links::sources(D), &[link.as_str(), to])
            .await
    }

    async fn unlink_all(&mut self, link: Link, id: &str) -> StoreResult<u64> {
        self.exec(
            &accessd_sql::links::delete_all(D),
            &texts(&[link.as_str(), id, id]),
        )
        .await
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
        self.rows(&sql, &binds)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0).map_err(db_err)?, r.try_get(1).map_err(db_err)?)))
            .collect()
    }

    async fn meta_all(&mut self) -> StoreResult<Vec<(String, String)>> {
        self.rows(&accessd_sql::meta::all(D), &[])
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0).map_err(db_err)?, r.try_get(1).map_err(db_err)?)))
            .collect()
    }

    async fn meta_get(&mut self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .strings(&accessd_sql::meta::get(D), &[key])
            .await?
            .into_iter()
            .next())
    }

    async fn meta_put(&mut self, key: &str, value: &str) -> StoreResult<()> {
        self.exec(&accessd_sql::meta::put(D), &texts(&[key, value]))
            .await?;
        Ok(())
    }

    async fn snapshot_save(&mut self, name: &str, created: &str) -> StoreResult<u64> {
        self.check_write()?;
        snapshots::save(self.c(), name, created).await
    }

    async fn snapshot_restore(&mut self, name: &str) -> StoreResult<Option<SnapshotInfo>> {
        self.check_write()?;
        snapshots::restore(self.c(), name).await
    }

    async fn snapshot_list(&mut self) -> StoreResult<Vec<SnapshotInfo>> {
        snapshots::list(self.c()).await
    }

    async fn snapshot_delete(&mut self, name: &str) -> StoreResult<bool> {
        self.check_write()?;
        snapshots::delete(self.c(), name).await
    }

    async fn clear_tenant(&mut self) -> StoreResult<()> {
        self.check_write()?;
        snapshots::clear(self.c()).await
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        if !self.open {
            return Ok(());
        }
        let r = self.c().batch_execute("COMMIT").await;
        match r {
            Ok(()) => {
                self.open = false;
                Ok(())
            }
            // Left open: dropping rolls back (or closes the connection).
            Err(e) => Err(db_err(e)),
        }
    }
}

#[cfg(test)]
mod tests;
