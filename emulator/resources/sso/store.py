"""Every tenant's SSO configurations and admin links, and what the SSO operations share.

:class:`SSOStore` holds the state (keyed by tenant id) with the lookups, checks and writes the
endpoints of :class:`~emulator.resources.sso.models.SSO` share. It reads tenants, options and
roles from the :class:`~emulator.context.ProjectContext`, and runs under its lock.
"""

from __future__ import annotations

import copy
import secrets
import string
from collections.abc import Iterator, Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext, RoleRef
from emulator.fields import opt_str, str_list
from emulator.resources.sso.configurations import (
    DEFAULT_SSO_ID,
    SAML_ATTRIBUTE_DEFAULTS,
    SP_BASE_URL,
    AdminLink,
    GroupMapping,
    SAMLSettings,
    SSOConfiguration,
)
from emulator.resources.sso.requests import (
    Fields,
    attribute_mapping,
    fga_mappings,
)
from emulator.tenant import Tenant, check_domains

__all__ = ["SSOStore", "new_sso_id"]

JsonDict = dict[str, Any]
_BASE62 = string.digits + string.ascii_letters


def new_sso_id() -> str:
    """A generated ``ssoId``: Descope's format is not published, so ``S`` plus 27 base62."""
    return "S" + "".join(secrets.choice(_BASE62) for _ in range(27))


