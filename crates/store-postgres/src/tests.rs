//! The store against a real PostgreSQL server: the shared behavioural suite, then what is
//! PostgreSQL's own (schema, plans, several stores on one database). Each test makes a
//! database of its own on the server `ACCESSD_TEST_POSTGRES` names, and skips, saying so, when
//! it names none.

use std::sync::Arc;

use accessd_domain::Catalog;
use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Store, TxExt};
use accessd_store_suite::catalog;

use super::*;
use crate::testing::{TestDatabase, server_url};

fn server() -> Option<String> {
    let s = server_url();
    if s.is_none() {
        // Past the test harness's capture, so that the skip is seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: the PostgreSQL store tests need {} to name a server (e.g. postgres://postgres@127.0.0.1:5432/postgres)",
            testing::ENV
        );
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behavioural_suite() {
    let Some(server) = server() else { return };
    for case in accessd_store_suite::CASES {
        let (store, db) = TestDatabase::open(&server).await.unwrap();
        accessd_store_suite::run(case, Arc::new(store.clone())).await;
        store.close();
        drop(db);
    }
}

#[tokio::test]
async fn schema_has_every_declared_column() {
    let Some(server) = server() else { return };
    let (store, _db) = TestDatabase::open(&server).await.unwrap();
    for kind in Kind::ALL {
        let cols = store.table_columns(kind.table()).await.unwrap();
        for c in kind.columns() {
            assert!(
                cols.iter().any(|x| x == c.name),
                "{} lacks {}",
                kind.table(),
                c.name
            );
        }
        assert_eq!(
            cols.len(),
            kind.columns().len() + 3,
            "{} has extra columns: {cols:?}",
            kind.table()
        );
    }
}

/// Opening a migrated database again applies nothing and keeps the data; two stores (two
/// instances) on one database see each other's commits.
#[tokio::test]
async fn reopening_and_two_stores_on_one_database() {
    let Some(server) = server() else { return };
    let (a, db) = TestDatabase::open(&server).await.unwrap();
    let b = PostgresStore::open(&db.url).await.unwrap();
    let mut tx = a.write().await.unwrap();
    tx.create(&catalog("c1", "Shared")).await.unwrap();
    tx.commit().await.unwrap();
    let mut r = b.read().await.unwrap();
    assert!(r.load::<Catalog>("c1").await.unwrap().is_some());
    drop(r);
    // A writer of one store holds the other's back until it ends.
    let tx = a.write().await.unwrap();
    let waiting = tokio::spawn({
        let b = b.clone();
        async move {
            let mut tx = b.write().await.unwrap();
            tx.meta_put("b", "after a").await.unwrap();
            tx.commit().await.unwrap();
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the second writer waited");
    drop(tx);
    waiting.await.unwrap();
    let mut r = a.read().await.unwrap();
    assert_eq!(r.meta_get("b").await.unwrap().as_deref(), Some("after a"));
}

/// Lookups by id and by relationship are index scans once the tables hold enough rows for the
/// planner to prefer them.
#[tokio::test]
async fn lookups_by_relationship_use_indexes() {
    let Some(server) = server() else { return };
    let (store, _db) = TestDatabase::open(&server).await.unwrap();
    {
        let c = store.pool.get().await.unwrap();
        c.batch_execute(
            "INSERT INTO assignments (id, version, access_package_id, target_object_id, policy_id, data)
             SELECT 'a' || i, 1, 'p' || (i % 500), 'u' || (i % 2000), 'pol' || (i % 50), '{}'
             FROM generate_series(1, 20000) AS i; ANALYZE assignments;",
        )
        .await
        .unwrap();
    }
    for col in ["access_package_id", "target_object_id", "policy_id"] {
        let q = Query {
            limit: Some(100),
            ..Query::filtered(Expr::col_eq(col, "x"))
        };
        let (sql, _) = accessd_sql::select(D, Kind::Assignment, &q).unwrap();
        let plan = store.explain(&sql).await.unwrap();
        assert!(
            plan.contains(&format!("assignments_{col}")),
            "{col}: {plan}"
        );
    }
}

#[test]
fn database_urls() {
    assert_eq!(
        testing::with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
        "postgres://u:p@h:5432/x?sslmode=disable"
    );
    assert_eq!(
        testing::with_database("postgres://h", "x"),
        "postgres://h/x"
    );
    let (_, target) = parse_url("postgres://user:secret@db.example:6543/accessd").unwrap();
    assert_eq!(target, "postgres://db.example:6543/accessd");
    assert!(!target.contains("secret"));
}

/// `sslmode` as libpq reads it: `disable` is plain, `require` encrypted (the certificate not
/// checked), `verify-full` checks the certificate (here a self-signed one, so it is refused).
#[tokio::test]
async fn tls_as_sslmode_says() {
    let Some(server) = server() else { return };
    let db = TestDatabase::create(&server).await.unwrap();
    let with = |mode: &str| {
        let sep = if db.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}sslmode={mode}", db.url)
    };
    async fn encrypted(store: &PostgresStore) -> bool {
        let c = store.pool.get().await.unwrap();
        c.query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get::<_, bool>(0)
    }
    let plain = PostgresStore::open(&with("disable")).await.unwrap();
    assert!(!encrypted(&plain).await);
    let server_has_tls = {
        let c = plain.pool.get().await.unwrap();
        c.query_one("SHOW ssl", &[])
            .await
            .unwrap()
            .get::<_, String>(0)
            == "on"
    };
    plain.close();
    assert!(matches!(
        PostgresStore::open(&with("sometimes")).await,
        Err(StoreError::Other(m)) if m.contains("sslmode=sometimes")
    ));
    if !server_has_tls {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: the PostgreSQL server has ssl off"
        );
        return;
    }
    let tls = PostgresStore::open(&with("require")).await.unwrap();
    assert!(encrypted(&tls).await);
    tls.close();
    // The default is libpq's: TLS when the server offers it.
    let default = PostgresStore::open(&db.url).await.unwrap();
    assert!(encrypted(&default).await);
    default.close();
    assert!(PostgresStore::open(&with("verify-full")).await.is_err());
}
