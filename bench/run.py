"""The measurements and the command line of ``python -m bench``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pulumi.dynamic import ResourceProvider

from bench.checkpoints import measure_checkpoints
from bench.hostcpu import measure_host_cpu
from bench.lab import (
    CONCURRENCY,
    FLOW_TOKEN,
    LICENSE_KEY,
    PERMISSION_TOKEN,
    ROLE_TOKEN,
    SSO_TOKEN,
    TENANT_TOKEN,
    CpuMeter,
    CpuPerCall,
    EmulatorProcess,
    Lab,
    peak_memory_kib,
    shows_change,
    up_job,
)
from bench.link import RTTS_MS, measure_link, measure_rate_limit
from bench.report import (
    BenchResult,
    OperationResult,
    SizeResult,
    YamlResult,
    table,
    write_json,
)
from bench.workload import (
    flow_export,
    longer_sessions,
    renamed,
    sso_props,
    tenant_props,
    tenant_spec,
    write_tenants_yaml,
)
from standin.resource import SingleResource

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"

MINIMUMS: dict[str, tuple[int, str]] = {
    "tenant create": (2, "create + settings (outputs from what was written: no load back)"),
    "tenant read": (2, "load settings + load (a read alone: no listing)"),
    "tenant update (no settings change)": (1, "tenant fields: PATCH /v1/mgmt/tenant/patch"),
    "tenant update (settings change)": (
        2,
        "load settings (send ssoSetupSuiteSettings back as held) + settings write",
    ),
    "tenant delete": (
        6,
        "load + load settings + SSO load (all) + role search + access-key search (one snapshot "
        "of the unit) + delete",
    ),
    "tenant adopt": (4, "load + load settings (snapshot, then compare) + patch + settings"),
    "flow create": (2, "export (snapshot a flow already there) + import"),
    "flow read": (1, "export"),
    "flow update": (2, "export (snapshot console edits) + import"),
    "flow delete (deleteOnRemove)": (2, "export (snapshot first) + delete"),
    "permission create": (1, "create (a listing only when Descope refuses it: adopt or refuse)"),
    "permission read": (1, "one listing: no call loads one permission"),
    "permission update (rename)": (1, "update with newName"),
    "permission delete": (2, "listing (snapshot first) + delete"),
    "role create": (1, "create (a search only when Descope refuses it: adopt or refuse)"),
    "role read": (1, "one role listing (a search costs the same call)"),
    "role update (rename)": (1, "update with newName"),
    "role delete": (2, "search (snapshot first) + delete"),
    "tenant role create (a default role)": (
        3,
        "create + load its tenant + default roles write (the tenant could not name it before)",
    ),
    "refresh of 20 permissions": (1, "one listing shared by the overlapping reads"),
    "refresh of 20 roles": (1, "one role listing (load_all) shared by the overlapping reads"),
    "sso create (default configuration)": (
        2,
        "load (set up already? the SP fields) + configure",
    ),
    "sso create (further configuration)": (2, "new (answers the SP fields) + configure"),
    "sso read": (1, "load"),
    "sso update": (2, "load (snapshot console edits, still there?) + configure"),
    "sso delete": (2, "load (snapshot first) + delete"),
    "sso adopt": (2, "load (snapshot, then compare) + configure"),
}
"""The fewest API calls each operation needs, given the providers' promises (a snapshot of
what Descope held before anything destructive; drift seen on refresh). Tenant minimums are
for a tenant with SSO settings and no default roles, as the bench's tenants are."""


def refresh_minimum(count: int) -> float:
    """The fewest API calls per tenant to refresh `count` tenants with managed settings: one
    settings load each (Descope has no batch settings endpoint) and one tenant listing
    (``load_all``) shared by all of them."""
    return 1 + 1 / count


def tenant_provider(backup_dir: str) -> ResourceProvider:
    """The tenant provider as the program's `Tenant` resource builds it."""
    from providers.tenant import TenantProvider  # noqa: PLC0415 - lands in parallel

    provider: ResourceProvider = TenantProvider(backup_dir=backup_dir)
    return provider


