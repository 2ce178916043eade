"""Microsoft Graph beta through `msgraph-beta-sdk`: every operation accessd serves, including the
seed documents' direct writes of assignments and policies, each answer checked against the
SDK's models (`harness.lossless`).

Where the SDK has no builder for a documented call (PATCH of a policy at its canonical path and
at the root-level alias; PATCH through a few navigation paths; `POST .../$ref`), the call goes
through the SDK's own request adapter and serializer, with the URL of the closest builder
(`harness_patch`) or `with_url`. Each such place says so."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from msgraph_beta.generated.identity_governance.entitlement_management.access_package_assignments.access_package_assignments_request_builder import (
    AccessPackageAssignmentsRequestBuilder,
)
from msgraph_beta.generated.identity_governance.entitlement_management.access_package_catalogs.access_package_catalogs_request_builder import (
    AccessPackageCatalogsRequestBuilder,
)
from msgraph_beta.generated.models.access_package import AccessPackage
from msgraph_beta.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph_beta.generated.models.access_package_assignment_policy import (
    AccessPackageAssignmentPolicy,
)
from msgraph_beta.generated.models.access_package_assignment_request import (
    AccessPackageAssignmentRequest,
)
from msgraph_beta.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph_beta.generated.models.access_package_resource import AccessPackageResource
from msgraph_beta.generated.models.access_package_resource_request import (
    AccessPackageResourceRequest,
)
from msgraph_beta.generated.models.access_package_resource_role import AccessPackageResourceRole
from msgraph_beta.generated.models.access_package_resource_role_scope import (
    AccessPackageResourceRoleScope,
)
from msgraph_beta.generated.models.access_package_resource_scope import AccessPackageResourceScope
from msgraph_beta.generated.models.approval_settings import ApprovalSettings
from msgraph_beta.generated.models.approval_stage import ApprovalStage
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.reference_create import ReferenceCreate as BRef
from msgraph_beta.generated.models.request_schedule import RequestSchedule
from msgraph_beta.generated.models.requestor_settings import RequestorSettings
from msgraph_beta.generated.models.single_user import SingleUser
from msgraph_core.tasks.page_iterator import PageIterator

import harness
from harness import lossless, odata_error

W = SimpleNamespace()


@pytest.fixture(scope="module")
def em(beta):
    return beta[0].identity_governance.entitlement_management


@pytest.fixture(scope="module")
def rec(beta):
    return beta[1]


async def harness_patch(builder: Any, body: Any, model: Any) -> Any:
    """PATCH at a builder's URL where the SDK offers no `patch`: the builder's own URL template,
    the SDK's serializer and adapter, only the method changed."""
    info = builder.to_get_request_information()
    info.http_method = Method.PATCH
    info.headers.try_add("Accept", "application/json")
    info.set_content_from_parsable(builder.request_adapter, "application/json", body)
    return await builder.request_adapter.send_async(
        info, model, {"XXX": ODataError}
    )


# ---- directory -------------------------------------------------------------------------------


async def test_create_users_and_group(beta, rec, run_id):
    from msgraph_beta.generated.models.group import Group
    from msgraph_beta.generated.models.password_profile import PasswordProfile
    from msgraph_beta.generated.models.user import User

    client = beta[0]
    W.users = []
    for name in ("Alan", "Barbara", "Donald"):
        u = await client.users.post(
            User(
                account_enabled=True,
                display_name=f"{name} {run_id}",
                mail_nickname=f"{name.lower()}{run_id}b",
                user_principal_name=f"{name.lower()}.{run_id}@beta.example.com",
                password_profile=PasswordProfile(password="xWwvJ]6NMw+bWH-d"),
            )
        )
        lossless(u, rec)
        W.users.append(u.id)
    g = await client.groups.post(
        Group(
            display_name=f"Engineers {run_id}",
            mail_enabled=False,
            mail_nickname=f"engineers{run_id}",
            security_enabled=True,
        )
    )
    lossless(g, rec)
    W.group = g.id


