"""Per-tenant SSO state: a tenant's SSO configurations, their wire shapes, admin links.

No HTTP and no request parsing: the state and its lookups are in
:mod:`emulator.resources.sso.store`, the operations in :mod:`emulator.resources.sso.models`.

A tenant has one *default* SSO configuration (``ssoId`` ``""``), whose domains and auth type
are the tenant's own ``domains`` and ``authType`` (the same fields the tenant settings endpoint
writes), plus any number of further configurations created with ``/v1/mgmt/sso/settings/new``,
each with its own ``ssoId``, domains and auth type.

Group-to-role mappings, default SSO roles, groups priority and FGA mappings belong to the
configuration, not to a protocol: the SDK says they are "shared across SAML / OIDC / SCIM /
XAA for the sso_id" (``descope/management/sso_settings.py``, ``XAASettings``), so the ``saml``
and ``oidc`` sections of a load answer the same mappings.

The OIDC client secret is write-only: it is kept here, answered as ``""`` (python-sdk
``tests/e2e/management/test_sso.py``: "redacted by backend"), and never shown in
:meth:`SSOConfiguration.to_json` (which says only whether one is stored).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from emulator.context import RoleRef

__all__ = [
    "ADMIN_LINK_BASE_URL",
    "DEFAULT_SSO_ID",
    "OIDC_ATTRIBUTE_DEFAULTS",
    "SAML_ATTRIBUTE_DEFAULTS",
    "SP_BASE_URL",
    "XAA_SETTINGS_DEFAULTS",
    "AdminLink",
    "OIDCSettings",
    "SAMLSettings",
    "SSOConfiguration",
    "XAATrust",
    "redact_write_only",
]

JsonDict = dict[str, Any]

DEFAULT_SSO_ID = ""
"""The ``ssoId`` of a tenant's default configuration (the SDKs omit ``ssoId`` for it)."""

SP_BASE_URL = "https://api.descope.com"
"""Where the derived ``spACSUrl`` points. Descope's real ACS URL is only known to carry
``projectId=`` and ``tenantId=`` (python-sdk e2e); the path and the base are a guess."""

ADMIN_LINK_BASE_URL = "https://sso-setup.emulator.invalid/link"
"""Base of generated SSO Setup Suite links; ``.invalid`` so that nobody mistakes them for
Descope's (whose format is not published)."""

SAML_ATTRIBUTE_DEFAULTS: JsonDict = {
    "name": "name",
    "email": "email",
    "username": "",
    "phoneNumber": "phone",
    "group": "",
    "givenName": "",
    "middleName": "",
    "familyName": "",
    "picture": "",
    "customAttributes": {},
    "verifiedEmail": "",
    "verifiedPhone": "",
}
"""A fresh configuration's SAML ``attributeMapping`` (python-sdk e2e ``userMapping`` of a new
tenant and the ``load_settings`` docstring; ``verifiedEmail``/``verifiedPhone`` from the e2e
test and Descope's API reference)."""

OIDC_ATTRIBUTE_DEFAULTS: JsonDict = {
    "loginId": "sub",
    "username": "",
    "name": "name",
    "email": "email",
    "phoneNumber": "phone_number",
    "verifiedEmail": "email_verified",
    "verifiedPhone": "phone_number_verified",
    "picture": "picture",
    "givenName": "given_name",
    "middleName": "middle_name",
    "familyName": "family_name",
    "group": "",
    "customAttributes": {},
}
"""A fresh configuration's OIDC ``userAttrMapping`` (the ``load_settings`` docstring;
``group`` and ``customAttributes`` from descope-dotnet's ``OAuthUserDataClaimsMapping``)."""


def _copy(data: JsonDict) -> JsonDict:
    return copy.deepcopy(data)


@dataclass
class GroupMapping:
    """IdP groups mapped to one Descope role."""

    role: RoleRef
    groups: list[str]

    def to_wire(self) -> JsonDict:
        return {"role": {"id": self.role.id, "name": self.role.name}, "groups": list(self.groups)}


SP_CERTIFICATE = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBKDCB0KADAgECAgIQkjAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNkZXNjb3Bl\n"
    "LWVtdWxhdG9yLXNwMB4XDTI1MDEwMTAwMDAwMFoXDTQ1MDEwMTAwMDAwMFowHjEc\n"
    "MBoGA1UEAwwTZGVzY29wZS1lbXVsYXRvci1zcDBZMBMGByqGSM49AgEGCCqGSM49\n"
    "AwEHA0IABGWzY2wb7nSSy5/bBhVxIugCaeWX1K7m2knfke2wQ9KVzkym6ewaaX4E\n"
    "PMoKnhfrP+Z5xNrCNhlJV1Ybf65nsNkwCgYIKoZIzj0EAwIDRwAwRAIgV8YR4Oqa\n"
    "U/v7m+1Fcs9dp/F4ZzK9gN9k9v+3yogQjcYCIHc7g9sobMzortMDP0JvNQk+inQE\n"
    "R9QXsl80fvGGyMrx\n"
    "-----END CERTIFICATE-----\n"
)
"""The service provider's signing certificate a SAML section answers with (``spCertificate``).
Descope makes one for every SAML configuration and answers it non-empty from the first load (its
live Java SDK test); the emulator, stdlib only, answers this one real self-signed certificate
(made once with ``cryptography``, valid 2025-2045) for every configuration. Whether Descope's is
per configuration, per tenant or per project is not confirmed; nothing in the project reads it."""


