"""Between Descope's shapes and the configuration's: tenants, flow and theme files.

- `spec_from_descope`: a tenant as Descope loads it (tenant + settings) -> a `TenantSpec`
  dict, written as the YAML writes it (camelCase keys, settings included);
  `data_from_descope` is the same dict before validation.
- `flow_text` / `theme_text`: the files, byte-for-byte the same for the same content, written
  with `config.variables.template`: ``${name}`` where a string holds a variable's value, every
  literal ``${`` as ``$${``, so that loading them with the same variables gives Descope's
  content back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from config.variables import template
from model import TenantSpec, normalise_flow_export, normalise_theme
from model.tenant import MANAGEMENT_KEYS, RESOURCE_OPTION_KEYS
from ops.files import json_text
from providers.answers.tenant import settings_from_descope

_SPEC_FIELDS = tuple(TenantSpec.model_fields)


def data_from_descope(
    tenant: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A tenant as Descope holds it, in the configuration's keys, NOT validated.

    `model.tenant_problems` of the result says what the configuration would refuse in it.
    """
    data: dict[str, Any] = {
        "id": tenant["id"],
        "name": tenant.get("name", ""),
        "selfProvisioningDomains": list(tenant.get("selfProvisioningDomains") or []),
        "customAttributes": dict(tenant.get("customAttributes") or {}),
        "enforceSSO": bool(tenant.get("enforceSSO", False)),
        "enforceSSOExclusions": list(tenant.get("enforceSSOExclusions") or []),
        "disabled": bool(tenant.get("disabled", False)),
        "defaultRoles": list(tenant.get("defaultRoles") or []),
    }
    for key in ("parent", "roleInheritance"):  # a sub-tenant's; "" is Descope's unset
        if tenant.get(key):
            data[key] = tenant[key]
    if settings is not None:
        data["settings"] = settings_from_descope(settings)
    return data


def spec_from_descope(
    tenant: Mapping[str, Any], settings: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A tenant as Descope holds it, as a full `TenantSpec` dict (validated)."""
    return TenantSpec.model_validate(data_from_descope(tenant, settings)).model_dump(
        mode="json", exclude=set(RESOURCE_OPTION_KEYS)
    )


def spec_from_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """A tenant's recorded state (its resource outputs) as a full `TenantSpec` dict."""
    data = {k: outputs[k] for k in _SPEC_FIELDS if k in outputs and k not in MANAGEMENT_KEYS}
    data["id"] = outputs.get("tenantId", outputs.get("id"))
    if isinstance(data.get("customAttributes"), Mapping):
        data["customAttributes"] = {
            k: int(v) if isinstance(v, float) and v.is_integer() else v
            for k, v in data["customAttributes"].items()
        }
    if isinstance(data.get("settings"), Mapping):
        data["settings"] = {k: v for k, v in data["settings"].items() if v is not None}
        for key, value in list(data["settings"].items()):
            if isinstance(value, float) and value.is_integer():
                data["settings"][key] = int(value)
    return TenantSpec.model_validate(data).model_dump(
        mode="json", exclude=set(RESOURCE_OPTION_KEYS)
    )


def content_text(
    content: Mapping[str, Any], variables: Mapping[str, str] | None = None
) -> tuple[str, Counter[str]]:
    """A flow or theme file's text (pretty JSON, sorted keys, a newline) with `variables`
    written back, and how many values each variable now stands in."""
    templated = template(dict(content), variables or {})
    return json_text(templated.data), templated.uses


def flow_text(export: Mapping[str, Any], variables: Mapping[str, str] | None = None) -> str:
    """A flow file: the normalised export, with `variables` written back (`content_text`)."""
    return content_text(normalise_flow_export(export), variables)[0]


def theme_text(theme: Mapping[str, Any], variables: Mapping[str, str] | None = None) -> str:
    """A theme file ``{"theme": {...}}``: the normalised theme, with `variables` written back."""
    return content_text({"theme": normalise_theme(theme)}, variables)[0]
