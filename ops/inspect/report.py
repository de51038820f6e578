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

API calls: one tenant listing (``GET /v1/mgmt/tenant/all``) for every tenant, never one load
per tenant; one settings load per managed tenant whose settings the configuration manages
(Descope has no batch endpoint for settings, so this one is unavoidable); one flow listing; one
export per managed flow Descope holds; one theme export when the theme is managed.

Tenant custom-attribute definitions have no read API (neither the SDK nor the project
snapshot export publishes them), so the declared ``tenantAttributes`` cannot be checked against
Descope. What can be said: an attribute some tenant in Descope holds a value of is defined in
the project (Descope refuses values of undefined attributes); the others are listed as not
verified, to check in the console (Tenants, Custom Attributes). Roles and permissions cost one
listing each, when managed.

The tenants' SSO follows (`ops.inspect.sso_report`): in sync, differing (which fields), missing,
not managed, customer-managed; one load of a tenant's SSO configurations per declared tenant.

Ids, names, values and paths from Descope are printed through `model.text.shown`: a control
character, an escape sequence or a bidirectional override Descope holds is written as an
escape (``\\x1b``) and cannot act on the terminal; rich never reads them as markup. The JSON
document escapes them as JSON does.

Nothing is an error: the report exits 0. ``--fail-on-unmanaged`` exits 1 when anything is
unmanaged, ``--fail-on-drift`` when anything drifted or is missing (for CI). ``--json`` writes
the report as one JSON document (`Report.to_json`, format ``descope-config-report/1``) instead
of the tables.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from config import Configuration
from config.configuration import FlowEntry, ThemeEntry
from model import TenantSpec, content_hash, normalise_flow_export, normalise_theme
from model.flow import canonical_json
from model.text import nfc
from model.text import shown as printable
from ops.inspect.sso_report import print_sso, sso_reports
from ops.progress import Progress
from ops.project import authorization
from ops.project.convert import data_from_descope
from ops.project.live import connect
from ops.project.reader import ProjectSnapshot, Reading, read_project
from ops.stack import StackSettings, load_stack_configuration
from providers.answers.tenant import (
    FLAG_KEYS,
    ID_KEY,
    INPUT_KEYS,
    SSO_OWNED,
    comparable,
    tenant_props,
)

REPORT_FORMAT = "descope-config-report/1"
DRIFT_FIELDS = tuple(key for key in INPUT_KEYS if key not in (ID_KEY, *FLAG_KEYS))
"""The tenant properties that can drift: what Descope holds, in the order the model lists it."""
_BY_KEY = ("customAttributes", "settings")
"""Mapping properties whose drift is told key by key (``customAttributes.seats``)."""
THEME_DEPTH = 2
"""How deep theme differences are named: ``cssTemplate.light``."""


@dataclass(frozen=True)
class FieldDrift:
    """One tenant field whose value in Descope is not the configuration's."""

    field: str
    """``name``, ``customAttributes.seats``, ``settings.sessionTokenExpiration``."""
    descope: Any
    """As the configuration would write it; None when Descope has no value."""
    configuration: Any
    """None when the configuration sets no value."""


@dataclass(frozen=True)
class TenantDrift:
    id: str
    fields: list[FieldDrift]


@dataclass(frozen=True)
class FlowDrift:
    """A flow whose content in Descope is not the configuration's."""

    id: str
    flow: list[str]
    """Keys of the flow-level part (``dsl``, ``name``...) that differ; [] when it is the same."""
    screens_differ: list[str]
    """Screens (by id) both sides hold, with other content."""
    screens_only_in_descope: list[str]
    screens_only_in_configuration: list[str]


