"""The per-tenant SSO routes and their handlers, merged into :mod:`emulator.urls` and
:mod:`emulator.responses`.

Paths are the SDK's (``descope/management/common.py``, ``MgmtV1.sso_*`` and the tenant admin
links); each handler parses the request and calls one :class:`~emulator.sso_backend.SSOBackend`
method. Reads and the delete take ``tenantId`` (and ``ssoId``) from the query string, as the
SDKs send them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator.models import DescopeBackend
from emulator.sso_backend import SSOBackend

__all__ = ["SSO_HANDLERS", "SSO_ROUTES"]

JsonDict = dict[str, Any]
Query = Mapping[str, list[str]]
Handler = Callable[[DescopeBackend, Query, JsonDict], JsonDict]

SSO_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/v2/mgmt/sso/settings"): "sso_load",
    ("GET", "/v2/mgmt/sso/settings/all"): "sso_load_all",
    ("POST", "/v1/mgmt/sso/saml"): "sso_configure_saml",
    ("POST", "/v1/mgmt/sso/saml/metadata"): "sso_configure_saml_by_metadata",
    ("POST", "/v1/mgmt/sso/oidc"): "sso_configure_oidc",
    ("POST", "/v1/mgmt/sso/settings/new"): "sso_new_settings",
    ("DELETE", "/v1/mgmt/sso/settings"): "sso_delete_settings",
    ("POST", "/v1/mgmt/sso/settings/authtype"): "sso_configure_auth_type",
    ("POST", "/v1/mgmt/sso/redirect"): "sso_configure_redirect_url",
    ("POST", "/v1/mgmt/sso/recalculate-mappings"): "sso_recalculate_mappings",
    ("GET", "/v1/mgmt/sso/settings"): "sso_get_settings_v1",
    ("POST", "/v1/mgmt/sso/settings"): "sso_configure_v1",
    ("POST", "/v1/mgmt/sso/metadata"): "sso_configure_metadata_v1",
    ("POST", "/v1/mgmt/sso/mapping"): "sso_configure_mapping_v1",
    ("POST", "/v2/mgmt/tenant/adminlinks/sso/generate"): "sso_generate_admin_link",
    ("POST", "/v1/mgmt/tenant/adminlinks/sso/revoke"): "sso_revoke_admin_links",
    ("POST", "/v1/mgmt/sso/xaa/settings"): "sso_configure_xaa",
    ("GET", "/v1/mgmt/sso/xaa/settings"): "sso_load_xaa",
    ("DELETE", "/v1/mgmt/sso/xaa/settings"): "sso_delete_xaa",
    ("GET", "/v1/mgmt/sso/xaa/settings/all"): "sso_load_all_xaa",
}


def _query_value(query: Query, key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _body(method: Callable[[SSOBackend, JsonDict], JsonDict]) -> Handler:
    """A handler that passes the JSON body to one SSOBackend method."""

    def handler(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
        return method(SSOBackend(backend), body)

    return handler


def sso_load(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).load(_query_value(query, "tenantId"), _query_value(query, "ssoId"))


def sso_load_all(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).load_all(_query_value(query, "tenantId"))


def sso_delete_settings(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).delete_settings(
        _query_value(query, "tenantId"), _query_value(query, "ssoId")
    )


def sso_get_settings_v1(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).get_settings_v1(_query_value(query, "tenantId"))


def sso_load_xaa(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).load_xaa(
        _query_value(query, "tenantId"), _query_value(query, "ssoId")
    )


def sso_load_all_xaa(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).load_all_xaa(_query_value(query, "tenantId"))


def sso_delete_xaa(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
    return SSOBackend(backend).delete_xaa(
        _query_value(query, "tenantId"), _query_value(query, "ssoId")
    )


SSO_HANDLERS: dict[str, Handler] = {
    "sso_load": sso_load,
    "sso_load_all": sso_load_all,
    "sso_configure_saml": _body(SSOBackend.configure_saml),
    "sso_configure_saml_by_metadata": _body(SSOBackend.configure_saml_by_metadata),
    "sso_configure_oidc": _body(SSOBackend.configure_oidc),
    "sso_new_settings": _body(SSOBackend.new_settings),
    "sso_delete_settings": sso_delete_settings,
    "sso_configure_auth_type": _body(SSOBackend.configure_auth_type),
    "sso_configure_redirect_url": _body(SSOBackend.configure_redirect_url),
    "sso_recalculate_mappings": _body(SSOBackend.recalculate_mappings),
    "sso_get_settings_v1": sso_get_settings_v1,
    "sso_configure_v1": _body(SSOBackend.configure_v1),
    "sso_configure_metadata_v1": _body(SSOBackend.configure_metadata_v1),
    "sso_configure_mapping_v1": _body(SSOBackend.configure_mapping_v1),
    "sso_generate_admin_link": _body(SSOBackend.generate_admin_link),
    "sso_revoke_admin_links": _body(SSOBackend.revoke_admin_links),
    "sso_configure_xaa": _body(SSOBackend.configure_xaa),
    "sso_load_xaa": sso_load_xaa,
    "sso_load_all_xaa": sso_load_all_xaa,
    "sso_delete_xaa": sso_delete_xaa,
}
