"""The Pulumi program: one stack per environment, tenants and flows declared in YAML.

Reads the stack's settings, loads and validates the configuration (a configuration error stops
the run before any resource is registered), declares one Tenant per tenant, one Flow per flow
and the Theme if configured, and exports what each environment now holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from config import (
    Configuration,
    ConfigurationErrors,
    StackOptions,
    check_for_stack,
    load_configuration,
    plaintext_key_warning,
    project_values,
    stack_options,
)
from providers.flow import Flow
from providers.tenant import Tenant, registered_name
from providers.theme import Theme


def read_stack_options() -> StackOptions:
    """The stack's own settings (descope-config:*), defaults applied: dev deletes, prod protects.

    A malformed setting stops the run, naming it, before any resource is registered.
    """
    stack = pulumi.get_stack()
    every_value = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env())
    secret_keys.update(k for k in every_value if runtime_config.is_config_secret(k))
    warning = plaintext_key_warning(stack, every_value, secret_keys)
    if warning:
        pulumi.log.warn(warning)
    try:
        return stack_options(
            stack, project_values(every_value), source=Path(f"Pulumi.{stack}.yaml")
        )
    except ConfigurationErrors as exc:
        raise pulumi.RunError(
            f"The settings of stack {stack} are not valid; nothing was changed.\n{exc}"
        ) from None


def load(settings: StackOptions) -> Configuration:
    """Load the configuration or stop the run with every problem listed, no traceback."""
    try:
        configuration = load_configuration(
            settings.tenants_file, variables=settings.variables, flows_dir=settings.flows_dir
        )
        check_for_stack(settings, configuration)
    except ConfigurationErrors as exc:
        raise pulumi.RunError(
            f"The configuration of stack {settings.stack} is not valid; nothing was changed.\n"
            f"{exc}\nRun `python -m ops validate --stack {settings.stack}` to check it again."
        ) from None
    return configuration


def declare(settings: StackOptions, configuration: Configuration) -> dict[str, Any]:
    """Register every resource; returns the outputs to export."""
    tenants: dict[str, Any] = {}
    for spec in configuration.tenants:
        protect = spec.protect if spec.protect is not None else settings.protect
        retain = (
            spec.retainOnDelete if spec.retainOnDelete is not None else settings.retain_on_delete
        )
        tenant = Tenant(
            registered_name(spec.id),
            spec,
            stack=settings.stack,
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
            stack=settings.stack,
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
            stack=settings.stack,
            opts=pulumi.ResourceOptions(protect=settings.protect),
        )
        outputs["themeHash"] = theme.contentHash
    return outputs


def main() -> None:
    settings = read_stack_options()
    configuration = load(settings)
    for name, value in declare(settings, configuration).items():
        pulumi.export(name, value)


main()
