//! Server-driven paging: default page size and largest `$top`, absolute nextLinks that carry
//! every option, keyset `$skiptoken`s that neither repeat nor skip items while others insert and
//! delete, multi-key `$orderby` with nulls and descending keys, `$count` everywhere.

use std::collections::HashSet;

use accessd_api::Config;
use accessd_testkit::{Resp, TestApp};
use serde_json::json;

use crate::queries::{BETA, V1, enc, ids, ok, ok_eventual, permissive, refused, sorted, world};

/// The path and query of an absolute nextLink, checked to be on the request's own origin.
fn relative(link: &str) -> String {
    let rest = link
        .strip_prefix("http://graph.test:8080")
        .unwrap_or_else(|| panic!("nextLink not on the request's origin: {link}"));
    rest.to_string()
}

/// Walks from `first` following nextLinks verbatim, as the SDKs' page iterators do, calling
/// `between` after each page; returns the pages.
async fn walk_with<F>(app: &TestApp, first: &str, mut between: F) -> Vec<Resp>
where
    F: AsyncFnMut(usize),
{
    let mut pages = Vec::new();
    let mut next = Some(enc(first));
    while let Some(path) = next.take() {
        let r = app.get(&path).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        let link = r.body["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(l) = &link {
            assert!(
                !r.values().is_empty(),
                "an empty page with a nextLink: {}",
                r.text
            );
            next = Some(relative(l));
        }
        pages.push(r);
        between(pages.len()).await;
        assert!(pages.len() < 2000, "the walk does not end");
    }
    pages
}

async fn walk(app: &TestApp, first: &str) -> Vec<Resp> {
    walk_with(app, first, async |_| {}).await
}

fn all_ids(pages: &[Resp]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.values())
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn default_page_size_largest_top_and_a_thousand_item_walk() {
    let app = TestApp::spawn().await;
    let mut made = Vec::new();
    for i in 0..1000 {
        let upn = format!("walker{i:04}@contoso.test");
        let r = app
            .post(
                "/v1.0/users",
                json!({"displayName": format!("Walker {i:04}"), "userPrincipalName": upn}),
            )
            .await;
        made.push(TestApp::expect(r, 201).id());
    }
    // No $top: pages of 100, as Graph's directory and entitlement-management lists.
    let pages = walk(&app, "/v1.0/users").await;
    assert_eq!(pages.len(), 10);
    assert!(pages.iter().all(|p| p.values().len() == 100));
    let seen = all_ids(&pages);
    assert_eq!(seen.len(), 1000);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 1000);
    // The largest $top is 999; one more is refused naming the value.
    let r = ok(&app, "/v1.0/users?$top=999").await;
    assert_eq!(r.values().len(), 999);
    assert!(r.body["@odata.nextLink"].is_string());
    refused(&app, "/v1.0/users?$top=1000", "BadRequest", "1000").await;
    // $top=0: nothing, and no link to more nothing.
    let r = ok_eventual(&app, "/v1.0/users?$top=0&$count=true").await;
    assert!(r.values().is_empty());
    assert_eq!(r.body["@odata.count"], json!(1000));
    assert!(r.body.get("@odata.nextLink").is_none());
    // The link carries every option, $skip replaced by the position.
    let r = ok_eventual(
        &app,
        "/v1.0/users?$count=true&$filter=startswith(displayName,'Walker 01')&$select=id,displayName&$skip=10&$top=30",
    )
    .await;
    assert_eq!(r.body["@odata.count"], json!(100));
    let link = r.body["@odata.nextLink"].as_str().unwrap();
    assert!(
        link.starts_with("http://graph.test:8080/v1.0/users?"),
        "{link}"
    );
    for part in [
        "$count=true",
        "$filter=",
        "$select=id,displayName",
        "$top=30",
        "$skiptoken=",
    ] {
        assert!(link.contains(part), "{part} missing from {link}");
    }
    assert!(!link.contains("$skip="), "{link}");
    let pages = walk(
        &app,
        "/v1.0/users?$filter=startswith(displayName,'Walker 01')&$skip=10&$top=30",
    )
    .await;
    assert_eq!(all_ids(&pages).len(), 90);
    assert_eq!(pages.len(), 3);
}

