"""Tenants' SSO between Descope's answers and the configuration's ``sso:``, for the operations.

`export` writes each tenant's SSO as Descope holds it, `backup` keeps it, `restore` puts it back
into code and `report` compares it; all of them through here:

- `sso_from_descope`: a tenant's SSO configurations, as Descope loads them, as the ``sso:`` of
  its entry. An OIDC client secret is never known (Descope never returns it): it is written as
  a ``${name}`` placeholder (`secret_placeholder`, or the reference the file already has), and
  the names to set are returned, so the caller can say ``pulumi config set --secret ...``. A
  further configuration's ``displayName`` is not in Descope's answers either: the one the file
  has is kept, else its ssoId is written (and the caller says so).
- A tenant whose settings enable Descope's SSO Setup Suite (``ssoSetupSuiteSettings.enabled``)
  is taken to have its SSO set up by the customer: ``sso: {managedBy: customer}``.
- `without_owned_settings`: a tenant's settings without the fields its ``sso:`` owns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from model.sso import DEFAULT_SSO_ID, SSO_OWNED_SETTINGS, secret_reference_name
from ops.tenant_entry import FileForms
from ops.yaml_edit import styled
from providers.sso import INPUT_KEYS, inputs_from_descope

__all__ = [
    "ExportedSSO",
    "customer_sets_it_up",
    "inputs_from_outputs",
    "secret_placeholder",
    "sso_from_descope",
    "sso_from_inputs",
    "sso_node",
    "without_owned_settings",
]


def secret_placeholder(tenant_id: str, sso_id: str = DEFAULT_SSO_ID) -> str:
    """The variable name an exported OIDC client secret is written as (``${name}``)."""
    return f"oidcClientSecret_{tenant_id}" + (f"_{sso_id}" if sso_id else "")


def customer_sets_it_up(settings: Mapping[str, Any] | None) -> bool:
    """Whether the tenant's settings enable the SSO Setup Suite: its SSO is the customer's."""
    suite = (settings or {}).get("ssoSetupSuiteSettings")
    return isinstance(suite, Mapping) and bool(suite.get("enabled"))


@dataclass
class ExportedSSO:
    """A tenant's ``sso:`` value, and what the person exporting it must know."""

    data: dict[str, Any] | None
    """The ``sso:`` mapping; None when the tenant has no SSO configuration in use."""
    secrets: list[str] = field(default_factory=list)
    """Variables the client secrets are written as: each must be set as a stack secret."""
    unnamed: list[str] = field(default_factory=list)
    """ssoIds whose displayName was written as the ssoId (Descope does not answer it)."""
    skipped: list[str] = field(default_factory=list)
    """ssoIds of configurations left out: disabled (auth type none) or never configured."""


