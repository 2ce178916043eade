//! `accessd migrate`: applies the schema migrations a database lacks and exits, so that an
//! operator can upgrade the schema once before starting several instances of a new version
//! (each `serve` would otherwise do it at start, one at a time under a lock).

use clap::Args as ClapArgs;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The database (the same as `serve --database`): `sqlite://path.db` or
    /// `postgres://user@host:port/database`.
    #[arg(long, env = "ACCESSD_DATABASE", default_value = "sqlite://accessd.db")]
    pub database: String,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let store = crate::server::open_store(&a.database).await?;
    store.close().await;
    println!("the {} database is up to date", store.backend());
    Ok(())
}
