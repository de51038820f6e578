"""The SSO resource's calls to Descope: load, configure, create a further configuration,
adopt, roll back.

`providers.sso` says what each operation does; the calls it makes live here. Writes go through
`providers.sdk_http.sso_request` in the body shapes of Descope's go-sdk (`write_request`); the
configure endpoints take the settings as a whole, so what the resource does not manage is sent
back as Descope holds it. An answer that is not JSON (cut short) is told as a failed request
(`_parsed`): retried where the call is safe to repeat.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import httpx
from pulumi.dynamic import CreateResult

from model.sso import DEFAULT_SSO_ID, SSOConfigurationSpec
from providers import calls, client, errors, resource, sdk_http
from providers.answers.sso import (
    as_dict,
    changed_fields,
    deployed_hash,
    inputs_from_descope,
    is_blank_further,
    loaded_answer,
    outputs_of,
    resource_id,
    scrubbed,
    secret_fingerprint,
)
from providers.errors import DescopeApiError, PartialFailure
from providers.resource import load_or_none, snapshot

__all__ = [
    "adopt",
    "created",
    "make_again",
    "new_configuration",
    "roll_back",
    "sso_subject",
    "tenant_missing",
    "write_request",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

_SAML_PATH = "/v1/mgmt/sso/saml"
_SAML_METADATA_PATH = "/v1/mgmt/sso/saml/metadata"
_OIDC_PATH = "/v1/mgmt/sso/oidc"


def sso_subject(tenant_id: str, sso_id: str) -> str:
    """The configuration as messages name it."""
    if sso_id == DEFAULT_SSO_ID:
        return f'the SSO configuration of Descope tenant "{tenant_id}"'
    return f'SSO configuration "{sso_id}" of Descope tenant "{tenant_id}"'


def _parsed(fn: Callable[[], T]) -> Callable[[], T]:
    """`fn`, with an answer that is not JSON (cut short) told as a failed request: retried
    where the call is safe to repeat, as any answer lost in transit."""

    def run() -> T:
        try:
            return fn()
        except json.JSONDecodeError:
            raise httpx.DecodingError("Descope's answer was not valid JSON (cut short?)") from None

    return run


def _load(tenant_id: str, sso_id: str, doing: str) -> dict[str, Any] | None:
    """The configuration as Descope loads it; None when the tenant or the configuration is gone."""
    api = client.management()

    def fetch() -> Any:
        if sso_id == DEFAULT_SSO_ID:
            return api.sso.load_settings(tenant_id)
        params = {"tenantId": tenant_id, "ssoId": sso_id}
        return sdk_http.sso_request(api, "GET", sdk_http.SSO_LOAD_PATH, params=params)

    answer = load_or_none(lambda: calls.call(_parsed(fetch), doing=doing, repeatable=True))
    return None if answer is None else loaded_answer(answer, doing, tenant_id)


def _role_mappings(spec: SSOConfigurationSpec) -> list[dict[str, Any]]:
    return [{"groups": list(m.groups), "roleName": m.role} for m in spec.groupMappings]


def _shared_settings(spec: SSOConfigurationSpec, held: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings, and what this resource does not manage, sent back as Descope holds it."""
    settings: dict[str, Any] = {
        "roleMappings": _role_mappings(spec),
        "defaultSSORoles": list(spec.defaultRoles),
        "groupsPriority": list(held.get("groupsPriority") or []),
        "fgaMappings": as_dict(held.get("fgaMappings")),
    }
    if not spec.defaultRoles:
        settings["replaceDefaultSSORoles"] = True
    return settings


