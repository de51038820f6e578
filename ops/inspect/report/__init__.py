"""`report`: how Descope differs from what the stack's configuration declares.

Three questions, one run:

- unmanaged: tenants, flows, roles and permissions Descope holds that the configuration does
  not declare (roles and permissions only where the configuration manages them, with its
  ``roles:`` and ``permissions:`` keys; a tenant's own role is written ``tenant/role``;
  Descope's built-in ones are in every project and never reported);
- missing: declared ones Descope lacks (``python -m ops up --refresh`` creates them);
- drift: for each managed tenant, the fields whose value in Descope differs from the
  configuration's; for each managed flow, whether its flow-level part differs (which keys) and
  which screens (by id) differ or exist on one side only; for the theme, which parts differ.

Values are shown as the configuration writes them (`ops.project.convert.data_from_descope`, the
conversion ``export`` and the providers' refresh use) and compared as the providers compare
them (`providers.tenant.comparable` for tenants, the normalised content for flows and the
theme), so a field listed here is a field ``pulumi refresh`` then ``pulumi preview`` shows as a
change, and the other way round. The hints name the command that repairs what is listed:
``python -m ops up --refresh --stack <stack>``; a plain ``up`` compares the configuration with
the stack's state, which does not know of changes made in Descope since the last refresh.
Management flags (``adopt``, ``cascadeDelete``) and resource
options are not Descope's and never drift.

API calls, all made by the one project reader (`ops.project.reader`, asked by `reading`): one
tenant listing (``GET /v1/mgmt/tenant/all``) for every tenant, never one load per tenant; one
settings load per managed tenant whose settings the configuration manages (Descope has no batch
endpoint for settings, so this one is unavoidable); one SSO load per declared tenant Descope
holds; one flow listing; one export per managed flow Descope holds; one theme export when the
theme is managed.

Tenant custom-attribute definitions have no read API (neither the SDK nor the project
snapshot export publishes them), so the declared ``tenantAttributes`` cannot be checked against
Descope. What can be said: an attribute some tenant in Descope holds a value of is defined in
the project (Descope refuses values of undefined attributes); the others are listed as not
verified, to check in the console (Tenants, Custom Attributes). Roles and permissions cost one
listing each, when managed.

A kind the stack leaves to another tool (``descope-config:leaveUnmanaged``) is not compared:
the configuration declares none of it, nothing of it is read beyond the two listings, and what
Descope holds of it is not listed as unmanaged; the report says it is left (``leftUnmanaged``
in the JSON).

The tenants' SSO follows (`ops.inspect.report.sso`): in sync, differing (which fields), missing,
not managed, customer-managed.

Ids, names, values and paths from Descope are printed through `model.text.shown`: a control
character, an escape sequence or a bidirectional override Descope holds is written as an
escape (``\\x1b``) and cannot act on the terminal; rich never reads them as markup. The JSON
document escapes them as JSON does.

Nothing is an error: the report exits 0. ``--fail-on-unmanaged`` exits 1 when anything is
unmanaged, ``--fail-on-drift`` when anything drifted or is missing (for CI). ``--json`` writes
the report as one JSON document (`Report.to_json`, format ``descope-config-report/1``) instead
of the tables.

Comparing is `ops.inspect.report.comparing` (`reading` says what to read of the project,
`build_report` compares), showing is `ops.inspect.report.showing`, the SSO part
`ops.inspect.report.sso`.
"""

from __future__ import annotations

import json
import sys

from ops.inspect.report.comparing import (
    Report,
    build_report,
    differing_keys,
    flow_drift,
    reading,
    tenant_drift,
    theme_drift,
)
from ops.inspect.report.showing import print_report, report_document
from ops.inspect.report.sso import print_sso, sso_reports
from ops.progress import Progress
from ops.project.live import connect
from ops.project.reader import read_project
from ops.stack import StackSettings, load_stack_configuration

__all__ = [
    "Report",
    "build_report",
    "differing_keys",
    "flow_drift",
    "print_report",
    "reading",
    "report_document",
    "run",
    "tenant_drift",
    "theme_drift",
]


def run(
    stack: StackSettings,
    *,
    fail_on_unmanaged: bool = False,
    fail_on_drift: bool = False,
    as_json: bool = False,
) -> int:
    """`python -m ops report`: 0, or 1 when a ``--fail-on-*`` flag's condition holds."""
    configuration = load_stack_configuration(stack)
    descope = connect(stack)
    with Progress("report") as progress:
        project = read_project(descope, reading(configuration), progress)
    report = build_report(configuration, project, stack.options.unmanaged)
    sso = sso_reports(configuration, project)
    sso_drifted = [r.tenant_id for r in sso if r.drifted]
    if as_json:
        document = report_document(report, stack, descope.project_id)
        document["sso"] = [
            {
                "tenant": r.tenant_id,
                "managedBy": r.managed_by,
                "lines": r.lines,
                "drifted": r.drifted,
            }
            for r in sso
        ]
        document["hasDrift"] = report.has_drift or bool(sso_drifted)
        print(json.dumps(document, indent=2))
    else:
        print_report(report, stack, descope.project_id)
        print_sso(sso)
    failures: list[str] = []
    if fail_on_unmanaged and report.has_unmanaged:
        failures.append(
            f"Failing (--fail-on-unmanaged): {len(report.unmanaged_tenants)} tenant(s), "
            f"{len(report.unmanaged_flows)} flow(s), {len(report.unmanaged_roles)} role(s) and "
            f"{len(report.unmanaged_permissions)} permission(s) are not managed by stack "
            f"{stack.name}."
        )
    if fail_on_drift and (report.has_drift or sso_drifted):
        differ = [
            f"{len(report.drifted_tenants)} tenant(s)",
            f"{len(report.drifted_flows)} flow(s)",
            *(["the theme"] if report.theme is not None else []),
            *([f"the SSO of {len(sso_drifted)} tenant(s)"] if sso_drifted else []),
        ]
        listed = f"{', '.join(differ[:-1])} and {differ[-1]}"
        failures.append(
            f"Failing (--fail-on-drift): {listed} differ in Descope from stack {stack.name}'s "
            f"configuration; {len(report.missing_tenants)} tenant(s) and "
            f"{len(report.missing_flows)} flow(s) are missing in Descope."
        )
    for line in failures:
        print(line, file=sys.stderr if as_json else sys.stdout)
    return 1 if failures else 0
