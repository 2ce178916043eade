//! The use cases against a real store: in-memory SQLite, or with `ACCESSD_TEST_STORE=postgres`
//! a PostgreSQL database of its own on the server `ACCESSD_TEST_POSTGRES` names.

use std::sync::Arc;

use accessd_domain::store::{Link, TxExt};
use accessd_domain::*;
use accessd_store_postgres::testing::{TestDatabase, server_url};
use accessd_store_sqlite::SqliteStore;

use crate::*;

/// An engine on a fresh store, and the PostgreSQL database to drop after the test (if any).
pub(crate) async fn engine() -> (Engine, Option<TestDatabase>) {
    let clock = ManualClock::new(Timestamp::parse("2030-01-01T00:00:00Z").unwrap());
    if std::env::var("ACCESSD_TEST_STORE").as_deref() == Ok("postgres") {
        let server = server_url().expect("ACCESSD_TEST_STORE=postgres needs ACCESSD_TEST_POSTGRES");
        let (store, db) = TestDatabase::open(&server).await.unwrap();
        return (Engine::new(Arc::new(store), Arc::new(clock)), Some(db));
    }
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    (Engine::new(Arc::new(store), Arc::new(clock)), None)
}

pub(crate) fn admin() -> Principal {
    Principal::system("t")
}

fn user(id: &str) -> User {
    User {
        id: id.into(),
        display_name: Some(format!("User {id}")),
        user_principal_name: Some(format!("{id}@contoso.test")),
        mail: None,
        mail_nickname: None,
        given_name: None,
        surname: None,
        job_title: None,
        department: None,
        user_type: Some("Member".into()),
        account_enabled: Some(true),
        employee_id: None,
        manager_id: None,
        created_date_time: Timestamp::parse("2000-01-01T00:00:00Z").unwrap(),
    }
}

fn group(id: &str) -> Group {
    Group {
        id: id.into(),
        display_name: Some(format!("Group {id}")),
        description: None,
        mail: None,
        mail_enabled: Some(false),
        mail_nickname: None,
        security_enabled: Some(true),
        group_types: vec![],
        visibility: None,
        created_date_time: Timestamp::parse("2000-01-01T00:00:00Z").unwrap(),
    }
}

pub(crate) fn catalog() -> Catalog {
    Catalog {
        id: String::new(),
        display_name: Some("Sales".into()),
        description: None,
        catalog_type: CatalogType::UserManaged,
        state: CatalogState::Published,
        is_externally_visible: false,
        unique_name: None,
        privilege_level: PrivilegeLevel::Standard,
        audit: model::Audit::new(Timestamp::parse("2000-01-01T00:00:00Z").unwrap(), None),
    }
}

fn package(catalog_id: &str) -> AccessPackage {
    AccessPackage {
        id: String::new(),
        catalog_id: catalog_id.into(),
        display_name: Some("Sales tools".into()),
        description: None,
        is_hidden: false,
        is_role_scopes_visible: false,
        unique_name: None,
        audit: model::Audit::new(Timestamp::parse("2000-01-01T00:00:00Z").unwrap(), None),
    }
}

fn policy(package_id: &str) -> Policy {
    Policy {
        id: String::new(),
        access_package_id: package_id.into(),
        catalog_id: String::new(),
        display_name: Some("Direct".into()),
        description: None,
        audit: model::Audit::new(Timestamp::parse("2000-01-01T00:00:00Z").unwrap(), None),
        target_scope: TargetScope::NotSpecified,
        specific_allowed_targets: vec![],
        expiration: ExpirationPattern {
            kind: Some(ExpirationType::AfterDuration),
            duration: Some(Duration::days(30)),
            end_date_time: None,
        },
        requestor: RequestorSettings::default(),
        approval: None,
        review: None,
        automatic_request: None,
        notification: None,
        questions: vec![],
        custom_extension_stage_settings: vec![],
        verifiable_credential_settings: None,
    }
}

