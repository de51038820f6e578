"""Per-tenant SSO operations: one method per SSO management endpoint, no HTTP.

:class:`SSO` has the state of :class:`~emulator.resources.sso.store.SSOStore` (every
tenant's configurations and admin links) and works through the project context. Each method
takes the
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
from collections.abc import Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.fields import opt_str
from emulator.resources.sso.configurations import (
    ADMIN_LINK_BASE_URL,
    DEFAULT_SSO_ID,
    OIDC_ATTRIBUTE_DEFAULTS,
    SAML_ATTRIBUTE_DEFAULTS,
    AdminLink,
    SSOConfiguration,
    XAATrust,
)
from emulator.resources.sso.requests import (
    Fields,
    attribute_mapping,
    settings_object,
    xaa_settings,
)
from emulator.resources.sso.store import SSOStore
from emulator.tenant import AUTH_TYPES

__all__ = ["GRANT_TYPES", "SSO"]

JsonDict = dict[str, Any]
GRANT_TYPES = ("authorization_code", "implicit")
"""OIDC grant types: the SDK names both (``use_pkce``: "Not allowed with the implicit grant
type"); ``authorization_code`` is the default a load shows."""


class SSO(SSOStore):
    """The SSO endpoints of every tenant."""

    # --- reads -------------------------------------------------------------------------

    def load(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """GET /v2/mgmt/sso/settings?tenantId=&ssoId= → ``{tenant, saml, oidc, ssoId}``.

        A tenant that never had SSO answers the defaults (python-sdk and dotnet e2e load a
        fresh or deleted configuration and read empty IdP fields, not an error).
        """
        with self.context.lock:
            tenant = self._tenant(tenant_id)
            return self._wire(tenant, self._configuration(tenant, sso_id or DEFAULT_SSO_ID))

    def load_all(self, tenant_id: str | None) -> JsonDict:
        """GET /v2/mgmt/sso/settings/all?tenantId= → ``{"SSOSettings": [...]}``.

        The key is go-sdk's ``SSOTenantAllSettingsResponse``, node-sdk's and Descope's API
        reference's. Lists the default configuration (first) once anything was written to
        it, then the others in creation order.
        """
        with self.context.lock:
            tenant = self._tenant(tenant_id)
            default = self.default_configuration(tenant.id)
            others = [
                c
                for c in self.configurations.get(tenant.id, {}).values()
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
        with self.context.lock:
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
        with self.context.lock:
            tenant, configuration = self._target(body)
            s = settings_object(body)
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
        with self.context.lock:
            tenant, configuration = self._target(body)
            s = settings_object(body)
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
        with self.context.lock:
            tenant, configuration = self._target(body)
            s = settings_object(body)
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
                oidc.user_attr_mapping = attribute_mapping(
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
        with self.context.lock:
            tenant = self._tenant(opt_str(body, "tenantId"))
            display_name = opt_str(body, "displayName")
            if not display_name:
                raise exc.missing_field("displayName")
            configurations = self.tenant_configurations(tenant.id)
            sso_id = opt_str(body, "ssoId") or self._unused_sso_id(configurations)
            if sso_id in configurations:
                raise exc.duplicate_sso_configuration(tenant.id, sso_id)
            configuration = SSOConfiguration(sso_id, display_name=display_name)
            self.store(tenant.id, configuration)
            return self._wire(tenant, configuration)

    def delete_settings(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """DELETE /v1/mgmt/sso/settings?tenantId=&ssoId=.

        A non-default configuration is removed (with its admin links). The default one is
        reset to blank: no SAML or OIDC settings, no mappings, auth type ``none`` and no
        domains (python-sdk and dotnet e2e read empty IdP fields after a delete; that the
        tenant's domains and auth type go too is unconfirmed).
        """
        with self.context.lock:
            tenant = self._tenant(tenant_id)
            configuration = self._configuration(tenant, sso_id or DEFAULT_SSO_ID)
            self.configurations.get(tenant.id, {}).pop(configuration.sso_id, None)
            if configuration.sso_id == DEFAULT_SSO_ID:
                tenant.auth_type = "none"
                tenant.domains = []
            else:
                links = self.admin_links.get(tenant.id, [])
                links[:] = [link for link in links if link.sso_id != configuration.sso_id]
            return {}

    def configure_auth_type(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/settings/authtype ``{tenantId, authType, ssoId?}``.

        Sets only the auth type (``none`` disables the configuration and keeps its settings;
        SDK docstring of ``configure_auth_type``).
        """
        with self.context.lock:
            tenant, configuration = self._target(body)
            auth_type = opt_str(body, "authType")
            if not auth_type:
                raise exc.missing_field("authType")
            if auth_type not in AUTH_TYPES:
                raise exc.invalid_argument(
                    f"The authType field must be one of {', '.join(AUTH_TYPES)}, got {auth_type!r}"
                )
            self._set_auth_type(tenant, configuration, auth_type)
            self.store(tenant.id, configuration)
            return {}

    def configure_redirect_url(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/redirect ``{tenantId, samlRedirectUrl?, oauthRedirectUrl?, ssoId?}``.

        Each URL sent replaces the SAML or the OIDC redirect URL; nothing else changes.
        """
        with self.context.lock:
            tenant, configuration = self._target(body)
            saml_url = opt_str(body, "samlRedirectUrl")
            oauth_url = opt_str(body, "oauthRedirectUrl")
            if saml_url is not None:
                configuration.saml.redirect_url = saml_url
            if oauth_url is not None:
                configuration.oidc.redirect_url = oauth_url
            self.store(tenant.id, configuration)
            return {}

    def recalculate_mappings(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/sso/recalculate-mappings ``{tenantId, ssoId?}``.

        Recalculates the roles of the tenant's SSO users from the group mappings; the
        emulator has no users, so once tenant and configuration are found there is nothing
        to change.
        """
        with self.context.lock:
            self._target(body)
            return {}

    # --- deprecated v1 writes (default configuration) -----------------------------------

    def configure_v1(self, body: Mapping[str, Any]) -> JsonDict:
        """Deprecated POST /v1/mgmt/sso/settings ``{tenantId, idpURL, entityId, idpCert,
        redirectURL, domains}``: SAML by hand on the default configuration."""
        with self.context.lock:
            tenant, configuration = self._target(body, allow_sso_id=False)
            fields = Fields(body, "")
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
        with self.context.lock:
            tenant, configuration = self._target(body, allow_sso_id=False)
            saml = copy.deepcopy(configuration.saml)
            saml.idp_metadata_url = Fields(body, "").required_str("idpMetadataURL")
            saml.idp_sso_url = saml.idp_certificate = ""
            saml.idp_additional_certificates = []
            self._write_saml_v1(tenant, configuration, body, saml)
            return {}

    def configure_mapping_v1(self, body: Mapping[str, Any]) -> JsonDict:
        """Deprecated POST /v1/mgmt/sso/mapping ``{tenantId, roleMappings, attributeMapping}``:
        both replace the stored ones (python-sdk e2e: unset attribute fields become ``""``)."""
        with self.context.lock:
            tenant, configuration = self._target(body, allow_sso_id=False)
            sent = Fields(body, "").opt_dict("attributeMapping")
            mapping = (
                configuration.saml.attribute_mapping
                if sent is None
                else attribute_mapping(sent, SAML_ATTRIBUTE_DEFAULTS, "attributeMapping")
            )
            groups = self._group_mappings(tenant, body.get("roleMappings"), "roleMappings") or []
            configuration.saml.attribute_mapping = mapping
            configuration.group_mappings = groups
            self.store(tenant.id, configuration)
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
        with self.context.lock:
            tenant, configuration = self._target(body)
            fields = Fields(body, "")
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
                xaa.settings = xaa_settings(settings)
            mappings = self._mappings(tenant, configuration, fields, role_mappings_required=True)
            # every check passed: write
            configuration.xaa = xaa
            (
                configuration.group_mappings,
                configuration.default_sso_roles,
                configuration.groups_priority,
                configuration.fga_mappings,
            ) = mappings
            self.store(tenant.id, configuration)
            return {}

    def load_xaa(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """GET /v1/mgmt/sso/xaa/settings?tenantId=&ssoId= → one configuration's XAA settings
        (defaults when never configured)."""
        with self.context.lock:
            tenant = self._tenant(tenant_id)
            configuration = self._configuration(tenant, sso_id or DEFAULT_SSO_ID)
            return configuration.xaa_wire(self._audience())

    def load_all_xaa(self, tenant_id: str | None) -> JsonDict:
        """GET /v1/mgmt/sso/xaa/settings/all?tenantId= → ``{"XAASettings": [...]}`` (SDK
        docstring, go-sdk ``SSOXAAAllSettingsResponse``): the configurations that have XAA
        trust settings."""
        with self.context.lock:
            tenant = self._tenant(tenant_id)
            configurations = self.configurations.get(tenant.id, {}).values()
            return {
                "XAASettings": [
                    c.xaa_wire(self._audience()) for c in configurations if c.xaa is not None
                ]
            }

    def delete_xaa(self, tenant_id: str | None, sso_id: str | None) -> JsonDict:
        """DELETE /v1/mgmt/sso/xaa/settings?tenantId=&ssoId=: the trust settings go; the
        shared mappings stay (they belong to SAML and OIDC too)."""
        with self.context.lock:
            tenant = self._tenant(tenant_id)
            self._configuration(tenant, sso_id or DEFAULT_SSO_ID).xaa = None
            return {}

    # --- SSO Setup Suite admin links ----------------------------------------------------

    def generate_admin_link(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v2/mgmt/tenant/adminlinks/sso/generate ``{tenantId, expireTime?, email?,
        ssoId?, actorId?}`` → ``{"adminSSOConfigurationLink": ...}``.

        ``expireTime`` is seconds (python-sdk docstring: "use 21600" for 6 hours), a number
        or, as descope-dotnet's model types it, a string of digits.
        """
        with self.context.lock:
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
            email = opt_str(body, "email")
            actor_id = opt_str(body, "actorId")
            token = secrets.token_urlsafe(32)
            now = self.context.clock()
            self.admin_links.setdefault(tenant.id, []).append(
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
        with self.context.lock:
            tenant, configuration = self._target(body)
            links = self.admin_links.get(tenant.id, [])
            links[:] = [link for link in links if link.sso_id != configuration.sso_id]
            return {}