# ---- catalogs and access packages ------------------------------------------------------------


async def test_catalog_create(em, rec, run_id):
    c = await em.access_package_catalogs.post(
        AccessPackageCatalog(
            display_name=f"Engineering {run_id}",
            description="Engineering catalog",
            is_externally_visible=False,
            catalog_type="UserManaged",
            catalog_status="Published",
        )
    )
    lossless(c, rec)
    assert rec.last()["status"] == 201
    assert c.catalog_status == "Published"
    assert c.created_by  # the caller's name
    W.catalog = c.id


async def test_catalog_get_update(em, rec):
    item = em.access_package_catalogs.by_access_package_catalog_id(W.catalog)
    c = await item.get()
    lossless(c, rec)
    await item.patch(AccessPackageCatalog(description="Changed"))
    c = await item.get()
    lossless(c, rec)
    assert c.description == "Changed"
    # a fetched model sent back whole
    c.display_name = c.display_name + " (renamed)"
    await item.patch(c)
    assert (await item.get()).display_name.endswith("(renamed)")


async def test_catalog_list_with_query_options(em, rec, run_id):
    cfg = RequestConfiguration(
        query_parameters=AccessPackageCatalogsRequestBuilder.AccessPackageCatalogsRequestBuilderGetQueryParameters(
            filter=f"contains(displayName, 'Engineering {run_id}')",
            select=["id", "displayName", "catalogStatus"],
            orderby=["id"],
            count=True,
        )
    )
    page = await em.access_package_catalogs.get(cfg)
    lossless(page, rec)
    assert page.odata_count == 1
    assert page.value[0].id == W.catalog


async def test_access_package_create_and_get(em, rec, run_id):
    ap = await em.access_packages.post(
        AccessPackage(
            catalog_id=W.catalog,
            display_name=f"Build servers {run_id}",
            description="Build access",
            is_hidden=False,
        )
    )
    lossless(ap, rec)
    assert ap.catalog_id == W.catalog
    W.package = ap.id
    from msgraph_beta.generated.identity_governance.entitlement_management.access_packages.item.access_package_item_request_builder import (
        AccessPackageItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageItemRequestBuilder.AccessPackageItemRequestBuilderGetQueryParameters(
            expand=["accessPackageCatalog"]
        )
    )
    ap = await em.access_packages.by_access_package_id(W.package).get(cfg)
    lossless(ap, rec)
    assert ap.access_package_catalog.id == W.catalog


async def test_access_package_update(em, rec):
    item = em.access_packages.by_access_package_id(W.package)
    await item.patch(AccessPackage(is_hidden=True))
    ap = await item.get()
    lossless(ap, rec)
    assert ap.is_hidden is True


async def test_catalog_access_packages_navigation(em, rec):
    page = await em.access_package_catalogs.by_access_package_catalog_id(W.catalog).access_packages.get()
    lossless(page, rec)
    assert [p.id for p in page.value] == [W.package]


# ---- resources -------------------------------------------------------------------------------


async def test_resource_request_adds_a_group(em, rec):
    r = await em.access_package_resource_requests.post(
        AccessPackageResourceRequest(
            catalog_id=W.catalog,
            request_type="AdminAdd",
            access_package_resource=AccessPackageResource(
                origin_id=W.group, origin_system="AadGroup", resource_type="Security Group"
            ),
        )
    )
    lossless(r, rec)
    assert r.request_type == "AdminAdd"
    page = await em.access_package_catalogs.by_access_package_catalog_id(
        W.catalog
    ).access_package_resources.get()
    lossless(page, rec)
    assert [x.origin_id for x in page.value] == [W.group]
    W.resource = page.value[0].id


async def test_resource_roles_of_the_catalog(em, rec):
    roles = await em.access_package_catalogs.by_access_package_catalog_id(
        W.catalog
    ).access_package_resource_roles.get()
    lossless(roles, rec)
    assert f"Member_{W.group}" in [r.origin_id for r in roles.value]


