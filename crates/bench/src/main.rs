//! `accessd-bench`: the tools behind `bench/run.sh`.
//!
//! - `load` fills a SQLite database with a large tenant by sending the same requests a client
//!   would (`POST /v1.0/users`, `POST .../accessPackages`, `POST .../accessPackageAssignments`)
//!   through accessd's own router in process, on a store that groups thousands of those writes
//!   into one transaction ([`batch::BatchStore`]). The rows are exactly what the API writes;
//!   only the commits are fewer.
//! - `walk` follows `@odata.nextLink` from a URL to the end and reports the time of each page
//!   (to show that a page costs the same at the start, the middle and the end of a long walk),
//!   checking that no item repeats.

mod batch;
mod lifecycle;
mod snapshot;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use accessd_api::auth::{ADMIN_SCOPES, Keys, TokenRequest};
use accessd_api::{AppState, Config};
use accessd_domain::{Clock, PrincipalKind, Store, SystemClock};
use accessd_engine::Engine;
use accessd_store_sqlite::SqliteStore;
use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::Request;
use clap::{Parser, Subcommand};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::batch::BatchStore;

/// The object id the server's start-up token speaks for (as `accessd serve` mints it).
pub(crate) const ADMIN: &str = "00000000-0000-0000-0000-0000000000ad";
pub(crate) const EM: &str = "identityGovernance/entitlementManagement";

#[derive(Debug, Parser)]
#[command(name = "accessd-bench", about = "Load a large tenant; walk nextLinks.")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create a database holding a large tenant, written through the API.
    Load(LoadArgs),
    /// Follow @odata.nextLink from a URL to the end; report per-page times.
    Walk(WalkArgs),
    /// The lifecycle's speed: a self-service request's latency, a mass expiry's duration.
    Lifecycle(lifecycle::LifecycleArgs),
    /// How long restoring a snapshot of a tenant takes.
    Snapshot(snapshot::SnapshotArgs),
}

#[derive(Debug, clap::Args)]
struct LoadArgs {
    /// The database file to create (must not exist).
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value_t = 10)]
    catalogs: usize,
    #[arg(long, default_value_t = 1000)]
    packages: usize,
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    #[arg(long, default_value_t = 1_000_000)]
    assignments: usize,
    /// Writes per transaction.
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
}

#[derive(Debug, clap::Args)]
struct WalkArgs {
    /// The first URL (absolute, loopback).
    #[arg(long)]
    url: String,
    /// The bearer token.
    #[arg(long, env = "TOKEN")]
    token: String,
    /// Fail unless exactly this many items are seen.
    #[arg(long)]
    expect: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Load(a) => load(a).await,
        Cmd::Walk(a) => walk(a).await,
        Cmd::Lifecycle(a) => lifecycle::run(a).await,
        Cmd::Snapshot(a) => snapshot::run(a).await,
    }
}

struct Loader {
    router: axum::Router,
    token: String,
    batch: Arc<BatchStore>,
    since_flush: usize,
    every: usize,
}

impl Loader {
    async fn post(&mut self, path: &str, body: Value) -> anyhow::Result<String> {
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))?;
        let res = self.router.clone().oneshot(req).await?;
        let status = res.status();
        let bytes = res.into_body().collect().await?.to_bytes();
        if status.as_u16() != 201 {
            bail!(
                "POST {path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let v: Value = serde_json::from_slice(&bytes)?;
        self.since_flush += 1;
        if self.since_flush >= self.every {
            self.batch.flush().await?;
            self.since_flush = 0;
        }
        v["id"]
            .as_str()
            .map(str::to_string)
            .context("created entity without id")
    }
}

/// The `k`-th package of user `u`: each user gets distinct packages, each package about the
/// same number of users, spread over the id space rather than in blocks.
fn package_of(u: usize, k: usize, per_user: usize, packages: usize) -> usize {
    let stride = (packages / per_user.max(1)).max(1);
    (u.wrapping_mul(7919) + k * stride) % packages
}

