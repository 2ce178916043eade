//! `accessd clock`: shows or moves a running accessd's virtual clock (`/_accessd/clock`).

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use serde_json::{Value, json};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// The server, as `serve` printed it.
    #[arg(
        long,
        env = "ACCESSD_URL",
        default_value = "http://127.0.0.1:5599",
        global = true
    )]
    pub url: String,
    /// An administrator's token (the one `serve` printed).
    #[arg(long, env = "ACCESSD_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// A certificate authority to trust (the `ca.pem` that `serve --tls` printed).
    #[arg(long, global = true)]
    pub cacert: Option<PathBuf>,
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
    let token = a
        .token
        .ok_or_else(|| anyhow::anyhow!("give --token or set ACCESSD_TOKEN"))?;
    let mut client = reqwest::Client::builder();
    if let Some(ca) = &a.cacert {
        let pem = std::fs::read(ca)?;
        client = client.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    let client = client.build()?;
    let url = format!("{}/_accessd/clock", a.url.trim_end_matches('/'));
    let req = match a.action.unwrap_or(Action::Show) {
        Action::Show => client.get(&url),
        Action::Advance { duration } => client.post(&url).json(&json!({ "advance": duration })),
        Action::Set { to } => client.post(&url).json(&json!({ "to": to })),
    };
    let res = req.bearer_auth(token).send().await?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let message = body["error"]["message"].as_str().unwrap_or("no message");
        anyhow::bail!("{status}: {message}");
    }
    println!(
        "{} ({})",
        body["now"].as_str().unwrap_or_default(),
        body["mode"].as_str().unwrap_or_default()
    );
    Ok(())
}
