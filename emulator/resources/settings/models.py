"""Tenant settings: the settings endpoint's operations (no HTTP).

The settings object (§2.2) holds the settings that live only there (session and refresh token
lifetimes, inactivity, JIT, the SSO Setup Suite) and three fields the tenant owns and shows
too: ``domains``, ``selfProvisioningDomains`` and ``authType``. The entity is
:class:`~emulator.tenant.TenantSettings`, kept on its tenant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext
from emulator.fields import (
    flag,
    non_negative_int,
    opt_bool,
    opt_dict,
    opt_str,
    opt_str_list,
    str_list,
    text,
)
from emulator.tenant import (
    EXPIRATION_UNITS,
    TenantSettings,
    check_domains,
    check_domains_free,
    read_auth_type,
)

__all__ = ["Settings"]

JsonDict = dict[str, Any]


class Settings:
    """The settings endpoint of every tenant."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context

    def load_settings(self, tenant_id: str | None) -> JsonDict:
        """GET /v1/mgmt/tenant/settings?id= → the settings object (§2.2)."""
        with self.context.lock:
            if not tenant_id:
                raise exc.missing_id()
            return self.context.tenant(tenant_id).settings_dict()

    def update_settings(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/settings: replaces the settings.

        Omitted settings fall to zero values, including the tenant-owned
        ``selfProvisioningDomains``, ``domains`` and ``authType`` (→ ``"none"``).
        ``enforceSSO``, ``enforceSSOExclusions`` and ``federatedAppIds`` belong to the
        tenant and change only when sent.
        """
        with self.context.lock:
            tenant_id = opt_str(body, "tenantId")
            if not tenant_id:
                raise exc.missing_field("tenantId")
            tenant = self.context.tenant(tenant_id)
            options = self.context.options
            spd = check_domains(
                str_list(body, "selfProvisioningDomains"), "selfProvisioningDomains", options
            )
            domains = check_domains(str_list(body, "domains"), "domains", options)
            check_domains_free(self.context.tenants.values(), tenant.id, spd, domains, options)
            sso = opt_dict(body, "ssoSetupSuiteSettings")
            if sso is not None and not isinstance(sso.get("enabled", False), bool):
                raise exc.invalid_argument(
                    "The ssoSetupSuiteSettings.enabled field must be a boolean"
                )
            settings = TenantSettings(
                enabled=flag(body, "enabled"),
                refresh_token_expiration=non_negative_int(body, "refreshTokenExpiration"),
                refresh_token_expiration_unit=_unit(body, "refreshTokenExpirationUnit"),
                session_token_expiration=non_negative_int(body, "sessionTokenExpiration"),
                session_token_expiration_unit=_unit(body, "sessionTokenExpirationUnit"),
                stepup_token_expiration=non_negative_int(body, "stepupTokenExpiration"),
                stepup_token_expiration_unit=_unit(body, "stepupTokenExpirationUnit"),
                enable_inactivity=flag(body, "enableInactivity"),
                inactivity_time=non_negative_int(body, "inactivityTime"),
                inactivity_time_unit=_unit(body, "inactivityTimeUnit"),
                jit_disabled=flag(body, "JITDisabled"),
                sso_setup_suite_settings={"enabled": False, **(sso or {})},
            )
            auth_type = read_auth_type(body) or "none"
            enforce_sso = opt_bool(body, "enforceSSO")
            exclusions = opt_str_list(body, "enforceSSOExclusions")
            app_ids = opt_str_list(body, "federatedAppIds")
            # every check passed: write
            tenant.settings = settings
            tenant.self_provisioning_domains = spd
            tenant.domains = domains
            tenant.auth_type = auth_type
            if enforce_sso is not None:
                tenant.enforce_sso = enforce_sso
            if exclusions is not None:
                tenant.enforce_sso_exclusions = exclusions
            if app_ids is not None:
                tenant.federated_app_ids = app_ids
            return {}


def _unit(body: Mapping[str, Any], key: str) -> str:
    value = text(body, key)
    if value and value not in EXPIRATION_UNITS:
        raise exc.invalid_argument(
            f"The {key} field must be one of {', '.join(EXPIRATION_UNITS)}, got {value!r}"
        )
    return value
