"""The program's access keys under Pulumi's mocks: one AccessKey per entry, after its tenant and
the roles it names, protected as its tenant, its secret declared a secret output."""

from __future__ import annotations

from pathlib import Path

from standin.program import registrations
from tests.program.test_program import REPO, stack_config

ACCESS_KEY = "pulumi-python:dynamic/descope:AccessKey"
ROLE = "pulumi-python:dynamic/descope:Role"
TENANT = "pulumi-python:dynamic/descope:Tenant"


def _urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::descope-config::{type_}::{name}"


def test_each_access_key_is_registered_after_its_tenant_and_roles(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "roles:\n  - {name: member}\n"
        "tenants:\n"
        "  - id: acme\n    name: Acme\n    protect: false\n"
        "    roles: [{name: acme-ci}]\n"
        "    accessKeys:\n"
        "      - {name: ci, roles: [member, acme-ci, Tenant Admin], rotation: 3}\n"
        "      - {name: legacy, adopt: true}\n"
        "  - {id: globex, name: Globex}\n"
    )
    config = {**stack_config("prod"), "descope-config:tenantsFile": str(tenants)}

    run = registrations(REPO, stack="prod", config=config)

    keys = {r.name: r for r in run.registrations if r.type == ACCESS_KEY}
    assert set(keys) == {"access-key-acme/ci", "access-key-acme/legacy"}
    ci = keys["access-key-acme/ci"]
    assert set(ci.dependencies) == {
        _urn("prod", TENANT, "tenant-acme"),
        _urn("prod", ROLE, "role-member"),
        _urn("prod", ROLE, "tenant-role-acme/acme-ci"),
    }
    assert ci.additional_secret_outputs == ("cleartext",)
    assert ci.delete_before_replace is True
    assert (ci.protect, ci.retain_on_delete) == (False, True)
    assert {k: ci.inputs[k] for k in ("tenantId", "name", "roles", "rotation", "adopt")} == {
        "tenantId": "acme",
        "name": "ci",
        "roles": ["Tenant Admin", "acme-ci", "member"],
        "rotation": 3,
        "adopt": False,
    }
    assert keys["access-key-acme/legacy"].inputs["adopt"] is True


def test_without_access_keys_none_are_registered(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - {id: acme, name: Acme}\n")
    config = {**stack_config("dev"), "descope-config:tenantsFile": str(tenants)}

    run = registrations(REPO, stack="dev", config=config)

    assert [r for r in run.registrations if r.type == ACCESS_KEY] == []
