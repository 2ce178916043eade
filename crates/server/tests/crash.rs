//! A write answered 2xx survives a crash: the real binary is killed with SIGKILL (no shutdown,
//! no checkpoint) right after its answers, then started again on the same file.

mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("accessd-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("accessd.db").display());
    let client = reqwest::Client::new();

    let mut a = common::serve(&url, &[]);
    let (base, token) = (a.base.clone(), a.token.clone());
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
    a.kill();

    let mut b = common::serve(&url, &[]);
    let base = b.base.clone();
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
    b.kill();
    let _ = std::fs::remove_dir_all(dir);
}
