//! `GET /_accessd/requests`: the last calls, newest first, with secrets masked.

use accessd_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn the_request_log_shows_the_last_calls_with_secrets_masked() {
    let app = TestApp::spawn().await;
    let u = app
        .post(
            "/v1.0/users",
            json!({"displayName": "Logged", "userPrincipalName": "logged@contoso.test",
                   "passwordProfile": {"password": "Very!Secret1"}}),
        )
        .await;
    assert_eq!(u.status, 201);
    app.get("/v1.0/users/00000000-0000-0000-0000-00000000beef")
        .await;
    let tid = app.keys.tenant_id.clone();
    app.post_form(
        &format!("/{tid}/oauth2/v2.0/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "some-client"),
            ("client_secret", "do-not-log-me"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    let r = TestApp::expect(app.get("/_accessd/requests").await, 200);
    let v = r.values();
    assert_eq!(v.len(), 3, "{}", r.text);
    assert!(!r.text.contains("Very!Secret1") && !r.text.contains("do-not-log-me"));
    // Newest first.
    assert_eq!(v[0]["path"], format!("/{tid}/oauth2/v2.0/token"));
    assert_eq!(v[0]["status"], 400);
    assert_eq!(v[0]["caller"], "client some-client");
    assert!(v[0]["body"].as_str().unwrap().contains("client_secret=***"));
    assert_eq!(v[1]["status"], 404);
    assert_eq!(v[2]["method"], "POST");
    assert_eq!(v[2]["status"], 201);
    assert!(v[2]["caller"].as_str().unwrap().starts_with("user "));
    assert!(
        v[2]["body"]
            .as_str()
            .unwrap()
            .contains("\"password\":\"***\"")
    );
    assert_eq!(v[2]["requestId"], u.header("request-id").unwrap());
    assert!(v[2]["latencyMs"].as_f64().unwrap() >= 0.0);
    // Filters.
    let posts = app
        .get("/_accessd/requests?method=post&status=201")
        .await
        .values();
    assert_eq!(posts.len(), 1);
    let one = app
        .get("/_accessd/requests?top=1&path=/v1.0/users")
        .await
        .values();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["status"], 404);
    assert_eq!(app.get("/_accessd/requests?color=red").await.status, 400);
    // Administrators only.
    let plain = app.user("Plain").await;
    let r = app
        .call_as(&app.token_for(&plain), "GET", "/_accessd/requests", None)
        .await;
    assert_eq!(r.status, 403);
}
