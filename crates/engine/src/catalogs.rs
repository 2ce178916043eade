//! Catalogs and access packages.

use accessd_domain::query::{CmpOp, Expr, Query, Value};
use accessd_domain::store::{Kind, Link, Tx, TxExt};
use accessd_domain::{
    AccessPackage, AssignmentState, Catalog, Policy, Principal, model::Audit, new_id,
};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result, actor};

pub(crate) fn active_assignments(column: &'static str, id: &str) -> Expr {
    Expr::and(vec![
        Expr::col_eq(column, id),
        Expr::Cmp(
            Box::new(Expr::Column("state")),
            CmpOp::Ne,
            Box::new(Expr::Lit(Value::Text(
                AssignmentState::Expired.as_str().into(),
            ))),
        ),
    ])
}

async fn unique_name_taken(tx: &mut dyn Tx, kind: Kind, name: &str, except: &str) -> Result<bool> {
    let q = Query {
        limit: Some(2),
        ..Query::filtered(Expr::col_eq("unique_name", name))
    };
    Ok(tx.query(kind, &q).await?.iter().any(|r| r.id != except))
}

fn require_name(name: &Option<String>) -> Result<()> {
    match name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => Ok(()),
        _ => Err(Error::invalid(
            "displayName",
            "The property 'displayName' is required and cannot be empty.",
        )),
    }
}

