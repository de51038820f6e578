"""The bench over a real link: TLS, a round-trip time per direction, connections counted.

`linked_lab` starts the emulator serving HTTPS with a certificate made at start
(``--tls-cert``), puts a `bench.relay.Relay` in front of it that delays each direction by half
the round-trip time (so TCP and TLS handshakes cost what they cost), and a provider host that
trusts that certificate only (``SSL_CERT_FILE`` in its environment, which the SDK's TLS context
reads). `timed` measures one phase (create, no-change preview, refresh of every tenant): API
calls counted by the emulator, connections the host opened through the relay, wall time, and
its ratio to the lower bound ``calls x RTT / calls in flight``; and where the time went: the
calls in flight on average and one call's time as the relay saw them (their product with
the RTT is the ratio), each process's CPU per tenant and its time waiting for a CPU (the
machine is shared: a busy machine makes each process wait, which lowers the calls in flight).

`measure_rate_limit` runs against an emulator enforcing Descope's per-IP limit
(``--descope-rate-limits``: 1,000 requests per 10 s) with no added latency, fast enough to
pass that limit, and reports the 429s it got (none: the host's request budget,
`providers.budget`, holds it below) and its busiest 10 s.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pulumi.dynamic import ResourceProvider

from bench.lab import (
    CONCURRENCY,
    TENANT_TOKEN,
    EmulatorProcess,
    Job,
    Lab,
    cpu_seconds,
    shows_change,
    thread_waits,
    up_job,
    waited_between,
)
from bench.relay import Relay
from bench.report import LinkRow, RateLimitResult
from bench.workload import tenant_props, tenant_spec
from standin.resource import SingleResource

RTTS_MS = (20.0, 50.0)
"""Round-trip times of the link rows: a nearby region, and across an ocean."""

R = TypeVar("R")


@contextmanager
def linked_lab(rtt_ms: float) -> Iterator[tuple[EmulatorProcess, Relay, Lab]]:
    """An HTTPS emulator, a relay with `rtt_ms` in front of it, and a provider host pointed at
    the relay that trusts the emulator's certificate and no other."""
    with tempfile.TemporaryDirectory(prefix="descope-bench-tls-") as folder:
        certificate = Path(folder) / "emulator-certificate.pem"
        with EmulatorProcess(tls_certificate=certificate) as emulator:
            split = urlsplit(emulator.url)
            upstream = (split.hostname or "127.0.0.1", split.port or 443)
            with (
                Relay(upstream, rtt=rtt_ms / 1000, scheme="https") as relay,
                Lab(relay.url, host_env={"SSL_CERT_FILE": str(certificate)}) as lab,
            ):
                yield emulator, relay, lab


