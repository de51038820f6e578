"""The Pulumi program: one stack per environment, tenants and flows declared in YAML.

Reads the stack's settings, loads and validates the configuration (a configuration error stops
the run before any resource is registered), declares one Permission per permission and one
Role per project role (when the file manages them), one Tenant per tenant, one Role per
tenant's own role, one SSOConfiguration per SSO configuration the code manages, one AccessKey
per access key of a tenant, one Flow per flow and the Theme if configured, and exports what
each environment now holds.

With ``descope-config:manageAttributeDefinitions``, one AttributeDefinition per
``tenantAttributes:`` entry comes first.

Dependencies (``depends_on``), so that the engine creates what is named before what names it,
and deletes in the reverse order: a tenant depends on the attribute definitions its custom
attributes use (when managed), a role depends on the declared permissions it grants, a
tenant on the project roles its defaultRoles name and on its parent when the file declares it
(a sub-tenant is registered after its parent, created after it and deleted before it), a
tenant's own role on its tenant (and on its permissions), an SSO configuration on its tenant
and the roles its mappings name, an access key on its tenant and the roles it names. Built-in
roles and permissions are in every project: nothing depends on them.
Every input is a plain value known at registration, so a preview has no unknowns.

A kind the stack leaves unmanaged (``descope-config:leaveUnmanaged``: another tool owns it) has
no resource registered, whatever the configuration holds (`config.check_for_stack` has already
refused a configuration that declares one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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
from model.tenant import TenantSpec, parents_first
from providers.access_key import AccessKey
from providers.attribute_definition import AttributeDefinition
from providers.flow import Flow
from providers.permission import Permission
from providers.role import Role, depended_on
from providers.sso import SSOConfiguration
from providers.sso import registered_name as sso_registered_name
from providers.tenant import Tenant, registered_name
from providers.theme import Theme

T = TypeVar("T")


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
            config_keys=every_value.keys(),
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


@dataclass
class Authorization:
    """The role and permission resources the program declared, for what names them to depend
    on (a tenant's defaultRoles, a role's permissions, an SSO configuration's role mappings)."""

    permissions: dict[str, Permission] = field(default_factory=dict)
    """By permission name."""
    roles: dict[str, Role] = field(default_factory=dict)
    """Project roles, by name."""
    tenant_roles: dict[str, dict[str, Role]] = field(default_factory=dict)
    """Each tenant's own roles, by tenant id, then name."""

    def roles_of(self, tenant_id: str, names: list[str]) -> list[Role]:
        """The role resources `names` mean for tenant `tenant_id`: its own role of that name,
        else the project role (built-ins and unmanaged roles have none)."""
        own = self.tenant_roles.get(tenant_id, {})
        return depended_on(names, {**self.roles, **own})


def declare_authorization(settings: StackOptions, configuration: Configuration) -> Authorization:
    """Register the project's permissions and roles, each role after the permissions it
    grants, with the stack's protect and retainOnDelete."""
    declared = Authorization()
    options = pulumi.ResourceOptions(
        protect=settings.protect, retain_on_delete=settings.retain_on_delete
    )
    for permission in _managed(settings, "permissions", configuration.permissions or []):
        declared.permissions[permission.name] = Permission(
            permission, stack=settings.stack, opts=options
        )
    for role in _managed(settings, "roles", configuration.roles or []):
        needs = depended_on(role.permissions, declared.permissions)
        declared.roles[role.name] = Role(
            role,
            stack=settings.stack,
            opts=pulumi.ResourceOptions.merge(options, pulumi.ResourceOptions(depends_on=needs)),
        )
    return declared


def declare_tenant_roles(
    settings: StackOptions,
    configuration: Configuration,
    tenants: dict[str, Tenant],
    declared: Authorization,
) -> None:
    """Register each tenant's own roles, after the tenant and the permissions they grant, with
    the tenant's protect and retainOnDelete (Descope deletes them with the tenant)."""
    for spec in configuration.tenants:
        for role in configuration.tenant_roles.get(spec.id, []):
            needs = [tenants[spec.id], *depended_on(role.permissions, declared.permissions)]
            declared.tenant_roles.setdefault(spec.id, {})[role.name] = Role(
                role,
                tenant_id=spec.id,
                tenant_default=role.name in spec.defaultRoles,
                stack=settings.stack,
                opts=pulumi.ResourceOptions(
                    protect=_protect(settings, spec),
                    retain_on_delete=_retain(settings, spec),
                    depends_on=needs,
                ),
            )


def _managed(settings: StackOptions, kind: str, items: list[T]) -> list[T]:
    """`items`, or none when the stack leaves `kind` unmanaged."""
    return items if settings.manages(kind) else []


def _protect(settings: StackOptions, spec: Any) -> bool:
    return bool(spec.protect if spec.protect is not None else settings.protect)


def _retain(settings: StackOptions, spec: Any) -> bool:
    retain = spec.retainOnDelete
    return bool(retain if retain is not None else settings.retain_on_delete)


def _sso_customer(configuration: Configuration, tenant_id: str) -> bool:
    """Whether the customer manages the tenant's SSO (``sso: {managedBy: customer}``)."""
    tenant_sso = configuration.tenant_sso.get(tenant_id)
    return tenant_sso is not None and tenant_sso.customer_managed


def _code_sso_ids(configuration: Configuration, spec: Any) -> list[str]:
    """The ssoIds of the tenant's SSO configurations the code manages ("" the default one)."""
    tenant_sso = configuration.tenant_sso.get(spec.id)
    if tenant_sso is None or tenant_sso.customer_managed:
        return []
    return [sso.ssoId for sso, _ in tenant_sso.specs(spec.id, adopt=spec.adopt)]


def declare_attribute_definitions(
    settings: StackOptions, configuration: Configuration
) -> dict[str, AttributeDefinition]:
    """One AttributeDefinition per ``tenantAttributes:`` entry when the stack manages them
    (``descope-config:manageAttributeDefinitions``), with the stack's protect and
    retainOnDelete; none otherwise (the declarations are then only checks)."""
    if (
        not settings.manage_attribute_definitions
        or configuration.tenant_attributes is None
        or not settings.manages("tenantAttributes")
    ):
        return {}
    options = pulumi.ResourceOptions(
        protect=settings.protect, retain_on_delete=settings.retain_on_delete
    )
    return {
        name: AttributeDefinition(name, spec, stack=settings.stack, opts=options)
        for name, spec in configuration.tenant_attributes.items()
    }


def _tenant_id(spec: TenantSpec) -> str:
    return spec.id


def _parent_id(spec: TenantSpec) -> str | None:
    return spec.parent


def declare(settings: StackOptions, configuration: Configuration) -> dict[str, Any]:
    """Register every resource; returns the outputs to export."""
    declared = declare_authorization(settings, configuration)
    attribute_resources = declare_attribute_definitions(settings, configuration)
    definitions = (
        {name: d.as_data(name) for name, d in configuration.tenant_attributes.items()}
        if configuration.tenant_attributes is not None and settings.manages("tenantAttributes")
        else None
    )
    resources: dict[str, Tenant] = {}
    managed = _managed(settings, "tenants", configuration.tenants)
    for spec in parents_first(managed, _tenant_id, _parent_id):
        own = [role.name for role in configuration.tenant_roles.get(spec.id, [])]
        parent = [resources[spec.parent]] if spec.parent in resources else []
        tenant = Tenant(
            registered_name(spec.id),
            spec,
            stack=settings.stack,
            attribute_definitions=definitions,
            own_roles=own,
            sso_managed=spec.id in configuration.tenant_sso,
            sso_customer=_sso_customer(configuration, spec.id),
            code_sso_ids=_code_sso_ids(configuration, spec),
            opts=pulumi.ResourceOptions(
                protect=_protect(settings, spec),
                retain_on_delete=_retain(settings, spec),
                depends_on=[
                    *parent,
                    *depended_on(list(spec.defaultRoles), declared.roles),
                    *(
                        attribute_resources[n]
                        for n in spec.customAttributes
                        if n in attribute_resources
                    ),
                ],
            ),
        )
        resources[spec.id] = tenant
    tenants = {
        spec.id: {"id": resources[spec.id].id, "name": resources[spec.id].name} for spec in managed
    }
    sso: dict[str, Any] = {}
    access_keys: dict[str, Any] = {}
    if settings.manages("tenants"):  # a tenant's own roles, SSO and keys are part of it
        declare_tenant_roles(settings, configuration, resources, declared)
        sso = declare_sso(settings, configuration, resources, declared)
        if settings.manages("accessKeys"):
            access_keys = declare_access_keys(settings, configuration, resources, declared)

    flows: dict[str, Any] = {}
    for entry in _managed(settings, "flows", configuration.flows):
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
    if access_keys:
        outputs["accessKeys"] = access_keys
    if configuration.theme is not None and settings.manages("theme"):
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
    declared: Authorization,
) -> dict[str, Any]:
    """One SSOConfiguration per SSO configuration the code manages; returns, by tenant, what a
    customer's IdP needs (the SP entity id and ACS URL of each configuration).

    Each depends on its tenant, and on the role resources (`declared`) its group mappings and
    default roles name, so that those exist first. It is protected and retained as its tenant
    is. An OIDC client secret is read from the stack secret the YAML names and passed as a
    Pulumi secret: the engine keeps it encrypted, the resource never outputs it.
    Customer-managed SSO gets no resource: nothing here writes or deletes it.
    """
    outputs: dict[str, Any] = {}
    by_id = {spec.id: spec for spec in configuration.tenants}
    for tenant_id, tenant_sso in configuration.tenant_sso.items():
        tenant_spec = by_id[tenant_id]
        if tenant_sso.customer_managed:
            outputs[tenant_id] = {"managedBy": "customer"}
            continue
        configurations: dict[str, Any] = {}
        for spec, secret_name in tenant_sso.specs(tenant_id, adopt=tenant_spec.adopt):
            named = sorted({m.role for m in spec.groupMappings} | set(spec.defaultRoles))
            depends = [tenants[tenant_id], *declared.roles_of(tenant_id, named)]
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
                    protect=_protect(settings, tenant_spec),
                    retain_on_delete=_retain(settings, tenant_spec),
                    depends_on=depends,
                ),
            )
            configurations[spec.ssoId or "default"] = {
                "spEntityId": resource.spEntityId,
                "spAcsUrl": resource.spAcsUrl,
            }
        outputs[tenant_id] = configurations
    return outputs