async fn load(a: LoadArgs) -> anyhow::Result<()> {
    if a.db.exists() {
        bail!("{} exists; remove it first", a.db.display());
    }
    if a.users == 0 || a.packages == 0 || a.catalogs == 0 {
        bail!("--users, --packages and --catalogs must be positive");
    }
    let per_user = a.assignments.div_ceil(a.users);
    if per_user > a.packages {
        bail!("more assignments per user ({per_user}) than packages");
    }
    let url = format!("sqlite://{}", a.db.display());
    let sqlite = SqliteStore::open(&url).await?;
    sqlite.tune_for_bulk_load().await?;
    let inner: Arc<dyn Store> = Arc::new(sqlite.clone());
    let keys = Arc::new(Keys::load_or_create(inner.as_ref()).await?);
    let batch = Arc::new(BatchStore::new(inner.clone()));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(batch.clone(), clock.clone());
    let state = AppState {
        engine,
        store: batch.clone(),
        tokens: Arc::new(accessd_api::auth::Verifier::new(keys.clone(), None)),
        config: Arc::new(Config::default()),
        wall_clock: clock.clone(),
    };
    let token = keys
        .mint(
            &TokenRequest {
                kind: Some(PrincipalKind::User),
                object_id: ADMIN.into(),
                scopes: ADMIN_SCOPES.iter().map(|s| s.to_string()).collect(),
                roles: vec![],
                wids: vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.to_string()],
                display: Some("admin@accessd.bench".into()),
                lifetime_seconds: 3600,
                client_id: None,
                name: None,
            },
            clock.now(),
        )
        .map_err(anyhow::Error::msg)?;
    let mut l = Loader {
        router: accessd_api::app(state),
        token,
        batch: batch.clone(),
        since_flush: 0,
        every: a.batch.max(1),
    };
    let t0 = Instant::now();
    let mut catalogs = Vec::with_capacity(a.catalogs);
    for i in 0..a.catalogs {
        catalogs.push(
            l.post(
                &format!("/v1.0/{EM}/catalogs"),
                json!({"displayName": format!("Catalog {i:03}"), "description": "bench", "isExternallyVisible": false}),
            )
            .await?,
        );
    }
    let mut packages = Vec::with_capacity(a.packages);
    let mut policies = Vec::with_capacity(a.packages);
    for i in 0..a.packages {
        let c = &catalogs[i % catalogs.len()];
        let p = l
            .post(
                &format!("/v1.0/{EM}/accessPackages"),
                json!({"displayName": format!("Package {i:04}"), "description": "bench package", "catalog": {"id": c}}),
            )
            .await?;
        let pol = l
            .post(
                &format!("/v1.0/{EM}/assignmentPolicies"),
                json!({
                    "displayName": "Direct", "description": "Administrators assign",
                    "allowedTargetScope": "notSpecified",
                    "expiration": {"type": "noExpiration"},
                    "accessPackage": {"id": p}
                }),
            )
            .await?;
        packages.push(p);
        policies.push(pol);
    }
    eprintln!(
        "{} catalogs, {} packages and policies in {:.1?}",
        a.catalogs,
        a.packages,
        t0.elapsed()
    );
    let t1 = Instant::now();
    let mut users = Vec::with_capacity(a.users);
    for i in 0..a.users {
        let upn = format!("user{i:06}@contoso.bench");
        users.push(
            l.post(
                "/v1.0/users",
                json!({"displayName": format!("User {i:06}"), "userPrincipalName": upn, "mail": upn, "accountEnabled": true}),
            )
            .await?,
        );
        if (i + 1) % 20_000 == 0 {
            eprintln!(
                "  {} users ({:.0}/s)",
                i + 1,
                (i + 1) as f64 / t1.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("{} users in {:.1?}", a.users, t1.elapsed());
    let t2 = Instant::now();
    let mut n = 0;
    'outer: for k in 0..per_user {
        for (u, user) in users.iter().enumerate() {
            if n == a.assignments {
                break 'outer;
            }
            let p = package_of(u, k, per_user, a.packages);
            l.post(
                &format!("/beta/{EM}/accessPackageAssignments"),
                json!({"accessPackageId": packages[p], "assignmentPolicyId": policies[p], "targetId": user}),
            )
            .await?;
            n += 1;
            if n == a.assignments.min(20_000) {
                // Statistics once the big tables have rows, so the engine's lookups pick the
                // selective indexes for the rest of the load.
                batch.flush().await?;
                sqlite.analyze().await?;
            }
            if n % 50_000 == 0 {
                eprintln!(
                    "  {n} assignments ({:.0}/s)",
                    n as f64 / t2.elapsed().as_secs_f64()
                );
            }
        }
    }
    batch.flush().await?;
    sqlite.analyze().await?;
    eprintln!("{n} assignments in {:.1?}", t2.elapsed());
    let dir = a.db.parent().map(PathBuf::from).unwrap_or_default();
    std::fs::write(dir.join("users.txt"), users.join("\n") + "\n")?;
    std::fs::write(dir.join("packages.txt"), packages.join("\n") + "\n")?;
    inner.close().await;
    eprintln!(
        "loaded in {:.1?}; ids in {}",
        t0.elapsed(),
        dir.join("{users,packages}.txt").display()
    );
    Ok(())
}

pub(crate) fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn median_ms(xs: &[Duration]) -> f64 {
    let mut v = xs.to_vec();
    v.sort();
    pct(&v, 0.5)
}

async fn walk(a: WalkArgs) -> anyhow::Result<()> {
    let host = a
        .url
        .split("://")
        .nth(1)
        .and_then(|r| r.split(['/', ':']).next())
        .unwrap_or_default();
    if !matches!(host, "127.0.0.1" | "localhost" | "[") && !host.starts_with("127.") {
        bail!("walk only talks to loopback addresses, not '{host}'");
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut next = Some(a.url.clone());
    let mut seen: HashSet<String> = HashSet::new();
    let mut times = Vec::new();
    let t0 = Instant::now();
    while let Some(url) = next.take() {
        let t = Instant::now();
        let res = client
            .get(&url)
            .header("authorization", format!("Bearer {}", a.token))
            .send()
            .await?;
        let status = res.status();
        let body = res.bytes().await?;
        times.push(t.elapsed());
        if !status.is_success() {
            bail!(
                "{url} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        let v: Value = serde_json::from_slice(&body)?;
        let items = v["value"].as_array().context("no value array")?;
        if items.is_empty() && v.get("@odata.nextLink").is_some() {
            bail!("an empty page with a nextLink at page {}", times.len());
        }
        for it in items {
            let id = it["id"].as_str().context("item without id")?;
            if !seen.insert(id.to_string()) {
                bail!("item {id} seen twice (page {})", times.len());
            }
        }
        next = v["@odata.nextLink"].as_str().map(str::to_string);
    }
    let total = t0.elapsed();
    let n = times.len();
    let tenth = (n / 10).max(1);
    let start = median_ms(&times[..tenth.min(n)]);
    let mid_at = n / 2 - tenth.min(n) / 2;
    let middle = median_ms(&times[mid_at..(mid_at + tenth).min(n)]);
    let end = median_ms(&times[n.saturating_sub(tenth)..]);
    let mut sorted = times.clone();
    sorted.sort();
    println!(
        "WALK items={} pages={} secs={:.2} page_ms_start={start:.2} page_ms_middle={middle:.2} page_ms_end={end:.2} page_ms_p50={:.2} page_ms_p99={:.2}",
        seen.len(),
        n,
        total.as_secs_f64(),
        pct(&sorted, 0.5),
        pct(&sorted, 0.99)
    );
    if let Some(e) = a.expect
        && e != seen.len()
    {
        bail!("expected {e} items, saw {}", seen.len());
    }
    Ok(())
}
