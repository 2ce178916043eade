//! Users, groups and group membership.

use accessd_domain::query::{Expr, Query};
use accessd_domain::store::{Kind, Link, Tx, TxExt};
use accessd_domain::{
    DeletedItem, DirectoryObjectKind, Duration, Group, Principal, Subject, User, WorkKind, new_id,
};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result};

/// Graph's directory answers duplicate or dangling references with `Request_BadRequest`.
fn dir_invalid(target: &str, message: impl Into<String>) -> Error {
    Error::Invalid {
        code: "Request_BadRequest",
        target: Some(target.into()),
        message: message.into(),
    }
}

/// A property the directory requires: present, not null, not blank.
fn required(value: &Option<String>, property: &str) -> Result<()> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(dir_invalid(
            property,
            format!(
                "Invalid value specified for property '{property}': it is required and cannot be empty."
            ),
        )),
    }
}

async fn upn_taken(tx: &mut dyn Tx, upn: &str, except: &str) -> Result<bool> {
    let q = Query {
        limit: Some(2),
        ..Query::filtered(Expr::col_eq("user_principal_name", upn))
    };
    let rows = tx.query(Kind::User, &q).await?;
    Ok(rows.iter().any(|r| r.id != except))
}

/// What kind of directory object `id` is, if it exists.
pub(crate) async fn object_kind(tx: &mut dyn Tx, id: &str) -> Result<Option<DirectoryObjectKind>> {
    if tx.exists(Kind::User, id).await? {
        return Ok(Some(DirectoryObjectKind::User));
    }
    if tx.exists(Kind::Group, id).await? {
        return Ok(Some(DirectoryObjectKind::Group));
    }
    Ok(None)
}

/// Deletes a user with its credentials, memberships and roles; `false` when there was none.
pub(crate) async fn remove_user(tx: &mut dyn Tx, id: &str) -> Result<bool> {
    if !tx.delete(Kind::User, id).await? {
        return Ok(false);
    }
    tx.delete(Kind::Credential, id).await?;
    tx.unlink_all(Link::GroupMember, id).await?;
    tx.unlink_all(Link::GroupOwner, id).await?;
    crate::roles::remove_principal_roles(tx, id).await?;
    Ok(true)
}

