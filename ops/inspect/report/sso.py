"""Report, SSO: each declared tenant's SSO, against what Descope holds.

For a tenant whose SSO the code manages, each configuration is ``in sync``, ``differs`` (with
the fields: a console or customer edit the next ``pulumi up`` overwrites, after a snapshot), or
``missing`` (the next ``pulumi up`` creates it); a configuration Descope holds that the entry
does not declare is listed as not managed. A tenant whose customer manages its SSO shows what
the customer has set up. A tenant without ``sso:`` whose SSO is set up in Descope shows it as
not managed. The client secret is never compared: Descope never returns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from config import Configuration
from model.text import shown as printable
from ops.project.reader import ProjectSnapshot
from providers.answers.sso import changed_fields, inputs_from_descope


@dataclass(frozen=True)
class TenantSSOReport:
    """One tenant's SSO, as the report prints it."""

    tenant_id: str
    managed_by: str
    """``code``, ``customer`` or ``nobody`` (no ``sso:`` in its entry)."""
    lines: list[str] = field(default_factory=list)
    drifted: bool = False
    """A managed configuration differs from, or is missing in, Descope."""
    unmanaged: bool = False
    """Descope holds SSO the configuration does not manage (customer-managed excluded)."""


def _describe(load: Mapping[str, Any]) -> str:
    tenant = load.get("tenant") if isinstance(load.get("tenant"), Mapping) else {}
    assert isinstance(tenant, Mapping)
    auth = tenant.get("authType") or "none"
    domains = ", ".join(str(d) for d in tenant.get("domains") or []) or "no SSO domains"
    name = load.get("ssoId") or "default"
    return f"{name}: {auth}, {domains}"


def tenant_report(
    tenant_id: str, configuration: Configuration, loads: list[dict[str, Any]]
) -> TenantSSOReport:
    """Compare one tenant's declared SSO with its configurations as Descope loads them."""
    declared = configuration.tenant_sso.get(tenant_id)
    held = {str(load.get("ssoId") or ""): load for load in loads}
    if declared is None:
        if not loads:
            return TenantSSOReport(tenant_id, "nobody")
        unmanaged = [f"not managed (no sso: in its entry): {_describe(load)}" for load in loads]
        return TenantSSOReport(tenant_id, "nobody", unmanaged, unmanaged=True)
    if declared.customer_managed:
        customer = [f"managed by the customer: {_describe(load)}" for load in loads]
        return TenantSSOReport(
            tenant_id, "customer", customer or ["managed by the customer: not set up yet"]
        )
    lines: list[str] = []
    drifted = False
    declared_ids = set()
    for spec, _ in declared.specs(tenant_id):
        declared_ids.add(spec.ssoId)
        name = spec.ssoId or "default"
        load = held.get(spec.ssoId)
        if load is None:
            drifted = True
            lines.append(f"{name}: missing in Descope (the next `pulumi up` creates it)")
            continue
        desired = spec.canonical()
        changed = changed_fields(inputs_from_descope(load, desired), desired)
        if changed:
            drifted = True
            lines.append(
                f"{name}: differs in {', '.join(changed)} (the next `pulumi up` writes the "
                "configuration's, after saving Descope's to the backups folder)"
            )
        else:
            lines.append(f"{name}: in sync")
    others = [load for sso_id, load in held.items() if sso_id not in declared_ids]
    lines += [f"not in the configuration: {_describe(load)}" for load in others]
    return TenantSSOReport(tenant_id, "code", lines, drifted=drifted, unmanaged=bool(others))


def sso_reports(configuration: Configuration, project: ProjectSnapshot) -> list[TenantSSOReport]:
    """The report of every declared tenant the project holds, its SSO configurations read."""
    return [
        tenant_report(spec.id, configuration, held.sso or [])
        for spec in sorted(configuration.tenants, key=lambda t: t.id)
        if (held := project.tenants.get(spec.id)) is not None
    ]


def print_sso(reports: list[TenantSSOReport]) -> None:
    """The report's SSO section (what Descope holds escaped: `model.text.shown`)."""
    shown = [r for r in reports if r.lines]
    drifted = sum(r.drifted for r in reports)
    print(f"SSO of the configuration's tenants: {len(shown)} with SSO, {drifted} differing")
    for report in shown:
        for line in report.lines:
            print(f"  - {printable(report.tenant_id)}: {printable(line)}")
