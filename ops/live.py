"""Reading what a Descope project holds now, through the providers' client and retries.

`connect(stack)` points `providers.client` at the stack's project (the same settings the
providers resolve under ``pulumi up``) and returns a `Descope` reader. Every call goes through
`providers.calls.call`, so rate limits are waited out and errors read like the providers'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from providers import client
from providers.calls import call
from providers.errors import DescopeApiError

if TYPE_CHECKING:
    from ops.stack import StackSettings
    from providers.client import ManagementApi


@dataclass(frozen=True)
class Descope:
    """Read-only access to one project: tenants, their settings, flows and the theme."""

    api: ManagementApi
    project_id: str

    def tenants(self) -> list[dict[str, Any]]:
        """Every tenant as Descope loads it, sorted by id."""
        answer = call(self.api.tenant.load_all, doing="list Descope tenants", repeatable=True)
        tenants = [dict(t) for t in answer.get("tenants") or []]
        return sorted(tenants, key=lambda t: str(t.get("id", "")))

    def tenant(self, tenant_id: str) -> dict[str, Any] | None:
        """One tenant, or None when Descope has no tenant with this id."""
        try:
            return dict(
                call(
                    lambda: self.api.tenant.load(tenant_id),
                    doing=f'load Descope tenant "{tenant_id}"',
                    repeatable=True,
                )
            )
        except DescopeApiError as exc:
            if exc.is_not_found:
                return None
            raise

    def settings(self, tenant_id: str) -> dict[str, Any]:
        """The tenant's settings as Descope loads them."""
        return dict(
            call(
                lambda: self.api.tenant.load_settings(tenant_id),
                doing=f'load the settings of Descope tenant "{tenant_id}"',
                repeatable=True,
            )
        )

    def flow_ids(self) -> list[str]:
        """The ids of every flow in the project, sorted."""
        answer = call(self.api.flow.list_flows, doing="list Descope flows", repeatable=True)
        return sorted(str(f["id"]) for f in answer.get("flows") or [] if f.get("id"))

    def flow(self, flow_id: str) -> dict[str, Any] | None:
        """A flow's export ``{"flow", "screens"}``, or None when the project lacks it."""
        try:
            return dict(
                call(
                    lambda: self.api.flow.export_flow(flow_id),
                    doing=f'export Descope flow "{flow_id}"',
                    repeatable=True,
                )
            )
        except DescopeApiError as exc:
            if exc.is_not_found:
                return None
            raise

    def theme(self) -> dict[str, Any]:
        """The project theme (the object inside the theme export)."""
        answer = call(self.api.flow.export_theme, doing="export the Descope theme", repeatable=True)
        return dict(answer.get("theme") or {})


def connect(stack: StackSettings) -> Descope:
    """A reader for the stack's project; configures `providers.client` for this process."""
    settings = stack.connection()
    client.configure(stack.provider_config())
    return Descope(client.management(), settings.project_id)
