"""Fixtures: one SDK client per version (admin token), shared across a module, and a small
directory (users and a group) made through the SDK itself."""

from __future__ import annotations

import os
import uuid

import pytest

import harness


def pytest_configure(config: pytest.Config) -> None:
    if not harness.BASE or not harness.TOKEN:
        raise pytest.UsageError(
            "ACCESSD_URL and ACCESSD_TOKEN are not set: run the suite with conformance/run.sh"
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"accessd: {harness.BASE} ({os.environ.get('ACCESSD_TRANSPORT', 'http')})"]


@pytest.fixture(scope="session")
def run_id() -> str:
    """Makes names unique per run, so that HTTP and HTTPS runs can share nothing by accident."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def v1():
    client, rec = harness.v1_client()
    return client, rec


@pytest.fixture(scope="module")
def beta():
    client, rec = harness.beta_client()
    return client, rec
