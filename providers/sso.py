"""A tenant's SSO configuration as a Pulumi dynamic resource.

One resource per SSO configuration: a tenant's default one (Descope's ``ssoId`` "", whose
domains and auth type are the tenant's own ``domains`` and ``authType``) or a further one
(``ssoId`` set, created with ``/v1/mgmt/sso/settings/new``). The properties are
`model.sso.SSOConfigurationSpec`'s, plus the OIDC client secret as a separate input:

=================  =============================================================  =========
key                meaning                                                        change
=================  =============================================================  =========
tenantId           the tenant                                                     replace
ssoId              "" for the default configuration                               replace
displayName        Descope's name of a further configuration (no rename call)     replace
saml | oidc        the protocol's settings (exactly one; oidc without secret)     update
domains            SSO domains                                                    update
groupMappings      IdP groups -> roles                                            update
defaultRoles       roles every SSO user gets                                      update
redirectUrl        where users land after SSO                                     update
adopt              on create, manage a configuration already set up               state
clientSecret       OIDC client secret: a Pulumi secret input, never an output     update
=================  =============================================================  =========

Outputs add ``authType``, the SP fields the customer's IdP needs (``spEntityId``,
``spAcsUrl``), ``clientSecretSet`` and ``clientSecretHash``, and ``deployedHash`` (the hash of
what was last written, as Descope holds it: a configuration that differs from it was edited
outside Pulumi, and is snapshotted before it is overwritten).

The client secret: Descope never returns it (loads answer ""), so it is never read back, and
never in an output. The outputs hold whether one was set (``clientSecretSet``) and its
SHA-256, bound to the configuration (`secret_fingerprint`), in ``clientSecretHash``: the
provider's diff sees the old outputs, not the old inputs, so this is how a changed secret is
found without reading it back. A hash of a low-entropy secret can be guessed, so the hash is a
*secret output* (``additional_secret_outputs``): the engine keeps it encrypted in the state,
exactly as it keeps the secret input itself. A keyed hash (HMAC) was not chosen: the only key
the provider holds is the management key, and rotating it would make every configuration look
changed. A secret changed in the Descope console cannot be seen.

Calls per operation (the bench, ``python -m bench``, counts them):

=================  ====================================================================
operation          calls
=================  ====================================================================
create (default)   load (is one set up already? SP fields) + configure
create (further)   new + configure
read               load
update             load (snapshot console edits, confirm it exists) + configure
delete             load (snapshot) + delete
adopt              load (snapshot) + configure when it differs
=================  ====================================================================

Writes go through `providers.sdk_http.sso_request` (SDK 2.16.1 cannot send ``ssoId`` on
configure or load, nor OIDC role mappings), in the body shapes of Descope's go-sdk; the
configure endpoints take the settings as a whole, so fields this resource does not manage
(groups priority, FGA mappings, OIDC prompt, grant type...) are sent back as Descope holds
them. Loads and deletes use the SDK where it can.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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

from model.flow import content_hash
from model.sso import DEFAULT_SSO_ID, SSOConfigurationSpec, sso_configuration_problems
from providers import backups, calls, client, errors
from providers.answers.sso import (
    INPUT_KEYS,
    OUTPUT_ONLY_KEYS,
    REPLACE_KEYS,
    SECRET_KEY,
    SPEC_KEYS,
    changed_fields,
    comparable,
    deployed_hash,
    holds,
    inputs_from_descope,
    is_blank,
    is_configured,
    or_none,
    outputs_of,
    resource_id,
    scrubbed,
    secret_fingerprint,
    text,
)
from providers.errors import DescopeApiError
from providers.resource import inputs_of, snapshot
from providers.runtime import DescopeProvider, has_unknowns
from providers.sso_calls import (
    _load,
    _write,
    adopt,
    created,
    new_configuration,
    roll_back,
    sso_subject,
    tenant_missing,
)

__all__ = [
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "SECRET_KEY",
    "SSOConfiguration",
    "SSOConfigurationProvider",
    "comparable",
    "registered_name",
    "resource_id",
    "secret_fingerprint",
]

log = logging.getLogger(__name__)


# --- the resource's identity ------------------------------------------------------------------


def registered_name(tenant_id: str, sso_id: str = DEFAULT_SSO_ID) -> str:
    """The name the program registers a configuration under (with the type: its URN). The
    ``/`` before an ssoId is in no tenant id, so two configurations never share a name."""
    return f"sso-{tenant_id}" if sso_id == DEFAULT_SSO_ID else f"sso-{tenant_id}/{sso_id}"


SECRET_OUTPUTS = (SECRET_KEY, "clientSecretHash")
"""Outputs the engine must keep encrypted: the secret (never output, listed to be sure) and its
hash."""


# --- inputs ----------------------------------------------------------------------------------


def _spec(props: Mapping[str, Any]) -> SSOConfigurationSpec:
    data = {k: v for k, v in props.items() if k in SPEC_KEYS}
    problems = sso_configuration_problems(data)
    if problems:
        raise errors.invalid_inputs(
            "configure a Descope SSO configuration",
            [(p.field, p.message) for p in problems],
        )
    return SSOConfigurationSpec.model_validate(data)


def _secret(props: Mapping[str, Any]) -> str | None:
    secret = props.get(SECRET_KEY)
    return secret if isinstance(secret, str) and secret and props.get("oidc") else None


class SSOConfigurationProvider(DescopeProvider):
    """Creates, reads, updates and deletes one SSO configuration of a tenant per resource.

    Thread-safe: no per-call state on the instance.
    """

    # --- check -------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs with the model's rules, without any call to Descope; valid
        inputs come back canonical (with the client secret, which stays a secret)."""
        props = inputs_of(news)
        unknown = {k for k, v in props.items() if has_unknowns(v)}
        data = {k: v for k, v in props.items() if k in SPEC_KEYS}
        failures: list[CheckFailure] = []
        for problem in sso_configuration_problems(data):
            key = str(problem.path[0]) if problem.path else ""
            if key in unknown or (unknown and not problem.path):
                continue
            reason = (
                f"{problem.field}: {problem.message}" if len(problem.path) > 1 else problem.message
            )
            failures.append(CheckFailure(key, reason))
        secret = props.get(SECRET_KEY)
        if SECRET_KEY not in unknown:
            if props.get("oidc") is not None and not (isinstance(secret, str) and secret):
                failures.append(
                    CheckFailure(SECRET_KEY, "an OIDC configuration needs its client secret.")
                )
            if props.get("saml") is not None and secret:
                failures.append(
                    CheckFailure(SECRET_KEY, "a SAML configuration has no client secret.")
                )
        extra = sorted(set(props) - set(INPUT_KEYS) - set(OUTPUT_ONLY_KEYS))
        if extra:
            failures.append(CheckFailure(extra[0], f"unknown input {extra[0]!r}."))
        if failures or unknown:
            return CheckResult(dict(props), failures)
        inputs = SSOConfigurationSpec.model_validate(data).canonical()
        if inputs["oidc"] is not None:
            inputs[SECRET_KEY] = secret
        return CheckResult(inputs, [])

    # --- diff --------------------------------------------------------------------------------

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Compare the desired configuration with the recorded one (old outputs), as Descope
        would hold it; a client secret by its hash. tenantId, ssoId and displayName replace
        (delete first: a tenant's ssoId is unique)."""
        news = inputs_of(_news)
        olds = inputs_of(_olds)
        unknown = {k for k, v in news.items() if has_unknowns(v)}
        replaces = [
            k for k in REPLACE_KEYS if k in unknown or text(news.get(k)) != text(olds.get(k))
        ]
        if unknown:
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
        changed = changed_fields(olds, news)
        secret = news.get(SECRET_KEY)
        if isinstance(secret, str) and secret:
            tenant_id, sso_id = text(news.get("tenantId")), text(news.get("ssoId"))
            if secret_fingerprint(tenant_id, sso_id, secret) != olds.get("clientSecretHash"):
                changed.append(SECRET_KEY)
        return DiffResult(
            changes=bool(changed or replaces),
            replaces=replaces,
            stables=[k for k in INPUT_KEYS if k not in REPLACE_KEYS],
            delete_before_replace=True,
        )

    # --- create ------------------------------------------------------------------------------

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Set the configuration up. A default configuration already set up (in the console, by
        the customer) and a further one whose ssoId exists are refused unless ``adopt``: then
        they are snapshotted and brought to the desired state."""
        spec = _spec(props)
        secret = _secret(props)
        subject = sso_subject(spec.tenantId, spec.ssoId)
        doing = f"create {subject}"
        if spec.ssoId == DEFAULT_SSO_ID:
            loaded = _load(spec.tenantId, spec.ssoId, doing)
            if loaded is None:
                raise tenant_missing(doing, spec.tenantId)
            if not is_blank(loaded):
                # SSO domains and an auth type alone are what tenant settings wrote (before the
                # tenant declared sso:): taken over, after a snapshot. So is a configuration
                # holding exactly what is declared: a create of ours cut short after Descope
                # acted (nothing of anyone's is lost). Any other IdP set up is not.
                allowed = spec.adopt or not is_configured(loaded) or holds(loaded, spec)
                return adopt(self.backup_dir, spec, secret, loaded, doing, allowed=allowed)
            _write(spec, secret, loaded, doing)
            return created(spec, secret, loaded)
        loaded = new_configuration(spec, doing)
        if loaded is None:  # it exists already
            existing = _load(spec.tenantId, spec.ssoId, doing)
            if existing is None:
                raise tenant_missing(doing, spec.tenantId)
            return adopt(self.backup_dir, spec, secret, existing, doing, allowed=spec.adopt)
        try:
            _write(spec, secret, loaded, doing)
        except DescopeApiError as exc:
            roll_back(spec, exc)
        return created(spec, secret, loaded)

    # --- read --------------------------------------------------------------------------------

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Load the configuration as Descope holds it: console and customer edits show as
        drift. Gone (tenant deleted, configuration deleted, or a default one left blank):
        ``ReadResult(None, {})``. The client secret is not read (Descope never returns it):
        its recorded hash is kept."""
        tenant_id = text(props.get("tenantId")) or id_.split("/", 1)[0]
        sso_id = text(props.get("ssoId"))
        doing = f"read {sso_subject(tenant_id, sso_id)}"
        loaded = _load(tenant_id, sso_id, doing)
        if loaded is None or (sso_id == DEFAULT_SSO_ID and is_blank(loaded)):
            return ReadResult(None, {})
        inputs = inputs_from_descope(loaded, props)
        outputs = outputs_of(
            inputs,
            loaded,
            secret_set=bool(props.get("clientSecretSet")),
            secret_hash=or_none(props.get("clientSecretHash")),
            deployed_hash=or_none(props.get("deployedHash")),
        )
        return ReadResult(resource_id(tenant_id, sso_id), outputs, inputs)

    # --- update ------------------------------------------------------------------------------

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Write the desired configuration. Descope's version is loaded first: gone, it is an
        error (refresh, then up, creates it again); edited outside Pulumi (it differs from
        what was last deployed), it is snapshotted before it is overwritten."""
        spec = _spec(_news)
        secret = _secret(_news)
        subject = sso_subject(spec.tenantId, spec.ssoId)
        doing = f"update {subject}"
        loaded = _load(spec.tenantId, spec.ssoId, doing)
        if loaded is None or (spec.ssoId == DEFAULT_SSO_ID and is_blank(loaded)):
            raise DescopeApiError(
                f"Unable to {doing}:",
                f"{subject} no longer exists in Descope (deleted outside Pulumi?).",
                action="Run `pulumi refresh` to drop it from the state, then `pulumi up` to "
                "set it up again.",
                status=404,
            )
        desired = spec.canonical()
        current = inputs_from_descope(loaded, _olds)
        current_hash = content_hash(comparable(current, desired))
        if current_hash not in (_olds.get("deployedHash"), deployed_hash(desired)):
            snapshot(
                self.backup_dir,
                kind="sso",
                resource_id=resource_id(spec.tenantId, spec.ssoId),
                reason="overwrite",
                content={"sso": scrubbed(loaded)},
                warning=lambda saved: errors.snapshot_warning(
                    subject[:1].upper() + subject[1:],
                    "was changed outside Pulumi and will be overwritten",
                    str(saved),
                ),
            )
        _write(spec, secret, loaded, doing)
        fingerprint = secret_fingerprint(spec.tenantId, spec.ssoId, secret) if secret else None
        return UpdateResult(
            outputs_of(
                desired,
                loaded,
                secret_set=bool(secret),
                secret_hash=fingerprint,
                deployed_hash=deployed_hash(desired),
            )
        )

    # --- delete ------------------------------------------------------------------------------

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the configuration, then delete it (a default one is reset: no settings, no
        SSO domains, auth type none). One already gone counts as deleted."""
        tenant_id = text(_props.get("tenantId")) or _id.split("/", 1)[0]
        sso_id = text(_props.get("ssoId"))
        subject = sso_subject(tenant_id, sso_id)
        doing = f"delete {subject}"
        loaded = _load(tenant_id, sso_id, doing)
        if loaded is None or (sso_id == DEFAULT_SSO_ID and is_blank(loaded)):
            taken = backups.tenant_snapshot_taken(tenant_id)
            told = subject[:1].upper() + subject[1:]
            log.warning(
                "%s", errors.gone_with_tenant(told, tenant_id, str(taken) if taken else None)
            )
            return
        snapshot(
            self.backup_dir,
            kind="sso",
            resource_id=resource_id(tenant_id, sso_id),
            reason="delete",
            content={"sso": scrubbed(loaded)},
        )
        api = client.management()
        try:
            calls.call(
                lambda: api.sso.delete_settings(tenant_id, sso_id or None),
                doing=doing,
                repeatable=True,
            )
        except DescopeApiError as exc:
            if not exc.is_not_found:
                raise
            log.info("%s was already gone", subject)


class SSOConfiguration(pulumi.dynamic.Resource, module="descope", name="SSOConfiguration"):
    """One SSO configuration of a Descope tenant (type
    ``pulumi-python:dynamic/descope:SSOConfiguration``).

    `client_secret` (OIDC) must be a Pulumi secret (``pulumi.Output.secret``): the engine then
    keeps it encrypted in the state, and the resource never outputs it; its hash is a secret
    output.
    """

    tenantId: pulumi.Output[str]
    ssoId: pulumi.Output[str]
    displayName: pulumi.Output[str]
    saml: pulumi.Output[dict[str, Any] | None]
    oidc: pulumi.Output[dict[str, Any] | None]
    domains: pulumi.Output[list[str]]
    groupMappings: pulumi.Output[list[dict[str, Any]]]
    defaultRoles: pulumi.Output[list[str]]
    redirectUrl: pulumi.Output[str | None]
    adopt: pulumi.Output[bool]
    authType: pulumi.Output[str]
    spEntityId: pulumi.Output[str]
    spAcsUrl: pulumi.Output[str]
    clientSecretSet: pulumi.Output[bool]
    clientSecretHash: pulumi.Output[str | None]
    deployedHash: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        spec: SSOConfigurationSpec,
        *,
        client_secret: pulumi.Input[str] | None = None,
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        own = pulumi.ResourceOptions(additional_secret_outputs=list(SECRET_OUTPUTS))
        opts = pulumi.ResourceOptions.merge(own, opts)
        props: dict[str, Any] = {**spec.canonical(), **dict.fromkeys(OUTPUT_ONLY_KEYS)}
        if client_secret is not None:
            props[SECRET_KEY] = client_secret
        super().__init__(SSOConfigurationProvider(stack=stack), resource_name, props, opts)