async def test_resource_role_scope_create_and_list(em, rec):
    scopes = em.access_packages.by_access_package_id(W.package).access_package_resource_role_scopes
    rs = await scopes.post(
        AccessPackageResourceRoleScope(
            access_package_resource_role=AccessPackageResourceRole(
                origin_id=f"Member_{W.group}",
                origin_system="AadGroup",
                display_name="Member",
                access_package_resource=AccessPackageResource(id=W.resource),
            ),
            access_package_resource_scope=AccessPackageResourceScope(
                origin_id=W.group, origin_system="AadGroup"
            ),
        )
    )
    lossless(rs, rec)
    W.role_scope = rs.id
    page = await scopes.get()
    lossless(page, rec)
    assert [x.id for x in page.value] == [W.role_scope]


# ---- policies: POST, PUT, PATCH (six paths) ---------------------------------------------------


async def test_policy_create_direct(em, rec, run_id):
    p = await em.access_package_assignment_policies.post(
        AccessPackageAssignmentPolicy(
            access_package_id=W.package,
            display_name=f"Direct {run_id}",
            description="admins assign",
            can_extend=False,
            duration_in_days=365,
            requestor_settings=RequestorSettings(scope_type="NoSubjects", accept_requests=True),
            request_approval_settings=ApprovalSettings(
                is_approval_required=False, approval_mode="NoApproval", approval_stages=[]
            ),
        )
    )
    lossless(p, rec)
    assert p.duration_in_days == 365
    W.policy = p.id


async def test_policy_create_self_service_with_approval(em, rec, run_id):
    p = await em.access_package_assignment_policies.post(
        AccessPackageAssignmentPolicy(
            access_package_id=W.package,
            display_name=f"Self-service {run_id}",
            description="ask and be approved",
            can_extend=False,
            duration_in_days=30,
            requestor_settings=RequestorSettings(
                scope_type="SpecificDirectorySubjects",
                accept_requests=True,
                allowed_requestors=[SingleUser(id=W.users[1], description="Barbara", is_backup=False)],
            ),
            request_approval_settings=ApprovalSettings(
                is_approval_required=True,
                is_approval_required_for_extension=False,
                is_requestor_justification_required=False,
                approval_mode="SingleStage",
                approval_stages=[
                    ApprovalStage(
                        approval_stage_time_out_in_days=14,
                        is_approver_justification_required=False,
                        is_escalation_enabled=False,
                        escalation_time_in_minutes=0,
                        primary_approvers=[SingleUser(id=W.users[2], is_backup=False)],
                    )
                ],
            ),
        )
    )
    lossless(p, rec)
    assert isinstance(p.requestor_settings.allowed_requestors[0], SingleUser)
    assert p.request_approval_settings.approval_stages[0].approval_stage_time_out_in_days == 14
    W.self_policy = p.id


async def test_policy_put(em, rec, run_id):
    item = em.access_package_assignment_policies.by_access_package_assignment_policy_id(W.policy)
    p = await item.get()
    lossless(p, rec)
    p.display_name = f"Direct (PUT) {run_id}"
    back = await item.put(p)
    lossless(back, rec)
    assert back.display_name == f"Direct (PUT) {run_id}"


async def test_policy_patch_canonical_path(em, rec):
    # The beta SDK has no PATCH builder for accessPackageAssignmentPolicies/{id}.
    item = em.access_package_assignment_policies.by_access_package_assignment_policy_id(W.policy)
    back = await harness_patch(
        item, AccessPackageAssignmentPolicy(description="patched (canonical)"), AccessPackageAssignmentPolicy
    )
    if back is not None:
        lossless(back, rec)
    p = await item.get()
    lossless(p, rec)
    assert p.description == "patched (canonical)"
    assert p.duration_in_days == 365  # untouched by PATCH


