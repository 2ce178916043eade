"""Prints what passed, per client, API version and transport, from run.sh's result files."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

CLIENTS = {
    "v1": "msgraph-sdk 1.65.0 (Python), v1.0",
    "beta": "msgraph-beta-sdk 1.66.0 (Python), beta",
    "self": "suite self-check (no server)",
    "spec": "openapi-spec-validator 0.9.0 (OpenAPI documents, $metadata)",
}


def python_rows(xml: Path, transport: str, rows: dict) -> None:
    for case in ET.parse(xml).iter("testcase"):
        module = case.get("classname", "").split(".")[-1]
        name = case.get("name", "")
        if module == "test_harness":
            key = "self"
        elif module == "test_openapi":
            key = "spec"
        elif module == "test_beta" or name.startswith("test_beta"):
            key = "beta"
        else:
            key = "v1"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
        rows[(CLIENTS[key], transport)][outcome] += 1


def js_rows(log: Path, transport: str, rows: dict) -> None:
    text = log.read_text(errors="replace")
    for outcome in ("pass", "fail", "skipped"):
        m = re.search(rf"^\S*\s*{outcome} (\d+)$", text, re.M)
        if m:
            key = {"pass": "passed", "fail": "failed", "skipped": "skipped"}[outcome]
            rows[("@microsoft/microsoft-graph-client 3.0.7 (JS), v1.0 + beta", transport)][key] += int(m.group(1))


def main() -> None:
    work = Path(sys.argv[1])
    rows: dict = defaultdict(lambda: defaultdict(int))
    for transport in sys.argv[2:]:
        xml = work / f"python-{transport}.xml"
        if xml.exists():
            python_rows(xml, transport, rows)
        log = work / f"js-{transport}.log"
        if log.exists():
            js_rows(log, transport, rows)
    width = max((len(c) for c, _ in rows), default=10)
    print(f"{'client':<{width}}  transport  passed  failed  xfailed  skipped")
    total = defaultdict(int)
    for (client, transport), r in rows.items():
        print(
            f"{client:<{width}}  {transport:<9}  {r['passed']:>6}  {r['failed']:>6}  {r['xfailed']:>7}  {r['skipped']:>7}"
        )
        for k, v in r.items():
            total[k] += v
    print(f"{total['passed']} passed, {total['failed']} failed")


if __name__ == "__main__":
    main()
