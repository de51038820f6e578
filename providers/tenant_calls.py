"""The tenant resource's calls to Descope: load, write, delete, adopt, roll back a create.

`providers.tenant` says what each operation does; the calls it makes live here. Every answer is
read through its wire shape (`providers.wire`) before it is used; a write whose answer is not
understood counts as done only when loading the tenant shows the change (`_write`); the create,
which loads the tenant when its answer is lost or not understood to see whether it is ours, is
`providers.tenant_create`; an update or delete told "not found" makes one load to confirm the
tenant is gone (`_confirmed_gone`). Every write forgets the tenant from the shared listing
(`providers.listing`), so no later read serves it from a listing older than the write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, NoReturn

from pulumi.dynamic import CreateResult

from model.tenant import TenantSpec
from providers import calls, client, errors, listing, references, sdk_http, sub_tenants, wire
from providers.answers.tenant import (
    PARENT_KEY,
    SSO_MANAGED_KEY,
    TENANT_FIELDS,
    as_set,
    changed_keys,
    comparable,
    settings_comparable,
    settings_from_descope,
    tenant_props,
    tenant_state,
    unmanaged,
    wire_fields,
)
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeApiError, SnapshotRefused
from providers.resource import load_or_none, rolled_back, same, snapshot_before

log = logging.getLogger(__name__)


class _PassThrough:
    """Hands a stored ``ssoSetupSuiteSettings`` dict to the SDK, which wants `.to_dict()`."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


# --- calls -----------------------------------------------------------------------------------


def _quoted(tenant_id: str) -> str:
    return f'Descope tenant "{tenant_id}"'


def _get_or_none(
    fetch: Callable[[], object], shape: wire.Shape[Any], tenant_id: str, doing: str
) -> dict[str, Any] | None:
    """A GET by tenant id (repeatable), read through `shape`; None when Descope says the tenant
    does not exist. An answer that does not fit raises `AnswerNotUnderstood`: it never reads as
    a missing or an empty tenant."""
    loaded = load_or_none(lambda: calls.ask(fetch, shape, doing=doing, asked=tenant_id))
    return None if loaded is None else loaded.wire()


def _load(tenant_id: str, doing: str) -> dict[str, Any] | None:
    """The tenant as Descope holds it, or None when it does not exist."""
    api = client.management().tenant
    return _get_or_none(lambda: api.load(tenant_id), wire.TENANT_LOAD, tenant_id, doing)


def _load_settings(tenant_id: str, doing: str) -> dict[str, Any] | None:
    """The tenant's settings as Descope holds them, or None when the tenant does not exist."""
    api = client.management().tenant
    return _get_or_none(lambda: api.load_settings(tenant_id), wire.SETTINGS_LOAD, tenant_id, doing)


@contextmanager
def _writing(tenant_id: str) -> Iterator[None]:
    """Around every write: afterwards (even after a failure) the tenant listing never serves
    this tenant from a listing that may predate the write."""
    try:
        yield
    finally:
        listing.forget(tenant_id)


def _write(
    tenant_id: str,
    send: Callable[[client.TenantApi], object],
    shape: wire.Shape[wire.Written],
    *,
    doing: str,
    what: str,
    made: Callable[[str], bool],
) -> None:
    """One write the SDK sends without reading its answer: the answer is read here. One that
    is not understood is settled by loading what Descope holds: `made(doing)` true, and the
    write counts as done (logged); false, or the load failing, and the error says so.

    `what` names the change for messages (``its tenant fields``).
    """
    api = client.management().tenant
    with _writing(tenant_id):
        try:
            calls.send(lambda: sdk_http.reply_of(api, send), shape, doing=doing, asked=tenant_id)
            return
        except AnswerNotUnderstood as exc:
            unclear = exc
    checking = f"check whether {_quoted(tenant_id)} holds the change"
    try:
        done = made(checking)
    except DescopeApiError as check:
        raise unclear.told(
            f"Loading the tenant to see whether the change of {what} was made failed too "
            f"({errors.answer_of(check)}), so it is not known whether it was; `pulumi refresh` "
            "then records what Descope holds."
        ) from None
    if not done:
        raise unclear.told(
            f"Loading the tenant shows Descope does not hold the change of {what}: it was not made."
        ) from None
    log.warning(
        "%s: Descope's answer to %s was not understood (%s), but loading the tenant shows the "
        "change of %s was made.",
        _quoted(tenant_id),
        unclear.call,
        unclear.excerpt,
        what,
    )


