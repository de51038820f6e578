"""The tenant specification: every rule about what a valid Descope tenant is.

Keys are written as Descope's API and our YAML write them (camelCase), so one vocabulary runs
from the YAML file through Pulumi state to the wire. `TenantSpec.canonical()` is the form the
providers compare and record: every key present, defaults filled in, lists in Descope's order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from model.problems import Problem, problems_from_validation_error

TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""Letters, digits, dot, dash and underscore; starts with a letter or digit; 1 to 64 long."""

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)

TimeUnit = Literal["minutes", "hours", "days", "weeks"]
AuthType = Literal["none", "saml", "oidc"]
AttributeValue = str | int | float | bool | list[str]


def _check_domain(value: str) -> str:
    if value != value.lower() and _DOMAIN_RE.match(value.lower()):
        raise ValueError(f'domain "{value}" must be written in lowercase: "{value.lower()}".')
    if not _DOMAIN_RE.match(value):
        raise ValueError(
            f'"{value}" is not a valid domain name. Write a bare domain such as "acme.com" '
            "(no scheme, path, port or wildcard)."
        )
    return value


def _check_tenant_id(value: str) -> str:
    if not re.match(TENANT_ID_PATTERN, value):
        raise ValueError(
            f'tenant id "{value}" is not allowed: use 1 to 64 letters, digits, ".", "-" or "_", '
            "starting with a letter or digit."
        )
    return value


def _check_name(value: str) -> str:
    if not value.strip():
        raise ValueError("the tenant name must not be empty.")
    if value != value.strip():
        raise ValueError(f'the tenant name "{value}" has leading or trailing spaces; remove them.')
    return value


def _check_unique(values: list[str]) -> list[str]:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"lists {', '.join(duplicates)} more than once; list each value once.")
    return values


def _one_problem_per_attribute(
    value: Any, handler: ValidatorFunctionWrapHandler
) -> dict[str, AttributeValue]:
    """One message per bad attribute, instead of one per type the value failed to be."""
    try:
        checked: dict[str, AttributeValue] = handler(value)
    except ValidationError as exc:
        bad = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        if not bad:
            raise
        names = ", ".join(f'"{name}"' for name in bad)
        raise ValueError(
            f"custom attribute {names} must be a string, a number, true/false or a list of strings."
        ) from None
    return checked


