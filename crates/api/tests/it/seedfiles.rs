//! Declarative seed files (`POST /_accessd/seed`): a tenant as data, by name, all or nothing.

use accessd_testkit::{TestApp, percent};
use serde_json::{Value, json};

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

fn tenant() -> Value {
    json!({
        "users": [
            {"name": "mia", "displayName": "Mia Manager", "password": "Seed!Passw0rd1"},
            {"name": "ian", "displayName": "Ian", "manager": "mia"},
            {"name": "pat", "displayName": "Pat Partner", "userType": "Guest", "mail": "pat@partner.example"}
        ],
        "groups": [
            {"name": "eng", "displayName": "Engineering", "members": ["mia"]}
        ],
        "connectedOrganizations": [
            {"name": "partner", "domain": "partner.example", "externalSponsors": ["mia"]}
        ],
        "catalogs": [
            {"name": "research", "displayName": "Research", "resources": ["eng"]}
        ],
        "accessPackages": [
            {"name": "eng-access", "displayName": "Engineering access", "catalog": "research",
             "groups": ["eng"],
             "policies": [
                {"name": "direct", "allowedTargetScope": "notSpecified",
                 "expiration": {"type": "noExpiration"}},
                {"name": "ask", "allowedTargetScope": "allMemberUsers",
                 "expiration": {"type": "afterDuration", "duration": "P30D"},
                 "requestorSettings": {"enableTargetsToSelfAddAccess": true},
                 "requestApprovalSettings": {"isApprovalRequiredForAdd": true, "stages": [
                    {"durationBeforeAutomaticDenial": "P7D",
                     "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": "mia"}]}
                 ]}},
                {"name": "beta-style", "dialect": "beta", "durationInDays": 10,
                 "requestorSettings": {"scopeType": "NoSubjects", "acceptRequests": false}}
             ]},
            {"name": "other", "catalog": "research", "incompatibleWith": ["eng-access"]}
        ],
        "assignments": [
            {"user": "ian", "accessPackage": "eng-access", "policy": "direct"}
        ]
    })
}

async fn count(app: &TestApp, path: &str) -> usize {
    TestApp::expect(app.get(path).await, 200).values().len()
}

