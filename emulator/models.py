"""The emulator's state and operations: entities with their wire shapes and the backend.

No HTTP here. :class:`DescopeBackend` has one method per management operation; each
takes the parsed request (a JSON body as a mapping, or a query value), returns the dict
that goes on the wire, or raises :class:`~emulator.exceptions.DescopeApiError`.

Behaviour the wire contract marks unknown is a switch in :class:`EmulatorOptions`.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from emulator import exceptions as exc
from emulator.access_keys import AccessKeys
from emulator.attributes import AttributeDefinition, check_values
from emulator.fields import flag as _bool
from emulator.fields import non_negative_int as _int
from emulator.fields import opt_bool as _opt_bool
from emulator.fields import opt_dict as _opt_dict
from emulator.fields import opt_str as _opt_str
from emulator.fields import opt_str_list as _opt_str_list
from emulator.fields import required_str as _required_str
from emulator.fields import str_list as _str_list
from emulator.fields import text as _str
from emulator.roles import Authorization, RoleSeed
from emulator.sso import RoleRef, SSOState

__all__ = [
    "AUTH_TYPES",
    "DEFAULT_MANAGEMENT_KEY",
    "DEFAULT_PROJECT_ID",
    "EXPIRATION_UNITS",
    "RATE_LIMIT_TIERS",
    "DescopeBackend",
    "EmulatorOptions",
    "Flow",
    "Screen",
    "Tenant",
    "TenantSettings",
    "Theme",
    "new_etag",
    "new_tenant_id",
]

DEFAULT_PROJECT_ID = "Pemulator0000000000000000000000"
"""31 characters: shorter than 32, so the SDK never derives a regional URL from it."""
DEFAULT_MANAGEMENT_KEY = "K-emulator-local-key"
AUTH_TYPES = ("none", "saml", "oidc")
EXPIRATION_UNITS = ("minutes", "hours", "days", "weeks")
RATE_LIMIT_TIERS = ("tier1", "tier2", "tier3", "tier4")
_BASE62 = string.digits + string.ascii_letters
_DOMAIN_RE = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
JsonDict = dict[str, Any]


def new_tenant_id() -> str:
    """``T`` plus 27 base62 characters, like Descope's prefixed ids."""
    return "T" + "".join(secrets.choice(_BASE62) for _ in range(27))


def new_etag() -> str:
    """An opaque flow etag."""
    return secrets.token_hex(16)


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


# --- entities ------------------------------------------------------------------------------


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


_FLOW_DEFAULTS: JsonDict = {
    "id": "",
    "version": 0,
    "name": "",
    "description": "",
    "dsl": {},
    "modifiedTime": "0",
    "etag": "",
    "disabled": False,
    "translate": False,
    "translateConnectorID": "",
    "translateSourceLang": "",
    "translateTargetLangs": [],
    "fingerprint": False,
    "widget": False,
    "sharedInteractions": [],
    "management": False,
    "managementConfig": {},
}
_SCREEN_DEFAULTS: JsonDict = {
    "id": "",
    "version": 0,
    "flowId": "",
    "inputs": [],
    "interactions": [],
    "htmlTemplate": {},
    "componentsVersion": "",
}
_THEME_DEFAULTS: JsonDict = {
    "id": "",
    "version": 0,
    "cssTemplate": {},
    "componentsVersion": "",
    "codeMode": False,
}


def _with_defaults(defaults: JsonDict, data: Mapping[str, Any]) -> JsonDict:
    out = copy.deepcopy(defaults)
    out.update(copy.deepcopy(dict(data)))
    return out


@dataclass
class Screen:
    """A flow screen; ``data`` holds every wire field (unknown ones pass through)."""

    data: JsonDict

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> int:
        return int(self.data["version"])

    def to_dict(self) -> JsonDict:
        return _with_defaults(_SCREEN_DEFAULTS, self.data)


@dataclass
class Flow:
    """A flow and its screens; ``data`` holds every flow wire field."""

    data: JsonDict
    screens: list[Screen] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> int:
        return int(self.data["version"])

    def to_dict(self) -> JsonDict:
        """The v1 Flow object, every field present."""
        return _with_defaults(_FLOW_DEFAULTS, self.data)

    def list_item(self) -> JsonDict:
        """A ``flow/list`` entry: the v1 Flow object (Descope's published ``ListFlowsResponse``
        lists ``Flow``s) but its ``dsl``, the flow's body, which a listing does not carry. The
        SDKs' decoders read only ``id``, ``name``, ``description`` and ``disabled``."""
        d = self.to_dict()
        return {k: v for k, v in d.items() if k != "dsl"}

    def export(self) -> JsonDict:
        """``{"flow": ..., "screens": [...]}``."""
        return {"flow": self.to_dict(), "screens": [s.to_dict() for s in self.screens]}