def declare_access_keys(
    settings: StackOptions,
    configuration: Configuration,
    tenants: Mapping[str, Tenant],
    declared: Authorization,
) -> dict[str, Any]:
    """One AccessKey per entry of a tenant's accessKeys, after its tenant and the role
    resources its roles name, protected and retained as its tenant is; returns, by tenant and
    key name, the key's id and its secret (``cleartext``, a Pulumi secret: `pulumi stack output
    --show-secrets accessKeys` hands it over)."""
    outputs: dict[str, Any] = {}
    by_id = {spec.id: spec for spec in configuration.tenants}
    for tenant_id, keys in configuration.tenant_access_keys.items():
        tenant_spec = by_id[tenant_id]
        for spec in keys:
            resource = AccessKey(
                spec,
                tenant_id=tenant_id,
                stack=settings.stack,
                opts=pulumi.ResourceOptions(
                    protect=_protect(settings, tenant_spec),
                    retain_on_delete=_retain(settings, tenant_spec),
                    depends_on=[tenants[tenant_id], *declared.roles_of(tenant_id, spec.roles)],
                ),
            )
            outputs.setdefault(tenant_id, {})[spec.name] = {
                "keyId": resource.keyId,
                "cleartext": resource.cleartext,
            }
    return outputs


def main() -> None:
    settings = read_stack_options()
    configuration = load(settings)
    for name, value in declare(settings, configuration).items():
        pulumi.export(name, value)


main()
