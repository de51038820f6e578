"""Descope permissions as a Pulumi dynamic resource.

Properties (inputs, recorded canonical; outputs are the same):

===========  =================================================  ===============================
key          meaning                                            change
===========  =================================================  ===============================
name         the permission's name, unique in the project       update: a rename (previousName)
description  what the permission allows ("" for none)           update
===========  =================================================  ===============================

A permission is registered as ``permission-<name>`` (`registered_name`). A ``previousName`` in
the configuration makes ``permission-<previousName>`` an alias: the engine sees the same
resource, `diff` sees the name change, and `update` renames it with Descope's update
(``name`` the recorded one, ``newName`` the declared one). The resource id is the name the
permission was created under (Descope's create answers nothing); the provider addresses the
permission by the name its outputs record.

Descope's built-in permissions (`model.roles.BUILTIN_PERMISSIONS`) exist in every project:
check refuses to declare them, so they are never created or deleted, and roles carry them
without depending on anything. Create adopts a permission Descope already holds exactly as
declared, and refuses one that differs (`providers.authz`).

API calls per operation (Descope has no call that loads one permission; the bench counts them):

=================  ===========================================================================
operation          calls
=================  ===========================================================================
create             create (+ one listing when Descope refuses it: adopt or refuse)
read               a share of one listing (``load_all``), shared by the reads that overlap
                   (`PermissionListing`); alone, one listing
update             update (with ``newName``: the rename, when there is one)
delete             one listing (the snapshot) + delete
=================  ===========================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from model.roles import PermissionSpec, authorization_problems
from model.text import nfc, shown
from providers import authz, calls, client, listing, resource, wire
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeApiError
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "INPUT_KEYS",
    "REPLACE_KEYS",
    "Permission",
    "PermissionListing",
    "PermissionProvider",
    "permission_props",
    "registered_name",
]

log = logging.getLogger(__name__)

INPUT_KEYS = ("name", "description")
REPLACE_KEYS: tuple[str, ...] = ()
"""Nothing replaces a permission: a new name is a rename (an update)."""


def registered_name(name: str) -> str:
    """The name the program registers a permission under; with the type token, its URN."""
    return f"permission-{authz.url_safe(name)}"


def permission_props(spec: PermissionSpec) -> dict[str, Any]:
    """The resource's inputs for a declared permission (previousName is an alias, not a
    property)."""
    return {"name": spec.name, "description": spec.description}


def _subject(name: str) -> str:
    return f'Descope permission "{shown(name)}"'


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs or outputs as Descope would hold them (a missing description is ""), the name in
    NFC (`model.text.nfc`): a name Descope holds with combining accents is the declared one."""
    return {
        "name": nfc(str(props.get("name") or "")),
        "description": props.get("description") or "",
    }


class PermissionListing(listing.TenantListing):
    """One ``load_all`` of the permissions shared by the reads of a refresh, keyed by name."""

    what = "permission"
    lists_for_a_lone_read = True

    def _list(self, source: client.ManagementApi) -> Any:
        return source.permission.load_all()

    def _entries_of(self, answer: Any) -> dict[str, authz.Entry] | None:
        listed = wire.permissions_listed(answer, doing="list Descope permissions")
        return None if listed is None else {nfc(str(p["name"])): p for p in listed}


permissions = PermissionListing()
"""The process-wide permission listing."""


def find(name: str, doing: str) -> authz.Entry | None:
    """The permission as Descope holds it, or None (one listing: no call loads one); names
    compared in NFC."""
    api = client.management().permission
    try:
        answer = calls.ask(api.load_all, wire.PERMISSION_LIST, doing=doing)
    except AnswerNotUnderstood as exc:
        raise exc.told(NOTHING_CHANGED) from None
    found = next((p for p in answer.permissions if nfc(p.name) == nfc(name)), None)
    return found.wire() if found is not None else None


