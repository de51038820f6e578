"""The emulated projects' fixtures (a plugin `tests.support.plugin` registers): the emulator
over HTTP and the provider host, defined once for every directory whose tests talk to them.

A directory declares its project as data in its conftest, and nothing else::

    EMULATED = EmulatedProject(PROJECT_ID, MANAGEMENT_KEY, TEST_PROJECT, contract=True)


    @pytest.fixture
    def emulated() -> EmulatedProject:
        return EMULATED

Its tests then have:

- `emulator`: the project's emulator server, reset (`EmulatorApp.reset`, what
  ``POST /emulator/reset`` does) for the test; with `EmulatedProject.reset_every_test`, every
  test of the directory starts on a fresh one whether it asks for it or not (its session host
  and proxies talk to it too).
- `descope`: a real SDK client on it; `stack_config`: the stack config the engine would send
  in Configure.
- `host`: a provider host configured like ``pulumi up`` configures it, with the project's
  `EmulatedProject.host_env`: one for the session, or a fresh one per test
  (`EmulatedProject.host_per_test`, so its stderr belongs to that test).
- with `EmulatedProject.contract`, every answer the emulator gives in a test is held to
  Descope's published description (`tests.contract.checker`).

The servers and session hosts live in `emulator_pool` (session): each distinct project's server
is started once per process (xdist worker), on first use, and all are stopped at the end. The
pool is keyed by the project's description, not by fixture: a session-scoped fixture depending
on the per-directory `emulated` would be computed for the first directory and reused by every
other one. A fixture of a wider scope than the test reaches its server through the pool
(``emulator_pool.server(EMULATED)``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from descope import DescopeClient

from emulator.options import DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID
from emulator.server import EmulatorServer
from standin.host import ProviderHost
from tests.contract.checker import CONTRACT, contract_kept

__all__ = ["EmulatedProject", "EmulatorPool"]


@dataclass(frozen=True)
class EmulatedProject:
    """A Descope project the tests emulate, and how a directory's tests use it."""

    project_id: str = DEFAULT_PROJECT_ID
    management_key: str = field(default=DEFAULT_MANAGEMENT_KEY, repr=False)
    data: Mapping[str, Any] = field(default_factory=dict)
    """What a fresh project holds besides the built-ins: `EmulatorServer` keywords
    (`tests.support.project.TEST_PROJECT`, `PROGRAM_PROJECT`, `DEPLOYED_PROJECT`)."""
    contract: bool = False
    """Whether its answers are held to Descope's published description (`CONTRACT`)."""
    reset_every_test: bool = True
    """Whether every test of the directory starts on a fresh emulator, not only the tests that
    ask for `emulator`."""
    host_env: Mapping[str, str] = field(default_factory=dict)
    """Added to the provider host's environment."""
    host_per_test: bool = False
    """Whether `host` is a fresh host per test rather than one for the session."""

    def stack_config(self, base_url: str) -> dict[str, str]:
        """The stack config the engine sends in Configure, for the emulator at `base_url`."""
        return {
            "descope:projectId": self.project_id,
            "descope:managementKey": self.management_key,
            "descope:baseUrl": base_url,
        }

    @property
    def server_key(self) -> str:
        """What tells one emulator from another: the projects with the same one share it."""
        return json.dumps(
            [self.project_id, self.management_key, self.data, self.contract], sort_keys=True
        )

    @property
    def host_key(self) -> str:
        """What tells one session host from another: the emulator, and the host's environment."""
        return json.dumps([self.server_key, self.host_env], sort_keys=True)


