"""Request parsing and response serialisation: one handler per route, nothing else.

Each handler takes the backend, the parsed query and the raw body, calls one backend
method and returns the dict to serialise. Every 2xx body is JSON, at least ``{}``.
An empty body counts as ``{}``: the SDK's ``flow/list`` sends none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from emulator import exceptions as exc
from emulator.access_keys import ACCESS_KEY_HANDLERS
from emulator.fields import opt_bool, opt_str, opt_str_list
from emulator.models import DescopeBackend
from emulator.sso_responses import SSO_HANDLERS

__all__ = ["HANDLERS", "Handler", "dispatch", "dump_json", "parse_body", "parse_query"]

JsonDict = dict[str, Any]
Query = Mapping[str, list[str]]
Handler = Callable[[DescopeBackend, Query, JsonDict], JsonDict]


def dump_json(data: Any) -> bytes:
    """Compact JSON bytes, as Descope sends."""
    return json.dumps(data, separators=(",", ":")).encode()


def parse_body(body: bytes) -> JsonDict:
    """The JSON object in ``body``; empty (or JSON ``null``) is ``{}``."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as e:
        raise exc.bad_request(f"The request body is not valid JSON: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise exc.bad_request("The request body must be a JSON object")
    return data


def parse_query(query: str) -> dict[str, list[str]]:
    """Form-decoded query parameters (``id=t+1%2Fx`` → ``{"id": ["t 1/x"]}``)."""
    return parse_qs(query, keep_blank_values=True)


def _query_value(query: Query, key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def license_(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.get_license()


def create_tenant(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.create_tenant(body)


def update_tenant(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.update_tenant(body)


def patch_tenant(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.patch_tenant(body)


def delete_tenant(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.delete_tenant(opt_str(body, "id"), bool(opt_bool(body, "cascade")))


def load_tenant(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.load_tenant(_query_value(query, "id"))


def load_all_tenants(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.load_all_tenants()


def search_tenants(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.search_tenants(body)


def load_settings(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.load_settings(_query_value(query, "id"))


def update_settings(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.update_settings(body)


def update_default_roles(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.update_default_roles(body)


def create_permission(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.create_permission(body)


def create_permissions(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.create_permissions(body)


def update_permission(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.update_permission(body)


def update_permissions(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.update_permissions(body)


def delete_permission(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.delete_permission(body)


def delete_permissions(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.delete_permissions(body)


def create_role(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.create_role(body)


def create_roles(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.create_roles(body)


def update_role(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.update_role(body)


def update_roles(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.update_roles(body)


def delete_role(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.delete_role(body)


def delete_roles(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.delete_roles(body)


def search_roles(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.search_roles(body)


def load_permissions(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.load_permissions()


def load_roles(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.authz.load_roles()


def list_flows(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.list_flows(opt_str_list(body, "ids"))


def delete_flows(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    ids = opt_str_list(body, "ids")
    if not ids:
        raise exc.missing_field("ids")
    return backend.delete_flows(ids)


def export_flow(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.export_flow(opt_str(body, "flowId"))


def import_flow(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.import_flow(opt_str(body, "flowId"), body.get("flow"), body.get("screens"))


def export_theme(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.export_theme()


def import_theme(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return backend.import_theme(body.get("theme"))


HANDLERS: dict[str, Handler] = {
    "license": license_,
    **SSO_HANDLERS,
    **ACCESS_KEY_HANDLERS,
    "create_tenant": create_tenant,
    "update_tenant": update_tenant,
    "patch_tenant": patch_tenant,
    "delete_tenant": delete_tenant,
    "load_tenant": load_tenant,
    "load_all_tenants": load_all_tenants,
    "search_tenants": search_tenants,
    "load_settings": load_settings,
    "update_settings": update_settings,
    "update_default_roles": update_default_roles,
    "create_permission": create_permission,
    "create_permissions": create_permissions,
    "update_permission": update_permission,
    "update_permissions": update_permissions,
    "delete_permission": delete_permission,
    "delete_permissions": delete_permissions,
    "load_permissions": load_permissions,
    "create_role": create_role,
    "create_roles": create_roles,
    "update_role": update_role,
    "update_roles": update_roles,
    "delete_role": delete_role,
    "delete_roles": delete_roles,
    "load_roles": load_roles,
    "search_roles": search_roles,
    "list_flows": list_flows,
    "delete_flows": delete_flows,
    "export_flow": export_flow,
    "import_flow": import_flow,
    "export_theme": export_theme,
    "import_theme": import_theme,
}


def dispatch(backend: DescopeBackend, handler: str, query: str, body: bytes) -> bytes:
    """Run the named handler; returns the 200 body or raises DescopeApiError."""
    return dump_json(HANDLERS[handler](backend, parse_query(query), parse_body(body)))
