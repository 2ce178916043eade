//! The real binary's server over real TCP: start, serve, shut down gracefully, start again on
//! the same database and find everything that was acknowledged.

use accessd_server::server::{Options, Server};
use serde_json::{Value, json};

fn temp_db(name: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!(
        "accessd-{name}-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    (dir, url)
}

fn uuid_like() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn start(url: &str, demo: bool) -> Server {
    Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: url.to_string(),
        demo,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: None,
        clock: Default::default(),
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn writes_survive_a_restart() {
    let (dir, url) = temp_db("restart");
    let server = start(&url, false).await;
    let token = server.admin_token(600).unwrap();
    let base = format!("http://{}", server.addr());
    let client = reqwest::Client::new();
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let res = client
        .post(format!("{em}/catalogs"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "Survivor", "description": "written before the restart"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&base)
    );
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let res = client
        .post(format!("{em}/accessPackages"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "Kept package", "catalog": {"id": id}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    server.shutdown().await.unwrap();

    // Same database, new process state: the key and the data are still there, so the old
    // token still works too.
    let server = start(&url, false).await;
    let base = format!("http://{}", server.addr());
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let res = client
        .get(format!("{em}/catalogs/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let got: Value = res.json().await.unwrap();
    assert_eq!(got["displayName"], json!("Survivor"));
    assert_eq!(got["description"], json!("written before the restart"));
    let res = client
        .get(format!("{em}/catalogs/{id}/accessPackages"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["value"][0]["displayName"], json!("Kept package"));
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn demo_tenant_is_loaded_once_and_served() {
    let (dir, url) = temp_db("demo");
    let server = start(&url, true).await;
    let token = server.admin_token(600).unwrap();
    let base = format!("http://{}", server.addr());
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let res = client.get(path).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let packages = get(format!(
        "{base}/v1.0/identityGovernance/entitlementManagement/accessPackages"
    ))
    .await;
    assert_eq!(packages["value"].as_array().unwrap().len(), 2);
    let assignments = get(format!(
        "{base}/beta/identityGovernance/entitlementManagement/accessPackageAssignments"
    ))
    .await;
    assert_eq!(assignments["value"].as_array().unwrap().len(), 2);
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    server.shutdown().await.unwrap();
    // A second start with --demo does not load it again.
    let server = start(&url, true).await;
    let base = format!("http://{}", server.addr());
    let packages = client
        .get(format!(
            "{base}/v1.0/identityGovernance/entitlementManagement/accessPackages"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(packages["value"].as_array().unwrap().len(), 2);
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn token_command_and_server_share_the_key() {
    let (dir, url) = temp_db("token");
    let server = start(&url, false).await;
    let base = format!("http://{}", server.addr());
    // What `accessd token` does: load the key from the same database and sign.
    let store = accessd_server::server::open_store(&url).await.unwrap();
    let keys = accessd_api::auth::Keys::load_or_create(store.as_ref())
        .await
        .unwrap();
    let token = keys
        .mint(
            &accessd_api::auth::TokenRequest {
                kind: Some(accessd_domain::PrincipalKind::App),
                object_id: "app-1".into(),
                roles: vec!["EntitlementManagement.ReadWrite.All".into()],
                lifetime_seconds: 60,
                ..Default::default()
            },
            accessd_domain::Clock::now(&accessd_domain::SystemClock),
        )
        .unwrap();
    let client = reqwest::Client::new();
    let res = client
        .get(format!(
            "{base}/v1.0/identityGovernance/entitlementManagement/catalogs"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = client
        .get(format!("{base}/v1.0/users"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends one request with a token; returns the status and the JSON body (or null).
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json::<Value>().await.unwrap_or(Value::Null))
}

async fn start_virtual(url: &str) -> Server {
    Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: url.to_string(),
        demo: true,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: None,
        clock: accessd_server::server::ClockMode::Virtual,
    })
    .await
    .unwrap()
}

/// The demo's printed requestor and approver tokens work end to end; an approved assignment's
/// expiry, pending when the server stops, is carried out after the restart when the virtual
/// clock (which continues where it stood) passes it.
#[tokio::test]
async fn demo_request_approval_and_expiry_across_a_restart() {
    use reqwest::Method;
    let (dir, url) = temp_db("lifecycle");
    let server = start_virtual(&url).await;
    let admin = server.admin_token(600).unwrap();
    let bob = server
        .user_token(accessd_server::demo::BOB, "bob@contoso.test", 600)
        .await
        .unwrap();
    let alice = server
        .user_token(accessd_server::demo::ALICE, "alice@contoso.test", 600)
        .await
        .unwrap();
    let base = format!("http://{}", server.addr());
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let client = reqwest::Client::new();
    // The demo's admin is a real directory user.
    let (s, me) = call(
        &client,
        Method::GET,
        format!("{base}/v1.0/me"),
        &admin,
        None,
    )
    .await;
    assert_eq!(
        (s, me["userPrincipalName"].clone()),
        (200, json!("admin@contoso.test"))
    );
    let (_, packages) = call(
        &client,
        Method::GET,
        format!("{em}/accessPackages"),
        &admin,
        None,
    )
    .await;
    let engineering = packages["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == json!("Engineering tools"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, policies) = call(
        &client,
        Method::GET,
        format!("{em}/accessPackages/{engineering}/assignmentPolicies"),
        &admin,
        None,
    )
    .await;
    let self_service = policies["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["allowedTargetScope"] == json!("allMemberUsers"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, req) = call(
        &client,
        Method::POST,
        format!("{em}/assignmentRequests"),
        &bob,
        Some(
            json!({"requestType": "userAdd", "justification": "I build things",
            "assignment": {"accessPackageId": engineering, "assignmentPolicyId": self_service}}),
        ),
    )
    .await;
    assert_eq!(
        (s, req["state"].clone()),
        (201, json!("pendingApproval")),
        "{req}"
    );
    let req = req["id"].as_str().unwrap().to_string();
    // Alice, Bob's manager, finds it and approves it.
    let (_, waiting) = call(
        &client,
        Method::GET,
        format!("{em}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"),
        &alice,
        None,
    )
    .await;
    assert_eq!(waiting["value"][0]["id"], json!(req), "{waiting}");
    let (_, stages) = call(
        &client,
        Method::GET,
        format!("{em}/accessPackageAssignmentApprovals/{req}/stages"),
        &alice,
        None,
    )
    .await;
    let stage = stages["value"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = call(
        &client,
        Method::PATCH,
        format!("{em}/accessPackageAssignmentApprovals/{req}/stages/{stage}"),
        &alice,
        Some(json!({"reviewResult": "Approve", "justification": "yes"})),
    )
    .await;
    assert_eq!(s, 204);
    let members = |client: reqwest::Client, base: String, token: String| async move {
        let (_, m) = call(
            &client,
            Method::GET,
            format!(
                "{base}/v1.0/groups/{}/members",
                accessd_server::demo::ENGINEERING
            ),
            &token,
            None,
        )
        .await;
        m["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        members(client.clone(), base.clone(), admin.clone())
            .await
            .contains(&accessd_server::demo::BOB.to_string())
    );
    let (_, before) = call(
        &client,
        Method::GET,
        format!("{base}/_accessd/clock"),
        &admin,
        None,
    )
    .await;
    server.shutdown().await.unwrap();
    // Restarted: the clock continues where it stood, the expiry (90 days) is still pending.
    let server = start_virtual(&url).await;
    let base = format!("http://{}", server.addr());
    let (_, after) = call(
        &client,
        Method::GET,
        format!("{base}/_accessd/clock"),
        &admin,
        None,
    )
    .await;
    assert_eq!(after["mode"], json!("virtual"));
    assert!(after["now"].as_str().unwrap() >= before["now"].as_str().unwrap());
    let (s, _) = call(
        &client,
        Method::POST,
        format!("{base}/_accessd/clock"),
        &admin,
        Some(json!({"advance": "P89D"})),
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        members(client.clone(), base.clone(), admin.clone())
            .await
            .contains(&accessd_server::demo::BOB.to_string())
    );
    call(
        &client,
        Method::POST,
        format!("{base}/_accessd/clock"),
        &admin,
        Some(json!({"advance": "P2D"})),
    )
    .await;
    assert!(
        !members(client.clone(), base.clone(), admin.clone())
            .await
            .contains(&accessd_server::demo::BOB.to_string())
    );
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