@dataclass
class SAMLSettings:
    """A configuration's SAML side; ``sp_*`` empty means derived from project and tenant."""

    idp_entity_id: str = ""
    idp_sso_url: str = ""
    idp_certificate: str = ""
    idp_additional_certificates: list[str] = field(default_factory=list)
    idp_metadata_url: str = ""
    sp_entity_id: str = ""
    sp_acs_url: str = ""
    attribute_mapping: JsonDict = field(default_factory=lambda: _copy(SAML_ATTRIBUTE_DEFAULTS))
    redirect_url: str = ""
    config_fga_tenant_id_resource_prefix: str = ""
    config_fga_tenant_id_resource_suffix: str = ""
    disable_sign_request: bool = False
    """Stored, not answered: no published load shape carries it."""


@dataclass
class OIDCSettings:
    """A configuration's OIDC side. ``client_secret`` is write-only."""

    name: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    redirect_url: str = ""
    auth_url: str = ""
    token_url: str = ""
    user_data_url: str = ""
    scope: list[str] = field(default_factory=list)
    jwks_url: str = ""
    user_attr_mapping: JsonDict = field(default_factory=lambda: _copy(OIDC_ATTRIBUTE_DEFAULTS))
    manage_provider_tokens: bool = False
    callback_domain: str = ""
    prompt: list[str] = field(default_factory=list)
    grant_type: str = "authorization_code"
    issuer: str = ""
    use_pkce: bool = False
    """Stored, not answered: no published load shape carries it."""


XAA_SETTINGS_DEFAULTS: JsonDict = {
    "issuers": {},
    "jwtBearerGrantTypeAudienceToUse": "",
    "jwtBearerGrantTypeScopeToUse": "",
    "jwtBearerGrantTypeCustomClaimsToUse": "",
}
"""The ``settings`` of Cross-App Access (XAA / ID-JAG) trust settings never configured
(go-sdk ``XAAJWTBearerSettings``)."""


@dataclass
class XAATrust:
    """A configuration's Cross-App Access (XAA / ID-JAG) trust settings; its group mappings
    are the configuration's shared ones."""

    enabled: bool = False
    settings: JsonDict = field(default_factory=lambda: _copy(XAA_SETTINGS_DEFAULTS))
    group_priority_enabled: bool = False
    allow_override_roles: bool = False
    provider_id: str = ""


