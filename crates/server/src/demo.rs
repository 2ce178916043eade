//! The demo tenant `serve --demo` loads into an empty store: a few people and groups, one
//! catalog holding two groups as resources, two access packages with a direct-assignment policy
//! and a self-service policy with approval, and some assignments. Ids are fixed so that docs
//! and scripts can name them.

use accessd_domain::query::Query;
use accessd_domain::store::{Kind, TxExt};
use accessd_domain::*;
use accessd_engine::{Engine, RequestDraft, ResourceDraft, RoleAssignmentDraft, RoleScopeDraft};

pub const ALICE: &str = "11111111-1111-1111-1111-111111111111";
pub const BOB: &str = "22222222-2222-2222-2222-222222222222";
pub const SALES: &str = "33333333-3333-3333-3333-333333333333";
pub const CAROL: &str = "44444444-4444-4444-4444-444444444444";
pub const DAVE: &str = "55555555-5555-5555-5555-555555555555";
pub const ENGINEERING: &str = "66666666-6666-6666-6666-666666666666";

fn user(
    id: &str,
    name: &str,
    upn: &str,
    kind: &str,
    manager: Option<&str>,
    now: Timestamp,
) -> User {
    User {
        id: id.into(),
        display_name: Some(name.into()),
        user_principal_name: Some(upn.into()),
        mail: Some(upn.into()),
        mail_nickname: upn.split('@').next().map(str::to_string),
        given_name: name.split(' ').next().map(str::to_string),
        surname: name.split(' ').nth(1).map(str::to_string),
        job_title: None,
        department: None,
        user_type: Some(kind.into()),
        account_enabled: Some(true),
        employee_id: None,
        manager_id: manager.map(str::to_string),
        created_date_time: now,
    }
}

fn group(id: &str, name: &str, now: Timestamp) -> Group {
    Group {
        id: id.into(),
        display_name: Some(name.into()),
        description: Some(format!("{name} team")),
        mail: None,
        mail_enabled: Some(false),
        mail_nickname: Some(name.to_lowercase()),
        security_enabled: Some(true),
        group_types: vec![],
        visibility: None,
        created_date_time: now,
    }
}

fn single_user(id: &str, backup: bool) -> SubjectSet {
    SubjectSet {
        kind: SubjectSetKind::SingleUser,
        id: Some(id.into()),
        description: None,
        manager_level: None,
        membership_rule: None,
        is_backup: backup,
    }
}

/// Loads the demo tenant unless the store already holds a catalog.
/// The password every demo user signs in with at the built-in token endpoint (a demo's, not a
/// secret: it is printed and documented).
pub const DEMO_PASSWORD: &str = "Demo!Passw0rd";

