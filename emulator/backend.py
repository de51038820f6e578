"""The composed backend: one emulated Descope project made of its resource models.

:class:`DescopeBackend` builds one :class:`~emulator.context.ProjectContext` and gives it to
each resource model of :mod:`emulator.resources`; it wires what the models ask of one another
through the context (the role lookup, the tenant-deleted listeners), and answers for the whole
project: reset and snapshot. It holds no operation of its own: the tenant, settings, flow,
theme and license methods below forward to their models (they are the backend's public face,
which tests and the engine's fakes drive).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from emulator.context import ProjectContext
from emulator.options import EmulatorOptions
from emulator.resources.access_keys.models import AccessKeys
from emulator.resources.attributes.models import AttributeDefinition, TenantAttributes
from emulator.resources.flows.models import Flow, Flows, Theme
from emulator.resources.infra.models import ProjectConfiguration, fresh_data
from emulator.resources.license.models import License
from emulator.resources.roles.models import Authorization, RoleSeed
from emulator.resources.settings.models import Settings
from emulator.resources.sso.models import SSO
from emulator.resources.tenants.models import Tenants
from emulator.tenant import Tenant

__all__ = ["DescopeBackend"]

JsonDict = dict[str, Any]


class DescopeBackend:
    """The state of one emulated Descope project, as resource models over one context.

    Thread-safe: every operation holds the context's re-entrant lock for its whole duration.
    """

    def __init__(
        self,
        options: EmulatorOptions | None = None,
        *,
        now: Callable[[], float] = time.time,
        id_factory: Callable[[], str] | None = None,
        etag_factory: Callable[[], str] | None = None,
        tenant_attributes: Mapping[str, AttributeDefinition] | None = None,
        roles: RoleSeed | None = None,
    ) -> None:
        self.context = ProjectContext(options, now=now)
        self.attributes = TenantAttributes(self.context, tenant_attributes)
        """Tenant custom-attribute definitions."""
        self.tenant_model = Tenants(self.context, self.attributes)
        self.settings = Settings(self.context)
        self.authz = Authorization(self.context, seed=roles)
        """Roles and permissions: the built-ins, plus ``roles`` in a fresh project."""
        self.sso = SSO(self.context)
        """Per-tenant SSO configurations and admin links."""
        self.access_keys = AccessKeys(self.context)
        self.flow_model = Flows(self.context)
        self.license = License(self.context)
        self.infra = ProjectConfiguration(self.context, self.attributes)
        """The project configuration (``/v1/mgmt/infra``); its tenant attributes are
        ``attributes``'."""
        if id_factory is not None:
            self.tenant_model.id_factory = id_factory
        if etag_factory is not None:
            self.flow_model.etag_factory = etag_factory
        self.context.role = self.authz.role_ref
        for model in (self.sso, self.authz, self.access_keys):
            self.context.on_tenant_deleted(model.drop_tenant)

    # --- the context, as attributes -----------------------------------------------------

    @property
    def lock(self) -> Any:
        """The project's re-entrant lock."""
        return self.context.lock

    @property
    def options(self) -> EmulatorOptions:
        return self.context.options

    @options.setter
    def options(self, options: EmulatorOptions) -> None:
        self.context.options = options

    @property
    def now(self) -> Callable[[], float]:
        """The clock every model reads (tests replace it)."""
        return self.context.now

    @now.setter
    def now(self, clock: Callable[[], float]) -> None:
        self.context.now = clock

    @property
    def tenants(self) -> dict[str, Tenant]:
        """Every tenant by id, in creation order."""
        return self.context.tenants

    @property
    def id_factory(self) -> Callable[[], str]:
        return self.tenant_model.id_factory

    @id_factory.setter
    def id_factory(self, factory: Callable[[], str]) -> None:
        self.tenant_model.id_factory = factory

    @property
    def etag_factory(self) -> Callable[[], str]:
        return self.flow_model.etag_factory

    @etag_factory.setter
    def etag_factory(self, factory: Callable[[], str]) -> None:
        self.flow_model.etag_factory = factory

    @property
    def flows(self) -> dict[str, Flow]:
        return self.flow_model.flows

    @property
    def theme(self) -> Theme:
        return self.flow_model.theme

    @property
    def tenant_attributes(self) -> dict[str, AttributeDefinition]:
        """The tenant custom-attribute definitions in force."""
        return self.attributes.definitions

    # --- the whole project ----------------------------------------------------------------

    def reset(self) -> None:
        """Forget every tenant and flow; restore the default theme, the initial attribute
        definitions, and the built-in (and seeded) roles and permissions."""
        with self.lock:
            self.context.replace_tenants({})
            self.flow_model.clear()
            self.sso.clear()
            self.attributes.clear()
            self.authz.reset()
            self.access_keys.clear()
            self.infra.clear()

    def snapshot(self) -> JsonDict:
        """Everything, in wire shapes: tenants (with settings), flows (with screens), theme,
        SSO, tenant attribute definitions, permissions, roles and access keys, and the project
        configuration when it is not a fresh project's."""
        with self.lock:
            tenants = self.context.tenants.values()
            return {
                "tenants": [self.context.tenant_wire(t) for t in tenants],
                "settings": {t.id: t.settings_dict() for t in tenants},
                "flows": {fid: f.export() for fid, f in self.flows.items()},
                "theme": self.theme.to_dict(),
                "sso": self.sso.snapshot(),
                "tenantAttributes": self.attributes.to_json(),
                **self.authz.to_json(),
                "accessKeys": self.access_keys.snapshot(),
                **({} if self.infra.data == fresh_data() else {"project": self.infra.data}),
            }

    # --- the public face: forwarders ------------------------------------------------------

    def get_license(self) -> JsonDict:
        return self.license.get_license()

    def create_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        return self.tenant_model.create_tenant(body)

    def update_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        return self.tenant_model.update_tenant(body)

    def patch_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        return self.tenant_model.patch_tenant(body)

    def delete_tenant(self, tenant_id: str | None, cascade: bool = False) -> JsonDict:
        return self.tenant_model.delete_tenant(tenant_id, cascade)

    def load_tenant(self, tenant_id: str | None) -> JsonDict:
        return self.tenant_model.load_tenant(tenant_id)

    def load_all_tenants(self) -> JsonDict:
        return self.tenant_model.load_all_tenants()

    def search_tenants(self, body: Mapping[str, Any]) -> JsonDict:
        return self.tenant_model.search_tenants(body)

    def update_default_roles(self, body: Mapping[str, Any]) -> JsonDict:
        return self.tenant_model.update_default_roles(body)

    def load_settings(self, tenant_id: str | None) -> JsonDict:
        return self.settings.load_settings(tenant_id)

    def update_settings(self, body: Mapping[str, Any]) -> JsonDict:
        return self.settings.update_settings(body)

    def list_flows(self, ids: list[str] | None = None) -> JsonDict:
        return self.flow_model.list_flows(ids)

    def delete_flows(self, ids: list[str]) -> JsonDict:
        return self.flow_model.delete_flows(ids)

    def export_flow(self, flow_id: str | None) -> JsonDict:
        return self.flow_model.export_flow(flow_id)

    def import_flow(self, flow_id: str | None, flow: Any, screens: Any) -> JsonDict:
        return self.flow_model.import_flow(flow_id, flow, screens)

    def export_theme(self) -> JsonDict:
        return self.flow_model.export_theme()

    def import_theme(self, theme: Any) -> JsonDict:
        return self.flow_model.import_theme(theme)

    def seed_flow(
        self, flow: Mapping[str, Any], screens: Iterable[Mapping[str, Any]] = ()
    ) -> JsonDict:
        return self.flow_model.seed_flow(flow, screens)

    def seed_theme(self, theme: Mapping[str, Any]) -> JsonDict:
        return self.flow_model.seed_theme(theme)
