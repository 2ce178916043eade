//! `accessd-bench lifecycle`: the lifecycle's two speed figures, through accessd's own router in
//! process on a SQLite file with a virtual clock.
//!
//! 1. A request under a policy with no approval goes from POST to delivered within the POST:
//!    `--requests` users each send their own `userAdd` (one at a time, on the durable store,
//!    their token already validated once), and the latency of each POST is reported (p50, p99),
//!    with every answer checked to say `delivered`.
//! 2. `--assignments` assignments expiring at the same moment (made in bulk by `adminAdd`
//!    requests on a store that groups the writes), then the clock is moved past their end: the
//!    time until every one is expired and every group membership is gone.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use accessd_api::auth::{ADMIN_SCOPES, Keys, TokenRequest, Verifier};
use accessd_api::{AppState, Config};
use accessd_domain::store::{Link, Tx};
use accessd_domain::{Clock, ManualClock, PrincipalKind, Store, Timestamp};
use accessd_engine::Engine;
use accessd_store_sqlite::SqliteStore;
use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::batch::BatchStore;
use crate::{ADMIN, EM, pct};

#[derive(Debug, clap::Args)]
pub struct LifecycleArgs {
    /// The database file to create (must not exist).
    #[arg(long)]
    db: PathBuf,
    /// Assignments that expire at once.
    #[arg(long, default_value_t = 100_000)]
    assignments: usize,
    /// Self-service requests whose latency is measured.
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
    /// Writes per transaction while loading.
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
}

struct Client {
    router: axum::Router,
}

impl Client {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        let req = b.body(Body::from(body.map(|v| v.to_string()).unwrap_or_default()))?;
        let res = self.router.clone().oneshot(req).await?;
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await?.to_bytes();
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    async fn created(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        let (s, v) = self.send("POST", path, token, Some(body)).await?;
        if s != 201 {
            bail!("POST {path} answered {s}: {v}");
        }
        Ok(v)
    }
}

fn app(store: Arc<dyn Store>, keys: Arc<Keys>, clock: Arc<ManualClock>) -> (Client, Engine) {
    let engine = Engine::new(store.clone(), clock.clone());
    let state = AppState {
        engine: engine.clone(),
        store,
        tokens: Arc::new(Verifier::new(keys, None)),
        config: Arc::new(Config::default()),
        wall_clock: clock,
    };
    (
        Client {
            router: accessd_api::app(state),
        },
        engine,
    )
}

fn token(keys: &Keys, clock: &ManualClock, oid: &str, admin: bool) -> anyhow::Result<String> {
    keys.mint(
        &TokenRequest {
            kind: Some(PrincipalKind::User),
            object_id: oid.into(),
            scopes: if admin {
                ADMIN_SCOPES.iter().map(|s| s.to_string()).collect()
            } else {
                vec![
                    "EntitlementManagement.ReadWrite.All".into(),
                    "User.Read".into(),
                ]
            },
            wids: if admin {
                vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.into()]
            } else {
                vec![]
            },
            lifetime_seconds: 24 * 3600,
            ..Default::default()
        },
        clock.now(),
    )
    .map_err(anyhow::Error::msg)
}

