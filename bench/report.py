"""The bench's results: dataclasses, the printed table and the JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SIZE_ROWS: tuple[tuple[str, str], ...] = (
    ("create_wall_s", "create all: wall time (s)"),
    ("create_bound_s", "create all: lower bound, min calls x latency / 4 (s)"),
    ("create_ratio", "create all: ratio to lower bound"),
    ("create_calls", "create all: API calls"),
    ("create_min_calls", "create all: minimum API calls"),
    ("preview_calls", "no-change preview: API calls (Check + Diff only)"),
    ("preview_changes", "no-change preview: resources showing a change"),
    ("preview_wall_s", "no-change preview: wall time (s)"),
    ("refresh_calls_per_tenant", "refresh all: API calls per tenant"),
    ("refresh_min_calls_per_tenant", "refresh all: minimum, 1 settings each + 1 listing"),
    ("refresh_wall_s", "refresh all: wall time (s)"),
    ("refresh_ratio", "refresh all: ratio to lower bound"),
    ("refresh_cpu_host_ms", "refresh all: CPU per API call, provider host (ms)"),
    ("refresh_cpu_emulator_ms", "refresh all: CPU per API call, emulator (ms)"),
    ("refresh_cpu_engine_ms", "refresh all: CPU per API call, engine side (ms)"),
    ("list_all_s", "one listing call (load_all) of all tenants, wall (s)"),
    ("sso_refresh_calls_per_tenant", "refresh all SSO (one per tenant): API calls per tenant"),
    ("sso_refresh_min_calls_per_tenant", "refresh all SSO: minimum, 1 load each"),
    ("sso_refresh_wall_s", "refresh all SSO: wall time (s)"),
    ("sso_refresh_ratio", "refresh all SSO: ratio to lower bound"),
    ("sso_refresh_cpu_host_ms", "refresh all SSO: CPU per API call, provider host (ms)"),
    ("sso_refresh_cpu_emulator_ms", "refresh all SSO: CPU per API call, emulator (ms)"),
    ("sso_refresh_cpu_engine_ms", "refresh all SSO: CPU per API call, engine side (ms)"),
    ("host_peak_mib", "provider host peak memory, VmHWM (MiB)"),
    ("provider_bytes", "serialised provider per resource (bytes)"),
    ("state_bytes_per_tenant", "recorded state per tenant, outputs JSON (bytes)"),
)
"""(key, label) of every per-size row, in table order."""

PRECISE_ROWS = frozenset(
    {
        "refresh_calls_per_tenant",
        "refresh_min_calls_per_tenant",
        "sso_refresh_calls_per_tenant",
        "sso_refresh_min_calls_per_tenant",
    }
)
"""Rows shown with three decimals: 1 + 1/1000 calls per tenant must not read as 1.00."""

OPERATION_ROWS: tuple[str, ...] = (
    "tenant create",
    "tenant read",
    "tenant update (no settings change)",
    "tenant update (settings change)",
    "tenant delete",
    "tenant adopt",
    "flow create",
    "flow read",
    "flow update",
    "flow delete (deleteOnRemove)",
    "sso create (default configuration)",
    "sso create (further configuration)",
    "sso read",
    "sso update",
    "sso delete",
    "sso adopt",
    "permission create",
    "permission read",
    "permission update (rename)",
    "permission delete",
    "role create",
    "role read",
    "role update (rename)",
    "role delete",
    "tenant role create (a default role)",
    "refresh of 20 permissions",
    "refresh of 20 roles",
)
"""Every operation whose API calls the bench counts, in table order."""

YAML_ROW = "load + validate YAML"


@dataclass
class SizeResult:
    """One run over `tenants` tenants at `latency_ms` per call."""

    tenants: int
    latency_ms: float
    create_wall_s: float
    create_bound_s: float
    create_ratio: float
    create_calls: int
    create_min_calls: int
    preview_calls: int
    """API calls of a preview right after the create: Check and Diff of every tenant (0)."""
    preview_changes: int
    preview_wall_s: float
    refresh_calls_per_tenant: float
    refresh_min_calls_per_tenant: float
    refresh_wall_s: float
    refresh_ratio: float
    refresh_cpu_host_ms: float
    """CPU per API call of the refresh, in the provider host, the emulator and this process
    (which plays the engine); on 2 CPUs their sum bounds the calls per second."""
    refresh_cpu_emulator_ms: float
    refresh_cpu_engine_ms: float
    list_all_s: float
    host_peak_mib: float
    provider_bytes: int
    state_bytes_per_tenant: float
    sso_refresh_calls_per_tenant: float = 0.0
    sso_refresh_min_calls_per_tenant: float = 1.0
    sso_refresh_wall_s: float = 0.0
    sso_refresh_ratio: float = 0.0
    sso_refresh_cpu_host_ms: float = 0.0
    sso_refresh_cpu_emulator_ms: float = 0.0
    sso_refresh_cpu_engine_ms: float = 0.0


@dataclass
class OperationResult:
    """API calls one operation made, and the fewest it needs."""

    operation: str
    calls: int
    minimum: int
    why: str
    endpoints: dict[str, int] = field(default_factory=dict)


@dataclass
class LinkRow:
    """One phase over `tenants` tenants through a link of `rtt_ms` round trip (TLS, relay)."""

    rtt_ms: float
    tenants: int
    operation: str
    calls: int
    calls_per_tenant: float
    connections: int
    """Connections the provider host opened through the relay during the phase."""
    in_flight: int
    wall_s: float
    bound_s: float
    """calls x RTT / calls in flight: the wall time were each call to cost one round trip."""
    ratio: float | None
    """wall / bound (None for a phase without API calls)."""
    mean_in_flight: float = 0.0
    """Calls in flight on the link on average, as the relay saw them (exchanges' seconds added
    up / wall): ratio = in_flight / mean_in_flight x call_ms / RTT."""
    call_ms: float = 0.0
    """One exchange on the link, request in to answer out, on average: the RTT, the emulator's
    time, and the relay's lateness."""
    relay_late_ms: float = 0.0
    """How late the relay delivered a chunk on average (its own error; two chunks or more per
    call)."""
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """CPU per tenant, in ms, of the provider host, the emulator, the bench process (the
    engine's side: gRPC, serialization; the relay) and the relay's thread alone."""
    idle_ratio: float | None = None
    """An estimate of the ratio on a machine where no thread waits for a CPU: each tenant's
    calls plus the CPU on its path (provider host, emulator, the engine's side; not the relay's,
    which a real link does not cost), 1 + tenants x that CPU / (calls x RTT). GIL queueing in
    the host aside: a floor, not a promise."""
    waited_ms: dict[str, float] = field(default_factory=dict)
    """Per tenant, in ms, the time the same processes' threads waited for a CPU while ready to
    run (the run queue: the machine's load), added up over their threads (those that ended
    during the phase, an emulator's connection threads, not seen: a lower bound)."""


