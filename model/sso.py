"""Per-tenant SSO: what a valid SSO configuration of a tenant is, the one home of those rules.

A tenant entry's ``sso:`` declares how its users sign in through their company's identity
provider (IdP). Either the code manages it::

    sso:
      domains: [acme.com]                       # SSO domains: users of these domains use it
      saml:                                     # SAML: by metadata URL ...
        metadataUrl: https://idp.acme.com/metadata
      # saml: {ssoUrl: ..., entityId: ..., certificate: "-----BEGIN CERTIFICATE-----..."}
      # oidc: {issuer: https://acme.okta.com, clientId: ..., clientSecret: ${acmeOidcSecret}}
      groupMappings:                            # IdP groups -> Descope roles
        - {role: billing-admin, groups: [Finance]}
      defaultRoles: [member]                    # roles every SSO user gets
      redirectUrl: https://app.acme.com/after-sso
      additional:                               # further configurations (Descope's ssoId)
        - {ssoId: contractors, displayName: Contractors, oidc: {...}, domains: [...]}

or the customer does, through Descope's SSO Setup Suite (``sso: {managedBy: customer}``): then
nothing here writes or deletes it.

The top-level keys other than ``managedBy`` and ``additional`` are the tenant's *default*
configuration (Descope's ``ssoId`` ""), whose domains and auth type are the very fields the
tenant settings write (``settings.domains``, ``settings.authType``): a tenant that declares
``sso:`` does not declare those (`SSO_OWNED_SETTINGS`); the configuration refuses both.

An OIDC client secret is never written in the file: ``clientSecret`` is a ``${name}``
reference (`SecretReference`) to a stack secret (``pulumi config set --secret
descope-config:<name> ...``); the loader checks that the name is one, the program passes its
value to Pulumi as a secret.

Two forms of a configuration:

- `TenantSSO` / `SSOConfiguration`: as the YAML writes it (``oidc.clientSecret`` a reference);
- `SSOConfigurationSpec`: as the SSO resource takes it (one configuration, with its tenant id
  and ``ssoId``; the OIDC settings without the secret, which the resource takes as a separate,
  secret, input). `SSOConfigurationSpec.canonical()` is the form the provider compares.

What Descope does not publish is chosen here and said so: attribute mappings left out take the
values a fresh Descope configuration holds (python-sdk ``load_settings`` docstring); an IdP
certificate must parse as X.509 (Descope stores the text; a certificate that does not parse
cannot verify a signature).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from model.limits import (
    SSO_ADDITIONAL_CERTIFICATES,
    SSO_CERTIFICATE_LENGTH,
    SSO_CONFIGURATIONS,
    SSO_CUSTOM_ATTRIBUTES,
    SSO_DEFAULT_ROLES,
    SSO_DOMAINS,
    SSO_GROUP_MAPPINGS,
    SSO_GROUP_NAME_LENGTH,
    SSO_GROUPS,
    SSO_SCOPES,
    SSO_TEXT_LENGTH,
    SSO_URL_LENGTH,
)
from model.problems import Problem, problems_from_validation_error
from model.roles import RoleName
from model.tenant import TENANT_ID_PATTERN, Domain, TenantId
from model.text import check_plain_text, check_trimmed, check_unique, shown

__all__ = [
    "DEFAULT_SSO_ID",
    "SSO_OWNED_SETTINGS",
    "GroupMapping",
    "OidcAttributeMapping",
    "OidcProvider",
    "OidcSettings",
    "SSOConfiguration",
    "SSOConfigurationSpec",
    "SamlAttributeMapping",
    "SamlSettings",
    "TenantSSO",
    "certificate_fingerprint",
    "secret_reference_name",
    "sso_configuration_problems",
    "tenant_sso_problems",
]

DEFAULT_SSO_ID = ""
"""The ``ssoId`` of a tenant's default SSO configuration (the SDKs omit it)."""
SSO_OWNED_SETTINGS = ("domains", "authType")
"""Tenant settings that are the default SSO configuration's own fields: with ``sso:`` declared,
the SSO configuration (or the customer) owns them, and the tenant settings do not declare them."""

