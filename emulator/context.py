"""The project context: what the resource models of one emulated project share, and no more.

Each resource model (:mod:`emulator.resources`) is given one :class:`ProjectContext` instead
of the whole backend. It holds:

- ``lock``: the project's one re-entrant lock; every operation holds it for its duration;
- ``now``: the clock (Unix seconds), replaceable by tests;
- ``options``: the switches (:class:`~emulator.options.EmulatorOptions`), replaced whole when
  they change;
- the tenant table and its lookup (:meth:`ProjectContext.tenant`, with the successor index
  a tenant's wire shape needs): tenants are the root that the other resources hang from;
- what one resource asks of another without importing it: :meth:`ProjectContext.role`
  (answered by the roles model) and the tenant-deleted listeners (each resource that keeps
  per-tenant state forgets a deleted tenant's).

The composed :class:`~emulator.backend.DescopeBackend` builds the context and wires these.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator import exceptions as exc
from emulator.options import EmulatorOptions
from emulator.tenant import Tenant

__all__ = ["ProjectContext", "RoleLookup", "RoleRef"]

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class RoleRef:
    """A role as another resource refers to it: ``{"id": ..., "name": ...}``."""

    id: str
    name: str


RoleLookup = Callable[[str, str], RoleRef | None]
"""``(tenant_id, role_name)`` → the role that tenant may use (its own role, else a project
role), or None."""


def _no_roles(tenant_id: str, name: str) -> RoleRef | None:
    return None


class ProjectContext:
    """The lock, clock, options and tenant table of one project (see the module)."""

    def __init__(self, options: EmulatorOptions | None = None, *, now: Callable[[], float]) -> None:
        self.lock = threading.RLock()
        self.now = now
        """The clock: Unix seconds as a float."""
        self.options = options or EmulatorOptions()
        self.tenants: dict[str, Tenant] = {}
        """By id, in creation order. The tenants model writes it; every model reads it."""
        self._successor_ids: dict[str, list[str]] = {}
        """Parent id → its successors' ids in creation order (a parent is set only at create)."""
        self.role: RoleLookup = _no_roles
        """The role a tenant may use by name (the roles model answers it)."""
        self._tenant_deleted: list[Callable[[str], None]] = []

    def clock(self) -> int:
        """The current time in whole Unix seconds."""
        return int(self.now())

    # --- the tenant table ----------------------------------------------------------------

    def tenant(self, tenant_id: str) -> Tenant:
        """The tenant ``tenant_id``, or the not-found error (status per ``not_found_status``)."""
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise exc.tenant_not_found(tenant_id, self.options.not_found_status)
        return tenant

    def add_tenant(self, tenant: Tenant) -> None:
        """Hold a new tenant (after its parent, if any)."""
        self.tenants[tenant.id] = tenant
        if tenant.parent:
            self._successor_ids.setdefault(tenant.parent, []).append(tenant.id)

    def remove_tenant(self, tenant: Tenant) -> None:
        """Forget a tenant and tell every listener (its successors must be gone already)."""
        del self.tenants[tenant.id]
        self._successor_ids.pop(tenant.id, None)
        if tenant.parent in self._successor_ids:
            self._successor_ids[tenant.parent].remove(tenant.id)
        for listener in self._tenant_deleted:
            listener(tenant.id)

    def replace_tenants(self, tenants: dict[str, Tenant]) -> None:
        """Hold ``tenants`` (in creation order) in place of every tenant held."""
        self.tenants = tenants
        self._successor_ids = {}
        for tenant in tenants.values():
            if tenant.parent:
                self._successor_ids.setdefault(tenant.parent, []).append(tenant.id)

    def successors(self, tenant_id: str) -> list[str]:
        """The ids of the tenants whose parent is ``tenant_id``, in creation order."""
        return [i for i in self._successor_ids.get(tenant_id, ()) if i in self.tenants]

    def tenant_wire(self, tenant: Tenant) -> JsonDict:
        """The flat Tenant object of §2.1, ``successors`` included."""
        return tenant.to_dict(self.successors(tenant.id))

    # --- between resources ---------------------------------------------------------------

    def on_tenant_deleted(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(tenant_id)`` whenever a tenant is deleted, in registration order."""
        self._tenant_deleted.append(listener)
