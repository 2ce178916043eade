"""The built-in identity provider, through Microsoft's own credential classes: an application
registered through the SDK gets an app-only token from azure-identity's ClientSecretCredential,
a directory user with a password gets a delegated one from UsernamePasswordCredential, and the
Graph SDK, authenticated by those credentials (not by a minted token), is answered as each of
these principals may be.

MSAL speaks only HTTPS to an authority, so these tests run in the HTTPS pass (run.sh trusts
accessd's CA through SSL_CERT_FILE for httpx and REQUESTS_CA_BUNDLE for azure-identity's
requests) and are skipped over HTTP.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from types import SimpleNamespace
from urllib.parse import urlparse

import httpx
import pytest

import harness
from harness import lossless, odata_error

pytestmark = pytest.mark.skipif(
    os.environ.get("ACCESSD_TRANSPORT", "http") != "https",
    reason="MSAL talks to an authority over HTTPS only; runs in the HTTPS pass",
)

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
EM_READ_ALL = "c74fd47d-ed3c-45c3-9a9e-b8676de685d2"
IGA = "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e"
SCOPE = "https://graph.microsoft.com/.default"
CATALOGS = "identityGovernance/entitlementManagement/catalogs"
PASSWORD = "Conf0rmance!Pass"

D = SimpleNamespace()


def authority() -> str:
    """The authority host a user gives azure-identity: accessd's host and port."""
    return urlparse(harness.BASE).netloc


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def tenant_id() -> str:
    return claims(harness.TOKEN)["tid"]


def sdk_with(credential):
    """The v1.0 SDK authenticated by an azure-identity credential, pointed at accessd."""
    import msgraph
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph_core import GraphClientFactory

    options = __import__("msgraph.graph_request_adapter", fromlist=["options"]).options
    client = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(timeout=httpx.Timeout(30.0)), options=options
    )
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[SCOPE], allowed_hosts=[harness.HOST]
    )
    adapter = msgraph.GraphRequestAdapter(auth, client=client)
    adapter.base_url = f"{harness.BASE}/v1.0"
    return msgraph.GraphServiceClient(request_adapter=adapter)


async def test_register_an_application_through_the_sdk(v1, run_id):
    from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
        AddPasswordPostRequestBody,
    )
    from msgraph.generated.models.app_role_assignment import AppRoleAssignment
    from msgraph.generated.models.application import Application
    from msgraph.generated.models.password_credential import PasswordCredential
    from msgraph.generated.models.service_principal import ServicePrincipal

    client, rec = v1
    app = await client.applications.post(Application(display_name=f"Conformance {run_id}"))
    lossless(app, rec)
    assert rec.last()["status"] == 201
    secret = await client.applications.by_application_id(app.id).add_password.post(
        AddPasswordPostRequestBody(password_credential=PasswordCredential(display_name="ci"))
    )
    lossless(secret, rec)
    assert secret.secret_text and secret.hint == secret.secret_text[:3]
    sp = await client.service_principals.post(ServicePrincipal(app_id=app.app_id))
    lossless(sp, rec)
    graph = await client.service_principals_with_app_id(GRAPH_APP_ID).get()
    lossless(graph, rec)
    role = next(r for r in graph.app_roles if r.value == "EntitlementManagement.Read.All")
    assert str(role.id) == EM_READ_ALL
    grant = await client.service_principals.by_service_principal_id(sp.id).app_role_assignments.post(
        AppRoleAssignment(
            principal_id=uuid.UUID(sp.id), resource_id=uuid.UUID(graph.id), app_role_id=role.id
        )
    )
    lossless(grant, rec)
    assert grant.resource_display_name == "Microsoft Graph"
    # The secret is shown once; read back, the application has only its hint.
    again = await client.applications.by_application_id(app.id).get()
    lossless(again, rec)
    assert again.password_credentials[0].secret_text is None
    D.app = SimpleNamespace(client_id=app.app_id, secret=secret.secret_text, sp=sp.id)


