//! Wiring: the store behind its URL, the keys, the engine and its clock, the HTTP server and
//! its graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use accessd_api::auth::{ADMIN_SCOPES, Keys, TokenRequest, Verifier};
use accessd_api::{AppState, Config};
use accessd_domain::{Clock, ManualClock, PrincipalKind, Store, SystemClock, Timestamp};
use accessd_engine::Engine;
use accessd_store_sqlite::SqliteStore;
use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::oidc::OidcOptions;
use crate::tls::{TlsListener, TlsMaterial, TlsSource};

/// The scopes of the demo users' tokens.
pub const USER_SCOPES: &[&str] = &[
    "EntitlementManagement.ReadWrite.All",
    "User.Read",
    "User.Read.All",
    "Group.Read.All",
];

/// The object id of the built-in administrator the start-up token is for.
pub const ADMIN_OBJECT_ID: &str = "00000000-0000-0000-0000-0000000000ad";

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACCESSD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the store a database URL names.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let s = SqliteStore::open(url)
            .await
            .with_context(|| format!("opening {url}"))?;
        Ok(Arc::new(s))
    } else if accessd_store_postgres::is_postgres_url(url) {
        // The URL may carry a password: only the store's credential-free description is shown.
        let s = accessd_store_postgres::PostgresStore::open(url)
            .await
            .map_err(|e| anyhow::anyhow!("opening the PostgreSQL database: {e}"))?;
        tracing::info!(database = s.target(), "PostgreSQL store open");
        Ok(Arc::new(s))
    } else {
        anyhow::bail!(
            "unsupported database URL: use sqlite://path.db, sqlite::memory: or postgres://user@host:port/database"
        )
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub database: String,
    pub demo: bool,
    /// A seed file (docs/emulator.md) to load into an empty store.
    pub seed: Option<std::path::PathBuf>,
    pub permissive_queries: bool,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<TlsSource>,
    /// Accept the access tokens of this OpenID Connect issuer too.
    pub oidc: Option<OidcOptions>,
    /// The engine's clock: the wall clock, or a virtual one that moves only when told.
    pub clock: ClockMode,
}

/// Which clock the engine runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    #[default]
    Real,
    Virtual,
}

/// How often the worker looks for due work on the real clock.
const WORKER_PERIOD: std::time::Duration = std::time::Duration::from_secs(1);

/// The lifecycle worker: carries out due work until told to stop. On a virtual clock the work
/// falls due when the clock is moved (and is done by the move itself); the worker still runs,
/// so that work due at start (a restart) is not left waiting.
fn spawn_worker(engine: Engine, mut stop: tokio::sync::watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match engine.run_due().await {
                Ok(o) if o.done + o.failed > 0 => {
                    tracing::info!(done = o.done, failed = o.failed, "due work carried out");
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "due work: the worker could not run"),
            }
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep(WORKER_PERIOD) => {}
            }
        }
    })
}

/// The virtual clock, started where the database's virtual clock last stood (never earlier),
/// or at the wall clock's now.
async fn virtual_clock(store: &dyn Store) -> anyhow::Result<Arc<ManualClock>> {
    let mut tx = store.read().await?;
    let saved = tx
        .meta_get(accessd_engine::lifecycle::due::VIRTUAL_NOW)
        .await?
        .and_then(|t| Timestamp::parse(&t).ok());
    Ok(Arc::new(ManualClock::new(
        saved.unwrap_or_else(|| SystemClock.now()),
    )))
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    tls: Option<TlsMaterial>,
    keys: Arc<Keys>,
    store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    stop_worker: tokio::sync::watch::Sender<bool>,
    worker: Option<JoinHandle<()>>,
}

