//! Role management: `/roleManagement/entitlementManagement` and `/roleManagement/directory`,
//! role definitions and assignments, from Microsoft's examples, and what the roles then allow.

use accessd_testkit::{TestApp, roles};
use serde_json::json;

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const EM_ROLES: &str = "/v1.0/roleManagement/entitlementManagement";
const DIR_ROLES: &str = "/v1.0/roleManagement/directory";

#[tokio::test]
async fn entitlement_management_role_definitions_are_microsofts() {
    let app = TestApp::spawn().await;
    let r = TestApp::expect(app.get(&format!("{EM_ROLES}/roleDefinitions")).await, 200);
    let names: Vec<_> = r
        .values()
        .iter()
        .map(|v| (v["id"].clone(), v["displayName"].clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            (json!(roles::CATALOG_OWNER), json!("Catalog owner")),
            (json!(roles::CATALOG_READER), json!("Catalog reader")),
            (
                json!(roles::ACCESS_PACKAGE_MANAGER),
                json!("AccessPackages manager")
            ),
            (json!(roles::CATALOG_CREATOR), json!("Catalog creator")),
            (
                json!(roles::ACCESS_PACKAGE_ASSIGNMENT_MANAGER),
                json!("AccessPackage assignment manager")
            ),
        ]
    );
    let reader = &r.values()[1];
    assert_eq!(reader["templateId"], json!(roles::CATALOG_READER));
    assert_eq!(reader["isBuiltIn"], json!(true));
    assert_eq!(
        reader["rolePermissions"],
        json!([{"allowedResourceActions": ["microsoft.entitlementManagement/allEntities/Read"], "condition": null}])
    );
    let one = TestApp::expect(
        app.get(&format!(
            "{EM_ROLES}/roleDefinitions/{}",
            roles::CATALOG_CREATOR
        ))
        .await,
        200,
    );
    assert_eq!(one.body["displayName"], json!("Catalog creator"));
    let missing = app
        .get(&format!(
            "{EM_ROLES}/roleDefinitions/{}",
            roles::USER_ADMINISTRATOR
        ))
        .await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    // The beta path answers the same.
    let beta = TestApp::expect(
        app.get("/beta/roleManagement/entitlementManagement/roleDefinitions")
            .await,
        200,
    );
    assert_eq!(beta.values().len(), 5);
}

