"""Descope access keys as a Pulumi dynamic resource: one per entry of a tenant's ``accessKeys:``.

Properties (inputs, recorded canonical):

============  ================================================  ==========================
key           meaning                                           change
============  ================================================  ==========================
tenantId      the tenant the key is bound to (``keyTenants``)   replace
name          the key's name, unique in its tenant              update
description   what the key is for                               update
roles         its roles in the tenant (order ignored)           replace
expireTime    Unix seconds; 0: never                            replace
permittedIps  addresses or CIDR ranges (order ignored)          update
disabled      true: deactivated (kept, unusable)                activate / deactivate
rotation      a token: changing it asks for a new key           replace
adopt         take over a key of that name already there        none (a management flag)
============  ================================================  ==========================

Outputs add ``keyId`` (Descope's id: the resource id), ``status``, ``createdTime``,
``cleartext`` (the key's secret) and ``cleartextKnown``.

**The secret.** Descope answers an access key's secret (its *cleartext*) once, to the create
call. The resource keeps it as the output ``cleartext``, declared in
``additional_secret_outputs``: the engine keeps it encrypted in the state, and the program
exports it as a secret (``pulumi stack output --show-secrets``). Nothing else sees it: no log
line, message, snapshot or backup carries it (an answer to a create that does not fit is told
without an excerpt), and every later step carries the recorded value forward. An adopted key
has no known secret: ``cleartext`` is ``""``, ``cleartextKnown`` false, and the adoption is
logged saying how to get one (change ``rotation``).

**Replacement.** SDK 2.16.1's update sends a name, description and permitted IPs only (and
Descope's description does not say how its update reads roles): a change of roles, expiry or
tenant, or of ``rotation``, is a new key. The old one is deleted first (a snapshot before) and
the new one created (delete-before-replace): a key's name is how it is found (adopt), so the two
never exist at once, and the old secret stops working as the new one is made. A renamed key
(a new name in the configuration) is registered under a new name, so it is a new key too.

Create first searches the tenant's keys: a key of that name is refused unless the entry says
``adopt: true`` (then its roles and expiry must be the declared ones, and what differs of the
rest is written after a snapshot). A create whose answer is lost, or does not fit, deletes the
key of that name it may have made (its secret never arrived): nothing is left behind.
``disabled: true`` deactivates the key right after it is created (a failure deletes it again).

API calls per operation: create 2 (search, create; + deactivate), read 1 (load), update 1 or 2
(update; activate or deactivate), delete 2 (load for the snapshot, delete), adopt 1 to 3.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import pulumi
from descope import AssociatedTenant
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from model.access_keys import AccessKeySpec
from model.tenant import TENANT_ID_PATTERN
from model.text import shown
from providers import authz, backups, calls, client, errors, resource, sdk_http, wire
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeApiError
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "SECRET_OUTPUTS",
    "AccessKey",
    "AccessKeyProvider",
    "access_key_props",
    "registered_name",
]

log = logging.getLogger(__name__)

INPUT_KEYS = (
    "tenantId",
    "name",
    "description",
    "roles",
    "expireTime",
    "permittedIps",
    "disabled",
    "rotation",
    "adopt",
)
REPLACE_KEYS = ("tenantId", "roles", "expireTime", "rotation")
"""What SDK 2.16.1's update cannot change: a new key."""
COMPARED_KEYS = tuple(k for k in INPUT_KEYS if k != "adopt")
OUTPUT_ONLY_KEYS = ("keyId", "status", "createdTime", "cleartext", "cleartextKnown")
SECRET_OUTPUTS = ("cleartext",)
_TENANT_ID_RE = re.compile(TENANT_ID_PATTERN)
_CREATE_LOST = "the create's answer was lost or not understood"


def registered_name(tenant_id: str, name: str) -> str:
    """The name the program registers a key under: tenant ids hold no ``/``."""
    return f"access-key-{tenant_id}/{authz.url_safe(name)}"


