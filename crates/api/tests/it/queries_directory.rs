//! Graph's advanced-query rules for directory objects: `$search` and `$count` need the
//! `ConsistencyLevel: eventual` header; `ne`, `not`, `endsWith` and `$filter` beside `$orderby`
//! also need `$count=true`. Entitlement-management collections have no such rule, and
//! `--permissive-queries` lifts it.

use accessd_api::Config;
use accessd_testkit::{Resp, TestApp};
use serde_json::json;

use crate::queries::{V1, enc, permissive};

const ADVANCED: &str =
    "Try adding $count=true query parameter and ConsistencyLevel:eventual header";

async fn people(config: Config) -> (TestApp, String, String, String) {
    let app = TestApp::spawn_with(config).await;
    let ada = app.user("Ada Lovelace").await;
    let alan = app.user("Alan Turing").await;
    let grace = app.user("Grace Hopper").await;
    (app, ada, alan, grace)
}

async fn plain(app: &TestApp, path: &str) -> Resp {
    app.get(&enc(path)).await
}

async fn eventual(app: &TestApp, path: &str) -> Resp {
    app.get_eventual(&enc(path)).await
}

fn refused(r: &Resp, code: &str, says: &str) {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), code, "{}", r.text);
    let msg = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(says), "the message should say '{says}': {msg}");
    for k in ["date", "request-id", "client-request-id"] {
        assert!(r.body["error"]["innerError"][k].is_string(), "{}", r.text);
    }
}

