"""Tenant attribute definitions through the stand-in engine and the real provider host, written
through the project configuration (``/v1/mgmt/infra``) when the stack manages them: created
before the tenants that use them, updated, deleted after a snapshot of the whole configuration,
adopted when identical, every other section of the configuration left as it was; refused when
the configuration holds a credential; and not registered at all by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.program import ProgramRun
from tests.engine.test_program_engine import FAST_RETRIES
from tests.support.scenarios import edit_tenants, expect_nothing_to_do, expect_ok, snapshots
from tests.support.standin import StandIn

pytestmark = pytest.mark.engine

SETTING = "descope-config:manageAttributeDefinitions"
DECLARED = {"plan", "seats", "region", "environment"}
STYLES = {"opaque": [1, {"kept": True}]}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(env=FAST_RETRIES)


def managing(emulator: EmulatorServer, tmp_path: Path, engine: Engine) -> StandIn:
    """The dev stack with the setting on, in a project with no definitions and one section
    this project does not manage."""
    emulator.app.set_tenant_attributes({})
    emulator.app.backend.infra.data["styles"] = dict(STYLES)
    driver = StandIn("dev", emulator=emulator, workdir=tmp_path, engine=engine)
    driver.set_config(SETTING, "true")
    return driver


def attributes(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["tenantAttributes"]
    return found


def test_definitions_are_created_first_updated_and_deleted_with_a_snapshot(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = managing(program_emulator, tmp_path, engine)
    backend = program_emulator.app.backend

    first = expect_ok(driver.up())

    assert {n for n, op in first.changed.items() if n.startswith("attribute-")} == {
        f"attribute-{n}" for n in DECLARED
    }
    assert set(backend.tenant_attributes) == DECLARED
    assert backend.tenant_attributes["plan"].options == ("starter", "business", "enterprise")
    assert backend.infra.data["styles"] == STYLES
    assert snapshots(driver.backup_dir, "project") == [
        ("project", backend.options.project_id, "overwrite")
    ] * len(DECLARED)
    expect_nothing_to_do(driver)

    edit_tenants(driver, lambda d: attributes(d)["seats"].update(displayName="Licensed seats"))
    updated = expect_ok(driver.up())
    assert updated.changed == {"attribute-seats": "update"}
    assert backend.tenant_attributes["seats"].display_name == "Licensed seats"

    edit_tenants(driver, lambda d: attributes(d).update(tier={"type": "boolean"}))
    assert expect_ok(driver.up()).changed == {"attribute-tier": "create"}
    assert backend.tenant_attributes["tier"].display_name == "tier"
    edit_tenants(driver, lambda d: attributes(d).pop("tier"))
    removed = expect_ok(driver.up())
    assert removed.changed == {"attribute-tier": "delete"}
    assert "tier" not in backend.tenant_attributes
    assert ("project", backend.options.project_id, "delete") in snapshots(
        driver.backup_dir, "project"
    )
    assert backend.infra.data["styles"] == STYLES
    expect_nothing_to_do(driver)


def test_an_identical_definition_is_adopted_and_a_different_one_refused(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = managing(program_emulator, tmp_path, engine)
    program_emulator.app.set_tenant_attributes(
        {"seats": {"type": "number", "displayName": "Seats"}}
    )
    edit_tenants(driver, lambda d: attributes(d).update(plan={"type": "string"}))
    program_emulator.app.set_tenant_attributes(
        {"seats": {"type": "number", "displayName": "Seats"}, "plan": {"type": "number",
                                                                       "displayName": "plan"}}
    )  # fmt: skip

    outcome = driver.up()

    assert not outcome.ok
    assert 'Descope tenant attribute "plan"' in outcome.error_text()
    assert "defines it differently" in outcome.error_text()
    assert program_emulator.app.backend.tenant_attributes["plan"].type == "number"
    assert "attribute-seats" in driver.state_names()


def test_a_configuration_holding_a_credential_is_not_written(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = managing(program_emulator, tmp_path, engine)
    program_emulator.app.backend.infra.data["connectors"] = [{"clientSecret": "s3cr3t-value"}]

    outcome = driver.up()

    assert not outcome.ok
    assert "data.connectors[0].clientSecret" in outcome.error_text()
    assert "s3cr3t-value" not in outcome.error_text()
    assert program_emulator.app.backend.tenant_attributes == {}
    assert snapshots(driver.backup_dir, "project") == []


def test_by_default_the_declarations_are_only_checks(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = StandIn("dev", emulator=program_emulator, workdir=tmp_path, engine=engine)
    run = driver._program()
    assert isinstance(run, ProgramRun)
    assert not [r for r in run.registrations if r.name.startswith("attribute-")]
    driver.set_config(SETTING, "true")
    managed = driver._program()
    assert isinstance(managed, ProgramRun)
    names = {r.urn: r.name for r in managed.registrations}
    acme = next(r for r in managed.registrations if r.name == "tenant-acme")
    assert {names[u] for u in acme.dependencies if names[u].startswith("attribute-")} == {
        f"attribute-{n}" for n in acme.inputs.get("customAttributes", {})
    }
