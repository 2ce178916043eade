"""The rest of what accessd serves: navigations, top-level sets, incompatibility `$ref`s, policy
questions, subjects and `memberOf`, through both SDKs' builders."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from msgraph.generated.models.access_package import AccessPackage
from msgraph.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy
from msgraph.generated.models.access_package_assignment_request import AccessPackageAssignmentRequest
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_localized_text import AccessPackageLocalizedText
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.access_package_resource import AccessPackageResource
from msgraph.generated.models.access_package_resource_request import AccessPackageResourceRequest
from msgraph.generated.models.access_package_resource_role import AccessPackageResourceRole
from msgraph.generated.models.access_package_resource_role_scope import AccessPackageResourceRoleScope
from msgraph.generated.models.access_package_resource_scope import AccessPackageResourceScope
from msgraph.generated.models.access_package_text_input_question import AccessPackageTextInputQuestion
from msgraph.generated.models.allowed_target_scope import AllowedTargetScope
from msgraph.generated.models.group import Group
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.user import User

import harness
from harness import lossless, odata_error

N = SimpleNamespace()


@pytest.fixture(scope="module")
def em(v1):
    return v1[0].identity_governance.entitlement_management


@pytest.fixture(scope="module")
def rec(v1):
    return v1[1]


async def test_world(v1, em, rec, run_id):
    client = v1[0]
    N.manager = (
        await client.users.post(
            User(display_name=f"Nav boss {run_id}", user_principal_name=f"navboss.{run_id}@example.com", account_enabled=True)
        )
    ).id
    N.user = (
        await client.users.post(
            User(display_name=f"Nav {run_id}", user_principal_name=f"nav.{run_id}@example.com", account_enabled=True)
        )
    ).id
    N.group = (
        await client.groups.post(
            Group(display_name=f"Nav group {run_id}", mail_enabled=False, mail_nickname=f"nav{run_id}", security_enabled=True)
        )
    ).id
    N.other_group = (
        await client.groups.post(
            Group(display_name=f"Nav other {run_id}", mail_enabled=False, mail_nickname=f"navo{run_id}", security_enabled=True)
        )
    ).id
    N.catalog = (await em.catalogs.post(AccessPackageCatalog(display_name=f"Nav catalog {run_id}"))).id
    rr = await em.resource_requests.post(
        AccessPackageResourceRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            resource=AccessPackageResource(origin_id=N.group, origin_system="AadGroup"),
            catalog=AccessPackageCatalog(id=N.catalog),
        )
    )
    N.resource_request = rr.id
    N.resource = (await em.catalogs.by_access_package_catalog_id(N.catalog).resources.get()).value[0].id
    N.package = (
        await em.access_packages.post(AccessPackage(display_name=f"Nav A {run_id}", catalog=AccessPackageCatalog(id=N.catalog)))
    ).id
    N.package2 = (
        await em.access_packages.post(AccessPackage(display_name=f"Nav B {run_id}", catalog=AccessPackageCatalog(id=N.catalog)))
    ).id
    rs = await em.access_packages.by_access_package_id(N.package).resource_role_scopes.post(
        AccessPackageResourceRoleScope(
            role=AccessPackageResourceRole(
                origin_id=f"Member_{N.group}", origin_system="AadGroup", resource=AccessPackageResource(id=N.resource)
            ),
            scope=AccessPackageResourceScope(origin_id=N.group, origin_system="AadGroup"),
        )
    )
    N.role_scope = rs.id
    pol = await em.assignment_policies.post(
        AccessPackageAssignmentPolicy(
            display_name=f"Nav policy {run_id}",
            access_package=AccessPackage(id=N.package),
            allowed_target_scope=AllowedTargetScope.NotSpecified,
            questions=[
                AccessPackageTextInputQuestion(
                    is_required=True,
                    is_answer_editable=True,
                    is_single_line_question=True,
                    sequence=1,
                    text="Why?",
                    localizations=[AccessPackageLocalizedText(language_code="fr", text="Pourquoi ?")],
                )
            ],
        )
    )
    lossless(pol, rec)
    assert isinstance(pol.questions[0], AccessPackageTextInputQuestion)
    N.policy = pol.id
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            assignment=AccessPackageAssignment(
                additional_data={"targetId": N.user, "assignmentPolicyId": N.policy, "accessPackageId": N.package}
            ),
        )
    )
    N.request = r.id


async def test_v1_top_level_sets(em, rec):
    for builder in (em.resources, em.resource_role_scopes, em.resource_requests, em.subjects):
        page = await builder.get()
        lossless(page, rec)
        assert page.value, f"{builder.url_template} is empty"
    assert N.resource_request in [x.id for x in (await em.resource_requests.get()).value]
    assert N.user in [s.object_id for s in (await em.subjects.get()).value]


async def test_v1_resource_roles_and_scopes(em, rec):
    item = em.resources.by_access_package_resource_id(N.resource)
    r = await item.get()
    lossless(r, rec)
    roles = await item.roles.get()
    lossless(roles, rec)
    assert f"Member_{N.group}" in [x.origin_id for x in roles.value]
    scopes = await item.scopes.get()
    lossless(scopes, rec)
    assert scopes.value


async def test_v1_policy_questions_and_catalog(em, rec):
    item = em.assignment_policies.by_access_package_assignment_policy_id(N.policy)
    qs = await item.questions.get()
    lossless(qs, rec)
    assert isinstance(qs.value[0], AccessPackageTextInputQuestion)
    assert qs.value[0].localizations[0].text == "Pourquoi ?"
    q = await item.questions.by_access_package_question_id(qs.value[0].id).get()
    lossless(q, rec)
    c = await item.catalog.get()
    lossless(c, rec)
    assert c.id == N.catalog
    stages = await item.custom_extension_stage_settings.get()
    lossless(stages, rec)
    assert stages.value == []


async def test_v1_request_requestor(em, rec):
    s = await em.assignment_requests.by_access_package_assignment_request_id(N.request).requestor.get()
    lossless(s, rec)
    assert s.object_id == harness.ADMIN_ID


async def test_v1_incompatible_access_packages_and_groups(em, rec):
    item = em.access_packages.by_access_package_id(N.package)
    base = f"{harness.BASE}/v1.0/identityGovernance/entitlementManagement/accessPackages"
    await item.incompatible_access_packages.ref.post(ReferenceCreate(odata_id=f"{base}/{N.package2}"))
    assert rec.last()["status"] == 204
    page = await item.incompatible_access_packages.get()
    lossless(page, rec)
    assert [p.id for p in page.value] == [N.package2]
    back = await em.access_packages.by_access_package_id(N.package2).access_packages_incompatible_with.get()
    lossless(back, rec)
    assert [p.id for p in back.value] == [N.package]
    await item.incompatible_groups.ref.post(ReferenceCreate(odata_id=f"{harness.BASE}/v1.0/groups/{N.other_group}"))
    groups = await item.incompatible_groups.get()
    lossless(groups, rec)
    assert [g.id for g in groups.value] == [N.other_group]
    await item.incompatible_access_packages.by_access_package_id1(N.package2).ref.delete()
    assert rec.last()["status"] == 204
    await item.incompatible_groups.by_group_id(N.other_group).ref.delete()
    assert (await item.incompatible_access_packages.get()).value == []
    assert (await item.incompatible_groups.get()).value == []


async def test_v1_users_member_of(v1, rec):
    client = v1[0]
    groups = await client.users.by_user_id(N.user).member_of.get()
    lossless(groups, rec)
    assert N.group in [g.id for g in groups.value], "delivered by the assignment"
    owners_of = await client.groups.by_group_id(N.group).member_of.get()
    lossless(owners_of, rec)


async def test_beta_navigations(beta, run_id):
    client, rec = beta
    em = client.identity_governance.entitlement_management
    for builder in (
        em.access_package_resources,
        em.access_package_resource_role_scopes,
        em.access_package_resource_requests,
        em.access_package_assignment_resource_roles,
    ):
        page = await builder.get()
        lossless(page, rec)
        assert page.value
    rr = (await em.access_package_assignment_resource_roles.get()).value
    mine = [x for x in rr if x.origin_id == f"Member_{N.group}"] or rr
    item = em.access_package_assignment_resource_roles.by_access_package_assignment_resource_role_id(mine[0].id)
    role = await item.access_package_resource_role.get()
    lossless(role, rec)
    scope = await item.access_package_resource_scope.get()
    lossless(scope, rec)
    subject = await item.access_package_subject.get()
    lossless(subject, rec)
    res = em.access_package_catalogs.by_access_package_catalog_id(N.catalog).access_package_resources
    page = await res.get()
    lossless(page, rec)
    r = res.by_access_package_resource_id(page.value[0].id)
    roles = await r.access_package_resource_roles.get()
    lossless(roles, rec)
    scopes = await r.access_package_resource_scopes.get()
    lossless(scopes, rec)
    pol = em.access_package_assignment_policies.by_access_package_assignment_policy_id(N.policy)
    p = await pol.get()
    lossless(p, rec)
    assert p.questions and p.questions[0].text.default_text == "Why?"
    ap = await pol.access_package.get()
    lossless(ap, rec)
    c = await pol.access_package_catalog.get()
    lossless(c, rec)
    req = em.access_package_assignment_requests.by_access_package_assignment_request_id(N.request)
    s = await req.requestor.get()
    lossless(s, rec)


async def test_beta_incompatible_ref(beta):
    from msgraph_beta.generated.models.reference_create import ReferenceCreate as BRef

    client, rec = beta
    item = client.identity_governance.entitlement_management.access_packages.by_access_package_id(N.package)
    await item.incompatible_access_packages.ref.post(
        BRef(odata_id=f"{harness.BASE}/beta/identityGovernance/entitlementManagement/accessPackages/{N.package2}")
    )
    page = await item.incompatible_access_packages.get()
    lossless(page, rec)
    assert [p.id for p in page.value] == [N.package2]
    await item.incompatible_access_packages.by_access_package_id1(N.package2).ref.delete()
    assert rec.last()["status"] == 204


async def test_error_wrong_parent(em):
    # Paths are checked as they are walked: a policy that is not the package's is 404.
    with pytest.raises(ODataError) as e:
        await em.access_packages.by_access_package_id(N.package2).assignment_policies.by_access_package_assignment_policy_id(
            N.policy
        ).get()
    assert odata_error(e) == (404, "ResourceNotFound")