fn names(r: &Resp) -> Vec<String> {
    r.values()
        .iter()
        .map(|v| v["displayName"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn count_needs_the_header_on_the_directory() {
    let (app, ..) = people(Config::default()).await;
    for path in [
        "/v1.0/users/$count",
        "/beta/users/$count",
        "/v1.0/groups/$count",
    ] {
        refused(
            &plain(&app, path).await,
            "Request_BadRequest",
            "$count is not currently supported.",
        );
    }
    let r = eventual(&app, "/v1.0/users/$count").await;
    assert_eq!((r.status, r.text.as_str()), (200, "3"));
    // The segment stands for $count=true: with the header, advanced operators work in it.
    let r = eventual(
        &app,
        "/v1.0/users/$count?$filter=endswith(mail,'lovelace@contoso.test')",
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (200, "1"), "{}", r.text);
    let r = eventual(
        &app,
        "/v1.0/users/$count?$filter=displayName ne 'Ada Lovelace'",
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (200, "2"), "{}", r.text);
    // $count=true without the header is ignored, as Graph does: the values, no count.
    let r = plain(&app, "/v1.0/users?$count=true").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values().len(), 3);
    assert!(r.body.get("@odata.count").is_none(), "{}", r.text);
    let r = eventual(&app, "/v1.0/users?$count=true").await;
    assert_eq!(r.body["@odata.count"], json!(3), "{}", r.text);
    // The header's value is matched without regard to case; another value is no header.
    let token = app.token_for(&app.user("Someone Else").await);
    let r = app
        .raw(
            "GET",
            "/v1.0/users/$count",
            Some(&token),
            &[("consistencylevel", "Eventual")],
            vec![],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .raw(
            "GET",
            "/v1.0/users/$count",
            Some(&token),
            &[("ConsistencyLevel", "session")],
            vec![],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn search_needs_the_header_but_not_count() {
    let (app, ada, ..) = people(Config::default()).await;
    refused(
        &plain(&app, "/v1.0/users?$search=\"displayName:ada\"").await,
        "Request_UnsupportedQuery",
        "ConsistencyLevel: eventual",
    );
    refused(
        &plain(&app, "/beta/groups?$search=\"displayName:x\"").await,
        "Request_UnsupportedQuery",
        "ConsistencyLevel: eventual",
    );
    let r = eventual(&app, "/v1.0/users?$search=\"displayName:ada\"").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values()[0]["id"], json!(ada));
}

#[tokio::test]
async fn advanced_operators_need_the_header_and_count() {
    let (app, ada, alan, grace) = people(Config::default()).await;
    let cases = [
        (
            "/v1.0/users?$filter=displayName ne 'Ada Lovelace'",
            "'ne'",
            vec![&alan, &grace],
        ),
        (
            "/v1.0/users?$filter=not(displayName eq 'Ada Lovelace')",
            "'not'",
            vec![&alan, &grace],
        ),
        (
            "/v1.0/users?$filter=endswith(userPrincipalName,'hopper@contoso.test')",
            "'endsWith'",
            vec![&grace],
        ),
        (
            "/beta/users?$filter=endswith(mail,'turing@contoso.test')",
            "'endsWith'",
            vec![&alan],
        ),
    ];
    for (path, op, want) in cases {
        // Neither, or the header alone, or $count alone: refused, naming the operator.
        for r in [
            plain(&app, path).await,
            eventual(&app, path).await,
            plain(&app, &format!("{path}&$count=true")).await,
        ] {
            refused(&r, "Request_UnsupportedQuery", ADVANCED);
            let msg = r.body["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.starts_with(&format!("Operator {op} ")), "{path}: {msg}");
        }
        let r = eventual(&app, &format!("{path}&$count=true")).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let mut got: Vec<String> = r
            .values()
            .iter()
            .map(|v| v["id"].as_str().unwrap_or_default().to_string())
            .collect();
        got.sort();
        let mut want: Vec<String> = want.into_iter().cloned().collect();
        want.sort();
        assert_eq!(got, want, "{path}");
        assert_eq!(r.body["@odata.count"], json!(want.len()), "{path}");
    }
    // The default operators need nothing.
    let r = plain(&app, "/v1.0/users?$filter=startswith(displayName,'A')").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values().len(), 2);
    let r = plain(&app, &format!("/v1.0/users?$filter=id in ('{ada}')")).await;
    assert_eq!(r.values().len(), 1, "{}", r.text);
}

#[tokio::test]
async fn filter_beside_orderby_needs_the_advanced_parameters() {
    let (app, ..) = people(Config::default()).await;
    let path = "/v1.0/users?$filter=startswith(displayName,'A')&$orderby=displayName desc";
    refused(
        &plain(&app, path).await,
        "Request_UnsupportedQuery",
        "Sorting not supported for current query.",
    );
    refused(
        &eventual(&app, path).await,
        "Request_UnsupportedQuery",
        "Sorting not supported for current query.",
    );
    let r = eventual(&app, &format!("{path}&$count=true")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r), ["Alan Turing", "Ada Lovelace"]);
    // $orderby alone works by default.
    let r = plain(&app, "/v1.0/users?$orderby=displayName desc").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r), ["Grace Hopper", "Alan Turing", "Ada Lovelace"]);
}

#[tokio::test]
async fn entitlement_management_and_permissive_mode_have_no_such_rule() {
    let (app, ..) = people(permissive()).await;
    let r = plain(&app, "/v1.0/users/$count").await;
    assert_eq!((r.status, r.text.as_str()), (200, "3"));
    let r = plain(
        &app,
        "/v1.0/users?$count=true&$filter=displayName ne 'Ada Lovelace'",
    )
    .await;
    assert_eq!(r.body["@odata.count"], json!(2), "{}", r.text);
    let r = plain(&app, "/v1.0/users?$search=\"displayName:grace\"").await;
    assert_eq!(names(&r), ["Grace Hopper"]);
    let r = plain(
        &app,
        "/v1.0/users?$filter=startswith(displayName,'A')&$orderby=displayName",
    )
    .await;
    assert_eq!(names(&r), ["Ada Lovelace", "Alan Turing"]);

    let (app, ..) = people(Config::default()).await;
    app.catalog("Research").await;
    let r = plain(&app, &format!("{V1}/catalogs/$count")).await;
    assert_eq!((r.status, r.text.as_str()), (200, "1"));
    let r = plain(&app, &format!("{V1}/catalogs?$count=true")).await;
    assert_eq!(r.body["@odata.count"], json!(1), "{}", r.text);
}
