"""The emulated project's switches: :class:`EmulatorOptions`, for behaviour the wire contract
cannot pin down, with the credentials the project answers to.

The admin API shows and changes the switches in camelCase (:meth:`EmulatorOptions.switches`,
:func:`apply_switches`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = [
    "DEFAULT_MANAGEMENT_KEY",
    "DEFAULT_PROJECT_ID",
    "RATE_LIMIT_TIERS",
    "EmulatorOptions",
    "apply_switches",
]

DEFAULT_PROJECT_ID = "Pemulator0000000000000000000000"
"""31 characters: shorter than 32, so the SDK never derives a regional URL from it."""
DEFAULT_MANAGEMENT_KEY = "K-emulator-local-key"
RATE_LIMIT_TIERS = ("tier1", "tier2", "tier3", "tier4")
JsonDict = dict[str, Any]


@dataclass
class EmulatorOptions:
    """Switches for behaviour the wire contract cannot pin down.

    ``not_found_status`` defaults to 400: Descope answers its other request errors
    (missing or invalid arguments, duplicates) with 400 and publishes no 404 for tenants,
    so 400 is the conservative guess; set 404 to test a provider against the other reading.
    """

    project_id: str = DEFAULT_PROJECT_ID
    """Expected in ``Authorization: Bearer <projectId>:<managementKey>``."""
    management_key: str = field(default=DEFAULT_MANAGEMENT_KEY, repr=False)
    """The management key; never logged, never echoed."""
    not_found_status: int = 400
    """HTTP status for a missing tenant (load, update, patch, delete, settings), role or
    permission: 400 or 404."""
    normalize_domains: bool = False
    """Lower-case, strip, de-duplicate and sort domain lists before storing them."""
    unique_domains_across_tenants: bool = False
    """Reject a domain that another tenant already lists (400 E011003)."""
    default_tier: str = "tier4"
    """The ``rateLimitTier`` the license endpoint answers."""
    allow_duplicate_sso_domains_in_other_tenants: bool = False
    """The project flag of that name: let an SSO configuration list a domain another tenant's
    SSO configuration already holds (otherwise 400 E011003)."""
    require_attribute_definitions: bool = True
    """Refuse tenant customAttributes naming an undefined attribute or of the wrong type."""
    require_existing_roles: bool = True
    """Refuse tenant defaultRoles that are neither project roles nor roles of the tenant."""
    cascade_permission_changes: bool = True
    """Renaming a permission renames it in the roles carrying it; deleting one removes it."""
    infra_put_merges: bool = False
    """``PUT /v1/mgmt/infra`` merges its ``data`` into the project configuration instead of
    replacing it (unpublished either way; replacing, the default, is the more dangerous)."""

    def __post_init__(self) -> None:
        if self.not_found_status not in (400, 404):
            raise ValueError("not_found_status must be 400 or 404")
        if self.default_tier not in RATE_LIMIT_TIERS:
            raise ValueError(f"default_tier must be one of {', '.join(RATE_LIMIT_TIERS)}")

    def switches(self) -> JsonDict:
        """The switches (everything except credentials), camelCase, as the admin API shows them."""
        return {
            "notFoundStatus": self.not_found_status,
            "normalizeDomains": self.normalize_domains,
            "uniqueDomainsAcrossTenants": self.unique_domains_across_tenants,
            "defaultTier": self.default_tier,
            "allowDuplicateSSODomainsInOtherTenants": (
                self.allow_duplicate_sso_domains_in_other_tenants
            ),
            "requireAttributeDefinitions": self.require_attribute_definitions,
            "requireExistingRoles": self.require_existing_roles,
            "cascadePermissionChanges": self.cascade_permission_changes,
            "infraPutMerges": self.infra_put_merges,
        }


_SWITCH_NAMES = {
    "notFoundStatus": "not_found_status",
    "normalizeDomains": "normalize_domains",
    "uniqueDomainsAcrossTenants": "unique_domains_across_tenants",
    "defaultTier": "default_tier",
    "allowDuplicateSSODomainsInOtherTenants": "allow_duplicate_sso_domains_in_other_tenants",
    "requireAttributeDefinitions": "require_attribute_definitions",
    "requireExistingRoles": "require_existing_roles",
    "cascadePermissionChanges": "cascade_permission_changes",
    "infraPutMerges": "infra_put_merges",
}


def apply_switches(options: EmulatorOptions, changes: Mapping[str, Any]) -> EmulatorOptions:
    """A copy of ``options`` with the switches in ``changes`` (camelCase or snake_case) set.

    Raises ValueError for an unknown switch, a credential, or a bad value.
    """
    names = {f.name for f in fields(EmulatorOptions)} - {"project_id", "management_key"}
    values: JsonDict = {}
    for key, value in changes.items():
        name = _SWITCH_NAMES.get(key, key)
        if name not in names:
            raise ValueError(f"unknown option {key!r}")
        expected = int if name == "not_found_status" else str if name == "default_tier" else bool
        if type(value) is not expected:
            raise ValueError(f"option {key!r} must be a {expected.__name__}")
        values[name] = value
    current = {f.name: getattr(options, f.name) for f in fields(EmulatorOptions)}
    return EmulatorOptions(**{**current, **values})