def access_key_props(spec: AccessKeySpec, tenant_id: str) -> dict[str, Any]:
    """The resource's inputs for a declared key."""
    return {"tenantId": tenant_id, **spec.canonical()}


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs or outputs as Descope would hold them: sets sorted, numbers whole."""
    rotation = props.get("rotation", 0)
    if isinstance(rotation, float) and rotation.is_integer():
        rotation = int(rotation)
    return {
        "tenantId": str(props.get("tenantId") or ""),
        "name": str(props.get("name") or ""),
        "description": str(props.get("description") or ""),
        "roles": sorted({str(r) for r in props.get("roles") or []}),
        "expireTime": int(props.get("expireTime") or 0),
        "permittedIps": sorted({str(ip) for ip in props.get("permittedIps") or []}),
        "disabled": bool(props.get("disabled")),
        "rotation": rotation,
        "adopt": bool(props.get("adopt")),
    }


def _subject(name: str, tenant_id: str) -> str:
    return f'Descope access key "{shown(name)}" of tenant "{tenant_id}"'


def _api() -> client.AccessKeyApi:
    return client.management().access_key


def _held(key: wire.AccessKey, tenant_id: str) -> dict[str, Any]:
    """What Descope holds of a key, in the shape of `comparable` (without the flags)."""
    roles = next((t.roleNames for t in key.keyTenants if t.tenantId == tenant_id), [])
    return {
        "tenantId": tenant_id,
        "name": key.name,
        "description": key.description,
        "roles": sorted(set(roles)),
        "expireTime": key.expireTime,
        "permittedIps": sorted(set(key.permittedIps)),
        "disabled": key.status != "active",
    }


def _outputs(
    declared: Mapping[str, Any], key: wire.AccessKey, cleartext: str | None
) -> dict[str, Any]:
    """The outputs: the declared flags, Descope's values, the secret (or that it is unknown)."""
    return {
        **comparable(declared),
        **_held(key, str(declared.get("tenantId") or "")),
        "keyId": key.id,
        "status": key.status,
        "createdTime": key.createdTime,
        "cleartext": cleartext or "",
        "cleartextKnown": cleartext is not None,
    }


def _snapshot(
    backup_dir: str, tenant_id: str, name: str, key: wire.AccessKey, reason: backups.Reason
) -> None:
    """Save the key as Descope loads it (never a secret) before `reason` (`providers.backups`):
    ``<time>-accessKey-<tenant>%2F<name>-<reason>.json`` (`model.filenames`)."""
    resource.snapshot(
        backup_dir,
        kind="accessKey",
        resource_id=f"{tenant_id}/{name}",
        reason=reason,
        content={"accessKey": {k: v for k, v in key.wire().items() if k != "cleartext"}},
    )


def find(tenant_id: str, name: str, doing: str) -> list[wire.AccessKey]:
    """The tenant's keys of that name, as Descope holds them (one search, filtered exactly)."""
    api = _api()
    try:
        answer = calls.ask(
            lambda: api.search_all_access_keys(tenant_ids=[tenant_id]),
            wire.ACCESS_KEY_SEARCH,
            doing=doing,
        )
    except AnswerNotUnderstood as exc:
        raise exc.told(NOTHING_CHANGED) from None
    return [
        key
        for key in answer.keys
        if key.name == name and any(t.tenantId == tenant_id for t in key.keyTenants)
    ]


def load(key_id: str, doing: str) -> wire.AccessKey | None:
    """The key as Descope holds it, or None when it is gone."""
    api = _api()
    loaded = resource.load_or_none(
        lambda: calls.ask(lambda: api.load(key_id), wire.ACCESS_KEY_LOAD, doing=doing, asked=key_id)
    )
    return None if loaded is None else loaded.key


def _create(spec: dict[str, Any], subject: str, doing: str) -> tuple[wire.AccessKey, str]:
    """One create; the key and its secret. A lost or unreadable answer deletes the key of that
    name it may have made (no key of that name existed before) and fails."""
    api = _api()
    try:
        answer = calls.call(
            lambda: api.create(
                spec["name"],
                expire_time=spec["expireTime"],
                key_tenants=[AssociatedTenant(spec["tenantId"], list(spec["roles"]))],
                description=spec["description"],
                permitted_ips=list(spec["permittedIps"]),
            ),
            doing=doing,
            repeatable=False,
            shape=wire.ACCESS_KEY_CREATED,
        )
        body = dict(answer) if isinstance(answer, dict) else answer
        cleartext = body.pop("cleartext", None) if isinstance(body, dict) else None
        key = wire.ACCESS_KEY_CREATED.read(body, doing=doing).key
        if not isinstance(cleartext, str) or not cleartext:
            raise wire.ACCESS_KEY_CREATED.not_understood(doing, errors.SECRET_NOT_SHOWN)
    except DescopeApiError as exc:
        error = errors.secret_hidden(exc) if isinstance(exc, AnswerNotUnderstood) else exc
        if isinstance(exc, AnswerNotUnderstood) or exc.is_retryable:
            _undo_lost_create(spec, subject, error, doing)
        raise error from None
    return key, cleartext


def _undo_lost_create(
    spec: dict[str, Any], subject: str, cause: DescopeApiError, doing: str
) -> None:
    """Delete what a create whose answer never arrived (or did not fit) may have made."""
    try:
        for key in find(spec["tenantId"], spec["name"], doing):
            _delete(key.id, doing)
    except DescopeApiError as exc:
        raise errors.explain(
            cause,
            f"{_CREATE_LOST}, and looking for the key it may have made failed too "
            f"({errors.answer_of(exc)})",
            action=f"Look in the Descope console for {subject}: delete it (its secret never "
            "reached Pulumi), then run again.",
        ) from None


