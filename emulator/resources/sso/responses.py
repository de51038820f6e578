"""The per-tenant SSO routes: each handler calls one :class:`~emulator.resources.sso.models.SSO`
operation.

Paths are the SDK's (``descope/management/common.py``, ``MgmtV1.sso_*`` and the tenant admin
links). Reads and the deletes take ``tenantId`` (and ``ssoId``) from the query string, as the
SDKs send them; the writes take the JSON body.
"""

from __future__ import annotations

from emulator.resources.sso.models import SSO
from emulator.routing import JsonDict, Query, Route, query_value

__all__ = ["ROUTES"]


def _tenant(query: Query) -> str | None:
    return query_value(query, "tenantId")


def _sso_id(query: Query) -> str | None:
    return query_value(query, "ssoId")


def _load(sso: SSO, query: Query, body: JsonDict) -> JsonDict:
    return sso.load(_tenant(query), _sso_id(query))


def _delete_settings(sso: SSO, query: Query, body: JsonDict) -> JsonDict:
    return sso.delete_settings(_tenant(query), _sso_id(query))


def _load_xaa(sso: SSO, query: Query, body: JsonDict) -> JsonDict:
    return sso.load_xaa(_tenant(query), _sso_id(query))


def _delete_xaa(sso: SSO, query: Query, body: JsonDict) -> JsonDict:
    return sso.delete_xaa(_tenant(query), _sso_id(query))


ROUTES: list[Route[SSO]] = [
    Route("GET", "/v2/mgmt/sso/settings", "sso_load", _load),
    Route(
        "GET",
        "/v2/mgmt/sso/settings/all",
        "sso_load_all",
        lambda sso, query, body: sso.load_all(_tenant(query)),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/saml",
        "sso_configure_saml",
        lambda sso, query, body: sso.configure_saml(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/saml/metadata",
        "sso_configure_saml_by_metadata",
        lambda sso, query, body: sso.configure_saml_by_metadata(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/oidc",
        "sso_configure_oidc",
        lambda sso, query, body: sso.configure_oidc(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/settings/new",
        "sso_new_settings",
        lambda sso, query, body: sso.new_settings(body),
    ),
    Route("DELETE", "/v1/mgmt/sso/settings", "sso_delete_settings", _delete_settings),
    Route(
        "POST",
        "/v1/mgmt/sso/settings/authtype",
        "sso_configure_auth_type",
        lambda sso, query, body: sso.configure_auth_type(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/redirect",
        "sso_configure_redirect_url",
        lambda sso, query, body: sso.configure_redirect_url(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/recalculate-mappings",
        "sso_recalculate_mappings",
        lambda sso, query, body: sso.recalculate_mappings(body),
    ),
    Route(
        "GET",
        "/v1/mgmt/sso/settings",
        "sso_get_settings_v1",
        lambda sso, query, body: sso.get_settings_v1(_tenant(query)),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/settings",
        "sso_configure_v1",
        lambda sso, query, body: sso.configure_v1(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/metadata",
        "sso_configure_metadata_v1",
        lambda sso, query, body: sso.configure_metadata_v1(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/mapping",
        "sso_configure_mapping_v1",
        lambda sso, query, body: sso.configure_mapping_v1(body),
    ),
    Route(
        "POST",
        "/v2/mgmt/tenant/adminlinks/sso/generate",
        "sso_generate_admin_link",
        lambda sso, query, body: sso.generate_admin_link(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/tenant/adminlinks/sso/revoke",
        "sso_revoke_admin_links",
        lambda sso, query, body: sso.revoke_admin_links(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/sso/xaa/settings",
        "sso_configure_xaa",
        lambda sso, query, body: sso.configure_xaa(body),
    ),
    Route("GET", "/v1/mgmt/sso/xaa/settings", "sso_load_xaa", _load_xaa),
    Route("DELETE", "/v1/mgmt/sso/xaa/settings", "sso_delete_xaa", _delete_xaa),
    Route(
        "GET",
        "/v1/mgmt/sso/xaa/settings/all",
        "sso_load_all_xaa",
        lambda sso, query, body: sso.load_all_xaa(_tenant(query)),
    ),
]
"""One route per SSO endpoint."""
