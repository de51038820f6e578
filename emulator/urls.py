"""The route table: (method, path) → the name of a handler in :mod:`emulator.responses`.

Paths are the SDK's (``descope/management/common.py``). A known path with the wrong
method answers 500 E010009, as Descope does; an unknown path answers 404.
"""

from __future__ import annotations

from emulator import exceptions as exc
from emulator.access_keys import ACCESS_KEY_ROUTES
from emulator.sso_responses import SSO_ROUTES

__all__ = ["LICENSE_PATH", "ROUTES", "resolve"]

LICENSE_PATH = "/v1/mgmt/license"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", LICENSE_PATH): "license",
    **SSO_ROUTES,
    **ACCESS_KEY_ROUTES,
    ("POST", "/v1/mgmt/tenant/create"): "create_tenant",
    ("POST", "/v1/mgmt/tenant/update"): "update_tenant",
    ("PATCH", "/v1/mgmt/tenant/patch"): "patch_tenant",
    ("POST", "/v1/mgmt/tenant/delete"): "delete_tenant",
    ("GET", "/v1/mgmt/tenant"): "load_tenant",
    ("GET", "/v1/mgmt/tenant/all"): "load_all_tenants",
    ("POST", "/v1/mgmt/tenant/search"): "search_tenants",
    ("GET", "/v1/mgmt/tenant/settings"): "load_settings",
    ("POST", "/v1/mgmt/tenant/settings"): "update_settings",
    ("POST", "/v1/mgmt/tenant/updateDefaultRoles"): "update_default_roles",
    ("POST", "/v1/mgmt/permission/create"): "create_permission",
    ("POST", "/v1/mgmt/permission/create/batch"): "create_permissions",
    ("POST", "/v1/mgmt/permission/update"): "update_permission",
    ("POST", "/v1/mgmt/permission/update/batch"): "update_permissions",
    ("POST", "/v1/mgmt/permission/delete"): "delete_permission",
    ("POST", "/v1/mgmt/permission/delete/batch"): "delete_permissions",
    ("GET", "/v1/mgmt/permission/all"): "load_permissions",
    ("POST", "/v1/mgmt/role/create"): "create_role",
    ("POST", "/v1/mgmt/role/create/batch"): "create_roles",
    ("POST", "/v1/mgmt/role/update"): "update_role",
    ("POST", "/v1/mgmt/role/update/batch"): "update_roles",
    ("POST", "/v1/mgmt/role/delete"): "delete_role",
    ("POST", "/v1/mgmt/role/delete/batch"): "delete_roles",
    ("GET", "/v1/mgmt/role/all"): "load_roles",
    ("POST", "/v1/mgmt/role/search"): "search_roles",
    ("POST", "/v1/mgmt/flow/list"): "list_flows",
    ("POST", "/v1/mgmt/flow/delete"): "delete_flows",
    ("POST", "/v1/mgmt/flow/export"): "export_flow",
    ("POST", "/v1/mgmt/flow/import"): "import_flow",
    ("POST", "/v1/mgmt/theme/export"): "export_theme",
    ("POST", "/v1/mgmt/theme/import"): "import_theme",
}

_PATHS = frozenset(path for _, path in ROUTES)


def resolve(method: str, path: str) -> str:
    """The handler name for a request; raises the error Descope would answer otherwise."""
    name = ROUTES.get((method.upper(), path))
    if name is not None:
        return name
    if path in _PATHS:
        raise exc.unknown_server_error()
    raise exc.route_not_found(method.upper(), path)
