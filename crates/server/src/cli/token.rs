//! `accessd token`

use clap::Args as ClapArgs;

use accessd_api::auth::{Keys, TokenRequest};
use accessd_domain::{Clock, PrincipalKind, SystemClock};

#[derive(Debug, ClapArgs)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["user", "app"])))]
pub struct Args {
    /// The database whose signing key to use (the same as `serve --database`).
    #[arg(long, env = "ACCESSD_DATABASE", default_value = "sqlite://accessd.db")]
    pub database: String,
    /// A delegated token for this user object id.
    #[arg(long)]
    pub user: Option<String>,
    /// An app-only token for this service principal object id.
    #[arg(long)]
    pub app: Option<String>,
    /// Delegated scopes, space-separated (`scp`).
    #[arg(long, default_value = "")]
    pub scopes: String,
    /// Application permissions or app roles, space-separated (`roles`).
    #[arg(long, default_value = "")]
    pub roles: String,
    /// Directory role template ids, space-separated (`wids`), e.g. Identity Governance
    /// Administrator `45d8d3c5-c802-45c6-b32a-1d70b5e1e86e`.
    #[arg(long, default_value = "")]
    pub wids: String,
    /// The name the token carries (`preferred_username`), shown in createdBy.
    #[arg(long)]
    pub name: Option<String>,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub lifetime: i64,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let store = crate::server::open_store(&a.database).await?;
    let keys = Keys::load_or_create(store.as_ref()).await?;
    let split = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let (kind, id) = match (a.user, a.app) {
        (Some(u), _) => (PrincipalKind::User, u),
        (None, Some(app)) => (PrincipalKind::App, app),
        (None, None) => anyhow::bail!("give --user ID or --app ID"),
    };
    let token = keys
        .mint(
            &TokenRequest {
                kind: Some(kind),
                object_id: id,
                scopes: split(&a.scopes),
                roles: split(&a.roles),
                wids: split(&a.wids),
                display: a.name,
                lifetime_seconds: a.lifetime,
                client_id: None,
                name: None,
            },
            SystemClock.now(),
        )
        .map_err(anyhow::Error::msg)?;
    println!("{token}");
    Ok(())
}
