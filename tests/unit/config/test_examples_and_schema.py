"""The committed example configuration validates for every stack; the schema matches the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from config import load_configuration
from config.document import json_schema_text
from tests.unit.config.conftest import REPO

SCHEMA_FILE = REPO / "config" / "tenants.schema.json"


def stack_settings(stack: str) -> tuple[Path, Path, dict[str, str]]:
    """The tenants file, flows folder and variables the Pulumi program passes for `stack`."""
    document = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    values = {
        key.removeprefix("descope-config:"): value
        for key, value in document["config"].items()
        if key.startswith("descope-config:")
    }
    variables = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in values.items()
    }
    return REPO / values["tenantsFile"], REPO / values["flowsDir"], variables


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_example_configuration_validates_for_each_stack(stack: str) -> None:
    tenants_file, flows_dir, variables = stack_settings(stack)
    configuration = load_configuration(tenants_file, variables=variables, flows_dir=flows_dir)
    suffix = variables["domainSuffix"]
    assert [t.id for t in configuration.tenants] == ["acme", "globex", "initech"]
    assert configuration.tenants[0].selfProvisioningDomains == [f"acme.{suffix}"]
    assert all(t.customAttributes["environment"] == stack for t in configuration.tenants)
    assert [f.id for f in configuration.flows] == ["sign-up-or-in"]
    assert configuration.theme is not None


def test_example_files_point_editors_at_the_schema() -> None:
    for path in (REPO / "config" / "tenants").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../tenants.schema.json", path


def test_committed_schema_matches_the_models() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == json_schema_text(), (
        "config/tenants.schema.json is out of date: run `python -m config schema`"
    )


def test_schema_describes_every_top_level_key() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert set(schema["properties"]) == {
        "tenantAttributes",
        "permissions",
        "roles",
        "defaults",
        "tenants",
        "flows",
        "theme",
    }
    assert schema["required"] == ["tenants"]
    assert schema["additionalProperties"] is False