@dataclass
class RateLimitResult:
    """A run against an emulator enforcing `limit` requests per `window_s` per IP."""

    tenants: int
    limit: int
    window_s: float
    calls: int
    wall_s: float
    calls_per_s: float
    busiest_window: int
    """The most requests admitted within one window."""
    responses_429: int


@dataclass
class YamlResult:
    tenants: int
    file_bytes: int
    seconds: float
    loaded: int


HOST_CPU_ROW = "provider host CPU per gRPC call"
"""The label of the host CPU rows (`bench.hostcpu`)."""


@dataclass
class HostCpuRow:
    """One phase over `count` tenants through the provider host (`bench.hostcpu`): its CPU
    (``/proc``, every thread) per gRPC call and per tenant, and where it went when profiled."""

    name: str
    count: int
    grpc_calls: int
    host_cpu_ms_per_call: float
    host_cpu_ms_per_tenant: float
    profile: dict[str, float] = field(default_factory=dict)
    """ms per gRPC call by category (self time, thread CPU), when profiled."""
    top: list[str] = field(default_factory=list)
    """The top cumulative entries, when profiled."""


@dataclass
class KindSize:
    """Average bytes per resource of one type in a stand-in state file (`bench.checkpoints`)."""

    count: int
    entry_bytes: int
    """The resource's whole entry in the stand-in's state file."""
    inputs_bytes: int
    outputs_bytes: int
    provider_bytes: int
    """Its ``__provider`` blob (in the inputs, and again in the outputs)."""
    pulumi_entry_bytes: int
    """Projected: Pulumi's entry for it (references, timestamps, the blob as a secret)."""


@dataclass
class Projection:
    """A first ``up`` creating `tenants` resources, by the backends' rules (`bench.checkpoints`)."""

    tenants: int
    saves: int
    file_bytes: int
    """File backend: bytes serialized (the whole state at every save)."""
    file_bak_bytes: int
    """File backend: bytes copied to ``.bak`` besides."""
    file_s: float
    journal_bytes: int
    """Pulumi Cloud with journaling: bytes of the journal entries sent."""
    journal_s: float
    final_save_bytes: int
    """A refresh's or a no-change up's one save of the whole state."""
    final_save_s: float


