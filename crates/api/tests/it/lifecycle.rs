//! The lifecycle, scenario by scenario, on the virtual clock (`/_accessd/clock`): requests,
//! approvals, delivery, expiry, extension, removal, separation of duties. Every scenario checks
//! the group memberships at the end.

use accessd_testkit::{Resp, TestApp};
use serde_json::{Value, json};

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const BETA: &str = "/beta/identityGovernance/entitlementManagement";

/// A catalog holding one group, and an access package that grants its membership.
struct World {
    app: TestApp,
    group: String,
    package: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let catalog = app.catalog("Lifecycle").await;
    let group = app.group("Engineers").await;
    let package = app
        .group_package(&catalog, &group, "Engineering access")
        .await;
    World {
        app,
        group,
        package,
    }
}

fn single_user(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.singleUser", "userId": id})
}

fn stage(approvers: Vec<Value>) -> Value {
    json!({
        "durationBeforeAutomaticDenial": "P14D",
        "isApproverJustificationRequired": false,
        "isEscalationEnabled": false,
        "durationBeforeEscalation": "PT0S",
        "primaryApprovers": approvers,
        "fallbackPrimaryApprovers": [],
        "escalationApprovers": [],
        "fallbackEscalationApprovers": []
    })
}

impl World {
    /// A self-service policy for all members: `approval` = its stages (empty: no approval).
    async fn policy(&self, expiration: Value, stages: Vec<Value>) -> String {
        self.policy_with(expiration, stages, json!({})).await
    }

    async fn policy_with(&self, expiration: Value, stages: Vec<Value>, extra: Value) -> String {
        let mut body = json!({
            "displayName": "Self-service", "description": "members ask",
            "allowedTargetScope": "allMemberUsers",
            "expiration": expiration,
            "requestorSettings": {
                "enableTargetsToSelfAddAccess": true,
                "enableTargetsToSelfUpdateAccess": true,
                "enableTargetsToSelfRemoveAccess": true,
                "allowCustomAssignmentSchedule": true,
                "enableOnBehalfRequestorsToAddAccess": false,
                "enableOnBehalfRequestorsToUpdateAccess": false,
                "enableOnBehalfRequestorsToRemoveAccess": false,
                "onBehalfRequestors": []
            },
            "requestApprovalSettings": {
                "isApprovalRequiredForAdd": !stages.is_empty(),
                "isApprovalRequiredForUpdate": false,
                "isRequestorJustificationRequired": false,
                "stages": stages
            },
            "accessPackage": {"id": self.package}
        });
        if let (Some(b), Some(x)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in x {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self
            .app
            .post(&format!("{EM}/assignmentPolicies"), body)
            .await;
        TestApp::expect(r, 201).id()
    }

    /// `userAdd` by `user` through `policy`.
    async fn request(&self, user: &str, policy: &str, extra: Value) -> Resp {
        let mut body = json!({
            "requestType": "userAdd",
            "assignment": {"accessPackageId": self.package, "assignmentPolicyId": policy}
        });
        if let (Some(b), Some(x)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in x {
                b.insert(k.clone(), v.clone());
            }
        }
        let token = self.app.token_for(user);
        self.app
            .call_as(
                &token,
                "POST",
                &format!("{EM}/assignmentRequests"),
                Some(body),
            )
            .await
    }

    async fn request_state(&self, id: &str) -> (String, String) {
        let r = TestApp::expect(
            self.app.get(&format!("{EM}/assignmentRequests/{id}")).await,
            200,
        );
        (
            r.body["state"].as_str().unwrap_or_default().to_string(),
            r.body["status"].as_str().unwrap_or_default().to_string(),
        )
    }

    async fn assignment_of(&self, request: &str) -> Option<Value> {
        let r = self
            .app
            .get(&format!("{EM}/assignmentRequests/{request}/assignment"))
            .await;
        (r.status == 200).then(|| r.body.clone())
    }

    /// The stages of the approval of `request`, as `approver` sees them.
    async fn stages(&self, approver: &str, request: &str) -> Vec<Value> {
        let token = self.app.token_for(approver);
        let r = self
            .app
            .call_as(
                &token,
                "GET",
                &format!("{EM}/accessPackageAssignmentApprovals/{request}/stages"),
                None,
            )
            .await;
        TestApp::expect(r, 200).values()
    }

    async fn decide(&self, approver: &str, request: &str, decision: &str) -> Resp {
        // The stage ids, as the administrator sees them (an approver not asked yet sees none).
        let r = self
            .app
            .get(&format!(
                "{EM}/accessPackageAssignmentApprovals/{request}/stages"
            ))
            .await;
        let stages = TestApp::expect(r, 200).values();
        let current = stages
            .iter()
            .find(|s| s["status"] == json!("InProgress"))
            .or(stages.last())
            .expect("a stage");
        let token = self.app.token_for(approver);
        self.app
            .call_as(
                &token,
                "PATCH",
                &format!(
                    "{EM}/accessPackageAssignmentApprovals/{request}/stages/{}",
                    current["id"].as_str().unwrap()
                ),
                Some(json!({"reviewResult": decision, "justification": "ok"})),
            )
            .await
    }

    async fn members(&self) -> Vec<String> {
        self.app.members(&self.group).await
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn self_request_without_approval_is_delivered_within_the_post() {
    let w = world().await;
    let pol = w
        .policy(json!({"type": "afterDuration", "duration": "P30D"}), vec![])
        .await;
    let ann = w.app.user("Ann").await;
    let r = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201);
    assert_eq!(r.body["state"], json!("delivered"), "{}", r.text);
    assert_eq!(r.body["status"], json!("Delivered"));
    assert_eq!(r.body["requestType"], json!("userAdd"));
    let a = w.assignment_of(&r.id()).await.expect("assignment");
    assert_eq!(a["state"], json!("delivered"));
    assert_eq!(a["schedule"]["expiration"]["type"], json!("afterDuration"));
    assert_eq!(w.members().await, vec![ann.clone()]);
    // A second request for the same package is refused while the assignment lasts.
    let again = w.request(&ann, &pol, json!({})).await;
    assert_eq!(again.status, 400, "{}", again.text);
    assert_eq!(again.error_code(), "ExistingAssignment");
    // After 30 days it expires, and the membership goes with it.
    w.app.advance("P29D").await;
    assert_eq!(w.members().await, vec![ann.clone()]);
    w.app.advance("P1D").await;
    let a = w.assignment_of(&r.id()).await.unwrap();
    assert_eq!(a["state"], json!("expired"), "{a}");
    assert_eq!(a["status"], json!("ExpiredNotificationTriggered"));
    assert!(a["expiredDateTime"].is_string());
    assert!(w.members().await.is_empty());
}

#[tokio::test]
async fn one_stage_approval_approved() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let pol = w
        .policy(
            json!({"type": "noExpiration"}),
            vec![stage(vec![single_user(&boss)])],
        )
        .await;
    let ann = w.app.user("Ann").await;
    let r = TestApp::expect(
        w.request(&ann, &pol, json!({"justification": "please"}))
            .await,
        201,
    );
    let req = r.id();
    assert_eq!(
        (r.body["state"].clone(), r.body["status"].clone()),
        (json!("pendingApproval"), json!("PendingApproval")),
        "{}",
        r.text
    );
    assert!(w.members().await.is_empty());
    // The approver finds it, in both functions.
    let token = w.app.token_for(&boss);
    for path in [
        format!("{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"),
        format!("{EM}/assignmentRequests/filterByCurrentUser(on='approver')"),
    ] {
        let mine = TestApp::expect(w.app.call_as(&token, "GET", &path, None).await, 200);
        let ids: Vec<_> = mine.values().iter().map(|v| v["id"].clone()).collect();
        assert_eq!(ids, vec![json!(req)], "{path}: {}", mine.text);
    }
    // Nobody else does.
    let other = w.app.token_for(&w.app.user("Other").await);
    let none = w
        .app
        .call_as(
            &other,
            "GET",
            &format!("{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"),
            None,
        )
        .await;
    assert_eq!(TestApp::expect(none, 200).values().len(), 0);
    let stages = w.stages(&boss, &req).await;
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0]["status"], json!("InProgress"));
    assert_eq!(stages[0]["assignedToMe"], json!(true));
    assert_eq!(stages[0]["reviewResult"], json!("NotReviewed"));
    // The requestor cannot decide its own request.
    let own = w.decide(&ann, &req, "Approve").await;
    assert!(own.status == 403 || own.status == 404, "{}", own.text);
    TestApp::expect(w.decide(&boss, &req, "Approve").await, 204);
    assert_eq!(
        w.request_state(&req).await,
        ("delivered".into(), "Delivered".into())
    );
    assert_eq!(w.members().await, vec![ann.clone()]);
    let stages = w.stages(&boss, &req).await;
    assert_eq!(stages[0]["reviewResult"], json!("Approved"));
    assert_eq!(stages[0]["reviewedBy"]["id"], json!(boss));
    assert_eq!(stages[0]["justification"], json!("ok"));
    // Deciding again: 409.
    let again = w.decide(&boss, &req, "Deny").await;
    assert_eq!(again.status, 409, "{}", again.text);
    // beta: the same approval with steps.
    let beta = w
        .app
        .call_as(
            &token,
            "GET",
            &format!("{BETA}/accessPackageAssignmentApprovals/{req}/steps"),
            None,
        )
        .await;
    let beta = TestApp::expect(beta, 200);
    assert_eq!(
        beta.values()[0]["@odata.type"],
        json!("#microsoft.graph.approvalStep")
    );
    assert_eq!(beta.values()[0]["reviewResult"], json!("Approved"));
}

