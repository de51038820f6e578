"""Descope roles as a Pulumi dynamic resource: the project's roles and tenants' own roles.

Properties (inputs, recorded canonical):

=============  ==============================================  ===============================
key            meaning                                         change
=============  ==============================================  ===============================
name           the role's name, unique in its scope            update: a rename (previousName)
tenantId       "" for a project role; else the tenant whose    replace
               own role it is (Descope's tenant-scoped role)
description    what the role is for ("" for none)              update
permissions    the permissions it grants (order ignored)       update
tenantDefault  a tenant role its tenant's defaultRoles list    ignored
=============  ==============================================  ===============================

Outputs add Descope's ``default`` and ``private`` flags, which the configuration does not
manage: Descope's update clears what it is not sent, so they are sent back as last read.

A project role is registered as ``role-<name>``, a tenant's role as
``tenant-role-<tenant id>/<name>`` (`registered_name`); a ``previousName`` makes the old name
an alias, so the engine sees the same resource and `update` renames it (Descope's update with
``newName``). The resource id is the name the role was created under (Descope's create answers
nothing); the provider addresses the role by the name and tenant its outputs record.

A tenant's role depends on its tenant (the program says so) and goes with it: Descope deletes
a tenant's roles with the tenant, and a delete that finds the role gone counts as done. When
the tenant's ``defaultRoles`` list the role (``tenantDefault``), the role adds itself to them
right after it is created or renamed, since the tenant could not name it before it existed
(`providers.references`).

Descope's built-in roles (`model.roles.BUILTIN_ROLES`) exist in every project: check refuses
to declare them, so they are never created or deleted, and tenants name them without depending
on anything. Create adopts a role Descope holds exactly as declared (description and
permissions) and refuses one that differs (`providers.authz`).

API calls per operation (the bench counts them):

=================  ===========================================================================
operation          calls
=================  ===========================================================================
create             create (+ a search when Descope refuses it: adopt or refuse; + tenant load
                   and default-roles write for a role its tenant's defaultRoles list)
read               a share of one role listing (``load_all`` returns every role of every
                   tenant), shared by the reads that overlap (`RoleListing`); alone, one
                   listing (the same one call as a search); a role the listing lacks is
                   searched for by name before it is called gone
update             update (with ``newName``: the rename, when there is one; + tenant load, and
                   write if needed, for a renamed role its tenant's defaultRoles list)
delete             search (the snapshot) + delete
=================  ===========================================================================
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from model.roles import RoleSpec, authorization_problems
from model.tenant import TENANT_ID_PATTERN
from model.text import nfc, shown
from providers import authz, backups, calls, client, errors, listing, references, resource, wire
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeApiError
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "REPLACE_KEYS",
    "Role",
    "RoleListing",
    "RoleProvider",
    "registered_name",
    "role_props",
]

log = logging.getLogger(__name__)

INPUT_KEYS = ("name", "tenantId", "description", "permissions", "tenantDefault")
COMPARED_KEYS = ("name", "tenantId", "description", "permissions")
"""What `diff` compares: ``tenantDefault`` is the tenant's business (its defaultRoles)."""
OUTPUT_ONLY_KEYS = ("default", "private")
REPLACE_KEYS = ("tenantId",)
"""Another tenant is another role; everything else (a new name included) updates in place."""
_TENANT_ID_RE = re.compile(TENANT_ID_PATTERN)


def registered_name(name: str, tenant_id: str = "") -> str:
    """The name the program registers a role under; with the type token, its URN. Tenant ids
    hold no ``/``, so a tenant role's name never equals another's, nor a project role's."""
    if tenant_id:
        return f"tenant-role-{tenant_id}/{authz.url_safe(name)}"
    return f"role-{authz.url_safe(name)}"


def role_props(
    spec: RoleSpec, tenant_id: str = "", *, tenant_default: bool = False
) -> dict[str, Any]:
    """The resource's inputs for a declared role (previousName is an alias, not a property)."""
    return {
        "name": spec.name,
        "tenantId": tenant_id,
        "description": spec.description,
        "permissions": sorted(spec.permissions),
        "tenantDefault": tenant_default,
    }


def _key(tenant_id: str, name: str) -> str:
    """A role's key in the listing: tenant ids hold no ``/``; the name in NFC."""
    return f"{tenant_id}/{nfc(name)}"


