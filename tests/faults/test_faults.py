"""Create, update and delete 20 tenants and 3 flows through the real provider host while the
emulator injects faults (429 storms with Retry-After, 503 and 500 bursts, slow answers,
dropped connections, and all of them mixed); then stop the faults and re-run as a user re-runs
``pulumi up``: resources the host reported as failed are repeated, the others continue from
their recorded state. Descope must then equal the configuration, with no duplicate or lost
tenant or flow, and recorded outputs that match Descope.

Fault parameters (burst sizes, targeted endpoint, rate limits) are drawn from a logged seed:
``FAULT_SEED=<n>`` replays a run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from tests.faults.scenario import (
    FAULT_KINDS,
    MAX_ROUNDS,
    PHASES,
    TALLY,
    FaultKind,
    Phase,
    World,
    attempt_all,
    check_converged,
    fault_plan,
)
from tests.support.host import ProviderHost

pytestmark = pytest.mark.engine

TENANTS = 20
FLOWS = 3


@pytest.fixture
def world(host: ProviderHost, emulator: EmulatorServer, tmp_path: Path) -> Iterator[World]:
    built = World(host, emulator.url, str(tmp_path / "backups"), TENANTS, FLOWS)
    try:
        yield built
    finally:
        built.close()


def _converge(world: World, context: str) -> None:
    for _ in range(MAX_ROUNDS):
        TALLY.rounds += 1
        errors = attempt_all(world, world.pending())
        if not errors:
            return
    pytest.fail(f"{context}: still failing without faults: {errors[0].last_line}")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("phase", PHASES)
def test_faults_during_a_phase_converge_on_rerun(
    phase: Phase, kind: FaultKind, world: World, seed: int
) -> None:
    rng = random.Random(f"{seed}-{phase}-{kind}")
    plan = fault_plan(kind, phase, rng)
    context = f"seed {seed}, {phase} under {kind} faults {plan}"

    # arrange: what exists before the phase, built without faults
    if phase in ("update", "delete"):
        _converge(world, context + " (setup)")
        check_converged(world, context + " (setup)")
    if phase == "update":
        world.change_everything()
    if phase == "delete":
        world.deleted = True

    before = world.counters()["faultsByKind"]
    world.set_faults(plan)
    TALLY.rounds += 1
    first = attempt_all(world, world.pending())
    world.set_faults({})
    after = world.counters()["faultsByKind"]
    injected = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    TALLY.faults.update({k: v for k, v in injected.items() if v})
    TALLY.runs += 1
    TALLY.plans.append(kind)

    for error in first:
        # what the user reads: the provider's own words, not an unexplained traceback
        assert error.last_line.strip(), context
        assert "Traceback" not in error.last_line, context

    _converge(world, context)
    check_converged(world, context)

    if not world.deleted:
        # a further `pulumi up` sees nothing to do, and a refresh finds no drift
        errors = attempt_all(world, world.pending())
        assert not errors, context
        for resource in world.resources:
            recorded = dict(resource.outputs)
            assert world.host.read(resource.id, resource.urn, recorded, resource.inputs)[0]
        check_converged(world, context + " (after refresh)")