impl Engine {
    /// Creates a user; `password` (from `passwordProfile`) is kept as a hash, for the built-in
    /// token endpoint.
    pub async fn create_user(
        &self,
        p: &Principal,
        mut user: User,
        password: Option<&str>,
    ) -> Result<User> {
        required(&user.display_name, "displayName")?;
        required(&user.user_principal_name, "userPrincipalName")?;
        let hash = match password {
            Some(pw) => {
                crate::apps::check_password_complexity(pw)?;
                Some(crate::apps::hash_secret(pw)?)
            }
            None => None,
        };
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Create, Res::User, &Obj::default())
            .await?;
        if user.id.is_empty() {
            user.id = new_id();
        } else if object_kind(&mut *tx, &user.id).await?.is_some() {
            return Err(dir_invalid(
                "id",
                format!("Another object with the id '{}' already exists.", user.id),
            ));
        }
        if let Some(upn) = &user.user_principal_name
            && upn_taken(&mut *tx, upn, &user.id).await?
        {
            return Err(dir_invalid(
                "userPrincipalName",
                "Another object with the same value for property userPrincipalName already exists.",
            ));
        }
        user.created_date_time = self.now();
        tx.create(&user).await?;
        if let Some(h) = hash {
            crate::apps::write_password(&mut *tx, &user.id, h, user.created_date_time).await?;
        }
        self.reconcile_user(&mut *tx, &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Applies `change` to the user (and sets its password, if one is given) and keeps the
    /// entitlement-management subject that mirrors it in step.
    pub async fn update_user<F>(
        &self,
        p: &Principal,
        id: &str,
        change: F,
        password: Option<&str>,
    ) -> Result<User>
    where
        F: FnOnce(&mut User) -> Result<()> + Send,
    {
        let hash = match password {
            Some(pw) => {
                crate::apps::check_password_complexity(pw)?;
                Some(crate::apps::hash_secret(pw)?)
            }
            None => None,
        };
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Update, Res::User, &Obj::new(id))
            .await?;
        let mut user = tx
            .load::<User>(id)
            .await?
            .ok_or_else(|| Error::not_found("user", id))?;
        let created = user.created_date_time;
        change(&mut user)?;
        required(&user.display_name, "displayName")?;
        required(&user.user_principal_name, "userPrincipalName")?;
        user.id = id.to_string();
        user.created_date_time = created;
        if let Some(upn) = &user.user_principal_name
            && upn_taken(&mut *tx, upn, id).await?
        {
            return Err(dir_invalid(
                "userPrincipalName",
                "Another object with the same value for property userPrincipalName already exists.",
            ));
        }
        tx.save(&user).await?;
        if let Some(h) = hash {
            crate::apps::write_password(&mut *tx, id, h, self.now()).await?;
        }
        if let Some(mut s) = tx.load::<Subject>(id).await? {
            crate::subjects::refresh_from_user(&mut s, &user);
            tx.save(&s).await?;
        }
        self.reconcile_user(&mut *tx, &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn delete_user(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Delete, Res::User, &Obj::new(id))
            .await?;
        if !remove_user(&mut *tx, id).await? {
            return Err(Error::not_found("user", id));
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_group(&self, p: &Principal, mut group: Group) -> Result<Group> {
        required(&group.display_name, "displayName")?;
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Create, Res::Group, &Obj::default())
            .await?;
        if group.id.is_empty() {
            group.id = new_id();
        } else if object_kind(&mut *tx, &group.id).await?.is_some() {
            return Err(dir_invalid(
                "id",
                format!("Another object with the id '{}' already exists.", group.id),
            ));
        }
        group.created_date_time = self.now();
        tx.create(&group).await?;
        tx.commit().await?;
        Ok(group)
    }

    pub async fn update_group<F>(&self, p: &Principal, id: &str, change: F) -> Result<Group>
    where
        F: FnOnce(&mut Group) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        self.group_access(&mut *tx, p, Op::Update, id).await?;
        let mut group = tx
            .load::<Group>(id)
            .await?
            .ok_or_else(|| Error::not_found("group", id))?;
        let created = group.created_date_time;
        change(&mut group)?;
        required(&group.display_name, "displayName")?;
        group.id = id.to_string();
        group.created_date_time = created;
        tx.save(&group).await?;
        tx.commit().await?;
        Ok(group)
    }

    /// Deletes a group as Entra does: it moves to the deleted items, restorable for 30 days
    /// with its memberships (a group that is a catalog's resource can be deleted too; what an
    /// access package grants in it then fails to be delivered until it is restored).
    pub async fn delete_group(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let group = tx
            .load::<Group>(id)
            .await?
            .ok_or_else(|| Error::not_found("group", id))?;
        self.group_access(&mut *tx, p, Op::Delete, id).await?;
        let now = self.now();
        let object = serde_json::to_value(&group)
            .map_err(|e| Error::Store(accessd_domain::StoreError::Other(e.to_string())))?;
        tx.delete(Kind::Group, id).await?;
        tx.create(&DeletedItem {
            id: id.to_string(),
            kind: DirectoryObjectKind::Group,
            object,
            deleted_date_time: now,
        })
        .await?;
        crate::lifecycle::due::schedule(
            &mut *tx,
            WorkKind::DeletedItemPurge,
            id,
            now.add(Duration::days(DELETED_ITEMS_KEPT_DAYS)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /directory/deletedItems/{id}/restore`: the group comes back, with its members.
    pub async fn restore_deleted_item(&self, p: &Principal, id: &str) -> Result<Group> {
        let mut tx = self.begin().await?;
        let item = tx
            .load::<DeletedItem>(id)
            .await?
            .ok_or_else(|| Error::not_found("deleted item", id))?;
        self.authorize_in(&mut *tx, p, Op::Update, Res::Group, &Obj::new(id))
            .await?;
        let group: Group = serde_json::from_value(item.object)
            .map_err(|e| Error::Store(accessd_domain::StoreError::Other(e.to_string())))?;
        if object_kind(&mut *tx, id).await?.is_some() {
            return Err(dir_invalid(
                "id",
                format!("Another object with the id '{id}' already exists."),
            ));
        }
        tx.delete(Kind::DeletedItem, id).await?;
        tx.create(&group).await?;
        crate::lifecycle::due::unschedule(&mut *tx, id, &[WorkKind::DeletedItemPurge]).await?;
        tx.commit().await?;
        Ok(group)
    }

    /// `DELETE /directory/deletedItems/{id}`: gone for good, now.
    pub async fn purge_deleted_item(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tx.exists(Kind::DeletedItem, id).await? {
            return Err(Error::not_found("deleted item", id));
        }
        self.authorize_in(&mut *tx, p, Op::Delete, Res::Group, &Obj::new(id))
            .await?;
        purge(&mut *tx, id).await?;
        crate::lifecycle::due::unschedule(&mut *tx, id, &[WorkKind::DeletedItemPurge]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Due work: a deleted item's 30 days are over.
    pub(crate) async fn purge_due(&self, tx: &mut dyn Tx, id: &str) -> Result<()> {
        if tx.exists(Kind::DeletedItem, id).await? {
            purge(tx, id).await?;
        }
        Ok(())
    }

    /// `POST /groups/{id}/members/$ref`
    pub async fn add_group_member(
        &self,
        p: &Principal,
        group_id: &str,
        member_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tx.exists(Kind::Group, group_id).await? {
            return Err(Error::not_found("group", group_id));
        }
        self.group_access(&mut *tx, p, Op::Relate, group_id).await?;
        if object_kind(&mut *tx, member_id).await?.is_none() {
            return Err(Error::ref_not_found(
                "directory object",
                "@odata.id",
                member_id,
            ));
        }
        if member_id == group_id {
            return Err(dir_invalid(
                "@odata.id",
                "A group cannot be a member of itself.",
            ));
        }
        if !tx.link(Link::GroupMember, group_id, member_id).await? {
            return Err(dir_invalid(
                "@odata.id",
                "One or more added object references already exist for the following modified properties: 'members'.",
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    /// `POST /groups/{id}/owners/$ref`
    pub async fn add_group_owner(
        &self,
        p: &Principal,
        group_id: &str,
        owner_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tx.exists(Kind::Group, group_id).await? {
            return Err(Error::not_found("group", group_id));
        }
        self.group_access(&mut *tx, p, Op::Relate, group_id).await?;
        if object_kind(&mut *tx, owner_id).await? != Some(DirectoryObjectKind::User) {
            return Err(Error::ref_not_found("user", "@odata.id", owner_id));
        }
        if !tx.link(Link::GroupOwner, group_id, owner_id).await? {
            return Err(dir_invalid(
                "@odata.id",
                "One or more added object references already exist for the following modified properties: 'owners'.",
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_group_owner(
        &self,
        p: &Principal,
        group_id: &str,
        owner_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.group_access(&mut *tx, p, Op::Relate, group_id).await?;
        if !tx.unlink(Link::GroupOwner, group_id, owner_id).await? {
            return Err(Error::not_found("owner", owner_id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// `DELETE /groups/{id}/members/{member}/$ref`
    pub async fn remove_group_member(
        &self,
        p: &Principal,
        group_id: &str,
        member_id: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tx.exists(Kind::Group, group_id).await? {
            return Err(Error::not_found("group", group_id));
        }
        self.group_access(&mut *tx, p, Op::Relate, group_id).await?;
        if !tx.unlink(Link::GroupMember, group_id, member_id).await? {
            return Err(Error::not_found("member", member_id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks that the caller may do `op` to the group: a directory role, or owning it.
    async fn group_access(&self, tx: &mut dyn Tx, p: &Principal, op: Op, id: &str) -> Result<()> {
        let check = self.check_in(tx, p, op, Res::Group, &Obj::new(id)).await?;
        let own = check.needs_own() && crate::authz::own::group(tx, id, &p.object_id).await?;
        check.own(own)
    }

    /// `PUT /users/{id}/manager/$ref` (`Some`) and `DELETE .../manager/$ref` (`None`).
    pub async fn set_manager(
        &self,
        p: &Principal,
        user_id: &str,
        manager: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Relate, Res::User, &Obj::new(user_id))
            .await?;
        let mut user = tx
            .load::<User>(user_id)
            .await?
            .ok_or_else(|| Error::not_found("user", user_id))?;
        match manager {
            Some(m) => {
                if m == user_id {
                    return Err(dir_invalid(
                        "@odata.id",
                        "A user cannot be their own manager.",
                    ));
                }
                if object_kind(&mut *tx, m).await? != Some(DirectoryObjectKind::User) {
                    return Err(Error::ref_not_found("user", "@odata.id", m));
                }
                user.manager_id = Some(m.to_string());
            }
            None => {
                if user.manager_id.is_none() {
                    return Err(Error::not_found("manager", user_id));
                }
                user.manager_id = None;
            }
        }
        tx.save(&user).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// How long Entra keeps deleted groups restorable.
pub const DELETED_ITEMS_KEPT_DAYS: i64 = 30;

/// Deletes a deleted item for good, with its memberships and role assignments.
async fn purge(tx: &mut dyn Tx, id: &str) -> Result<()> {
    tx.delete(Kind::DeletedItem, id).await?;
    tx.unlink_all(Link::GroupMember, id).await?;
    tx.unlink_all(Link::GroupOwner, id).await?;
    tx.unlink_all(Link::IncompatibleGroup, id).await?;
    crate::roles::remove_principal_roles(tx, id).await?;
    Ok(())
}