def sso_provider(backup_dir: str) -> ResourceProvider:
    from providers.sso import SSOConfigurationProvider  # noqa: PLC0415

    return SSOConfigurationProvider(backup_dir=backup_dir)


def flow_provider(backup_dir: str) -> ResourceProvider:
    from providers.flow import FlowProvider  # noqa: PLC0415

    return FlowProvider(backup_dir=backup_dir)


def role_provider(backup_dir: str) -> ResourceProvider:
    from providers.role import RoleProvider  # noqa: PLC0415

    return RoleProvider(backup_dir=backup_dir)


def permission_provider(backup_dir: str) -> ResourceProvider:
    from providers.permission import PermissionProvider  # noqa: PLC0415

    return PermissionProvider(backup_dir=backup_dir)


def _role_props(name: str, tenant_id: str = "", *, default: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "tenantId": tenant_id,
        "description": f"bench role {name}",
        "permissions": ["User Admin"],
        "tenantDefault": default,
    }


def measure_authorization(
    emulator: EmulatorProcess, lab: Lab, backup_dir: str
) -> list[OperationResult]:
    """API calls of each role and permission operation; then a refresh of many of each, with
    a latency so that the reads overlap as under the engine."""
    roles, permissions = role_provider(backup_dir), permission_provider(backup_dir)
    results: list[OperationResult] = []

    def counted(operation: str, action: Callable[[], object]) -> None:
        emulator.reset_counters()
        action()
        endpoints = _endpoint_calls(emulator)
        minimum, why = MINIMUMS[operation]
        results.append(OperationResult(operation, sum(endpoints.values()), minimum, why, endpoints))

    permission = lab.resource(PERMISSION_TOKEN, "permission-op", permissions)
    counted("permission create", lambda: permission.up({"name": "op.read"}))
    counted("permission read", permission.refresh)
    counted("permission update (rename)", lambda: permission.up({"name": "op.view"}))
    counted("permission delete", permission.destroy)

    role = lab.resource(ROLE_TOKEN, "role-op", roles)
    counted("role create", lambda: role.up(_role_props("op-viewer")))
    counted("role read", role.refresh)
    counted("role update (rename)", lambda: role.up(_role_props("op-reader")))
    counted("role delete", role.destroy)

    emulator.create_tenant_out_of_band("op-tenant", "Bench tenant with its own role")
    own = lab.resource(ROLE_TOKEN, "tenant-role-op", roles)
    counted(
        "tenant role create (a default role)",
        lambda: own.up(_role_props("op-admin", "op-tenant", default=True)),
    )

    many_permissions = [
        lab.resource(PERMISSION_TOKEN, f"permission-{i}", permissions) for i in range(20)
    ]
    many_roles = [lab.resource(ROLE_TOKEN, f"role-{i}", roles) for i in range(20)]
    lab.run_all(many_permissions, lambda m: m.up({"name": f"bench.{m.name}"}))
    lab.run_all(many_roles, lambda m: m.up(_role_props(f"bench-{m.name}")))
    emulator.set_faults({"latencyMs": 10})
    try:
        counted(
            "refresh of 20 permissions",
            lambda: lab.run_all(many_permissions, SingleResource.refresh),
        )
        counted("refresh of 20 roles", lambda: lab.run_all(many_roles, SingleResource.refresh))
    finally:
        emulator.set_faults({})
    return results


def _endpoint_calls(emulator: EmulatorProcess) -> dict[str, int]:
    requests: dict[str, int] = emulator.counters()["requests"]
    return {k: v for k, v in requests.items() if k != LICENSE_KEY and v}


