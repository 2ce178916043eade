//! `accessd reset` and `accessd snapshot`: a running accessd's tenant emptied, saved, put back
//! (`/_accessd/reset`, `/_accessd/snapshots`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
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
    /// A seed file (docs/emulator.md), for `serve --seed` and `accessd seed`, from a running
    /// accessd (`--url`).
    Seed,
    /// Every object of a database (`--database`), for `accessd import` (docs/postgres.md).
    Tenant,
}

#[derive(Debug, ClapArgs)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "seed")]
    pub format: ExportFormat,
    /// With `--format tenant`: the database to read (as `serve --database`).
    #[arg(long, env = "ACCESSD_DATABASE")]
    pub database: Option<String>,
    /// Write here instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub remote: Remote,
}

/// `accessd export --format seed`: a running accessd's tenant as a seed file; `--format
/// tenant`: a database's whole tenant, as `accessd import` reads it.
pub async fn export(a: ExportArgs) -> anyhow::Result<()> {
    let mut out: Box<dyn std::io::Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match a.format {
        ExportFormat::Seed => {
            let (client, token) = a.remote.client()?;
            let body = send(client.get(a.remote.at("/_accessd/seed")), &token).await?;
            writeln!(out, "{}", serde_json::to_string_pretty(&body)?)?;
            out.flush()?;
        }
        ExportFormat::Tenant => {
            let db = a
                .database
                .as_deref()
                .context("--format tenant reads a database: give --database")?;
            let store = crate::server::open_store(db).await?;
            let n = crate::dump::export(store.as_ref(), &mut *out).await?;
            store.close().await;
            eprintln!("exported {n} objects and links");
        }
    }
    Ok(())
}

#[derive(Debug, ClapArgs)]
pub struct ImportArgs {
    /// The database to write into, which must hold no tenant (as `serve --database`; created
    /// if missing).
    #[arg(long, env = "ACCESSD_DATABASE", default_value = "sqlite://accessd.db")]
    pub database: String,
    /// The file `accessd export --format tenant` wrote (`-` for stdin).
    pub file: PathBuf,
}

/// `accessd import FILE`: a tenant file into an empty database.
pub async fn import(a: ImportArgs) -> anyhow::Result<()> {
    let mut input: Box<dyn std::io::BufRead> = if a.file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(&a.file)
                .with_context(|| format!("opening {}", a.file.display()))?,
        ))
    };
    let store = crate::server::open_store(&a.database).await?;
    let n = crate::dump::import(store.as_ref(), &mut *input).await;
    store.close().await;
    eprintln!("imported {} objects and links", n?);
    Ok(())
}
