//! `accessd`: parses the command line and runs the chosen command.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = accessd_server::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(accessd_server::cli::run(cli))
}
