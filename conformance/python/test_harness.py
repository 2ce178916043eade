"""The suite's own check, checked: `assert_lossless` must notice what an SDK model drops."""

from __future__ import annotations

import json

import pytest
from kiota_serialization_json.json_parse_node import JsonParseNode
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy

from harness import assert_lossless


def parse(raw: dict):
    node = JsonParseNode(json.loads(json.dumps(raw)))
    return node.get_object_value(AccessPackageAssignmentPolicy)


GOOD = {
    "@odata.context": "http://x/v1.0/$metadata#identityGovernance/entitlementManagement/assignmentPolicies/$entity",
    "id": "p1",
    "displayName": "P",
    "allowedTargetScope": "specificDirectoryUsers",
    "createdDateTime": "2030-01-01T08:00:00Z",
    "expiration": {"type": "afterDuration", "duration": "P365D", "endDateTime": None},
    "specificAllowedTargets": [
        {"@odata.type": "#microsoft.graph.singleUser", "userId": "u1", "description": "U"}
    ],
}


def test_a_complete_answer_passes():
    assert_lossless(parse(GOOD), GOOD)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r.update(unknownProperty=1), id="property-not-in-the-model"),
        pytest.param(lambda r: r.update(allowedTargetScope="notAValue"), id="unknown-enum-value"),
        pytest.param(
            lambda r: r["specificAllowedTargets"][0].pop("@odata.type"), id="derived-type-without-odata-type"
        ),
        pytest.param(
            lambda r: r["specificAllowedTargets"][0].update({"@odata.type": "microsoft.graph.singleUser"}),
            id="odata-type-without-hash",
        ),
        pytest.param(lambda r: r["expiration"].update(duration="two days"), id="unreadable-duration"),
        pytest.param(lambda r: r.update(displayName=7), id="wrong-json-type"),
    ],
)
def test_what_the_model_drops_is_reported(change):
    raw = json.loads(json.dumps(GOOD))
    change(raw)
    with pytest.raises(AssertionError):
        assert_lossless(parse(raw), raw)
