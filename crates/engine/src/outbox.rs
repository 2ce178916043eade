//! The emulator's outbox: what the real service would have sent outside Graph, recorded in the
//! transaction of the event that sends it. E-mails (a request submitted, an approval needed, a
//! request approved, denied or expired, access granted, an assignment expiring or expired) and
//! custom extension callouts with their answers. Read at `GET /_accessd/outbox`.

use accessd_domain::store::{Tx, TxExt};
use accessd_domain::{
    AccessPackage, AssignmentRequest, OutboxMessage, RequestState, RequestType, Subject, Timestamp,
    User, new_id,
};
use serde_json::Value;

use crate::Result;

/// An id that sorts as the messages were made: their time, then a counter (then a little
/// randomness, so that ids stay unique across restarts).
fn message_id(now: Timestamp) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{n:012}-{}", now.to_storage(), &new_id()[..8])
}

/// Who an e-mail goes to: directory object ids (users), or access-package subjects.
pub(crate) enum To<'a> {
    Users(&'a [String]),
    Subjects(&'a [Option<String>]),
}

async fn package_name(tx: &mut dyn Tx, package: Option<&str>) -> Result<String> {
    Ok(match package {
        Some(p) => tx
            .load::<AccessPackage>(p)
            .await?
            .and_then(|a| a.display_name)
            .unwrap_or_else(|| p.to_string()),
        None => "an access package".into(),
    })
}

/// Records an e-mail.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn email(
    tx: &mut dyn Tx,
    template: &str,
    to: To<'_>,
    package: Option<&str>,
    request: Option<&str>,
    assignment: Option<&str>,
    subject_line: impl FnOnce(&str) -> String,
    now: Timestamp,
) -> Result<()> {
    let mut users: Vec<String> = match to {
        To::Users(u) => u.to_vec(),
        To::Subjects(s) => {
            let mut out = vec![];
            for id in s.iter().flatten() {
                if let Some(oid) = tx.load::<Subject>(id).await?.and_then(|s| s.object_id) {
                    out.push(oid);
                }
            }
            out
        }
    };
    users.sort();
    users.dedup();
    if users.is_empty() {
        return Ok(());
    }
    let mut addresses = vec![];
    for u in &users {
        if let Some(u) = tx.load::<User>(u).await?
            && let Some(a) = u.mail.or(u.user_principal_name)
        {
            addresses.push(a);
        }
    }
    let name = package_name(tx, package).await?;
    tx.create(&OutboxMessage {
        id: message_id(now),
        kind: "email".into(),
        template: template.into(),
        to: users,
        addresses,
        subject: subject_line(&name),
        access_package_id: package.map(str::to_string),
        request_id: request.map(str::to_string),
        assignment_id: assignment.map(str::to_string),
        payload: None,
        answer: None,
        created_date_time: now,
    })
    .await?;
    Ok(())
}

