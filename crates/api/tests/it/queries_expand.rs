//! `$expand` and `$select` on every entity and navigation property of the model, in both
//! dialects, on single items, lists and function results; options nested in `$expand`;
//! `$expand=*`; `$search`.

use accessd_api::Dialect;
use accessd_api::edm;
use accessd_testkit::TestApp;
use serde_json::{Value, json};

use crate::queries::{BETA, V1, World, enc, ids, ok, ok_eventual, permissive, refused, world};

fn first_id(r: &accessd_testkit::Resp) -> String {
    r.values()[0]["id"].as_str().unwrap().to_string()
}

/// One item of every entity kind accessd keeps, by the path that reaches it, with its model
/// type.
async fn items(w: &World) -> Vec<(Dialect, String, &'static str)> {
    let app = &w.app;
    let req = first_id(
        &ok(
            app,
            &format!(
                "{V1}/assignmentRequests?$filter=accessPackage/id eq '{}'",
                w.deals
            ),
        )
        .await,
    );
    let role = first_id(&ok(app, &format!("{V1}/catalogs/{}/resourceRoles", w.research)).await);
    let scope = first_id(&ok(app, &format!("{V1}/catalogs/{}/resourceScopes", w.research)).await);
    let rs = first_id(
        &ok(
            app,
            &format!("{V1}/accessPackages/{}/resourceRoleScopes", w.analytics),
        )
        .await,
    );
    let rr = first_id(&ok(app, &format!("{V1}/resourceRequests")).await);
    let arr = first_id(&ok(app, &format!("{BETA}/accessPackageAssignmentResourceRoles")).await);
    use Dialect::{Beta, V1 as One};
    vec![
        (
            One,
            format!("{V1}/catalogs/{}", w.research),
            "accessPackageCatalog",
        ),
        (
            One,
            format!("{V1}/accessPackages/{}", w.analytics),
            "accessPackage",
        ),
        (
            One,
            format!("{V1}/assignmentPolicies/{}", w.monthly),
            "accessPackageAssignmentPolicy",
        ),
        (
            One,
            format!("{V1}/assignmentRequests/{req}"),
            "accessPackageAssignmentRequest",
        ),
        (
            One,
            format!("{V1}/assignments/{}", w.a1),
            "accessPackageAssignment",
        ),
        (
            One,
            format!("{V1}/subjects/{}", w.ada),
            "accessPackageSubject",
        ),
        (
            One,
            format!("{V1}/resources/{}", w.resource),
            "accessPackageResource",
        ),
        (
            One,
            format!("{V1}/catalogs/{}/resourceRoles/{role}", w.research),
            "accessPackageResourceRole",
        ),
        (
            One,
            format!("{V1}/catalogs/{}/resourceScopes/{scope}", w.research),
            "accessPackageResourceScope",
        ),
        (
            One,
            format!("{V1}/resourceRoleScopes/{rs}"),
            "accessPackageResourceRoleScope",
        ),
        (
            One,
            format!("{V1}/resourceRequests/{rr}"),
            "accessPackageResourceRequest",
        ),
        (One, format!("/v1.0/users/{}", w.ada), "user"),
        (One, format!("/v1.0/groups/{}", w.analysts), "group"),
        (
            Beta,
            format!("{BETA}/accessPackageCatalogs/{}", w.research),
            "accessPackageCatalog",
        ),
        (
            Beta,
            format!("{BETA}/accessPackages/{}", w.analytics),
            "accessPackage",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageAssignmentPolicies/{}", w.monthly),
            "accessPackageAssignmentPolicy",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageAssignmentRequests/{req}"),
            "accessPackageAssignmentRequest",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageAssignments/{}", w.a1),
            "accessPackageAssignment",
        ),
        (
            Beta,
            format!("{BETA}/subjects/{}", w.ada),
            "accessPackageSubject",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageResources/{}", w.resource),
            "accessPackageResource",
        ),
        (
            Beta,
            format!(
                "{BETA}/accessPackageCatalogs/{}/accessPackageResourceRoles/{role}",
                w.research
            ),
            "accessPackageResourceRole",
        ),
        (
            Beta,
            format!(
                "{BETA}/accessPackageCatalogs/{}/accessPackageResourceScopes/{scope}",
                w.research
            ),
            "accessPackageResourceScope",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageResourceRoleScopes/{rs}"),
            "accessPackageResourceRoleScope",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageResourceRequests/{rr}"),
            "accessPackageResourceRequest",
        ),
        (
            Beta,
            format!("{BETA}/accessPackageAssignmentResourceRoles/{arr}"),
            "accessPackageAssignmentResourceRole",
        ),
        (Beta, format!("/beta/users/{}", w.ada), "user"),
    ]
}

