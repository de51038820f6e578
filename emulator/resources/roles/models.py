"""Roles and permissions: the project's RBAC and its management operations (no HTTP).

Shapes and rules, with their evidence:

- **Permission** ``{"id": "PERM…", "name", "description", "systemDefault"}``: ``id`` as in
  go-sdk ``descope.Permission`` and its tests (``PERM`` + 28 base62 characters);
  ``systemDefault`` as in the Python SDK's ``load_all`` docstring and the descope-dotnet
  model. Create, update and delete answer ``{}`` (docs.descope.com shows no body).
- **Role** ``{"id": "ROL…", "name", "description", "permissionNames", "createdTime",
  "tenantId", "default", "private"}``: docs.descope.com's Role schema, go-sdk ``descope.Role``
  (``createdTime`` int32 Unix seconds; ``id`` ``ROL`` + 28 base62 characters); every field
  is emitted, ``tenantId`` ``""`` for a project role, as Descope emits defaults for tenants.
  Create and update answer the role (docs.descope.com); the batch calls answer
  ``{"roles": [...]}`` (go-sdk ``CreateBatch``/``UpdateBatch`` decode that).
- A fresh project has the permissions ``User Admin``, ``SSO Admin`` and ``Impersonate``
  (``systemDefault``; terraform-provider-descope refuses to redefine them) and the project
  role ``Tenant Admin`` carrying all three (docs.descope.com "Preconfigured Roles and
  Permissions"; python-sdk e2e maps SSO groups to "Tenant Admin" on a fresh project). The
  role can be edited and deleted like any other; the system permissions cannot (inferred).
  Their descriptions are not published.
- Update replaces every field: an omitted description or permission list is cleared
  (docs.descope.com: "if not provided, it will be removed"; descope-dotnet's
  ``Role_UpdateAndSearch`` reads an empty description back after a rename).
- A role is identified by name within its scope: the project, or one tenant (``tenantId``),
  as update and delete address it by (name, tenantId). So a role name is unique per scope;
  whether a tenant role may reuse a project role's name is not published (allowed here).
- A batch delete with neither names nor ids deletes every role of its scope, or every role
  when no tenant is given: the SDK's ``role_delete_batch_body`` refuses an empty list
  because "the endpoint deletes every role when it receives no filter". Names that match no
  role are ignored (it is a filter).
- The batch calls are atomic ("in a single atomic transaction", SDK docstrings).
- Renaming a permission renames it in the roles that carry it, and deleting one removes it
  from them, when ``cascade_permission_changes`` is on (the default); not published.
- Deleting a tenant deletes its roles.

Descope publishes no error codes for roles or permissions; see :mod:`emulator.exceptions`.
"""

from __future__ import annotations

import copy
import functools
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from emulator import exceptions as exc
from emulator.context import ProjectContext, RoleRef
from emulator.fields import opt_bool, opt_str, opt_str_list, required_str, text

P = ParamSpec("P")
R = TypeVar("R")


def _locked(
    method: Callable[Concatenate[Authorization, P], R],
) -> Callable[Concatenate[Authorization, P], R]:
    """Run the method holding the project's re-entrant lock, as every operation does."""

    @functools.wraps(method)
    def locked(self: Authorization, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.context.lock:
            return method(self, *args, **kwargs)

    return locked


__all__ = [
    "BUILTIN_PERMISSIONS",
    "TENANT_ADMIN",
    "Authorization",
    "Permission",
    "Role",
    "RoleSeed",
    "new_permission_id",
    "new_role_id",
    "parse_role_seed",
]

_BASE62 = string.digits + string.ascii_letters
_NAME_MAX = 100
"""terraform-provider-descope: role and permission names are at most 100 characters."""
_DESCRIPTION_MAX = 254
JsonDict = dict[str, Any]

BUILTIN_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("User Admin", "Read and modify user data"),
    ("SSO Admin", "Read and modify SSO configurations"),
    ("Impersonate", "Act on behalf of another user"),
)
"""Name and description of the permissions a fresh project has (descriptions unconfirmed)."""
TENANT_ADMIN = "Tenant Admin"


def new_role_id() -> str:
    return "ROL" + "".join(secrets.choice(_BASE62) for _ in range(28))


