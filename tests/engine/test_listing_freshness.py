"""A tenant listing never outlives its command: two refreshes through one provider host.

Pulumi starts a host per command, but a host may serve several (a test's, a tool's): the
stand-in engine configures the host at the start of each command, as the engine does, and a
read of the second command must not be answered from the first one's ``tenant/all`` listing,
however close together they run (`providers.listing`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from providers.tenant import TenantProvider
from standin.engine import Engine
from standin.snapshot import ResourceState, StackState
from tests.support.host import ProviderHost, ResourceUnderTest

pytestmark = pytest.mark.engine

TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
LISTING = "GET /v1/mgmt/tenant/all"
LATENCY = {"latencyMs": 20}
"""Per call: the first refresh's reads overlap, so they share a listing."""


class KeptOpen:
    """One host handed to every command of an `Engine`, closed by the test, not the command."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host

    def __getattr__(self, name: str) -> Any:
        return getattr(self.host, name)

    def close(self) -> None:
        """Left open for the next command."""


@pytest.fixture
def shared_host(stack_config: dict[str, str]) -> Iterator[ProviderHost]:
    with ProviderHost() as provider_host:
        provider_host.configure(stack_config)
        yield provider_host


def listings(emulator: EmulatorServer) -> int:
    response = httpx.get(f"{emulator.url}/emulator/counters")
    response.raise_for_status()
    return int(response.json()["requests"].get(LISTING, 0))


def created(host: ProviderHost, backup_dir: Path, tenant_id: str) -> ResourceState:
    resource = ResourceUnderTest(
        host, TenantProvider(backup_dir=str(backup_dir)), TENANT_TYPE, f"tenant-{tenant_id}"
    )
    resource.up({"tenantId": tenant_id, "name": f"Tenant {tenant_id}"})
    return ResourceState(resource.urn, TENANT_TYPE, resource.id, resource.inputs, resource.outputs)


def test_refresh__never_answered_from_the_previous_commands_listing(
    shared_host: ProviderHost,
    stack_config: dict[str, str],
    emulator: EmulatorServer,
    descope: DescopeClient,
    backup_dir: Path,
) -> None:
    """`pulumi refresh`, a console edit, `pulumi refresh --target tenant-x`: one host."""
    many = [created(shared_host, backup_dir, f"t{i}") for i in range(6)]
    x = created(shared_host, backup_dir, "x")
    engine = Engine(host_factory=lambda **_: cast(ProviderHost, KeptOpen(shared_host)))
    httpx.post(f"{emulator.url}/emulator/faults", json=LATENCY).raise_for_status()
    before = listings(emulator)

    first = engine.refresh(StackState("dev", resources=many), config=stack_config)
    assert first.ok, first.errors
    assert listings(emulator) == before + 1  # the listing (holding x) was fetched
    descope.mgmt.tenant.update("x", name="Renamed in the console")
    second = engine.refresh(StackState("dev", resources=[x]), config=stack_config)

    assert second.ok, second.errors
    assert [s.op for s in second.steps] == ["drift"]
    assert second.state.by_name("tenant-x").outputs["name"] == "Renamed in the console"
