"""Report, showing: a `Report` as text tables on stdout, or as the ``--json`` document (see
`ops.inspect.report`).
"""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from model.ownership import SETTING as LEFT_SETTING
from model.text import shown as printable
from ops.inspect.report.comparing import Report
from ops.stack import StackSettings

REPORT_FORMAT = "descope-config-report/1"


def shown(value: Any) -> str:
    """A value as the YAML would hold it, in one line: ``"Acme"``, ``["a.com"]``, ``30``;
    control characters as escapes (`model.text.shown`)."""
    if value is None:
        return "(not set)"
    return printable(json.dumps(value, ensure_ascii=False))


def _cell(text: str) -> Text:
    """A table cell holding `text` from Descope: escaped, never read as markup."""
    return Text(printable(text))


def _section(title: str, ids: list[str], hint: str) -> None:
    print(f"{title}: {len(ids)}")
    for item in ids:
        print(f"  - {printable(item)}")
    if ids and hint:
        print(f"  {hint}")


def tenant_table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for title in ("Tenant", "Field", "Descope", "Configuration"):
        table.add_column(title, overflow="fold")
    for tenant in report.drifted_tenants:
        for drift in tenant.fields:
            table.add_row(
                _cell(tenant.id),
                _cell(drift.field),
                _cell(shown(drift.descope)),
                _cell(shown(drift.configuration)),
            )
    return table


def content_table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for title in ("Flow / theme", "Part", "Difference"):
        table.add_column(title, overflow="fold")
    for flow in report.drifted_flows:
        rows: list[tuple[str, str]] = []
        if flow.flow:
            rows.append(("flow", f"differs in {', '.join(flow.flow)}"))
        rows += [(f"screen {s}", "differs") for s in flow.screens_differ]
        rows += [(f"screen {s}", "only in Descope") for s in flow.screens_only_in_descope]
        rows += [
            (f"screen {s}", "only in the configuration") for s in flow.screens_only_in_configuration
        ]
        for part, difference in rows:
            table.add_row(_cell(flow.id), _cell(part), _cell(difference))
    for part in report.theme or []:
        table.add_row(Text("theme"), _cell(part), Text("differs"))
    return table


LOG_WIDTH = 200
"""The width tables are laid out for when stdout is not a terminal (a log, a pipe)."""


def table_text(table: Table) -> str:
    """`table` as plain text for stdout: as wide as the terminal (else `LOG_WIDTH`), no colour,
    no trailing spaces."""
    terminal = Console()
    width = terminal.width if terminal.is_terminal else LOG_WIDTH
    console = Console(width=width, no_color=True, highlight=False, color_system=None)
    with console.capture() as captured:
        console.print(table)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def print_report(report: Report, stack: StackSettings, project_id: str) -> None:
    """The report as text on stdout: the presence sections, then the drift tables."""
    print(f"Stack {stack.name}: Descope project {project_id} vs {stack.tenants_file}")
    export_hint = (
        f"To manage them as code: python -m ops export --stack {stack.name} --out <file>, "
        "then copy the entries you want into the configuration."
    )
    for kind in report.left:
        print(f"{kind}: left to another tool on this stack ({LEFT_SETTING}); not compared.")
    compared = [kind for kind in ("Tenants", "Flows") if kind.lower() not in report.left]
    unmanaged = {"Tenants": report.unmanaged_tenants, "Flows": report.unmanaged_flows}
    for kind in compared:
        _section(f"{kind} in Descope, not in the configuration", unmanaged[kind], export_hint)
    repair = f"python -m ops up --refresh --stack {stack.name}"
    up_hint = (
        f"`{repair}` creates them (a plain `up` trusts the stack's state, which may still "
        "list them as deployed)."
    )
    missing = {"Tenants": report.missing_tenants, "Flows": report.missing_flows}
    for kind in compared:
        _section(f"{kind} in the configuration, missing in Descope", missing[kind], up_hint)
    _authorization_sections(report, export_hint, up_hint)
    _attribute_sections(report)
    if not (report.drifted_tenants or report.drifted_flows or report.theme is not None):
        theme = " and the theme" if report.theme_managed else ""
        print(
            f"Drift: none. The {report.checked_tenants} managed tenant(s), "
            f"{report.checked_flows} flow(s){theme} in Descope are as the configuration "
            "declares them."
        )
        return
    parts = [
        *(
            [f"{len(report.drifted_tenants)} of {report.checked_tenants} managed tenant(s)"]
            if report.drifted_tenants
            else []
        ),
        *(
            [f"{len(report.drifted_flows)} of {report.checked_flows} managed flow(s)"]
            if report.drifted_flows
            else []
        ),
        *(["the theme"] if report.theme is not None else []),
    ]
    print(f"Drift (Descope differs from the configuration): {', '.join(parts)}.")
    if report.drifted_tenants:
        print(table_text(tenant_table(report)))
    if report.drifted_flows or report.theme is not None:
        print(table_text(content_table(report)))
    print(
        f"  `python -m ops up --refresh --stack {stack.name}` writes the configuration's values "
        "over these (a plain `up` compares with the stack's state and does not see them); "
        f"`python -m ops preview --refresh --stack {stack.name}` shows the same changes first."
    )


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
        if kind.lower() in report.left:
            continue
        if not managed:
            print(f"{kind}: not managed by the configuration (it has no {kind.lower()}: key).")
            continue
        _section(f"{kind} in Descope, not in the configuration", unmanaged, export_hint)
        _section(f"{kind} in the configuration, missing in Descope", missing, up_hint)


def _attribute_sections(report: Report) -> None:
    if "tenantAttributes" in report.left:
        return
    if not report.attributes_declared:
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


def report_document(report: Report, stack: StackSettings, project_id: str) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "format": REPORT_FORMAT,
        "stack": stack.name,
        "projectId": project_id,
        "configuration": str(stack.tenants_file),
        **report.to_json(),
    }