@dataclass
class CheckpointResult:
    """A stand-in ``up`` of `tenants` lean tenants: its saves, measured, and projections."""

    tenants: int
    resources: int
    saves: int
    serialized_bytes: int
    save_seconds: float
    up_wall_s: float
    state_bytes: int
    seconds_per_mb: float
    kinds: dict[str, KindSize]
    standin_projection: int
    """`serialized_bytes` as `bench.checkpoints.project_up` predicts it from the entry size."""
    projections: list[Projection]
    pulumi_average_entry_bytes: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


CHECKPOINT_ROW = "checkpoints of a first up"
"""The label of the checkpoint rows (`bench.checkpoints`)."""


def _size(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} B"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:,.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def checkpoint_lines(result: CheckpointResult) -> list[str]:
    """The checkpoint rows: what the stand-in measured, then the projections."""
    r = result
    lines = [
        f"{CHECKPOINT_ROW}, measured: {r.tenants:,} lean tenants ({r.resources:,} resources), "
        f"{r.saves:,} saves, {_size(r.serialized_bytes)} serialized "
        f"(projected from the entry size: {_size(r.standin_projection)}), "
        f"{r.save_seconds:.1f} s saving of {r.up_wall_s:.1f} s, final state {_size(r.state_bytes)}",
        f"{'state per resource (bytes)':<40}{'count':>7}{'entry':>7}{'inputs':>8}{'outputs':>8}"
        f"{'blob':>6}{'pulumi':>8}",
    ]
    for type_, k in r.kinds.items():
        lines.append(
            f"{type_.rsplit(':', 1)[-1]:<40}{k.count:>7,}{k.entry_bytes:>7,}{k.inputs_bytes:>8,}"
            f"{k.outputs_bytes:>8,}{k.provider_bytes:>6,}{k.pulumi_entry_bytes:>8,}"
        )
    lines.append(
        f"projected first up (Pulumi's entry, {r.seconds_per_mb * 1000:.1f} ms per MB saved "
        "as measured): file backend = whole state per save (+ as much to .bak); "
        "Pulumi Cloud, journaling = one entry per save"
    )
    lines.append(
        f"{'tenants':>8}{'saves':>9}{'file: serialized':>18}{'time':>10}"
        f"{'cloud+journal':>15}{'time':>9}{'refresh/no-change up: 1 save':>31}"
    )
    for p in r.projections:
        lines.append(
            f"{p.tenants:>8,}{p.saves:>9,}{_size(p.file_bytes):>18}{_duration(p.file_s):>10}"
            f"{_size(p.journal_bytes):>15}{_duration(p.journal_s):>9}"
            f"{_size(p.final_save_bytes):>23} {_duration(p.final_save_s):>7}"
        )
    lines.append("")
    return lines


@dataclass
class BenchResult:
    meta: dict[str, Any]
    sizes: list[SizeResult]
    operations: list[OperationResult]
    yaml: YamlResult | None
    links: list[LinkRow] = field(default_factory=list)
    rate_limit: RateLimitResult | None = None
    host_cpu: list[HostCpuRow] = field(default_factory=list)
    checkpoints: CheckpointResult | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(value: float | int, *, precise: bool = False) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if precise:
        return f"{value:.3f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def table(result: BenchResult) -> str:
    """The printed report: per-size rows, then calls per operation, then the YAML load."""
    lines: list[str] = []
    meta = result.meta
    lines.append(
        f"descope-config bench: latency {meta['latency_ms']:g} ms per API call, "
        f"{meta['concurrency']} calls in flight, python {meta['python']}, {meta['cpus']} CPUs"
    )
    lines.append("")
    if result.sizes:
        label_width = max(len(label) for _, label in SIZE_ROWS)
        header = "".join(f"{f'{s.tenants} tenants':>16}" for s in result.sizes)
        lines.append(f"{'':<{label_width}}{header}")
        for key, label in SIZE_ROWS:
            precise = key in PRECISE_ROWS
            cells = "".join(f"{_fmt(getattr(s, key), precise=precise):>16}" for s in result.sizes)
            lines.append(f"{label:<{label_width}}{cells}")
        lines.append("")
    lines.append(f"{'API calls per operation':<36}{'calls':>6}{'minimum':>9}  why / endpoints")
    for op in result.operations:
        flag = "" if op.calls <= op.minimum else "  <-- above minimum"
        lines.append(f"{op.operation:<36}{op.calls:>6}{op.minimum:>9}  {op.why}{flag}")
        endpoints = ", ".join(f"{k} x{v}" for k, v in sorted(op.endpoints.items()))
        lines.append(f"{'':<51}{endpoints or '(none)'}")
    lines.append("")
    lines += link_table(result.links)
    if result.rate_limit is not None:
        r = result.rate_limit
        lines.append(
            f"Descope's limit per IP ({r.limit:,} per {r.window_s:g} s) enforced: "
            f"create + refresh of {r.tenants:,} tenants, {r.calls:,} calls in {r.wall_s:.1f} s "
            f"({r.calls_per_s:g}/s), busiest {r.window_s:g} s: {r.busiest_window:,} calls, "
            f"429 answers: {r.responses_429}"
        )
        lines.append("")
    for row in result.host_cpu:
        lines.append(
            f"{HOST_CPU_ROW}, {row.name} of {row.count:,} tenants: "
            f"{row.host_cpu_ms_per_call:.2f} ms ({row.host_cpu_ms_per_tenant:.2f} ms per tenant)"
        )
    if result.host_cpu:
        lines.append("  (python -m bench.hostcpu --profile shows where it goes)")
        lines.append("")
    if result.checkpoints is not None:
        lines += checkpoint_lines(result.checkpoints)
    if result.yaml is not None:
        y = result.yaml
        lines.append(
            f"{YAML_ROW}: {y.tenants:,} tenants, {y.file_bytes / 1e6:.2f} MB, "
            f"{y.seconds:.2f} s ({y.loaded:,} loaded)"
        )
    return "\n".join(lines)