def measure_operations(
    emulator: EmulatorProcess, lab: Lab, backup_dir: str
) -> list[OperationResult]:
    """API calls of each single operation, counted by the emulator (no latency needed)."""
    tenants = tenant_provider(backup_dir)
    flows = flow_provider(backup_dir)
    results: list[OperationResult] = []

    def counted(operation: str, action: Callable[[], object]) -> None:
        emulator.reset_counters()
        action()
        endpoints = _endpoint_calls(emulator)
        minimum, why = MINIMUMS[operation]
        results.append(OperationResult(operation, sum(endpoints.values()), minimum, why, endpoints))

    spec = tenant_spec(0, prefix="op")
    tenant = lab.resource(TENANT_TOKEN, "tenant-op", tenants)
    counted("tenant create", lambda: tenant.up(tenant_props(spec)))
    counted("tenant read", tenant.refresh)
    spec = renamed(spec)
    counted("tenant update (no settings change)", lambda: tenant.up(tenant_props(spec)))
    spec = longer_sessions(spec)
    counted("tenant update (settings change)", lambda: tenant.up(tenant_props(spec)))
    counted("tenant delete", tenant.destroy)

    adopted_spec = {**tenant_spec(1, prefix="op"), "adopt": True}
    emulator.create_tenant_out_of_band(adopted_spec["id"], "Made in the console")
    adopted = lab.resource(TENANT_TOKEN, "tenant-adopted", tenants)
    counted("tenant adopt", lambda: adopted.up(tenant_props(adopted_spec)))

    flow = lab.resource(FLOW_TOKEN, "flow-op", flows)
    flow_id = "bench-flow"
    counted("flow create", lambda: flow.up(_flow_props(flow_id, 1)))
    counted("flow read", flow.refresh)
    counted("flow update", lambda: flow.up(_flow_props(flow_id, 2)))
    flow.up(_flow_props(flow_id, 2, delete_on_remove=True))
    counted("flow delete (deleteOnRemove)", flow.destroy)

    owner = lab.resource(TENANT_TOKEN, "tenant-sso-owner", tenants)
    owner_spec = tenant_spec(2, prefix="op")
    owner.up({**tenant_props(owner_spec), "ssoManaged": True})
    owner_id = owner_spec["id"]
    ssos = sso_provider(backup_dir)
    default = lab.resource(SSO_TOKEN, "sso-op", ssos)
    props = sso_props(owner_id, 0)
    counted("sso create (default configuration)", lambda: default.up(props))
    further = lab.resource(SSO_TOKEN, "sso-op-partners", ssos)
    further_props = sso_props(owner_id, 1, sso_id="partners", oidc=True)
    counted("sso create (further configuration)", lambda: further.up(further_props))
    counted("sso read", default.refresh)
    changed = {**props, "domains": [f"login2.{owner_id}.example.com"]}
    counted("sso update", lambda: default.up(changed))
    counted("sso delete", further.destroy)
    emulator.configure_sso_out_of_band(owner_id, "console")
    adopted = lab.resource(SSO_TOKEN, "sso-adopted", ssos)
    counted("sso adopt", lambda: adopted.up({**sso_props(owner_id, 3), "adopt": True}))
    return results


def _flow_props(flow_id: str, revision: int, *, delete_on_remove: bool = False) -> dict[str, Any]:
    return {
        "flowId": flow_id,
        "content": flow_export(flow_id, revision=revision),
        "contentHash": None,
        "deleteOnRemove": delete_on_remove,
    }


def _timed_refresh(
    lab: Lab, emulator: EmulatorProcess, resources: Sequence[SingleResource], what: str
) -> tuple[float, int, CpuPerCall]:
    """Refresh `resources` 4 at a time: wall time, API calls and CPU per call."""
    meter = CpuMeter(lab.host_pid, emulator.process.pid)
    emulator.reset_counters()
    meter.start()
    started = time.perf_counter()
    present = lab.run_all(resources, SingleResource.refresh)
    wall = time.perf_counter() - started
    calls = emulator.api_calls()
    cpu = meter.per_call(calls)
    if not all(present):
        raise RuntimeError(f"refresh lost {what} that were just created")
    return wall, calls, cpu


