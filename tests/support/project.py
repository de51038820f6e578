"""The Descope project the test suite's tenants live in: custom attributes and roles, defined once.

Descope refuses tenant custom attributes the project does not define, and default roles that
do not exist; the emulator does too (``requireAttributeDefinitions``, ``requireExistingRoles``).
Every emulator the suite starts for tenants (the conftests' servers, the providers' in-process
app, :func:`tests.support.inprocess.inprocess_descope_context`) is given these, so a test
that creates a tenant with ``plan``, ``seats`` or ``defaultRoles: [member]`` works as it
would against a real project set up for it. Add an attribute or role here when a test needs
a new one; the emulator's own tests (``tests/emulator``) define what they use themselves.

Usage::

    EmulatorServer(project_id=..., management_key=..., **TEST_PROJECT)
    project_app()  # an EmulatorApp with them
"""

from __future__ import annotations

from typing import Any

from emulator.app import EmulatorApp

__all__ = ["ROLES", "TENANT_ATTRIBUTES", "TEST_PROJECT", "project_app"]


def _string(display: str) -> dict[str, Any]:
    return {"type": "string", "displayName": display}


def _number(display: str) -> dict[str, Any]:
    return {"type": "number", "displayName": display}


TENANT_ATTRIBUTES: dict[str, dict[str, Any]] = {
    # the example configurations (config/tenants/*.yaml) and the bench's tenants
    "environment": _string("Environment"),
    "plan": _string("Plan"),
    "seats": _number("Seats"),
    "region": _string("Region"),
    # the providers', engine, fault and security tests' tenants
    "tier": _string("Tier"),
    "k": _string("K"),
    "a": _string("A"),
    "b": _number("B"),
    "x": _number("X"),
    "l": {"type": "multiselect", "displayName": "L", "options": ["a", "b", "x"]},
    "flag": {"type": "boolean", "displayName": "Flag"},
}
"""Every tenant custom attribute a test tenant carries, with the type its values have."""

ROLES: dict[str, Any] = {
    "roles": [
        {"name": "member", "description": "Every member of a tenant"},
        {"name": "viewer", "description": "Read-only access"},
        {"name": "admin", "description": "Administers a tenant"},
        {"name": "billing-viewer", "description": "Reads invoices"},
    ]
}
"""Project roles the test tenants name as default roles (besides the built-in Tenant Admin)."""

TEST_PROJECT: dict[str, Any] = {"tenant_attributes": TENANT_ATTRIBUTES, "roles": ROLES}
"""Keyword arguments for ``EmulatorApp`` or ``EmulatorServer``."""


def project_app(**kwargs: Any) -> EmulatorApp:
    """An :class:`EmulatorApp` whose project defines :data:`TENANT_ATTRIBUTES` and :data:`ROLES`."""
    return EmulatorApp(**TEST_PROJECT, **kwargs)
