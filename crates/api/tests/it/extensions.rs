//! Custom extensions: a catalog's `customWorkflowExtensions`, and the callouts a policy's
//! `customExtensionStageSettings` make, on the virtual clock, with the group memberships
//! checked. (The callouts go to `TestApp`'s recording endpoint; the server's own test sends them
//! over HTTP.)

use accessd_testkit::TestApp;
use serde_json::{Value, json};

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

fn request_extension(name: &str, url: &str, wait: Option<&str>) -> Value {
    let mut b = json!({
        "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
        "displayName": name,
        "description": "called by the tests",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": "38ab2ccc-3747-4567-b36b-9478f5602f0d",
            "resourceGroupName": "EMLogicApp",
            "logicAppWorkflowName": name,
            "url": url
        },
        "clientConfiguration": {"@odata.type": "#microsoft.graph.customExtensionClientConfiguration", "maximumRetries": 1, "timeoutInMilliseconds": 1000}
    });
    if let Some(t) = wait {
        b["callbackConfiguration"] = json!({
            "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
            "timeoutDuration": t
        });
    }
    b
}

async fn extension(app: &TestApp, catalog: &str, body: Value) -> String {
    let r = app
        .post(
            &format!("{EM}/catalogs/{catalog}/customWorkflowExtensions"),
            body,
        )
        .await;
    TestApp::expect(r, 201).id()
}

async fn admin_add(app: &TestApp, package: &str, policy: &str, target: &str) -> Value {
    let r = app
        .post(
            &format!("{EM}/assignmentRequests"),
            json!({"requestType": "adminAdd", "assignment": {"targetId": target, "assignmentPolicyId": policy, "accessPackageId": package}}),
        )
        .await;
    TestApp::expect(r, 201).body
}

fn calls(app: &TestApp) -> Vec<(String, Value)> {
    app.callouts.calls.lock().unwrap().clone()
}

async fn request(app: &TestApp, id: &str) -> Value {
    TestApp::expect(app.get(&format!("{EM}/assignmentRequests/{id}")).await, 200).body
}

fn resume_body(stage: &str, instance: &str, state: Option<&str>) -> Value {
    let mut data = json!({
        "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
        "stage": stage,
        "customExtensionStageInstanceId": instance,
        "customExtensionStageInstanceDetail": "checked by the test"
    });
    if let Some(s) = state {
        data["state"] = s.into();
    }
    json!({"source": "Contoso.SodCheckProcess",
           "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
           "data": data})
}