@dataclass(frozen=True)
class Report:
    """What a stack's configuration and its Descope project disagree on. Ids sorted."""

    unmanaged_tenants: list[str]
    unmanaged_flows: list[str]
    missing_tenants: list[str]
    """Declared in the configuration, absent from Descope (`ops up --refresh` creates them)."""
    missing_flows: list[str]
    drifted_tenants: list[TenantDrift] = field(default_factory=list)
    drifted_flows: list[FlowDrift] = field(default_factory=list)
    theme: list[str] | None = None
    """Parts of the theme that differ (``cssTemplate.light``); None when the same or not managed."""
    checked_tenants: int = 0
    """Managed tenants Descope holds, compared field by field."""
    checked_flows: int = 0
    theme_managed: bool = False
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
    attributes_declared: bool = False
    """Whether the configuration declares its tenant attributes (``tenantAttributes:``)."""

    @property
    def has_unmanaged(self) -> bool:
        return bool(
            self.unmanaged_tenants
            or self.unmanaged_flows
            or self.unmanaged_roles
            or self.unmanaged_permissions
        )

    @property
    def has_drift(self) -> bool:
        """Anything managed that differs in Descope, or is missing from it."""
        return bool(
            self.drifted_tenants
            or self.drifted_flows
            or self.theme is not None
            or self.missing_tenants
            or self.missing_flows
            or self.missing_roles
            or self.missing_permissions
        )

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document's report part (see the README for the whole shape)."""
        return {
            "unmanaged": {
                "tenants": self.unmanaged_tenants,
                "flows": self.unmanaged_flows,
                "roles": self.unmanaged_roles,
                "permissions": self.unmanaged_permissions,
            },
            "missing": {
                "tenants": self.missing_tenants,
                "flows": self.missing_flows,
                "roles": self.missing_roles,
                "permissions": self.missing_permissions,
            },
            "managed": {"roles": self.roles_managed, "permissions": self.permissions_managed},
            "tenantAttributes": {
                "declared": self.attributes_declared,
                "inUse": self.attributes_in_use,
                "notVerified": self.attributes_unverified,
            },
            "drift": {
                "tenants": [
                    {
                        "id": t.id,
                        "fields": [
                            {
                                "field": f.field,
                                "descope": f.descope,
                                "configuration": f.configuration,
                            }
                            for f in t.fields
                        ],
                    }
                    for t in self.drifted_tenants
                ],
                "flows": [
                    {
                        "id": f.id,
                        "flow": f.flow,
                        "screens": {
                            "differ": f.screens_differ,
                            "onlyInDescope": f.screens_only_in_descope,
                            "onlyInConfiguration": f.screens_only_in_configuration,
                        },
                    }
                    for f in self.drifted_flows
                ],
                "theme": None if self.theme is None else {"differ": self.theme},
            },
            "checked": {
                "tenants": self.checked_tenants,
                "flows": self.checked_flows,
                "theme": self.theme_managed,
            },
            "hasUnmanaged": self.has_unmanaged,
            "hasDrift": self.has_drift,
        }


# --- comparing ---------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """Equal as the providers judge comparable forms: the same JSON, keys sorted."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def tenant_drift(
    spec: TenantSpec,
    tenant: Mapping[str, Any],
    settings: Mapping[str, Any] | None,
    *,
    sso_managed: bool = False,
) -> list[FieldDrift]:
    """The fields of `spec` whose value differs in Descope's `tenant` (a listing entry) and
    `settings` (loaded when `spec` manages settings; ignored otherwise). With `sso_managed`
    (the tenant declares ``sso:``) the settings its SSO owns are the SSO's, not drift here."""
    wanted = spec.canonical()
    held = data_from_descope(tenant, settings if spec.settings is not None else None)
    new, old = comparable(tenant_props(wanted)), comparable(tenant_props(held))
    if sso_managed:
        for compared in (new, old):
            for key in SSO_OWNED if compared.get("settings") is not None else ():
                compared["settings"].pop(key, None)
    drift: list[FieldDrift] = []
    for key in DRIFT_FIELDS:
        if key == "settings" and new.get(key) is None:
            continue  # not managed: whatever Descope holds is not drift
        if _same(old.get(key), new.get(key)):
            continue
        if key in _BY_KEY:
            old_part, new_part = old.get(key) or {}, new.get(key) or {}
            held_part, wanted_part = held.get(key) or {}, wanted.get(key) or {}
            keys = (
                sorted(set(old_part) | set(new_part))
                if key == "customAttributes"
                else [*wanted_part, *(k for k in new_part if k not in wanted_part)]
            )
            drift.extend(
                FieldDrift(f"{key}.{k}", held_part.get(k), wanted_part.get(k))
                for k in keys
                if not _same(old_part.get(k), new_part.get(k))
            )
        else:
            drift.append(FieldDrift(key, held.get(key), wanted.get(key)))
    return drift


