//! Bad input, one test per kind: each answer is Graph's error envelope with the right status and
//! code, names the property or id at fault, and nothing is written.

use accessd_testkit::{Resp, TestApp};
use serde_json::json;

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const EM_BETA: &str = "/beta/identityGovernance/entitlementManagement";

fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `GET {collection}/$count`, which answers text/plain with the number.
async fn count(app: &TestApp, collection: &str) -> u64 {
    let r = TestApp::expect(app.get(&format!("{collection}/$count")).await, 200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/plain")),
        "$count answered {:?}",
        r.header("content-type")
    );
    r.text
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("$count is not a number: {}", r.text))
}

async fn catalogs(app: &TestApp) -> u64 {
    count(app, &format!("{EM}/catalogs")).await
}

/// Sends raw bytes with the admin token.
async fn send(app: &TestApp, method: &str, path: &str, body: &[u8]) -> Resp {
    app.raw(method, path, Some(&app.admin_token), &[], body.to_vec())
        .await
}

/// Asserts a 400 `BadRequest` whose target is `target` and whose message names `name`.
fn assert_bad_property(r: &Resp, target: &str, name: &str) {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "BadRequest", "{}", r.text);
    assert_eq!(r.body["error"]["target"], json!(target), "{}", r.text);
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(name),
        "the message does not name '{name}': {message}"
    );
}

fn message(r: &Resp) -> &str {
    r.body["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn malformed_json_is_a_bad_request_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let before = catalogs(&app).await;
    let r = send(
        &app,
        "POST",
        &format!("{EM}/catalogs"),
        br#"{"displayName": "#,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "BadRequest");
    assert!(message(&r).contains("not valid JSON"), "{}", r.text);
    assert_eq!(catalogs(&app).await, before);
}

#[tokio::test]
async fn a_json_array_body_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let r = send(
        &app,
        "POST",
        &format!("{EM}/catalogs"),
        br#"[{"displayName": "x"}]"#,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "BadRequest");
    assert!(message(&r).contains("JSON object"), "{}", r.text);
    assert!(message(&r).contains("array"), "{}", r.text);
    assert_eq!(catalogs(&app).await, 0);
}

#[tokio::test]
async fn an_empty_body_on_create_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let r = send(&app, "POST", &format!("{EM}/catalogs"), b"").await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "BadRequest");
    assert_eq!(catalogs(&app).await, 0);
}

#[tokio::test]
async fn a_wrong_json_type_names_the_property() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            &format!("{EM}/catalogs"),
            json!({"displayName": "x", "isExternallyVisible": "yes"}),
        )
        .await;
    assert_bad_property(&r, "isExternallyVisible", "isExternallyVisible");
    assert_eq!(catalogs(&app).await, 0);
}

#[tokio::test]
async fn an_unknown_property_on_a_closed_type_names_the_property() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            &format!("{EM}/catalogs"),
            json!({"displayName": "x", "colour": "red"}),
        )
        .await;
    assert_bad_property(&r, "colour", "colour");
    assert!(message(&r).contains("accessPackageCatalog"), "{}", r.text);
    assert_eq!(catalogs(&app).await, 0);
}

#[tokio::test]
async fn nested_errors_in_a_policy_name_the_dotted_path() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let p = app.package(&c, "P").await;
    let policies = format!("{EM}/assignmentPolicies");
    let before = count(&app, &policies).await;
    let base = json!({
        "displayName": "Policy", "description": "d",
        "allowedTargetScope": "allMemberUsers",
        "expiration": {"type": "noExpiration"},
        "accessPackage": {"id": p},
    });

    let mut wrong_type = base.clone();
    wrong_type["requestorSettings"] = json!({"enableTargetsToSelfAddAccess": "yes"});
    let r = app.post(&policies, wrong_type).await;
    assert_bad_property(
        &r,
        "requestorSettings.enableTargetsToSelfAddAccess",
        "requestorSettings.enableTargetsToSelfAddAccess",
    );

    let mut unknown = base.clone();
    unknown["requestorSettings"] = json!({"enableTargetsToSelfAddAccess": true, "colour": "red"});
    let r = app.post(&policies, unknown).await;
    assert_bad_property(&r, "requestorSettings.colour", "colour");

    let mut deeper = base.clone();
    deeper["expiration"] = json!({"type": "afterDuration", "duration": "two days"});
    let r = app.post(&policies, deeper).await;
    assert_bad_property(&r, "expiration.duration", "expiration.duration");

    assert_eq!(count(&app, &policies).await, before);
    // The same body without the faults is accepted.
    TestApp::expect(app.post(&policies, base).await, 201);
    assert_eq!(count(&app, &policies).await, before + 1);
}

