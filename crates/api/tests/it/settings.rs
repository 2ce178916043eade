//! `entitlementManagement/settings` in both dialects.

use accessd_testkit::TestApp;
use serde_json::json;

const V1: &str = "/v1.0/identityGovernance/entitlementManagement/settings";
const BETA: &str = "/beta/identityGovernance/entitlementManagement/settings";

#[tokio::test]
async fn settings_have_the_real_defaults_and_change_in_either_dialect() {
    let app = TestApp::spawn().await;
    let r = TestApp::expect(app.get(V1).await, 200);
    assert_eq!(
        r.body["externalUserLifecycleAction"],
        "blockSignInAndDelete"
    );
    assert_eq!(
        r.body["durationUntilExternalUserDeletedAfterBlocked"],
        "P30D"
    );
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("settings/$entity")
    );
    let b = TestApp::expect(app.get(BETA).await, 200);
    assert_eq!(
        b.body["externalUserLifecycleAction"],
        "BlockSignInAndDelete"
    );
    assert_eq!(b.body["daysUntilExternalUserDeletedAfterBlocked"], 30);
    // v1.0 written, beta read, and back.
    TestApp::expect(
        app.patch(V1, json!({"externalUserLifecycleAction": "blockSignIn", "durationUntilExternalUserDeletedAfterBlocked": "P15D"}))
            .await,
        204,
    );
    let b = app.get(BETA).await;
    assert_eq!(b.body["externalUserLifecycleAction"], "BlockSignIn");
    assert_eq!(b.body["daysUntilExternalUserDeletedAfterBlocked"], 15);
    TestApp::expect(
        app.patch(BETA, json!({"externalUserLifecycleAction": "None", "daysUntilExternalUserDeletedAfterBlocked": 7}))
            .await,
        204,
    );
    let r = app.get(V1).await;
    assert_eq!(r.body["externalUserLifecycleAction"], "none");
    assert_eq!(
        r.body["durationUntilExternalUserDeletedAfterBlocked"],
        "P7D"
    );
}

#[tokio::test]
async fn bad_settings_are_refused_and_only_administrators_change_them() {
    let app = TestApp::spawn().await;
    for (path, body) in [
        (V1, json!({"externalUserLifecycleAction": "deleteAtOnce"})),
        (
            V1,
            json!({"durationUntilExternalUserDeletedAfterBlocked": "PT5H"}),
        ),
        (
            V1,
            json!({"durationUntilExternalUserDeletedAfterBlocked": "P400D"}),
        ),
        (V1, json!({"color": "red"})),
        (BETA, json!({"externalUserLifecycleAction": "Whatever"})),
        (
            BETA,
            json!({"daysUntilExternalUserDeletedAfterBlocked": -1}),
        ),
    ] {
        let r = app.patch(path, body.clone()).await;
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text);
    }
    // Nothing changed.
    assert_eq!(
        app.get(V1).await.body["durationUntilExternalUserDeletedAfterBlocked"],
        "P30D"
    );
    let user = app.user("Plain").await;
    let t = app.token_for(&user);
    assert_eq!(app.call_as(&t, "GET", V1, None).await.status, 403);
    let r = app
        .call_as(
            &t,
            "PATCH",
            V1,
            Some(json!({"externalUserLifecycleAction": "none"})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.delete(V1).await.status, 405);
}
