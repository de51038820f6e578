"""Descope's answers about a tenant as the tenant resource's inputs and outputs, and the
comparable form both are judged in.

The tenant resource (`providers.tenant`) records a tenant in Descope's camelCase vocabulary with
the id as ``tenantId`` (the keys below); refresh reads Descope's answers into that form, and so
do the ops tools (``python -m ops export``, ``report``) and the benchmark, from here:

- `tenant_props`: a `model.tenant.TenantSpec` (or a mapping) as the resource's inputs;
- `comparable` and `changed_keys`: inputs or outputs reduced to what Descope would hold, and the
  inputs whose change needs a write;
- `settings_from_descope`: the settings endpoint's answer as `SessionSettings.canonical()` writes
  them;
- `tenant_state`: a loaded tenant (and its settings) as the resource's (inputs, outputs);
- `wire_fields`: what our writes set, as Descope's load returns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.tenant import RESOURCE_OPTION_KEYS, SessionSettings, TenantSpec
from model.text import nfc
from providers import wire
from providers.resource import same

__all__ = [
    "FLAG_KEYS",
    "ID_KEY",
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "PARENT_KEY",
    "REPLACE_KEYS",
    "SSO_CUSTOMER_KEY",
    "SSO_MANAGED_KEY",
    "SSO_OWNED",
    "TENANT_FIELDS",
    "as_set",
    "changed_keys",
    "comparable",
    "json_value",
    "settings_comparable",
    "settings_from_descope",
    "tenant_props",
    "tenant_state",
    "unmanaged",
    "wire_fields",
]

ID_KEY = "tenantId"
TENANT_FIELDS = (
    "name",
    "selfProvisioningDomains",
    "customAttributes",
    "enforceSSO",
    "enforceSSOExclusions",
    "disabled",
    "roleInheritance",
)
"""The tenant fields we manage, all written at once by Descope's PATCH (`_send_tenant`);
``roleInheritance`` only when declared (`unmanaged`)."""
SSO_MANAGED_KEY = "ssoManaged"
SSO_CUSTOMER_KEY = "ssoCustomer"
FLAG_KEYS = ("adopt", "cascadeDelete", SSO_MANAGED_KEY, SSO_CUSTOMER_KEY)
"""Management flags: recorded in state, never sent to Descope."""
SSO_OWNED = ("domains", "authType")
"""Settings the default SSO configuration owns when the tenant declares ``sso:``
(`model.sso.SSO_OWNED_SETTINGS`): with ``ssoManaged`` they are sent back as Descope holds them."""
PARENT_KEY = "parent"
"""Set only when Descope creates a tenant (its update has no parent): a change replaces."""
INPUT_KEYS = (ID_KEY, *TENANT_FIELDS, "defaultRoles", "settings", PARENT_KEY, *FLAG_KEYS)
OUTPUT_ONLY_KEYS = (
    "authType",
    "domains",
    "federatedAppIds",
    "ssoSetupSuiteSettings",
)
REPLACE_KEYS = (ID_KEY, PARENT_KEY)
_SET_LIKE = ("selfProvisioningDomains", "enforceSSOExclusions", "defaultRoles")
"""Lists whose order means nothing (the model forbids duplicates): compared as sets."""
_LIFETIMES = (
    ("sessionTokenExpiration", "sessionTokenExpirationUnit"),
    ("refreshTokenExpiration", "refreshTokenExpirationUnit"),
    ("stepupTokenExpiration", "stepupTokenExpirationUnit"),
    ("inactivityTime", "inactivityTimeUnit"),
)


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


def number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def json_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in sorted(value.items())}
    return number(value)


def as_set(value: Any) -> list[str]:
    return sorted({str(v) for v in value or []})


def settings_comparable(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Settings as Descope returns them, whichever side they come from (0 and "" = unset)."""
    if settings is None:
        return None
    out: dict[str, Any] = {
        "domains": as_set(settings.get("domains")),
        "authType": settings.get("authType") or "none",
        "enableInactivity": bool(settings.get("enableInactivity")),
        "JITDisabled": bool(settings.get("JITDisabled")),
    }
    for value_key, unit_key in _LIFETIMES:
        out[value_key] = number(settings.get(value_key)) or None
        out[unit_key] = settings.get(unit_key) or None
    return out


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs or outputs reduced to what matters, as Descope would return it.

    Missing keys take their defaults, whole floats become ints, set-like lists are sorted,
    unset lifetimes are None, the name and the default roles' names are in NFC
    (`model.text.nfc`: a name Descope holds with combining accents is the declared name). Two
    property bags describe the same tenant exactly when their comparable forms serialise alike
    (`providers.resource.same`).
    """
    settings = props.get("settings")
    return {
        ID_KEY: str(props.get(ID_KEY) or ""),
        "name": nfc(str(props.get("name") or "")),
        "selfProvisioningDomains": as_set(props.get("selfProvisioningDomains")),
        "customAttributes": json_value(props.get("customAttributes") or {}),
        "enforceSSO": bool(props.get("enforceSSO")),
        "enforceSSOExclusions": as_set(props.get("enforceSSOExclusions")),
        "disabled": bool(props.get("disabled")),
        "roleInheritance": props.get("roleInheritance") or None,
        "defaultRoles": as_set(nfc(str(r)) for r in props.get("defaultRoles") or []),
        "settings": settings_comparable(settings if isinstance(settings, Mapping) else None),
        PARENT_KEY: props.get(PARENT_KEY) or None,
        "adopt": bool(props.get("adopt")),
        "cascadeDelete": bool(props.get("cascadeDelete")),
        SSO_MANAGED_KEY: bool(props.get(SSO_MANAGED_KEY)),
        SSO_CUSTOMER_KEY: bool(props.get(SSO_CUSTOMER_KEY)),
    }


def unmanaged(wanted: Mapping[str, Any], key: str) -> bool:
    """Whether `key` is left as Descope holds it: ``roleInheritance`` when not declared."""
    return key == "roleInheritance" and wanted.get(key) is None


def changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    old, new = comparable(olds), comparable(news)
    if new[SSO_MANAGED_KEY]:  # not this resource's: whatever Descope holds is right
        for settings in (old["settings"], new["settings"]):
            for key in SSO_OWNED if settings is not None else ():
                settings.pop(key, None)
    changed = [
        k
        for k in INPUT_KEYS
        if k != "settings" and not unmanaged(new, k) and not same(old[k], new[k])
    ]
    if new["settings"] is not None and not same(old["settings"], new["settings"]):
        changed.append("settings")
    return changed


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
        value, unit = number(loaded.get(value_key)) or None, loaded.get(unit_key) or None
        paired = value is not None and unit is not None
        out[value_key] = value if paired and not ignored else None
        out[unit_key] = unit if paired and not ignored else None
    out["enableInactivity"] = bool(loaded.get("enableInactivity"))
    out["JITDisabled"] = bool(loaded.get("JITDisabled"))
    return {key: out[key] for key in SessionSettings.model_fields}


def tenant_state(
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
        "customAttributes": json_value(tenant.get("customAttributes") or {}),
        "enforceSSO": bool(tenant.get("enforceSSO")),
        "enforceSSOExclusions": list(tenant.get("enforceSSOExclusions") or []),
        "disabled": bool(tenant.get("disabled")),
        "roleInheritance": tenant.get("roleInheritance") or None,
        "defaultRoles": list(tenant.get("defaultRoles") or []),
        "settings": dict(settings) if settings is not None else None,
        PARENT_KEY: tenant.get(PARENT_KEY) or None,
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


def wire_fields(spec: TenantSpec) -> dict[str, Any]:
    """The fields our writes set (create, tenant PATCH, default roles), as Descope's load
    returns them; ``roleInheritance`` only when declared (else Descope's stays)."""
    return {
        "id": spec.id,
        "name": spec.name,
        "selfProvisioningDomains": list(spec.selfProvisioningDomains),
        "customAttributes": dict(spec.customAttributes),
        "enforceSSO": spec.enforceSSO,
        "enforceSSOExclusions": list(spec.enforceSSOExclusions),
        "disabled": spec.disabled,
        "defaultRoles": list(spec.defaultRoles),
        PARENT_KEY: spec.parent,
        **({"roleInheritance": spec.roleInheritance} if spec.roleInheritance else {}),
    }