def _holds_fields(spec: TenantSpec, doing: str) -> bool:
    """Whether Descope holds the tenant fields `spec` declares."""
    loaded = _load(spec.id, doing)
    if loaded is None:
        return False
    held, wanted = (
        comparable(tenant_state(loaded, settings=None, sso_setup=None, flags={})[0]),
        (comparable(tenant_props(spec))),
    )
    return all(same(held[k], wanted[k]) for k in TENANT_FIELDS if not unmanaged(wanted, k))


def _holds_settings(spec: TenantSpec, doing: str, domains: list[str], auth_type: str) -> bool:
    """Whether Descope holds the settings `spec` declares, with the `domains` and `auth_type`
    that were sent (the SSO configuration's own where it owns them)."""
    assert spec.settings is not None  # callers check
    loaded = _load_settings(spec.id, doing)
    wanted = {**spec.settings.canonical(), "domains": domains, "authType": auth_type}
    return loaded is not None and same(
        settings_comparable(settings_from_descope(loaded)), settings_comparable(wanted)
    )


def send_tenant(spec: TenantSpec, doing: str) -> None:
    """Write the tenant fields we manage with Descope's PATCH, which changes only the keys sent.

    Every managed field is sent, so the tenant ends as desired whatever it held; nothing we do
    not manage is sent, so ``federatedAppIds``, ``parent`` (no update changes it) and an
    undeclared ``roleInheritance`` stay as Descope holds them. (The full-replace update wipes
    omitted fields, and the Python SDK's never sends ``roleInheritance``.)
    """
    with references.attribute_refusals(spec.id, spec.customAttributes):
        _write(
            spec.id,
            lambda api: api.patch_tenant(
                spec.id,
                name=spec.name,
                self_provisioning_domains=list(spec.selfProvisioningDomains),
                custom_attributes=dict(spec.customAttributes),
                enforce_sso=spec.enforceSSO,
                enforce_sso_exclusions=list(spec.enforceSSOExclusions),
                disabled=spec.disabled,
                role_inheritance=spec.roleInheritance,
            ),
            wire.TENANT_PATCHED,
            doing=doing,
            what="its tenant fields",
            made=lambda checking: _holds_fields(spec, checking),
        )


def send_settings(
    spec: TenantSpec, current: Mapping[str, Any] | None, doing: str, *, sso_managed: bool
) -> tuple[list[str], str]:
    """The settings endpoint zeroes what it is not sent: send every setting, and the tenant
    fields it shares (domains, enforceSSO, ...) as desired. ``federatedAppIds`` is not ours:
    never sent (None), so Descope keeps it.

    `current` is the settings Descope holds right now (loaded just before by the caller; None
    for a tenant this call created). Its ``ssoSetupSuiteSettings`` are not ours: sent back
    unchanged; with `sso_managed`, neither are ``domains`` and ``authType`` (the tenant's SSO
    configuration owns them). Returns the domains and auth type sent."""
    settings = spec.settings
    assert settings is not None  # callers check; narrows for mypy
    held = current or {}
    sso_setup = held.get("ssoSetupSuiteSettings")
    sso = _PassThrough(sso_setup) if isinstance(sso_setup, Mapping) else None
    domains: list[str] = list(settings.domains)
    auth_type: str = settings.authType
    if sso_managed:
        domains = [str(d) for d in held.get("domains") or []]
        auth_type = str(held.get("authType") or "none")
    _write(
        spec.id,
        lambda api: api.update_settings(
            spec.id,
            self_provisioning_domains=list(spec.selfProvisioningDomains),
            domains=domains,
            auth_type=auth_type,
            session_settings_enabled=settings.session_settings_enabled,
            refresh_token_expiration=settings.refreshTokenExpiration,
            refresh_token_expiration_unit=settings.refreshTokenExpirationUnit,
            session_token_expiration=settings.sessionTokenExpiration,
            session_token_expiration_unit=settings.sessionTokenExpirationUnit,
            stepup_token_expiration=settings.stepupTokenExpiration,
            stepup_token_expiration_unit=settings.stepupTokenExpirationUnit,
            enable_inactivity=settings.enableInactivity,
            inactivity_time=settings.inactivityTime,
            inactivity_time_unit=settings.inactivityTimeUnit,
            JITDisabled=settings.JITDisabled,
            sso_setup_suite_settings=sso,
            enforce_sso=spec.enforceSSO,
            enforce_sso_exclusions=list(spec.enforceSSOExclusions),
            federated_app_ids=None,
        ),
        wire.SETTINGS_WRITTEN,
        doing=doing,
        what="its settings",
        made=lambda checking: _holds_settings(spec, checking, domains, auth_type),
    )
    return domains, auth_type


