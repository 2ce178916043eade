//! Every request and response example of the five seed documents, replayed with their
//! placeholders filled by real ids and valid values; every property of the example response
//! (but ids, server timestamps and server-owned audit names) must come back.
//! The seed documents are in ../shared/seeds; docs/seeds.md says how each placeholder is filled.

use accessd_testkit::TestApp;
use serde_json::{Value, json};

use crate::common::{assert_subset, fill};

const EM: &str = "/beta/identityGovernance/entitlementManagement";

/// A tenant where an assignment has been delivered: it has an admin request behind it and a
/// delivered resource role (the group membership of a group resource in the catalog).
struct World {
    app: TestApp,
    user: String,
    catalog: String,
    package: String,
    policy: String,
    assignment: String,
    request: String,
    resource_role: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let user = app.user("Ada Lovelace").await;
    let group = app.group("Analysts").await;
    let catalog = app.catalog("Research").await;
    let r = app
        .post(
            "/v1.0/identityGovernance/entitlementManagement/resourceRequests",
            json!({"requestType": "adminAdd", "resource": {"originId": group, "originSystem": "AadGroup"}, "catalog": {"id": catalog}}),
        )
        .await;
    TestApp::expect(r, 201);
    let resources = app
        .get(&format!(
            "/v1.0/identityGovernance/entitlementManagement/catalogs/{catalog}/resources"
        ))
        .await;
    let resource = resources.values()[0]["id"].as_str().unwrap().to_string();
    let package = app.package(&catalog, "Analytics").await;
    let r = app
        .post(
            &format!("/v1.0/identityGovernance/entitlementManagement/accessPackages/{package}/resourceRoleScopes"),
            json!({
                "role": {"originId": format!("Member_{group}"), "originSystem": "AadGroup", "resource": {"id": resource}},
                "scope": {"originId": group, "originSystem": "AadGroup"}
            }),
        )
        .await;
    TestApp::expect(r, 201);
    let policy = app.policy(&package).await;
    let assignment = app.assign(&package, &policy, &user).await;
    let reqs = app
        .get(&format!(
            "{EM}/accessPackageAssignments/{assignment}/accessPackageAssignmentRequests"
        ))
        .await;
    let request = TestApp::expect(reqs, 200).values()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let roles = app
        .get(&format!(
            "{EM}/accessPackageAssignments/{assignment}/accessPackageAssignmentResourceRoles"
        ))
        .await;
    let roles = TestApp::expect(roles, 200).values();
    assert_eq!(roles.len(), 1, "the group membership was delivered");
    let resource_role = roles[0]["id"].as_str().unwrap().to_string();
    World {
        app,
        user,
        catalog,
        package,
        policy,
        assignment,
        request,
        resource_role,
    }
}

// ---- 000: Update accessPackageAssignment (beta, six paths) --------------------------------------

fn seed_000_request() -> Value {
    json!({
      "@odata.type": "#microsoft.graph.accessPackageAssignment",
      "catalogId": "Catalog Id value",
      "accessPackageId": "Access Package Id value",
      "assignmentPolicyId": "Assignment Policy Id value",
      "targetId": "Target Id value",
      "assignmentStatus": "Assignment Status value",
      "assignmentState": "Assignment State value",
      "isExtended": true,
      "expiredDateTime": "2016-12-31T23:58:10.2887028+03:00"
    })
}

fn seed_000_response() -> Value {
    json!({
      "@odata.type": "#microsoft.graph.accessPackageAssignment",
      "id": "1b52fa71-fa71-1b52-71fa-521b71fa521b",
      "catalogId": "Catalog Id value",
      "accessPackageId": "Access Package Id value",
      "assignmentPolicyId": "Assignment Policy Id value",
      "targetId": "Target Id value",
      "assignmentStatus": "Assignment Status value",
      "assignmentState": "Assignment State value",
      "isExtended": true,
      "expiredDateTime": "2016-12-31T23:58:10.2887028+03:00"
    })
}

