"""Injected faults (`/_accessd/faults`) and the SDK's own retry handler: Graph's 429 with
`Retry-After` and 503 are retried by msgraph-sdk, unchanged, until the call succeeds."""

from __future__ import annotations

import httpx
import pytest
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog

import harness


def admin(method: str, path: str, body=None):
    r = httpx.request(
        method,
        f"{harness.BASE}{path}",
        json=body,
        headers={"Authorization": f"Bearer {harness.TOKEN}"},
        timeout=30,
    )
    r.raise_for_status()
    return r


@pytest.fixture
def faults():
    yield lambda set_: admin("PUT", "/_accessd/faults", set_)
    admin("DELETE", "/_accessd/faults")


async def test_the_sdk_retries_throttled_reads_until_they_succeed(v1, faults, run_id):
    client, rec = v1
    faults(
        {"rules": [{"method": "GET", "path": "/catalogs", "status": 429, "count": 2, "retryAfter": 1}]}
    )
    page = await client.identity_governance.entitlement_management.catalogs.get()
    assert page.value is not None
    statuses = [e["status"] for e in admin("GET", "/_accessd/requests?path=/catalogs&top=3").json()["value"]]
    assert statuses == [200, 429, 429]


async def test_the_sdk_retries_a_503_on_a_write(v1, faults, run_id):
    client, rec = v1
    faults(
        {"rules": [{"method": "POST", "path": "/catalogs", "status": 503, "count": 1, "retryAfter": 1}]}
    )
    c = await client.identity_governance.entitlement_management.catalogs.post(
        AccessPackageCatalog(display_name=f"Retried {run_id}")
    )
    assert c.id
    statuses = [e["status"] for e in admin("GET", "/_accessd/requests?method=POST&path=/catalogs&top=2").json()["value"]]
    assert statuses == [201, 503]
