"""The Descope project the test suite's tenants live in: custom attributes and roles, defined once.

Descope refuses tenant custom attributes the project does not define, and default roles that
do not exist; the emulator does too (``requireAttributeDefinitions``, ``requireExistingRoles``).
No published API writes attribute definitions (the program writes them through the
unpublished project configuration only when a stack sets ``manageAttributeDefinitions``), so
every emulator the suite starts for tenants is given `TENANT_ATTRIBUTES`. Roles depend on who
creates them:

- `TEST_PROJECT` (the provider tests: the conftests' servers, the providers' in-process app,
  :func:`tests.support.inprocess.inprocess_descope_context`): the tests drive one provider at a
  time, so the project has the roles their tenants name (`ROLES`), as a real project set up for
  them would; a tenant with ``defaultRoles: [member]`` works.
- `PROGRAM_PROJECT` (the program played per stack: ``tests/engine/test_program_engine.py``,
  ``tests/e2e``): no roles but the built-in ones. The program creates the example stacks'
  permissions and roles itself, and a seeded role of the same name would be a role the
  program did not make.
- `DEPLOYED_PROJECT` (the ops tests): the dev stack's permissions and roles exactly as its
  configuration declares them, as a project holds them after its first ``pulumi up``: a deploy
  takes them over as they are, and export, report, backup and restore see them.

Add an attribute or role here when a test needs a new one; the emulator's own tests
(``tests/emulator``) define what they use themselves.

Usage::

    EmulatorServer(project_id=..., management_key=..., **TEST_PROJECT)
    project_app()  # an EmulatorApp with them
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator.app import EmulatorApp
from tests.support.yaml_files import read_yaml

__all__ = [
    "DEPLOYED_PROJECT",
    "PROGRAM_PROJECT",
    "ROLES",
    "TENANT_ATTRIBUTES",
    "TEST_PROJECT",
    "declared_attributes",
    "declared_roles",
    "project_app",
]


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
"""Keyword arguments for ``EmulatorApp`` or ``EmulatorServer``: the provider tests' project."""

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "tenants"


def _example(stack: str) -> dict[str, Any]:
    document: dict[str, Any] = read_yaml(EXAMPLES / f"{stack}.yaml")
    return document


def declared_attributes(stack: str = "dev") -> dict[str, Any]:
    """The example stack's tenantAttributes, as the Descope project must define them (the
    emulator's form: displayName defaulting to the name)."""
    return {
        name: {**definition, "displayName": definition.get("displayName", name)}
        for name, definition in (_example(stack).get("tenantAttributes") or {}).items()
    }


PROGRAM_PROJECT: dict[str, Any] = {"tenant_attributes": declared_attributes("dev")}
"""The project the program deploys the example stacks to: the attributes their YAML declares
(the example stacks declare the same ones), and no roles but the built-in ones."""


def declared_roles(stack: str = "dev") -> dict[str, Any]:
    """The example stack's permissions and project roles, in the emulator's seed form, exactly
    as the stack's YAML declares them."""
    document = _example(stack)
    return {
        "permissions": [
            {"name": p["name"], "description": p.get("description", "")}
            for p in document.get("permissions") or []
        ],
        "roles": [
            {
                "name": r["name"],
                "description": r.get("description", ""),
                "permissionNames": list(r.get("permissions") or []),
            }
            for r in document.get("roles") or []
        ],
    }


DEPLOYED_PROJECT: dict[str, Any] = {
    "tenant_attributes": TENANT_ATTRIBUTES,
    "roles": declared_roles("dev"),
}
"""The ops tests' project: the dev stack's permissions and roles, as after its first up."""


def project_app(**kwargs: Any) -> EmulatorApp:
    """An :class:`EmulatorApp` whose project defines :data:`TENANT_ATTRIBUTES` and :data:`ROLES`."""
    return EmulatorApp(**TEST_PROJECT, **kwargs)