#[tokio::test]
async fn denied() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let pol = w
        .policy(
            json!({"type": "noExpiration"}),
            vec![stage(vec![single_user(&boss)])],
        )
        .await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    let bad = w.decide(&boss, &req, "Maybe").await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    TestApp::expect(w.decide(&boss, &req, "Deny").await, 204);
    assert_eq!(
        w.request_state(&req).await,
        ("denied".into(), "Denied".into())
    );
    assert!(w.assignment_of(&req).await.is_none());
    assert!(w.members().await.is_empty());
    // Denied, the user may ask again.
    let again = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201);
    assert_eq!(again.body["state"], json!("pendingApproval"));
}

#[tokio::test]
async fn escalated_then_approved_by_the_escalation_approver() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let deputy = w.app.user("Deputy").await;
    let mut st = stage(vec![single_user(&boss)]);
    st["isEscalationEnabled"] = json!(true);
    st["durationBeforeEscalation"] = json!("P1D");
    st["durationBeforeAutomaticDenial"] = json!("P4D");
    st["escalationApprovers"] = json!([single_user(&deputy)]);
    let pol = w.policy(json!({"type": "noExpiration"}), vec![st]).await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    // Before the escalation the deputy is not asked.
    let early = w.decide(&deputy, &req, "Approve").await;
    assert!(early.status == 403 || early.status == 404, "{}", early.text);
    w.app.advance("P1D").await;
    assert_eq!(
        w.request_state(&req).await,
        ("pendingApproval".into(), "PendingApprovalEscalated".into())
    );
    TestApp::expect(w.decide(&deputy, &req, "Approve").await, 204);
    assert_eq!(w.request_state(&req).await.0, "delivered");
    assert_eq!(w.members().await, vec![ann]);
}

#[tokio::test]
async fn automatically_denied_after_the_timeout() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let mut st = stage(vec![single_user(&boss)]);
    st["durationBeforeAutomaticDenial"] = json!("P2D");
    let pol = w.policy(json!({"type": "noExpiration"}), vec![st]).await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    w.app.advance("P1DT23H").await;
    assert_eq!(w.request_state(&req).await.0, "pendingApproval");
    w.app.advance("PT1H").await;
    assert_eq!(
        w.request_state(&req).await,
        ("denied".into(), "Expired".into())
    );
    let stages = w.stages(&boss, &req).await;
    assert_eq!(stages[0]["status"], json!("Expired"));
    // Too late to decide.
    let late = w.decide(&boss, &req, "Approve").await;
    assert_eq!(late.status, 409, "{}", late.text);
    assert!(w.members().await.is_empty());
}

