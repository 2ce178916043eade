"""pytest fixtures for accessd.

- ``accessd_server`` (session): ``accessd serve --clock virtual`` on a free loopback port and a
  throwaway database. The binary is ``$ACCESSD_BIN``, else ``accessd`` on ``PATH``, else built
  from the checkout this plugin sits in (``cargo build -p accessd``).
- ``accessd`` (function): the same server, with its tenant emptied before the test (or put back
  to a snapshot: ``@pytest.mark.accessd_snapshot("name")``).
- ``graph`` / ``graph_beta``: Microsoft's ``GraphServiceClient`` (v1.0 / beta) as the
  administrator; ``accessd.graph_as(user_id)`` as a given user.
- On the server object: ``advance("P30D")``, ``now()``, ``outbox(**filters)``,
  ``requests(**filters)``, ``reset()``, ``snapshot(name)``, ``restore(name)``,
  ``token_for(user_id, scopes=...)``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import httpx
import pytest

__all__ = ["AccessdServer"]

ADMIN_ID = "00000000-0000-0000-0000-0000000000ad"


def _binary() -> str:
    if os.environ.get("ACCESSD_BIN"):
        return os.environ["ACCESSD_BIN"]
    found = shutil.which("accessd")
    if found:
        return found
    root = Path(__file__).resolve().parents[4]
    if (root / "Cargo.toml").exists():
        subprocess.run(["cargo", "build", "-p", "accessd"], cwd=root, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
        return str(target / "debug" / "accessd")
    raise RuntimeError("no accessd binary: set ACCESSD_BIN or put accessd on PATH")


class AccessdServer:
    """A running accessd and what tests do with it."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.database = f"sqlite://{directory / 'accessd.db'}"
        self._out = open(directory / "stdout", "w+")
        self._err = open(directory / "stderr", "w+")
        self.process = subprocess.Popen(
            [binary, "serve", "--clock", "virtual", "--listen", "127.0.0.1:0",
             "--database", self.database],
            stdout=self._out,
            stderr=self._err,
            env={**os.environ, "ACCESSD_LOG": "warn"},
        )
        lines: list[str] = []
        for _ in range(300):
            self._out.seek(0)
            lines = self._out.read().splitlines()
            if len(lines) >= 4:
                break
            if self.process.poll() is not None:
                self._err.seek(0)
                raise RuntimeError(f"accessd did not start: {self._err.read()}")
            time.sleep(0.1)
        else:
            raise RuntimeError("accessd did not print its address")
        self.url = lines[0].split()[-1]
        self.token = lines[3].strip()
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60
        )

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._out.close()
        self._err.close()

    # ---- the emulator -------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        r = self.http.request(method, path, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def now(self) -> str:
        return self._call("GET", "/_accessd/clock")["now"]

    def advance(self, duration: str) -> str:
        """Moves the virtual clock forward (ISO 8601, ``P30D``), carrying out what falls due."""
        return self._call("POST", "/_accessd/clock", json={"advance": duration})["now"]

    def reset(self, to: str = "empty") -> None:
        self._call("POST", "/_accessd/reset", json={"to": to})

    def snapshot(self, name: str) -> dict:
        return self._call("POST", "/_accessd/snapshots", json={"name": name})

    def restore(self, name: str) -> dict:
        return self._call("POST", f"/_accessd/snapshots/{name}/restore")

    def outbox(self, **filters: Any) -> list[dict]:
        """What the service would have e-mailed or called out, newest first."""
        return self._call("GET", "/_accessd/outbox", params=filters)["value"]

    def requests(self, **filters: Any) -> list[dict]:
        """The last calls to the server, newest first."""
        return self._call("GET", "/_accessd/requests", params=filters)["value"]

    def token_for(
        self, user_id: str, scopes: str = "EntitlementManagement.ReadWrite.All User.Read"
    ) -> str:
        """A delegated token for a directory user, signed with the server's key."""
        out = subprocess.run(
            [self.binary, "token", "--database", self.database, "--user", user_id,
             "--scopes", scopes],
            check=True, capture_output=True, text=True, timeout=60,
        )
        return out.stdout.strip().splitlines()[-1]

    # ---- Microsoft's SDKs ----------------------------------------------------------------------

    def graph_as(self, user_id: Optional[str] = None, beta: bool = False):
        """A ``GraphServiceClient`` as the administrator, or as ``user_id``."""
        from kiota_abstractions.authentication import (
            AccessTokenProvider,
            AllowedHostsValidator,
            BaseBearerTokenAuthenticationProvider,
        )

        token = self.token if user_id is None else self.token_for(user_id)
        host = httpx.URL(self.url).host

        class Static(AccessTokenProvider):
            async def get_authorization_token(self, uri, additional_authentication_context={}):
                return token

            def get_allowed_hosts_validator(self):
                return AllowedHostsValidator([host])

        if beta:
            import msgraph_beta as sdk
        else:
            import msgraph as sdk
        adapter = sdk.GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(Static()))
        adapter.base_url = f"{self.url}/{'beta' if beta else 'v1.0'}"
        return sdk.GraphServiceClient(request_adapter=adapter)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "accessd_snapshot(name): start the test from this snapshot, not an empty tenant"
    )


@pytest.fixture(scope="session")
def accessd_server():
    directory = Path(tempfile.mkdtemp(prefix="pytest-accessd-"))
    server = AccessdServer(_binary(), directory)
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def accessd(accessd_server: AccessdServer, request: pytest.FixtureRequest) -> AccessdServer:
    marker = request.node.get_closest_marker("accessd_snapshot")
    if marker:
        accessd_server.restore(marker.args[0])
    else:
        accessd_server.reset()
    return accessd_server


@pytest.fixture
def graph(accessd: AccessdServer):
    return accessd.graph_as()


@pytest.fixture
def graph_beta(accessd: AccessdServer):
    return accessd.graph_as(beta=True)
