//! Snapshots of the tenant: every kind's table and the links, copied inside the database
//! (`CREATE TABLE snap_{id}_{table} AS SELECT * FROM {table}`) and copied back in one
//! transaction, so a restore is atomic (readers see the old tenant or the new one) and costs a
//! bulk copy, not a row-by-row replay. The registry is the `snapshots` table (migration 0006).

use accessd_domain::store::{Kind, SnapshotInfo, StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db_err;

/// From how many rows a table's indexes are rebuilt rather than updated by a restore.
const BULK_ROWS: i64 = 1000;

/// The tables a snapshot holds.
fn tenant_tables() -> Vec<&'static str> {
    let mut t: Vec<&'static str> = Kind::ALL.iter().map(|k| k.table()).collect();
    t.push("links");
    t
}

fn schema_version(c: &Connection) -> StoreResult<i64> {
    c.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1",
        [],
        |r| r.get(0),
    )
    .map_err(db_err)
}

fn objects(c: &Connection, prefix: &str) -> StoreResult<u64> {
    let mut n: i64 = 0;
    for k in Kind::ALL {
        let sql = format!("SELECT COUNT(*) FROM \"{prefix}{}\"", k.table());
        n += c
            .query_row(&sql, [], |r| r.get::<_, i64>(0))
            .map_err(db_err)?;
    }
    Ok(n as u64)
}

pub(crate) fn save(c: &Connection, name: &str, created: &str) -> StoreResult<u64> {
    let version = schema_version(c)?;
    c.execute(
        "INSERT INTO snapshots (name, created, objects, schema_version) VALUES (?1, ?2, 0, ?3)",
        params![name, created, version],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(format!("a snapshot named '{name}' exists"))
        }
        e => db_err(e),
    })?;
    let id = c.last_insert_rowid();
    for t in tenant_tables() {
        c.execute_batch(&format!(
            "CREATE TABLE \"snap_{id}_{t}\" AS SELECT * FROM \"{t}\""
        ))
        .map_err(db_err)?;
    }
    let n = objects(c, "")?;
    c.execute(
        "UPDATE snapshots SET objects = ?1 WHERE id = ?2",
        params![n as i64, id],
    )
    .map_err(db_err)?;
    Ok(n)
}

fn find(c: &Connection, name: &str) -> StoreResult<Option<(i64, SnapshotInfo, i64)>> {
    c.query_row(
        "SELECT id, name, created, objects, schema_version FROM snapshots WHERE name = ?1",
        [name],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                SnapshotInfo {
                    name: r.get(1)?,
                    created: r.get(2)?,
                    objects: r.get::<_, i64>(3)? as u64,
                },
                r.get::<_, i64>(4)?,
            ))
        },
    )
    .optional()
    .map_err(db_err)
}

pub(crate) fn restore(c: &Connection, name: &str) -> StoreResult<Option<SnapshotInfo>> {
    let Some((id, info, version)) = find(c, name)? else {
        return Ok(None);
    };
    if version != schema_version(c)? {
        return Err(StoreError::Other(format!(
            "the snapshot '{name}' was taken with schema version {version}; this database is at {}",
            schema_version(c)?
        )));
    }
    for t in tenant_tables() {
        let count = |table: &str| -> StoreResult<i64> {
            c.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })
            .map_err(db_err)
        };
        let (live, saved) = (count(t)?, count(&format!("snap_{id}_{t}"))?);
        if live == 0 && saved == 0 {
            continue;
        }
        // For a large table the indexes are dropped and made again after the copy: building
        // an index from sorted rows costs a fraction of updating it row by row.
        let indexes = if saved >= BULK_ROWS {
            index_sql(c, t)?
        } else {
            vec![]
        };
        for (name, _) in &indexes {
            c.execute_batch(&format!("DROP INDEX \"{name}\""))
                .map_err(db_err)?;
        }
        c.execute_batch(&format!(
            "DELETE FROM \"{t}\"; INSERT INTO \"{t}\" SELECT * FROM \"snap_{id}_{t}\";"
        ))
        .map_err(db_err)?;
        for (_, sql) in &indexes {
            c.execute_batch(sql).map_err(db_err)?;
        }
    }
    Ok(Some(info))
}

/// The named indexes of `table` and the statements that make them.
fn index_sql(c: &Connection, table: &str) -> StoreResult<Vec<(String, String)>> {
    let mut st = c
        .prepare_cached(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
        )
        .map_err(db_err)?;
    let rows = st
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
}

pub(crate) fn list(c: &Connection) -> StoreResult<Vec<SnapshotInfo>> {
    let mut st = c
        .prepare("SELECT name, created, objects FROM snapshots ORDER BY created, id")
        .map_err(db_err)?;
    let rows = st
        .query_map([], |r| {
            Ok(SnapshotInfo {
                name: r.get(0)?,
                created: r.get(1)?,
                objects: r.get::<_, i64>(2)? as u64,
            })
        })
        .map_err(db_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
}

pub(crate) fn delete(c: &Connection, name: &str) -> StoreResult<bool> {
    let Some((id, ..)) = find(c, name)? else {
        return Ok(false);
    };
    for t in tenant_tables() {
        c.execute_batch(&format!("DROP TABLE IF EXISTS \"snap_{id}_{t}\""))
            .map_err(db_err)?;
    }
    c.execute("DELETE FROM snapshots WHERE id = ?1", [id])
        .map_err(db_err)?;
    Ok(true)
}

pub(crate) fn clear(c: &Connection) -> StoreResult<()> {
    for t in tenant_tables() {
        c.execute_batch(&format!("DELETE FROM \"{t}\""))
            .map_err(db_err)?;
    }
    Ok(())
}