def timed(
    operation: str,
    count: int,
    rtt_ms: float,
    lab: tuple[EmulatorProcess, Relay],
    action: Callable[[], R],
    *,
    host_pid: int,
) -> tuple[LinkRow, R]:
    """Run `action` (one phase over `count` tenants) and measure it; also its result."""
    emulator, relay = lab
    emulator.reset_counters()
    relay.reset_connections()
    pids = {"host": host_pid, "emulator": emulator.process.pid, "bench": os.getpid()}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    waits_before = {name: thread_waits(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    result = action()
    wall = time.perf_counter() - started
    cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    waits_after = {name: thread_waits(pid) for name, pid in pids.items()}
    traffic = relay.traffic_seen()
    calls = emulator.api_calls()
    bound = calls * (rtt_ms / 1000) / CONCURRENCY

    def per_tenant(seconds: float) -> float:
        return round(1000 * seconds / count, 2)

    cpu_ms = {name: per_tenant(cpu_after[name] - cpu_before[name]) for name in pids}
    cpu_ms["relay"] = per_tenant(traffic.relay_cpu_s)
    on_path_ms = count * (cpu_ms["host"] + cpu_ms["emulator"] + cpu_ms["bench"] - cpu_ms["relay"])
    network_ms = calls * rtt_ms
    row = LinkRow(
        rtt_ms=rtt_ms,
        tenants=count,
        operation=operation,
        calls=calls,
        calls_per_tenant=round(calls / count, 3),
        connections=relay.connections,
        in_flight=CONCURRENCY,
        wall_s=round(wall, 3),
        bound_s=round(bound, 3),
        ratio=round(wall / bound, 3) if bound else None,
        mean_in_flight=round(traffic.busy_s / wall, 2),
        call_ms=round(1000 * traffic.busy_s / traffic.exchanges, 2) if traffic.exchanges else 0.0,
        relay_late_ms=round(traffic.late_ms_per_chunk, 3),
        idle_ratio=round(1 + on_path_ms / network_ms, 3) if calls else None,
        cpu_ms=cpu_ms,
        waited_ms={
            name: per_tenant(waited_between(waits_before[name], waits_after[name])) for name in pids
        },
    )
    return row, result


def phases(
    lab: Lab, emulator: EmulatorProcess, relay: Relay, rtt_ms: float, jobs: Sequence[Job]
) -> list[LinkRow]:
    """Create every tenant of `jobs`, preview them (nothing to change), refresh them."""
    count = len(jobs)

    def phase(operation: str, action: Callable[[], R]) -> tuple[LinkRow, R]:
        return timed(operation, count, rtt_ms, (emulator, relay), action, host_pid=lab.host_pid)

    rows = [phase("create", lambda: lab.run_all(jobs, up_job))[0]]
    row, changes = phase("no-change preview", lambda: lab.run_all(jobs, shows_change))
    if any(changes):
        raise RuntimeError("the no-change preview shows changes")
    rows.append(row)
    resources = [job[0] for job in jobs]
    row, present = phase("refresh", lambda: lab.run_all(resources, SingleResource.refresh))
    if not all(present):
        raise RuntimeError("the refresh lost tenants that were just created")
    rows.append(row)
    return rows


def tenant_jobs(lab: Lab, count: int, provider: ResourceProvider, prefix: str = "t") -> list[Job]:
    """`count` generated tenants as resources not created yet, with their inputs."""
    specs = [tenant_spec(i, prefix=prefix) for i in range(count)]
    return [
        (lab.resource(TENANT_TOKEN, f"tenant-{s['id']}", provider), tenant_props(s)) for s in specs
    ]


def measure_link(count: int, rtt_ms: float, provider: ResourceProvider) -> list[LinkRow]:
    """The three phases over `count` tenants through a link of `rtt_ms`."""
    with linked_lab(rtt_ms) as (emulator, relay, lab):
        return phases(lab, emulator, relay, rtt_ms, tenant_jobs(lab, count, provider))


def measure_rate_limit(count: int, provider: ResourceProvider) -> RateLimitResult:
    """Create then refresh `count` tenants, as fast as the host goes, against an emulator
    enforcing Descope's limit per IP; the 429s and the busiest 10 s window."""
    with (
        EmulatorProcess(extra_args=["--descope-rate-limits"]) as emulator,
        Lab(emulator.url) as lab,
    ):
        jobs = tenant_jobs(lab, count, provider)
        emulator.reset_counters()
        started = time.perf_counter()
        lab.run_all(jobs, up_job)
        lab.run_all([job[0] for job in jobs], SingleResource.refresh)
        wall = time.perf_counter() - started
        counters = emulator.counters()
        calls = emulator.api_calls()
        response = emulator.admin.get("/emulator/rate-limit")
        response.raise_for_status()
        state: dict[str, Any] = response.json()
    return RateLimitResult(
        tenants=count,
        limit=int(state["limit"]),
        window_s=float(state["windowSeconds"]),
        calls=calls,
        wall_s=round(wall, 3),
        calls_per_s=round(calls / wall, 1),
        busiest_window=int(state["busiest"]),
        responses_429=int(counters["faultsByKind"].get("429", 0)),
    )