async def test_policy_patch_under_the_access_package(em, rec):
    item = em.access_packages.by_access_package_id(
        W.package
    ).access_package_assignment_policies.by_access_package_assignment_policy_id(W.policy)
    back = await item.patch(AccessPackageAssignmentPolicy(description="patched (package path)"))
    if back is not None:
        lossless(back, rec)
    p = await item.get()
    lossless(p, rec)
    assert p.description == "patched (package path)"


async def test_policy_patch_under_the_catalogs_access_package(em, rec):
    # catalogs/{c}/accessPackages/{ap}/accessPackageAssignmentPolicies/{p}: no SDK builder.
    builder = em.access_package_assignment_policies.by_access_package_assignment_policy_id(
        W.policy
    ).with_url(
        f"{harness.BASE}/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/"
        f"{W.catalog}/accessPackages/{W.package}/accessPackageAssignmentPolicies/{W.policy}"
    )
    await harness_patch(
        builder,
        AccessPackageAssignmentPolicy(description="patched (catalog path)"),
        AccessPackageAssignmentPolicy,
    )
    p = await em.access_package_assignment_policies.by_access_package_assignment_policy_id(W.policy).get()
    assert p.description == "patched (catalog path)"


async def test_policy_patch_root_alias(em, rec):
    # /beta/accessPackageAssignmentPolicies/{id}: only reachable with with_url.
    builder = em.access_package_assignment_policies.by_access_package_assignment_policy_id(
        W.policy
    ).with_url(f"{harness.BASE}/beta/accessPackageAssignmentPolicies/{W.policy}")
    await harness_patch(
        builder, AccessPackageAssignmentPolicy(description="patched (root)"), AccessPackageAssignmentPolicy
    )
    p = await builder.get()
    lossless(p, rec)
    assert p.description == "patched (root)"


async def test_get_applicable_policy_requirements():
    client, rec = harness.beta_client(harness.mint_token(W.users[1]))
    em = client.identity_governance.entitlement_management
    reqs = await em.access_packages.by_access_package_id(W.package).get_applicable_policy_requirements.post()
    assert reqs is not None
    for i, r in enumerate(reqs.value):
        harness.assert_lossless(r, rec.last_json()["value"][i], f"value[{i}]")
    assert W.self_policy in [r.policy_id for r in reqs.value]


# ---- assignments: requests, direct writes and the seed paths ----------------------------------


async def test_request_admin_add(em, rec):
    r = await em.access_package_assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type="AdminAdd",
            access_package_assignment=AccessPackageAssignment(
                target_id=W.users[0], assignment_policy_id=W.policy, access_package_id=W.package
            ),
            justification="conformance",
        )
    )
    lossless(r, rec)
    assert r.request_type == "AdminAdd"
    W.admin_request = r.id
    from msgraph_beta.generated.identity_governance.entitlement_management.access_package_assignment_requests.item.access_package_assignment_request_item_request_builder import (
        AccessPackageAssignmentRequestItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageAssignmentRequestItemRequestBuilder.AccessPackageAssignmentRequestItemRequestBuilderGetQueryParameters(
            expand=["accessPackageAssignment"]
        )
    )
    r = await em.access_package_assignment_requests.by_access_package_assignment_request_id(r.id).get(cfg)
    lossless(r, rec)
    assert r.request_state == "Delivered"
    W.assignment = r.access_package_assignment.id


async def test_assignment_get_with_expand(em, rec):
    from msgraph_beta.generated.identity_governance.entitlement_management.access_package_assignments.item.access_package_assignment_item_request_builder import (
        AccessPackageAssignmentItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageAssignmentItemRequestBuilder.AccessPackageAssignmentItemRequestBuilderGetQueryParameters(
            expand=["target", "accessPackage", "accessPackageAssignmentPolicy"]
        )
    )
    a = await em.access_package_assignments.by_access_package_assignment_id(W.assignment).get(cfg)
    lossless(a, rec)
    assert a.target_id == W.users[0] and a.target.object_id == W.users[0]
    assert a.assignment_state == "Delivered"
    assert a.access_package_assignment_policy.id == W.policy


