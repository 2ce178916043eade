//! `accessd export --format tenant` and `accessd import`: a tenant moves from one database to
//! another (SQLite to SQLite, and SQLite to PostgreSQL when `ACCESSD_TEST_POSTGRES` names a
//! server) with every object, link and key: the copy answers as the original did, to the same
//! tokens, and exports to the same file.

use std::path::Path;

use serde_json::Value;

mod common;
use common::accessd;

/// What a client sees of a tenant: the packages with their policies and assignments, and the
/// members of every group.
async fn view(base: &str, token: &str) -> Vec<Value> {
    let c = reqwest::Client::new();
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let mut out = Vec::new();
    for path in [
        format!("{em}/accessPackages?$expand=assignmentPolicies"),
        format!("{em}/assignments?$expand=target,accessPackage"),
        format!("{em}/catalogs?$expand=resources"),
        format!("{base}/v1.0/users?$orderby=displayName"),
        format!("{base}/v1.0/groups?$expand=members"),
    ] {
        let r = c.get(&path).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let mut v: Value = r.json().await.unwrap();
        if let Some(m) = v.as_object_mut() {
            m.remove("@odata.context");
        }
        out.push(v);
    }
    out
}

fn lines_after_header(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_tenant_moves_to_another_database_whole() {
    let dir = std::env::temp_dir().join(format!("accessd-dump-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let a = format!("sqlite://{}", dir.join("a.db").display());
    let mut original = common::serve(&a, &["--demo"]);
    let token = original.token.clone();
    let before = view(&original.base, &token).await;
    original.kill();

    let file = dir.join("tenant.jsonl");
    let out = accessd(&[
        "export",
        "--format",
        "tenant",
        "--database",
        &a,
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let header: Value = serde_json::from_str(
        std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["format"], "accessd-tenant");
    assert_eq!(header["version"], 1);
    assert!(header["objects"].as_u64().unwrap() > 20, "{header}");

    let mut targets = vec![format!("sqlite://{}", dir.join("b.db").display())];
    let _pg = match accessd_store_postgres::testing::server_url() {
        Some(server) => {
            let db = accessd_store_postgres::testing::TestDatabase::create(&server)
                .await
                .unwrap();
            targets.push(db.url.clone());
            Some(db)
        }
        None => {
            common::skipped("the copy to PostgreSQL needs ACCESSD_TEST_POSTGRES");
            None
        }
    };
    for (i, b) in targets.iter().enumerate() {
        let out = accessd(&["import", "--database", b, file.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{b}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A second import is refused: the database holds a tenant now.
        let again = accessd(&["import", "--database", b, file.to_str().unwrap()]);
        assert!(!again.status.success());
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("already holds a tenant"),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        // The copy answers as the original did, to the original's token.
        let mut copy_served = common::serve(b, &[]);
        assert_eq!(view(&copy_served.base, &token).await, before, "{b}");
        copy_served.kill();
        // And exports to the same objects, links and meta.
        let copy = dir.join(format!("copy{i}.jsonl"));
        let out = accessd(&[
            "export",
            "--format",
            "tenant",
            "--database",
            b,
            "--output",
            copy.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(lines_after_header(&copy), lines_after_header(&file), "{b}");
    }

    // A file that is not a tenant file is refused before anything is written.
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"format\":\"something else\"}\n").unwrap();
    let c = format!("sqlite://{}", dir.join("c.db").display());
    let out = accessd(&["import", "--database", &c, bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an accessd tenant file"));
    let _ = std::fs::remove_dir_all(&dir);
}
