//! ETags and `If-Match` (docs/decisions.md): a single entity comes with its tag, a change that
//! names a stale tag is refused with 412 and changes nothing, and of two writers that read the
//! same state only the first one's change goes through.

use accessd_testkit::{Resp, TestApp};
use serde_json::{Value, json};

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

async fn send(app: &TestApp, method: &str, path: &str, if_match: &str, body: Value) -> Resp {
    let body = if body.is_null() {
        vec![]
    } else {
        body.to_string().into_bytes()
    };
    app.raw(
        method,
        path,
        Some(&app.admin_token),
        &[("if-match", if_match)],
        body,
    )
    .await
}

fn tag(r: &Resp) -> String {
    let t = r.body["@odata.etag"]
        .as_str()
        .expect("@odata.etag")
        .to_string();
    assert_eq!(
        r.header("etag"),
        Some(t.as_str()),
        "the header and the body agree"
    );
    assert!(t.starts_with("W/\""), "{t}");
    t
}

#[tokio::test]
async fn a_stale_tag_is_refused_with_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let c = app.catalog("Sales").await;
    let url = format!("{EM}/catalogs/{c}");
    let first = tag(&TestApp::expect(app.get(&url).await, 200));
    // The tag is stable while nothing changes.
    assert_eq!(tag(&app.get(&url).await), first);

    let r = send(&app, "PATCH", &url, &first, json!({"description": "one"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let second = tag(&app.get(&url).await);
    assert_ne!(second, first, "a change changes the tag");

    let r = send(&app, "PATCH", &url, &first, json!({"description": "two"})).await;
    assert_eq!(r.status, 412, "{}", r.text);
    assert_eq!(r.error_code(), "PreconditionFailed");
    let now = app.get(&url).await;
    assert_eq!(now.body["description"], json!("one"));
    assert_eq!(tag(&now), second);

    // Without the W/ prefix, several tags, or `*`.
    let bare = second.trim_start_matches("W/");
    let r = send(
        &app,
        "PATCH",
        &url,
        &format!("{first}, {bare}"),
        json!({"description": "three"}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = send(&app, "PATCH", &url, "*", json!({"description": "four"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // No If-Match: the last writer wins, as before.
    let r = app.patch(&url, json!({"description": "five"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
}

#[tokio::test]
async fn delete_and_put_honour_if_match() {
    let app = TestApp::spawn().await;
    let (_c, p, pol) = app.package_with_policy().await;
    let pol_url = format!("{EM}/assignmentPolicies/{pol}");
    let stale = tag(&app.get(&pol_url).await);
    let r = app.get(&pol_url).await;
    let mut replacement = r.body.clone();
    for k in [
        "@odata.context",
        "@odata.etag",
        "id",
        "createdDateTime",
        "modifiedDateTime",
    ] {
        replacement.as_object_mut().unwrap().remove(k);
    }
    replacement["displayName"] = json!("Renamed");
    replacement["accessPackage"] = json!({"id": p});
    let r = send(&app, "PUT", &pol_url, &stale, replacement.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = send(&app, "PUT", &pol_url, &stale, replacement).await;
    assert_eq!(r.status, 412, "{}", r.text);

    let pkg = format!("{EM}/accessPackages/{p}");
    let old = tag(&app.get(&pkg).await);
    TestApp::expect(
        app.patch(&pkg, json!({"description": "moved on"})).await,
        204,
    );
    let r = send(
        &app,
        "DELETE",
        &format!("{EM}/assignmentPolicies/{pol}"),
        &stale,
        Value::Null,
    )
    .await;
    assert_eq!(r.status, 412, "{}", r.text);
    let r = send(&app, "DELETE", &pkg, &old, Value::Null).await;
    assert_eq!(r.status, 412, "{}", r.text);
    assert_eq!(app.get(&pkg).await.status, 200, "still there");
}

/// Users and groups carry their tag in the `ETag` header only, as Graph's directory objects
/// have no `@odata.etag`; `If-Match` works the same.
#[tokio::test]
async fn directory_objects_take_if_match_too() {
    let app = TestApp::spawn().await;
    let u = app.user("Ann").await;
    let url = format!("/v1.0/users/{u}");
    let r = app.get(&url).await;
    assert!(r.body.get("@odata.etag").is_none(), "{}", r.text);
    let t = r.header("etag").expect("ETag").to_string();
    let r = send(&app, "PATCH", &url, &t, json!({"jobTitle": "Engineer"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = send(&app, "PATCH", &url, &t, json!({"jobTitle": "Manager"})).await;
    assert_eq!(r.status, 412, "{}", r.text);
    assert_eq!(app.get(&url).await.body["jobTitle"], json!("Engineer"));
}

/// Writers that read the same state race: exactly one change goes through, every other is a
/// 412, whatever the interleaving (the check is made inside the write transaction).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_racing_writers_with_the_same_tag_one_wins() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let c = app.catalog("Raced").await;
    let url = format!("{EM}/catalogs/{c}");
    for round in 0..5 {
        let t = tag(&app.get(&url).await);
        let mut tasks = Vec::new();
        for i in 0..6 {
            let (app, url, t) = (app.clone(), url.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({"description": format!("round {round} writer {i}")});
                send(&app, "PATCH", &url, &t, body).await.status
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        statuses.sort();
        assert_eq!(statuses, [204, 412, 412, 412, 412, 412], "round {round}");
    }
}
