//! Snapshots of the tenant, as on SQLite: every kind's table and the links copied inside the
//! database (`CREATE TABLE snap_{id}_{table} AS SELECT * FROM {table}`) and copied back in the
//! write transaction, so a restore is atomic for readers. The registry is the `snapshots`
//! table.

use accessd_domain::store::{Kind, SnapshotInfo, StoreError, StoreResult};
use deadpool_postgres::Object;

use crate::db_err;

/// The tables a snapshot holds.
fn tenant_tables() -> Vec<&'static str> {
    let mut t: Vec<&'static str> = Kind::ALL.iter().map(|k| k.table()).collect();
    t.push("links");
    t
}

async fn schema_version(c: &Object) -> StoreResult<i64> {
    let r = c
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
            &[],
        )
        .await
        .map_err(db_err)?;
    r.try_get(0).map_err(db_err)
}

async fn objects(c: &Object) -> StoreResult<u64> {
    let counts: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("(SELECT COUNT(*) FROM \"{}\")", k.table()))
        .collect();
    let r = c
        .query_one(&format!("SELECT {}", counts.join(" + ")), &[])
        .await
        .map_err(db_err)?;
    let n: i64 = r.try_get(0).map_err(db_err)?;
    Ok(n.max(0) as u64)
}

pub(crate) async fn save(c: &Object, name: &str, created: &str) -> StoreResult<u64> {
    let version = schema_version(c).await?;
    let row = c
        .query_opt(
            "INSERT INTO snapshots (name, created, objects, schema_version) VALUES ($1, $2, 0, $3)
             ON CONFLICT (name) DO NOTHING RETURNING id",
            &[&name, &created, &version],
        )
        .await
        .map_err(db_err)?
        .ok_or_else(|| StoreError::Conflict(format!("a snapshot named '{name}' exists")))?;
    let id: i64 = row.try_get(0).map_err(db_err)?;
    for t in tenant_tables() {
        c.batch_execute(&format!(
            "CREATE TABLE \"snap_{id}_{t}\" AS SELECT * FROM \"{t}\""
        ))
        .await
        .map_err(db_err)?;
    }
    let n = objects(c).await?;
    c.execute(
        "UPDATE snapshots SET objects = $1 WHERE id = $2",
        &[&(n as i64), &id],
    )
    .await
    .map_err(db_err)?;
    Ok(n)
}

async fn find(c: &Object, name: &str) -> StoreResult<Option<(i64, SnapshotInfo, i64)>> {
    let row = c
        .query_opt(
            "SELECT id, name, created, objects, schema_version FROM snapshots WHERE name = $1",
            &[&name],
        )
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok((
            r.try_get::<_, i64>(0)?,
            SnapshotInfo {
                name: r.try_get(1)?,
                created: r.try_get(2)?,
                objects: r.try_get::<_, i64>(3)?.max(0) as u64,
            },
            r.try_get::<_, i64>(4)?,
        ))
    })
    .transpose()
    .map_err(db_err)
}

pub(crate) async fn restore(c: &Object, name: &str) -> StoreResult<Option<SnapshotInfo>> {
    let Some((id, info, version)) = find(c, name).await? else {
        return Ok(None);
    };
    let current = schema_version(c).await?;
    if version != current {
        return Err(StoreError::Other(format!(
            "the snapshot '{name}' was taken with schema version {version}; this database is at {current}"
        )));
    }
    for t in tenant_tables() {
        c.batch_execute(&format!(
            "DELETE FROM \"{t}\"; INSERT INTO \"{t}\" SELECT * FROM \"snap_{id}_{t}\";"
        ))
        .await
        .map_err(db_err)?;
    }
    Ok(Some(info))
}

pub(crate) async fn list(c: &Object) -> StoreResult<Vec<SnapshotInfo>> {
    let rows = c
        .query(
            "SELECT name, created, objects FROM snapshots ORDER BY created, id",
            &[],
        )
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(SnapshotInfo {
                name: r.try_get(0)?,
                created: r.try_get(1)?,
                objects: r.try_get::<_, i64>(2)?.max(0) as u64,
            })
        })
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        .map_err(db_err)
}

pub(crate) async fn delete(c: &Object, name: &str) -> StoreResult<bool> {
    let Some((id, ..)) = find(c, name).await? else {
        return Ok(false);
    };
    for t in tenant_tables() {
        c.batch_execute(&format!("DROP TABLE IF EXISTS \"snap_{id}_{t}\""))
            .await
            .map_err(db_err)?;
    }
    c.execute("DELETE FROM snapshots WHERE id = $1", &[&id])
        .await
        .map_err(db_err)?;
    Ok(true)
}

pub(crate) async fn clear(c: &Object) -> StoreResult<()> {
    let stmts: Vec<String> = tenant_tables()
        .iter()
        .map(|t| format!("DELETE FROM \"{t}\";"))
        .collect();
    c.batch_execute(&stmts.concat()).await.map_err(db_err)
}
