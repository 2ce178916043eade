//! `accessd serve`

use std::net::SocketAddr;

use clap::Args as ClapArgs;

use crate::server::{Options, Server};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "ACCESSD_LISTEN", default_value = "127.0.0.1:5599")]
    pub listen: SocketAddr,
    /// Where the data lives: `sqlite://accessd.db` (created if missing) or `sqlite::memory:`.
    #[arg(long, env = "ACCESSD_DATABASE", default_value = "sqlite://accessd.db")]
    pub database: String,
    /// Load a small demo tenant when the store is empty.
    #[arg(long, env = "ACCESSD_DEMO")]
    pub demo: bool,
    /// Accept every query option the model allows, not only what Graph accepts.
    #[arg(long, env = "ACCESSD_PERMISSIVE_QUERIES")]
    pub permissive_queries: bool,
    /// Lifetime of the admin token printed at start, in seconds.
    #[arg(long, default_value_t = 12 * 3600)]
    pub token_lifetime: i64,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    crate::server::init_tracing();
    let server = Server::start(Options {
        listen: a.listen,
        database: a.database,
        demo: a.demo,
        permissive_queries: a.permissive_queries,
    })
    .await?;
    let token = server.admin_token(a.token_lifetime)?;
    println!(
        "accessd is serving Microsoft Graph on http://{}",
        server.addr()
    );
    println!(
        "  v1.0: http://{}/v1.0    beta: http://{}/beta",
        server.addr(),
        server.addr()
    );
    println!("  admin token (valid {}s):", a.token_lifetime);
    println!("{token}");
    println!(
        "  try: curl -H \"Authorization: Bearer $TOKEN\" http://{}/v1.0/identityGovernance/entitlementManagement/accessPackages",
        server.addr()
    );
    server.wait_for_shutdown_signal().await
}
