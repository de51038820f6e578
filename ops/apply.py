"""A small engine-less apply: the providers' own check/read/diff/create/update, in this process.

This is not a replacement for ``pulumi up`` (no state file, no deletes, no protect). It exists
so that `demo` can show the program's providers deploying the configuration when the pulumi
CLI is not installed. For each tenant, SSO configuration, flow and the theme it does what
``pulumi refresh`` and
``pulumi up`` would do for a stack that does not know the resource yet:

1. ``check`` the inputs the Pulumi program would declare (failures stop the apply);
2. ``read`` the resource by id: if Descope has it, ``diff`` Descope's state against the inputs
   and ``update`` when they differ; if not, ``create`` it;
3. then, in `verify`, ``read`` again and ``diff``: every resource must show no changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import ResourceProvider

from model.flow import content_hash, normalise_flow_export, normalise_theme
from ops.errors import OpsError
from providers.flow import FlowProvider
from providers.sso import SECRET_KEY, SSOConfigurationProvider, resource_id
from providers.tenant import SSO_MANAGED_KEY, TenantProvider, tenant_props
from providers.theme import THEME_ID, ThemeProvider

if TYPE_CHECKING:
    from config import Configuration


@dataclass
class Planned:
    """One resource the program would declare: its provider, id and inputs."""

    kind: str
    resource_id: str
    provider: ResourceProvider
    props: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    """The state after `apply` (what the stack would record)."""
    inputs: dict[str, Any] = field(default_factory=dict)
    """The checked inputs."""


@dataclass(frozen=True)
class Outcome:
    kind: str
    resource_id: str
    action: str
    """``created``, ``updated`` or ``unchanged`` (in `verify`: ``no changes``)."""


def plan(
    configuration: Configuration, backup_dir: Path, variables: Mapping[str, str] | None = None
) -> list[Planned]:
    """The resources `__main__.py` declares for this configuration, with the same inputs;
    `variables` (the stack's) give the SSO client secrets."""
    folder = str(backup_dir)
    planned: list[Planned] = [
        Planned(
            "tenant",
            spec.id,
            TenantProvider(backup_dir=folder),
            {**tenant_props(spec), SSO_MANAGED_KEY: spec.id in configuration.tenant_sso},
        )
        for spec in configuration.tenants
    ]
    by_id = {spec.id: spec for spec in configuration.tenants}
    for tenant_id, tenant_sso in configuration.tenant_sso.items():
        for sso_spec, secret in tenant_sso.specs(tenant_id, adopt=by_id[tenant_id].adopt):
            props = sso_spec.canonical()
            if secret is not None:
                props[SECRET_KEY] = (variables or {}).get(secret, "")
            planned.append(
                Planned(
                    "sso",
                    resource_id(tenant_id, sso_spec.ssoId),
                    SSOConfigurationProvider(backup_dir=folder),
                    props,
                )
            )
    for entry in configuration.flows:
        content = normalise_flow_export(entry.content)
        props = {
            "flowId": entry.id,
            "content": content,
            "contentHash": content_hash(content),
            "deleteOnRemove": entry.delete_on_remove,
        }
        planned.append(Planned("flow", entry.id, FlowProvider(backup_dir=folder), props))
    if configuration.theme is not None:
        theme = normalise_theme(configuration.theme.content)
        props = {"content": theme, "contentHash": content_hash(theme)}
        planned.append(Planned("theme", THEME_ID, ThemeProvider(backup_dir=folder), props))
    return planned


def _check(item: Planned) -> dict[str, Any]:
    result = item.provider.check({}, dict(item.props))
    if result.failures:
        reasons = "; ".join(f"{f.property}: {f.reason}" for f in result.failures)
        raise OpsError(f"The {item.kind} {item.resource_id!r} does not pass check: {reasons}")
    return dict(result.inputs or {})


def _read(item: Planned, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """Descope's state of the resource as the provider records it, or None when it is gone."""
    result = item.provider.read(item.resource_id, dict(props))
    if not result.id or not result.outs:
        return None
    return dict(result.outs)


def apply(planned: list[Planned]) -> list[Outcome]:
    """Create or update every resource so Descope holds what the configuration declares."""
    outcomes: list[Outcome] = []
    for item in planned:
        inputs = _check(item)
        # The project always has a theme: a stack that does not know it yet creates it, as
        # `pulumi up` would (snapshotting the project's theme if it differs).
        current = None if item.kind == "theme" else _read(item, inputs)
        if current is None:
            created = item.provider.create(inputs)
            item.outputs, action = dict(created.outs or {}), "created"
        elif item.provider.diff(item.resource_id, current, inputs).changes:
            updated = item.provider.update(item.resource_id, current, inputs)
            item.outputs, action = dict(updated.outs or {}), "updated"
        else:
            item.outputs, action = current, "unchanged"
        item.inputs = inputs
        outcomes.append(Outcome(item.kind, item.resource_id, action))
    return outcomes


def verify(planned: list[Planned]) -> list[Outcome]:
    """Refresh and diff every applied resource: all must show no changes (else `OpsError`)."""
    outcomes: list[Outcome] = []
    for item in planned:
        inputs = _check(item)
        recorded = item.provider.diff(item.resource_id, item.outputs, inputs)
        current = _read(item, item.outputs)
        if current is None:
            raise OpsError(f"The {item.kind} {item.resource_id!r} is missing after the apply.")
        drift = item.provider.diff(item.resource_id, current, inputs)
        if recorded.changes or drift.changes:
            raise OpsError(
                f"The {item.kind} {item.resource_id!r} still shows changes after the apply; "
                "this is a bug in its provider, please report it."
            )
        outcomes.append(Outcome(item.kind, item.resource_id, "no changes"))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """A plain-text table: kind, id, action."""
    rows = [("KIND", "ID", "ACTION"), *((o.kind, o.resource_id, o.action) for o in outcomes)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
