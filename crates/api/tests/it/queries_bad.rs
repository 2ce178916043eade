//! Malformed queries: every one a 400 with Graph's error body, never a 500 or a panic, whatever
//! the input (a property test feeds the router generated query strings).

use accessd_testkit::TestApp;
use proptest::prelude::*;

use crate::queries::{V1, enc};

/// Asserts a 400 with Graph's envelope and `code`.
fn bad(r: &accessd_testkit::Resp, path: &str, code: &str) {
    assert_eq!(r.status, 400, "GET {path}: {}", r.text);
    assert_eq!(r.error_code(), code, "GET {path}: {}", r.text);
}

#[tokio::test]
async fn malformed_queries_are_400_with_graphs_body() {
    let app = TestApp::spawn().await;
    let c = format!("{V1}/catalogs");
    let b = "/beta/identityGovernance/entitlementManagement/accessPackageAssignments";
    let cases: Vec<(String, &str)> = vec![
        (format!("{c}?$filter=(displayName eq 'x'"), "InvalidFilter"),
        (format!("{c}?$filter=displayName eq 'x')"), "InvalidFilter"),
        (format!("{c}?$filter=displayName eq 'x"), "InvalidFilter"),
        (
            format!("{c}?$filter=frobnicate(displayName)"),
            "InvalidFilter",
        ),
        (
            format!("{c}?$filter=contains(displayName)"),
            "InvalidFilter",
        ),
        (format!("{c}?$filter=displayName eq"), "InvalidFilter"),
        (format!("{c}?$filter="), "InvalidFilter"),
        (
            format!("{c}?$filter=displayName eq 'x' and"),
            "InvalidFilter",
        ),
        (
            format!("{c}?$filter=displayName eq 2024-13-01"),
            "InvalidFilter",
        ),
        (format!("{b}?$filter=isExtended eq 'yes'"), "BadRequest"),
        (format!("{c}?$filter=colour eq 'x'"), "BadRequest"),
        (format!("{c}?$filter=displayName eq 1"), "BadRequest"),
        (format!("{c}?$top=-1"), "BadRequest"),
        (format!("{c}?$top=abc"), "BadRequest"),
        (format!("{c}?$top=99999999999999999999999"), "BadRequest"),
        (format!("{c}?$skip=-3"), "BadRequest"),
        (format!("{c}?$count=maybe"), "BadRequest"),
        (format!("{c}?$orderby=displayName sideways"), "BadRequest"),
        (format!("{c}?$orderby="), "BadRequest"),
        (format!("{c}?$select=,"), "BadRequest"),
        (format!("{c}?$expand=accessPackages(("), "BadRequest"),
        (
            format!(
                "{c}?$expand=accessPackages($expand=catalog($expand=accessPackages($expand=catalog)))"
            ),
            "BadRequest",
        ),
        (
            format!("{c}?$expand=accessPackages($bogus=1)"),
            "BadRequest",
        ),
        (format!("{c}?$skiptoken=%%%"), "BadRequest"),
        (format!("{c}?$skiptoken=WyJhIiwiYiIsImMiXQ"), "BadRequest"),
        (format!("{c}?$top=1&$top=2"), "BadRequest"),
        (format!("{c}?$search=\"unbalanced"), "BadRequest"),
        (format!("{c}?$levels=2"), "BadRequest"),
        (format!("{c}?$deltatoken=x"), "BadRequest"),
    ];
    for (path, code) in &cases {
        let r = app.get(&enc(path)).await;
        bad(&r, path, code);
    }
    // A very long $filter (50 KB, over the 16 KiB a query option may have) is refused; it never
    // reaches the translator. (Beyond 64 KiB the HTTP layer refuses the URL itself.)
    let long = format!(
        "{c}?$filter={}",
        (0..1500)
            .map(|i| format!("displayName%20eq%20'{i:05}'"))
            .collect::<Vec<_>>()
            .join("%20or%20")
    );
    assert!(long.len() > 40_000);
    let r = app.get(&long).await;
    bad(&r, "a 50 KB $filter", "InvalidFilter");
    // Deep nesting within the limits of length.
    let deep = format!("{c}?$filter={}true{}", "(".repeat(3000), ")".repeat(3000));
    let r = app.get(&deep).await;
    bad(&r, "3000 parentheses", "InvalidFilter");
    let nots = format!("{c}?$filter={}true", "not%20".repeat(2000));
    let r = app.get(&nots).await;
    bad(&r, "2000 nots", "InvalidFilter");
}