/// The navigation and structural properties of a model type.
fn properties(d: Dialect, type_name: &str) -> (Vec<&'static edm::Prop>, Vec<&'static edm::Prop>) {
    let t = edm::find_type(d, type_name).unwrap_or_else(|| panic!("{type_name} in {d:?}"));
    edm::all_props(d, t).into_iter().partition(|p| p.nav)
}

fn check_nav(body: &Value, p: &edm::Prop, path: &str) {
    let v = body
        .get(p.name)
        .unwrap_or_else(|| panic!("{path}: $expand={} is missing from {body}", p.name));
    if p.collection {
        assert!(
            v.is_array(),
            "{path}: {} should be a collection: {v}",
            p.name
        );
    } else {
        assert!(
            v.is_object() || v.is_null(),
            "{path}: {} should be one entity: {v}",
            p.name
        );
    }
}

#[tokio::test]
async fn every_navigation_expands_and_every_property_selects_in_both_dialects() {
    let w = world(accessd_api::Config::default()).await;
    let app = &w.app;
    for (d, path, type_name) in items(&w).await {
        let (navs, structural) = properties(d, type_name);
        // `$expand=*`: every navigation property at once.
        let all = ok(app, &format!("{path}?$expand=*")).await;
        for p in &navs {
            check_nav(&all.body, p, &path);
        }
        // Each one by name, with $select inside.
        for p in &navs {
            let r = ok(
                app,
                &format!("{path}?$expand={}($select=id)&$select=id", p.name),
            )
            .await;
            check_nav(&r.body, p, &path);
            assert!(r.body["id"].is_string(), "{path}: {}", r.text);
            if let Some(Value::Object(inner)) = r.body.get(p.name) {
                assert!(
                    inner.keys().all(|k| k == "id" || k.starts_with('@')),
                    "{path}: $select=id inside $expand={}: {inner:?}",
                    p.name
                );
            }
        }
        // Each structural property on its own.
        for p in &structural {
            let r = ok(app, &format!("{path}?$select={}", p.name)).await;
            let keys: Vec<&String> = r
                .body
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| !k.starts_with('@'))
                .collect();
            assert!(
                keys.iter().all(|k| *k == "id" || *k == p.name),
                "{path}?$select={}: {keys:?}",
                p.name
            );
        }
        // And on the collection the item was reached through.
        let list = path.rsplit_once('/').unwrap().0;
        if !list.ends_with("/subjects") {
            ok(app, &format!("{list}?$expand=*&$top=2")).await;
        }
    }
}