def measure_size(count: int, latency_ms: float, backup_dir: str, create_minimum: int) -> SizeResult:
    """Create `count` tenants 4 at a time at `latency_ms` per call, preview them (nothing to
    do: no API call), then refresh them all.

    A fresh emulator and provider host per size, so the host's peak memory is this size's.
    """
    with EmulatorProcess() as emulator, Lab(emulator.url) as lab:
        provider = tenant_provider(backup_dir)
        warm = lab.resource(TENANT_TOKEN, "tenant-warm", provider)  # handshake, imports
        warm.up(tenant_props(tenant_spec(0, prefix="warm")))
        emulator.reset()
        emulator.set_faults({"latencyMs": latency_ms})

        specs = [tenant_spec(i) for i in range(count)]
        resources = [lab.resource(TENANT_TOKEN, f"tenant-{s['id']}", provider) for s in specs]
        props = [tenant_props(s) for s in specs]
        jobs = list(zip(resources, props, strict=True))
        started = time.perf_counter()
        lab.run_all(jobs, up_job)
        create_wall = time.perf_counter() - started
        create_calls = emulator.api_calls()

        emulator.reset_counters()
        started = time.perf_counter()
        changes = sum(lab.run_all(jobs, shows_change))
        preview_wall = time.perf_counter() - started
        preview_calls = emulator.api_calls()

        refresh_wall, refresh_calls, refresh_cpu = _timed_refresh(
            lab, emulator, resources, "tenants"
        )
        list_all = emulator.timed_list_all(count)

        sso_resources = [
            lab.resource(SSO_TOKEN, f"sso-{s['id']}", sso_provider(backup_dir)) for s in specs
        ]
        # The tenants' settings give them SSO domains already: their SSO is adopted.
        sso_jobs = [
            (r, {**sso_props(s["id"], i), "adopt": True})
            for i, (r, s) in enumerate(zip(sso_resources, specs, strict=True))
        ]
        lab.run_all(sso_jobs, up_job)
        sso_refresh_wall, sso_refresh_calls, sso_refresh_cpu = _timed_refresh(
            lab, emulator, sso_resources, "SSO configurations"
        )

        peak = peak_memory_kib(lab.host_pid)
        blob = lab.blob(provider)
        state = statistics.fmean(len(json.dumps(r.outputs, sort_keys=True)) for r in resources)

    minimum_calls = count * create_minimum
    bound = minimum_calls * (latency_ms / 1000) / CONCURRENCY
    read_minimum = refresh_minimum(count)
    refresh_bound = count * read_minimum * (latency_ms / 1000) / CONCURRENCY
    sso_bound = count * (latency_ms / 1000) / CONCURRENCY
    return SizeResult(
        tenants=count,
        latency_ms=latency_ms,
        create_wall_s=round(create_wall, 3),
        create_bound_s=round(bound, 3),
        create_ratio=round(create_wall / bound, 2) if bound else 0.0,
        create_calls=create_calls,
        create_min_calls=minimum_calls,
        preview_calls=preview_calls,
        preview_changes=changes,
        preview_wall_s=round(preview_wall, 3),
        refresh_calls_per_tenant=round(refresh_calls / count, 3),
        refresh_min_calls_per_tenant=round(read_minimum, 3),
        refresh_wall_s=round(refresh_wall, 3),
        refresh_ratio=round(refresh_wall / refresh_bound, 2) if refresh_bound else 0.0,
        refresh_cpu_host_ms=refresh_cpu.host_ms,
        refresh_cpu_emulator_ms=refresh_cpu.emulator_ms,
        refresh_cpu_engine_ms=refresh_cpu.engine_ms,
        list_all_s=round(list_all, 3),
        host_peak_mib=round(peak / 1024, 1),
        provider_bytes=len(blob.encode()),
        state_bytes_per_tenant=round(state, 1),
        sso_refresh_calls_per_tenant=round(sso_refresh_calls / count, 3),
        sso_refresh_min_calls_per_tenant=1.0,
        sso_refresh_wall_s=round(sso_refresh_wall, 3),
        sso_refresh_ratio=round(sso_refresh_wall / sso_bound, 2) if sso_bound else 0.0,
        sso_refresh_cpu_host_ms=sso_refresh_cpu.host_ms,
        sso_refresh_cpu_emulator_ms=sso_refresh_cpu.emulator_ms,
        sso_refresh_cpu_engine_ms=sso_refresh_cpu.engine_ms,
    )


