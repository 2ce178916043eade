//! Server bugs that Microsoft's SDKs found through the conformance suite (`conformance/`), each
//! reproduced here without the SDK.

use accessd_testkit::TestApp;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
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

/// A body over the limit is answered 413 only after it has been read (up to a bound): a client
/// that is still sending when an early 413 arrives gets a reset connection instead (httpx over
/// HTTP/1.1: `ReadError`; over HTTP/2: `LocalProtocolError` or a read timeout). Found by the
/// Python SDK posting a catalog with a 1 MiB description.
#[tokio::test]
async fn an_oversized_body_is_read_before_the_413() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::body::Bytes;
    use futures::StreamExt;

    let app = TestApp::spawn().await;
    const CHUNK: usize = 64 * 1024;
    const CHUNKS: usize = 32; // 2 MiB
    for declare_length in [false, true] {
        let read = Arc::new(AtomicUsize::new(0));
        let counter = read.clone();
        let stream = futures::stream::iter(0..CHUNKS).map(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(Bytes::from(vec![b' '; CHUNK]))
        });
        let mut req = Request::builder()
            .method("POST")
            .uri("/v1.0/identityGovernance/entitlementManagement/catalogs")
            .header("host", "graph.test")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", app.admin_token));
        if declare_length {
            req = req.header("content-length", (CHUNK * CHUNKS).to_string());
        }
        let res = app
            .router
            .clone()
            .oneshot(req.body(Body::from_stream(stream)).unwrap())
            .await
            .unwrap();
        assert_eq!(
            res.status().as_u16(),
            413,
            "declared length: {declare_length}"
        );
        let body: Value =
            serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(body["error"]["code"], "RequestEntityTooLarge");
        assert_eq!(
            read.load(Ordering::SeqCst),
            CHUNKS,
            "the whole body was read before answering (declared length: {declare_length})"
        );
    }
}

/// `additionalAccess(accessPackageId=,incompatibleAccessPackageId=)`, as both SDKs send it (without
/// the comma: std-uritemplate drops it) and as the docs write it: the assignments to the first
/// package whose target also holds an assignment to the second.
#[tokio::test]
async fn additional_access_lists_targets_holding_both_packages() {
    let app = TestApp::spawn().await;
    let both = app.user("Both").await;
    let one = app.user("One").await;
    let catalog = app.catalog("C").await;
    let a = app.package(&catalog, "A").await;
    let b = app.package(&catalog, "B").await;
    let pa = app.policy(&a).await;
    let pb = app.policy(&b).await;
    let wanted = app.assign(&a, &pa, &both).await;
    app.assign(&b, &pb, &both).await;
    app.assign(&a, &pa, &one).await;
    for (version, set) in [
        ("v1.0", "assignments"),
        ("beta", "accessPackageAssignments"),
    ] {
        for sep in ["", ","] {
            let r = app
                .get(&format!(
                    "/{version}/identityGovernance/entitlementManagement/{set}/additionalAccess(accessPackageId='{a}'{sep}incompatibleAccessPackageId='{b}')"
                ))
                .await;
            let r = TestApp::expect(r, 200);
            let ids: Vec<String> = r
                .values()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(ids, vec![wanted.clone()], "{version} {sep:?}");
        }
    }
    let r = app
        .get(&format!(
            "/v1.0/identityGovernance/entitlementManagement/assignments/additionalAccess(accessPackageId='{a}',incompatibleAccessPackageId='{a}')"
        ))
        .await;
    assert_eq!(r.status, 400);
}

/// The other overloads of `additionalAccess`: beta's `accessPackageId` alone (the package and
/// each of its incompatible packages), and no parameters (every package and its incompatible
/// packages). Incompatibility is declared on one package: A lists B, B lists nothing.
#[tokio::test]
async fn additional_access_overloads_follow_declared_incompatibilities() {
    let app = TestApp::spawn().await;
    let both = app.user("Both").await;
    let one = app.user("One").await;
    let catalog = app.catalog("C").await;
    let a = app.package(&catalog, "A").await;
    let b = app.package(&catalog, "B").await;
    let c = app.package(&catalog, "C").await;
    let (pa, pb, pc) = (
        app.policy(&a).await,
        app.policy(&b).await,
        app.policy(&c).await,
    );
    let em = "/beta/identityGovernance/entitlementManagement";
    let r = app
        .post(
            &format!("{em}/accessPackages/{a}/incompatibleAccessPackages/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/beta/identityGovernance/entitlementManagement/accessPackages/{b}")}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let both_a = app.assign(&a, &pa, &both).await;
    let both_b = app.assign(&b, &pb, &both).await;
    app.assign(&c, &pc, &both).await;
    app.assign(&a, &pa, &one).await;
    let ids = |r: &accessd_testkit::Resp| -> Vec<String> {
        r.values()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Both holds A and B, and A declares B incompatible: Both's A assignment, in every overload.
    for path in [
        format!("{em}/accessPackageAssignments/additionalAccess(accessPackageId='{a}')"),
        format!("{em}/accessPackageAssignments/additionalAccess()"),
        "/v1.0/identityGovernance/entitlementManagement/assignments/additionalAccess()".into(),
    ] {
        let r = TestApp::expect(app.get(&path).await, 200);
        assert_eq!(ids(&r), vec![both_a.clone()], "{path}");
    }
    // B declares nothing, so nothing from B's side; C is compatible with everything.
    for p in [&b, &c] {
        let r = TestApp::expect(
            app.get(&format!(
                "{em}/accessPackageAssignments/additionalAccess(accessPackageId='{p}')"
            ))
            .await,
            200,
        );
        assert!(ids(&r).is_empty(), "{}", r.text);
    }
    // Once Both's B assignment is gone, nothing is left to report.
    let r = app
        .post(
            "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
            json!({"requestType": "adminRemove", "assignment": {"id": both_b}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = TestApp::expect(
        app.get(&format!("{em}/accessPackageAssignments/additionalAccess()"))
            .await,
        200,
    );
    assert!(ids(&r).is_empty(), "{}", r.text);
    // v1.0 has no one-parameter overload; half a pair is a 400 naming what is missing.
    for (path, missing) in [
        (
            format!(
                "/v1.0/identityGovernance/entitlementManagement/assignments/additionalAccess(accessPackageId='{a}')"
            ),
            "incompatibleAccessPackageId",
        ),
        (
            format!(
                "{em}/accessPackageAssignments/additionalAccess(incompatibleAccessPackageId='{b}')"
            ),
            "accessPackageId",
        ),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.text.contains(missing), "{}", r.text);
    }
}