_SSO_ID_RE = re.compile(TENANT_ID_PATTERN)
_URL_RE = re.compile(r"(?i)(https?)://[^\s/?#@]+(?:[/?#][^\s]*)?")
SECRET_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
"""A client secret as written in the YAML: ``${name}``, the name of a stack secret."""
_PEM_RE = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- values ---------------------------------------------------------------------------------


def _check_sso_id(value: str) -> str:
    if not _SSO_ID_RE.fullmatch(value):
        raise ValueError(
            f'ssoId "{shown(value)}" is not allowed: use 1 to 64 letters, digits, ".", "-" or '
            '"_", starting with a letter or digit.'
        )
    return value


def _check_url(value: str, *, https_only: bool) -> str:
    match = _URL_RE.fullmatch(value)
    if match is None:
        raise ValueError(
            f'"{shown(value)}" is not a URL: write it whole, such as '
            '"https://idp.example.com/saml/metadata" (no spaces).'
        )
    if https_only and match.group(1).lower() != "https":
        raise ValueError(
            f'"{shown(value)}" must use https: an identity provider is reached over TLS only.'
        )
    return value


def _https_url(value: str) -> str:
    return _check_url(value, https_only=True)


def _any_url(value: str) -> str:
    return _check_url(value, https_only=False)


def _check_secret_reference(value: str) -> str:
    if SECRET_REFERENCE.fullmatch(value) is None:
        # Never echo the value: it may be the secret itself.
        raise ValueError(
            "must be a reference to a stack secret, written ${name}, and nothing else: a client "
            "secret is never written in this file. Write `clientSecret: ${name}` and set it "
            "with `pulumi config set --secret descope-config:<name> <the client secret>`."
        )
    return value


def secret_reference_name(reference: str) -> str:
    """The variable name in a `SecretReference` (``${acmeSecret}`` -> ``acmeSecret``)."""
    match = SECRET_REFERENCE.fullmatch(reference)
    if match is None:
        raise ValueError("not a ${name} reference")
    return match.group(1)


def _certificate(value: str) -> x509.Certificate:
    """The certificate in `value`: PEM, or the bare base64 body IdP metadata often shows."""
    match = _PEM_RE.search(value)
    body = match.group(1) if match else value
    if value.count("-----BEGIN") > 1:
        raise ValueError(
            "holds more than one certificate: give one here and the others in "
            "additionalCertificates."
        )
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "is not an X.509 certificate: expected PEM (-----BEGIN CERTIFICATE----- ...) or its "
            "base64 body. Copy the IdP's signing certificate again."
        ) from None
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise ValueError(
            f"does not parse as an X.509 certificate ({exc}). Copy the IdP's signing "
            "certificate again, whole."
        ) from None


def _check_certificate(value: str) -> str:
    """The certificate as canonical PEM (what is sent and compared)."""
    return _certificate(value).public_bytes(Encoding.PEM).decode("ascii")


def certificate_fingerprint(value: str) -> str:
    """The SHA-256 fingerprint of a certificate (PEM or base64 body), or the text itself when it
    does not parse: two forms of one certificate compare equal this way."""
    try:
        cert = _certificate(value)
    except ValueError:
        return value.strip()
    return "sha256:" + cert.fingerprint(hashes.SHA256()).hex()


