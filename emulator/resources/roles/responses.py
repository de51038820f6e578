"""The role and permission routes: each handler calls one :class:`Authorization` operation.

Paths are the SDK's (``descope/management/common.py``, ``MgmtV1.role_*``, ``permission_*``).
"""

from __future__ import annotations

from emulator.resources.roles.models import Authorization
from emulator.routing import Route

__all__ = ["ROUTES"]

ROUTES: list[Route[Authorization]] = [
    Route(
        "POST",
        "/v1/mgmt/permission/create",
        "create_permission",
        lambda authz, query, body: authz.create_permission(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/permission/create/batch",
        "create_permissions",
        lambda authz, query, body: authz.create_permissions(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/permission/update",
        "update_permission",
        lambda authz, query, body: authz.update_permission(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/permission/update/batch",
        "update_permissions",
        lambda authz, query, body: authz.update_permissions(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/permission/delete",
        "delete_permission",
        lambda authz, query, body: authz.delete_permission(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/permission/delete/batch",
        "delete_permissions",
        lambda authz, query, body: authz.delete_permissions(body),
    ),
    Route(
        "GET",
        "/v1/mgmt/permission/all",
        "load_permissions",
        lambda authz, query, body: authz.load_permissions(),
    ),
    Route(
        "POST",
        "/v1/mgmt/role/create",
        "create_role",
        lambda authz, query, body: authz.create_role(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/role/create/batch",
        "create_roles",
        lambda authz, query, body: authz.create_roles(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/role/update",
        "update_role",
        lambda authz, query, body: authz.update_role(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/role/update/batch",
        "update_roles",
        lambda authz, query, body: authz.update_roles(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/role/delete",
        "delete_role",
        lambda authz, query, body: authz.delete_role(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/role/delete/batch",
        "delete_roles",
        lambda authz, query, body: authz.delete_roles(body),
    ),
    Route("GET", "/v1/mgmt/role/all", "load_roles", lambda authz, query, body: authz.load_roles()),
    Route(
        "POST",
        "/v1/mgmt/role/search",
        "search_roles",
        lambda authz, query, body: authz.search_roles(body),
    ),
]
"""One route per role and permission endpoint."""
