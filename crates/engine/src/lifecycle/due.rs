//! Due work: a durable table of what must happen at a time (a scheduled start, an expiry, an
//! escalation, an automatic denial, a notice before expiry), and the runner that carries it
//! out on the engine's clock. Each item is done in the write transaction that deletes it, so a
//! crash before the commit leaves it to be done again; each handler re-checks the state it acts
//! on, so doing an item twice changes nothing the second time.

use accessd_domain::query::{CmpOp, Expr, OrderKey, Query, Value};
use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::{DueWork, Timestamp, WorkKind};

use crate::{Engine, Error, Result};

/// How many items one transaction carries out (one fsync for all of them).
const BATCH: u64 = 10000;
/// After this many failures an item is dropped (and logged).
const MAX_ATTEMPTS: u32 = 10;
/// How long a callout is claimed by the runner sending it (longer than the longest timeout a
/// custom extension may set): other runners (other instances on one database) leave it alone
/// meanwhile, and take it up again if the claimant died.
const CALLOUT_LEASE_MINUTES: i64 = 5;

/// Puts work in the table (the same work twice is one item).
pub async fn schedule(
    tx: &mut dyn Tx,
    kind: WorkKind,
    subject: &str,
    due: Timestamp,
    detail: Option<String>,
) -> Result<()> {
    let w = DueWork::new(kind, subject, due, detail);
    if tx.exists(Kind::DueWork, &w.id).await? {
        return Ok(());
    }
    tx.create(&w).await?;
    Ok(())
}

/// Takes out the work about `subject` (all of it, or only of `kinds`).
pub async fn unschedule(tx: &mut dyn Tx, subject: &str, kinds: &[WorkKind]) -> Result<()> {
    let q = Query::filtered(Expr::col_eq("subject_id", subject));
    for w in tx.find::<DueWork>(&q).await? {
        if kinds.is_empty() || kinds.contains(&w.kind) {
            tx.delete(Kind::DueWork, &w.id).await?;
        }
    }
    Ok(())
}

