//! `availableAccessPackages`: the packages the signed-in user may request, as end users browse
//! them.

use accessd_domain::{Clock, PrincipalKind};
use accessd_testkit::{TestApp, percent};
use serde_json::json;

const V1: &str = "/v1.0/identityGovernance/entitlementManagement";
const BETA: &str = "/beta/identityGovernance/entitlementManagement";

/// A self-service policy on `package` for the users in `targets` (all members when empty).
async fn self_service(app: &TestApp, package: &str, targets: &[&str]) {
    let (scope, specific): (&str, Vec<serde_json::Value>) = if targets.is_empty() {
        ("allMemberUsers", vec![])
    } else {
        (
            "specificDirectoryUsers",
            targets
                .iter()
                .map(|t| json!({"@odata.type": "#microsoft.graph.singleUser", "userId": t}))
                .collect(),
        )
    };
    let r = app
        .post(
            &format!("{V1}/assignmentPolicies"),
            json!({
                "displayName": "Ask", "description": "ask",
                "allowedTargetScope": scope, "specificAllowedTargets": specific,
                "expiration": {"type": "noExpiration"},
                "requestorSettings": {"enableTargetsToSelfAddAccess": true},
                "requestApprovalSettings": {"isApprovalRequiredForAdd": false, "stages": []},
                "accessPackage": {"id": package}
            }),
        )
        .await;
    TestApp::expect(r, 201);
}