def differing_keys(
    held: Mapping[str, Any], wanted: Mapping[str, Any], depth: int = 1, prefix: str = ""
) -> list[str]:
    """The keys whose values differ, sorted; below the top (down to `depth`) as ``a.b``."""
    keys: list[str] = []
    for key in sorted(set(held) | set(wanted)):
        a, b = held.get(key), wanted.get(key)
        if canonical_json(a) == canonical_json(b):
            continue
        if depth > 1 and isinstance(a, Mapping) and isinstance(b, Mapping):
            keys.extend(differing_keys(a, b, depth - 1, f"{prefix}{key}."))
        else:
            keys.append(f"{prefix}{key}")
    return keys


def flow_drift(entry: FlowEntry, export: Mapping[str, Any]) -> FlowDrift | None:
    """How Descope's `export` of a managed flow differs from the entry's content, or None."""
    held = normalise_flow_export(export)
    if content_hash(held) == entry.content_hash:
        return None
    wanted = entry.content
    held_screens = {str(s.get("id", "")): s for s in held["screens"]}
    wanted_screens = {str(s.get("id", "")): s for s in wanted["screens"]}
    both = sorted(set(held_screens) & set(wanted_screens))
    return FlowDrift(
        entry.id,
        differing_keys(held["flow"], wanted["flow"]),
        [s for s in both if canonical_json(held_screens[s]) != canonical_json(wanted_screens[s])],
        sorted(set(held_screens) - set(wanted_screens)),
        sorted(set(wanted_screens) - set(held_screens)),
    )


def theme_drift(entry: ThemeEntry, theme: Mapping[str, Any]) -> list[str] | None:
    """The parts of Descope's `theme` that differ from the entry's, or None when the same."""
    held = normalise_theme(theme)
    if content_hash(held) == entry.content_hash:
        return None
    return differing_keys(held, entry.content, THEME_DEPTH)


def reading(configuration: Configuration) -> Reading:
    """What the report reads of the project (calls: module docstring)."""
    declared = {spec.id for spec in configuration.tenants}
    return Reading(
        settings={spec.id for spec in configuration.tenants if spec.settings is not None},
        sso=declared,
        flows={entry.id for entry in configuration.flows},
        permissions=configuration.permissions is not None,
        roles=configuration.roles is not None,
        theme=configuration.theme is not None,
    )


