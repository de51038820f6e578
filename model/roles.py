"""Roles and permissions: what a valid one is, and what may refer to what.

Descope matches roles and permissions by name (a tenant's default roles, a role's permissions,
a user's roles), so a name is the identity of a role: non-empty, plain text (`model.text`),
without leading or trailing spaces, capped (`model.limits`). Roles are project-wide or belong to
one tenant (Descope's role ``tenantId``).

Every Descope project has built-in roles and permissions (`BUILTIN_ROLES`,
`BUILTIN_PERMISSIONS`; Descope's docs, "Preconfigured Roles and Permissions", and the system
permissions its Terraform provider knows): they may be named without being declared, and may
not be declared.

The checks across entries (`authorization_problems`, `default_role_problems`) take plain data as
the configuration writes it, each list with the path where it sits, and a `Locate` that turns a
path into words (``on line 12`` for a file, `at_path` by default). Names are compared exactly
for references, in Unicode normalization form C (`model.text.nfc`: a name written with a
combining accent is the name written with the precomposed letter); two declarations differing
only in case are refused, as Descope does not publish whether it compares names with or
without case.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.limits import (
    DESCRIPTION_LENGTH,
    PERMISSION_NAME_LENGTH,
    PERMISSIONS,
    PROJECT_ROLES,
    ROLE_NAME_LENGTH,
    ROLE_PERMISSIONS,
    TENANT_ROLES,
)
from model.problems import Problem, problems_from_validation_error
from model.text import check_plain_text, check_trimmed, check_unique, folded, nfc, shown

Path = tuple[str | int, ...]
Locate = Callable[[Path], str]
"""Words for where the value at a path is, to follow "declared": ``on line 12``."""

BUILTIN_PERMISSIONS: tuple[str, ...] = ("Impersonate", "SSO Admin", "User Admin")
"""Permissions every Descope project has (Descope's docs; its Terraform provider's
``systemPermissions``)."""
BUILTIN_ROLES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"Tenant Admin": ("Impersonate", "SSO Admin", "User Admin")}
)
"""Roles every Descope project has, with their permissions (Descope's docs; the role Descope
refuses to update through its API, terraform-provider-descope #377)."""

RoleName = Annotated[
    str,
    Field(min_length=1, max_length=ROLE_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
    AfterValidator(nfc),
]
"""A role's name, as roles, default roles and SSO role mappings write it; in NFC."""
PermissionName = Annotated[
    str,
    Field(min_length=1, max_length=PERMISSION_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
    AfterValidator(nfc),
]
"""A permission's name, as permissions and roles write it; in NFC."""
Description = Annotated[
    str, Field(max_length=DESCRIPTION_LENGTH.value), AfterValidator(check_plain_text)
]


def _check_rename(name: str, previous: str | None) -> None:
    if previous == name:
        raise ValueError(
            "previousName is the same as name: previousName is the name to rename from. "
            "Remove it, or write the old name there."
        )


class PermissionSpec(BaseModel):
    """One permission of the project."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: PermissionName = Field(description="The permission's name, unique in the project.")
    description: Description = Field("", description="What it is for, as Descope shows it.")
    previousName: PermissionName | None = Field(
        None,
        description="The name the permission has in Descope now: a rename. Remove it once applied.",
    )

    @model_validator(mode="after")
    def _renamed_from_another_name(self) -> Self:
        _check_rename(self.name, self.previousName)
        return self


RolePermissions = Annotated[
    list[PermissionName], Field(max_length=ROLE_PERMISSIONS.value), AfterValidator(check_unique)
]


class RoleSpec(BaseModel):
    """One role: project-wide under ``roles:``, or of one tenant under the tenant's ``roles:``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: RoleName = Field(description="The role's name; unique in its scope.")
    description: Description = Field("", description="What it is for, as Descope shows it.")
    permissions: RolePermissions = Field(
        default_factory=list,
        description="Permissions the role grants: declared ones or Descope's built-in ones.",
    )
    previousName: RoleName | None = Field(
        None,
        description="The name the role has in Descope now: a rename (Descope updates the "
        "role's name). Remove it once applied.",
    )

    @model_validator(mode="after")
    def _renamed_from_another_name(self) -> Self:
        _check_rename(self.name, self.previousName)
        return self


Permissions = Annotated[list[PermissionSpec], Field(max_length=PERMISSIONS.value)]
ProjectRoles = Annotated[list[RoleSpec], Field(max_length=PROJECT_ROLES.value)]
TenantRoles = Annotated[list[RoleSpec], Field(max_length=TENANT_ROLES.value)]


class _TenantRolesDocument(BaseModel):
    roles: TenantRoles


def tenant_roles_problems(data: Any) -> list[Problem]:
    """Every problem with one tenant's ``roles`` list; paths start at an entry's index."""
    try:
        _TenantRolesDocument.model_validate({"roles": data})
    except ValidationError as exc:
        return [
            Problem(p.path[1:], p.message)
            for p in problems_from_validation_error(exc, _TenantRolesDocument)
        ]
    return []


def at_path(path: Path) -> str:
    """The default `Locate`: ``at roles[2]``."""
    return f"at {Problem(path, '').field}"


# --- entries as declared ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A role or permission as declared: enough of it to check what refers to what; names in
    NFC."""

    name: str
    path: Path
    previous: str | None
    permissions: tuple[tuple[Path, str], ...]


def _entries(raw: Sequence[Any] | None, path: Path) -> list[_Entry]:
    """The entries of `raw` that have a name to refer to; others are refused on their own."""
    entries: list[_Entry] = []
    for index, item in enumerate(raw or []):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            continue
        previous = item.get("previousName")
        permissions = item.get("permissions")
        entries.append(
            _Entry(
                name=nfc(item["name"]),
                path=(*path, index),
                previous=nfc(previous) if isinstance(previous, str) else None,
                permissions=tuple(
                    ((*path, index, "permissions", k), nfc(p))
                    for k, p in enumerate(permissions if isinstance(permissions, list) else [])
                    if isinstance(p, str)
                ),
            )
        )
    return entries


@dataclass(frozen=True)
class _Scope:
    """Names declared together, which must be told apart: one kind, one scope."""

    kind: str  # "permission" or "role"
    builtins: tuple[str, ...]
    section: str  # where they are declared, for messages: "permissions:", "roles:"


_PERMISSIONS = _Scope("permission", BUILTIN_PERMISSIONS, "permissions:")
_ROLES = _Scope("role", tuple(BUILTIN_ROLES), "roles:")


def _check_declarations(
    entries: list[_Entry],
    scope: _Scope,
    locate: Locate,
    *,
    others: Sequence[_Entry] = (),
    owner: str = "",
) -> Iterator[Problem]:
    """Built-ins not redeclared, names told apart (also from `others`), renames that hold.

    `owner` names the tenant the entries belong to (``tenant "acme"``), if any; `others` are
    the project's entries they must be told apart from.
    """
    section = f"the roles: of {owner}" if owner else scope.section
    first: dict[str, _Entry] = {folded(entry.name): entry for entry in reversed(others)}
    for entry in entries:
        builtin = next((b for b in scope.builtins if folded(b) == folded(entry.name)), None)
        if builtin is not None:
            same = "is" if builtin == entry.name else f'differs only in case from "{builtin}",'
            yield Problem(
                (*entry.path, "name"),
                f'"{shown(entry.name)}" {same} one of Descope\'s built-in {scope.kind}s '
                f"({', '.join(scope.builtins)}), which every project has: remove it from "
                f"{section} (it may be named without being declared).",
            )
            continue
        other = first.get(folded(entry.name))
        if other is None:
            first[folded(entry.name)] = entry
            continue
        in_others = other in others
        if in_others:
            yield Problem(
                (*entry.path, "name"),
                f'the {scope.kind} "{shown(entry.name)}" of {owner} has the name of the '
                f"project {scope.kind} declared {locate(other.path)} (or differs from it only in "
                f"case). Default roles name roles by name only, so the two could not be told "
                f"apart: rename the tenant's {scope.kind}.",
            )
        elif other.name == entry.name:
            yield Problem(
                (*entry.path, "name"),
                f'the {scope.kind} "{shown(entry.name)}" is already declared '
                f"{locate(other.path)}. Declare each {scope.kind} once.",
            )
        else:
            yield Problem(
                (*entry.path, "name"),
                f'the {scope.kind} "{shown(entry.name)}" differs only in case from '
                f'"{shown(other.name)}" declared {locate(other.path)}. Descope does not publish '
                "whether names are compared with or without case: use one spelling.",
            )
    yield from _check_renames(entries, scope, locate, first)


def _check_renames(
    entries: list[_Entry], scope: _Scope, locate: Locate, declared: dict[str, _Entry]
) -> Iterator[Problem]:
    renamed_from: dict[str, _Entry] = {}
    for entry in entries:
        if entry.previous is None:
            continue
        where = (*entry.path, "previousName")
        old = entry.previous
        if any(folded(b) == folded(old) for b in scope.builtins):
            yield Problem(
                where,
                f'"{shown(old)}" is one of Descope\'s built-in {scope.kind}s: it cannot be '
                "renamed from here. Remove previousName.",
            )
            continue
        holder = declared.get(folded(old))
        if holder is not None and holder is not entry:
            yield Problem(
                where,
                f'"{shown(old)}" is the name of the {scope.kind} declared {locate(holder.path)}: '
                f"a {scope.kind} cannot be renamed from one that is still declared. Remove "
                "previousName, or the other one.",
            )
            continue
        twin = renamed_from.get(folded(old))
        if twin is not None:
            yield Problem(
                where,
                f'"{shown(old)}" is also the previousName of the {scope.kind} '
                f'"{shown(twin.name)}" {locate(twin.path)}: two {scope.kind}s cannot both be '
                f"renamed from one. Keep previousName on one of them.",
            )
            continue
        renamed_from[folded(old)] = entry


def _first_by(entries: Sequence[_Entry], key: Callable[[_Entry], str | None]) -> dict[str, _Entry]:
    """The first entry for each value of `key` (entries without one left out)."""
    found: dict[str, _Entry] = {}
    for entry in entries:
        value = key(entry)
        if value is not None:
            found.setdefault(value, entry)
    return found


def _close(name: str, candidates: Sequence[str]) -> str:
    """`` Did you mean "x"?``, exact case first, or ``""``."""
    same = [c for c in candidates if folded(c) == folded(name)]
    close = same or difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"? Names are matched exactly.' if close else ""


def _check_permission_references(
    roles: list[_Entry], permissions: list[_Entry], locate: Locate, owner: str
) -> Iterator[Problem]:
    names = {p.name for p in permissions} | set(BUILTIN_PERMISSIONS)
    renamed = _first_by(permissions, lambda p: p.previous)
    for role in roles:
        who = f'role "{shown(role.name)}"' + (f" of {owner}" if owner else "")
        for path, permission in role.permissions:
            if permission in names:
                continue
            new = renamed.get(permission)
            if new is not None:
                yield Problem(
                    path,
                    f'permission "{shown(permission)}" is being renamed to "{shown(new.name)}" '
                    f"(previousName {locate((*new.path, 'previousName'))}); {who} still lists "
                    f'the old name {locate(path)}: list "{shown(new.name)}" instead.',
                )
                continue
            yield Problem(
                path,
                f'permission "{shown(permission)}" is not declared in permissions: (removed?); '
                f"{who} still lists it {locate(path)}: remove it there or declare the "
                f"permission.{_close(permission, sorted(names))}",
            )


def authorization_problems(
    permissions: Sequence[Any] | None,
    roles: Sequence[Any] | None,
    tenant_roles: Mapping[str, tuple[Path, Sequence[Any]]] | None = None,
    *,
    locate: Locate = at_path,
) -> list[Problem]:
    """Every problem between the declared permissions, project roles and tenants' roles.

    `permissions` and `roles` are the ``permissions:`` and ``roles:`` lists, at paths
    ``("permissions", i)`` and ``("roles", i)``; None means the configuration does not manage
    them (the key is absent), and what refers to them is not checked. `tenant_roles` gives each
    tenant's own roles with the path of its list (``("tenants", 3, "roles")``).

    Refused: a built-in declared; two names that are equal or differ only in case (permissions
    in the project, project roles, a tenant's roles, a tenant's role and a project role); a
    previousName that is a built-in, a declared name or another entry's previousName; a role's
    permission that is neither declared nor built in (when permissions are managed).
    """
    declared_permissions = _entries(permissions, ("permissions",))
    project_roles = _entries(roles, ("roles",))
    problems: list[Problem] = []
    if permissions is not None:
        problems += _check_declarations(declared_permissions, _PERMISSIONS, locate)
    if roles is not None:
        problems += _check_declarations(project_roles, _ROLES, locate)
        if permissions is not None:
            problems += _check_permission_references(
                project_roles, declared_permissions, locate, ""
            )
    for tenant_id, (path, raw) in (tenant_roles or {}).items():
        own = _entries(raw, path)
        owner = f'tenant "{shown(tenant_id)}"'
        problems += _check_declarations(own, _ROLES, locate, others=project_roles, owner=owner)
        if permissions is not None:
            problems += _check_permission_references(own, declared_permissions, locate, owner)
    return problems


def default_role_problems(
    tenant_id: str,
    default_roles: Sequence[tuple[Path, str]],
    roles: Sequence[Any] | None,
    tenant_roles: Mapping[str, tuple[Path, Sequence[Any]]] | None = None,
    *,
    locate: Locate = at_path,
    listed_in: str = "defaultRoles",
) -> list[Problem]:
    """Every default role of tenant `tenant_id` that names no role it can be given.

    `default_roles` are the names with the path each is written at. A tenant can be given a
    project role (`roles`), one of its own (`tenant_roles[tenant_id]`) or a built-in one. When
    `roles` is None the project's roles are managed outside the configuration: nothing is
    checked. `listed_in` names, for messages, where the names are listed (SSO group mappings
    and default SSO roles name roles the same way).
    """
    if roles is None:
        return []
    scopes = {tid: _entries(raw, path) for tid, (path, raw) in (tenant_roles or {}).items()}
    own = scopes.get(tenant_id, [])
    declared = [*_entries(roles, ("roles",)), *own]
    names = {*BUILTIN_ROLES, *(r.name for r in declared)}
    renamed = _first_by(declared, lambda r: r.previous)
    elsewhere: dict[str, tuple[str, _Entry]] = {}
    for tid, entries in scopes.items():
        for role in entries:
            if tid != tenant_id:
                elsewhere.setdefault(role.name, (tid, role))
    tenant = f'tenant "{shown(tenant_id)}"'
    problems: list[Problem] = []
    for path, written in default_roles:
        name = nfc(written)
        if name in names:
            continue
        if name in renamed:
            new = renamed[name]
            message = (
                f'role "{shown(name)}" is being renamed to "{shown(new.name)}" (previousName '
                f"{locate((*new.path, 'previousName'))}); {tenant} still lists the old name in "
                f'{listed_in} {locate(path)}: list "{shown(new.name)}" instead.'
            )
        elif name in elsewhere:
            other_tenant, role = elsewhere[name]
            message = (
                f'role "{shown(name)}" is a role of tenant "{shown(other_tenant)}" only (declared '
                f"{locate(role.path)}); {tenant} lists it in {listed_in} {locate(path)}: "
                "declare it under roles: for the whole project, or among this tenant's own roles."
            )
        else:
            message = (
                f'role "{shown(name)}" is not declared in roles: (removed?); {tenant} still lists '
                f"it in {listed_in} {locate(path)}: remove it there or declare the role."
                f"{_close(name, sorted(names))}"
            )
        problems.append(Problem(path, message))
    return problems