async def test_assignment_navigations(em, rec):
    item = em.access_package_assignments.by_access_package_assignment_id(W.assignment)
    reqs = await item.access_package_assignment_requests.get()
    lossless(reqs, rec)
    assert W.admin_request in [r.id for r in reqs.value]
    roles = await item.access_package_assignment_resource_roles.get()
    lossless(roles, rec)
    assert len(roles.value) == 1, "the group membership was delivered"
    W.resource_role = roles.value[0].id
    pol = await item.access_package_assignment_policy.get()
    lossless(pol, rec)
    ap = await item.access_package.get()
    lossless(ap, rec)


async def test_assignment_resource_roles_collection(em, rec):
    page = await em.access_package_assignment_resource_roles.get()
    lossless(page, rec)
    assert W.resource_role in [r.id for r in page.value]
    back = await em.access_package_assignment_resource_roles.by_access_package_assignment_resource_role_id(
        W.resource_role
    ).access_package_assignments.get()
    lossless(back, rec)
    assert [a.id for a in back.value] == [W.assignment]


async def test_assignment_direct_post(em, rec):
    a = await em.access_package_assignments.post(
        AccessPackageAssignment(
            target_id=W.users[2],
            assignment_policy_id=W.policy,
            access_package_id=W.package,
            catalog_id=W.catalog,
            schedule=RequestSchedule(start_date_time=datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)),
        )
    )
    lossless(a, rec)
    assert rec.last()["status"] == 201
    assert a.assignment_state == "Delivered"
    W.direct = a.id


async def test_assignment_post_ref(em, rec):
    # POST .../accessPackageAssignments/$ref (seed 004): the SDK has no $ref builder here.
    builder = em.access_package_assignments.with_url(
        f"{harness.BASE}/beta/identityGovernance/entitlementManagement/accessPackageAssignments/$ref"
    )
    a = await builder.post(
        AccessPackageAssignment(
            target_id=W.users[1], assignment_policy_id=W.policy, access_package_id=W.package
        )
    )
    lossless(a, rec)
    assert rec.last()["status"] == 201
    W.by_ref = a.id


async def test_assignment_patch_canonical(em, rec):
    item = em.access_package_assignments.by_access_package_assignment_id(W.direct)
    back = await item.patch(AccessPackageAssignment(is_extended=True))
    if back is not None:
        lossless(back, rec)
    a = await item.get()
    lossless(a, rec)
    assert a.is_extended is True


async def test_assignment_patch_root_alias(em, rec):
    # /beta/accessPackageAssignments/{id} (seed 002): only reachable with with_url.
    builder = em.access_package_assignments.by_access_package_assignment_id(W.direct).with_url(
        f"{harness.BASE}/beta/accessPackageAssignments/{W.direct}"
    )
    a = await builder.get()
    lossless(a, rec)
    await builder.patch(AccessPackageAssignment(is_extended=False))
    assert (await builder.get()).is_extended is False


async def test_assignment_patch_through_its_request(em, rec):
    # accessPackageAssignments/{a}/accessPackageAssignmentRequests/{r}/accessPackageAssignment:
    # the SDK has a GET builder there, no PATCH.
    builder = (
        em.access_package_assignments.by_access_package_assignment_id(W.assignment)
        .access_package_assignment_requests.by_access_package_assignment_request_id(W.admin_request)
        .access_package_assignment
    )
    a = await builder.get()
    lossless(a, rec)
    assert a.id == W.assignment
    await harness_patch(builder, AccessPackageAssignment(is_extended=True), AccessPackageAssignment)
    assert (await builder.get()).is_extended is True


async def test_assignment_patch_through_its_resource_role(em, rec):
    builder = em.access_package_assignment_resource_roles.by_access_package_assignment_resource_role_id(
        W.resource_role
    ).access_package_assignments.by_access_package_assignment_id(W.assignment)
    a = await builder.get()
    lossless(a, rec)
    await harness_patch(builder, AccessPackageAssignment(is_extended=False), AccessPackageAssignment)
    assert (await builder.get()).is_extended is False


