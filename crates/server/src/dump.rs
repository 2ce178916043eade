//! A whole tenant as a file, and back: `accessd export --format tenant` writes every object of
//! a database (each kind's rows, the links between them, and the meta: the signing key, the
//! tenant id, the settings), and `accessd import` writes such a file into an empty database of
//! either backend. This is how a tenant moves from SQLite to PostgreSQL, or becomes a fixture.
//!
//! The file is JSON Lines, versioned by its first line, so that neither side holds it in
//! memory: `{"format":"accessd-tenant","version":1,...}`, then one line per meta entry
//! (`{"meta":k,"value":v}`), per object (`{"kind":table,"id":id,"data":{...}}`, the stored
//! document as it is) and per link (`{"link":rel,"from":a,"to":b}`). Objects are read in
//! pages by id; the index columns are computed again from the documents on import, so a file
//! does not depend on either backend's schema.

use std::io::{BufRead, Write};

use accessd_domain::query::{Query, Value};
use accessd_domain::store::{Kind, Link, Store, StoreError, Tx, index_of};
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value as Json, json};

/// The file format's name and version (the first line).
pub const FORMAT: &str = "accessd-tenant";
pub const VERSION: u64 = 1;
/// Objects read or written per transaction.
const PAGE: u64 = 2000;

fn bar(total: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} objects ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message(what.to_string());
    pb
}

/// How many objects the tenant holds, of every kind.
async fn objects(tx: &mut dyn Tx) -> anyhow::Result<u64> {
    let mut n = 0;
    for k in Kind::ALL {
        n += tx.count(*k, None).await?;
    }
    Ok(n)
}

/// Writes the tenant of `store` to `out`; returns how many objects and links it wrote.
pub async fn export(store: &dyn Store, out: &mut dyn Write) -> anyhow::Result<u64> {
    let mut r = store.read().await?;
    let total = objects(&mut *r).await?;
    let header =
        json!({"format": FORMAT, "version": VERSION, "backend": store.backend(), "objects": total});
    writeln!(out, "{header}")?;
    for (k, v) in r.meta_all().await? {
        // The count of writes that running instances keep for their authorization caches is
        // not the tenant's.
        if k == "authz_epoch" {
            continue;
        }
        writeln!(out, "{}", json!({"meta": k, "value": v}))?;
    }
    drop(r);
    let pb = bar(total, "exporting");
    let mut n = 0;
    for kind in Kind::ALL {
        let mut after: Option<String> = None;
        loop {
            let q = Query {
                after: after.clone().map(|id| vec![Value::Text(id)]),
                limit: Some(PAGE),
                ..Query::default()
            };
            let rows = store.read().await?.query(*kind, &q).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id.clone());
            for row in &rows {
                // The stored document is JSON already: written as it is.
                writeln!(
                    out,
                    "{{\"kind\":{},\"id\":{},\"data\":{}}}",
                    Json::String(kind.table().into()),
                    Json::String(row.id.clone()),
                    row.data
                )?;
            }
            n += rows.len() as u64;
            pb.set_position(n);
        }
    }
    for link in Link::ALL {
        let mut after: Option<(String, String)> = None;
        loop {
            let page = store
                .read()
                .await?
                .links_page(
                    *link,
                    after.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
                    PAGE,
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.clone());
            for (from, to) in &page {
                writeln!(
                    out,
                    "{}",
                    json!({"link": link.as_str(), "from": from, "to": to})
                )?;
            }
            n += page.len() as u64;
        }
    }
    pb.finish_and_clear();
    out.flush()?;
    Ok(n)
}

/// Reads a tenant file into `store`, which must hold no tenant yet; returns how many objects
/// and links it wrote. Nothing is written unless the header is understood; a line that cannot
/// be read stops the import with its line number (what was written before it stays: import
/// into a fresh database, and start again from a fresh one).
pub async fn import(store: &dyn Store, input: &mut dyn BufRead) -> anyhow::Result<u64> {
    let mut lines = input.lines();
    let header: Json = match lines.next() {
        Some(l) => serde_json::from_str(&l?).context("line 1: not JSON")?,
        None => bail!("the file is empty"),
    };
    if header["format"] != json!(FORMAT) {
        bail!(
            "line 1: not an accessd tenant file (format {})",
            header["format"]
        );
    }
    let version = header["version"].as_u64().unwrap_or(0);
    if version != VERSION {
        bail!("line 1: version {version} of the format; this accessd reads version {VERSION}");
    }
    let held = objects(&mut *store.read().await?).await?;
    if held > 0 {
        bail!("the database already holds a tenant ({held} objects); import into an empty one");
    }
    let pb = bar(header["objects"].as_u64().unwrap_or(0), "importing");
    let mut tx = store.write().await?;
    let (mut in_tx, mut n) = (0u64, 0u64);
    for (i, line) in lines.enumerate() {
        let no = i + 2;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Json =
            serde_json::from_str(&line).with_context(|| format!("line {no}: not JSON"))?;
        write_line(&mut *tx, &v)
            .await
            .with_context(|| format!("line {no}"))?;
        n += 1;
        in_tx += 1;
        if in_tx >= PAGE {
            tx.commit().await?;
            tx = store.write().await?;
            in_tx = 0;
            pb.set_position(n);
        }
    }
    tx.commit().await?;
    pb.finish_and_clear();
    // The planner's statistics, for tables that went from empty to large.
    store.analyze().await?;
    Ok(n)
}

async fn write_line(tx: &mut dyn Tx, v: &Json) -> anyhow::Result<()> {
    let text = |k: &str| -> anyhow::Result<&str> {
        v[k].as_str()
            .with_context(|| format!("'{k}' is missing or not text"))
    };
    if v.get("meta").is_some() {
        tx.meta_put(text("meta")?, text("value")?).await?;
    } else if v.get("kind").is_some() {
        let table = text("kind")?;
        let kind = Kind::ALL
            .iter()
            .copied()
            .find(|k| k.table() == table)
            .with_context(|| format!("no kind of object is kept in '{table}'"))?;
        let data = v.get("data").context("'data' is missing")?.to_string();
        let index = index_of(kind, &data)?;
        match tx.insert(kind, text("id")?, &index, &data).await {
            Err(StoreError::Conflict(m)) => bail!("{table} {}: {m}", text("id")?),
            r => r?,
        }
    } else if v.get("link").is_some() {
        let rel = text("link")?;
        let link = Link::ALL
            .iter()
            .copied()
            .find(|l| l.as_str() == rel)
            .with_context(|| format!("no link is named '{rel}'"))?;
        tx.link(link, text("from")?, text("to")?).await?;
    } else {
        bail!("neither a meta entry, an object nor a link");
    }
    Ok(())
}