def _subject(name: str, tenant_id: str) -> str:
    scope = f' of tenant "{tenant_id}"' if tenant_id else ""
    return f'Descope role "{shown(name)}"{scope}'


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs or outputs as Descope would hold them: permissions as a sorted set, names in NFC
    (`model.text.nfc`: a name Descope holds with combining accents is the declared one)."""
    return {
        "name": nfc(str(props.get("name") or "")),
        "tenantId": str(props.get("tenantId") or ""),
        "description": props.get("description") or "",
        "permissions": sorted({nfc(str(p)) for p in props.get("permissions") or []}),
    }


class RoleListing(listing.TenantListing):
    """One ``load_all`` of the roles (project and tenant roles) shared by the reads of a
    refresh, keyed by tenant and name."""

    what = "role"
    lists_for_a_lone_read = True

    def _list(self, source: client.ManagementApi) -> Any:
        return source.role.load_all()

    def _entries_of(self, answer: Any) -> dict[str, authz.Entry] | None:
        listed = wire.roles_listed(answer, doing="list Descope roles")
        if listed is None:
            return None
        return {_key(str(r.get("tenantId") or ""), str(r["name"])): r for r in listed}


roles = RoleListing()
"""The process-wide role listing."""


def find(name: str, tenant_id: str, doing: str) -> authz.Entry | None:
    """The role as Descope holds it, or None: one search, filtered exactly (by name, in its
    scope, in NFC), whatever else the search returns. A tenant Descope lacks has no roles."""
    api = client.management().role
    try:
        answer = calls.ask(
            lambda: api.search(tenant_ids=[tenant_id] if tenant_id else None, role_names=[name]),
            wire.ROLE_SEARCH,
            doing=doing,
        )
    except AnswerNotUnderstood as exc:
        raise exc.told(NOTHING_CHANGED) from None
    except DescopeApiError as exc:
        if tenant_id and exc.is_not_found:
            return None
        raise
    for role in answer.roles:
        if nfc(role.name) == nfc(name) and role.tenantId == tenant_id:
            return role.wire()
    return None


def _state(found: Mapping[str, Any], tenant_default: bool) -> dict[str, Any]:
    """(the outputs) for a role as Descope holds it; its name as Descope writes it (the one to
    name it by in a call)."""
    return {
        **comparable(
            {
                "name": found.get("name"),
                "tenantId": found.get("tenantId"),
                "description": found.get("description"),
                "permissions": found.get("permissionNames"),
            }
        ),
        "name": str(found.get("name") or ""),
        "tenantDefault": tenant_default,
        "default": bool(found.get("default")),
        "private": bool(found.get("private")),
    }


def _held(found: Mapping[str, Any]) -> str:
    state = _state(found, False)
    return (
        f"description {authz.quoted(state['description'])} and permissions "
        f"{authz.quoted(state['permissions'])}"
    )


def _permission_refusal(cause: DescopeApiError, spec: Mapping[str, Any]) -> DescopeApiError:
    """A 400 naming one of the role's permissions: say where permissions come from."""
    named = [p for p in spec["permissions"] if f"'{p}'" in cause.detail or f'"{p}"' in cause.detail]
    if cause.status != 400 or not named or "permission" not in cause.detail.lower():
        return cause
    quoted = ", ".join(authz.quoted(p) for p in named)
    return errors.explain(
        cause,
        f"Descope does not have the permission {quoted} that the role grants",
        action="Declare it under permissions: in the stack's configuration (the role then waits "
        "for it), or create it in the Descope console; or remove it from the role.",
    )