async def test_assignment_patch_its_policy(em, rec):
    builder = em.access_package_assignments.by_access_package_assignment_id(
        W.assignment
    ).access_package_assignment_policy
    back = await builder.patch(AccessPackageAssignmentPolicy(description="patched via assignment"))
    if back is not None:
        lossless(back, rec)
    p = await builder.get()
    lossless(p, rec)
    assert p.description == "patched via assignment"


async def test_assignments_list_with_query_options_and_count(em, rec):
    cfg = RequestConfiguration(
        query_parameters=AccessPackageAssignmentsRequestBuilder.AccessPackageAssignmentsRequestBuilderGetQueryParameters(
            count=True,
            filter=f"accessPackage/id eq '{W.package}' and assignmentState eq 'Delivered'",
            expand=["target"],
            select=["id", "targetId", "assignmentState", "schedule"],
            orderby=["id"],
        )
    )
    page = await em.access_package_assignments.get(cfg)
    lossless(page, rec)
    assert page.odata_count == 3
    assert {a.target_id for a in page.value} == set(W.users)
    n = await em.access_package_assignments.count.get()
    assert isinstance(n, int) and n >= 3


async def test_assignments_filter_by_current_user():
    client, rec = harness.beta_client(harness.mint_token(W.users[0]))
    em = client.identity_governance.entitlement_management
    page = await em.access_package_assignments.filter_by_current_user_with_on("target").get()
    lossless(page, rec)
    assert [a.id for a in page.value] == [W.assignment]


async def test_my_functions():
    client, rec = harness.beta_client(harness.mint_token(W.users[0]))
    em = client.identity_governance.entitlement_management
    # The SDK has a builder for My() on resource roles only; the other two with with_url.
    base = f"{harness.BASE}/beta/identityGovernance/entitlementManagement"
    mine = await em.access_package_assignments.with_url(f"{base}/accessPackageAssignments/My()").get()
    lossless(mine, rec)
    assert [a.id for a in mine.value] == [W.assignment]
    reqs = await em.access_package_assignment_requests.with_url(f"{base}/accessPackageAssignmentRequests/My()").get()
    lossless(reqs, rec)
    assert W.admin_request in [r.id for r in reqs.value]
    roles = await em.access_package_assignment_resource_roles.my.get()
    lossless(roles, rec)
    assert [r.id for r in roles.value] == [W.resource_role]


async def test_search_functions(em, rec, run_id):
    from msgraph_beta.generated.identity_governance.entitlement_management.access_packages.search.search_request_builder import (
        SearchRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=SearchRequestBuilder.SearchRequestBuilderGetQueryParameters(
            search='"Build"', count=True
        )
    )
    page = await em.access_packages.search.get(cfg)
    lossless(page, rec)
    assert W.package in [p.id for p in page.value]
    assert all("Build" in p.display_name for p in page.value)
    cats = await em.access_package_catalogs.search.get()
    lossless(cats, rec)
    assert W.catalog in [c.id for c in cats.value]


async def test_user_add_pending_then_cancel():
    client, rec = harness.beta_client(harness.mint_token(W.users[1]))
    em = client.identity_governance.entitlement_management
    r = await em.access_package_assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type="UserAdd",
            access_package_assignment=AccessPackageAssignment(
                target_id=W.users[1], assignment_policy_id=W.self_policy, access_package_id=W.package
            ),
            justification="please",
        )
    )
    lossless(r, rec)
    assert r.request_state == "PendingApproval"
    mine = await em.access_package_assignment_requests.filter_by_current_user_with_on("target").get()
    lossless(mine, rec)
    assert r.id in [x.id for x in mine.value]
    allowed = await em.access_packages.filter_by_current_user_with_on("allowedRequestor").get()
    lossless(allowed, rec)
    assert W.package in [p.id for p in allowed.value]
    cancelled = await em.access_package_assignment_requests.by_access_package_assignment_request_id(
        r.id
    ).cancel.post()
    assert rec.last()["status"] == 200
    if cancelled is not None:
        lossless(cancelled, rec)
        assert cancelled.request_state == "Canceled"
    again = await em.access_package_assignment_requests.by_access_package_assignment_request_id(r.id).get()
    assert again.request_state == "Canceled"


