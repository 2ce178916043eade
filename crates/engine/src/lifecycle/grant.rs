//! Granting and taking away: a request that needs no (more) approval becomes an assignment,
//! now or at its start; the assignment is delivered (its resource roles fulfilled), expires at
//! its end, and is removed with what it delivered.

use accessd_domain::store::{Tx, TxExt};
use accessd_domain::*;

use super::due::{schedule, unschedule};
use super::{AssignmentEvent, RequestEvent, assignment_to, impossible, request_to};
use crate::audit::{self, Change};
use crate::{Engine, Result, delivery};

/// The schedule a new assignment gets: what was asked for, completed by the policy.
pub(crate) fn schedule_for(asked: Option<&Schedule>, policy: &Policy, now: Timestamp) -> Schedule {
    let mut s = asked.cloned().unwrap_or_default();
    if s.start_date_time.is_none() {
        s.start_date_time = Some(now);
    }
    if s.expiration.is_none() {
        s.expiration = Some(policy.expiration.clone());
    }
    s
}

/// When an assignment with this schedule ends, if it does.
pub(crate) fn end_of(s: &Schedule) -> Option<Timestamp> {
    let start = s.start_date_time?;
    s.expiration.as_ref().and_then(|e| e.end_from(start))
}

/// The due work of an assignment's end and the notices before it, as `schedule_expiry` made it.
fn expiry_work(a: &Assignment) -> Vec<DueWork> {
    let Some(end) = end_of(&a.schedule) else {
        return vec![];
    };
    vec![
        DueWork::new(WorkKind::AssignmentExpiry, &a.id, end, None),
        DueWork::new(
            WorkKind::ExpiryNotice14,
            &a.id,
            end.add(Duration::days(-14)),
            None,
        ),
        DueWork::new(
            WorkKind::ExpiryNotice1,
            &a.id,
            end.add(Duration::days(-1)),
            None,
        ),
    ]
}

/// Takes an assignment's end and notices out of the due-work table (by their ids: the schedule
/// says when they are).
/// Work already due by `now` has been carried out (and taken out) or is being carried out.
async fn unschedule_expiry(tx: &mut dyn Tx, a: &Assignment, now: Timestamp) -> Result<()> {
    for w in expiry_work(a).into_iter().filter(|w| w.due > now) {
        tx.delete(accessd_domain::Kind::DueWork, &w.id).await?;
    }
    Ok(())
}

/// Puts an assignment's end (and the notices before it) in the due-work table, replacing
/// what was there.
pub(crate) async fn schedule_expiry(tx: &mut dyn Tx, a: &Assignment, now: Timestamp) -> Result<()> {
    unschedule(
        tx,
        &a.id,
        &[
            WorkKind::AssignmentExpiry,
            WorkKind::ExpiryNotice14,
            WorkKind::ExpiryNotice1,
        ],
    )
    .await?;
    if a.state == AssignmentState::Expired {
        return Ok(());
    }
    let Some(end) = end_of(&a.schedule) else {
        return Ok(());
    };
    schedule(tx, WorkKind::AssignmentExpiry, &a.id, end, None).await?;
    for (kind, days) in [(WorkKind::ExpiryNotice14, 14), (WorkKind::ExpiryNotice1, 1)] {
        let at = end.add(Duration::days(-days));
        if at > now {
            schedule(tx, kind, &a.id, at, None).await?;
        }
    }
    Ok(())
}

/// Delivers an assignment (its state says how it went) and records it.
pub(crate) async fn deliver(tx: &mut dyn Tx, a: &mut Assignment, now: Timestamp) -> Result<()> {
    let d = delivery::deliver(tx, a, now).await?;
    if a.target_object_id.is_none() {
        // A target known by e-mail was invited as a guest.
        a.target_object_id = tx
            .load::<Subject>(&a.target_id)
            .await?
            .and_then(|s| s.object_id);
    }
    let event = match (d.granted, d.failed) {
        (_, 0) => AssignmentEvent::Delivered,
        (0, _) => AssignmentEvent::DeliveryFailed,
        _ => AssignmentEvent::PartiallyDelivered,
    };
    assignment_to(a, event);
    a.modified_date_time = now;
    Ok(())
}

/// The request's state after its assignment's delivery.
fn request_event_for(a: &Assignment) -> RequestEvent {
    match a.state {
        AssignmentState::PartiallyDelivered => RequestEvent::PartiallyDelivered,
        AssignmentState::DeliveryFailed => RequestEvent::DeliveryFailed,
        _ => RequestEvent::Delivered,
    }
}

