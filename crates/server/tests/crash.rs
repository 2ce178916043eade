//! A write answered 2xx survives a crash: the real binary is killed with SIGKILL (no shutdown,
//! no checkpoint) right after its answers, then started again on the same file.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// Starts `accessd serve` on a free port; returns the process, its base URL and admin token.
fn spawn(url: &str) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accessd"))
        .args(["serve", "--database", url, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("accessd starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first line").expect("text");
    let base = first
        .rsplit(' ')
        .next()
        .expect("the URL ends the first line")
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let _ = lines.next();
    let _ = lines.next();
    let token = lines.next().expect("the token line").expect("text");
    // Keep reading what else it prints, so that no write of the server meets a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base, token.trim().to_string())
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("accessd-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    let client = reqwest::Client::new();

    let (mut child, base, token) = spawn(&url);
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let mut ids = Vec::new();
    for i in 0..20 {
        let res = client
            .post(format!("{em}/catalogs"))
            .bearer_auth(&token)
            .json(&json!({"displayName": format!("Crash {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let v: Value = res.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let patched = ids[0].clone();
    let res = client
        .patch(format!("{em}/catalogs/{patched}"))
        .bearer_auth(&token)
        .json(&json!({"description": "patched just before the crash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    // SIGKILL: nothing runs after this, in the server or in SQLite.
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, base, _) = spawn(&url);
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let res = client
        .get(format!("{em}/catalogs?$top=999"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let list: Value = res.json().await.unwrap();
    let mut got: Vec<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids);
    let res = client
        .get(format!("{em}/catalogs/{patched}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["description"], json!("patched just before the crash"));
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
