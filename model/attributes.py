"""Tenant custom-attribute definitions, and the check of a tenant's values against them.

Descope refuses a tenant custom attribute the project does not define: each is defined in the
project first, with a machine name, a display name and a type (python-sdk `tenant.create`:
"custom attributes values of the keys that were previously configured"; Descope's Terraform
provider, `attributes/tenant.go`). What a value of each type looks like, as Descope holds it:

============  ==============================================================================
string        text
number        a JSON number
boolean       true or false
singleselect  one of the definition's options (text)
multiselect   a list of the definition's options ("use multi select as an array", Descope's
              tenant docs; Descope's tenant widget joins the list)
date          a whole number of milliseconds since 1970-01-01 UTC. Inferred, not published:
              Descope's user-management widget reads a date attribute as
              ``new Date(Number(value))``
============  ==============================================================================

`custom_attribute_problems` takes the definitions as `AttributeDefinition`s or as plain data
(``{name: {"type": ..., "displayName": ..., "options": [...]}}``), so a provider's `check` can
judge a tenant with what the program hands it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from model.limits import (
    ATTRIBUTE_DISPLAY_NAME_LENGTH,
    ATTRIBUTE_NAME_LENGTH,
    ATTRIBUTE_OPTION_LENGTH,
    ATTRIBUTE_OPTIONS,
    TENANT_ATTRIBUTES,
)
from model.problems import Problem, problems_from_validation_error
from model.text import check_plain_text, check_trimmed, check_unique, shown

AttributeType = Literal["string", "number", "boolean", "singleselect", "multiselect", "date"]
SELECT_TYPES = frozenset({"singleselect", "multiselect"})
ATTRIBUTE_NAME_PATTERN = r"[A-Za-z0-9_-]+"
"""An attribute's machine name: letters, digits, "_" and "-" (Descope's Terraform provider)."""
LARGEST_DATE = 8_640_000_000_000_000
"""The furthest a date may lie from 1970-01-01, in milliseconds (JavaScript's Date range)."""


def _check_attribute_name(value: str) -> str:
    if not re.fullmatch(ATTRIBUTE_NAME_PATTERN, value):
        raise ValueError(
            f'"{shown(value)}" is not a valid attribute name: use letters, digits, "_" and "-" '
            "only (Descope's machine name), and say more in displayName."
        )
    return value


AttributeName = Annotated[
    str,
    Field(min_length=1, max_length=ATTRIBUTE_NAME_LENGTH.value),
    AfterValidator(_check_attribute_name),
]
DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=ATTRIBUTE_DISPLAY_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
]
Option = Annotated[
    str,
    Field(min_length=1, max_length=ATTRIBUTE_OPTION_LENGTH.value),
    AfterValidator(check_plain_text),
]
Options = Annotated[
    list[Option], Field(max_length=ATTRIBUTE_OPTIONS.value), AfterValidator(check_unique)
]


class AttributeDefinition(BaseModel):
    """One tenant custom attribute as the project defines it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: AttributeType = Field(
        description="string, number, boolean, singleselect, multiselect or date."
    )
    displayName: DisplayName | None = Field(
        None, description="The name the console shows; defaults to the attribute's name."
    )
    options: Options | None = Field(
        None, description="The values a singleselect or multiselect attribute may take."
    )

    @model_validator(mode="after")
    def _options_for_select_types_only(self) -> Self:
        if self.type in SELECT_TYPES and not self.options:
            raise ValueError(
                f"a {self.type} attribute needs options: list the values it may take, "
                "such as options: [starter, business]."
            )
        if self.type not in SELECT_TYPES and self.options is not None:
            raise ValueError(
                f"options are only for singleselect and multiselect attributes, not for a "
                f"{self.type} one: remove options, or change the type."
            )
        return self

    def display_name(self, name: str) -> str:
        """The display name, which defaults to the attribute's name."""
        return self.displayName or name

    def as_data(self, name: str) -> dict[str, Any]:
        """The definition as plain data, display name resolved: what a provider is handed."""
        return {
            "type": self.type,
            "displayName": self.display_name(name),
            "options": list(self.options) if self.options is not None else None,
        }


TenantAttributes = Annotated[
    dict[AttributeName, AttributeDefinition], Field(max_length=TENANT_ATTRIBUTES.value)
]
"""The ``tenantAttributes:`` mapping: definitions by attribute name."""
_DEFINITIONS: TypeAdapter[dict[str, AttributeDefinition]] = TypeAdapter(TenantAttributes)


class _Document(BaseModel):
    """The mapping under its key, so that problems are worded as in a configuration file."""

    tenantAttributes: TenantAttributes


