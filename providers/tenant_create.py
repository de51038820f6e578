"""Creating a tenant when Descope's answer may be lost: the tenant resource's create call, and
how it tells a tenant this run made from someone else's.

A create is sent once (`create_tenant`). After an error Descope may have acted on, or an answer
that is not understood, the tenant is loaded: one that exists is ours only when `_claim` says so
(created since the create began, by Descope's clock less `CREATE_CLOCK_SKEW`, and holding
exactly what the create sent, or for a resumed create what it went on to write); any other is
someone else's, and the error says how to adopt it. The loads and writes themselves are
`providers.tenant_calls`'.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from model.tenant import SessionSettings, TenantSpec
from providers import calls, client, errors, references, sub_tenants, wire
from providers.answers.tenant import (
    PARENT_KEY,
    TENANT_FIELDS,
    changed_keys,
    comparable,
    settings_comparable,
    settings_from_descope,
    tenant_props,
    tenant_state,
    unmanaged,
)
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeApiError
from providers.resource import project_or_none, same
from providers.tenant_calls import _load, _load_settings, _quoted, _writing

__all__ = ["CREATE_CLOCK_SKEW", "create_tenant"]

log = logging.getLogger(__name__)


def _create_call(spec: TenantSpec, doing: str) -> None:
    """POST create, once: a create is not safe to repeat blindly. Its answer must be
    ``{"id": <the id sent>}``. A sub-tenant's goes past the SDK (`providers.sub_tenants`)."""
    with _writing(spec.id), references.attribute_refusals(spec.id, spec.customAttributes):
        calls.ask(
            lambda: sub_tenants.create_tenant(client.management(), spec),
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


_FRESH_SETTINGS = settings_comparable(SessionSettings().canonical())
"""The settings of a tenant nobody has set settings on."""


def _fresh_as_sent(
    spec: TenantSpec, existing: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> bool:
    """Whether Descope holds exactly what a create of `spec` sends, and nothing since: the
    fields sent, and a new tenant's defaults for everything else (no settings, default roles,
    federated apps or SSO setup suite); the parent is among the fields sent."""
    if settings is None:
        return False
    held = comparable(tenant_state(existing, settings=None, sso_setup=None, flags={})[0])
    sent = comparable({**tenant_props(spec), "defaultRoles": []})
    sso_setup = settings.get("ssoSetupSuiteSettings")
    return (
        all(
            same(held[k], sent[k])
            for k in (*TENANT_FIELDS, "defaultRoles", PARENT_KEY)
            if not unmanaged(sent, k)
        )
        and not existing.get("federatedAppIds")
        and same(settings_comparable(settings_from_descope(settings)), _FRESH_SETTINGS)
        and not (isinstance(sso_setup, Mapping) and sso_setup.get("enabled"))
    )


def _as_configured(
    spec: TenantSpec, existing: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> bool:
    """Whether Descope holds everything the configuration declares for the tenant."""
    managed = settings_from_descope(settings) if spec.settings and settings is not None else None
    if spec.settings is not None and managed is None:
        return False
    current, _ = tenant_state(existing, settings=managed, sso_setup=None, flags=spec.model_dump())
    return not changed_keys(current, tenant_props(spec))


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
    project = project_or_none()
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


def create_tenant(spec: TenantSpec, doing: str) -> None:
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
            sub_tenants.refuse_missing_parent(spec, exc, lambda p: _load(p, checking) is None)
            if not exc.is_retryable:
                holder = _name_holder(spec.name, doing)
                if holder is not None:
                    raise errors.tenant_name_taken(spec.id, spec.name, holder, exc) from None
            if not exc.is_retryable or attempt >= policy.max_attempts:
                raise
            calls.sleep(calls.backoff_delay(policy, attempt))
            attempt += 1
