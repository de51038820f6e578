"""Tenant custom-attribute definitions, and the check of a tenant's values against them.

A Descope project defines its tenant custom attributes before any tenant can carry one: the
SDK's ``tenant.create`` documents ``custom_attributes`` as values "of the keys that were
previously configured in Descope console", and terraform-provider-descope
(``internal/models/project/attributes``) defines each with a machine name (``name``, letters,
digits, ``_`` and ``-``, at most 20 characters), a display name (``displayName``, at most 254)
and a ``type``: string, number, boolean, singleselect or multiselect (with ``options``), date.

The definitions' JSON form (``--tenant-attributes FILE.json``, ``EmulatorApp(tenant_attributes=)``,
``GET``/``POST /emulator/tenant-attributes``)::

    {"plan": {"type": "singleselect", "displayName": "Plan", "options": ["starter", "enterprise"]},
     "seats": {"type": "number", "displayName": "Seats"}}

What a value of each type must be is not published; the emulator's rules (see
:meth:`AttributeDefinition.problem`) are the JSON reading of the type names. ``null`` is
accepted for every type, as "no value".
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext

__all__ = [
    "ATTRIBUTE_TYPES",
    "SELECT_TYPES",
    "AttributeDefinition",
    "TenantAttributes",
    "check_values",
    "definitions_json",
    "parse_definitions",
]

ATTRIBUTE_TYPES = ("string", "number", "boolean", "singleselect", "multiselect", "date")
SELECT_TYPES = ("singleselect", "multiselect")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")
_DISPLAY_NAME_MAX = 254
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class AttributeDefinition:
    """One tenant custom attribute the project defines."""

    name: str
    """The machine name: the key in a tenant's ``customAttributes``."""
    display_name: str
    type: str
    """One of :data:`ATTRIBUTE_TYPES`."""
    options: tuple[str, ...] = ()
    """The allowed values of a singleselect or multiselect attribute."""
    view_permissions: tuple[str, ...] = ()
    """The permissions that may see the attribute in Descope's widgets (the project
    configuration's ``authorization.viewPermissions``; nothing here enforces them)."""

    def to_json(self) -> JsonDict:
        out: JsonDict = {"type": self.type, "displayName": self.display_name}
        if self.type in SELECT_TYPES:
            out["options"] = list(self.options)
        if self.view_permissions:
            out["viewPermissions"] = list(self.view_permissions)
        return out

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` for this attribute, or None when it fits.

        string: a JSON string; number: an integer or a finite float, never true/false;
        boolean: true or false; singleselect: a string among the options; multiselect: a
        list of strings among the options; date: an ISO 8601 date or date-time string
        (``2025-10-01``, ``2025-10-01T14:30:00Z``) or a non-negative integer Unix time.
        """
        if value is None:
            return None
        match self.type:
            case "string":
                ok = isinstance(value, str)
                expected = "a string"
            case "number":
                ok = _is_number(value)
                expected = "a number"
            case "boolean":
                ok = isinstance(value, bool)
                expected = "true or false"
            case "singleselect":
                ok = isinstance(value, str) and value in self.options
                expected = f"one of {_choices(self.options)}"
            case "multiselect":
                ok = isinstance(value, list) and all(
                    isinstance(v, str) and v in self.options for v in value
                )
                expected = f"a list of values among {_choices(self.options)}"
            case _:
                ok = _is_date(value)
                expected = "an ISO 8601 date (2025-10-01) or date-time, or a Unix time"
        return None if ok else f"must be {expected}, got {_shown(value)}"


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _is_date(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _choices(options: tuple[str, ...]) -> str:
    return ", ".join(repr(o) for o in options)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_definitions(data: Any) -> dict[str, AttributeDefinition]:
    """The definitions in their JSON form; raises ValueError naming the first bad one."""
    if not isinstance(data, dict):
        raise ValueError(
            'tenant attribute definitions must be a JSON object such as {"plan": '
            '{"type": "string", "displayName": "Plan"}}'
        )
    return {name: _definition(name, raw) for name, raw in data.items()}


def _definition(name: str, raw: Any) -> AttributeDefinition:
    where = f"tenant attribute {name!r}"
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{where}: the name must be 1 to 20 letters, digits, '_' or '-' (Descope's "
            "machine name)"
        )
    if not isinstance(raw, dict):
        raise ValueError(f'{where} must be an object with "type" and "displayName"')
    unknown = sorted(set(raw) - {"type", "displayName", "options", "viewPermissions"})
    if unknown:
        raise ValueError(
            f"{where}: unknown key {unknown[0]!r}; use type, displayName, options, viewPermissions"
        )
    kind = raw.get("type")
    if kind not in ATTRIBUTE_TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(ATTRIBUTE_TYPES)}, got {kind!r}")
    display = raw.get("displayName")
    if not isinstance(display, str) or not display.strip() or len(display) > _DISPLAY_NAME_MAX:
        raise ValueError(
            f"{where}: displayName must be a non-empty string of at most 254 characters"
        )
    options = raw.get("options")
    if kind in SELECT_TYPES:
        if (
            not isinstance(options, list)
            or not options
            or not all(isinstance(o, str) and o for o in options)
        ):
            raise ValueError(f"{where}: a {kind} attribute needs options, a list of strings")
        if len(set(options)) != len(options):
            raise ValueError(f"{where}: options must not repeat")
        return AttributeDefinition(name, display, kind, tuple(options), _viewers(where, raw))
    if options is not None:
        raise ValueError(f"{where}: only singleselect and multiselect attributes take options")
    return AttributeDefinition(name, display, kind, view_permissions=_viewers(where, raw))


def _viewers(where: str, raw: JsonDict) -> tuple[str, ...]:
    viewers = raw.get("viewPermissions", [])
    if not isinstance(viewers, list) or not all(isinstance(v, str) and v for v in viewers):
        raise ValueError(f"{where}: viewPermissions must be a list of permission names")
    return tuple(viewers)


def definitions_json(definitions: Mapping[str, AttributeDefinition]) -> JsonDict:
    """The JSON form of :func:`parse_definitions`' result."""
    return {name: d.to_json() for name, d in definitions.items()}


def check_values(definitions: Mapping[str, AttributeDefinition], values: Mapping[str, Any]) -> None:
    """Refuse a tenant's ``customAttributes`` that name an undefined attribute or misfit one.

    Raises the 400 of :func:`~emulator.exceptions.undefined_tenant_attribute` or
    :func:`~emulator.exceptions.invalid_tenant_attribute`, naming the attribute.
    """
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is None:
            raise exc.undefined_tenant_attribute(name, sorted(definitions))
        problem = definition.problem(value)
        if problem is not None:
            raise exc.invalid_tenant_attribute(name, problem)


class TenantAttributes:
    """The project's tenant custom-attribute definitions: those in force and those a fresh
    project (and a reset) has. The admin API and the start-up options set them
    (:mod:`emulator.app`), and so does the project configuration's ``attributes.tenant``
    (:mod:`emulator.resources.infra`)."""

    def __init__(
        self,
        context: ProjectContext,
        initial: Mapping[str, AttributeDefinition] | None = None,
    ) -> None:
        self.context = context
        self.initial: dict[str, AttributeDefinition] = dict(initial or {})
        """The definitions a fresh project (and a reset) has."""
        self.definitions: dict[str, AttributeDefinition] = dict(self.initial)

    def clear(self) -> None:
        """Back to the initial definitions."""
        with self.context.lock:
            self.definitions = dict(self.initial)

    def check_values(self, values: Mapping[str, Any]) -> None:
        """Refuse ``values`` naming an undefined attribute or misfitting one (see
        :func:`check_values`)."""
        check_values(self.definitions, values)

    def to_json(self) -> JsonDict:
        """The definitions in force, in their JSON form."""
        with self.context.lock:
            return definitions_json(self.definitions)