fn assignment_values(w: &World) -> Vec<(&'static str, String)> {
    vec![
        ("Catalog Id value", w.catalog.clone()),
        ("Access Package Id value", w.package.clone()),
        ("Assignment Policy Id value", w.policy.clone()),
        ("Target Id value", w.user.clone()),
        ("Assignment Status value", "Delivered".into()),
        ("Assignment State value", "Delivered".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(a, b)| (*a, b.as_str())).collect()
}

#[tokio::test]
async fn seed_000_update_assignment_on_all_six_paths() {
    let w = world().await;
    let (a, r, rr) = (&w.assignment, &w.request, &w.resource_role);
    let paths = [
        format!("/beta/accessPackageAssignments/{a}"),
        format!("/beta/accessPackageAssignmentRequests/{r}/accessPackageAssignment"),
        format!("{EM}/accessPackageAssignments/{a}"),
        format!("/beta/accessPackageAssignmentResourceRoles/{rr}/accessPackageAssignments/{a}"),
        format!(
            "{EM}/accessPackageAssignments/{a}/accessPackageAssignmentRequests/{r}/accessPackageAssignment"
        ),
        format!(
            "{EM}/accessPackageAssignments/{a}/accessPackageAssignmentResourceRoles/{rr}/accessPackageAssignments/{a}"
        ),
    ];
    let values = assignment_values(&w);
    let body = fill(&seed_000_request(), &pairs(&values));
    let want = fill(&seed_000_response(), &pairs(&values));
    for path in &paths {
        let res = TestApp::expect(w.app.patch(path, body.clone()).await, 200);
        assert_subset(&want, &res.body);
        assert_eq!(res.body["id"], json!(a), "{path}");
        // And it stuck.
        let got = TestApp::expect(
            w.app
                .get(&format!("{EM}/accessPackageAssignments/{a}"))
                .await,
            200,
        );
        assert_subset(&want, &got.body);
    }
    // The placeholder text itself is not a valid state.
    let raw = fill(&seed_000_request(), &pairs(&values[..4]));
    let res = w.app.patch(&paths[0], raw).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.error_code(), "BadRequest");
    let target = res.body["error"]["target"].as_str().unwrap();
    assert!(
        target == "assignmentStatus" || target == "assignmentState",
        "{target}"
    );
    assert!(
        res.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Delivered"),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn seed_000_paths_check_their_relationships() {
    let w = world().await;
    let other_user = w.app.user("Other").await;
    let other = w.app.assign(&w.package, &w.policy, &other_user).await;
    let values = assignment_values(&w);
    let body = fill(&seed_000_request(), &pairs(&values));
    // The request belongs to the first assignment, not to `other`.
    let path = format!(
        "{EM}/accessPackageAssignments/{other}/accessPackageAssignmentRequests/{}/accessPackageAssignment",
        w.request
    );
    let res = w.app.patch(&path, body.clone()).await;
    assert_eq!(res.status, 404, "{}", res.text);
    assert_eq!(res.error_code(), "ResourceNotFound");
    // The resource role was delivered by both assignments (same role, same scope, different
    // subjects: different resource roles), so the other's role does not reach the first.
    let path = format!(
        "/beta/accessPackageAssignmentResourceRoles/{}/accessPackageAssignments/{other}",
        w.resource_role
    );
    assert_eq!(w.app.patch(&path, body).await.status, 404);
}

// ---- 001: Update accessPackageAssignmentPolicy (beta, six paths) ------------------------------

fn seed_001_request() -> Value {
    json!({
      "@odata.type": "#microsoft.graph.accessPackageAssignmentPolicy",
      "accessPackageId": "Access Package Id value",
      "displayName": "Display Name value",
      "description": "Description value",
      "canExtend": true,
      "durationInDays": 14,
      "expirationDateTime": "2016-12-31T23:57:47.0232285+00:00",
      "createdBy": "Created By value",
      "modifiedBy": "Modified By value",
      "requestorSettings": {
        "@odata.type": "microsoft.graph.requestorSettings",
        "scopeType": "Scope Type value",
        "acceptRequests": true,
        "allowedRequestors": [{"@odata.type": "microsoft.graph.singleUser", "isBackup": true, "id": "Id value"}]
      },
      "requestApprovalSettings": {
        "@odata.type": "microsoft.graph.approvalSettings",
        "isApprovalRequired": true,
        "isApprovalRequiredForExtension": true,
        "isRequestorJustificationRequired": true,
        "approvalMode": "Approval Mode value",
        "approvalStages": [{
          "@odata.type": "microsoft.graph.approvalStage",
          "approvalStageTimeOutInDays": 10,
          "isApproverJustificationRequired": true,
          "isEscalationEnabled": true,
          "escalationTimeInMinutes": 7,
          "primaryApprovers": [{"@odata.type": "microsoft.graph.singleUser"}],
          "escalationApprovers": [{"@odata.type": "microsoft.graph.singleUser"}]
        }]
      },
      "accessReviewSettings": {
        "@odata.type": "microsoft.graph.assignmentReviewSettings",
        "isEnabled": true,
        "recurrenceType": "Recurrence Type value",
        "reviewerType": "Reviewer Type value",
        "startDateTime": "2016-12-31T23:59:00.3105042+00:00",
        "reviewers": [{"@odata.type": "microsoft.graph.singleUser"}]
      }
    })
}

fn seed_001_response() -> Value {
    let mut v = seed_001_request();
    let o = v.as_object_mut().unwrap();
    o.insert("id".into(), json!("e3e85c70-5c70-e3e8-705c-e8e3705ce8e3"));
    o.insert(
        "createdDateTime".into(),
        json!("2017-01-01T00:00:31.4223767+00:00"),
    );
    o.insert(
        "modifiedDateTime".into(),
        json!("2016-12-31T23:58:55.6791311+00:00"),
    );
    v
}

#[tokio::test]
async fn seed_001_update_policy_on_all_six_paths() {
    let w = world().await;
    let (a, p, ap, c) = (&w.assignment, &w.policy, &w.package, &w.catalog);
    let paths = [
        format!("/beta/accessPackageAssignmentPolicies/{p}"),
        format!("/beta/accessPackageAssignments/{a}/accessPackageAssignmentPolicy"),
        format!("/beta/accessPackages/{ap}/accessPackageAssignmentPolicies/{p}"),
        format!("{EM}/accessPackageAssignmentPolicies/{p}"),
        format!("{EM}/accessPackageAssignments/{a}/accessPackageAssignmentPolicy"),
        format!(
            "{EM}/accessPackageCatalogs/{c}/accessPackages/{ap}/accessPackageAssignmentPolicies/{p}"
        ),
    ];
    let values: Vec<(&str, String)> = vec![
        ("Access Package Id value", ap.clone()),
        ("Scope Type value", "SpecificDirectorySubjects".into()),
        ("Id value", w.user.clone()),
        ("Approval Mode value", "SingleStage".into()),
        ("Recurrence Type value", "monthly".into()),
        ("Reviewer Type value", "Reviewers".into()),
    ];
    let body = fill(&seed_001_request(), &pairs(&values));
    let want = fill(&seed_001_response(), &pairs(&values));
    for (i, path) in paths.iter().enumerate() {
        // Vary a value so each path demonstrably writes.
        let mut body = body.clone();
        body["description"] = json!(format!("Description value {i}"));
        let mut want = want.clone();
        want["description"] = json!(format!("Description value {i}"));
        let res = TestApp::expect(w.app.patch(path, body).await, 200);
        assert_subset(&want, &res.body);
        assert_eq!(res.body["id"], json!(p));
        // createdBy/modifiedBy are the server's: the caller, never what the body claimed.
        assert_eq!(res.body["createdBy"], json!("admin@accessd.test"));
        assert_eq!(res.body["modifiedBy"], json!("admin@accessd.test"));
        let got = TestApp::expect(
            w.app
                .get(&format!("{EM}/accessPackageAssignmentPolicies/{p}"))
                .await,
            200,
        );
        assert_subset(&want, &got.body);
    }
    // Each placeholder left as it is names its property.
    for (placeholder, property) in [
        ("Scope Type value", "requestorSettings.scopeType"),
        (
            "Approval Mode value",
            "requestApprovalSettings.approvalMode",
        ),
        (
            "Recurrence Type value",
            "accessReviewSettings.recurrenceType",
        ),
        ("Reviewer Type value", "accessReviewSettings.reviewerType"),
    ] {
        let keep: Vec<(&str, String)> = values
            .iter()
            .filter(|(k, _)| *k != placeholder)
            .cloned()
            .collect();
        let res = w
            .app
            .patch(&paths[0], fill(&seed_001_request(), &pairs(&keep)))
            .await;
        assert_eq!(res.status, 400, "{placeholder}: {}", res.text);
        assert_eq!(res.error_code(), "BadRequest");
        assert_eq!(res.body["error"]["target"], json!(property), "{}", res.text);
    }
}

// ---- 002: Update accessPackageAssignmentPolicy (v1.0 PUT, three examples) --------------------

const V1: &str = "/v1.0/identityGovernance/entitlementManagement";

#[tokio::test]
async fn seed_002_example_1_put_replaces_the_policy() {
    let w = world().await;
    let approver = w.app.user("Fallback Approver").await;
    let url = format!("{V1}/assignmentPolicies/{}", w.policy);
    let body = json!({
      "id": w.policy,
      "displayName": "All Users",
      "description": "All users can request for access to the directory.",
      "allowedTargetScope": "allDirectoryUsers",
      "automaticRequestSettings": null,
      "specificAllowedTargets": [],
      "expiration": {"type": "noExpiration"},
      "requestorSettings": {
          "enableTargetsToSelfAddAccess": true,
          "enableTargetsToSelfUpdateAccess": false,
          "enableTargetsToSelfRemoveAccess": true,
          "allowCustomAssignmentSchedule": false,
          "enableOnBehalfRequestorsToAddAccess": false,
          "enableOnBehalfRequestorsToUpdateAccess": false,
          "enableOnBehalfRequestorsToRemoveAccess": false,
          "onBehalfRequestors": []
      },
      "requestApprovalSettings": {
          "isApprovalRequiredForAdd": true,
          "isApprovalRequiredForUpdate": false,
          "stages": [{
              "durationBeforeAutomaticDenial": "P2D",
              "isApproverJustificationRequired": false,
              "isEscalationEnabled": false,
              "durationBeforeEscalation": "PT0S",
              "primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
              "fallbackPrimaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver, "description": "user"}],
              "escalationApprovers": [],
              "fallbackEscalationApprovers": []
          }]
      },
      "accessPackage": {"id": w.package}
    });
    let res = TestApp::expect(w.app.put(&url, body.clone()).await, 200);
    assert_subset(
        &json!({"id": w.policy, "displayName": "All Users", "description": "All users can request for access to the directory."}),
        &res.body,
    );
    // Beyond the example's truncated answer: everything that was sent is what is there now.
    let mut sent = body.clone();
    sent.as_object_mut().unwrap().remove("accessPackage");
    let got = TestApp::expect(w.app.get(&url).await, 200);
    assert_subset(&sent, &got.body);
}

#[tokio::test]
async fn seed_002_example_2_legacy_shape_in_v1() {
    let w = world().await;
    // The example sends another id in the body than in the URL; the URL's wins.
    let url = format!("{V1}/assignmentPolicies/{}", w.policy);
    let body = json!({
        "id": "5540a08f-8ab5-43f6-a923-015275799197",
        "displayName": "policy with access package custom workflow extension",
        "description": "Run specified access package custom workflow extension at different stages.",
        "accessPackageId": w.package,
        "expiration": {"type": "afterDuration", "duration": "P365D"},
        "requestApprovalSettings": null,
        "requestorSettings": {"acceptRequests": true, "scopeType": "AllExistingDirectorySubjects", "allowedRequestors": []},
        "accessReviewSettings": null,
        "customExtensionStageSettings": []
    });
    let want = json!({
        "id": w.policy,
        "displayName": "policy with access package custom workflow extension",
        "description": "Run specified access package custom workflow extension at different stages.",
        "accessPackageId": w.package,
        "expiration": {"type": "afterDuration", "duration": "P365D"},
        "requestApprovalSettings": null,
        "requestorSettings": {"acceptRequests": true, "scopeType": "AllExistingDirectorySubjects", "allowedRequestors": []},
        "accessReviewSettings": null
    });
    let res = TestApp::expect(w.app.put(&url, body).await, 200);
    assert_subset(&want, &res.body);
    assert_eq!(res.body["id"], json!(w.policy));
    assert_eq!(res.body["customExtensionStageSettings"], json!([]));
    // v1.0's own names carry the same meaning.
    assert_eq!(res.body["allowedTargetScope"], json!("allDirectoryUsers"));
    assert_eq!(
        res.body["requestorSettings"]["enableTargetsToSelfAddAccess"],
        json!(true)
    );
}

#[tokio::test]
async fn seed_002_example_3_custom_extension_stage_settings() {
    let w = world().await;
    let url = format!("{V1}/assignmentPolicies/{}", w.policy);
    let body = json!({
        "displayName": "API Created policy with updated customExtensionStageSettings",
        "description": "policy with updated customExtensionStageSettings",
        "allowedTargetScope": "notSpecified",
        "specificAllowedTargets": [],
        "expiration": {"endDateTime": null, "duration": null, "type": "noExpiration"},
        "requestorSettings": {
            "enableTargetsToSelfAddAccess": false,
            "enableTargetsToSelfUpdateAccess": false,
            "enableTargetsToSelfRemoveAccess": false,
            "allowCustomAssignmentSchedule": true,
            "enableOnBehalfRequestorsToAddAccess": false,
            "enableOnBehalfRequestorsToUpdateAccess": false,
            "enableOnBehalfRequestorsToRemoveAccess": false,
            "onBehalfRequestors": []
        },
        "requestApprovalSettings": {"isApprovalRequiredForAdd": false, "isApprovalRequiredForUpdate": false, "stages": []},
        "accessPackage": {"id": w.package},
        "customExtensionStageSettings": [{
            "stage": "assignmentRequestCreated",
            "customExtension": {
                "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
                "id": "bebe7873-1f0d-4db9-b6c3-01f7ebfe8476"
            }
        }]
    });
    let res = TestApp::expect(w.app.put(&url, body.clone()).await, 200);
    // The documented answer repeats example 2's (afterDuration P365D, scopeType ...) although
    // this request sets noExpiration and notSpecified; accessd answers with what was sent.
    // See docs/seeds.md.
    assert_subset(
        &json!({
            "id": w.policy,
            "displayName": "API Created policy with updated customExtensionStageSettings",
            "description": "policy with updated customExtensionStageSettings",
            "customExtensionStageSettings": [{
                "stage": "assignmentRequestCreated",
                "customExtension": {
                    "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
                    "id": "bebe7873-1f0d-4db9-b6c3-01f7ebfe8476"
                }
            }]
        }),
        &res.body,
    );
    let mut sent = body;
    sent.as_object_mut().unwrap().remove("accessPackage");
    assert_subset(&sent, &res.body);
    // Example 2 after example 3: an empty collection removes the stage settings.
    let res = TestApp::expect(
        w.app
            .put(
                &url,
                json!({"displayName": "x", "accessPackage": {"id": w.package}, "customExtensionStageSettings": []}),
            )
            .await,
        200,
    );
    assert_eq!(res.body["customExtensionStageSettings"], json!([]));
}

#[tokio::test]
async fn seed_002_put_resets_what_is_not_sent() {
    let w = world().await;
    let url = format!("{V1}/assignmentPolicies/{}", w.policy);
    let full = json!({
        "displayName": "Full", "description": "d", "allowedTargetScope": "allMemberUsers",
        "expiration": {"type": "afterDuration", "duration": "P30D"},
        "requestorSettings": {"enableTargetsToSelfAddAccess": true},
        "accessPackage": {"id": w.package}
    });
    TestApp::expect(w.app.put(&url, full).await, 200);
    let res = TestApp::expect(
        w.app
            .put(
                &url,
                json!({"displayName": "Bare", "accessPackage": {"id": w.package}}),
            )
            .await,
        200,
    );
    assert_eq!(res.body["allowedTargetScope"], json!("notSpecified"));
    assert_eq!(res.body["expiration"]["type"], json!("noExpiration"));
    assert_eq!(
        res.body["requestorSettings"]["enableTargetsToSelfAddAccess"],
        json!(false)
    );
    assert_eq!(res.body["description"], Value::Null);
}

// ---- 003: accessPackageAssignment resource (beta): list, get, function, relationships --------

#[tokio::test]
async fn seed_003_list_get_filter_by_current_user_and_relationships() {
    let w = world().await;
    let a = &w.assignment;
    let list = TestApp::expect(
        w.app.get(&format!("{EM}/accessPackageAssignments")).await,
        200,
    );
    let item = &list.values()[0];
    // Every property of the documented JSON representation.
    for k in [
        "id",
        "catalogId",
        "accessPackageId",
        "assignmentPolicyId",
        "targetId",
        "assignmentStatus",
        "assignmentState",
        "isExtended",
        "expiredDateTime",
        "schedule",
        "customExtensionCalloutInstances",
    ] {
        assert!(item.get(k).is_some(), "{k} missing from {item}");
    }
    assert_subset(
        &json!({
            "@odata.type": "#microsoft.graph.accessPackageAssignment",
            "catalogId": w.catalog, "accessPackageId": w.package, "assignmentPolicyId": w.policy, "targetId": w.user,
            "assignmentStatus": "Delivered", "assignmentState": "Delivered", "isExtended": false, "expiredDateTime": null
        }),
        item,
    );
    let one = TestApp::expect(
        w.app
            .get(&format!("{EM}/accessPackageAssignments/{a}"))
            .await,
        200,
    );
    assert_eq!(one.body["id"], json!(a));
    assert!(
        one.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("accessPackageAssignments/$entity")
    );

    let token = w.app.token_for(&w.user);
    let mine = w
        .app
        .raw(
            "GET",
            &format!("{EM}/accessPackageAssignments/filterByCurrentUser(on='target')"),
            Some(&token),
            &[],
            vec![],
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.values().len(), 1);
    assert_eq!(mine.values()[0]["id"], json!(a));
    let nobody = w
        .app
        .get(&format!(
            "{EM}/accessPackageAssignments/filterByCurrentUser(on='target')"
        ))
        .await;
    assert_eq!(
        nobody.values().len(),
        0,
        "the admin is the target of nothing"
    );

    let pkg = TestApp::expect(
        w.app
            .get(&format!("{EM}/accessPackageAssignments/{a}/accessPackage"))
            .await,
        200,
    );
    assert_eq!(pkg.body["id"], json!(w.package));
    let pol = TestApp::expect(
        w.app
            .get(&format!(
                "{EM}/accessPackageAssignments/{a}/accessPackageAssignmentPolicy"
            ))
            .await,
        200,
    );
    assert_eq!(pol.body["id"], json!(w.policy));
    let roles = TestApp::expect(
        w.app
            .get(&format!(
                "{EM}/accessPackageAssignments/{a}/accessPackageAssignmentResourceRoles"
            ))
            .await,
        200,
    );
    assert_eq!(roles.values()[0]["id"], json!(w.resource_role));
    assert_eq!(roles.values()[0]["status"], json!("Fulfilled"));
    let target = TestApp::expect(
        w.app
            .get(&format!("{EM}/accessPackageAssignments/{a}/target"))
            .await,
        200,
    );
    assert_eq!(target.body["objectId"], json!(w.user));
    assert_eq!(target.body["displayName"], json!("Ada Lovelace"));

    // The documented query options.
    let q = w
        .app
        .get(&format!(
            "{EM}/accessPackageAssignments?$expand=target,accessPackage&$filter=accessPackage/id eq '{}' and target/objectid eq '{}'",
            w.package, w.user
        ).replace(' ', "%20"))
        .await;
    let q = TestApp::expect(q, 200);
    assert_eq!(q.values().len(), 1);
    assert_eq!(q.values()[0]["target"]["objectId"], json!(w.user));
    assert_eq!(q.values()[0]["accessPackage"]["id"], json!(w.package));
    let q = w
        .app
        .get(&format!(
            "{EM}/accessPackageAssignments?$filter=assignmentState%20eq%20'Delivered'"
        ))
        .await;
    assert_eq!(TestApp::expect(q, 200).values().len(), 1);
    let q = w
        .app
        .get(&format!(
            "{EM}/accessPackageAssignments?$filter=assignmentState%20eq%20'Expired'"
        ))
        .await;
    assert_eq!(TestApp::expect(q, 200).values().len(), 0);
    let q = w
        .app
        .get(&format!(
            "{EM}/accessPackageAssignments?$filter=accessPackageAssignmentPolicy/id%20eq%20'{}'",
            w.policy
        ))
        .await;
    assert_eq!(TestApp::expect(q, 200).values().len(), 1);
}

// ---- 004: Add accessPackageAssignments (beta POST, and the $ref form) ------------------------

fn seed_004_request() -> Value {
    json!({
      "@odata.type": "#microsoft.graph.accessPackageAssignment",
      "catalogId": "Catalog Id value",
      "accessPackageId": "Access Package Id value",
      "assignmentPolicyId": "Assignment Policy Id value",
      "targetId": "Target Id value",
      "assignmentStatus": "Assignment Status value",
      "assignmentState": "Assignment State value",
      "isExtended": true,
      "expiredDateTime": "2017-01-01T00:03:03.9221806+03:00"
    })
}

#[tokio::test]
async fn seed_004_post_assignments_and_ref() {
    let w = world().await;
    for (i, path) in [
        "/localtest/identityGovernance/entitlementManagement/accessPackageAssignments".to_string(),
        format!("{EM}/accessPackageAssignments"),
        format!("{EM}/accessPackageAssignments/$ref"),
    ]
    .iter()
    .enumerate()
    {
        let target = w.app.user(&format!("Target {i}")).await;
        let values: Vec<(&str, String)> = vec![
            ("Catalog Id value", w.catalog.clone()),
            ("Access Package Id value", w.package.clone()),
            ("Assignment Policy Id value", w.policy.clone()),
            ("Target Id value", target.clone()),
            ("Assignment Status value", "Delivered".into()),
            ("Assignment State value", "Delivered".into()),
        ];
        let body = fill(&seed_004_request(), &pairs(&values));
        let res = TestApp::expect(w.app.post(path, body.clone()).await, 201);
        let mut want = body.clone();
        want["id"] = json!("e4383339-3339-e438-3933-38e4393338e4");
        assert_subset(&want, &res.body);
        let id = res.id();
        let location = res.header("location").unwrap().to_string();
        assert!(
            location.ends_with(&format!(
                "/identityGovernance/entitlementManagement/accessPackageAssignments/{id}"
            )),
            "{location}"
        );
        let got = TestApp::expect(
            w.app
                .get(&format!("{EM}/accessPackageAssignments/{id}"))
                .await,
            200,
        );
        assert_subset(&want, &got.body);
        // Delivered: the group membership arrived with it.
        let roles = w
            .app
            .get(&format!(
                "{EM}/accessPackageAssignments/{id}/accessPackageAssignmentResourceRoles"
            ))
            .await;
        assert_eq!(TestApp::expect(roles, 200).values().len(), 1);
    }
    // The OData reference form names an existing assignment.
    let url = format!(
        "https://graph.microsoft.com/beta/identityGovernance/entitlementManagement/accessPackageAssignments/{}",
        w.assignment
    );
    let res = w
        .app
        .post(
            &format!("{EM}/accessPackageAssignments/$ref"),
            json!({"@odata.id": url}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let res = w
        .app
        .post(
            &format!("{EM}/accessPackageAssignments/$ref"),
            json!({"@odata.id": format!("{EM}/accessPackageAssignments/00000000-0000-0000-0000-00000000dead")}),
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
    assert_eq!(res.error_code(), "ResourceNotFound");
}
