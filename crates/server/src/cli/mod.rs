//! The commands. Each has its own module with a `run` function.

use clap::{Parser, Subcommand};

pub mod app;
pub mod clock;
pub mod faults;
pub mod migrate;
pub mod remote;
pub mod serve;
pub mod snapshot;
pub mod token;

#[derive(Debug, Parser)]
#[command(
    name = "accessd",
    version,
    about = "Microsoft Graph entitlement management, on your own machine."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the Graph API.
    Serve(serve::Args),
    /// Print a bearer token signed with the database's key.
    Token(token::Args),
    /// Show or move a running accessd's virtual clock.
    Clock(clock::Args),
    /// Register applications for the built-in token endpoint.
    App(app::Args),
    /// Empty a running accessd's tenant, or put back what --demo seeded.
    Reset(snapshot::ResetArgs),
    /// Load a seed file (a tenant as data, by name) into a running accessd.
    Seed(snapshot::SeedArgs),
    /// Write a running accessd's tenant as a seed file, or a database's whole tenant
    /// (`--format tenant`).
    Export(snapshot::ExportArgs),
    /// Save, list, restore or delete snapshots of a running accessd's tenant.
    Snapshot(snapshot::SnapshotArgs),
    /// Write a tenant file (`export --format tenant`) into an empty database.
    Import(snapshot::ImportArgs),
    /// Bring a database's schema up to date (what `serve` does at start) and exit.
    Migrate(migrate::Args),
    /// Show, set or clear the faults a running accessd injects (throttling, latency, ...).
    Faults(faults::Args),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(a) => serve::run(a).await,
        Command::Token(a) => token::run(a).await,
        Command::Clock(a) => clock::run(a).await,
        Command::App(a) => app::run(a).await,
        Command::Reset(a) => snapshot::reset(a).await,
        Command::Seed(a) => snapshot::seed(a).await,
        Command::Export(a) => snapshot::export(a).await,
        Command::Snapshot(a) => snapshot::snapshot(a).await,
        Command::Faults(a) => faults::run(a).await,
        Command::Migrate(a) => migrate::run(a).await,
        Command::Import(a) => snapshot::import(a).await,
    }
}