/// The e-mail a request's change of state sends, if any.
pub(crate) async fn request_changed(
    tx: &mut dyn Tx,
    before: &AssignmentRequest,
    after: &AssignmentRequest,
    now: Timestamp,
) -> Result<()> {
    use RequestState as S;
    let created = before.state == after.state && before.status == after.status;
    let user_kind = matches!(
        after.request_type,
        RequestType::UserAdd | RequestType::UserUpdate | RequestType::UserExtend
    );
    let requestor = [after.requestor_id.clone()];
    let target = [after.target_id.clone()];
    let pkg = after.access_package_id.as_deref();
    let (req, asg) = (Some(after.id.as_str()), after.assignment_id.as_deref());
    let granted = matches!(after.state, S::Delivered | S::PartiallyDelivered)
        && !matches!(before.state, S::Delivered | S::PartiallyDelivered)
        && matches!(
            after.request_type,
            RequestType::UserAdd | RequestType::AdminAdd
        );
    if created && user_kind {
        email(
            tx,
            "RequestSubmitted",
            To::Subjects(&requestor),
            pkg,
            req,
            asg,
            |n| format!("Your request for access to {n} was submitted"),
            now,
        )
        .await?;
    }
    if before.state == S::PendingApproval
        && matches!(
            after.state,
            S::Delivering | S::Scheduled | S::Delivered | S::PartiallyDelivered
        )
    {
        email(
            tx,
            "RequestApproved",
            To::Subjects(&requestor),
            pkg,
            req,
            asg,
            |n| format!("Your request for access to {n} was approved"),
            now,
        )
        .await?;
    }
    if granted {
        email(
            tx,
            "AccessGranted",
            To::Subjects(&target),
            pkg,
            req,
            asg,
            |n| format!("You now have access to {n}"),
            now,
        )
        .await?;
    }
    if after.state == S::Denied && before.state != S::Denied {
        let (template, line): (&str, fn(&str) -> String) = if after.status == "Expired" {
            ("RequestExpired", |n| {
                format!("Your request for access to {n} expired")
            })
        } else {
            ("RequestDenied", |n| {
                format!("Your request for access to {n} was denied")
            })
        };
        email(
            tx,
            template,
            To::Subjects(&requestor),
            pkg,
            req,
            asg,
            line,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Records a callout and what came back.
pub(crate) async fn callout(
    tx: &mut dyn Tx,
    url: Option<&str>,
    payload: &Value,
    answer: String,
    now: Timestamp,
) -> Result<()> {
    let data = &payload["data"];
    let s = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
    let stage = s("stage").unwrap_or_default();
    tx.create(&OutboxMessage {
        id: message_id(now),
        kind: "callout".into(),
        template: stage.clone(),
        to: url.map(str::to_string).into_iter().collect(),
        addresses: vec![],
        subject: format!("Custom extension called at {stage}"),
        access_package_id: data["accessPackage"]["id"].as_str().map(str::to_string),
        request_id: s("accessPackageAssignmentRequestId"),
        assignment_id: data["assignment"]["id"].as_str().map(str::to_string),
        payload: Some(payload.clone()),
        answer: Some(answer),
        created_date_time: now,
    })
    .await?;
    Ok(())
}

impl crate::Engine {
    /// The outbox, newest first: at most `top` messages, of `kind` and `template` when given.
    pub async fn outbox(
        &self,
        p: &accessd_domain::Principal,
        kind: Option<&str>,
        template: Option<&str>,
        top: u64,
    ) -> Result<Vec<OutboxMessage>> {
        use accessd_domain::query::{Expr, OrderKey, Query};
        let mut tx = self.store.read().await?;
        self.authorize_in(
            &mut *tx,
            p,
            crate::authz::Op::List,
            crate::authz::Res::Emulator,
            &crate::authz::Obj::new("outbox"),
        )
        .await?;
        let mut filters = vec![];
        if let Some(k) = kind {
            filters.push(Expr::col_eq("kind", k));
        }
        if let Some(t) = template {
            filters.push(Expr::col_eq("template", t));
        }
        let q = Query {
            filter: (!filters.is_empty()).then(|| Expr::and(filters)),
            order: vec![OrderKey {
                expr: Expr::Column("id"),
                descending: true,
            }],
            after: None,
            limit: Some(top),
            offset: None,
        };
        Ok(tx.find::<OutboxMessage>(&q).await?)
    }

    /// Empties the outbox.
    pub async fn clear_outbox(&self, p: &accessd_domain::Principal) -> Result<u64> {
        use accessd_domain::store::Kind;
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            crate::authz::Op::Delete,
            crate::authz::Res::Emulator,
            &crate::authz::Obj::new("outbox"),
        )
        .await?;
        let all = tx
            .query(Kind::OutboxMessage, &accessd_domain::Query::default())
            .await?;
        for r in &all {
            tx.delete(Kind::OutboxMessage, &r.id).await?;
        }
        tx.commit().await?;
        Ok(all.len() as u64)
    }
}