fn due_by(t: Timestamp, limit: u64) -> Query {
    Query {
        filter: Some(Expr::Cmp(
            Box::new(Expr::Column("due")),
            CmpOp::Le,
            Box::new(Expr::Lit(Value::Text(t.to_storage()))),
        )),
        order: vec![OrderKey {
            expr: Expr::Column("due"),
            descending: false,
        }],
        after: None,
        limit: Some(limit),
        offset: None,
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Items carried out.
    pub done: usize,
    /// Items that failed and were put back for later.
    pub failed: usize,
}

impl Engine {
    /// Carries out everything that is due by the clock's now, in due order, and returns what it
    /// did. Work that falls due because of what it does is carried out too.
    pub async fn run_due(&self) -> Result<Outcome> {
        let _one_runner = self.runner.lock().await;
        self.synced_now().await?;
        let mut out = Outcome::default();
        loop {
            let now = self.now();
            let batch = {
                let mut tx = self.store.read().await?;
                tx.find::<DueWork>(&due_by(now, BATCH)).await?
            };
            if batch.is_empty() {
                return Ok(out);
            }
            // Callouts go over the network: each is sent on its own, outside a transaction.
            let (callouts, batch): (Vec<DueWork>, Vec<DueWork>) =
                batch.into_iter().partition(|w| w.kind == WorkKind::Callout);
            for w in &callouts {
                if self.claim_callout(w).await? {
                    self.send_callout(w).await?;
                    out.done += 1;
                }
            }
            if batch.is_empty() {
                continue;
            }
            match self.do_batch(&batch).await {
                Ok(n) => out.done += n,
                Err(e) => {
                    tracing::warn!(error = %e, "due work: a batch failed; retrying item by item");
                    for w in &batch {
                        match self.do_batch(std::slice::from_ref(w)).await {
                            Ok(n) => out.done += n,
                            Err(e) => {
                                out.failed += 1;
                                self.put_back(w, &e).await?;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Claims a callout before it is sent, so that it is sent once whatever the number of
    /// runners: its due time moves a lease ahead, in a write transaction (which runners take one
    /// at a time). `false` when another runner has it, or has done it.
    async fn claim_callout(&self, w: &DueWork) -> Result<bool> {
        let mut tx = self.begin().await?;
        let now = self.now();
        let Some(mut cur) = tx.load::<DueWork>(&w.id).await? else {
            return Ok(false);
        };
        if cur.due > now {
            return Ok(false);
        }
        cur.due = now.add(accessd_domain::Duration::minutes(CALLOUT_LEASE_MINUTES));
        tx.save(&cur).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn do_batch(&self, batch: &[DueWork]) -> Result<usize> {
        let mut tx = self.begin().await?;
        let mut n = 0;
        for w in batch {
            // Taken out first: another runner (or an earlier item of this batch) may have
            // done it already, and the work it does may schedule the same item again.
            if !tx.delete(Kind::DueWork, &w.id).await? {
                continue;
            }
            self.do_work(&mut *tx, w).await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn do_work(&self, tx: &mut dyn Tx, w: &DueWork) -> Result<()> {
        match w.kind {
            WorkKind::RequestStart => self.start_scheduled(tx, &w.subject_id).await,
            WorkKind::AssignmentExpiry => self.expire(tx, &w.subject_id).await,
            WorkKind::ExpiryNotice14 | WorkKind::ExpiryNotice1 => {
                self.expiry_notice(tx, &w.subject_id, w.kind).await
            }
            WorkKind::ApprovalEscalation => {
                self.escalate(tx, &w.subject_id, w.detail.as_deref()).await
            }
            WorkKind::ApprovalTimeout => {
                self.time_out(tx, &w.subject_id, w.detail.as_deref()).await
            }
            WorkKind::AutoRemoval => self.auto_remove(tx, &w.subject_id).await,
            WorkKind::DeletedItemPurge => self.purge_due(tx, &w.subject_id).await,
            WorkKind::ExternalUserDeletion => {
                super::external::delete_due(tx, &w.subject_id, self.now()).await
            }
            WorkKind::CalloutTimeout => {
                self.callout_timed_out(tx, &w.subject_id, w.detail.as_deref())
                    .await
            }
            // Sent outside any transaction (`run_due`); never reaches a batch.
            WorkKind::Callout => Ok(()),
        }
    }

    /// An item that failed: tried again a minute later, dropped after [`MAX_ATTEMPTS`].
    async fn put_back(&self, w: &DueWork, e: &Error) -> Result<()> {
        let mut tx = self.begin().await?;
        let Some(mut cur) = tx.load::<DueWork>(&w.id).await? else {
            return Ok(());
        };
        tx.delete(Kind::DueWork, &cur.id).await?;
        cur.attempts += 1;
        if cur.attempts >= MAX_ATTEMPTS {
            tracing::error!(item = %cur.id, error = %e, "due work dropped after {MAX_ATTEMPTS} attempts");
        } else {
            tracing::warn!(item = %cur.id, error = %e, attempts = cur.attempts, "due work failed; trying again later");
            cur.due = self.now().add(accessd_domain::Duration::minutes(1));
            // The id keeps the original time, so the retry is the same item.
            tx.create(&cur).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The earliest due time at or before `by`, if any work is due by then.
    pub async fn next_due(&self, by: Timestamp) -> Result<Option<Timestamp>> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .find::<DueWork>(&due_by(by, 1))
            .await?
            .into_iter()
            .next()
            .map(|w| w.due))
    }

    /// Moves a virtual clock forward to `to`, carrying out everything that falls due on the way,
    /// in due order, each at its own time (so that the timestamps it writes are the due times).
    pub async fn advance_clock(&self, to: Timestamp) -> Result<Timestamp> {
        let _one_mover = self.mover.lock().await;
        if self.clock.mode() != "virtual" {
            return Err(Error::refused(
                "ClockNotVirtual",
                "The clock is the real one; start accessd with '--clock virtual' to move it.",
            ));
        }
        let now = self.now();
        if to < now {
            return Err(Error::invalid(
                "to",
                format!(
                    "The clock never moves backwards: it is {} and {} is earlier.",
                    now.to_wire(),
                    to.to_wire()
                ),
            ));
        }
        while let Some(due) = self.next_due(to).await? {
            let at = if due > self.now() { due } else { self.now() };
            self.clock.move_to(at);
            self.run_due().await?;
        }
        self.clock.move_to(to);
        self.run_due().await?;
        let mut tx = self.begin().await?;
        tx.meta_put(VIRTUAL_NOW, &to.to_storage()).await?;
        tx.commit().await?;
        Ok(self.now())
    }
}

/// Where a virtual clock's time is kept, so that a restart does not move it backwards.
pub const VIRTUAL_NOW: &str = "virtual_clock_now";