def new_permission_id() -> str:
    return "PERM" + "".join(secrets.choice(_BASE62) for _ in range(28))


@dataclass
class Permission:
    id: str
    name: str
    description: str = ""
    system_default: bool = False

    def to_dict(self) -> JsonDict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "systemDefault": self.system_default,
        }


@dataclass
class Role:
    id: str
    name: str
    created_time: int
    description: str = ""
    permission_names: list[str] = field(default_factory=list)
    tenant_id: str = ""
    default: bool = False
    private: bool = False

    def to_dict(self) -> JsonDict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "permissionNames": list(self.permission_names),
            "createdTime": self.created_time,
            "tenantId": self.tenant_id,
            "default": self.default,
            "private": self.private,
        }


@dataclass(frozen=True)
class RoleSeed:
    """Project roles and permissions a fresh project has besides the built-ins.

    JSON form (``--roles FILE.json``, ``EmulatorApp(roles=)``)::

        {"permissions": [{"name": "billing.read", "description": "..."}],
         "roles": [{"name": "member", "description": "...", "permissionNames": ["billing.read"],
                    "default": false, "private": false}]}
    """

    permissions: tuple[JsonDict, ...] = ()
    roles: tuple[JsonDict, ...] = ()

    def to_json(self) -> JsonDict:
        return {"permissions": list(self.permissions), "roles": list(self.roles)}


def parse_role_seed(data: Any) -> RoleSeed:
    """The seed in its JSON form; raises ValueError naming the first problem.

    Each entry is checked as the create call would check it, against the built-ins and the
    seed's own permissions; seed roles are project roles (no ``tenantId``).
    """
    if not isinstance(data, dict):
        raise ValueError('roles must be a JSON object: {"permissions": [...], "roles": [...]}')
    unknown = sorted(set(data) - {"permissions", "roles"})
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; use permissions and roles")
    permissions = data.get("permissions") or []
    roles = data.get("roles") or []
    for key, items in (("permissions", permissions), ("roles", roles)):
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError(f"{key} must be a list of objects")
    for i, role in enumerate(roles):
        if role.get("tenantId"):
            raise ValueError(f"roles[{i}] has a tenantId; only project roles can be given here")
    seed = RoleSeed(tuple(copy.deepcopy(permissions)), tuple(copy.deepcopy(roles)))
    trial = Authorization(ProjectContext(now=lambda: 0.0))
    try:
        for body in seed.permissions:
            trial.create_permission(body)
        for body in seed.roles:
            trial.create_role(body)
    except exc.DescopeApiError as error:
        raise ValueError(error.message or error.description) from None
    return seed


