"""The committed example configuration validates for every stack; the schema matches the models."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from config import load_configuration
from config.document import json_schema_text
from model.limits import LIMITS
from tests.unit.config.conftest import REPO

SCHEMA_FILE = REPO / "config" / "tenants.schema.json"
SECRETS = ("globexOidcClientSecret",)
"""The stack secrets the examples name (set with `pulumi config set --secret`)."""


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
    configuration = load_configuration(
        tenants_file, variables=variables, flows_dir=flows_dir, secret_variables=SECRETS
    )
    suffix = variables["domainSuffix"]
    sub_tenants = ["acme-labs"] if stack == "dev" else []  # dev shows a sub-tenant of acme
    assert [t.id for t in configuration.tenants] == ["acme", "globex", "initech", *sub_tenants]
    assert [(t.id, t.parent, t.roleInheritance) for t in configuration.tenants if t.parent] == [
        (tenant_id, "acme", "userOnly") for tenant_id in sub_tenants
    ]
    assert configuration.tenants[0].selfProvisioningDomains == [f"acme.{suffix}"]
    assert all(t.customAttributes["environment"] == stack for t in configuration.tenants)
    assert [f.id for f in configuration.flows] == ["sign-up-or-in"]
    assert configuration.theme is not None


def test_the_example_flow_takes_each_stacks_values_and_so_its_own_hash() -> None:
    hashes = set()
    for stack in ("dev", "staging", "prod"):
        tenants_file, flows_dir, variables = stack_settings(stack)
        configuration = load_configuration(
            tenants_file, variables=variables, flows_dir=flows_dir, secret_variables=SECRETS
        )
        (flow,) = configuration.flows
        terms = f"https://app.{variables['domainSuffix']}/terms"
        assert terms in json.dumps(flow.content), stack
        assert "${" not in json.dumps(flow.content)
        hashes.add(flow.content_hash)
    assert len(hashes) == 3


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_example_configuration_declares_what_its_tenants_use(stack: str) -> None:
    tenants_file, flows_dir, variables = stack_settings(stack)
    configuration = load_configuration(
        tenants_file, variables=variables, flows_dir=flows_dir, secret_variables=SECRETS
    )
    assert configuration.tenant_attributes is not None
    used = {name for t in configuration.tenants for name in t.customAttributes}
    assert (
        used == set(configuration.tenant_attributes) == {"plan", "seats", "region", "environment"}
    )
    assert configuration.roles is not None
    assert configuration.permissions is not None
    roles = {r.name for r in configuration.roles}
    assert {name for t in configuration.tenants for name in t.defaultRoles} <= roles
    assert [r.name for r in configuration.tenant_roles["acme"]] == ["acme-auditor"]
    granted = {
        p
        for r in [*configuration.roles, *configuration.tenant_roles["acme"]]
        for p in r.permissions
    }
    assert granted == {p.name for p in configuration.permissions}


def test_example_files_point_editors_at_the_schema() -> None:
    for path in (REPO / "config" / "tenants").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../tenants.schema.json", path


def test_committed_schema_matches_the_models() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == json_schema_text(), (
        "config/tenants.schema.json is out of date: run "
        "`python -m config schema --output config/tenants.schema.json`"
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
    # absent and empty mean different things for these: the schema does not allow null
    assert schema["properties"]["tenantAttributes"]["type"] == "object"
    assert schema["properties"]["permissions"]["type"] == "array"
    assert schema["properties"]["roles"]["type"] == "array"


def configuration_page() -> str:
    """The documentation's page on the configuration file (docs/configuration.md)."""
    return (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")


def reference_page() -> str:
    """The configuration reference the documentation site generates (docs/hooks.py)."""
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    assert spec is not None
    assert spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page: str = hooks.reference_page()
    return page


def test_the_docs_configuration_example_is_a_valid_configuration(tmp_path: Path) -> None:
    section = configuration_page()
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "tenants.yaml"
    path.write_text(example, encoding="utf-8")
    configuration = load_configuration(
        path,
        variables={"domainSuffix": "example.com", "environment": "dev"},
        flows_dir=REPO / "config" / "flows",
    )
    assert configuration.roles is not None
    assert [r.name for r in configuration.tenant_roles["acme"]] == ["acme-auditor"]
    assert configuration.tenant_attributes is not None


def test_the_docs_limits_table_lists_every_limit_the_model_enforces() -> None:
    section = reference_page()
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    for limit in LIMITS:
        assert f"| {limit.what} | {limit.value:,} | {limit.source} |" in rows, limit