async def test_client_secret_credential_gets_an_app_only_token_the_sdk_uses():
    from azure.identity.aio import ClientSecretCredential

    cred = ClientSecretCredential(
        tenant_id(),
        D.app.client_id,
        D.app.secret,
        authority=authority(),
        disable_instance_discovery=True,
    )
    try:
        token = (await cred.get_token(SCOPE)).token
        c = claims(token)
        assert (c["idtyp"], c["oid"], c["appid"]) == ("app", D.app.sp, D.app.client_id)
        assert c["roles"] == ["EntitlementManagement.Read.All"]
        sdk = sdk_with(cred)
        catalogs = await sdk.identity_governance.entitlement_management.catalogs.get()
        assert catalogs.value is not None
        # Read.All reads; it does not write.
        from msgraph.generated.models.access_package_catalog import AccessPackageCatalog

        with pytest.raises(Exception) as e:
            await sdk.identity_governance.entitlement_management.catalogs.post(
                AccessPackageCatalog(display_name="not allowed")
            )
        assert odata_error(e)[0] == 403
    finally:
        await cred.close()


async def test_a_wrong_secret_is_refused_as_entra_refuses_it():
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity.aio import ClientSecretCredential

    cred = ClientSecretCredential(
        tenant_id(), D.app.client_id, "not-the-secret", authority=authority(),
        disable_instance_discovery=True,
    )
    try:
        with pytest.raises(ClientAuthenticationError) as e:
            await cred.get_token(SCOPE)
        assert "AADSTS7000215" in str(e.value)
    finally:
        await cred.close()


async def test_register_a_public_client_and_a_user_with_a_password(v1, run_id):
    from msgraph.generated.models.application import Application
    from msgraph.generated.models.password_profile import PasswordProfile
    from msgraph.generated.models.user import User

    client, rec = v1
    app = await client.applications.post(
        Application(display_name=f"Public {run_id}", is_fallback_public_client=True)
    )
    lossless(app, rec)
    assert app.is_fallback_public_client is True
    upn = f"signin.{run_id}@contoso.test"
    user = await client.users.post(
        User(
            account_enabled=True,
            display_name=f"Sign In {run_id}",
            mail_nickname=f"signin{run_id}",
            user_principal_name=upn,
            password_profile=PasswordProfile(password=PASSWORD, force_change_password_next_sign_in=False),
        )
    )
    D.user = SimpleNamespace(id=user.id, upn=upn, client_id=app.app_id)


def user_credential(password: str = PASSWORD):
    import msal.authority
    from azure.identity import UsernamePasswordCredential

    # MSAL asks `https://{host}/common/userrealm/...` without the authority's port; with the
    # host marked as one without user realm discovery it goes straight to the token endpoint.
    msal.authority.Authority._domains_without_user_realm_discovery.add(harness.HOST)
    return UsernamePasswordCredential(
        D.user.client_id,
        D.user.upn,
        password,
        tenant_id=tenant_id(),
        authority=authority(),
        disable_instance_discovery=True,
    )


async def test_username_password_credential_gets_a_delegated_token(v1):
    from msgraph.generated.models.unified_role_assignment import UnifiedRoleAssignment

    cred = user_credential()
    token = cred.get_token(SCOPE).token
    c = claims(token)
    assert (c["idtyp"], c["oid"], c["azp"]) == ("user", D.user.id, D.user.client_id)
    assert "EntitlementManagement.ReadWrite.All" in c["scp"].split()
    assert "wids" not in c
    # An ordinary user: no catalogs, but their own requests.
    plain = harness.v1_client(token)[0]
    with pytest.raises(Exception) as e:
        await plain.identity_governance.entitlement_management.catalogs.get()
    assert odata_error(e)[0] == 403
    mine = await plain.identity_governance.entitlement_management.assignment_requests.filter_by_current_user_with_on(
        "target"
    ).get()
    assert mine.value == []
    # Made an Identity Governance Administrator, the next token says so, and the catalogs open.
    client, _ = v1
    await client.role_management.directory.role_assignments.post(
        UnifiedRoleAssignment(principal_id=D.user.id, role_definition_id=IGA, directory_scope_id="/")
    )
    fresh = user_credential().get_token(SCOPE).token
    assert claims(fresh)["wids"] == [IGA]
    admin = harness.v1_client(fresh)[0]
    catalogs = await admin.identity_governance.entitlement_management.catalogs.get()
    assert catalogs.value is not None


async def test_a_wrong_password_is_refused_as_entra_refuses_it():
    from azure.core.exceptions import ClientAuthenticationError

    with pytest.raises(ClientAuthenticationError) as e:
        user_credential("Wr0ng!password").get_token(SCOPE)
    assert "AADSTS50126" in str(e.value)