class Authorization:
    """The roles and permissions of one project and their management operations.

    Operations take the parsed JSON body and return the dict that goes on the wire, or raise
    :class:`~emulator.exceptions.DescopeApiError`. They run under the project's lock and read
    its tenants and options from the context; a context of its own makes a detached store
    (used to check a seed).
    """

    def __init__(
        self,
        context: ProjectContext,
        *,
        seed: RoleSeed | None = None,
        role_id_factory: Callable[[], str] = new_role_id,
        permission_id_factory: Callable[[], str] = new_permission_id,
    ) -> None:
        self.context = context
        self.role_id_factory = role_id_factory
        self.permission_id_factory = permission_id_factory
        self.seed = seed or RoleSeed()
        self.permissions: dict[str, Permission] = {}
        """By name, in creation order."""
        self.roles: dict[str, Role] = {}
        """By id, in creation order."""
        self.reset()

    # --- housekeeping ------------------------------------------------------------------

    @_locked
    def reset(self, seed: RoleSeed | None = None) -> None:
        """Back to a fresh project's roles and permissions: the built-ins and the seed."""
        if seed is not None:
            self.seed = seed
        self.permissions = {}
        self.roles = {}
        for name, description in BUILTIN_PERMISSIONS:
            self._add_permission(name, description, system_default=True)
        self._add_role(
            {"name": TENANT_ADMIN, "permissionNames": [n for n, _ in BUILTIN_PERMISSIONS]}
        )
        self.ensure(self.seed)

    @_locked
    def ensure(self, seed: RoleSeed) -> None:
        """Add the seed's permissions and project roles that are missing (by name)."""
        for body in seed.permissions:
            if required_str(body, "name") not in self.permissions:
                self.create_permission(body)
        for body in seed.roles:
            if self._find(required_str(body, "name"), "") is None:
                self.create_role(body)

    @_locked
    def to_json(self) -> JsonDict:
        """``{"permissions": [...], "roles": [...]}`` in wire shapes."""
        return {
            "permissions": [p.to_dict() for p in self.permissions.values()],
            "roles": [r.to_dict() for r in self.roles.values()],
        }

    # --- what tenants need -------------------------------------------------------------

    @_locked
    def drop_tenant(self, tenant_id: str) -> None:
        """Delete the roles of a tenant that is being deleted."""
        self.roles = {rid: r for rid, r in self.roles.items() if r.tenant_id != tenant_id}

    @_locked
    def role_ref(self, tenant_id: str, name: str) -> RoleRef | None:
        """The role ``name`` as tenant ``tenant_id`` may use it (see :meth:`usable_role`), as
        other resources refer to it; the project context's role lookup."""
        role = self.usable_role(tenant_id, name)
        return RoleRef(role.id, role.name) if role is not None else None

    # --- permissions -------------------------------------------------------------------

    @_locked
    def create_permission(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/permission/create → ``{}``."""
        name = _name(body, "name")
        if name in self.permissions:
            raise exc.duplicate_permission(name)
        self._add_permission(name, _description(body))
        return {}

    @_locked
    def create_permissions(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/permission/create/batch ``{"permissions": [...]}`` → ``{}``; atomic."""
        self._atomically(_batch(body, "permissions"), self.create_permission)
        return {}

    @_locked
    def update_permission(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/permission/update: by ``name`` or ``id``, with ``newName``; → ``{}``."""
        permission = self._permission(body)
        new_name = _name(body, "newName")
        if permission.system_default:
            raise exc.system_permission(permission.name)
        if new_name != permission.name and new_name in self.permissions:
            raise exc.duplicate_permission(new_name)
        description = _description(body)
        old_name = permission.name
        permission.name, permission.description = new_name, description
        self.permissions = {
            (new_name if n == old_name else n): p for n, p in self.permissions.items()
        }
        if self._cascade():
            for role in self.roles.values():
                role.permission_names = [
                    new_name if n == old_name else n for n in role.permission_names
                ]
        return {}

    @_locked
    def update_permissions(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/permission/update/batch ``{"permissions": [...]}`` → ``{}``; atomic."""
        self._atomically(_batch(body, "permissions"), self.update_permission)
        return {}

    @_locked
    def delete_permission(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/permission/delete: by ``name`` or ``id`` → ``{}``."""
        self._drop_permission(self._permission(body))
        return {}

    @_locked
    def delete_permissions(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/permission/delete/batch ``{"names"}`` or ``{"ids"}`` → ``{}``; atomic.

        Names and ids that match no permission are ignored.
        """
        names = set(opt_str_list(body, "names") or [])
        ids = set(opt_str_list(body, "ids") or [])
        if not names and not ids:
            raise exc.missing_field("names")
        doomed = [p for p in self.permissions.values() if p.name in names or p.id in ids]
        for permission in doomed:
            if permission.system_default:
                raise exc.system_permission(permission.name)
        for permission in doomed:
            self._drop_permission(permission)
        return {}

    @_locked
    def load_permissions(self) -> JsonDict:
        """GET /v1/mgmt/permission/all → ``{"permissions": [...]}`` (built-ins first)."""
        return {"permissions": [p.to_dict() for p in self.permissions.values()]}

    # --- roles -------------------------------------------------------------------------

    @_locked
    def create_role(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/create → the role."""
        return self._add_role(body).to_dict()

    @_locked
    def create_roles(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/create/batch ``{"roles": [...]}`` → ``{"roles": [...]}``; atomic."""
        return {"roles": self._atomically(_batch(body, "roles"), self.create_role)}

    @_locked
    def update_role(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/update: by ``name`` (+ ``tenantId``) or ``id``, with ``newName``.

        Replaces description, permissionNames, default and private (omitted: cleared).
        """
        role = self._role(body)
        new_name = _name(body, "newName")
        if new_name != role.name and self._find(new_name, role.tenant_id) is not None:
            raise exc.duplicate_role(new_name, role.tenant_id)
        permission_names = self._permission_names(body)
        description = _description(body)
        default, private = bool(opt_bool(body, "default")), bool(opt_bool(body, "private"))
        role.name, role.description, role.permission_names = new_name, description, permission_names
        role.default, role.private = default, private
        return role.to_dict()

    @_locked
    def update_roles(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/update/batch ``{"roles": [...]}`` → ``{"roles": [...]}``; atomic."""
        return {"roles": self._atomically(_batch(body, "roles"), self.update_role)}

    @_locked
    def delete_role(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/delete: by ``name`` (+ ``tenantId``) or ``id`` → ``{}``."""
        del self.roles[self._role(body).id]
        return {}

    @_locked
    def delete_roles(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/delete/batch ``{"roleNames" | "roleIds", "tenantId"}`` → ``{}``.

        A filter: the roles of the scope (``tenantId``, else the project's roles) whose name
        or id is listed. With neither list, every role of the tenant, or every role at all.
        """
        names = opt_str_list(body, "roleNames") or []
        ids = opt_str_list(body, "roleIds") or []
        tenant_id = text(body, "tenantId")
        if not names and not ids:
            doomed = [r for r in self.roles.values() if not tenant_id or r.tenant_id == tenant_id]
        else:
            doomed = [
                r
                for r in self.roles.values()
                if (r.name in names and r.tenant_id == tenant_id)
                or (r.id in ids and (not tenant_id or r.tenant_id == tenant_id))
            ]
        for role in doomed:
            del self.roles[role.id]
        return {}

    @_locked
    def load_roles(self) -> JsonDict:
        """GET /v1/mgmt/role/all → ``{"roles": [...]}``: project and tenant roles, in order."""
        return {"roles": [r.to_dict() for r in self.roles.values()]}

    @_locked
    def search_roles(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/role/search → ``{"roles": [...]}``; the filters combine with AND.

        ``tenantIds``: those tenants' roles (plus the project's with ``includeProjectRoles``);
        absent, every role. ``roleNames``, ``roleIds``: exact. ``roleNameLike``: part of the
        name, any case. ``permissionNames``: roles carrying any of them. ``text``: part of the
        name or description, any case. ``sort``: ``[{"field", "desc"}]`` on a role field.
        """
        tenant_ids = opt_str_list(body, "tenantIds")
        names = opt_str_list(body, "roleNames")
        ids = opt_str_list(body, "roleIds")
        like = (opt_str(body, "roleNameLike") or "").lower()
        permission_names = opt_str_list(body, "permissionNames")
        words = (opt_str(body, "text") or "").lower()
        with_project = bool(opt_bool(body, "includeProjectRoles"))
        sort = _sort(body)

        def matches(r: Role) -> bool:
            return (
                (not tenant_ids or r.tenant_id in tenant_ids or (with_project and not r.tenant_id))
                and (not names or r.name in names)
                and (not ids or r.id in ids)
                and (not like or like in r.name.lower())
                and (not permission_names or bool(set(permission_names) & set(r.permission_names)))
                and (not words or words in r.name.lower() or words in r.description.lower())
            )

        found = [r.to_dict() for r in self.roles.values() if matches(r)]
        for key, descending in reversed(sort):
            found.sort(key=lambda r: r[key], reverse=descending)
        return {"roles": found}

    # --- helpers -----------------------------------------------------------------------

    def _cascade(self) -> bool:
        return self.context.options.cascade_permission_changes

    def _not_found_status(self) -> int:
        return self.context.options.not_found_status

    def _add_permission(self, name: str, description: str, *, system_default: bool = False) -> None:
        self.permissions[name] = Permission(
            self.permission_id_factory(), name, description, system_default
        )

    def _add_role(self, body: Mapping[str, Any]) -> Role:
        name = _name(body, "name")
        tenant_id = text(body, "tenantId")
        if tenant_id and tenant_id not in self.context.tenants:
            raise exc.tenant_not_found(tenant_id, self._not_found_status())
        if self._find(name, tenant_id) is not None:
            raise exc.duplicate_role(name, tenant_id)
        role = Role(
            id=self._unused_role_id(),
            name=name,
            created_time=self.context.clock(),
            description=_description(body),
            permission_names=self._permission_names(body),
            tenant_id=tenant_id,
            default=bool(opt_bool(body, "default")),
            private=bool(opt_bool(body, "private")),
        )
        self.roles[role.id] = role
        return role

    def _unused_role_id(self) -> str:
        while True:
            candidate = self.role_id_factory()
            if candidate not in self.roles:
                return candidate

    def _permission_names(self, body: Mapping[str, Any]) -> list[str]:
        names = opt_str_list(body, "permissionNames") or []
        for name in names:
            if name not in self.permissions:
                raise exc.unknown_permission(name)
        return list(dict.fromkeys(names))

    @_locked
    def usable_role(self, tenant_id: str, name: str) -> Role | None:
        """The role `name` as tenant `tenant_id` may use it: its own role, else a project role."""
        return self._find(name, tenant_id) or self._find(name, "")

    def _find(self, name: str, tenant_id: str) -> Role | None:
        for role in self.roles.values():
            if role.name == name and role.tenant_id == tenant_id:
                return role
        return None

    def _role(self, body: Mapping[str, Any]) -> Role:
        """The role a body addresses: ``id``, else ``name`` within ``tenantId``."""
        tenant_id = text(body, "tenantId")
        role_id = opt_str(body, "id")
        if role_id:
            role = self.roles.get(role_id)
            if role is None or (tenant_id and role.tenant_id != tenant_id):
                raise exc.role_not_found(role_id, tenant_id, self._not_found_status())
            return role
        name = required_str(body, "name")
        found = self._find(name, tenant_id)
        if found is None:
            raise exc.role_not_found(name, tenant_id, self._not_found_status())
        return found

    def _permission(self, body: Mapping[str, Any]) -> Permission:
        """The permission a body addresses: ``id``, else ``name``."""
        permission_id = opt_str(body, "id")
        if permission_id:
            for permission in self.permissions.values():
                if permission.id == permission_id:
                    return permission
            raise exc.permission_not_found(permission_id, self._not_found_status())
        name = required_str(body, "name")
        found = self.permissions.get(name)
        if found is None:
            raise exc.permission_not_found(name, self._not_found_status())
        return found

    def _drop_permission(self, permission: Permission) -> None:
        if permission.system_default:
            raise exc.system_permission(permission.name)
        del self.permissions[permission.name]
        if self._cascade():
            for role in self.roles.values():
                role.permission_names = [n for n in role.permission_names if n != permission.name]

    def _atomically(
        self,
        items: Sequence[Mapping[str, Any]],
        operation: Callable[[Mapping[str, Any]], JsonDict],
    ) -> list[JsonDict]:
        """Apply ``operation`` to each item, in order; on any error, put everything back."""
        saved = copy.deepcopy((self.permissions, self.roles))
        try:
            return [operation(item) for item in items]
        except BaseException:
            self.permissions, self.roles = saved
            raise


def _name(body: Mapping[str, Any], key: str) -> str:
    name = required_str(body, key)
    if len(name) > _NAME_MAX:
        raise exc.invalid_argument(f"The {key} field must be at most {_NAME_MAX} characters")
    return name


def _description(body: Mapping[str, Any]) -> str:
    description = text(body, "description")
    if len(description) > _DESCRIPTION_MAX:
        raise exc.invalid_argument(
            f"The description field must be at most {_DESCRIPTION_MAX} characters"
        )
    return description


def _batch(body: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = body.get(key)
    if not items:
        raise exc.missing_field(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise exc.invalid_argument(f"The {key} field must be a list of objects")
    return items


_SORTABLE = ("name", "description", "createdTime", "tenantId", "id", "default", "private")


def _sort(body: Mapping[str, Any]) -> list[tuple[str, bool]]:
    raw = body.get("sort")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise exc.invalid_argument("The sort field must be a list of {field, desc} objects")
    keys = []
    for entry in raw:
        key = entry.get("field")
        if key not in _SORTABLE:
            raise exc.invalid_argument(
                f"The sort field {key!r} is not a role field; use one of {', '.join(_SORTABLE)}"
            )
        keys.append((str(key), bool(entry.get("desc"))))
    return keys
