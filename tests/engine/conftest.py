"""Fixtures for engine-protocol tests: the emulator over HTTP and the real provider host (the
suite's plugin serves them, `tests.support.emulated`), and the program's own emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from tests.support.emulated import EmulatedProject, EmulatorPool
from tests.support.project import PROGRAM_PROJECT, TEST_PROJECT

PROJECT_ID = "Pengine00000000000000000000000"
MANAGEMENT_KEY = "K-engine-test-secret-0123456789"

EMULATED = EmulatedProject(PROJECT_ID, MANAGEMENT_KEY, TEST_PROJECT, contract=True)
"""The providers' project: reset for every test, one session host, held to Descope's
description."""

PROGRAM = EmulatedProject(PROJECT_ID, MANAGEMENT_KEY, PROGRAM_PROJECT, contract=True)
"""The project the program is played against: the built-in roles only
(`tests.support.project.PROGRAM_PROJECT`), since the program creates the example stacks'
permissions and roles itself."""


@pytest.fixture
def emulated() -> EmulatedProject:
    return EMULATED


@pytest.fixture
def program_emulator(emulator_pool: EmulatorPool) -> EmulatorServer:
    """The program's emulator (`PROGRAM`), reset for the test."""
    return emulator_pool.reset(PROGRAM)


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    return tmp_path / "backups"
