"""The checkpoint projections (`bench.checkpoints`): the backends' rules as arithmetic, Pulumi's
entry for a stand-in resource, and the state measured per resource kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from bench.checkpoints import (
    LEAN_ATTRIBUTES,
    SECRET_ENVELOPE_KEY,
    kind_sizes,
    lean_tenants_yaml,
    project_up,
    pulumi_entry,
)
from bench.report import CheckpointResult, checkpoint_lines

TENANT = "pulumi-python:dynamic/descope:Tenant"
ROLE = "pulumi-python:dynamic/descope:Role"


def _resource(name: str, type_: str = TENANT, **extra: Any) -> dict[str, Any]:
    props = {"__provider": "gASVblob", "name": name}
    return {
        "urn": f"urn:pulumi:dev::descope-config::{type_}::{name}",
        "type": type_,
        "id": name,
        "inputs": props,
        "outputs": {**props, "authType": "none"},
        "protect": False,
        "dependencies": [],
        "secretProperties": [],
        **extra,
    }


def test_project_up__file_backend_grows_as_the_square_journaling_linearly() -> None:
    small = project_up(1_000, entry_bytes=1_000, base_bytes=500, seconds_per_mb=0.1)
    large = project_up(10_000, entry_bytes=1_000, base_bytes=500, seconds_per_mb=0.1)

    assert small.saves == 2_000  # pending, then result, per created resource
    assert small.file_bytes == 2 * 1_000 * 500 + 1_000 * 1_001 * 1_000
    assert small.file_bak_bytes == small.file_bytes
    assert small.journal_bytes == 2 * 1_000 * 1_000
    assert small.final_save_bytes == 500 + 1_000 * 1_000
    assert small.file_s == round(small.file_bytes / 1e6 * 0.1, 1)
    assert 99 < large.file_bytes / small.file_bytes < 101
    assert large.journal_bytes == 10 * small.journal_bytes


def test_pulumi_entry__adds_the_engines_fields_and_seals_the_provider_blob() -> None:
    resource = _resource("tenant-acme", protect=True, dependencies=["urn:x"])

    entry = pulumi_entry(resource, "dev", "descope-config")

    for props in (entry["inputs"], entry["outputs"]):
        assert SECRET_ENVELOPE_KEY in props["__provider"]
        assert props["__provider"]["ciphertext"].startswith("v1:")
        assert props["name"] == "tenant-acme"
    assert entry["parent"].endswith("::pulumi:pulumi:Stack::descope-config-dev")
    assert "pulumi:providers:pulumi-python::default::" in entry["provider"]
    assert entry["custom"] is True
    assert entry["protect"] is True
    assert entry["dependencies"] == ["urn:x"]
    assert "protect" not in pulumi_entry(_resource("b"), "dev", "descope-config")


def test_kind_sizes__averages_each_type_and_projects_pulumis_entry() -> None:
    document = {
        "stack": "dev",
        "project": "descope-config",
        "resources": [_resource("tenant-a"), _resource("tenant-bb"), _resource("r", ROLE)],
    }

    sizes = kind_sizes(document)

    assert list(sizes) == [ROLE, TENANT]
    tenant = sizes[TENANT]
    assert tenant.count == 2
    entries = [
        len(json.dumps(r, sort_keys=True, separators=(",", ":"))) for r in document["resources"][:2]
    ]
    assert tenant.entry_bytes == round(sum(entries) / 2)
    assert tenant.provider_bytes == len('"gASVblob"')
    assert tenant.inputs_bytes < tenant.outputs_bytes < tenant.entry_bytes
    assert tenant.pulumi_entry_bytes > tenant.entry_bytes


def test_lean_tenants_yaml__declares_the_definitions_and_lean_tenants(tmp_path: Path) -> None:
    lean_tenants_yaml(tmp_path / "t.yaml", 3)

    document = yaml.safe_load((tmp_path / "t.yaml").read_text())
    assert document["tenantAttributes"] == LEAN_ATTRIBUTES
    assert [t["id"] for t in document["tenants"]] == ["c00000", "c00001", "c00002"]
    assert set(document["tenants"][0]) == {
        "id",
        "name",
        "selfProvisioningDomains",
        "customAttributes",
    }


def test_checkpoint_lines__print_the_measurement_and_a_row_per_projection() -> None:
    kinds = kind_sizes({"stack": "dev", "project": "p", "resources": [_resource("tenant-a")]})
    result = CheckpointResult(
        tenants=1, resources=1, saves=2, serialized_bytes=2_500, save_seconds=0.01,
        up_wall_s=1.0, state_bytes=1_200, seconds_per_mb=0.15, kinds=kinds,
        standin_projection=2_400,
        projections=[project_up(n, 1_800, 500, 0.15) for n in (1, 1_000, 10_000, 50_000)],
        pulumi_average_entry_bytes=1_800,
    )  # fmt: skip

    lines = checkpoint_lines(result)

    assert "1 lean tenants (1 resources), 2 saves, 2.5 KB serialized" in lines[0]
    assert lines[2].startswith("Tenant")
    assert any(line.lstrip().startswith("50,000") and " h" in line for line in lines)
    assert result.to_json()["kinds"][TENANT]["count"] == 1
