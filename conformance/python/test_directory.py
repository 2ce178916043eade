"""The directory accessd serves beside entitlement management (`/users`, `/groups`, members and
owners `$ref`), through both SDKs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.group import Group
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.user import User
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core.tasks.page_iterator import PageIterator

import harness
from harness import lossless, odata_error

D = SimpleNamespace()


async def test_v1_users_create_get_update(v1, run_id):
    client, rec = v1
    D.users = []
    for i in range(3):
        u = await client.users.post(
            User(
                account_enabled=True,
                display_name=f"Dir {run_id} {i}",
                given_name="Dir",
                surname=str(i),
                mail_nickname=f"dir{run_id}{i}",
                user_principal_name=f"dir{i}.{run_id}@example.com",
                password_profile=PasswordProfile(password="xWwvJ]6NMw+bWH-d", force_change_password_next_sign_in=False),
            )
        )
        lossless(u, rec)
        assert rec.last()["status"] == 201
        D.users.append(u.id)
    u = await client.users.by_user_id(D.users[0]).get()
    lossless(u, rec)
    await client.users.by_user_id(D.users[0]).patch(User(job_title="Engineer", department="R&D"))
    assert rec.last()["status"] in (200, 204)
    u = await client.users.by_user_id(D.users[0]).get()
    lossless(u, rec)
    assert (u.job_title, u.department) == ("Engineer", "R&D")


async def test_v1_users_query_options(v1, run_id):
    client, rec = v1
    cfg = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=f"startswith(displayName, 'Dir {run_id}')",
            select=["id", "displayName", "userPrincipalName"],
            orderby=["displayName desc"],
            count=True,
        )
    )
    cfg.headers.add("ConsistencyLevel", "eventual")
    page = await client.users.get(cfg)
    lossless(page, rec)
    assert page.odata_count == 3
    assert [u.display_name for u in page.value] == [f"Dir {run_id} {i}" for i in (2, 1, 0)]
    assert page.value[0].job_title is None


async def test_v1_users_count_segment(v1, run_id):
    from msgraph.generated.users.count.count_request_builder import CountRequestBuilder

    client, _rec = v1
    cfg = RequestConfiguration(
        query_parameters=CountRequestBuilder.CountRequestBuilderGetQueryParameters(
            filter=f"startswith(displayName, 'Dir {run_id}')"
        )
    )
    cfg.headers.add("ConsistencyLevel", "eventual")
    assert await client.users.count.get(cfg) == 3


async def test_v1_users_page_iterator(v1, run_id):
    client, rec = v1
    cfg = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=f"startswith(displayName, 'Dir {run_id}')", top=1
        )
    )
    first = await client.users.get(cfg)
    lossless(first, rec)
    seen: list[str] = []
    await PageIterator(first, client.request_adapter).iterate(lambda u: seen.append(u.id) or True)
    assert sorted(seen) == sorted(D.users)


async def test_v1_groups_and_members_ref(v1, run_id):
    client, rec = v1
    g = await client.groups.post(
        Group(
            display_name=f"Dir group {run_id}",
            mail_enabled=False,
            mail_nickname=f"dirgroup{run_id}",
            security_enabled=True,
        )
    )
    lossless(g, rec)
    D.group = g.id
    await client.groups.by_group_id(g.id).patch(Group(description="patched"))
    g2 = await client.groups.by_group_id(g.id).get()
    lossless(g2, rec)
    assert g2.description == "patched"
    for uid in D.users[:2]:
        await client.groups.by_group_id(g.id).members.ref.post(
            ReferenceCreate(odata_id=f"{harness.BASE}/v1.0/directoryObjects/{uid}")
        )
        assert rec.last()["status"] == 204
    members = await client.groups.by_group_id(g.id).members.get()
    lossless(members, rec)
    assert sorted(m.id for m in members.value) == sorted(D.users[:2])
    assert all(m.odata_type == "#microsoft.graph.user" for m in members.value)
    refs = await client.groups.by_group_id(g.id).members.ref.get()
    assert rec.last()["status"] == 200
    assert len(refs.value) == 2
    await client.groups.by_group_id(g.id).members.by_directory_object_id(D.users[0]).ref.delete()
    assert rec.last()["status"] == 204
    members = await client.groups.by_group_id(g.id).members.get()
    assert [m.id for m in members.value] == [D.users[1]]
    await client.groups.by_group_id(g.id).owners.ref.post(
        ReferenceCreate(odata_id=f"{harness.BASE}/v1.0/users/{D.users[2]}")
    )
    owners = await client.groups.by_group_id(g.id).owners.get()
    lossless(owners, rec)
    assert [o.id for o in owners.value] == [D.users[2]]


async def test_v1_directory_errors(v1):
    client, _rec = v1
    with pytest.raises(ODataError) as e:
        await client.users.by_user_id("00000000-0000-0000-0000-000000000404").get()
    status, code = odata_error(e)
    assert status == 404 and code.endswith("ResourceNotFound")
    with pytest.raises(ODataError) as e:
        await client.users.post(User(display_name="no upn"))
    status, code = odata_error(e)
    assert (status, code) == (400, "Request_BadRequest")


async def test_v1_directory_advanced_queries_need_consistency_level(v1):
    """Graph's directory answers `$search` and `/$count` only with `ConsistencyLevel: eventual`,
    and `ne` only with it and `$count=true`; the SDK surfaces the refusals as ODataError."""
    from msgraph.generated.users.count.count_request_builder import CountRequestBuilder

    client, _rec = v1
    with pytest.raises(ODataError) as e:
        await client.users.count.get()
    assert odata_error(e) == (400, "Request_BadRequest")
    search = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(search='"displayName:Dir"')
    )
    with pytest.raises(ODataError) as e:
        await client.users.get(search)
    assert odata_error(e) == (400, "Request_UnsupportedQuery")
    ne = RequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter="displayName ne 'nobody'", count=True
        )
    )
    with pytest.raises(ODataError) as e:
        await client.users.get(ne)
    assert odata_error(e) == (400, "Request_UnsupportedQuery")
    ne.headers.add("ConsistencyLevel", "eventual")
    page = await client.users.get(ne)
    assert page.odata_count == len(page.value) >= 1
    count = RequestConfiguration(query_parameters=CountRequestBuilder.CountRequestBuilderGetQueryParameters())
    count.headers.add("ConsistencyLevel", "eventual")
    assert await client.users.count.get(count) >= 1


async def test_beta_users_and_groups(beta, run_id):
    from msgraph_beta.generated.models.group import Group as BGroup
    from msgraph_beta.generated.models.reference_create import ReferenceCreate as BRef
    from msgraph_beta.generated.models.user import User as BUser

    client, rec = beta
    u = await client.users.post(
        BUser(
            account_enabled=True,
            display_name=f"Beta dir {run_id}",
            mail_nickname=f"betadir{run_id}",
            user_principal_name=f"betadir.{run_id}@example.com",
        )
    )
    lossless(u, rec)
    u = await client.users.by_user_id(u.id).get()
    lossless(u, rec)
    g = await client.groups.post(
        BGroup(display_name=f"Beta group {run_id}", mail_enabled=False, mail_nickname=f"bg{run_id}", security_enabled=True)
    )
    lossless(g, rec)
    await client.groups.by_group_id(g.id).members.ref.post(
        BRef(odata_id=f"{harness.BASE}/beta/directoryObjects/{u.id}")
    )
    members = await client.groups.by_group_id(g.id).members.get()
    lossless(members, rec)
    assert [m.id for m in members.value] == [u.id]
    await client.groups.by_group_id(g.id).members.by_directory_object_id(u.id).ref.delete()
    await client.groups.by_group_id(g.id).delete()
    assert rec.last()["status"] == 204
    await client.users.by_user_id(u.id).delete()
    assert rec.last()["status"] == 204


async def test_v1_deletes(v1):
    client, rec = v1
    await client.groups.by_group_id(D.group).delete()
    assert rec.last()["status"] == 204
    for uid in D.users:
        await client.users.by_user_id(uid).delete()
        assert rec.last()["status"] == 204
    with pytest.raises(ODataError) as e:
        await client.users.by_user_id(D.users[0]).get()
    assert odata_error(e)[0] == 404