#[tokio::test]
async fn a_missing_required_property_is_named() {
    let app = TestApp::spawn().await;
    let r = app
        .post(&format!("{EM}/catalogs"), json!({"description": "no name"}))
        .await;
    assert_bad_property(&r, "displayName", "displayName");
    assert_eq!(catalogs(&app).await, 0);

    let (c, p, pol) = app.package_with_policy().await;
    let user = app.user("Ann").await;
    let assignments = format!("{EM_BETA}/accessPackageAssignments");
    let r = app
        .post(
            &assignments,
            json!({"catalogId": c, "accessPackageId": p, "assignmentPolicyId": pol}),
        )
        .await;
    assert_bad_property(&r, "targetId", "targetId");
    assert_eq!(count(&app, &assignments).await, 0);
    // With the target the same write succeeds.
    let r = app
        .post(
            &assignments,
            json!({"catalogId": c, "accessPackageId": p, "assignmentPolicyId": pol, "targetId": user}),
        )
        .await;
    TestApp::expect(r, 201);
    assert_eq!(count(&app, &assignments).await, 1);
}

#[tokio::test]
async fn a_value_outside_an_enum_lists_the_allowed_values() {
    let app = TestApp::spawn().await;
    let (c, p, pol) = app.package_with_policy().await;
    let user = app.user("Ann").await;

    let v1_policies = format!("{EM}/assignmentPolicies");
    let r = app
        .post(
            &v1_policies,
            json!({"displayName": "x", "allowedTargetScope": "everyone", "accessPackage": {"id": p}}),
        )
        .await;
    assert_bad_property(&r, "allowedTargetScope", "allDirectoryUsers");
    assert!(message(&r).contains("'everyone'"), "{}", r.text);
    assert!(!message(&r).contains("unknownFutureValue"), "{}", r.text);

    let beta_policies = format!("{EM_BETA}/accessPackageAssignmentPolicies");
    let r = app
        .post(
            &beta_policies,
            json!({"displayName": "x", "accessPackageId": p,
                   "requestorSettings": {"scopeType": "Scope Type value", "acceptRequests": true}}),
        )
        .await;
    assert_bad_property(
        &r,
        "requestorSettings.scopeType",
        "SpecificDirectorySubjects",
    );
    assert!(message(&r).contains("'Scope Type value'"), "{}", r.text);
    assert_eq!(
        count(&app, &v1_policies).await,
        1,
        "only the harness's policy exists"
    );

    let assignments = format!("{EM_BETA}/accessPackageAssignments");
    let r = app
        .post(
            &assignments,
            json!({"catalogId": c, "accessPackageId": p, "assignmentPolicyId": pol, "targetId": user,
                   "assignmentState": "Assignment State value"}),
        )
        .await;
    assert_bad_property(&r, "assignmentState", "Delivered");
    assert!(message(&r).contains("PartiallyDelivered"), "{}", r.text);
    assert_eq!(count(&app, &assignments).await, 0);
}

#[tokio::test]
async fn an_id_that_does_not_exist_is_a_404_naming_it() {
    let app = TestApp::spawn().await;
    let missing = random_id();
    let r = app.get(&format!("{EM}/accessPackages/{missing}")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_code(), "ResourceNotFound");
    assert!(message(&r).contains(&missing), "{}", r.text);

    // The same in beta and under a parenthesised key.
    let r = app
        .get(&format!("{EM_BETA}/accessPackageCatalogs('{missing}')"))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_code(), "ResourceNotFound");
    assert!(message(&r).contains(&missing), "{}", r.text);
}

