//! One model, two dialects: what is written through one version reads correctly through the
//! other (docs/dialects.md is the mapping).

use accessd_testkit::TestApp;
use serde_json::json;

use crate::common::assert_subset;

const V1: &str = "/v1.0/identityGovernance/entitlementManagement";
const BETA: &str = "/beta/identityGovernance/entitlementManagement";

#[tokio::test]
async fn policy_written_in_beta_reads_in_v1() {
    let app = TestApp::spawn().await;
    let (_, package, _) = app.package_with_policy().await;
    let alice = app.user("Alice").await;
    let bob = app.user("Bob").await;
    let group = app.group("Reviewers").await;
    let body = json!({
        "accessPackageId": package,
        "displayName": "Beta policy",
        "description": "written through beta",
        "canExtend": true,
        "durationInDays": 30,
        "requestorSettings": {
            "scopeType": "SpecificDirectorySubjects",
            "acceptRequests": true,
            "allowedRequestors": [{"@odata.type": "#microsoft.graph.groupMembers", "isBackup": false, "id": group, "description": "Reviewers"}]
        },
        "requestApprovalSettings": {
            "isApprovalRequired": true,
            "isApprovalRequiredForExtension": false,
            "isRequestorJustificationRequired": true,
            "approvalMode": "SingleStage",
            "approvalStages": [{
                "approvalStageTimeOutInDays": 14,
                "isApproverJustificationRequired": true,
                "isEscalationEnabled": true,
                "escalationTimeInMinutes": 120,
                "primaryApprovers": [
                    {"@odata.type": "#microsoft.graph.singleUser", "isBackup": false, "id": alice},
                    {"@odata.type": "#microsoft.graph.singleUser", "isBackup": true, "id": bob}
                ],
                "escalationApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "isBackup": false, "managerLevel": 2}]
            }]
        },
        "accessReviewSettings": {
            "isEnabled": true, "recurrenceType": "quarterly", "reviewerType": "Self",
            "startDateTime": "2030-02-01T00:00:00Z", "durationInDays": 25, "reviewers": [],
            "isAccessRecommendationEnabled": true, "isApprovalJustificationRequired": false
        }
    });
    let created = TestApp::expect(
        app.post(
            &format!("{BETA}/accessPackageAssignmentPolicies"),
            body.clone(),
        )
        .await,
        201,
    );
    assert_subset(&body, &created.body);
    let id = created.id();
    let v1 = TestApp::expect(app.get(&format!("{V1}/assignmentPolicies/{id}")).await, 200);
    assert_subset(
        &json!({
            "displayName": "Beta policy",
            "description": "written through beta",
            "allowedTargetScope": "specificDirectoryUsers",
            "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": group, "description": "Reviewers"}],
            "expiration": {"type": "afterDuration", "duration": "P30D", "endDateTime": null},
            "requestorSettings": {"enableTargetsToSelfAddAccess": true, "enableTargetsToSelfUpdateAccess": true},
            "requestApprovalSettings": {
                "isApprovalRequiredForAdd": true,
                "isApprovalRequiredForUpdate": false,
                "isRequestorJustificationRequired": true,
                "stages": [{
                    "durationBeforeAutomaticDenial": "P14D",
                    "isApproverJustificationRequired": true,
                    "isEscalationEnabled": true,
                    "durationBeforeEscalation": "PT2H",
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": alice}],
                    "fallbackPrimaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": bob}],
                    "escalationApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 2}],
                    "fallbackEscalationApprovers": []
                }]
            },
            "reviewSettings": {
                "isEnabled": true,
                "isSelfReview": true,
                "isRecommendationEnabled": true,
                "isReviewerJustificationRequired": false,
                "primaryReviewers": [],
                "schedule": {
                    "startDateTime": "2030-02-01T00:00:00Z",
                    "expiration": {"type": "afterDuration", "duration": "P25D"},
                    "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 3}}
                }
            }
        }),
        &v1.body,
    );
    // v1.0 shows no beta names.
    for k in [
        "accessPackageId",
        "canExtend",
        "durationInDays",
        "accessReviewSettings",
    ] {
        assert!(v1.body.get(k).is_none(), "v1.0 shows {k}");
    }
    // And beta reads back exactly what it wrote.
    let beta = TestApp::expect(
        app.get(&format!("{BETA}/accessPackageAssignmentPolicies/{id}"))
            .await,
        200,
    );
    assert_subset(&body, &beta.body);
}