#[tokio::test]
async fn two_stage_approval() {
    let w = world().await;
    let first = w.app.user("First").await;
    let second = w.app.user("Second").await;
    let pol = w
        .policy(
            json!({"type": "noExpiration"}),
            vec![
                stage(vec![single_user(&first)]),
                stage(vec![single_user(&second)]),
            ],
        )
        .await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    // The second approver waits for the first.
    let early = w.decide(&second, &req, "Approve").await;
    assert!(early.status == 403 || early.status == 404, "{}", early.text);
    TestApp::expect(w.decide(&first, &req, "Approve").await, 204);
    assert_eq!(w.request_state(&req).await.0, "pendingApproval");
    assert!(w.members().await.is_empty());
    TestApp::expect(w.decide(&second, &req, "Approve").await, 204);
    assert_eq!(w.request_state(&req).await.0, "delivered");
    assert_eq!(w.members().await, vec![ann]);
}

#[tokio::test]
async fn requestor_manager_with_a_fallback() {
    let w = world().await;
    let manager = w.app.user("Manager").await;
    let fallback = w.app.user("Fallback").await;
    let mut st = stage(vec![
        json!({"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}),
    ]);
    st["fallbackPrimaryApprovers"] = json!([single_user(&fallback)]);
    let pol = w.policy(json!({"type": "noExpiration"}), vec![st]).await;
    let managed = w.app.user_with_manager("Managed", Some(&manager)).await;
    let alone = w.app.user("Alone").await;
    let r1 = TestApp::expect(w.request(&managed, &pol, json!({})).await, 201).id();
    let r2 = TestApp::expect(w.request(&alone, &pol, json!({})).await, 201).id();
    // The manager decides for the managed user; the fallback for the one without a manager.
    let wrong = w.decide(&fallback, &r1, "Approve").await;
    assert!(wrong.status == 403 || wrong.status == 404, "{}", wrong.text);
    TestApp::expect(w.decide(&manager, &r1, "Approve").await, 204);
    TestApp::expect(w.decide(&fallback, &r2, "Approve").await, 204);
    assert_eq!(w.members().await, sorted(vec![managed, alone]));
}

#[tokio::test]
async fn a_future_start_is_scheduled_then_delivered() {
    let w = world().await;
    let pol = w
        .policy(json!({"type": "afterDuration", "duration": "P7D"}), vec![])
        .await;
    let ann = w.app.user("Ann").await;
    let start = "2030-01-03T08:00:00Z";
    let r = w
        .request(
            &ann,
            &pol,
            json!({"schedule": {"startDateTime": start, "expiration": {"type": "afterDuration", "duration": "P7D"}}}),
        )
        .await;
    let r = TestApp::expect(r, 201);
    assert_eq!(
        (r.body["state"].clone(), r.body["status"].clone()),
        (json!("scheduled"), json!("PendingNotBefore")),
        "{}",
        r.text
    );
    assert!(w.members().await.is_empty());
    // Its assignment is made, not delivered yet.
    let a = w.assignment_of(&r.id()).await.expect("assignment");
    assert_eq!(a["state"], json!("delivering"), "{a}");
    // Another scheduled request, canceled: its assignment goes too.
    let bob = w.app.user("Bob").await;
    let rb = w
        .request(&bob, &pol, json!({"schedule": {"startDateTime": start}}))
        .await;
    let rb = TestApp::expect(rb, 201).id();
    let token = w.app.token_for(&bob);
    let c = w
        .app
        .call_as(
            &token,
            "POST",
            &format!("{EM}/assignmentRequests/{rb}/cancel"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.text);
    assert_eq!(
        w.assignment_of(&rb).await.unwrap()["state"],
        json!("expired")
    );
    w.app.advance("P2D").await;
    assert_eq!(w.request_state(&r.id()).await.0, "delivered");
    assert_eq!(w.request_state(&rb).await.0, "canceled");
    assert_eq!(w.members().await, vec![ann]);
    // Seven days after the start (not after the request) it expires.
    w.app.advance("P6DT23H").await;
    assert_eq!(w.members().await.len(), 1);
    w.app.advance("PT1H").await;
    assert!(w.members().await.is_empty());
}

#[tokio::test]
async fn expiry_after_a_date() {
    let w = world().await;
    let pol = w
        .policy(
            json!({"type": "afterDateTime", "endDateTime": "2030-02-01T00:00:00Z"}),
            vec![],
        )
        .await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    assert_eq!(w.members().await, vec![ann.clone()]);
    w.app.advance("P30D").await;
    assert_eq!(w.members().await, vec![ann.clone()]);
    let a = w.assignment_of(&req).await.unwrap();
    assert_eq!(
        a["status"],
        json!("NearExpiry1DayNotificationTriggered"),
        "{a}"
    );
    w.app.advance("P1D").await;
    assert!(w.members().await.is_empty());
    assert_eq!(
        w.assignment_of(&req).await.unwrap()["state"],
        json!("expired")
    );
    // The expiry is recorded as the service's own removal request.
    let reqs = TestApp::expect(w.app.get(&format!("{EM}/assignmentRequests")).await, 200);
    let system: Vec<_> = reqs
        .values()
        .into_iter()
        .filter(|r| r["requestType"] == json!("systemRemove"))
        .collect();
    assert_eq!(system.len(), 1, "{}", reqs.text);
    assert_eq!(system[0]["state"], json!("delivered"));
}

#[tokio::test]
async fn extension_moves_the_end() {
    let w = world().await;
    let pol = w
        .policy(json!({"type": "afterDuration", "duration": "P10D"}), vec![])
        .await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    let assignment = w.assignment_of(&req).await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    w.app.advance("P8D").await;
    let token = w.app.token_for(&ann);
    let ext = w
        .app
        .call_as(
            &token,
            "POST",
            &format!("{EM}/assignmentRequests"),
            Some(json!({"requestType": "userUpdate", "assignment": {"id": assignment}})),
        )
        .await;
    let ext = TestApp::expect(ext, 201);
    assert_eq!(ext.body["state"], json!("delivered"), "{}", ext.text);
    // The old end passes; the assignment lasts ten days from the extension.
    w.app.advance("P3D").await;
    assert_eq!(w.members().await, vec![ann.clone()]);
    w.app.advance("P7D").await;
    assert!(w.members().await.is_empty());
}

#[tokio::test]
async fn admin_removal_user_removal_and_cancel() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let open = w.policy(json!({"type": "noExpiration"}), vec![]).await;
    let ann = w.app.user("Ann").await;
    let bob = w.app.user("Bob").await;
    let r_ann = TestApp::expect(w.request(&ann, &open, json!({})).await, 201).id();
    let r_bob = TestApp::expect(w.request(&bob, &open, json!({})).await, 201).id();
    assert_eq!(w.members().await, sorted(vec![ann.clone(), bob.clone()]));
    // The administrator removes Ann's.
    let a_ann = w.assignment_of(&r_ann).await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rm = w
        .app
        .post(
            &format!("{EM}/assignmentRequests"),
            json!({"requestType": "adminRemove", "assignment": {"id": a_ann}}),
        )
        .await;
    assert_eq!(TestApp::expect(rm, 201).body["state"], json!("delivered"));
    assert_eq!(w.members().await, vec![bob.clone()]);
    // Bob removes his own.
    let a_bob = w.assignment_of(&r_bob).await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = w.app.token_for(&bob);
    let rm = w
        .app
        .call_as(
            &token,
            "POST",
            &format!("{EM}/assignmentRequests"),
            Some(json!({"requestType": "userRemove", "assignment": {"id": a_bob}})),
        )
        .await;
    TestApp::expect(rm, 201);
    assert!(w.members().await.is_empty());
    // A request waiting for approval is canceled by its requestor; nobody is asked any more.
    let gated = w
        .policy(
            json!({"type": "noExpiration"}),
            vec![stage(vec![single_user(&boss)])],
        )
        .await;
    let carl = w.app.user("Carl").await;
    let req = TestApp::expect(w.request(&carl, &gated, json!({})).await, 201).id();
    let token = w.app.token_for(&carl);
    let c = w
        .app
        .call_as(
            &token,
            "POST",
            &format!("{EM}/assignmentRequests/{req}/cancel"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.text);
    assert_eq!(
        w.request_state(&req).await,
        ("canceled".into(), "Canceled".into())
    );
    let boss_token = w.app.token_for(&boss);
    let mine = w
        .app
        .call_as(
            &boss_token,
            "GET",
            &format!("{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"),
            None,
        )
        .await;
    assert_eq!(TestApp::expect(mine, 200).values().len(), 0);
    assert_eq!(w.decide(&boss, &req, "Approve").await.status, 409);
    // Someone else's request cannot be canceled by a plain user.
    let dave = w.app.user("Dave").await;
    let r_dave = TestApp::expect(w.request(&dave, &gated, json!({})).await, 201).id();
    let c = w
        .app
        .call_as(
            &token,
            "POST",
            &format!("{EM}/assignmentRequests/{r_dave}/cancel"),
            None,
        )
        .await;
    assert!(c.status == 403 || c.status == 404, "{}", c.text);
    assert!(w.members().await.is_empty());
}

#[tokio::test]
async fn separation_of_duties_refuses_incompatible_requests() {
    let w = world().await;
    let catalog = w.app.catalog("Other").await;
    let other_group = w.app.group("Auditors").await;
    let auditors = w.app.group_package(&catalog, &other_group, "Audit").await;
    let audit_policy = w.app.policy(&auditors).await;
    let pol = w.policy(json!({"type": "noExpiration"}), vec![]).await;
    // Engineering access is incompatible with Audit, and with the Auditors group.
    TestApp::expect(
        w.app
            .post(
                &format!("{EM}/accessPackages/{}/incompatibleAccessPackages/$ref", w.package),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0{EM}/accessPackages/{auditors}")}),
            )
            .await,
        204,
    );
    let ann = w.app.user("Ann").await;
    w.app.assign(&auditors, &audit_policy, &ann).await;
    let r = w.request(&ann, &pol, json!({})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "IncompatibleAccessPackage");
    // An administrator cannot make that assignment either.
    let admin = w
        .app
        .post(
            &format!("{EM}/assignmentRequests"),
            json!({"requestType": "adminAdd", "assignment": {"targetId": ann, "assignmentPolicyId": pol, "accessPackageId": w.package}}),
        )
        .await;
    assert_eq!(admin.status, 400, "{}", admin.text);
    TestApp::expect(
        w.app
            .post(
                &format!("{EM}/accessPackages/{}/incompatibleGroups/$ref", w.package),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/groups/{other_group}")}),
            )
            .await,
        204,
    );
    let bob = w.app.user("Bob").await;
    TestApp::expect(
        w.app
            .post(
                &format!("/v1.0/groups/{other_group}/members/$ref"),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{bob}")}),
            )
            .await,
        204,
    );
    let r = w.request(&bob, &pol, json!({})).await;
    assert_eq!(r.error_code(), "IncompatibleGroup");
    assert!(w.members().await.is_empty());
}

#[tokio::test]
async fn reprocess_restores_a_membership_removed_by_hand() {
    let w = world().await;
    let pol = w.policy(json!({"type": "noExpiration"}), vec![]).await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    let a = w.assignment_of(&req).await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    TestApp::expect(
        w.app
            .delete(&format!("/v1.0/groups/{}/members/{ann}/$ref", w.group))
            .await,
        204,
    );
    assert!(w.members().await.is_empty());
    let r = w
        .app
        .post(&format!("{EM}/assignments/{a}/reprocess"), json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(w.members().await, vec![ann]);
}

#[tokio::test]
async fn requestor_checks_of_the_policy() {
    let w = world().await;
    let mut q = json!({"questions": [{
        "@odata.type": "#microsoft.graph.accessPackageTextInputQuestion",
        "id": "q1", "sequence": 1, "isRequired": true, "isAnswerEditable": true,
        "text": "Why?", "localizations": [], "isSingleLineQuestion": true, "regexPattern": null
    }]});
    q["requestorSettings"] = json!({
        "enableTargetsToSelfAddAccess": true, "enableTargetsToSelfUpdateAccess": false,
        "enableTargetsToSelfRemoveAccess": false, "allowCustomAssignmentSchedule": false,
        "enableOnBehalfRequestorsToAddAccess": false, "enableOnBehalfRequestorsToUpdateAccess": false,
        "enableOnBehalfRequestorsToRemoveAccess": false, "onBehalfRequestors": []
    });
    let pol = w
        .policy_with(
            json!({"type": "afterDuration", "duration": "P30D"}),
            vec![],
            q,
        )
        .await;
    let ann = w.app.user("Ann").await;
    let r = w.request(&ann, &pol, json!({})).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (400, "AnswerRequired"),
        "{}",
        r.text
    );
    let schedule = json!({"schedule": {"startDateTime": "2030-01-02T00:00:00Z"},
        "answers": [{"@odata.type": "#microsoft.graph.accessPackageAnswerString", "value": "work", "answeredQuestion": {"id": "q1"}}]});
    let r = w.request(&ann, &pol, schedule).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (400, "CustomScheduleNotAllowed"),
        "{}",
        r.text
    );
    let ok = json!({"answers": [{"@odata.type": "#microsoft.graph.accessPackageAnswerString", "value": "work", "answeredQuestion": {"id": "q1"}}]});
    TestApp::expect(w.request(&ann, &pol, ok).await, 201);
    // Nothing but that one request was written by the refusals.
    let reqs = TestApp::expect(w.app.get(&format!("{EM}/assignmentRequests")).await, 200);
    assert_eq!(reqs.values().len(), 1);
    assert_eq!(w.members().await, vec![ann]);
}

#[tokio::test]
async fn the_clock_answers_and_never_moves_backwards() {
    let w = world().await;
    let r = TestApp::expect(w.app.get("/_accessd/clock").await, 200);
    assert_eq!(r.body["mode"], json!("virtual"));
    assert_eq!(r.body["now"], json!("2030-01-01T08:00:00Z"));
    let moved = w.app.advance("P1D").await;
    assert_eq!(moved.body["now"], json!("2030-01-02T08:00:00Z"));
    let back = w
        .app
        .post("/_accessd/clock", json!({"to": "2030-01-01T00:00:00Z"}))
        .await;
    assert_eq!(back.status, 400, "{}", back.text);
    let bad = w
        .app
        .post("/_accessd/clock", json!({"advance": "soon"}))
        .await;
    assert_eq!(bad.status, 400);
    let to = TestApp::expect(
        w.app
            .post("/_accessd/clock", json!({"to": "2030-06-01T00:00:00Z"}))
            .await,
        200,
    );
    assert_eq!(to.body["now"], json!("2030-06-01T00:00:00Z"));
    // Only an administrator moves it.
    let ann = w.app.user("Ann").await;
    let token = w.app.token_for(&ann);
    let r = w
        .app
        .call_as(
            &token,
            "POST",
            "/_accessd/clock",
            Some(json!({"advance": "P1D"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = w.app.raw("GET", "/_accessd/clock", None, &[], vec![]).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn the_audit_log_tells_what_happened() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let pol = w
        .policy(
            json!({"type": "afterDuration", "duration": "P1D"}),
            vec![stage(vec![single_user(&boss)])],
        )
        .await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    w.app.advance("PT1H").await;
    TestApp::expect(w.decide(&boss, &req, "Approve").await, 204);
    let path = format!(
        "/v1.0/auditLogs/directoryAudits?$filter=targetResources/any(t:t/id%20eq%20'{req}')"
    );
    let r = TestApp::expect(w.app.get(&path).await, 200);
    let activities: Vec<_> = r
        .values()
        .iter()
        .map(|v| v["activityDisplayName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        activities,
        vec![
            "User requests access package assignment",
            "Update access package assignment request",
            "Approve access package assignment request",
            "Ready to fulfill access package assignment request",
            "Fulfill access package assignment request",
        ],
        "{}",
        r.text
    );
    let first = &r.values()[0];
    assert_eq!(first["category"], json!("EntitlementManagement"));
    assert_eq!(first["initiatedBy"]["user"]["id"], json!(ann));
    assert_eq!(first["result"], json!("success"));
    let last = &r.values()[4];
    assert_eq!(last["initiatedBy"]["user"]["id"], json!(boss));
    let state = last["targetResources"][0]["modifiedProperties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == json!("RequestState"))
        .cloned()
        .unwrap();
    assert_eq!(state["newValue"], json!("\"delivered\""));
    // The approval and the expiry (by the service itself) are there too, in time order.
    w.app.advance("P1D").await;
    let all = TestApp::expect(
        w.app
            .get("/v1.0/auditLogs/directoryAudits?$filter=activityDateTime%20ge%202030-01-01T09:00:00Z")
            .await,
        200,
    );
    let names: Vec<_> = all
        .values()
        .iter()
        .map(|v| v["activityDisplayName"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"Approve access package assignment request".to_string()),
        "{names:?}"
    );
    assert_eq!(
        names.last().map(String::as_str),
        Some("Entitlement Management removes access package assignment request for user"),
        "{names:?}"
    );
    let system = all.values().last().unwrap().clone();
    assert_eq!(system["initiatedBy"]["user"], Value::Null);
    assert_eq!(
        system["initiatedBy"]["app"]["displayName"],
        json!("Entitlement Management")
    );
    // A plain user may not read the audit log.
    let token = w.app.token_for(&ann);
    let r = w
        .app
        .call_as(&token, "GET", "/v1.0/auditLogs/directoryAudits", None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.error_code(), "Authorization_RequestDenied");
    // Graph refuses filters it does not document.
    let bad = w
        .app
        .get("/v1.0/auditLogs/directoryAudits?$filter=resultReason%20eq%20'x'")
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
}

#[tokio::test]
async fn automatic_assignment_follows_the_attribute_rule() {
    let w = world().await;
    let user = |name: &'static str, department: &'static str| {
        let app = &w.app;
        async move {
            let upn = format!("{}@contoso.test", name.to_lowercase());
            let r = app
                .post(
                    "/v1.0/users",
                    json!({"displayName": name, "userPrincipalName": upn, "department": department}),
                )
                .await;
            TestApp::expect(r, 201).id()
        }
    };
    let ann = user("Ann", "Sales").await;
    let bob = user("Bob", "Marketing").await;
    // The example of "Create an automatic assignment policy".
    let body = json!({
        "displayName": "Sales department users",
        "description": "All users from sales department",
        "allowedTargetScope": "specificDirectoryUsers",
        "specificAllowedTargets": [{
            "@odata.type": "#microsoft.graph.attributeRuleMembers",
            "description": "All users from sales department",
            "membershipRule": "(user.department -eq \"Sales\")"
        }],
        "automaticRequestSettings": {
            "requestAccessForAllowedTargets": true,
            "removeAccessWhenTargetLeavesAllowedTargets": true,
            "gracePeriodBeforeAccessRemoval": "P7D"
        },
        "accessPackage": {"id": w.package}
    });
    // Only an administrator makes one.
    let owner = w.app.user("Owner").await;
    let catalog = TestApp::expect(
        w.app
            .get(&format!("{EM}/accessPackages/{}/catalog", w.package))
            .await,
        200,
    )
    .id();
    w.app
        .grant(
            &owner,
            accessd_testkit::roles::CATALOG_OWNER,
            Some(&catalog),
        )
        .await;
    let r = w
        .app
        .call_as(
            &w.app.token_for(&owner),
            "POST",
            &format!("{EM}/assignmentPolicies"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let mut bad = body.clone();
    bad["specificAllowedTargets"][0]["membershipRule"] = json!("user.department -like \"S\"");
    let r = w.app.post(&format!("{EM}/assignmentPolicies"), bad).await;
    assert_eq!(r.status, 400, "{}", r.text);
    TestApp::expect(
        w.app
            .post(&format!("{EM}/assignmentPolicies"), body.clone())
            .await,
        201,
    );
    assert_eq!(w.members().await, vec![ann.clone()]);
    let again = w.app.post(&format!("{EM}/assignmentPolicies"), body).await;
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (400, "AutomaticPolicyExists")
    );
    // A new Sales user is assigned at once; the service made the request.
    let carl = user("Carl", "Sales").await;
    assert_eq!(w.members().await, sorted(vec![ann.clone(), carl.clone()]));
    let reqs = TestApp::expect(w.app.get(&format!("{EM}/assignmentRequests")).await, 200);
    assert_eq!(
        reqs.values()
            .iter()
            .filter(|r| r["requestType"] == json!("systemAdd"))
            .count(),
        2
    );
    // Ann leaves Sales: her access goes after the grace period. Bob joins: his comes at once.
    TestApp::expect(
        w.app
            .patch(
                &format!("/v1.0/users/{ann}"),
                json!({"department": "Marketing"}),
            )
            .await,
        204,
    );
    TestApp::expect(
        w.app
            .patch(
                &format!("/v1.0/users/{bob}"),
                json!({"department": "Sales"}),
            )
            .await,
        204,
    );
    assert_eq!(
        w.members().await,
        sorted(vec![ann.clone(), bob.clone(), carl.clone()])
    );
    w.app.advance("P6D").await;
    assert!(w.members().await.contains(&ann));
    w.app.advance("P1D").await;
    assert_eq!(w.members().await, sorted(vec![bob, carl]));
}

#[tokio::test]
async fn a_deleted_group_fails_delivery_until_it_is_restored_and_reprocessed() {
    let w = world().await;
    let pol = w.policy(json!({"type": "noExpiration"}), vec![]).await;
    let ann = w.app.user("Ann").await;
    TestApp::expect(w.request(&ann, &pol, json!({})).await, 201);
    TestApp::expect(
        w.app.delete(&format!("/v1.0/groups/{}", w.group)).await,
        204,
    );
    // Bob asks while the group is gone: nothing can be delivered.
    let bob = w.app.user("Bob").await;
    let r = TestApp::expect(w.request(&bob, &pol, json!({})).await, 201);
    assert_eq!(
        (r.body["state"].clone(), r.body["status"].clone()),
        (json!("deliveryFailed"), json!("DeliveryFailed")),
        "{}",
        r.text
    );
    let a = w.assignment_of(&r.id()).await.unwrap();
    assert_eq!(a["state"], json!("deliveryFailed"));
    // Restored, the group has Ann again; reprocessing Bob's request delivers it.
    let restored = w
        .app
        .post(
            &format!("/v1.0/directory/deletedItems/{}/restore", w.group),
            json!({}),
        )
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(w.members().await, vec![ann.clone()]);
    let rp = w
        .app
        .post(
            &format!("{EM}/assignmentRequests/{}/reprocess", r.id()),
            json!({}),
        )
        .await;
    assert_eq!(rp.status, 202, "{}", rp.text);
    assert_eq!(w.request_state(&r.id()).await.0, "delivered");
    assert_eq!(w.members().await, sorted(vec![ann, bob]));
}

/// The outbox: what the real service would have e-mailed, at each step of a request's life.
#[tokio::test]
async fn the_outbox_records_the_emails_of_a_requests_life() {
    let w = world().await;
    let boss = w.app.user("Boss").await;
    let pol = w
        .policy(
            json!({"type": "afterDuration", "duration": "P20D"}),
            vec![stage(vec![single_user(&boss)])],
        )
        .await;
    let ann = w.app.user("Ann").await;
    let req = TestApp::expect(w.request(&ann, &pol, json!({})).await, 201).id();
    TestApp::expect(w.decide(&boss, &req, "Approve").await, 204);
    w.app.advance("P21D").await;
    let r = TestApp::expect(w.app.get("/_accessd/outbox?kind=email").await, 200);
    let mut seen: Vec<(String, String)> = r
        .values()
        .iter()
        .map(|m| {
            (
                m["template"].as_str().unwrap().to_string(),
                m["to"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.reverse(); // oldest first
    let expect = |t: &str, who: &str| (t.to_string(), who.to_string());
    assert_eq!(
        seen,
        vec![
            expect("RequestSubmitted", &ann),
            expect("ApprovalRequired", &boss),
            expect("RequestApproved", &ann),
            expect("AccessGranted", &ann),
            expect("AssignmentExpiring", &ann),
            expect("AssignmentExpiring", &ann),
            expect("AssignmentExpired", &ann),
        ],
        "{}",
        r.text
    );
    let first = &r.values()[r.values().len() - 1];
    assert_eq!(
        first["subject"],
        "Your request for access to Engineering access was submitted"
    );
    assert_eq!(first["requestId"], req.as_str());
    assert!(first["addresses"][0].as_str().unwrap().contains('@'));
    // Filters, and emptying it.
    let boss_mail = w
        .app
        .get(&format!("/_accessd/outbox?to={boss}"))
        .await
        .values();
    assert_eq!(boss_mail.len(), 1);
    let expiring = w
        .app
        .get("/_accessd/outbox?template=AssignmentExpiring")
        .await
        .values();
    assert!(
        expiring[0]["subject"]
            .as_str()
            .unwrap()
            .ends_with("in 1 day")
    );
    assert!(
        expiring[1]["subject"]
            .as_str()
            .unwrap()
            .ends_with("in 14 days")
    );
    TestApp::expect(w.app.delete("/_accessd/outbox").await, 204);
    assert!(w.app.get("/_accessd/outbox").await.values().is_empty());
    // A denial is told too.
    let bob = w.app.user("Bob").await;
    let req = TestApp::expect(w.request(&bob, &pol, json!({})).await, 201).id();
    TestApp::expect(w.decide(&boss, &req, "Deny").await, 204);
    let denied = w
        .app
        .get("/_accessd/outbox?template=RequestDenied")
        .await
        .values();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["to"][0], bob.as_str());
    let plain = w.app.token_for(&bob);
    let r = w.app.call_as(&plain, "GET", "/_accessd/outbox", None).await;
    assert_eq!(r.status, 403);
}

/// A connected organization for the domain `partner.example`.
async fn partner(app: &TestApp) -> String {
    let r = app
        .post(
            &format!("{EM}/connectedOrganizations"),
            json!({"displayName": "Partner", "identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": "partner.example", "displayName": "partner.example"}]}),
        )
        .await;
    TestApp::expect(r, 201).id()
}

/// A guest of the directory (`userType` Guest) whose mail is `address`.
async fn guest(app: &TestApp, name: &str, address: &str) -> String {
    let (local, domain) = address.split_once('@').unwrap();
    let r = app
        .post(
            "/v1.0/users",
            json!({
                "accountEnabled": true, "displayName": name, "mailNickname": local,
                "userPrincipalName": format!("{local}_{domain}#EXT#@contoso.example"),
                "mail": address, "userType": "Guest"
            }),
        )
        .await;
    TestApp::expect(r, 201).id()
}

#[tokio::test]
async fn a_partners_user_is_approved_by_the_organizations_sponsor() {
    let w = world().await;
    let org = partner(&w.app).await;
    let sponsor = w.app.user("Sponsor").await;
    let fallback = w.app.user("Fallback").await;
    TestApp::expect(
        w.app
            .post(
                &format!("{EM}/connectedOrganizations/{org}/externalSponsors/$ref"),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{sponsor}")}),
            )
            .await,
        204,
    );
    let mut st = stage(vec![
        json!({"@odata.type": "#microsoft.graph.externalSponsors"}),
    ]);
    st["fallbackPrimaryApprovers"] = json!([single_user(&fallback)]);
    let pol = w
        .policy_with(
            json!({"type": "noExpiration"}),
            vec![st],
            json!({
                "allowedTargetScope": "specificConnectedOrganizationUsers",
                "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.connectedOrganizationMembers", "connectedOrganizationId": org, "description": "Partner"}]
            }),
        )
        .await;
    let pat = guest(&w.app, "Pat", "pat@partner.example").await;
    let other = guest(&w.app, "Olu", "olu@elsewhere.example").await;
    let member = w.app.user("Member").await;
    // Only the partner's users may ask.
    for outsider in [&other, &member] {
        let r = w.request(outsider, &pol, json!({})).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.error_code(), "RequestorNotAllowed");
    }
    let req = TestApp::expect(w.request(&pat, &pol, json!({})).await, 201).id();
    assert_eq!(w.request_state(&req).await.0, "pendingApproval");
    // The subject records its organization; the sponsor is asked, not the fallback.
    let s = TestApp::expect(
        w.app
            .get(&format!("{EM}/subjects/{pat}/connectedOrganization"))
            .await,
        200,
    );
    assert_eq!(s.body["id"], org.as_str());
    assert_eq!(w.stages(&sponsor, &req).await.len(), 1);
    let wrong = w.decide(&fallback, &req, "Approve").await;
    assert!(wrong.status == 403 || wrong.status == 404, "{}", wrong.text);
    TestApp::expect(w.decide(&sponsor, &req, "Approve").await, 204);
    assert_eq!(w.request_state(&req).await.0, "delivered");
    // The docs' way to a partner's sponsors: through the assignment's target.
    let a = w.assignment_of(&req).await.expect("an assignment");
    let sponsors = TestApp::expect(
        w.app
            .get(&format!(
                "{EM}/assignments/{}/target/connectedOrganization/externalSponsors",
                a["id"].as_str().unwrap()
            ))
            .await,
        200,
    );
    assert_eq!(sponsors.values()[0]["id"], sponsor.as_str());
    let s = TestApp::expect(
        w.app
            .get(&format!(
                "{EM}/subjects/{pat}?$expand=connectedOrganization"
            ))
            .await,
        200,
    );
    assert_eq!(s.body["connectedOrganization"]["displayName"], "Partner");
    let b = TestApp::expect(w.app.get(&format!("{BETA}/subjects/{pat}")).await, 200);
    assert_eq!(b.body["connectedOrganizationId"], org.as_str());

    // With the sponsor gone, the organization's next user goes to the fallback approver.
    TestApp::expect(
        w.app
            .delete(&format!(
                "{EM}/connectedOrganizations/{org}/externalSponsors/{sponsor}/$ref"
            ))
            .await,
        204,
    );
    let kim = guest(&w.app, "Kim", "kim@Partner.example").await;
    let req2 = TestApp::expect(w.request(&kim, &pol, json!({})).await, 201).id();
    TestApp::expect(w.decide(&fallback, &req2, "Approve").await, 204);
    assert_eq!(w.members().await, sorted(vec![pat, kim]));
    // The policy names the organization, so it stays.
    let r = w
        .app
        .delete(&format!("{EM}/connectedOrganizations/{org}"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.error_code(), "ConnectedOrganizationInUse");
}

#[tokio::test]
async fn an_external_user_is_invited_then_blocked_and_deleted_as_the_settings_say() {
    let w = world().await;
    partner(&w.app).await;
    let pol = w
        .policy_with(
            json!({"type": "afterDuration", "duration": "P7D"}),
            vec![],
            json!({"allowedTargetScope": "allConfiguredConnectedOrganizationUsers"}),
        )
        .await;
    TestApp::expect(
        w.app
            .patch(
                &format!("{EM}/settings"),
                json!({"externalUserLifecycleAction": "blockSignInAndDelete", "durationUntilExternalUserDeletedAfterBlocked": "P10D"}),
            )
            .await,
        204,
    );
    // The docs' adminAdd for someone known by e-mail only.
    let r = TestApp::expect(
        w.app
            .post(
                &format!("{EM}/assignmentRequests"),
                json!({"requestType": "adminAdd", "assignment": {
                    "accessPackageId": w.package, "assignmentPolicyId": pol,
                    "target": {"email": "ria@partner.example"}}}),
            )
            .await,
        201,
    );
    // An administrator's request needs no approval: delivered at once, the guest invited.
    let req = r.id();
    assert_eq!(w.request_state(&req).await.0, "delivered");
    let users = w
        .app
        .get(&format!(
            "/v1.0/users?$filter={}",
            accessd_testkit::percent("mail eq 'ria@partner.example'")
        ))
        .await;
    let guest = users.values()[0].clone();
    let ria = guest["id"].as_str().unwrap().to_string();
    assert_eq!(guest["userType"], "Guest");
    assert_eq!(guest["accountEnabled"], true);
    assert!(
        guest["userPrincipalName"]
            .as_str()
            .unwrap()
            .starts_with("ria_partner.example#EXT#@")
    );
    assert_eq!(w.members().await, vec![ria.clone()]);
    let s = TestApp::expect(w.app.get(&format!("{EM}/subjects/{ria}")).await, 200);
    assert_eq!(s.body["objectId"], ria.as_str());
    assert_eq!(s.body["subjectLifecycle"], "governed");

    // The assignment ends after a week: the guest loses the membership and is blocked.
    TestApp::expect(w.app.advance("P8D").await, 200);
    assert!(w.members().await.is_empty());
    let u = TestApp::expect(w.app.get(&format!("/v1.0/users/{ria}")).await, 200);
    assert_eq!(u.body["accountEnabled"], false);
    // Ten days after the block (day 7), the guest is deleted.
    TestApp::expect(w.app.advance("P8D").await, 200);
    TestApp::expect(w.app.get(&format!("/v1.0/users/{ria}")).await, 200);
    TestApp::expect(w.app.advance("P2D").await, 200);
    assert_eq!(w.app.get(&format!("/v1.0/users/{ria}")).await.status, 404);
    let s = TestApp::expect(w.app.get(&format!("{EM}/subjects/{ria}")).await, 200);
    assert_eq!(s.body["subjectLifecycle"], "notGoverned");
}

#[tokio::test]
async fn a_new_assignment_unblocks_an_external_user_and_calls_the_deletion_off() {
    let w = world().await;
    partner(&w.app).await;
    let pol = w
        .policy_with(
            json!({"type": "afterDuration", "duration": "P1D"}),
            vec![],
            json!({"allowedTargetScope": "allExternalUsers"}),
        )
        .await;
    let add = || {
        json!({"requestType": "adminAdd", "assignment": {
            "accessPackageId": w.package, "assignmentPolicyId": pol,
            "target": {"email": "lee@partner.example"}}})
    };
    let r = TestApp::expect(
        w.app.post(&format!("{EM}/assignmentRequests"), add()).await,
        201,
    );
    assert_eq!(r.body["state"], "delivered", "{}", r.text);
    let a = w.assignment_of(&r.id()).await.unwrap();
    let target = TestApp::expect(
        w.app
            .get(&format!(
                "{EM}/assignments/{}/target",
                a["id"].as_str().unwrap()
            ))
            .await,
        200,
    );
    let lee = target.body["objectId"].as_str().unwrap().to_string();
    TestApp::expect(w.app.advance("P2D").await, 200);
    let u = TestApp::expect(w.app.get(&format!("/v1.0/users/{lee}")).await, 200);
    assert_eq!(u.body["accountEnabled"], false);
    // Back within the 30 default days: unblocked, and not deleted when they would have been.
    let r = TestApp::expect(
        w.app.post(&format!("{EM}/assignmentRequests"), add()).await,
        201,
    );
    assert_eq!(r.body["state"], "delivered", "{}", r.text);
    let u = TestApp::expect(w.app.get(&format!("/v1.0/users/{lee}")).await, 200);
    assert_eq!(u.body["accountEnabled"], true);
    assert_eq!(w.members().await, vec![lee.clone()]);
    // The second assignment ends too; the guest is blocked again and deleted 30 days later.
    TestApp::expect(w.app.advance("P2D").await, 200);
    TestApp::expect(w.app.advance("P28D").await, 200);
    TestApp::expect(w.app.get(&format!("/v1.0/users/{lee}")).await, 200);
    TestApp::expect(w.app.advance("P2D").await, 200);
    assert_eq!(w.app.get(&format!("/v1.0/users/{lee}")).await.status, 404);
}