def write_request(
    spec: SSOConfigurationSpec, secret: str | None, loaded: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """The configure request (path, body) that makes Descope hold `spec`; `loaded` is what it
    holds now (None: a fresh configuration), whose unmanaged fields are sent back."""
    held_saml = as_dict((loaded or {}).get("saml"))
    held_oidc = as_dict((loaded or {}).get("oidc"))
    body: dict[str, Any] = {"tenantId": spec.tenantId, "domains": list(spec.domains)}
    if spec.ssoId != DEFAULT_SSO_ID:
        body["ssoId"] = spec.ssoId
    if spec.saml is not None:
        saml = spec.saml
        settings: dict[str, Any] = {
            "entityId": saml.entityId,
            "attributeMapping": saml.attributeMapping.model_dump(),
            **_shared_settings(spec, held_saml),
            "configFGATenantIDResourcePrefix": str(
                held_saml.get("configFGATenantIDResourcePrefix") or ""
            ),
            "configFGATenantIDResourceSuffix": str(
                held_saml.get("configFGATenantIDResourceSuffix") or ""
            ),
            "disableSignRequest": saml.disableSignRequest,
        }
        if saml.by_metadata:
            settings["idpMetadataUrl"] = saml.metadataUrl
            path = _SAML_METADATA_PATH
        else:
            settings.update(
                idpUrl=saml.ssoUrl,
                idpCert=saml.certificate,
                idpAdditionalCerts=list(saml.additionalCertificates),
            )
            path = _SAML_PATH
        body.update(settings=settings, redirectUrl=spec.redirectUrl or "")
        return path, body
    oidc = spec.oidc
    assert oidc is not None  # the spec has exactly one protocol
    body["settings"] = {
        "name": oidc.name,
        "clientId": oidc.clientId,
        "clientSecret": secret or None,
        "redirectUrl": spec.redirectUrl or "",
        "authUrl": oidc.authUrl or "",
        "tokenUrl": oidc.tokenUrl or "",
        "userDataUrl": oidc.userInfoUrl or "",
        "JWKsUrl": oidc.jwksUrl or "",
        "issuer": oidc.issuer or "",
        "scope": list(oidc.scopes),
        "userAttrMapping": oidc.attributeMapping.model_dump(),
        **_shared_settings(spec, held_oidc),
        "manageProviderTokens": bool(held_oidc.get("manageProviderTokens")),
        "callbackDomain": str(held_oidc.get("callbackDomain") or ""),
        "prompt": list(held_oidc.get("prompt") or []),
        "grantType": str(held_oidc.get("grantType") or "") or None,
    }
    return _OIDC_PATH, body


def _write(
    spec: SSOConfigurationSpec, secret: str | None, loaded: Mapping[str, Any] | None, doing: str
) -> None:
    """One configure call: a full-state write, safe to repeat."""
    path, body = write_request(spec, secret, loaded)
    api = client.management()
    calls.call(
        _parsed(lambda: sdk_http.sso_request(api, "POST", path, body=body)),
        doing=doing,
        repeatable=True,
    )


def make_again(spec: SSOConfigurationSpec, loaded: Mapping[str, Any], doing: str) -> None:
    """Set `spec` up on its tenant (a new one): a further configuration is created first; what
    the spec does not cover (groups priority, FGA mappings...) is sent as `loaded` holds it."""
    if spec.ssoId != DEFAULT_SSO_ID:
        api = client.management()
        calls.call(
            _parsed(lambda: api.sso.new_settings(spec.tenantId, spec.displayName, spec.ssoId)),
            doing=doing,
            repeatable=False,
        )
    _write(spec, None, loaded, doing)


def new_configuration(spec: SSOConfigurationSpec, doing: str) -> dict[str, Any] | None:
    """Create the further configuration; None when one with this ssoId exists already.

    Not repeated blindly: after a failure, a load says whether one exists; a blank one with
    this ssoId (nothing configured in it) is taken for this call's."""
    api = client.management()
    try:
        answer = calls.call(
            _parsed(lambda: api.sso.new_settings(spec.tenantId, spec.displayName, spec.ssoId)),
            doing=doing,
            repeatable=False,
        )
    except DescopeApiError as exc:
        if exc.status in (401, 403, 429):
            raise
        existing = _load(
            spec.tenantId,
            spec.ssoId,
            f"check whether {sso_subject(spec.tenantId, spec.ssoId)} exists",
        )
        if existing is None:
            raise
        if is_blank_further(existing):
            # Nothing configured in it yet: made by this call (its answer lost, or the
            # SDK's repeat of a POST that went through refused as a duplicate), or by
            # someone who never configured it. Either way nothing of theirs is lost.
            log.info(
                "%s exists, not configured yet; taking it for this create: %s",
                sso_subject(spec.tenantId, spec.ssoId),
                exc.detail,
            )
            return existing
        return None
    return loaded_answer(answer, doing, spec.tenantId)


def created(
    spec: SSOConfigurationSpec, secret: str | None, loaded: Mapping[str, Any]
) -> CreateResult:
    inputs = spec.canonical()
    fingerprint = secret_fingerprint(spec.tenantId, spec.ssoId, secret) if secret else None
    outputs = outputs_of(
        inputs,
        loaded,
        secret_set=bool(secret),
        secret_hash=fingerprint,
        deployed_hash=deployed_hash(inputs),
    )
    return CreateResult(resource_id(spec.tenantId, spec.ssoId), outputs)


def adopt(
    backup_dir: str,
    spec: SSOConfigurationSpec,
    secret: str | None,
    existing: Mapping[str, Any],
    doing: str,
    *,
    allowed: bool,
) -> CreateResult:
    """Take over a configuration already there: refused unless `allowed` (``adopt``);
    then snapshot it, and write only if it differs (or a secret is to be set)."""
    subject = sso_subject(spec.tenantId, spec.ssoId)
    if not allowed:
        raise DescopeApiError(
            f"Unable to {doing}:",
            f"{subject} is already set up in Descope (in the console, or by the customer "
            "through the SSO Setup Suite); nothing was changed.",
            action="To manage it from the configuration, set `adopt: true` on the tenant "
            "(its current SSO configuration is saved to the backups folder first); if the "
            "customer manages it, declare `sso: {managedBy: customer}` instead.",
            status=409,
        )
    path = snapshot(
        backup_dir,
        kind="sso",
        resource_id=resource_id(spec.tenantId, spec.ssoId),
        reason="adopt",
        content={"sso": scrubbed(existing)},
    )
    current = inputs_from_descope(existing, spec.canonical())
    if changed_fields(current, spec.canonical()) or secret:
        try:
            _write(spec, secret, existing, doing)
        except DescopeApiError as exc:
            raise errors.explain(
                exc,
                f"{subject} was being adopted and may be partly changed; its state before "
                f"adoption is saved in {path}",
                cls=PartialFailure,
            ) from None
    return created(spec, secret, existing)


def roll_back(spec: SSOConfigurationSpec, cause: DescopeApiError) -> NoReturn:
    """Delete the further configuration this create made (blank: nothing to snapshot)."""
    subject = sso_subject(spec.tenantId, spec.ssoId)
    api = client.management()

    def undo() -> None:
        calls.call(
            lambda: api.sso.delete_settings(spec.tenantId, spec.ssoId),
            doing=f"delete {subject} again",
            repeatable=True,
        )

    raise resource.rolled_back(
        cause,
        undo,
        failed=lambda rollback: errors.explain(
            cause,
            f"{subject} was created but configuring it failed, and deleting it again also "
            f"failed ({rollback.detail.rstrip('.') or 'no details'})",
            action=f"Delete it in the Descope console (tenant {spec.tenantId}, SSO), or set "
            "`adopt: true` on the tenant, then run again.",
            cls=PartialFailure,
        ),
        undone=lambda: errors.explain(
            cause,
            f"{subject} was created but configuring it failed, so it was deleted again and "
            "nothing changed in Descope",
            action=cause.action or "Fix the value Descope rejected and run again.",
            cls=PartialFailure,
        ),
        undo_errors=(DescopeApiError,),
    )


def tenant_missing(doing: str, tenant_id: str) -> DescopeApiError:
    return DescopeApiError(
        f"Unable to {doing}:",
        f'tenant "{tenant_id}" does not exist in Descope.',
        action="The SSO configuration is created after its tenant: run `pulumi up` again; if "
        "the tenant was deleted outside Pulumi, `pulumi refresh` first.",
        status=404,
    )
