"""Descope tenants as a Pulumi dynamic resource.

The resource's properties are the tenant as `model.tenant.TenantSpec` declares it, in
Descope's camelCase vocabulary, with one exception: the tenant id is the property
``tenantId``. Pulumi reserves ``id`` on custom resources (the engine drops or rejects an
``id`` input: pulumi/pulumi#6335, #14501), and the resource's own id *is* the tenant id, so
``tenant.id`` and ``tenant.tenantId`` hold the same value.

Properties (inputs, recorded in state canonical: every key present, defaults filled in):

=========================  =======================================================  ========
key                        meaning                                                  change
=========================  =======================================================  ========
tenantId                   the tenant id                                            replace
name                       display name, unique in the project                      update
selfProvisioningDomains    email domains whose users join the tenant                update
customAttributes           tenant custom attributes                                 update
enforceSSO                 require SSO                                              update
enforceSSOExclusions       user ids exempt from enforceSSO                          update
disabled                   tenant disabled                                          update
defaultRoles               roles given to new members                               update
settings                   session/SSO settings; absent or None = not managed       update
adopt                      on create, manage an existing tenant with this id        state
cascadeDelete              on delete, also delete sub-tenants and tenant data       state
attributeDefinitionsDigest digest of the used tenantAttributes (optional)       ignored
attributeDefinitions       the definitions themselves (older states; optional)      ignored
ownRoles                   names of the tenant's own roles (optional)               ignored
ssoManaged                 the tenant's SSO (``sso:``) owns settings.domains and    state
                           settings.authType: settings writes send back what
                           Descope holds for them, and they are not compared
ssoCustomer                the customer manages the tenant's SSO (``sso:            state
                           {managedBy: customer}``): a delete's output counts its
                           configurations as customer-managed
codeSsoIds                 ssoIds of the SSO configurations the code manages        ignored
                           (optional): an id change leaves them to their resources
previousId                 the id before an id change (optional): the create        ignored
                           makes the old tenant's roles and undeclared SSO again
=========================  =======================================================  ========

A delete snapshots the tenant as a unit, with everything Descope deletes with it (its SSO
configurations, tenant roles and, with cascadeDelete, sub-tenants), and an id change carries
the roles and undeclared SSO configurations over: see `providers.tenant_unit`.

Outputs add what Descope adds: ``authType`` and ``domains`` (as the tenant holds them),
``federatedAppIds`` and ``ssoSetupSuiteSettings`` (None unless settings are managed). Nothing
that only a load can tell (``createdTime``, ``parent``) is recorded: a create's outputs come
from what it wrote, so a create costs no load. "state" changes are recorded without any call
to Descope.

Every answer is read through its wire shape (`providers.wire`) before it is used. An answer
that does not fit is never acted on: a load or a settings load that is not understood stops a
delete or an adopt before anything changes (nothing is deleted or adopted without a snapshot of
content that fitted); a write whose answer is not understood counts as done only when loading
the tenant shows the change, else the operation fails saying what was and was not written.
"Ignored" inputs are never sent and never make a change (`providers.references`: check
judges the custom attributes against the definitions; default roles naming the tenant's own
roles are written once those roles exist).

Replacement deletes before it creates (``delete_before_replace``): tenant names are unique
in a project, so creating the new tenant while the old one, with the same name, still exists
would fail. The old tenant is snapshotted to the backups folder before it goes.

The provider object is pickled into every resource's state: it holds only the stack's name.
Credentials and the backup folder are read at run time from the stack config (`configure`)
or the environment, through `providers.client` and `providers.runtime`. One instance serves up
to four calls at once; it keeps no per-call state on itself.

API calls per operation (a tenant with managed settings and no default roles; the bench,
``python -m bench``, counts them):

=====================  =====================================================================
operation              calls
=====================  =====================================================================
create                 create + settings (+ default roles when there are some); a later
                       step failing: load + load settings (snapshot) + delete
read, alone            load settings + load
read, in a refresh     load settings + a share of one tenant listing (`providers.listing`):
                       about 1 + 1/N per tenant for N tenants instead of 2
update                 per part that changed: tenant fields = one PATCH; settings = load
                       settings (to send ssoSetupSuiteSettings back as held) + settings
                       write; default roles = one write
delete                 load + load settings + SSO load (all) + role search (one snapshot of
                       the tenant and all that goes with it, `providers.tenant_unit`) +
                       delete; with cascadeDelete, a tenant listing and per sub-tenant a
                       settings load and an SSO load more
adopt                  load + load settings (snapshot), the writes needed (PATCH, settings,
                       default roles); no load back, no settings load before the write
id change (replace)    diff: one SSO load of the old tenant (can its SSO move?); then the
                       delete above, the create, and per moved role a create, per moved SSO
                       configuration a configure (a further one: new + configure)
=====================  =====================================================================

An update or delete that fails with an error reading "not found" makes one more load, to
confirm the tenant is gone before saying so (`_confirmed_gone`). A create whose answer is lost
or not understood loads the tenant and its settings to see whether it is ours (`_claim`); a
write whose answer is not understood makes one load to see whether it was made (`_write`).
A create the engine makes again because a run stopped before recording its result
(`providers.calls.RESUMED_CREATE_KEY`) judges the tenant it finds by the same rule, from the
time that first create began, and also takes as ours a tenant holding everything the
configuration declares (that create went on to set its settings and default roles).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from model.tenant import RESOURCE_OPTION_KEYS, SessionSettings, TenantSpec, tenant_problems
from model.text import nfc
from providers import backups, calls, client, errors, listing, references, tenant_unit, wire
from providers.errors import (
    NOTHING_CHANGED,
    AnswerNotUnderstood,
    DescopeApiError,
    SnapshotRefused,
)
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "FLAG_KEYS",
    "ID_KEY",
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "REPLACE_KEYS",
    "Tenant",
    "TenantProvider",
    "comparable",
    "registered_name",
    "settings_from_descope",
    "tenant_props",
]

log = logging.getLogger(__name__)

PROVIDER_KEY = "__provider"
ID_KEY = "tenantId"
TENANT_FIELDS = (
    "name",
    "selfProvisioningDomains",
    "customAttributes",
    "enforceSSO",
    "enforceSSOExclusions",
    "disabled",
)
"""The tenant fields we manage, all written at once by Descope's PATCH (`_send_tenant`)."""
SSO_MANAGED_KEY = "ssoManaged"
SSO_CUSTOMER_KEY = "ssoCustomer"
FLAG_KEYS = ("adopt", "cascadeDelete", SSO_MANAGED_KEY, SSO_CUSTOMER_KEY)
"""Management flags: recorded in state, never sent to Descope."""
SSO_OWNED = ("domains", "authType")
"""Settings the default SSO configuration owns when the tenant declares ``sso:``
(`model.sso.SSO_OWNED_SETTINGS`): with ``ssoManaged`` they are sent back as Descope holds them."""
INPUT_KEYS = (ID_KEY, *TENANT_FIELDS, "defaultRoles", "settings", *FLAG_KEYS)
OUTPUT_ONLY_KEYS = (
    "authType",
    "domains",
    "federatedAppIds",
    "ssoSetupSuiteSettings",
)
REPLACE_KEYS = (ID_KEY,)
_SET_LIKE = ("selfProvisioningDomains", "enforceSSOExclusions", "defaultRoles")
"""Lists whose order means nothing (the model forbids duplicates): compared as sets."""
_LIFETIMES = (
    ("sessionTokenExpiration", "sessionTokenExpirationUnit"),
    ("refreshTokenExpiration", "refreshTokenExpirationUnit"),
    ("stepupTokenExpiration", "stepupTokenExpirationUnit"),
    ("inactivityTime", "inactivityTimeUnit"),
)