def attribute_definition_problems(data: Any) -> list[Problem]:
    """Every problem with a ``tenantAttributes`` mapping; paths start at an attribute's name."""
    try:
        _Document.model_validate({"tenantAttributes": data})
    except ValidationError as exc:
        return [
            Problem(p.path[1:], p.message) for p in problems_from_validation_error(exc, _Document)
        ]
    return []


def attribute_definitions(
    data: Mapping[str, AttributeDefinition | Mapping[str, Any]],
) -> dict[str, AttributeDefinition]:
    """`data` as definitions; raises ValueError naming every problem when it is not valid."""
    if all(isinstance(d, AttributeDefinition) for d in data.values()):
        return {name: d for name, d in data.items() if isinstance(d, AttributeDefinition)}
    problems = attribute_definition_problems(dict(data))
    if problems:
        text = "; ".join(f"{p.field or 'tenantAttributes'}: {p.message}" for p in problems)
        raise ValueError(f"the tenant attribute definitions are not valid: {text}")
    return _DEFINITIONS.validate_python(dict(data))


def custom_attribute_problems(
    values: Mapping[str, Any],
    definitions: Mapping[str, AttributeDefinition | Mapping[str, Any]],
) -> list[Problem]:
    """Every way a tenant's `values` break the project's attribute `definitions`, or [].

    Each problem is at ``("customAttributes", name)``: an attribute the definitions lack
    (with a did-you-mean), or a value of the wrong type or outside a select's options.
    Values are expected to pass the tenant model's own rules (`model.tenant`) already.
    """
    defined = attribute_definitions(definitions)
    problems: list[Problem] = []
    for name, value in values.items():
        definition = defined.get(name)
        message = (
            _undefined(name, sorted(defined))
            if definition is None
            else _value_problem(name, definition, value)
        )
        if message is not None:
            problems.append(Problem(("customAttributes", name), message))
    return problems


def _undefined(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        hint = f' Did you mean "{close[0]}"?'
    elif known:
        hint = f" Defined: {', '.join(known)}."
    else:
        hint = " tenantAttributes defines none."
    return (
        f"is not defined in tenantAttributes.{hint} Descope refuses a value for a tenant "
        "attribute the project does not define: define it under tenantAttributes, or remove it."
    )


def _choices(options: list[str], last: str = "or") -> str:
    quoted = [f"'{shown(o)}'" for o in options]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {last} {quoted[-1]}"


def _not_an_option(name: str, given: str, options: list[str]) -> str:
    close = difflib.get_close_matches(given, options, n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.casefold() == given.casefold()][:1]
    hint = f' Did you mean "{close[0]}"?' if close else ""
    return (
        f'"{shown(given)}" is not an option of "{name}": must be one of {_choices(options)}.'
        f"{hint} Use one of them, or add it to the options in tenantAttributes."
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_problem(name: str, definition: AttributeDefinition, value: Any) -> str | None:
    kind = definition.type
    defined_as = f'(tenantAttributes defines "{name}" as {kind})'
    if kind == "string" and not isinstance(value, str):
        return (
            f"must be text {defined_as}; put quotes around it if it looks like a number or "
            "true/false."
        )
    if kind == "number" and not _is_number(value):
        if isinstance(value, str) and _numeric(value):
            return f"must be a number {defined_as}: write {value} without quotes."
        return f"must be a number {defined_as}, written without quotes, such as 250."
    if kind == "boolean" and not isinstance(value, bool):
        return f"must be true or false {defined_as}, written without quotes."
    if kind == "date":
        return _date_problem(name, value)
    options = list(definition.options or [])
    if kind == "singleselect":
        if not isinstance(value, str):
            return f'must be one of the options of "{name}": {_choices(options)} (as text).'
        if value not in options:
            return _not_an_option(name, value, options)
    if kind == "multiselect":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return (
                f'must be a list of options of "{name}" (a multiselect attribute), such as '
                f"[{options[0]}]; the options are {_choices(options, 'and')}."
            )
        for item in value:
            if item not in options:
                return _not_an_option(name, item, options)
        try:
            check_unique(value)
        except ValueError as exc:
            return str(exc)
    return None


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _date_problem(name: str, value: Any) -> str | None:
    if _is_number(value) and float(value).is_integer() and abs(value) <= LARGEST_DATE:
        return None
    example = "such as 1735689600000 for 2025-01-01"
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            example = f"here {int(moment.timestamp() * 1000)} for {day.isoformat()}"
    return (
        f'must be a date as Descope stores it (tenantAttributes defines "{name}" as date): a '
        f"whole number of milliseconds since 1970-01-01 UTC, {example}."
    )
