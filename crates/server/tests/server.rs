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