#[tokio::test]
async fn a_body_reference_to_a_missing_id_is_a_404_naming_it() {
    let app = TestApp::spawn().await;
    let missing = random_id();
    let policies = format!("{EM}/assignmentPolicies");
    let r = app
        .post(
            &policies,
            json!({"displayName": "x", "allowedTargetScope": "notSpecified",
                   "expiration": {"type": "noExpiration"}, "accessPackage": {"id": missing}}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_code(), "ResourceNotFound");
    assert!(message(&r).contains(&missing), "{}", r.text);
    assert_eq!(count(&app, &policies).await, 0);

    let c = app.catalog("C").await;
    let r = app
        .post(
            &format!("{EM}/accessPackages"),
            json!({"displayName": "x", "catalog": {"id": missing}}),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_code(), "ResourceNotFound");
    assert!(message(&r).contains(&missing), "{}", r.text);
    assert_eq!(
        count(&app, &format!("{EM}/catalogs/{c}/accessPackages")).await,
        0
    );
    assert_eq!(count(&app, &format!("{EM}/accessPackages")).await, 0);
}

#[tokio::test]
async fn a_key_must_belong_to_the_collection_the_path_reached() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let a = app.package(&c, "A").await;
    let b = app.package(&c, "B").await;
    let pa = app.policy(&a).await;
    let pb = app.policy(&b).await;
    let path = |pkg: &str, pol: &str| {
        format!("{EM_BETA}/accessPackages/{pkg}/accessPackageAssignmentPolicies/{pol}")
    };

    let r = app.get(&path(&a, &pb)).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_code(), "ResourceNotFound");
    assert!(message(&r).contains(&pb), "{}", r.text);

    let r = TestApp::expect(app.get(&path(&a, &pa)).await, 200);
    assert_eq!(r.body["id"], json!(pa));
    let r = TestApp::expect(app.get(&path(&b, &pb)).await, 200);
    assert_eq!(r.body["id"], json!(pb));

    // The same in v1.0.
    let r = app
        .get(&format!("{EM}/accessPackages/{b}/assignmentPolicies/{pa}"))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_code(), "ResourceNotFound");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let name = "x".repeat(1024 * 1024 + 100 * 1024);
    let body = json!({"displayName": name}).to_string();
    let r = send(&app, "POST", &format!("{EM}/catalogs"), body.as_bytes()).await;
    assert_eq!(r.status, 413, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(r.error_code(), "RequestEntityTooLarge");
    assert!(message(&r).contains("1048576"), "{}", r.text);
    assert_eq!(catalogs(&app).await, 0);

    // Just under the limit is accepted.
    let description = "y".repeat(1000 * 1024);
    let r = app
        .post(
            &format!("{EM}/catalogs"),
            json!({"displayName": "Big", "description": description}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(catalogs(&app).await, 1);
}

/// A name, mail address or unique name is indexed, and an index entry has a bound on every
/// backend: past 2,000 bytes the write is refused with 400 (on SQLite as on PostgreSQL), and
/// nothing is written.
#[tokio::test]
async fn an_indexed_value_over_2000_bytes_is_refused_with_400() {
    let app = TestApp::spawn().await;
    let r = app
        .post(
            &format!("{EM}/catalogs"),
            json!({"displayName": "n".repeat(2001)}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(r.error_code(), "BadRequest");
    assert!(message(&r).contains("displayName"), "{}", r.text);
    assert_eq!(catalogs(&app).await, 0);
    let r = app
        .post(
            &format!("{EM}/catalogs"),
            json!({"displayName": "n".repeat(2000)}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", &r.text[..r.text.len().min(300)]);
    let id = r.id();
    let r = app
        .patch(
            &format!("{EM}/catalogs/{id}"),
            json!({"displayName": "m".repeat(3000)}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", &r.text[..r.text.len().min(300)]);
    let r = app.get(&format!("{EM}/catalogs/{id}")).await;
    assert_eq!(r.body["displayName"].as_str().map(str::len), Some(2000));
}

#[tokio::test]
async fn an_unsupported_method_is_405() {
    let app = TestApp::spawn().await;
    let (c, _p, pol) = app.package_with_policy().await;

    let r = app
        .patch(
            &format!("{EM}/assignmentPolicies/{pol}"),
            json!({"description": "changed"}),
        )
        .await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.error_code(), "MethodNotAllowed");
    let r = TestApp::expect(
        app.get(&format!("{EM}/assignmentPolicies/{pol}")).await,
        200,
    );
    assert_eq!(r.body["description"], json!("direct"));

    let r = app
        .put(
            &format!("{EM}/catalogs/{c}"),
            json!({"displayName": "Replaced"}),
        )
        .await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.error_code(), "MethodNotAllowed");
    let r = TestApp::expect(app.get(&format!("{EM}/catalogs/{c}")).await, 200);
    assert_eq!(r.body["displayName"], json!("Catalog"));
}

#[tokio::test]
async fn an_unknown_path_segment_is_an_error_envelope() {
    let app = TestApp::spawn().await;
    let r = app.get(&format!("{EM}/nothingHere")).await;
    assert!(
        r.status == 400 || r.status == 404,
        "{}: {}",
        r.status,
        r.text
    );
    assert_eq!(r.error_code(), "BadRequest");
    assert!(message(&r).contains("nothingHere"), "{}", r.text);

    // A navigation the type does not have.
    let c = app.catalog("C").await;
    let r = app.get(&format!("{EM}/catalogs/{c}/nothingHere")).await;
    assert!(
        r.status == 400 || r.status == 404,
        "{}: {}",
        r.status,
        r.text
    );
    r.error_code();
    assert!(message(&r).contains("nothingHere"), "{}", r.text);
}

#[tokio::test]
async fn an_unknown_version_is_a_404_envelope() {
    let app = TestApp::spawn().await;
    let r = app.get("/v2/users").await;
    assert_eq!(r.status, 404, "{}", r.text);
    r.error_code();
    assert!(message(&r).contains("/v2/users"), "{}", r.text);
    assert!(r.header("request-id").is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn deleting_a_catalog_with_access_packages_is_refused() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let p = app.package(&c, "P").await;
    let r = app.delete(&format!("{EM}/catalogs/{c}")).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "InvalidDeleteCatalogHasAccessPackages");
    TestApp::expect(app.get(&format!("{EM}/catalogs/{c}")).await, 200);
    TestApp::expect(app.get(&format!("{EM}/accessPackages/{p}")).await, 200);
    assert_eq!(catalogs(&app).await, 1);
}

#[tokio::test]
async fn deleting_an_access_package_with_assignments_is_refused() {
    let app = TestApp::spawn().await;
    let (_c, p, pol) = app.package_with_policy().await;
    let user = app.user("Ann").await;
    let a = app.assign(&p, &pol, &user).await;
    let r = app.delete(&format!("{EM}/accessPackages/{p}")).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "InvalidDeleteAccessPackageHasAssignments");
    TestApp::expect(app.get(&format!("{EM}/accessPackages/{p}")).await, 200);
    TestApp::expect(
        app.get(&format!("{EM}/assignmentPolicies/{pol}")).await,
        200,
    );
    let r = TestApp::expect(app.get(&format!("{EM}/assignments/{a}")).await, 200);
    assert_eq!(r.body["state"], json!("delivered"));
}

#[tokio::test]
async fn ids_must_agree_on_a_direct_assignment_write() {
    let app = TestApp::spawn().await;
    let (c1, p1, _pol1) = app.package_with_policy().await;
    let c2 = app.catalog("Other catalog").await;
    let p2 = app.package(&c2, "Other package").await;
    let pol2 = app.policy(&p2).await;
    let user = app.user("Ann").await;
    let assignments = format!("{EM_BETA}/accessPackageAssignments");

    let r = app
        .post(
            &assignments,
            json!({"catalogId": c1, "accessPackageId": p1, "assignmentPolicyId": pol2, "targetId": user}),
        )
        .await;
    assert_bad_property(&r, "assignmentPolicyId", &pol2);

    let pol1 = app.policy(&p1).await;
    let r = app
        .post(
            &assignments,
            json!({"catalogId": c2, "accessPackageId": p1, "assignmentPolicyId": pol1, "targetId": user}),
        )
        .await;
    assert_bad_property(&r, "catalogId", &c2);
    assert_eq!(count(&app, &assignments).await, 0);
}

#[tokio::test]
async fn a_second_admin_add_for_the_same_assignment_is_refused() {
    let app = TestApp::spawn().await;
    let (_c, p, pol) = app.package_with_policy().await;
    let user = app.user("Ann").await;
    let first = app.assign(&p, &pol, &user).await;
    let requests = format!("{EM}/assignmentRequests");
    let before = count(&app, &requests).await;
    let r = app
        .post(
            &requests,
            json!({"requestType": "adminAdd",
                   "assignment": {"targetId": user, "assignmentPolicyId": pol, "accessPackageId": p}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "ExistingAssignment");
    assert!(message(&r).contains(&first), "{}", r.text);
    assert_eq!(count(&app, &requests).await, before);
    assert_eq!(count(&app, &format!("{EM}/assignments")).await, 1);
}

#[tokio::test]
async fn request_ids_are_echoed_in_headers_and_inner_error() {
    let app = TestApp::spawn().await;
    let missing = random_id();
    let path = format!("{EM}/catalogs/{missing}");
    let client_id = "4b1c1a9c-1111-2222-3333-444455556666";
    let r = app
        .raw(
            "GET",
            &path,
            Some(&app.admin_token),
            &[("client-request-id", client_id)],
            vec![],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    r.error_code();
    let inner = &r.body["error"]["innerError"];
    assert_eq!(r.header("client-request-id"), Some(client_id));
    assert_eq!(inner["client-request-id"], json!(client_id));
    let request_id = r
        .header("request-id")
        .expect("request-id header")
        .to_string();
    assert!(!request_id.is_empty());
    assert_eq!(inner["request-id"], json!(request_id));
    assert_ne!(request_id, client_id);
    // The date is the time of the answer, without fractions or zone.
    let date = inner["date"].as_str().unwrap_or_default();
    assert_eq!(date.len(), "2030-01-01T08:00:00".len(), "{date}");

    // Without a client id, both ids are the server's request id; every request gets a new one.
    let r2 = app.get(&path).await;
    let inner2 = &r2.body["error"]["innerError"];
    let rid2 = r2
        .header("request-id")
        .expect("request-id header")
        .to_string();
    assert_eq!(inner2["request-id"], json!(rid2));
    assert_eq!(inner2["client-request-id"], json!(rid2));
    assert_eq!(r2.header("client-request-id"), Some(rid2.as_str()));
    assert_ne!(rid2, request_id);

    // Successful answers carry the ids too.
    let ok = app
        .raw(
            "GET",
            &format!("{EM}/catalogs"),
            Some(&app.admin_token),
            &[("client-request-id", client_id)],
            vec![],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.header("client-request-id"), Some(client_id));
    assert!(
        ok.header("request-id")
            .is_some_and(|id| !id.is_empty() && id != client_id)
    );
}

#[tokio::test]
async fn server_owned_properties_sent_back_are_ignored() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let before = TestApp::expect(app.get(&format!("{EM}/catalogs/{c}")).await, 200);
    let created = before.body["createdDateTime"].clone();
    assert!(created.is_string(), "{}", before.text);
    let r = app
        .patch(
            &format!("{EM}/catalogs/{c}"),
            json!({
                "id": "other",
                "createdDateTime": "2000-01-01T00:00:00Z",
                "@odata.context": "x",
                "@odata.type": "#microsoft.graph.accessPackageCatalog",
                "description": "d"
            }),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);

    let after = TestApp::expect(app.get(&format!("{EM}/catalogs/{c}")).await, 200);
    assert_eq!(after.body["id"], json!(c));
    assert_eq!(after.body["createdDateTime"], created);
    assert_eq!(after.body["description"], json!("d"));
    assert_eq!(app.get(&format!("{EM}/catalogs/other")).await.status, 404);
    assert_eq!(catalogs(&app).await, 1);
}

#[tokio::test]
async fn writes_to_a_missing_id_are_404() {
    let app = TestApp::spawn().await;
    app.catalog("C").await;
    let missing = random_id();
    let path = format!("{EM}/catalogs/{missing}");
    for r in [
        app.patch(&path, json!({"description": "x"})).await,
        app.delete(&path).await,
    ] {
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(r.error_code(), "ResourceNotFound");
        assert!(message(&r).contains(&missing), "{}", r.text);
    }
    assert_eq!(catalogs(&app).await, 1);
}

#[tokio::test]
async fn writes_to_a_collection_as_a_whole_are_405() {
    let app = TestApp::spawn().await;
    app.catalog("C").await;
    let path = format!("{EM}/catalogs");
    for r in [
        app.patch(&path, json!({"description": "x"})).await,
        app.delete(&path).await,
    ] {
        assert_eq!(r.status, 405, "{}", r.text);
        assert_eq!(r.error_code(), "MethodNotAllowed");
    }
    assert_eq!(catalogs(&app).await, 1);
}

#[tokio::test]
async fn bad_query_options_are_400() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let cases = [
        (format!("{EM}/catalogs?$top=abc"), "abc"),
        (format!("{EM}/catalogs?$top=5000"), "5000"),
        (format!("{EM}/catalogs?$filter=colour%20eq%20'x'"), "colour"),
        (format!("{EM}/catalogs?$orderby=colour"), "colour"),
        (format!("{EM}/catalogs?$select=colour"), "colour"),
        (format!("{EM}/catalogs?$skiptoken=garbage"), "garbage"),
        (format!("{EM}/catalogs?$bogus=1"), "$bogus"),
        (format!("{EM}/catalogs/{c}?$top=1"), "$top"),
    ];
    for (path, named) in cases {
        let r = app.get(&path).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        assert_eq!(r.error_code(), "BadRequest", "{path}");
        assert!(message(&r).contains(named), "{path}: {}", r.text);
    }
    let r = app
        .get(&format!("{EM}/catalogs?$filter=displayName%20eq"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "InvalidFilter");
}