#[tokio::test]
async fn a_seed_file_loads_a_tenant_by_name() {
    let app = TestApp::spawn().await;
    let r = TestApp::expect(app.post("/_accessd/seed", tenant()).await, 200);
    assert_eq!(
        r.body,
        json!({"users": 3, "groups": 1, "catalogs": 1, "accessPackages": 2, "policies": 3,
               "connectedOrganizations": 1, "assignments": 1})
    );
    let ian = app
        .get(&format!(
            "/v1.0/users?$filter={}",
            percent("displayName eq 'Ian'")
        ))
        .await
        .values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mia = app.get(&format!("/v1.0/users/{ian}/manager")).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let eng = app.get("/v1.0/groups").await.values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Ian's assignment delivered the group; Mia was a member already.
    let mut want = vec![ian.clone(), mia.clone()];
    want.sort();
    assert_eq!(app.members(&eng).await, want);
    // The approver of the self-service policy is Mia, by id.
    let pols = app
        .get(&format!(
            "{EM}/assignmentPolicies?$filter={}",
            percent("displayName eq 'ask'")
        ))
        .await;
    let stage = &pols.values()[0]["requestApprovalSettings"]["stages"][0];
    assert_eq!(stage["primaryApprovers"][0]["userId"], mia.as_str());
    let beta = app
        .get(&format!(
            "{EM}/assignmentPolicies?$filter={}",
            percent("displayName eq 'beta-style'")
        ))
        .await;
    assert_eq!(beta.values()[0]["expiration"]["duration"], "P10D");
    let org = app
        .get(&format!("{EM}/connectedOrganizations"))
        .await
        .values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get(&format!(
            "{EM}/connectedOrganizations/{org}/externalSponsors"
        ))
        .await
        .values()[0]["id"],
        mia.as_str()
    );
    // Mia signs in with the seeded password.
    let r = app
        .post_form(
            "/common/oauth2/v2.0/token",
            &[
                ("grant_type", "password"),
                ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
                ("username", "mia@contoso.test"),
                ("password", "Seed!Passw0rd1"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_bad_seed_file_changes_nothing() {
    let app = TestApp::spawn().await;
    let users = count(&app, "/v1.0/users").await;
    let mut unknown = tenant();
    unknown["assignments"][0]["policy"] = json!("nope");
    let mut bad_policy = tenant();
    bad_policy["accessPackages"][0]["policies"][0]["color"] = json!("red");
    let mut not_in_catalog = tenant();
    not_in_catalog["catalogs"][0]["resources"] = json!([]);
    for (doc, says) in [
        (unknown, "assignments[0].policy"),
        (bad_policy, "accessPackages[0].policies[0]"),
        (not_in_catalog, "accessPackages[0].groups"),
        (json!({"people": []}), "people"),
        (json!({"users": [{"name": "a"}, {"name": "a"}]}), "users[1]"),
    ] {
        let r = app.post("/_accessd/seed", doc).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.text.contains(says), "{says}: {}", r.text);
    }
    // Checked, but the directory refuses a write half-way (a user principal name already
    // taken): the tenant is put back as it was.
    app.post(
        "/v1.0/users",
        json!({"displayName": "Taken", "userPrincipalName": "ian@contoso.test"}),
    )
    .await;
    let before = count(&app, "/v1.0/users").await;
    assert_eq!(before, users + 1);
    let r = app.post("/_accessd/seed", tenant()).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("users[1]"), "{}", r.text);
    assert_eq!(count(&app, "/v1.0/users").await, before);
    assert_eq!(count(&app, "/v1.0/groups").await, 0);
    assert_eq!(count(&app, &format!("{EM}/catalogs")).await, 0);
    // Not JSON; not an administrator.
    let r = app
        .raw(
            "POST",
            "/_accessd/seed",
            Some(&app.admin_token),
            &[],
            b"{users: [".to_vec(),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let plain = app.user("Plain").await;
    let t = app.token_for(&plain);
    assert_eq!(
        app.call_as(&t, "POST", "/_accessd/seed", Some(tenant()))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_schema_is_published() {
    let app = TestApp::spawn().await;
    let r = app
        .raw("GET", "/_accessd/seed.schema.json", None, &[], vec![])
        .await;
    assert_eq!(r.status, 200);
    let v: Value = serde_json::from_str(&r.text).unwrap();
    assert_eq!(v["title"], "accessd seed file");
    assert!(v["properties"]["accessPackages"].is_object());
}

#[tokio::test]
async fn an_exported_tenant_seeds_the_same_tenant_again() {
    let app = TestApp::spawn().await;
    TestApp::expect(app.post("/_accessd/seed", tenant()).await, 200);
    let first = TestApp::expect(app.get("/_accessd/seed").await, 200).body;
    assert_eq!(first["users"].as_array().unwrap().len(), 3, "{first}");
    assert_eq!(first["assignments"][0]["user"], "ian");
    assert_eq!(
        first["accessPackages"][1]["incompatibleWith"],
        json!(["engineering-access"])
    );
    let ask = first["accessPackages"][0]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ask")
        .unwrap()
        .clone();
    assert_eq!(
        ask["requestApprovalSettings"]["stages"][0]["primaryApprovers"][0]["userId"], "mia",
        "{ask}"
    );
    // Emptied and seeded from the export: the same document comes back.
    TestApp::expect(
        app.post("/_accessd/reset", json!({"to": "empty"})).await,
        200,
    );
    let r = app.post("/_accessd/seed", first.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let second = TestApp::expect(app.get("/_accessd/seed").await, 200).body;
    assert_eq!(second, first);
    let plain = app.user("Plain").await;
    let t = app.token_for(&plain);
    assert_eq!(
        app.call_as(&t, "GET", "/_accessd/seed", None).await.status,
        403
    );
}
