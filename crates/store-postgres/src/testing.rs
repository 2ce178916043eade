//! Fresh databases for tests. `ACCESSD_TEST_POSTGRES` names a server (any database on it, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test gets a database of its own, made
//! from a migrated template (so it costs a file copy, not the migrations) and dropped when the
//! [`TestDatabase`] is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use accessd_domain::store::{StoreError, StoreResult};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::{PostgresStore, db_err};

/// The variable that names a PostgreSQL server for tests.
pub const ENV: &str = "ACCESSD_TEST_POSTGRES";

/// The advisory lock the template is made under ("accessd-t").
const TEMPLATE_LOCK: i64 = 0x6163_6365_7373_6474;

/// The server `ACCESSD_TEST_POSTGRES` names, if any.
pub fn server_url() -> Option<String> {
    std::env::var(ENV).ok().filter(|s| !s.trim().is_empty())
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database made for one test, dropped (with its connections) when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    server: String,
    name: String,
    /// The database's URL.
    pub url: String,
}

/// A digest of the migrations' checksums: the template's name changes with the schema.
fn schema_fingerprint() -> u64 {
    let migrator = sqlx::migrate!("./migrations");
    accessd_domain::etag::digest(migrator.iter().map(|m| &*m.checksum))
}

async fn connect(url: &str) -> StoreResult<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.map_err(db_err)?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

async fn terminate(admin: &tokio_postgres::Client, db: &str) -> StoreResult<()> {
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db],
        )
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Makes the migrated template if it is missing (one process at a time).
async fn ensure_template(server: &str, admin: &tokio_postgres::Client) -> StoreResult<String> {
    let template = format!("accessd_tpl_{:016x}", schema_fingerprint());
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK])
        .await
        .map_err(db_err)?;
    let made = make_template(server, admin, &template).await;
    admin
        .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK])
        .await
        .map_err(db_err)?;
    made.map(|()| template)
}

async fn make_template(
    server: &str,
    admin: &tokio_postgres::Client,
    template: &str,
) -> StoreResult<()> {
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await
        .map_err(db_err)?
        .is_some();
    if exists {
        return Ok(());
    }
    // Built under another name and renamed when migrated: a template that exists is complete.
    let building = format!("{template}_building");
    // One statement per call: neither may run inside the implicit transaction of a batch.
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
        format!("CREATE DATABASE \"{building}\""),
    ] {
        admin.batch_execute(&sql).await.map_err(db_err)?;
    }
    let store = PostgresStore::open(&with_database(server, &building)).await?;
    store.close();
    drop(store);
    for attempt in 0.. {
        terminate(admin, &building).await?;
        match admin
            .batch_execute(&format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
            ))
            .await
        {
            Ok(()) => break,
            Err(e) if attempt < 50 && e.code() == Some(&SqlState::OBJECT_IN_USE) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(db_err(e)),
        }
    }
    // Templates of earlier schemas are of no more use.
    let old = admin
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'accessd\\_tpl\\_%' AND datname <> $1",
            &[&template],
        )
        .await
        .map_err(db_err)?;
    for r in old {
        let name: String = r.get(0);
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
    Ok(())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDatabase {
    /// A new, migrated, empty database on `server`.
    pub async fn create(server: &str) -> StoreResult<TestDatabase> {
        let admin = connect(server).await?;
        let template = ensure_template(server, &admin).await?;
        // Unique across processes and runs: the pid, a counter and a random (per-process seeded)
        // number.
        let salt = {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
                & 0xffff_ffff
        };
        let name = format!(
            "accessd_t_{}_{}_{salt:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        for attempt in 0.. {
            match admin
                .batch_execute(&format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .await
            {
                Ok(()) => break,
                // Another test is copying the template at this moment.
                Err(e) if attempt < 100 && e.code() == Some(&SqlState::OBJECT_IN_USE) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(db_err(e)),
            }
        }
        // A test needs no durability across a crash of the PostgreSQL server itself: commits do
        // not wait for the disk. (Killing an accessd process loses nothing PostgreSQL
        // acknowledged, with or without this.)
        admin
            .batch_execute(&format!(
                "ALTER DATABASE \"{name}\" SET synchronous_commit = off"
            ))
            .await
            .map_err(db_err)?;
        Ok(TestDatabase {
            url: with_database(server, &name),
            server: server.to_string(),
            name,
        })
    }

    /// A new database and the store opened on it.
    pub async fn open(server: &str) -> StoreResult<(PostgresStore, TestDatabase)> {
        let db = TestDatabase::create(server).await?;
        let store = PostgresStore::open(&db.url).await?;
        Ok((store, db))
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Its own thread and runtime: the test's runtime may be shutting down.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Other(e.to_string()))?;
            rt.block_on(async {
                let admin = connect(&server).await?;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .map_err(db_err)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}
