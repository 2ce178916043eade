"""OData query options as the SDKs encode them (nested `$expand` with its commas percent-encoded,
`$select` with `$expand`, functions with query options, `$count` on navigations, paging through
a function), on the demo-like world this module builds through the v1.0 SDK."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.identity_governance.entitlement_management.access_packages.access_packages_request_builder import (
    AccessPackagesRequestBuilder,
)
from msgraph.generated.identity_governance.entitlement_management.assignments.filter_by_current_user_with_on.filter_by_current_user_with_on_request_builder import (
    FilterByCurrentUserWithOnRequestBuilder,
)
from msgraph.generated.identity_governance.entitlement_management.catalogs.catalogs_request_builder import (
    CatalogsRequestBuilder,
)
from msgraph.generated.models.access_package import AccessPackage
from msgraph.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy
from msgraph.generated.models.access_package_assignment_request import AccessPackageAssignmentRequest
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.access_package_resource import AccessPackageResource
from msgraph.generated.models.access_package_resource_request import AccessPackageResourceRequest
from msgraph.generated.models.access_package_resource_role import AccessPackageResourceRole
from msgraph.generated.models.access_package_resource_role_scope import AccessPackageResourceRoleScope
from msgraph.generated.models.access_package_resource_scope import AccessPackageResourceScope
from msgraph.generated.models.allowed_target_scope import AllowedTargetScope
from msgraph.generated.models.group import Group
from msgraph.generated.models.user import User
from msgraph_core.tasks.page_iterator import PageIterator

import harness
from harness import lossless

Q = SimpleNamespace()


@pytest.fixture(scope="module")
def em(v1):
    return v1[0].identity_governance.entitlement_management


@pytest.fixture(scope="module")
def rec(v1):
    return v1[1]


async def test_world(v1, em, run_id):
    client = v1[0]
    Q.user = (
        await client.users.post(
            User(display_name=f"Query {run_id}", user_principal_name=f"query.{run_id}@example.com", account_enabled=True)
        )
    ).id
    Q.group = (
        await client.groups.post(
            Group(display_name=f"Query group {run_id}", mail_enabled=False, mail_nickname=f"q{run_id}", security_enabled=True)
        )
    ).id
    Q.catalog = (await em.catalogs.post(AccessPackageCatalog(display_name=f"Query catalog {run_id}"))).id
    await em.resource_requests.post(
        AccessPackageResourceRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            resource=AccessPackageResource(origin_id=Q.group, origin_system="AadGroup"),
            catalog=AccessPackageCatalog(id=Q.catalog),
        )
    )
    resource = (await em.catalogs.by_access_package_catalog_id(Q.catalog).resources.get()).value[0].id
    Q.packages = []
    for name in ("Alpha", "Beta team", "Gamma"):
        ap = await em.access_packages.post(
            AccessPackage(display_name=f"Q-{run_id} {name}", catalog=AccessPackageCatalog(id=Q.catalog))
        )
        Q.packages.append(ap.id)
    await em.access_packages.by_access_package_id(Q.packages[0]).resource_role_scopes.post(
        AccessPackageResourceRoleScope(
            role=AccessPackageResourceRole(
                origin_id=f"Member_{Q.group}", origin_system="AadGroup", resource=AccessPackageResource(id=resource)
            ),
            scope=AccessPackageResourceScope(origin_id=Q.group, origin_system="AadGroup"),
        )
    )
    Q.assignments = []
    for ap in Q.packages:
        pol = await em.assignment_policies.post(
            AccessPackageAssignmentPolicy(
                display_name=f"Direct {run_id}",
                access_package=AccessPackage(id=ap),
                allowed_target_scope=AllowedTargetScope.NotSpecified,
            )
        )
        r = await em.assignment_requests.post(
            AccessPackageAssignmentRequest(
                request_type=AccessPackageRequestType.AdminAdd,
                assignment=AccessPackageAssignment(
                    additional_data={"targetId": Q.user, "assignmentPolicyId": pol.id, "accessPackageId": ap}
                ),
            )
        )
        assert r.id


async def test_nested_expand_with_select_and_expand(em, rec):
    # The SDK sends $expand=resourceRoleScopes%28%24expand%3Drole%2Cscope%29 (comma encoded).
    cfg = RequestConfiguration(
        query_parameters=AccessPackagesRequestBuilder.AccessPackagesRequestBuilderGetQueryParameters(
            expand=["resourceRoleScopes($expand=role,scope)", "catalog($select=id,displayName)"],
            select=["id", "displayName"],
        )
    )
    page = await em.access_packages.get(cfg)
    lossless(page, rec)
    assert "resourceRoleScopes%28%24expand%3Drole%2Cscope%29" in rec.last()["url"]
    mine = {p.id: p for p in page.value if p.id in Q.packages}
    first = mine[Q.packages[0]]
    assert first.resource_role_scopes[0].role.origin_id == f"Member_{Q.group}"
    assert first.resource_role_scopes[0].scope.origin_id == Q.group
    assert first.catalog.id == Q.catalog and first.catalog.description is None


async def test_filter_contains_tolower_as_the_docs_show(em, rec, run_id):
    cfg = RequestConfiguration(
        query_parameters=AccessPackagesRequestBuilder.AccessPackagesRequestBuilderGetQueryParameters(
            filter=f"contains(tolower(displayName), 'q-{run_id} beta team')", select=["id", "displayName"]
        )
    )
    page = await em.access_packages.get(cfg)
    lossless(page, rec)
    assert [p.id for p in page.value] == [Q.packages[1]]


async def test_orderby_skip_top_count(v1, rec, run_id):
    # Graph documents $orderby for users (displayName), not for entitlement management, so the
    # sort goes through /users (docs/queries.md).
    from msgraph.generated.users.users_request_builder import UsersRequestBuilder

    client, _ = v1
    made = []
    for name in ["a", "b", "c"]:
        u = await client.users.post(
            User(display_name=f"Q-{run_id} sort {name}", user_principal_name=f"q-{run_id}-{name}@contoso.test")
        )
        made.append(u.id)
    cfg = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=f"startswith(displayName, 'Q-{run_id} sort')",
            orderby=["displayName desc"],
            top=2,
            count=True,
        )
    )
    # $filter beside $orderby on the directory is an advanced query (docs/queries.md).
    cfg.headers.add("ConsistencyLevel", "eventual")
    page = await client.users.get(cfg)
    lossless(page, rec)
    assert page.odata_count == 3
    assert [u.id for u in page.value] == [made[2], made[1]]
    assert page.odata_next_link
    for u in made:
        await client.users.by_user_id(u).delete()


async def test_select_on_a_single_entity(em, rec):
    from msgraph.generated.identity_governance.entitlement_management.access_packages.item.access_package_item_request_builder import (
        AccessPackageItemRequestBuilder,
    )

    cfg = RequestConfiguration(
        query_parameters=AccessPackageItemRequestBuilder.AccessPackageItemRequestBuilderGetQueryParameters(
            select=["id", "displayName"], expand=["assignmentPolicies($select=id)"]
        )
    )
    ap = await em.access_packages.by_access_package_id(Q.packages[2]).get(cfg)
    lossless(ap, rec)
    assert ap.description is None and len(ap.assignment_policies) == 1


async def test_count_of_a_navigation(em):
    n = await em.catalogs.by_access_package_catalog_id(Q.catalog).access_packages.count.get()
    assert n == 3


async def test_catalog_expand_access_packages(em, rec, run_id):
    cfg = RequestConfiguration(
        query_parameters=CatalogsRequestBuilder.CatalogsRequestBuilderGetQueryParameters(
            filter=f"displayName eq 'Query catalog {run_id}'",
            expand=["accessPackages($select=id,displayName)"],
        )
    )
    page = await em.catalogs.get(cfg)
    lossless(page, rec)
    assert sorted(p.id for p in page.value[0].access_packages) == sorted(Q.packages)


async def test_function_with_query_options_and_paging():
    client, rec = harness.v1_client(harness.mint_token(Q.user))
    em = client.identity_governance.entitlement_management
    cfg = RequestConfiguration(
        query_parameters=FilterByCurrentUserWithOnRequestBuilder.FilterByCurrentUserWithOnRequestBuilderGetQueryParameters(
            expand=["accessPackage($select=id,displayName)"],
            top=1,
            count=True,
        )
    )
    first = await em.assignments.filter_by_current_user_with_on("target").get(cfg)
    lossless(first, rec)
    assert first.odata_count == 3
    assert first.odata_next_link
    seen: list[str] = []
    await PageIterator(first, client.request_adapter).iterate(
        lambda a: seen.append(a.access_package.id) or True
    )
    assert sorted(seen) == sorted(Q.packages)


async def test_transport(rec, em):
    await em.catalogs.by_access_package_catalog_id(Q.catalog).get()
    want = "HTTP/2" if os.environ.get("ACCESSD_TRANSPORT") == "https" else "HTTP/1.1"
    assert rec.last()["http_version"] == want