/// Items that exist for the whole walk are seen exactly once; nothing is seen twice, whatever is
/// inserted and deleted between pages.
async fn walk_under_churn(app: &TestApp, collection: &str, first: &str, order: &str) {
    let mut stable: Vec<String> = Vec::new();
    for i in 0..60 {
        let r = app
            .post(
                &format!("{V1}/catalogs"),
                json!({"displayName": format!("Walk {:02}", (i * 37) % 60)}),
            )
            .await;
        stable.push(TestApp::expect(r, 201).id());
    }
    // Some will be deleted during the walk; they are not "stable".
    let doomed: Vec<String> = stable.drain(..15).collect();
    let mut doomed_iter = doomed.clone().into_iter();
    let mut n = 0;
    let pages = walk_with(app, first, async |page| {
        // After each page: two new catalogs, one deletion.
        for k in 0..2 {
            n += 1;
            let r = app
                .post(
                    &format!("{V1}/catalogs"),
                    json!({"displayName": format!("Walk new {page:02} {k} {n}")}),
                )
                .await;
            TestApp::expect(r, 201);
        }
        if let Some(id) = doomed_iter.next() {
            TestApp::expect(app.delete(&format!("{V1}/catalogs/{id}")).await, 204);
        }
    })
    .await;
    let seen = all_ids(&pages);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "{collection} {order}: an item came twice"
    );
    for id in &stable {
        assert!(
            unique.contains(id),
            "{collection} {order}: {id} was skipped"
        );
    }
    assert!(pages.len() > 5, "the walk had several pages");
}

#[tokio::test]
async fn next_links_neither_repeat_nor_skip_under_inserts_and_deletes() {
    let app = TestApp::spawn().await;
    walk_under_churn(
        &app,
        "v1.0 catalogs",
        &format!("{V1}/catalogs?$top=7"),
        "by id",
    )
    .await;
    let app = TestApp::spawn().await;
    walk_under_churn(
        &app,
        "beta catalogs",
        &format!("{BETA}/accessPackageCatalogs?$top=5&$filter=contains(displayName,'Walk')"),
        "by id",
    )
    .await;
    let app = TestApp::spawn_with(permissive()).await;
    walk_under_churn(
        &app,
        "v1.0 catalogs",
        &format!("{V1}/catalogs?$top=6&$orderby=displayName desc,createdDateTime"),
        "by name descending",
    )
    .await;
}

#[tokio::test]
async fn multi_key_orderby_with_nulls_and_descending_keys_pages_exactly() {
    let w = world(permissive()).await;
    let app = &w.app;
    // department: Ada and Bob `Eng`, Cy and Dee none. A null sorts first ascending, last
    // descending; ties broken by the next key.
    let expect = |path: &str, order: Vec<&String>| {
        (
            path.to_string(),
            order.into_iter().cloned().collect::<Vec<String>>(),
        )
    };
    let cases = vec![
        expect(
            "/v1.0/users?$orderby=department,displayName desc&$top=1",
            vec![&w.dee, &w.cy, &w.bob, &w.ada],
        ),
        expect(
            "/v1.0/users?$orderby=department desc,displayName&$top=1",
            vec![&w.ada, &w.bob, &w.cy, &w.dee],
        ),
        expect(
            "/v1.0/users?$orderby=department desc,displayName desc&$top=3",
            vec![&w.bob, &w.ada, &w.dee, &w.cy],
        ),
        expect(
            "/v1.0/users?$orderby=accountEnabled,displayName&$top=2",
            vec![&w.cy, &w.dee, &w.ada, &w.bob],
        ),
        expect(
            "/v1.0/users?$orderby=displayName desc&$top=3",
            vec![&w.dee, &w.cy, &w.bob, &w.ada],
        ),
    ];
    for (path, want) in cases {
        let pages = walk(
            app,
            &format!("{path}&$filter=createdDateTime ge 2000-01-01"),
        )
        .await;
        assert_eq!(all_ids(&pages), want, "{path}");
    }
    // Entitlement management, both dialects: assignments by expiry (null first) then start.
    let pages = walk(
        app,
        &format!(
            "{V1}/assignments?$orderby=expiredDateTime desc,schedule/startDateTime desc&$top=1"
        ),
    )
    .await;
    assert_eq!(
        all_ids(&pages),
        vec![w.a2.clone(), w.a4.clone(), w.a3.clone(), w.a1.clone()]
    );
    let pages = walk(
        app,
        &format!("{BETA}/accessPackageAssignments?$orderby=assignmentState,accessPackageId,targetId desc,id desc&$top=2"),
    )
    .await;
    assert_eq!(all_ids(&pages).len(), 4);
    assert_eq!(all_ids(&pages)[3], w.a2, "expired sorts after delivered");
    // A token from another ordering is refused, not misread.
    let first = ok(app, "/v1.0/users?$orderby=department,displayName&$top=1").await;
    let link = relative(first.body["@odata.nextLink"].as_str().unwrap());
    let token = link.split("$skiptoken=").nth(1).unwrap();
    refused(
        app,
        &format!("/v1.0/users?$orderby=displayName&$skiptoken={token}"),
        "BadRequest",
        "$skiptoken",
    )
    .await;
}

