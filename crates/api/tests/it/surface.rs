//! Every entity set of `entitlementManagement` in accessd's copy of Microsoft's CSDL answers in
//! both dialects (no 404, no 501), and so do the sets that mean nothing here (empty), with 404
//! for their ids.

use accessd_api::Dialect;
use accessd_testkit::TestApp;

#[tokio::test]
async fn every_entitlement_management_set_of_the_csdl_answers() {
    let app = TestApp::spawn().await;
    for (d, v) in [(Dialect::V1, "v1.0"), (Dialect::Beta, "beta")] {
        let em = accessd_api::edm::find_type(d, "entitlementManagement").expect("the type");
        let sets: Vec<&str> = em
            .props
            .iter()
            .filter(|p| p.nav && p.collection)
            .map(|p| p.name)
            .collect();
        assert!(sets.len() >= 15, "{v}: {sets:?}");
        for set in sets {
            let r = app
                .get(&format!(
                    "/{v}/identityGovernance/entitlementManagement/{set}"
                ))
                .await;
            assert_eq!(r.status, 200, "{v} {set}: {}", r.text);
            assert!(r.body["value"].is_array(), "{v} {set}: {}", r.text);
        }
        let r = app
            .get(&format!(
                "/{v}/identityGovernance/entitlementManagement/settings"
            ))
            .await;
        assert_eq!(r.status, 200, "{v} settings: {}", r.text);
    }
    for path in [
        "/v1.0/identityGovernance/entitlementManagement/resourceEnvironments/0b7d5c0e-7c9a-4e0b-9b1a-2a3c4d5e6f70",
        "/beta/identityGovernance/entitlementManagement/accessPackageResourceEnvironments/x",
        "/v1.0/identityGovernance/entitlementManagement/controlConfigurations/x",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    let r = app
        .post(
            "/v1.0/identityGovernance/entitlementManagement/controlConfigurations",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, 405, "{}", r.text);
}

#[tokio::test]
async fn refresh_reads_a_resource_again_from_its_group() {
    let app = TestApp::spawn().await;
    let em = "/v1.0/identityGovernance/entitlementManagement";
    let cat = app.catalog("Refresh").await;
    let group = app.group("Old name").await;
    app.group_package(&cat, &group, "P").await;
    let res = app
        .get(&format!("{em}/catalogs/{cat}/resources"))
        .await
        .values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    TestApp::expect(
        app.patch(
            &format!("/v1.0/groups/{group}"),
            serde_json::json!({"displayName": "New name", "description": "renamed"}),
        )
        .await,
        204,
    );
    assert_eq!(
        app.get(&format!("{em}/resources/{res}")).await.body["displayName"],
        "Old name"
    );
    let r = app
        .post(
            &format!("{em}/catalogs/{cat}/resources/{res}/refresh"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let after = TestApp::expect(app.get(&format!("{em}/resources/{res}")).await, 200);
    assert_eq!(after.body["displayName"], "New name");
    assert_eq!(after.body["description"], "renamed");
    // Catalog readers may not.
    let reader = app.user("Reader").await;
    app.grant(&reader, accessd_testkit::roles::CATALOG_READER, Some(&cat))
        .await;
    let t = app.token_for(&reader);
    let r = app
        .call_as(&t, "POST", &format!("{em}/resources/{res}/refresh"), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

#[tokio::test]
async fn alternate_keys_of_the_csdl_address_subjects_catalogs_and_packages() {
    let app = TestApp::spawn().await;
    let em = "/identityGovernance/entitlementManagement";
    let (_, package, policy) = app.package_with_policy().await;
    let kim = app.user("Kim").await;
    app.assign(&package, &policy, &kim).await;
    for v in ["v1.0", "beta"] {
        let r = app
            .get(&format!("/{v}{em}/subjects(objectId='{kim}')"))
            .await;
        let r = TestApp::expect(r, 200);
        assert_eq!(r.body["objectId"], kim.as_str(), "{v}");
    }
    let nobody = app.user("Nobody").await;
    let r = app
        .get(&format!("/v1.0{em}/subjects(objectId='{nobody}')"))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = TestApp::expect(
        app.post(
            &format!("/beta{em}/accessPackageCatalogs"),
            serde_json::json!({"displayName": "Named", "uniqueName": "named-catalog"}),
        )
        .await,
        201,
    );
    let cat = r.id();
    let r = TestApp::expect(
        app.get(&format!(
            "/beta{em}/accessPackageCatalogs(uniqueName='named-catalog')"
        ))
        .await,
        200,
    );
    assert_eq!(r.body["id"], cat.as_str());
    let r = app
        .get(&format!(
            "/beta{em}/accessPackageCatalogs(uniqueName='other')"
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .get(&format!("/v1.0{em}/accessPackages(color='red')"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}
