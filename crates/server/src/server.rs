//! Wiring: the store behind its URL, the keys, the engine and its clock, the HTTP server and
//! its graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use accessd_api::auth::{ADMIN_SCOPES, Keys, TokenRequest, Verifier};
use accessd_api::{AppState, Config};
use accessd_domain::{Clock, PrincipalKind, Store, SystemClock};
use accessd_engine::Engine;
use accessd_store_sqlite::SqliteStore;
use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::oidc::OidcOptions;
use crate::tls::{TlsListener, TlsMaterial, TlsSource};

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
    } else {
        anyhow::bail!("unsupported database URL '{url}': use sqlite://path.db or sqlite::memory:")
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub database: String,
    pub demo: bool,
    pub permissive_queries: bool,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<TlsSource>,
    /// Accept the access tokens of this OpenID Connect issuer too.
    pub oidc: Option<OidcOptions>,
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    tls: Option<TlsMaterial>,
    keys: Arc<Keys>,
    store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    pub async fn start(o: Options) -> anyhow::Result<Server> {
        let store = open_store(&o.database).await?;
        let keys = Arc::new(Keys::load_or_create(store.as_ref()).await?);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let engine = Engine::new(store.clone(), clock.clone());
        if o.demo {
            crate::demo::seed_if_empty(&engine, &keys.tenant_id).await?;
        }
        let external = match &o.oidc {
            Some(oidc) => Some(crate::oidc::issuer(oidc, clock.now()).await?),
            None => None,
        };
        let tls = o.tls.as_ref().map(crate::tls::prepare).transpose()?;
        let tls_config = tls.as_ref().map(crate::tls::server_config).transpose()?;
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
