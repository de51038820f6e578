"""The program on a stack that leaves kinds to another tool (``descope-config:leaveUnmanaged``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pulumi
import pytest

import config as config_package
from tests.program.test_program import (
    FLOW,
    REPO,
    TENANT,
    THEME,
    RecordingMonitor,
    run_program,
    stack_config,
)

ROLE = "pulumi-python:dynamic/descope:Role"
PERMISSION = "pulumi-python:dynamic/descope:Permission"
SSO = "pulumi-python:dynamic/descope:SSOConfiguration"
ACCESS_KEY = "pulumi-python:dynamic/descope:AccessKey"
DEFINITION = "pulumi-python:dynamic/descope:AttributeDefinition"
SETTING = "descope-config:leaveUnmanaged"


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack-level checks skipped, so that the program itself is seen to register nothing of
    an unmanaged kind even for a configuration that declares it."""
    monkeypatch.setattr(config_package, "check_for_stack", lambda *_: None)


def types(monitor: RecordingMonitor) -> set[str]:
    return {r.type for r in monitor.registrations}


def test_the_example_stack_registers_every_kind_when_nothing_is_left(in_repo: None) -> None:
    monitor = run_program("dev", stack_config("dev"))
    assert {TENANT, FLOW, THEME, ROLE, PERMISSION, SSO, ACCESS_KEY} <= types(monitor)
    tenants = [r for r in monitor.registrations if r.type == TENANT]
    assert any(t.inputs.get("attributeDefinitionsDigest") for t in tenants)


def test_project_kinds_left_unmanaged_are_not_registered(in_repo: None, unchecked: None) -> None:
    config = {
        **stack_config("dev"),
        SETTING: "permissions, roles, tenantAttributes, flows, theme",
    }
    monitor = run_program("dev", config)
    registered = types(monitor)
    assert FLOW not in registered
    assert THEME not in registered
    assert PERMISSION not in registered
    project_roles = [
        r for r in monitor.registrations if r.type == ROLE and not r.inputs["tenantId"]
    ]
    assert project_roles == []
    assert {TENANT, SSO, ACCESS_KEY} <= registered
    tenants = [r for r in monitor.registrations if r.type == TENANT]
    assert tenants
    assert not any(t.inputs.get("attributeDefinitionsDigest") for t in tenants)


def test_tenants_left_unmanaged_take_their_roles_sso_and_keys_along(
    in_repo: None, unchecked: None
) -> None:
    monitor = run_program("dev", {**stack_config("dev"), SETTING: '["tenants"]'})
    registered = types(monitor)
    assert not registered & {TENANT, SSO, ACCESS_KEY}
    assert all(not r.inputs["tenantId"] for r in monitor.registrations if r.type == ROLE)
    assert {FLOW, THEME, PERMISSION, ROLE} <= registered


def test_definitions_left_unmanaged_are_not_registered_even_if_managed(
    in_repo: None, unchecked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even past both checks (the file's and the two settings'), nothing is registered."""
    managed = {**stack_config("dev"), "descope-config:manageAttributeDefinitions": "true"}
    assert DEFINITION in types(run_program("dev", managed))
    real = config_package.stack_options

    def both(*args: Any, **kwargs: Any) -> Any:
        return dataclasses.replace(real(*args, **kwargs), unmanaged=frozenset({"tenantAttributes"}))

    monkeypatch.setattr(config_package, "stack_options", both)
    assert DEFINITION not in types(run_program("dev", managed))


def test_access_keys_left_unmanaged_are_not_registered(in_repo: None, unchecked: None) -> None:
    monitor = run_program("dev", {**stack_config("dev"), SETTING: "accessKeys"})
    assert ACCESS_KEY not in types(monitor)
    assert {TENANT, SSO} <= types(monitor)


def test_a_configuration_declaring_an_unmanaged_kind_stops_the_run(in_repo: None) -> None:
    monitor = RecordingMonitor()
    with pytest.raises(pulumi.RunError) as raised:
        run_program("dev", {**stack_config("dev"), SETTING: "flows,theme"}, monitor)
    assert monitor.registrations == []
    text = str(raised.value)
    lines = (REPO / "config/tenants/dev.yaml").read_text().splitlines()
    flows_line = next(i for i, line in enumerate(lines, 1) if line.startswith("flows:"))
    theme_line = next(i for i, line in enumerate(lines, 1) if line.startswith("theme:"))
    assert f"config/tenants/dev.yaml:{flows_line}: file, field flows: declares the flow(s)" in text
    assert f"config/tenants/dev.yaml:{theme_line}: file, field theme: declares the theme" in text
    assert "leaves flows unmanaged (descope-config:leaveUnmanaged in Pulumi.dev.yaml)" in text
    assert "Remove the `flows` entries from the file, or take flows out of leaveUnmanaged" in text
    assert "Traceback" not in text


def test_an_unknown_kind_stops_the_run_with_the_closest_one(in_repo: None) -> None:
    monitor = RecordingMonitor()
    with pytest.raises(pulumi.RunError) as raised:
        run_program("dev", {**stack_config("dev"), SETTING: "flow"}, monitor)
    assert monitor.registrations == []
    assert (
        f'Pulumi.dev.yaml: stack dev, field {SETTING}: names "flow", which is not a kind this '
        'program manages. Did you mean "flows"?'
    ) in str(raised.value)


def test_a_file_without_the_unmanaged_kinds_deploys_the_rest(in_repo: None, tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - {id: acme, name: Acme}\n")
    config = {
        **stack_config("dev"),
        "descope-config:tenantsFile": str(tenants),
        SETTING: "permissions,roles,tenantAttributes,flows,theme,accessKeys",
    }
    monitor = run_program("dev", config)
    assert [(r.type, r.name) for r in monitor.registrations] == [(TENANT, "tenant-acme")]