#[tokio::test]
async fn nested_expand_with_options_inside() {
    let w = world(accessd_api::Config::default()).await;
    let app = &w.app;
    // The examples, in both dialects.
    let r = ok(
        app,
        &format!(
            "{BETA}/accessPackages/{}?$expand=accessPackageResourceRoleScopes($expand=accessPackageResourceRole,accessPackageResourceScope)",
            w.analytics
        ),
    )
    .await;
    let rs = &r.body["accessPackageResourceRoleScopes"][0];
    assert_eq!(
        rs["accessPackageResourceRole"]["originId"],
        json!(format!("Member_{}", w.analysts))
    );
    assert_eq!(
        rs["accessPackageResourceScope"]["originId"],
        json!(w.analysts)
    );
    // The SDK's encoding of the same (commas and parentheses percent-encoded).
    let r = ok(
        app,
        &format!(
            "{V1}/accessPackages?$expand=resourceRoleScopes%28%24expand%3Drole%2Cscope%29,catalog($select=id,displayName)&$select=id,displayName&$filter=catalog/id eq '{}'",
            w.research
        ),
    )
    .await;
    let analytics = r
        .values()
        .into_iter()
        .find(|p| p["id"] == json!(w.analytics))
        .unwrap();
    assert_eq!(
        analytics["resourceRoleScopes"][0]["role"]["originId"],
        json!(format!("Member_{}", w.analysts))
    );
    assert_eq!(
        analytics["catalog"],
        json!({"@odata.type": "#microsoft.graph.accessPackageCatalog", "id": w.research, "displayName": "Research"})
    );
    assert!(analytics.get("description").is_none(), "not selected");
    // $filter, $orderby, $top, $skip and $count inside $expand.
    let r = ok(
        app,
        &format!(
            "{V1}/catalogs/{}?$expand=accessPackages($filter=contains(displayName,'i');$orderby=id;$top=1;$count=true;$select=displayName)",
            w.research
        ),
    )
    .await;
    assert_eq!(r.body["accessPackages@odata.count"], json!(2));
    assert_eq!(r.body["accessPackages"].as_array().unwrap().len(), 1);
    let r = ok(
        app,
        &format!("{V1}/accessPackages/{}?$expand=assignmentPolicies($filter=displayName eq 'Monthly';$select=id)", w.deals),
    )
    .await;
    assert_eq!(
        r.body["assignmentPolicies"],
        json!([{"@odata.type": "#microsoft.graph.accessPackageAssignmentPolicy", "id": w.monthly}])
    );
    // Three levels: assignment -> package -> catalog -> packages.
    let r = ok(
        app,
        &format!(
            "{V1}/assignments/{}?$expand=accessPackage($expand=catalog($expand=accessPackages($select=id;$orderby=id)))",
            w.a4
        ),
    )
    .await;
    assert_eq!(
        r.body["accessPackage"]["catalog"]["accessPackages"],
        json!([{"@odata.type": "#microsoft.graph.accessPackage", "id": w.deals}])
    );
    // Lists with $expand, the documented way to read who and what.
    let r = ok(
        app,
        &format!("{V1}/assignments?$expand=target,accessPackage($select=id,displayName)&$filter=target/objectId eq '{}'", w.cy),
    )
    .await;
    assert_eq!(r.values()[0]["target"]["objectId"], json!(w.cy));
    assert_eq!(
        r.values()[0]["accessPackage"]["displayName"],
        json!("Deals")
    );
    // Function results: filterByCurrentUser with $expand and $select.
    let cy = app.token_for(&w.cy);
    let r = app
        .raw(
            "GET",
            &enc(&format!("{V1}/assignments/filterByCurrentUser(on='target')?$expand=accessPackage($select=displayName),assignmentPolicy&$select=id,state")),
            Some(&cy),
            &[],
            vec![],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = &r.values()[0];
    assert_eq!(a["id"], json!(w.a4));
    assert_eq!(a["accessPackage"]["displayName"], json!("Deals"));
    assert_eq!(a["assignmentPolicy"]["id"], json!(w.pol_d));
    assert!(a.get("schedule").is_none());
    let r = app
        .raw(
            "GET",
            &enc(&format!("{BETA}/accessPackageAssignments/filterByCurrentUser(on='target')?$expand=accessPackageAssignmentPolicy,target")),
            Some(&cy),
            &[],
            vec![],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.values()[0]["target"]["objectId"], json!(w.cy));
    // Members of a group (users and groups) expand from the group.
    let r = ok(
        app,
        &format!(
            "/v1.0/groups/{}?$expand=members($select=id,displayName)",
            w.analysts
        ),
    )
    .await;
    assert_eq!(r.body["members"][0]["id"], json!(w.ada));
    // $select of a member of a complex property.
    let r = ok(
        app,
        &format!("{V1}/assignments/{}?$select=schedule/startDateTime", w.a1),
    )
    .await;
    assert_eq!(
        r.body["schedule"],
        json!({"startDateTime": "2030-01-02T08:00:00Z"})
    );
}

#[tokio::test]
async fn expand_errors() {
    let w = world(accessd_api::Config::default()).await;
    let app = &w.app;
    let a = format!("{V1}/assignments/{}", w.a1);
    for (path, named) in [
        (format!("{a}?$expand=colour"), "colour"),
        (format!("{a}?$expand=state"), "state"),
        (
            format!("{a}?$expand=accessPackage($filter=displayName eq 'x')"),
            "accessPackage",
        ),
        (
            format!("{a}?$expand=accessPackage($top=1)"),
            "accessPackage",
        ),
        (
            format!("{a}?$expand=accessPackage/catalog"),
            "accessPackage/catalog",
        ),
        (format!("{a}?$expand=accessPackage($levels=2)"), "$levels"),
        (
            format!(
                "{a}?$expand=accessPackage($expand=catalog($expand=accessPackages($expand=catalog)))"
            ),
            "$expand",
        ),
        (format!("{a}?$expand=*($select=id)"), "*"),
        (format!("{a}?$select=colour"), "colour"),
        (
            format!(
                "{V1}/catalogs/{}?$expand=accessPackages($top=1000)",
                w.research
            ),
            "1000",
        ),
        (
            format!(
                "{V1}/catalogs/{}?$expand=accessPackages($filter=startswith(displayName,'A'))",
                w.research
            ),
            "displayName",
        ),
    ] {
        let r = app.get(&enc(&path)).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        let msg = r.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(msg.contains(named), "{path}: {msg}");
        r.error_code();
    }
}

#[tokio::test]
async fn search_where_graph_has_it() {
    let w = world(accessd_api::Config::default()).await;
    let app = &w.app;
    let r = ok_eventual(app, "/v1.0/users?$search=\"displayName:ada\"").await;
    assert_eq!(ids(&r), vec![w.ada.clone()]);
    // Tokenized: a word of the name starts with the term.
    let r = ok_eventual(app, "/v1.0/users?$search=\"displayName:Young\"").await;
    assert_eq!(ids(&r), vec![w.cy.clone()]);
    let r = ok_eventual(app, "/v1.0/users?$search=\"displayName:oung\"").await;
    assert!(ids(&r).is_empty());
    let r = ok_eventual(
        app,
        "/v1.0/users?$search=\"displayName:ada\" OR \"displayName:dee\"&$count=true",
    )
    .await;
    assert_eq!(r.body["@odata.count"], json!(2));
    let r = ok_eventual(app, "/v1.0/groups?$search=\"displayName:unified\"").await;
    assert_eq!(ids(&r), vec![w.unified.clone()]);
    for (path, named) in [
        ("/v1.0/users?$search=ada", "$search"),
        ("/v1.0/users?$search=\"colour:red\"", "colour"),
    ] {
        let r = app.get_eventual(&enc(path)).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (400, "BadRequest"),
            "{}",
            r.text
        );
        assert!(r.text.contains(named), "{path}: {}", r.text);
    }
    // Entitlement management documents no $search.
    for path in [
        format!("{V1}/accessPackages?$search=\"Analytics\""),
        format!("{BETA}/accessPackageCatalogs?$search=\"Research\""),
        format!("{V1}/assignments?$search=x"),
    ] {
        refused(app, &path, "BadRequest", "Search").await;
    }
    // With --permissive-queries they are searched by display name.
    let p = world(permissive()).await;
    let r = ok(
        &p.app,
        &format!("{V1}/accessPackages?$search=\"Analytics\""),
    )
    .await;
    assert_eq!(ids(&r), vec![p.analytics.clone()]);
    let r = ok(
        &p.app,
        &format!("{BETA}/accessPackageCatalogs?$search=\"displayName:res\""),
    )
    .await;
    assert_eq!(ids(&r), vec![p.research.clone()]);
    let _ = TestApp::expect;
}
