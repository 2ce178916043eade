//! Injected faults (`/_accessd/faults`): one-shot rules, throttling, replication lag.

use accessd_testkit::TestApp;
use serde_json::json;

const CATALOGS: &str = "/v1.0/identityGovernance/entitlementManagement/catalogs";

#[tokio::test]
async fn one_shot_rules_answer_graphs_errors_then_run_out() {
    let app = TestApp::spawn().await;
    let set = json!({"rules": [{"method": "GET", "path": "/catalogs", "status": 429, "count": 2, "retryAfter": 1}]});
    let r = TestApp::expect(app.put("/_accessd/faults", set).await, 200);
    assert_eq!(r.body["rules"][0]["count"], 2);
    for _ in 0..2 {
        let r = app.get(CATALOGS).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.error_code(), "TooManyRequests");
        assert!(r.body["error"]["innerError"]["request-id"].is_string());
    }
    assert_eq!(app.get(CATALOGS).await.status, 200);
    // Other methods and paths were never touched; the rule is used up.
    assert_eq!(app.get("/v1.0/users").await.status, 200);
    let now = TestApp::expect(app.get("/_accessd/faults").await, 200);
    assert_eq!(now.body["rules"][0]["count"], 0);
    let set = json!({"rules": [{"method": "POST", "path": "assignmentRequests", "status": 503, "count": 1, "retryAfter": 2}]});
    TestApp::expect(app.put("/_accessd/faults", set).await, 200);
    let r = app
        .post(
            "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
            json!({}),
        )
        .await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("2")));
    TestApp::expect(app.delete("/_accessd/faults").await, 204);
    assert_eq!(app.get("/_accessd/faults").await.body, json!({"seed": 0}));
}

#[tokio::test]
async fn throttling_and_replication_lag() {
    let app = TestApp::spawn().await;
    TestApp::expect(
        app.put(
            "/_accessd/faults",
            json!({"throttle": {"requestsPerSecond": 0.001, "burst": 2}}),
        )
        .await,
        200,
    );
    assert_eq!(app.get(CATALOGS).await.status, 200);
    assert_eq!(app.get(CATALOGS).await.status, 200);
    let r = app.get(CATALOGS).await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().parse::<u32>().unwrap() >= 1);
    // Another caller (token) has its own allowance; accessd's own routes are never throttled.
    let other = app.token_for(accessd_testkit::ADMIN);
    assert_eq!(
        app.call_as(&other, "GET", "/v1.0/users", None).await.status,
        200
    );
    assert_eq!(app.get("/_accessd/clock").await.status, 200);
    TestApp::expect(
        app.put("/_accessd/faults", json!({"replicationLagMs": 60000}))
            .await,
        200,
    );
    let c = TestApp::expect(
        app.post(CATALOGS, json!({"displayName": "Fresh"})).await,
        201,
    )
    .id();
    let r = app.get(&format!("{CATALOGS}/{c}")).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "ResourceNotFound")
    );
    TestApp::expect(app.delete("/_accessd/faults").await, 204);
    assert_eq!(app.get(&format!("{CATALOGS}/{c}")).await.status, 200);
}

#[tokio::test]
async fn bad_fault_sets_are_refused_and_only_administrators_set_them() {
    let app = TestApp::spawn().await;
    for bad in [
        json!({"color": "red"}),
        json!({"rules": [{"status": 418, "count": 1}]}),
        json!({"latency": {"minMs": 50, "maxMs": 10}}),
        json!({"throttle": {"requestsPerSecond": 0}}),
    ] {
        let r = app.put("/_accessd/faults", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    let user = app.user("Plain").await;
    let r = app
        .call_as(
            &app.token_for(&user),
            "PUT",
            "/_accessd/faults",
            Some(json!({"replicationLagMs": 1})),
        )
        .await;
    assert_eq!(r.status, 403);
}
