"""A tenant and everything Descope deletes with it, as one unit.

Deleting a tenant in Descope deletes its settings, every SSO configuration of it (the code's
and the customer's), every tenant-scoped role (declared in the tenants file or made in the
console) and, with ``cascade``, its sub-tenants with the same. `gather` reads all of it, each
answer through its wire shape, into the content of the tenant's ONE delete snapshot::

    {"tenant": <wire tenant>, "settings": <wire settings>,
     "sso": [<each SSO configuration as the load of all of them gives it: {tenant, saml, oidc,
             ssoId}; never a client secret>],
     "roles": [<each tenant-scoped role as the role search gives it, with tenantId>],
     "accessKeys": [<each access key bound to the tenant alone, as the access-key search gives
                    it: that it exists, its roles and expiry, never its secret>],
     "subTenants": [<the same shape, for each direct sub-tenant; [] without cascadeDelete>]}

``sso``, ``roles`` and ``subTenants`` have the shapes of a full backup's tenants[].sso and
roles entries (`ops.snapshots.backup`), so restore reads both alike. A snapshot of an older release
holds only ``tenant`` and ``settings``. A part that cannot be read refuses the delete, naming
the tenant and the part (`errors.unit_part_unreadable`); nothing is deleted.

Without ``cascadeDelete`` no sub-tenant is read: Descope (and the emulator) refuse to delete a
tenant that has sub-tenants unless asked to cascade, so none goes with it. What Descope's
production API does there is not documented by the SDK (``tenant.delete(id, cascade)``
describes no sub-tenants); the provider relies on the refusal and says so
(`errors.tenant_delete_refused`).

API calls a delete adds to the tenant's load and settings load: one SSO load of all
configurations, one role search and one access-key search (each for the tenant and all its
sub-tenants at once); with
``cascadeDelete``, one tenant listing (the sub-tenants come from the tenants' ``parent``), and
per sub-tenant a settings load and an SSO load.

A tenant id change (``previousId``) is a replace: the old tenant is deleted (snapshot first),
the new one created. `check_movable` (in the diff, before anything changes) refuses the change
when an SSO configuration the code does not declare cannot be made again (an OIDC one: Descope
never returns its client secret). `move` (in the create) makes the old tenant's roles and the
SSO configurations the code does not declare again on the new tenant, from the snapshot the
delete half took in this process (`backups.tenant_snapshot_taken`); the code's own SSO
configurations and roles are made by their resources, a declared role found as declared being
taken over (`providers.authz`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from model.sso import DEFAULT_SSO_ID, SSOConfigurationSpec
from providers import backups, calls, client, errors, sso_calls, wire
from providers.answers import sso
from providers.errors import DescopeApiError

__all__ = [
    "CONTENT_KEYS",
    "check_movable",
    "gather",
    "move",
    "summary",
]

log = logging.getLogger(__name__)

CONTENT_KEYS = ("tenant", "settings", "sso", "roles", "accessKeys", "subTenants")
"""The keys of a tenant snapshot's content (see the module docstring)."""

SettingsLoader = Callable[[str, str], "dict[str, Any] | None"]
"""`(tenant_id, doing)` -> the tenant's settings as Descope loads them (None: gone)."""


@contextmanager
def _reading(tenant_id: str, part: str) -> Iterator[None]:
    """Around the read of one part: a failure refuses the delete, naming the part."""
    try:
        yield
    except DescopeApiError as exc:
        raise errors.unit_part_unreadable(tenant_id, part, exc) from None


def _sso_of(tenant_id: str, doing: str) -> list[dict[str, Any]]:
    """Every SSO configuration of the tenant as Descope loads them, without any secret."""
    api = client.management().sso
    answer = calls.ask(
        lambda: api.load_all_settings(tenant_id), wire.SSO_LIST, doing=doing, asked=tenant_id
    )
    return [sso.scrubbed(c.wire()) for c in answer.SSOSettings]


def _roles_of(tenant_ids: Sequence[str], doing: str) -> dict[str, list[dict[str, Any]]]:
    """The tenant-scoped roles of `tenant_ids`, by tenant, as the role search gives them."""
    api = client.management().role
    answer = calls.ask(
        lambda: api.search(tenant_ids=list(tenant_ids)), wire.ROLE_SEARCH, doing=doing
    )
    wanted = set(tenant_ids)
    by_tenant: dict[str, list[dict[str, Any]]] = {}
    for role in sorted(answer.roles, key=lambda r: r.name):
        if role.tenantId in wanted:
            by_tenant.setdefault(role.tenantId, []).append(role.wire())
    return by_tenant


