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
- `restore_sso`: a tenant entry's ``sso:`` edited key by key to hold what a backup holds, as
  `ops.edit.tenant_entry` edits the tenant's own keys: a key whose written value already means the
  wanted one is left as written (``${name}`` references, flow or block style, key order and
  comments kept; a certificate compared by fingerprint), a key the model's default already
  gives is not written (an attribute mapping holds only what differs from a fresh Descope
  configuration), further configurations are matched by ``ssoId``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from model.idp import certificate_fingerprint, secret_reference_name
from model.sso import DEFAULT_SSO_ID, SSO_OWNED_SETTINGS, SSOConfiguration, TenantSSO
from ops.edit.tenant_entry import ABSENT, FileForms, put_in_order, same, value_node
from ops.edit.yaml_edit import styled
from providers.answers.sso import INPUT_KEYS, inputs_from_descope

__all__ = [
    "ExportedSSO",
    "customer_sets_it_up",
    "inputs_from_outputs",
    "restore_sso",
    "secret_placeholder",
    "sso_from_descope",
    "sso_from_inputs",
    "sso_with_configurations",
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


_ADDITIONAL: Final = "additional"
_DEFAULT_KEYS: Final = tuple(
    k for k in TenantSSO.model_fields if k not in ("managedBy", _ADDITIONAL)
)
"""The keys of an ``sso:`` that are its default configuration's."""


def sso_with_configurations(
    tenant_id: str, configurations: Sequence[Mapping[str, Any]], *, written: Any
) -> ExportedSSO:
    """`sso_from_inputs` of some of a tenant's configurations (an ``sso`` snapshot holds one),
    put into the ``sso:`` the file has written: the configurations with those ssoIds are
    replaced, the others kept as written (their keys as the loader reads them)."""
    exported = sso_from_inputs(tenant_id, configurations, written=written)
    base = (
        written if isinstance(written, Mapping) and written.get("managedBy") != "customer" else {}
    )
    restored = exported.data or {}
    ids = {str(c.get("ssoId") or DEFAULT_SSO_ID) for c in configurations}
    keep = [
        k
        for k in base
        if k != _ADDITIONAL and (k not in _DEFAULT_KEYS or DEFAULT_SSO_ID not in ids)
    ]
    data = {**{k: base[k] for k in keep}, **{k: v for k, v in restored.items() if k != _ADDITIONAL}}
    replacements = {str(c["ssoId"]): c for c in restored.get(_ADDITIONAL) or []}
    additional: list[Any] = []
    for item in base.get(_ADDITIONAL) or []:
        sso_id = str(item.get("ssoId")) if isinstance(item, Mapping) else None
        if sso_id not in ids:
            additional.append(item)
        elif sso_id in replacements:
            additional.append(replacements.pop(sso_id))
    additional.extend(replacements.values())
    if additional:
        data[_ADDITIONAL] = additional
    exported.data = data or None
    return exported


def without_owned_settings(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`settings` without the fields a tenant's ``sso:`` owns (domains, authType)."""
    if settings is None:
        return None
    return {k: v for k, v in settings.items() if k not in SSO_OWNED_SETTINGS}


# --- restore: the entry's sso: edited key by key ------------------------------------------------

_ITEM: Final = "[]"
_CERTIFICATE_KEYS: Final = ("certificate", "additionalCertificates")
_SECRET_KEY: Final = "clientSecret"
_ADDITIONAL_ORDER: Final = ("ssoId", "displayName", *SSOConfiguration.model_fields)


def _sub_model(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    """The model of `model`'s field `key` when it is a mapping with its own fields (saml, oidc,
    attributeMapping); None otherwise."""
    info = model.model_fields.get(key) if model is not None else None
    if info is None:
        return None
    annotation = info.annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = options[0] if len(options) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _defaults(model: type[BaseModel] | None) -> dict[str, Any]:
    """What `model` gives each field a mapping leaves out (required fields have none)."""
    out: dict[str, Any] = {}
    for name, info in (model.model_fields if model is not None else {}).items():
        if info.is_required():
            continue
        value = info.get_default(call_default_factory=True)
        out[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return out


def _meaning(value: Any, model: type[BaseModel] | None, key: str = "") -> Any:
    """`value` as the configuration means it: the model's defaults filled in, certificates by
    fingerprint, further configurations with their own defaults."""
    if key in _CERTIFICATE_KEYS:
        if isinstance(value, str):
            return certificate_fingerprint(value)
        if isinstance(value, list):
            return [certificate_fingerprint(v) if isinstance(v, str) else v for v in value]
    if key == _ADDITIONAL and isinstance(value, list):
        return [_meaning(item, SSOConfiguration) for item in value]
    if model is None or not isinstance(value, Mapping):
        return value
    filled = {**_defaults(model), **value}
    return {k: _meaning(v, _sub_model(model, k), k) for k, v in filled.items()}


def restore_sso(
    entry: CommentedMap, written: Any, wanted: Mapping[str, Any], forms: FileForms
) -> None:
    """Edit the ``sso:`` of tenant `entry` so that it loads as `wanted` (an `ExportedSSO`'s
    data); `written` is the ``sso:`` the entry has now as the loader reads it (variables
    substituted, client secret references as written), None when it has none."""
    node = entry.get("sso")
    if not isinstance(node, CommentedMap) or not isinstance(written, Mapping):
        node, written = styled(CommentedMap(), flow=False), {}  # a block, whatever others use
        entry["sso"] = node
    _edit(node, written, wanted, TenantSSO, path=("sso",), forms=forms)


def _edit(
    node: CommentedMap,
    written: Mapping[str, Any],
    wanted: Mapping[str, Any],
    model: type[BaseModel] | None,
    *,
    path: tuple[str, ...],
    forms: FileForms,
) -> None:
    """Edit the mapping `node` (written as `written`) key by key to mean `wanted`."""
    defaults = _defaults(model)
    order = tuple(model.model_fields) if model is not None else ()
    if model is SSOConfiguration:
        order = _ADDITIONAL_ORDER
    for key in list(dict.fromkeys([*written, *wanted])):
        want, have = wanted.get(key, ABSENT), written.get(key, ABSENT)
        default, sub = defaults.get(key, ABSENT), _sub_model(model, key)
        meant = _meaning(default if want is ABSENT else want, sub, key)
        if same(_meaning(default if have is ABSENT else have, sub, key), meant):
            continue  # as written
        if want is ABSENT or same(_meaning(default, sub, key), meant):
            node.pop(key, None)
            continue
        old = node.get(key)
        where = (*path, key)
        if sub is not None and isinstance(old, CommentedMap) and isinstance(have, Mapping):
            _edit(old, have, want, sub, path=where, forms=forms)
        elif key == _ADDITIONAL and isinstance(old, CommentedSeq) and isinstance(have, list):
            _edit_additional(old, have, want, path=where, forms=forms)
        else:
            value = _new_value(key, want, old, model=sub, path=where, forms=forms)
            put_in_order(node, key, value, order)


def _new_value(
    key: str,
    want: Any,
    old: Any,
    *,
    model: type[BaseModel] | None,
    path: tuple[str, ...],
    forms: FileForms,
) -> Any:
    """`want` as a new value at `path`, without what the model's defaults give."""
    if key == _SECRET_KEY:
        return want  # a ${name} reference, as it is
    if key == _ADDITIONAL and isinstance(want, list):
        items = [_new_configuration(item, path=(*path, _ITEM), forms=forms) for item in want]
        return styled(CommentedSeq(items), forms.flow_for(path))
    if model is not None and isinstance(want, Mapping):
        built = styled(CommentedMap(), forms.flow_for(path))
        _edit(built, {}, want, model, path=path, forms=forms)
        return built
    if isinstance(want, list) and not isinstance(old, CommentedSeq) and path not in forms.flow:
        flat = all(not isinstance(v, Mapping | list) for v in want)
        old = styled(CommentedSeq(), flat)  # no entry shows a style: flat lists in flow style
    return value_node(want, old, path, forms)


def _new_configuration(want: Any, *, path: tuple[str, ...], forms: FileForms) -> Any:
    return _new_value("", want, None, model=SSOConfiguration, path=path, forms=forms)


def _edit_additional(
    seq: CommentedSeq,
    written: list[Any],
    wanted: list[Any],
    *,
    path: tuple[str, ...],
    forms: FileForms,
) -> None:
    """The further configurations, matched by ssoId: each edited in place, the others removed,
    new ones added; in the order `wanted` has them."""
    wanted_by_id = {str(w.get("ssoId")): w for w in wanted if isinstance(w, Mapping)}
    written_by_id = {str(w.get("ssoId")): w for w in written if isinstance(w, Mapping)}
    for index in reversed(range(len(seq))):
        item = seq[index]
        sso_id = str(item.get("ssoId")) if isinstance(item, Mapping) else None
        if sso_id not in wanted_by_id or sso_id not in written_by_id:
            del seq[index]
    kept = {str(item.get("ssoId")): item for item in seq}
    where = (*path, _ITEM)
    for sso_id, want in wanted_by_id.items():
        if sso_id in kept:
            _edit(
                kept[sso_id], written_by_id[sso_id], want, SSOConfiguration, path=where, forms=forms
            )
        else:
            seq.append(_new_configuration(want, path=where, forms=forms))
    if [str(item.get("ssoId")) for item in seq] != list(wanted_by_id):
        ordered = sorted(seq, key=lambda item: list(wanted_by_id).index(str(item.get("ssoId"))))
        del seq[:]
        seq.extend(ordered)
