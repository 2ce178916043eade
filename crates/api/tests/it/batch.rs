//! JSON batching: `POST /v1.0/$batch` and `/beta/$batch`.

use accessd_testkit::TestApp;
use serde_json::{Value, json};

fn by_id(r: &Value, id: &str) -> Value {
    r["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no response {id} in {r}"))
}

#[tokio::test]
async fn a_batch_answers_each_request_on_its_own_in_dependency_order() {
    let app = TestApp::spawn().await;
    let r = TestApp::expect(
        app.post(
            "/v1.0/$batch",
            json!({"requests": [
                {"id": "2", "method": "GET", "url": "/users?$select=displayName", "dependsOn": ["1"]},
                {"id": "1", "method": "POST", "url": "/users",
                 "headers": {"Content-Type": "application/json"},
                 "body": {"displayName": "Batched", "userPrincipalName": "batched@contoso.test"}},
                {"id": "3", "method": "GET", "url": "users/00000000-0000-0000-0000-00000000dead"},
                {"id": "4", "method": "POST", "url": "/identityGovernance/entitlementManagement/catalogs",
                 "body": {"displayName": 42}},
                {"id": "5", "method": "GET", "url": "/users", "dependsOn": ["3"]}
            ]}),
        )
        .await,
        200,
    );
    let order: Vec<&str> = r.body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert!(
        order.iter().position(|i| *i == "1") < order.iter().position(|i| *i == "2"),
        "{order:?}"
    );
    let created = by_id(&r.body, "1");
    assert_eq!(created["status"], 201);
    assert_eq!(created["body"]["displayName"], "Batched");
    assert!(created["headers"]["Location"].as_str().is_some());
    assert!(
        created["headers"]["Content-Type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    let listed = by_id(&r.body, "2");
    assert_eq!(listed["status"], 200);
    assert_eq!(listed["body"]["value"][0]["displayName"], "Batched");
    let missing = by_id(&r.body, "3");
    assert_eq!(missing["status"], 404);
    assert!(missing["body"]["error"]["innerError"]["request-id"].is_string());
    assert_eq!(by_id(&r.body, "4")["status"], 400);
    // Depending on a failure: 424, and the request is not run.
    let dependent = by_id(&r.body, "5");
    assert_eq!(dependent["status"], 424);
    assert_eq!(dependent["body"]["error"]["code"], "FailedDependency");
    // The beta endpoint too.
    let b = TestApp::expect(
        app.post(
            "/beta/$batch",
            json!({"requests": [{"id": "a", "method": "GET", "url": "/identityGovernance/entitlementManagement/accessPackageCatalogs"}]}),
        )
        .await,
        200,
    );
    assert_eq!(by_id(&b.body, "a")["status"], 200);
}

#[tokio::test]
async fn bad_batches_are_refused_whole() {
    let app = TestApp::spawn().await;
    let get = |id: &str| json!({"id": id, "method": "GET", "url": "/users"});
    let many: Vec<Value> = (0..21).map(|i| get(&i.to_string())).collect();
    for (what, body) in [
        ("more than 20", json!({"requests": many})),
        ("an id twice", json!({"requests": [get("1"), get("1")]})),
        ("no requests", json!({"requests": []})),
        ("no array", json!({"value": []})),
        (
            "a cycle",
            json!({"requests": [
            {"id": "1", "method": "GET", "url": "/users", "dependsOn": ["2"]},
            {"id": "2", "method": "GET", "url": "/users", "dependsOn": ["1"]}]}),
        ),
        (
            "a dependency on nothing",
            json!({"requests": [
            {"id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]}]}),
        ),
        (
            "no url",
            json!({"requests": [{"id": "1", "method": "GET"}]}),
        ),
        (
            "a batch in a batch",
            json!({"requests": [{"id": "1", "method": "POST", "url": "/$batch", "body": {"requests": [get("x")]}}]}),
        ),
    ] {
        let r = app.post("/v1.0/$batch", body).await;
        if what == "a batch in a batch" {
            assert_eq!(by_id(&r.body, "1")["status"], 400, "{what}");
        } else {
            assert_eq!(r.status, 400, "{what}: {}", r.text);
            assert_eq!(r.error_code(), "BadRequest", "{what}");
        }
    }
    assert_eq!(app.get("/v1.0/$batch").await.status, 405);
    let r = app
        .raw(
            "POST",
            "/v1.0/$batch",
            None,
            &[],
            json!({"requests": [get("1")]}).to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn each_inner_request_is_authorized_as_the_caller() {
    let app = TestApp::spawn().await;
    let user = app.user("Plain").await;
    let t = app.token_for(&user);
    let r = app
        .call_as(
            &t,
            "POST",
            "/v1.0/$batch",
            Some(json!({"requests": [
                {"id": "me", "method": "GET", "url": "/me"},
                {"id": "catalogs", "method": "GET", "url": "/identityGovernance/entitlementManagement/catalogs"}
            ]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(by_id(&r.body, "me")["status"], 200);
    assert_eq!(by_id(&r.body, "me")["body"]["id"], user.as_str());
    assert_eq!(by_id(&r.body, "catalogs")["status"], 403);
}
