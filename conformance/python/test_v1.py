"""Microsoft Graph v1.0 through `msgraph-sdk`: every operation accessd serves, through the SDK's
typed request builders, each answer checked against the SDK's models (`harness.lossless`).

The tests run in file order and share what they create (`W`), as a client script would."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.identity_governance.entitlement_management.access_packages.access_packages_request_builder import (
    AccessPackagesRequestBuilder,
)
from msgraph.generated.identity_governance.entitlement_management.assignments.assignments_request_builder import (
    AssignmentsRequestBuilder,
)
from msgraph.generated.identity_governance.entitlement_management.catalogs.catalogs_request_builder import (
    CatalogsRequestBuilder,
)
from msgraph.generated.models.access_package import AccessPackage
from msgraph.generated.models.access_package_approval_stage import AccessPackageApprovalStage
from msgraph.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph.generated.models.access_package_assignment_approval_settings import (
    AccessPackageAssignmentApprovalSettings,
)
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy
from msgraph.generated.models.access_package_assignment_request import AccessPackageAssignmentRequest
from msgraph.generated.models.access_package_assignment_requestor_settings import (
    AccessPackageAssignmentRequestorSettings,
)
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_catalog_state import AccessPackageCatalogState
from msgraph.generated.models.access_package_catalog_type import AccessPackageCatalogType
from msgraph.generated.models.access_package_request_state import AccessPackageRequestState
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.access_package_resource import AccessPackageResource
from msgraph.generated.models.access_package_resource_request import AccessPackageResourceRequest
from msgraph.generated.models.access_package_resource_role import AccessPackageResourceRole
from msgraph.generated.models.access_package_resource_role_scope import AccessPackageResourceRoleScope
from msgraph.generated.models.access_package_resource_scope import AccessPackageResourceScope
from msgraph.generated.models.allowed_target_scope import AllowedTargetScope
from msgraph.generated.models.entitlement_management_schedule import EntitlementManagementSchedule
from msgraph.generated.models.expiration_pattern import ExpirationPattern
from msgraph.generated.models.expiration_pattern_type import ExpirationPatternType
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.single_user import SingleUser
from msgraph_core.tasks.page_iterator import PageIterator

import harness
from harness import lossless, odata_error

W = SimpleNamespace()


@pytest.fixture(scope="module")
def em(v1):
    return v1[0].identity_governance.entitlement_management


@pytest.fixture(scope="module")
def rec(v1):
    return v1[1]


# ---- directory: what the entitlement tests need ----------------------------------------------


async def test_create_users_and_group(v1, rec, run_id):
    from msgraph.generated.models.group import Group
    from msgraph.generated.models.password_profile import PasswordProfile
    from msgraph.generated.models.user import User

    client = v1[0]
    W.users = []
    for name in ("Ada", "Grace", "Edsger"):
        u = await client.users.post(
            User(
                account_enabled=True,
                display_name=f"{name} {run_id}",
                mail_nickname=f"{name.lower()}{run_id}",
                user_principal_name=f"{name.lower()}.{run_id}@v1.example.com",
                password_profile=PasswordProfile(password="xWwvJ]6NMw+bWH-d"),
            )
        )
        lossless(u, rec)
        assert u.id and u.display_name == f"{name} {run_id}"
        W.users.append(u.id)
    g = await client.groups.post(
        Group(
            display_name=f"Analysts {run_id}",
            mail_enabled=False,
            mail_nickname=f"analysts{run_id}",
            security_enabled=True,
            description="made by the v1.0 conformance suite",
        )
    )
    lossless(g, rec)
    W.group = g.id


# ---- catalogs --------------------------------------------------------------------------------


async def test_catalog_create(em, rec, run_id):
    c = await em.catalogs.post(
        AccessPackageCatalog(
            display_name=f"Research {run_id}",
            description="Research catalog",
            is_externally_visible=False,
            catalog_type=AccessPackageCatalogType.UserManaged,
            state=AccessPackageCatalogState.Published,
        )
    )
    lossless(c, rec)
    assert rec.last()["status"] == 201
    assert c.catalog_type == AccessPackageCatalogType.UserManaged
    assert c.state == AccessPackageCatalogState.Published
    assert isinstance(c.created_date_time, datetime)
    W.catalog = c.id


async def test_catalog_get(em, rec, run_id):
    c = await em.catalogs.by_access_package_catalog_id(W.catalog).get()
    lossless(c, rec)
    assert c.display_name == f"Research {run_id}"


async def test_catalog_update_with_a_new_model(em, rec):
    await em.catalogs.by_access_package_catalog_id(W.catalog).patch(
        AccessPackageCatalog(description="Changed through PATCH")
    )
    c = await em.catalogs.by_access_package_catalog_id(W.catalog).get()
    assert c.description == "Changed through PATCH"


async def test_catalog_update_of_a_fetched_model(em, rec):
    # A fetched model is sent whole, server-owned properties and @odata.context included.
    c = await em.catalogs.by_access_package_catalog_id(W.catalog).get()
    c.description = "Changed by client"
    back = await em.catalogs.by_access_package_catalog_id(W.catalog).patch(c)
    if back is not None:
        lossless(back, rec)
    c = await em.catalogs.by_access_package_catalog_id(W.catalog).get()
    assert c.description == "Changed by client"


async def test_catalog_list_with_filter_select_orderby(em, rec, run_id):
    cfg = RequestConfiguration(
        query_parameters=CatalogsRequestBuilder.CatalogsRequestBuilderGetQueryParameters(
            filter=f"displayName eq 'Research {run_id}'",
            select=["id", "displayName", "state"],
            orderby=["id"],
        )
    )
    page = await em.catalogs.get(cfg)
    lossless(page, rec)
    assert [c.id for c in page.value] == [W.catalog]
    assert page.value[0].description is None  # not selected
    # Graph documents no $orderby on catalogs other than by id: refused as Graph refuses it
    # (docs/queries.md), arriving as the SDK's ODataError.
    cfg.query_parameters.orderby = ["displayName"]
    with pytest.raises(ODataError) as e:
        await em.catalogs.get(cfg)
    assert odata_error(e) == (400, "BadRequest")


# ---- access packages -------------------------------------------------------------------------


async def test_access_package_create(em, rec, run_id):
    ap = await em.access_packages.post(
        AccessPackage(
            display_name=f"Analytics {run_id}",
            description="Analytics access",
            is_hidden=False,
            catalog=AccessPackageCatalog(id=W.catalog),
        )
    )
    lossless(ap, rec)
    assert rec.last()["status"] == 201
    W.package = ap.id


async def test_access_package_get_with_expand_catalog(em, rec, run_id):
    from msgraph.generated.identity_governance.entitlement_management.access_packages.item.access_package_item_request_builder import (
        AccessPackageItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageItemRequestBuilder.AccessPackageItemRequestBuilderGetQueryParameters(
            expand=["catalog"]
        )
    )
    ap = await em.access_packages.by_access_package_id(W.package).get(cfg)
    lossless(ap, rec)
    assert ap.catalog is not None and ap.catalog.id == W.catalog


async def test_access_package_update(em, rec):
    await em.access_packages.by_access_package_id(W.package).patch(
        AccessPackage(description="Updated description")
    )
    ap = await em.access_packages.by_access_package_id(W.package).get()
    lossless(ap, rec)
    assert ap.description == "Updated description"


async def test_catalog_access_packages_navigation(em, rec):
    page = await em.catalogs.by_access_package_catalog_id(W.catalog).access_packages.get()
    lossless(page, rec)
    assert [p.id for p in page.value] == [W.package]


async def test_access_package_catalog_navigation(em, rec):
    c = await em.access_packages.by_access_package_id(W.package).catalog.get()
    lossless(c, rec)
    assert c.id == W.catalog


# ---- resources: a group added to the catalog, its member role scoped into the package ---------


async def test_resource_request_adds_a_group_to_the_catalog(em, rec):
    r = await em.resource_requests.post(
        AccessPackageResourceRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            resource=AccessPackageResource(origin_id=W.group, origin_system="AadGroup"),
            catalog=AccessPackageCatalog(id=W.catalog),
        )
    )
    lossless(r, rec)
    assert r.request_type == AccessPackageRequestType.AdminAdd
    page = await em.catalogs.by_access_package_catalog_id(W.catalog).resources.get()
    lossless(page, rec)
    assert [x.origin_id for x in page.value] == [W.group]
    W.resource = page.value[0].id


async def test_resource_roles_and_scopes_of_the_catalog(em, rec):
    roles = await em.catalogs.by_access_package_catalog_id(W.catalog).resource_roles.get()
    lossless(roles, rec)
    assert f"Member_{W.group}" in [r.origin_id for r in roles.value]
    scopes = await em.catalogs.by_access_package_catalog_id(W.catalog).resource_scopes.get()
    lossless(scopes, rec)
    assert scopes.value


async def test_resource_role_scope_create(em, rec):
    rs = await em.access_packages.by_access_package_id(W.package).resource_role_scopes.post(
        AccessPackageResourceRoleScope(
            role=AccessPackageResourceRole(
                origin_id=f"Member_{W.group}",
                origin_system="AadGroup",
                resource=AccessPackageResource(id=W.resource),
            ),
            scope=AccessPackageResourceScope(origin_id=W.group, origin_system="AadGroup"),
        )
    )
    lossless(rs, rec)
    assert rec.last()["status"] == 201
    W.role_scope = rs.id


async def test_resource_role_scopes_list_with_expand(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.access_packages.item.resource_role_scopes.resource_role_scopes_request_builder import (
        ResourceRoleScopesRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=ResourceRoleScopesRequestBuilder.ResourceRoleScopesRequestBuilderGetQueryParameters(
            expand=["role", "scope"]
        )
    )
    page = await em.access_packages.by_access_package_id(W.package).resource_role_scopes.get(cfg)
    lossless(page, rec)
    assert [x.id for x in page.value] == [W.role_scope]
    assert page.value[0].role.origin_id == f"Member_{W.group}"
    assert page.value[0].scope.origin_id == W.group


# ---- assignment policies (PUT is v1.0's only update) ------------------------------------------


def _policy(run_id: str, name: str, **kw) -> AccessPackageAssignmentPolicy:
    return AccessPackageAssignmentPolicy(
        display_name=f"{name} {run_id}",
        description="direct assignment by administrators",
        access_package=AccessPackage(id=W.package),
        allowed_target_scope=AllowedTargetScope.NotSpecified,
        expiration=ExpirationPattern(type=ExpirationPatternType.NoExpiration),
        **kw,
    )


async def test_policy_create_direct(em, rec, run_id):
    p = await em.assignment_policies.post(_policy(run_id, "Direct"))
    lossless(p, rec)
    assert p.allowed_target_scope == AllowedTargetScope.NotSpecified
    W.policy = p.id


async def test_policy_create_self_service_with_approval_and_timedelta(em, rec, run_id):
    p = await em.assignment_policies.post(
        AccessPackageAssignmentPolicy(
            display_name=f"Self-service {run_id}",
            description="users ask, a manager approves",
            access_package=AccessPackage(id=W.package),
            allowed_target_scope=AllowedTargetScope.SpecificDirectoryUsers,
            specific_allowed_targets=[SingleUser(user_id=W.users[1], description="Grace")],
            expiration=ExpirationPattern(
                type=ExpirationPatternType.AfterDuration, duration=timedelta(days=365)
            ),
            requestor_settings=AccessPackageAssignmentRequestorSettings(
                enable_targets_to_self_add_access=True,
                enable_targets_to_self_remove_access=True,
                enable_targets_to_self_update_access=False,
                enable_on_behalf_requestors_to_add_access=False,
                enable_on_behalf_requestors_to_remove_access=False,
                enable_on_behalf_requestors_to_update_access=False,
                allow_custom_assignment_schedule=False,
            ),
            request_approval_settings=AccessPackageAssignmentApprovalSettings(
                is_approval_required_for_add=True,
                is_approval_required_for_update=False,
                is_requestor_justification_required=False,
                stages=[
                    AccessPackageApprovalStage(
                        duration_before_automatic_denial=timedelta(days=2),
                        is_approver_justification_required=False,
                        is_escalation_enabled=False,
                        duration_before_escalation=timedelta(0),
                        primary_approvers=[SingleUser(user_id=W.users[2])],
                    )
                ],
            ),
        )
    )
    lossless(p, rec)
    assert p.expiration.duration == timedelta(days=365)
    assert isinstance(p.specific_allowed_targets[0], SingleUser)
    stage = p.request_approval_settings.stages[0]
    assert stage.duration_before_automatic_denial == timedelta(days=2)
    assert isinstance(stage.primary_approvers[0], SingleUser)
    W.self_policy = p.id


async def test_policy_get_with_expand_access_package(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.assignment_policies.item.access_package_assignment_policy_item_request_builder import (
        AccessPackageAssignmentPolicyItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageAssignmentPolicyItemRequestBuilder.AccessPackageAssignmentPolicyItemRequestBuilderGetQueryParameters(
            expand=["accessPackage"]
        )
    )
    p = await em.assignment_policies.by_access_package_assignment_policy_id(W.self_policy).get(cfg)
    lossless(p, rec)
    assert p.access_package.id == W.package


async def test_policy_replace_with_put(em, rec, run_id):
    p = _policy(run_id, "Direct (replaced)")
    p.expiration = ExpirationPattern(
        type=ExpirationPatternType.AfterDuration, duration=timedelta(days=30)
    )
    back = await em.assignment_policies.by_access_package_assignment_policy_id(W.policy).put(p)
    lossless(back, rec)
    assert back.display_name == f"Direct (replaced) {run_id}"
    assert back.expiration.duration == timedelta(days=30)


async def test_policies_of_the_access_package(em, rec):
    page = await em.access_packages.by_access_package_id(W.package).assignment_policies.get()
    lossless(page, rec)
    assert {p.id for p in page.value} == {W.policy, W.self_policy}


async def test_get_applicable_policy_requirements(v1, run_id):
    # Grace is the self-service policy's allowed requestor.
    client, rec = harness.v1_client(harness.mint_token(W.users[1]))
    em = client.identity_governance.entitlement_management
    reqs = await em.access_packages.by_access_package_id(W.package).get_applicable_policy_requirements.post()
    assert rec.last()["status"] == 200
    assert reqs is not None
    for i, r in enumerate(reqs.value):
        harness.assert_lossless(r, rec.last_json()["value"][i], f"value[{i}]")
    assert W.self_policy in [r.policy_id for r in reqs.value]


# ---- assignment requests and assignments ------------------------------------------------------


async def test_request_admin_add(em, rec):
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            assignment=AccessPackageAssignment(
                additional_data={
                    "targetId": W.users[0],
                    "assignmentPolicyId": W.policy,
                    "accessPackageId": W.package,
                }
            ),
            justification="conformance",
        )
    )
    lossless(r, rec)
    assert rec.last()["status"] == 201
    assert r.request_type == AccessPackageRequestType.AdminAdd
    W.admin_request = r.id


async def test_request_admin_add_with_schedule(em, rec):
    start = datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            assignment=AccessPackageAssignment(
                additional_data={
                    "targetId": W.users[2],
                    "assignmentPolicyId": W.policy,
                    "accessPackageId": W.package,
                }
            ),
            schedule=EntitlementManagementSchedule(
                start_date_time=start,
                expiration=ExpirationPattern(
                    type=ExpirationPatternType.AfterDuration, duration=timedelta(days=14)
                ),
            ),
        )
    )
    lossless(r, rec)
    assert r.schedule.start_date_time == start
    assert r.schedule.expiration.duration == timedelta(days=14)
    W.scheduled_request = r.id


async def test_request_get_with_expand(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.assignment_requests.item.access_package_assignment_request_item_request_builder import (
        AccessPackageAssignmentRequestItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageAssignmentRequestItemRequestBuilder.AccessPackageAssignmentRequestItemRequestBuilderGetQueryParameters(
            expand=["assignment", "accessPackage"]
        )
    )
    r = await em.assignment_requests.by_access_package_assignment_request_id(W.admin_request).get(cfg)
    lossless(r, rec)
    assert r.state == AccessPackageRequestState.Delivered
    assert r.access_package.id == W.package
    W.assignment = r.assignment.id


async def test_request_navigations(em, rec):
    item = em.assignment_requests.by_access_package_assignment_request_id(W.admin_request)
    a = await item.assignment.get()
    lossless(a, rec)
    assert a.id == W.assignment
    ap = await item.access_package.get()
    lossless(ap, rec)
    assert ap.id == W.package


async def test_request_user_add_needs_approval_then_cancel(run_id):
    client, rec = harness.v1_client(harness.mint_token(W.users[1]))
    em = client.identity_governance.entitlement_management
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.UserAdd,
            assignment=AccessPackageAssignment(
                additional_data={
                    "targetId": W.users[1],
                    "assignmentPolicyId": W.self_policy,
                    "accessPackageId": W.package,
                }
            ),
            justification="I need it",
        )
    )
    lossless(r, rec)
    assert r.state == AccessPackageRequestState.PendingApproval
    W.user_request = r.id
    # filterByCurrentUser from the requestor's side
    mine = await em.assignment_requests.filter_by_current_user_with_on("target").get()
    lossless(mine, rec)
    assert W.user_request in [x.id for x in mine.value]
    created = await em.assignment_requests.filter_by_current_user_with_on("createdBy").get()
    lossless(created, rec)
    assert [x.id for x in created.value] == [W.user_request]
    # cancel (v1.0 answers 204)
    await em.assignment_requests.by_access_package_assignment_request_id(W.user_request).cancel.post()
    assert rec.last()["status"] in (200, 204)
    r = await em.assignment_requests.by_access_package_assignment_request_id(W.user_request).get()
    lossless(r, rec)
    assert r.state == AccessPackageRequestState.Canceled


async def test_assignment_get_with_expand(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.assignments.item.access_package_assignment_item_request_builder import (
        AccessPackageAssignmentItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageAssignmentItemRequestBuilder.AccessPackageAssignmentItemRequestBuilderGetQueryParameters(
            expand=["target", "accessPackage", "assignmentPolicy"]
        )
    )
    a = await em.assignments.by_access_package_assignment_id(W.assignment).get(cfg)
    lossless(a, rec)
    assert a.target.object_id == W.users[0]
    assert a.access_package.id == W.package
    assert a.assignment_policy.id == W.policy
    assert harness.enum_value(a.state) == "delivered"


async def test_assignment_navigations(em, rec):
    # (The v1.0 SDK has no builder for assignments/{id}/target; $expand=target above covers it.)
    item = em.assignments.by_access_package_assignment_id(W.assignment)
    p = await item.assignment_policy.get()
    lossless(p, rec)
    assert p.id == W.policy
    ap = await item.access_package.get()
    lossless(ap, rec)


async def test_assignment_reprocess(em, rec):
    await em.assignments.by_access_package_assignment_id(W.assignment).reprocess.post()
    assert rec.last()["status"] == 202


async def test_assignment_delivered_the_group_membership(v1, rec):
    client = v1[0]
    page = await client.groups.by_group_id(W.group).members.get()
    lossless(page, rec)
    assert W.users[0] in [m.id for m in page.value]


async def test_assignments_list_with_filter_expand_select_orderby_count(em, rec):
    cfg = RequestConfiguration(
        query_parameters=AssignmentsRequestBuilder.AssignmentsRequestBuilderGetQueryParameters(
            count=True,
            expand=["target", "accessPackage"],
            filter=f"accessPackage/id eq '{W.package}' and state eq 'delivered'",
            orderby=["id"],
            select=["id", "state", "status", "schedule"],
            top=5,
        )
    )
    page = await em.assignments.get(cfg)
    lossless(page, rec)
    # Ada's is delivered; Edsger's starts in 2030 and is not delivered before then.
    assert page.odata_count == 1
    assert {a.target.object_id for a in page.value} == {W.users[0]}
    assert all(harness.enum_value(a.state) == "delivered" for a in page.value)
    cfg.query_parameters.filter = f"accessPackage/id eq '{W.package}' and state eq 'delivering'"
    later = await em.assignments.get(cfg)
    lossless(later, rec)
    assert {a.target.object_id for a in later.value} == {W.users[2]}


async def test_assignments_count_segment(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.assignments.count.count_request_builder import (
        CountRequestBuilder,
    )

    n = await em.assignments.count.get()
    assert isinstance(n, int) and n >= 2
    cfg = RequestConfiguration(
        query_parameters=CountRequestBuilder.CountRequestBuilderGetQueryParameters(
            filter=f"accessPackage/id eq '{W.package}'"
        )
    )
    assert await em.assignments.count.get(cfg) == 2


async def test_assignments_filter_by_current_user():
    client, rec = harness.v1_client(harness.mint_token(W.users[0]))
    em = client.identity_governance.entitlement_management
    page = await em.assignments.filter_by_current_user_with_on("target").get()
    lossless(page, rec)
    assert [a.id for a in page.value] == [W.assignment]


async def test_access_packages_filter_by_current_user_allowed_requestor():
    client, rec = harness.v1_client(harness.mint_token(W.users[1]))
    em = client.identity_governance.entitlement_management
    page = await em.access_packages.filter_by_current_user_with_on("allowedRequestor").get()
    lossless(page, rec)
    assert W.package in [p.id for p in page.value]
    # Ada is no allowed requestor of any policy.
    client, rec = harness.v1_client(harness.mint_token(W.users[0]))
    em = client.identity_governance.entitlement_management
    page = await em.access_packages.filter_by_current_user_with_on("allowedRequestor").get()
    assert W.package not in [p.id for p in page.value]


async def test_request_admin_remove(em, rec):
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminRemove,
            assignment=AccessPackageAssignment(id=W.assignment),
        )
    )
    lossless(r, rec)
    assert r.request_type == AccessPackageRequestType.AdminRemove
    a = await em.assignments.by_access_package_assignment_id(W.assignment).get()
    lossless(a, rec)
    assert harness.enum_value(a.state) == "expired"
    assert a.expired_date_time is not None


async def test_requests_list_with_filter_and_count(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.assignment_requests.assignment_requests_request_builder import (
        AssignmentRequestsRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AssignmentRequestsRequestBuilder.AssignmentRequestsRequestBuilderGetQueryParameters(
            count=True,
            filter=f"accessPackage/id eq '{W.package}' and state eq 'delivered'",
            expand=["accessPackage"],
        )
    )
    page = await em.assignment_requests.get(cfg)
    lossless(page, rec)
    assert page.odata_count == len(page.value) >= 1
    assert all(r.state == AccessPackageRequestState.Delivered for r in page.value)
    assert all(r.access_package.id == W.package for r in page.value)
    assert any(r.request_type == AccessPackageRequestType.AdminRemove for r in page.value)


async def test_assignment_generic_create_update_delete(em, rec):
    # Not in Graph's docs, but offered by the SDK's generic navigation builders: the ids ride in
    # additional_data (the v1.0 model has no typed ids on an assignment).
    a = await em.assignments.post(
        AccessPackageAssignment(
            additional_data={"targetId": W.users[1], "assignmentPolicyId": W.policy, "accessPackageId": W.package}
        )
    )
    lossless(a, rec)
    assert rec.last()["status"] == 201
    item = em.assignments.by_access_package_assignment_id(a.id)
    start = datetime(2031, 1, 1, 0, 0, tzinfo=timezone.utc)
    back = await item.patch(AccessPackageAssignment(schedule=EntitlementManagementSchedule(start_date_time=start)))
    if back is not None:
        lossless(back, rec)
    got = await item.get()
    lossless(got, rec)
    assert got.schedule.start_date_time == start
    await item.delete()
    assert rec.last()["status"] == 204


async def test_request_resume_is_refused_when_nothing_waits(em):
    from msgraph.generated.identity_governance.entitlement_management.assignment_requests.item.resume.resume_post_request_body import (
        ResumePostRequestBody,
    )

    with pytest.raises(ODataError) as e:
        await em.assignment_requests.by_access_package_assignment_request_id(W.admin_request).resume.post(
            ResumePostRequestBody(source="conformance", type="microsoft.graph.accessPackageCustomExtensionStage")
        )
    assert odata_error(e) == (400, "RequestNotWaitingForCallback")


async def test_request_delete(em, rec):
    await em.assignment_requests.by_access_package_assignment_request_id(W.user_request).delete()
    assert rec.last()["status"] == 204
    with pytest.raises(ODataError) as e:
        await em.assignment_requests.by_access_package_assignment_request_id(W.user_request).get()
    assert odata_error(e)[0] == 404


async def test_additional_access(em, rec, run_id):
    # Edsger holds the (scheduled) assignment to W.package; give him a second package too.
    other = await em.access_packages.post(
        AccessPackage(display_name=f"Other {run_id}", catalog=AccessPackageCatalog(id=W.catalog))
    )
    pol = await em.assignment_policies.post(
        AccessPackageAssignmentPolicy(
            display_name=f"Other direct {run_id}",
            access_package=AccessPackage(id=other.id),
            allowed_target_scope=AllowedTargetScope.NotSpecified,
        )
    )
    scheduled = await em.assignment_requests.by_access_package_assignment_request_id(
        W.scheduled_request
    ).assignment.get()
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            assignment=AccessPackageAssignment(
                additional_data={"targetId": W.users[2], "assignmentPolicyId": pol.id, "accessPackageId": other.id}
            ),
        )
    )
    # std-uritemplate drops the comma between the two parameters (sdk-wire.md 5.5).
    page = await em.assignments.additional_access_with_access_package_id_with_incompatible_access_package_id(
        W.package, other.id
    ).get()
    lossless(page, rec)
    assert f"'{W.package}'incompatibleAccessPackageId=" in rec.last()["url"]
    assert [a.id for a in page.value] == [scheduled.id]
    with pytest.raises(ODataError) as e:
        await em.assignments.additional_access_with_access_package_id_with_incompatible_access_package_id(
            W.package, W.package
        ).get()
    assert odata_error(e)[0] == 400
    # Without parameters: the declared incompatibilities (W.package declares `other` now).
    base = f"{harness.BASE}/v1.0/identityGovernance/entitlementManagement/accessPackages"
    item = em.access_packages.by_access_package_id(W.package)
    await item.incompatible_access_packages.ref.post(ReferenceCreate(odata_id=f"{base}/{other.id}"))
    everything = await em.assignments.additional_access.get()
    lossless(everything, rec)
    assert scheduled.id in [a.id for a in everything.value]
    await item.incompatible_access_packages.by_access_package_id1(other.id).ref.delete()
    everything = await em.assignments.additional_access.get()
    assert scheduled.id not in [a.id for a in everything.value]
    # Clean up so that the package and its catalog can be deleted at the end.
    a = (await em.assignment_requests.by_access_package_assignment_request_id(r.id).assignment.get()).id
    await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminRemove, assignment=AccessPackageAssignment(id=a)
        )
    )
    await em.access_packages.by_access_package_id(other.id).delete()


async def test_approval_found_and_decided_by_the_approver(em, rec):
    """Grace asks through the self-service policy; Edsger, its approver, finds the request in
    both filterByCurrentUser functions, reads the stage and approves it; the request is then
    delivered."""
    from msgraph.generated.models.approval_stage import ApprovalStage

    grace, grace_rec = harness.v1_client(harness.mint_token(W.users[1]))
    r = await grace.identity_governance.entitlement_management.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.UserAdd,
            assignment=AccessPackageAssignment(
                additional_data={"assignmentPolicyId": W.self_policy, "accessPackageId": W.package}
            ),
            justification="for the approver",
        )
    )
    lossless(r, grace_rec)
    assert r.state == AccessPackageRequestState.PendingApproval
    client, arec = harness.v1_client(harness.mint_token(W.users[2]))
    aem = client.identity_governance.entitlement_management
    page = await aem.assignment_requests.filter_by_current_user_with_on("approver").get()
    lossless(page, arec)
    assert [x.id for x in page.value] == [r.id]
    approvals = await aem.access_package_assignment_approvals.filter_by_current_user_with_on("approver").get()
    lossless(approvals, arec)
    assert [a.id for a in approvals.value] == [r.id]
    approval = aem.access_package_assignment_approvals.by_approval_id(r.id)
    stages = await approval.stages.get()
    lossless(stages, arec)
    stage = stages.value[0]
    assert stage.assigned_to_me is True
    assert stage.review_result == "NotReviewed"
    assert stage.status == "InProgress"
    await approval.stages.by_approval_stage_id(stage.id).patch(
        ApprovalStage(review_result="Approve", justification="looks right")
    )
    assert arec.last()["status"] == 204
    decided = await approval.stages.by_approval_stage_id(stage.id).get()
    lossless(decided, arec)
    assert decided.review_result == "Approved"
    assert decided.reviewed_by.id == W.users[2]
    # A second decision on the same stage is a conflict.
    with pytest.raises(ODataError) as e:
        await approval.stages.by_approval_stage_id(stage.id).patch(ApprovalStage(review_result="Deny"))
    assert odata_error(e)[0] == 409
    back = await em.assignment_requests.by_access_package_assignment_request_id(r.id).get()
    lossless(back, rec)
    assert back.state == AccessPackageRequestState.Delivered
    a = (await em.assignment_requests.by_access_package_assignment_request_id(r.id).assignment.get()).id
    await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminRemove, assignment=AccessPackageAssignment(id=a)
        )
    )


# ---- paging ----------------------------------------------------------------------------------


async def test_page_iterator_over_several_pages(em, rec, run_id):
    made = []
    for i in range(5):
        c = await em.catalogs.post(AccessPackageCatalog(display_name=f"Paged {run_id} {i}"))
        made.append(c.id)
    cfg = RequestConfiguration(
        query_parameters=CatalogsRequestBuilder.CatalogsRequestBuilderGetQueryParameters(
            filter=f"contains(displayName, 'Paged {run_id}')",
            top=2,
            count=True,
        )
    )
    first = await em.catalogs.get(cfg)
    lossless(first, rec)
    assert first.odata_count == 5
    assert first.odata_next_link and first.odata_next_link.startswith(harness.BASE)
    seen: list[str] = []

    def keep(item) -> bool:
        seen.append(item.id)
        return True

    before = len(rec.exchanges)
    it = PageIterator(first, em.catalogs.request_adapter)
    await it.iterate(keep)
    follow_ups = rec.exchanges[before:]
    assert len(follow_ups) >= 2, "the iterator followed at least two nextLinks"
    assert all(x["status"] == 200 for x in follow_ups)
    assert sorted(seen) == sorted(made)
    for c in made:
        await em.catalogs.by_access_package_catalog_id(c).delete()


# ---- wire details: what the Python SDK really sends --------------------------------------------


async def test_policy_put_of_a_fetched_model(em, rec, run_id):
    # A fetched model goes back whole: @odata.context, id, createdDateTime, modifiedDateTime.
    item = em.assignment_policies.by_access_package_assignment_policy_id(W.policy)
    p = await item.get()
    p.display_name = f"Direct (fetched, PUT) {run_id}"
    back = await item.put(p)
    lossless(back, rec)
    assert back.display_name == f"Direct (fetched, PUT) {run_id}"
    assert back.access_package is None or back.access_package.id == W.package
    again = await em.access_packages.by_access_package_id(W.package).assignment_policies.get()
    assert W.policy in [x.id for x in again.value]


async def test_access_package_patch_of_a_fetched_model(em, rec):
    item = em.access_packages.by_access_package_id(W.package)
    ap = await item.get()
    ap.description = "fetched and patched"
    await item.patch(ap)
    assert (await item.get()).description == "fetched and patched"


async def test_non_ascii_names_and_filter_quoting(em, rec, run_id):
    name = f"O'Brien & Co+1 é/ü 😀 {run_id}"
    c = await em.catalogs.post(AccessPackageCatalog(display_name=name, description="Café"))
    lossless(c, rec)
    assert c.display_name == name
    quoted = name.replace("'", "''")
    cfg = RequestConfiguration(
        query_parameters=CatalogsRequestBuilder.CatalogsRequestBuilderGetQueryParameters(
            filter=f"displayName eq '{quoted}'"
        )
    )
    page = await em.catalogs.get(cfg)
    lossless(page, rec)
    assert [x.id for x in page.value] == [c.id]
    await em.catalogs.by_access_package_catalog_id(c.id).delete()


async def test_naive_datetime_and_hour_durations(em, rec, run_id):
    # A naive datetime goes out without an offset (read as UTC); timedelta(hours=14) as "14:00:00".
    p = await em.assignment_policies.post(
        AccessPackageAssignmentPolicy(
            display_name=f"Timed {run_id}",
            access_package=AccessPackage(id=W.package),
            allowed_target_scope=AllowedTargetScope.NotSpecified,
            expiration=ExpirationPattern(
                type=ExpirationPatternType.AfterDateTime, end_date_time=datetime(2031, 6, 1, 12, 0)
            ),
            request_approval_settings=AccessPackageAssignmentApprovalSettings(
                is_approval_required_for_add=True,
                stages=[
                    AccessPackageApprovalStage(
                        duration_before_automatic_denial=timedelta(hours=14),
                        duration_before_escalation=timedelta(days=1, hours=12),
                        is_escalation_enabled=True,
                        primary_approvers=[SingleUser(user_id=W.users[2])],
                        escalation_approvers=[SingleUser(user_id=W.users[0])],
                    )
                ],
            ),
        )
    )
    lossless(p, rec)
    assert p.expiration.end_date_time == datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)
    stage = p.request_approval_settings.stages[0]
    assert stage.duration_before_automatic_denial == timedelta(hours=14)
    assert stage.duration_before_escalation == timedelta(days=1, hours=12)
    await em.assignment_policies.by_access_package_assignment_policy_id(p.id).delete()


async def test_error_body_too_large(em):
    # accessd reads the body before answering 413, or httpx (still sending) sees a reset instead.
    with pytest.raises(ODataError) as e:
        await em.catalogs.post(AccessPackageCatalog(display_name="big", description="x" * (1024 * 1024 + 1)))
    assert odata_error(e) == (413, "RequestEntityTooLarge")


# ---- errors ----------------------------------------------------------------------------------


async def test_error_not_found(em):
    with pytest.raises(ODataError) as e:
        await em.catalogs.by_access_package_catalog_id("00000000-0000-0000-0000-000000000404").get()
    status, code = odata_error(e)
    assert (status, code) == (404, "ResourceNotFound")
    assert e.value.error.inner_error is not None
    assert e.value.error.inner_error.request_id


async def test_error_bad_filter(em):
    cfg = RequestConfiguration(
        query_parameters=CatalogsRequestBuilder.CatalogsRequestBuilderGetQueryParameters(
            filter="displayName eq"
        )
    )
    with pytest.raises(ODataError) as e:
        await em.catalogs.get(cfg)
    status, _code = odata_error(e)
    assert status == 400


async def test_error_invalid_enum_in_body(em):
    with pytest.raises(ODataError) as e:
        await em.access_packages.post(AccessPackage(display_name="no catalog"))
    status, code = odata_error(e)
    assert status in (400, 404)


async def test_error_delete_refused_while_assignments_exist(em):
    # Grace's scheduled assignment is still delivered.
    with pytest.raises(ODataError) as e:
        await em.access_packages.by_access_package_id(W.package).delete()
    assert odata_error(e) == (400, "InvalidDeleteAccessPackageHasAssignments")


async def test_error_unauthenticated():
    client, _rec = harness.v1_client("not-a-token")
    with pytest.raises(ODataError) as e:
        await client.identity_governance.entitlement_management.catalogs.get()
    assert odata_error(e) == (401, "InvalidAuthenticationToken")


async def test_error_patch_policy_is_not_offered_by_the_sdk(em):
    # v1.0's SDK has no PATCH for policies (PUT only), and accessd answers 405 if one is forced.
    item = em.assignment_policies.by_access_package_assignment_policy_id(W.policy)
    assert not hasattr(item, "patch")


# ---- deletes ---------------------------------------------------------------------------------


async def test_deletes(em, rec):
    # Remove Grace's (scheduled) assignment first, then everything else can go.
    page = await em.assignments.filter_by_current_user_with_on("target").get()  # admin: none
    assert page.value == []
    cfg = RequestConfiguration(
        query_parameters=AssignmentsRequestBuilder.AssignmentsRequestBuilderGetQueryParameters(
            filter=f"accessPackage/id eq '{W.package}'"
        )
    )
    for a in (await em.assignments.get(cfg)).value:
        if harness.enum_value(a.state) == "expired":
            continue
        await em.assignment_requests.post(
            AccessPackageAssignmentRequest(
                request_type=AccessPackageRequestType.AdminRemove,
                assignment=AccessPackageAssignment(id=a.id),
            )
        )
    await em.assignment_policies.by_access_package_assignment_policy_id(W.self_policy).delete()
    assert rec.last()["status"] == 204
    with pytest.raises(ODataError) as e:
        await em.assignment_policies.by_access_package_assignment_policy_id(W.self_policy).get()
    assert odata_error(e)[0] == 404
    await em.access_packages.by_access_package_id(W.package).resource_role_scopes.by_access_package_resource_role_scope_id(
        W.role_scope
    ).delete()
    assert rec.last()["status"] == 204
    await em.access_packages.by_access_package_id(W.package).delete()
    assert rec.last()["status"] == 204
    await em.catalogs.by_access_package_catalog_id(W.catalog).delete()
    assert rec.last()["status"] == 204
    with pytest.raises(ODataError) as e:
        await em.catalogs.by_access_package_catalog_id(W.catalog).get()
    assert odata_error(e)[0] == 404
