"""The identity provider (IdP) an SSO configuration signs users in with: SAML or OIDC.

`SamlSettings` reaches a SAML IdP by its metadata URL or by hand (SSO URL, entity id, signing
certificate); `OidcSettings` reaches an OIDC IdP by its issuer (discovery) or its endpoints,
with the client secret as a reference to a stack secret (`SECRET_REFERENCE`, never the secret
itself); `OidcProvider` is the same without that reference (what the SSO resource records).
`SamlAttributeMapping` and `OidcAttributeMapping` say which IdP attribute or claim fills each
Descope user field. A tenant's configurations, which hold these, are `model.sso`'s.

What Descope does not publish is chosen here and said so: attribute mappings left out take the
values a fresh Descope configuration holds (python-sdk ``load_settings`` docstring); an IdP
certificate must parse as X.509 (Descope stores the text; a certificate that does not parse
cannot verify a signature).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from model.limits import (
    SSO_ADDITIONAL_CERTIFICATES,
    SSO_CERTIFICATE_LENGTH,
    SSO_CUSTOM_ATTRIBUTES,
    SSO_SCOPES,
    SSO_TEXT_LENGTH,
    SSO_URL_LENGTH,
)
from model.text import check_plain_text, check_trimmed, check_unique, shown

__all__ = [
    "SECRET_REFERENCE",
    "OidcAttributeMapping",
    "OidcProvider",
    "OidcSettings",
    "SamlAttributeMapping",
    "SamlSettings",
    "Strict",
    "Text",
    "Url",
    "certificate_fingerprint",
    "secret_reference_name",
]

_URL_RE = re.compile(r"(?i)(https?)://[^\s/?#@]+(?:[/?#][^\s]*)?")
SECRET_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
"""A client secret as written in the YAML: ``${name}``, the name of a stack secret."""
_PEM_RE = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----"
)


class Strict(BaseModel):
    """Refuses unknown keys; frozen (every SSO model's base)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- values ---------------------------------------------------------------------------------


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
Scope = Annotated[
    str, Field(min_length=1, max_length=SSO_TEXT_LENGTH.value), AfterValidator(check_plain_text)
]
CustomAttributeMapping = Annotated[
    dict[Text, IdpAttribute], Field(max_length=SSO_CUSTOM_ATTRIBUTES.value)
]


# --- mappings -------------------------------------------------------------------------------


_SAML = "The SAML attribute filling the user's %s."
_OIDC = "The OIDC claim filling the user's %s."


class SamlAttributeMapping(Strict):
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


class OidcAttributeMapping(Strict):
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


# --- protocols ------------------------------------------------------------------------------


class SamlSettings(Strict):
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


class OidcProvider(Strict):
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
