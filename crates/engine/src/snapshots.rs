//! The emulator's reset and snapshots: the whole tenant emptied, saved under a name, or put
//! back as it was, each in one write transaction (so concurrent requests see the old tenant or
//! the new, never a mix). The signing key, the tenant id and the virtual clock stay as they
//! are. A server started with `--demo` saves what it seeded as the reserved snapshot `_seed`,
//! which `reset` to `seed` restores. docs/emulator.md describes it.

use accessd_domain::{Principal, SnapshotInfo, StoreError};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result};

/// The snapshot of what the server seeded at its first start.
pub const SEED_SNAPSHOT: &str = "_seed";

fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "name",
            format!(
                "'{name}' is not a snapshot name: 1 to 64 letters, digits, '-', '_' or '.', not starting with '_'."
            ),
        ))
    }
}

fn not_found(name: &str) -> Error {
    Error::not_found("snapshot", name)
}

impl Engine {
    async fn emulator_write(
        &self,
        p: &Principal,
        what: &str,
    ) -> Result<Box<dyn accessd_domain::Tx>> {
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Update, Res::Emulator, &Obj::new(what))
            .await?;
        Ok(tx)
    }

    /// Empties the tenant (`to_seed: false`) or puts back what the server seeded. Returns how
    /// many objects the tenant holds afterwards.
    pub async fn reset(&self, p: &Principal, to_seed: bool) -> Result<u64> {
        let mut tx = self.emulator_write(p, "reset").await?;
        let n = if to_seed {
            match tx.snapshot_restore(SEED_SNAPSHOT).await? {
                Some(info) => info.objects,
                None => {
                    return Err(Error::refused(
                        "NothingSeeded",
                        "This server seeded nothing (start it with --demo or --seed FILE on an empty database to have a seed to reset to).",
                    ));
                }
            }
        } else {
            tx.clear_tenant().await?;
            crate::apps::ensure_graph_sp_in(&mut *tx, self.now()).await?;
            1
        };
        tx.commit().await?;
        Ok(n)
    }

    pub async fn create_snapshot(&self, p: &Principal, name: &str) -> Result<SnapshotInfo> {
        check_name(name)?;
        let mut tx = self.emulator_write(p, "snapshots").await?;
        let created = self.now().to_storage();
        let objects = tx
            .snapshot_save(name, &created)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => Error::Conflict {
                    code: "SnapshotExists",
                    message: format!("A snapshot named '{name}' exists; delete it first."),
                },
                e => e.into(),
            })?;
        tx.commit().await?;
        Ok(SnapshotInfo {
            name: name.to_string(),
            created,
            objects,
        })
    }

    pub async fn snapshots(&self, p: &Principal) -> Result<Vec<SnapshotInfo>> {
        let mut tx = self.store.read().await?;
        self.authorize_in(&mut *tx, p, Op::List, Res::Emulator, &Obj::new("snapshots"))
            .await?;
        Ok(tx.snapshot_list().await?)
    }

    pub async fn restore_snapshot(&self, p: &Principal, name: &str) -> Result<SnapshotInfo> {
        let mut tx = self.emulator_write(p, "snapshots").await?;
        let info = tx
            .snapshot_restore(name)
            .await?
            .ok_or_else(|| not_found(name))?;
        tx.commit().await?;
        Ok(info)
    }

    pub async fn delete_snapshot(&self, p: &Principal, name: &str) -> Result<()> {
        if name == SEED_SNAPSHOT {
            return Err(Error::refused(
                "SnapshotReserved",
                "The seed snapshot is kept for 'reset' to 'seed'.",
            ));
        }
        let mut tx = self.emulator_write(p, "snapshots").await?;
        if !tx.snapshot_delete(name).await? {
            return Err(not_found(name));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves what the server has just seeded as [`SEED_SNAPSHOT`] (the server's own call).
    pub async fn save_seed(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        let _ = tx.snapshot_delete(SEED_SNAPSHOT).await?;
        tx.snapshot_save(SEED_SNAPSHOT, &self.now().to_storage())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn snapshot_names() {
        assert!(check_name("before-test_1.2").is_ok());
        for bad in ["", "_seed", "a b", "ü", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
