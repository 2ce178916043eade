//! `accessd clock`: shows or moves a running accessd's virtual clock (`/_accessd/clock`).

use clap::{Args as ClapArgs, Subcommand};
use serde_json::json;

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
    /// Shows the clock (the default).
    Show,
    /// Moves the clock forward by an ISO 8601 duration (`P30D`, `PT2H`), carrying out what
    /// falls due on the way.
    Advance { duration: String },
    /// Moves the clock forward to a date and time (`2027-01-01T00:00:00Z`).
    Set { to: String },
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let (client, token) = a.remote.client()?;
    let url = a.remote.at("/_accessd/clock");
    let req = match a.action.unwrap_or(Action::Show) {
        Action::Show => client.get(&url),
        Action::Advance { duration } => client.post(&url).json(&json!({ "advance": duration })),
        Action::Set { to } => client.post(&url).json(&json!({ "to": to })),
    };
    let body = send(req, &token).await?;
    println!(
        "{} ({})",
        body["now"].as_str().unwrap_or_default(),
        body["mode"].as_str().unwrap_or_default()
    );
    Ok(())
}
