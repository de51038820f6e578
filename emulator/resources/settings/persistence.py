"""Tenant settings in the data file: each tenant record's ``settings`` object.

It holds the settings-only fields of the settings object (§2.2); ``domains``,
``selfProvisioningDomains`` and ``authType`` belong to the tenant and are stored with it, not
twice. Missing fields are zero values.
"""

from __future__ import annotations

from typing import Any

from emulator.records import FileRecord
from emulator.tenant import Tenant, TenantSettings

__all__ = ["parse_settings", "settings_json"]

JsonDict = dict[str, Any]

_SHARED_SETTINGS_KEYS = ("domains", "selfProvisioningDomains", "authType")
"""Settings-object keys that belong to the tenant and are stored with it, not twice."""


def settings_json(tenant: Tenant) -> JsonDict:
    """The tenant's ``settings`` object for the data file."""
    settings = tenant.settings_dict()
    for key in _SHARED_SETTINGS_KEYS:
        del settings[key]
    return settings


def parse_settings(s: FileRecord) -> TenantSettings:
    """The settings in a tenant record's ``settings`` object; ValueError naming a bad field."""
    return TenantSettings(
        enabled=s.flag("enabled"),
        refresh_token_expiration=s.integer("refreshTokenExpiration", default=0),
        refresh_token_expiration_unit=s.text("refreshTokenExpirationUnit"),
        session_token_expiration=s.integer("sessionTokenExpiration", default=0),
        session_token_expiration_unit=s.text("sessionTokenExpirationUnit"),
        stepup_token_expiration=s.integer("stepupTokenExpiration", default=0),
        stepup_token_expiration_unit=s.text("stepupTokenExpirationUnit"),
        enable_inactivity=s.flag("enableInactivity"),
        inactivity_time=s.integer("inactivityTime", default=0),
        inactivity_time_unit=s.text("inactivityTimeUnit"),
        jit_disabled=s.flag("JITDisabled"),
        sso_setup_suite_settings=s.mapping("ssoSetupSuiteSettings") or {"enabled": False},
    )