def _access_keys_of(tenant_ids: Sequence[str], doing: str) -> dict[str, list[dict[str, Any]]]:
    """The access keys bound to one of `tenant_ids` alone (those Descope deletes with it), by
    tenant, as the access-key search gives them: never a secret (a search holds none; a
    ``cleartext`` would be dropped all the same)."""
    api = client.management().access_key
    answer = calls.ask(
        lambda: api.search_all_access_keys(tenant_ids=list(tenant_ids)),
        wire.ACCESS_KEY_SEARCH,
        doing=doing,
    )
    wanted = set(tenant_ids)
    by_tenant: dict[str, list[dict[str, Any]]] = {}
    for key in sorted(answer.keys, key=lambda k: k.name):
        bound = {t.tenantId for t in key.keyTenants}
        if len(bound) == 1 and (owner := next(iter(bound))) in wanted:
            held = {k: v for k, v in key.wire().items() if k != "cleartext"}
            by_tenant.setdefault(owner, []).append(held)
    return by_tenant


def _children(doing: str) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """(parent id -> its sub-tenants' ids, tenant id -> tenant), from one tenant listing."""
    api = client.management().tenant
    answer = calls.ask(api.load_all, wire.TENANT_LIST, doing=doing)
    children: dict[str, list[str]] = {}
    for tenant in answer.tenants:
        if tenant.parent:
            children.setdefault(tenant.parent, []).append(tenant.id)
    return children, wire.tenants_by_id(answer)


def _descendants(tenant_id: str, children: Mapping[str, list[str]]) -> list[str]:
    """Every sub-tenant below `tenant_id`, each once (a listing with a cycle cannot loop)."""
    found: list[str] = []
    waiting = list(children.get(tenant_id, []))
    while waiting:
        child = waiting.pop(0)
        if child != tenant_id and child not in found:
            found.append(child)
            waiting.extend(children.get(child, []))
    return found


