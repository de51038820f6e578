"""The tenant specification: every rule about what a valid Descope tenant is.

Keys are written as Descope's API and our YAML write them (camelCase), so one vocabulary runs
from the YAML file through Pulumi state to the wire. `TenantSpec.canonical()` is the form the
providers compare and record: every key present, defaults filled in, lists in Descope's order.

Every string a tenant carries is plain text (`model.text`: no control or invisible formatting
characters) and every list, mapping and string is capped (`model.limits`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, Self, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from model.limits import (
    CUSTOM_ATTRIBUTE_LIST_ITEMS,
    CUSTOM_ATTRIBUTE_NAME_LENGTH,
    CUSTOM_ATTRIBUTE_TEXT_LENGTH,
    CUSTOM_ATTRIBUTES,
    DEFAULT_ROLES,
    LIFETIME,
    SAFE_INTEGER,
    SELF_PROVISIONING_DOMAINS,
    SSO_DOMAINS,
    SSO_EXCLUSIONS,
    TENANT_NAME_LENGTH,
    USER_ID_LENGTH,
)
from model.problems import Problem, problems_from_validation_error, validation_error
from model.roles import RoleName
from model.text import check_plain_text, check_unique, nfc, refused_text_message, shown

TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""Letters, digits, dot, dash and underscore; starts with a letter or digit; 1 to 64 long.

Matched as a whole (`re.fullmatch`): ``$`` alone would let a trailing line feed through."""
_TENANT_ID_RE = re.compile(TENANT_ID_PATTERN)

Item = TypeVar("Item")

_DOMAIN_RE = re.compile(
    r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]"
)
"""A lowercase host name with a top-level domain; used with `fullmatch`."""

TimeUnit = Literal["minutes", "hours", "days", "weeks"]
AuthType = Literal["none", "saml", "oidc"]
RoleInheritance = Literal["none", "userOnly"]
"""What a sub-tenant takes from its parent (Descope's ``roleInheritance``, the values its
Terraform provider accepts): nothing, or the parent's users with their roles."""
AttributeValue = str | int | float | bool | list[str]


def _check_domain(value: str) -> str:
    if value != value.lower() and _DOMAIN_RE.fullmatch(value.lower()):
        raise ValueError(f'domain "{value}" must be written in lowercase: "{value.lower()}".')
    if not _DOMAIN_RE.fullmatch(value):
        raise ValueError(
            f'"{shown(value)}" is not a valid domain name. Write a bare domain such as '
            '"acme.com" (no scheme, path, port or wildcard).'
        )
    return value


def _check_tenant_id(value: str) -> str:
    if not _TENANT_ID_RE.fullmatch(value):
        raise ValueError(
            f'tenant id "{shown(value)}" is not allowed: use 1 to 64 letters, digits, ".", "-" '
            'or "_", starting with a letter or digit.'
        )
    return value


def _check_name(value: str) -> str:
    """`value` in NFC (`model.text.nfc`); raises ValueError when empty or not trimmed."""
    if not value.strip():
        raise ValueError("the tenant name must not be empty.")
    if value != value.strip():
        raise ValueError(
            f'the tenant name "{shown(value)}" has leading or trailing spaces; remove them.'
        )
    return nfc(value)


_KINDS = "a string, a number, true/false or a list of strings"