class EmulatorPool:
    """The process's emulator servers, one per distinct project, and its session provider
    hosts, one per (project, host environment); each started on first use."""

    def __init__(self) -> None:
        self._servers: dict[str, EmulatorServer] = {}
        self._hosts: dict[str, ProviderHost] = {}

    def server(self, project: EmulatedProject) -> EmulatorServer:
        """The project's running server, as the last test left it."""
        key = project.server_key
        if key not in self._servers:
            server = EmulatorServer(
                project_id=project.project_id, management_key=project.management_key, **project.data
            ).start()
            if project.contract:
                CONTRACT.attach(server.app)
            self._servers[key] = server
        return self._servers[key]

    def reset(self, project: EmulatedProject) -> EmulatorServer:
        """The project's running server, back to a fresh project."""
        server = self.server(project)
        server.app.reset()
        return server

    def stack_config(self, project: EmulatedProject) -> dict[str, str]:
        return project.stack_config(self.server(project).url)

    def host(self, project: EmulatedProject) -> ProviderHost:
        """The session's provider host for the project, configured on its server."""
        key = project.host_key
        if key not in self._hosts:
            self._hosts[key] = configured_host(project, self.stack_config(project))
        return self._hosts[key]

    def close(self) -> None:
        """Stop every host, then every server."""
        hosts, servers = list(self._hosts.values()), list(self._servers.values())
        self._hosts.clear()
        self._servers.clear()
        for host in hosts:
            host.close()
        for server in servers:
            server.stop()


def configured_host(project: EmulatedProject, stack_config: Mapping[str, str]) -> ProviderHost:
    """A new provider host with the project's environment, configured with `stack_config`."""
    host = ProviderHost(env=project.host_env)
    try:
        host.configure(stack_config)
    except BaseException:
        host.close()
        raise
    return host


@pytest.fixture(scope="session")
def emulator_pool() -> Iterator[EmulatorPool]:
    """The process's emulators and session hosts; all stopped at the end."""
    pool = EmulatorPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def emulated() -> EmulatedProject | None:
    """The directory's emulated project: none; a directory's conftest declares its own."""
    return None


def _declared(emulated: EmulatedProject | None) -> EmulatedProject:
    if emulated is None:
        pytest.fail(
            "this test asks for an emulator, but its directory declares no emulated project: "
            "define the `emulated` fixture in its conftest (see tests/support/emulated.py)"
        )
    return emulated


@pytest.fixture(autouse=True)
def _emulated_project(
    request: pytest.FixtureRequest, emulated: EmulatedProject | None
) -> Iterator[None]:
    """The directory's emulator reset for every test, and its answers held to Descope's
    description, as its project says."""
    if emulated is not None and emulated.reset_every_test:
        request.getfixturevalue("emulator")
    if emulated is not None and emulated.contract:
        yield from contract_kept()
    else:
        yield


@pytest.fixture
def emulator(emulated: EmulatedProject | None, emulator_pool: EmulatorPool) -> EmulatorServer:
    """The directory's emulator over real HTTP on loopback, reset: no state but the project's
    own, no faults, zero counters, default switches."""
    return emulator_pool.reset(_declared(emulated))


@pytest.fixture
def stack_config(emulated: EmulatedProject | None, emulator: EmulatorServer) -> dict[str, str]:
    """The stack config the engine would send in Configure."""
    return _declared(emulated).stack_config(emulator.url)


@pytest.fixture
def descope(emulated: EmulatedProject | None, emulator: EmulatorServer) -> DescopeClient:
    """A real SDK client on the emulator, for arranging and asserting out of band."""
    project = _declared(emulated)
    return DescopeClient(
        project_id=project.project_id, management_key=project.management_key, base_url=emulator.url
    )


@pytest.fixture
def host(
    emulated: EmulatedProject | None, emulator_pool: EmulatorPool, stack_config: dict[str, str]
) -> Iterator[ProviderHost]:
    """A provider host configured like ``pulumi up`` configures it: the session's, or a fresh
    one for the test (`EmulatedProject.host_per_test`)."""
    project = _declared(emulated)
    if not project.host_per_test:
        yield emulator_pool.host(project)
        return
    with configured_host(project, stack_config) as fresh:
        yield fresh
