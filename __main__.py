"""The Pulumi program: one stack per environment, tenants and flows declared in YAML.

Reads the stack's settings, loads and validates the configuration (a configuration error stops
the run before any resource is registered), declares one Tenant per tenant, one Flow per flow
and the Theme if configured, and exports what each environment now holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from config import Configuration, ConfigurationErrors, load_configuration
from providers.flow import Flow
from providers.tenant import Tenant
from providers.theme import Theme

PROJECT = "descope-config"


@dataclass(frozen=True)
class StackSettings:
    """What the stack config says about this environment (secrets stay with the providers)."""

    stack: str
    tenants_file: Path
    flows_dir: Path | None
    protect: bool
    retain_on_delete: bool
    backup_dir: str
    variables: dict[str, str]


def _stack_variables() -> dict[str, str]:
    """Every ``descope-config:*`` value, unprefixed, for ``${key}`` substitution."""
    merged: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{PROJECT}:"
    return {k.removeprefix(prefix): str(v) for k, v in merged.items() if k.startswith(prefix)}


def read_stack_settings() -> StackSettings:
    """The stack's settings, with the documented defaults (dev deletes, prod protects)."""
    cfg = pulumi.Config(PROJECT)
    stack = pulumi.get_stack()
    tenants_file = cfg.get("tenantsFile") or f"config/tenants/{stack}.yaml"
    flows_dir = cfg.get("flowsDir")
    protect = cfg.get_bool("protect")
    retain = cfg.get_bool("retainOnDelete")
    return StackSettings(
        stack=stack,
        tenants_file=Path(tenants_file),
        flows_dir=Path(flows_dir) if flows_dir else None,
        protect=protect if protect is not None else stack == "prod",
        retain_on_delete=retain if retain is not None else stack == "prod",
        backup_dir=cfg.get("backupDir") or f"backups/{stack}",
        variables=_stack_variables(),
    )


def load(settings: StackSettings) -> Configuration:
    """Load the configuration or stop the run with every problem listed, no traceback."""
    try:
        return load_configuration(
            settings.tenants_file, variables=settings.variables, flows_dir=settings.flows_dir
        )
    except ConfigurationErrors as exc:
        raise pulumi.RunError(
            f"The configuration of stack {settings.stack} is not valid; nothing was changed.\n"
            f"{exc}\nRun `python -m config validate {settings.tenants_file}` to check it again."
        ) from None


def declare(settings: StackSettings, configuration: Configuration) -> dict[str, Any]:
    """Register every resource; returns the outputs to export."""
    tenants: dict[str, Any] = {}
    for spec in configuration.tenants:
        protect = spec.protect if spec.protect is not None else settings.protect
        retain = (
            spec.retainOnDelete if spec.retainOnDelete is not None else settings.retain_on_delete
        )
        tenant = Tenant(
            f"tenant-{spec.id}",
            spec,
            backup_dir=settings.backup_dir,
            opts=pulumi.ResourceOptions(protect=protect, retain_on_delete=retain),
        )
        tenants[spec.id] = {"id": tenant.id, "name": tenant.name}

    flows: dict[str, Any] = {}
    for entry in configuration.flows:
        flow = Flow(
            f"flow-{entry.id}",
            flow_id=entry.id,
            content=entry.content,
            delete_on_remove=entry.delete_on_remove,
            backup_dir=settings.backup_dir,
            opts=pulumi.ResourceOptions(protect=settings.protect),
        )
        flows[entry.id] = flow.contentHash

    outputs: dict[str, Any] = {
        "tenants": tenants,
        "flows": flows,
        "tenantCount": len(tenants),
        "flowCount": len(flows),
    }
    if configuration.theme is not None:
        theme = Theme(
            "theme",
            content=configuration.theme.content,
            backup_dir=settings.backup_dir,
            opts=pulumi.ResourceOptions(protect=settings.protect),
        )
        outputs["themeHash"] = theme.contentHash
    return outputs


def main() -> None:
    settings = read_stack_settings()
    configuration = load(settings)
    for name, value in declare(settings, configuration).items():
        pulumi.export(name, value)


main()