#[tokio::test]
async fn policy_written_in_v1_reads_in_beta() {
    let app = TestApp::spawn().await;
    let (_, package, _) = app.package_with_policy().await;
    let approver = app.user("Approver").await;
    let body = json!({
        "displayName": "v1 policy",
        "description": "written through v1.0",
        "allowedTargetScope": "allMemberUsers",
        "specificAllowedTargets": [],
        "expiration": {"type": "afterDateTime", "endDateTime": "2031-06-30T00:00:00Z"},
        "requestorSettings": {
            "enableTargetsToSelfAddAccess": true,
            "enableTargetsToSelfUpdateAccess": false,
            "enableTargetsToSelfRemoveAccess": true,
            "allowCustomAssignmentSchedule": true,
            "enableOnBehalfRequestorsToAddAccess": false,
            "enableOnBehalfRequestorsToUpdateAccess": false,
            "enableOnBehalfRequestorsToRemoveAccess": false,
            "onBehalfRequestors": []
        },
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": true,
            "isApprovalRequiredForUpdate": true,
            "isRequestorJustificationRequired": false,
            "stages": [
                {
                    "durationBeforeAutomaticDenial": "2 days, 0:00:00",
                    "isApproverJustificationRequired": false,
                    "isEscalationEnabled": false,
                    "durationBeforeEscalation": "PT0S",
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}],
                    "fallbackPrimaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver, "description": "user"}],
                    "escalationApprovers": [],
                    "fallbackEscalationApprovers": []
                },
                {
                    "durationBeforeAutomaticDenial": "P3D",
                    "isApproverJustificationRequired": true,
                    "isEscalationEnabled": false,
                    "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": approver}],
                    "escalationApprovers": [],
                    "fallbackPrimaryApprovers": [],
                    "fallbackEscalationApprovers": []
                }
            ]
        },
        "accessPackage": {"id": package}
    });
    let created = TestApp::expect(
        app.post(&format!("{V1}/assignmentPolicies"), body.clone())
            .await,
        201,
    );
    let id = created.id();
    // The Python SDK's duration form is accepted and answered in ISO 8601.
    assert_eq!(
        created.body["requestApprovalSettings"]["stages"][0]["durationBeforeAutomaticDenial"],
        json!("P2D")
    );
    let beta = TestApp::expect(
        app.get(&format!("{BETA}/accessPackageAssignmentPolicies/{id}"))
            .await,
        200,
    );
    assert_subset(
        &json!({
            "accessPackageId": package,
            "displayName": "v1 policy",
            "description": "written through v1.0",
            "canExtend": false,
            "durationInDays": 0,
            "expirationDateTime": "2031-06-30T00:00:00Z",
            "requestorSettings": {"scopeType": "AllExistingDirectoryMemberUsers", "acceptRequests": true, "allowedRequestors": []},
            "requestApprovalSettings": {
                "isApprovalRequired": true,
                "isApprovalRequiredForExtension": true,
                "isRequestorJustificationRequired": false,
                "approvalMode": "Serial",
                "approvalStages": [
                    {
                        "approvalStageTimeOutInDays": 2,
                        "isApproverJustificationRequired": false,
                        "isEscalationEnabled": false,
                        "escalationTimeInMinutes": 0,
                        "primaryApprovers": [
                            {"@odata.type": "#microsoft.graph.requestorManager", "isBackup": false, "managerLevel": 1},
                            {"@odata.type": "#microsoft.graph.singleUser", "isBackup": true, "id": approver, "description": "user"}
                        ],
                        "escalationApprovers": []
                    },
                    {
                        "approvalStageTimeOutInDays": 3,
                        "isApproverJustificationRequired": true,
                        "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "isBackup": false, "id": approver}]
                    }
                ]
            },
            "accessReviewSettings": null
        }),
        &beta.body,
    );
    let v1 = TestApp::expect(app.get(&format!("{V1}/assignmentPolicies/{id}")).await, 200);
    let mut sent = body.clone();
    sent.as_object_mut().unwrap().remove("accessPackage");
    sent["requestApprovalSettings"]["stages"][0]["durationBeforeAutomaticDenial"] = json!("P2D");
    assert_subset(&sent, &v1.body);
}

