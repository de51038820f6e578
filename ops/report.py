"""`report`: what Descope holds that the stack does not manage, and what it declares but lacks.

Tenants, flows, roles (the project's, and the managed tenants' own, written ``tenant/role``)
and permissions. Roles and permissions are compared only where the configuration manages them
(its ``roles:`` and ``permissions:`` keys); Descope's built-in ones are in every project and
never reported.

Unmanaged tenants and flows are not an error in themselves (a project may keep some by hand),
so the report exits 0; ``--fail-on-unmanaged`` makes it exit 1 for CI jobs that want every
tenant, flow, role and permission under code. `export` writes the unmanaged ones as code.

Tenant custom-attribute definitions have no read API (neither the SDK nor the project
snapshot export publishes them), so the report cannot check the declared ``tenantAttributes``
against Descope. What it can say: an attribute some tenant in Descope holds a value of is
defined in the project (Descope refuses values of undefined attributes); the others are listed
as not verified, to check in the console (Tenants, Custom Attributes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from config import Configuration
from ops import authorization
from ops.live import Descope, connect
from ops.stack import StackSettings, load_stack_configuration


@dataclass(frozen=True)
class Report:
    """Ids and names, each list sorted."""

    unmanaged_tenants: list[str]
    unmanaged_flows: list[str]
    missing_tenants: list[str]
    """Declared in the configuration, absent from Descope (the next `pulumi up` creates them)."""
    missing_flows: list[str]
    unmanaged_roles: list[str] = field(default_factory=list)
    """Project roles by name, tenants' own roles as ``tenant/role``."""
    missing_roles: list[str] = field(default_factory=list)
    unmanaged_permissions: list[str] = field(default_factory=list)
    missing_permissions: list[str] = field(default_factory=list)
    roles_managed: bool = False
    permissions_managed: bool = False
    attributes_in_use: list[str] = field(default_factory=list)
    """Declared attributes some tenant in Descope holds a value of: the project defines them."""
    attributes_unverified: list[str] = field(default_factory=list)
    """Declared attributes no tenant holds a value of: not known to be defined."""

    @property
    def has_unmanaged(self) -> bool:
        return bool(
            self.unmanaged_tenants
            or self.unmanaged_flows
            or self.unmanaged_roles
            or self.unmanaged_permissions
        )


def _role_keys(configuration: Configuration, tenant_ids: Iterable[str]) -> set[str]:
    keys = {r.name for r in configuration.roles or []}
    for tenant_id in tenant_ids:
        keys |= {f"{tenant_id}/{r.name}" for r in configuration.tenant_roles.get(tenant_id, [])}
    return keys


def _held_role_keys(held: authorization.Held) -> set[str]:
    keys = {r["name"] for r in held.roles}
    for tenant_id, roles in held.tenant_roles.items():
        keys |= {f"{tenant_id}/{r['name']}" for r in roles}
    return keys