/// Takes an assignment away: what it delivered is withdrawn (unless another assignment still
/// grants it), its due work is dropped, its state says why.
pub(crate) async fn remove(
    tx: &mut dyn Tx,
    a: &mut Assignment,
    event: AssignmentEvent,
    now: Timestamp,
) -> Result<bool> {
    let before = a.clone();
    if !assignment_to(a, event) {
        return Ok(false);
    }
    delivery::undeliver(tx, &before, None).await?;
    a.expired_date_time = Some(now);
    a.modified_date_time = now;
    tx.save(a).await?;
    unschedule_expiry(tx, &before, now).await?;
    super::external::after_last(tx, &a.target_id, now).await?;
    Ok(true)
}

impl Engine {
    /// Carries out an approved request (or one that needs no approval): its assignment is
    /// made now and delivered, or (starting later) made now and delivered at its start.
    pub(crate) async fn grant(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        policy: &Policy,
        by: &Change,
    ) -> Result<()> {
        if crate::requests::is_update_type(req.request_type) {
            return self.apply_update(tx, req, policy, by).await;
        }
        let now = self.now();
        let schedule = schedule_for(Some(&req.schedule), policy, now);
        req.schedule = schedule.clone();
        let start = schedule.start_date_time.unwrap_or(now);
        let a = self.new_assignment(tx, req, policy).await?;
        if start > now {
            let before = req.clone();
            request_to(req, RequestEvent::Schedule, impossible("scheduled"))?;
            schedule_start(tx, req, start).await?;
            audit::request_changed(tx, by, &before, req, now).await?;
            return Ok(());
        }
        self.deliver_request(tx, req, a, by).await
    }

    /// The assignment a request makes, not delivered yet.
    async fn new_assignment(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        policy: &Policy,
    ) -> Result<Assignment> {
        let now = self.now();
        let (Some(package), Some(target), Some(catalog)) = (
            req.access_package_id.clone(),
            req.target_id.clone(),
            req.catalog_id.clone(),
        ) else {
            return Err(crate::Error::refused(
                "InvalidRequest",
                "The request names no access package or target.",
            ));
        };
        let subject = tx.load::<Subject>(&target).await?;
        let a = Assignment {
            id: new_id(),
            catalog_id: catalog,
            access_package_id: package,
            policy_id: policy.id.clone(),
            target_id: target,
            target_object_id: subject.and_then(|s| s.object_id),
            state: AssignmentState::Delivering,
            status: "Delivering".into(),
            is_extended: false,
            expired_date_time: None,
            schedule: req.schedule.clone(),
            custom_extension_callout_instances: vec![],
            created_date_time: now,
            modified_date_time: now,
        };
        tx.create(&a).await?;
        req.assignment_id = Some(a.id.clone());
        Ok(a)
    }

    /// Delivers the assignment of a request whose time has come.
    async fn deliver_request(
        &self,
        tx: &mut dyn Tx,
        req: &mut AssignmentRequest,
        mut a: Assignment,
        by: &Change,
    ) -> Result<()> {
        let now = self.now();
        let before = req.clone();
        request_to(req, RequestEvent::Deliver, impossible("delivered"))?;
        audit::request_changed(tx, by, &before, req, now).await?;
        let before = req.clone();
        deliver(tx, &mut a, now).await?;
        tx.save(&a).await?;
        schedule_expiry(tx, &a, now).await?;
        request_to(req, request_event_for(&a), impossible("delivered"))?;
        req.completed_date_time = Some(now);
        audit::assignment_added(tx, by, &a, now).await?;
        audit::request_changed(tx, by, &before, req, now).await?;
        if let Some(policy) = tx.load::<Policy>(&a.policy_id).await? {
            let stage = CustomExtensionStage::AssignmentRequestGranted;
            self.call_out(tx, stage, req, Some(&a), &policy).await?;
        }
        Ok(())
    }

    /// Due work: a scheduled request's start has come.
    pub(crate) async fn start_scheduled(&self, tx: &mut dyn Tx, request_id: &str) -> Result<()> {
        let Some(mut req) = tx.load::<AssignmentRequest>(request_id).await? else {
            return Ok(());
        };
        if req.state != RequestState::Scheduled {
            return Ok(());
        }
        let Some(a) = tx
            .load::<Assignment>(req.assignment_id.as_deref().unwrap_or(""))
            .await?
            .filter(|a| a.state == AssignmentState::Delivering)
        else {
            return Ok(());
        };
        let by = Change::system();
        self.deliver_request(tx, &mut req, a, &by).await?;
        tx.save(&req).await?;
        Ok(())
    }

