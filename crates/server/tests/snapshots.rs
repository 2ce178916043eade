//! Reset and snapshots on the real server with a file database: the CLI commands, reset to what
//! `--demo` seeded, and a restore while others read and write (readers see the old tenant or
//! the new one, never a mix).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use accessd_server::server::{Options, Server};
use serde_json::{Value, json};

async fn start(name: &str, demo: bool) -> (Server, std::path::PathBuf) {
    start_with(name, demo, None).await
}

async fn start_with(name: &str, demo: bool, seed: Option<Value>) -> (Server, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("accessd-snap-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let seed = seed.map(|doc| {
        let path = dir.join("tenant.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        path
    });
    let server = Server::start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: format!("sqlite://{}", dir.join("accessd.db").display()),
        demo,
        seed,
        permissive_queries: false,
        tls: None,
        oidc: None,
        clock: Default::default(),
    })
    .await
    .unwrap();
    (server, dir)
}

fn accessd(server: &Server, token: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accessd"))
        .args(args)
        .args(["--url", &server.base_url()])
        .env("ACCESSD_TOKEN", token)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "accessd {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn catalog_names(http: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let r: Value = http
        .get(format!(
            "{base}/v1.0/identityGovernance/entitlementManagement/catalogs?$top=999"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["displayName"].as_str().unwrap().to_string())
        .collect()
}

async fn new_catalog(http: &reqwest::Client, base: &str, token: &str, name: &str) -> u16 {
    http.post(format!(
        "{base}/v1.0/identityGovernance/entitlementManagement/catalogs"
    ))
    .bearer_auth(token)
    .json(&json!({"displayName": name}))
    .send()
    .await
    .unwrap()
    .status()
    .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_saves_restores_and_resets_to_the_demo_seed() {
    let (server, dir) = start("cli", true).await;
    let token = server.admin_token(600).unwrap();
    let base = server.base_url();
    let http = reqwest::Client::new();
    let seeded = catalog_names(&http, &base, &token).await;
    assert!(!seeded.is_empty());
    assert_eq!(new_catalog(&http, &base, &token, "Extra").await, 201);
    let out = accessd(&server, &token, &["snapshot", "save", "with-extra"]);
    assert!(out.starts_with("with-extra\t"), "{out}");
    assert!(accessd(&server, &token, &["snapshot", "list"]).contains("with-extra"));
    accessd(&server, &token, &["reset", "--to", "seed"]);
    assert_eq!(catalog_names(&http, &base, &token).await, seeded);
    accessd(&server, &token, &["snapshot", "restore", "with-extra"]);
    assert!(
        catalog_names(&http, &base, &token)
            .await
            .contains(&"Extra".to_string())
    );
    accessd(&server, &token, &["reset"]);
    assert!(catalog_names(&http, &base, &token).await.is_empty());
    accessd(&server, &token, &["snapshot", "delete", "with-extra"]);
    assert!(!accessd(&server, &token, &["snapshot", "list"]).contains("with-extra"));
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_under_concurrent_reads_and_writes_is_all_or_nothing() {
    let (server, dir) = start("concurrent", false).await;
    let token = server.admin_token(600).unwrap();
    let base = server.base_url();
    let http = reqwest::Client::new();
    for i in 0..30 {
        assert_eq!(
            new_catalog(&http, &base, &token, &format!("S{i}")).await,
            201
        );
    }
    let r = http
        .post(format!("{base}/_accessd/snapshots"))
        .bearer_auth(&token)
        .json(&json!({"name": "s"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    // The live tenant: the S catalogs replaced by L ones.
    accessd(&server, &token, &["reset"]);
    for i in 0..30 {
        new_catalog(&http, &base, &token, &format!("L{i}")).await;
    }
    let done = Arc::new(AtomicBool::new(false));
    let mut tasks = vec![];
    for r in 0..3 {
        let (http, base, token, done) = (http.clone(), base.clone(), token.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) || reads < 5 {
                let names = catalog_names(&http, &base, &token).await;
                let s = names.iter().filter(|n| n.starts_with('S')).count();
                let l = names.iter().filter(|n| n.starts_with('L')).count();
                assert!(
                    (s, l) == (30, 0) || (s, l) == (0, 30),
                    "reader {r} saw a mix: {s} S and {l} L"
                );
                reads += 1;
            }
            reads
        }));
    }
    for w in 0..2 {
        let (http, base, token, done) = (http.clone(), base.clone(), token.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !done.load(Ordering::Relaxed) {
                assert_eq!(
                    new_catalog(&http, &base, &token, &format!("W{w}-{n}")).await,
                    201
                );
                n += 1;
            }
            n
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let r = http
        .post(format!("{base}/_accessd/snapshots/s/restore"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    done.store(true, Ordering::Relaxed);
    for t in tasks {
        assert!(t.await.unwrap() > 0);
    }
    let names = catalog_names(&http, &base, &token).await;
    assert_eq!(names.iter().filter(|n| n.starts_with('S')).count(), 30);
    assert_eq!(names.iter().filter(|n| n.starts_with('L')).count(), 0);
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_seed_loads_a_file_and_the_cli_loads_another() {
    let first = json!({
        "users": [{"name": "ada"}],
        "groups": [{"name": "ops", "members": ["ada"]}],
        "catalogs": [{"name": "seeded", "displayName": "Seeded", "resources": ["ops"]}]
    });
    let (server, dir) = start_with("seedfile", false, Some(first)).await;
    let token = server.admin_token(600).unwrap();
    let http = reqwest::Client::new();
    let base = server.base_url();
    assert_eq!(catalog_names(&http, &base, &token).await, vec!["Seeded"]);
    // The CLI loads a second file into the running server, by name, all or nothing.
    let second = dir.join("more.json");
    std::fs::write(
        &second,
        json!({"catalogs": [{"name": "more", "displayName": "More"}]}).to_string(),
    )
    .unwrap();
    let out = accessd(&server, &token, &["seed", second.to_str().unwrap()]);
    assert!(out.contains("\"catalogs\":1"), "{out}");
    let mut names = catalog_names(&http, &base, &token).await;
    names.sort();
    assert_eq!(names, vec!["More", "Seeded"]);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"catalogs\": [{\"displayName\": \"no name\"}]}").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accessd"))
        .args(["seed", bad.to_str().unwrap(), "--url", &base])
        .env("ACCESSD_TOKEN", &token)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("catalogs[0]"), "{err}");
    // The tenant as a seed file again.
    let out = accessd(&server, &token, &["export", "--format", "seed"]);
    let exported: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(exported["catalogs"].as_array().unwrap().len(), 2, "{out}");
    assert_eq!(exported["groups"][0]["members"], json!(["ada"]));
    // Reset to the seed puts back what the file loaded at start.
    accessd(&server, &token, &["reset", "--to", "seed"]);
    assert_eq!(catalog_names(&http, &base, &token).await, vec!["Seeded"]);
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
