"""Tenant attribute definitions in the data file: ``tenantAttributes``, in their JSON form
(:func:`~emulator.resources.attributes.models.parse_definitions`)."""

from __future__ import annotations

from typing import Any

from emulator.resources.attributes.models import (
    AttributeDefinition,
    TenantAttributes,
    definitions_json,
    parse_definitions,
)

__all__ = ["attributes_json", "install_attributes", "parse_attributes"]

JsonDict = dict[str, Any]


def attributes_json(attributes: TenantAttributes) -> JsonDict:
    """The data file's ``tenantAttributes`` object."""
    return definitions_json(attributes.definitions)


def parse_attributes(raw: Any) -> dict[str, AttributeDefinition]:
    """The definitions in the file; raises ValueError naming the first bad one."""
    return parse_definitions(raw)


def install_attributes(
    attributes: TenantAttributes, definitions: dict[str, AttributeDefinition]
) -> None:
    """Hold the parsed definitions in place of those in force."""
    with attributes.context.lock:
        attributes.definitions = definitions
