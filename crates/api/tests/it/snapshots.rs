//! The emulator's reset and snapshots (`/_accessd/reset`, `/_accessd/snapshots`).

use accessd_testkit::TestApp;
use serde_json::json;

const CATALOGS: &str = "/v1.0/identityGovernance/entitlementManagement/catalogs";

async fn catalog_names(app: &TestApp) -> Vec<String> {
    let mut v: Vec<String> = TestApp::expect(app.get(CATALOGS).await, 200)
        .values()
        .iter()
        .map(|c| c["displayName"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn reset_empties_the_tenant_but_keeps_the_key_and_graphs_service_principal() {
    let app = TestApp::spawn().await;
    app.catalog("A").await;
    let user = app.user("Ursula").await;
    let r = TestApp::expect(app.post("/_accessd/reset", json!({})).await, 200);
    assert_eq!(r.body["to"], "empty");
    assert!(catalog_names(&app).await.is_empty());
    assert_eq!(app.get(&format!("/v1.0/users/{user}")).await.status, 404);
    // The same token still works (the signing key is kept), and Graph's service principal is
    // there for app role grants.
    let graph = app
        .get("/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')")
        .await;
    assert_eq!(graph.status, 200, "{}", graph.text);
    // Nothing was seeded in this tenant.
    let r = app.post("/_accessd/reset", json!({"to": "seed"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "NothingSeeded"));
    let r = app
        .post("/_accessd/reset", json!({"to": "yesterday"}))
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn a_snapshot_restores_the_tenant_as_it_was() {
    let app = TestApp::spawn().await;
    app.catalog("Kept").await;
    let u = app.user("Before").await;
    let s = TestApp::expect(
        app.post("/_accessd/snapshots", json!({"name": "before-test"}))
            .await,
        201,
    );
    assert_eq!(s.body["name"], "before-test");
    assert!(s.body["objects"].as_u64().unwrap() >= 3);
    // Changes after it.
    app.catalog("Added").await;
    TestApp::expect(app.delete(&format!("/v1.0/users/{u}")).await, 204);
    assert_eq!(catalog_names(&app).await, vec!["Added", "Kept"]);
    let r = TestApp::expect(
        app.post("/_accessd/snapshots/before-test/restore", json!({}))
            .await,
        200,
    );
    assert_eq!(r.body["name"], "before-test");
    assert_eq!(catalog_names(&app).await, vec!["Kept"]);
    assert_eq!(app.get(&format!("/v1.0/users/{u}")).await.status, 200);
    // It can be restored again: the snapshot is not used up.
    app.catalog("Again").await;
    app.post("/_accessd/snapshots/before-test/restore", json!({}))
        .await;
    assert_eq!(catalog_names(&app).await, vec!["Kept"]);
    let list = TestApp::expect(app.get("/_accessd/snapshots").await, 200);
    assert_eq!(list.values().len(), 1);
    assert_eq!(list.values()[0]["name"], "before-test");
    // Errors.
    let dup = app
        .post("/_accessd/snapshots", json!({"name": "before-test"}))
        .await;
    assert_eq!(
        (dup.status, dup.error_code().as_str()),
        (409, "SnapshotExists")
    );
    for bad in ["", "_seed", "with space"] {
        let r = app.post("/_accessd/snapshots", json!({"name": bad})).await;
        assert_eq!(r.status, 400, "{bad:?}");
    }
    assert_eq!(app.post("/_accessd/snapshots", json!({})).await.status, 400);
    let r = app
        .post("/_accessd/snapshots/nope/restore", json!({}))
        .await;
    assert_eq!(r.status, 404);
    TestApp::expect(app.delete("/_accessd/snapshots/before-test").await, 204);
    assert_eq!(
        app.delete("/_accessd/snapshots/before-test").await.status,
        404
    );
    assert!(
        TestApp::expect(app.get("/_accessd/snapshots").await, 200)
            .values()
            .is_empty()
    );
}

#[tokio::test]
async fn roles_restored_by_a_snapshot_are_what_authorization_sees() {
    let app = TestApp::spawn().await;
    let c = app.catalog("Owned").await;
    let owner = app.user("Olga").await;
    let t = app.token_for(&owner);
    let path = format!("{CATALOGS}/{c}");
    TestApp::expect(
        app.post("/_accessd/snapshots", json!({"name": "no-role"}))
            .await,
        201,
    );
    app.grant(&owner, accessd_testkit::roles::CATALOG_OWNER, Some(&c))
        .await;
    assert_eq!(app.call_as(&t, "GET", &path, None).await.status, 200);
    app.post("/_accessd/snapshots/no-role/restore", json!({}))
        .await;
    assert_eq!(app.call_as(&t, "GET", &path, None).await.status, 404);
}

#[tokio::test]
async fn only_administrators_reset_or_snapshot() {
    let app = TestApp::spawn().await;
    let user = app.user("Plain").await;
    let t = app.token_for(&user);
    for (m, p) in [
        ("POST", "/_accessd/reset"),
        ("GET", "/_accessd/snapshots"),
        ("POST", "/_accessd/snapshots"),
        ("POST", "/_accessd/snapshots/x/restore"),
        ("DELETE", "/_accessd/snapshots/x"),
    ] {
        let r = app.call_as(&t, m, p, Some(json!({"name": "x"}))).await;
        assert_eq!(r.status, 403, "{m} {p}: {}", r.text);
    }
    let r = app.raw("POST", "/_accessd/reset", None, &[], vec![]).await;
    assert_eq!(r.status, 401);
    // The tenant is untouched.
    assert_eq!(app.get(&format!("/v1.0/users/{user}")).await.status, 200);
}
