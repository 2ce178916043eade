//! The store's primitives against a real SQLite database (in memory and on disk): the shared
//! behavioural suite (`accessd-store-suite`), then what is SQLite's own (files, plans, sqlx's
//! bookkeeping).

use super::*;
use accessd_domain::Catalog;
use accessd_domain::store::TxExt;

use accessd_store_suite::catalog;

/// Every case of the shared suite, each on a fresh in-memory database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behavioural_suite() {
    for case in accessd_store_suite::CASES {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        accessd_store_suite::run(case, std::sync::Arc::new(store)).await;
    }
    // And on a file (readers on their own connections).
    let dir = std::env::temp_dir().join(format!("accessd-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, case) in accessd_store_suite::CASES.iter().enumerate() {
        let url = format!("sqlite://{}", dir.join(format!("s{i}.db")).display());
        let store = SqliteStore::open(&url).await.unwrap();
        accessd_store_suite::run(case, std::sync::Arc::new(store.clone())).await;
        store.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn schema_has_every_declared_column() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
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

#[tokio::test]
async fn file_database_survives_reopen() {
    let dir = std::env::temp_dir().join(format!("accessd-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.db");
    let url = format!("sqlite://{}", path.display());
    {
        let store = SqliteStore::open(&url).await.unwrap();
        let mut tx = store.write().await.unwrap();
        tx.create(&catalog("c1", "Kept")).await.unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(&url).await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(
        r.load::<Catalog>("c1")
            .await
            .unwrap()
            .unwrap()
            .display_name
            .as_deref(),
        Some("Kept")
    );
    drop(r);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plan SQLite picks for a rendered query.
async fn plan(store: &SqliteStore, kind: Kind, q: &Query) -> String {
    let (sql, _) = accessd_sql::select(D, kind, q).unwrap();
    store.explain(&sql).await.unwrap()
}

#[tokio::test]
async fn lookups_by_id_and_relationship_use_indexes() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let by_id = plan(
        &store,
        Kind::Assignment,
        &Query::filtered(Expr::col_eq("id", "x")),
    )
    .await;
    assert!(
        by_id.contains("USING INDEX sqlite_autoindex_assignments_1")
            || by_id.contains("PRIMARY KEY"),
        "{by_id}"
    );
    for (kind, col) in [
        (Kind::Assignment, "target_object_id"),
        (Kind::Assignment, "access_package_id"),
        (Kind::Assignment, "policy_id"),
        (Kind::Policy, "access_package_id"),
        (Kind::AccessPackage, "catalog_id"),
        (Kind::AssignmentRequest, "assignment_id"),
        (Kind::ResourceRoleScope, "access_package_id"),
        (Kind::Subject, "object_id"),
    ] {
        let q = Query {
            limit: Some(100),
            ..Query::filtered(Expr::col_eq(col, "x"))
        };
        let p = plan(&store, kind, &q).await;
        assert!(
            p.contains(&format!("INDEX {}_{col}", kind.table())),
            "{kind:?}.{col}: {p}"
        );
        if kind == Kind::Assignment && (col == "access_package_id" || col == "target_object_id") {
            // A package's and a user's assignments are read from the index alone (migration 0002).
            assert!(p.contains("USING COVERING INDEX"), "{p}");
        }
        assert!(
            !p.contains("USE TEMP B-TREE"),
            "{kind:?}.{col} sorts instead of walking the index: {p}"
        );
        // The next page (keyset) walks the same index.
        let q = Query {
            after: Some(vec![Value::Text("id5".into())]),
            ..q
        };
        let p = plan(&store, kind, &q).await;
        assert!(
            p.contains(&format!("INDEX {}_{col}", kind.table())),
            "{kind:?}.{col} next page: {p}"
        );
    }
    // Links are looked up from both ends.
    let q = Query::filtered(Expr::Linked {
        link: Link::DeliveredBy,
        reverse: false,
        kind: Kind::Assignment,
        filter: Box::new(Expr::col_eq("id", "a")),
        all: false,
    });
    let p = plan(&store, Kind::AssignmentResourceRole, &q).await;
    assert!(p.contains("links"), "{p}");
    assert!(!p.contains("SCAN l"), "{p}");
}

/// A database whose migrations sqlx itself applied (as accessd did before it read SQLite through
/// rusqlite) opens as is: same bookkeeping, same checksums, nothing applied twice.
#[tokio::test]
async fn databases_migrated_by_sqlx_open_unchanged() {
    use sqlx::ConnectOptions;
    let dir = std::env::temp_dir().join(format!("accessd-sqlx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("old.db");
    let _ = std::fs::remove_file(&path);
    {
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::migrate!("./migrations").run(&mut c).await.unwrap();
        sqlx::query("INSERT INTO meta (key, value) VALUES ('tenant_id', 'from-sqlx')")
            .execute(&mut c)
            .await
            .unwrap();
    }
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::open(&url).await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(
        r.meta_get("tenant_id").await.unwrap().as_deref(),
        Some("from-sqlx")
    );
    drop(r);
    let mut w = store.write().await.unwrap();
    w.create(&catalog("c1", "After")).await.unwrap();
    w.commit().await.unwrap();
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