#[tokio::test]
async fn a_catalog_role_assignment_as_in_the_example() {
    let app = TestApp::spawn().await;
    let c = app.catalog("Marketing").await;
    let u = app.user("Ann").await;
    // Example 4 of "Create unifiedRoleAssignment".
    let r = app
        .post(
            &format!("{EM_ROLES}/roleAssignments"),
            json!({"principalId": u, "roleDefinitionId": roles::CATALOG_OWNER, "appScopeId": format!("/AccessPackageCatalog/{c}")}),
        )
        .await;
    let r = TestApp::expect(r, 201);
    let id = r.id();
    assert_eq!(r.body["principalId"], json!(u));
    assert_eq!(r.body["roleDefinitionId"], json!(roles::CATALOG_OWNER));
    assert_eq!(
        r.body["appScopeId"],
        json!(format!("/AccessPackageCatalog/{c}"))
    );
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#roleManagement/entitlementManagement/roleAssignments/$entity"),
        "{}",
        r.text
    );
    assert!(r.header("location").unwrap().ends_with(&format!(
        "/v1.0/roleManagement/entitlementManagement/roleAssignments/{id}"
    )));
    // Listed, filtered by principal (as the delegate page does), expanded.
    let list = TestApp::expect(
        app.get(&format!(
            "{EM_ROLES}/roleAssignments?$filter=principalId%20eq%20'{u}'&$expand=roleDefinition"
        ))
        .await,
        200,
    );
    assert_eq!(list.values().len(), 1, "{}", list.text);
    assert_eq!(
        list.values()[0]["roleDefinition"]["displayName"],
        json!("Catalog owner")
    );
    // The same again is a conflict; it is not in the directory provider.
    let again = app
        .post(
            &format!("{EM_ROLES}/roleAssignments"),
            json!({"principalId": u, "roleDefinitionId": roles::CATALOG_OWNER, "appScopeId": format!("/AccessPackageCatalog/{c}")}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    let other = app.get(&format!("{DIR_ROLES}/roleAssignments/{id}")).await;
    assert_eq!(other.status, 404, "{}", other.text);
    TestApp::expect(
        app.delete(&format!("{EM_ROLES}/roleAssignments/{id}"))
            .await,
        204,
    );
    let gone = app.get(&format!("{EM_ROLES}/roleAssignments/{id}")).await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn bad_role_assignments_are_refused_and_write_nothing() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let u = app.user("Ann").await;
    let path = format!("{EM_ROLES}/roleAssignments");
    let cases = [
        (
            json!({"principalId": u, "roleDefinitionId": "00000000-0000-0000-0000-000000000001", "appScopeId": format!("/AccessPackageCatalog/{c}")}),
            400,
            "roleDefinitionId",
        ),
        // A catalog role needs a catalog scope; Catalog creator needs the tenant.
        (
            json!({"principalId": u, "roleDefinitionId": roles::CATALOG_READER, "appScopeId": "/"}),
            400,
            "appScopeId",
        ),
        (
            json!({"principalId": u, "roleDefinitionId": roles::CATALOG_CREATOR, "appScopeId": format!("/AccessPackageCatalog/{c}")}),
            400,
            "appScopeId",
        ),
        (
            json!({"principalId": u, "roleDefinitionId": roles::CATALOG_READER, "appScopeId": "/AccessPackageCatalog/00000000-0000-0000-0000-00000000000c"}),
            404,
            "",
        ),
        (
            json!({"principalId": "00000000-0000-0000-0000-0000000000ff", "roleDefinitionId": roles::CATALOG_READER, "appScopeId": format!("/AccessPackageCatalog/{c}")}),
            404,
            "",
        ),
        (
            json!({"roleDefinitionId": roles::CATALOG_READER, "appScopeId": format!("/AccessPackageCatalog/{c}")}),
            400,
            "principalId",
        ),
        (
            json!({"principalId": u, "roleDefinitionId": roles::CATALOG_READER, "appScopeId": 5}),
            400,
            "",
        ),
    ];
    for (body, status, target) in cases {
        let r = app.post(&path, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
        r.error_code();
        if !target.is_empty() {
            assert_eq!(r.body["error"]["target"], json!(target), "{}", r.text);
        }
    }
    // Only the owner assignment the admin got when creating the catalog is there.
    let all = TestApp::expect(app.get(&path).await, 200);
    assert_eq!(all.values().len(), 1, "{}", all.text);
    assert_eq!(
        all.values()[0]["principalId"],
        json!(accessd_testkit::ADMIN)
    );
}

#[tokio::test]
async fn directory_role_assignments() {
    let app = TestApp::spawn().await;
    let u = app.user("Ann").await;
    // Example 1's shape, with a role accessd knows (User Administrator).
    let r = app
        .post(
            &format!("{DIR_ROLES}/roleAssignments"),
            json!({"@odata.type": "#microsoft.graph.unifiedRoleAssignment", "roleDefinitionId": roles::USER_ADMINISTRATOR, "principalId": u, "directoryScopeId": "/"}),
        )
        .await;
    let r = TestApp::expect(r, 201);
    assert_eq!(r.body["directoryScopeId"], json!("/"));
    // Administrative-unit scopes are not modelled.
    let au = app
        .post(
            &format!("{DIR_ROLES}/roleAssignments"),
            json!({"roleDefinitionId": roles::USER_ADMINISTRATOR, "principalId": u, "directoryScopeId": "/administrativeUnits/5d107bba-d8e2-4e13-b6ae-884be90e5d1a"}),
        )
        .await;
    assert_eq!(au.status, 400, "{}", au.text);
    assert_eq!(au.error_code(), "Request_BadRequest");
    let defs = TestApp::expect(app.get(&format!("{DIR_ROLES}/roleDefinitions")).await, 200);
    assert!(
        defs.values()
            .iter()
            .any(|v| v["displayName"] == json!("Identity Governance Administrator"))
    );
    // The role now counts: Ann, with User.ReadWrite.All, may create users.
    let token = ann_token(&app, &u, "User.ReadWrite.All");
    let created = app
        .raw(
            "POST",
            "/v1.0/users",
            Some(&token),
            &[],
            json!({"displayName": "Zed", "userPrincipalName": "zed@contoso.test"})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
}

fn ann_token(app: &TestApp, user: &str, scopes: &str) -> String {
    app.keys
        .mint(
            &accessd_api::auth::TokenRequest {
                kind: Some(accessd_domain::PrincipalKind::User),
                object_id: user.into(),
                scopes: scopes.split(' ').map(str::to_string).collect(),
                lifetime_seconds: 3600,
                ..Default::default()
            },
            accessd_domain::Clock::now(app.clock.as_ref()),
        )
        .unwrap()
}

#[tokio::test]
async fn a_catalog_creator_creates_catalogs_and_owns_them() {
    let app = TestApp::spawn().await;
    let u = app.user("Cat").await;
    let token = app.token_for(&u);
    let body = json!({"displayName": "Mine"}).to_string().into_bytes();
    let refused = app
        .raw(
            "POST",
            &format!("{EM}/catalogs"),
            Some(&token),
            &[],
            body.clone(),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.error_code(), "UnAuthorized");
    app.grant(&u, roles::CATALOG_CREATOR, None).await;
    let r = app
        .raw("POST", &format!("{EM}/catalogs"), Some(&token), &[], body)
        .await;
    let mine = TestApp::expect(r, 201).id();
    let other = app.catalog("Someone else's").await;
    // As the creator it owns the new catalog: it can add packages there, and sees only it.
    let pkg = app
        .raw(
            "POST",
            &format!("{EM}/accessPackages"),
            Some(&token),
            &[],
            json!({"displayName": "P", "catalog": {"id": mine}})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(pkg.status, 201, "{}", pkg.text);
    let list = app
        .raw("GET", &format!("{EM}/catalogs"), Some(&token), &[], vec![])
        .await;
    let ids: Vec<_> = TestApp::expect(list, 200)
        .values()
        .iter()
        .map(|v| v["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(mine)]);
    // The other catalog is hidden: the same 404 as an id that names nothing.
    let hidden = app
        .raw(
            "GET",
            &format!("{EM}/catalogs/{other}"),
            Some(&token),
            &[],
            vec![],
        )
        .await;
    let missing = app
        .raw(
            "GET",
            &format!("{EM}/catalogs/00000000-0000-0000-0000-000000000000"),
            Some(&token),
            &[],
            vec![],
        )
        .await;
    assert_eq!((hidden.status, missing.status), (404, 404));
    assert_eq!(
        hidden.body["error"]["message"]
            .as_str()
            .unwrap()
            .replace(&other, "X"),
        missing.body["error"]["message"]
            .as_str()
            .unwrap()
            .replace("00000000-0000-0000-0000-000000000000", "X")
    );
    let into_other = app
        .raw(
            "POST",
            &format!("{EM}/accessPackages"),
            Some(&token),
            &[],
            json!({"displayName": "P", "catalog": {"id": other}})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(into_other.status, 404, "{}", into_other.text);
    let owners = TestApp::expect(
        app.get(&format!(
            "{EM_ROLES}/roleAssignments?$filter=appScopeId%20eq%20'/AccessPackageCatalog/{mine}'"
        ))
        .await,
        200,
    );
    assert_eq!(owners.values().len(), 1);
    assert_eq!(owners.values()[0]["principalId"], json!(u));
    assert_eq!(
        owners.values()[0]["roleDefinitionId"],
        json!(roles::CATALOG_OWNER)
    );
}

#[tokio::test]
async fn a_catalog_owner_manages_its_catalogs_roles_but_not_others() {
    let app = TestApp::spawn().await;
    let x = app.catalog("X").await;
    let y = app.catalog("Y").await;
    let owner = app.user("Owen").await;
    let helper = app.user("Hal").await;
    app.grant(&owner, roles::CATALOG_OWNER, Some(&x)).await;
    let token = app.token_for(&owner);
    let assign = |c: &str| {
        json!({"principalId": helper, "roleDefinitionId": roles::ACCESS_PACKAGE_MANAGER, "appScopeId": format!("/AccessPackageCatalog/{c}")})
            .to_string()
            .into_bytes()
    };
    let path = format!("{EM_ROLES}/roleAssignments");
    let ok = app.raw("POST", &path, Some(&token), &[], assign(&x)).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let no = app.raw("POST", &path, Some(&token), &[], assign(&y)).await;
    assert_eq!(no.status, 404, "{}", no.text);
    // Tenant-wide roles are the administrator's.
    let creator = json!({"principalId": helper, "roleDefinitionId": roles::CATALOG_CREATOR, "appScopeId": "/"});
    let no = app
        .raw(
            "POST",
            &path,
            Some(&token),
            &[],
            creator.to_string().into_bytes(),
        )
        .await;
    assert_eq!(no.status, 403, "{}", no.text);
    // The owner lists the assignments of its catalog only.
    let list = app.raw("GET", &path, Some(&token), &[], vec![]).await;
    let list = TestApp::expect(list, 200);
    assert!(
        list.values()
            .iter()
            .all(|v| v["appScopeId"] == json!(format!("/AccessPackageCatalog/{x}"))),
        "{}",
        list.text
    );
    assert_eq!(list.values().len(), 3, "{}", list.text);
}
