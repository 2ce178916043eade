//! Server bugs that Microsoft's SDKs found through the conformance suite (`conformance/`), each
//! reproduced here without the SDK.

use accessd_testkit::TestApp;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// HTTP/2 (what httpx, Go and .NET speak over TLS) has no `Host` header: the host is in the
/// request's `:authority`, which reaches the router as the URI's authority. Links must be built
/// from it, or the SDK's page iterator follows a nextLink on `localhost` without its token.
#[tokio::test]
async fn links_use_the_authority_when_there_is_no_host_header() {
    let app = TestApp::spawn().await;
    for name in ["A", "B", "C"] {
        app.user(name).await;
    }
    let req = Request::builder()
        .method("GET")
        .uri("https://graph.test:8443/v1.0/users?$top=2")
        .header("authorization", format!("Bearer {}", app.admin_token))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let next = body["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with("http://graph.test:8443/v1.0/users?"),
        "{next}"
    );
    let ctx = body["@odata.context"].as_str().unwrap();
    assert!(
        ctx.starts_with("http://graph.test:8443/v1.0/$metadata"),
        "{ctx}"
    );
}