#[tokio::test]
async fn custom_extensions_are_created_read_changed_and_deleted_in_both_dialects() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let r = app
        .post(
            &format!("{EM}/catalogs/{c}/customWorkflowExtensions"),
            request_extension("SoD", "https://callouts.test/sod", Some("PT1H")),
        )
        .await;
    let r = TestApp::expect(r, 201);
    let id = r.id();
    assert_eq!(
        r.body["@odata.type"],
        "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
    );
    assert_eq!(
        r.body["endpointConfiguration"]["logicAppWorkflowName"],
        "SoD"
    );
    assert_eq!(r.body["callbackConfiguration"]["timeoutDuration"], "PT1H");
    assert_eq!(r.body["createdBy"], "admin@accessd.test");
    assert!(
        r.header("location")
            .unwrap()
            .ends_with(&format!("/customWorkflowExtensions/{id}"))
    );
    let list = app
        .get(&format!("{EM}/catalogs/{c}/customWorkflowExtensions"))
        .await;
    assert_eq!(list.values().len(), 1);
    let beta = app
        .get(&format!(
            "/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/{c}/customWorkflowExtensions/{id}"
        ))
        .await;
    assert_eq!(TestApp::expect(beta, 200).body["displayName"], "SoD");
    let p = app
        .patch(
            &format!("{EM}/catalogs/{c}/customWorkflowExtensions/{id}"),
            json!({"@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "displayName": "SoD check"}),
        )
        .await;
    assert_eq!(TestApp::expect(p, 200).body["displayName"], "SoD check");
    // An assignment-workflow extension too.
    let mut body = request_extension("Expiry", "https://callouts.test/expiry", None);
    body["@odata.type"] = "#microsoft.graph.accessPackageAssignmentWorkflowExtension".into();
    extension(&app, &c, body).await;
    // Another catalog does not hold it.
    let other = app.catalog("Other").await;
    let r = app
        .get(&format!(
            "{EM}/catalogs/{other}/customWorkflowExtensions/{id}"
        ))
        .await;
    assert_eq!(r.status, 404);
    TestApp::expect(
        app.delete(&format!("{EM}/catalogs/{c}/customWorkflowExtensions/{id}"))
            .await,
        204,
    );
    let r = app
        .get(&format!("{EM}/catalogs/{c}/customWorkflowExtensions/{id}"))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn bad_custom_extensions_are_refused() {
    let app = TestApp::spawn().await;
    let c = app.catalog("C").await;
    let path = format!("{EM}/catalogs/{c}/customWorkflowExtensions");
    let mut no_type = request_extension("x", "https://callouts.test/x", None);
    no_type.as_object_mut().unwrap().remove("@odata.type");
    let mut abstract_type = no_type.clone();
    abstract_type["@odata.type"] = "#microsoft.graph.customCalloutExtension".into();
    let mut no_name = request_extension("x", "https://callouts.test/x", None);
    no_name.as_object_mut().unwrap().remove("displayName");
    let mut unknown = request_extension("x", "https://callouts.test/x", None);
    unknown["color"] = "blue".into();
    for (what, body) in [
        ("no @odata.type", no_type),
        ("an abstract type", abstract_type),
        ("no displayName", no_name),
        ("an unknown property", unknown),
        (
            "a timeout under 5 minutes",
            request_extension("x", "https://callouts.test/x", Some("PT1M")),
        ),
        (
            "a URL that is not http",
            request_extension("x", "ftp://callouts.test/x", None),
        ),
    ] {
        let r = app.post(&path, body).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text);
    }
    let r = app
        .post(
            &format!("{EM}/catalogs/00000000-0000-0000-0000-000000000001/customWorkflowExtensions"),
            request_extension("x", "https://callouts.test/x", None),
        )
        .await;
    assert_eq!(r.status, 404);
    // A catalog reader lists them but does not make them; a plain user sees no catalog.
    let reader = app.user("Reader").await;
    app.grant(&reader, accessd_testkit::roles::CATALOG_READER, Some(&c))
        .await;
    let t = app.token_for(&reader);
    assert_eq!(app.call_as(&t, "GET", &path, None).await.status, 200);
    let r = app
        .call_as(
            &t,
            "POST",
            &path,
            Some(request_extension("x", "https://callouts.test/x", None)),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let plain = app.user("Plain").await;
    let r = app
        .call_as(&app.token_for(&plain), "GET", &path, None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

#[tokio::test]
async fn a_request_waits_for_the_extensions_callback_then_is_delivered_and_granted_is_called() {
    let app = TestApp::spawn().await;
    let user = app.user("Uma").await;
    let (catalog, package, policy, group) = {
        // Extensions need the catalog first; make it, then the policy that names them.
        let catalog = app.catalog("Extended").await;
        let created = extension(
            &app,
            &catalog,
            request_extension("Check", "https://callouts.test/check", Some("PT1H")),
        )
        .await;
        let granted = extension(
            &app,
            &catalog,
            request_extension("Notify", "https://callouts.test/granted", None),
        )
        .await;
        let group = app.group("Builders").await;
        let package = app.group_package(&catalog, &group, "Builders access").await;
        let r = app
            .post(
                &format!("{EM}/assignmentPolicies"),
                json!({
                    "displayName": "Direct with callouts", "description": "direct",
                    "allowedTargetScope": "notSpecified",
                    "expiration": {"type": "noExpiration"},
                    "accessPackage": {"id": package},
                    "customExtensionStageSettings": [
                        {"stage": "assignmentRequestCreated", "customExtension": {"id": created}},
                        {"stage": "assignmentRequestGranted", "customExtension": {"id": granted}}
                    ]
                }),
            )
            .await;
        (catalog, package, TestApp::expect(r, 201).id(), group)
    };
    let req = admin_add(&app, &package, &policy, &user).await;
    let id = req["id"].as_str().unwrap().to_string();
    assert_eq!(req["state"], "submitted");
    assert_eq!(req["status"], "WaitingForCallback");
    assert!(app.members(&group).await.is_empty());
    // The worker sends the callout.
    app.advance("PT0S").await;
    let sent = calls(&app);
    assert_eq!(sent.len(), 1);
    let (url, body) = &sent[0];
    assert_eq!(url, "https://callouts.test/check");
    assert_eq!(
        body["type"],
        "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated"
    );
    let data = &body["data"];
    assert_eq!(data["stage"], "assignmentRequestCreated");
    assert_eq!(data["accessPackageAssignmentRequestId"], id.as_str());
    assert_eq!(data["accessPackageCatalog"]["id"], catalog.as_str());
    assert_eq!(data["target"]["objectId"], user.as_str());
    assert_eq!(data["callbackConfiguration"]["timeoutDuration"], "PT1H");
    let callback = data["callbackUriPath"].as_str().unwrap();
    assert_eq!(
        callback,
        format!(
            "/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/{id}/resume"
        )
    );
    let instance = data["customExtensionStageInstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = request(&app, &id).await;
    assert_eq!(
        r["customExtensionCalloutInstances"][0]["status"],
        "waitingForCallback"
    );
    // A callback for another callout, or another stage, is refused; the right one resumes it.
    let wrong = app
        .post(
            &format!("/beta{callback}"),
            resume_body(
                "assignmentRequestCreated",
                "00000000-0000-0000-0000-000000000009",
                None,
            ),
        )
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    let wrong = app
        .post(
            &format!("/beta{callback}"),
            resume_body("assignmentRequestApproved", &instance, None),
        )
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    let ok = app
        .post(
            &format!("/beta{callback}"),
            resume_body("assignmentRequestCreated", &instance, None),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    let r = request(&app, &id).await;
    assert_eq!(r["state"], "delivered");
    assert_eq!(
        r["customExtensionCalloutInstances"][0]["status"],
        "callbackReceived"
    );
    assert_eq!(
        r["customExtensionCalloutInstances"][0]["detail"],
        "checked by the test"
    );
    assert_eq!(app.members(&group).await, vec![user.clone()]);
    // Granted: called, not waited for.
    app.advance("PT0S").await;
    let sent = calls(&app);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].0, "https://callouts.test/granted");
    assert_eq!(sent[1].1["data"]["stage"], "assignmentRequestGranted");
    assert_eq!(sent[1].1["data"]["assignment"]["state"], "delivered");
    assert!(sent[1].1["data"].get("callbackUriPath").is_none());
    // The outbox has both callouts, with what the endpoint answered.
    let out = app.get("/_accessd/outbox?kind=callout").await.values();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["template"], "assignmentRequestGranted");
    assert_eq!(out[0]["to"][0], "https://callouts.test/granted");
    assert_eq!(out[0]["answer"], "202");
    assert_eq!(
        out[1]["payload"]["data"]["stage"],
        "assignmentRequestCreated"
    );
    let again = app
        .post(
            &format!("{EM}/assignmentRequests/{id}/resume"),
            resume_body("assignmentRequestCreated", &instance, None),
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(again.error_code(), "RequestNotWaitingForCallback");
}

#[tokio::test]
async fn a_callback_that_does_not_come_denies_the_request_and_one_may_deny_it() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.user("Ann").await, app.user("Ben").await);
    let group = app.group("Waiters").await;
    let catalog = app.catalog("Waiting").await;
    let ext = extension(
        &app,
        &catalog,
        request_extension("Slow", "https://callouts.test/slow", Some("PT10M")),
    )
    .await;
    let package = app.group_package(&catalog, &group, "Slow access").await;
    let r = app
        .post(
            &format!("{EM}/assignmentPolicies"),
            json!({
                "displayName": "Waits", "description": "waits",
                "allowedTargetScope": "notSpecified",
                "expiration": {"type": "noExpiration"},
                "accessPackage": {"id": package},
                "customExtensionStageSettings": [
                    {"stage": "assignmentRequestCreated", "customExtension": {"id": ext}}
                ]
            }),
        )
        .await;
    let policy = TestApp::expect(r, 201).id();
    let first = admin_add(&app, &package, &policy, &a).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.advance("PT11M").await;
    let r = request(&app, &first).await;
    assert_eq!(r["state"], "denied");
    assert_eq!(
        r["customExtensionCalloutInstances"][0]["status"],
        "callbackTimedOut"
    );
    let late = app
        .post(
            &format!("{EM}/assignmentRequests/{first}/resume"),
            resume_body("assignmentRequestCreated", "x", None),
        )
        .await;
    assert_eq!(late.status, 400);
    // The extension may deny the request itself.
    let second = admin_add(&app, &package, &policy, &b).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.advance("PT0S").await;
    let instance = calls(&app).last().unwrap().1["data"]["customExtensionStageInstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("{EM}/assignmentRequests/{second}/resume"),
            resume_body("assignmentRequestCreated", &instance, Some("Denied")),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(request(&app, &second).await["state"], "denied");
    assert!(app.members(&group).await.is_empty());
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_then_recorded_as_failed() {
    let app = TestApp::spawn().await;
    let user = app.user("Fay").await;
    let catalog = app.catalog("Failing").await;
    let ext = extension(
        &app,
        &catalog,
        request_extension("Broken", "https://callouts.test/fail", None),
    )
    .await;
    let group = app.group("G").await;
    let package = app.group_package(&catalog, &group, "G access").await;
    let r = app
        .post(
            &format!("{EM}/assignmentPolicies"),
            json!({
                "displayName": "Notifies", "description": "d",
                "allowedTargetScope": "notSpecified",
                "expiration": {"type": "noExpiration"},
                "accessPackage": {"id": package},
                "customExtensionStageSettings": [
                    {"stage": "assignmentRequestGranted", "customExtension": {"id": ext}}
                ]
            }),
        )
        .await;
    let policy = TestApp::expect(r, 201).id();
    let id = admin_add(&app, &package, &policy, &user).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Launch and continue: the request is delivered whatever the endpoint does.
    assert_eq!(request(&app, &id).await["state"], "delivered");
    assert_eq!(app.members(&group).await, vec![user]);
    app.advance("PT5M").await;
    // One call and one retry (maximumRetries 1), then recorded as failed.
    assert_eq!(calls(&app).len(), 2);
    let r = request(&app, &id).await;
    assert_eq!(
        r["customExtensionCalloutInstances"][0]["status"],
        "calloutFailed"
    );
    // An extension a policy uses cannot be deleted.
    let d = app
        .delete(&format!(
            "{EM}/catalogs/{catalog}/customWorkflowExtensions/{ext}"
        ))
        .await;
    assert_eq!(d.status, 400, "{}", d.text);
}

/// The conformance suite's body: `type` without a stage at its end, on a request that waits for
/// nothing, is told so (not that the type is bad).
#[tokio::test]
async fn resume_of_a_request_that_waits_for_nothing_says_so_whatever_the_type() {
    let app = TestApp::spawn().await;
    let (_, package, policy) = app.package_with_policy().await;
    let user = app.user("Nell").await;
    let id = admin_add(&app, &package, &policy, &user).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("{EM}/assignmentRequests/{id}/resume"),
            json!({"source": "conformance", "type": "microsoft.graph.accessPackageCustomExtensionStage"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (400, "RequestNotWaitingForCallback")
    );
    let r = app
        .post(
            &format!("{EM}/assignmentRequests/{id}/resume"),
            json!({"source": "x", "data": {"stage": "notAStage"}}),
        )
        .await;
    assert_eq!(r.status, 400);
}

/// A callout endpoint that takes its time, so that two runners overlap.
#[derive(Default)]
struct SlowEndpoint {
    calls: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl accessd_engine::extensions::CalloutSender for SlowEndpoint {
    async fn send(&self, url: &str, _body: &Value, _timeout_ms: u64) -> Result<u16, String> {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        self.calls.lock().unwrap().push(url.to_string());
        Ok(202)
    }
}

/// Two runners of due work on one store (two instances on one database): a callout is claimed
/// before it is sent, so it is sent once.
#[tokio::test]
async fn two_runners_send_a_callout_once() {
    let app = TestApp::spawn().await;
    let user = app.user("Una").await;
    let catalog = app.catalog("Raced callouts").await;
    let created = extension(
        &app,
        &catalog,
        request_extension("Check", "https://callouts.test/check", Some("PT1H")),
    )
    .await;
    let group = app.group("Racers").await;
    let package = app.group_package(&catalog, &group, "Racers access").await;
    let r = app
        .post(
            &format!("{EM}/assignmentPolicies"),
            json!({
                "displayName": "Direct with a callout", "description": "direct",
                "allowedTargetScope": "notSpecified",
                "expiration": {"type": "noExpiration"},
                "accessPackage": {"id": package},
                "customExtensionStageSettings": [
                    {"stage": "assignmentRequestCreated", "customExtension": {"id": created}}
                ]
            }),
        )
        .await;
    let policy = TestApp::expect(r, 201).id();
    let req = admin_add(&app, &package, &policy, &user).await;
    assert_eq!(req["status"], "WaitingForCallback");
    let slow = std::sync::Arc::new(SlowEndpoint::default());
    let other = accessd_engine::Engine::new(app.store.clone(), app.clock.clone())
        .with_callouts(slow.clone());
    let (a, b) = tokio::join!(other.run_due(), app.engine.run_due());
    a.unwrap();
    b.unwrap();
    let sent = calls(&app).len() + slow.calls.lock().unwrap().len();
    assert_eq!(sent, 1, "the callout was sent {sent} times");
}