def _date_hint(value: dt.date) -> str:
    """What to write instead of a YAML date: the milliseconds a date attribute holds."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    millis = int(moment.timestamp() * 1000)
    return (
        f"is written as the date {value.isoformat()}, which YAML reads as a date, not as a "
        "value Descope accepts. A date attribute holds milliseconds since 1970-01-01 UTC: "
        f'write {millis}; for text, put it in quotes ("{value.isoformat()}").'
    )


def _text_problem(text: str) -> str | None:
    refused = refused_text_message(text)
    if refused is not None:
        return refused
    cap = CUSTOM_ATTRIBUTE_TEXT_LENGTH.value
    if len(text) > cap:
        return f"is {len(text):,} characters long; at most {cap:,} are accepted. Shorten it."
    return None


def attribute_value_problem(value: Any) -> str | None:
    """Why `value` cannot be a tenant's custom attribute value at all, or None.

    A value is text, a number, true/false or a list of texts; text is plain and capped, whole
    numbers are exact in a 64-bit float, numbers are finite, lists are capped.
    """
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > SAFE_INTEGER.value:
            return (
                f"is {value}, a whole number too large to keep exactly: at most "
                f"{SAFE_INTEGER.value:,} either side of zero. Write it in quotes, as text, if it "
                "is an identifier."
            )
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"is {value}, which is not a number Descope can store: write a finite number."
        return None
    if isinstance(value, list):
        cap = CUSTOM_ATTRIBUTE_LIST_ITEMS.value
        if len(value) > cap:
            return f"lists {len(value):,} values; at most {cap:,} are accepted. Remove some."
        for index, item in enumerate(value):
            if not isinstance(item, str):
                return f"must be {_KINDS}: item {index + 1} of the list is not text."
            problem = _text_problem(item)
            if problem is not None:
                return f"item {index + 1} of the list {problem}"
        return None
    if isinstance(value, dt.date):
        return _date_hint(value)
    return f"must be {_KINDS}."


def _attribute_name_problem(name: Any) -> str | None:
    if not isinstance(name, str):
        return "the attribute name must be text."
    if not name:
        return "the attribute name must not be empty."
    refused = refused_text_message(name)
    if refused is not None:
        return f"the attribute name {refused}"
    cap = CUSTOM_ATTRIBUTE_NAME_LENGTH.value
    if len(name) > cap:
        return f"the attribute name is {len(name):,} characters long; at most {cap:,} are accepted."
    return None


def _check_custom_attributes(
    value: Any, handler: ValidatorFunctionWrapHandler
) -> dict[str, AttributeValue]:
    """One problem per bad attribute, at ``customAttributes.<name>``, worded plainly."""
    if not isinstance(value, Mapping):  # pydantic refuses it: "must be a mapping"
        return cast("dict[str, AttributeValue]", handler(value))
    problems: list[Problem] = []
    cap = CUSTOM_ATTRIBUTES.value
    if len(value) > cap:
        problems.append(
            Problem((), f"has {len(value):,} attributes; at most {cap:,} are accepted.")
        )
    for name, item in value.items():
        message = _attribute_name_problem(name) or attribute_value_problem(item)
        if message is not None:
            problems.append(Problem((str(name),), message))
    if problems:
        raise validation_error(problems, "customAttributes")
    typed: dict[str, AttributeValue] = handler(value)
    return typed


Domain = Annotated[str, AfterValidator(_check_domain)]
CustomAttributes = Annotated[dict[str, AttributeValue], WrapValidator(_check_custom_attributes)]
TenantId = Annotated[str, AfterValidator(_check_tenant_id)]
TenantName = Annotated[
    str,
    Field(max_length=TENANT_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(_check_name),
]
UserId = Annotated[
    str,
    Field(min_length=1, max_length=USER_ID_LENGTH.value),
    AfterValidator(check_plain_text),
]
SelfProvisioningDomains = Annotated[
    list[Domain],
    Field(max_length=SELF_PROVISIONING_DOMAINS.value),
    AfterValidator(check_unique),
]
SsoDomains = Annotated[
    list[Domain], Field(max_length=SSO_DOMAINS.value), AfterValidator(check_unique)
]
SsoExclusions = Annotated[
    list[UserId], Field(max_length=SSO_EXCLUSIONS.value), AfterValidator(check_unique)
]
DefaultRoles = Annotated[
    list[RoleName], Field(max_length=DEFAULT_ROLES.value), AfterValidator(check_unique)
]
Lifetime = Annotated[int, Field(gt=0, le=LIFETIME.value)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


class SessionSettings(_Strict):
    """Tenant settings as Descope's tenant settings endpoint takes them."""

    domains: SsoDomains = Field(default_factory=list, description="SSO domains of the tenant.")
    authType: AuthType = Field("none", description="SSO protocol: none, saml or oidc.")
    sessionTokenExpiration: Lifetime | None = Field(
        None,
        description="Session token lifetime, in sessionTokenExpirationUnit; unset: the project's.",
    )
    sessionTokenExpirationUnit: TimeUnit | None = Field(
        None, description="Unit of sessionTokenExpiration: minutes, hours, days or weeks."
    )
    refreshTokenExpiration: Lifetime | None = Field(
        None,
        description="Refresh token lifetime, in refreshTokenExpirationUnit; unset: the project's.",
    )
    refreshTokenExpirationUnit: TimeUnit | None = Field(
        None, description="Unit of refreshTokenExpiration: minutes, hours, days or weeks."
    )
    stepupTokenExpiration: Lifetime | None = Field(
        None,
        description="Step-up token lifetime, in stepupTokenExpirationUnit; unset: the project's.",
    )
    stepupTokenExpirationUnit: TimeUnit | None = Field(
        None, description="Unit of stepupTokenExpiration: minutes, hours, days or weeks."
    )
    enableInactivity: StrictBool = Field(
        False, description="Sign users out after inactivityTime without activity."
    )
    inactivityTime: Lifetime | None = Field(
        None, description="Inactivity before users are signed out, in inactivityTimeUnit."
    )
    inactivityTimeUnit: TimeUnit | None = Field(
        None, description="Unit of inactivityTime: minutes, hours, days or weeks."
    )
    JITDisabled: StrictBool = Field(False, description="Turn off just-in-time user provisioning.")

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
    selfProvisioningDomains: SelfProvisioningDomains = Field(
        default_factory=list,
        description="Users signing up with these email domains join this tenant.",
    )
    customAttributes: CustomAttributes = Field(
        default_factory=dict,
        description="Tenant custom attributes: strings, numbers, booleans or lists of strings.",
    )
    enforceSSO: StrictBool = Field(False, description="Require SSO for members of this tenant.")
    enforceSSOExclusions: SsoExclusions = Field(
        default_factory=list, description="User ids exempt from enforceSSO."
    )
    disabled: StrictBool = Field(
        False, description="true: the tenant is disabled in Descope (its users cannot sign in)."
    )
    defaultRoles: DefaultRoles = Field(
        default_factory=list, description="Roles given to every new member of the tenant."
    )
    settings: SessionSettings | None = Field(
        None, description="Session and SSO settings; omitted means not managed."
    )
    adopt: StrictBool = Field(
        False, description="If the tenant already exists in Descope, manage it instead of failing."
    )
    protect: StrictBool | None = Field(
        None, description="Protect against deletion; unset follows the stack's default."
    )
    retainOnDelete: StrictBool | None = Field(
        None,
        description="Removing the tenant from the configuration only stops managing it; "
        "unset follows the stack's retainOnDelete.",
    )
    cascadeDelete: StrictBool = Field(
        False, description="When deleting, also delete the tenant's sub-tenants and tenant data."
    )
    previousId: TenantId | None = Field(
        None,
        description="The id this tenant had before its id was changed: the next `pulumi up` "
        "then replaces the tenant (snapshot, delete, create) instead of failing on its name. "
        "Remove it once applied.",
    )
    parent: TenantId | None = Field(
        None,
        description="Makes this tenant a sub-tenant: the id of its parent, a tenant declared in "
        "the same file (created before it, deleted after it) or one that already exists in "
        "Descope. Descope sets a parent only when it creates a tenant, so changing it replaces "
        "the tenant (snapshot, delete, create).",
    )
    roleInheritance: RoleInheritance | None = Field(
        None,
        description='What a sub-tenant takes from its parent: "none" or "userOnly" (the '
        "parent's users, with their roles); unset leaves Descope's default. Changed in place.",
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
    def _not_its_own_parent(self) -> Self:
        if self.parent is not None and self.parent == self.id:
            raise ValueError(
                f'parent "{self.parent}" is the tenant\'s own id: a tenant cannot be its own '
                "parent. Set parent to another tenant's id, or remove it."
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


def parent_cycle(parents: Mapping[str, str]) -> list[str] | None:
    """A cycle of `parents` (tenant id → its parent's id), as the ids along it from its
    smallest id back to that id (``["a", "b", "a"]``), or None when there is none.

    Descope refuses a tenant whose parent does not exist yet, so tenants in a cycle could
    never be created; a parent that is not a key (an existing tenant) ends a chain.
    """
    done: set[str] = set()
    for start in sorted(parents):
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current in parents and current not in done:
            if current in on_path:
                loop = path[path.index(current) :]
                first = loop.index(min(loop))
                return [*loop[first:], *loop[:first], min(loop)]
            path.append(current)
            on_path.add(current)
            current = parents[current]
        done.update(path)
    return None


def parents_first(
    items: Sequence[Item], id_of: Callable[[Item], str], parent_of: Callable[[Item], str | None]
) -> list[Item]:
    """`items` reordered so that each parent comes before its sub-tenants, the file's order
    kept otherwise; a parent not among `items` (an existing tenant) orders nothing.

    Items in a cycle (`parent_cycle` finds it) come in the order first reached."""
    by_id = {id_of(item): item for item in items}
    placed: set[str] = set()
    ordered: list[Item] = []
    for item in items:
        chain: list[Item] = []  # the item, then its ancestors not yet placed
        seen: set[str] = set()
        current: Item | None = item
        while current is not None and id_of(current) not in placed | seen:
            chain.append(current)
            seen.add(id_of(current))
            parent = parent_of(current)
            current = by_id.get(parent) if parent is not None else None
        for ancestor in reversed(chain):
            placed.add(id_of(ancestor))
            ordered.append(ancestor)
    return ordered


def tenant_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with one tenant's declaration, or an empty list if it is valid."""
    try:
        TenantSpec.model_validate(data)
    except ValidationError as exc:
        return problems_from_validation_error(exc, TenantSpec)
    return []