pub async fn run(a: LifecycleArgs) -> anyhow::Result<()> {
    if a.db.exists() {
        bail!("{} exists; remove it first", a.db.display());
    }
    let url = format!("sqlite://{}", a.db.display());
    let sqlite = SqliteStore::open(&url).await?;
    let inner: Arc<dyn Store> = Arc::new(sqlite.clone());
    let keys = Arc::new(Keys::load_or_create(inner.as_ref()).await?);
    let clock = Arc::new(ManualClock::new(Timestamp::parse("2030-01-01T00:00:00Z")?));
    let admin = token(&keys, &clock, ADMIN, true)?;

    // ---- the tenant, written in bulk -------------------------------------------------------
    sqlite.tune_for_bulk_load().await?;
    let batch = Arc::new(BatchStore::new(inner.clone()));
    let (bulk, _) = app(batch.clone(), keys.clone(), clock.clone());
    let t0 = Instant::now();
    let catalog = bulk
        .created(
            &format!("/v1.0/{EM}/catalogs"),
            &admin,
            json!({"displayName": "Bench"}),
        )
        .await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let group = bulk
        .created(
            "/v1.0/groups",
            &admin,
            json!({"displayName": "Expiring", "securityEnabled": true, "mailEnabled": false}),
        )
        .await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    bulk.created(
        &format!("/v1.0/{EM}/resourceRequests"),
        &admin,
        json!({"requestType": "adminAdd", "resource": {"originId": group, "originSystem": "AadGroup"}, "catalog": {"id": catalog}}),
    )
    .await?;
    batch.flush().await?;
    let (_, resources) = bulk
        .send(
            "GET",
            &format!("/v1.0/{EM}/catalogs/{catalog}/resources"),
            &admin,
            None,
        )
        .await?;
    let resource = resources["value"][0]["id"]
        .as_str()
        .context("the group resource")?
        .to_string();
    let package = bulk
        .created(
            &format!("/v1.0/{EM}/accessPackages"),
            &admin,
            json!({"displayName": "Expiring access", "catalog": {"id": catalog}}),
        )
        .await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    bulk.created(
        &format!("/v1.0/{EM}/accessPackages/{package}/resourceRoleScopes"),
        &admin,
        json!({"role": {"originId": format!("Member_{group}"), "originSystem": "AadGroup", "resource": {"id": resource}},
               "scope": {"originId": group, "originSystem": "AadGroup"}}),
    )
    .await?;
    let policy = bulk
        .created(
            &format!("/v1.0/{EM}/assignmentPolicies"),
            &admin,
            json!({
                "displayName": "One day", "description": "members ask, no approval",
                "allowedTargetScope": "allMemberUsers",
                "expiration": {"type": "afterDuration", "duration": "P1D"},
                "requestorSettings": {"enableTargetsToSelfAddAccess": true, "enableTargetsToSelfUpdateAccess": false,
                    "enableTargetsToSelfRemoveAccess": false, "allowCustomAssignmentSchedule": false,
                    "enableOnBehalfRequestorsToAddAccess": false, "enableOnBehalfRequestorsToUpdateAccess": false,
                    "enableOnBehalfRequestorsToRemoveAccess": false, "onBehalfRequestors": []},
                "accessPackage": {"id": package}
            }),
        )
        .await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let total = a.assignments + a.requests;
    let mut users = Vec::with_capacity(total);
    for i in 0..total {
        let upn = format!("user{i:06}@contoso.bench");
        let v = bulk
            .created(
                "/v1.0/users",
                &admin,
                json!({"displayName": format!("User {i:06}"), "userPrincipalName": upn}),
            )
            .await?;
        users.push(v["id"].as_str().context("id")?.to_string());
        if (i + 1) % a.batch == 0 {
            batch.flush().await?;
        }
    }
    for (i, u) in users[..a.assignments].iter().enumerate() {
        bulk.created(
            &format!("/v1.0/{EM}/assignmentRequests"),
            &admin,
            json!({"requestType": "adminAdd", "assignment": {"targetId": u, "assignmentPolicyId": policy, "accessPackageId": package}}),
        )
        .await?;
        if (i + 1) % a.batch == 0 {
            batch.flush().await?;
        }
        if i + 1 == 20_000.min(a.assignments) {
            batch.flush().await?;
            sqlite.analyze().await?;
        }
    }
    batch.flush().await?;
    sqlite.analyze().await?;
    // What follows is measured with the settings `accessd serve` runs with.
    sqlite.tune_for_serving().await?;
    eprintln!(
        "{} users and {} assignments (expiring 2030-01-02) in {:.1?}",
        total,
        a.assignments,
        t0.elapsed()
    );

    // ---- 1: self-service requests, each delivered within its POST ----------------------------
    let (client, engine) = app(inner.clone(), keys.clone(), clock.clone());
    let mut times = Vec::with_capacity(a.requests);
    for u in &users[a.assignments..] {
        let t = token(&keys, &clock, u, false)?;
        // The token is validated once, as a client's is on its first call.
        let (s, _) = client.send("GET", "/v1.0/me", &t, None).await?;
        if s != 200 {
            bail!("GET /me answered {s}");
        }
        let body = json!({"requestType": "userAdd",
            "assignment": {"accessPackageId": package, "assignmentPolicyId": policy}});
        let start = Instant::now();
        let (s, v) = client
            .send(
                "POST",
                &format!("/v1.0/{EM}/assignmentRequests"),
                &t,
                Some(body),
            )
            .await?;
        times.push(start.elapsed());
        if s != 201 || v["state"] != json!("delivered") {
            bail!("userAdd answered {s}: {v}");
        }
    }
    times.sort();
    println!(
        "REQUESTS n={} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} (userAdd, no approval, delivered within the POST)",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.9),
        pct(&times, 0.99)
    );

    // ---- 2: everything expires at once --------------------------------------------------------
    let members_before = members(inner.as_ref(), &group).await?;
    let start = Instant::now();
    engine
        .advance_clock(Timestamp::parse("2030-01-03T00:00:00Z")?)
        .await?;
    let took = start.elapsed();
    let members_after = members(inner.as_ref(), &group).await?;
    println!(
        "EXPIRY assignments={} members_before={members_before} members_after={members_after} secs={:.2} per_second={:.0}",
        total,
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64().max(f64::EPSILON)
    );
    if members_after != 0 {
        bail!("{members_after} memberships are left after the expiry");
    }
    inner.close().await;
    Ok(())
}

async fn members(store: &dyn Store, group: &str) -> anyhow::Result<usize> {
    let mut tx: Box<dyn Tx> = store.read().await?;
    Ok(tx.linked(Link::GroupMember, group).await?.len())
}
