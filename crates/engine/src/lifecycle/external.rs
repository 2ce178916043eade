//! External users: people from outside the tenant who get access through entitlement
//! management. A request may name its target by e-mail only (a subject with no directory
//! object); when its assignment is delivered, the service invites them: a guest user
//! (`userType` Guest) is made, with the subject's id, and the subject is governed. When a
//! governed guest's last assignment ends, the tenant's settings say what happens
//! (`externalUserLifecycleAction`): nothing, their sign-in is blocked, or blocked and the user
//! deleted after `durationUntilExternalUserDeletedAfterBlocked` (due work on the engine's clock).
//! A new assignment before then unblocks them and calls the deletion off.

use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::*;

use super::due::{schedule, unschedule};
use crate::Result;
use crate::settings::{ExternalUserAction, settings_in};

/// The domain of the user principal names of invited guests.
pub const GUEST_DOMAIN: &str = "accessd.onmicrosoft.com";

/// A guest's user principal name: `pat_partner.example#EXT#@{GUEST_DOMAIN}`.
fn guest_upn(email: &str) -> String {
    format!("{}#EXT#@{GUEST_DOMAIN}", email.replacen('@', "_", 1))
}

/// Before a delivery: a subject known by e-mail only becomes a guest of the directory (with the
/// subject's id); a guest blocked after its last assignment is unblocked. Answers the subject
/// as it is now.
pub(crate) async fn admit(tx: &mut dyn Tx, subject: &mut Subject, now: Timestamp) -> Result<()> {
    match subject.object_id.clone() {
        None => {
            let Some(email) = subject.email.clone() else {
                return Ok(());
            };
            let user = User {
                id: subject.id.clone(),
                display_name: subject.display_name.clone().or(Some(email.clone())),
                user_principal_name: Some(guest_upn(&email)),
                mail: Some(email.clone()),
                mail_nickname: email.split('@').next().map(str::to_string),
                given_name: None,
                surname: None,
                job_title: None,
                department: None,
                user_type: Some("Guest".into()),
                account_enabled: Some(true),
                employee_id: None,
                manager_id: None,
                created_date_time: now,
            };
            if !tx.exists(Kind::User, &user.id).await? {
                tx.create(&user).await?;
            }
            subject.object_id = Some(user.id.clone());
            subject.principal_name = user.user_principal_name.clone();
            subject.subject_lifecycle = SubjectLifecycle::Governed;
            tx.save(subject).await?;
        }
        Some(id) => {
            if subject.cleanup_scheduled_date_time.is_some()
                || subject.subject_lifecycle == SubjectLifecycle::Governed
            {
                if let Some(mut u) = tx.load::<User>(&id).await?
                    && u.account_enabled == Some(false)
                    && subject.cleanup_scheduled_date_time.is_some()
                {
                    u.account_enabled = Some(true);
                    tx.save(&u).await?;
                }
                if subject.cleanup_scheduled_date_time.take().is_some() {
                    unschedule(tx, &subject.id, &[WorkKind::ExternalUserDeletion]).await?;
                    tx.save(subject).await?;
                }
            }
        }
    }
    Ok(())
}

/// After an assignment of `subject_id` ended: when it was a governed guest's last, apply the
/// tenant's external-user settings.
pub(crate) async fn after_last(tx: &mut dyn Tx, subject_id: &str, now: Timestamp) -> Result<()> {
    let Some(mut subject) = tx.load::<Subject>(subject_id).await? else {
        return Ok(());
    };
    if subject.subject_lifecycle != SubjectLifecycle::Governed
        || subject.cleanup_scheduled_date_time.is_some()
    {
        return Ok(());
    }
    let Some(mut user) = tx
        .load::<User>(subject.object_id.as_deref().unwrap_or(subject_id))
        .await?
        .filter(crate::partners::is_guest)
    else {
        return Ok(());
    };
    if still_assigned(tx, &subject.id).await? {
        return Ok(());
    }
    let s = settings_in(tx).await?;
    if s.external_user_lifecycle_action == ExternalUserAction::None {
        return Ok(());
    }
    user.account_enabled = Some(false);
    tx.save(&user).await?;
    if s.external_user_lifecycle_action == ExternalUserAction::BlockSignInAndDelete {
        let at = now.add(Duration::days(i64::from(
            s.days_until_external_user_deleted_after_blocked,
        )));
        subject.cleanup_scheduled_date_time = Some(at);
        schedule(tx, WorkKind::ExternalUserDeletion, &subject.id, at, None).await?;
    } else {
        // Blocked, nothing scheduled: a later delivery unblocks them.
        subject.cleanup_scheduled_date_time = None;
    }
    tx.save(&subject).await?;
    Ok(())
}

/// Whether the subject still holds an assignment that is not over.
async fn still_assigned(tx: &mut dyn Tx, subject_id: &str) -> Result<bool> {
    let q = Query::filtered(Expr::col_eq("target_id", subject_id));
    Ok(tx
        .find::<Assignment>(&q)
        .await?
        .iter()
        .any(|a| a.state != AssignmentState::Expired))
}

/// Due work: a blocked external user's time is up; deleted unless they got access again.
pub(crate) async fn delete_due(tx: &mut dyn Tx, subject_id: &str, _now: Timestamp) -> Result<()> {
    let Some(mut subject) = tx.load::<Subject>(subject_id).await? else {
        return Ok(());
    };
    if subject.cleanup_scheduled_date_time.is_none() || still_assigned(tx, subject_id).await? {
        return Ok(());
    }
    if let Some(id) = subject.object_id.take() {
        crate::directory::remove_user(tx, &id).await?;
    }
    subject.cleanup_scheduled_date_time = None;
    subject.subject_lifecycle = SubjectLifecycle::NotGoverned;
    tx.save(&subject).await?;
    Ok(())
}
