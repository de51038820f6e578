"""The tenant routes: each handler calls one tenant operation.

The routes are served by whatever has the operations of :class:`TenantOperations`: the
composed backend, whose tenant methods forward to
:class:`~emulator.resources.tenants.models.Tenants`. Tests and the engine's fakes call, and
replace, those methods on the backend, so the wire answers what the backend's face answers.
The settings and flow routes are served the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from emulator.fields import opt_bool, opt_str
from emulator.routing import JsonDict, Route, query_value

__all__ = ["ROUTES", "TenantOperations"]


class TenantOperations(Protocol):
    """The tenant operations, as :class:`~emulator.resources.tenants.models.Tenants` has them."""

    def create_tenant(self, body: Mapping[str, Any]) -> JsonDict: ...
    def update_tenant(self, body: Mapping[str, Any]) -> JsonDict: ...
    def patch_tenant(self, body: Mapping[str, Any]) -> JsonDict: ...
    def delete_tenant(self, tenant_id: str | None, cascade: bool = False) -> JsonDict: ...
    def load_tenant(self, tenant_id: str | None) -> JsonDict: ...
    def load_all_tenants(self) -> JsonDict: ...
    def search_tenants(self, body: Mapping[str, Any]) -> JsonDict: ...
    def update_default_roles(self, body: Mapping[str, Any]) -> JsonDict: ...


ROUTES: list[Route[TenantOperations]] = [
    Route(
        "POST",
        "/v1/mgmt/tenant/create",
        "create_tenant",
        lambda tenants, query, body: tenants.create_tenant(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/tenant/update",
        "update_tenant",
        lambda tenants, query, body: tenants.update_tenant(body),
    ),
    Route(
        "PATCH",
        "/v1/mgmt/tenant/patch",
        "patch_tenant",
        lambda tenants, query, body: tenants.patch_tenant(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/tenant/delete",
        "delete_tenant",
        lambda tenants, query, body: tenants.delete_tenant(
            opt_str(body, "id"), bool(opt_bool(body, "cascade"))
        ),
    ),
    Route(
        "GET",
        "/v1/mgmt/tenant",
        "load_tenant",
        lambda tenants, query, body: tenants.load_tenant(query_value(query, "id")),
    ),
    Route(
        "GET",
        "/v1/mgmt/tenant/all",
        "load_all_tenants",
        lambda tenants, query, body: tenants.load_all_tenants(),
    ),
    Route(
        "POST",
        "/v1/mgmt/tenant/search",
        "search_tenants",
        lambda tenants, query, body: tenants.search_tenants(body),
    ),
    Route(
        "POST",
        "/v1/mgmt/tenant/updateDefaultRoles",
        "update_default_roles",
        lambda tenants, query, body: tenants.update_default_roles(body),
    ),
]
"""One route per tenant endpoint."""