async def test_request_admin_remove(em, rec):
    r = await em.access_package_assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type="AdminRemove",
            access_package_assignment=AccessPackageAssignment(id=W.by_ref),
        )
    )
    lossless(r, rec)
    a = await em.access_package_assignments.by_access_package_assignment_id(W.by_ref).get()
    lossless(a, rec)
    assert a.assignment_state == "Expired"


async def test_assignment_delete(em, rec):
    a = await em.access_package_assignments.post(
        AccessPackageAssignment(target_id=W.users[0], assignment_policy_id=W.self_policy, access_package_id=W.package)
    )
    lossless(a, rec)
    await em.access_package_assignments.by_access_package_assignment_id(a.id).delete()
    assert rec.last()["status"] == 204


async def test_additional_access(em, rec, run_id):
    # Alan holds W.assignment in W.package; give him a second package too.
    other = await em.access_packages.post(AccessPackage(catalog_id=W.catalog, display_name=f"Other {run_id}"))
    pol = await em.access_package_assignment_policies.post(
        AccessPackageAssignmentPolicy(
            access_package_id=other.id,
            display_name=f"Other {run_id}",
            requestor_settings=RequestorSettings(scope_type="NoSubjects", accept_requests=True),
        )
    )
    a = await em.access_package_assignments.post(
        AccessPackageAssignment(target_id=W.users[0], assignment_policy_id=pol.id, access_package_id=other.id)
    )
    page = await em.access_package_assignments.additional_access_with_access_package_id_with_incompatible_access_package_id(
        W.package, other.id
    ).get()
    lossless(page, rec)
    assert [x.id for x in page.value] == [W.assignment]
    # The overload without parameters follows declared incompatibilities: none yet, then one.
    everything = await em.access_package_assignments.additional_access.get()
    lossless(everything, rec)
    assert W.assignment not in [x.id for x in everything.value]
    base = f"{harness.BASE}/beta/identityGovernance/entitlementManagement/accessPackages"
    item = em.access_packages.by_access_package_id(W.package)
    await item.incompatible_access_packages.ref.post(BRef(odata_id=f"{base}/{other.id}"))
    assert rec.last()["status"] == 204
    everything = await em.access_package_assignments.additional_access.get()
    lossless(everything, rec)
    assert W.assignment in [x.id for x in everything.value]
    await item.incompatible_access_packages.by_access_package_id1(other.id).ref.delete()
    assert rec.last()["status"] == 204
    await em.access_package_assignment_requests.post(
        AccessPackageAssignmentRequest(request_type="AdminRemove", access_package_assignment=AccessPackageAssignment(id=a.id))
    )
    await em.access_packages.by_access_package_id(other.id).delete()


