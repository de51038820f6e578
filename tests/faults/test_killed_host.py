"""The provider host killed with SIGKILL in the middle of a `pulumi up` that creates, updates
or deletes 20 tenants and 3 flows, then the next `pulumi up`, both played by the stand-in
engine's rules (`standin.engine`: a call whose answer was lost with the host stays a pending
operation in the state; the next run makes a pending create again as a resumed create, which
the providers recognise by their ownership rules, and reads a resource with a pending update or
delete before deciding its step).

The rerun converges at once, without anyone setting ``adopt``: no tenant or flow lost or
duplicated, Descope as configured, outputs equal to Descope (a refresh finds no drift), and a
further `up` has nothing to do. The kill point is drawn from the logged seed
(``FAULT_SEED=<n>`` replays it).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.lab import FLOW_TOKEN, TENANT_TOKEN
from bench.workload import flow_export, tenant_props, tenant_spec
from emulator.server import EmulatorServer
from model.flow import content_hash, normalise_flow_export
from providers.content import holds
from providers.flow import FlowProvider
from providers.tenant import TenantProvider
from standin.engine import Engine
from standin.host import ProviderHost
from standin.program import Registration, urn_of
from standin.results import Result
from standin.snapshot import StackState
from tests.faults.conftest import HOST_ENV, MANAGEMENT_KEY, PROJECT_ID
from tests.faults.proxy import ProxyServer
from tests.faults.scenario import TALLY
from tests.support.host import provider_blob

pytestmark = pytest.mark.engine

TENANTS = 20
FLOWS = 3
STACK = "killed"
WRITES = ("POST", "PATCH")
"""Requests that change Descope (the license handshake and loads are GETs; flow exports are
POSTs but counted too: a kill point among them is as good)."""


class Killer:
    """Kills the host the engine is using when Descope has answered the `after`-th changing
    request of the run, before that answer reaches the host (`ProxyServer.answered`)."""

    def __init__(self, proxy: ProxyServer, after: int | None) -> None:
        self.proxy, self.after = proxy, after
        self.hosts: list[ProviderHost] = []
        self.killed = False
        self.seen = 0
        self.lock = threading.Lock()

    def factory(self, **kwargs: Any) -> ProviderHost:
        host = ProviderHost(**kwargs)
        self.hosts.append(host)
        return host

    def answered(self, method: str, path: str) -> None:
        if method not in WRITES or "/license" in path:
            return
        with self.lock:
            self.seen += 1
            if self.after is not None and self.seen == self.after and self.hosts:
                self.hosts[-1].process.kill()  # SIGKILL: no cleanup of any kind
                self.hosts[-1].process.wait()
                self.killed = True


class Desired:
    """The program's registrations for the tenants and flows a stack declares."""

    def __init__(self) -> None:
        self.tenant_blob = provider_blob(TenantProvider(stack=STACK))
        self.flow_blob = provider_blob(FlowProvider(stack=STACK))
        self.tenants = [tenant_spec(i, prefix="k", settings=i % 2 == 0) for i in range(TENANTS)]
        self.flow_ids = [f"killed-flow-{i}" for i in range(FLOWS)]
        self.revision = 1

    def change_everything(self) -> None:
        for index, spec in enumerate(self.tenants):
            spec["name"] += " v2"
            spec["customAttributes"] = {**spec["customAttributes"], "tier": f"gold-{index}"}
            if "settings" in spec:
                spec["settings"]["sessionTokenExpiration"] = 60 + index
        self.revision += 1

    def registrations(self) -> list[Registration]:
        found = []
        for spec in self.tenants:
            props = tenant_props(spec)
            found.append(self._registration(TENANT_TOKEN, f"tenant-{spec['id']}", props))
        for flow_id in self.flow_ids:
            props = {
                "flowId": flow_id,
                "content": flow_export(flow_id, revision=self.revision),
                "deleteOnRemove": True,
            }
            found.append(self._registration(FLOW_TOKEN, f"flow-{flow_id}", props))
        return found

    def _registration(self, type_: str, name: str, props: dict[str, Any]) -> Registration:
        blob = self.tenant_blob if type_ == TENANT_TOKEN else self.flow_blob
        return Registration(
            urn=urn_of(STACK, "descope-config", type_, name),
            type=type_,
            name=name,
            inputs={**props, "__provider": blob},
            protect=False,
            retain_on_delete=False,
            delete_before_replace=None,
            aliases=(),
            dependencies=(),
            additional_secret_outputs=(),
        )


@pytest.fixture
def config(proxy: ProxyServer, tmp_path: Path) -> dict[str, str]:
    return {
        "descope:projectId": PROJECT_ID,
        "descope:managementKey": MANAGEMENT_KEY,
        "descope:baseUrl": proxy.url,
        "descope-config:backupDir": str(tmp_path / "backups"),
    }


