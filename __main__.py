"""The Pulumi program: one stack per environment, tenants and flows declared in YAML.

Reads the stack's settings, loads and validates the configuration (a configuration error stops
the run before any resource is registered), declares one Tenant per tenant, one
SSOConfiguration per SSO configuration the code manages, one Flow per flow and the Theme if
configured, and exports what each environment now holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from config import (
    Configuration,
    ConfigurationErrors,
    StackOptions,
    check_for_stack,
    is_emulator_stack,
    load_configuration,
    plaintext_key_warning,
    project_values,
    secret_variable_names,
    stack_options,
)
from providers.flow import Flow
from providers.sso import SSOConfiguration
from providers.sso import registered_name as sso_registered_name
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
            stack,
            project_values(every_value),
            source=Path(f"Pulumi.{stack}.yaml"),
            secret_variables=secret_variable_names(secret_keys),
            plain_secrets_allowed=is_emulator_stack(every_value),
        )
    except ConfigurationErrors as exc:
        raise pulumi.RunError(
            f"The settings of stack {stack} are not valid; nothing was changed.\n{exc}"
        ) from None


def load(settings: StackOptions) -> Configuration:
    """Load the configuration or stop the run with every problem listed, no traceback."""
    try:
        configuration = load_configuration(
            settings.tenants_file,
            variables=settings.variables,
            flows_dir=settings.flows_dir,
            secret_variables=settings.secret_variables,
            plain_secrets_allowed=settings.plain_secrets_allowed,
            allow_duplicate_sso_domains=settings.allow_duplicate_sso_domains,
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
    resources: dict[str, Tenant] = {}
    for spec in configuration.tenants:
        protect = spec.protect if spec.protect is not None else settings.protect
        retain = (
            spec.retainOnDelete if spec.retainOnDelete is not None else settings.retain_on_delete
        )
        tenant = Tenant(
            registered_name(spec.id),
            spec,
            stack=settings.stack,
            sso_managed=spec.id in configuration.tenant_sso,
            opts=pulumi.ResourceOptions(protect=protect, retain_on_delete=retain),
        )
        resources[spec.id] = tenant
        tenants[spec.id] = {"id": tenant.id, "name": tenant.name}
    sso = declare_sso(settings, configuration, resources)

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
        "sso": sso,
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


def declare_sso(
    settings: StackOptions,
    configuration: Configuration,
    tenants: Mapping[str, Tenant],
    roles: Mapping[str, pulumi.Resource] | None = None,
) -> dict[str, Any]:
    """One SSOConfiguration per SSO configuration the code manages; returns, by tenant, what a
    customer's IdP needs (the SP entity id and ACS URL of each configuration).

    Each depends on its tenant, and on the role resources (`roles`, by name, when roles are
    managed as resources) its group mappings and default roles name, so that those exist
    first. It is protected and retained as its tenant is. An OIDC client secret is read from
    the stack secret the YAML names and passed as a Pulumi secret: the engine keeps it
    encrypted, the resource never outputs it. Customer-managed SSO gets no resource: nothing
    here writes or deletes it.
    """
    outputs: dict[str, Any] = {}
    by_id = {spec.id: spec for spec in configuration.tenants}
    for tenant_id, tenant_sso in configuration.tenant_sso.items():
        tenant_spec = by_id[tenant_id]
        protect = tenant_spec.protect if tenant_spec.protect is not None else settings.protect
        retain = (
            tenant_spec.retainOnDelete
            if tenant_spec.retainOnDelete is not None
            else settings.retain_on_delete
        )
        if tenant_sso.customer_managed:
            outputs[tenant_id] = {"managedBy": "customer"}
            continue
        configurations: dict[str, Any] = {}
        for spec, secret_name in tenant_sso.specs(tenant_id, adopt=tenant_spec.adopt):
            named = {m.role for m in spec.groupMappings} | set(spec.defaultRoles)
            depends = [
                tenants[tenant_id],
                *((roles or {})[r] for r in sorted(named) if r in (roles or {})),
            ]
            secret = (
                pulumi.Output.secret(settings.variables[secret_name])
                if secret_name is not None
                else None
            )
            resource = SSOConfiguration(
                sso_registered_name(tenant_id, spec.ssoId),
                spec,
                client_secret=secret,
                stack=settings.stack,
                opts=pulumi.ResourceOptions(
                    protect=protect, retain_on_delete=retain, depends_on=depends
                ),
            )
            configurations[spec.ssoId or "default"] = {
                "spEntityId": resource.spEntityId,
                "spAcsUrl": resource.spAcsUrl,
            }
        outputs[tenant_id] = configurations
    return outputs


def main() -> None:
    settings = read_stack_options()
    configuration = load(settings)
    for name, value in declare(settings, configuration).items():
        pulumi.export(name, value)


main()
