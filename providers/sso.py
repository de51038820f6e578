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

Writes go through `providers.client.sso_request` (SDK 2.16.1 cannot send ``ssoId`` on
configure or load, nor OIDC role mappings), in the body shapes of Descope's go-sdk; the
configure endpoints take the settings as a whole, so fields this resource does not manage
(groups priority, FGA mappings, OIDC prompt, grant type...) are sent back as Descope holds
them. Loads and deletes use the SDK where it can.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
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
from model.idp import OidcAttributeMapping, SamlAttributeMapping, certificate_fingerprint
from model.sso import DEFAULT_SSO_ID, SSOConfigurationSpec, sso_configuration_problems
from model.text import nfc
from providers import backups, calls, client, errors, wire
from providers.errors import DescopeApiError, PartialFailure
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "SECRET_KEY",
    "SSOConfiguration",
    "SSOConfigurationProvider",
    "changed_fields",
    "comparable",
    "copied",
    "inputs_from_descope",
    "make_again",
    "registered_name",
    "resource_id",
    "scrubbed",
    "secret_fingerprint",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

PROVIDER_KEY = "__provider"
SECRET_KEY = "clientSecret"
SPEC_KEYS = tuple(SSOConfigurationSpec.model_fields)
INPUT_KEYS = (*SPEC_KEYS, SECRET_KEY)
REPLACE_KEYS = ("tenantId", "ssoId", "displayName")
OUTPUT_ONLY_KEYS = (
    "authType",
    "spEntityId",
    "spAcsUrl",
    "clientSecretSet",
    "clientSecretHash",
    "deployedHash",
)
_COMPARED = ("saml", "oidc", "domains", "groupMappings", "defaultRoles", "redirectUrl")
_SAML_PATH = "/v1/mgmt/sso/saml"
_SAML_METADATA_PATH = "/v1/mgmt/sso/saml/metadata"
_OIDC_PATH = "/v1/mgmt/sso/oidc"
_SAML_MAPPING_KEYS = tuple(SamlAttributeMapping.model_fields)
_OIDC_MAPPING_KEYS = tuple(OidcAttributeMapping.model_fields)


# --- names and ids ---------------------------------------------------------------------------


def registered_name(tenant_id: str, sso_id: str = DEFAULT_SSO_ID) -> str:
    """The name the program registers a configuration under (with the type: its URN). The
    ``/`` before an ssoId is in no tenant id, so two configurations never share a name."""
    return f"sso-{tenant_id}" if sso_id == DEFAULT_SSO_ID else f"sso-{tenant_id}/{sso_id}"


def resource_id(tenant_id: str, sso_id: str = DEFAULT_SSO_ID) -> str:
    """The resource's id: the tenant id, and ``/<ssoId>`` for a further configuration."""
    return tenant_id if sso_id == DEFAULT_SSO_ID else f"{tenant_id}/{sso_id}"


def _subject(tenant_id: str, sso_id: str) -> str:
    if sso_id == DEFAULT_SSO_ID:
        return f'the SSO configuration of Descope tenant "{tenant_id}"'
    return f'SSO configuration "{sso_id}" of Descope tenant "{tenant_id}"'


SECRET_OUTPUTS = (SECRET_KEY, "clientSecretHash")
"""Outputs the engine must keep encrypted: the secret (never output, listed to be sure) and its
hash."""


def secret_fingerprint(tenant_id: str, sso_id: str, secret: str) -> str:
    """``sha256:<hex>`` of a client secret, bound to its configuration (one secret used for two
    configurations does not show as such). Recorded as a secret output only."""
    message = f"descope-config/sso-client-secret/1\0{tenant_id}\0{sso_id}\0{secret}"
    return "sha256:" + hashlib.sha256(message.encode("utf-8")).hexdigest()


# --- comparison ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value) if value is not None else ""


def _mapping(value: Any, keys: tuple[str, ...], defaults: Mapping[str, Any]) -> dict[str, Any]:
    given = value if isinstance(value, Mapping) else {}
    out: dict[str, Any] = {}
    for key in keys:
        if key == "customAttributes":
            custom = given.get(key)
            out[key] = {str(k): _text(v) for k, v in sorted((custom or {}).items())}
        else:
            raw = given.get(key, defaults.get(key))
            out[key] = _text(raw)
    return out


_SAML_DEFAULTS = SamlAttributeMapping().model_dump()
_OIDC_DEFAULTS = OidcAttributeMapping().model_dump()


