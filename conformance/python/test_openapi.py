"""accessd's OpenAPI documents validate with a standard OpenAPI 3 validator (the one client and
mock generators rely on), and describe the server the client talked to."""

from __future__ import annotations

import os

import httpx
import pytest
from openapi_spec_validator import validate

import harness


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_openapi_document_is_valid(version: str) -> None:
    verify = os.environ.get("SSL_CERT_FILE") or True
    res = httpx.get(f"{harness.BASE}/openapi/{version}.json", verify=verify)
    assert res.status_code == 200
    doc = res.json()
    validate(doc)
    assert doc["servers"][0]["url"] == f"{harness.BASE}/{version}"
    paths = doc["paths"]
    em = "/identityGovernance/entitlementManagement"
    if version == "v1.0":
        assert "put" in paths[f"{em}/assignmentPolicies/{{id}}"]
        assert "patch" not in paths[f"{em}/assignmentPolicies/{{id}}"]
    else:
        assert "patch" in paths[f"{em}/accessPackageAssignmentPolicies/{{id}}"]
        assert "post" in paths[f"{em}/accessPackageAssignments"]


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_metadata_is_public_xml(version: str) -> None:
    verify = os.environ.get("SSL_CERT_FILE") or True
    res = httpx.get(f"{harness.BASE}/{version}/$metadata", verify=verify)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/xml")
    assert "<EntityType Name=\"accessPackageAssignmentPolicy\"" in res.text
