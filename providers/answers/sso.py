"""Descope's answers about an SSO configuration as the SSO resource's inputs and outputs, and
the comparable form both are judged in.

The SSO resource (`providers.sso`) records a configuration as `model.sso.SSOConfigurationSpec`
declares it (the keys below); refresh reads Descope's loads into that form, and so do the ops
tools (``python -m ops export``, ``report``, ``restore``) and the tenant unit
(`providers.tenant_unit`), from here: `inputs_from_descope`, `comparable` and
`changed_fields`, `is_blank` / `is_configured`, `scrubbed` (a load as a snapshot keeps it: no
client secret) and `copied` (a load as the spec that makes it again on another tenant).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from model.flow import content_hash
from model.idp import OidcAttributeMapping, SamlAttributeMapping, certificate_fingerprint
from model.sso import DEFAULT_SSO_ID, SSOConfigurationSpec
from model.text import nfc
from providers import wire
from providers.resource import same

__all__ = [
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "REPLACE_KEYS",
    "SECRET_KEY",
    "SPEC_KEYS",
    "changed_fields",
    "comparable",
    "copied",
    "inputs_from_descope",
    "is_blank",
    "is_blank_further",
    "is_configured",
    "resource_id",
    "scrubbed",
    "secret_fingerprint",
]

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
_SAML_MAPPING_KEYS = tuple(SamlAttributeMapping.model_fields)
_OIDC_MAPPING_KEYS = tuple(OidcAttributeMapping.model_fields)


def resource_id(tenant_id: str, sso_id: str = DEFAULT_SSO_ID) -> str:
    """The resource's id: the tenant id, and ``/<ssoId>`` for a further configuration."""
    return tenant_id if sso_id == DEFAULT_SSO_ID else f"{tenant_id}/{sso_id}"


def secret_fingerprint(tenant_id: str, sso_id: str, secret: str) -> str:
    """``sha256:<hex>`` of a client secret, bound to its configuration (one secret used for two
    configurations does not show as such). Recorded as a secret output only."""
    message = f"descope-config/sso-client-secret/1\0{tenant_id}\0{sso_id}\0{secret}"
    return "sha256:" + hashlib.sha256(message.encode("utf-8")).hexdigest()


# --- comparison ------------------------------------------------------------------------------


def text(value: Any) -> str:
    return str(value) if value is not None else ""


def _mapping(value: Any, keys: tuple[str, ...], defaults: Mapping[str, Any]) -> dict[str, Any]:
    given = value if isinstance(value, Mapping) else {}
    out: dict[str, Any] = {}
    for key in keys:
        if key == "customAttributes":
            custom = given.get(key)
            out[key] = {str(k): text(v) for k, v in sorted((custom or {}).items())}
        else:
            raw = given.get(key, defaults.get(key))
            out[key] = text(raw)
    return out


_SAML_DEFAULTS = SamlAttributeMapping().model_dump()
_OIDC_DEFAULTS = OidcAttributeMapping().model_dump()


def _saml_comparable(saml: Mapping[str, Any], desired: Mapping[str, Any] | None) -> dict[str, Any]:
    """SAML as Descope would hold it. By metadata, Descope may fill the SSO URL, entity id and
    certificates from the metadata: only what the desired side declares is compared."""
    mapping = _mapping(saml.get("attributeMapping"), _SAML_MAPPING_KEYS, _SAML_DEFAULTS)
    if saml.get("metadataUrl"):
        out: dict[str, Any] = {"metadataUrl": text(saml.get("metadataUrl"))}
        if desired is None or desired.get("entityId"):
            out["entityId"] = text(saml.get("entityId"))
        return {**out, "attributeMapping": mapping}
    return {
        "ssoUrl": text(saml.get("ssoUrl")),
        "entityId": text(saml.get("entityId")),
        "certificate": certificate_fingerprint(text(saml.get("certificate"))),
        "additionalCertificates": sorted(
            certificate_fingerprint(text(c)) for c in saml.get("additionalCertificates") or []
        ),
        "attributeMapping": mapping,
    }


_ENDPOINTS = ("authUrl", "tokenUrl", "userInfoUrl", "jwksUrl")


def _oidc_comparable(oidc: Mapping[str, Any], desired: Mapping[str, Any] | None) -> dict[str, Any]:
    """OIDC as Descope would hold it. With an issuer, Descope may fill the endpoints from its
    discovery document: only the endpoints the desired side declares are compared."""
    out: dict[str, Any] = {
        "name": text(oidc.get("name")),
        "issuer": text(oidc.get("issuer")),
        "clientId": text(oidc.get("clientId")),
        "scopes": sorted(text(s) for s in oidc.get("scopes") or []),
        "attributeMapping": _mapping(
            oidc.get("attributeMapping"), _OIDC_MAPPING_KEYS, _OIDC_DEFAULTS
        ),
    }
    discovering = bool((desired or oidc).get("issuer"))
    for key in _ENDPOINTS:
        if not discovering or (desired is not None and desired.get(key)):
            out[key] = text(oidc.get(key))
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
        "domains": sorted({text(d).lower() for d in props.get("domains") or []}),
        "groupMappings": sorted(
            (nfc(text(m.get("role"))), sorted({text(g) for g in m.get("groups") or []}))
            for m in props.get("groupMappings") or []
            if isinstance(m, Mapping)
        ),
        "defaultRoles": sorted({nfc(text(r)) for r in props.get("defaultRoles") or []}),
        "redirectUrl": text(props.get("redirectUrl")),
    }