impl Server {
    pub async fn start(o: Options) -> anyhow::Result<Server> {
        let store = open_store(&o.database).await?;
        let keys = Arc::new(Keys::load_or_create(store.as_ref()).await?);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let engine_clock: Arc<dyn Clock> = match o.clock {
            ClockMode::Real => clock.clone(),
            ClockMode::Virtual => virtual_clock(store.as_ref()).await?,
        };
        let engine = Engine::new(store.clone(), engine_clock)
            .with_callouts(Arc::new(crate::callouts::HttpCallouts::new()?));
        // Microsoft Graph's service principal: the resource application permissions are
        // granted on (appRoleAssignments).
        engine.ensure_graph_service_principal().await?;
        if o.demo && crate::demo::seed_if_empty(&engine, &keys.tenant_id).await? {
            // What `reset` to `seed` puts back.
            engine.save_seed().await?;
        }
        if let Some(path) = &o.seed {
            load_seed(&engine, &keys.tenant_id, path).await?;
        }
        let external = match &o.oidc {
            Some(oidc) => Some(crate::oidc::issuer(oidc, clock.now()).await?),
            None => None,
        };
        let tls = o.tls.as_ref().map(crate::tls::prepare).transpose()?;
        let tls_config = tls.as_ref().map(crate::tls::server_config).transpose()?;
        let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
        let worker = spawn_worker(engine.clone(), worker_stop);
        let state = AppState {
            engine,
            store: store.clone(),
            tokens: Arc::new(Verifier::new(keys.clone(), external)),
            config: Arc::new(Config {
                permissive_queries: o.permissive_queries,
                https: tls.is_some(),
                ..Config::default()
            }),
            wall_clock: clock,
        };
        let listener = TcpListener::bind(o.listen)
            .await
            .with_context(|| format!("binding {}", o.listen))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = accessd_api::app(state);
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = match tls_config {
            None => tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
            }),
            Some(cfg) => {
                let listener = TlsListener::new(listener, cfg)?;
                tokio::spawn(async move {
                    axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown)
                        .await
                })
            }
        };
        tracing::info!(%addr, https = tls.is_some(), "listening");
        Ok(Server {
            addr,
            tls,
            keys,
            store,
            stop: Some(stop),
            task: Some(task),
            stop_worker,
            worker: Some(worker),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https` when serving TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// `http://127.0.0.1:5599` or `https://...`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.addr)
    }

    /// The certificate files in use, when serving TLS.
    pub fn tls(&self) -> Option<&TlsMaterial> {
        self.tls.as_ref()
    }

    pub fn keys(&self) -> &Arc<Keys> {
        &self.keys
    }

    /// A token for the built-in administrator, with every scope accessd knows.
    pub fn admin_token(&self, lifetime_seconds: i64) -> anyhow::Result<String> {
        self.keys
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::User),
                    object_id: ADMIN_OBJECT_ID.into(),
                    scopes: ADMIN_SCOPES.iter().map(|s| s.to_string()).collect(),
                    roles: vec![],
                    wids: vec![accessd_api::auth::GLOBAL_ADMINISTRATOR.to_string()],
                    display: Some("admin@accessd.local".into()),
                    lifetime_seconds,
                    client_id: None,
                    name: None,
                },
                SystemClock.now(),
            )
            .map_err(anyhow::Error::msg)
    }

    /// A delegated token for a user of the directory, with the scopes an ordinary user of an
    /// entitlement-management app consents to and the directory roles the user holds.
    pub async fn user_token(
        &self,
        user: &str,
        display: &str,
        lifetime_seconds: i64,
    ) -> anyhow::Result<String> {
        let mut tx = self.store.read().await?;
        let roles = accessd_engine::authz::stored_roles(&mut *tx, user).await?;
        drop(tx);
        self.keys
            .mint(
                &TokenRequest {
                    kind: Some(PrincipalKind::User),
                    object_id: user.into(),
                    scopes: USER_SCOPES.iter().map(|s| s.to_string()).collect(),
                    roles: vec![],
                    wids: roles.directory,
                    display: Some(display.into()),
                    lifetime_seconds,
                    client_id: None,
                    name: None,
                },
                SystemClock.now(),
            )
            .map_err(anyhow::Error::msg)
    }

    /// Stops accepting, finishes the requests in flight, closes the store.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await??;
        }
        let _ = self.stop_worker.send(true);
        if let Some(w) = self.worker.take() {
            let _ = w.await;
        }
        self.store.close().await;
        Ok(())
    }

    /// Runs until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn wait_for_shutdown_signal(self) -> anyhow::Result<()> {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        ctrl_c.await?;
        tracing::info!("shutting down");
        self.shutdown().await
    }
}

/// Loads a seed file into a store that holds no catalog and no user yet (as `--demo` does), and
/// keeps it as what `reset` to `seed` puts back.
async fn load_seed(engine: &Engine, tenant_id: &str, path: &std::path::Path) -> anyhow::Result<()> {
    use accessd_domain::store::Kind;
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the seed file {}: {e}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    {
        let mut r = engine.store().read().await?;
        if r.count(Kind::Catalog, None).await? > 0 || r.count(Kind::User, None).await? > 0 {
            tracing::info!(file = %path.display(), "the store holds a tenant already; the seed file is not loaded");
            return Ok(());
        }
    }
    let p = accessd_domain::Principal::system(tenant_id);
    let loaded = accessd_api::seed::apply(engine, &p, &doc)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message))?;
    engine.save_seed().await?;
    tracing::info!(file = %path.display(), ?loaded, "loaded the seed file");
    Ok(())
}
