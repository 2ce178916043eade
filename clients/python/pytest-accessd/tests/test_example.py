"""An example test suite written with pytest-accessd: a requestor asks for an access package, the
approver approves it through Microsoft's own SDK, the group membership is delivered, and a week
later on the virtual clock the assignment expires and the membership goes, with the e-mails the
service would have sent along the way. Each test starts from an empty tenant."""

from __future__ import annotations

from msgraph.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph.generated.models.access_package_assignment_request import (
    AccessPackageAssignmentRequest,
)
from msgraph.generated.models.access_package_request_state import AccessPackageRequestState
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.approval_stage import ApprovalStage

EM = "/v1.0/identityGovernance/entitlementManagement"


def made(accessd, path, body):
    r = accessd.http.post(path, json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def members(accessd, group):
    r = accessd.http.get(f"/v1.0/groups/{group}/members")
    return [m["id"] for m in r.json()["value"]]


def tenant(accessd):
    """Two users, a group offered through an access package whose policy lets members ask,
    approved by the second user, for seven days."""
    ann = made(accessd, "/v1.0/users", {"displayName": "Ann", "userPrincipalName": "ann@contoso.test"})
    boss = made(accessd, "/v1.0/users", {"displayName": "Boss", "userPrincipalName": "boss@contoso.test"})
    group = made(accessd, "/v1.0/groups", {"displayName": "Builders", "mailEnabled": False,
                                            "mailNickname": "builders", "securityEnabled": True})
    catalog = made(accessd, f"{EM}/catalogs", {"displayName": "Engineering"})
    made(accessd, f"{EM}/resourceRequests", {"requestType": "adminAdd", "catalog": {"id": catalog},
                                            "resource": {"originId": group, "originSystem": "AadGroup"}})
    resource = accessd.http.get(f"{EM}/catalogs/{catalog}/resources").json()["value"][0]["id"]
    package = made(accessd, f"{EM}/accessPackages", {"displayName": "Builders access", "catalog": {"id": catalog}})
    made(accessd, f"{EM}/accessPackages/{package}/resourceRoleScopes", {
        "role": {"originId": f"Member_{group}", "originSystem": "AadGroup", "resource": {"id": resource}},
        "scope": {"originId": group, "originSystem": "AadGroup"},
    })
    policy = made(accessd, f"{EM}/assignmentPolicies", {
        "displayName": "Members ask", "description": "approved by Boss",
        "allowedTargetScope": "allMemberUsers",
        "expiration": {"type": "afterDuration", "duration": "P7D"},
        "requestorSettings": {"enableTargetsToSelfAddAccess": True},
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": True, "isApprovalRequiredForUpdate": False,
            "stages": [{"durationBeforeAutomaticDenial": "P2D", "isApproverJustificationRequired": False,
                        "isEscalationEnabled": False,
                        "primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser", "userId": boss}]}],
        },
        "accessPackage": {"id": package},
    })
    return ann, boss, group, package, policy


async def test_request_approve_deliver_expire(accessd):
    ann, boss, group, package, policy = tenant(accessd)
    requestor = accessd.graph_as(ann).identity_governance.entitlement_management
    r = await requestor.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.UserAdd,
            assignment=AccessPackageAssignment(
                additional_data={"accessPackageId": package, "assignmentPolicyId": policy}
            ),
            justification="I build things",
        )
    )
    assert r.state == AccessPackageRequestState.PendingApproval
    assert [m["to"] for m in accessd.outbox(template="ApprovalRequired")] == [[boss]]
    approver = accessd.graph_as(boss).identity_governance.entitlement_management
    mine = await approver.access_package_assignment_approvals.filter_by_current_user_with_on("approver").get()
    assert [a.id for a in mine.value] == [r.id]
    approval = approver.access_package_assignment_approvals.by_approval_id(r.id)
    stage = (await approval.stages.get()).value[0]
    await approval.stages.by_approval_stage_id(stage.id).patch(
        ApprovalStage(review_result="Approve", justification="welcome")
    )
    done = await requestor.assignment_requests.by_access_package_assignment_request_id(r.id).get()
    assert done.state == AccessPackageRequestState.Delivered
    assert members(accessd, group) == [ann]
    # A week and a day later the access is gone, and Ann was told.
    accessd.advance("P8D")
    assert members(accessd, group) == []
    told = [m["template"] for m in accessd.outbox(to=ann)]
    assert told[0] == "AssignmentExpired" and "AccessGranted" in told


async def test_each_test_starts_from_an_empty_tenant(accessd, graph):
    users = await graph.users.get()
    assert users.value == []
    catalogs = await graph.identity_governance.entitlement_management.catalogs.get()
    assert catalogs.value == []


async def test_a_denial_on_timeout(accessd):
    ann, boss, group, package, policy = tenant(accessd)
    requestor = accessd.graph_as(ann).identity_governance.entitlement_management
    r = await requestor.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.UserAdd,
            assignment=AccessPackageAssignment(
                additional_data={"accessPackageId": package, "assignmentPolicyId": policy}
            ),
        )
    )
    accessd.advance("P3D")
    back = await requestor.assignment_requests.by_access_package_assignment_request_id(r.id).get()
    assert back.state == AccessPackageRequestState.Denied
    assert [m["template"] for m in accessd.outbox(to=ann)][0] == "RequestExpired"
    assert members(accessd, group) == []