def _attributes(
    declared: Mapping[str, Any] | None, tenants: Iterable[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    if declared is None:
        return [], []
    held = {name for t in tenants for name in (t.get("customAttributes") or {})}
    return sorted(set(declared) & held), sorted(set(declared) - held)


def build_report(
    declared_tenants: set[str],
    declared_flows: set[str],
    descope: Descope,
    configuration: Configuration | None = None,
) -> Report:
    """Compare the declared ids (and, given the `configuration`, its roles, permissions and
    attribute definitions) with what the project holds now."""
    tenants = descope.tenants()
    live_tenants = {str(t["id"]) for t in tenants}
    live_flows = set(descope.flow_ids())
    report = Report(
        unmanaged_tenants=sorted(live_tenants - declared_tenants),
        unmanaged_flows=sorted(live_flows - declared_flows),
        missing_tenants=sorted(declared_tenants - live_tenants),
        missing_flows=sorted(declared_flows - live_flows),
    )
    if configuration is None:
        return report
    roles_managed = configuration.roles is not None
    permissions_managed = configuration.permissions is not None
    held = authorization.held(
        descope.permissions() if permissions_managed else [],
        descope.roles() if roles_managed else [],
    ).for_tenants(declared_tenants)
    declared_roles = _role_keys(configuration, declared_tenants) if roles_managed else set()
    live_roles = _held_role_keys(held)
    declared_permissions = {p.name for p in configuration.permissions or []}
    live_permissions = {p["name"] for p in held.permissions}
    in_use, unverified = _attributes(configuration.tenant_attributes, tenants)
    return replace(
        report,
        unmanaged_roles=sorted(live_roles - declared_roles),
        missing_roles=sorted(declared_roles - live_roles),
        unmanaged_permissions=sorted(live_permissions - declared_permissions),
        missing_permissions=sorted(declared_permissions - live_permissions),
        roles_managed=roles_managed,
        permissions_managed=permissions_managed,
        attributes_in_use=in_use,
        attributes_unverified=unverified,
    )


def _section(title: str, ids: list[str], hint: str) -> None:
    print(f"{title}: {len(ids)}")
    for item in ids:
        print(f"  - {item}")
    if ids and hint:
        print(f"  {hint}")


def _authorization_sections(report: Report, export_hint: str, up_hint: str) -> None:
    for kind, managed, unmanaged, missing in (
        ("Roles", report.roles_managed, report.unmanaged_roles, report.missing_roles),
        (
            "Permissions",
            report.permissions_managed,
            report.unmanaged_permissions,
            report.missing_permissions,
        ),
    ):
        if not managed:
            key = kind.lower()
            print(f"{kind}: not managed by the configuration (it has no {key}: key).")
            continue
        _section(f"{kind} in Descope, not in the configuration", unmanaged, export_hint)
        _section(f"{kind} in the configuration, missing in Descope", missing, up_hint)


def _attribute_sections(report: Report, configuration: Configuration) -> None:
    if configuration.tenant_attributes is None:
        print("Tenant attributes: not declared (no tenantAttributes: key); values are unchecked.")
        return
    _section(
        "Tenant attributes declared and in use in Descope (some tenant holds a value)",
        report.attributes_in_use,
        "",
    )
    _section(
        "Tenant attributes declared but not verified against Descope",
        report.attributes_unverified,
        "Descope has no API that reads the attribute definitions, and no tenant holds a value "
        "of these: check that the project defines each, with the declared type, in the "
        "Descope console (Tenants, Custom Attributes).",
    )


def run(stack: StackSettings, *, fail_on_unmanaged: bool = False) -> int:
    configuration = load_stack_configuration(stack)
    descope = connect(stack)
    report = build_report(
        {t.id for t in configuration.tenants},
        {f.id for f in configuration.flows},
        descope,
        configuration,
    )
    print(f"Stack {stack.name}: Descope project {descope.project_id} vs {stack.tenants_file}")
    export_hint = (
        f"To manage them as code: python -m ops export --stack {stack.name} --out <file>, "
        "then copy the entries you want into the configuration."
    )
    _section("Tenants in Descope, not in the configuration", report.unmanaged_tenants, export_hint)
    _section("Flows in Descope, not in the configuration", report.unmanaged_flows, export_hint)
    up_hint = "The next `pulumi up` creates them."
    _section("Tenants in the configuration, missing in Descope", report.missing_tenants, up_hint)
    _section("Flows in the configuration, missing in Descope", report.missing_flows, up_hint)
    _authorization_sections(report, export_hint, up_hint)
    _attribute_sections(report, configuration)
    if fail_on_unmanaged and report.has_unmanaged:
        print(
            f"Failing (--fail-on-unmanaged): {len(report.unmanaged_tenants)} tenant(s), "
            f"{len(report.unmanaged_flows)} flow(s), {len(report.unmanaged_roles)} role(s) and "
            f"{len(report.unmanaged_permissions)} permission(s) are not managed by stack "
            f"{stack.name}."
        )
        return 1
    return 0