def build_report(configuration: Configuration, project: ProjectSnapshot) -> Report:
    """Compare the configuration with what the project held when read (`reading`)."""
    declared = {spec.id: spec for spec in configuration.tenants}
    listed = {tenant_id: held.tenant for tenant_id, held in project.tenants.items()}
    managed = [declared[i] for i in sorted(declared) if i in listed]
    drifted_tenants = [
        TenantDrift(spec.id, fields)
        for spec in managed
        if (
            fields := tenant_drift(
                spec,
                listed[spec.id],
                project.tenants[spec.id].settings,
                sso_managed=spec.id in configuration.tenant_sso,
            )
        )
    ]

    flows = {entry.id: entry for entry in configuration.flows}
    live_flows = set(project.flow_ids)
    compared = sorted(set(flows) & live_flows)
    missing_flows = (set(flows) - live_flows) | (set(compared) - set(project.flows))
    drifted_flows = [
        drift
        for flow_id in compared
        if flow_id in project.flows
        and (drift := flow_drift(flows[flow_id], project.flows[flow_id]))
    ]
    theme: list[str] | None = None
    if configuration.theme is not None:
        theme = theme_drift(configuration.theme, project.theme or {})
    roles_managed = configuration.roles is not None
    permissions_managed = configuration.permissions is not None
    held = project.authorization(declared)
    declared_roles = _role_keys(configuration, declared) if roles_managed else set()
    live_roles = _held_role_keys(held)
    declared_permissions = {p.name for p in configuration.permissions or []}
    live_permissions = {nfc(p["name"]) for p in held.permissions}
    in_use, unverified = _attributes(configuration.tenant_attributes, listed.values())
    return Report(
        unmanaged_tenants=sorted(set(listed) - set(declared)),
        unmanaged_flows=sorted(live_flows - set(flows)),
        missing_tenants=sorted(set(declared) - set(listed)),
        missing_flows=sorted(missing_flows),
        drifted_tenants=drifted_tenants,
        drifted_flows=drifted_flows,
        theme=theme,
        checked_tenants=len(managed),
        checked_flows=len(compared) - len(missing_flows & set(compared)),
        theme_managed=configuration.theme is not None,
        unmanaged_roles=sorted(live_roles - declared_roles),
        missing_roles=sorted(declared_roles - live_roles),
        unmanaged_permissions=sorted(live_permissions - declared_permissions),
        missing_permissions=sorted(declared_permissions - live_permissions),
        roles_managed=roles_managed,
        permissions_managed=permissions_managed,
        attributes_in_use=in_use,
        attributes_unverified=unverified,
        attributes_declared=configuration.tenant_attributes is not None,
    )


def _role_keys(configuration: Configuration, tenant_ids: Iterable[str]) -> set[str]:
    keys = {r.name for r in configuration.roles or []}
    for tenant_id in tenant_ids:
        keys |= {f"{tenant_id}/{r.name}" for r in configuration.tenant_roles.get(tenant_id, [])}
    return keys


def _held_role_keys(held: authorization.Held) -> set[str]:
    """Descope's roles as `_role_keys` writes the declared ones: names in NFC, as the model
    compares them (the configuration's names are NFC once validated)."""
    keys = {nfc(r["name"]) for r in held.roles}
    for tenant_id, roles in held.tenant_roles.items():
        keys |= {f"{tenant_id}/{nfc(r['name'])}" for r in roles}
    return keys


def _attributes(
    declared: Mapping[str, Any] | None, tenants: Iterable[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """(declared attributes some tenant holds a value of, the others)."""
    if declared is None:
        return [], []
    held = {name for t in tenants for name in (t.get("customAttributes") or {})}
    return sorted(set(declared) & held), sorted(set(declared) - held)


# --- showing -----------------------------------------------------------------------------------


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
    _section("Tenants in Descope, not in the configuration", report.unmanaged_tenants, export_hint)
    _section("Flows in Descope, not in the configuration", report.unmanaged_flows, export_hint)
    repair = f"python -m ops up --refresh --stack {stack.name}"
    up_hint = (
        f"`{repair}` creates them (a plain `up` trusts the stack's state, which may still "
        "list them as deployed)."
    )
    _section("Tenants in the configuration, missing in Descope", report.missing_tenants, up_hint)
    _section("Flows in the configuration, missing in Descope", report.missing_flows, up_hint)
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
        if not managed:
            print(f"{kind}: not managed by the configuration (it has no {kind.lower()}: key).")
            continue
        _section(f"{kind} in Descope, not in the configuration", unmanaged, export_hint)
        _section(f"{kind} in the configuration, missing in Descope", missing, up_hint)


def _attribute_sections(report: Report) -> None:
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
    report = build_report(configuration, project)
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
