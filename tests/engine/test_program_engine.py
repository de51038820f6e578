"""The program, per example stack, as `pulumi up` plays it: the stand-in engine's rules
(`standin.engine`) through the real provider host, against the emulator over HTTP.

Each scenario (`tests.support.scenarios`) is what a user does week after week; the real-CLI
test in tests/e2e plays the same ones where the pulumi CLI is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from standin.engine import Engine
from tests.support.scenarios import SCENARIOS, cases
from tests.support.standin import StandIn

pytestmark = pytest.mark.engine

FAST_RETRIES = {
    "DESCOPE_CONFIG_RETRY_BACKOFF": "0.01",
    "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT": "3",
    "DESCOPE_CONFIG_MAX_ATTEMPTS": "2",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(env=FAST_RETRIES)


@pytest.mark.parametrize(("scenario", "stack"), cases())
def test_scenario(
    scenario: str, stack: str, program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    """Every scenario but the first ``up`` itself starts from a first ``up`` of the stack
    played once in this process (`tests.support.first_up`)."""
    play, _ = SCENARIOS[scenario]
    replay = scenario != "first_up"
    play(
        StandIn(
            stack,
            emulator=program_emulator,
            workdir=tmp_path,
            engine=engine,
            replay_first_up=replay,
        )
    )