def _address(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """(name, tenant id) of the role: as the recorded properties say; without them (a read by
    id alone) the id, read as a project role's name."""
    if props.get("name"):
        return str(props["name"]), str(props.get("tenantId") or "")
    return id_, ""


def _make_default(tenant_id: str, name: str, replacing: str | None, doing: str) -> None:
    """Add the role to its tenant's default roles (`replacing` its previous name), saying
    what to do when that fails: the role itself is in Descope by then."""
    try:
        references.add_default_role(tenant_id, name, doing=doing, replacing=replacing)
    except DescopeApiError as exc:
        raise errors.explain(
            exc,
            f'the role is in Descope, but making it a default role of tenant "{tenant_id}" failed',
            action="Run `pulumi up` again: it takes the role over as it is and sets the "
            "default roles.",
        ) from None


def depended_on(names: Sequence[str], available: Mapping[str, Any]) -> list[Any]:
    """The resources in `available` (by name) that `names` name, in the order named: what a
    resource naming roles or permissions depends on (built-ins and unknown names have none)."""
    return [available[n] for n in dict.fromkeys(names) if n in available]


class RoleProvider(DescopeProvider):
    """Creates, reads, updates and deletes one Descope role per resource."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The model's rules for a role (its own, and that built-ins are not declared), a
        tenant id for a tenant role; values not known yet are not judged. Valid inputs come
        back canonical."""
        props = resource.inputs_of(news)
        if any(has_unknowns(v) for v in props.values()):
            return CheckResult(props, [])
        tenant_id = props.get("tenantId") or ""
        data = {
            k: v
            for k, v in props.items()
            if k not in ("tenantId", "tenantDefault") and k not in OUTPUT_ONLY_KEYS
        }
        problems = authz.spec_problems(RoleSpec, data)
        if not problems:
            problems = (
                authorization_problems(None, None, {str(tenant_id): (("roles",), [data])})
                if tenant_id
                else authorization_problems(None, [data])
            )
        failures = authz.check_failures(problems, {*INPUT_KEYS, *props})
        if not isinstance(tenant_id, str) or (tenant_id and not _TENANT_ID_RE.fullmatch(tenant_id)):
            failures.append(
                CheckFailure(
                    "tenantId",
                    f'{authz.quoted(tenant_id)} is not a tenant id ("" for a project role).',
                )
            )
        if not isinstance(props.get("tenantDefault") or False, bool):
            failures.append(CheckFailure("tenantDefault", "must be true or false."))
        if failures:
            return CheckResult(props, failures)
        spec = RoleSpec.model_validate(data)
        return CheckResult(
            role_props(spec, tenant_id, tenant_default=bool(props.get("tenantDefault"))), []
        )

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Desired against recorded, as Descope would hold them: another tenant replaces, all
        else (a new name included) updates in place."""
        news = resource.inputs_of(_news)
        if any(has_unknowns(v) for v in news.values()):
            return DiffResult(changes=True, replaces=[], stables=[])
        old, new = comparable(_olds), comparable(news)
        changed = [k for k in COMPARED_KEYS if old[k] != new[k]]
        return DiffResult(
            changes=bool(changed),
            replaces=[k for k in changed if k in REPLACE_KEYS],
            stables=[k for k in INPUT_KEYS if k not in REPLACE_KEYS],
            delete_before_replace=False,
        )

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the role (or adopt it when Descope holds it exactly as declared); then, for a
        role its tenant's defaultRoles list, add it to them."""
        spec = comparable(props)
        name, tenant_id = spec["name"], spec["tenantId"]
        subject = _subject(name, tenant_id)
        doing = f"create {subject}"
        api = client.management().role
        try:
            adopted = resource.create_or_adopt(
                subject=subject,
                create=lambda: api.create(
                    name,
                    description=spec["description"],
                    permission_names=list(spec["permissions"]),
                    tenant_id=tenant_id or None,
                ),
                find=lambda: find(name, tenant_id, doing),
                matches=lambda held: comparable(_state(held, False)) == spec,
                describe=_held,
                declared=(
                    f"description {authz.quoted(spec['description'])} and permissions "
                    f"{authz.quoted(spec['permissions'])}"
                ),
                doing=doing,
                stack=self.stack,
                told=lambda cause: _permission_refusal(cause, spec),
            )
        finally:
            roles.forget(_key(tenant_id, name))
        tenant_default = bool(props.get("tenantDefault")) and bool(tenant_id)
        if tenant_default:
            _make_default(tenant_id, name, None, doing)
        outputs = _state(
            adopted or {**spec, "permissionNames": spec["permissions"]}, tenant_default
        )
        return CreateResult(name if not tenant_id else _key(tenant_id, name), outputs)

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The role as Descope holds it now (from the listing the reads of a refresh share);
        ``ReadResult(None, {})`` when it is gone."""
        name, tenant_id = _address(id_, props)
        doing = f"read {_subject(name, tenant_id)}"
        with roles.reading():
            found = roles.entry(
                _key(tenant_id, name), doing=doing, load_one=lambda: find(name, tenant_id, doing)
            )
        if found is None:
            return ReadResult(None, {})
        outputs = _state(found, bool(props.get("tenantDefault")))
        inputs = {k: outputs[k] for k in INPUT_KEYS}
        return ReadResult(id_ or _key(tenant_id, name), outputs, inputs)

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Descope's update replaces name (``newName``), description and permissions, and
        clears what it is not sent: ``default`` and ``private`` go back as last read. The role
        is named as last read (Descope's own form of the name)."""
        old, new = comparable(_olds), comparable(_news)
        held = str(_olds.get("name") or old["name"])
        tenant_id = old["tenantId"]
        subject = _subject(old["name"], tenant_id)
        doing = f"update {subject}"
        api = client.management().role
        flags = {k: bool(_olds.get(k)) for k in OUTPUT_ONLY_KEYS}
        try:
            calls.call(
                lambda: api.update(
                    held,
                    new["name"],
                    description=new["description"],
                    permission_names=list(new["permissions"]),
                    tenant_id=tenant_id or None,
                    default=flags["default"],
                    private=flags["private"],
                ),
                doing=doing,
                repeatable=True,
            )
        except DescopeApiError as exc:
            if resource.confirmed_gone(exc, lambda: find(old["name"], tenant_id, doing)):
                raise authz.gone(doing, subject, exc) from None
            raise _permission_refusal(exc, new) from None
        finally:
            roles.forget(_key(tenant_id, old["name"]))
            roles.forget(_key(tenant_id, new["name"]))
        tenant_default = bool(_news.get("tenantDefault")) and bool(tenant_id)
        if tenant_default and new["name"] != old["name"]:
            _make_default(tenant_id, new["name"], old["name"], doing)
        return UpdateResult({**new, "tenantDefault": tenant_default, **flags})

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the role, then delete it; one already gone (its tenant deleted, say)
        counts as deleted."""
        name, tenant_id = _address(_id, _props)
        subject = _subject(name, tenant_id)
        doing = f"delete {subject}"
        api = client.management().role
        try:
            found = find(name, tenant_id, doing)
            if found is None:
                taken = backups.tenant_snapshot_taken(tenant_id) if tenant_id else None
                told = errors.gone_with_tenant(subject, tenant_id, str(taken) if taken else None)
                log.warning("%s", told)
                return
            resource.snapshot(
                self.backup_dir,
                kind="role",
                resource_id=_key(tenant_id, name).lstrip("/"),
                reason="delete",
                content={"role": dict(found)},
            )
            held = str(found.get("name") or name)
            try:
                calls.call(
                    lambda: api.delete(held, tenant_id=tenant_id or None),
                    doing=doing,
                    repeatable=True,
                )
            except DescopeApiError as exc:
                if not resource.confirmed_gone(exc, lambda: find(name, tenant_id, doing)):
                    raise
        finally:
            roles.forget(_key(tenant_id, name))


class Role(pulumi.dynamic.Resource, module="descope", name="Role"):
    """A Descope role managed by Pulumi (``pulumi-python:dynamic/descope:Role``)."""

    name: pulumi.Output[str]
    tenantId: pulumi.Output[str]
    description: pulumi.Output[str]
    permissions: pulumi.Output[list[str]]
    tenantDefault: pulumi.Output[bool]
    default: pulumi.Output[bool]
    private: pulumi.Output[bool]

    def __init__(
        self,
        spec: RoleSpec,
        *,
        tenant_id: str = "",
        tenant_default: bool = False,
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Registered as `registered_name`, with the previous name and the decomposed form of
        the name (`authz.written_forms`) as aliases; a tenant's role is given `tenant_id`, and
        `tenant_default` when the tenant's defaultRoles list it."""
        earlier = [*filter(None, [spec.previousName]), *authz.written_forms(spec.name)]
        own = pulumi.ResourceOptions(
            aliases=[pulumi.Alias(name=registered_name(n, tenant_id)) for n in earlier] or None
        )
        props: dict[str, Any] = {
            **role_props(spec, tenant_id, tenant_default=tenant_default),
            **dict.fromkeys(OUTPUT_ONLY_KEYS),
        }
        super().__init__(
            RoleProvider(stack=stack),
            registered_name(spec.name, tenant_id),
            props,
            pulumi.ResourceOptions.merge(own, opts),
        )
