//! Custom extensions over real HTTP: the running server's worker POSTs the callout to a local
//! endpoint, which calls back through `resume`, and the request carries on.

use std::sync::{Arc, Mutex};

use accessd_server::server::{Options, Server};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

type Received = Arc<Mutex<Vec<Value>>>;

async fn hook(State(got): State<Received>, axum::Json(body): axum::Json<Value>) -> StatusCode {
    got.lock().unwrap().push(body);
    StatusCode::ACCEPTED
}

/// A Logic App stand-in on loopback; returns its URL and what it received.
async fn endpoint() -> (String, Received) {
    let got: Received = Arc::default();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test]
async fn the_worker_calls_the_extension_and_its_callback_resumes_the_request() {
    let dir = std::env::temp_dir().join(format!("accessd-callouts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: format!("sqlite://{}", dir.join("accessd.db").display()),
        demo: false,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: None,
        clock: Default::default(),
    })
    .await
    .unwrap();
    let (url, received) = endpoint().await;
    let base = server.base_url();
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let token = server.admin_token(600).unwrap();
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| http.post(path).bearer_auth(&token).json(&body).send();
    let created = |r: reqwest::Response| async move {
        assert_eq!(r.status().as_u16(), 201);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let catalog = created(
        post(format!("{em}/catalogs"), json!({"displayName": "C"}))
            .await
            .unwrap(),
    )
    .await;
    let ext = created(
        post(
            format!("{em}/catalogs/{catalog}/customWorkflowExtensions"),
            json!({
                "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
                "displayName": "Check",
                "endpointConfiguration": {
                    "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
                    "subscriptionId": "38ab2ccc-3747-4567-b36b-9478f5602f0d",
                    "resourceGroupName": "rg", "logicAppWorkflowName": "check", "url": url
                },
                "callbackConfiguration": {"@odata.type": "microsoft.graph.customExtensionCallbackConfiguration", "timeoutDuration": "PT1H"}
            }),
        )
        .await
        .unwrap(),
    )
    .await;
    let package = created(
        post(
            format!("{em}/accessPackages"),
            json!({"displayName": "P", "catalog": {"id": catalog}}),
        )
        .await
        .unwrap(),
    )
    .await;
    let policy = created(
        post(
            format!("{em}/assignmentPolicies"),
            json!({
                "displayName": "Direct", "description": "d", "allowedTargetScope": "notSpecified",
                "expiration": {"type": "noExpiration"}, "accessPackage": {"id": package},
                "customExtensionStageSettings": [{"stage": "assignmentRequestCreated", "customExtension": {"id": ext}}]
            }),
        )
        .await
        .unwrap(),
    )
    .await;
    let user = created(
        post(
            format!("{base}/v1.0/users"),
            json!({"displayName": "Una", "userPrincipalName": "una@contoso.test"}),
        )
        .await
        .unwrap(),
    )
    .await;
    let request = created(
        post(
            format!("{em}/assignmentRequests"),
            json!({"requestType": "adminAdd", "assignment": {"targetId": user, "assignmentPolicyId": policy, "accessPackageId": package}}),
        )
        .await
        .unwrap(),
    )
    .await;
    // The worker looks for due work every second.
    let mut callout = None;
    for _ in 0..100 {
        if let Some(v) = received.lock().unwrap().first().cloned() {
            callout = Some(v);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let callout = callout.expect("the extension was called");
    assert_eq!(callout["source"], "EntitlementManagement");
    assert_eq!(
        callout["data"]["accessPackageAssignmentRequestId"],
        request.as_str()
    );
    let path = callout["data"]["callbackUriPath"].as_str().unwrap();
    let instance = callout["data"]["customExtensionStageInstanceId"]
        .as_str()
        .unwrap();
    let r = post(
        format!("{base}/beta{path}"),
        json!({
            "source": "Contoso.SodCheckProcess",
            "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
            "data": {"@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
                     "stage": "assignmentRequestCreated", "customExtensionStageInstanceId": instance,
                     "customExtensionStageInstanceDetail": "verified"}
        }),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r: Value = http
        .get(format!("{em}/assignmentRequests/{request}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["state"], "delivered");
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