def _write(
    key_id: str, olds: Mapping[str, Any], new: dict[str, Any], subject: str
) -> wire.AccessKey:
    """Bring the key from `olds` to `new` (name, description, permitted IPs; status)."""
    doing = f"update {subject}"
    old = comparable(olds)
    api = _api()
    key: wire.AccessKey | None = None
    try:
        if any(old[k] != new[k] for k in ("name", "description", "permittedIps")):
            key = calls.send(
                lambda: sdk_http.reply_of(
                    api,
                    lambda a: a.update(
                        key_id,
                        new["name"],
                        description=new["description"],
                        permitted_ips=list(new["permittedIps"]),
                    ),
                ),
                wire.ACCESS_KEY_UPDATED,
                doing=doing,
                asked=key_id,
            ).key
        if old["disabled"] != new["disabled"]:
            _set_disabled(key_id, new["disabled"], doing)
            if key is not None:
                key = key.model_copy(update={"status": "inactive" if new["disabled"] else "active"})
    except DescopeApiError as exc:
        if resource.confirmed_gone(exc, lambda: load(key_id, doing)):
            raise errors.access_key_gone(subject, exc) from None
        raise
    if key is None:
        key = load(key_id, doing)
        if key is None:
            raise errors.access_key_gone(
                subject, DescopeApiError(f"Unable to {doing}:", "the key is gone")
            )
    return key


def _set_disabled(key_id: str, disabled: bool, doing: str) -> None:
    api = _api()
    if disabled:
        calls.send(
            lambda: sdk_http.reply_of(api, lambda a: a.deactivate(key_id)),
            wire.ACCESS_KEY_DEACTIVATED,
            doing=doing,
        )
    else:
        calls.send(
            lambda: sdk_http.reply_of(api, lambda a: a.activate(key_id)),
            wire.ACCESS_KEY_ACTIVATED,
            doing=doing,
        )


def _delete(key_id: str, doing: str) -> None:
    """Delete the key; one already gone counts as deleted."""
    api = _api()
    try:
        calls.send(
            lambda: sdk_http.reply_of(api, lambda a: a.delete(key_id)),
            wire.ACCESS_KEY_DELETED,
            doing=doing,
        )
    except DescopeApiError as exc:
        if not resource.confirmed_gone(exc, lambda: load(key_id, doing)):
            raise