Domain = Annotated[str, AfterValidator(_check_domain)]
CustomAttributes = Annotated[dict[str, AttributeValue], WrapValidator(_one_problem_per_attribute)]
TenantId = Annotated[str, AfterValidator(_check_tenant_id)]
TenantName = Annotated[str, Field(max_length=100), AfterValidator(_check_name)]
UniqueDomains = Annotated[list[Domain], AfterValidator(_check_unique)]
UniqueStrings = Annotated[list[str], AfterValidator(_check_unique)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


class SessionSettings(_Strict):
    """Tenant settings as Descope's tenant settings endpoint takes them."""

    domains: UniqueDomains = Field(default_factory=list, description="SSO domains of the tenant.")
    authType: AuthType = Field("none", description="SSO protocol: none, saml or oidc.")
    sessionTokenExpiration: int | None = Field(None, gt=0)
    sessionTokenExpirationUnit: TimeUnit | None = None
    refreshTokenExpiration: int | None = Field(None, gt=0)
    refreshTokenExpirationUnit: TimeUnit | None = None
    stepupTokenExpiration: int | None = Field(None, gt=0)
    stepupTokenExpirationUnit: TimeUnit | None = None
    enableInactivity: bool = False
    inactivityTime: int | None = Field(None, gt=0)
    inactivityTimeUnit: TimeUnit | None = None
    JITDisabled: bool = Field(False, description="Turn off just-in-time user provisioning.")

    @model_validator(mode="after")
    def _values_come_with_units(self) -> Self:
        for prefix in ("sessionToken", "refreshToken", "stepupToken", "inactivity"):
            value_key = f"{prefix}Expiration" if prefix != "inactivity" else "inactivityTime"
            unit_key = f"{prefix}ExpirationUnit" if prefix != "inactivity" else "inactivityTimeUnit"
            value, unit = getattr(self, value_key), getattr(self, unit_key)
            if (value is None) != (unit is None):
                raise ValueError(
                    f"{value_key} and {unit_key} go together: set both "
                    "(for example 30 and minutes) or neither."
                )
        if self.enableInactivity and self.inactivityTime is None:
            raise ValueError(
                "enableInactivity is true but inactivityTime is not set: "
                "set inactivityTime and inactivityTimeUnit."
            )
        return self

    @property
    def session_settings_enabled(self) -> bool:
        """Descope's `enabled` flag: true when any token lifetime is customised."""
        return any(
            v is not None
            for v in (
                self.sessionTokenExpiration,
                self.refreshTokenExpiration,
                self.stepupTokenExpiration,
            )
        )

    def canonical(self) -> dict[str, Any]:
        """Every key present; unset lifetimes are None."""
        return self.model_dump(mode="json")


class TenantSpec(_Strict):
    """One Descope tenant as the configuration declares it."""

    id: TenantId = Field(description="Tenant id; changing it replaces the tenant.")
    name: TenantName = Field(description="Display name, unique within the Descope project.")
    selfProvisioningDomains: UniqueDomains = Field(
        default_factory=list,
        description="Users signing up with these email domains join this tenant.",
    )
    customAttributes: CustomAttributes = Field(
        default_factory=dict,
        description="Tenant custom attributes: strings, numbers, booleans or lists of strings.",
    )
    enforceSSO: bool = Field(False, description="Require SSO for members of this tenant.")
    enforceSSOExclusions: UniqueStrings = Field(
        default_factory=list, description="User ids exempt from enforceSSO."
    )
    disabled: bool = False
    defaultRoles: UniqueStrings = Field(
        default_factory=list, description="Roles given to every new member of the tenant."
    )
    settings: SessionSettings | None = Field(
        None, description="Session and SSO settings; omitted means not managed."
    )
    adopt: bool = Field(
        False, description="If the tenant already exists in Descope, manage it instead of failing."
    )
    protect: bool | None = Field(
        None, description="Protect against deletion; unset follows the stack's default."
    )
    retainOnDelete: bool | None = Field(
        None,
        description="Removing the tenant from the configuration only stops managing it; "
        "unset follows the stack's retainOnDelete.",
    )
    cascadeDelete: bool = Field(
        False, description="When deleting, also delete the tenant's sub-tenants and tenant data."
    )
    previousId: TenantId | None = Field(
        None,
        description="The id this tenant had before its id was changed: the next `pulumi up` "
        "then replaces the tenant (snapshot, delete, create) instead of failing on its name. "
        "Remove it once applied.",
    )

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers_from_floats(cls, data: Any) -> Any:
        """Pulumi hands numbers over as floats: 3.0 in a custom attribute means 3."""
        if isinstance(data, Mapping) and isinstance(data.get("customAttributes"), Mapping):
            attributes = {
                k: int(v) if isinstance(v, float) and v.is_integer() else v
                for k, v in data["customAttributes"].items()
            }
            return {**data, "customAttributes": attributes}
        return data

    @model_validator(mode="after")
    def _previous_id_differs(self) -> Self:
        if self.previousId is not None and self.previousId == self.id:
            raise ValueError(
                f'previousId "{self.previousId}" is the tenant\'s own id: set it to the id the '
                "tenant had before, or remove it."
            )
        return self

    @model_validator(mode="after")
    def _exclusions_need_enforcement(self) -> Self:
        if self.enforceSSOExclusions and not self.enforceSSO:
            raise ValueError(
                "enforceSSOExclusions is set but enforceSSO is false: the exclusions only "
                "apply when enforceSSO is true."
            )
        return self

    def canonical(self) -> dict[str, Any]:
        """The recorded form: every key present, settings canonical or None, keys sorted."""
        data = self.model_dump(mode="json", exclude=set(RESOURCE_OPTION_KEYS))
        data["customAttributes"] = dict(sorted(self.customAttributes.items()))
        data["settings"] = self.settings.canonical() if self.settings is not None else None
        return data


RESOURCE_OPTION_KEYS = frozenset({"protect", "retainOnDelete", "previousId"})
"""Keys that become Pulumi resource options of the tenant (previousId: an alias), not
properties recorded in state."""
MANAGEMENT_KEYS = frozenset({"adopt", "cascadeDelete", *RESOURCE_OPTION_KEYS})
"""Keys that steer how we manage a tenant; Descope never sees them."""


def tenant_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with one tenant's declaration, or an empty list if it is valid."""
    try:
        TenantSpec.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation_error(exc, TenantSpec)
    return []