/// Seeds the demo tenant into an empty database; returns whether it did.
pub async fn seed_if_empty(e: &Engine, tenant_id: &str) -> anyhow::Result<bool> {
    {
        let mut r = e.store().read().await?;
        if r.count(Kind::Catalog, None).await? > 0
            || !r
                .find::<User>(&Query {
                    limit: Some(1),
                    ..Query::default()
                })
                .await?
                .is_empty()
        {
            return Ok(false);
        }
    }
    let p = Principal::system(tenant_id);
    let now = e.now();
    // The administrator the printed token speaks for is a real directory user, with the
    // directory role that the token's `wids` names too. Its id is fixed, so its creation is
    // also the claim: of several instances starting at once on one database, the one that
    // creates it seeds, the others find it taken and leave the seeding to it.
    let claimed = e
        .create_user(
            &p,
            user(
                crate::server::ADMIN_OBJECT_ID,
                "Adele Admin",
                "admin@contoso.test",
                "Member",
                None,
                now,
            ),
            Some(DEMO_PASSWORD),
        )
        .await;
    match claimed {
        Ok(_) => {}
        // Taken meanwhile (the directory refuses an id that exists).
        Err(accessd_engine::Error::Invalid {
            target: Some(t), ..
        }) if t == "id" => return Ok(false),
        Err(accessd_engine::Error::Conflict { .. })
        | Err(accessd_engine::Error::Store(accessd_domain::StoreError::Conflict(_))) => {
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    }
    e.create_role_assignment(
        &p,
        RoleProvider::Directory,
        RoleAssignmentDraft {
            role_definition_id: Some(accessd_api::auth::GLOBAL_ADMINISTRATOR.into()),
            principal_id: Some(crate::server::ADMIN_OBJECT_ID.into()),
            directory_scope_id: Some("/".into()),
            app_scope_id: None,
        },
    )
    .await?;
    e.create_user(
        &p,
        user(
            ALICE,
            "Alice Admin",
            "alice@contoso.test",
            "Member",
            None,
            now,
        ),
        Some(DEMO_PASSWORD),
    )
    .await?;
    e.create_user(
        &p,
        user(
            BOB,
            "Bob Seller",
            "bob@contoso.test",
            "Member",
            Some(ALICE),
            now,
        ),
        Some(DEMO_PASSWORD),
    )
    .await?;
    e.create_user(
        &p,
        user(
            CAROL,
            "Carol Builder",
            "carol@contoso.test",
            "Member",
            Some(ALICE),
            now,
        ),
        Some(DEMO_PASSWORD),
    )
    .await?;
    e.create_user(
        &p,
        user(
            DAVE,
            "Dave Guest",
            "dave_fabrikam.test#EXT#@contoso.test",
            "Guest",
            None,
            now,
        ),
        Some(DEMO_PASSWORD),
    )
    .await?;
    e.create_group(&p, group(SALES, "Sales", now)).await?;
    e.create_group(&p, group(ENGINEERING, "Engineering", now))
        .await?;
    e.add_group_member(&p, ENGINEERING, CAROL).await?;

    let catalog = e
        .create_catalog(
            &p,
            Catalog {
                id: String::new(),
                display_name: Some("General".into()),
                description: Some("Everyday access for everyone at Contoso".into()),
                catalog_type: CatalogType::UserManaged,
                state: CatalogState::Published,
                is_externally_visible: false,
                unique_name: None,
                privilege_level: PrivilegeLevel::Standard,
                audit: model::Audit::new(now, None),
            },
        )
        .await?;
    for g in [SALES, ENGINEERING] {
        e.submit_resource_request(
            &p,
            ResourceDraft {
                request_type: Some(RequestType::AdminAdd),
                catalog_id: Some(catalog.id.clone()),
                origin_id: Some(g.into()),
                origin_system: Some("AadGroup".into()),
                ..ResourceDraft::default()
            },
        )
        .await?;
    }
    let mut packages = Vec::new();
    for (name, desc, g) in [
        ("Sales tools", "CRM and the Sales group", SALES),
        (
            "Engineering tools",
            "Source control and the Engineering group",
            ENGINEERING,
        ),
    ] {
        let ap = e
            .create_access_package(
                &p,
                AccessPackage {
                    id: String::new(),
                    catalog_id: catalog.id.clone(),
                    display_name: Some(name.into()),
                    description: Some(desc.into()),
                    is_hidden: false,
                    is_role_scopes_visible: false,
                    unique_name: None,
                    audit: model::Audit::new(now, None),
                },
            )
            .await?;
        e.add_role_scope(
            &p,
            RoleScopeDraft {
                access_package_id: ap.id.clone(),
                role_origin_id: Some(format!("Member_{g}")),
                resource_origin_id: Some(g.into()),
                ..RoleScopeDraft::default()
            },
        )
        .await?;
        let direct = e
            .create_policy(
                &p,
                Policy {
                    display_name: Some("Direct assignment".into()),
                    description: Some("Administrators assign this package directly".into()),
                    ..blank_policy(&ap.id, now)
                },
            )
            .await?;
        let self_service = e
            .create_policy(
                &p,
                Policy {
                    display_name: Some("Self-service with manager approval".into()),
                    description: Some(
                        "Members ask; their manager approves; access lasts 90 days".into(),
                    ),
                    target_scope: TargetScope::AllMemberUsers,
                    expiration: ExpirationPattern {
                        kind: Some(ExpirationType::AfterDuration),
                        duration: Some(Duration::days(90)),
                        end_date_time: None,
                    },
                    requestor: RequestorSettings {
                        enable_targets_to_self_add_access: true,
                        enable_targets_to_self_update_access: true,
                        enable_targets_to_self_remove_access: true,
                        ..RequestorSettings::default()
                    },
                    approval: Some(ApprovalSettings {
                        is_approval_required_for_add: true,
                        is_approval_required_for_update: false,
                        is_requestor_justification_required: true,
                        mode: None,
                        stages: vec![ApprovalStage {
                            duration_before_automatic_denial: Some(Duration::days(14)),
                            primary_approvers: vec![
                                SubjectSet {
                                    kind: SubjectSetKind::RequestorManager,
                                    id: None,
                                    description: None,
                                    manager_level: Some(1),
                                    membership_rule: None,
                                    is_backup: false,
                                },
                                single_user(ALICE, true),
                            ],
                            ..ApprovalStage::default()
                        }],
                    }),
                    ..blank_policy(&ap.id, now)
                },
            )
            .await?;
        packages.push((ap, direct, self_service));
    }
    for (who, (ap, direct, _)) in [(BOB, &packages[0]), (CAROL, &packages[1])] {
        e.submit_request(
            &p,
            RequestDraft {
                request_type: Some(RequestType::AdminAdd),
                access_package_id: Some(ap.id.clone()),
                policy_id: Some(direct.id.clone()),
                target_id: Some(who.into()),
                justification: Some("Demo data".into()),
                ..RequestDraft::default()
            },
        )
        .await?;
    }
    tracing::info!(
        "loaded the demo tenant (users Adele (admin), Alice, Bob, Carol, Dave; catalog General; 2 access packages)"
    );
    Ok(true)
}

fn blank_policy(package: &str, now: Timestamp) -> Policy {
    Policy {
        id: String::new(),
        access_package_id: package.into(),
        catalog_id: String::new(),
        display_name: None,
        description: None,
        audit: model::Audit::new(now, None),
        target_scope: TargetScope::NotSpecified,
        specific_allowed_targets: vec![],
        expiration: ExpirationPattern {
            kind: Some(ExpirationType::NoExpiration),
            duration: None,
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
