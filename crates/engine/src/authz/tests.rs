use super::*;
use accessd_domain::PrincipalKind;

fn principal(kind: PrincipalKind, scopes: &[&str], roles: &[&str], wids: &[&str]) -> Principal {
    Principal {
        kind,
        object_id: "me".into(),
        tenant_id: "t".into(),
        app_id: None,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        roles: roles.iter().map(|s| s.to_string()).collect(),
        directory_roles: wids.iter().map(|s| s.to_string()).collect(),
        display: None,
    }
}

fn user(scopes: &[&str], wids: &[&str]) -> Principal {
    principal(PrincipalKind::User, scopes, &[], wids)
}

fn catalog_role(catalog: &str, role: &str) -> StoredRoles {
    let mut s = StoredRoles::default();
    s.catalogs
        .insert(catalog.into(), roles::em_role(role).unwrap().caps);
    s
}

fn verdict(g: &Grants, op: Op, res: Res, catalog: Option<&str>) -> &'static str {
    let obj = Obj {
        catalog_id: catalog.map(str::to_string),
        id: "x".into(),
    };
    match decide(g, op, res, &rule(op, res), &obj) {
        Verdict::Allow => "allow",
        Verdict::IfOwn => "if-own",
        Verdict::Deny(Error::NotFound { .. }) => "404",
        Verdict::Deny(Error::Forbidden { .. }) => "403",
        Verdict::Deny(_) => "other",
    }
}

const RW: &str = "EntitlementManagement.ReadWrite.All";
const R: &str = "EntitlementManagement.Read.All";
const SUBJECT: &str = "EntitlementMgmt-SubjectAccess.ReadWrite";

#[test]
fn an_administrator_needs_both_the_scope_and_the_role() {
    let admin = Grants::new(
        &user(&[RW], &[roles::IDENTITY_GOVERNANCE_ADMINISTRATOR]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&admin, Op::Create, Res::Catalog, None), "allow");
    assert_eq!(
        verdict(&admin, Op::Delete, Res::AccessPackage, Some("c")),
        "allow"
    );
    // The role without the scope: 403, whatever the object.
    let no_scope = Grants::new(
        &user(&["User.Read"], &[roles::GLOBAL_ADMINISTRATOR]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&no_scope, Op::Get, Res::Catalog, Some("c")), "403");
    // The scope without a role: the catalog's objects are hidden.
    let no_role = Grants::new(&user(&[RW], &[]), &StoredRoles::default());
    assert_eq!(verdict(&no_role, Op::Get, Res::Catalog, Some("c")), "404");
    assert_eq!(verdict(&no_role, Op::Create, Res::Catalog, None), "403");
}

#[test]
fn a_catalog_role_holds_for_its_catalog_only() {
    let owner = Grants::new(&user(&[RW], &[]), &catalog_role("x", roles::CATALOG_OWNER));
    assert_eq!(
        verdict(&owner, Op::Update, Res::Catalog, Some("x")),
        "allow"
    );
    assert_eq!(verdict(&owner, Op::Update, Res::Catalog, Some("y")), "404");
    assert_eq!(
        verdict(&owner, Op::Create, Res::AccessPackage, Some("x")),
        "allow"
    );
    let reader = Grants::new(&user(&[RW], &[]), &catalog_role("x", roles::CATALOG_READER));
    assert_eq!(verdict(&reader, Op::Get, Res::Policy, Some("x")), "allow");
    // It can see X's objects, so a write is refused, not hidden.
    assert_eq!(verdict(&reader, Op::Update, Res::Policy, Some("x")), "403");
    assert_eq!(verdict(&reader, Op::Get, Res::Policy, Some("y")), "404");
    assert_eq!(
        reader.catalogs_with(caps::READ),
        Some(vec!["x".to_string()])
    );
    let assigner = Grants::new(
        &user(&[RW], &[]),
        &catalog_role("x", roles::ACCESS_PACKAGE_ASSIGNMENT_MANAGER),
    );
    assert_eq!(
        verdict(&assigner, Op::Create, Res::AdminRequest, Some("x")),
        "allow"
    );
    assert_eq!(
        verdict(&assigner, Op::Update, Res::AccessPackage, Some("x")),
        "403"
    );
}