async def test_approval_found_and_decided_by_the_approver(em, rec):
    """beta: the approver finds the request, reads the approval's steps and approves one."""
    from msgraph_beta.generated.models.approval_step import ApprovalStep

    requestor, rrec = harness.beta_client(harness.mint_token(W.users[1]))
    r = await requestor.identity_governance.entitlement_management.access_package_assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type="UserAdd",
            access_package_assignment=AccessPackageAssignment(
                target_id=W.users[1], assignment_policy_id=W.self_policy, access_package_id=W.package
            ),
            justification="for the approver",
        )
    )
    lossless(r, rrec)
    assert r.request_state == "PendingApproval"
    client, arec = harness.beta_client(harness.mint_token(W.users[2]))
    aem = client.identity_governance.entitlement_management
    page = await aem.access_package_assignment_requests.filter_by_current_user_with_on("approver").get()
    lossless(page, arec)
    assert [x.id for x in page.value] == [r.id]
    approvals = await aem.access_package_assignment_approvals.filter_by_current_user_with_on("approver").get()
    lossless(approvals, arec)
    assert [a.id for a in approvals.value] == [r.id]
    approval = aem.access_package_assignment_approvals.by_approval_id(r.id)
    steps = await approval.steps.get()
    lossless(steps, arec)
    step = steps.value[0]
    assert step.assigned_to_me is True and step.status == "InProgress"
    await approval.steps.by_approval_step_id(step.id).patch(
        ApprovalStep(review_result="Approve", justification="fine")
    )
    assert arec.last()["status"] == 204
    back = await em.access_package_assignment_requests.by_access_package_assignment_request_id(r.id).get()
    lossless(back, rec)
    assert back.request_state == "Delivered"
    await em.access_package_assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type="AdminRemove",
            access_package_assignment=AccessPackageAssignment(id=back.access_package_assignment.id)
            if back.access_package_assignment
            else AccessPackageAssignment(
                id=(
                    await em.access_package_assignment_requests.by_access_package_assignment_request_id(
                        r.id
                    ).access_package_assignment.get()
                ).id
            ),
        )
    )


# ---- paging, errors, deletes -----------------------------------------------------------------


async def test_page_iterator(em, rec, run_id):
    made = []
    for i in range(5):
        ap = await em.access_packages.post(
            AccessPackage(catalog_id=W.catalog, display_name=f"Paged {run_id} {i}")
        )
        made.append(ap.id)
    from msgraph_beta.generated.identity_governance.entitlement_management.access_packages.access_packages_request_builder import (
        AccessPackagesRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackagesRequestBuilder.AccessPackagesRequestBuilderGetQueryParameters(
            filter=f"contains(displayName, 'Paged {run_id}')", top=2
        )
    )
    first = await em.access_packages.get(cfg)
    lossless(first, rec)
    seen: list[str] = []
    before = len(rec.exchanges)
    await PageIterator(first, em.access_packages.request_adapter).iterate(
        lambda item: seen.append(item.id) or True
    )
    assert len(rec.exchanges) - before >= 2
    assert sorted(seen) == sorted(made)
    for x in made:
        await em.access_packages.by_access_package_id(x).delete()


async def test_errors(em):
    with pytest.raises(ODataError) as e:
        await em.access_packages.by_access_package_id("00000000-0000-0000-0000-000000000404").get()
    assert odata_error(e) == (404, "ResourceNotFound")
    with pytest.raises(ODataError) as e:
        await em.access_package_assignment_policies.post(
            AccessPackageAssignmentPolicy(
                access_package_id=W.package,
                display_name="bad",
                requestor_settings=RequestorSettings(scope_type="NotAScope"),
            )
        )
    assert odata_error(e)[0] == 400
    with pytest.raises(ODataError) as e:
        await em.access_package_catalogs.by_access_package_catalog_id(W.catalog).delete()
    assert odata_error(e) == (400, "InvalidDeleteCatalogHasAccessPackages")


async def test_deletes(em, rec):
    for a in (W.assignment, W.direct):
        await em.access_package_assignment_requests.post(
            AccessPackageAssignmentRequest(
                request_type="AdminRemove", access_package_assignment=AccessPackageAssignment(id=a)
            )
        )
    await em.access_package_assignment_policies.by_access_package_assignment_policy_id(W.self_policy).delete()
    assert rec.last()["status"] == 204
    await em.access_packages.by_access_package_id(W.package).access_package_resource_role_scopes.by_access_package_resource_role_scope_id(
        W.role_scope
    ).delete()
    await em.access_packages.by_access_package_id(W.package).delete()
    assert rec.last()["status"] == 204
    await em.access_package_catalogs.by_access_package_catalog_id(W.catalog).delete()
    assert rec.last()["status"] == 204
