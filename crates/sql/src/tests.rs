use super::*;
use expect_test::{Expect, expect};

fn check(d: Dialect, kind: Kind, q: &Query, want: Expect) {
    let (sql, _) = select(d, kind, q).unwrap();
    want.assert_eq(&format!("{}\n{:?}", sql.text, sql.binds));
}

#[test]
fn simple_filter_binds_values() {
    let q = Query::filtered(Expr::col_eq("target_object_id", "u1"));
    check(
        Dialect::Sqlite,
        Kind::Assignment,
        &q,
        expect![[r#"
            SELECT t0.id, t0.version, t0.data FROM assignments t0 WHERE (t0.target_object_id = ?) ORDER BY t0.id ASC
            [Text("u1")]"#]],
    );
    check(
        Dialect::Postgres,
        Kind::Assignment,
        &q,
        expect![[r#"
            SELECT t0.id, t0.version, t0.data FROM assignments t0 WHERE (t0.target_object_id = $1) ORDER BY t0.id ASC
            [Text("u1")]"#]],
    );
}

#[test]
fn keyset_cursor_and_descending_keys() {
    let q = Query {
        filter: Some(Expr::col_eq("access_package_id", "p")),
        order: vec![OrderKey {
            expr: Expr::Column("created_date_time"),
            descending: true,
        }],
        after: Some(vec![Value::Text("2030".into()), Value::Text("id9".into())]),
        limit: Some(10),
        offset: None,
    };
    check(
        Dialect::Sqlite,
        Kind::Assignment,
        &q,
        expect![[r#"
            SELECT t0.id, t0.version, t0.data, COALESCE(t0.created_date_time, '') FROM assignments t0 WHERE (t0.access_package_id = ?) AND ((COALESCE(t0.created_date_time, '') < ?) OR (COALESCE(t0.created_date_time, '') = ? AND t0.id > ?)) ORDER BY COALESCE(t0.created_date_time, '') DESC, t0.id ASC LIMIT ?
            [Text("p"), Text("2030"), Text("2030"), Text("id9"), Int(10)]"#]],
    );
}

#[test]
fn null_comparisons_ne_and_like() {
    let q = Query::filtered(Expr::And(vec![
        Expr::Cmp(
            Box::new(Expr::Column("expired_date_time")),
            CmpOp::Eq,
            Box::new(Expr::Lit(Value::Null)),
        ),
        Expr::Cmp(
            Box::new(Expr::Column("status")),
            CmpOp::Ne,
            Box::new(Expr::Lit("Delivered".into())),
        ),
        Expr::Call(
            Func::Contains,
            vec![
                Expr::Doc(vec!["display_name".into()], ValueType::Text),
                Expr::Lit("50%_off".into()),
            ],
        ),
    ]));
    check(
        Dialect::Sqlite,
        Kind::Assignment,
        &q,
        expect![[r#"
            SELECT t0.id, t0.version, t0.data FROM assignments t0 WHERE ((t0.expired_date_time IS NULL) AND (t0.status IS NOT ?) AND (json_extract(t0.data, ?) LIKE ? ESCAPE '\')) ORDER BY t0.id ASC
            [Text("Delivered"), Text("$.\"display_name\""), Text("%50\\%\\_off%")]"#]],
    );
}

#[test]
fn related_linked_and_lambda() {
    let q = Query::filtered(Expr::And(vec![
        Expr::Related {
            column: "access_package_id",
            kind: Kind::AccessPackage,
            filter: Box::new(Expr::col_eq("display_name", "Sales")),
        },
        Expr::AnyDoc {
            path: vec!["answers".into()],
            filter: Box::new(Expr::Cmp(
                Box::new(Expr::Elem(vec!["value".into()], ValueType::Text)),
                CmpOp::Eq,
                Box::new(Expr::Lit("x".into())),
            )),
            all: false,
        },
    ]));
    check(
        Dialect::Sqlite,
        Kind::AssignmentRequest,
        &q,
        expect![[r#"
            SELECT t0.id, t0.version, t0.data FROM assignment_requests t0 WHERE ((t0.access_package_id IN (SELECT t1.id FROM access_packages t1 WHERE (t1.display_name = ?))) AND (EXISTS (SELECT 1 FROM json_each(t0.data, ?) je0 WHERE (json_extract(je0.value, ?) = ?)))) ORDER BY t0.id ASC
            [Text("Sales"), Text("$.\"answers\""), Text("$.\"value\""), Text("x")]"#]],
    );
    let q = Query::filtered(Expr::Linked {
        link: Link::GroupMember,
        reverse: true,
        kind: Kind::Group,
        filter: Box::new(Expr::col_eq("display_name", "Admins")),
        all: false,
    });
    check(
        Dialect::Postgres,
        Kind::User,
        &q,
        expect![[r#"
            SELECT t0.id, t0.version, t0.data FROM users t0 WHERE (t0.id IN (SELECT l1.to_id FROM links l1 JOIN groups t1 ON t1.id = l1.from_id WHERE l1.rel = $1 AND (t1.display_name = $2))) ORDER BY t0.id ASC
            [Text("group_member"), Text("Admins")]"#]],
    );
}

#[test]
fn writes() {
    expect![[r#"INSERT INTO catalogs (id, version, display_name, state, catalog_type, is_externally_visible, unique_name, created_date_time, modified_date_time, data) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"#]]
        .assert_eq(&insert(Dialect::Sqlite, Kind::Catalog));
    expect![[r#"UPDATE groups SET version = version + 1, display_name = $1, mail = $2, created_date_time = $3, data = $4 WHERE id = $5 AND version = $6 RETURNING version"#]]
        .assert_eq(&update(Dialect::Postgres, Kind::Group, true));
    expect![[
        r#"INSERT INTO links (rel, from_id, to_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"#
    ]]
    .assert_eq(&links::insert(Dialect::Postgres));
}
