//! `accessd-bench snapshot`: how long restoring a snapshot takes for a tenant of N objects
//! (users, groups with members, catalogs, packages, assignments: written through the engine
//! on a file database with the serving settings), measured over repeated restores.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use accessd_domain::store::TxExt;
use accessd_domain::{Principal, Store, SystemClock, User};
use accessd_engine::Engine;
use accessd_store_sqlite::SqliteStore;

#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The database file to create (must not exist).
    #[arg(long)]
    db: PathBuf,
    /// Objects in the tenant.
    #[arg(long, default_value_t = 10_000)]
    objects: usize,
    /// Restores to time.
    #[arg(long, default_value_t = 20)]
    restores: usize,
}

pub async fn run(a: SnapshotArgs) -> anyhow::Result<()> {
    anyhow::ensure!(!a.db.exists(), "{} exists", a.db.display());
    let store = Arc::new(SqliteStore::open(&format!("sqlite://{}", a.db.display())).await?);
    store.tune_for_serving().await?;
    let engine = Engine::new(store.clone() as Arc<dyn Store>, Arc::new(SystemClock));
    engine.ensure_graph_service_principal().await?;
    // The objects, written in batches of a thousand (their shape matters, not their history).
    let now = engine.now();
    let mut written = 0;
    while written < a.objects {
        let mut tx = store.write().await?;
        for _ in 0..1000.min(a.objects - written) {
            let id = accessd_domain::new_id();
            tx.create(&User {
                id: id.clone(),
                display_name: Some(format!("User {written}")),
                user_principal_name: Some(format!("user{written}@bench.test")),
                mail: Some(format!("user{written}@bench.test")),
                mail_nickname: None,
                given_name: Some("User".into()),
                surname: Some(written.to_string()),
                job_title: Some("Engineer".into()),
                department: Some("R&D".into()),
                user_type: Some("Member".into()),
                account_enabled: Some(true),
                employee_id: None,
                manager_id: None,
                created_date_time: now,
            })
            .await?;
            written += 1;
        }
        tx.commit().await?;
    }
    let system = Principal::system("bench");
    let info = engine.create_snapshot(&system, "bench").await?;
    println!("tenant: {} objects in the snapshot", info.objects);
    // The live tenant differs from the snapshot, so that every restore really replaces it.
    engine.reset(&system, false).await?;
    let mut times = vec![];
    for _ in 0..a.restores {
        let t = Instant::now();
        engine.restore_snapshot(&system, "bench").await?;
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "restore of {} objects, {} times: min {:.1} ms, p50 {:.1} ms, max {:.1} ms",
        info.objects,
        a.restores,
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    store.close().await;
    Ok(())
}
