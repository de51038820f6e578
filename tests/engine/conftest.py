"""Fixtures for engine-protocol tests: the emulator over HTTP and the real provider host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from tests.contract.checker import CONTRACT, contract_kept
from tests.support.host import ProviderHost
from tests.support.project import PROGRAM_PROJECT, TEST_PROJECT

PROJECT_ID = "Pengine00000000000000000000000"
MANAGEMENT_KEY = "K-engine-test-secret-0123456789"


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """One emulator for the session, over real HTTP on loopback."""
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, **TEST_PROJECT
    ).start()
    CONTRACT.attach(server.app)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _clean_emulator(emulator: EmulatorServer) -> None:
    httpx.post(f"{emulator.url}/emulator/reset").raise_for_status()


@pytest.fixture(scope="session")
def program_server() -> Iterator[EmulatorServer]:
    """The emulator the program is played against: a project with the built-in roles only
    (`tests.support.project.PROGRAM_PROJECT`), since the program creates the example stacks'
    permissions and roles itself."""
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, **PROGRAM_PROJECT
    ).start()
    CONTRACT.attach(server.app)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def program_emulator(program_server: EmulatorServer) -> EmulatorServer:
    """`program_server`, reset for the test."""
    httpx.post(f"{program_server.url}/emulator/reset").raise_for_status()
    return program_server


@pytest.fixture(scope="session")
def stack_config(emulator: EmulatorServer) -> dict[str, str]:
    """The stack config the engine would send in Configure."""
    return {
        "descope:projectId": PROJECT_ID,
        "descope:managementKey": MANAGEMENT_KEY,
        "descope:baseUrl": emulator.url,
    }


@pytest.fixture(scope="session")
def host(stack_config: dict[str, str]) -> Iterator[ProviderHost]:
    """One provider host process for the session, configured like `pulumi up` configures it."""
    with ProviderHost() as provider_host:
        provider_host.configure(stack_config)
        yield provider_host


@pytest.fixture
def descope(emulator: EmulatorServer) -> DescopeClient:
    """A real SDK client on the same emulator, for arranging and asserting out of band."""
    return DescopeClient(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, base_url=emulator.url
    )


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture(autouse=True)
def _held_to_descopes_api_description() -> Iterator[None]:
    """Every answer the emulator gives in the test fits Descope's published description."""
    yield from contract_kept()
