//! Bearer tokens: what is refused (with Graph's 401), what is accepted, and how the token's
//! `oid` decides what `filterByCurrentUser` returns.

use accessd_api::auth::{Keys, TokenRequest};
use accessd_domain::{Clock, Duration, PrincipalKind};
use accessd_testkit::{Resp, TestApp};
use serde_json::json;

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

/// A path every valid token may read.
fn catalogs() -> String {
    format!("{EM}/catalogs")
}

/// Sends a GET with a raw `Authorization` header (or none).
async fn get_with_authorization(app: &TestApp, authorization: Option<&str>) -> Resp {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| ("authorization", a))
        .into_iter()
        .collect();
    app.raw("GET", &catalogs(), None, &headers, vec![]).await
}

/// Asserts Graph's 401 and returns the message.
fn assert_unauthenticated(r: &Resp) -> String {
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.error_code(), "InvalidAuthenticationToken", "{}", r.text);
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate: {challenge:?}"
    );
    assert!(r.body.get("value").is_none(), "{}", r.text);
    r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A token of an administrator (the scope and Global Administrator in `wids`), so that only
/// the token's validity decides the answer.
fn user_token(
    keys: &Keys,
    oid: &str,
    lifetime_seconds: i64,
    now: accessd_domain::Timestamp,
) -> String {
    keys.mint(
        &TokenRequest {
            kind: Some(PrincipalKind::User),
            object_id: oid.into(),
            scopes: vec!["EntitlementManagement.ReadWrite.All".into()],
            wids: vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.into()],
            lifetime_seconds,
            ..TokenRequest::default()
        },
        now,
    )
    .expect("token")
}

#[tokio::test]
async fn no_authorization_header_is_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let r = get_with_authorization(&app, None).await;
    let message = assert_unauthenticated(&r);
    assert!(message.contains("empty"), "{message}");
    // The same for the other dialect and for the directory.
    for path in [
        "/beta/identityGovernance/entitlementManagement/accessPackages",
        "/v1.0/users",
    ] {
        let r = app.raw("GET", path, None, &[], vec![]).await;
        assert_unauthenticated(&r);
    }
}

#[tokio::test]
async fn a_refused_write_writes_nothing() {
    let app = TestApp::spawn().await;
    let body = json!({"displayName": "Sneaky"}).to_string().into_bytes();
    let r = app.raw("POST", &catalogs(), None, &[], body).await;
    assert_unauthenticated(&r);
    let r = TestApp::expect(app.get(&format!("{}/$count", catalogs())).await, 200);
    assert_eq!(r.text, "0");
}

#[tokio::test]
async fn a_malformed_token_is_401() {
    let app = TestApp::spawn().await;
    for bad in ["Bearer abc", "Bearer a.b.c", "Bearer ", "Bearer"] {
        let r = get_with_authorization(&app, Some(bad)).await;
        assert_unauthenticated(&r);
    }
    // A valid token with its signature tampered with.
    let mut t = app.admin_token.clone();
    let n = t.len();
    let replacement = if t.ends_with("AAAA") { "BBBB" } else { "AAAA" };
    t.replace_range(n - 4.., replacement);
    let r = get_with_authorization(&app, Some(&format!("Bearer {t}"))).await;
    assert_unauthenticated(&r);
}

#[tokio::test]
async fn a_token_of_another_tenant_is_401() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn().await;
    assert_ne!(app.keys.tenant_id, other.keys.tenant_id);
    let r = get_with_authorization(&app, Some(&format!("Bearer {}", other.admin_token))).await;
    assert_unauthenticated(&r);
    // Each app accepts its own.
    TestApp::expect(other.get(&catalogs()).await, 200);
    TestApp::expect(app.get(&catalogs()).await, 200);
}

#[tokio::test]
async fn a_token_signed_by_another_key_for_the_same_tenant_is_401() {
    let app = TestApp::spawn().await;
    let pem = rcgen::KeyPair::generate().expect("key").serialize_pem();
    let forger = Keys::from_pem(&pem, &app.keys.tenant_id).expect("keys");
    let forged = user_token(&forger, accessd_testkit::ADMIN, 3600, app.clock.now());
    let r = get_with_authorization(&app, Some(&format!("Bearer {forged}"))).await;
    let message = assert_unauthenticated(&r);
    assert!(message.contains("signature"), "{message}");
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let app = TestApp::spawn().await;
    let user = app.user("Ann").await;
    let token = user_token(&app.keys, &user, 60, app.clock.now());
    let auth = format!("Bearer {token}");
    TestApp::expect(get_with_authorization(&app, Some(&auth)).await, 200);
    app.clock.advance(Duration::days(1));
    let r = get_with_authorization(&app, Some(&auth)).await;
    let message = assert_unauthenticated(&r);
    assert!(message.contains("expired"), "{message}");
    // A fresh token works at the new time.
    let fresh = user_token(&app.keys, &user, 60, app.clock.now());
    TestApp::expect(
        get_with_authorization(&app, Some(&format!("Bearer {fresh}"))).await,
        200,
    );
}

