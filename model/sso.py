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

How each configuration reaches its IdP (`SamlSettings`, `OidcSettings`, their attribute
mappings and values) is `model.idp`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, StrictBool, ValidationError, model_validator

from model.idp import (
    OidcProvider,
    OidcSettings,
    SamlSettings,
    Strict,
    Text,
    Url,
    secret_reference_name,
)
from model.limits import (
    SSO_CONFIGURATIONS,
    SSO_DEFAULT_ROLES,
    SSO_DOMAINS,
    SSO_GROUP_MAPPINGS,
    SSO_GROUP_NAME_LENGTH,
    SSO_GROUPS,
    SSO_TEXT_LENGTH,
)
from model.problems import Problem, problems_from_validation_error
from model.roles import RoleName
from model.tenant import TENANT_ID_PATTERN, Domain, TenantId
from model.text import check_plain_text, check_unique, shown

__all__ = [
    "DEFAULT_SSO_ID",
    "SSO_OWNED_SETTINGS",
    "GroupMapping",
    "SSOConfiguration",
    "SSOConfigurationSpec",
    "TenantSSO",
    "sso_configuration_problems",
    "tenant_sso_problems",
]

DEFAULT_SSO_ID = ""
"""The ``ssoId`` of a tenant's default SSO configuration (the SDKs omit it)."""
SSO_OWNED_SETTINGS = ("domains", "authType")
"""Tenant settings that are the default SSO configuration's own fields: with ``sso:`` declared,
the SSO configuration (or the customer) owns them, and the tenant settings do not declare them."""

_SSO_ID_RE = re.compile(TENANT_ID_PATTERN)


# --- values ---------------------------------------------------------------------------------


def _check_sso_id(value: str) -> str:
    if not _SSO_ID_RE.fullmatch(value):
        raise ValueError(
            f'ssoId "{shown(value)}" is not allowed: use 1 to 64 letters, digits, ".", "-" or '
            '"_", starting with a letter or digit.'
        )
    return value


SsoId = Annotated[str, AfterValidator(_check_sso_id)]
GroupName = Annotated[
    str,
    Field(min_length=1, max_length=SSO_GROUP_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
]
SsoDomains = Annotated[
    list[Domain], Field(max_length=SSO_DOMAINS.value), AfterValidator(check_unique)
]
SsoRoles = Annotated[
    list[RoleName], Field(max_length=SSO_DEFAULT_ROLES.value), AfterValidator(check_unique)
]


# --- group mappings -------------------------------------------------------------------------


class GroupMapping(Strict):
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


# --- configurations -------------------------------------------------------------------------


class _ConfigurationFields(Strict):
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


class SSOConfigurationSpec(Strict):
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