#[test]
fn applications_hold_the_permission_or_a_role() {
    let rw = Grants::new(
        &principal(PrincipalKind::App, &[], &[RW], &[]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&rw, Op::Delete, Res::Catalog, Some("c")), "allow");
    let read = Grants::new(
        &principal(PrincipalKind::App, &[], &[R], &[]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&read, Op::Get, Res::Assignment, Some("c")), "allow");
    assert_eq!(
        verdict(&read, Op::Delete, Res::Assignment, Some("c")),
        "403"
    );
    // No permission at all, but its service principal owns catalog x.
    let sp = Grants::new(
        &principal(PrincipalKind::App, &[], &[], &[]),
        &catalog_role("x", roles::CATALOG_OWNER),
    );
    assert_eq!(
        verdict(&sp, Op::Create, Res::AccessPackage, Some("x")),
        "allow"
    );
    assert_eq!(verdict(&sp, Op::Get, Res::Policy, Some("y")), "404");
    // Scopes in an app-only token mean nothing.
    let confused = Grants::new(
        &principal(PrincipalKind::App, &[RW], &[], &[]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&confused, Op::List, Res::Catalog, None), "403");
}

#[test]
fn delegated_only_operations_refuse_app_only_tokens() {
    let app = Grants::new(
        &principal(PrincipalKind::App, &[], &[RW], &[]),
        &StoredRoles::default(),
    );
    for (op, res) in [
        (Op::Decide, Res::Approval),
        (Op::Mine, Res::Approval),
        (Op::Mine, Res::Request),
        (Op::Mine, Res::Assignment),
        (Op::AdditionalAccess, Res::Assignment),
        (Op::Requirements, Res::AccessPackage),
        (Op::Create, Res::Request),
    ] {
        assert_eq!(verdict(&app, op, res, Some("c")), "403", "{op:?} {res:?}");
    }
}

#[test]
fn a_requestor_gets_the_requestors_way() {
    let plain = Grants::new(&user(&[SUBJECT], &[]), &StoredRoles::default());
    assert_eq!(verdict(&plain, Op::Create, Res::Request, None), "allow");
    assert_eq!(
        verdict(&plain, Op::Cancel, Res::Request, Some("c")),
        "if-own"
    );
    assert_eq!(verdict(&plain, Op::Get, Res::Request, Some("c")), "if-own");
    assert_eq!(verdict(&plain, Op::Mine, Res::Request, None), "allow");
    // filterByCurrentUser on assignments needs Read.All (as documented).
    assert_eq!(verdict(&plain, Op::Mine, Res::Assignment, None), "403");
    // Without the write permission it is refused outright, whatever the catalog.
    assert_eq!(
        verdict(&plain, Op::Create, Res::AdminRequest, Some("c")),
        "403"
    );
    assert_eq!(verdict(&plain, Op::Decide, Res::Approval, Some("c")), "403");
    let approver = Grants::new(&user(&[RW], &[]), &StoredRoles::default());
    assert_eq!(
        verdict(&approver, Op::Decide, Res::Approval, Some("c")),
        "if-own"
    );
}

#[test]
fn directory_writes_need_a_directory_role_for_users_and_only_the_permission_for_apps() {
    let reader = Grants::new(&user(&["User.ReadWrite.All"], &[]), &StoredRoles::default());
    assert_eq!(verdict(&reader, Op::Get, Res::User, None), "allow");
    assert_eq!(verdict(&reader, Op::Create, Res::User, None), "403");
    let admin = Grants::new(
        &user(&["User.ReadWrite.All"], &[roles::USER_ADMINISTRATOR]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&admin, Op::Create, Res::User, None), "allow");
    let app = Grants::new(
        &principal(PrincipalKind::App, &[], &["Group.ReadWrite.All"], &[]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&app, Op::Relate, Res::Group, None), "allow");
    assert_eq!(verdict(&app, Op::Create, Res::User, None), "403");
    let owner = Grants::new(
        &user(&["Group.ReadWrite.All"], &[]),
        &StoredRoles::default(),
    );
    assert_eq!(verdict(&owner, Op::Relate, Res::Group, None), "if-own");
}

#[test]
fn the_system_may_do_anything() {
    let g = Grants::new(&Principal::system("t"), &StoredRoles::default());
    assert_eq!(verdict(&g, Op::Delete, Res::Catalog, Some("c")), "allow");
    assert_eq!(verdict(&g, Op::Decide, Res::Approval, Some("c")), "allow");
}

#[test]
fn permission_names_compare_without_case() {
    assert_eq!(
        perms::of("entitlementmanagement.readwrite.all") & perms::EM_WRITE,
        perms::EM_WRITE
    );
    assert_eq!(perms::of("Nonsense.All"), 0);
}
