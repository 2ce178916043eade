//! `accessd reset` and `accessd snapshot`: a running accessd's tenant emptied, saved, put back
//! (`/_accessd/reset`, `/_accessd/snapshots`).

use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::remote::{Remote, send};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ResetTo {
    /// Nothing but the signing key and Microsoft Graph's service principal.
    Empty,
    /// What `serve --demo` seeded.
    Seed,
}

#[derive(Debug, ClapArgs)]
pub struct ResetArgs {
    /// What the tenant goes back to.
    #[arg(long, value_enum, default_value = "empty")]
    pub to: ResetTo,
    #[command(flatten)]
    pub remote: Remote,
}

#[derive(Debug, ClapArgs)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    pub action: SnapshotAction,
    #[command(flatten)]
    pub remote: Remote,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotAction {
    /// Saves the tenant as it is now under NAME.
    Save { name: String },
    /// Lists the snapshots.
    List,
    /// Puts the tenant back as snapshot NAME holds it.
    Restore { name: String },
    /// Deletes snapshot NAME.
    Delete { name: String },
}

fn describe(s: &Value) -> String {
    format!(
        "{}\t{}\t{} objects",
        s["name"].as_str().unwrap_or_default(),
        s["createdDateTime"].as_str().unwrap_or_default(),
        s["objects"]
    )
}

pub async fn reset(a: ResetArgs) -> anyhow::Result<()> {
    let (client, token) = a.remote.client()?;
    let to = match a.to {
        ResetTo::Empty => "empty",
        ResetTo::Seed => "seed",
    };
    let body = send(
        client
            .post(a.remote.at("/_accessd/reset"))
            .json(&json!({ "to": to })),
        &token,
    )
    .await?;
    println!("reset to {to}: {} objects", body["objects"]);
    Ok(())
}

pub async fn snapshot(a: SnapshotArgs) -> anyhow::Result<()> {
    let (client, token) = a.remote.client()?;
    let base = a.remote.at("/_accessd/snapshots");
    match a.action {
        SnapshotAction::Save { name } => {
            let s = send(client.post(&base).json(&json!({ "name": name })), &token).await?;
            println!("{}", describe(&s));
        }
        SnapshotAction::List => {
            let list = send(client.get(&base), &token).await?;
            for s in list["value"].as_array().into_iter().flatten() {
                println!("{}", describe(s));
            }
        }
        SnapshotAction::Restore { name } => {
            let s = send(
                client
                    .post(format!("{base}/{name}/restore"))
                    .json(&json!({})),
                &token,
            )
            .await?;
            println!("restored {}", describe(&s));
        }
        SnapshotAction::Delete { name } => {
            let res = client
                .delete(format!("{base}/{name}"))
                .bearer_auth(&token)
                .send()
                .await?;
            if !res.status().is_success() {
                let status = res.status();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                anyhow::bail!(
                    "{status}: {}",
                    body["error"]["message"].as_str().unwrap_or("no message")
                );
            }
            println!("deleted {name}");
        }
    }
    Ok(())
}

#[derive(Debug, ClapArgs)]
pub struct SeedArgs {
    /// The seed file (JSON; docs/emulator.md describes the format).
    pub file: std::path::PathBuf,
    #[command(flatten)]
    pub remote: Remote,
}

/// `accessd seed FILE`: loads a seed file into a running accessd (`/_accessd/seed`), all or
/// nothing.
pub async fn seed(a: SeedArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.file.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not JSON: {e}",
            a.file.display(),
            e.line(),
            e.column()
        )
    })?;
    let (client, token) = a.remote.client()?;
    let body = send(
        client.post(a.remote.at("/_accessd/seed")).json(&doc),
        &token,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    println!("loaded {}: {body}", a.file.display());
    Ok(())
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// A seed file (docs/emulator.md), for `serve --seed` and `accessd seed`.
    Seed,
}

#[derive(Debug, ClapArgs)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "seed")]
    pub format: ExportFormat,
    #[command(flatten)]
    pub remote: Remote,
}

/// `accessd export --format seed`: a running accessd's tenant as a seed file, on stdout.
pub async fn export(a: ExportArgs) -> anyhow::Result<()> {
    let ExportFormat::Seed = a.format;
    let (client, token) = a.remote.client()?;
    let body = send(client.get(a.remote.at("/_accessd/seed")), &token).await?;
    println!("{}", serde_json::to_string_pretty(&body)?);
    Ok(())
}
