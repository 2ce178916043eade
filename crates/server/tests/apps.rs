//! `accessd app add` against the database of a running server, and the server's token endpoint
//! signing in the application it registered (and a user through it).

use accessd_server::server::{Options, Server};
use base64::Engine as _;
use serde_json::{Value, json};

fn temp_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("accessd-apps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    (dir, url)
}

fn accessd(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_accessd"))
        .args(args)
        .env_remove("ACCESSD_DATABASE")
        .output()
        .unwrap()
}

/// The value printed after `label:` by `accessd app add`.
fn printed(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .map(|v| v.trim_start_matches(':').trim().to_string())
        .unwrap_or_else(|| panic!("no '{label}' in {out}"))
}

fn claims(token: &str) -> Value {
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn app_add_registers_a_client_the_running_server_signs_in() {
    let (dir, url) = temp_db();
    let server = Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: url.clone(),
        demo: false,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: None,
        clock: Default::default(),
    })
    .await
    .unwrap();
    let base = format!("http://{}", server.addr());
    let bad = accessd(&[
        "app",
        "add",
        "--database",
        &url,
        "--name",
        "x",
        "--role",
        "Mail.Send",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Mail.Send"));
    let out = accessd(&[
        "app",
        "add",
        "--database",
        &url,
        "--name",
        "Nightly",
        "--role",
        "EntitlementManagement.Read.All",
        "--public-client",
        "--scope",
        "EntitlementManagement.Read.All",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8(out.stdout).unwrap();
    let (client_id, secret, tenant) = (
        printed(&out, "client id (appId)"),
        printed(&out, "client secret"),
        printed(&out, "tenant id"),
    );
    let token_url = format!("{base}/{tenant}/oauth2/v2.0/token");
    let http = reqwest::Client::new();
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let res = http
        .post(&token_url)
        .form(&form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    let app_token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        claims(&app_token)["roles"],
        json!(["EntitlementManagement.Read.All"])
    );
    let catalogs = http
        .get(format!(
            "{base}/v1.0/identityGovernance/entitlementManagement/catalogs"
        ))
        .bearer_auth(&app_token)
        .send()
        .await
        .unwrap();
    assert_eq!(catalogs.status().as_u16(), 200);

    // A user signs in through the same (public) client; `.default` is what it declares, and
    // nothing else may be asked for.
    let store = accessd_server::server::open_store(&url).await.unwrap();
    let keys = accessd_api::auth::Keys::load_or_create(store.as_ref())
        .await
        .unwrap();
    let admin = keys
        .mint(
            &accessd_api::auth::TokenRequest {
                object_id: "00000000-0000-0000-0000-0000000000ad".into(),
                scopes: vec!["User.ReadWrite.All".into()],
                wids: vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.into()],
                lifetime_seconds: 600,
                ..Default::default()
            },
            accessd_domain::Clock::now(&accessd_domain::SystemClock),
        )
        .unwrap();
    let created = http
        .post(format!("{base}/v1.0/users"))
        .bearer_auth(&admin)
        .json(
            &json!({"displayName": "Quinn", "userPrincipalName": "quinn@contoso.test",
                      "passwordProfile": {"password": "Quinn!Passw0rd"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sign_in = |scope: &'static str| {
        http.post(&token_url)
            .form(&form(&[
                ("grant_type", "password"),
                ("client_id", &client_id),
                ("username", "quinn@contoso.test"),
                ("password", "Quinn!Passw0rd"),
                ("scope", scope),
            ]))
            .send()
    };
    let ok: Value = sign_in("https://graph.microsoft.com/.default openid")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        claims(ok["access_token"].as_str().unwrap())["scp"],
        "EntitlementManagement.Read.All"
    );
    let refused = sign_in("https://graph.microsoft.com/User.Read")
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error_codes"], json!([65001]));
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn demo_users_sign_in_with_the_demo_password() {
    let dir = std::env::temp_dir().join(format!("accessd-apps-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    let server = Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: url,
        demo: true,
        seed: None,
        permissive_queries: false,
        tls: None,
        oidc: None,
        clock: Default::default(),
    })
    .await
    .unwrap();
    let token_url = format!(
        "{}/{}/oauth2/v2.0/token",
        server.base_url(),
        server.keys().tenant_id
    );
    let http = reqwest::Client::new();
    let sign_in = |password: &str| {
        http.post(&token_url)
            .form(&[
                ("grant_type", "password"),
                (
                    "client_id",
                    accessd_engine::apps::FIRST_PARTY_PUBLIC_CLIENTS[0].0,
                ),
                ("username", "bob@contoso.test"),
                ("password", password),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
    };
    let ok = sign_in(accessd_server::demo::DEMO_PASSWORD).await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(
        claims(ok["access_token"].as_str().unwrap())["oid"],
        accessd_server::demo::BOB
    );
    assert_eq!(sign_in("wrong").await.unwrap().status().as_u16(), 400);
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