@pytest.fixture
def admin(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, timeout=30) as client:
        yield client


def up(
    proxy: ProxyServer,
    state: StackState,
    desired: Desired,
    config: dict[str, str],
    kill_after: int | None = None,
    registrations: list[Registration] | None = None,
) -> tuple[Result, bool]:
    """One `pulumi up` (the host killed at the `kill_after`-th changing request, if given)."""
    killer = Killer(proxy, kill_after)
    engine = Engine(env=HOST_ENV, host_factory=killer.factory)
    proxy.answered = killer.answered
    try:
        result = engine.up(
            state,
            desired.registrations() if registrations is None else registrations,
            config,
            ("descope:managementKey",),
        )
    finally:
        proxy.answered = None
    return result, killer.killed


def rerun(
    proxy: ProxyServer,
    state: StackState,
    desired: Desired,
    config: dict[str, str],
    *,
    gone: bool,
) -> StackState:
    """The user's next `pulumi up`: it must succeed, with nothing left pending."""
    result, _ = up(proxy, state, desired, config, registrations=[] if gone else None)
    TALLY.kill_reruns += 1
    assert result.ok, result.errors
    assert result.state.pending == []
    return result.state


def check_converged(admin: httpx.Client, state: StackState, desired: Desired, gone: bool) -> None:
    held = admin.get("/emulator/state").json()
    tenant_ids = sorted(t["id"] for t in held["tenants"])
    assert len(tenant_ids) == len(set(tenant_ids))
    if gone:
        assert tenant_ids == []
        assert not set(desired.flow_ids) & set(held["flows"])
        assert state.names() == []
        return
    assert tenant_ids == sorted(s["id"] for s in desired.tenants)
    by_id = {t["id"]: t for t in held["tenants"]}
    for spec in desired.tenants:
        resource = state.by_name(f"tenant-{spec['id']}")
        tenant = by_id[spec["id"]]
        for key in ("name", "selfProvisioningDomains", "customAttributes"):
            assert tenant[key] == spec[key], (spec["id"], key)
            assert resource.outputs[key] == tenant[key], (spec["id"], key)
        if "settings" in spec:
            settings = held["settings"][spec["id"]]
            for key, value in spec["settings"].items():
                assert settings[key] == value, (spec["id"], key)
    for flow_id in desired.flow_ids:
        wanted = normalise_flow_export(flow_export(flow_id, revision=desired.revision))
        stored = normalise_flow_export(held["flows"][flow_id])
        assert holds(stored, wanted), flow_id
        assert state.by_name(f"flow-{flow_id}").outputs["deployedHash"] == content_hash(stored)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("point", ["early", "late"])
@pytest.mark.parametrize("phase", ["create", "update", "delete"])
def test_a_host_killed_mid_run_is_repaired_by_the_next_up(
    phase: str,
    point: str,
    proxy: ProxyServer,
    config: dict[str, str],
    admin: httpx.Client,
    seed: int,
) -> None:
    rng = random.Random(f"{seed}-{phase}-{point}")
    desired = Desired()
    state = StackState(STACK)
    if phase != "create":
        result, _ = up(proxy, state, desired, config)
        assert result.ok, result.errors
        state = result.state
    if phase == "update":
        desired.change_everything()
    gone = phase == "delete"
    with_settings = len([t for t in desired.tenants if "settings" in t])
    total = {  # the changing requests of the whole run (flow exports are POSTs)
        "create": TENANTS + with_settings + 2 * FLOWS,
        "update": TENANTS + with_settings + 2 * FLOWS,
        "delete": TENANTS + 2 * FLOWS,
    }[phase]
    third = total // 3
    after = rng.randint(1, third) if point == "early" else rng.randint(third + 1, total)

    killed_run, killed = up(
        proxy, state, desired, config, kill_after=after, registrations=[] if gone else None
    )
    assert killed, f"seed {seed}: the host was never killed (after {after} writes)"
    assert not killed_run.ok
    TALLY.kills += 1

    state = rerun(proxy, killed_run.state, desired, config, gone=gone)
    check_converged(admin, state, desired, gone)
    if not gone:
        engine = Engine(env=HOST_ENV)
        refreshed = engine.refresh(state)
        assert refreshed.ok, refreshed.errors
        assert [s for s in refreshed.steps if s.op != "read"] == []
        again = engine.up(
            refreshed.state, desired.registrations(), config, ("descope:managementKey",)
        )
        assert again.ok, again.errors
        assert [s.name for s in again.changes] == [], again.summary()