def send_roles(spec: TenantSpec, doing: str, own: list[str]) -> None:
    """Write the default roles; those naming the tenant's own roles not created yet are left
    to those roles (`providers.references`)."""
    roles = references.default_roles_to_send(spec.id, spec.defaultRoles, own, doing)

    def holds(checking: str) -> bool:
        loaded = _load(spec.id, checking)
        return loaded is not None and as_set(loaded.get("defaultRoles")) == as_set(roles)

    _write(
        spec.id,
        lambda api: api.update_default_roles(spec.id, roles),
        wire.ROLES_WRITTEN,
        doing=doing,
        what="its default roles",
        made=holds,
    )


def _confirmed_gone(tenant_id: str) -> bool:
    """After an error that reads like "not found": is the tenant really gone?

    `DescopeApiError.is_not_found` goes by the error's words, and Descope says "not found"
    about other things too (``Role 'x' not found``). A load by id settles it; if the load
    fails as well, the tenant is not known to be gone.
    """
    try:
        return _load(tenant_id, f"check whether {_quoted(tenant_id)} still exists") is None
    except DescopeApiError:
        return False


def _delete(tenant_id: str, cascade: bool, doing: str, snapshot: Path) -> None:
    """Delete; a tenant already gone (confirmed by a load) counts as deleted, so the call is
    safe to repeat. An answer not understood is settled by a load: gone is done; still there,
    or not loadable, is an error naming the snapshot already taken."""
    api = client.management().tenant
    try:
        with _writing(tenant_id):
            calls.send(
                lambda: sdk_http.reply_of(api, lambda t: t.delete(tenant_id, cascade=cascade)),
                wire.TENANT_DELETED,
                doing=doing,
                asked=tenant_id,
            )
    except AnswerNotUnderstood as exc:
        try:
            gone = _load(tenant_id, f"check whether {_quoted(tenant_id)} was deleted") is None
        except DescopeApiError as check:
            raise exc.told(
                f"Loading it to see whether it was deleted failed too ({errors.answer_of(check)}),"
                f" so it is not known whether it was. What it held is saved in {snapshot}."
            ) from None
        if not gone:
            raise exc.told(
                f"Loading it shows it still exists: it was not deleted. What it holds is saved "
                f"in {snapshot}."
            ) from None
        log.warning(
            "%s: Descope's answer to the delete was not understood (%s), but the tenant is gone.",
            _quoted(tenant_id),
            exc.excerpt,
        )
    except DescopeApiError as exc:
        if not (exc.is_not_found and _confirmed_gone(tenant_id)):
            raise
        log.info("%s was already gone", _quoted(tenant_id))


def created(spec: TenantSpec, held: Mapping[str, Any], *, sso_managed: bool) -> CreateResult:
    """The result for a tenant that now holds `spec`; `held` gives what only Descope knows
    (federatedAppIds, and authType and domains when settings are not managed)."""
    settings = spec.settings.canonical() if spec.settings is not None else None
    sso = wire.SSO_SETUP_SUITE_DEFAULTS if settings is not None else None
    flags = {**spec.model_dump(), SSO_MANAGED_KEY: sso_managed}
    _, outputs = tenant_state(held, settings=settings, sso_setup=sso, flags=flags)
    if settings is not None and not sso_managed:
        outputs["authType"] = settings["authType"]
        outputs["domains"] = list(settings["domains"])
    return CreateResult(spec.id, outputs)