class AccessKeyProvider(DescopeProvider):
    """Creates, reads, updates and deletes one Descope access key per resource."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The model's rules for a key (`model.access_keys`) and a tenant id; values not known
        yet are not judged. Valid inputs come back canonical."""
        props = resource.inputs_of(news)
        if any(has_unknowns(v) for v in props.values()):
            return CheckResult(props, [])
        tenant_id = props.get("tenantId")
        data = {k: v for k, v in props.items() if k != "tenantId" and k not in OUTPUT_ONLY_KEYS}
        failures = authz.check_failures(
            authz.spec_problems(AccessKeySpec, data), {*INPUT_KEYS, *props}
        )
        if not isinstance(tenant_id, str) or not _TENANT_ID_RE.fullmatch(tenant_id):
            failures.append(
                CheckFailure("tenantId", f"{authz.quoted(tenant_id)} is not a tenant id.")
            )
        if failures:
            return CheckResult(props, failures)
        return CheckResult(access_key_props(AccessKeySpec.model_validate(data), str(tenant_id)), [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Desired against recorded: roles, expiry, tenant or rotation make a new key (the old
        one deleted first); name, description, permitted IPs and disabled update it."""
        news = resource.inputs_of(_news)
        if any(has_unknowns(v) for v in news.values()):
            return DiffResult(changes=True, replaces=[], stables=[])
        old, new = comparable(_olds), comparable(news)
        changed = [k for k in COMPARED_KEYS if old[k] != new[k]]
        replaces = [k for k in changed if k in REPLACE_KEYS]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[] if replaces else ["tenantId", "keyId", "createdTime", "cleartext"],
            delete_before_replace=True,
        )

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the key (its secret becomes the ``cleartext`` output), or adopt the tenant's
        key of that name when the entry says so; refuse one that is there otherwise."""
        spec = comparable(props)
        tenant_id, name = spec["tenantId"], spec["name"]
        subject = _subject(name, tenant_id)
        doing = f"create {subject}"
        existing = find(tenant_id, name, doing)
        if len(existing) > 1:
            ids = ", ".join(k.id for k in existing)
            raise errors.access_key_ambiguous(doing, subject, ids)
        if existing:
            if not spec["adopt"]:
                raise errors.access_key_exists(doing, subject, existing[0].id)
            return self._adopt(existing[0], spec, subject)
        key, cleartext = _create(spec, subject, doing)
        if spec["disabled"]:
            try:
                _set_disabled(key.id, True, doing)
            except DescopeApiError as exc:
                _delete(key.id, doing)
                raise errors.create_rolled_back("deactivating it", exc, "access key") from None
            key = key.model_copy(update={"status": "inactive"})
        return CreateResult(key.id, _outputs(spec, key, cleartext))

    def _adopt(self, key: wire.AccessKey, spec: dict[str, Any], subject: str) -> CreateResult:
        """Manage a key Descope holds: its roles and expiry must be the declared ones; what
        differs of the rest is written, after a snapshot. Its secret stays unknown."""
        doing = f"adopt {subject}"
        held = _held(key, spec["tenantId"])
        fixed = ("roles", "expireTime")
        if any(held[k] != spec[k] for k in fixed):
            raise errors.access_key_adopt_refused(
                doing,
                subject,
                ", ".join(f"{k} {authz.quoted(held[k])}" for k in fixed),
                ", ".join(f"{k} {authz.quoted(spec[k])}" for k in fixed),
            )
        if any(held[k] != spec[k] for k in ("description", "permittedIps", "disabled")):
            _snapshot(self.backup_dir, spec["tenantId"], spec["name"], key, "adopt")
            key = _write(key.id, _outputs(spec, key, None), spec, subject)
        log.warning("Adopted %s (id %s); %s", subject, key.id, errors.ADOPTED_WITHOUT_SECRET)
        return CreateResult(key.id, _outputs(spec, key, None))

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The key as Descope holds it now, the recorded secret kept; ``ReadResult(None, {})``
        when it is gone."""
        tenant_id = str(props.get("tenantId") or "")
        key = load(id_, f"read {_subject(str(props.get('name') or id_), tenant_id)}")
        if key is None:
            return ReadResult(None, {})
        outputs = {
            **_outputs(props, key, None),
            "cleartext": props.get("cleartext") or "",
            "cleartextKnown": bool(props.get("cleartextKnown")),
        }
        return ReadResult(id_, outputs, {k: outputs[k] for k in INPUT_KEYS})

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Write name, description and permitted IPs (one update) and the status (activate or
        deactivate), as far as they changed; the recorded secret is carried forward."""
        new = comparable(_news)
        subject = _subject(str(_olds.get("name") or ""), new["tenantId"])
        key = _write(_id, _olds, new, subject)
        outputs = _outputs(new, key, None)
        outputs["cleartext"] = _olds.get("cleartext") or ""
        outputs["cleartextKnown"] = bool(_olds.get("cleartextKnown"))
        return UpdateResult(outputs)

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the key (never its secret), then delete it; one already gone counts as
        deleted."""
        tenant_id, name = str(_props.get("tenantId") or ""), str(_props.get("name") or _id)
        subject = _subject(name, tenant_id)
        doing = f"delete {subject}"
        key = load(_id, doing)
        if key is None:
            taken = backups.tenant_snapshot_taken(tenant_id) if tenant_id else None
            held = str(taken) if taken is not None else None
            log.warning("%s", errors.gone_with_tenant(subject, tenant_id, held))
            return
        _snapshot(self.backup_dir, tenant_id, name, key, "delete")
        _delete(_id, doing)


class AccessKey(pulumi.dynamic.Resource, module="descope", name="AccessKey"):
    """A Descope access key managed by Pulumi (``pulumi-python:dynamic/descope:AccessKey``);
    its secret is the secret output ``cleartext``."""

    tenantId: pulumi.Output[str]
    name: pulumi.Output[str]
    keyId: pulumi.Output[str]
    status: pulumi.Output[str]
    cleartext: pulumi.Output[str]
    cleartextKnown: pulumi.Output[bool]

    def __init__(
        self,
        spec: AccessKeySpec,
        *,
        tenant_id: str,
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Registered as `registered_name`; ``cleartext`` is a secret output, and a replace
        deletes the old key before creating the new one."""
        own = pulumi.ResourceOptions(
            additional_secret_outputs=list(SECRET_OUTPUTS), delete_before_replace=True
        )
        props: dict[str, Any] = {
            **access_key_props(spec, tenant_id),
            **dict.fromkeys(OUTPUT_ONLY_KEYS),
        }
        super().__init__(
            AccessKeyProvider(stack=stack),
            registered_name(tenant_id, spec.name),
            props,
            pulumi.ResourceOptions.merge(own, opts),
        )
