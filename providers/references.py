"""What a tenant refers to: the project's attribute definitions and the tenant's own roles.

Some inputs of the tenant resource (`SIDE_KEYS`) are never sent to Descope and `diff` ignores
them, so changing them makes no tenant an update:

- ``attributeDefinitionsDigest``: a digest of the definitions (the stack's
  ``tenantAttributes``, each as `model.AttributeDefinition.as_data` writes it) of the custom
  attributes the tenant uses (`definitions_digest`), or absent when the file leaves custom
  attributes unchecked. The definitions are checked once, where they are declared: the
  configuration loader judges every tenant's ``customAttributes`` against them, with
  `model.attributes.custom_attribute_problems`, before any resource is registered, at every
  preview and up. The state records only which definitions the values were checked against
  (50 bytes, not the definitions: they were ~150 bytes to 1 KB in each tenant's inputs, and
  pulumi saves the whole state twice per changed resource). The definitions live in the
  Descope project, not in a tenant (written, if at all, by `providers.attribute_definition`):
  changing one changes no tenant.
- ``attributeDefinitions``: the definitions themselves, as the program registered them
  before the digest (so a stack's state may still hold them; `diff` ignores them as it
  ignores the digest, so the next ``up`` replaces them in the state without an update). Given
  in a tenant's inputs, `check` still judges the tenant's values against them.
- ``ownRoles``: the names of the tenant's own roles (Descope's tenant-scoped roles, each a
  `providers.role` resource that depends on the tenant). Descope takes a default role only
  once the role exists, and a tenant's role only once the tenant exists. So a default role
  naming one of them is written by the tenant when the role exists already
  (`default_roles_to_send`), and by the role right after it is created or renamed otherwise
  (`add_default_role`); at the end of a ``pulumi up`` Descope holds the declared list.

Descope's refusal of a custom attribute (undefined, or a value of the wrong type: 400) is told
in the user's terms by `attribute_refusal`: the attribute, the tenant, where to define it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from model.attributes import attribute_definition_problems, custom_attribute_problems
from model.text import shown
from providers import calls, client, errors, listing, sdk_http, wire
from providers.errors import DescopeApiError

__all__ = [
    "DIGEST_KEY",
    "SIDE_KEYS",
    "add_default_role",
    "attribute_refusal",
    "attribute_refusals",
    "code_sso_ids",
    "default_roles_to_send",
    "definitions_digest",
    "own_roles",
    "side_inputs",
    "side_problems",
    "side_props",
]

log = logging.getLogger(__name__)

DIGEST_KEY = "attributeDefinitionsDigest"
SIDE_KEYS = ("attributeDefinitions", DIGEST_KEY, "ownRoles", "codeSsoIds", "previousId")
"""Tenant inputs that are neither tenant fields nor sent to Descope; `diff` ignores them."""

DEFINE_ATTRIBUTES = (
    "Define it in the Descope project (console: Tenants, Custom Attributes, or with "
    "descope-config:manageAttributeDefinitions) and under tenantAttributes: in the stack's "
    "configuration file, "
    "where its values are then checked before anything runs; or remove it from the tenant."
)


DIGEST_PREFIX = "sha256:"
DIGEST_HEX = 16
"""Hex digits kept of the SHA-256 (64 bits: a changed definition changes the digest)."""


def definitions_digest(definitions: Mapping[str, Any]) -> str:
    """``sha256:`` and the first `DIGEST_HEX` hex digits of the SHA-256 of `definitions` as
    canonical JSON (keys sorted, compact): the same definitions give the same digest."""
    text = json.dumps(definitions, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DIGEST_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:DIGEST_HEX]


def is_digest(value: object) -> bool:
    """Whether `value` is a digest as `definitions_digest` writes it."""
    if not isinstance(value, str) or not value.startswith(DIGEST_PREFIX):
        return False
    digits = value.removeprefix(DIGEST_PREFIX)
    return len(digits) == DIGEST_HEX and all(c in "0123456789abcdef" for c in digits)


def side_props(
    attribute_definitions: Mapping[str, Any] | None,
    own: Sequence[str],
    code_sso_ids: Sequence[str] = (),
    previous_id: str | None = None,
    used: Iterable[str] = (),
) -> dict[str, Any]:
    """The side inputs a program registers: when the stack declares definitions, the digest of
    those of the attributes the tenant `used` (a used name not defined is left out: the loader
    refuses it as undefined before anything is registered); own roles when the tenant has
    some; the ssoIds of the SSO configurations the code manages ("" for the default one) when
    there are some; and the tenant's previous id when it has one (`providers.tenant_unit`: an
    id change takes the rest of the tenant along). A digest of the used definitions only: the
    inputs are recorded in the state for every tenant, and every definition in every tenant
    would cost ~1 KB of state each (pulumi saves the whole state twice per changed resource)."""
    props: dict[str, Any] = {}
    if code_sso_ids:
        props["codeSsoIds"] = sorted(code_sso_ids)
    if previous_id:
        props["previousId"] = previous_id
    if attribute_definitions is not None:
        props[DIGEST_KEY] = definitions_digest(
            {
                name: dict(attribute_definitions[name])
                for name in sorted(set(used))
                if name in attribute_definitions
            }
        )
    if own:
        props["ownRoles"] = sorted(own)
    return props


def side_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The side inputs present in `props` (None and empty ones left out)."""
    return {k: props[k] for k in SIDE_KEYS if props.get(k) is not None and props.get(k) != []}


