//! Connected organizations and their sponsors, in both dialects, from Microsoft's examples.

use accessd_testkit::{TestApp, percent, roles};
use serde_json::json;

const V1: &str = "/v1.0/identityGovernance/entitlementManagement/connectedOrganizations";
const BETA: &str = "/beta/identityGovernance/entitlementManagement/connectedOrganizations";

fn docs_example() -> serde_json::Value {
    // The create example of Microsoft's page (v1.0 and beta alike).
    json!({
        "displayName": "Connected organization name",
        "description": "Connected organization description",
        "identitySources": [{
            "@odata.type": "#microsoft.graph.domainIdentitySource",
            "domainName": "example.com",
            "displayName": "example.com"
        }],
        "state": "proposed"
    })
}

#[tokio::test]
async fn create_read_list_update_and_delete_as_the_docs_show() {
    let app = TestApp::spawn().await;
    let r = TestApp::expect(app.post(&format!("{V1}/"), docs_example()).await, 201);
    let id = r.id();
    assert_eq!(r.body["displayName"], "Connected organization name");
    assert_eq!(r.body["state"], "proposed");
    assert_eq!(
        r.body["identitySources"][0]["@odata.type"],
        "#microsoft.graph.domainIdentitySource"
    );
    assert_eq!(r.body["identitySources"][0]["domainName"], "example.com");
    assert!(r.body.get("createdBy").is_none(), "v1.0 has no createdBy");
    assert!(
        r.header("location")
            .unwrap()
            .ends_with(&format!("connectedOrganizations('{id}')"))
            || r.header("location").unwrap().ends_with(&id)
    );

    // Read in both dialects; beta adds createdBy/modifiedBy.
    let g = TestApp::expect(app.get(&format!("{V1}/{id}")).await, 200);
    assert_eq!(g.body["description"], "Connected organization description");
    let b = TestApp::expect(app.get(&format!("{BETA}/{id}")).await, 200);
    assert!(b.body["createdBy"].is_string(), "{}", b.text);
    assert_eq!(b.body["modifiedBy"], b.body["createdBy"]);
    let sel = TestApp::expect(
        app.get(&format!("{V1}/{id}?$select=identitySources")).await,
        200,
    );
    assert!(sel.body.get("displayName").is_none());
    assert_eq!(sel.body["identitySources"].as_array().unwrap().len(), 1);

    // The list and its documented filter.
    let l = TestApp::expect(
        app.get(&format!(
            "{V1}?$filter={}",
            percent("displayName eq 'Connected organization name'")
        ))
        .await,
        200,
    );
    assert_eq!(l.values().len(), 1);
    let none = TestApp::expect(
        app.get(&format!(
            "{V1}?$filter={}",
            percent("displayName eq 'Other'")
        ))
        .await,
        200,
    );
    assert!(none.values().is_empty());

    // The update example: v1.0 answers 202 with the organization, beta 204.
    let u = TestApp::expect(
        app.patch(
            &format!("{V1}/{id}"),
            json!({"displayName": "Connected organization new name",
                   "description": "Connected organization new description",
                   "state": "configured"}),
        )
        .await,
        202,
    );
    assert_eq!(u.body["displayName"], "Connected organization new name");
    assert_eq!(u.body["state"], "configured");
    TestApp::expect(
        app.patch(
            &format!("{BETA}/{id}"),
            json!({"description": "beta wrote this"}),
        )
        .await,
        204,
    );
    assert_eq!(
        app.get(&format!("{V1}/{id}")).await.body["description"],
        "beta wrote this"
    );
    // Beta's identity sources are read-only after creation; v1.0 may replace them.
    let r = app
        .patch(
            &format!("{BETA}/{id}"),
            json!({"identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": "b.example"}]}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    TestApp::expect(
        app.patch(
            &format!("{V1}/{id}"),
            json!({"identitySources": [{"@odata.type": "#microsoft.graph.azureActiveDirectoryTenant", "tenantId": "bf85dc9d-cb43-44a4-80c4-469e8c58249e", "displayName": "Wingtip Toys Co"}]}),
        )
        .await,
        202,
    );
    let g = app.get(&format!("{BETA}/{id}")).await;
    assert_eq!(
        g.body["identitySources"][0]["tenantId"],
        "bf85dc9d-cb43-44a4-80c4-469e8c58249e"
    );

    TestApp::expect(app.delete(&format!("{V1}/{id}")).await, 204);
    assert_eq!(app.get(&format!("{V1}/{id}")).await.status, 404);
}

