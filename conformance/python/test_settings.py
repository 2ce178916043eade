"""`entitlementManagement/settings` through both SDKs: read into their models, changed, read back."""

from __future__ import annotations

from datetime import timedelta

from harness import lossless


async def test_v1_settings(v1):
    from msgraph.generated.models.access_package_external_user_lifecycle_action import (
        AccessPackageExternalUserLifecycleAction,
    )
    from msgraph.generated.models.entitlement_management_settings import (
        EntitlementManagementSettings,
    )

    client, rec = v1
    em = client.identity_governance.entitlement_management
    s = await em.settings.get()
    lossless(s, rec)
    await em.settings.patch(
        EntitlementManagementSettings(
            external_user_lifecycle_action=AccessPackageExternalUserLifecycleAction.BlockSignIn,
            duration_until_external_user_deleted_after_blocked=timedelta(days=20),
        )
    )
    assert rec.last()["status"] == 204
    back = await em.settings.get()
    lossless(back, rec)
    assert back.external_user_lifecycle_action == AccessPackageExternalUserLifecycleAction.BlockSignIn
    assert back.duration_until_external_user_deleted_after_blocked == timedelta(days=20)
    # Put the defaults back for whoever reads them next.
    await em.settings.patch(
        EntitlementManagementSettings(
            external_user_lifecycle_action=AccessPackageExternalUserLifecycleAction.BlockSignInAndDelete,
            duration_until_external_user_deleted_after_blocked=timedelta(days=30),
        )
    )


async def test_beta_settings(beta):
    client, rec = beta
    s = await client.identity_governance.entitlement_management.settings.get()
    lossless(s, rec)
    assert s.days_until_external_user_deleted_after_blocked == 30
    assert s.external_user_lifecycle_action == "BlockSignInAndDelete"
