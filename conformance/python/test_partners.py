"""Connected organizations and their sponsors through both SDKs' models and request builders."""

from __future__ import annotations

import pytest

import harness
from harness import lossless, odata_error


async def _user(client, run_id: str, tag: str) -> str:
    from msgraph.generated.models.password_profile import PasswordProfile
    from msgraph.generated.models.user import User

    u = await client.users.post(
        User(
            account_enabled=True,
            display_name=f"Sponsor {tag} {run_id}",
            mail_nickname=f"sponsor{tag}{run_id}",
            user_principal_name=f"sponsor.{tag}.{run_id}@example.com",
            password_profile=PasswordProfile(password="xWwvJ]6NMw+bWH-d", force_change_password_next_sign_in=False),
        )
    )
    return u.id


async def test_v1_connected_organization_lifecycle(v1, run_id):
    from msgraph.generated.models.connected_organization import ConnectedOrganization
    from msgraph.generated.models.connected_organization_state import ConnectedOrganizationState
    from msgraph.generated.models.domain_identity_source import DomainIdentitySource
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.models.reference_create import ReferenceCreate

    client, rec = v1
    orgs = client.identity_governance.entitlement_management.connected_organizations
    domain = f"partner-{run_id}.example"
    created = await orgs.post(
        ConnectedOrganization(
            display_name=f"Partner {run_id}",
            description="Connected organization description",
            identity_sources=[DomainIdentitySource(domain_name=domain, display_name=domain)],
            state=ConnectedOrganizationState.Proposed,
        )
    )
    lossless(created, rec)
    assert rec.last()["status"] == 201
    assert isinstance(created.identity_sources[0], DomainIdentitySource)
    assert created.identity_sources[0].domain_name == domain
    assert created.state == ConnectedOrganizationState.Proposed

    org = orgs.by_connected_organization_id(created.id)
    got = await org.get()
    lossless(got, rec)
    assert got.display_name == f"Partner {run_id}"

    # The same domain again is refused; nothing is added.
    with pytest.raises(ODataError) as e:
        await orgs.post(
            ConnectedOrganization(display_name="again", identity_sources=[DomainIdentitySource(domain_name=domain)])
        )
    assert odata_error(e) == (409, "ConnectedOrganizationAlreadyExists")

    changed = await org.patch(ConnectedOrganization(state=ConnectedOrganizationState.Configured))
    assert rec.last()["status"] == 202
    assert changed.state == ConnectedOrganizationState.Configured

    sponsor = await _user(client, run_id, "v1")
    await org.internal_sponsors.ref.post(ReferenceCreate(odata_id=f"{harness.BASE}/v1.0/users/{sponsor}"))
    assert rec.last()["status"] == 204
    sponsors = await org.internal_sponsors.get()
    lossless(sponsors, rec)
    assert [s.id for s in sponsors.value] == [sponsor]
    assert (await org.external_sponsors.get()).value == []
    await org.internal_sponsors.by_directory_object_id(sponsor).ref.delete()
    assert rec.last()["status"] == 204
    assert (await org.internal_sponsors.get()).value == []

    listed = await orgs.get()
    lossless(listed, rec)
    assert created.id in [o.id for o in listed.value]
    await org.delete()
    assert rec.last()["status"] == 204
    with pytest.raises(ODataError) as e:
        await org.get()
    assert odata_error(e)[0] == 404


async def test_beta_connected_organization_lifecycle(beta, v1, run_id):
    from msgraph_beta.generated.models.connected_organization import ConnectedOrganization
    from msgraph_beta.generated.models.domain_identity_source import DomainIdentitySource
    from msgraph_beta.generated.models.reference_create import ReferenceCreate

    client, rec = beta
    orgs = client.identity_governance.entitlement_management.connected_organizations
    domain = f"beta-partner-{run_id}.example"
    created = await orgs.post(
        ConnectedOrganization(
            display_name=f"Beta partner {run_id}",
            identity_sources=[DomainIdentitySource(domain_name=domain, display_name=domain)],
        )
    )
    lossless(created, rec)
    assert created.created_by, "beta records who created it"
    org = orgs.by_connected_organization_id(created.id)
    await org.patch(ConnectedOrganization(description="from beta"))
    assert rec.last()["status"] == 204
    assert (await org.get()).description == "from beta"

    sponsor = await _user(v1[0], run_id, "beta")
    await org.external_sponsors.ref.post(ReferenceCreate(odata_id=f"{harness.BASE}/beta/users/{sponsor}"))
    assert rec.last()["status"] == 204
    sponsors = await org.external_sponsors.get()
    lossless(sponsors, rec)
    assert [s.id for s in sponsors.value] == [sponsor]
    await org.delete()
    assert rec.last()["status"] == 204