def _state(found: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs for a permission as Descope holds it: its name as Descope writes it (the
    one to name it by in a call)."""
    return {"name": str(found.get("name") or ""), "description": found.get("description") or ""}


class PermissionProvider(DescopeProvider):
    """Creates, reads, updates and deletes one Descope permission per resource."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The model's rules (a permission's own, and that built-ins are not declared); values
        not known yet are not judged. Valid inputs come back canonical."""
        props = resource.inputs_of(news)
        if any(has_unknowns(v) for v in props.values()):
            return CheckResult(props, [])
        problems = authz.spec_problems(PermissionSpec, props) or authorization_problems(
            [props], None
        )
        failures = authz.check_failures(problems, {*INPUT_KEYS, *props})
        if failures:
            return CheckResult(props, failures)
        return CheckResult(permission_props(PermissionSpec.model_validate(props)), [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Desired against recorded, as Descope would hold them; every change is an update."""
        news = resource.inputs_of(_news)
        if any(has_unknowns(v) for v in news.values()):
            return DiffResult(changes=True, replaces=[], stables=[])
        old, new = comparable(_olds), comparable(news)
        changed = [k for k in INPUT_KEYS if old[k] != new[k]]
        return DiffResult(
            changes=bool(changed), replaces=[k for k in changed if k in REPLACE_KEYS], stables=[]
        )

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the permission, or adopt it when Descope holds it exactly as declared."""
        spec = comparable(props)
        name = spec["name"]
        doing = f"create {_subject(name)}"
        api = client.management().permission
        try:
            resource.create_or_adopt(
                subject=_subject(name),
                create=lambda: api.create(name, description=spec["description"]),
                find=lambda: find(name, doing),
                matches=lambda held: comparable(_state(held)) == spec,
                describe=lambda held: f"description {authz.quoted(_state(held)['description'])}",
                declared=f"description {authz.quoted(spec['description'])}",
                doing=doing,
                stack=self.stack,
            )
        finally:
            permissions.forget(name)
        return CreateResult(name, dict(spec))

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The permission as Descope holds it now, from the listing the reads of a refresh
        share; ``ReadResult(None, {})`` when it is gone."""
        name = str(props.get("name") or id_)
        doing = f"read {_subject(name)}"
        with permissions.reading():
            found = permissions.entry(nfc(name), doing=doing, load_one=lambda: find(name, doing))
        if found is None:
            return ReadResult(None, {})
        state = _state(found)
        return ReadResult(id_ or name, state, dict(state))

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Descope's update replaces the name (``newName``) and the description; the
        permission is named as last read (Descope's own form of the name)."""
        old, new = comparable(_olds), comparable(_news)
        held = str(_olds.get("name") or old["name"])
        doing = f"update {_subject(old['name'])}"
        api = client.management().permission
        try:
            calls.call(
                lambda: api.update(held, new["name"], description=new["description"]),
                doing=doing,
                repeatable=True,
            )
        except DescopeApiError as exc:
            if resource.confirmed_gone(exc, lambda: find(old["name"], doing)):
                raise authz.gone(doing, _subject(old["name"]), exc) from None
            raise
        finally:
            permissions.forget(old["name"])
            permissions.forget(new["name"])
        return UpdateResult(dict(new))

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the permission, then delete it; one already gone counts as deleted."""
        name = str(_props.get("name") or _id)
        doing = f"delete {_subject(name)}"
        api = client.management().permission
        try:
            found = find(name, doing)
            if found is None:
                log.warning("%s was already deleted outside Pulumi.", _subject(name))
                return
            resource.snapshot(
                self.backup_dir,
                kind="permission",
                resource_id=name,
                reason="delete",
                content={"permission": dict(found)},
            )
            held = str(found.get("name") or name)
            try:
                calls.call(lambda: api.delete(held), doing=doing, repeatable=True)
            except DescopeApiError as exc:
                if not resource.confirmed_gone(exc, lambda: find(name, doing)):
                    raise
        finally:
            permissions.forget(nfc(name))


class Permission(pulumi.dynamic.Resource, module="descope", name="Permission"):
    """A Descope permission managed by Pulumi (``pulumi-python:dynamic/descope:Permission``)."""

    name: pulumi.Output[str]
    description: pulumi.Output[str]

    def __init__(
        self,
        spec: PermissionSpec,
        *,
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Registered as `registered_name`, with the previous name and the decomposed form of
        the name (`authz.written_forms`) as aliases."""
        earlier = [*filter(None, [spec.previousName]), *authz.written_forms(spec.name)]
        own = pulumi.ResourceOptions(
            aliases=[pulumi.Alias(name=registered_name(n)) for n in earlier] or None
        )
        super().__init__(
            PermissionProvider(stack=stack),
            registered_name(spec.name),
            permission_props(spec),
            pulumi.ResourceOptions.merge(own, opts),
        )