/// Query strings built from OData's pieces, mostly wrong.
fn query_strings() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "displayName",
        "id",
        "state",
        "catalog/id",
        "accessPackages",
        "x",
        "tolower",
        "contains",
        "startswith",
        "any",
        "all",
        "eq",
        "ne",
        "gt",
        "and",
        "or",
        "not",
        "in",
        "null",
        "true",
        "'a''b'",
        "'",
        "(",
        ")",
        ",",
        "/",
        ":",
        ";",
        "$",
        "$filter",
        "$top",
        "$expand",
        "$select",
        "=",
        "&",
        "1",
        "-1",
        "2030-01-01",
        "2030-01-01T00:00:00Z",
        "P1D",
        "duration'P1D'",
        "00000000-0000-0000-0000-000000000000",
        "*",
        "%",
        "%27",
        "%28",
        "%20",
        " ",
        "\u{e9}",
        "length",
        "year",
        "substring",
        "p:",
        "p/displayName",
        "$count",
        "desc",
        "asc",
    ]);
    let option = prop::sample::select(vec![
        "$filter",
        "$orderby",
        "$select",
        "$expand",
        "$top",
        "$skip",
        "$count",
        "$search",
        "$skiptoken",
        "$levels",
        "$format",
        "filter",
        "$FILTER",
    ]);
    prop::collection::vec((option, prop::collection::vec(word, 0..12)), 1..4).prop_map(|opts| {
        opts.into_iter()
            .map(|(o, ws)| format!("{o}={}", ws.join(" ")))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn escape(q: &str) -> String {
    let mut out = String::new();
    for ch in q.chars() {
        match ch {
            ' ' => out.push_str("%20"),
            '"' | '{' | '}' | '<' | '>' | '\\' | '^' | '`' | '|' | '#' => {
                out.push_str(&format!("%{:02X}", ch as u32))
            }
            c if !c.is_ascii() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A catalog and a package in a tenant of their own, for the property tests (which only read,
/// so one tenant serves every case).
async fn tenant(cfg: accessd_api::Config) -> (TestApp, String, String) {
    let app = TestApp::spawn_with(cfg).await;
    let c = app.catalog("C").await;
    let p = app.package(&c, "P").await;
    (app, c, p)
}

fn runner(cases: u32) -> proptest::test_runner::TestRunner {
    proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        ..ProptestConfig::default()
    })
}

/// Whatever the options, on lists, items, navigations and functions, in both modes: a 200
/// or a 4xx with Graph's body, never a 5xx.
#[test]
fn no_query_string_makes_the_server_fail() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let apps = rt.block_on(async {
        [
            tenant(accessd_api::Config::default()).await,
            tenant(crate::queries::permissive()).await,
        ]
    });
    let strategy = (query_strings(), any::<bool>(), 0usize..5);
    let result = runner(400).run(&strategy, |(q, permissive, target)| {
        let (app, c, p) = &apps[usize::from(permissive)];
        rt.block_on(async {
            let base = [
                format!("{V1}/catalogs"),
                format!("{V1}/catalogs/{c}"),
                format!("{V1}/catalogs/{c}/accessPackages"),
                format!("{V1}/accessPackages/{p}/assignmentPolicies/$count"),
                "/v1.0/users".to_string(),
            ][target]
                .clone();
            let path = format!("{base}?{}", escape(&q));
            let r = app.get(&path).await;
            prop_assert!(
                r.status == 200 || (400..500).contains(&r.status),
                "GET {}: {} {}",
                path,
                r.status,
                r.text
            );
            if r.status != 200 {
                let e = &r.body["error"];
                prop_assert!(
                    e["code"].is_string() && e["message"].is_string(),
                    "GET {}: {}",
                    path,
                    r.text
                );
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Well-formed filters, sorts and expansions built from the model's own names: with
/// `--permissive-queries` every one must be answered (200) or refused with a 400, never fail in
/// the store (a 5xx would be SQL the translator should not have produced).
fn well_formed() -> impl Strategy<Value = (bool, usize, String)> {
    // (property, type): t text, b boolean, d date-time, e enumeration, g id, u duration.
    const USER: &[(&str, char)] = &[
        ("displayName", 't'),
        ("mail", 't'),
        ("department", 't'),
        ("accountEnabled", 'b'),
        ("createdDateTime", 'd'),
        ("id", 'g'),
        ("userType", 't'),
        ("jobTitle", 't'),
    ];
    const ASSIGNMENT: &[(&str, char)] = &[
        ("state", 'e'),
        ("status", 't'),
        ("expiredDateTime", 'd'),
        ("schedule/startDateTime", 'd'),
        ("schedule/expiration/duration", 'u'),
        ("accessPackage/id", 'g'),
        ("accessPackage/displayName", 't'),
        ("accessPackage/catalog/displayName", 't'),
        ("target/objectId", 'g'),
        ("target/displayName", 't'),
        ("assignmentPolicy/displayName", 't'),
        ("id", 'g'),
    ];
    fn leaf(props: &'static [(&'static str, char)]) -> BoxedStrategy<String> {
        (
            prop::sample::select(props),
            0usize..8,
            prop::sample::select(vec!["eq", "ne", "gt", "ge", "lt", "le"]),
            0usize..4,
        )
            .prop_map(|((p, t), form, op, pick)| {
                let v = match t {
                    't' => ["'x'", "'O''Brien'", "null", "'Deals'"][pick],
                    'b' => ["true", "false", "null", "true"][pick],
                    'd' => [
                        "2030-01-01T00:00:00Z",
                        "2030-01-01",
                        "null",
                        "2029-12-31T23:59:59.5%2B01:00",
                    ][pick],
                    'e' => [
                        "'delivered'",
                        "'Expired'",
                        "null",
                        "microsoft.graph.accessPackageAssignmentState'delivering'",
                    ][pick],
                    'g' => [
                        "00000000-0000-0000-0000-000000000000",
                        "'abc'",
                        "null",
                        "'00000000-0000-0000-0000-00000000000A'",
                    ][pick],
                    _ => ["duration'P1D'", "'PT36H'", "null", "P0D"][pick],
                };
                let op = if matches!(t, 'e' | 'u' | 'g' | 'b') {
                    ["eq", "ne"][pick % 2]
                } else {
                    op
                };
                match (form, t) {
                    (1, 't') => format!("contains({p},'a')"),
                    (2, 't') => format!("startswith(tolower({p}),'d')"),
                    (3, 't') => format!("length({p}) {op} 5"),
                    (4, 't') => format!("substring({p},1) eq 'eals'"),
                    (1, 'd') => format!("year({p}) {op} 2030"),
                    (2, 'd') => format!("date({p}) eq 2030-01-01"),
                    (5, _) => format!("{p} in ({v}, {v})"),
                    (6, _) => format!("not ({p} {op} {v})"),
                    _ => format!("{p} {op} {v}"),
                }
            })
            .boxed()
    }
    let users =
        prop::collection::vec(leaf(USER), 1..4).prop_map(|ls| ("/v1.0/users".to_string(), ls));
    let assignments = prop::collection::vec(leaf(ASSIGNMENT), 1..4)
        .prop_map(|ls| (format!("{V1}/assignments"), ls));
    let lambdas = prop::sample::select(vec![
        "assignmentPolicies/any(p:p/displayName eq 'Direct')",
        "assignmentPolicies/all(p:p/expiration/duration eq duration'P30D')",
        "resourceRoleScopes/any()",
        "incompatibleAccessPackages/any(p:startswith(p/displayName,'D'))",
        "catalog/accessPackages/any(p:p/assignmentPolicies/any(q:q/displayName ne null))",
        "not accessPackagesIncompatibleWith/any()",
        "displayName eq 'Deals' or isHidden eq false",
    ])
    .prop_map(|l| (format!("{V1}/accessPackages"), vec![l.to_string()]));
    let query = prop_oneof![users, assignments, lambdas];
    let joiner = prop::sample::select(vec![" and ", " or "]);
    let order = prop::sample::select(vec![
        "",
        "&$orderby=id desc",
        "&$orderby=displayName,id",
        "&$orderby=createdDateTime desc",
        "&$orderby=department desc,displayName",
        "&$orderby=state,schedule/startDateTime desc",
    ]);
    let extra = prop::sample::select(vec![
        "",
        "&$top=2",
        "&$count=true",
        "&$expand=*",
        "&$select=id",
        "&$expand=accessPackage($expand=catalog;$select=id)",
        "&$expand=assignmentPolicies($filter=displayName eq 'Direct';$orderby=id desc;$top=1;$count=true)",
        "&$search=\"displayName:a\"",
        "&$skip=1",
    ]);
    (any::<bool>(), query, joiner, order, extra).prop_map(|(beta, (base, leaves), j, o, x)| {
        let base = if beta {
            base.replace(
                "/v1.0/identityGovernance/entitlementManagement/assignments",
                "/beta/identityGovernance/entitlementManagement/accessPackageAssignments",
            )
            .replace("/v1.0/", "/beta/")
        } else {
            base
        };
        (beta, 0, format!("{base}?$filter={}{o}{x}", leaves.join(j)))
    })
}

/// With `--permissive-queries` every well-formed query is a 200 or a 400 (one tenant, read by
/// every case).
#[test]
fn well_formed_queries_never_fail_in_the_store() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(async {
        let app = TestApp::spawn_with(crate::queries::permissive()).await;
        let c = app.catalog("Sales").await;
        let p = app.package(&c, "Deals").await;
        let pol = app.policy(&p).await;
        let u = app.user("Ada Lovelace").await;
        app.assign(&p, &pol, &u).await;
        app
    });
    let result = runner(300).run(&well_formed(), |(_beta, _n, path)| {
        rt.block_on(async {
            let r = app.get(&escape(&path)).await;
            prop_assert!(
                r.status == 200 || r.status == 400,
                "GET {}: {} {}",
                path,
                r.status,
                r.text
            );
            if r.status == 400 {
                r.error_code();
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
