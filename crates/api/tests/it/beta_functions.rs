//! beta's collection functions besides filterByCurrentUser: `My()` on assignments, requests and
//! assignment resource roles (the caller's own), `Search()` on access packages and catalogs (the
//! collection, where `$search` is allowed).

use accessd_api::Config;
use accessd_testkit::{Resp, TestApp};
use serde_json::json;

use crate::queries::{BETA, V1, enc, ids, sorted, world};

async fn get_as(app: &TestApp, user: &str, path: &str) -> Resp {
    let token = app.token_for(user);
    app.raw("GET", &enc(path), Some(&token), &[], vec![]).await
}

#[tokio::test]
async fn my_lists_the_callers_own_assignments_requests_and_resource_roles() {
    let w = world(Config::default()).await;
    let app = &w.app;
    // Ada holds a1 (Analytics) and a3 (Reporting); Bob's a2 is expired but still his.
    let r = get_as(
        app,
        &w.ada,
        &format!("{BETA}/accessPackageAssignments/My()"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r), sorted(&[&w.a1, &w.a3]));
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Collection(microsoft.graph.accessPackageAssignment)"),
        "{}",
        r.text
    );
    let r = get_as(
        app,
        &w.bob,
        &format!("{BETA}/accessPackageAssignments/My()"),
    )
    .await;
    assert_eq!(ids(&r), vec![w.a2.clone()]);
    // Query options apply to the result.
    let r = get_as(
        app,
        &w.ada,
        &format!(
            "{BETA}/accessPackageAssignments/My()?$filter=accessPackage/id eq '{}'&$select=id",
            w.analytics
        ),
    )
    .await;
    assert_eq!(ids(&r), vec![w.a1.clone()], "{}", r.text);
    assert!(r.values()[0].get("assignmentState").is_none());

    // The requests that target the caller: Ada's two adminAdds.
    let r = get_as(
        app,
        &w.ada,
        &format!("{BETA}/accessPackageAssignmentRequests/My()"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values().len(), 2, "{}", r.text);
    for req in r.values() {
        assert_eq!(req["requestType"], json!("AdminAdd"), "{}", r.text);
    }
    // Dee has nothing.
    let r = get_as(
        app,
        &w.dee,
        &format!("{BETA}/accessPackageAssignmentRequests/My()"),
    )
    .await;
    assert!(r.values().is_empty(), "{}", r.text);

    // Ada's Analysts membership, delivered by a1.
    let r = get_as(
        app,
        &w.ada,
        &format!("{BETA}/accessPackageAssignmentResourceRoles/My()?$expand=accessPackageSubject"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values().len(), 1, "{}", r.text);
    assert_eq!(
        r.values()[0]["accessPackageSubject"]["objectId"],
        json!(w.ada),
        "{}",
        r.text
    );
    let r = get_as(
        app,
        &w.dee,
        &format!("{BETA}/accessPackageAssignmentResourceRoles/My()"),
    )
    .await;
    assert!(r.values().is_empty(), "{}", r.text);

    // My() takes no parameters.
    let r = get_as(
        app,
        &w.ada,
        &format!("{BETA}/accessPackageAssignments/My(x='1')"),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // v1.0 has no My().
    let r = get_as(app, &w.ada, &format!("{V1}/assignments/My()")).await;
    assert_eq!(r.status, 404, "{}", r.text);
}

#[tokio::test]
async fn search_function_takes_search_where_the_collection_does_not() {
    let w = world(Config::default()).await;
    let app = &w.app;
    // The plain collection refuses $search (Graph documents none for access packages)...
    let r = app
        .get(&enc(&format!(
            "{BETA}/accessPackages?$search=\"Analytics\""
        )))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // ...Search() accepts it: a word of displayName starts with the term.
    let r = app
        .get(&enc(&format!(
            "{BETA}/accessPackages/Search()?$search=\"analy\""
        )))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r), vec![w.analytics.clone()]);
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Collection(microsoft.graph.accessPackage)"),
        "{}",
        r.text
    );
    let r = app
        .get(&enc(&format!(
            "{BETA}/accessPackages/Search()?$search=\"displayName:deals\" OR \"displayName:reporting\"&$count=true"
        )))
        .await;
    assert_eq!(ids(&r), sorted(&[&w.deals, &w.reporting]), "{}", r.text);
    assert_eq!(r.body["@odata.count"], json!(2));
    // Without $search: every package, paged as the collection is.
    let r = app
        .get(&enc(&format!("{BETA}/accessPackages/Search()?$top=2")))
        .await;
    assert_eq!(r.values().len(), 2, "{}", r.text);
    assert!(r.body["@odata.nextLink"].is_string(), "{}", r.text);
    // Catalogs too ("O'Brien & Co": a word starts with "co").
    let r = app
        .get(&enc(&format!(
            "{BETA}/accessPackageCatalogs/Search()?$search=\"co\""
        )))
        .await;
    assert_eq!(ids(&r), vec![w.obrien.clone()], "{}", r.text);
    // Errors: parameters, an unknown property, v1.0.
    let r = app
        .get(&enc(&format!("{BETA}/accessPackages/Search(term='x')")))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app
        .get(&enc(&format!(
            "{BETA}/accessPackages/Search()?$search=\"colour:red\""
        )))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("colour"), "{}", r.text);
    let r = app
        .get(&enc(&format!("{V1}/accessPackages/Search()")))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}