#[tokio::test]
async fn a_scheme_other_than_bearer_is_401() {
    let app = TestApp::spawn().await;
    let r = get_with_authorization(&app, Some("Basic xyz")).await;
    let message = assert_unauthenticated(&r);
    assert!(message.contains("Bearer"), "{message}");
    // Even with a valid token behind it.
    let r = get_with_authorization(&app, Some(&format!("Basic {}", app.admin_token))).await;
    assert_unauthenticated(&r);
    // The scheme name is case-insensitive.
    let r = get_with_authorization(&app, Some(&format!("bearer {}", app.admin_token))).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_valid_user_token_works() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    app.catalog("Other").await;
    let user = app.user("Ann").await;
    let token = app.token_for(&user);
    // The token is accepted; without a role the list is refused (403, not 401).
    let r = app.raw("GET", &catalogs(), Some(&token), &[], vec![]).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.error_code(), "UnAuthorized");
    // As Catalog reader of C, the list holds C and nothing else.
    app.engine
        .create_role_assignment(
            &accessd_domain::Principal::system("t"),
            accessd_domain::RoleProvider::EntitlementManagement,
            accessd_engine::RoleAssignmentDraft {
                role_definition_id: Some("44272f93-9762-48e8-af59-1b5351b1d6b3".into()),
                principal_id: Some(user.clone()),
                app_scope_id: Some(format!("/AccessPackageCatalog/{c}")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = app.raw("GET", &catalogs(), Some(&token), &[], vec![]).await;
    let r = TestApp::expect(r, 200);
    let ids: Vec<_> = r.values().iter().map(|v| v["id"].clone()).collect();
    assert_eq!(ids, vec![json!(c)]);
}

#[tokio::test]
async fn healthz_needs_no_token() {
    let app = TestApp::spawn().await;
    let r = app.raw("GET", "/healthz", None, &[], vec![]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.header("content-type")
    );
    assert_eq!(r.body["status"], json!("ok"));
}

#[tokio::test]
async fn filter_by_current_user_on_target_follows_the_token() {
    let app = TestApp::spawn().await;
    let (_c, p, pol) = app.package_with_policy().await;
    let ann = app.user("Ann").await;
    let bob = app.user("Bob").await;
    let carl = app.user("Carl").await;
    let a_ann = app.assign(&p, &pol, &ann).await;
    let a_bob = app.assign(&p, &pol, &bob).await;
    let path = format!("{EM}/assignments/filterByCurrentUser(on='target')");

    for (user, want) in [
        (&ann, vec![json!(a_ann)]),
        (&bob, vec![json!(a_bob)]),
        (&carl, vec![]),
    ] {
        let token = app.token_for(user);
        let r = TestApp::expect(app.raw("GET", &path, Some(&token), &[], vec![]).await, 200);
        let ids: Vec<_> = r.values().iter().map(|v| v["id"].clone()).collect();
        assert_eq!(ids, want, "{}", r.text);
    }
    // The admin is the target of nothing.
    let r = TestApp::expect(app.get(&path).await, 200);
    assert_eq!(r.values(), Vec::<serde_json::Value>::new());
}

#[tokio::test]
async fn filter_by_current_user_with_an_unknown_on_lists_the_allowed_values() {
    let app = TestApp::spawn().await;
    let r = app
        .get(&format!(
            "{EM}/assignments/filterByCurrentUser(on='everybody')"
        ))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "BadRequest");
    assert_eq!(r.body["error"]["target"], json!("on"));
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    for v in ["everybody", "target", "createdBy", "targetManager"] {
        assert!(message.contains(v), "'{v}' missing: {message}");
    }
}

#[tokio::test]
async fn a_token_not_yet_valid_is_401() {
    let app = TestApp::spawn().await;
    let user = app.user("Ann").await;
    let later = app.clock.now().add(Duration::days(1));
    let token = user_token(&app.keys, &user, 3600, later);
    let r = get_with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    let message = assert_unauthenticated(&r);
    assert!(message.contains("not yet valid"), "{message}");
    // Once its time has come it is accepted.
    app.clock.advance(Duration::days(1));
    TestApp::expect(
        get_with_authorization(&app, Some(&format!("Bearer {token}"))).await,
        200,
    );
}

#[tokio::test]
async fn a_token_without_an_object_id_is_401() {
    let app = TestApp::spawn().await;
    let token = user_token(&app.keys, "", 3600, app.clock.now());
    let r = get_with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    let message = assert_unauthenticated(&r);
    assert!(message.contains("oid"), "{message}");
}

#[tokio::test]
async fn a_token_signed_by_the_right_key_for_another_tenant_is_401() {
    let app = TestApp::spawn().await;
    let pem = {
        let mut tx = app.store.read().await.expect("read");
        tx.meta_get("signing_key_pem")
            .await
            .expect("meta")
            .expect("the app's key")
    };
    let elsewhere = Keys::from_pem(&pem, "11111111-2222-3333-4444-555555555555").expect("keys");
    let same = Keys::from_pem(&pem, &app.keys.tenant_id).expect("keys");
    let now = app.clock.now();
    // The app's own key and tenant: accepted, so the refusal below is about the tenant.
    let ok = user_token(&same, accessd_testkit::ADMIN, 3600, now);
    TestApp::expect(
        get_with_authorization(&app, Some(&format!("Bearer {ok}"))).await,
        200,
    );
    let foreign = user_token(&elsewhere, accessd_testkit::ADMIN, 3600, now);
    let r = get_with_authorization(&app, Some(&format!("Bearer {foreign}"))).await;
    assert_unauthenticated(&r);
}
