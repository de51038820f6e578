"""Access keys of a tenant: what a valid one is (the entries of a tenant's ``accessKeys:``).

An access key is a machine credential Descope issues bound to a tenant (its ``keyTenants``),
with roles the tenant can be given. Descope returns the key's secret (its *cleartext*) only
when it creates the key, so nothing here carries it: `AccessKeySpec` is what the configuration
declares, and ``rotation`` is the declared token whose change asks for a new key (and so a new
cleartext).

Rules (each problem located by its path inside the list, worded for file:line messages):

- ``name``: plain text, trimmed, at most `ACCESS_KEY_NAME_LENGTH`; unique within the tenant
  (two names differing only in case are refused too: the key is found by name when adopted);
- ``roles``: role names, each once (what they may name is checked against the declared roles
  by `model.roles.default_role_problems`, where the file manages roles);
- ``expireTime``: Unix seconds, 0 for a key that never expires, otherwise in the future;
- ``permittedIps``: IP addresses or CIDR ranges (`ipaddress`), each once; a range with host bits
  set is refused with the network to write;
- ``rotation``: a whole number or a text token; changing it replaces the key;
- ``disabled``, ``adopt``: true or false.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from model.limits import (
    ACCESS_KEY_DESCRIPTION_LENGTH,
    ACCESS_KEY_EXPIRE_TIME,
    ACCESS_KEY_NAME_LENGTH,
    ACCESS_KEY_PERMITTED_IPS,
    ACCESS_KEY_ROLES,
    ACCESS_KEY_ROTATION_LENGTH,
    ACCESS_KEYS,
)
from model.problems import Problem, problems_from_validation_error
from model.roles import RoleName
from model.text import check_plain_text, check_trimmed, check_unique, shown

__all__ = [
    "AccessKeySpec",
    "access_keys_problems",
    "expire_time_problem",
]

clock: Callable[[], float] = time.time
"""Now, in Unix seconds (tests set it)."""


def expire_time_problem(value: int) -> str | None:
    """Why `value` cannot be a new key's expireTime (in the past), or None."""
    if value == 0 or value > clock():
        return None
    when = dt.datetime.fromtimestamp(value, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"{value} ({when}) is in the past: write a time in the future (Unix seconds), or 0 for "
        "a key that never expires."
    )


def _check_expire_time(value: int) -> int:
    problem = expire_time_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _check_ip(value: str) -> str:
    """An IP address or a CIDR range, as `ipaddress` reads them."""
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(
                f'"{shown(value)}" is not an IP address or a CIDR range (such as "203.0.113.7" '
                'or "10.0.0.0/8").'
            ) from None
        raise ValueError(
            f'"{value}" has host bits set after the prefix: write the network "{network}".'
        ) from None
    return value


def _rotation_type(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(
            "must be a whole number or a word (the rotation token): change it to replace the key."
        )
    return value


def _check_rotation(value: int | str) -> int | str:
    if isinstance(value, str):
        check_plain_text(value)
        if not value.strip():
            raise ValueError("the rotation token must not be empty: write a number or a word.")
    return value


AccessKeyName = Annotated[
    str,
    Field(min_length=1, max_length=ACCESS_KEY_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
]
PermittedIp = Annotated[str, AfterValidator(_check_ip)]
Rotation = Annotated[
    int | Annotated[str, Field(max_length=ACCESS_KEY_ROTATION_LENGTH.value)],
    BeforeValidator(_rotation_type),
    AfterValidator(_check_rotation),
]


class AccessKeySpec(BaseModel):
    """One access key of a tenant, as its ``accessKeys:`` entry declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: AccessKeyName = Field(description="The key's name, unique within the tenant.")
    description: Annotated[
        str,
        Field(max_length=ACCESS_KEY_DESCRIPTION_LENGTH.value),
        AfterValidator(check_plain_text),
    ] = Field("", description="What the key is for, as Descope shows it.")
    roles: Annotated[
        list[RoleName], Field(max_length=ACCESS_KEY_ROLES.value), AfterValidator(check_unique)
    ] = Field(
        default_factory=list,
        description="Roles of the key in its tenant: project roles or the tenant's own.",
    )
    expireTime: Annotated[
        StrictInt, Field(ge=0, le=ACCESS_KEY_EXPIRE_TIME.value), AfterValidator(_check_expire_time)
    ] = Field(0, description="When the key expires, in Unix seconds; 0: never.")
    permittedIps: Annotated[
        list[PermittedIp],
        Field(max_length=ACCESS_KEY_PERMITTED_IPS.value),
        AfterValidator(check_unique),
    ] = Field(
        default_factory=list,
        description="IP addresses or CIDR ranges the key may be used from; empty: any.",
    )
    disabled: StrictBool = Field(
        False, description="true: the key is deactivated (kept, not usable); false: active."
    )
    rotation: Rotation = Field(
        0,
        description="Change it (a number or a word) to replace the key by a new one with a new "
        "secret.",
    )
    adopt: StrictBool = Field(
        False,
        description="If a key of this name already exists in the tenant, manage it instead of "
        "creating one (its secret is then not known: Descope returns it only at creation).",
    )

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers_from_floats(cls, data: Any) -> Any:
        """Pulumi hands numbers over as floats: 3.0 means 3."""
        if not isinstance(data, Mapping):
            return data
        fixed = dict(data)
        for key in ("expireTime", "rotation"):
            value = fixed.get(key)
            if isinstance(value, float) and value.is_integer():
                fixed[key] = int(value)
        return fixed

    def canonical(self) -> dict[str, Any]:
        """The recorded form: every key present, roles and permitted IPs sorted (sets)."""
        data = self.model_dump(mode="json")
        data["roles"] = sorted(self.roles)
        data["permittedIps"] = sorted(self.permittedIps)
        return data


AccessKeys = Annotated[list[AccessKeySpec], Field(max_length=ACCESS_KEYS.value)]


class _AccessKeysDocument(BaseModel):
    accessKeys: AccessKeys


def _in_list(path: tuple[str | int, ...]) -> str:
    return f"at {Problem(('accessKeys', *path), '').field}"


def access_keys_problems(
    data: Any, *, locate: Callable[[tuple[str | int, ...]], str] = _in_list
) -> list[Problem]:
    """Every problem with one tenant's ``accessKeys`` list, paths starting at an entry's index:
    each entry's own, then names declared twice (or differing only in case). `locate` words
    where an entry is (``on line 12``) from its path in the list."""
    problems: list[Problem] = []
    try:
        _AccessKeysDocument.model_validate({"accessKeys": data})
    except ValidationError as exc:
        problems = [
            Problem(p.path[1:], p.message)
            for p in problems_from_validation_error(exc, _AccessKeysDocument)
        ]
    first: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(data if isinstance(data, list) else []):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str):
            continue
        other = first.setdefault(name.casefold(), (index, name))
        if other[0] == index:
            continue
        same = "is also" if other[1] == name else f'differs only in case from "{shown(other[1])}",'
        problems.append(
            Problem(
                (index, "name"),
                f'the access key name "{shown(name)}" {same} the name of the key declared '
                f"{locate((other[0],))}: a tenant's keys are told apart by name. Rename one of "
                "them.",
            )
        )
    return problems