@dataclass
class Theme:
    """The project theme; ``data`` holds every wire field."""

    data: JsonDict

    @property
    def version(self) -> int:
        return int(self.data["version"])

    def to_dict(self) -> JsonDict:
        return _with_defaults(_THEME_DEFAULTS, self.data)


def default_theme() -> Theme:
    """The theme a fresh project has: version 1, empty templates."""
    return Theme({"id": "", "version": 1, "cssTemplate": {"dark": {}, "light": {}}})


# --- request field readers -----------------------------------------------------------------


def _unit(body: Mapping[str, Any], key: str) -> str:
    value = _str(body, key)
    if value and value not in EXPIRATION_UNITS:
        raise exc.invalid_argument(
            f"The {key} field must be one of {', '.join(EXPIRATION_UNITS)}, got {value!r}"
        )
    return value


def _auth_type(body: Mapping[str, Any]) -> str | None:
    value = _opt_str(body, "authType")
    if value is not None and value not in AUTH_TYPES:
        raise exc.invalid_argument(
            f"The authType field must be one of {', '.join(AUTH_TYPES)}, got {value!r}"
        )
    return value


# --- backend -------------------------------------------------------------------------------


class DescopeBackend:
    """The state of one emulated Descope project and its management operations.

    Thread-safe: every operation holds one re-entrant lock for its whole duration.
    """

    def __init__(
        self,
        options: EmulatorOptions | None = None,
        *,
        now: Callable[[], float] = time.time,
        id_factory: Callable[[], str] = new_tenant_id,
        etag_factory: Callable[[], str] = new_etag,
        tenant_attributes: Mapping[str, AttributeDefinition] | None = None,
        roles: RoleSeed | None = None,
    ) -> None:
        self.options = options or EmulatorOptions()
        self.now = now
        self.id_factory = id_factory
        self.etag_factory = etag_factory
        self.lock = threading.RLock()
        self.tenants: dict[str, Tenant] = {}
        self._successor_ids: dict[str, list[str]] = {}
        """Parent id → its successors' ids in creation order (a parent is set only at create)."""
        self.flows: dict[str, Flow] = {}
        self.theme: Theme = default_theme()
        self.sso = SSOState(self._sso_role)
        """Per-tenant SSO configurations (operations in :mod:`emulator.sso_backend`)."""
        self.initial_tenant_attributes = dict(tenant_attributes or {})
        """The definitions a fresh project (and a reset) has."""
        self.tenant_attributes: dict[str, AttributeDefinition] = dict(
            self.initial_tenant_attributes
        )
        self.authz = Authorization(self, seed=roles)
        """Roles and permissions: the built-ins, plus ``roles`` in a fresh project."""
        self.access_keys = AccessKeys(self)
        """Access keys (operations in :mod:`emulator.access_keys`)."""

    # --- housekeeping ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every tenant and flow; restore the default theme, the initial attribute
        definitions, and the built-in (and seeded) roles and permissions."""
        with self.lock:
            self.replace_tenants({})
            self.flows.clear()
            self.theme = default_theme()
            self.sso.clear()
            self.tenant_attributes = dict(self.initial_tenant_attributes)
            self.authz.reset()
            self.access_keys.clear()

    def snapshot(self) -> JsonDict:
        """Everything, in wire shapes: tenants (with settings), flows (with screens), theme,
        tenant attribute definitions, permissions and roles."""
        with self.lock:
            return {
                "tenants": [self._tenant_dict(t) for t in self.tenants.values()],
                "settings": {t.id: t.settings_dict() for t in self.tenants.values()},
                "flows": {fid: f.export() for fid, f in self.flows.items()},
                "theme": self.theme.to_dict(),
                "sso": self.sso.to_json(),
                "tenantAttributes": {n: d.to_json() for n, d in self.tenant_attributes.items()},
                **self.authz.to_json(),
                "accessKeys": self.access_keys.snapshot(),
            }

    def seed_flow(
        self, flow: Mapping[str, Any], screens: Iterable[Mapping[str, Any]] = ()
    ) -> JsonDict:
        """Store a flow exactly as given (defaults filled in); returns its export shape.

        Unlike :meth:`import_flow` it neither bumps versions nor changes the etag, so tests
        can set up a flow whose volatile fields they know.
        """
        with self.lock:
            data = _with_defaults(_FLOW_DEFAULTS, flow)
            if not data["id"]:
                raise ValueError("a seeded flow needs an id")
            seeded = Flow(
                data,
                [
                    Screen(_with_defaults(_SCREEN_DEFAULTS, {"flowId": data["id"], **s}))
                    for s in screens
                ],
            )
            self.flows[seeded.id] = seeded
            return seeded.export()

    def seed_theme(self, theme: Mapping[str, Any]) -> JsonDict:
        """Replace the theme exactly as given (defaults filled in)."""
        with self.lock:
            self.theme = Theme(_with_defaults(_THEME_DEFAULTS, theme))
            return self.theme.to_dict()

    # --- license -------------------------------------------------------------------------

    def get_license(self) -> JsonDict:
        """GET /v1/mgmt/license."""
        return {"rateLimitTier": self.options.default_tier}

    # --- tenants -------------------------------------------------------------------------

    def create_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/create → ``{"id": ...}``.

        A null, missing or empty ``id`` gets a generated one; ``parent`` (sent by the Go
        and Node SDKs) must name an existing tenant.
        """
        with self.lock:
            name = _required_str(body, "name")
            tenant_id = _opt_str(body, "id") or self._unused_id()
            if tenant_id in self.tenants:
                raise exc.duplicate_tenant_id(tenant_id)
            self._check_name_free(name, tenant_id)
            parent = _str(body, "parent")
            if parent and parent not in self.tenants:
                raise self._not_found(parent)
            tenant = Tenant(id=tenant_id, name=name, created_time=int(self.now()), parent=parent)
            self._write_tenant_fields(tenant, body, replace=True)
            auth_type = _auth_type(body)
            if auth_type is not None:
                tenant.auth_type = auth_type
            self.tenants[tenant_id] = tenant
            if parent:
                self._successor_ids.setdefault(parent, []).append(tenant_id)
            return {"id": tenant_id}

    def update_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/update: replaces the tenant's fields (§5.3).

        Every field of the create/update body that is omitted falls to its empty default:
        name, selfProvisioningDomains, customAttributes, enforceSSO, enforceSSOExclusions,
        federatedAppIds, disabled, roleInheritance. Fields owned elsewhere keep their
        values: parent (immutable), authType and domains unless sent (settings own them),
        defaultRoles, settings, createdTime.
        """
        with self.lock:
            tenant = self._get(_required_str(body, "id"))
            name = _required_str(body, "name")
            self._check_name_free(name, tenant.id)
            auth_type = _auth_type(body)
            self._write_tenant_fields(tenant, body, replace=True)
            tenant.name = name
            if auth_type is not None:
                tenant.auth_type = auth_type
            return {}

    def patch_tenant(self, body: Mapping[str, Any]) -> JsonDict:
        """PATCH /v1/mgmt/tenant/patch: changes only the keys present."""
        with self.lock:
            tenant = self._get(_required_str(body, "id"))
            name = _opt_str(body, "name")
            if name is not None:
                if not name:
                    raise exc.missing_name()
                self._check_name_free(name, tenant.id)
            self._write_tenant_fields(tenant, body, replace=False)
            if name is not None:
                tenant.name = name
            return {}

    def delete_tenant(self, tenant_id: str | None, cascade: bool = False) -> JsonDict:
        """POST /v1/mgmt/tenant/delete.

        With ``cascade`` the tenant's successors go too (recursively); without it a
        tenant that has successors is not deleted (400 E011003).
        """
        with self.lock:
            if not tenant_id:
                raise exc.missing_id()
            tenant = self._get(tenant_id)
            children = self._successors(tenant.id)
            if children and not cascade:
                raise exc.tenant_has_successors(tenant.id)
            for child in children:
                self.delete_tenant(child, cascade=True)
            del self.tenants[tenant.id]
            self._successor_ids.pop(tenant.id, None)
            if tenant.parent in self._successor_ids:
                self._successor_ids[tenant.parent].remove(tenant.id)
            self.sso.drop_tenant(tenant.id)
            self.authz.drop_tenant(tenant.id)
            self.access_keys.drop_tenant(tenant.id)
            return {}

    def load_tenant(self, tenant_id: str | None) -> JsonDict:
        """GET /v1/mgmt/tenant?id= → the flat Tenant object."""
        with self.lock:
            if not tenant_id:
                raise exc.missing_id()
            return self._tenant_dict(self._get(tenant_id))

    def load_all_tenants(self) -> JsonDict:
        """GET /v1/mgmt/tenant/all → ``{"tenants": [...]}`` in creation order."""
        with self.lock:
            return {"tenants": [self._tenant_dict(t) for t in self.tenants.values()]}

    def search_tenants(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/search: exact-match filters, all combined with AND.

        A null or empty filter is no filter, so the SDK's all-null body returns every
        tenant. List filters match when any value matches; ``customAttributes`` matches
        when every given key has the given value. Also accepts ``authType``,
        ``parentTenantId``, ``tenantSSODomains`` and ``topLevelOnly`` (dotnet model).
        """
        with self.lock:
            ids = _opt_str_list(body, "tenantIds")
            names = _opt_str_list(body, "tenantNames")
            spds = _opt_str_list(body, "tenantSelfProvisioningDomains")
            sso_domains = _opt_str_list(body, "tenantSSODomains")
            attrs = _opt_dict(body, "customAttributes")
            auth_type = _auth_type(body)
            parent = _opt_str(body, "parentTenantId")
            top_level_only = _bool(body, "topLevelOnly")
            if self.options.normalize_domains:
                spds = _normalize(spds) if spds else spds
                sso_domains = _normalize(sso_domains) if sso_domains else sso_domains

            def matches(t: Tenant) -> bool:
                return (
                    (not ids or t.id in ids)
                    and (not names or t.name in names)
                    and (not spds or bool(set(spds) & set(t.self_provisioning_domains)))
                    and (not sso_domains or bool(set(sso_domains) & set(t.domains)))
                    and (
                        not attrs
                        or all(t.custom_attributes.get(k, _MISSING) == v for k, v in attrs.items())
                    )
                    and (not auth_type or t.auth_type == auth_type)
                    and (not parent or t.parent == parent)
                    and (not top_level_only or not t.parent)
                )

            return {"tenants": [self._tenant_dict(t) for t in self.tenants.values() if matches(t)]}

    def load_settings(self, tenant_id: str | None) -> JsonDict:
        """GET /v1/mgmt/tenant/settings?id= → the settings object (§2.2)."""
        with self.lock:
            if not tenant_id:
                raise exc.missing_id()
            return self._get(tenant_id).settings_dict()

    def update_settings(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/settings: replaces the settings.

        Omitted settings fall to zero values, including the tenant-owned
        ``selfProvisioningDomains``, ``domains`` and ``authType`` (→ ``"none"``).
        ``enforceSSO``, ``enforceSSOExclusions`` and ``federatedAppIds`` belong to the
        tenant and change only when sent.
        """
        with self.lock:
            tenant_id = _opt_str(body, "tenantId")
            if not tenant_id:
                raise exc.missing_field("tenantId")
            tenant = self._get(tenant_id)
            spd = self._domains(
                _str_list(body, "selfProvisioningDomains"), "selfProvisioningDomains"
            )
            domains = self._domains(_str_list(body, "domains"), "domains")
            self._check_domains_free(tenant.id, spd, domains)
            sso = _opt_dict(body, "ssoSetupSuiteSettings")
            if sso is not None and not isinstance(sso.get("enabled", False), bool):
                raise exc.invalid_argument(
                    "The ssoSetupSuiteSettings.enabled field must be a boolean"
                )
            settings = TenantSettings(
                enabled=_bool(body, "enabled"),
                refresh_token_expiration=_int(body, "refreshTokenExpiration"),
                refresh_token_expiration_unit=_unit(body, "refreshTokenExpirationUnit"),
                session_token_expiration=_int(body, "sessionTokenExpiration"),
                session_token_expiration_unit=_unit(body, "sessionTokenExpirationUnit"),
                stepup_token_expiration=_int(body, "stepupTokenExpiration"),
                stepup_token_expiration_unit=_unit(body, "stepupTokenExpirationUnit"),
                enable_inactivity=_bool(body, "enableInactivity"),
                inactivity_time=_int(body, "inactivityTime"),
                inactivity_time_unit=_unit(body, "inactivityTimeUnit"),
                jit_disabled=_bool(body, "JITDisabled"),
                sso_setup_suite_settings={"enabled": False, **(sso or {})},
            )
            auth_type = _auth_type(body) or "none"
            enforce_sso = _opt_bool(body, "enforceSSO")
            exclusions = _opt_str_list(body, "enforceSSOExclusions")
            app_ids = _opt_str_list(body, "federatedAppIds")
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

    def update_default_roles(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/updateDefaultRoles: replaces the tenant's default roles.

        With ``require_existing_roles`` each must be a project role or a role of the tenant.
        """
        with self.lock:
            tenant = self._get(_required_str(body, "id"))
            roles = _str_list(body, "defaultRoles")
            if self.options.require_existing_roles:
                self.authz.check_default_roles(tenant.id, roles)
            tenant.default_roles = roles
            return {}

    # --- flows and theme -----------------------------------------------------------------

    def list_flows(self, ids: list[str] | None = None) -> JsonDict:
        """POST /v1/mgmt/flow/list → ``{"flows": [{id, name, description, disabled}], "total"}``.

        ``ids`` None or empty lists every flow, in id order.
        """
        with self.lock:
            flows = [f for fid, f in sorted(self.flows.items()) if not ids or fid in ids]
            return {"flows": [f.list_item() for f in flows], "total": len(flows)}

    def delete_flows(self, ids: list[str]) -> JsonDict:
        """POST /v1/mgmt/flow/delete: deletes the flows that exist; unknown ids are ignored."""
        with self.lock:
            for fid in ids:
                self.flows.pop(fid, None)
            return {}

    def export_flow(self, flow_id: str | None) -> JsonDict:
        """POST /v1/mgmt/flow/export → ``{"flow", "screens"}``; missing → 500 E103003."""
        with self.lock:
            flow = self.flows.get(flow_id or "")
            if flow is None:
                raise exc.flow_not_found()
            return flow.export()

    def import_flow(self, flow_id: str | None, flow: Any, screens: Any) -> JsonDict:
        """POST /v1/mgmt/flow/import: stores the flow and screens, returns them as stored.

        The server owns the volatile fields: ``flow.id`` becomes ``flowId``, ``version``
        goes up by one, ``etag`` changes, ``modifiedTime`` becomes the current Unix time as
        a string; each screen's ``version`` is its previous version plus one and its
        ``flowId`` is set.
        """
        with self.lock:
            if not flow_id:
                raise exc.missing_field("flowId")
            if not isinstance(flow, dict):
                raise exc.invalid_argument("The flow field must be an object")
            if screens is None:
                screens = []
            if not isinstance(screens, list) or not all(isinstance(s, dict) for s in screens):
                raise exc.invalid_argument("The screens field must be a list of objects")
            previous = self.flows.get(flow_id)
            old_screens = {s.id: s.version for s in previous.screens} if previous else {}
            data = copy.deepcopy(flow)
            data.update(
                id=flow_id,
                version=(previous.version if previous else 0) + 1,
                etag=self.etag_factory(),
                modifiedTime=str(int(self.now())),
            )
            new_screens: list[Screen] = []
            for raw in screens:
                screen_id = _str(raw, "id")
                sdata = copy.deepcopy(raw)
                sdata.update(flowId=flow_id, version=old_screens.get(screen_id, 0) + 1)
                new_screens.append(Screen(_with_defaults(_SCREEN_DEFAULTS, sdata)))
            stored = Flow(_with_defaults(_FLOW_DEFAULTS, data), new_screens)
            self.flows[flow_id] = stored
            return stored.export()

    def export_theme(self) -> JsonDict:
        """POST /v1/mgmt/theme/export → ``{"theme": ...}``."""
        with self.lock:
            return {"theme": self.theme.to_dict()}

    def import_theme(self, theme: Any) -> JsonDict:
        """POST /v1/mgmt/theme/import: replaces the theme; ``version`` = previous + 1."""
        with self.lock:
            if not isinstance(theme, dict):
                raise exc.invalid_argument("The theme field must be an object")
            data = copy.deepcopy(theme)
            data["version"] = self.theme.version + 1
            self.theme = Theme(_with_defaults(_THEME_DEFAULTS, data))
            return {"theme": self.theme.to_dict()}

    # --- helpers -------------------------------------------------------------------------

    def _sso_role(self, tenant_id: str, name: str) -> RoleRef | None:
        """What an SSO role mapping or default SSO role may name: the tenant's or a project
        role (Descope's e2e tests create the role before mapping to it)."""
        role = self.authz.usable_role(tenant_id, name)
        return RoleRef(role.id, role.name) if role is not None else None

    def _not_found(self, tenant_id: str) -> exc.DescopeApiError:
        return exc.tenant_not_found(tenant_id, self.options.not_found_status)

    def _get(self, tenant_id: str) -> Tenant:
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise self._not_found(tenant_id)
        return tenant

    def _unused_id(self) -> str:
        while True:
            candidate = self.id_factory()
            if candidate not in self.tenants:
                return candidate

    def replace_tenants(self, tenants: dict[str, Tenant]) -> None:
        """Hold `tenants` (in creation order) in place of every tenant held."""
        with self.lock:
            self.tenants = tenants
            self._successor_ids = {}
            for tenant in tenants.values():
                if tenant.parent:
                    self._successor_ids.setdefault(tenant.parent, []).append(tenant.id)

    def _successors(self, tenant_id: str) -> list[str]:
        return [i for i in self._successor_ids.get(tenant_id, ()) if i in self.tenants]

    def _tenant_dict(self, tenant: Tenant) -> JsonDict:
        return tenant.to_dict(self._successors(tenant.id))

    def _check_name_free(self, name: str, tenant_id: str) -> None:
        for other in self.tenants.values():
            if other.name == name and other.id != tenant_id:
                raise exc.duplicate_tenant_name(name)

    def _domains(self, values: list[str], key: str) -> list[str]:
        for domain in values:
            checked = domain.strip() if self.options.normalize_domains else domain
            if not _DOMAIN_RE.fullmatch(checked):
                raise exc.invalid_argument(f"The {key} field has an invalid domain {domain!r}")
        return _normalize(values) if self.options.normalize_domains else values

    def _check_domains_free(self, tenant_id: str, spd: list[str], domains: list[str]) -> None:
        if not self.options.unique_domains_across_tenants:
            return
        for other in self.tenants.values():
            if other.id == tenant_id:
                continue
            for domain in spd:
                if domain in other.self_provisioning_domains:
                    raise exc.duplicate_domain(domain)
            for domain in domains:
                if domain in other.domains:
                    raise exc.duplicate_domain(domain)

    def _write_tenant_fields(
        self, tenant: Tenant, body: Mapping[str, Any], *, replace: bool
    ) -> None:
        """Validate, then write the create/update/patch fields.

        ``replace``: an omitted field falls to its empty default (create, update);
        otherwise an omitted field keeps its value (patch). Nothing is written when
        any field is invalid.
        """
        spd = _opt_str_list(body, "selfProvisioningDomains")
        if spd is not None:
            spd = self._domains(spd, "selfProvisioningDomains")
            self._check_domains_free(tenant.id, spd, [])
        attrs = _opt_dict(body, "customAttributes")
        if attrs is not None and self.options.require_attribute_definitions:
            check_values(self.tenant_attributes, attrs)
        disabled = _opt_bool(body, "disabled")
        enforce_sso = _opt_bool(body, "enforceSSO")
        exclusions = _opt_str_list(body, "enforceSSOExclusions")
        app_ids = _opt_str_list(body, "federatedAppIds")
        role_inheritance = _opt_str(body, "roleInheritance")
        if replace:
            tenant.self_provisioning_domains = spd or []
            tenant.custom_attributes = attrs or {}
            tenant.disabled = bool(disabled)
            tenant.enforce_sso = bool(enforce_sso)
            tenant.enforce_sso_exclusions = exclusions or []
            tenant.federated_app_ids = app_ids or []
            tenant.role_inheritance = role_inheritance or ""
            return
        if spd is not None:
            tenant.self_provisioning_domains = spd
        if attrs is not None:
            tenant.custom_attributes = attrs
        if disabled is not None:
            tenant.disabled = disabled
        if enforce_sso is not None:
            tenant.enforce_sso = enforce_sso
        if exclusions is not None:
            tenant.enforce_sso_exclusions = exclusions
        if app_ids is not None:
            tenant.federated_app_ids = app_ids
        if role_inheritance is not None:
            tenant.role_inheritance = role_inheritance


_MISSING = object()


def _normalize(domains: list[str]) -> list[str]:
    return sorted({d.strip().lower() for d in domains})
