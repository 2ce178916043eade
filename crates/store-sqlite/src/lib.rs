//! The embedded store: SQLite through sqlx.
//!
//! Two pools: one connection that writes (SQLite has one writer; a pool of one makes writers
//! queue in-process instead of failing with `SQLITE_BUSY`), and several that read (WAL mode lets
//! them read while the writer writes). Write transactions begin `IMMEDIATE` and commit with
//! `synchronous=FULL`, so a commit that returned has reached the disk. `sqlite::memory:` is one
//! connection for everything (each in-memory connection would otherwise be its own database).

use std::str::FromStr;
use std::time::Duration;

use accessd_domain::query::{Expr, Query, Value, ValueType};
use accessd_domain::store::{Kind, Link, Row, Store, StoreError, StoreResult, Tx};
use accessd_sql::{Dialect, Sql};
use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Arguments, AssertSqlSafe, Row as _, Sqlite, SqliteConnection, SqlitePool, Transaction};

const D: Dialect = Dialect::Sqlite;

/// The SQLite implementation of [`Store`].
#[derive(Clone, Debug)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path.db` or
    /// `sqlite::memory:`) and brings its schema up to date.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("invalid database URL {url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000")
            .pragma("temp_store", "memory")
            .statement_cache_capacity(256);
        let store = if memory {
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(opts)
                .await
                .map_err(db_err)?;
            SqliteStore {
                writer: pool.clone(),
                reader: pool,
            }
        } else {
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(opts.clone())
                .await
                .map_err(db_err)?;
            let readers = std::thread::available_parallelism()
                .map_or(4, |n| n.get())
                .clamp(2, 8) as u32
                * 2;
            let reader = SqlitePoolOptions::new()
                .max_connections(readers)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(opts.read_only(false))
                .await
                .map_err(db_err)?;
            SqliteStore { writer, reader }
        };
        sqlx::migrate!("./migrations")
            .run(&store.writer)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))?;
        Ok(store)
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) => {
            let msg = d.message().to_string();
            if d.is_unique_violation() {
                StoreError::Conflict(msg)
            } else if msg.contains("database is locked") || msg.contains("busy") {
                StoreError::Unavailable(msg)
            } else {
                StoreError::Other(msg)
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let conn = self.reader.acquire().await.map_err(db_err)?;
        Ok(Box::new(SqliteTx {
            conn: Conn::Read(conn),
        }))
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        Ok(Box::new(SqliteTx {
            conn: Conn::Write(tx),
        }))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn close(&self) {
        SqliteStore::close(self).await;
    }
}

/// A transaction on one pooled connection. Reads run in autocommit mode (each statement sees
/// the latest commit); writes hold `BEGIN IMMEDIATE` until commit, and roll back when dropped.
pub struct SqliteTx {
    conn: Conn,
}

enum Conn {
    Read(PoolConnection<Sqlite>),
    Write(Transaction<'static, Sqlite>),
}

fn bind_all(values: &[Value]) -> StoreResult<SqliteArguments> {
    let mut args = SqliteArguments::default();
    for v in values {
        let r = match v {
            Value::Null => args.add(Option::<String>::None),
            Value::Bool(b) => args.add(*b),
            Value::Int(i) => args.add(*i),
            Value::Float(f) => args.add(*f),
            Value::Text(s) => args.add(s.clone()),
        };
        r.map_err(|e| StoreError::Other(format!("bind: {e}")))?;
    }
    Ok(args)
}

fn text_args(values: &[&str]) -> StoreResult<SqliteArguments> {
    let v: Vec<Value> = values
        .iter()
        .map(|s| Value::Text((*s).to_string()))
        .collect();
    bind_all(&v)
}

fn row_of(r: &SqliteRow, key_types: &[ValueType]) -> StoreResult<Row> {
    let id: String = r.try_get(0).map_err(|e| StoreError::Other(e.to_string()))?;
    let version: i64 = r.try_get(1).map_err(|e| StoreError::Other(e.to_string()))?;
    let data: String = r.try_get(2).map_err(|e| StoreError::Other(e.to_string()))?;
    let mut keys = Vec::with_capacity(key_types.len());
    for (i, t) in key_types.iter().enumerate() {
        let idx = 3 + i;
        let v = match t {
            ValueType::Text => r.try_get::<Option<String>, _>(idx).map(Value::from),
            ValueType::Int | ValueType::Bool => r
                .try_get::<Option<i64>, _>(idx)
                .map(|o| o.map_or(Value::Null, Value::Int)),
            ValueType::Float => r
                .try_get::<Option<f64>, _>(idx)
                .map(|o| o.map_or(Value::Null, Value::Float)),
        }
        .map_err(|e| StoreError::Other(e.to_string()))?;
        keys.push(v);
    }
    Ok(Row {
        id,
        version,
        data,
        keys,
    })
}

impl SqliteTx {
    fn c(&mut self) -> &mut SqliteConnection {
        match &mut self.conn {
            Conn::Read(c) => c,
            Conn::Write(t) => t,
        }
    }

    async fn fetch(&mut self, sql: Sql, key_types: &[ValueType]) -> StoreResult<Vec<Row>> {
        let args = bind_all(&sql.binds)?;
        let rows = sqlx::query_with(AssertSqlSafe(sql.text), args)
            .fetch_all(self.c())
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| row_of(r, key_types)).collect()
    }

    fn check_write(&self) -> StoreResult<()> {
        if matches!(self.conn, Conn::Write(_)) {
            Ok(())
        } else {
            Err(StoreError::Other(
                "write attempted in a read transaction".into(),
            ))
        }
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn get(&mut self, kind: Kind, id: &str) -> StoreResult<Option<Row>> {
        let sql = accessd_sql::get(D, kind);
        let rows = self
            .fetch(
                Sql {
                    text: sql.text,
                    binds: vec![Value::Text(id.to_string())],
                },
                &[],
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    async fn get_many(&mut self, kind: Kind, ids: &[String]) -> StoreResult<Vec<Row>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = accessd_sql::get_many(D, kind, chunk.len());
            let binds = chunk.iter().map(|s| Value::Text(s.clone())).collect();
            out.extend(
                self.fetch(
                    Sql {
                        text: sql.text,
                        binds,
                    },
                    &[],
                )
                .await?,
            );
        }
        Ok(out)
    }

    async fn query(&mut self, kind: Kind, query: &Query) -> StoreResult<Vec<Row>> {
        let (sql, types) =
            accessd_sql::select(D, kind, query).map_err(|e| StoreError::Other(e.to_string()))?;
        self.fetch(sql, &types).await
    }

    async fn count(&mut self, kind: Kind, filter: Option<&Expr>) -> StoreResult<u64> {
        let sql =
            accessd_sql::count(D, kind, filter).map_err(|e| StoreError::Other(e.to_string()))?;
        let args = bind_all(&sql.binds)?;
        let n: i64 = sqlx::query_scalar_with(AssertSqlSafe(sql.text), args)
            .fetch_one(self.c())
            .await
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
        self.check_write()?;
        let mut binds = Vec::with_capacity(index.len() + 2);
        binds.push(Value::Text(id.to_string()));
        binds.extend_from_slice(index);
        binds.push(Value::Text(data.to_string()));
        let args = bind_all(&binds)?;
        sqlx::query_with(AssertSqlSafe(accessd_sql::insert(D, kind)), args)
            .execute(self.c())
            .await
            .map_err(db_err)?;
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
        let mut binds = Vec::with_capacity(index.len() + 3);
        binds.extend_from_slice(index);
        binds.push(Value::Text(data.to_string()));
        binds.push(Value::Text(id.to_string()));
        if let Some(v) = expected_version {
            binds.push(Value::Int(v));
        }
        let args = bind_all(&binds)?;
        let v: Option<i64> = sqlx::query_scalar_with(
            AssertSqlSafe(accessd_sql::update(D, kind, expected_version.is_some())),
            args,
        )
        .fetch_optional(self.c())
        .await
        .map_err(db_err)?;
        match v {
            Some(v) => Ok(v),
            None if expected_version.is_some() && self.get(kind, id).await?.is_some() => Err(
                StoreError::Conflict(format!("{} {id} was changed by someone else", kind.table())),
            ),
            None => Err(StoreError::NotFound),
        }
    }

    async fn delete(&mut self, kind: Kind, id: &str) -> StoreResult<bool> {
        self.check_write()?;
        let r = sqlx::query_with(
            AssertSqlSafe(accessd_sql::delete(D, kind)),
            text_args(&[id])?,
        )
        .execute(self.c())
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn link(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        self.check_write()?;
        let r = sqlx::query_with(
            AssertSqlSafe(accessd_sql::links::insert(D)),
            text_args(&[link.as_str(), from, to])?,
        )
        .execute(self.c())
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn unlink(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        self.check_write()?;
        let r = sqlx::query_with(
            AssertSqlSafe(accessd_sql::links::delete(D)),
            text_args(&[link.as_str(), from, to])?,
        )
        .execute(self.c())
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn linked(&mut self, link: Link, from: &str) -> StoreResult<Vec<String>> {
        sqlx::query_scalar_with(
            AssertSqlSafe(accessd_sql::links::targets(D)),
            text_args(&[link.as_str(), from])?,
        )
        .fetch_all(self.c())
        .await
        .map_err(db_err)
    }

    async fn linked_to(&mut self, link: Link, to: &str) -> StoreResult<Vec<String>> {
        sqlx::query_scalar_with(
            AssertSqlSafe(accessd_sql::links::sources(D)),
            text_args(&[link.as_str(), to])?,
        )
        .fetch_all(self.c())
        .await
        .map_err(db_err)
    }

    async fn unlink_all(&mut self, link: Link, id: &str) -> StoreResult<u64> {
        self.check_write()?;
        let r = sqlx::query_with(
            AssertSqlSafe(accessd_sql::links::delete_all(D)),
            text_args(&[link.as_str(), id, id])?,
        )
        .execute(self.c())
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn meta_get(&mut self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar_with(AssertSqlSafe(accessd_sql::meta::get(D)), text_args(&[key])?)
            .fetch_optional(self.c())
            .await
            .map_err(db_err)
    }

    async fn meta_put(&mut self, key: &str, value: &str) -> StoreResult<()> {
        self.check_write()?;
        sqlx::query_with(
            AssertSqlSafe(accessd_sql::meta::put(D)),
            text_args(&[key, value])?,
        )
        .execute(self.c())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        match self.conn {
            Conn::Read(_) => Ok(()),
            Conn::Write(t) => t.commit().await.map_err(db_err),
        }
    }
}

#[cfg(test)]
mod tests;
