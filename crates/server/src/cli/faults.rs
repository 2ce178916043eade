//! `accessd faults`: shows, sets or clears the faults a running accessd injects into Graph's
//! routes (`/_accessd/faults`, docs/emulator.md).

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use serde_json::Value;

use super::remote::{Remote, send};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    #[command(flatten)]
    pub remote: Remote,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Shows the faults in force (the default).
    Show,
    /// Puts the fault set in FILE (JSON: throttle, latency, replicationLagMs, rules, seed) in
    /// force, replacing the current one.
    Set { file: PathBuf },
    /// Injects no faults any more.
    Clear,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let (client, token) = a.remote.client()?;
    let url = a.remote.at("/_accessd/faults");
    match a.action.unwrap_or(Action::Show) {
        Action::Show => {
            let v = send(client.get(&url), &token).await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Action::Set { file } => {
            let text = std::fs::read_to_string(&file)?;
            let body: Value = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let v = send(client.put(&url).json(&body), &token).await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Action::Clear => {
            let res = client.delete(&url).bearer_auth(&token).send().await?;
            anyhow::ensure!(res.status().is_success(), "{}", res.status());
            println!("no faults");
        }
    }
    Ok(())
}