#[tokio::test]
async fn counts_on_lists_navigations_functions_and_the_count_segment() {
    let w = world(Config::default()).await;
    let app = &w.app;
    let text_count = async |path: &str| -> u64 {
        // The header the directory wants for `$count`; entitlement management ignores it.
        let r = app.get_eventual(&enc(path)).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        assert!(
            r.header("content-type").unwrap().starts_with("text/plain"),
            "GET {path}"
        );
        r.text.parse().unwrap()
    };
    assert_eq!(text_count(&format!("{V1}/assignments/$count")).await, 4);
    assert_eq!(
        text_count(&format!(
            "{V1}/assignments/$count?$filter=state eq 'delivered'"
        ))
        .await,
        3
    );
    assert_eq!(
        text_count(&format!("{BETA}/accessPackageAssignments/$count")).await,
        4
    );
    assert_eq!(
        text_count(&format!(
            "{V1}/catalogs/{}/accessPackages/$count",
            w.research
        ))
        .await,
        2
    );
    assert_eq!(
        text_count(&format!(
            "{V1}/accessPackages/{}/assignmentPolicies/$count",
            w.deals
        ))
        .await,
        2
    );
    assert_eq!(
        text_count(&format!(
            "{V1}/accessPackages/{}/incompatibleAccessPackages/$count",
            w.analytics
        ))
        .await,
        1
    );
    assert_eq!(
        text_count(&format!("/v1.0/groups/{}/members/$count", w.analysts)).await,
        1,
        "Ada's delivered membership"
    );
    assert_eq!(
        text_count("/v1.0/users/$count?$search=\"displayName:dee\"").await,
        1
    );
    // $count=true beside the values, counting every page's items.
    let r = ok(app, &format!("{V1}/assignments?$count=true&$top=1")).await;
    assert_eq!(r.body["@odata.count"], json!(4));
    assert_eq!(r.values().len(), 1);
    let r = ok(
        app,
        &format!("{V1}/assignmentPolicies?$count=true&$filter=displayName eq 'Direct'"),
    )
    .await;
    assert_eq!(r.body["@odata.count"], json!(3));
    let r = ok(
        app,
        &format!(
            "{V1}/accessPackages/{}/assignmentPolicies?$count=true",
            w.deals
        ),
    )
    .await;
    assert_eq!(r.body["@odata.count"], json!(2));
    let ada = app.token_for(&w.ada);
    let r = app
        .raw(
            "GET",
            &format!("{V1}/assignments/filterByCurrentUser(on='target')?$count=true&$top=1"),
            Some(&ada),
            &[],
            vec![],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["@odata.count"], json!(2));
    assert_eq!(r.values().len(), 1);
    let link = r.body["@odata.nextLink"].as_str().unwrap();
    assert!(link.contains("filterByCurrentUser(on='target')"), "{link}");
    let r2 = app
        .raw("GET", &relative(link), Some(&ada), &[], vec![])
        .await;
    assert_eq!(r2.status, 200, "{}", r2.text);
    let mut both = ids(&r);
    both.extend(ids(&r2));
    both.sort();
    assert_eq!(both, sorted(&[&w.a1, &w.a3]));
}
