"""Roles and permissions in the data file: ``permissions`` and ``roles``, in wire shapes.

The data file holds :meth:`Authorization.to_json
<emulator.resources.roles.models.Authorization.to_json>`'s two lists at its top level. A file
without them keeps a fresh project's built-in permissions and role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator.resources.roles.models import Authorization, Permission, Role

__all__ = ["install_roles", "parse_roles", "roles_json"]

JsonDict = dict[str, Any]
Parsed = tuple[dict[str, Permission], dict[str, Role]]


def roles_json(authz: Authorization) -> JsonDict:
    """``{"permissions": [...], "roles": [...]}`` for the data file."""
    return authz.to_json()


def parse_roles(data: Mapping[str, Any], tenant_ids: Iterable[str]) -> Parsed | None:
    """The permissions and roles of the data file's top level, checked (a role of a tenant
    absent from ``tenant_ids`` is refused); None when the file has neither key. Raises
    ValueError naming the first bad part."""
    if "permissions" not in data and "roles" not in data:
        return None
    tenants = set(tenant_ids)
    permissions: dict[str, Permission] = {}
    for i, raw in enumerate(_objects(data, "permissions")):
        p = Permission(
            _file_text(raw, "id", f"permissions[{i}]"),
            _file_text(raw, "name", f"permissions[{i}]"),
            _file_text(raw, "description", f"permissions[{i}]", required=False),
            _file_flag(raw, "systemDefault", f"permissions[{i}]"),
        )
        if p.name in permissions:
            raise ValueError(f"permission {p.name!r} appears twice")
        permissions[p.name] = p
    roles: dict[str, Role] = {}
    scopes: set[tuple[str, str]] = set()
    for i, raw in enumerate(_objects(data, "roles")):
        where = f"roles[{i}]"
        created = raw.get("createdTime")
        if isinstance(created, bool) or not isinstance(created, int):
            raise ValueError(f"{where}.createdTime must be an integer")
        names = raw.get("permissionNames", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"{where}.permissionNames must be a list of strings")
        role = Role(
            id=_file_text(raw, "id", where),
            name=_file_text(raw, "name", where),
            created_time=created,
            description=_file_text(raw, "description", where, required=False),
            permission_names=list(names),
            tenant_id=_file_text(raw, "tenantId", where, required=False),
            default=_file_flag(raw, "default", where),
            private=_file_flag(raw, "private", where),
        )
        if role.tenant_id and role.tenant_id not in tenants:
            raise ValueError(f"role {role.name!r} belongs to tenant {role.tenant_id!r}, absent")
        if (role.tenant_id, role.name) in scopes or role.id in roles:
            raise ValueError(f"role {role.name!r} appears twice")
        scopes.add((role.tenant_id, role.name))
        roles[role.id] = role
    return permissions, roles


def install_roles(authz: Authorization, parsed: Parsed | None) -> None:
    """Hold the parsed permissions and roles (nothing changes for a file without them)."""
    if parsed is not None:
        with authz.context.lock:
            authz.permissions, authz.roles = parsed


def _objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"{key} must be a list of objects")
    return items


def _file_text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{where}.{key} must be a {'non-empty ' if required else ''}string")
    return value


def _file_flag(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}.{key} must be true or false")
    return value