class SSOStore:
    """Every tenant's SSO configurations and admin links (see the module)."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context
        self.configurations: dict[str, dict[str, SSOConfiguration]] = {}
        """tenant id → ssoId → configuration; the default one appears once written to."""
        self.admin_links: dict[str, list[AdminLink]] = {}
        """tenant id → the links generated and not revoked."""

    # --- state ---------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every configuration and link."""
        self.configurations.clear()
        self.admin_links.clear()

    def drop_tenant(self, tenant_id: str) -> None:
        """Forget a deleted tenant's configurations and links."""
        self.configurations.pop(tenant_id, None)
        self.admin_links.pop(tenant_id, None)

    def tenant_configurations(self, tenant_id: str) -> dict[str, SSOConfiguration]:
        """The tenant's stored configurations, created (empty) on first use."""
        return self.configurations.setdefault(tenant_id, {})

    def default_configuration(self, tenant_id: str) -> SSOConfiguration:
        """The tenant's default configuration: the stored one, or a blank one not yet stored."""
        stored = self.configurations.get(tenant_id, {}).get(DEFAULT_SSO_ID)
        return stored if stored is not None else SSOConfiguration(DEFAULT_SSO_ID)

    def store(self, tenant_id: str, configuration: SSOConfiguration) -> None:
        """Keep ``configuration`` (after a write); the default one comes first in load-all."""
        configurations = self.tenant_configurations(tenant_id)
        if configuration.sso_id == DEFAULT_SSO_ID and DEFAULT_SSO_ID not in configurations:
            configurations = {DEFAULT_SSO_ID: configuration, **configurations}
            self.configurations[tenant_id] = configurations
        configurations[configuration.sso_id] = configuration

    def other_tenants_domains(self, tenant_id: str) -> Iterator[str]:
        """Domains of non-default configurations of every tenant but ``tenant_id``."""
        for other, configurations in self.configurations.items():
            if other == tenant_id:
                continue
            for configuration in configurations.values():
                if configuration.sso_id != DEFAULT_SSO_ID:
                    yield from configuration.domains

    def snapshot(self) -> JsonDict:
        """``{tenantId: {"configurations": [...], "adminLinks": [...]}}`` for the admin API."""
        tenant_ids = list(dict.fromkeys([*self.configurations, *self.admin_links]))
        return {
            tid: {
                "configurations": [c.to_json() for c in self.configurations.get(tid, {}).values()],
                "adminLinks": [link.to_json() for link in self.admin_links.get(tid, [])],
            }
            for tid in tenant_ids
        }

    # --- helpers -------------------------------------------------------------------------

    def _tenant(self, tenant_id: str | None) -> Tenant:
        if not tenant_id:
            raise exc.missing_field("tenantId")
        return self.context.tenant(tenant_id)

    def _configuration(self, tenant: Tenant, sso_id: str) -> SSOConfiguration:
        if sso_id == DEFAULT_SSO_ID:
            return self.default_configuration(tenant.id)
        configuration = self.configurations.get(tenant.id, {}).get(sso_id)
        if configuration is None:
            raise exc.sso_not_found(tenant.id, sso_id, self.context.options.not_found_status)
        return configuration

    def _target(
        self, body: Mapping[str, Any], *, allow_sso_id: bool = True
    ) -> tuple[Tenant, SSOConfiguration]:
        """The tenant (``tenantId``) and configuration (``ssoId``, default when empty)."""
        tenant = self._tenant(opt_str(body, "tenantId"))
        sso_id = (opt_str(body, "ssoId") if allow_sso_id else None) or DEFAULT_SSO_ID
        return tenant, self._configuration(tenant, sso_id)

    def _unused_sso_id(self, configurations: Mapping[str, SSOConfiguration]) -> str:
        while True:
            candidate = new_sso_id()
            if candidate not in configurations:
                return candidate

    def _default_in_use(self, tenant: Tenant) -> bool:
        """Whether load-all lists the default configuration: it is stored (written to), or
        the tenant settings gave the tenant an auth type or domains."""
        stored = self.configurations.get(tenant.id, {}).get(DEFAULT_SSO_ID)
        return stored is not None or tenant.auth_type != "none" or bool(tenant.domains)

    def _sp(self, tenant: Tenant, configuration: SSOConfiguration) -> tuple[str, str]:
        """The derived SP entity id and ACS URL.

        ``<projectId>-<tenantId>`` and an ACS URL with ``projectId=`` and ``tenantId=`` are
        confirmed for the default configuration (python-sdk e2e); the ``-<ssoId>`` suffix
        and ``ssoId=`` parameter of other configurations are a guess.
        """
        project = self.context.options.project_id
        entity = f"{project}-{tenant.id}"
        acs = f"{SP_BASE_URL}/v1/auth/saml/acs?projectId={project}&tenantId={tenant.id}"
        if configuration.sso_id != DEFAULT_SSO_ID:
            entity += f"-{configuration.sso_id}"
            acs += f"&ssoId={configuration.sso_id}"
        return entity, acs

    def _wire(self, tenant: Tenant, configuration: SSOConfiguration) -> JsonDict:
        """The load shape: ``{tenant, saml, oidc, ssoId}`` (go-sdk ``SSOTenantSettingsResponse``,
        descope-dotnet ``LoadSSOSettingsResponse``); ``tenant`` is the full Tenant object
        with the configuration's domains and auth type."""
        tenant_wire = self.context.tenant_wire(tenant)
        if configuration.sso_id != DEFAULT_SSO_ID:
            tenant_wire["authType"] = configuration.auth_type
            tenant_wire["domains"] = list(configuration.domains)
        return {
            "tenant": tenant_wire,
            "saml": configuration.saml_wire(*self._sp(tenant, configuration)),
            "oidc": configuration.oidc_wire(),
            "ssoId": configuration.sso_id,
        }

    def _set_auth_type(
        self, tenant: Tenant, configuration: SSOConfiguration, auth_type: str
    ) -> None:
        if configuration.sso_id == DEFAULT_SSO_ID:
            tenant.auth_type = auth_type
        else:
            configuration.auth_type = auth_type

    def _domains(
        self, tenant: Tenant, configuration: SSOConfiguration, body: Mapping[str, Any]
    ) -> list[str]:
        """The ``domains`` to store, checked: well formed, and free in other tenants unless
        ``allowDuplicateSSODomainsInOtherTenants`` (another configuration of the same tenant
        may hold them: unconfirmed)."""
        domains = check_domains(str_list(body, "domains"), "domains", self.context.options)
        if self.context.options.allow_duplicate_sso_domains_in_other_tenants:
            return domains
        held = set(self.other_tenants_domains(tenant.id))
        for other in self.context.tenants.values():
            if other.id != tenant.id:
                held.update(other.domains)
        for domain in domains:
            if domain in held:
                raise exc.duplicate_domain(domain)
        return domains

    def _group_mappings(self, tenant: Tenant, value: Any, where: str) -> list[GroupMapping] | None:
        """``[{groups, roleName}]`` → mappings with resolved roles; None when not sent."""
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
            raise exc.invalid_argument(f"The {where} field must be a list of objects")
        mappings = []
        for item in value:
            fields = Fields(item, f"{where}[].")
            role = self._role(tenant, fields.required_str("roleName"))
            mappings.append(GroupMapping(role, fields.opt_str_list("groups") or []))
        return mappings

    def _role(self, tenant: Tenant, role_name: str) -> RoleRef:
        role = self.context.role(tenant.id, role_name)
        if role is None:
            raise exc.unknown_sso_role(role_name)
        return role

    def _mappings(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        s: Fields,
        *,
        role_mappings_required: bool,
    ) -> tuple[list[GroupMapping], list[str], list[str], JsonDict]:
        """The shared mappings after this write: group mappings, default SSO roles, groups
        priority, FGA mappings (validated, not yet stored)."""
        groups = self._group_mappings(tenant, s.data.get("roleMappings"), "settings.roleMappings")
        if groups is None:
            groups = [] if role_mappings_required else configuration.group_mappings
        default_roles = s.opt_str_list("defaultSSORoles")
        if default_roles or s.opt_bool("replaceDefaultSSORoles"):
            for name in default_roles or []:
                self._role(tenant, name)
        else:
            default_roles = configuration.default_sso_roles
        priority = s.opt_str_list("groupsPriority")
        fga = s.opt_dict("fgaMappings")
        return (
            groups,
            list(default_roles or []),
            configuration.groups_priority if priority is None else priority,
            configuration.fga_mappings
            if fga is None
            else fga_mappings(fga, "settings.fgaMappings"),
        )

    def _write_saml(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        body: Mapping[str, Any],
        s: Fields,
        saml: SAMLSettings,
    ) -> None:
        """Shared part of both SAML configure endpoints: validate the rest, then write."""
        for key, attr in (
            ("spACSUrl", "sp_acs_url"),
            ("spEntityId", "sp_entity_id"),
            ("configFGATenantIDResourcePrefix", "config_fga_tenant_id_resource_prefix"),
            ("configFGATenantIDResourceSuffix", "config_fga_tenant_id_resource_suffix"),
        ):
            value = s.opt_str(key)
            if value is not None:
                setattr(saml, attr, value)
        mapping = s.opt_dict("attributeMapping")
        if mapping is not None:
            saml.attribute_mapping = attribute_mapping(
                mapping, SAML_ATTRIBUTE_DEFAULTS, "settings.attributeMapping"
            )
        disable_sign = s.opt_bool("disableSignRequest")
        if disable_sign is not None:
            saml.disable_sign_request = disable_sign
        redirect = opt_str(body, "redirectUrl")
        if redirect is not None:
            saml.redirect_url = redirect
        mappings = self._mappings(tenant, configuration, s, role_mappings_required=True)
        domains = self._domains(tenant, configuration, body)
        # every check passed: write
        configuration.saml = saml
        self._commit(tenant, configuration, "saml", domains, mappings)

    def _write_saml_v1(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        body: Mapping[str, Any],
        saml: SAMLSettings,
    ) -> None:
        redirect = opt_str(body, "redirectURL")
        if redirect is not None:
            saml.redirect_url = redirect
        domains = self._domains(tenant, configuration, body)
        configuration.saml = saml
        self._set_auth_type(tenant, configuration, "saml")
        tenant.domains = domains
        self.store(tenant.id, configuration)

    def _commit(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        auth_type: str,
        domains: list[str],
        mappings: tuple[list[GroupMapping], list[str], list[str], JsonDict],
    ) -> None:
        (
            configuration.group_mappings,
            configuration.default_sso_roles,
            configuration.groups_priority,
            configuration.fga_mappings,
        ) = (list(mappings[0]), list(mappings[1]), list(mappings[2]), copy.deepcopy(mappings[3]))
        self._set_auth_type(tenant, configuration, auth_type)
        if configuration.sso_id == DEFAULT_SSO_ID:
            tenant.domains = domains
        else:
            configuration.domains = domains
        self.store(tenant.id, configuration)

    def _audience(self) -> str:
        """The project-level XAA audience: "equals the issuer the project publishes" (SDK
        docstring); Descope's issuer form ``https://api.descope.com/<projectId>`` is inferred."""
        return f"{SP_BASE_URL}/{self.context.options.project_id}"