def changed_fields(actual: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    """The managed keys whose values differ between `actual` and `desired` (both in the
    resource's input form; `ops report` compares Descope's with the configuration's)."""
    old, new = comparable(actual, desired), comparable(desired, desired)
    changed = [k for k in _COMPARED if not same(old[k], new[k])]
    if old["authType"] != new["authType"] and not {"saml", "oidc"} & set(changed):
        changed.append(new["authType"])
    return changed


def holds(loaded: Mapping[str, Any], spec: SSOConfigurationSpec) -> bool:
    """Whether Descope's configuration is exactly the declared one (the client secret, which
    Descope never returns, aside)."""
    desired = spec.canonical()
    return not changed_fields(inputs_from_descope(loaded, desired), desired)


def deployed_hash(props: Mapping[str, Any]) -> str:
    return content_hash(comparable(props, props))


# --- Descope's form -> ours ------------------------------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def or_none(value: Any) -> str | None:
    return str(value) if value else None


def loaded_answer(answer: Any, doing: str, tenant_id: str) -> dict[str, Any]:
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
        as_dict(loaded.get("tenant")),
        as_dict(loaded.get("saml")),
        as_dict(loaded.get("oidc")),
    )
    auth_type = tenant.get("authType") or "none"
    saml_in: dict[str, Any] | None = None
    oidc_in: dict[str, Any] | None = None
    recorded_saml = as_dict(recorded.get("saml"))
    if auth_type == "saml":
        mapping = _mapping(saml.get("attributeMapping"), _SAML_MAPPING_KEYS, _SAML_DEFAULTS)
        saml_in = {
            "metadataUrl": or_none(saml.get("idpMetadataUrl")),
            "ssoUrl": None,
            "entityId": or_none(saml.get("idpEntityId")),
            "certificate": None,
            "additionalCertificates": [],
            "attributeMapping": mapping,
            "disableSignRequest": bool(recorded_saml.get("disableSignRequest")),
        }
        if not saml.get("idpMetadataUrl"):
            saml_in.update(
                ssoUrl=or_none(saml.get("idpSSOUrl")),
                certificate=or_none(saml.get("idpCertificate")),
                additionalCertificates=list(saml.get("idpAdditionalCertificates") or []),
            )
    elif auth_type == "oidc":
        oidc_in = {
            "name": str(oidc.get("name") or ""),
            "issuer": or_none(oidc.get("issuer")),
            "authUrl": or_none(oidc.get("authUrl")),
            "tokenUrl": or_none(oidc.get("tokenUrl")),
            "userInfoUrl": or_none(oidc.get("userDataUrl")),
            "jwksUrl": or_none(oidc.get("JWKsUrl")),
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
                "role": str(as_dict(m.get("role")).get("name") or ""),
                "groups": list(m.get("groups") or []),
            }
            for m in shared.get("groupsMapping") or []
            if isinstance(m, Mapping)
        ],
        "defaultRoles": list(shared.get("defaultSSORoles") or []),
        "redirectUrl": or_none(active.get("redirectUrl")),
        "adopt": bool(recorded.get("adopt")),
    }


def is_blank(loaded: Mapping[str, Any]) -> bool:
    """Whether a default configuration holds nothing: never set up, or deleted."""
    tenant, saml, oidc = (
        as_dict(loaded.get("tenant")),
        as_dict(loaded.get("saml")),
        as_dict(loaded.get("oidc")),
    )
    return not (
        (tenant.get("authType") or "none") != "none"
        or tenant.get("domains")
        or saml.get("idpMetadataUrl")
        or saml.get("idpSSOUrl")
        or oidc.get("clientId")
        or saml.get("groupsMapping")
    )


def outputs_of(
    inputs: Mapping[str, Any],
    loaded: Mapping[str, Any],
    *,
    secret_set: bool,
    secret_hash: str | None,
    deployed_hash: str | None,
) -> dict[str, Any]:
    saml = as_dict(loaded.get("saml"))
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


def is_configured(loaded: Mapping[str, Any]) -> bool:
    """Whether an IdP is set up in a configuration (SAML or OIDC settings, group mappings),
    beyond SSO domains and an auth type."""
    saml, oidc = as_dict(loaded.get("saml")), as_dict(loaded.get("oidc"))
    return bool(
        saml.get("idpMetadataUrl")
        or saml.get("idpSSOUrl")
        or oidc.get("clientId")
        or saml.get("groupsMapping")
    )


def is_blank_further(loaded: Mapping[str, Any]) -> bool:
    """Whether a further configuration holds nothing yet (as right after `new`)."""
    return is_blank({**loaded, "tenant": {**as_dict(loaded.get("tenant")), "domains": []}})


def copied(loaded: Mapping[str, Any], tenant_id: str) -> SSOConfigurationSpec:
    """The spec that makes Descope hold, on tenant `tenant_id`, the configuration `loaded` (as
    a load gives it, from another tenant): a tenant id change takes its SSO along. A further
    configuration's display name is not in a load: its ssoId is used. Raises `ValueError`
    (pydantic's ValidationError) when the configuration cannot be told as a spec."""
    sso_id = str(loaded.get("ssoId") or "")
    recorded = {"displayName": sso_id, "tenantId": tenant_id}
    data = {**inputs_from_descope(loaded, recorded), "tenantId": tenant_id}
    return SSOConfigurationSpec.model_validate(data)


def scrubbed(loaded: Mapping[str, Any]) -> dict[str, Any]:
    """A load as a snapshot keeps it: without any client secret (Descope answers "", but a
    snapshot must never hold one whatever Descope answers)."""
    copy = json.loads(json.dumps(loaded, default=str))
    oidc = copy.get("oidc")
    if isinstance(oidc, dict) and "clientSecret" in oidc:
        oidc["clientSecret"] = ""
    return dict(copy)