# --- inputs: the model's form and the resource's form ---------------------------------------


def tenant_props(spec: TenantSpec | Mapping[str, Any]) -> dict[str, Any]:
    """The resource's input properties for a tenant (``id`` becomes ``tenantId``).

    A `TenantSpec` gives its canonical form; a mapping (which may hold Pulumi outputs) is
    passed through for `check` to validate. ``protect`` and ``retainOnDelete`` are resource
    options, not properties.
    """
    data = spec.canonical() if isinstance(spec, TenantSpec) else dict(spec)
    for key in RESOURCE_OPTION_KEYS:
        data.pop(key, None)
    if "id" in data:
        data[ID_KEY] = data.pop("id")
    return {ID_KEY: data.pop(ID_KEY, None), **data}


def _model_data(props: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a property bag the model validates, keyed as the model keys it."""
    data = {
        k: v
        for k, v in props.items()
        if k not in (PROVIDER_KEY, SSO_MANAGED_KEY, SSO_CUSTOMER_KEY)
        and k not in references.SIDE_KEYS
        and not (k in OUTPUT_ONLY_KEYS and v is None)
    }
    if ID_KEY in data:
        data["id"] = data.pop(ID_KEY)
    return data


def _property_of(path: tuple[str | int, ...], message: str) -> str:
    """The top-level property a problem belongs to (model-level rules name it first)."""
    if path:
        return ID_KEY if path[0] == "id" else str(path[0])
    first_word = message.split(" ", 1)[0]
    return first_word if first_word in INPUT_KEYS else ""


def _spec(props: Mapping[str, Any], doing: str) -> TenantSpec:
    data = _model_data(props)
    problems = tenant_problems(data)
    if problems:
        raise errors.invalid_inputs(
            doing, [(_property_of(p.path, p.message), p.message) for p in problems]
        )
    return TenantSpec.model_validate(data)


# --- normalisation: what Descope would hold --------------------------------------------------


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in sorted(value.items())}
    return _number(value)


def _as_set(value: Any) -> list[str]:
    return sorted({str(v) for v in value or []})


def _settings_comparable(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Settings as Descope returns them, whichever side they come from (0 and "" = unset)."""
    if settings is None:
        return None
    out: dict[str, Any] = {
        "domains": _as_set(settings.get("domains")),
        "authType": settings.get("authType") or "none",
        "enableInactivity": bool(settings.get("enableInactivity")),
        "JITDisabled": bool(settings.get("JITDisabled")),
    }
    for value_key, unit_key in _LIFETIMES:
        out[value_key] = _number(settings.get(value_key)) or None
        out[unit_key] = settings.get(unit_key) or None
    return out


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs or outputs reduced to what matters, as Descope would return it.

    Missing keys take their defaults, whole floats become ints, set-like lists are sorted,
    unset lifetimes are None, the name and the default roles' names are in NFC
    (`model.text.nfc`: a name Descope holds with combining accents is the declared name). Two
    property bags describe the same tenant exactly when their comparable forms serialise alike
    (`_same`).
    """
    settings = props.get("settings")
    return {
        ID_KEY: str(props.get(ID_KEY) or ""),
        "name": nfc(str(props.get("name") or "")),
        "selfProvisioningDomains": _as_set(props.get("selfProvisioningDomains")),
        "customAttributes": _json_value(props.get("customAttributes") or {}),
        "enforceSSO": bool(props.get("enforceSSO")),
        "enforceSSOExclusions": _as_set(props.get("enforceSSOExclusions")),
        "disabled": bool(props.get("disabled")),
        "defaultRoles": _as_set(nfc(str(r)) for r in props.get("defaultRoles") or []),
        "settings": _settings_comparable(settings if isinstance(settings, Mapping) else None),
        "adopt": bool(props.get("adopt")),
        "cascadeDelete": bool(props.get("cascadeDelete")),
        SSO_MANAGED_KEY: bool(props.get(SSO_MANAGED_KEY)),
        SSO_CUSTOMER_KEY: bool(props.get(SSO_CUSTOMER_KEY)),
    }


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    old, new = comparable(olds), comparable(news)
    if new[SSO_MANAGED_KEY]:  # not this resource's: whatever Descope holds is right
        for settings in (old["settings"], new["settings"]):
            for key in SSO_OWNED if settings is not None else ():
                settings.pop(key, None)
    changed = [k for k in INPUT_KEYS if k != "settings" and not _same(old[k], new[k])]
    if new["settings"] is not None and not _same(old["settings"], new["settings"]):
        changed.append("settings")
    return changed


# --- Descope's form -> ours ------------------------------------------------------------------


_CUSTOM_LIFETIMES = _LIFETIMES[:3]
"""The lifetimes Descope's ``enabled`` flag switches on and off (inactivity has its own)."""


def settings_from_descope(loaded: Mapping[str, Any]) -> dict[str, Any]:
    """The settings as `SessionSettings.canonical()` writes them, from the settings endpoint.

    With ``enabled`` false (absent counts as false, as proto3 JSON may omit it) Descope
    ignores the session, refresh and stepup lifetimes it still stores: they read as unset,
    so turning custom lifetimes off in the console shows as drift. The provider sends
    ``enabled`` true exactly when one of them is set (`SessionSettings.session_settings_enabled`).
    A lifetime without its unit (or a unit without a value) reads as unset, as the model
    requires both or neither. Used by refresh and by ``python -m ops export`` alike.
    """
    out: dict[str, Any] = {
        "domains": list(loaded.get("domains") or []),
        "authType": loaded.get("authType") or "none",
    }
    enabled = bool(loaded.get("enabled"))
    for value_key, unit_key in _LIFETIMES:
        ignored = not enabled and (value_key, unit_key) in _CUSTOM_LIFETIMES
        value, unit = _number(loaded.get(value_key)) or None, loaded.get(unit_key) or None
        paired = value is not None and unit is not None
        out[value_key] = value if paired and not ignored else None
        out[unit_key] = unit if paired and not ignored else None
    out["enableInactivity"] = bool(loaded.get("enableInactivity"))
    out["JITDisabled"] = bool(loaded.get("JITDisabled"))
    return {key: out[key] for key in SessionSettings.model_fields}


def _state(
    tenant: Mapping[str, Any],
    *,
    settings: Mapping[str, Any] | None,
    sso_setup: Any,
    flags: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(inputs, outputs) for a tenant as Descope holds it; `settings` None = not managed."""
    inputs: dict[str, Any] = {
        ID_KEY: str(tenant.get("id", "")),
        "name": tenant.get("name") or "",
        "selfProvisioningDomains": list(tenant.get("selfProvisioningDomains") or []),
        "customAttributes": _json_value(tenant.get("customAttributes") or {}),
        "enforceSSO": bool(tenant.get("enforceSSO")),
        "enforceSSOExclusions": list(tenant.get("enforceSSOExclusions") or []),
        "disabled": bool(tenant.get("disabled")),
        "defaultRoles": list(tenant.get("defaultRoles") or []),
        "settings": dict(settings) if settings is not None else None,
        "adopt": bool(flags.get("adopt")),
        "cascadeDelete": bool(flags.get("cascadeDelete")),
        SSO_MANAGED_KEY: bool(flags.get(SSO_MANAGED_KEY)),
        SSO_CUSTOMER_KEY: bool(flags.get(SSO_CUSTOMER_KEY)),
    }
    outputs = {
        **inputs,
        "authType": tenant.get("authType") or "none",
        "domains": list(tenant.get("domains") or []),
        "federatedAppIds": list(tenant.get("federatedAppIds") or []),
        "ssoSetupSuiteSettings": wire.sso_setup_suite(sso_setup) if settings is not None else None,
    }
    return inputs, outputs


def _wire_fields(spec: TenantSpec) -> dict[str, Any]:
    """The fields our writes set (tenant PATCH, default roles), as Descope's load returns them."""
    return {
        "id": spec.id,
        "name": spec.name,
        "selfProvisioningDomains": list(spec.selfProvisioningDomains),
        "customAttributes": dict(spec.customAttributes),
        "enforceSSO": spec.enforceSSO,
        "enforceSSOExclusions": list(spec.enforceSSOExclusions),
        "disabled": spec.disabled,
        "defaultRoles": list(spec.defaultRoles),
    }


class _PassThrough:
    """Hands a stored ``ssoSetupSuiteSettings`` dict to the SDK, which wants `.to_dict()`."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


# --- calls -----------------------------------------------------------------------------------


def _quoted(tenant_id: str) -> str:
    return f'Descope tenant "{tenant_id}"'


def _project_or_none() -> str | None:
    try:
        return client.current_settings().project_id
    except errors.ConfigurationError:
        return None


def _get_or_none(
    fetch: Callable[[], object], shape: wire.Shape[Any], tenant_id: str, doing: str
) -> dict[str, Any] | None:
    """A GET by tenant id (repeatable), read through `shape`; None when Descope says the tenant
    does not exist. An answer that does not fit raises `AnswerNotUnderstood`: it never reads as
    a missing or an empty tenant."""
    try:
        loaded: wire.Answer = calls.ask(fetch, shape, doing=doing, asked=tenant_id)
    except DescopeApiError as exc:
        if exc.is_not_found:
            return None
        raise
    return loaded.wire()


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
            calls.send(lambda: client.reply_of(api, send), shape, doing=doing, asked=tenant_id)
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
        comparable(_state(loaded, settings=None, sso_setup=None, flags={})[0]),
        (comparable(tenant_props(spec))),
    )
    return all(_same(held[key], wanted[key]) for key in TENANT_FIELDS)


def _holds_settings(spec: TenantSpec, doing: str, domains: list[str], auth_type: str) -> bool:
    """Whether Descope holds the settings `spec` declares, with the `domains` and `auth_type`
    that were sent (the SSO configuration's own where it owns them)."""
    assert spec.settings is not None  # callers check
    loaded = _load_settings(spec.id, doing)
    wanted = {**spec.settings.canonical(), "domains": domains, "authType": auth_type}
    return loaded is not None and _same(
        _settings_comparable(settings_from_descope(loaded)), _settings_comparable(wanted)
    )


def _send_tenant(spec: TenantSpec, doing: str) -> None:
    """Write the tenant fields we manage with Descope's PATCH, which changes only the keys sent.

    Every managed field is sent, so the tenant ends as desired whatever it held; nothing we do
    not manage is sent, so ``federatedAppIds``, ``roleInheritance`` and ``parent`` stay as
    Descope holds them. (The full-replace update would need all of them: it wipes omitted
    fields, and the Python SDK never sends ``roleInheritance``.)
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
            ),
            wire.TENANT_PATCHED,
            doing=doing,
            what="its tenant fields",
            made=lambda checking: _holds_fields(spec, checking),
        )


def _send_settings(
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


def _send_roles(spec: TenantSpec, doing: str, own: list[str]) -> None:
    """Write the default roles; those naming the tenant's own roles not created yet are left
    to those roles (`providers.references`)."""
    roles = references.default_roles_to_send(spec.id, spec.defaultRoles, own, doing)

    def holds(checking: str) -> bool:
        loaded = _load(spec.id, checking)
        return loaded is not None and _as_set(loaded.get("defaultRoles")) == _as_set(roles)

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
                lambda: client.reply_of(api, lambda t: t.delete(tenant_id, cascade=cascade)),
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


def _create_call(spec: TenantSpec, doing: str) -> None:
    """POST create, once: a create is not safe to repeat blindly. Its answer must be
    ``{"id": <the id sent>}``."""
    api = client.management().tenant
    with _writing(spec.id), references.attribute_refusals(spec.id, spec.customAttributes):
        calls.ask(
            lambda: api.create(
                spec.name,
                id=spec.id,
                self_provisioning_domains=list(spec.selfProvisioningDomains),
                custom_attributes=dict(spec.customAttributes) or None,
                enforce_sso=spec.enforceSSO,
                enforce_sso_exclusions=list(spec.enforceSSOExclusions) or None,
                disabled=spec.disabled,
            ),
            wire.TENANT_CREATED,
            doing=doing,
            asked=spec.id,
            repeatable=False,
        )


CREATE_CLOCK_SKEW = 120
"""Seconds Descope's clock may run behind ours. A tenant found after a create whose answer
was lost counts as made by that create only if its ``createdTime`` (Unix seconds, Descope's
clock) is no earlier than the moment we started creating, less this allowance, and it holds
exactly what the create sent (`_fresh_as_sent`)."""


def _recent(existing: Mapping[str, Any], started: float) -> bool:
    created_time = existing.get("createdTime")
    if isinstance(created_time, bool) or not isinstance(created_time, int | float):
        return False
    return created_time >= started - CREATE_CLOCK_SKEW


_FRESH_SETTINGS = _settings_comparable(SessionSettings().canonical())
"""The settings of a tenant nobody has set settings on."""


def _fresh_as_sent(
    spec: TenantSpec, existing: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> bool:
    """Whether Descope holds exactly what a create of `spec` sends, and nothing since: the
    fields sent, and a new tenant's defaults for everything else (no settings, default roles,
    federated apps, parent or SSO setup suite)."""
    if settings is None:
        return False
    held = comparable(_state(existing, settings=None, sso_setup=None, flags={})[0])
    sent = comparable({**tenant_props(spec), "defaultRoles": []})
    sso_setup = settings.get("ssoSetupSuiteSettings")
    return (
        all(_same(held[key], sent[key]) for key in (*TENANT_FIELDS, "defaultRoles"))
        and not existing.get("federatedAppIds")
        and not existing.get("parent")
        and _same(_settings_comparable(settings_from_descope(settings)), _FRESH_SETTINGS)
        and not (isinstance(sso_setup, Mapping) and sso_setup.get("enabled"))
    )


def _as_configured(
    spec: TenantSpec, existing: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> bool:
    """Whether Descope holds everything the configuration declares for the tenant."""
    managed = settings_from_descope(settings) if spec.settings and settings is not None else None
    if spec.settings is not None and managed is None:
        return False
    current, _ = _state(existing, settings=managed, sso_setup=None, flags=spec.model_dump())
    return not _changed_keys(current, tenant_props(spec))


def _created_further(
    spec: TenantSpec, existing: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> bool:
    """Whether Descope holds what a create of `spec` writes after the tenant itself: its
    settings (the default roles not written yet), or its settings and default roles."""
    before_roles = spec.model_copy(update={"defaultRoles": []})
    return _as_configured(before_roles, existing, settings) or _as_configured(
        spec, existing, settings
    )


def _claim(
    spec: TenantSpec,
    existing: Mapping[str, Any],
    started: float,
    cause: DescopeApiError,
    *,
    resumed: bool = False,
) -> None:
    """A tenant with our id exists after a create that failed or was not understood: return if
    it is the one our create made, else raise the adopt message (saying so when the tenant
    already holds exactly what the configuration declares: a run interrupted after creating it).

    Ours: created since `started` and holding exactly what the create sends; for a `resumed`
    create (the engine makes again a create whose result it never learnt; `started` is when
    that first create began) also one holding what that create wrote after it
    (`_created_further`): it went on to set the settings, and maybe the default roles, before
    the run stopped.
    """
    checking = f"check whether {_quoted(spec.id)} is the tenant this run created"
    with errors.when_not_understood(
        f'Tenant "{spec.id}" exists in Descope, but whether this run created it could not be '
        "checked; nothing else was changed. Run again."
    ):
        settings = _load_settings(spec.id, checking)
    if _recent(existing, started) and (
        _fresh_as_sent(spec, existing, settings)
        or (resumed and _created_further(spec, existing, settings))
    ):
        log.info("%s was created despite the error: %s", _quoted(spec.id), cause)
        return
    project = _project_or_none()
    if _as_configured(spec, existing, settings):
        raise errors.tenant_left_over(spec.id, project, cause) from None
    raise errors.tenant_already_exists(spec.id, project, cause) from None


def _name_holder(name: str, doing: str) -> str | None:
    """The id of the tenant holding `name`, if any (after a refused create: one search)."""
    api = client.management().tenant
    try:
        found = calls.ask(lambda: api.search_all(names=[name]), wire.TENANT_SEARCH, doing=doing)
    except DescopeApiError:
        return None
    return next((t.id for t in found.tenants if t.name == name), None)


def _create_tenant(spec: TenantSpec, doing: str) -> None:
    """Create the tenant, finding out what happened when Descope's answer was lost or odd.

    After an error (other than 401, 403 and 429, which Descope did not act on), or an answer
    that is not understood, the tenant is loaded. If it exists, it is ours only when `_claim`
    says so: after a 5xx or an unreadable answer (created, answer lost) or a 4xx (the SDK
    repeated a POST after a 503 and the repeat found the tenant the first one made). Any other
    existing tenant is someone else's: say so and how to adopt it. If absent, a 5xx or no answer
    is tried again (with backoff, bounded); a 4xx is re-raised; an unreadable answer is an
    error saying nothing was created.
    """
    policy = calls.current_policy()
    operation = calls.current_operation()
    resumed = operation.resumed_since if operation is not None else None
    started = time.time() if resumed is None else resumed
    attempt = 1
    checking = f"check whether {_quoted(spec.id)} exists"
    while True:
        try:
            _create_call(spec, doing)
            return
        except AnswerNotUnderstood as exc:
            try:
                existing = _load(spec.id, checking)
            except DescopeApiError as check:
                raise exc.told(
                    f"Loading the tenant to see whether it was created failed too "
                    f"({errors.answer_of(check)}): it may exist in Descope without being in "
                    "Pulumi's state. Run again: a tenant this run created is then recognised."
                ) from None
            if existing is None:
                raise exc.told(
                    "Loading the tenant shows it was not created. " + NOTHING_CHANGED
                ) from None
            _claim(spec, existing, started, exc, resumed=resumed is not None)
            return
        except DescopeApiError as exc:
            if exc.status in (401, 403, 429):
                raise
            existing = _load(spec.id, checking)
            if existing is not None:
                _claim(spec, existing, started, exc, resumed=resumed is not None)
                return
            if not exc.is_retryable:
                holder = _name_holder(spec.name, doing)
                if holder is not None:
                    raise errors.tenant_name_taken(spec.id, spec.name, holder, exc) from None
            if not exc.is_retryable or attempt >= policy.max_attempts:
                raise
            calls.sleep(calls.backoff_delay(policy, attempt))
            attempt += 1


class TenantProvider(DescopeProvider):
    """Creates, reads, updates and deletes one Descope tenant per resource.

    Thread-safe: no per-call state on the instance.
    """

    # --- check -------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs with the model's rules; one failure per bad top-level key.

        Values not known yet (preview) are not judged. Valid inputs come back canonical.
        """
        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        unknown = {k for k, v in props.items() if has_unknowns(v)}
        data = _model_data(props)
        failures: list[CheckFailure] = []
        seen: set[tuple[str, str]] = set()
        for problem in tenant_problems(data):
            key = _property_of(problem.path, problem.message)
            if key in unknown or (unknown and not problem.path):
                continue
            reason = problem.message
            if len(problem.path) > 1:
                reason = f"{problem.field}: {reason}"
            if (key, reason) not in seen:
                seen.add((key, reason))
                failures.append(CheckFailure(key, reason))
        if not failures and not unknown:
            failures = [CheckFailure(k, r) for k, r in references.side_problems(props)]
        if failures or unknown:
            return CheckResult(dict(props), failures)
        canonical = tenant_props(TenantSpec.model_validate(data))
        sso_flags = {key: bool(props.get(key)) for key in (SSO_MANAGED_KEY, SSO_CUSTOMER_KEY)}
        return CheckResult({**canonical, **references.side_inputs(props), **sso_flags}, [])

    # --- diff --------------------------------------------------------------------------------

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Compare the desired tenant with the recorded one (old outputs), both as Descope
        would hold them. A new tenant id replaces (delete first); all else updates in place."""
        news = {k: v for k, v in _news.items() if k != PROVIDER_KEY}
        olds = {k: v for k, v in _olds.items() if k != PROVIDER_KEY}
        if not olds.get(ID_KEY):
            olds[ID_KEY] = _id
        unknown = {k for k, v in news.items() if has_unknowns(v)}
        if unknown:
            # A preview with values not known yet: an update at least. Only the replace keys
            # (plain strings) are compared; `comparable` cannot take Unknowns.
            replaces = [
                k
                for k in REPLACE_KEYS
                if k in unknown or str(news.get(k) or "") != str(olds.get(k) or "")
            ]
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
        changed = _changed_keys(olds, news)
        replaces = [k for k in changed if k in REPLACE_KEYS]
        if replaces:
            tenant_unit.check_movable(
                str(olds[ID_KEY]), str(news.get(ID_KEY)), references.code_sso_ids(news)
            )
        stables = [k for k in INPUT_KEYS if k not in REPLACE_KEYS]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=stables,
            delete_before_replace=True,
        )

    # --- create ------------------------------------------------------------------------------

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the tenant, then its settings (if given) and default roles (if any).

        With ``adopt`` an existing tenant is snapshotted and brought to the desired state.
        If this call fails, the tenant has not been created: a tenant made before a later step
        failed is deleted again (snapshot first), or the error says exactly what is left.
        The outputs are derived from what was written: no load back.
        """
        result = self._create(props)
        if result.outs is not None:
            result.outs[SSO_CUSTOMER_KEY] = bool(props.get(SSO_CUSTOMER_KEY))
        return result

    def _create(self, props: dict[str, Any]) -> CreateResult:
        tenant_id = str(props.get(ID_KEY) or "")
        doing = f"create {_quoted(tenant_id)}"
        spec = _spec(props, doing)
        sso_managed = bool(props.get(SSO_MANAGED_KEY))
        if spec.adopt:
            with errors.when_not_understood(NOTHING_CHANGED):
                existing = _load(spec.id, doing)
            if existing is not None:
                return self._adopt(
                    spec, existing, doing, references.own_roles(props), sso_managed=sso_managed
                )
        _create_tenant(spec, doing)
        step = ""
        try:
            if spec.settings is not None:
                step = "setting its settings"
                _send_settings(spec, None, doing, sso_managed=sso_managed)
            if spec.defaultRoles:
                step = "setting its default roles"
                _send_roles(spec, doing, references.own_roles(props))
        except DescopeApiError as exc:
            self._roll_back(spec.id, step, exc)
            raise  # pragma: no cover - _roll_back always raises
        previous = props.get("previousId")
        if isinstance(previous, str) and previous != spec.id:
            tenant_unit.move(previous, spec.id, references.code_sso_ids(props))
        # Default roles naming own roles not created yet are added by those roles in this up.
        return self._created(spec, _wire_fields(spec), sso_managed=sso_managed)

    def _created(
        self, spec: TenantSpec, held: Mapping[str, Any], *, sso_managed: bool
    ) -> CreateResult:
        """The result for a tenant that now holds `spec`; `held` gives what only Descope knows
        (federatedAppIds, and authType and domains when settings are not managed)."""
        settings = spec.settings.canonical() if spec.settings is not None else None
        sso = wire.SSO_SETUP_SUITE_DEFAULTS if settings is not None else None
        flags = {**spec.model_dump(), SSO_MANAGED_KEY: sso_managed}
        _, outputs = _state(held, settings=settings, sso_setup=sso, flags=flags)
        if settings is not None and not sso_managed:
            outputs["authType"] = settings["authType"]
            outputs["domains"] = list(settings["domains"])
        return CreateResult(spec.id, outputs)

    def _roll_back(self, tenant_id: str, step: str, cause: DescopeApiError) -> None:
        """Delete the tenant this create made, snapshotting it first: should the tenant not
        be ours after all, nothing is lost. If that fails too, say exactly what is left."""
        doing = f"delete {_quoted(tenant_id)} again"
        try:
            tenant = _load(tenant_id, doing)
            if tenant is not None:
                try:
                    settings = _load_settings(tenant_id, doing)
                except DescopeApiError as exc:
                    # Often the very step that failed; the tenant is ours and fresh (this call
                    # made it). Snapshot what could be loaded rather than leave it behind.
                    log.info("Snapshot of %s without its settings: %s", _quoted(tenant_id), exc)
                    settings = None
                path = self._snapshot(tenant_id, "delete", tenant, settings, outcome="")
                _delete(tenant_id, cascade=False, doing=doing, snapshot=path)
        except (DescopeApiError, SnapshotRefused) as rollback:
            raise errors.rollback_failed(tenant_id, step, cause, rollback) from None
        raise errors.create_rolled_back(step, cause) from None

    def _adopt(
        self,
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
        path = self._snapshot(spec.id, "adopt", existing, loaded_settings)
        flags = {**spec.model_dump(), SSO_MANAGED_KEY: sso_managed}
        desired = {**tenant_props(spec), SSO_MANAGED_KEY: sso_managed}
        current_settings = settings_from_descope(loaded_settings or {}) if spec.settings else None
        current, _ = _state(existing, settings=current_settings, sso_setup=None, flags=flags)
        changed = _changed_keys(current, desired)
        sso = (loaded_settings or {}).get("ssoSetupSuiteSettings")
        try:
            if any(k in changed for k in TENANT_FIELDS):
                _send_tenant(spec, doing)
            if "settings" in changed:
                _send_settings(spec, loaded_settings, doing, sso_managed=sso_managed)
            if "defaultRoles" in changed:
                _send_roles(spec, doing, own)
        except DescopeApiError as exc:
            raise errors.adopt_incomplete(spec.id, str(path), exc) from None
        # Descope now holds the desired fields; what only Descope knows (federatedAppIds) is
        # in `existing`. As after an update, no need to load it again.
        final = {**existing, **_wire_fields(spec)}
        result = self._created(spec, final, sso_managed=sso_managed)
        if spec.settings is not None and result.outs is not None and isinstance(sso, Mapping):
            result.outs["ssoSetupSuiteSettings"] = wire.sso_setup_suite(sso)
        return result

    # --- read --------------------------------------------------------------------------------

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Load the tenant (and its settings, when managed) as Descope holds them now.

        Returns outputs and inputs both, so changes made outside Pulumi show as drift. A
        tenant that no longer exists returns ``ReadResult(None, {})``: refresh drops it. An
        answer that is not understood is an error: it never drops the tenant, nor changes
        what the state records.

        The tenant comes through `providers.listing`: a lone read loads it directly; reads
        that overlap (a refresh) share one listing of all tenants. The settings are loaded
        first, so the reads of a refresh overlap by the time they ask for their tenant.
        """
        tenant_id = str(id_ or props.get(ID_KEY) or "")
        doing = f"read {_quoted(tenant_id)}"
        with (
            listing.reading(),
            errors.when_not_understood(NOTHING_CHANGED + " The state is unchanged."),
        ):
            settings: dict[str, Any] | None = None
            sso: Any = None
            if props.get("settings") is not None:
                loaded_settings = _load_settings(tenant_id, doing)
                if loaded_settings is None:
                    return ReadResult(None, {})
                settings = settings_from_descope(loaded_settings)
                sso = loaded_settings.get("ssoSetupSuiteSettings")
            tenant = listing.tenant(
                tenant_id, doing=doing, load_one=lambda: _load(tenant_id, doing)
            )
        if tenant is None:
            return ReadResult(None, {})
        inputs, outputs = _state(tenant, settings=settings, sso_setup=sso, flags=props)
        return ReadResult(tenant_id, outputs, inputs)

    # --- update ------------------------------------------------------------------------------

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Send only what changed: every managed tenant field if any of them changed (one
        PATCH, which leaves what we do not manage, such as federatedAppIds and
        roleInheritance, as Descope holds it), the whole settings if they changed, the
        default roles if they changed. Management flags change in state only.

        Before a settings write the current settings are loaded: the endpoint zeroes what it
        is not sent, and ``ssoSetupSuiteSettings`` (not ours, edited in the console) must be
        sent back as Descope holds it now, not as the state last recorded it.

        A write whose answer is not understood counts as done only when loading the tenant
        shows the change; otherwise the update fails, saying what was and was not written."""
        olds = {k: v for k, v in _olds.items() if k != PROVIDER_KEY}
        tenant_id = str(olds.get(ID_KEY) or _id)
        doing = f"update {_quoted(tenant_id)}"
        spec = _spec(_news, doing)
        sso_managed = bool(_news.get(SSO_MANAGED_KEY))
        changed = _changed_keys({**olds, ID_KEY: tenant_id}, _news)
        sso = olds.get("ssoSetupSuiteSettings")
        written: list[str] = []
        sent: tuple[list[str], str] | None = None
        try:
            if any(k in changed for k in TENANT_FIELDS):
                _send_tenant(spec, doing)
                written.append("its tenant fields")
            if "settings" in changed:
                with errors.when_not_understood(_written_before(written) or NOTHING_CHANGED):
                    current = _load_settings(tenant_id, doing) or {}
                sso = current.get("ssoSetupSuiteSettings")
                sent = _send_settings(spec, current, doing, sso_managed=sso_managed)
                written.append("its settings")
            if "defaultRoles" in changed:
                _send_roles(spec, doing, references.own_roles(_news))
        except AnswerNotUnderstood as exc:
            before = _written_before(written)
            raise (exc.told(before) if before and before not in exc.outcome else exc) from None
        except DescopeApiError as exc:
            if exc.is_not_found and _confirmed_gone(tenant_id):
                raise errors.tenant_gone(doing, tenant_id, exc) from None
            raise
        outputs = {k: olds.get(k) for k in OUTPUT_ONLY_KEYS}
        outputs.update(tenant_props(spec))
        outputs[SSO_MANAGED_KEY] = sso_managed
        outputs[SSO_CUSTOMER_KEY] = bool(_news.get(SSO_CUSTOMER_KEY))
        if spec.settings is not None:
            if sent is not None:
                outputs["domains"], outputs["authType"] = sent
            elif not sso_managed:
                outputs["authType"] = spec.settings.authType
                outputs["domains"] = list(spec.settings.domains)
            outputs["ssoSetupSuiteSettings"] = wire.sso_setup_suite(sso)
        else:
            outputs["ssoSetupSuiteSettings"] = None
        return UpdateResult(outputs)

    # --- delete ------------------------------------------------------------------------------

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the tenant with everything Descope deletes with it (`providers.tenant_unit`:
        settings, every SSO configuration, every tenant role and, with cascadeDelete, the
        sub-tenants with theirs), then delete it (with ``cascade`` only when cascadeDelete is
        true). A tenant already gone counts as deleted. Nothing is deleted unless every part
        was loaded, understood and saved, in one snapshot, to the backups folder first; the
        warning says what went with the tenant."""
        tenant_id = str(_id or _props.get(ID_KEY) or "")
        doing = f"delete {_quoted(tenant_id)}"
        cascade = bool(_props.get("cascadeDelete"))
        with errors.when_not_understood(
            "The tenant was not deleted: nothing is deleted without a snapshot of what Descope "
            "holds."
        ):
            tenant = _load(tenant_id, doing)
            if tenant is None:
                log.warning("%s was already deleted outside Pulumi.", _quoted(tenant_id))
                return
            settings = _load_settings(tenant_id, doing)
        try:
            content = tenant_unit.gather(
                tenant_id, tenant, settings, cascade=cascade, load_settings=_load_settings
            )
        except DescopeApiError as exc:
            if exc.is_not_found and _confirmed_gone(tenant_id):
                log.warning("%s was already deleted outside Pulumi.", _quoted(tenant_id))
                return
            raise
        said = tenant_unit.summary(content, customer=bool(_props.get(SSO_CUSTOMER_KEY)))
        path = backups.snapshot_before(
            self.backup_dir,
            refusing="delete",
            subject=_quoted(tenant_id),
            kind="tenant",
            resource_id=tenant_id,
            reason="delete",
            content=content,
            project_id=_project_or_none(),
            warning=lambda saved: errors.unit_deleted(_quoted(tenant_id), said, str(saved)),
        )
        try:
            _delete(tenant_id, cascade=cascade, doing=doing, snapshot=path)
        except DescopeApiError as exc:
            if exc.status == 400:
                raise errors.tenant_delete_refused(exc) from None
            raise
        backups.remember_tenant_snapshot(tenant_id, path)

    def _snapshot(
        self,
        tenant_id: str,
        reason: Literal["delete", "adopt"],
        tenant: Mapping[str, Any],
        settings: Mapping[str, Any] | None,
        *,
        outcome: str = NOTHING_CHANGED,
    ) -> Path:
        """Save what Descope holds (loaded and understood) before `reason`; a backups folder
        that cannot take it refuses the step (`backups.snapshot_before`)."""
        return backups.snapshot_before(
            self.backup_dir,
            refusing=reason,
            subject=_quoted(tenant_id),
            kind="tenant",
            resource_id=tenant_id,
            reason=reason,
            content={"tenant": dict(tenant), "settings": dict(settings) if settings else None},
            project_id=_project_or_none(),
            outcome=outcome,
        )


def _written_before(written: list[str]) -> str:
    """What an update wrote before a later step failed, as a sentence ("" when nothing)."""
    if not written:
        return ""
    return (
        f"Before that, {' and '.join(written)} were written; the next `pulumi up` writes the rest."
    )


def registered_name(tenant_id: str) -> str:
    """The name the program registers a tenant under; with the type token, its identity (URN).

    A tenant whose id changes gets a new name, hence a new resource: the entry's ``previousId``
    makes the old name an alias, so the engine replaces the tenant instead."""
    return f"tenant-{tenant_id}"


class Tenant(pulumi.dynamic.Resource, module="descope", name="Tenant"):
    """A Descope tenant managed by Pulumi (type ``pulumi-python:dynamic/descope:Tenant``)."""

    tenantId: pulumi.Output[str]
    name: pulumi.Output[str]
    selfProvisioningDomains: pulumi.Output[list[str]]
    customAttributes: pulumi.Output[dict[str, Any]]
    enforceSSO: pulumi.Output[bool]
    enforceSSOExclusions: pulumi.Output[list[str]]
    disabled: pulumi.Output[bool]
    defaultRoles: pulumi.Output[list[str]]
    settings: pulumi.Output[dict[str, Any] | None]
    adopt: pulumi.Output[bool]
    cascadeDelete: pulumi.Output[bool]
    ssoManaged: pulumi.Output[bool]
    ssoCustomer: pulumi.Output[bool]
    authType: pulumi.Output[str]
    domains: pulumi.Output[list[str]]
    federatedAppIds: pulumi.Output[list[str]]
    ssoSetupSuiteSettings: pulumi.Output[dict[str, Any] | None]

    def __init__(
        self,
        resource_name: str,
        spec: TenantSpec | Mapping[str, Any],
        *,
        stack: str = "",
        attribute_definitions: Mapping[str, Any] | None = None,
        own_roles: Sequence[str] = (),
        sso_managed: bool = False,
        sso_customer: bool = False,
        code_sso_ids: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`attribute_definitions`, `own_roles` and `code_sso_ids` (the ssoIds of the SSO
        configurations the code manages): the side inputs (`providers.references`);
        `sso_managed`: the tenant declares ``sso:`` (see the ``ssoManaged`` property);
        `sso_customer`: as ``sso: {managedBy: customer}`` (``ssoCustomer``)."""
        declared = spec.model_dump() if isinstance(spec, TenantSpec) else spec
        protect, retain = declared.get("protect"), declared.get("retainOnDelete")
        previous = declared.get("previousId")
        own = pulumi.ResourceOptions(
            protect=protect if isinstance(protect, bool) else None,
            retain_on_delete=retain if isinstance(retain, bool) else None,
            aliases=(
                [pulumi.Alias(name=registered_name(previous))]
                if isinstance(previous, str)
                else None
            ),
        )
        opts = pulumi.ResourceOptions.merge(own, opts)
        props: dict[str, Any] = {**tenant_props(spec), **dict.fromkeys(OUTPUT_ONLY_KEYS)}
        for key in INPUT_KEYS:
            props.setdefault(key, None)
        used = props.get("customAttributes")
        props.update(
            references.side_props(
                attribute_definitions,
                own_roles,
                code_sso_ids,
                previous if isinstance(previous, str) else None,
                used if isinstance(used, Mapping) else (),
            )
        )
        props[SSO_MANAGED_KEY] = sso_managed
        props[SSO_CUSTOMER_KEY] = sso_customer
        super().__init__(TenantProvider(stack=stack), resource_name, props, opts)
