"""Per-tenant SSO operations: one method per SSO management endpoint, no HTTP.

:class:`SSOBackend` works on a :class:`~emulator.models.DescopeBackend` (its tenants, options
and lock) and the :class:`~emulator.sso.SSOState` the backend owns. Each method takes the
parsed request, returns the dict that goes on the wire, or raises
:class:`~emulator.exceptions.DescopeApiError`; nothing is written unless every check passed.

What a write does to a field it is sent, when the evidence says nothing else (unconfirmed:
see the README's emulator section): a field sent as JSON ``null`` or left out keeps its stored
value, a value replaces it. The exceptions, from Descope's SDKs and e2e tests:

- ``domains``: ``null`` or ``[]`` empties the configuration's domains (SDK docstrings: "Use
  empty list or None to reset them");
- ``defaultSSORoles``: ``[]`` keeps the stored roles unless ``replaceDefaultSSORoles`` is true
  (SDK ``_set_replace_default_sso_roles``);
- the OIDC ``clientSecret``: ``null`` or ``""`` keeps the stored secret (a load answers ``""``,
  so a read-modify-write must not wipe it);
- SAML ``roleMappings`` is always sent by the SDKs (``[]`` when none) and replaces the
  mappings; an ``attributeMapping`` object replaces the whole mapping, its ``null`` fields
  becoming ``""`` (python-sdk e2e, deprecated ``mapping``);
- configuring SAML by hand clears the metadata URL; by metadata clears the IdP URL and
  certificates (the emulator fetches no metadata).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import string
from collections.abc import Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.fields import opt_bool as _opt_bool
from emulator.fields import opt_dict as _opt_dict
from emulator.fields import opt_str as _opt_str
from emulator.fields import opt_str_list as _opt_str_list
from emulator.fields import str_list as _str_list
from emulator.fields import text as _str
from emulator.models import AUTH_TYPES, DescopeBackend, Tenant
from emulator.sso import (
    ADMIN_LINK_BASE_URL,
    DEFAULT_SSO_ID,
    OIDC_ATTRIBUTE_DEFAULTS,
    SAML_ATTRIBUTE_DEFAULTS,
    SP_BASE_URL,
    AdminLink,
    GroupMapping,
    RoleRef,
    SAMLSettings,
    SSOConfiguration,
    XAATrust,
)

__all__ = ["GRANT_TYPES", "SSOBackend", "new_sso_id"]

JsonDict = dict[str, Any]
GRANT_TYPES = ("authorization_code", "implicit")
"""OIDC grant types: the SDK names both (``use_pkce``: "Not allowed with the implicit grant
type"); ``authorization_code`` is the default a load shows."""
_BASE62 = string.digits + string.ascii_letters


def new_sso_id() -> str:
    """A generated ``ssoId``: Descope's format is not published, so ``S`` plus 27 base62."""
    return "S" + "".join(secrets.choice(_BASE62) for _ in range(27))


class _Fields:
    """Typed reads of a nested request object; errors name ``<prefix><key>``."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self.data = data
        self.prefix = prefix

    def _one(self, key: str) -> tuple[JsonDict, str]:
        name = self.prefix + key
        return {name: self.data.get(key)}, name

    def opt_str(self, key: str) -> str | None:
        return _opt_str(*self._one(key))

    def text(self, key: str) -> str:
        return _str(*self._one(key))

    def required_str(self, key: str) -> str:
        value = self.opt_str(key)
        if not value:
            raise exc.missing_field(self.prefix + key)
        return value

    def opt_bool(self, key: str) -> bool | None:
        return _opt_bool(*self._one(key))

    def opt_str_list(self, key: str) -> list[str] | None:
        return _opt_str_list(*self._one(key))

    def opt_dict(self, key: str) -> JsonDict | None:
        return _opt_dict(*self._one(key))


def _settings_object(body: Mapping[str, Any]) -> _Fields:
    settings = body.get("settings")
    if settings is None:
        raise exc.missing_field("settings")
    if not isinstance(settings, dict):
        raise exc.invalid_argument("The settings field must be an object")
    return _Fields(settings, "settings.")


def _mapping(value: JsonDict, keys: Mapping[str, Any], where: str) -> JsonDict:
    """An attribute mapping as sent: every known key, ``null`` or missing as ``""``."""
    fields = _Fields(value, where + ".")
    mapping: JsonDict = {}
    for key, default in keys.items():
        if isinstance(default, dict):
            mapping[key] = fields.opt_dict(key) or {}
        else:
            mapping[key] = fields.text(key)
    return mapping


def _fga_mappings(value: JsonDict, where: str) -> JsonDict:
    """``{group: {"relations": [{resource, relationDefinition, namespace}]}}``, checked."""
    out: JsonDict = {}
    for group, mapping in value.items():
        at = f"{where}.{group}"
        if not isinstance(mapping, dict):
            raise exc.invalid_argument(f"The {at} field must be an object")
        relations = mapping.get("relations") or []
        if not isinstance(relations, list) or not all(isinstance(r, dict) for r in relations):
            raise exc.invalid_argument(f"The {at}.relations field must be a list of objects")
        out[group] = {
            "relations": [
                {
                    key: _Fields(r, f"{at}.relations[].").text(key)
                    for key in ("resource", "relationDefinition", "namespace")
                }
                for r in relations
            ]
        }
    return out


def _xaa_settings(value: JsonDict) -> JsonDict:
    """The XAA ``settings`` object as stored: every field, issuers checked."""
    fields = _Fields(value, "settings.")
    issuers = fields.opt_dict("issuers") or {}
    out: JsonDict = {"issuers": {}}
    for url, issuer in issuers.items():
        at = f"settings.issuers.{url}"
        if not isinstance(issuer, dict):
            raise exc.invalid_argument(f"The {at} field must be an object")
        f = _Fields(issuer, at + ".")
        mapping = f.opt_dict("attributeMapping")
        out["issuers"][url] = {
            "jwksUri": f.text("jwksUri"),
            "signAlgorithm": f.text("signAlgorithm"),
            "userInfoUri": f.text("userInfoUri"),
            "externalIdFieldName": f.text("externalIdFieldName"),
            "jitDisabled": bool(f.opt_bool("jitDisabled")),
            "attributeMapping": None
            if mapping is None
            else _mapping(mapping, SAML_ATTRIBUTE_DEFAULTS, at + ".attributeMapping"),
        }
    for key in (
        "jwtBearerGrantTypeAudienceToUse",
        "jwtBearerGrantTypeScopeToUse",
        "jwtBearerGrantTypeCustomClaimsToUse",
    ):
        out[key] = fields.text(key)
    return out


class SSOBackend:
    """The SSO endpoints over one backend's state; cheap to build per request."""

    def __init__(self, backend: DescopeBackend) -> None:
        self.backend = backend
        self.state = backend.sso

    # --- reads -------------------------------------------------------------------------

    def load(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """GET /v2/mgmt/sso/settings?tenantId=&ssoId= → ``{tenant, saml, oidc, ssoId}``.

        A tenant that never had SSO answers the defaults (python-sdk and dotnet e2e load a
        fresh or deleted configuration and read empty IdP fields, not an error).
        """
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            return self._wire(tenant, self._configuration(tenant, sso_id or DEFAULT_SSO_ID))

    def load_all(self, tenant_id: str | None) -> JsonDict:
        """GET /v2/mgmt/sso/settings/all?tenantId= → ``{"SSOSettings": [...]}``.

        The key is go-sdk's ``SSOTenantAllSettingsResponse``, node-sdk's and Descope's API
        reference's. Lists the default configuration (first) once anything was written to
        it, then the others in creation order.
        """
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            default = self.state.default_configuration(tenant.id)
            others = [
                c
                for c in self.state.configurations.get(tenant.id, {}).values()
                if c.sso_id != DEFAULT_SSO_ID
            ]
            listed = [default, *others] if self._default_in_use(tenant) else others
            return {"SSOSettings": [self._wire(tenant, c) for c in listed]}

    def get_settings_v1(self, tenant_id: str | None) -> JsonDict:
        """Deprecated GET /v1/mgmt/sso/settings?tenantId= → the flat v1 shape, default config.

        Shape and defaults: python-sdk ``tests/e2e/management/test_sso.py`` (a fresh tenant
        answers empty IdP fields, derived SP fields and the default ``userMapping``);
        descope-dotnet ``GetSSOSettingsResponse``. ``domain`` is the first domain.
        """
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            configuration = self._configuration(tenant, DEFAULT_SSO_ID)
            saml = configuration.saml_wire(*self._sp(tenant, configuration))
            return {
                "tenantId": tenant.id,
                "idpEntityId": saml["idpEntityId"],
                "idpSSOUrl": saml["idpSSOUrl"],
                "idpCertificate": saml["idpCertificate"],
                "idpMetadataUrl": saml["idpMetadataUrl"],
                "spEntityId": saml["spEntityId"],
                "spACSUrl": saml["spACSUrl"],
                "spCertificate": saml["spCertificate"],
                "userMapping": saml["attributeMapping"],
                "groupsMapping": saml["groupsMapping"],
                "redirectUrl": saml["redirectUrl"],
                "domains": list(tenant.domains),
                "domain": tenant.domains[0] if tenant.domains else "",
            }

    # --- configuration writes ------------------------------------------------------------

    def configure_saml(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/saml: the configuration's SAML settings, entered by hand.

        Body: ``{tenantId, settings: {idpUrl, entityId, idpCert, idpAdditionalCerts,
        spACSUrl, spEntityId, attributeMapping, roleMappings, defaultSSORoles,
        replaceDefaultSSORoles, groupsPriority, fgaMappings, configFGATenantIDResource
        Prefix/Suffix, disableSignRequest}, redirectUrl, domains, ssoId}``. ``idpUrl``,
        ``entityId`` and ``idpCert`` are required (go-sdk checks them before sending; the
        certificate's content is not checked: Descope's e2e tests store "my certificate").
        Sets the auth type to ``saml``.
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            s = _settings_object(body)
            saml = copy.deepcopy(configuration.saml)
            saml.idp_sso_url = s.required_str("idpUrl")
            saml.idp_entity_id = s.required_str("entityId")
            saml.idp_certificate = s.required_str("idpCert")
            saml.idp_additional_certificates = s.opt_str_list("idpAdditionalCerts") or []
            saml.idp_metadata_url = ""
            self._write_saml(tenant, configuration, body, s, saml)
            return {}

    def configure_saml_by_metadata(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/saml/metadata: SAML settings from an IdP metadata URL.

        Body as :meth:`configure_saml` with ``idpMetadataUrl`` (required) and an optional
        ``entityId`` in place of ``idpUrl``/``idpCert``. The URL is stored, not fetched
        (Descope's e2e tests configure ``https://dummy.com/saml`` and succeed).
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            s = _settings_object(body)
            saml = copy.deepcopy(configuration.saml)
            saml.idp_metadata_url = s.required_str("idpMetadataUrl")
            saml.idp_entity_id = s.text("entityId")
            saml.idp_sso_url = saml.idp_certificate = ""
            saml.idp_additional_certificates = []
            self._write_saml(tenant, configuration, body, s, saml)
            return {}

    def configure_oidc(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/oidc: the configuration's OIDC settings; auth type ``oidc``.

        Body: ``{tenantId, settings: {name, clientId, clientSecret, redirectUrl, authUrl,
        tokenUrl, userDataUrl, scope, JWKsUrl, userAttrMapping, manageProviderTokens,
        callbackDomain, prompt, grantType, issuer, groupsPriority, fgaMappings, usePkce,
        roleMappings, defaultSSORoles}, domains, ssoId}``. ``grantType`` is
        ``authorization_code`` (default) or ``implicit``; ``usePkce`` is refused with
        ``implicit`` (SDK docstring).
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            s = _settings_object(body)
            oidc = copy.deepcopy(configuration.oidc)
            for key, attr in (
                ("name", "name"),
                ("clientId", "client_id"),
                ("redirectUrl", "redirect_url"),
                ("authUrl", "auth_url"),
                ("tokenUrl", "token_url"),
                ("userDataUrl", "user_data_url"),
                ("JWKsUrl", "jwks_url"),
                ("callbackDomain", "callback_domain"),
                ("issuer", "issuer"),
            ):
                value = s.opt_str(key)
                if value is not None:
                    setattr(oidc, attr, value)
            secret = s.opt_str("clientSecret")
            if secret:
                oidc.client_secret = secret
            for key, attr in (("scope", "scope"), ("prompt", "prompt")):
                values = s.opt_str_list(key)
                if values is not None:
                    setattr(oidc, attr, values)
            mapping = s.opt_dict("userAttrMapping")
            if mapping is not None:
                oidc.user_attr_mapping = _mapping(
                    mapping, OIDC_ATTRIBUTE_DEFAULTS, "settings.userAttrMapping"
                )
            manage = s.opt_bool("manageProviderTokens")
            if manage is not None:
                oidc.manage_provider_tokens = manage
            grant_type = s.opt_str("grantType")
            if grant_type is not None:
                oidc.grant_type = grant_type or GRANT_TYPES[0]
            if oidc.grant_type not in GRANT_TYPES:
                raise exc.invalid_argument(
                    f"The settings.grantType field must be one of {', '.join(GRANT_TYPES)}, "
                    f"got {oidc.grant_type!r}"
                )
            use_pkce = s.opt_bool("usePkce")
            if use_pkce is not None:
                oidc.use_pkce = use_pkce
            if oidc.use_pkce and oidc.grant_type == "implicit":
                raise exc.invalid_argument(
                    "The settings.usePkce field cannot be true with the implicit grant type"
                )
            mappings = self._mappings(tenant, configuration, s, role_mappings_required=False)
            domains = self._domains(tenant, configuration, body)
            # every check passed: write
            configuration.oidc = oidc
            self._commit(tenant, configuration, "oidc", domains, mappings)
            return {}

    def new_settings(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/settings/new ``{tenantId, displayName, ssoId?}`` → the new load.

        ``displayName`` is required (go-sdk checks it); ``ssoId`` is generated when empty
        and must be new in the tenant. The answer is the load shape (descope-dotnet
        ``NewRequestBuilder`` returns ``LoadSSOSettingsResponse``).
        """
        with self.backend.lock:
            tenant = self._tenant(_opt_str(body, "tenantId"))
            display_name = _opt_str(body, "displayName")
            if not display_name:
                raise exc.missing_field("displayName")
            configurations = self.state.tenant_configurations(tenant.id)
            sso_id = _opt_str(body, "ssoId") or self._unused_sso_id(configurations)
            if sso_id in configurations:
                raise exc.duplicate_sso_configuration(tenant.id, sso_id)
            configuration = SSOConfiguration(sso_id, display_name=display_name)
            self.state.store(tenant.id, configuration)
            return self._wire(tenant, configuration)

    def delete_settings(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """DELETE /v1/mgmt/sso/settings?tenantId=&ssoId=.

        A non-default configuration is removed (with its admin links). The default one is
        reset to blank: no SAML or OIDC settings, no mappings, auth type ``none`` and no
        domains (python-sdk and dotnet e2e read empty IdP fields after a delete; that the
        tenant's domains and auth type go too is unconfirmed).
        """
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            configuration = self._configuration(tenant, sso_id or DEFAULT_SSO_ID)
            self.state.configurations.get(tenant.id, {}).pop(configuration.sso_id, None)
            if configuration.sso_id == DEFAULT_SSO_ID:
                tenant.auth_type = "none"
                tenant.domains = []
            else:
                links = self.state.admin_links.get(tenant.id, [])
                links[:] = [link for link in links if link.sso_id != configuration.sso_id]
            return {}

    def configure_auth_type(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/settings/authtype ``{tenantId, authType, ssoId?}``.

        Sets only the auth type (``none`` disables the configuration and keeps its settings;
        SDK docstring of ``configure_auth_type``).
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            auth_type = _opt_str(body, "authType")
            if not auth_type:
                raise exc.missing_field("authType")
            if auth_type not in AUTH_TYPES:
                raise exc.invalid_argument(
                    f"The authType field must be one of {', '.join(AUTH_TYPES)}, got {auth_type!r}"
                )
            self._set_auth_type(tenant, configuration, auth_type)
            self.state.store(tenant.id, configuration)
            return {}

    def configure_redirect_url(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/redirect ``{tenantId, samlRedirectUrl?, oauthRedirectUrl?, ssoId?}``.

        Each URL sent replaces the SAML or the OIDC redirect URL; nothing else changes.
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            saml_url = _opt_str(body, "samlRedirectUrl")
            oauth_url = _opt_str(body, "oauthRedirectUrl")
            if saml_url is not None:
                configuration.saml.redirect_url = saml_url
            if oauth_url is not None:
                configuration.oidc.redirect_url = oauth_url
            self.state.store(tenant.id, configuration)
            return {}

    def recalculate_mappings(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/recalculate-mappings ``{tenantId, ssoId?}``.

        Recalculates the roles of the tenant's SSO users from the group mappings; the
        emulator has no users, so once tenant and configuration are found there is nothing
        to change.
        """
        with self.backend.lock:
            self._target(body)
            return {}

    # --- deprecated v1 writes (default configuration) -----------------------------------

    def configure_v1(self, body: Mapping[str, Any]) -> JsonDict:
        """Deprecated POST /v1/mgmt/sso/settings ``{tenantId, idpURL, entityId, idpCert,
        redirectURL, domains}``: SAML by hand on the default configuration."""
        with self.backend.lock:
            tenant, configuration = self._target(body, allow_sso_id=False)
            fields = _Fields(body, "")
            saml = copy.deepcopy(configuration.saml)
            saml.idp_sso_url = fields.required_str("idpURL")
            saml.idp_entity_id = fields.required_str("entityId")
            saml.idp_certificate = fields.required_str("idpCert")
            saml.idp_additional_certificates = []
            saml.idp_metadata_url = ""
            self._write_saml_v1(tenant, configuration, body, saml)
            return {}

    def configure_metadata_v1(self, body: Mapping[str, Any]) -> JsonDict:
        """Deprecated POST /v1/mgmt/sso/metadata ``{tenantId, idpMetadataURL, redirectURL,
        domains}``; a ``null`` redirectURL keeps the stored one (python-sdk e2e)."""
        with self.backend.lock:
            tenant, configuration = self._target(body, allow_sso_id=False)
            saml = copy.deepcopy(configuration.saml)
            saml.idp_metadata_url = _Fields(body, "").required_str("idpMetadataURL")
            saml.idp_sso_url = saml.idp_certificate = ""
            saml.idp_additional_certificates = []
            self._write_saml_v1(tenant, configuration, body, saml)
            return {}

    def configure_mapping_v1(self, body: Mapping[str, Any]) -> JsonDict:
        """Deprecated POST /v1/mgmt/sso/mapping ``{tenantId, roleMappings, attributeMapping}``:
        both replace the stored ones (python-sdk e2e: unset attribute fields become ``""``)."""
        with self.backend.lock:
            tenant, configuration = self._target(body, allow_sso_id=False)
            sent = _Fields(body, "").opt_dict("attributeMapping")
            mapping = (
                configuration.saml.attribute_mapping
                if sent is None
                else _mapping(sent, SAML_ATTRIBUTE_DEFAULTS, "attributeMapping")
            )
            groups = self._group_mappings(tenant, body.get("roleMappings"), "roleMappings") or []
            configuration.saml.attribute_mapping = mapping
            configuration.group_mappings = groups
            self.state.store(tenant.id, configuration)
            return {}

    # --- Cross-App Access (XAA / ID-JAG) trust settings ------------------------------

    def configure_xaa(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/xaa/settings ``{tenantId, ssoId?, enabled, settings: {issuers:
        {url: {jwksUri, signAlgorithm, userInfoUri, externalIdFieldName, jitDisabled,
        attributeMapping}}, jwtBearerGrantType{Audience,Scope,CustomClaims}ToUse},
        roleMappings, defaultSSORoles, fgaMappings, groupsPriority, groupPriorityEnabled,
        allowOverrideRoles, providerID?}``.

        The mappings are the configuration's shared ones (also answered by the SAML and OIDC
        sections); ``roleMappings`` replaces them, as the SDKs always send it. A ``null``
        ``settings`` keeps the stored trust settings.
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            fields = _Fields(body, "")
            xaa = copy.deepcopy(configuration.xaa) or XAATrust()
            for key, attr in (
                ("enabled", "enabled"),
                ("groupPriorityEnabled", "group_priority_enabled"),
                ("allowOverrideRoles", "allow_override_roles"),
            ):
                value = fields.opt_bool(key)
                if value is not None:
                    setattr(xaa, attr, value)
            provider_id = fields.opt_str("providerID")
            if provider_id is not None:
                xaa.provider_id = provider_id
            settings = fields.opt_dict("settings")
            if settings is not None:
                xaa.settings = _xaa_settings(settings)
            mappings = self._mappings(tenant, configuration, fields, role_mappings_required=True)
            # every check passed: write
            configuration.xaa = xaa
            (
                configuration.group_mappings,
                configuration.default_sso_roles,
                configuration.groups_priority,
                configuration.fga_mappings,
            ) = mappings
            self.state.store(tenant.id, configuration)
            return {}

    def load_xaa(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """GET /v1/mgmt/sso/xaa/settings?tenantId=&ssoId= → one configuration's XAA settings
        (defaults when never configured)."""
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            configuration = self._configuration(tenant, sso_id or DEFAULT_SSO_ID)
            return configuration.xaa_wire(self._audience())

    def load_all_xaa(self, tenant_id: str | None) -> JsonDict:
        """GET /v1/mgmt/sso/xaa/settings/all?tenantId= → ``{"XAASettings": [...]}`` (SDK
        docstring, go-sdk ``SSOXAAAllSettingsResponse``): the configurations that have XAA
        trust settings."""
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            configurations = self.state.configurations.get(tenant.id, {}).values()
            return {
                "XAASettings": [
                    c.xaa_wire(self._audience()) for c in configurations if c.xaa is not None
                ]
            }

    def delete_xaa(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """DELETE /v1/mgmt/sso/xaa/settings?tenantId=&ssoId=: the trust settings go; the
        shared mappings stay (they belong to SAML and OIDC too)."""
        with self.backend.lock:
            tenant = self._tenant(tenant_id)
            self._configuration(tenant, sso_id or DEFAULT_SSO_ID).xaa = None
            return {}

    def _audience(self) -> str:
        """The project-level XAA audience: "equals the issuer the project publishes" (SDK
        docstring); Descope's issuer form ``https://api.descope.com/<projectId>`` is inferred."""
        return f"{SP_BASE_URL}/{self.backend.options.project_id}"

    # --- SSO Setup Suite admin links ----------------------------------------------------

    def generate_admin_link(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v2/mgmt/tenant/adminlinks/sso/generate ``{tenantId, expireTime?, email?,
        ssoId?, actorId?}`` → ``{"adminSSOConfigurationLink": ...}``.

        ``expireTime`` is seconds (python-sdk docstring: "use 21600" for 6 hours), a number
        or, as descope-dotnet's model types it, a string of digits.
        """
        with self.backend.lock:
            tenant, configuration = self._target(body)
            expire = body.get("expireTime")
            if isinstance(expire, str) and expire.isdigit():
                expire = int(expire)
            if expire is not None and (
                isinstance(expire, bool) or not isinstance(expire, int) or expire < 0
            ):
                raise exc.invalid_argument(
                    "The expireTime field must be a non-negative number of seconds"
                )
            email = _opt_str(body, "email")
            actor_id = _opt_str(body, "actorId")
            token = secrets.token_urlsafe(32)
            now = int(self.backend.now())
            self.state.admin_links.setdefault(tenant.id, []).append(
                AdminLink(
                    sso_id=configuration.sso_id,
                    token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                    created_time=now,
                    expires_time=now + expire if expire else None,
                    email=email,
                    actor_id=actor_id,
                )
            )
            return {"adminSSOConfigurationLink": f"{ADMIN_LINK_BASE_URL}?t={token}"}

    def revoke_admin_links(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/tenant/adminlinks/sso/revoke ``{tenantId, ssoId?}``: the
        configuration's links stop working; none to revoke is fine."""
        with self.backend.lock:
            tenant, configuration = self._target(body)
            links = self.state.admin_links.get(tenant.id, [])
            links[:] = [link for link in links if link.sso_id != configuration.sso_id]
            return {}

    # --- helpers -------------------------------------------------------------------------

    def _tenant(self, tenant_id: str | None) -> Tenant:
        if not tenant_id:
            raise exc.missing_field("tenantId")
        tenant = self.backend.tenants.get(tenant_id)
        if tenant is None:
            raise exc.tenant_not_found(tenant_id, self.backend.options.not_found_status)
        return tenant

    def _configuration(self, tenant: Tenant, sso_id: str) -> SSOConfiguration:
        if sso_id == DEFAULT_SSO_ID:
            return self.state.default_configuration(tenant.id)
        configuration = self.state.configurations.get(tenant.id, {}).get(sso_id)
        if configuration is None:
            raise exc.sso_not_found(tenant.id, sso_id, self.backend.options.not_found_status)
        return configuration

    def _target(
        self, body: Mapping[str, Any], *, allow_sso_id: bool = True
    ) -> tuple[Tenant, SSOConfiguration]:
        """The tenant (``tenantId``) and configuration (``ssoId``, default when empty)."""
        tenant = self._tenant(_opt_str(body, "tenantId"))
        sso_id = (_opt_str(body, "ssoId") if allow_sso_id else None) or DEFAULT_SSO_ID
        return tenant, self._configuration(tenant, sso_id)

    def _unused_sso_id(self, configurations: Mapping[str, SSOConfiguration]) -> str:
        while True:
            candidate = new_sso_id()
            if candidate not in configurations:
                return candidate

    def _default_in_use(self, tenant: Tenant) -> bool:
        """Whether load-all lists the default configuration: it is stored (written to), or
        the tenant settings gave the tenant an auth type or domains."""
        stored = self.state.configurations.get(tenant.id, {}).get(DEFAULT_SSO_ID)
        return stored is not None or tenant.auth_type != "none" or bool(tenant.domains)

    def _sp(self, tenant: Tenant, configuration: SSOConfiguration) -> tuple[str, str]:
        """The derived SP entity id and ACS URL.

        ``<projectId>-<tenantId>`` and an ACS URL with ``projectId=`` and ``tenantId=`` are
        confirmed for the default configuration (python-sdk e2e); the ``-<ssoId>`` suffix
        and ``ssoId=`` parameter of other configurations are a guess.
        """
        project = self.backend.options.project_id
        entity = f"{project}-{tenant.id}"
        acs = f"{SP_BASE_URL}/v1/auth/saml/acs?projectId={project}&tenantId={tenant.id}"
        if configuration.sso_id != DEFAULT_SSO_ID:
            entity += f"-{configuration.sso_id}"
            acs += f"&ssoId={configuration.sso_id}"
        return entity, acs

    def _wire(self, tenant: Tenant, configuration: SSOConfiguration) -> JsonDict:
        """The load shape: ``{tenant, saml, oidc, ssoId}`` (go-sdk ``SSOTenantSettingsResponse``,
        descope-dotnet ``LoadSSOSettingsResponse``); ``tenant`` is the full Tenant object
        with the configuration's domains and auth type."""
        tenant_wire = self.backend._tenant_dict(tenant)
        if configuration.sso_id != DEFAULT_SSO_ID:
            tenant_wire["authType"] = configuration.auth_type
            tenant_wire["domains"] = list(configuration.domains)
        return {
            "tenant": tenant_wire,
            "saml": configuration.saml_wire(*self._sp(tenant, configuration)),
            "oidc": configuration.oidc_wire(),
            "ssoId": configuration.sso_id,
        }

    def _set_auth_type(
        self, tenant: Tenant, configuration: SSOConfiguration, auth_type: str
    ) -> None:
        if configuration.sso_id == DEFAULT_SSO_ID:
            tenant.auth_type = auth_type
        else:
            configuration.auth_type = auth_type

    def _domains(
        self, tenant: Tenant, configuration: SSOConfiguration, body: Mapping[str, Any]
    ) -> list[str]:
        """The ``domains`` to store, checked: well formed, and free in other tenants unless
        ``allowDuplicateSSODomainsInOtherTenants`` (another configuration of the same tenant
        may hold them: unconfirmed)."""
        domains = self.backend._domains(_str_list(body, "domains"), "domains")
        if self.backend.options.allow_duplicate_sso_domains_in_other_tenants:
            return domains
        held = set(self.state.other_tenants_domains(tenant.id))
        for other in self.backend.tenants.values():
            if other.id != tenant.id:
                held.update(other.domains)
        for domain in domains:
            if domain in held:
                raise exc.duplicate_domain(domain)
        return domains

    def _group_mappings(self, tenant: Tenant, value: Any, where: str) -> list[GroupMapping] | None:
        """``[{groups, roleName}]`` → mappings with resolved roles; None when not sent."""
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
            raise exc.invalid_argument(f"The {where} field must be a list of objects")
        mappings = []
        for item in value:
            fields = _Fields(item, f"{where}[].")
            role = self._role(tenant, fields.required_str("roleName"))
            mappings.append(GroupMapping(role, fields.opt_str_list("groups") or []))
        return mappings

    def _role(self, tenant: Tenant, role_name: str) -> RoleRef:
        role = self.state.resolve_role(tenant.id, role_name)
        if role is None:
            raise exc.unknown_sso_role(role_name)
        return role

    def _mappings(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        s: _Fields,
        *,
        role_mappings_required: bool,
    ) -> tuple[list[GroupMapping], list[str], list[str], JsonDict]:
        """The shared mappings after this write: group mappings, default SSO roles, groups
        priority, FGA mappings (validated, not yet stored)."""
        groups = self._group_mappings(tenant, s.data.get("roleMappings"), "settings.roleMappings")
        if groups is None:
            groups = [] if role_mappings_required else configuration.group_mappings
        default_roles = s.opt_str_list("defaultSSORoles")
        if default_roles or s.opt_bool("replaceDefaultSSORoles"):
            for name in default_roles or []:
                self._role(tenant, name)
        else:
            default_roles = configuration.default_sso_roles
        priority = s.opt_str_list("groupsPriority")
        fga = s.opt_dict("fgaMappings")
        return (
            groups,
            list(default_roles or []),
            configuration.groups_priority if priority is None else priority,
            configuration.fga_mappings
            if fga is None
            else _fga_mappings(fga, "settings.fgaMappings"),
        )

    def _write_saml(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        body: Mapping[str, Any],
        s: _Fields,
        saml: SAMLSettings,
    ) -> None:
        """Shared part of both SAML configure endpoints: validate the rest, then write."""
        for key, attr in (
            ("spACSUrl", "sp_acs_url"),
            ("spEntityId", "sp_entity_id"),
            ("configFGATenantIDResourcePrefix", "config_fga_tenant_id_resource_prefix"),
            ("configFGATenantIDResourceSuffix", "config_fga_tenant_id_resource_suffix"),
        ):
            value = s.opt_str(key)
            if value is not None:
                setattr(saml, attr, value)
        mapping = s.opt_dict("attributeMapping")
        if mapping is not None:
            saml.attribute_mapping = _mapping(
                mapping, SAML_ATTRIBUTE_DEFAULTS, "settings.attributeMapping"
            )
        disable_sign = s.opt_bool("disableSignRequest")
        if disable_sign is not None:
            saml.disable_sign_request = disable_sign
        redirect = _opt_str(body, "redirectUrl")
        if redirect is not None:
            saml.redirect_url = redirect
        mappings = self._mappings(tenant, configuration, s, role_mappings_required=True)
        domains = self._domains(tenant, configuration, body)
        # every check passed: write
        configuration.saml = saml
        self._commit(tenant, configuration, "saml", domains, mappings)

    def _write_saml_v1(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        body: Mapping[str, Any],
        saml: SAMLSettings,
    ) -> None:
        redirect = _opt_str(body, "redirectURL")
        if redirect is not None:
            saml.redirect_url = redirect
        domains = self._domains(tenant, configuration, body)
        configuration.saml = saml
        self._set_auth_type(tenant, configuration, "saml")
        tenant.domains = domains
        self.state.store(tenant.id, configuration)

    def _commit(
        self,
        tenant: Tenant,
        configuration: SSOConfiguration,
        auth_type: str,
        domains: list[str],
        mappings: tuple[list[GroupMapping], list[str], list[str], JsonDict],
    ) -> None:
        (
            configuration.group_mappings,
            configuration.default_sso_roles,
            configuration.groups_priority,
            configuration.fga_mappings,
        ) = (list(mappings[0]), list(mappings[1]), list(mappings[2]), copy.deepcopy(mappings[3]))
        self._set_auth_type(tenant, configuration, auth_type)
        if configuration.sso_id == DEFAULT_SSO_ID:
            tenant.domains = domains
        else:
            configuration.domains = domains
        self.state.store(tenant.id, configuration)
