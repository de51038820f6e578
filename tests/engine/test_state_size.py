"""What a lean tenant costs in the state (`bench.checkpoints`), and a state written before the
attribute definitions became a digest: the stand-in deploys lean tenants with the program
itself, through the real provider host, against the emulator.

Pulumi saves the whole state twice per created or updated resource, so on the file backend a
first ``up`` of N tenants serializes about N² entries: every byte of a tenant's entry counts
N² times (docs/sizing.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.checkpoints import LEAN_ATTRIBUTES, deploy_lean, kind_sizes, lean_stack
from providers.references import DIGEST_KEY, definitions_digest
from standin.engine import Engine
from standin.host import PROJECT_DIR
from standin.snapshot import StackState

TENANT = "pulumi-python:dynamic/descope:Tenant"
LEAN_TENANT_BUDGET = 1_300
"""Bytes of a lean tenant's entry in the state file (inputs, outputs, the provider blob, URN,
type, id, options): the attribute definitions are not copied into it, and nothing a stack
setting or another resource holds."""


@pytest.mark.timeout(120)
def test_a_lean_tenant_costs_at_most_1300_bytes_and_an_older_state_shows_no_change(
    tmp_path: Path,
) -> None:
    with lean_stack(4, tmp_path) as stack:
        saves, _, state = deploy_lean(stack)
        document = json.loads(stack.state_path.read_text(encoding="utf-8"))

        tenant = kind_sizes(document)[TENANT]
        assert tenant.count == 4
        assert tenant.entry_bytes <= LEAN_TENANT_BUDGET, tenant
        assert len(saves) == 2 * 4 + 2  # pending + result per create; the config; the end
        for resource in document["resources"]:
            assert "attributeDefinitions" not in resource["inputs"]
            assert resource["inputs"][DIGEST_KEY] == _digest(resource["inputs"])
            assert DIGEST_KEY not in resource["outputs"]

        # The same tenants as the program recorded them before the digest: the definitions
        # of the attributes each uses in its inputs. Neither a preview nor a refresh shows a
        # change, and the next up only writes the digest into the state.
        older = _before_the_digest(state)
        engine = Engine(PROJECT_DIR)
        preview = engine.preview(
            older, stack.registrations, stack.config, ["descope:managementKey"]
        )
        assert preview.ok, preview.errors
        assert preview.changes == []
        refreshed = engine.refresh(older)
        assert refreshed.ok, refreshed.errors
        assert refreshed.changes == []
        up = engine.up(older, stack.registrations, stack.config, ["descope:managementKey"])
        assert up.changes == []
        assert all(DIGEST_KEY in r.inputs for r in up.state.resources)
        assert not any("attributeDefinitions" in r.inputs for r in up.state.resources)


def _digest(inputs: dict[str, Any]) -> str:
    return definitions_digest({n: _as_data(n) for n in sorted(inputs["customAttributes"])})


def _as_data(name: str) -> dict[str, Any]:
    definition = LEAN_ATTRIBUTES[name]
    return {
        "type": definition["type"],
        "displayName": definition["displayName"],
        "options": definition.get("options"),
    }


def _before_the_digest(state: StackState) -> StackState:
    older = state.copy()
    for resource in older.resources:
        inputs = {k: v for k, v in resource.inputs.items() if k != DIGEST_KEY}
        inputs["attributeDefinitions"] = {
            name: {k: v for k, v in _as_data(name).items() if v is not None}
            for name in sorted(inputs["customAttributes"])
        }
        resource.inputs = inputs
    return older
