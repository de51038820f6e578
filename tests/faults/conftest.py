"""Fixtures for fault injection: the emulator over HTTP and a provider host with short retry
timing (the suite's plugin serves them, `tests.support.emulated`), a loopback proxy in front of
the emulator, a logged random seed, and a tally of runs, operations and faults printed at the
end.

The seed comes from ``FAULT_SEED`` when set (to replay a failure), else it is random (chosen
once per run by the suite's plugin, `tests.support.plugin`, which prints the summary line); it
is in every assertion message.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.proxy import ProxyServer
from tests.faults.scenario import TALLY, Tally
from tests.support.emulated import EmulatedProject, EmulatorPool
from tests.support.host import REPO_ROOT
from tests.support.project import TEST_PROJECT

PROJECT_ID = "Pfaults000000000000000000000"
MANAGEMENT_KEY = "K-faults-test-secret-0123456789"
SITE_DIR = Path(__file__).resolve().parent / "host_site"

HOST_ENV = {
    # the providers' retry timing (providers/calls.py env knobs): short backoff, short 429 budget
    "DESCOPE_CONFIG_RETRY_BACKOFF": "0.01",
    "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT": "2",
    "DESCOPE_CONFIG_MAX_ATTEMPTS": "4",
    # the SDK's own 503 retry delays (0.1, 5, 5 s), shortened by host_site/sitecustomize.py
    "DESCOPE_TEST_SDK_RETRY_DELAYS": "0.01,0.02,0.02",
    "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(REPO_ROOT)]),
}

EMULATED = EmulatedProject(PROJECT_ID, MANAGEMENT_KEY, TEST_PROJECT, host_env=HOST_ENV)
"""Reset for every test; the session host has the short retry timing (`HOST_ENV`)."""


def _seed() -> int:
    raw = os.environ.get("FAULT_SEED", "").strip()
    return int(raw) if raw else random.SystemRandom().randrange(1, 2**31)


SEED = _seed()


@pytest.fixture(scope="session")
def seed() -> int:
    return SEED


@pytest.fixture
def emulated() -> EmulatedProject:
    return EMULATED


@pytest.fixture(scope="session")
def proxy(emulator_pool: EmulatorPool) -> Iterator[ProxyServer]:
    """The loopback proxy in front of the emulator (`tests.faults.proxy`)."""
    server = ProxyServer(emulator_pool.server(EMULATED).url).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tally() -> Tally:
    return TALLY