LINK_GOAL_RATIO = 1.15
"""The goal at 1,000 tenants: wall time at most 15% above calls x RTT / calls in flight."""


def link_table(rows: list[LinkRow]) -> list[str]:
    """Lines of the table of the link rows (empty without rows)."""
    if not rows:
        return []
    lines = [
        "Over a link (TLS, each direction delayed RTT/2, "
        f"{rows[0].in_flight} calls in flight); ratio = wall / (calls x RTT / in flight)",
        f"{'RTT':>6} {'tenants':>8}  {'phase':<18}{'calls/tenant':>13}{'connections':>12}"
        f"{'wall (s)':>10}{'bound (s)':>10}{'ratio':>8}",
    ]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.3f}"
        flag = ""
        if row.connections > row.in_flight:
            flag += "  <-- more connections than calls in flight"
        if row.tenants == 1000 and row.ratio is not None and row.ratio > LINK_GOAL_RATIO:
            flag += f"  <-- above {LINK_GOAL_RATIO}"
        lines.append(
            f"{row.rtt_ms:>4g}ms {row.tenants:>8,}  {row.operation:<18}"
            f"{row.calls_per_tenant:>13.3f}{row.connections:>12}{row.wall_s:>10.2f}"
            f"{row.bound_s:>10.2f}{ratio:>8}{flag}"
        )
    lines += ["", *link_causes(rows), ""]
    return lines


def link_causes(rows: list[LinkRow]) -> list[str]:
    """Lines saying where each row's time went: ratio = (calls in flight asked / seen) x (one
    call's time / RTT), and the CPU each process used and waited for, per tenant."""
    lines = [
        "Where the time went: ratio = (in flight / mean in flight) x (call / RTT); "
        "ms per tenant: CPU used + waited for a CPU (run queue);",
        "idle est. = 1 + CPU on a tenant's path (host, emulator, bench less relay) / calls x RTT",
        f"{'RTT':>6} {'tenants':>8}  {'phase':<18}{'in flight':>10}{'call ms':>9}"
        f"{'late ms':>8}  {'host':>11} {'emulator':>11} {'bench':>11} {'relay':>5}"
        f"{'idle est.':>10}",
    ]

    def used(row: LinkRow, name: str) -> str:
        return f"{row.cpu_ms.get(name, 0):.1f}+{row.waited_ms.get(name, 0):.1f}"

    for row in rows:
        if not row.calls:
            continue
        lines.append(
            f"{row.rtt_ms:>4g}ms {row.tenants:>8,}  {row.operation:<18}"
            f"{row.mean_in_flight:>10.2f}{row.call_ms:>9.1f}{row.relay_late_ms:>8.2f}  "
            f"{used(row, 'host'):>11} {used(row, 'emulator'):>11} {used(row, 'bench'):>11} "
            f"{row.cpu_ms.get('relay', 0):>5.1f}{row.idle_ratio or 0:>10.3f}"
        )
    return lines


def write_json(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