#[tokio::test]
async fn bad_organizations_are_refused_without_a_write() {
    let app = TestApp::spawn().await;
    let dom =
        |d: &str| json!({"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": d});
    for (path, body) in [
        // Exactly one identity source on create.
        (V1, json!({"displayName": "none", "identitySources": []})),
        (
            V1,
            json!({"displayName": "two", "identitySources": [dom("a.example"), dom("b.example")]}),
        ),
        // An abstract identity source, an unknown type, a missing domain.
        (
            V1,
            json!({"displayName": "x", "identitySources": [{"domainName": "a.example"}]}),
        ),
        (
            V1,
            json!({"displayName": "x", "identitySources": [{"@odata.type": "#microsoft.graph.user"}]}),
        ),
        (
            V1,
            json!({"displayName": "x", "identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource"}]}),
        ),
        // Beta creates only from a domain.
        (
            BETA,
            json!({"displayName": "x", "identitySources": [{"@odata.type": "#microsoft.graph.azureActiveDirectoryTenant", "tenantId": "bf85dc9d-cb43-44a4-80c4-469e8c58249e"}]}),
        ),
        (
            V1,
            json!({"displayName": "x", "state": "archived", "identitySources": [dom("a.example")]}),
        ),
        (
            V1,
            json!({"displayName": "x", "color": "red", "identitySources": [dom("a.example")]}),
        ),
    ] {
        let r = app.post(path, body.clone()).await;
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text);
        assert!(r.body["error"]["innerError"]["request-id"].is_string());
    }
    assert!(app.get(V1).await.values().is_empty());
    // No state given: configured. The same domain twice (any case): 409.
    let r = TestApp::expect(
        app.post(
            V1,
            json!({"displayName": "Fabrikam", "identitySources": [dom("fabrikam.example")]}),
        )
        .await,
        201,
    );
    assert_eq!(r.body["state"], "configured");
    let r = app
        .post(
            V1,
            json!({"displayName": "Again", "identitySources": [dom("FABRIKAM.example")]}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_code(), "ConnectedOrganizationAlreadyExists");
    assert_eq!(app.get(V1).await.values().len(), 1);
    assert_eq!(
        app.get(&format!("{V1}/00000000-0000-0000-0000-000000000000"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn sponsors_are_added_listed_and_removed_by_reference() {
    let app = TestApp::spawn().await;
    let org = TestApp::expect(app.post(V1, docs_example()).await, 201).id();
    let alice = app.user("Alice").await;
    let partners = app.group("Partner managers").await;
    for (dialect, nav, who, kind) in [
        ("v1.0", "internalSponsors", &alice, "users"),
        ("beta", "externalSponsors", &alice, "users"),
        ("v1.0", "externalSponsors", &partners, "groups"),
    ] {
        let r = app
            .post(
                &format!("/{dialect}/identityGovernance/entitlementManagement/connectedOrganizations/{org}/{nav}/$ref"),
                json!({"@odata.id": format!("https://graph.microsoft.com/{dialect}/{kind}/{who}")}),
            )
            .await;
        assert_eq!(r.status, 204, "{dialect} {nav}: {}", r.text);
    }
    let internal = TestApp::expect(app.get(&format!("{V1}/{org}/internalSponsors")).await, 200);
    assert_eq!(internal.values().len(), 1);
    assert_eq!(internal.values()[0]["id"], alice.as_str());
    let external = TestApp::expect(
        app.get(&format!("{BETA}/{org}/externalSponsors")).await,
        200,
    );
    let mut ids: Vec<String> = external
        .values()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut want = vec![alice.clone(), partners.clone()];
    want.sort();
    assert_eq!(ids, want);
    // A sponsor twice, a sponsor that does not exist.
    let r = app
        .post(
            &format!("{V1}/{org}/internalSponsors/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{alice}")}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app
        .post(
            &format!("{V1}/{org}/internalSponsors/$ref"),
            json!({"@odata.id": "https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-00000000beef"}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Removed by reference; the user stays. In beta the sponsors are contained: DELETE of the
    // member removes the sponsorship, never the user.
    TestApp::expect(
        app.delete(&format!("{V1}/{org}/internalSponsors/{alice}/$ref"))
            .await,
        204,
    );
    assert!(
        app.get(&format!("{V1}/{org}/internalSponsors"))
            .await
            .values()
            .is_empty()
    );
    TestApp::expect(
        app.delete(&format!("{BETA}/{org}/externalSponsors/{alice}"))
            .await,
        204,
    );
    TestApp::expect(app.get(&format!("/v1.0/users/{alice}")).await, 200);
    assert_eq!(
        app.get(&format!("{V1}/{org}/externalSponsors"))
            .await
            .values()
            .len(),
        1
    );
    assert_eq!(
        app.delete(&format!("{V1}/{org}/internalSponsors/{alice}/$ref"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn only_identity_governance_administrators_manage_them() {
    let app = TestApp::spawn().await;
    let org = TestApp::expect(app.post(V1, docs_example()).await, 201).id();
    let plain = app.user("Plain").await;
    let t = app.token_for(&plain);
    assert_eq!(app.call_as(&t, "GET", V1, None).await.status, 403);
    assert_eq!(
        app.call_as(&t, "GET", &format!("{V1}/{org}"), None)
            .await
            .status,
        403
    );
    assert_eq!(
        app.call_as(&t, "GET", &format!("{V1}/{org}/internalSponsors"), None)
            .await
            .status,
        403
    );
    let body = json!({"displayName": "x", "identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": "x.example"}]});
    assert_eq!(
        app.call_as(&t, "POST", V1, Some(body.clone())).await.status,
        403
    );
    assert_eq!(
        app.call_as(&t, "DELETE", &format!("{V1}/{org}"), None)
            .await
            .status,
        403
    );
    // A catalog owner is not enough; the Identity Governance Administrator is.
    let cat = app.catalog("Partners").await;
    app.grant(&plain, roles::CATALOG_OWNER, Some(&cat)).await;
    let t = app.token_for(&plain);
    assert_eq!(
        app.call_as(&t, "POST", V1, Some(body.clone())).await.status,
        403
    );
    app.grant_directory_role(&plain, roles::IDENTITY_GOVERNANCE_ADMINISTRATOR)
        .await;
    let t = app.token_for(&plain);
    let r = app.call_as(&t, "POST", V1, Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(app.call_as(&t, "GET", V1, None).await.values().len(), 2);
}
