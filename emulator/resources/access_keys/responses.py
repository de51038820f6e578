"""The access key routes: each handler calls one :class:`AccessKeys` operation.

Paths are the SDK's (``MgmtV1.access_key_*``); the load takes ``id`` from the query string.
"""

from __future__ import annotations

from emulator.resources.access_keys.models import ACTIVE, INACTIVE, AccessKeys
from emulator.routing import Route, query_value

__all__ = ["ROUTES"]

ROUTES: list[Route[AccessKeys]] = [
    Route(
        "POST",
        "/v1/mgmt/accesskey/create",
        "access_key_create",
        lambda keys, query, body: keys.create(body),
    ),
    Route(
        "GET",
        "/v1/mgmt/accesskey",
        "access_key_load",
        lambda keys, query, body: keys.load(query_value(query, "id")),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/search",
        "access_key_search",
        lambda keys, query, body: keys.search(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/update",
        "access_key_update",
        lambda keys, query, body: keys.update(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/activate",
        "access_key_activate",
        lambda keys, query, body: keys.set_status(body, ACTIVE),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/deactivate",
        "access_key_deactivate",
        lambda keys, query, body: keys.set_status(body, INACTIVE),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/delete",
        "access_key_delete",
        lambda keys, query, body: keys.delete(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/activate/batch",
        "access_key_activate_batch",
        lambda keys, query, body: keys.set_status_batch(body, ACTIVE),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/deactivate/batch",
        "access_key_deactivate_batch",
        lambda keys, query, body: keys.set_status_batch(body, INACTIVE),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/delete/batch",
        "access_key_delete_batch",
        lambda keys, query, body: keys.delete_batch(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/accesskey/rotate",
        "access_key_rotate",
        lambda keys, query, body: keys.rotate(body),
    ),
]
"""One route per access key endpoint."""
