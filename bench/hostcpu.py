"""The provider host's CPU per gRPC call, and where it goes.

`measure_host_cpu` drives tenants through Pulumi's own dynamic-provider host (`bench.lab.Lab`,
4 calls in flight, no added latency) in two phases: *create* (Check + Create per tenant, two
API calls each) and *no-change preview* (Check + Diff per tenant, no API call), and reads the
host's CPU (user + system, every thread: gRPC's own included) per gRPC call from ``/proc``.

With `profile` set, a second host runs the same phases under `cProfile`, one profiler per
thread counting thread CPU time (`time.thread_time`), started by a ``sitecustomize`` module
put first on the host's ``PYTHONPATH``; ``SIGUSR1`` makes the host write every thread's
statistics to a file and start afresh. `attribute` then shares a phase's self time out among
gRPC/protobuf, the SDK's property (de)serialization, dill, our providers, pydantic, the
Descope SDK, httpx and the rest (CPU cProfile does not see, gRPC's C threads, is the
difference from the ``/proc`` figure). ``python -m bench.hostcpu`` prints both.
"""

from __future__ import annotations

import argparse
import marshal
import os
import pstats
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.lab import (
    REPO_ROOT,
    TENANT_TOKEN,
    EmulatorProcess,
    Lab,
    cpu_seconds,
    shows_change,
    up_job,
)
from bench.report import HostCpuRow
from bench.workload import tenant_props, tenant_spec

PROFILER = """\
import cProfile, marshal, os, signal, threading, time

_profiles = []
_lock = threading.Lock()


def _start(frame, event, arg):
    profile = cProfile.Profile(time.thread_time)
    with _lock:
        _profiles.append(profile)
    profile.enable()


def _dump(signum, frame):
    merged = {}
    with _lock:
        for profile in _profiles:
            profile.snapshot_stats()
            for key, (cc, nc, tt, ct, callers) in profile.stats.items():
                if key in merged:
                    cc0, nc0, tt0, ct0, callers0 = merged[key]
                    for caller, value in callers.items():
                        old = callers0.get(caller)
                        callers0[caller] = value if old is None else tuple(
                            a + b for a, b in zip(old, value)
                        )
                    merged[key] = (cc0 + cc, nc0 + nc, tt0 + tt, ct0 + ct, callers0)
                else:
                    merged[key] = (cc, nc, tt, ct, dict(callers))
            profile.clear()
    path = os.environ["DESCOPE_HOST_PROFILE"]
    with open(path + ".tmp", "wb") as out:
        marshal.dump(merged, out)
    os.replace(path + ".tmp", path)


if os.environ.get("DESCOPE_HOST_PROFILE"):
    threading.setprofile(_start)
    signal.signal(signal.SIGUSR1, _dump)
"""
"""The host's ``sitecustomize``: a profiler in every thread started after it, dumped on
SIGUSR1."""

CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("our providers and models", ("/providers/", "/model/")),
    ("property (de)serialization (SDK rpc)", ("pulumi/runtime/rpc", "pulumi/output")),
    ("dill / pickle", ("dill/", "pickle", "_serialization")),
    ("pydantic", ("pydantic",)),
    ("Descope SDK", ("descope/",)),
    ("httpx / TLS / sockets", ("httpx", "httpcore", "h11", "ssl", "socket", "anyio", "certifi")),
    ("asyncio (an event loop per call)", ("asyncio", "selectors")),
    (
        "gRPC / protobuf, its thread pool",
        ("grpc", "google/protobuf", "concurrent/futures", "proto", "threading", "queue"),
    ),
    ("ABC and awaitable checks (mostly SDK rpc)", ("<frozen abc>", "inspect.py", "typing")),
    ("host's per-call settings, dispatch", ("pulumi/dynamic", "pulumi/runtime", "contextvars")),
    ("logging", ("logging",)),
)
"""Categories of a function's self time, by the first match in its file path; builtins are
counted with their caller's category."""


def _category(filename: str) -> str:
    for name, needles in CATEGORIES:
        if any(needle in filename for needle in needles):
            return name
    return "other"


def attribute(stats: pstats.Stats, calls: int) -> dict[str, float]:
    """Self CPU time per gRPC call (ms) by category; a builtin (``~``) counts for its callers'
    categories, shared as its callers' time."""
    totals: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        if filename == "~":
            spent = sum(value[2] for value in callers.values()) or 1.0
            for (caller_file, _l, _n), value in callers.items():
                share = tottime * value[2] / spent
                category = _category(caller_file)
                totals[category] = totals.get(category, 0.0) + share
            continue
        category = _category(filename)
        totals[category] = totals.get(category, 0.0) + tottime
    return {k: round(1000 * v / max(calls, 1), 3) for k, v in sorted(totals.items())}


def _function_name(key: tuple[str, int, str]) -> str:
    """``file:line(function)``, or the builtin's name."""
    filename, line, name = key
    return name if filename == "~" else f"{filename}:{line}({name})"