#[tokio::test]
async fn delete_refusals_follow_the_real_service() {
    let (e, _db) = engine().await;
    let p = admin();
    e.create_user(&p, user("u1"), None).await.unwrap();
    let c = e.create_catalog(&p, catalog()).await.unwrap();
    let ap = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let pol = e.create_policy(&p, policy(&ap.id)).await.unwrap();
    assert_eq!(pol.catalog_id, c.id);
    let (a, req) = e
        .create_assignment(
            &p,
            AssignmentDraft {
                access_package_id: Some(ap.id.clone()),
                policy_id: Some(pol.id.clone()),
                target_id: Some("u1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(req.assignment_id.as_deref(), Some(a.id.as_str()));
    assert_eq!(
        a.schedule.expiration.as_ref().and_then(|x| x.duration),
        Some(Duration::days(30))
    );
    assert!(matches!(
        e.delete_catalog(&p, &c.id).await,
        Err(Error::Invalid {
            code: "InvalidDeleteCatalogHasAccessPackages",
            ..
        })
    ));
    assert!(matches!(
        e.delete_access_package(&p, &ap.id).await,
        Err(Error::Invalid {
            code: "InvalidDeleteAccessPackageHasAssignments",
            ..
        })
    ));
    assert!(matches!(
        e.delete_policy(&p, &pol.id).await,
        Err(Error::Invalid {
            code: "InvalidDeletePolicyHasAssignments",
            ..
        })
    ));
    e.delete_assignment(&p, &a.id).await.unwrap();
    e.delete_access_package(&p, &ap.id).await.unwrap();
    let mut r = e.store().read().await.unwrap();
    assert!(
        r.load::<Policy>(&pol.id).await.unwrap().is_none(),
        "policies go with their package"
    );
    drop(r);
    e.delete_catalog(&p, &c.id).await.unwrap();
}

#[tokio::test]
async fn ids_must_agree_and_exist() {
    let (e, _db) = engine().await;
    let p = admin();
    e.create_user(&p, user("u1"), None).await.unwrap();
    let c = e.create_catalog(&p, catalog()).await.unwrap();
    let c2 = e.create_catalog(&p, catalog()).await.unwrap();
    let ap = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let ap2 = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let pol2 = e.create_policy(&p, policy(&ap2.id)).await.unwrap();
    let pol = e.create_policy(&p, policy(&ap.id)).await.unwrap();
    let draft = |cat: &str, pkg: &str, pol: &str, t: &str| AssignmentDraft {
        catalog_id: Some(cat.into()),
        access_package_id: Some(pkg.into()),
        policy_id: Some(pol.into()),
        target_id: Some(t.into()),
        ..Default::default()
    };
    let err = e
        .create_assignment(&p, draft(&c.id, &ap.id, &pol2.id, "u1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid { target: Some(t), .. } if t == "assignmentPolicyId"),
        "{err:?}"
    );
    let err = e
        .create_assignment(&p, draft(&c2.id, &ap.id, &pol.id, "u1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid { target: Some(t), .. } if t == "catalogId"),
        "{err:?}"
    );
    let err = e
        .create_assignment(&p, draft(&c.id, &ap.id, &pol.id, "nobody"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotFound {
                entity: "subject",
                ..
            }
        ),
        "{err:?}"
    );
    let err = e
        .create_assignment(&p, draft(&c.id, "nope", &pol.id, "u1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotFound {
                entity: "access package",
                ..
            }
        ),
        "{err:?}"
    );
    // Nothing half-written by the failures.
    let mut r = e.store().read().await.unwrap();
    assert_eq!(r.count(Kind::Assignment, None).await.unwrap(), 0);
    assert_eq!(r.count(Kind::Subject, None).await.unwrap(), 0);
}

#[tokio::test]
async fn delivery_follows_role_scopes_and_state() {
    let (e, _db) = engine().await;
    let p = admin();
    e.create_user(&p, user("u1"), None).await.unwrap();
    e.create_group(&p, group("g1")).await.unwrap();
    let c = e.create_catalog(&p, catalog()).await.unwrap();
    let (_, res) = e
        .submit_resource_request(
            &p,
            ResourceDraft {
                request_type: Some(RequestType::AdminAdd),
                catalog_id: Some(c.id.clone()),
                origin_id: Some("g1".into()),
                origin_system: Some("AadGroup".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let res = res.unwrap();
    assert_eq!(res.display_name.as_deref(), Some("Group g1"));
    let ap = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let pol = e.create_policy(&p, policy(&ap.id)).await.unwrap();
    e.add_role_scope(
        &p,
        RoleScopeDraft {
            access_package_id: ap.id.clone(),
            role_origin_id: Some("Member_g1".into()),
            resource_id: Some(res.id.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let req = e
        .submit_request(
            &p,
            RequestDraft {
                request_type: Some(RequestType::AdminAdd),
                access_package_id: Some(ap.id.clone()),
                policy_id: Some(pol.id.clone()),
                target_id: Some("u1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(req.state, RequestState::Delivered);
    let aid = req.assignment_id.clone().unwrap();
    let mut r = e.store().read().await.unwrap();
    assert_eq!(
        r.linked(Link::GroupMember, "g1").await.unwrap(),
        vec!["u1".to_string()]
    );
    assert_eq!(r.linked_to(Link::DeliveredBy, &aid).await.unwrap().len(), 1);
    drop(r);
    // A second request for the same target and policy is refused.
    let again = e
        .submit_request(
            &p,
            RequestDraft {
                request_type: Some(RequestType::AdminAdd),
                access_package_id: Some(ap.id.clone()),
                policy_id: Some(pol.id.clone()),
                target_id: Some("u1".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(
        again,
        Err(Error::Invalid {
            code: "ExistingAssignment",
            ..
        })
    ));
    // Removal withdraws the membership.
    e.submit_request(
        &p,
        RequestDraft {
            request_type: Some(RequestType::AdminRemove),
            assignment_id: Some(aid.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut r = e.store().read().await.unwrap();
    assert!(r.linked(Link::GroupMember, "g1").await.unwrap().is_empty());
    let a: Assignment = r.load(&aid).await.unwrap().unwrap();
    assert_eq!(a.state, AssignmentState::Expired);
    drop(r);
    // The group can go while it is a catalog resource (to the deleted items, as in Entra).
    e.delete_group(&p, "g1").await.unwrap();
    let mut r = e.store().read().await.unwrap();
    assert!(r.exists(Kind::DeletedItem, "g1").await.unwrap());
    assert!(!r.exists(Kind::Group, "g1").await.unwrap());
}

fn self_service(package_id: &str, scope: TargetScope, approval: bool) -> Policy {
    let mut p = policy(package_id);
    p.display_name = Some("Self service".into());
    p.target_scope = scope;
    p.requestor.enable_targets_to_self_add_access = true;
    if approval {
        p.approval = Some(ApprovalSettings {
            is_approval_required_for_add: true,
            stages: vec![ApprovalStage::default()],
            ..ApprovalSettings::default()
        });
    }
    p
}

fn as_user(id: &str) -> Principal {
    Principal {
        kind: PrincipalKind::User,
        object_id: id.into(),
        tenant_id: "t".into(),
        app_id: None,
        scopes: vec!["EntitlementManagement.ReadWrite.All".into()],
        roles: vec![],
        directory_roles: vec![],
        display: None,
    }
}

#[tokio::test]
async fn user_add_follows_eligibility_and_approval() {
    let (e, _db) = engine().await;
    let p = admin();
    e.create_user(&p, user("u1"), None).await.unwrap();
    let mut guest = user("g1");
    guest.user_type = Some("Guest".into());
    e.create_user(&p, guest, None).await.unwrap();
    let c = e.create_catalog(&p, catalog()).await.unwrap();
    let ap = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let members = e
        .create_policy(&p, self_service(&ap.id, TargetScope::AllMemberUsers, false))
        .await
        .unwrap();
    let approved = e
        .create_policy(
            &p,
            self_service(&ap.id, TargetScope::AllDirectoryUsers, true),
        )
        .await
        .unwrap();
    let ask = |policy: &str| RequestDraft {
        request_type: Some(RequestType::UserAdd),
        access_package_id: Some(ap.id.clone()),
        policy_id: Some(policy.to_string()),
        ..Default::default()
    };
    // A guest is not a member user.
    let err = e
        .submit_request(&as_user("g1"), ask(&members.id))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid {
                code: "RequestorNotAllowed",
                ..
            }
        ),
        "{err:?}"
    );
    // A member gets it at once; the requestor is the target, and createdBy is their UPN.
    let r = e
        .submit_request(&as_user("u1"), ask(&members.id))
        .await
        .unwrap();
    assert_eq!(r.state, RequestState::Delivered);
    assert_eq!(r.target_object_id.as_deref(), Some("u1"));
    assert_eq!(r.created_by.as_deref(), Some("u1@contoso.test"));
    // Through the approval policy the guest's request waits, and can be canceled, once.
    let r = e
        .submit_request(&as_user("g1"), ask(&approved.id))
        .await
        .unwrap();
    assert_eq!(r.state, RequestState::PendingApproval);
    assert!(r.assignment_id.is_none());
    let canceled = e.cancel_request(&as_user("g1"), &r.id).await.unwrap();
    assert_eq!(canceled.state, RequestState::Canceled);
    assert!(matches!(
        e.cancel_request(&as_user("g1"), &r.id).await,
        Err(Error::Invalid {
            code: "RequestNotCancelable",
            ..
        })
    ));
    // Eligibility reads agree.
    let mut tx = e.store().read().await.unwrap();
    assert_eq!(
        allowed_packages(&mut *tx, "u1").await.unwrap(),
        vec![ap.id.clone()]
    );
    assert_eq!(
        applicable_policies(&mut *tx, &ap.id, "g1")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        applicable_policies(&mut *tx, &ap.id, "u1")
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn specific_targets_are_users_and_group_members() {
    let (e, _db) = engine().await;
    let p = admin();
    for u in ["u1", "u2", "u3"] {
        e.create_user(&p, user(u), None).await.unwrap();
    }
    e.create_group(&p, group("g")).await.unwrap();
    e.add_group_member(&p, "g", "u2").await.unwrap();
    let c = e.create_catalog(&p, catalog()).await.unwrap();
    let ap = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let mut pol = self_service(&ap.id, TargetScope::SpecificDirectoryUsers, false);
    pol.specific_allowed_targets = vec![
        SubjectSet {
            kind: SubjectSetKind::SingleUser,
            id: Some("u1".into()),
            description: None,
            manager_level: None,
            membership_rule: None,
            is_backup: false,
        },
        SubjectSet {
            kind: SubjectSetKind::GroupMembers,
            id: Some("g".into()),
            description: None,
            manager_level: None,
            membership_rule: None,
            is_backup: false,
        },
    ];
    let pol = e.create_policy(&p, pol).await.unwrap();
    let mut tx = e.store().read().await.unwrap();
    assert!(is_allowed_requestor(&mut *tx, &pol, "u1").await.unwrap());
    assert!(is_allowed_requestor(&mut *tx, &pol, "u2").await.unwrap());
    assert!(!is_allowed_requestor(&mut *tx, &pol, "u3").await.unwrap());
}

#[tokio::test]
async fn reprocess_only_failed_requests_and_remove_only_once() {
    let (e, _db) = engine().await;
    let p = admin();
    e.create_user(&p, user("u1"), None).await.unwrap();
    let c = e.create_catalog(&p, catalog()).await.unwrap();
    let ap = e.create_access_package(&p, package(&c.id)).await.unwrap();
    let pol = e.create_policy(&p, policy(&ap.id)).await.unwrap();
    let r = e
        .submit_request(
            &p,
            RequestDraft {
                request_type: Some(RequestType::AdminAdd),
                access_package_id: Some(ap.id.clone()),
                policy_id: Some(pol.id.clone()),
                target_id: Some("u1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = e.reprocess_request(&p, &r.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid {
                code: "RequestNotReprocessable",
                ..
            }
        ),
        "{err:?}"
    );
    e.reprocess_assignment(&p, r.assignment_id.as_deref().unwrap())
        .await
        .unwrap();
    let remove = RequestDraft {
        request_type: Some(RequestType::AdminRemove),
        assignment_id: r.assignment_id.clone(),
        ..Default::default()
    };
    e.submit_request(&p, remove.clone()).await.unwrap();
    let again = e.submit_request(&p, remove).await.unwrap_err();
    assert!(
        matches!(
            again,
            Error::Invalid {
                code: "AssignmentAlreadyRemoved",
                ..
            }
        ),
        "{again:?}"
    );
    // Validation-only requests change nothing.
    let before = {
        e.store()
            .read()
            .await
            .unwrap()
            .count(Kind::AssignmentRequest, None)
            .await
            .unwrap()
    };
    let v = e
        .submit_request(
            &p,
            RequestDraft {
                request_type: Some(RequestType::AdminAdd),
                access_package_id: Some(ap.id.clone()),
                policy_id: Some(pol.id.clone()),
                target_id: Some("u1".into()),
                is_validation_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(v.is_validation_only);
    let after = {
        e.store()
            .read()
            .await
            .unwrap()
            .count(Kind::AssignmentRequest, None)
            .await
            .unwrap()
    };
    assert_eq!(before, after);
}
