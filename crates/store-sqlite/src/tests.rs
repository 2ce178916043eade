//! The store's primitives against a real SQLite database (in memory and on disk).

use super::*;
use accessd_domain::query::{CmpOp, OrderKey};
use accessd_domain::store::TxExt;
use accessd_domain::{Catalog, CatalogState, CatalogType, PrivilegeLevel, Timestamp, model::Audit};

fn catalog(id: &str, name: &str) -> Catalog {
    let now = Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
    Catalog {
        id: id.into(),
        display_name: Some(name.into()),
        description: None,
        catalog_type: CatalogType::UserManaged,
        state: CatalogState::Published,
        is_externally_visible: false,
        unique_name: None,
        privilege_level: PrivilegeLevel::Standard,
        audit: Audit::new(now, None),
    }
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
async fn crud_links_meta_and_rollback() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = store.write().await.unwrap();
    tx.create(&catalog("c1", "Sales")).await.unwrap();
    tx.create(&catalog("c2", "Marketing")).await.unwrap();
    assert!(matches!(
        tx.create(&catalog("c1", "dup")).await,
        Err(StoreError::Conflict(_))
    ));
    tx.link(Link::GroupMember, "g", "u1").await.unwrap();
    assert!(!tx.link(Link::GroupMember, "g", "u1").await.unwrap());
    tx.meta_put("k", "v1").await.unwrap();
    tx.meta_put("k", "v2").await.unwrap();
    tx.commit().await.unwrap();

    // Dropped without commit: nothing of it remains.
    let mut tx = store.write().await.unwrap();
    tx.delete(Kind::Catalog, "c2").await.unwrap();
    tx.create(&catalog("c3", "Ghost")).await.unwrap();
    drop(tx);

    let mut r = store.read().await.unwrap();
    assert!(r.load::<Catalog>("c2").await.unwrap().is_some());
    assert!(r.load::<Catalog>("c3").await.unwrap().is_none());
    assert_eq!(r.meta_get("k").await.unwrap().as_deref(), Some("v2"));
    assert_eq!(
        r.linked(Link::GroupMember, "g").await.unwrap(),
        vec!["u1".to_string()]
    );
    assert_eq!(
        r.linked_to(Link::GroupMember, "u1").await.unwrap(),
        vec!["g".to_string()]
    );
    // Case-insensitive display names, as the directory compares them.
    let found: Vec<Catalog> = r
        .find(&Query::filtered(Expr::col_eq("display_name", "sales")))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(matches!(
        r.delete(Kind::Catalog, "c1").await,
        Err(StoreError::Other(_))
    ));
}

#[tokio::test]
async fn versions_and_expected_version() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = store.write().await.unwrap();
    let mut c = catalog("c1", "A");
    tx.create(&c).await.unwrap();
    c.description = Some("d".into());
    let data = serde_json_string(&c);
    assert_eq!(
        tx.update(
            Kind::Catalog,
            "c1",
            &accessd_domain::Entity::index(&c),
            &data,
            Some(1)
        )
        .await
        .unwrap(),
        2
    );
    assert!(matches!(
        tx.update(
            Kind::Catalog,
            "c1",
            &accessd_domain::Entity::index(&c),
            &data,
            Some(1)
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        tx.update(
            Kind::Catalog,
            "nope",
            &accessd_domain::Entity::index(&c),
            &data,
            None
        )
        .await,
        Err(StoreError::NotFound)
    ));
    tx.commit().await.unwrap();
}

fn serde_json_string(c: &Catalog) -> String {
    accessd_domain::store::encode(c).unwrap()
}

#[tokio::test]
async fn keyset_pages_walk_everything_once() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = store.write().await.unwrap();
    for i in 0..25 {
        tx.create(&catalog(&format!("c{i:02}"), &format!("n{}", i % 4)))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let q = Query {
            filter: None,
            order: vec![OrderKey {
                expr: Expr::Column("display_name"),
                descending: true,
            }],
            after: after.clone(),
            limit: Some(7),
            offset: None,
        };
        let rows = r.query(Kind::Catalog, &q).await.unwrap();
        if rows.is_empty() {
            break;
        }
        let last = rows.last().unwrap();
        let mut cursor = last.keys.clone();
        cursor.push(Value::Text(last.id.clone()));
        after = Some(cursor);
        seen.extend(rows.into_iter().map(|r| r.id));
    }
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 25);
    let n = r
        .count(
            Kind::Catalog,
            Some(&Expr::Cmp(
                Box::new(Expr::Column("display_name")),
                CmpOp::Eq,
                Box::new(Expr::Lit("n1".into())),
            )),
        )
        .await
        .unwrap();
    assert_eq!(n, 6);
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

/// Keyset pages over a key with nulls and repeated values, both directions: every row once, in
/// the order `ORDER BY` gives (nulls first ascending, last descending).
#[tokio::test]
async fn keyset_pages_over_nulls_in_both_directions() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = store.write().await.unwrap();
    for i in 0..23 {
        let mut c = catalog(&format!("c{i:02}"), &format!("n{}", i % 3));
        c.unique_name = (i % 4 != 0).then(|| format!("u{}", i % 5));
        tx.create(&c).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    for descending in [false, true] {
        let order = vec![
            OrderKey {
                expr: Expr::Column("unique_name"),
                descending,
            },
            OrderKey {
                expr: Expr::Column("display_name"),
                descending: !descending,
            },
        ];
        let all = r
            .query(
                Kind::Catalog,
                &Query {
                    order: order.clone(),
                    ..Query::default()
                },
            )
            .await
            .unwrap();
        let want: Vec<String> = all.iter().map(|x| x.id.clone()).collect();
        assert_eq!(want.len(), 23);
        let first_null = all[0].keys[0] == Value::Null;
        assert_eq!(
            first_null, !descending,
            "nulls first ascending, last descending"
        );
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let rows = r
                .query(
                    Kind::Catalog,
                    &Query {
                        order: order.clone(),
                        after: after.clone(),
                        limit: Some(4),
                        ..Query::default()
                    },
                )
                .await
                .unwrap();
            let Some(last) = rows.last() else { break };
            let mut cursor = last.keys.clone();
            cursor.push(Value::Text(last.id.clone()));
            after = Some(cursor);
            seen.extend(rows.iter().map(|x| x.id.clone()));
        }
        assert_eq!(seen, want, "descending: {descending}");
    }
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

/// A list longer than SQLite's limit of bound parameters (32,766) is one JSON parameter, so a
/// filter such as `id in (...)` built from a large tenant's rows still runs.
#[tokio::test]
async fn in_lists_beyond_the_parameter_limit() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let mut tx = store.write().await.unwrap();
    tx.create(&catalog("c1", "Sales")).await.unwrap();
    tx.create(&catalog("c2", "Marketing")).await.unwrap();
    tx.create(&catalog("c3", "Legal")).await.unwrap();
    tx.commit().await.unwrap();
    let mut ids: Vec<Value> = (0..40_000).map(|i| Value::Text(format!("x{i}"))).collect();
    ids.push(Value::Text("c3".into()));
    ids.push(Value::Text("c1".into()));
    let q = Query::filtered(Expr::In(Box::new(Expr::Column("id")), ids));
    let mut tx = store.read().await.unwrap();
    let rows = tx.query(Kind::Catalog, &q).await.unwrap();
    let got: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(got, ["c1", "c3"]);
    assert_eq!(tx.count(Kind::Catalog, q.filter.as_ref()).await.unwrap(), 2);
}