def _saml_comparable(saml: Mapping[str, Any], desired: Mapping[str, Any] | None) -> dict[str, Any]:
    """SAML as Descope would hold it. By metadata, Descope may fill the SSO URL, entity id and
    certificates from the metadata: only what the desired side declares is compared."""
    mapping = _mapping(saml.get("attributeMapping"), _SAML_MAPPING_KEYS, _SAML_DEFAULTS)
    if saml.get("metadataUrl"):
        out: dict[str, Any] = {"metadataUrl": _text(saml.get("metadataUrl"))}
        if desired is None or desired.get("entityId"):
            out["entityId"] = _text(saml.get("entityId"))
        return {**out, "attributeMapping": mapping}
    return {
        "ssoUrl": _text(saml.get("ssoUrl")),
        "entityId": _text(saml.get("entityId")),
        "certificate": certificate_fingerprint(_text(saml.get("certificate"))),
        "additionalCertificates": sorted(
            certificate_fingerprint(_text(c)) for c in saml.get("additionalCertificates") or []
        ),
        "attributeMapping": mapping,
    }


_ENDPOINTS = ("authUrl", "tokenUrl", "userInfoUrl", "jwksUrl")


def _oidc_comparable(oidc: Mapping[str, Any], desired: Mapping[str, Any] | None) -> dict[str, Any]:
    """OIDC as Descope would hold it. With an issuer, Descope may fill the endpoints from its
    discovery document: only the endpoints the desired side declares are compared."""
    out: dict[str, Any] = {
        "name": _text(oidc.get("name")),
        "issuer": _text(oidc.get("issuer")),
        "clientId": _text(oidc.get("clientId")),
        "scopes": sorted(_text(s) for s in oidc.get("scopes") or []),
        "attributeMapping": _mapping(
            oidc.get("attributeMapping"), _OIDC_MAPPING_KEYS, _OIDC_DEFAULTS
        ),
    }
    discovering = bool((desired or oidc).get("issuer"))
    for key in _ENDPOINTS:
        if not discovering or (desired is not None and desired.get(key)):
            out[key] = _text(oidc.get(key))
    return out