def _configuration(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """One configuration's YAML keys from the resource's inputs (values as Descope holds them)."""
    out: dict[str, Any] = {}
    for protocol in ("saml", "oidc"):
        settings = inputs.get(protocol)
        if isinstance(settings, Mapping):
            out[protocol] = {k: v for k, v in settings.items() if v not in (None, [], False, "")}
    for key in ("domains", "groupMappings", "defaultRoles"):
        if inputs.get(key):
            out[key] = list(inputs[key])
    if inputs.get("redirectUrl"):
        out["redirectUrl"] = inputs["redirectUrl"]
    return out


def _set_up(configuration: Mapping[str, Any]) -> bool:
    """Whether a configuration holds a protocol's settings. An auth type without them (set
    through the tenant settings, or a configuration never configured) is not SSO set up: a
    default one stays in the tenant's settings."""
    saml, oidc = configuration.get("saml") or {}, configuration.get("oidc") or {}
    return bool(saml.get("metadataUrl") or saml.get("ssoUrl") or oidc.get("clientId"))


def _references(written: Any) -> dict[str, str]:
    """ssoId -> the clientSecret reference a file's ``sso:`` already writes."""
    found: dict[str, str] = {}
    if not isinstance(written, Mapping):
        return found
    items: list[tuple[str, Any]] = [(DEFAULT_SSO_ID, written)]
    items += [
        (str(c.get("ssoId")), c) for c in written.get("additional") or [] if isinstance(c, Mapping)
    ]
    for sso_id, configuration in items:
        oidc = configuration.get("oidc") if isinstance(configuration, Mapping) else None
        reference = oidc.get("clientSecret") if isinstance(oidc, Mapping) else None
        if isinstance(reference, str):
            try:
                secret_reference_name(reference)
            except ValueError:
                continue
            found[sso_id] = reference
    return found


def _display_names(written: Any) -> dict[str, str]:
    if not isinstance(written, Mapping):
        return {}
    return {
        str(c.get("ssoId")): str(c["displayName"])
        for c in written.get("additional") or []
        if isinstance(c, Mapping) and isinstance(c.get("displayName"), str)
    }


def sso_from_descope(
    tenant_id: str,
    loads: Sequence[Mapping[str, Any]],
    *,
    customer: bool = False,
    written: Any = None,
) -> ExportedSSO:
    """The tenant's ``sso:`` from its configurations as Descope loads them (`Descope.
    sso_configurations`). `customer`: the customer sets it up. `written` is the ``sso:`` the
    file has now (its secret references and display names are kept)."""
    if customer:
        return ExportedSSO({"managedBy": "customer"})
    return sso_from_inputs(
        tenant_id, [inputs_from_descope(load) for load in loads], written=written
    )


def inputs_from_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """An SSO resource's inputs from its recorded outputs (a stack export), without a secret."""
    return {k: outputs.get(k) for k in INPUT_KEYS if k != "clientSecret"}


def sso_from_inputs(
    tenant_id: str, configurations: Sequence[Mapping[str, Any]], *, written: Any = None
) -> ExportedSSO:
    """`sso_from_descope` from the SSO resources' inputs (`providers.sso.inputs_from_descope`
    of a load, or `inputs_from_outputs` of recorded outputs)."""
    references, names = _references(written), _display_names(written)
    result = ExportedSSO(None)
    data: dict[str, Any] = {}
    recorded = {str(c.get("ssoId") or ""): str(c.get("displayName") or "") for c in configurations}
    names = {**{k: v for k, v in recorded.items() if v}, **names}
    for inputs in configurations:
        sso_id = str(inputs.get("ssoId") or "")
        configuration = _configuration(inputs)
        if not _set_up(configuration):
            if sso_id != DEFAULT_SSO_ID or inputs.get("saml") or inputs.get("oidc"):
                result.skipped.append(sso_id)
            continue
        if "oidc" in configuration:
            reference = references.get(sso_id)
            if reference is None:
                reference = "${" + secret_placeholder(tenant_id, sso_id) + "}"
            configuration["oidc"]["clientSecret"] = reference
            result.secrets.append(secret_reference_name(reference))
        if sso_id == DEFAULT_SSO_ID:
            data.update(configuration)
            continue
        if sso_id not in names:
            result.unnamed.append(sso_id)
        extra = {"ssoId": sso_id, "displayName": names.get(sso_id, sso_id), **configuration}
        data.setdefault("additional", []).append(extra)
    result.data = data or None
    return result


def sso_node(data: Mapping[str, Any], forms: FileForms) -> CommentedMap:
    """An ``sso:`` value for a tenant entry, written as the file writes its values: strings
    with the file's ``${name}`` references (a client secret reference as it is), lists of
    plain values in flow style, a certificate as a literal block."""

    def node(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            return CommentedMap({str(k): node(v, (*path, str(k))) for k, v in value.items()})
        if isinstance(value, list):
            seq = CommentedSeq([node(v, path) for v in value])
            flat = all(not isinstance(v, Mapping | list) for v in value)
            return styled(seq, flat)
        if isinstance(value, str):
            if path[-1:] == ("clientSecret",):
                return value
            text = forms.written_form(value)
            return LiteralScalarString(text) if "\n" in text else forms.text(value, path)
        return value

    built = node(data, ())
    assert isinstance(built, CommentedMap)
    return built


def without_owned_settings(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`settings` without the fields a tenant's ``sso:`` owns (domains, authType)."""
    if settings is None:
        return None
    return {k: v for k, v in settings.items() if k not in SSO_OWNED_SETTINGS}