    /// Due work: an assignment's end. An assignment extended meanwhile is put back for its new
    /// end; one already gone is left alone.
    pub(crate) async fn expire(&self, tx: &mut dyn Tx, assignment_id: &str) -> Result<()> {
        let now = self.now();
        let Some(mut a) = tx.load::<Assignment>(assignment_id).await? else {
            return Ok(());
        };
        if a.state == AssignmentState::Expired {
            return Ok(());
        }
        match end_of(&a.schedule) {
            Some(end) if end <= now => {}
            Some(_) => return schedule_expiry(tx, &a, now).await,
            None => return Ok(()),
        }
        let before = a.clone();
        if remove(tx, &mut a, AssignmentEvent::Expire, now).await? {
            let mut req = self
                .record_system_request(tx, &a, RequestType::SystemRemove, now)
                .await?;
            audit::expired(tx, &req, &before, &a, now).await?;
            crate::outbox::email(
                tx,
                "AssignmentExpired",
                crate::outbox::To::Subjects(&[Some(a.target_id.clone())]),
                Some(&a.access_package_id),
                Some(&req.id),
                Some(&a.id),
                |n| format!("Your access to {n} has expired"),
                now,
            )
            .await?;
            if let Some(policy) = tx.load::<Policy>(&a.policy_id).await?
                && !policy.custom_extension_stage_settings.is_empty()
            {
                let stage = CustomExtensionStage::AssignmentRequestRemoved;
                self.call_out(tx, stage, &mut req, Some(&a), &policy)
                    .await?;
                tx.save(&req).await?;
            }
        }
        Ok(())
    }

    /// Due work: the notices before an assignment's end, shown in its `status`.
    pub(crate) async fn expiry_notice(
        &self,
        tx: &mut dyn Tx,
        assignment_id: &str,
        kind: WorkKind,
    ) -> Result<()> {
        let Some(mut a) = tx.load::<Assignment>(assignment_id).await? else {
            return Ok(());
        };
        if a.state != AssignmentState::Delivered {
            return Ok(());
        }
        a.status = match kind {
            WorkKind::ExpiryNotice14 => "NearExpiry14DaysNotificationTriggered",
            _ => "NearExpiry1DayNotificationTriggered",
        }
        .into();
        a.modified_date_time = self.now();
        let stage = match kind {
            WorkKind::ExpiryNotice14 => {
                CustomExtensionStage::AssignmentFourteenDaysBeforeExpiration
            }
            _ => CustomExtensionStage::AssignmentOneDayBeforeExpiration,
        };
        self.call_out_for_assignment(tx, stage, &mut a).await?;
        let days = if kind == WorkKind::ExpiryNotice14 {
            14
        } else {
            1
        };
        crate::outbox::email(
            tx,
            "AssignmentExpiring",
            crate::outbox::To::Subjects(&[Some(a.target_id.clone())]),
            Some(&a.access_package_id),
            None,
            Some(&a.id),
            |n| {
                format!(
                    "Your access to {n} expires in {days} day{}",
                    if days == 1 { "" } else { "s" }
                )
            },
            self.now(),
        )
        .await?;
        tx.save(&a).await?;
        Ok(())
    }

    /// The request record of something the service did itself (expiry: `systemRemove`).
    async fn record_system_request(
        &self,
        tx: &mut dyn Tx,
        a: &Assignment,
        kind: RequestType,
        now: Timestamp,
    ) -> Result<AssignmentRequest> {
        let req = AssignmentRequest {
            // Time-ordered: a mass expiry appends its requests instead of scattering them.
            id: accessd_domain::new_time_ordered_id(now),
            request_type: kind,
            state: RequestState::Delivered,
            status: "Delivered".into(),
            created_date_time: now,
            completed_date_time: Some(now),
            expiration_date_time: None,
            schedule: a.schedule.clone(),
            justification: None,
            answers: vec![],
            catalog_id: Some(a.catalog_id.clone()),
            access_package_id: Some(a.access_package_id.clone()),
            policy_id: Some(a.policy_id.clone()),
            assignment_id: Some(a.id.clone()),
            requestor_id: None,
            requestor_object_id: None,
            target_id: Some(a.target_id.clone()),
            target_object_id: a.target_object_id.clone(),
            is_validation_only: false,
            created_by: Some("accessd".into()),
            custom_extension_callout_instances: vec![],
        };
        tx.create(&req).await?;
        Ok(req)
    }
}

/// Puts a scheduled request's start in the due-work table.
async fn schedule_start(tx: &mut dyn Tx, req: &AssignmentRequest, start: Timestamp) -> Result<()> {
    schedule(tx, WorkKind::RequestStart, &req.id, start, None).await
}