#[tokio::test]
async fn assignment_written_in_beta_reads_in_v1_and_back() {
    let app = TestApp::spawn().await;
    let (catalog, package, policy) = app.package_with_policy().await;
    let user = app.user("Grace").await;
    let body = json!({
        "catalogId": catalog, "accessPackageId": package, "assignmentPolicyId": policy, "targetId": user,
        "assignmentState": "Delivered", "assignmentStatus": "NearExpiry1DayNotificationTriggered",
        "isExtended": true, "expiredDateTime": "2030-03-01T00:00:00Z",
        "schedule": {"startDateTime": "2030-01-01T00:00:00Z", "expiration": {"type": "afterDateTime", "endDateTime": "2030-03-01T00:00:00Z"}}
    });
    let a = TestApp::expect(
        app.post(&format!("{BETA}/accessPackageAssignments"), body.clone())
            .await,
        201,
    );
    let id = a.id();
    let v1 = TestApp::expect(
        app.get(&format!(
            "{V1}/assignments/{id}?$expand=accessPackage,assignmentPolicy,target"
        ))
        .await,
        200,
    );
    assert_subset(
        &json!({
            "state": "delivered",
            "status": "NearExpiry1DayNotificationTriggered",
            "expiredDateTime": "2030-03-01T00:00:00Z",
            "schedule": {"startDateTime": "2030-01-01T00:00:00Z", "expiration": {"type": "afterDateTime", "endDateTime": "2030-03-01T00:00:00Z"}},
            "accessPackage": {"id": package},
            "assignmentPolicy": {"id": policy},
            "target": {"objectId": user, "displayName": "Grace", "subjectType": "user"}
        }),
        &v1.body,
    );
    for k in [
        "catalogId",
        "accessPackageId",
        "targetId",
        "assignmentState",
        "isExtended",
    ] {
        assert!(v1.body.get(k).is_none(), "v1.0 shows {k}");
    }
    // v1.0 writes (the SDK's generic PATCH with the ids as additional data), beta reads.
    let r = app
        .patch(
            &format!("{V1}/assignments/{id}"),
            json!({"state": "expired", "status": "ExpiredNotificationTriggered"}),
        )
        .await;
    TestApp::expect(r, 200);
    let beta = TestApp::expect(
        app.get(&format!("{BETA}/accessPackageAssignments/{id}"))
            .await,
        200,
    );
    assert_subset(
        &json!({"assignmentState": "Expired", "assignmentStatus": "ExpiredNotificationTriggered", "targetId": user, "isExtended": true}),
        &beta.body,
    );
}

