"""Readers for the fields of a request body: typed, with Descope's errors for a bad value.

Each takes the parsed JSON body and a key; a value of the wrong type is 400 E011004 naming
the field, a missing required one 400 E011002. Shared by every resource's operations.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from emulator import exceptions as exc

__all__ = [
    "flag",
    "non_negative_int",
    "opt_bool",
    "opt_dict",
    "opt_str",
    "opt_str_list",
    "required_str",
    "str_list",
    "text",
]

JsonDict = dict[str, Any]


def opt_str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise exc.invalid_argument(f"The {key} field must be a string")
    return value


def text(body: Mapping[str, Any], key: str, default: str = "") -> str:
    value = opt_str(body, key)
    return default if value is None else value


def required_str(body: Mapping[str, Any], key: str) -> str:
    value = opt_str(body, key)
    if not value:
        raise exc.missing_field(key)
    return value


def opt_bool(body: Mapping[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise exc.invalid_argument(f"The {key} field must be a boolean")
    return value


def flag(body: Mapping[str, Any], key: str) -> bool:
    return bool(opt_bool(body, key))


def non_negative_int(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise exc.invalid_argument(f"The {key} field must be a non-negative integer")
    return value


def opt_str_list(body: Mapping[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise exc.invalid_argument(f"The {key} field must be a list of strings")
    return list(value)


def str_list(body: Mapping[str, Any], key: str) -> list[str]:
    return opt_str_list(body, key) or []


def opt_dict(body: Mapping[str, Any], key: str) -> JsonDict | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise exc.invalid_argument(f"The {key} field must be an object")
    return copy.deepcopy(value)