def top_cumulative(stats: pstats.Stats, calls: int, limit: int = 25) -> list[str]:
    """The `limit` entries of most cumulative time: ms per gRPC call and the function."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda item: item[1][3], reverse=True)[:limit]
    return [
        f"{1000 * ct / max(calls, 1):8.3f} ms  {_function_name(key)}"
        for key, (_cc, _nc, _tt, ct, _callers) in rows
    ]


@contextmanager
def _profiled_env() -> Iterator[tuple[dict[str, str], Path]]:
    with tempfile.TemporaryDirectory(prefix="descope-host-profile-") as folder:
        Path(folder, "sitecustomize.py").write_text(PROFILER, encoding="utf-8")
        out = Path(folder) / "stats.marshal"
        env = {
            "PYTHONPATH": os.pathsep.join([folder, str(REPO_ROOT)]),
            "DESCOPE_HOST_PROFILE": str(out),
        }
        yield env, out


def _snapshot(pid: int, out: Path) -> pstats.Stats:
    """Have the host write its profile (and start afresh); read it."""
    out.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 30
    while not out.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the provider host wrote no profile")
        time.sleep(0.05)
    stats = pstats.Stats()
    stats.stats = marshal.loads(out.read_bytes())  # type: ignore[attr-defined]
    return stats


def _phases(
    lab: Lab, count: int, mark: Callable[[], None], done: Callable[[str, int, int], None]
) -> None:
    from providers.tenant import TenantProvider  # noqa: PLC0415 - as bench.run does

    with tempfile.TemporaryDirectory(prefix="descope-host-cpu-") as backups:
        provider = TenantProvider(backup_dir=backups)
        warm = lab.resource(TENANT_TOKEN, "tenant-warm", provider)  # imports, handshake, caches
        warm.up(tenant_props(tenant_spec(0, prefix="warm")))
        warm.preview(tenant_props(tenant_spec(0, prefix="warm")))
        specs = [tenant_spec(i, prefix="cpu") for i in range(count)]
        jobs = [
            (lab.resource(TENANT_TOKEN, f"tenant-{s['id']}", provider), tenant_props(s))
            for s in specs
        ]
        mark()
        lab.run_all(jobs, up_job)
        done("create", count, 2 * count)
        mark()
        changes = sum(lab.run_all(jobs, shows_change))
        if changes:
            raise RuntimeError(f"a no-change preview showed {changes} change(s)")
        done("no-change preview", count, 2 * count)


@contextmanager
def _lab(latency_ms: float, tls: bool, env: dict[str, str]) -> Iterator[Lab]:
    """An emulator answering after `latency_ms` (over HTTPS when `tls`) and a host for it."""
    with tempfile.TemporaryDirectory(prefix="descope-host-cpu-tls-") as folder:
        certificate = Path(folder) / "emulator-certificate.pem" if tls else None
        host_env = {**env, "SSL_CERT_FILE": str(certificate)} if certificate else env
        with (
            EmulatorProcess(tls_certificate=certificate) as emulator,
            Lab(emulator.url, host_env=host_env) as lab,
        ):
            emulator.set_faults({"latencyMs": latency_ms} if latency_ms else {})
            yield lab


def measure_host_cpu(
    count: int = 300, *, profile: bool = False, latency_ms: float = 0.0, tls: bool = False
) -> list[HostCpuRow]:
    """Host CPU per gRPC call of `count` tenant creates and `count` no-change previews, the
    emulator answering after `latency_ms`, over HTTPS when `tls`; with `profile`, each phase's
    attribution from a second, profiled host."""
    phases: list[HostCpuRow] = []
    with _lab(latency_ms, tls, {}) as lab:
        started = [0.0]

        def mark() -> None:
            started[0] = cpu_seconds(lab.host_pid)

        def done(name: str, tenants: int, calls: int) -> None:
            spent = 1000 * (cpu_seconds(lab.host_pid) - started[0])
            phases.append(
                HostCpuRow(name, tenants, calls, round(spent / calls, 2), round(spent / tenants, 2))
            )

        _phases(lab, count, mark, done)
    if not profile:
        return phases
    by_name = {phase.name: phase for phase in phases}
    with _profiled_env() as (env, out), _lab(latency_ms, tls, env) as lab:

        def profile_mark() -> None:
            _snapshot(lab.host_pid, out)

        def profile_done(name: str, _tenants: int, calls: int) -> None:
            stats = _snapshot(lab.host_pid, out)
            by_name[name].profile = attribute(stats, calls)
            by_name[name].top = top_cumulative(stats, calls)

        _phases(lab, count, profile_mark, profile_done)
    return phases


def report(phases: Sequence[HostCpuRow]) -> str:
    """The phases as printed by ``python -m bench.hostcpu``."""
    lines: list[str] = []
    for phase in phases:
        lines.append(
            f"{phase.name}, {phase.count} tenants: host CPU {phase.host_cpu_ms_per_call:.2f} ms "
            f"per gRPC call, {phase.host_cpu_ms_per_tenant:.2f} ms per tenant (/proc, all threads)"
        )
        if phase.profile:
            seen = sum(phase.profile.values())
            lines.append(f"  profiled (self thread-CPU, ms per gRPC call; sum {seen:.2f}):")
            for name, ms in sorted(phase.profile.items(), key=lambda kv: -kv[1]):
                lines.append(f"    {name:<40}{ms:8.3f}")
            lines.append("  top cumulative (ms per gRPC call, profiled):")
            lines += [f"    {line}" for line in phase.top]
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostcpu", description=__doc__)
    parser.add_argument("--tenants", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="per API call")
    parser.add_argument("--tls", action="store_true", help="the emulator over HTTPS")
    parser.add_argument("--profile", action="store_true", help="also profile a second host")
    args = parser.parse_args(argv)
    print(
        report(
            measure_host_cpu(
                args.tenants, profile=args.profile, latency_ms=args.latency_ms, tls=args.tls
            )
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