#[tokio::test]
async fn requests_read_in_both_dialects() {
    let app = TestApp::spawn().await;
    let (_, package, policy) = app.package_with_policy().await;
    let user = app.user("Hopper").await;
    // beta write, with the beta name of the assignment and PascalCase request type.
    let r = app
        .post(
            &format!("{BETA}/accessPackageAssignmentRequests"),
            json!({"requestType": "AdminAdd", "accessPackageAssignment": {"targetId": user, "assignmentPolicyId": policy, "accessPackageId": package}}),
        )
        .await;
    let r = TestApp::expect(r, 201);
    assert_subset(
        &json!({"requestType": "AdminAdd", "requestState": "Delivered", "requestStatus": "Delivered"}),
        &r.body,
    );
    let id = r.id();
    let v1 = TestApp::expect(app.get(&format!("{V1}/assignmentRequests/{id}")).await, 200);
    assert_subset(
        &json!({"requestType": "adminAdd", "state": "delivered", "status": "Delivered"}),
        &v1.body,
    );
    let a = TestApp::expect(
        app.get(&format!("{V1}/assignmentRequests/{id}/assignment"))
            .await,
        200,
    );
    assert_eq!(a.body["state"], json!("delivered"));
    // The requestor is the caller, as a subject.
    let who = TestApp::expect(
        app.get(&format!("{V1}/assignmentRequests/{id}/requestor"))
            .await,
        200,
    );
    assert_subset(
        &json!({"objectId": accessd_testkit::ADMIN, "displayName": "admin@accessd.test", "subjectType": "user"}),
        &who.body,
    );
    // The beta request path reaches the same assignment.
    let b = TestApp::expect(
        app.get(&format!(
            "{BETA}/assignmentRequests/{id}/accessPackageAssignment"
        ))
        .await,
        200,
    );
    assert_eq!(b.body["id"], a.body["id"]);
    // v1.0 clients that follow Microsoft's snippets send snake_case keys: 400 naming targetId.
    let r = app
        .post(
            &format!("{V1}/assignmentRequests"),
            json!({"requestType": "adminAdd", "assignment": {"target_id": user, "assignment_policy_id": policy, "access_package_id": package}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"]["target"], json!("targetId"));
}

#[tokio::test]
async fn catalogs_and_packages_in_both_dialects() {
    let app = TestApp::spawn().await;
    let c = TestApp::expect(
        app.post(&format!("{BETA}/accessPackageCatalogs"), json!({"displayName": "Beta cat", "catalogType": "UserManaged", "catalogStatus": "Unpublished", "isExternallyVisible": true})).await,
        201,
    );
    let id = c.id();
    let v1 = TestApp::expect(app.get(&format!("{V1}/catalogs/{id}")).await, 200);
    assert_subset(
        &json!({"displayName": "Beta cat", "catalogType": "userManaged", "state": "unpublished", "isExternallyVisible": true}),
        &v1.body,
    );
    let p = TestApp::expect(
        app.post(
            &format!("{BETA}/accessPackages"),
            json!({"displayName": "Beta pkg", "catalogId": id}),
        )
        .await,
        201,
    );
    let v1p = TestApp::expect(
        app.get(&format!("{V1}/accessPackages/{}/catalog", p.id()))
            .await,
        200,
    );
    assert_eq!(v1p.body["id"], json!(id));
    let listed = TestApp::expect(
        app.get(&format!("{V1}/catalogs/{id}/accessPackages")).await,
        200,
    );
    assert_eq!(listed.values().len(), 1);
    let identity = TestApp::expect(
        app.get(&format!("/v1.0/identityGovernance/catalogs/{id}"))
            .await,
        200,
    );
    assert_eq!(identity.body["displayName"], json!("Beta cat"));
}

#[tokio::test]
async fn a_beta_policy_takes_v1s_expiration_as_microsofts_beta_examples_send_it() {
    let app = TestApp::spawn().await;
    let (_, package, _) = app.package_with_policy().await;
    let r = app
        .post(
            &format!("{BETA}/accessPackageAssignmentPolicies"),
            json!({
                "accessPackageId": package, "displayName": "With expiration",
                "description": "beta with v1.0's pattern",
                "expiration": {"type": "afterDuration", "duration": "P14D"}
            }),
        )
        .await;
    let r = TestApp::expect(r, 201);
    assert_eq!(r.body["durationInDays"], 14, "{}", r.text);
    let v1 = TestApp::expect(
        app.get(&format!("{V1}/assignmentPolicies/{}", r.id()))
            .await,
        200,
    );
    assert_eq!(v1.body["expiration"]["type"], "afterDuration");
    assert_eq!(v1.body["expiration"]["duration"], "P14D");
    // Its shape is checked like any other body.
    let r = app
        .post(
            &format!("{BETA}/accessPackageAssignmentPolicies"),
            json!({"accessPackageId": package, "displayName": "Bad",
                   "expiration": {"type": "afterDuration", "duration": 14}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}