def gather(
    tenant_id: str,
    tenant: Mapping[str, Any],
    settings: Mapping[str, Any] | None,
    *,
    cascade: bool,
    load_settings: SettingsLoader,
) -> dict[str, Any]:
    """The content of the tenant's delete snapshot (module docstring): `tenant` and `settings`
    as already loaded, and the rest read now. Raises `DescopeApiError` naming the part that
    could not be read."""
    doing = f'snapshot what goes with Descope tenant "{tenant_id}"'
    children: dict[str, list[str]] = {}
    listed: dict[str, Any] = {}
    if cascade:
        with _reading(tenant_id, "the tenant listing (to find its sub-tenants)"):
            children, listed = _children(doing)
    every = [tenant_id, *_descendants(tenant_id, children)]
    with _reading(tenant_id, "its tenant roles (the role search)"):
        roles = _roles_of(every, doing)
    with _reading(tenant_id, "its access keys (the access-key search)"):
        keys = _access_keys_of(every, doing)
    unvisited = set(every[1:])

    def unit(
        unit_id: str, held: Mapping[str, Any], held_settings: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        part = (
            "its SSO configurations"
            if unit_id == tenant_id
            else f'the SSO configurations of sub-tenant "{unit_id}"'
        )
        with _reading(tenant_id, part):
            configurations = _sso_of(unit_id, doing)
        subs: list[dict[str, Any]] = []
        for child in children.get(unit_id, []):
            if child not in unvisited:
                continue
            unvisited.discard(child)
            with _reading(tenant_id, f'the settings of sub-tenant "{child}"'):
                child_settings = load_settings(child, doing)
            subs.append(unit(child, listed[child], child_settings))
        return {
            "tenant": dict(held),
            "settings": dict(held_settings) if held_settings is not None else None,
            "sso": configurations,
            "roles": roles.get(unit_id, []),
            "accessKeys": keys.get(unit_id, []),
            "subTenants": subs,
        }

    return unit(tenant_id, tenant, settings)


# --- what the unit holds, in words ------------------------------------------------------------


def in_use(configurations: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The configurations that hold something (a default one never set up holds nothing)."""
    return [
        c
        for c in configurations
        if str(c.get("ssoId") or "") != DEFAULT_SSO_ID or not sso.is_blank(c)
    ]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _sub_tenants(content: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every sub-tenant in `content`, recursively."""
    found: list[Mapping[str, Any]] = []
    for child in content.get("subTenants") or []:
        found.extend([child, *_sub_tenants(child)])
    return found


def summary(content: Mapping[str, Any], *, customer: bool) -> str:
    """``, with 2 SSO configurations (1 customer-managed), 3 tenant roles, 1 sub-tenant``, or
    "" when nothing goes with the tenant. `customer`: the tenant's SSO is customer-managed
    (``sso: {managedBy: customer}``), so its configurations are the customer's."""
    parts: list[str] = []
    configurations = in_use(content.get("sso") or [])
    if configurations:
        text = _plural(len(configurations), "SSO configuration", "SSO configurations")
        if customer:
            text += f" ({len(configurations)} customer-managed)"
        parts.append(text)
    roles = content.get("roles") or []
    if roles:
        parts.append(_plural(len(roles), "tenant role", "tenant roles"))
    keys = content.get("accessKeys") or []
    if keys:
        parts.append(_plural(len(keys), "access key", "access keys"))
    subs = _sub_tenants(content)
    if subs:
        sub_roles = sum(len(s.get("roles") or []) for s in subs)
        sub_sso = sum(len(in_use(s.get("sso") or [])) for s in subs)
        text = _plural(len(subs), "sub-tenant", "sub-tenants")
        if sub_roles or sub_sso:
            text += f" (with {sub_sso} SSO configurations and {sub_roles} roles between them)"
        parts.append(text)
    return f", with {', '.join(parts)}" if parts else ""


# --- a tenant id change takes the unit along ---------------------------------------------------


def _to_move(
    configurations: Sequence[Mapping[str, Any]], code_sso_ids: Sequence[str] | None
) -> list[Mapping[str, Any]]:
    """The configurations with an IdP set up that the code does not declare (`code_sso_ids`:
    the ssoIds the tenants file declares for the tenant; None or [] = none)."""
    declared = set(code_sso_ids or ())
    return [
        c
        for c in configurations
        if sso.is_configured(c) and str(c.get("ssoId") or "") not in declared
    ]


def _copies(
    old_id: str, new_id: str, configurations: Sequence[Mapping[str, Any]]
) -> list[tuple[SSOConfigurationSpec, Mapping[str, Any]]]:
    """Each configuration as a spec for the new tenant; one that cannot be is refused."""
    copies: list[tuple[SSOConfigurationSpec, Mapping[str, Any]]] = []
    for loaded in configurations:
        sso_id = str(loaded.get("ssoId") or "")
        what = f'SSO configuration "{sso_id}"' if sso_id else "the default SSO configuration"
        if sso.is_configured(loaded) and dict(loaded.get("oidc") or {}).get("clientId"):
            raise errors.unit_not_movable(
                old_id, new_id, what, "it uses OIDC, and Descope never returns its client secret"
            )
        try:
            copies.append((sso.copied(loaded, new_id), loaded))
        except ValidationError as exc:
            reasons = "; ".join(str(e.get("msg")) for e in exc.errors())
            raise errors.unit_not_movable(old_id, new_id, what, reasons) from None
    return copies


def check_movable(old_id: str, new_id: str, code_sso_ids: Sequence[str] | None) -> None:
    """Before a tenant id change: refuse it (`errors.unit_not_movable`) when an SSO
    configuration of the old tenant that the code does not declare cannot be made again on the
    new one. One SSO load; a tenant that no longer exists has nothing to move."""
    doing = f'check what the id change of Descope tenant "{old_id}" takes along'
    try:
        with errors.when_not_understood(errors.NOTHING_CHANGED):
            configurations = _sso_of(old_id, doing)
    except DescopeApiError as exc:
        if exc.is_not_found:
            return
        raise
    _copies(old_id, new_id, _to_move(configurations, code_sso_ids))


def _create_role(role: Mapping[str, Any], tenant_id: str, doing: str) -> None:
    """Create `role` (as the role search gave it) on tenant `tenant_id`."""
    api = client.management().role
    calls.call(
        lambda: api.create(
            str(role["name"]),
            description=str(role.get("description") or ""),
            permission_names=[str(p) for p in role.get("permissionNames") or []],
            tenant_id=tenant_id,
        ),
        doing=doing,
        repeatable=False,
    )


def move(old_id: str, new_id: str, code_sso_ids: Sequence[str] | None) -> None:
    """After the new tenant of an id change is created: make the old tenant's roles, and its
    SSO configurations the code does not declare, again on it, from the snapshot this process
    took before deleting the old tenant (none taken: nothing to move). Logs what was moved;
    raises `PartialFailure` naming the snapshot when Descope refuses part of it."""
    path = backups.tenant_snapshot_taken(old_id)
    if path is None:
        return
    content = backups.read_snapshot(path).content
    roles = [r for r in content.get("roles") or [] if isinstance(r, Mapping)]
    configurations = _to_move(content.get("sso") or [], code_sso_ids)
    doing = f'make the roles and SSO of Descope tenant "{old_id}" again on "{new_id}"'
    try:
        copies = _copies(old_id, new_id, configurations)
        for role in roles:
            _create_role(role, new_id, doing)
        for spec, loaded in copies:
            sso_calls.make_again(spec, loaded, doing)
    except DescopeApiError as exc:
        raise errors.unit_move_failed(old_id, new_id, str(path), exc) from None
    moved = [
        _plural(len(roles), "tenant role", "tenant roles"),
        _plural(len(copies), "SSO configuration", "SSO configurations"),
    ]
    log.warning("%s", errors.unit_moved(old_id, new_id, " and ".join(moved), str(path)))
    subs = _sub_tenants(content)
    if subs:
        log.warning(
            '%s of Descope tenant "%s" went with it (cascadeDelete) and were not made again '
            "under %s; they are saved in %s.",
            _plural(len(subs), "sub-tenant", "sub-tenants"),
            old_id,
            new_id,
            path,
        )