@dataclass
class SSOConfiguration:
    """One SSO configuration of a tenant.

    ``auth_type`` and ``domains`` are used for non-default configurations only; the default
    one's live on the tenant.
    """

    sso_id: str
    display_name: str = ""
    auth_type: str = "none"
    domains: list[str] = field(default_factory=list)
    saml: SAMLSettings = field(default_factory=SAMLSettings)
    oidc: OIDCSettings = field(default_factory=OIDCSettings)
    group_mappings: list[GroupMapping] = field(default_factory=list)
    default_sso_roles: list[str] = field(default_factory=list)
    groups_priority: list[str] = field(default_factory=list)
    fga_mappings: JsonDict = field(default_factory=dict)
    xaa: XAATrust | None = None
    """None until XAA trust settings are configured (and again once they are deleted)."""

    def mappings_wire(self) -> JsonDict:
        """The shared mapping fields, as both the ``saml`` and the ``oidc`` section answer them."""
        return {
            "groupsMapping": [m.to_wire() for m in self.group_mappings],
            "defaultSSORoles": list(self.default_sso_roles),
            "groupsPriority": list(self.groups_priority),
            "fgaMappings": copy.deepcopy(self.fga_mappings),
        }

    def saml_wire(self, sp_entity_id: str, sp_acs_url: str) -> JsonDict:
        """The ``saml`` section of a load: every field, defaults included.

        Fields: python-sdk ``load_settings`` docstring and fixture, go-sdk
        ``SSOSAMLSettingsResponse``, descope-dotnet ``SamlSettingsResponse``.
        """
        s = self.saml
        return {
            "idpEntityId": s.idp_entity_id,
            "idpSSOUrl": s.idp_sso_url,
            "idpCertificate": s.idp_certificate,
            "idpAdditionalCertificates": list(s.idp_additional_certificates),
            "idpMetadataUrl": s.idp_metadata_url,
            "spEntityId": s.sp_entity_id or sp_entity_id,
            "spACSUrl": s.sp_acs_url or sp_acs_url,
            "spCertificate": SP_CERTIFICATE,
            "attributeMapping": copy.deepcopy(s.attribute_mapping),
            **self.mappings_wire(),
            "redirectUrl": s.redirect_url,
            "configFGATenantIDResourcePrefix": s.config_fga_tenant_id_resource_prefix,
            "configFGATenantIDResourceSuffix": s.config_fga_tenant_id_resource_suffix,
            "providerID": "",
            "scimProviderID": "",
            "spSignCertificate": "",
            "subjectNameIdFormat": "",
            "lastSuccessTestTime": 0,
        }

    def oidc_wire(self) -> JsonDict:
        """The ``oidc`` section of a load; ``clientSecret`` is always ``""``.

        Fields: python-sdk ``load_settings`` docstring, go-sdk ``SSOOIDCSettings``,
        descope-dotnet ``SSOOIDCSettings``.
        """
        o = self.oidc
        return {
            "name": o.name,
            "clientId": o.client_id,
            "clientSecret": "",
            "redirectUrl": o.redirect_url,
            "authUrl": o.auth_url,
            "tokenUrl": o.token_url,
            "userDataUrl": o.user_data_url,
            "scope": list(o.scope),
            "JWKsUrl": o.jwks_url,
            "userAttrMapping": copy.deepcopy(o.user_attr_mapping),
            "manageProviderTokens": o.manage_provider_tokens,
            "callbackDomain": o.callback_domain,
            "prompt": list(o.prompt),
            "grantType": o.grant_type,
            "issuer": o.issuer,
            **self.mappings_wire(),
            # The same group mappings in the older form the published description also lists
            # for OIDC (``RoleMapping``: groups and a role name).
            "roleMappings": [
                {"groups": list(m.groups), "roleName": m.role.name} for m in self.group_mappings
            ],
            "providerID": "",
            "scimProviderID": "",
            "lastSuccessTestTime": 0,
        }

    def xaa_wire(self, audience: str) -> JsonDict:
        """A load of the XAA settings (SDK ``load_xaa_settings`` docstring, go-sdk
        ``SSOXAASettingsResponse``); defaults when never configured."""
        xaa = self.xaa or XAATrust()
        mappings = self.mappings_wire()
        return {
            "ssoId": self.sso_id,
            "enabled": xaa.enabled,
            "settings": copy.deepcopy(xaa.settings),
            "groupsMapping": mappings["groupsMapping"],
            "defaultSSORoles": mappings["defaultSSORoles"],
            "fgaMappings": mappings["fgaMappings"],
            "groupsPriority": mappings["groupsPriority"],
            "groupPriorityEnabled": xaa.group_priority_enabled,
            "allowOverrideRoles": xaa.allow_override_roles,
            "providerID": xaa.provider_id,
            "audience": audience,
        }

    def to_json(self) -> JsonDict:
        """The emulator's own view for ``GET /emulator/state``: no secret, only whether one is set.

        The default configuration's auth type and domains are the tenant's (in ``tenants``).
        """
        own: JsonDict = {}
        if self.sso_id != DEFAULT_SSO_ID:
            own = {"authType": self.auth_type, "domains": list(self.domains)}
        return {
            "ssoId": self.sso_id,
            "displayName": self.display_name,
            **own,
            "saml": self.saml_wire("", ""),
            "oidc": self.oidc_wire(),
            "disableSignRequest": self.saml.disable_sign_request,
            "usePkce": self.oidc.use_pkce,
            "clientSecretStored": bool(self.oidc.client_secret),
            "xaa": None if self.xaa is None else self.xaa_wire(""),
        }


@dataclass
class AdminLink:
    """An SSO Setup Suite link: only a hash of its token is kept."""

    sso_id: str
    token_sha256: str
    created_time: int
    expires_time: int | None
    email: str | None = None
    actor_id: str | None = None

    def to_json(self) -> JsonDict:
        return {
            "ssoId": self.sso_id,
            "createdTime": self.created_time,
            "expiresTime": self.expires_time,
            "email": self.email,
            "actorId": self.actor_id,
        }


REDACTED = "<redacted>"


def redact_write_only(body: Any) -> Any:
    """``body`` with an OIDC ``settings.clientSecret`` replaced, for the request log."""
    if isinstance(body, dict):
        settings = body.get("settings")
        if isinstance(settings, dict) and settings.get("clientSecret"):
            return {**body, "settings": {**settings, "clientSecret": REDACTED}}
    return body
