"""Tenants in the data file: ``tenants``, a list of records in creation order.

Each record is the Tenant wire object (§2.1) without ``successors`` (derived from the other
tenants' ``parent``), with the tenant's settings in ``settings``
(:mod:`emulator.resources.settings.persistence`). A tenant's parent must be in the file.
"""

from __future__ import annotations

from typing import Any

from emulator.context import ProjectContext
from emulator.records import FileRecord
from emulator.resources.settings.persistence import parse_settings, settings_json
from emulator.tenant import Tenant

__all__ = ["install_tenants", "parse_tenants", "tenants_json"]

JsonDict = dict[str, Any]


def tenants_json(context: ProjectContext) -> list[JsonDict]:
    """The data file's ``tenants`` list (call holding the project's lock)."""
    return [_tenant_json(t) for t in context.tenants.values()]


def parse_tenants(root: FileRecord) -> dict[str, Tenant]:
    """The file's tenants by id, in order, checked; raises ValueError naming the first bad
    part (``tenants[2].createdTime must be an integer``)."""
    tenants = [
        _tenant(FileRecord(f"tenants[{i}]", raw)) for i, raw in enumerate(root.items("tenants"))
    ]
    by_id: dict[str, Tenant] = {}
    for tenant in tenants:
        if tenant.id in by_id:
            raise ValueError(f"tenant {tenant.id!r} appears twice")
        by_id[tenant.id] = tenant
    for tenant in tenants:
        if tenant.parent and tenant.parent not in by_id:
            raise ValueError(f"tenant {tenant.id!r} has parent {tenant.parent!r}, which is absent")
    return by_id


def install_tenants(context: ProjectContext, tenants: dict[str, Tenant]) -> None:
    """Hold the parsed tenants in place of every tenant held."""
    with context.lock:
        context.replace_tenants(tenants)


def _tenant_json(tenant: Tenant) -> JsonDict:
    data = tenant.to_dict()
    del data["successors"]  # derived from the other tenants' parent
    data["settings"] = settings_json(tenant)
    return data


def _tenant(r: FileRecord) -> Tenant:
    s = FileRecord(f"{r.where}.settings", r.get("settings", {}))
    return Tenant(
        id=r.text("id", required=True),
        name=r.text("name", required=True),
        created_time=r.integer("createdTime"),
        self_provisioning_domains=r.texts("selfProvisioningDomains"),
        custom_attributes=r.mapping("customAttributes"),
        auth_type=r.text("authType", default="none"),
        domains=r.texts("domains"),
        disabled=r.flag("disabled"),
        enforce_sso=r.flag("enforceSSO"),
        enforce_sso_exclusions=r.texts("enforceSSOExclusions"),
        federated_app_ids=r.texts("federatedAppIds"),
        parent=r.text("parent"),
        default_roles=r.texts("defaultRoles"),
        role_inheritance=r.text("roleInheritance"),
        settings=parse_settings(s),
    )