def comparable(
    props: Mapping[str, Any], desired: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Inputs or outputs reduced to what Descope holds and this resource manages.

    `desired` (the inputs the comparison is for) decides what a by-metadata or by-issuer
    configuration compares. Sets (domains, roles, groups) are sorted, absent values "", role
    names in NFC (`model.text.nfc`).
    """
    saml, oidc = props.get("saml"), props.get("oidc")
    want = desired if desired is not None else props
    return {
        "authType": "saml"
        if isinstance(saml, Mapping)
        else "oidc"
        if isinstance(oidc, Mapping)
        else "none",
        "saml": _saml_comparable(saml, want.get("saml")) if isinstance(saml, Mapping) else None,
        "oidc": _oidc_comparable(oidc, want.get("oidc")) if isinstance(oidc, Mapping) else None,
        "domains": sorted({_text(d).lower() for d in props.get("domains") or []}),
        "groupMappings": sorted(
            (nfc(_text(m.get("role"))), sorted({_text(g) for g in m.get("groups") or []}))
            for m in props.get("groupMappings") or []
            if isinstance(m, Mapping)
        ),
        "defaultRoles": sorted({nfc(_text(r)) for r in props.get("defaultRoles") or []}),
        "redirectUrl": _text(props.get("redirectUrl")),
    }


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def changed_fields(actual: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    """The managed keys whose values differ between `actual` and `desired` (both in the
    resource's input form; `ops report` compares Descope's with the configuration's)."""
    old, new = comparable(actual, desired), comparable(desired, desired)
    changed = [k for k in _COMPARED if not _same(old[k], new[k])]
    if old["authType"] != new["authType"] and not {"saml", "oidc"} & set(changed):
        changed.append(new["authType"])
    return changed


def _holds(loaded: Mapping[str, Any], spec: SSOConfigurationSpec) -> bool:
    """Whether Descope's configuration is exactly the declared one (the client secret, which
    Descope never returns, aside)."""
    desired = spec.canonical()
    return not changed_fields(inputs_from_descope(loaded, desired), desired)


def _hash(props: Mapping[str, Any]) -> str:
    return content_hash(comparable(props, props))


# --- Descope's form -> ours ------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _or_none(value: Any) -> str | None:
    return str(value) if value else None


def _loaded(answer: Any, doing: str, tenant_id: str) -> dict[str, Any]:
    """A load's answer, read through its wire shape (`providers.wire.SSO_LOAD`): about the
    tenant asked for, with its tenant, saml and oidc parts. One that does not fit is never
    acted on (`AnswerNotUnderstood`)."""
    return wire.SSO_LOAD.read(answer, doing=doing, asked=tenant_id).wire()


def inputs_from_descope(
    loaded: Mapping[str, Any], recorded: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The resource's inputs for a configuration as Descope loads it (``{tenant, saml, oidc,
    ssoId}``). `recorded` gives what a load does not carry (displayName, adopt,
    disableSignRequest). Used by read and by ``python -m ops export``."""
    recorded = recorded or {}
    tenant, saml, oidc = (
        _dict(loaded.get("tenant")),
        _dict(loaded.get("saml")),
        _dict(loaded.get("oidc")),
    )
    auth_type = tenant.get("authType") or "none"
    saml_in: dict[str, Any] | None = None
    oidc_in: dict[str, Any] | None = None
    recorded_saml = _dict(recorded.get("saml"))
    if auth_type == "saml":
        mapping = _mapping(saml.get("attributeMapping"), _SAML_MAPPING_KEYS, _SAML_DEFAULTS)
        saml_in = {
            "metadataUrl": _or_none(saml.get("idpMetadataUrl")),
            "ssoUrl": None,
            "entityId": _or_none(saml.get("idpEntityId")),
            "certificate": None,
            "additionalCertificates": [],
            "attributeMapping": mapping,
            "disableSignRequest": bool(recorded_saml.get("disableSignRequest")),
        }
        if not saml.get("idpMetadataUrl"):
            saml_in.update(
                ssoUrl=_or_none(saml.get("idpSSOUrl")),
                certificate=_or_none(saml.get("idpCertificate")),
                additionalCertificates=list(saml.get("idpAdditionalCertificates") or []),
            )
    elif auth_type == "oidc":
        oidc_in = {
            "name": str(oidc.get("name") or ""),
            "issuer": _or_none(oidc.get("issuer")),
            "authUrl": _or_none(oidc.get("authUrl")),
            "tokenUrl": _or_none(oidc.get("tokenUrl")),
            "userInfoUrl": _or_none(oidc.get("userDataUrl")),
            "jwksUrl": _or_none(oidc.get("JWKsUrl")),
            "clientId": str(oidc.get("clientId") or ""),
            "scopes": list(oidc.get("scope") or []),
            "attributeMapping": _mapping(
                oidc.get("userAttrMapping"), _OIDC_MAPPING_KEYS, _OIDC_DEFAULTS
            ),
        }
    shared = saml if auth_type != "oidc" else oidc
    active = oidc if auth_type == "oidc" else saml
    return {
        "tenantId": str(tenant.get("id") or recorded.get("tenantId") or ""),
        "ssoId": str(loaded.get("ssoId") or ""),
        "displayName": str(recorded.get("displayName") or ""),
        "saml": saml_in,
        "oidc": oidc_in,
        "domains": list(tenant.get("domains") or []),
        "groupMappings": [
            {
                "role": str(_dict(m.get("role")).get("name") or ""),
                "groups": list(m.get("groups") or []),
            }
            for m in shared.get("groupsMapping") or []
            if isinstance(m, Mapping)
        ],
        "defaultRoles": list(shared.get("defaultSSORoles") or []),
        "redirectUrl": _or_none(active.get("redirectUrl")),
        "adopt": bool(recorded.get("adopt")),
    }


def is_blank(loaded: Mapping[str, Any]) -> bool:
    """Whether a default configuration holds nothing: never set up, or deleted."""
    tenant, saml, oidc = (
        _dict(loaded.get("tenant")),
        _dict(loaded.get("saml")),
        _dict(loaded.get("oidc")),
    )
    return not (
        (tenant.get("authType") or "none") != "none"
        or tenant.get("domains")
        or saml.get("idpMetadataUrl")
        or saml.get("idpSSOUrl")
        or oidc.get("clientId")
        or saml.get("groupsMapping")
    )


def _outputs(
    inputs: Mapping[str, Any],
    loaded: Mapping[str, Any],
    *,
    secret_set: bool,
    secret_hash: str | None,
    deployed_hash: str | None,
) -> dict[str, Any]:
    saml = _dict(loaded.get("saml"))
    outputs = {k: v for k, v in inputs.items() if k != SECRET_KEY}
    outputs.update(
        authType=comparable(inputs)["authType"],
        spEntityId=str(saml.get("spEntityId") or ""),
        spAcsUrl=str(saml.get("spACSUrl") or ""),
        clientSecretSet=secret_set,
        clientSecretHash=secret_hash,
        deployedHash=deployed_hash,
    )
    return outputs


# --- calls -----------------------------------------------------------------------------------


def _parsed(fn: Callable[[], T]) -> Callable[[], T]:
    """`fn`, with an answer that is not JSON (cut short) told as a failed request: retried
    where the call is safe to repeat, as any answer lost in transit."""

    def run() -> T:
        try:
            return fn()
        except json.JSONDecodeError:
            raise httpx.DecodingError("Descope's answer was not valid JSON (cut short?)") from None

    return run


def _project_or_none() -> str | None:
    try:
        return client.current_settings().project_id
    except errors.ConfigurationError:
        return None


def _load(tenant_id: str, sso_id: str, doing: str) -> dict[str, Any] | None:
    """The configuration as Descope loads it; None when the tenant or the configuration is gone."""
    api = client.management()

    def fetch() -> Any:
        if sso_id == DEFAULT_SSO_ID:
            return api.sso.load_settings(tenant_id)
        params = {"tenantId": tenant_id, "ssoId": sso_id}
        return client.sso_request(api, "GET", client.SSO_LOAD_PATH, params=params)

    try:
        answer = calls.call(_parsed(fetch), doing=doing, repeatable=True)
    except DescopeApiError as exc:
        if exc.is_not_found:
            return None
        raise
    return _loaded(answer, doing, tenant_id)


def _role_mappings(spec: SSOConfigurationSpec) -> list[dict[str, Any]]:
    return [{"groups": list(m.groups), "roleName": m.role} for m in spec.groupMappings]


def _shared_settings(spec: SSOConfigurationSpec, held: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings, and what this resource does not manage, sent back as Descope holds it."""
    settings: dict[str, Any] = {
        "roleMappings": _role_mappings(spec),
        "defaultSSORoles": list(spec.defaultRoles),
        "groupsPriority": list(held.get("groupsPriority") or []),
        "fgaMappings": _dict(held.get("fgaMappings")),
    }
    if not spec.defaultRoles:
        settings["replaceDefaultSSORoles"] = True
    return settings


def write_request(
    spec: SSOConfigurationSpec, secret: str | None, loaded: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """The configure request (path, body) that makes Descope hold `spec`; `loaded` is what it
    holds now (None: a fresh configuration), whose unmanaged fields are sent back."""
    held_saml = _dict((loaded or {}).get("saml"))
    held_oidc = _dict((loaded or {}).get("oidc"))
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
        _parsed(lambda: client.sso_request(api, "POST", path, body=body)),
        doing=doing,
        repeatable=True,
    )


def copied(loaded: Mapping[str, Any], tenant_id: str) -> SSOConfigurationSpec:
    """The spec that makes Descope hold, on tenant `tenant_id`, the configuration `loaded` (as
    a load gives it, from another tenant): a tenant id change takes its SSO along. A further
    configuration's display name is not in a load: its ssoId is used. Raises `ValueError`
    (pydantic's ValidationError) when the configuration cannot be told as a spec."""
    sso_id = str(loaded.get("ssoId") or "")
    recorded = {"displayName": sso_id, "tenantId": tenant_id}
    data = {**inputs_from_descope(loaded, recorded), "tenantId": tenant_id}
    return SSOConfigurationSpec.model_validate(data)


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


def scrubbed(loaded: Mapping[str, Any]) -> dict[str, Any]:
    """A load as a snapshot keeps it: without any client secret (Descope answers "", but a
    snapshot must never hold one whatever Descope answers)."""
    copy = json.loads(json.dumps(loaded, default=str))
    oidc = copy.get("oidc")
    if isinstance(oidc, dict) and "clientSecret" in oidc:
        oidc["clientSecret"] = ""
    return dict(copy)


class SSOConfigurationProvider(DescopeProvider):
    """Creates, reads, updates and deletes one SSO configuration of a tenant per resource.

    Thread-safe: no per-call state on the instance.
    """

    # --- check -------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs with the model's rules, without any call to Descope; valid
        inputs come back canonical (with the client secret, which stays a secret)."""
        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
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
        news = {k: v for k, v in _news.items() if k != PROVIDER_KEY}
        olds = {k: v for k, v in _olds.items() if k != PROVIDER_KEY}
        unknown = {k for k, v in news.items() if has_unknowns(v)}
        replaces = [
            k for k in REPLACE_KEYS if k in unknown or _text(news.get(k)) != _text(olds.get(k))
        ]
        if unknown:
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
        changed = changed_fields(olds, news)
        secret = news.get(SECRET_KEY)
        if isinstance(secret, str) and secret:
            tenant_id, sso_id = _text(news.get("tenantId")), _text(news.get("ssoId"))
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
        subject = _subject(spec.tenantId, spec.ssoId)
        doing = f"create {subject}"
        if spec.ssoId == DEFAULT_SSO_ID:
            loaded = _load(spec.tenantId, spec.ssoId, doing)
            if loaded is None:
                raise _tenant_missing(doing, spec.tenantId)
            if not is_blank(loaded):
                # SSO domains and an auth type alone are what tenant settings wrote (before the
                # tenant declared sso:): taken over, after a snapshot. So is a configuration
                # holding exactly what is declared: a create of ours cut short after Descope
                # acted (nothing of anyone's is lost). Any other IdP set up is not.
                allowed = spec.adopt or not is_configured(loaded) or _holds(loaded, spec)
                return self._adopt(spec, secret, loaded, doing, allowed=allowed)
            _write(spec, secret, loaded, doing)
            return self._created(spec, secret, loaded)
        loaded = self._new(spec, doing)
        if loaded is None:  # it exists already
            existing = _load(spec.tenantId, spec.ssoId, doing)
            if existing is None:
                raise _tenant_missing(doing, spec.tenantId)
            return self._adopt(spec, secret, existing, doing, allowed=spec.adopt)
        try:
            _write(spec, secret, loaded, doing)
        except DescopeApiError as exc:
            self._roll_back(spec, exc)
            raise  # pragma: no cover - _roll_back always raises
        return self._created(spec, secret, loaded)

    def _new(self, spec: SSOConfigurationSpec, doing: str) -> dict[str, Any] | None:
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
                f"check whether {_subject(spec.tenantId, spec.ssoId)} exists",
            )
            if existing is None:
                raise
            if is_blank_further(existing):
                # Nothing configured in it yet: made by this call (its answer lost, or the
                # SDK's repeat of a POST that went through refused as a duplicate), or by
                # someone who never configured it. Either way nothing of theirs is lost.
                log.info(
                    "%s exists, not configured yet; taking it for this create: %s",
                    _subject(spec.tenantId, spec.ssoId),
                    exc.detail,
                )
                return existing
            return None
        return _loaded(answer, doing, spec.tenantId)

    def _created(
        self, spec: SSOConfigurationSpec, secret: str | None, loaded: Mapping[str, Any]
    ) -> CreateResult:
        inputs = spec.canonical()
        fingerprint = secret_fingerprint(spec.tenantId, spec.ssoId, secret) if secret else None
        outputs = _outputs(
            inputs,
            loaded,
            secret_set=bool(secret),
            secret_hash=fingerprint,
            deployed_hash=_hash(inputs),
        )
        return CreateResult(resource_id(spec.tenantId, spec.ssoId), outputs)

    def _adopt(
        self,
        spec: SSOConfigurationSpec,
        secret: str | None,
        existing: Mapping[str, Any],
        doing: str,
        *,
        allowed: bool,
    ) -> CreateResult:
        """Take over a configuration already there: refused unless `allowed` (``adopt``);
        then snapshot it, and write only if it differs (or a secret is to be set)."""
        subject = _subject(spec.tenantId, spec.ssoId)
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
        path = backups.write_snapshot(
            self.backup_dir,
            kind="sso",
            resource_id=resource_id(spec.tenantId, spec.ssoId),
            reason="adopt",
            content={"sso": scrubbed(existing)},
            project_id=_project_or_none(),
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
        return self._created(spec, secret, existing)

    def _roll_back(self, spec: SSOConfigurationSpec, cause: DescopeApiError) -> None:
        """Delete the further configuration this create made (blank: nothing to snapshot)."""
        subject = _subject(spec.tenantId, spec.ssoId)
        api = client.management()
        try:
            calls.call(
                lambda: api.sso.delete_settings(spec.tenantId, spec.ssoId),
                doing=f"delete {subject} again",
                repeatable=True,
            )
        except DescopeApiError as rollback:
            raise errors.explain(
                cause,
                f"{subject} was created but configuring it failed, and deleting it again also "
                f"failed ({rollback.detail.rstrip('.') or 'no details'})",
                action=f"Delete it in the Descope console (tenant {spec.tenantId}, SSO), or set "
                "`adopt: true` on the tenant, then run again.",
                cls=PartialFailure,
            ) from None
        raise errors.explain(
            cause,
            f"{subject} was created but configuring it failed, so it was deleted again and "
            "nothing changed in Descope",
            action=cause.action or "Fix the value Descope rejected and run again.",
            cls=PartialFailure,
        ) from None

    # --- read --------------------------------------------------------------------------------

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Load the configuration as Descope holds it: console and customer edits show as
        drift. Gone (tenant deleted, configuration deleted, or a default one left blank):
        ``ReadResult(None, {})``. The client secret is not read (Descope never returns it):
        its recorded hash is kept."""
        tenant_id = _text(props.get("tenantId")) or id_.split("/", 1)[0]
        sso_id = _text(props.get("ssoId"))
        doing = f"read {_subject(tenant_id, sso_id)}"
        loaded = _load(tenant_id, sso_id, doing)
        if loaded is None or (sso_id == DEFAULT_SSO_ID and is_blank(loaded)):
            return ReadResult(None, {})
        inputs = inputs_from_descope(loaded, props)
        outputs = _outputs(
            inputs,
            loaded,
            secret_set=bool(props.get("clientSecretSet")),
            secret_hash=_or_none(props.get("clientSecretHash")),
            deployed_hash=_or_none(props.get("deployedHash")),
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
        subject = _subject(spec.tenantId, spec.ssoId)
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
        if current_hash not in (_olds.get("deployedHash"), _hash(desired)):
            backups.write_snapshot(
                self.backup_dir,
                kind="sso",
                resource_id=resource_id(spec.tenantId, spec.ssoId),
                reason="overwrite",
                content={"sso": scrubbed(loaded)},
                project_id=_project_or_none(),
                warning=lambda saved: errors.snapshot_warning(
                    subject[:1].upper() + subject[1:],
                    "was changed outside Pulumi and will be overwritten",
                    str(saved),
                ),
            )
        _write(spec, secret, loaded, doing)
        fingerprint = secret_fingerprint(spec.tenantId, spec.ssoId, secret) if secret else None
        return UpdateResult(
            _outputs(
                desired,
                loaded,
                secret_set=bool(secret),
                secret_hash=fingerprint,
                deployed_hash=_hash(desired),
            )
        )

    # --- delete ------------------------------------------------------------------------------

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the configuration, then delete it (a default one is reset: no settings, no
        SSO domains, auth type none). One already gone counts as deleted."""
        tenant_id = _text(_props.get("tenantId")) or _id.split("/", 1)[0]
        sso_id = _text(_props.get("ssoId"))
        subject = _subject(tenant_id, sso_id)
        doing = f"delete {subject}"
        loaded = _load(tenant_id, sso_id, doing)
        if loaded is None or (sso_id == DEFAULT_SSO_ID and is_blank(loaded)):
            taken = backups.tenant_snapshot_taken(tenant_id)
            told = subject[:1].upper() + subject[1:]
            log.warning(
                "%s", errors.gone_with_tenant(told, tenant_id, str(taken) if taken else None)
            )
            return
        backups.write_snapshot(
            self.backup_dir,
            kind="sso",
            resource_id=resource_id(tenant_id, sso_id),
            reason="delete",
            content={"sso": scrubbed(loaded)},
            project_id=_project_or_none(),
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


def is_configured(loaded: Mapping[str, Any]) -> bool:
    """Whether an IdP is set up in a configuration (SAML or OIDC settings, group mappings),
    beyond SSO domains and an auth type."""
    saml, oidc = _dict(loaded.get("saml")), _dict(loaded.get("oidc"))
    return bool(
        saml.get("idpMetadataUrl")
        or saml.get("idpSSOUrl")
        or oidc.get("clientId")
        or saml.get("groupsMapping")
    )


def is_blank_further(loaded: Mapping[str, Any]) -> bool:
    """Whether a further configuration holds nothing yet (as right after `new`)."""
    return is_blank({**loaded, "tenant": {**_dict(loaded.get("tenant")), "domains": []}})


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


def _tenant_missing(doing: str, tenant_id: str) -> DescopeApiError:
    return DescopeApiError(
        f"Unable to {doing}:",
        f'tenant "{tenant_id}" does not exist in Descope.',
        action="The SSO configuration is created after its tenant: run `pulumi up` again; if "
        "the tenant was deleted outside Pulumi, `pulumi refresh` first.",
        status=404,
    )


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
