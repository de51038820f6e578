"""The tenant, the root entity of a Descope project, with its wire shapes (§2.1, §2.2).

Every resource reads tenants: SSO configurations, roles and access keys belong to them. The
entity and the checks of its domains live here, beneath every resource; the tenant operations
are in :mod:`emulator.resources.tenants.models` and :mod:`emulator.resources.settings.models`,
and the tenant table in :class:`~emulator.context.ProjectContext`.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator import exceptions as exc
from emulator.fields import opt_str
from emulator.options import EmulatorOptions

__all__ = [
    "AUTH_TYPES",
    "EXPIRATION_UNITS",
    "Tenant",
    "TenantSettings",
    "check_domains",
    "check_domains_free",
    "new_tenant_id",
    "normalize_domains",
    "read_auth_type",
    "sso_setup_suite_wire",
]

AUTH_TYPES = ("none", "saml", "oidc")
EXPIRATION_UNITS = ("minutes", "hours", "days", "weeks")
_BASE62 = string.digits + string.ascii_letters
_DOMAIN_RE = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
JsonDict = dict[str, Any]


def new_tenant_id() -> str:
    """``T`` plus 27 base62 characters, like Descope's prefixed ids."""
    return "T" + "".join(secrets.choice(_BASE62) for _ in range(27))


@dataclass
class TenantSettings:
    """The settings that live only in the settings endpoint (§2.2)."""

    enabled: bool = False
    refresh_token_expiration: int = 0
    refresh_token_expiration_unit: str = ""
    session_token_expiration: int = 0
    session_token_expiration_unit: str = ""
    stepup_token_expiration: int = 0
    stepup_token_expiration_unit: str = ""
    enable_inactivity: bool = False
    inactivity_time: int = 0
    inactivity_time_unit: str = ""
    jit_disabled: bool = False
    sso_setup_suite_settings: JsonDict = field(default_factory=lambda: {"enabled": False})


@dataclass
class Tenant:
    """A tenant. ``successors`` is derived from the other tenants' ``parent``."""

    id: str
    name: str
    created_time: int
    self_provisioning_domains: list[str] = field(default_factory=list)
    custom_attributes: JsonDict = field(default_factory=dict)
    auth_type: str = "none"
    domains: list[str] = field(default_factory=list)
    disabled: bool = False
    enforce_sso: bool = False
    enforce_sso_exclusions: list[str] = field(default_factory=list)
    federated_app_ids: list[str] = field(default_factory=list)
    parent: str = ""
    default_roles: list[str] = field(default_factory=list)
    role_inheritance: str = ""
    settings: TenantSettings = field(default_factory=TenantSettings)

    def to_dict(self, successors: Iterable[str] = ()) -> JsonDict:
        """The flat Tenant object of §2.1, every field present."""
        return {
            "id": self.id,
            "name": self.name,
            "selfProvisioningDomains": list(self.self_provisioning_domains),
            "customAttributes": copy.deepcopy(self.custom_attributes),
            "authType": self.auth_type,
            "domains": list(self.domains),
            "createdTime": self.created_time,
            "disabled": self.disabled,
            "enforceSSO": self.enforce_sso,
            "enforceSSOExclusions": list(self.enforce_sso_exclusions),
            "federatedAppIds": list(self.federated_app_ids),
            "parent": self.parent,
            "successors": list(successors),
            "defaultRoles": list(self.default_roles),
            "roleInheritance": self.role_inheritance,
        }

    def settings_dict(self) -> JsonDict:
        """The settings object of §2.2: tenant-owned domains and authType plus settings."""
        s = self.settings
        return {
            "domains": list(self.domains),
            "selfProvisioningDomains": list(self.self_provisioning_domains),
            "authType": self.auth_type,
            "enabled": s.enabled,
            "refreshTokenExpiration": s.refresh_token_expiration,
            "refreshTokenExpirationUnit": s.refresh_token_expiration_unit,
            "sessionTokenExpiration": s.session_token_expiration,
            "sessionTokenExpirationUnit": s.session_token_expiration_unit,
            "stepupTokenExpiration": s.stepup_token_expiration,
            "stepupTokenExpirationUnit": s.stepup_token_expiration_unit,
            "enableInactivity": s.enable_inactivity,
            "inactivityTime": s.inactivity_time,
            "inactivityTimeUnit": s.inactivity_time_unit,
            "JITDisabled": s.jit_disabled,
            "ssoSetupSuiteSettings": sso_setup_suite_wire(s.sso_setup_suite_settings),
        }


_SSO_SETUP_SUITE_DEFAULTS: JsonDict = {
    "enabled": False,
    "styleId": "",
    "disabledFeatures": {
        "saml": False,
        "oidc": False,
        "scim": False,
        "ssoDomains": False,
        "groupMapping": False,
    },
}
"""``SSOSetupSuiteSettings`` with every documented field at its default (Descope's published
description; the SDK's ``sso_setup_suite_settings`` sends ``enabled``, ``styleId`` and the
``disabledFeatures`` flags)."""


def sso_setup_suite_wire(held: JsonDict) -> JsonDict:
    """A tenant's SSO Setup Suite settings as a settings load answers them: every field."""
    disabled = held.get("disabledFeatures")
    return {
        **_SSO_SETUP_SUITE_DEFAULTS,
        **copy.deepcopy(held),
        "disabledFeatures": {
            **_SSO_SETUP_SUITE_DEFAULTS["disabledFeatures"],
            **(copy.deepcopy(disabled) if isinstance(disabled, dict) else {}),
        },
    }


def read_auth_type(body: Mapping[str, Any]) -> str | None:
    """The body's ``authType``, one of :data:`AUTH_TYPES`, or None when not sent."""
    value = opt_str(body, "authType")
    if value is not None and value not in AUTH_TYPES:
        raise exc.invalid_argument(
            f"The authType field must be one of {', '.join(AUTH_TYPES)}, got {value!r}"
        )
    return value


def normalize_domains(domains: list[str]) -> list[str]:
    """Lower-cased, stripped, de-duplicated and sorted (the ``normalize_domains`` switch)."""
    return sorted({d.strip().lower() for d in domains})


def check_domains(values: list[str], key: str, options: EmulatorOptions) -> list[str]:
    """The domains sent in ``key``, each well formed; normalized when the switch says so."""
    for domain in values:
        checked = domain.strip() if options.normalize_domains else domain
        if not _DOMAIN_RE.fullmatch(checked):
            raise exc.invalid_argument(f"The {key} field has an invalid domain {domain!r}")
    return normalize_domains(values) if options.normalize_domains else values


def check_domains_free(
    tenants: Iterable[Tenant],
    tenant_id: str,
    spd: list[str],
    domains: list[str],
    options: EmulatorOptions,
) -> None:
    """With ``unique_domains_across_tenants``, refuse a domain another tenant already lists."""
    if not options.unique_domains_across_tenants:
        return
    for other in tenants:
        if other.id == tenant_id:
            continue
        for domain in spd:
            if domain in other.self_provisioning_domains:
                raise exc.duplicate_domain(domain)
        for domain in domains:
            if domain in other.domains:
                raise exc.duplicate_domain(domain)
