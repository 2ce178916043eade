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
            SELECT t0.id, t0.version, t0.data, t0.created_date_time FROM assignments t0 WHERE (t0.access_package_id = ?) AND ((t0.created_date_time < ? OR t0.created_date_time IS NULL) OR (t0.created_date_time = ? AND t0.id > ?)) ORDER BY t0.created_date_time DESC, t0.id ASC LIMIT 10
            [Text("p"), Text("2030"), Text("2030"), Text("id9")]"#]],
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
            key: Box::new(Expr::Column("access_package_id")),
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

#[test]
fn keyset_with_null_cursor_values_in_both_directions() {
    let order = vec![
        OrderKey {
            expr: Expr::Column("expired_date_time"),
            descending: false,
        },
        OrderKey {
            expr: Expr::Column("status"),
            descending: true,
        },
    ];
    let q = |after: Vec<Value>| Query {
        filter: None,
        order: order.clone(),
        after: Some(after),
        limit: Some(3),
        offset: None,
    };
    // First key null (ascending: anything not null comes after), second key a value
    // (descending: smaller values and then nulls come after).
    check(
        Dialect::Sqlite,
        Kind::Assignment,
        &q(vec![Value::Null, "b".into(), "id1".into()]),
        expect![[r#"
            SELECT t0.id, t0.version, t0.data, t0.expired_date_time, t0.status FROM assignments t0 WHERE 1 AND ((t0.expired_date_time IS NOT NULL) OR (t0.expired_date_time IS NULL AND ((t0.status < ? OR t0.status IS NULL) OR (t0.status = ? AND t0.id > ?)))) ORDER BY t0.expired_date_time ASC, t0.status DESC, t0.id ASC LIMIT 3
            [Text("b"), Text("b"), Text("id1")]"#]],
    );
    // First key a value, second key null (descending: nothing after null but the ids).
    check(
        Dialect::Postgres,
        Kind::Assignment,
        &q(vec!["2030".into(), Value::Null, "id1".into()]),
        expect![[r#"
            SELECT t0.id, t0.version, t0.data, t0.expired_date_time, t0.status FROM assignments t0 WHERE TRUE AND t0.expired_date_time >= $1 AND ((t0.expired_date_time > $2) OR (t0.expired_date_time = $3 AND (FALSE OR (t0.status IS NULL AND t0.id > $4)))) ORDER BY t0.expired_date_time ASC NULLS FIRST, t0.status DESC NULLS LAST, t0.id ASC LIMIT 3
            [Text("2030"), Text("2030"), Text("2030"), Text("id1")]"#]],
    );
}

#[test]
fn not_all_and_referencing_never_let_unknown_through() {
    let q = Query::filtered(Expr::And(vec![
        Expr::Not(Box::new(Expr::col_eq("display_name", "x"))),
        Expr::Referencing {
            kind: Kind::Policy,
            column: "access_package_id",
            filter: Box::new(Expr::col_eq("display_name", "Direct")),
            all: false,
        },
        Expr::Referencing {
            kind: Kind::ResourceRoleScope,
            column: "access_package_id",
            filter: Box::new(Expr::Referencing {
                kind: Kind::Policy,
                column: "access_package_id",
                filter: Box::new(Expr::True),
                all: false,
            }),
            all: true,
        },
    ]));
    check(
        Dialect::Sqlite,
        Kind::AccessPackage,
        &q,
        expect![[r#"
        SELECT t0.id, t0.version, t0.data FROM access_packages t0 WHERE ((NOT COALESCE((t0.display_name = ?), 0)) AND (t0.id IN (SELECT t1.access_package_id FROM policies t1 WHERE t1.access_package_id IS NOT NULL AND (t1.display_name = ?))) AND (t0.id NOT IN (SELECT t1.access_package_id FROM resource_role_scopes t1 WHERE t1.access_package_id IS NOT NULL AND NOT COALESCE((t1.id IN (SELECT t2.access_package_id FROM policies t2 WHERE t2.access_package_id IS NOT NULL AND 1)), 0)))) ORDER BY t0.id ASC
        [Text("x"), Text("Direct")]"#]],
    );
    check(
        Dialect::Postgres,
        Kind::AccessPackage,
        &q,
        expect![[r#"
        SELECT t0.id, t0.version, t0.data FROM access_packages t0 WHERE ((NOT COALESCE((t0.display_name = $1), FALSE)) AND (t0.id IN (SELECT t1.access_package_id FROM policies t1 WHERE t1.access_package_id IS NOT NULL AND (t1.display_name = $2))) AND (t0.id NOT IN (SELECT t1.access_package_id FROM resource_role_scopes t1 WHERE t1.access_package_id IS NOT NULL AND NOT COALESCE((t1.id IN (SELECT t2.access_package_id FROM policies t2 WHERE t2.access_package_id IS NOT NULL AND TRUE)), FALSE)))) ORDER BY t0.id ASC
        [Text("x"), Text("Direct")]"#]],
    );
}

#[test]
fn string_and_date_functions() {
    let created = || Box::new(Expr::Column("created_date_time"));
    let name = || Expr::Column("display_name");
    let q = Query {
        filter: Some(Expr::And(vec![
            Expr::Cmp(
                Box::new(Expr::Call(Func::Year, vec![*created()])),
                CmpOp::Ge,
                Box::new(Expr::Lit(Value::Int(2030))),
            ),
            Expr::Cmp(
                Box::new(Expr::Call(Func::Date, vec![*created()])),
                CmpOp::Eq,
                Box::new(Expr::Lit("2030-01-01".into())),
            ),
            Expr::Cmp(
                Box::new(Expr::Call(
                    Func::Substring,
                    vec![name(), Expr::Lit(Value::Int(1)), Expr::Lit(Value::Int(2))],
                )),
                CmpOp::Eq,
                Box::new(Expr::Lit("al".into())),
            ),
            Expr::Cmp(
                Box::new(Expr::Call(
                    Func::IndexOf,
                    vec![name(), Expr::Lit("a".into())],
                )),
                CmpOp::Eq,
                Box::new(Expr::Lit(Value::Int(0))),
            ),
            Expr::Call(Func::EndsWith, vec![name(), Expr::Lit("x".into())]),
        ])),
        order: vec![OrderKey {
            expr: Expr::Call(Func::Length, vec![name()]),
            descending: true,
        }],
        after: None,
        limit: Some(5),
        offset: Some(10),
    };
    check(
        Dialect::Sqlite,
        Kind::User,
        &q,
        expect![[r#"
        SELECT t0.id, t0.version, t0.data, length(t0.display_name) FROM users t0 WHERE ((CAST(substr(t0.created_date_time, 1, 4) AS INTEGER) >= ?) AND (substr(t0.created_date_time, 1, 10) = ?) AND (substr(t0.display_name, (?) + 1, ?) = ?) AND ((instr(t0.display_name, ?) - 1) = ?) AND (t0.display_name LIKE ? ESCAPE '\')) ORDER BY length(t0.display_name) DESC, t0.id ASC LIMIT 5 OFFSET 10
        [Int(2030), Text("2030-01-01"), Int(1), Int(2), Text("al"), Text("a"), Int(0), Text("%x")]"#]],
    );
    check(
        Dialect::Postgres,
        Kind::User,
        &q,
        expect![[r#"
        SELECT t0.id, t0.version, t0.data, length(t0.display_name) FROM users t0 WHERE ((CAST(substr(t0.created_date_time, 1, 4) AS bigint) >= $1) AND (substr(t0.created_date_time, 1, 10) = $2) AND (substr(t0.display_name, ($3) + 1, $4) = $5) AND ((strpos(t0.display_name, $6) - 1) = $7) AND (t0.display_name ILIKE $8 ESCAPE '\')) ORDER BY length(t0.display_name) DESC NULLS LAST, t0.id ASC LIMIT 5 OFFSET 10
        [Int(2030), Text("2030-01-01"), Int(1), Int(2), Text("al"), Text("a"), Int(0), Text("%x")]"#]],
    );
}

#[test]
fn long_lists_of_strings_are_one_json_parameter() {
    let ids: Vec<Value> = (0..100).map(|i| Value::Text(format!("u{i}"))).collect();
    let q = Query::filtered(Expr::In(Box::new(Expr::Column("target_object_id")), ids));
    for (d, want) in [
        (
            Dialect::Sqlite,
            expect![[r#"
                SELECT t0.id, t0.version, t0.data FROM assignments t0 WHERE (t0.target_object_id IN (SELECT value FROM json_each(?))) ORDER BY t0.id ASC"#]],
        ),
        (
            Dialect::Postgres,
            expect![[r#"
                SELECT t0.id, t0.version, t0.data FROM assignments t0 WHERE (t0.target_object_id IN (SELECT jsonb_array_elements_text(CAST($1 AS jsonb)))) ORDER BY t0.id ASC"#]],
        ),
    ] {
        let (sql, _) = select(d, Kind::Assignment, &q).unwrap();
        want.assert_eq(&sql.text);
        assert_eq!(sql.binds.len(), 1);
        let Value::Text(json) = &sql.binds[0] else {
            panic!("{:?}", sql.binds[0]);
        };
        assert!(json.starts_with(r#"["u0","u1","#), "{json}");
    }
    // Short lists, and lists that are not all strings, bind one value each.
    let q = Query::filtered(Expr::In(
        Box::new(Expr::Column("target_object_id")),
        vec![Value::Text("a".into()), Value::Text("b".into())],
    ));
    let (sql, _) = select(Dialect::Sqlite, Kind::Assignment, &q).unwrap();
    assert_eq!(sql.binds.len(), 2);
    let mixed: Vec<Value> = (0..100)
        .map(|i| {
            if i == 50 {
                Value::Bool(true)
            } else {
                Value::Text(i.to_string())
            }
        })
        .collect();
    let q = Query::filtered(Expr::In(Box::new(Expr::Column("state")), mixed));
    let (sql, _) = select(Dialect::Sqlite, Kind::Assignment, &q).unwrap();
    assert_eq!(sql.binds.len(), 100);
}
