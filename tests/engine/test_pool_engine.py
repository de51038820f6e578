"""The provider host's one connection pool, behind a relay that closes idle connections.

One host process serves every call (as under one `pulumi up`), so its pool keeps connections
across the pauses; the relay in front of the emulator closes those idle for 0.5 s, as a load
balancer does. Deploys and refreshes in a row, with longer pauses between them, succeed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.relay import Relay
from emulator.server import EmulatorServer
from providers.tenant import TenantProvider
from tests.support.host import ProviderHost, ResourceUnderTest

pytestmark = pytest.mark.engine

TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
IDLE = 0.5
"""How long the relay lets a connection idle before closing it."""


@pytest.fixture
def relay(emulator: EmulatorServer) -> Iterator[Relay]:
    with Relay(emulator.host_and_port, idle_timeout=IDLE) as running:
        yield running


@pytest.fixture
def relay_host(stack_config: dict[str, str], relay: Relay) -> Iterator[ProviderHost]:
    with ProviderHost() as provider_host:
        provider_host.configure({**stack_config, "descope:baseUrl": relay.url})
        yield provider_host


def calls_made(emulator: EmulatorServer) -> int:
    return sum(emulator.app.counters.snapshot()["requests"].values())


def test_deploys_in_a_row_through_a_relay_closing_idle_connections(
    relay_host: ProviderHost, relay: Relay, emulator: EmulatorServer, backup_dir: Path
) -> None:
    resource = ResourceUnderTest(
        relay_host, TenantProvider(backup_dir=str(backup_dir)), TENANT_TYPE, "tenant-acme"
    )
    props = {"tenantId": "acme", "name": "Acme", "defaultRoles": ["member"]}
    before = calls_made(emulator)
    assert resource.up(props) == "create"
    for name in ("Acme Corp", "Acme Inc"):
        time.sleep(IDLE * 1.5)
        assert resource.refresh()
        assert resource.up({**props, "name": name}) == "update"
    assert emulator.app.backend.tenants["acme"].name == "Acme Inc"
    assert relay.connections >= 3  # each pause cost the host its kept connection
    assert relay.connections < calls_made(emulator) - before  # but the calls of a batch share one
    assert relay_host.stderr_text().strip() == ""
