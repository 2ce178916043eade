//! The behavioural suite of the storage boundary: what every [`Store`] must do, written once
//! and run by each backend's tests on a fresh, empty, migrated store (`accessd-store-sqlite`
//! on SQLite, `accessd-store-postgres` on PostgreSQL). Each function panics on the first
//! difference. [`run_all`] runs them in turn; each needs a store of its own.

use std::sync::Arc;

use accessd_domain::query::{CmpOp, Expr, OrderKey, Query, Value};
use accessd_domain::store::{Kind, Link, Store, StoreError, TxExt};
use accessd_domain::{Catalog, CatalogState, CatalogType, PrivilegeLevel, Timestamp, model::Audit};

/// A catalog with an id and a display name.
pub fn catalog(id: &str, name: &str) -> Catalog {
    let now = Timestamp::parse("2030-01-01T00:00:00Z").expect("time");
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

/// The suite's cases by name, each on a store of its own.
pub const CASES: &[&str] = &[
    "crud_links_meta_and_rollback",
    "versions_and_expected_version",
    "keyset_pages_walk_everything_once",
    "keyset_pages_over_nulls_in_both_directions",
    "in_lists_beyond_the_parameter_limit",
    "document_filters_and_booleans",
    "a_failed_insert_leaves_the_transaction_usable",
    "snapshots_save_restore_list_delete_clear",
    "writers_are_serialized",
    "links_and_meta_are_read_whole_in_pages",
];

/// Runs the case `name` on `store`.
pub async fn run(name: &str, store: Arc<dyn Store>) {
    match name {
        "crud_links_meta_and_rollback" => crud_links_meta_and_rollback(&*store).await,
        "versions_and_expected_version" => versions_and_expected_version(&*store).await,
        "keyset_pages_walk_everything_once" => keyset_pages_walk_everything_once(&*store).await,
        "keyset_pages_over_nulls_in_both_directions" => {
            keyset_pages_over_nulls_in_both_directions(&*store).await
        }
        "in_lists_beyond_the_parameter_limit" => in_lists_beyond_the_parameter_limit(&*store).await,
        "document_filters_and_booleans" => document_filters_and_booleans(&*store).await,
        "a_failed_insert_leaves_the_transaction_usable" => {
            a_failed_insert_leaves_the_transaction_usable(&*store).await
        }
        "snapshots_save_restore_list_delete_clear" => {
            snapshots_save_restore_list_delete_clear(&*store).await
        }
        "writers_are_serialized" => writers_are_serialized(store).await,
        "links_and_meta_are_read_whole_in_pages" => {
            links_and_meta_are_read_whole_in_pages(&*store).await
        }
        other => panic!("no case named {other}"),
    }
}

pub async fn crud_links_meta_and_rollback(store: &dyn Store) {
    let mut tx = store.write().await.unwrap();
    tx.create(&catalog("c1", "Sales")).await.unwrap();
    tx.create(&catalog("c2", "Marketing")).await.unwrap();
    assert!(matches!(
        tx.create(&catalog("c1", "dup")).await,
        Err(StoreError::Conflict(_))
    ));
    tx.link(Link::GroupMember, "g", "u1").await.unwrap();
    assert!(!tx.link(Link::GroupMember, "g", "u1").await.unwrap());
    tx.link(Link::GroupMember, "g", "u0").await.unwrap();
    tx.link(Link::GroupOwner, "g2", "u1").await.unwrap();
    tx.meta_put("k", "v1").await.unwrap();
    tx.meta_put("k", "v2").await.unwrap();
    tx.commit().await.unwrap();

    // Dropped without commit: nothing of it remains.
    let mut tx = store.write().await.unwrap();
    tx.delete(Kind::Catalog, "c2").await.unwrap();
    tx.create(&catalog("c3", "Ghost")).await.unwrap();
    tx.link(Link::GroupMember, "g", "u9").await.unwrap();
    drop(tx);

    let mut r = store.read().await.unwrap();
    assert!(r.load::<Catalog>("c2").await.unwrap().is_some());
    assert!(r.load::<Catalog>("c3").await.unwrap().is_none());
    assert_eq!(r.meta_get("k").await.unwrap().as_deref(), Some("v2"));
    assert_eq!(r.meta_get("missing").await.unwrap(), None);
    assert_eq!(
        r.linked(Link::GroupMember, "g").await.unwrap(),
        vec!["u0".to_string(), "u1".to_string()],
        "in id order"
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
    let many = r
        .get_many(Kind::Catalog, &["c2".into(), "nope".into(), "c1".into()])
        .await
        .unwrap();
    let ids: Vec<&str> = many.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(matches!(
        r.delete(Kind::Catalog, "c1").await,
        Err(StoreError::Other(_))
    ));
    drop(r);

    let mut tx = store.write().await.unwrap();
    assert!(tx.unlink(Link::GroupMember, "g", "u1").await.unwrap());
    assert!(!tx.unlink(Link::GroupMember, "g", "u1").await.unwrap());
    assert_eq!(tx.unlink_all(Link::GroupOwner, "u1").await.unwrap(), 1);
    assert!(tx.delete(Kind::Catalog, "c1").await.unwrap());
    assert!(!tx.delete(Kind::Catalog, "c1").await.unwrap());
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(
        r.linked(Link::GroupMember, "g").await.unwrap(),
        vec!["u0".to_string()]
    );
    assert!(r.linked(Link::GroupOwner, "g2").await.unwrap().is_empty());
    assert_eq!(r.count(Kind::Catalog, None).await.unwrap(), 1);
}

pub async fn versions_and_expected_version(store: &dyn Store) {
    let mut tx = store.write().await.unwrap();
    let mut c = catalog("c1", "A");
    tx.create(&c).await.unwrap();
    c.description = Some("d".into());
    c.display_name = Some("B".into());
    let data = accessd_domain::store::encode(&c).unwrap();
    let index = accessd_domain::Entity::index(&c);
    assert_eq!(
        tx.update(Kind::Catalog, "c1", &index, &data, Some(1))
            .await
            .unwrap(),
        2
    );
    assert!(matches!(
        tx.update(Kind::Catalog, "c1", &index, &data, Some(1)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        tx.update(Kind::Catalog, "nope", &index, &data, None).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        tx.update(Kind::Catalog, "c1", &index, &data, None)
            .await
            .unwrap(),
        3
    );
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    let row = r.get(Kind::Catalog, "c1").await.unwrap().unwrap();
    assert_eq!(row.version, 3);
    // The index columns follow the document.
    assert_eq!(
        r.count(Kind::Catalog, Some(&Expr::col_eq("display_name", "b")))
            .await
            .unwrap(),
        1
    );
}

pub async fn keyset_pages_walk_everything_once(store: &dyn Store) {
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
    // Offsets and limits.
    let q = Query {
        order: vec![OrderKey {
            expr: Expr::Column("id"),
            descending: false,
        }],
        offset: Some(20),
        ..Query::default()
    };
    let rows = r.query(Kind::Catalog, &q).await.unwrap();
    let ids: Vec<&str> = rows.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["c20", "c21", "c22", "c23", "c24"]);
}

/// Keyset pages over a key with nulls and repeated values, both directions: every row once, in
/// the order `ORDER BY` gives (nulls first ascending, last descending).
pub async fn keyset_pages_over_nulls_in_both_directions(store: &dyn Store) {
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

/// A list longer than a backend's limit of bound parameters (SQLite 32,766, PostgreSQL 65,535)
/// is one JSON parameter, so a filter such as `id in (...)` built from a large tenant's rows
/// still runs.
pub async fn in_lists_beyond_the_parameter_limit(store: &dyn Store) {
    let mut tx = store.write().await.unwrap();
    tx.create(&catalog("c1", "Sales")).await.unwrap();
    tx.create(&catalog("c2", "Marketing")).await.unwrap();
    tx.create(&catalog("c3", "Legal")).await.unwrap();
    tx.commit().await.unwrap();
    let mut ids: Vec<Value> = (0..70_000).map(|i| Value::Text(format!("x{i}"))).collect();
    ids.push(Value::Text("c3".into()));
    ids.push(Value::Text("c1".into()));
    let q = Query::filtered(Expr::In(Box::new(Expr::Column("id")), ids));
    let mut tx = store.read().await.unwrap();
    let rows = tx.query(Kind::Catalog, &q).await.unwrap();
    let got: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(got, ["c1", "c3"]);
    assert_eq!(tx.count(Kind::Catalog, q.filter.as_ref()).await.unwrap(), 2);
    let short = Query::filtered(Expr::In(
        Box::new(Expr::Column("id")),
        vec![Value::Text("c2".into()), Value::Text("c9".into())],
    ));
    assert_eq!(
        tx.count(Kind::Catalog, short.filter.as_ref())
            .await
            .unwrap(),
        1
    );
}

/// Filters on members of the document (not index columns), on boolean columns, and the text
/// functions, with the same answers on every backend.
pub async fn document_filters_and_booleans(store: &dyn Store) {
    use accessd_domain::query::{Func, ValueType};
    let mut tx = store.write().await.unwrap();
    let mut a = catalog("c1", "Sales EMEA");
    a.description = Some("Quarterly 100% targets".into());
    a.is_externally_visible = true;
    tx.create(&a).await.unwrap();
    let mut b = catalog("c2", "sales_americas");
    b.description = None;
    tx.create(&b).await.unwrap();
    tx.create(&catalog("c3", "Legal")).await.unwrap();
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    let ids = |rows: Vec<accessd_domain::store::Row>| -> Vec<String> {
        rows.into_iter().map(|x| x.id).collect()
    };
    let doc = |name: &str| Expr::Doc(vec![name.to_string()], ValueType::Text);
    let q = |e: Expr| Query::filtered(e);
    assert_eq!(
        ids(r
            .query(
                Kind::Catalog,
                &q(Expr::Cmp(
                    Box::new(Expr::Column("is_externally_visible")),
                    CmpOp::Eq,
                    Box::new(Expr::Lit(Value::Bool(true)))
                ))
            )
            .await
            .unwrap()),
        ["c1"]
    );
    assert_eq!(
        ids(r
            .query(
                Kind::Catalog,
                &q(Expr::Cmp(
                    Box::new(doc("description")),
                    CmpOp::Eq,
                    Box::new(Expr::Lit(Value::Null))
                ))
            )
            .await
            .unwrap()),
        ["c2", "c3"]
    );
    // `ne` lets nulls through; `contains` ignores case; `%` and `_` are literal.
    assert_eq!(
        ids(r
            .query(
                Kind::Catalog,
                &q(Expr::Cmp(
                    Box::new(doc("description")),
                    CmpOp::Ne,
                    Box::new(Expr::Lit("x".into()))
                ))
            )
            .await
            .unwrap()),
        ["c1", "c2", "c3"]
    );
    let call = |f: Func, col: &'static str, s: &str| {
        Expr::Call(f, vec![Expr::Column(col), Expr::Lit(s.into())])
    };
    assert_eq!(
        ids(r
            .query(
                Kind::Catalog,
                &q(call(Func::StartsWith, "display_name", "SALES"))
            )
            .await
            .unwrap()),
        ["c1", "c2"]
    );
    assert_eq!(
        ids(r
            .query(
                Kind::Catalog,
                &q(call(Func::Contains, "display_name", "s_a"))
            )
            .await
            .unwrap()),
        ["c2"]
    );
    assert_eq!(
        ids(r
            .query(
                Kind::Catalog,
                &q(Expr::Call(
                    Func::Contains,
                    vec![doc("description"), Expr::Lit("100%".into())]
                ))
            )
            .await
            .unwrap()),
        ["c1"]
    );
    // Ordering by a document member: nulls first.
    let rows = r
        .query(
            Kind::Catalog,
            &Query {
                order: vec![OrderKey {
                    expr: doc("description"),
                    descending: false,
                }],
                ..Query::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(rows), ["c2", "c3", "c1"]);
}

/// A conflicting insert fails alone: the transaction goes on and commits what else it did.
pub async fn a_failed_insert_leaves_the_transaction_usable(store: &dyn Store) {
    let mut tx = store.write().await.unwrap();
    tx.create(&catalog("c1", "One")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    assert!(matches!(
        tx.create(&catalog("c1", "Again")).await,
        Err(StoreError::Conflict(_))
    ));
    tx.create(&catalog("c2", "Two")).await.unwrap();
    tx.meta_put("after", "conflict").await.unwrap();
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(r.count(Kind::Catalog, None).await.unwrap(), 2);
    assert_eq!(
        r.load::<Catalog>("c1")
            .await
            .unwrap()
            .unwrap()
            .display_name
            .as_deref(),
        Some("One")
    );
}

pub async fn snapshots_save_restore_list_delete_clear(store: &dyn Store) {
    let mut tx = store.write().await.unwrap();
    tx.create(&catalog("c1", "Before")).await.unwrap();
    tx.link(Link::GroupMember, "g", "u1").await.unwrap();
    tx.meta_put("tenant", "t1").await.unwrap();
    assert_eq!(
        tx.snapshot_save("s1", "2030-01-01T00:00:00Z")
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        tx.snapshot_save("s1", "2030-01-01T00:00:01Z").await,
        Err(StoreError::Conflict(_))
    ));
    tx.commit().await.unwrap();

    let mut tx = store.write().await.unwrap();
    tx.delete(Kind::Catalog, "c1").await.unwrap();
    tx.create(&catalog("c2", "After")).await.unwrap();
    tx.unlink(Link::GroupMember, "g", "u1").await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.write().await.unwrap();
    let info = tx.snapshot_restore("s1").await.unwrap().unwrap();
    assert_eq!((info.name.as_str(), info.objects), ("s1", 1));
    assert!(tx.snapshot_restore("nope").await.unwrap().is_none());
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert!(r.load::<Catalog>("c1").await.unwrap().is_some());
    assert!(r.load::<Catalog>("c2").await.unwrap().is_none());
    assert_eq!(r.linked(Link::GroupMember, "g").await.unwrap(), ["u1"]);
    let names: Vec<String> = r
        .snapshot_list()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["s1"]);
    drop(r);

    let mut tx = store.write().await.unwrap();
    tx.clear_tenant().await.unwrap();
    assert!(tx.snapshot_delete("s1").await.unwrap());
    assert!(!tx.snapshot_delete("s1").await.unwrap());
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(r.count(Kind::Catalog, None).await.unwrap(), 0);
    assert!(r.linked(Link::GroupMember, "g").await.unwrap().is_empty());
    // The meta is not part of the tenant.
    assert_eq!(r.meta_get("tenant").await.unwrap().as_deref(), Some("t1"));
    assert!(r.snapshot_list().await.unwrap().is_empty());
}

/// Writers one at a time: concurrent read-modify-write transactions lose no update.
pub async fn writers_are_serialized(store: Arc<dyn Store>) {
    let mut tx = store.write().await.unwrap();
    tx.meta_put("n", "0").await.unwrap();
    tx.commit().await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                let mut tx = store.write().await.unwrap();
                let n: u64 = tx.meta_get("n").await.unwrap().unwrap().parse().unwrap();
                tokio::task::yield_now().await;
                tx.meta_put("n", &(n + 1).to_string()).await.unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut r = store.read().await.unwrap();
    assert_eq!(r.meta_get("n").await.unwrap().as_deref(), Some("80"));
}

/// A relation's pairs, page by page in (from, to) order, each once; and the meta, whole.
pub async fn links_and_meta_are_read_whole_in_pages(store: &dyn Store) {
    let mut tx = store.write().await.unwrap();
    let mut want = Vec::new();
    for g in ["g1", "g2", "g3"] {
        for u in ["u1", "u2", "u3", "u4"] {
            tx.link(Link::GroupMember, g, u).await.unwrap();
            want.push((g.to_string(), u.to_string()));
        }
    }
    tx.link(Link::GroupOwner, "g1", "u9").await.unwrap();
    tx.meta_put("b", "2").await.unwrap();
    tx.meta_put("a", "1").await.unwrap();
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<(String, String)> = None;
    loop {
        let page = r
            .links_page(
                Link::GroupMember,
                after.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
                5,
            )
            .await
            .unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        after = Some(last.clone());
        seen.extend(page);
    }
    assert_eq!(seen, want);
    assert_eq!(
        r.links_page(Link::GroupOwner, None, 10).await.unwrap(),
        [("g1".to_string(), "u9".to_string())]
    );
    assert_eq!(
        r.meta_all().await.unwrap(),
        [
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string())
        ]
    );
}
