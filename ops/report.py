"""`report`: what Descope holds that the stack does not manage, and what it declares but lacks.

Unmanaged tenants and flows are not an error in themselves (a project may keep some by hand),
so the report exits 0; ``--fail-on-unmanaged`` makes it exit 1 for CI jobs that want every
tenant and flow under code. `export` writes the unmanaged ones as code, marked ``adopt: true``.
The tenants' SSO follows (`ops.sso_report`): in sync, differing, missing, customer-managed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ops.live import Descope, connect
from ops.sso_report import print_sso, sso_reports
from ops.stack import StackSettings, load_stack_configuration


@dataclass(frozen=True)
class Report:
    """Ids, each list sorted."""

    unmanaged_tenants: list[str]
    unmanaged_flows: list[str]
    missing_tenants: list[str]
    """Declared in the configuration, absent from Descope (the next `pulumi up` creates them)."""
    missing_flows: list[str]

    @property
    def has_unmanaged(self) -> bool:
        return bool(self.unmanaged_tenants or self.unmanaged_flows)


def build_report(declared_tenants: set[str], declared_flows: set[str], descope: Descope) -> Report:
    """Compare the declared ids with what the project holds now."""
    live_tenants = {str(t["id"]) for t in descope.tenants()}
    live_flows = set(descope.flow_ids())
    return Report(
        unmanaged_tenants=sorted(live_tenants - declared_tenants),
        unmanaged_flows=sorted(live_flows - declared_flows),
        missing_tenants=sorted(declared_tenants - live_tenants),
        missing_flows=sorted(declared_flows - live_flows),
    )


def _section(title: str, ids: list[str], hint: str) -> None:
    print(f"{title}: {len(ids)}")
    for item in ids:
        print(f"  - {item}")
    if ids and hint:
        print(f"  {hint}")


def run(stack: StackSettings, *, fail_on_unmanaged: bool = False) -> int:
    configuration = load_stack_configuration(stack)
    descope = connect(stack)
    report = build_report(
        {t.id for t in configuration.tenants}, {f.id for f in configuration.flows}, descope
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
    declared = {t.id for t in configuration.tenants}
    print_sso(sso_reports(configuration, descope, declared - set(report.missing_tenants)))
    if fail_on_unmanaged and report.has_unmanaged:
        print(
            f"Failing (--fail-on-unmanaged): {len(report.unmanaged_tenants)} tenant(s) and "
            f"{len(report.unmanaged_flows)} flow(s) are not managed by stack {stack.name}."
        )
        return 1
    return 0
