"""Clients for the conformance suite: Microsoft's Python Graph SDKs pointed at accessd.

The setup is the one ../shared/sdk-wire.md section 1 records (a static bearer token behind
`BaseBearerTokenAuthenticationProvider`, the SDK's own `GraphRequestAdapter` with `base_url`
including the version segment). The only addition is an httpx response hook that keeps the raw
JSON of every answer, so that tests can check that the SDK's model holds everything accessd sent
(`assert_lossless`).

HTTPS is trusted the way a user would trust it: httpx reads `SSL_CERT_FILE` (run.sh points it at
the CA that `accessd serve --tls` generated).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import os
import re
import subprocess
from datetime import date, datetime, timedelta
from typing import Any, Optional
from urllib.parse import urlparse

import httpx
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.date_utils import datetime_from_iso_format_compat, parse_timedelta_string
from kiota_abstractions.serialization import Parsable
from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter

import msgraph
import msgraph_beta
from msgraph_core import GraphClientFactory

BASE = os.environ.get("ACCESSD_URL", "").rstrip("/")
TOKEN = os.environ.get("ACCESSD_TOKEN", "")
ACCESSD_BIN = os.environ.get("ACCESSD_BIN", "accessd")
DATABASE = os.environ.get("ACCESSD_DATABASE", "")
HOST = urlparse(BASE).hostname or "127.0.0.1"
# The object id of the administrator whose token `accessd serve` prints.
ADMIN_ID = "00000000-0000-0000-0000-0000000000ad"


class StaticTokenProvider(AccessTokenProvider):
    """Answers with one fixed token, for the allowed hosts only."""

    def __init__(self, token: str, allowed_hosts: list[str]) -> None:
        self._token = token
        self._validator = AllowedHostsValidator(allowed_hosts)

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] = {}
    ) -> str:
        return self._token if self._validator.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._validator


class Recorder:
    """Keeps what came back for every request: method, URL, status, headers, JSON body."""

    def __init__(self) -> None:
        self.exchanges: list[dict[str, Any]] = []

    async def on_response(self, response: httpx.Response) -> None:
        await response.aread()
        body: Any = None
        ctype = response.headers.get("content-type", "")
        if response.content and ctype.startswith("application/json"):
            body = json.loads(response.content)
        self.exchanges.append(
            {
                "method": response.request.method,
                "url": str(response.request.url),
                "status": response.status_code,
                "headers": response.headers,
                "http_version": response.http_version,
                "request_headers": response.request.headers,
                "json": body,
                "text": response.text if not body else None,
            }
        )

    def last(self) -> dict[str, Any]:
        assert self.exchanges, "no request was recorded"
        return self.exchanges[-1]

    def last_json(self) -> Any:
        return self.last()["json"]


def _adapter(module: Any, version: str, token: str, rec: Recorder) -> Any:
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(30.0),
        http2=True,
        event_hooks={"response": [rec.on_response]},
    )
    # The SDK's own middleware pipeline (retry, redirect, URL replacement, telemetry), exactly
    # what `GraphRequestAdapter(auth)` builds for itself.
    options = importlib.import_module(module.__name__ + ".graph_request_adapter").options
    client = GraphClientFactory.create_with_default_middleware(client=client, options=options)
    auth = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token, [HOST]))
    adapter = module.GraphRequestAdapter(auth, client=client)
    adapter.base_url = f"{BASE}/{version}"
    return adapter


def v1_client(token: Optional[str] = None) -> tuple[msgraph.GraphServiceClient, Recorder]:
    rec = Recorder()
    adapter = _adapter(msgraph, "v1.0", token or TOKEN, rec)
    return msgraph.GraphServiceClient(request_adapter=adapter), rec


def beta_client(token: Optional[str] = None) -> tuple[msgraph_beta.GraphServiceClient, Recorder]:
    rec = Recorder()
    adapter = _adapter(msgraph_beta, "beta", token or TOKEN, rec)
    return msgraph_beta.GraphServiceClient(request_adapter=adapter), rec


def mint_token(user_id: str, scopes: str = "EntitlementManagement.ReadWrite.All") -> str:
    """A delegated token for a user, signed with the running server's key."""
    out = subprocess.run(
        [ACCESSD_BIN, "token", "--database", DATABASE, "--user", user_id, "--scopes", scopes],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout.strip().splitlines()[-1]


# ---- "no property lost" ------------------------------------------------------------------------


def serialize(model: Parsable) -> Any:
    """The model written back as JSON by kiota's own writer."""
    w = JsonSerializationWriter()
    w.write_object_value(None, model)
    return json.loads(w.get_serialized_content().decode("utf-8"))


def _leftovers(obj: Any, path: str, out: list[str]) -> None:
    """Collects properties that landed in `additional_data` (not `@odata.*` annotations)."""
    if isinstance(obj, list):
        for i, x in enumerate(obj):
            _leftovers(x, f"{path}[{i}]", out)
        return
    if not isinstance(obj, Parsable):
        return
    extra = getattr(obj, "additional_data", None) or {}
    for k in extra:
        if not k.startswith("@odata.") and not k.startswith("@"):
            out.append(f"{path}.{k}")
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            if f.name in ("additional_data", "backing_store"):
                continue
            v = getattr(obj, f.name, None)
            if isinstance(v, (Parsable, list)):
                _leftovers(v, f"{path}.{f.name}", out)


def _as_instant(s: str) -> Optional[datetime]:
    try:
        return datetime_from_iso_format_compat(s.replace("Z", "+00:00"))
    except (ValueError, TypeError):
        return None


_PY_TIMEDELTA = re.compile(r"^(?:(-?\d+) days?, )?(\d+):(\d\d):(\d\d(?:\.\d+)?)$")


def _as_duration(s: str) -> Optional[timedelta]:
    """ISO 8601 (what accessd sends) or `str(timedelta)` (what kiota writes back)."""
    m = _PY_TIMEDELTA.match(s)
    if m:
        days, h, mi, sec = m.groups()
        return timedelta(days=int(days or 0), hours=int(h), minutes=int(mi), seconds=float(sec))
    try:
        return parse_timedelta_string(s)
    except (ValueError, TypeError):
        return None


def _same_scalar(sent: Any, back: Any) -> bool:
    if sent == back:
        return True
    if isinstance(sent, str) and isinstance(back, str):
        if sent.lower() == back.lower():
            return True  # enum casing
        a, b = _as_instant(sent), _as_instant(back)
        if a is not None and b is not None and len(sent) > 10:
            return a == b
        da, db = _as_duration(sent), _as_duration(back)
        if da is not None and db is not None:
            return da == db
    if isinstance(sent, (int, float)) and isinstance(back, (int, float)):
        return float(sent) == float(back)
    return False


def _compare(sent: Any, back: Any, path: str, out: list[str]) -> None:
    if isinstance(sent, dict):
        if not isinstance(back, dict):
            out.append(f"{path}: sent an object, model holds {back!r}")
            return
        for k, v in sent.items():
            if k.startswith("@odata.") and k != "@odata.type":
                continue
            if v is None:
                continue  # null and absent read the same
            if k not in back:
                out.append(f"{path}.{k}: sent {json.dumps(v)[:120]}, lost by the model")
                continue
            _compare(v, back[k], f"{path}.{k}", out)
    elif isinstance(sent, list):
        if not isinstance(back, list) or len(sent) != len(back):
            out.append(f"{path}: sent {len(sent)} items, model holds {back!r:.120}")
            return
        for i, (a, b) in enumerate(zip(sent, back)):
            _compare(a, b, f"{path}[{i}]", out)
    elif not _same_scalar(sent, back):
        out.append(f"{path}: sent {sent!r}, model holds {back!r}")


def assert_lossless(model: Any, raw: Any, what: str = "$") -> None:
    """Asserts that the SDK model read everything accessd sent, into typed properties: nothing
    in `additional_data` (but annotations), and writing the model back gives the same values."""
    assert model is not None, f"{what}: the SDK returned None for {json.dumps(raw)[:200]}"
    assert raw is not None, f"{what}: no JSON body was recorded"
    problems: list[str] = []
    _leftovers(model, what, problems)
    _compare(raw, serialize(model), what, problems)
    assert not problems, "properties lost by the SDK model:\n  " + "\n  ".join(problems)


def lossless(model: Any, rec: Recorder, what: str = "$") -> Any:
    """`assert_lossless` against the last answer; returns the model."""
    assert_lossless(model, rec.last_json(), what)
    return model


def odata_error(excinfo: Any) -> tuple[int, str]:
    e = excinfo.value
    assert e.error is not None, f"ODataError without error body: {e!r}"
    assert e.error.message, "ODataError without a message"
    return e.response_status_code, e.error.code


def enum_value(v: Any) -> Any:
    return v.value if isinstance(v, enum.Enum) else v


def iso(d: datetime | date) -> str:
    return d.isoformat()