#[tokio::test]
async fn users_see_what_they_may_request_and_nothing_else() {
    let app = TestApp::spawn().await;
    let cat = app.catalog("Browse").await;
    let group = app.group("Readers").await;
    let open = app.group_package(&cat, &group, "Open to members").await;
    let hidden = app.package(&cat, "Hidden").await;
    let only_kai = app.package(&cat, "Only Kai").await;
    let direct = app.package(&cat, "Direct only").await;
    app.policy(&direct).await;
    TestApp::expect(
        app.patch(
            &format!("{V1}/accessPackages/{hidden}"),
            json!({"isHidden": true}),
        )
        .await,
        204,
    );
    self_service(&app, &open, &[]).await;
    self_service(&app, &hidden, &[]).await;
    let kai = app.user("Kai").await;
    let lee = app.user("Lee").await;
    self_service(&app, &only_kai, &[&kai]).await;

    let ids = |r: &accessd_testkit::Resp| {
        let mut v: Vec<String> = r
            .values()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let tk = app.token_for(&kai);
    let tl = app.token_for(&lee);
    let r = app
        .call_as(&tk, "GET", &format!("{V1}/availableAccessPackages"), None)
        .await;
    let r = TestApp::expect(r, 200);
    let mut want = vec![open.clone(), only_kai.clone()];
    want.sort();
    assert_eq!(ids(&r), want);
    let first = &r.values()[0];
    assert_eq!(
        first["@odata.type"],
        "#microsoft.graph.availableAccessPackage"
    );
    assert!(first.get("isHidden").is_none(), "{first}");
    let r = app
        .call_as(&tl, "GET", &format!("{BETA}/availableAccessPackages"), None)
        .await;
    assert_eq!(ids(&TestApp::expect(r, 200)), vec![open.clone()]);

    // One by one: 404 for what the caller may not request.
    for (t, id, status) in [
        (&tk, &only_kai, 200),
        (&tl, &only_kai, 404),
        (&tl, &hidden, 404),
        (&tl, &direct, 404),
    ] {
        let r = app
            .call_as(
                t,
                "GET",
                &format!("{V1}/availableAccessPackages/{id}"),
                None,
            )
            .await;
        assert_eq!(r.status, status, "{id}: {}", r.text);
    }
    // The role scopes of an available package (the group's membership).
    let r = app
        .call_as(
            &tl,
            "GET",
            &format!("{V1}/availableAccessPackages/{open}/resourceRoleScopes"),
            None,
        )
        .await;
    assert_eq!(TestApp::expect(r, 200).values().len(), 1);
    // OData over it: filter, select, count.
    let q = format!(
        "{V1}/availableAccessPackages?$filter={}&$select=displayName&$count=true",
        percent("displayName eq 'Only Kai'")
    );
    let r = TestApp::expect(app.call_as(&tk, "GET", &q, None).await, 200);
    assert_eq!(r.values().len(), 1);
    assert_eq!(r.body["@odata.count"], 1);
    assert!(r.values()[0].get("description").is_none());
    // Read-only.
    let r = app
        .call_as(
            &tk,
            "POST",
            &format!("{V1}/availableAccessPackages"),
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_eq!(r.status, 405, "{}", r.text);

    // An application with a read permission sees every package that is not hidden.
    let t = app
        .keys
        .mint(
            &accessd_api::auth::TokenRequest {
                kind: Some(PrincipalKind::App),
                object_id: "00000000-0000-0000-0000-0000000000a1".into(),
                roles: vec!["EntitlementManagement.Read.All".into()],
                lifetime_seconds: 3600,
                ..Default::default()
            },
            app.clock.now(),
        )
        .unwrap();
    let r = app
        .call_as(&t, "GET", &format!("{V1}/availableAccessPackages"), None)
        .await;
    let mut want = vec![open, only_kai, direct];
    want.sort();
    assert_eq!(ids(&TestApp::expect(r, 200)), want);
    let none = app
        .keys
        .mint(
            &accessd_api::auth::TokenRequest {
                kind: Some(PrincipalKind::App),
                object_id: "00000000-0000-0000-0000-0000000000a2".into(),
                roles: vec!["User.Read.All".into()],
                lifetime_seconds: 3600,
                ..Default::default()
            },
            app.clock.now(),
        )
        .unwrap();
    let r = app
        .call_as(&none, "GET", &format!("{V1}/availableAccessPackages"), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

#[tokio::test]
async fn suggestions_come_from_related_people_and_the_users_own_history() {
    let app = TestApp::spawn().await;
    let cat = app.catalog("Suggest").await;
    let boss = app.user("Boss").await;
    let ana = app.user_with_manager("Ana", Some(&boss)).await;
    let ben = app.user_with_manager("Ben", Some(&boss)).await;
    let mut ids = vec![];
    for name in [
        "Peers have it",
        "Had it before",
        "Nobody has it",
        "Ana has it",
    ] {
        let p = app.package(&cat, name).await;
        self_service(&app, &p, &[]).await;
        let direct = app.policy(&p).await;
        ids.push((p, direct));
    }
    let (peers, had, _nobody, holds) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    app.assign(&peers.0, &peers.1, &ben).await;
    app.assign(&holds.0, &holds.1, &ana).await;
    let old = app.assign(&had.0, &had.1, &ana).await;
    TestApp::expect(
        app.post(
            &format!("{V1}/assignmentRequests"),
            json!({"requestType": "adminRemove", "assignment": {"id": old}}),
        )
        .await,
        201,
    );

    let t = app.token_for(&ana);
    let r = app
        .call_as(&t, "GET", &format!("{V1}/accessPackageSuggestions"), None)
        .await;
    let r = TestApp::expect(r, 200);
    let got: Vec<String> = r
        .values()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, vec![peers.0.clone(), had.0.clone()], "{}", r.text);
    let related = &r.values()[0]["reasons"][0];
    assert_eq!(
        related["@odata.type"],
        "#microsoft.graph.accessPackageSuggestionRelatedPeopleBased"
    );
    assert_eq!(related["relatedPeopleAssignmentCount"], 1);
    assert_eq!(related["relatedPeople"][0]["id"], ben.as_str());
    let history = &r.values()[1]["reasons"][0];
    assert_eq!(history["pastAssignmentCount"], 1);
    assert!(history["lastAssignmentDateTime"].is_string());

    // Filtered by reason, one by one, and the package behind a suggestion.
    let r = app
        .call_as(
            &t,
            "GET",
            &format!("{BETA}/accessPackageSuggestions/filterByCurrentUser(on='assignmentHistory')"),
            None,
        )
        .await;
    let r = TestApp::expect(r, 200);
    assert_eq!(r.values().len(), 1);
    assert_eq!(r.values()[0]["id"], had.0.as_str());
    let r = app
        .call_as(
            &t,
            "GET",
            &format!("{V1}/accessPackageSuggestions/filterByCurrentUser(on='sameDepartment')"),
            None,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app
        .call_as(
            &t,
            "GET",
            &format!("{V1}/accessPackageSuggestions/{}/accessPackage", peers.0),
            None,
        )
        .await;
    let r = TestApp::expect(r, 200);
    assert_eq!(r.body["displayName"], "Peers have it");
    assert_eq!(
        r.body["@odata.type"],
        "#microsoft.graph.availableAccessPackage"
    );
    let r = app
        .call_as(
            &t,
            "GET",
            &format!("{V1}/accessPackageSuggestions/{}", holds.0),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // Ben's peer Ana holds one package Ben may request (her removed one no longer counts).
    let r = app
        .call_as(
            &app.token_for(&ben),
            "GET",
            &format!("{V1}/accessPackageSuggestions"),
            None,
        )
        .await;
    let r = TestApp::expect(r, 200);
    assert_eq!(r.values().len(), 1);
    assert_eq!(r.values()[0]["id"], holds.0.as_str());
    // Read-only, and for signed-in users.
    let r = app
        .call_as(
            &t,
            "POST",
            &format!("{V1}/accessPackageSuggestions"),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(
        app.get(&format!("{V1}/accessPackageSuggestions"))
            .await
            .status,
        200
    );
}

async fn ask(app: &TestApp, who: &str, package: &str) -> accessd_testkit::Resp {
    let t = app.token_for(who);
    app.call_as(
        &t,
        "POST",
        &format!("{V1}/assignmentRequests"),
        Some(json!({"requestType": "userAdd", "assignment": {"accessPackageId": package}})),
    )
    .await
}

#[tokio::test]
async fn a_user_add_without_a_policy_uses_the_one_that_applies() {
    let app = TestApp::spawn().await;
    let cat = app.catalog("Implicit").await;
    let p = app.package(&cat, "One policy").await;
    let ana = app.user("Ana").await;
    let ben = app.user("Ben").await;
    let cy = app.user("Cy").await;
    self_service(&app, &p, &[&ana, &ben]).await;
    let r = ask(&app, &ana, &p).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["state"], "delivered");
    // Nobody's policy: refused; two policies that apply: the caller must choose.
    let r = ask(&app, &cy, &p).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "RequestorNotAllowed");
    self_service(&app, &p, &[&ben]).await;
    let r = ask(&app, &ben, &p).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("assignmentPolicyId"), "{}", r.text);
}
