"""Report, comparing: what the configuration and a `ProjectSnapshot` disagree on, as a
`Report` (see `ops.inspect.report`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from config import Configuration
from config.configuration import FlowEntry, ThemeEntry
from model import TenantSpec, content_hash, normalise_flow_export, normalise_theme
from model.flow import canonical_json
from model.text import nfc
from ops.project import authorization
from ops.project.convert import data_from_descope
from ops.project.reader import ProjectSnapshot, Reading
from providers.answers.tenant import (
    FLAG_KEYS,
    ID_KEY,
    INPUT_KEYS,
    SSO_OWNED,
    comparable,
    tenant_props,
)

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
    left: list[str] = field(default_factory=list)
    """The kinds the stack leaves to another tool (``leaveUnmanaged``): not compared."""

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
            "leftUnmanaged": self.left,
            "hasUnmanaged": self.has_unmanaged,
            "hasDrift": self.has_drift,
        }


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
        if key in ("settings", "roleInheritance") and new.get(key) is None:
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


def build_report(
    configuration: Configuration, project: ProjectSnapshot, left: frozenset[str] = frozenset()
) -> Report:
    """Compare the configuration with what the project held when read (`reading`), except
    the kinds `left` to another tool (``leaveUnmanaged``): the configuration declares none of
    them, and what Descope holds of them is not listed as unmanaged."""
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
        unmanaged_tenants=sorted(set(listed) - set(declared)) if "tenants" not in left else [],
        unmanaged_flows=sorted(live_flows - set(flows)) if "flows" not in left else [],
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
        left=sorted(left),
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
