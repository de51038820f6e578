"""Request parsing and response serialisation: one handler per route, nothing else.

Each handler takes the backend, the parsed query and the raw body, calls one backend
method and returns the dict to serialise. Every 2xx body is JSON, at least ``{}``.
An empty body counts as ``{}``: the SDK's ``flow/list`` sends none.

A body is read as Go's decoder in Descope would take it, within limits that keep the
emulator answering: arrays and objects nested at most `MAX_JSON_DEPTH` deep (checked before
parsing, so no parser recursion), integers within int64, other numbers finite (no
``1e999``, ``NaN`` or ``Infinity``). Anything else is a 400 in Descope's format.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qs

from emulator import exceptions as exc
from emulator.access_keys import ACCESS_KEY_HANDLERS
from emulator.fields import opt_bool, opt_str, opt_str_list
from emulator.models import DescopeBackend
from emulator.sso_responses import SSO_HANDLERS

__all__ = [
    "HANDLERS",
    "MAX_JSON_DEPTH",
    "Handler",
    "dispatch",
    "dump_json",
    "parse_body",
    "parse_query",
]

JsonDict = dict[str, Any]
Query = Mapping[str, list[str]]
Handler = Callable[[DescopeBackend, Query, JsonDict], JsonDict]


def dump_json(data: Any) -> bytes:
    """Compact JSON bytes, as Descope sends."""
    return json.dumps(data, separators=(",", ":")).encode()


MAX_JSON_DEPTH = 128
"""The deepest nesting of arrays and objects a request body may have (a flow export: ~12)."""
_INT_RANGE = range(-(2**63), 2**63)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


class _NumberOutOfRange(ValueError):
    """A number of a request body that Descope's decoder would not take."""

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        super().__init__(
            f"The request body holds the number {shown}, out of range: integers must be within "
            "-2^63..2^63-1 and other numbers finite; send a smaller number"
        )


def _int(text: str) -> int:
    if len(text) > 20 or int(text) not in _INT_RANGE:
        raise _NumberOutOfRange(text)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberOutOfRange(text)
    return value


def _constant(text: str) -> float:
    raise _NumberOutOfRange(text)  # NaN, Infinity, -Infinity: not JSON


def _depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body`` (brackets inside strings aside; an
    unclosed one counts), found without parsing, at C speed."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def parse_body(body: bytes) -> JsonDict:
    """The JSON object in ``body``; empty (or JSON ``null``) is ``{}``. A body that is not a
    JSON object, nests too deep or holds a number out of range is a 400 (see the module)."""
    if not body.strip():
        return {}
    if _depth(body) > MAX_JSON_DEPTH:
        raise exc.bad_request(
            f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} deep; "
            "send a flatter body"
        )
    try:
        data = json.loads(body, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _NumberOutOfRange as e:
        raise exc.bad_request(str(e)) from None
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
