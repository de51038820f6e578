"""Tenants: their management operations (no HTTP).

:class:`Tenants` has one method per tenant endpoint: create, update, patch, delete, load, load
all, search, and the default roles. Each takes the parsed request (a JSON body as a mapping, or
a query value), returns the dict that goes on the wire, or raises
:class:`~emulator.exceptions.DescopeApiError`. The entity is :class:`~emulator.tenant.Tenant`;
the table of tenants is the project context's (every resource reads it). Deleting a tenant
tells the context, whose listeners drop what other resources hold for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext
from emulator.fields import (
    flag,
    opt_bool,
    opt_dict,
    opt_str,
    opt_str_list,
    required_str,
    str_list,
    text,
)
from emulator.resources.attributes.models import TenantAttributes
from emulator.tenant import (
    Tenant,
    check_domains,
    check_domains_free,
    new_tenant_id,
    normalize_domains,
    read_auth_type,
)

__all__ = ["Tenants"]

JsonDict = dict[str, Any]


class Tenants:
    """The tenant endpoints over the project context's tenant table."""

    def __init__(
        self,
        context: ProjectContext,
        attributes: TenantAttributes,
        *,
        id_factory: Callable[[], str] = new_tenant_id,
    ) -> None:
        self.context = context
        self.attributes = attributes
        """The custom-attribute definitions a tenant's ``customAttributes`` must fit."""
        self.id_factory = id_factory

    # --- tenants -------------------------------------------------------------------------

    def create_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/create → ``{"id": ...}``.

        A null, missing or empty ``id`` gets a generated one; ``parent`` (sent by the Go
        and Node SDKs) must name an existing tenant.
        """
        with self.context.lock:
            name = required_str(body, "name")
            tenant_id = opt_str(body, "id") or self._unused_id()
            if tenant_id in self.context.tenants:
                raise exc.duplicate_tenant_id(tenant_id)
            self._check_name_free(name, tenant_id)
            parent = text(body, "parent")
            if parent and parent not in self.context.tenants:
                raise exc.tenant_not_found(parent, self.context.options.not_found_status)
            tenant = Tenant(
                id=tenant_id, name=name, created_time=self.context.clock(), parent=parent
            )
            self._write_tenant_fields(tenant, body, replace=True)
            auth_type = read_auth_type(body)
            if auth_type is not None:
                tenant.auth_type = auth_type
            self.context.add_tenant(tenant)
            return {"id": tenant_id}

    def update_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/update: replaces the tenant's fields (§5.3).

        Every field of the create/update body that is omitted falls to its empty default:
        name, selfProvisioningDomains, customAttributes, enforceSSO, enforceSSOExclusions,
        federatedAppIds, disabled, roleInheritance. Fields owned elsewhere keep their
        values: parent (immutable), authType and domains unless sent (settings own them),
        defaultRoles, settings, createdTime.
        """
        with self.context.lock:
            tenant = self.context.tenant(required_str(body, "id"))
            name = required_str(body, "name")
            self._check_name_free(name, tenant.id)
            auth_type = read_auth_type(body)
            self._write_tenant_fields(tenant, body, replace=True)
            tenant.name = name
            if auth_type is not None:
                tenant.auth_type = auth_type
            return {}

    def patch_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        """PATCH /v1/mgmt/tenant/patch: changes only the keys present."""
        with self.context.lock:
            tenant = self.context.tenant(required_str(body, "id"))
            name = opt_str(body, "name")
            if name is not None:
                if not name:
                    raise exc.missing_name()
                self._check_name_free(name, tenant.id)
            self._write_tenant_fields(tenant, body, replace=False)
            if name is not None:
                tenant.name = name
            return {}

    def delete_tenant(self, tenant_id: str | None, cascade: bool = False) -> JsonDict:
        """POST /v1/mgmt/tenant/delete.

        With ``cascade`` the tenant's successors go too (recursively); without it a
        tenant that has successors is not deleted (400 E011003).
        """
        with self.context.lock:
            if not tenant_id:
                raise exc.missing_id()
            tenant = self.context.tenant(tenant_id)
            children = self.context.successors(tenant.id)
            if children and not cascade:
                raise exc.tenant_has_successors(tenant.id)
            for child in children:
                self.delete_tenant(child, cascade=True)
            self.context.remove_tenant(tenant)
            return {}

    def load_tenant(self, tenant_id: str | None) -> JsonDict:
        """GET /v1/mgmt/tenant?id= → the flat Tenant object."""
        with self.context.lock:
            if not tenant_id:
                raise exc.missing_id()
            return self.context.tenant_wire(self.context.tenant(tenant_id))

    def load_all_tenants(self) -> JsonDict:
        """GET /v1/mgmt/tenant/all → ``{"tenants": [...]}`` in creation order."""
        with self.context.lock:
            return {"tenants": [self.context.tenant_wire(t) for t in self.context.tenants.values()]}

    def search_tenants(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/search: exact-match filters, all combined with AND.

        A null or empty filter is no filter, so the SDK's all-null body returns every
        tenant. List filters match when any value matches; ``customAttributes`` matches
        when every given key has the given value. Also accepts ``authType``,
        ``parentTenantId``, ``tenantSSODomains`` and ``topLevelOnly`` (dotnet model).
        """
        with self.context.lock:
            ids = opt_str_list(body, "tenantIds")
            names = opt_str_list(body, "tenantNames")
            spds = opt_str_list(body, "tenantSelfProvisioningDomains")
            sso_domains = opt_str_list(body, "tenantSSODomains")
            attrs = opt_dict(body, "customAttributes")
            auth_type = read_auth_type(body)
            parent = opt_str(body, "parentTenantId")
            top_level_only = flag(body, "topLevelOnly")
            if self.context.options.normalize_domains:
                spds = normalize_domains(spds) if spds else spds
                sso_domains = normalize_domains(sso_domains) if sso_domains else sso_domains

            def matches(t: Tenant) -> bool:
                return (
                    (not ids or t.id in ids)
                    and (not names or t.name in names)
                    and (not spds or bool(set(spds) & set(t.self_provisioning_domains)))
                    and (not sso_domains or bool(set(sso_domains) & set(t.domains)))
                    and (
                        not attrs
                        or all(t.custom_attributes.get(k, _MISSING) == v for k, v in attrs.items())
                    )
                    and (not auth_type or t.auth_type == auth_type)
                    and (not parent or t.parent == parent)
                    and (not top_level_only or not t.parent)
                )

            return {
                "tenants": [
                    self.context.tenant_wire(t) for t in self.context.tenants.values() if matches(t)
                ]
            }

    def update_default_roles(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/updateDefaultRoles: replaces the tenant's default roles.

        With ``require_existing_roles`` each must be a project role or a role of the tenant.
        """
        with self.context.lock:
            tenant = self.context.tenant(required_str(body, "id"))
            roles = str_list(body, "defaultRoles")
            if self.context.options.require_existing_roles:
                for role in roles:
                    if self.context.role(tenant.id, role) is None:
                        raise exc.unknown_role(role, tenant.id)
            tenant.default_roles = roles
            return {}

    # --- helpers -------------------------------------------------------------------------

    def _unused_id(self) -> str:
        while True:
            candidate = self.id_factory()
            if candidate not in self.context.tenants:
                return candidate

    def _check_name_free(self, name: str, tenant_id: str) -> None:
        for other in self.context.tenants.values():
            if other.name == name and other.id != tenant_id:
                raise exc.duplicate_tenant_name(name)

    def _write_tenant_fields(
        self, tenant: Tenant, body: Mapping[str, Any], *, replace: bool
    ) -> None:
        """Validate, then write the create/update/patch fields.

        ``replace``: an omitted field falls to its empty default (create, update);
        otherwise an omitted field keeps its value (patch). Nothing is written when
        any field is invalid.
        """
        spd = opt_str_list(body, "selfProvisioningDomains")
        if spd is not None:
            options = self.context.options
            spd = check_domains(spd, "selfProvisioningDomains", options)
            check_domains_free(self.context.tenants.values(), tenant.id, spd, [], options)
        attrs = opt_dict(body, "customAttributes")
        if attrs is not None and self.context.options.require_attribute_definitions:
            self.attributes.check_values(attrs)
        disabled = opt_bool(body, "disabled")
        enforce_sso = opt_bool(body, "enforceSSO")
        exclusions = opt_str_list(body, "enforceSSOExclusions")
        app_ids = opt_str_list(body, "federatedAppIds")
        role_inheritance = opt_str(body, "roleInheritance")
        if replace:
            tenant.self_provisioning_domains = spd or []
            tenant.custom_attributes = attrs or {}
            tenant.disabled = bool(disabled)
            tenant.enforce_sso = bool(enforce_sso)
            tenant.enforce_sso_exclusions = exclusions or []
            tenant.federated_app_ids = app_ids or []
            tenant.role_inheritance = role_inheritance or ""
            return
        if spd is not None:
            tenant.self_provisioning_domains = spd
        if attrs is not None:
            tenant.custom_attributes = attrs
        if disabled is not None:
            tenant.disabled = disabled
        if enforce_sso is not None:
            tenant.enforce_sso = enforce_sso
        if exclusions is not None:
            tenant.enforce_sso_exclusions = exclusions
        if app_ids is not None:
            tenant.federated_app_ids = app_ids
        if role_inheritance is not None:
            tenant.role_inheritance = role_inheritance


_MISSING = object()
