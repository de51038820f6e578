"""The bench's quick path on a tiny size: every row is printed, every count is at its minimum.

No timing is asserted: the machine is shared. Latency 10 ms, 10 tenants, a 200-tenant YAML file.
The latency is not 0 so that the refresh's reads overlap as they do against Descope: reads that
overlap share one tenant listing (`providers.listing`), a read alone loads its tenant directly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.lab import cpu_seconds, thread_waits, waited_between
from bench.report import CHECKPOINT_ROW, HOST_CPU_ROW, OPERATION_ROWS, SIZE_ROWS, YAML_ROW
from bench.run import run

TENANT = "pulumi-python:dynamic/descope:Tenant"
KNOWN_EXCESS: dict[str, int] = {}
"""Operations known to make more calls than they need, and by how much (none today)."""


@pytest.mark.timeout(180)
def test_quick_bench_prints_every_row_and_counts_minimum_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    result = run(
        [
            *("--tenants", "10", "--latency-ms", "10", "--json", str(out)),
            *("--yaml-tenants", "200", "--rtt-ms", "10", "--rate-limit-tenants", "5"),
            *("--host-cpu-tenants", "10", "--checkpoint-tenants", "5"),
        ]
    )
    printed = capsys.readouterr().out

    for _, label in SIZE_ROWS:
        assert label in printed
    for operation in OPERATION_ROWS:
        assert operation in printed
    assert YAML_ROW in printed
    assert [op.operation for op in result.operations] == list(OPERATION_ROWS)

    for op in result.operations:
        assert op.calls == op.minimum + KNOWN_EXCESS.get(op.operation, 0), op
    (size,) = result.sizes
    assert size.tenants == 10
    assert size.create_calls == size.create_min_calls
    assert size.refresh_min_calls_per_tenant == 1.1  # 10 settings loads + 1 listing
    assert size.refresh_calls_per_tenant == size.refresh_min_calls_per_tenant
    assert size.sso_refresh_calls_per_tenant == size.sso_refresh_min_calls_per_tenant == 1.0
    assert size.provider_bytes > 0
    assert size.state_bytes_per_tenant > 0
    assert result.yaml is not None
    assert result.yaml.loaded == 200

    assert [(r.rtt_ms, r.operation) for r in result.links] == [
        (10.0, "create"),
        (10.0, "no-change preview"),
        (10.0, "refresh"),
    ]
    create, preview, refresh = result.links
    assert create.calls_per_tenant == 2.0
    assert preview.calls == 0
    assert preview.ratio is None
    assert refresh.calls_per_tenant == 1.1
    assert 1 <= create.connections <= create.in_flight  # kept alive: no connection per call
    assert create.ratio is not None
    assert create.ratio > 0
    # where the time went: every call seen by the relay, each process's CPU counted
    assert 0 < create.mean_in_flight <= create.in_flight
    assert create.call_ms >= 10.0  # one RTT at least
    assert create.relay_late_ms >= 0
    assert (
        set(create.cpu_ms)
        == set(create.waited_ms) | {"relay"}
        == {
            "host",
            "emulator",
            "bench",
            "relay",
        }
    )
    assert create.cpu_ms["host"] > 0
    assert create.cpu_ms["bench"] >= create.cpu_ms["relay"] > 0
    assert preview.mean_in_flight == 0
    assert create.idle_ratio is not None
    assert create.idle_ratio > 1
    assert preview.idle_ratio is None
    assert "Over a link (TLS" in printed
    assert "Where the time went: ratio = (in flight / mean in flight)" in printed
    assert result.rate_limit is not None
    assert result.rate_limit.responses_429 == 0
    assert 15 <= result.rate_limit.calls <= 20  # 5 creates (2 calls), 5 reads (1 or 2 each)
    assert result.rate_limit.busiest_window <= result.rate_limit.limit
    assert "429 answers: 0" in printed

    assert [(r.name, r.count, r.grpc_calls) for r in result.host_cpu] == [
        ("create", 10, 20),
        ("no-change preview", 10, 20),
    ]
    assert all(r.host_cpu_ms_per_call > 0 for r in result.host_cpu)
    assert f"{HOST_CPU_ROW}, create of 10 tenants" in printed

    checkpoints = result.checkpoints
    assert checkpoints is not None
    assert (checkpoints.tenants, checkpoints.resources) == (5, 5)
    assert checkpoints.saves == 2 * 5 + 2  # pending + result per create; config; the end
    assert checkpoints.serialized_bytes > 5 * checkpoints.kinds[TENANT].entry_bytes
    assert [p.tenants for p in checkpoints.projections] == [5, 1_000, 10_000, 50_000]
    assert f"{CHECKPOINT_ROW}, measured: 5 lean tenants" in printed

    written = json.loads(out.read_text())
    assert written["links"][0]["operation"] == "create"
    assert written["sizes"][0]["tenants"] == 10
    assert {op["operation"] for op in written["operations"]} == set(OPERATION_ROWS)
    assert written["host_cpu"][1]["name"] == "no-change preview"


def test_cpu_seconds__reads_a_live_process_and_is_zero_for_one_that_is_gone() -> None:
    spent = cpu_seconds(os.getpid())  # this test process has imported pulumi and grpc by now

    assert spent > 0
    assert cpu_seconds(os.getpid()) >= spent
    assert cpu_seconds(2**22 + 1) == 0.0  # above Linux's pid_max


def test_thread_waits__reads_every_live_thread_and_is_empty_for_a_process_that_is_gone() -> None:
    before = thread_waits(os.getpid())
    after = thread_waits(os.getpid())

    assert os.getpid() in before  # the main thread's id is the process's
    assert all(value >= 0 for value in before.values())
    assert waited_between(before, after) >= 0
    assert thread_waits(2**22 + 1) == {}  # above Linux's pid_max


def test_waited_between__counts_a_new_thread_whole_and_cannot_see_one_that_ended() -> None:
    assert waited_between({1: 1.0, 2: 5.0}, {1: 1.5, 3: 0.25}) == 0.75