impl Engine {
    pub async fn create_catalog(&self, p: &Principal, mut c: Catalog) -> Result<Catalog> {
        require_name(&c.display_name)?;
        let mut tx = self.begin().await?;
        self.authorize_in(&mut *tx, p, Op::Create, Res::Catalog, &Obj::default())
            .await?;
        c.id = new_id();
        c.audit = Audit::new(self.now(), Some(actor(&mut *tx, p).await?));
        if let Some(u) = &c.unique_name
            && unique_name_taken(&mut *tx, Kind::Catalog, u, &c.id).await?
        {
            return Err(Error::invalid(
                "uniqueName",
                format!("A catalog with uniqueName '{u}' already exists."),
            ));
        }
        tx.create(&c).await?;
        // The creator of a catalog becomes its first owner.
        crate::roles::make_owner(&mut *tx, p, &c.id, self.now()).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn update_catalog<F>(&self, p: &Principal, id: &str, change: F) -> Result<Catalog>
    where
        F: FnOnce(&mut Catalog) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        let mut c = tx
            .load::<Catalog>(id)
            .await?
            .ok_or_else(|| Error::not_found("catalog", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::Catalog,
            &Obj::in_catalog(id, id),
        )
        .await?;
        let audit = c.audit.clone();
        change(&mut c)?;
        require_name(&c.display_name)?;
        c.id = id.to_string();
        c.audit = audit;
        c.audit.touch(self.now(), Some(actor(&mut *tx, p).await?));
        if let Some(u) = &c.unique_name
            && unique_name_taken(&mut *tx, Kind::Catalog, u, id).await?
        {
            return Err(Error::invalid(
                "uniqueName",
                format!("A catalog with uniqueName '{u}' already exists."),
            ));
        }
        tx.save(&c).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Refused while the catalog holds access packages; its resources go with it.
    pub async fn delete_catalog(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tx.exists(Kind::Catalog, id).await? {
            return Err(Error::not_found("catalog", id));
        }
        self.authorize_in(
            &mut *tx,
            p,
            Op::Delete,
            Res::Catalog,
            &Obj::in_catalog(id, id),
        )
        .await?;
        let packages = tx
            .count(Kind::AccessPackage, Some(&Expr::col_eq("catalog_id", id)))
            .await?;
        if packages > 0 {
            return Err(Error::refused(
                "InvalidDeleteCatalogHasAccessPackages",
                format!(
                    "The catalog '{id}' cannot be deleted because it still contains {packages} access package(s)."
                ),
            ));
        }
        for kind in [Kind::ResourceRole, Kind::ResourceScope, Kind::Resource] {
            let rows = tx
                .query(kind, &Query::filtered(Expr::col_eq("catalog_id", id)))
                .await?;
            for r in rows {
                tx.delete(kind, &r.id).await?;
            }
        }
        crate::roles::remove_catalog_roles(&mut *tx, id).await?;
        tx.delete(Kind::Catalog, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_access_package(
        &self,
        p: &Principal,
        mut ap: AccessPackage,
    ) -> Result<AccessPackage> {
        require_name(&ap.display_name)?;
        if ap.catalog_id.is_empty() {
            return Err(Error::invalid(
                "catalog",
                "The access package's catalog is required (catalog.id or catalogId).",
            ));
        }
        let mut tx = self.begin().await?;
        if !tx.exists(Kind::Catalog, &ap.catalog_id).await? {
            return Err(Error::ref_not_found("catalog", "catalogId", &ap.catalog_id));
        }
        let obj = Obj::in_catalog(&ap.catalog_id, &ap.catalog_id);
        self.authorize_in(&mut *tx, p, Op::Create, Res::AccessPackage, &obj)
            .await?;
        ap.id = new_id();
        ap.audit = Audit::new(self.now(), Some(actor(&mut *tx, p).await?));
        if let Some(u) = &ap.unique_name
            && unique_name_taken(&mut *tx, Kind::AccessPackage, u, &ap.id).await?
        {
            return Err(Error::invalid(
                "uniqueName",
                format!("An access package with uniqueName '{u}' already exists."),
            ));
        }
        tx.create(&ap).await?;
        tx.commit().await?;
        Ok(ap)
    }

    pub async fn update_access_package<F>(
        &self,
        p: &Principal,
        id: &str,
        change: F,
    ) -> Result<AccessPackage>
    where
        F: FnOnce(&mut AccessPackage) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        let mut ap = self.package_access(&mut *tx, p, Op::Update, id).await?;
        let (audit, catalog) = (ap.audit.clone(), ap.catalog_id.clone());
        change(&mut ap)?;
        require_name(&ap.display_name)?;
        if ap.catalog_id != catalog {
            return Err(Error::invalid(
                "catalogId",
                "An access package's catalog cannot be changed by an update; use moveToCatalog.",
            ));
        }
        ap.id = id.to_string();
        ap.audit = audit;
        ap.audit.touch(self.now(), Some(actor(&mut *tx, p).await?));
        if let Some(u) = &ap.unique_name
            && unique_name_taken(&mut *tx, Kind::AccessPackage, u, id).await?
        {
            return Err(Error::invalid(
                "uniqueName",
                format!("An access package with uniqueName '{u}' already exists."),
            ));
        }
        tx.save(&ap).await?;
        tx.commit().await?;
        Ok(ap)
    }

    /// Refused while the package has assignments that have not expired; its policies and
    /// resource role scopes go with it.
    pub async fn delete_access_package(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        self.package_access(&mut *tx, p, Op::Delete, id).await?;
        let n = tx
            .count(
                Kind::Assignment,
                Some(&active_assignments("access_package_id", id)),
            )
            .await?;
        if n > 0 {
            return Err(Error::refused(
                "InvalidDeleteAccessPackageHasAssignments",
                format!(
                    "The access package '{id}' cannot be deleted because it has {n} assignment(s); remove them first."
                ),
            ));
        }
        for kind in [Kind::Policy, Kind::ResourceRoleScope] {
            let rows = tx
                .query(
                    kind,
                    &Query::filtered(Expr::col_eq("access_package_id", id)),
                )
                .await?;
            for r in rows {
                tx.delete(kind, &r.id).await?;
                if kind == Kind::Policy {
                    crate::lifecycle::auto::remember(&mut *tx, &r.id, None).await?;
                }
            }
        }
        tx.unlink_all(Link::IncompatiblePackage, id).await?;
        tx.unlink_all(Link::IncompatibleGroup, id).await?;
        tx.delete(Kind::AccessPackage, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST .../incompatibleAccessPackages/$ref` and `.../incompatibleGroups/$ref`.
    pub async fn add_incompatible(
        &self,
        p: &Principal,
        package_id: &str,
        link: Link,
        other: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.package_access(&mut *tx, p, Op::Relate, package_id)
            .await?;
        let (kind, entity) = match link {
            Link::IncompatibleGroup => (Kind::Group, "group"),
            _ => (Kind::AccessPackage, "access package"),
        };
        if !tx.exists(kind, other).await? {
            return Err(Error::ref_not_found(entity, "@odata.id", other));
        }
        if link == Link::IncompatiblePackage && other == package_id {
            return Err(Error::invalid(
                "@odata.id",
                "An access package cannot be incompatible with itself.",
            ));
        }
        tx.link(link, package_id, other).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_incompatible(
        &self,
        p: &Principal,
        package_id: &str,
        link: Link,
        other: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        self.package_access(&mut *tx, p, Op::Relate, package_id)
            .await?;
        if !tx.unlink(link, package_id, other).await? {
            return Err(Error::not_found("reference", other));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Loads an access package and checks that the caller may do `op` to it.
    pub(crate) async fn package_access(
        &self,
        tx: &mut dyn Tx,
        p: &Principal,
        op: Op,
        id: &str,
    ) -> Result<AccessPackage> {
        let ap = tx
            .load::<AccessPackage>(id)
            .await?
            .ok_or_else(|| Error::not_found("access package", id))?;
        let obj = Obj::in_catalog(id, &ap.catalog_id);
        if let Err(e) = self.authorize_in(tx, p, op, Res::AccessPackage, &obj).await {
            let readable = matches!(e, Error::NotFound { .. })
                && crate::authz::own::package(tx, id, &p.object_id).await?;
            return Err(crate::authz::seen(e, readable));
        }
        Ok(ap)
    }

    /// Loads a policy's access package, checking that it exists.
    pub(crate) async fn package_of(tx: &mut dyn Tx, policy: &Policy) -> Result<AccessPackage> {
        tx.load::<AccessPackage>(&policy.access_package_id)
            .await?
            .ok_or_else(|| {
                Error::ref_not_found(
                    "access package",
                    "accessPackageId",
                    &policy.access_package_id,
                )
            })
    }
}