def roll_back(backup_dir: str, tenant_id: str, step: str, cause: DescopeApiError) -> NoReturn:
    """Delete the tenant this create made, snapshotting it first: should the tenant not
    be ours after all, nothing is lost. If that fails too, say exactly what is left."""
    doing = f"delete {_quoted(tenant_id)} again"

    def undo() -> None:
        tenant = _load(tenant_id, doing)
        if tenant is None:
            return
        try:
            settings = _load_settings(tenant_id, doing)
        except DescopeApiError as exc:
            # Often the very step that failed; the tenant is ours and fresh (this call
            # made it). Snapshot what could be loaded rather than leave it behind.
            log.info("Snapshot of %s without its settings: %s", _quoted(tenant_id), exc)
            settings = None
        path = take_snapshot(backup_dir, tenant_id, "delete", tenant, settings, outcome="")
        _delete(tenant_id, cascade=False, doing=doing, snapshot=path)

    raise rolled_back(
        cause,
        undo,
        failed=lambda rollback: errors.rollback_failed(tenant_id, step, cause, rollback),
        undone=lambda: errors.create_rolled_back(step, cause),
        undo_errors=(DescopeApiError, SnapshotRefused),
    )


def adopt(
    backup_dir: str,
    spec: TenantSpec,
    existing: dict[str, Any],
    doing: str,
    own: list[str],
    *,
    sso_managed: bool,
) -> CreateResult:
    """Snapshot the existing tenant, then change only what differs from the desired state."""
    with errors.when_not_understood(NOTHING_CHANGED):
        loaded_settings = _load_settings(spec.id, doing)
    path = take_snapshot(backup_dir, spec.id, "adopt", existing, loaded_settings)
    flags = {**spec.model_dump(), SSO_MANAGED_KEY: sso_managed}
    desired = {**tenant_props(spec), SSO_MANAGED_KEY: sso_managed}
    current_settings = settings_from_descope(loaded_settings or {}) if spec.settings else None
    current, _ = tenant_state(existing, settings=current_settings, sso_setup=None, flags=flags)
    changed = changed_keys(current, desired)
    if PARENT_KEY in changed:
        raise sub_tenants.adopt_parent_differs(spec.id, spec.parent, existing.get(PARENT_KEY))
    sso = (loaded_settings or {}).get("ssoSetupSuiteSettings")
    try:
        if any(k in changed for k in TENANT_FIELDS):
            send_tenant(spec, doing)
        if "settings" in changed:
            send_settings(spec, loaded_settings, doing, sso_managed=sso_managed)
        if "defaultRoles" in changed:
            send_roles(spec, doing, own)
    except DescopeApiError as exc:
        raise errors.adopt_incomplete(spec.id, str(path), exc) from None
    # Descope now holds the desired fields; what only Descope knows (federatedAppIds) is
    # in `existing`. As after an update, no need to load it again.
    final = {**existing, **wire_fields(spec)}
    result = created(spec, final, sso_managed=sso_managed)
    if spec.settings is not None and result.outs is not None and isinstance(sso, Mapping):
        result.outs["ssoSetupSuiteSettings"] = wire.sso_setup_suite(sso)
    return result


def take_snapshot(
    backup_dir: str,
    tenant_id: str,
    reason: Literal["delete", "adopt"],
    tenant: Mapping[str, Any],
    settings: Mapping[str, Any] | None,
    *,
    outcome: str = NOTHING_CHANGED,
) -> Path:
    """Save what Descope holds (loaded and understood) before `reason`; a backups folder
    that cannot take it refuses the step (`providers.resource.snapshot_before`)."""
    return snapshot_before(
        backup_dir,
        refusing=reason,
        subject=_quoted(tenant_id),
        kind="tenant",
        resource_id=tenant_id,
        reason=reason,
        content={"tenant": dict(tenant), "settings": dict(settings) if settings else None},
        outcome=outcome,
    )


def written_before(written: list[str]) -> str:
    """What an update wrote before a later step failed, as a sentence ("" when nothing)."""
    if not written:
        return ""
    return (
        f"Before that, {' and '.join(written)} were written; the next `pulumi up` writes the rest."
    )