def code_sso_ids(props: Mapping[str, Any]) -> list[str]:
    """The ssoIds of the tenant's SSO configurations the code manages ([] when none)."""
    value = props.get("codeSsoIds")
    if not isinstance(value, list | tuple):
        return []
    return [str(sso_id) for sso_id in value if isinstance(sso_id, str)]


def own_roles(props: Mapping[str, Any]) -> list[str]:
    """The tenant's own role names in `props` ([] when none or malformed: check refuses it)."""
    value = props.get("ownRoles")
    if not isinstance(value, list | tuple):
        return []
    return [str(name) for name in value if isinstance(name, str)]


def side_problems(props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(property, reason) for every problem of the side inputs, and of the tenant's custom
    attributes against the definitions. Expects the tenant fields to be valid already."""
    problems: list[tuple[str, str]] = []
    owned = props.get("ownRoles")
    if owned is not None and not (
        isinstance(owned, list | tuple) and all(isinstance(n, str) and n for n in owned)
    ):
        problems.append(("ownRoles", "must be a list of role names."))
    code_ids = props.get("codeSsoIds")
    if code_ids is not None and not (
        isinstance(code_ids, list | tuple) and all(isinstance(n, str) for n in code_ids)
    ):
        problems.append(("codeSsoIds", "must be a list of ssoIds."))
    previous = props.get("previousId")
    if previous is not None and not isinstance(previous, str):
        problems.append(("previousId", "must be a tenant id."))
    digest = props.get(DIGEST_KEY)
    if digest is not None and not is_digest(digest):
        problems.append(
            (
                DIGEST_KEY,
                f"must be {DIGEST_PREFIX} and {DIGEST_HEX} hex digits, as the program "
                "registers it.",
            )
        )
    definitions = props.get("attributeDefinitions")
    if definitions is None:
        return problems
    if not isinstance(definitions, Mapping):
        return [*problems, ("attributeDefinitions", "must be a mapping of attribute names.")]
    refused = attribute_definition_problems(dict(definitions))
    if refused:
        text = "; ".join(f"{p.field or 'tenantAttributes'}: {p.message}" for p in refused)
        return [*problems, ("attributeDefinitions", text)]
    values = props.get("customAttributes") or {}
    for problem in custom_attribute_problems(dict(values), dict(definitions)):
        problems.append(("customAttributes", f"{problem.field}: {problem.message}"))
    return problems


# --- default roles that name the tenant's own roles ------------------------------------------


def _existing_own_roles(tenant_id: str, doing: str) -> set[str]:
    """The names of the roles tenant `tenant_id` has in Descope now (one search)."""
    api = client.management().role
    answer = calls.ask(lambda: api.search(tenant_ids=[tenant_id]), wire.ROLE_SEARCH, doing=doing)
    return {role.name for role in answer.roles if role.tenantId == tenant_id}


def default_roles_to_send(
    tenant_id: str, default_roles: Sequence[str], own: Sequence[str], doing: str
) -> list[str]:
    """The default roles the tenant can write now: all of them, less its own roles that do
    not exist yet (their resources add them once created). One role search, only when a
    default role names one of the tenant's own roles."""
    if not set(default_roles) & set(own):
        return list(default_roles)
    existing = _existing_own_roles(tenant_id, doing)
    deferred = [r for r in default_roles if r in own and r not in existing]
    if deferred:
        log.info(
            'Default roles %s of Descope tenant "%s" are set when the roles are created.',
            ", ".join(deferred),
            tenant_id,
        )
    return [r for r in default_roles if r not in deferred]


def add_default_role(
    tenant_id: str, name: str, *, doing: str, replacing: str | None = None
) -> None:
    """Make `name` (a role of tenant `tenant_id`) one of the tenant's default roles, in place
    of `replacing` (its name before a rename) if listed: load the tenant, write only if the
    list changes."""
    api = client.management().tenant
    try:
        tenant = calls.ask(
            lambda: api.load(tenant_id), wire.TENANT_LOAD, doing=doing, asked=tenant_id
        )
        current = list(tenant.defaultRoles)
        wanted = [r for r in current if r != replacing]
        if name not in wanted:
            wanted.append(name)
        if wanted != current:
            calls.send(
                lambda: sdk_http.reply_of(api, lambda t: t.update_default_roles(tenant_id, wanted)),
                wire.ROLES_WRITTEN,
                doing=doing,
                asked=tenant_id,
            )
    finally:
        listing.forget(tenant_id)


# --- Descope refusing a custom attribute ----------------------------------------------------


def attribute_refusal(
    cause: DescopeApiError, tenant_id: str, attributes: Mapping[str, Any]
) -> DescopeApiError:
    """`cause` told in the user's terms when it is Descope refusing the tenant's custom
    attributes (a 400 that speaks of an attribute), naming each attribute it names (all of
    them when it names none we know); `cause` itself otherwise."""
    words = cause.detail.lower()
    if cause.status != 400 or not attributes or "attribute" not in words:
        return cause
    listed = _first_named(cause.detail, attributes) or sorted(attributes)
    quoted = ", ".join(f'"{shown(n)}"' for n in listed)
    which = "attribute" if len(listed) == 1 else "attributes"
    return errors.explain(
        cause,
        f'Descope refused the custom {which} {quoted} of tenant "{shown(tenant_id)}": the '
        "project does not define it, or not with this type",
        action=DEFINE_ATTRIBUTES.replace("Define it", f"Define {quoted}", 1),
    )


def _first_named(text: str, names: Iterable[str]) -> list[str]:
    """The name Descope's message quotes first, among `names` ([] when it quotes none): the
    refused attribute comes first; a message may go on to list others (the defined ones)."""
    found = [
        (position, name)
        for name in names
        for quote in ("'", '"')
        if (position := text.find(f"{quote}{name}{quote}")) >= 0
    ]
    return [min(found)[1]] if found else []


@contextmanager
def attribute_refusals(tenant_id: str, attributes: Mapping[str, Any]) -> Iterator[None]:
    """Around a call that sends the tenant's custom attributes: `attribute_refusal`."""
    try:
        yield
    except DescopeApiError as exc:
        told = attribute_refusal(exc, tenant_id, attributes)
        if told is exc:
            raise
        raise told from None
