//! `accessd app add`: registers an application for the built-in token endpoint (its service
//! principal, the Graph application permissions it holds, a client secret) and prints what a
//! client needs to sign in.

use std::sync::Arc;

use accessd_api::auth::Keys;
use accessd_domain::{Clock, Principal, SystemClock};
use accessd_engine::apps::graph_app_role;
use accessd_engine::{AppDraft, Engine};
use clap::{Args as ClapArgs, Subcommand};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    pub command: AppCommand,
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an application and print its client id and a new client secret.
    Add(AddArgs),
}

#[derive(Debug, ClapArgs)]
pub struct AddArgs {
    /// The database to register it in (the same as `serve --database`).
    #[arg(long, env = "ACCESSD_DATABASE", default_value = "sqlite://accessd.db")]
    pub database: String,
    /// The application's display name.
    #[arg(long)]
    pub name: String,
    /// A Microsoft Graph application permission to grant (repeatable), by name or id, e.g.
    /// `EntitlementManagement.ReadWrite.All`.
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// Let users sign in through it with a password and no secret (`isFallbackPublicClient`).
    #[arg(long)]
    pub public_client: bool,
    /// The delegated permissions a signed-in user's token carries for `.default` (repeatable;
    /// without any, accessd's default set).
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// Days until the client secret expires.
    #[arg(long, default_value_t = accessd_engine::apps::DEFAULT_SECRET_DAYS)]
    pub secret_days: i64,
    /// The base URL the server is reached at, for the printed token endpoint.
    #[arg(long, default_value = "http://127.0.0.1:5599")]
    pub base_url: String,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    match a.command {
        AppCommand::Add(a) => add(a).await,
    }
}

async fn add(a: AddArgs) -> anyhow::Result<()> {
    let roles = a
        .roles
        .iter()
        .map(|r| {
            graph_app_role(r).ok_or_else(|| {
                anyhow::anyhow!(
                    "'{r}' is not a Microsoft Graph application permission accessd knows; known: {}",
                    accessd_engine::apps::GRAPH_APP_ROLES
                        .iter()
                        .map(|r| r.value)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(a.secret_days > 0, "--secret-days must be at least 1");
    let store = crate::server::open_store(&a.database).await?;
    let keys = Keys::load_or_create(store.as_ref()).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(store.clone(), clock.clone());
    let graph = engine.ensure_graph_service_principal().await?;
    let system = Principal::system(&keys.tenant_id);
    let app = engine
        .create_application(
            &system,
            AppDraft {
                display_name: Some(a.name.clone()),
                sign_in_audience: None,
                is_fallback_public_client: Some(a.public_client),
                delegated_scopes: (!a.scopes.is_empty()).then(|| a.scopes.clone()),
            },
        )
        .await?;
    let sp = engine
        .create_service_principal(&system, &app.app_id)
        .await?;
    for r in &roles {
        engine
            .grant_app_role(&system, &sp.id, &graph.id, r.id)
            .await?;
    }
    let end = clock
        .now()
        .add(accessd_domain::Duration::days(a.secret_days));
    let (_, secret) = engine
        .add_password(&system, &app.id, Some("accessd app add".into()), Some(end))
        .await?;
    store.close().await;
    println!("display name:       {}", a.name);
    println!("client id (appId):  {}", app.app_id);
    println!("application id:     {}", app.id);
    println!("service principal:  {}", sp.id);
    println!("tenant id:          {}", keys.tenant_id);
    println!(
        "permissions:        {}",
        roles.iter().map(|r| r.value).collect::<Vec<_>>().join(" ")
    );
    println!("client secret:      {secret}");
    println!(
        "token endpoint:     {}/{}/oauth2/v2.0/token",
        a.base_url.trim_end_matches('/'),
        keys.tenant_id
    );
    println!("(the secret is shown only now; accessd keeps only its hash)");
    Ok(())
}
