"""Custom extensions through msgraph-sdk: a catalog's customWorkflowExtensions made with the SDK's
models, a policy that waits for one when a request is created, the callout received by an
endpoint of the test's own (a Logic App stand-in on loopback), and the callback sent back with
the SDK's `resume`."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from msgraph.generated.identity_governance.entitlement_management.assignment_requests.item.resume.resume_post_request_body import (
    ResumePostRequestBody,
)
from msgraph.generated.models.access_package import AccessPackage
from msgraph.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy
from msgraph.generated.models.access_package_assignment_request import AccessPackageAssignmentRequest
from msgraph.generated.models.access_package_assignment_request_callback_data import (
    AccessPackageAssignmentRequestCallbackData,
)
from msgraph.generated.models.access_package_assignment_request_workflow_extension import (
    AccessPackageAssignmentRequestWorkflowExtension,
)
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_custom_extension_stage import (
    AccessPackageCustomExtensionStage,
)
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.allowed_target_scope import AllowedTargetScope
from msgraph.generated.models.custom_callout_extension import CustomCalloutExtension
from msgraph.generated.models.custom_extension_callback_configuration import (
    CustomExtensionCallbackConfiguration,
)
from msgraph.generated.models.custom_extension_callout_instance_status import (
    CustomExtensionCalloutInstanceStatus,
)
from msgraph.generated.models.custom_extension_stage_setting import CustomExtensionStageSetting
from msgraph.generated.models.expiration_pattern import ExpirationPattern
from msgraph.generated.models.expiration_pattern_type import ExpirationPatternType
from msgraph.generated.models.logic_app_trigger_endpoint_configuration import (
    LogicAppTriggerEndpointConfiguration,
)
from msgraph.generated.models.user import User

from harness import lossless

X = SimpleNamespace()


class Endpoint(BaseHTTPRequestHandler):
    """Records every callout and answers 202, as a Logic App trigger does."""

    received: list = []

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        Endpoint.received.append(json.loads(body))
        self.send_response(202)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/trigger"
    server.shutdown()


@pytest.fixture(scope="module")
def em(v1):
    return v1[0].identity_governance.entitlement_management


async def test_create_a_request_workflow_extension(v1, em, endpoint, run_id):
    client, rec = v1
    catalog = await em.catalogs.post(AccessPackageCatalog(display_name=f"Extensions {run_id}"))
    ext = await em.catalogs.by_access_package_catalog_id(catalog.id).custom_workflow_extensions.post(
        AccessPackageAssignmentRequestWorkflowExtension(
            display_name="SoD check",
            description="asks the stand-in Logic App",
            endpoint_configuration=LogicAppTriggerEndpointConfiguration(
                subscription_id="38ab2ccc-3747-4567-b36b-9478f5602f0d",
                resource_group_name="EMLogicApp",
                logic_app_workflow_name="SoDCheck",
                url=endpoint,
            ),
            callback_configuration=CustomExtensionCallbackConfiguration(
                odata_type="#microsoft.graph.customExtensionCallbackConfiguration",
                timeout_duration=timedelta(hours=1),
            ),
        )
    )
    lossless(ext, rec)
    assert rec.last()["status"] == 201
    assert isinstance(ext, AccessPackageAssignmentRequestWorkflowExtension)
    assert ext.callback_configuration.timeout_duration == timedelta(hours=1)
    listed = await em.catalogs.by_access_package_catalog_id(catalog.id).custom_workflow_extensions.get()
    lossless(listed, rec)
    assert [e.id for e in listed.value] == [ext.id]
    X.catalog, X.ext = catalog.id, ext.id


async def test_a_request_waits_for_the_callout_and_resume_carries_it_on(v1, em, run_id):
    client, rec = v1
    package = await em.access_packages.post(
        AccessPackage(display_name=f"Checked {run_id}", catalog=AccessPackageCatalog(id=X.catalog))
    )
    policy = await em.assignment_policies.post(
        AccessPackageAssignmentPolicy(
            display_name="Direct, checked",
            description="direct",
            allowed_target_scope=AllowedTargetScope.NotSpecified,
            expiration=ExpirationPattern(type=ExpirationPatternType.NoExpiration),
            access_package=AccessPackage(id=package.id),
            custom_extension_stage_settings=[
                CustomExtensionStageSetting(
                    stage=AccessPackageCustomExtensionStage.AssignmentRequestCreated,
                    custom_extension=CustomCalloutExtension(id=X.ext),
                )
            ],
        )
    )
    lossless(policy, rec)
    user = await client.users.post(
        User(
            account_enabled=True,
            display_name=f"Checked {run_id}",
            mail_nickname=f"checked{run_id}",
            user_principal_name=f"checked.{run_id}@contoso.test",
        )
    )
    r = await em.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            assignment=AccessPackageAssignment(
                additional_data={
                    "targetId": user.id,
                    "assignmentPolicyId": policy.id,
                    "accessPackageId": package.id,
                }
            ),
        )
    )
    lossless(r, rec)
    assert r.status == "WaitingForCallback"
    # The server's worker calls the endpoint within a second or two.
    callout = None
    for _ in range(100):
        mine = [c for c in Endpoint.received if c["data"].get("accessPackageAssignmentRequestId") == r.id]
        if mine:
            callout = mine[0]
            break
        time.sleep(0.1)
    assert callout, "the custom extension was not called"
    data = callout["data"]
    assert callout["type"] == "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated"
    assert data["accessPackage"]["id"] == package.id
    assert data["callbackUriPath"].endswith(f"/{r.id}/resume")
    await em.assignment_requests.by_access_package_assignment_request_id(r.id).resume.post(
        ResumePostRequestBody(
            source="Contoso.SodCheckProcess",
            type="microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
            data=AccessPackageAssignmentRequestCallbackData(
                stage=AccessPackageCustomExtensionStage.AssignmentRequestCreated,
                custom_extension_stage_instance_id=data["customExtensionStageInstanceId"],
                custom_extension_stage_instance_detail="This user is all verified",
            ),
        )
    )
    assert rec.last()["status"] == 204
    done = await em.assignment_requests.by_access_package_assignment_request_id(r.id).get()
    lossless(done, rec)
    assert done.state.value == "delivered"
    instance = done.custom_extension_callout_instances[0]
    assert instance.status == CustomExtensionCalloutInstanceStatus.CallbackReceived
    assert instance.detail == "This user is all verified"