SsoId = Annotated[str, AfterValidator(_check_sso_id)]
HttpsUrl = Annotated[
    str, Field(min_length=1, max_length=SSO_URL_LENGTH.value), AfterValidator(_https_url)
]
Url = Annotated[str, Field(min_length=1, max_length=SSO_URL_LENGTH.value), AfterValidator(_any_url)]
Text = Annotated[
    str,
    Field(min_length=1, max_length=SSO_TEXT_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
]
"""A name, entity id or client id: plain text, not empty, without surrounding spaces."""
IdpAttribute = Annotated[
    str,
    Field(max_length=SSO_TEXT_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
]
"""The name of an attribute the IdP sends ("" for none)."""
Certificate = Annotated[
    str,
    Field(min_length=1, max_length=SSO_CERTIFICATE_LENGTH.value),
    AfterValidator(_check_certificate),
]
SecretReference = Annotated[str, AfterValidator(_check_secret_reference)]
GroupName = Annotated[
    str,
    Field(min_length=1, max_length=SSO_GROUP_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
]
Scope = Annotated[
    str, Field(min_length=1, max_length=SSO_TEXT_LENGTH.value), AfterValidator(check_plain_text)
]
SsoDomains = Annotated[
    list[Domain], Field(max_length=SSO_DOMAINS.value), AfterValidator(check_unique)
]
SsoRoles = Annotated[
    list[RoleName], Field(max_length=SSO_DEFAULT_ROLES.value), AfterValidator(check_unique)
]
CustomAttributeMapping = Annotated[
    dict[Text, IdpAttribute], Field(max_length=SSO_CUSTOM_ATTRIBUTES.value)
]


# --- mappings -------------------------------------------------------------------------------


_SAML = "The SAML attribute filling the user's %s."
_OIDC = "The OIDC claim filling the user's %s."


class SamlAttributeMapping(_Strict):
    """Which SAML assertion attribute fills each Descope user field ("" for none). A key left
    out takes the value of a fresh Descope configuration."""

    name: IdpAttribute = Field("name", description="The SAML attribute filling the user's name.")
    email: IdpAttribute = Field("email", description="The SAML attribute filling the user's email.")
    username: IdpAttribute = Field("", description=_SAML % "username")
    phoneNumber: IdpAttribute = Field("phone", description=_SAML % "phone number")
    group: IdpAttribute = Field("", description="The attribute listing the user's IdP groups.")
    givenName: IdpAttribute = Field("", description=_SAML % "given name")
    middleName: IdpAttribute = Field("", description=_SAML % "middle name")
    familyName: IdpAttribute = Field("", description=_SAML % "family name")
    picture: IdpAttribute = Field("", description="The SAML attribute filling the user's picture.")
    verifiedEmail: IdpAttribute = Field("", description=_SAML % "verified-email flag")
    verifiedPhone: IdpAttribute = Field("", description=_SAML % "verified-phone flag")
    customAttributes: CustomAttributeMapping = Field(
        default_factory=dict, description="Descope user custom attribute -> IdP attribute."
    )


class OidcAttributeMapping(_Strict):
    """Which OIDC claim fills each Descope user field ("" for none). A key left out takes the
    value of a fresh Descope configuration."""

    loginId: IdpAttribute = Field("sub", description="The OIDC claim filling the user's login id.")
    username: IdpAttribute = Field("", description="The OIDC claim filling the user's username.")
    name: IdpAttribute = Field("name", description="The OIDC claim filling the user's name.")
    email: IdpAttribute = Field("email", description="The OIDC claim filling the user's email.")
    phoneNumber: IdpAttribute = Field("phone_number", description=_OIDC % "phone number")
    verifiedEmail: IdpAttribute = Field("email_verified", description=_OIDC % "verified-email flag")
    verifiedPhone: IdpAttribute = Field(
        "phone_number_verified",
        description="The OIDC claim filling the user's verified-phone flag.",
    )
    picture: IdpAttribute = Field("picture", description=_OIDC % "picture")
    givenName: IdpAttribute = Field("given_name", description=_OIDC % "given name")
    middleName: IdpAttribute = Field("middle_name", description=_OIDC % "middle name")
    familyName: IdpAttribute = Field("family_name", description=_OIDC % "family name")
    group: IdpAttribute = Field("", description="The claim listing the user's IdP groups.")
    customAttributes: CustomAttributeMapping = Field(
        default_factory=dict, description="Descope user custom attribute -> OIDC claim."
    )


class GroupMapping(_Strict):
    """Users in any of `groups` (as the IdP names them) get `role`."""

    role: RoleName = Field(
        description="A declared project role, a role of this tenant or a built-in one."
    )
    groups: Annotated[
        list[GroupName],
        Field(min_length=1, max_length=SSO_GROUPS.value),
        AfterValidator(check_unique),
    ] = Field(description="IdP group names, as the IdP sends them.")


GroupMappings = Annotated[list[GroupMapping], Field(max_length=SSO_GROUP_MAPPINGS.value)]


# --- protocols ------------------------------------------------------------------------------


class SamlSettings(_Strict):
    """SAML: by the IdP's metadata URL, or by hand (SSO URL, entity id, certificate)."""

    metadataUrl: HttpsUrl | None = Field(
        None, description="The IdP's SAML metadata URL; Descope reads the rest from it."
    )
    ssoUrl: HttpsUrl | None = Field(None, description="The IdP's SSO URL (by hand).")
    entityId: Text | None = Field(
        None, description="The IdP's entity id (issuer): required by hand, optional by metadata."
    )
    certificate: Certificate | None = Field(
        None, description="The IdP's signing certificate, PEM (by hand)."
    )
    additionalCertificates: Annotated[
        list[Certificate], Field(max_length=SSO_ADDITIONAL_CERTIFICATES.value)
    ] = Field(default_factory=list, description="More signing certificates, for rotation.")
    attributeMapping: SamlAttributeMapping = Field(
        default_factory=SamlAttributeMapping,
        description="Which SAML attribute fills each Descope user field.",
    )
    disableSignRequest: StrictBool = Field(
        False,
        description="Send the AuthnRequest unsigned (for IdPs that reject signed requests).",
    )

    @model_validator(mode="after")
    def _metadata_or_by_hand(self) -> Self:
        by_hand = {"ssoUrl": self.ssoUrl, "certificate": self.certificate}
        if self.metadataUrl is not None:
            given = [k for k, v in by_hand.items() if v is not None]
            if self.additionalCertificates:
                given.append("additionalCertificates")
            if given:
                raise ValueError(
                    f"metadataUrl and {', '.join(given)} are two ways of configuring SAML: "
                    "with metadataUrl, Descope reads the SSO URL and certificates from the "
                    "metadata. Keep one of them."
                )
            return self
        missing = [k for k, v in {**by_hand, "entityId": self.entityId}.items() if v is None]
        if missing:
            raise ValueError(
                "SAML needs either metadataUrl, or ssoUrl, entityId and certificate together "
                f"(missing: {', '.join(missing)})."
            )
        return self

    @property
    def by_metadata(self) -> bool:
        return self.metadataUrl is not None


class OidcProvider(_Strict):
    """OIDC, without the client secret: by issuer (discovery) or by its endpoints."""

    name: IdpAttribute = Field("", description="The provider's name as Descope shows it.")
    issuer: HttpsUrl | None = Field(None, description="The issuer URL (discovery).")
    authUrl: HttpsUrl | None = Field(None, description="The authorization endpoint.")
    tokenUrl: HttpsUrl | None = Field(None, description="The token endpoint.")
    userInfoUrl: HttpsUrl | None = Field(None, description="The user info endpoint.")
    jwksUrl: HttpsUrl | None = Field(None, description="The JWKS endpoint.")
    clientId: Text = Field(description="The client id the IdP gave this application.")
    scopes: Annotated[
        list[Scope], Field(min_length=1, max_length=SSO_SCOPES.value), AfterValidator(check_unique)
    ] = Field(
        default_factory=lambda: ["openid", "profile", "email"],
        description='The OAuth scopes to ask for; must include "openid".',
    )
    attributeMapping: OidcAttributeMapping = Field(
        default_factory=OidcAttributeMapping,
        description="Which OIDC claim fills each Descope user field.",
    )

    @model_validator(mode="after")
    def _issuer_or_endpoints(self) -> Self:
        if self.issuer is None and (self.authUrl is None or self.tokenUrl is None):
            raise ValueError(
                "OIDC needs the issuer, or the endpoints authUrl and tokenUrl (and usually "
                "userInfoUrl and jwksUrl)."
            )
        if "openid" not in self.scopes:
            raise ValueError(
                'scopes must include "openid": without it the IdP answers OAuth, not OIDC.'
            )
        return self


class OidcSettings(OidcProvider):
    """OIDC as the YAML writes it: with the client secret, as a reference to a stack secret."""

    clientSecret: SecretReference = Field(
        description="${name} of a stack secret: pulumi config set --secret descope-config:<name>."
    )

    def provider(self) -> OidcProvider:
        """The settings without the secret reference (what the SSO resource records)."""
        return OidcProvider.model_validate(self.model_dump(exclude={"clientSecret"}))


# --- configurations -------------------------------------------------------------------------


class _ConfigurationFields(_Strict):
    """What every SSO configuration may declare (shared by the YAML's forms)."""

    saml: SamlSettings | None = Field(None, description="SAML settings (or oidc, not both).")
    oidc: OidcSettings | None = Field(None, description="OIDC settings (or saml, not both).")
    domains: SsoDomains = Field(
        default_factory=list,
        description="SSO domains: users signing in with these email domains use this SSO.",
    )
    groupMappings: GroupMappings = Field(
        default_factory=list, description="IdP groups mapped to Descope roles."
    )
    defaultRoles: SsoRoles = Field(
        default_factory=list, description="Roles every user signing in through this SSO gets."
    )
    redirectUrl: Url | None = Field(
        None, description="Where users land after SSO, unless the sign-in request says."
    )

    def _protocol_problem(self) -> str | None:
        if self.saml is not None and self.oidc is not None:
            return "declares both saml and oidc: an SSO configuration uses one. Keep one of them."
        if self.saml is None and self.oidc is None:
            return "declares neither saml nor oidc: say how users sign in (saml: or oidc:)."
        return None

    def _roles_mapped_once(self) -> None:
        seen: set[str] = set()
        for mapping in self.groupMappings:
            if mapping.role in seen:
                raise ValueError(
                    f'groupMappings maps role "{shown(mapping.role)}" twice: list all its '
                    "groups in one entry."
                )
            seen.add(mapping.role)

    def spec(
        self, tenant_id: str, sso_id: str, display_name: str, adopt: bool
    ) -> SSOConfigurationSpec:
        """This configuration as the SSO resource takes it (the secret reference left out)."""
        return SSOConfigurationSpec(
            tenantId=tenant_id,
            ssoId=sso_id,
            displayName=display_name,
            saml=self.saml,
            oidc=self.oidc.provider() if self.oidc is not None else None,
            domains=self.domains,
            groupMappings=self.groupMappings,
            defaultRoles=self.defaultRoles,
            redirectUrl=self.redirectUrl,
            adopt=adopt,
        )


class SSOConfiguration(_ConfigurationFields):
    """A further SSO configuration of a tenant (``sso.additional``), with Descope's ssoId."""

    ssoId: SsoId = Field(
        description="The configuration's id in the tenant; changing it replaces it."
    )
    displayName: Text = Field(
        description="The name Descope shows; set at creation (changing it replaces the "
        "configuration: Descope's API cannot rename one)."
    )

    @model_validator(mode="after")
    def _one_protocol(self) -> Self:
        problem = self._protocol_problem()
        if problem is not None:
            raise ValueError(problem)
        self._roles_mapped_once()
        return self


_DEFAULT_KEYS = ("saml", "oidc", "domains", "groupMappings", "defaultRoles", "redirectUrl")


class TenantSSO(_ConfigurationFields):
    """A tenant's ``sso:``: its default configuration inline, further ones in `additional`."""

    managedBy: Literal["code", "customer"] = Field(
        "code",
        description="code: this configuration manages the tenant's SSO. customer: the "
        "customer sets it up (Descope's SSO Setup Suite, `python -m ops sso-link`); nothing "
        "here writes or deletes it.",
    )
    additional: Annotated[
        list[SSOConfiguration], Field(max_length=SSO_CONFIGURATIONS.value - 1)
    ] = Field(default_factory=list, description="Further SSO configurations (Descope's ssoId).")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        declared = [k for k in (*_DEFAULT_KEYS, "additional") if k in self.model_fields_set]
        if self.managedBy == "customer":
            if declared:
                raise ValueError(
                    "managedBy is customer, so the customer sets up this tenant's SSO and "
                    f"nothing here may declare it: remove {', '.join(declared)}, or set "
                    "managedBy: code."
                )
            return self
        default_declared = [k for k in _DEFAULT_KEYS if k in self.model_fields_set]
        if default_declared or not self.additional:
            problem = self._protocol_problem()
            if problem is not None:
                raise ValueError(problem)
        self._roles_mapped_once()
        ids: set[str] = set()
        for configuration in self.additional:
            if configuration.ssoId in ids:
                raise ValueError(
                    f'additional lists ssoId "{configuration.ssoId}" twice: give each '
                    "configuration its own ssoId."
                )
            ids.add(configuration.ssoId)
        return self

    @property
    def customer_managed(self) -> bool:
        return self.managedBy == "customer"

    @property
    def manages_default(self) -> bool:
        """Whether this entry declares the default configuration (else only further ones)."""
        return not self.customer_managed and (self.saml is not None or self.oidc is not None)

    def configurations(self) -> Iterator[tuple[str, str, _ConfigurationFields]]:
        """(ssoId, displayName, configuration) of every configuration the code manages."""
        if self.customer_managed:
            return
        if self.manages_default:
            yield DEFAULT_SSO_ID, "", self
        for extra in self.additional:
            yield extra.ssoId, extra.displayName, extra

    def specs(
        self, tenant_id: str, *, adopt: bool = False
    ) -> list[tuple[SSOConfigurationSpec, str | None]]:
        """Each managed configuration as the SSO resource takes it, with the name of the
        stack secret holding its OIDC client secret (None for SAML)."""
        out: list[tuple[SSOConfigurationSpec, str | None]] = []
        for sso_id, display_name, configuration in self.configurations():
            secret = (
                secret_reference_name(configuration.oidc.clientSecret)
                if configuration.oidc is not None
                else None
            )
            out.append((configuration.spec(tenant_id, sso_id, display_name, adopt), secret))
        return out


class SSOConfigurationSpec(_Strict):
    """One SSO configuration as the SSO resource takes it (its OIDC client secret apart)."""

    tenantId: TenantId = Field(description="The tenant the configuration belongs to.")
    ssoId: Annotated[str, AfterValidator(lambda v: v if v == "" else _check_sso_id(v))] = Field(
        DEFAULT_SSO_ID, description='"" for the default configuration.'
    )
    displayName: Annotated[
        str, Field(max_length=SSO_TEXT_LENGTH.value), AfterValidator(check_plain_text)
    ] = ""
    saml: SamlSettings | None = None
    oidc: OidcProvider | None = None
    domains: SsoDomains = Field(default_factory=list)
    groupMappings: GroupMappings = Field(default_factory=list)
    defaultRoles: SsoRoles = Field(default_factory=list)
    redirectUrl: Url | None = None
    adopt: StrictBool = Field(
        False, description="On create, manage a configuration that already exists (snapshot first)."
    )

    @model_validator(mode="after")
    def _one_protocol(self) -> Self:
        if (self.saml is None) == (self.oidc is None):
            raise ValueError("an SSO configuration needs exactly one of saml and oidc.")
        if self.ssoId != DEFAULT_SSO_ID and not self.displayName:
            raise ValueError(
                f'the SSO configuration "{self.ssoId}" needs a displayName: Descope requires '
                "one for every configuration but the default."
            )
        return self

    @property
    def auth_type(self) -> Literal["saml", "oidc"]:
        return "saml" if self.saml is not None else "oidc"

    def canonical(self) -> dict[str, Any]:
        """Every key present, defaults filled in (the recorded and compared form)."""
        return self.model_dump(mode="json")


def tenant_sso_problems(data: Mapping[str, Any] | Any) -> list[Problem]:
    """Every problem with one tenant's ``sso:`` value (paths start inside it)."""
    try:
        TenantSSO.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation_error(exc, TenantSSO)
    return []


def sso_configuration_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with one SSO resource's inputs, or an empty list if they are valid."""
    try:
        SSOConfigurationSpec.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation_error(exc, SSOConfigurationSpec)
    return []
