//! accessPackageSubject: the entitlement-management view of a user or service principal.
//! A directory object's subject shares its id (see `docs/decisions.md`).

use accessd_domain::store::{Tx, TxExt};
use accessd_domain::{Subject, SubjectLifecycle, SubjectType, User};

use crate::{Error, Result};

pub(crate) fn refresh_from_user(s: &mut Subject, u: &User) {
    s.object_id = Some(u.id.clone());
    s.display_name = u.display_name.clone();
    s.email = u.mail.clone();
    s.principal_name = u.user_principal_name.clone();
    s.subject_type = SubjectType::User;
}

/// The subject for `id`, which is either a subject id or a directory object id; created from the
/// directory user when it does not exist yet. `property` names the body property for errors.
pub(crate) async fn resolve_or_create(
    tx: &mut dyn Tx,
    id: &str,
    property: &str,
) -> Result<Subject> {
    if let Some(s) = tx.load::<Subject>(id).await? {
        return Ok(s);
    }
    let Some(user) = tx.load::<User>(id).await? else {
        return Err(Error::ref_not_found("subject", property, id));
    };
    let guest = user
        .user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Guest"));
    let mut s = Subject {
        id: user.id.clone(),
        object_id: None,
        display_name: None,
        email: None,
        principal_name: None,
        subject_type: SubjectType::User,
        subject_lifecycle: if guest {
            SubjectLifecycle::Governed
        } else {
            SubjectLifecycle::NotDefined
        },
        connected_organization_id: if guest {
            crate::partners::organization_of(tx, &user.id)
                .await?
                .map(|o| o.id)
        } else {
            None
        },
        on_premises_security_identifier: None,
        alt_sec_id: None,
        cleanup_scheduled_date_time: None,
    };
    refresh_from_user(&mut s, &user);
    tx.create(&s).await?;
    Ok(s)
}

/// The subject that stands for the caller (a request's `requestor`): the directory user's
/// subject when the caller is in the directory, else one made from what the token says.
pub(crate) async fn for_principal(
    tx: &mut dyn Tx,
    p: &accessd_domain::Principal,
) -> Result<Subject> {
    if let Some(s) = tx.load::<Subject>(&p.object_id).await? {
        return Ok(s);
    }
    if tx.load::<User>(&p.object_id).await?.is_some() {
        return resolve_or_create(tx, &p.object_id, "requestor").await;
    }
    let app = p.kind == accessd_domain::PrincipalKind::App;
    let s = Subject {
        id: p.object_id.clone(),
        object_id: Some(p.object_id.clone()),
        display_name: p.display.clone(),
        email: None,
        principal_name: p.display.clone().filter(|d| d.contains('@')),
        subject_type: if app {
            SubjectType::ServicePrincipal
        } else {
            SubjectType::User
        },
        subject_lifecycle: SubjectLifecycle::NotDefined,
        connected_organization_id: None,
        on_premises_security_identifier: None,
        alt_sec_id: None,
        cleanup_scheduled_date_time: None,
    };
    tx.create(&s).await?;
    Ok(s)
}

/// The subject of someone known by e-mail: the directory user with that mail, an existing
/// subject with it, or a new subject (no directory object yet; its connected organization the
/// one whose domain the address is in).
pub(crate) async fn for_email(tx: &mut dyn Tx, email: &str) -> Result<Subject> {
    use accessd_domain::{Expr, Query};
    let email = email.trim();
    if !email
        .rsplit_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
    {
        return Err(Error::invalid(
            "target.email",
            format!("'{email}' is not an e-mail address."),
        ));
    }
    let by_mail = Query::filtered(Expr::col_eq("mail", email));
    if let Some(u) = tx.find::<User>(&by_mail).await?.into_iter().next() {
        return resolve_or_create(tx, &u.id, "target").await;
    }
    let by_email = Query::filtered(Expr::col_eq("email", email));
    if let Some(s) = tx.find::<Subject>(&by_email).await?.into_iter().next() {
        return Ok(s);
    }
    let org = tx
        .find::<accessd_domain::ConnectedOrganization>(&Query::default())
        .await?
        .into_iter()
        .find(|o| o.has_address(email));
    let s = Subject {
        id: accessd_domain::new_id(),
        object_id: None,
        display_name: None,
        email: Some(email.to_string()),
        principal_name: None,
        subject_type: SubjectType::User,
        subject_lifecycle: SubjectLifecycle::Governed,
        connected_organization_id: org.map(|o| o.id),
        on_premises_security_identifier: None,
        alt_sec_id: None,
        cleanup_scheduled_date_time: None,
    };
    tx.create(&s).await?;
    Ok(s)
}
