"""The tenant settings routes: each handler calls one settings operation.

Served, like the tenant routes, by the composed backend's face (see
:mod:`emulator.resources.tenants.responses`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from emulator.routing import JsonDict, Route, query_value

__all__ = ["ROUTES", "SettingsOperations"]


class SettingsOperations(Protocol):
    """The settings operations, as :class:`~emulator.resources.settings.models.Settings` has
    them."""

    def load_settings(self, tenant_id: str | None) -> JsonDict: ...
    def update_settings(self, body: Mapping[str, Any]) -> JsonDict: ...


ROUTES: list[Route[SettingsOperations]] = [
    Route(
        "GET",
        "/v1/mgmt/tenant/settings",
        "load_settings",
        lambda settings, query, body: settings.load_settings(query_value(query, "id")),
    ),
    Route(
        "POST",
        "/v1/mgmt/tenant/settings",
        "update_settings",
        lambda settings, query, body: settings.update_settings(body),
    ),
]
"""One route per settings endpoint."""
