"""JSON batching through msgraph-sdk's own batch helpers (`BatchRequestContent`,
`client.batch.post`): requests built by the SDK's request builders, a dependency between two of
them, each answer read back into the SDK's models."""

from __future__ import annotations

import json

from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_catalog_collection_response import (
    AccessPackageCatalogCollectionResponse,
)
from msgraph.generated.models.user import User
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem


def model(rec, request_id, cls):
    """An inner answer's body, read into the SDK's model from the batch response as it came.

    msgraph-core 1.5 reads each inner `body` with `get_bytes_value` (a base64 string), so the JSON
    objects Graph puts there come back as `None`, and its `response_body` then hands kiota's parser
    a BytesIO; both fail against any server. The status codes it reads fine."""
    item = next(r for r in rec.last_json()["responses"] if r["id"] == request_id)
    raw = json.dumps(item["body"]).encode()
    return JsonParseNodeFactory().get_root_parse_node("application/json", raw).get_object_value(cls)


async def test_a_batch_built_with_the_sdk(v1, run_id):
    client, rec = v1
    em = client.identity_governance.entitlement_management
    create = BatchRequestItem(
        request_information=em.catalogs.to_post_request_information(
            AccessPackageCatalog(display_name=f"Batched {run_id}")
        ),
        id="create",
    )
    listing = BatchRequestItem(
        request_information=em.catalogs.to_get_request_information(), id="list", depends_on=[create]
    )
    missing = BatchRequestItem(
        request_information=client.users.by_user_id(
            "00000000-0000-0000-0000-00000000dead"
        ).to_get_request_information(),
        id="missing",
    )
    content = BatchRequestContent({"create": create, "list": listing, "missing": missing})
    result = await client.batch.post(batch_request_content=content)
    codes = result.get_response_status_codes()
    assert codes == {"create": 201, "list": 200, "missing": 404}
    made = model(rec, "create", AccessPackageCatalog)
    assert made.display_name == f"Batched {run_id}"
    listed = model(rec, "list", AccessPackageCatalogCollectionResponse)
    assert made.id in [c.id for c in listed.value]
    assert rec.last()["status"] == 200


async def test_a_batch_of_directory_writes(v1, run_id):
    client, rec = v1
    items = {}
    for i in range(3):
        info = client.users.to_post_request_information(
            User(
                account_enabled=True,
                display_name=f"Batch user {run_id} {i}",
                mail_nickname=f"b{run_id}{i}",
                user_principal_name=f"batch{i}.{run_id}@contoso.test",
            )
        )
        items[str(i)] = BatchRequestItem(request_information=info, id=str(i))
    result = await client.batch.post(batch_request_content=BatchRequestContent(items))
    assert set(result.get_response_status_codes().values()) == {201}
    for i in range(3):
        assert model(rec, str(i), User).user_principal_name == f"batch{i}.{run_id}@contoso.test"