def measure_yaml(count: int, folder: Path) -> YamlResult:
    """Time `config.load_configuration` on a generated file declaring `count` tenants."""
    from config import load_configuration  # noqa: PLC0415 - lands in parallel

    path = folder / f"tenants-{count}.yaml"
    size = write_tenants_yaml(path, count)
    started = time.perf_counter()
    configuration = load_configuration(path)
    seconds = time.perf_counter() - started
    return YamlResult(count, size, round(seconds, 3), len(configuration.tenants))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--tenants",
        default="100,1000,10000",
        help="comma-separated sizes (default 100,1000,10000)",
    )
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per API call (default 20)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--quick", action="store_true", help="100 tenants only (under a minute)")
    parser.add_argument(
        "--yaml-tenants", type=int, default=10_000, help="tenants in the generated YAML (0: skip)"
    )
    parser.add_argument(
        "--rtt-ms",
        default=",".join(f"{r:g}" for r in RTTS_MS),
        help="round-trip times of the rows over a TLS link, comma-separated (default 20,50; "
        "empty: skip them)",
    )
    parser.add_argument(
        "--rate-limit-tenants",
        type=int,
        default=600,
        help="tenants created and refreshed against Descope's limit per IP (0: skip)",
    )
    parser.add_argument(
        "--host-cpu-tenants",
        type=int,
        default=300,
        help="tenants created and previewed to measure the provider host's CPU per gRPC call "
        "(0: skip)",
    )
    parser.add_argument(
        "--checkpoint-tenants",
        type=int,
        default=300,
        help="lean tenants deployed with the stand-in engine to measure its checkpoints' bytes "
        "and project the backends' (0: skip)",
    )
    parser.add_argument(
        "--skip-sizes",
        action="store_true",
        help="only the rows over a link and the rate-limit row (with --tenants 100: seconds)",
    )
    return parser


def run(argv: Sequence[str] | None = None) -> BenchResult:
    args = _parser().parse_args(argv)
    began = time.perf_counter()
    sizes = [100] if args.quick else [int(s) for s in str(args.tenants).split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="descope-bench-") as tmp:
        folder = Path(tmp)
        backup_dir = str(folder / "backups")
        with EmulatorProcess() as emulator, Lab(emulator.url) as lab:
            operations = measure_operations(emulator, lab, backup_dir)
            operations += measure_authorization(emulator, lab, backup_dir)
        minimum = {op.operation: op.minimum for op in operations}
        results = [
            measure_size(n, args.latency_ms, backup_dir, minimum["tenant create"])
            for n in sizes
            if not args.skip_sizes
        ]
        rtts = [float(r) for r in str(args.rtt_ms).split(",") if r.strip()]
        links = [
            row
            for rtt in rtts
            for n in sizes
            for row in measure_link(n, rtt, tenant_provider(backup_dir))
        ]
        rate_limit = None
        if args.rate_limit_tenants:
            rate_limit = measure_rate_limit(args.rate_limit_tenants, tenant_provider(backup_dir))
        host_cpu = measure_host_cpu(args.host_cpu_tenants) if args.host_cpu_tenants else []
        checkpoints = (
            measure_checkpoints(args.checkpoint_tenants) if args.checkpoint_tenants else None
        )
        yaml_result = measure_yaml(args.yaml_tenants, folder) if args.yaml_tenants else None
    result = BenchResult(
        meta={
            "elapsed_s": round(time.perf_counter() - began, 1),
            "latency_ms": args.latency_ms,
            "concurrency": CONCURRENCY,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "calls_by_endpoint_total": dict(
                sum((Counter(op.endpoints) for op in operations), Counter())
            ),
        },
        sizes=results,
        operations=operations,
        yaml=yaml_result,
        links=links,
        rate_limit=rate_limit,
        host_cpu=host_cpu,
        checkpoints=checkpoints,
    )
    print(table(result))
    write_json(result, args.json)
    print(f"\nresults written to {args.json}")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    run(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
