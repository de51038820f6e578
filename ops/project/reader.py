"""One reader of a whole Descope project, for export, report and backup.

`read_project` reads, through the one client (`ops.project.live.Descope`), what a command asks
for (`Reading`) into one `ProjectSnapshot`: every tenant as the listing gives it, with the
settings and SSO configurations of the tenants asked for; the roles and permissions; every
flow id and the exports of the flows asked for; the theme. Each command then works on the
snapshot alone, so what it reads, in which order and with how many calls is decided here.

API calls, in this order: one tenant listing (``GET /v1/mgmt/tenant/all``: never one load per
tenant); per tenant asked for, one settings load (Descope has no batch settings read) and one
load of all its SSO configurations (none batched either); one permission listing and one role
listing, when asked for; one flow listing and one export per flow asked for that the listing
holds (one deleted since the listing is left out); one theme export, when asked for.

A tenant's own roles come from the role listing (its ``tenantId``) and its sub-tenants from the
tenant listing (their ``parent``): no call more. Access keys are not read: no command here
writes them (`providers.tenant_unit` reads them for a tenant's delete snapshot).

`progress` is told of each step as ``list Descope tenants``, ``load tenant settings and SSO``,
``list roles and permissions``, ``list Descope flows``, ``export flows``, ``export the theme``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from ops.progress import Progress
from ops.project import authorization
from ops.project.live import Descope

__all__ = ["HeldTenant", "ProjectSnapshot", "Reading", "read_project"]


@dataclass(frozen=True)
class Reading:
    """What a command needs beyond the tenant and flow listings (None: every one listed)."""

    settings: Collection[str] | None = None
    """The tenants whose settings to load."""
    sso: Collection[str] | None = None
    """The tenants whose SSO configurations to load."""
    flows: Collection[str] | None = None
    """The flows to export."""
    permissions: bool = True
    roles: bool = True
    theme: bool = True
    flow_ids_checked: Callable[[list[str]], object] | None = None
    """Called with the listed flow ids before any flow is exported (it may refuse them)."""


@dataclass(frozen=True)
class HeldTenant:
    """One tenant as Descope holds it."""

    tenant: dict[str, Any]
    """As the tenant listing gives it."""
    settings: dict[str, Any] | None = None
    """As Descope loads them; None when not read."""
    sso: list[dict[str, Any]] | None = None
    """Every SSO configuration as Descope loads it (``{tenant, saml, oidc, ssoId}``, never a
    client secret); None when not read."""

    @property
    def id(self) -> str:
        return str(self.tenant.get("id", ""))

    @property
    def parent(self) -> str:
        return str(self.tenant.get("parent") or "")


@dataclass(frozen=True)
class ProjectSnapshot:
    """What one Descope project held when read, as `Reading` asked for it."""

    project_id: str
    tenants: dict[str, HeldTenant]
    """Every tenant, by id, in id order."""
    flow_ids: list[str]
    """Every flow the listing holds, sorted."""
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The exports read (``{"flow", "screens"}``), by id, in id order."""
    theme: dict[str, Any] | None = None
    """The theme object of the theme export; None when not read."""
    permissions: list[dict[str, Any]] = field(default_factory=list)
    """Every permission as listed (built-in ones included); [] when not read."""
    roles: list[dict[str, Any]] = field(default_factory=list)
    """Every role as listed (tenants' own ones with their ``tenantId``); [] when not read."""

    def authorization(self, tenant_ids: Collection[str]) -> authorization.Held:
        """The roles and permissions in the configuration's terms, the tenants' own roles only
        for `tenant_ids` (`ops.project.authorization`)."""
        return authorization.held(self.permissions, self.roles).for_tenants(tenant_ids)

    def sub_tenants(self, tenant_id: str) -> list[str]:
        """The ids of the tenant's direct sub-tenants, sorted."""
        return [t.id for t in self.tenants.values() if t.parent == tenant_id]


def _wanted(ids: list[str], asked: Collection[str] | None) -> list[str]:
    return ids if asked is None else [i for i in ids if i in asked]


def read_project(
    descope: Descope, reading: Reading | None = None, progress: Progress | None = None
) -> ProjectSnapshot:
    """Read what `reading` asks for (default: everything) into one snapshot (calls: module
    docstring)."""
    reading = reading or Reading()
    progress = progress or Progress.silent()
    with progress.doing("list Descope tenants"):
        listed = {str(t["id"]): t for t in descope.tenants()}
    ids = list(listed)
    with_settings = set(_wanted(ids, reading.settings))
    with_sso = set(_wanted(ids, reading.sso))
    tenants = {tenant_id: HeldTenant(tenant) for tenant_id, tenant in listed.items()}
    for tenant_id in progress.each(
        "load tenant settings and SSO", [i for i in ids if i in with_settings | with_sso]
    ):
        tenants[tenant_id] = HeldTenant(
            listed[tenant_id],
            descope.settings(tenant_id) if tenant_id in with_settings else None,
            descope.sso_configurations(tenant_id) if tenant_id in with_sso else None,
        )
    permissions: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    if reading.permissions or reading.roles:
        with progress.doing("list roles and permissions"):
            permissions = descope.permissions() if reading.permissions else []
            roles = descope.roles() if reading.roles else []
    with progress.doing("list Descope flows"):
        flow_ids = descope.flow_ids()
    if reading.flow_ids_checked is not None:
        reading.flow_ids_checked(flow_ids)
    flows = {
        flow_id: export
        for flow_id in progress.each("export flows", _wanted(flow_ids, reading.flows))
        if (export := descope.flow(flow_id)) is not None  # None: deleted since the listing
    }
    theme: dict[str, Any] | None = None
    if reading.theme:
        with progress.doing("export the theme"):
            theme = descope.theme()
    return ProjectSnapshot(descope.project_id, tenants, flow_ids, flows, theme, permissions, roles)
