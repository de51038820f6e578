"""Roles and permissions as Descope holds them, in the configuration's terms.

`held` reads them once (`ops.project.live.Descope.roles`, ``.permissions``) and sorts them the
way the configuration declares them: the project's permissions, the project's roles, and each
tenant's own roles (Descope's tenant-scoped roles). Descope's built-in role and permissions
(`model.roles.BUILTIN_ROLES`, ``BUILTIN_PERMISSIONS``, and any permission Descope marks
``systemDefault``) are left out: every project has them, the configuration may not declare them.

Entries are written as the YAML writes them (``name``, ``description``, ``permissions``);
`problems` says, per entry, what the configuration would refuse in them (`model.roles`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from model import PermissionSpec, Problem, RoleSpec, problems_from_validation_error
from model.roles import BUILTIN_PERMISSIONS, BUILTIN_ROLES, authorization_problems

__all__ = [
    "Held",
    "held",
    "is_builtin_permission",
    "is_builtin_role",
    "permission_entry",
    "role_entry",
]


def is_builtin_permission(item: Mapping[str, Any]) -> bool:
    return bool(item.get("systemDefault")) or item.get("name") in BUILTIN_PERMISSIONS


def is_builtin_role(item: Mapping[str, Any]) -> bool:
    return not item.get("tenantId") and item.get("name") in BUILTIN_ROLES


def permission_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """A permission as Descope lists it, as the YAML declares it."""
    entry: dict[str, Any] = {"name": str(item.get("name") or "")}
    if item.get("description"):
        entry["description"] = str(item["description"])
    return entry


def role_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """A role as Descope lists it, as the YAML declares it (permissions sorted)."""
    entry: dict[str, Any] = {"name": str(item.get("name") or "")}
    if item.get("description"):
        entry["description"] = str(item["description"])
    granted = sorted({str(p) for p in item.get("permissionNames") or []})
    if granted:
        entry["permissions"] = granted
    return entry


@dataclass(frozen=True)
class Held:
    """What a project holds besides the built-ins, in the YAML's form."""

    permissions: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    tenant_roles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each tenant's own roles, by tenant id (tenants without roles absent)."""
    wire_permissions: list[dict[str, Any]] = field(default_factory=list)
    """The same permissions as Descope answers them (for backups)."""
    wire_roles: list[dict[str, Any]] = field(default_factory=list)
    """The same roles, project and tenant ones, as Descope answers them."""

    def for_tenants(self, tenant_ids: Iterable[str]) -> Held:
        """Only the roles of `tenant_ids` among the tenants' own roles."""
        keep = set(tenant_ids)
        return Held(
            self.permissions,
            self.roles,
            {t: roles for t, roles in self.tenant_roles.items() if t in keep},
            self.wire_permissions,
            [r for r in self.wire_roles if not r.get("tenantId") or r["tenantId"] in keep],
        )

    def permission_specs(self) -> list[PermissionSpec]:
        """The permissions as specs; one the model refuses is constructed unchecked."""
        return [_spec(PermissionSpec, p) for p in self.permissions]

    def role_specs(self) -> list[RoleSpec]:
        return [_spec(RoleSpec, r) for r in self.roles]

    def tenant_role_specs(self) -> dict[str, list[RoleSpec]]:
        return {t: [_spec(RoleSpec, r) for r in roles] for t, roles in self.tenant_roles.items()}

    def problems(self) -> list[str]:
        """One line per thing the configuration would refuse, naming the role or permission:
        ``role "x": name: ...``. Empty when the configuration takes them all."""
        lines: list[str] = []
        for kind, entries, tenant in (
            ("permission", self.permissions, ""),
            ("role", self.roles, ""),
            *(("role", roles, t) for t, roles in self.tenant_roles.items()),
        ):
            model = PermissionSpec if kind == "permission" else RoleSpec
            for entry in entries:
                lines += _lines(kind, entry["name"], tenant, _model_problems(model, entry))
        if not lines:
            tenant_roles = {
                t: (("tenants", t, "roles"), roles) for t, roles in self.tenant_roles.items()
            }
            found = authorization_problems(
                self.permissions, self.roles, tenant_roles, locate=lambda _: "in Descope"
            )
            lines += [problem.message for problem in found]
        return lines


def held(permissions: Iterable[Mapping[str, Any]], roles: Iterable[Mapping[str, Any]]) -> Held:
    """Descope's permissions and roles (as listed) in the configuration's terms."""
    wire_permissions = [dict(p) for p in permissions if not is_builtin_permission(p)]
    wire_roles = [dict(r) for r in roles if not is_builtin_role(r)]
    tenant_roles: dict[str, list[dict[str, Any]]] = {}
    project_roles: list[dict[str, Any]] = []
    for item in wire_roles:
        tenant = str(item.get("tenantId") or "")
        (tenant_roles.setdefault(tenant, []) if tenant else project_roles).append(role_entry(item))
    return Held(
        permissions=[permission_entry(p) for p in wire_permissions],
        roles=project_roles,
        tenant_roles=tenant_roles,
        wire_permissions=wire_permissions,
        wire_roles=wire_roles,
    )


def _spec(model: type[PermissionSpec] | type[RoleSpec], entry: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(entry))
    except ValidationError:
        return model.model_construct(**dict(entry))


def _model_problems(
    model: type[PermissionSpec] | type[RoleSpec], entry: Mapping[str, Any]
) -> list[Problem]:
    try:
        model.model_validate(dict(entry))
    except ValidationError as exc:
        return problems_from_validation_error(exc, model)
    return []


def _lines(kind: str, name: str, tenant: str, problems: list[Problem]) -> list[str]:
    owner = f' of tenant "{tenant}"' if tenant else ""
    return [
        f'{kind} "{name}"{owner}: {f"{p.field}: " if p.field else ""}{p.message}' for p in problems
    ]
