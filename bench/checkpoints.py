"""Checkpoint cost: the bytes the engine serializes per ``up``, measured with the stand-in and
projected onto Pulumi's backends.

`measure_checkpoints` deploys `count` lean tenants (a name, one self-provisioning domain, two
custom attributes: `lean_tenants_yaml`) with the program itself (``__main__.py``) through the
stand-in engine (`standin.engine`) and the real provider host, against the emulator. The stand-in
saves the whole state as Pulumi's snapshot manager does (``pkg/backend/snapshot.go``): twice per
created resource, the pending operation before its call and the result after it. Every save is
written to the state file and counted (bytes, seconds). The final state file is then measured
per resource kind (`kind_sizes`): the bytes of each resource's entry, its inputs, its outputs
and its ``__provider`` blob.

The projections (`project_up`) follow the backends' rules (the reference notes on dynamic
providers): the **file backend** (local, S3, GCS, Azure) re-serializes the whole state at each
save and copies the previous file to ``.bak``, so a first ``up`` of N resources of `s` bytes
each serializes about N² x s; **Pulumi Cloud with journaling** (the default since CLI 3.225)
sends one journal entry per save, about 2 x N x s. A no-change preview saves nothing; a
refresh and a no-change ``up`` save the state once at the end. Pulumi's own entry for a resource
is larger than the stand-in's (`pulumi_entry`: parent and provider references, timestamps, the
``__provider`` blob encrypted as a secret in both inputs and outputs); the projections use it.
Seconds are projected at the rate the stand-in's saves were measured at (compact JSON, sealing,
an fsynced atomic write), which is not Pulumi's Go code: read them as an order of magnitude.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.lab import MANAGEMENT_KEY, PROJECT_ID, EmulatorProcess
from bench.report import CheckpointResult, KindSize, Projection, checkpoint_lines
from standin.engine import Engine
from standin.host import PROJECT_DIR
from standin.program import Registration, registrations
from standin.snapshot import StackState

__all__ = [
    "LEAN_ATTRIBUTES",
    "SIZES",
    "LeanStack",
    "deploy_lean",
    "kind_sizes",
    "lean_stack",
    "lean_tenants_yaml",
    "measure_checkpoints",
    "project_up",
    "pulumi_entry",
]

LEAN_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "plan": {
        "type": "singleselect",
        "displayName": "Plan",
        "options": ["starter", "business", "enterprise"],
    },
    "seats": {"type": "number", "displayName": "Seats"},
    "region": {"type": "string", "displayName": "Region"},
}
"""The project's tenant attribute definitions in the lean workload (as config/tenants/dev.yaml
declares them); a lean tenant uses two of them."""
SIZES = (1_000, 10_000, 50_000)
"""Tenant counts the projections are printed for."""
STACK = "bench"
SECRET_KEYS = ("descope:managementKey",)
SECRET_ENVELOPE_KEY = "4dabf18193072939515e22adb298388d"
"""The key Pulumi marks a secret value with in state (``resource.SigKey``)."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
AES_GCM_NONCE, AES_GCM_TAG = 12, 16
"""Pulumi's passphrase and service secrets: ``v1:<nonce>:<ciphertext + tag>``, base64."""


def lean_tenants_yaml(path: Path, count: int) -> None:
    """Write a configuration file declaring `LEAN_ATTRIBUTES` and `count` lean tenants."""
    document = {
        "tenantAttributes": LEAN_ATTRIBUTES,
        "tenants": [
            {
                "id": f"c{index:05d}",
                "name": f"Customer {index:05d}",
                "selfProvisioningDomains": [f"c{index}.example.com"],
                "customAttributes": {"plan": "business", "seats": index % 500 + 1},
            }
            for index in range(count)
        ],
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _compact(value: Any) -> int:
    """Bytes of `value` as the state file writes it (compact JSON)."""
    return len(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())


def _secret(value: Any) -> dict[str, str]:
    """`value` as Pulumi writes a secret into state (the ciphertext's length is what counts)."""
    sealed = b"\0" * (len(json.dumps(value).encode()) + AES_GCM_TAG)
    nonce = base64.b64encode(b"\0" * AES_GCM_NONCE).decode()
    return {
        SECRET_ENVELOPE_KEY: SECRET_SIG,
        "ciphertext": f"v1:{nonce}:{base64.b64encode(sealed).decode()}",
    }


def pulumi_entry(resource: Mapping[str, Any], stack: str, project: str) -> dict[str, Any]:
    """The entry Pulumi's checkpoint holds for `resource` (a stand-in state entry): the fields
    ``apitype.ResourceV3`` writes for a custom resource of this program (empty ones omitted),
    the ``__provider`` blob encrypted as a secret (the SDK marks it secret) in the inputs and
    in the outputs, the other secret properties likewise."""
    secrets = {*resource.get("secretProperties", ()), "__provider"}

    def props(values: Mapping[str, Any]) -> dict[str, Any]:
        return {k: _secret(v) if k in secrets else v for k, v in values.items()}

    stamp = "2026-01-01T00:00:00.000000000Z"
    entry: dict[str, Any] = {
        "urn": resource["urn"],
        "custom": True,
        "id": resource["id"],
        "type": resource["type"],
        "inputs": props(resource["inputs"]),
        "outputs": props(resource["outputs"]),
        "parent": f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}",
        "provider": f"urn:pulumi:{stack}::{project}::pulumi:providers:pulumi-python::default"
        "::00000000-0000-0000-0000-000000000000",
        "created": stamp,
        "modified": stamp,
    }
    if resource.get("protect"):
        entry["protect"] = True
    if resource.get("dependencies"):
        entry["dependencies"] = list(resource["dependencies"])
    return entry


def kind_sizes(document: Mapping[str, Any]) -> dict[str, KindSize]:
    """Average bytes per resource of each type in a stand-in state document (its entry, its
    inputs, its outputs, its ``__provider`` blob; Pulumi's entry for it: `pulumi_entry`)."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for resource in document["resources"]:
        grouped.setdefault(str(resource["type"]), []).append(resource)
    sizes: dict[str, KindSize] = {}
    for type_, resources in sorted(grouped.items()):

        def average(
            measure: Callable[[Mapping[str, Any]], int],
            resources: list[Mapping[str, Any]] = resources,
        ) -> int:
            return round(sum(measure(r) for r in resources) / len(resources))

        sizes[type_] = KindSize(
            count=len(resources),
            entry_bytes=average(_compact),
            inputs_bytes=average(lambda r: _compact(r["inputs"])),
            outputs_bytes=average(lambda r: _compact(r["outputs"])),
            provider_bytes=average(lambda r: _compact(r["inputs"].get("__provider", ""))),
            pulumi_entry_bytes=average(
                lambda r: _compact(pulumi_entry(r, document["stack"], document["project"]))
            ),
        )
    return sizes


def project_up(
    tenants: int, entry_bytes: float, base_bytes: float, seconds_per_mb: float
) -> Projection:
    """What a first ``up`` creating `tenants` resources of `entry_bytes` each costs in saves
    (the state holding `base_bytes` besides them), and a refresh's or no-change up's one save.

    File backend: save k (two per resource: pending, then result) serializes the whole state,
    base + about k/2 entries: 2 x N x base + N² x entry in all, and as much again copied to
    ``.bak``. Pulumi Cloud with journaling: each save sends one entry, 2 x N x entry."""
    n = tenants
    serialized = 2 * n * base_bytes + n * (n + 1) * entry_bytes
    journal = 2 * n * entry_bytes
    final = base_bytes + n * entry_bytes
    return Projection(
        tenants=n,
        saves=2 * n,
        file_bytes=round(serialized),
        file_bak_bytes=round(serialized),
        file_s=round(serialized / 1e6 * seconds_per_mb, 1),
        journal_bytes=round(journal),
        journal_s=round(journal / 1e6 * seconds_per_mb, 1),
        final_save_bytes=round(final),
        final_save_s=round(final / 1e6 * seconds_per_mb, 2),
    )


def _config(url: str, folder: Path) -> dict[str, str]:
    return {
        "descope:projectId": PROJECT_ID,
        "descope:managementKey": MANAGEMENT_KEY,
        "descope:baseUrl": url,
        "descope-config:tenantsFile": str(folder / "tenants.yaml"),
        "descope-config:flowsDir": str(folder),
        "descope-config:backupDir": str(folder / "backups"),
        "descope-config:protect": "false",
        "descope-config:retainOnDelete": "false",
    }


@dataclass(frozen=True)
class LeanStack:
    """`count` lean tenants declared for stack `STACK`, an emulator answering for Descope."""

    config: dict[str, str]
    registrations: Sequence[Registration]
    state_path: Path


@contextmanager
def lean_stack(count: int, folder: Path) -> Iterator[LeanStack]:
    """`count` lean tenants declared in `folder`, the program run for them, an emulator
    running for the block; the state file to be in `folder`."""
    lean_tenants_yaml(folder / "tenants.yaml", count)
    with EmulatorProcess(tenant_attributes=LEAN_ATTRIBUTES) as emulator:
        config = _config(emulator.url, folder)
        program = registrations(PROJECT_DIR, stack=STACK, config=config, secret_keys=SECRET_KEYS)
        yield LeanStack(config, program.registrations, folder / f"standin-{STACK}.json")


def deploy_lean(stack: LeanStack) -> tuple[list[tuple[int, float]], float, StackState]:
    """``up`` of `stack` with the stand-in from an empty state, every save written to its
    state file: (bytes, seconds) of each save, the ``up``'s wall time, the state."""
    saves: list[tuple[int, float]] = []

    def checkpoint(state: StackState) -> None:
        began = time.perf_counter()
        state.save(stack.state_path)
        saves.append((stack.state_path.stat().st_size, time.perf_counter() - began))

    began = time.perf_counter()
    result = Engine(PROJECT_DIR).up(
        StackState(STACK), stack.registrations, stack.config, SECRET_KEYS, checkpoint=checkpoint
    )
    wall = time.perf_counter() - began
    if not result.ok:
        raise RuntimeError(f"the lean tenants' up failed: {'; '.join(result.errors[:3])}")
    return saves, wall, result.state


def measure_checkpoints(count: int = 300) -> CheckpointResult:
    """Deploy `count` lean tenants with the stand-in (`deploy_lean`) and measure its saves and
    its state file; project the file backend's and Pulumi Cloud's costs at `count` and `SIZES`."""
    with (
        tempfile.TemporaryDirectory(prefix="descope-checkpoints-") as tmp,
        lean_stack(count, Path(tmp)) as stack,
    ):
        saves, wall, _ = deploy_lean(stack)
        document = json.loads(stack.state_path.read_text(encoding="utf-8"))
    kinds = kind_sizes(document)
    resources = sum(kind.count for kind in kinds.values())
    base = _compact({**document, "resources": [], "pendingOperations": []})
    serialized = sum(size for size, _ in saves)
    seconds = sum(spent for _, spent in saves)
    seconds_per_mb = seconds / (serialized / 1e6)
    tenant = kinds[TENANT_TYPE]
    pulumi_average = sum(k.pulumi_entry_bytes * k.count for k in kinds.values()) / resources
    return CheckpointResult(
        tenants=count,
        resources=resources,
        saves=len(saves),
        serialized_bytes=serialized,
        save_seconds=round(seconds, 2),
        up_wall_s=round(wall, 2),
        state_bytes=saves[-1][0],
        seconds_per_mb=round(seconds_per_mb, 4),
        kinds=kinds,
        standin_projection=project_up(
            resources, tenant.entry_bytes, base, seconds_per_mb
        ).file_bytes,
        projections=[
            project_up(n, tenant.pulumi_entry_bytes, base, seconds_per_mb) for n in (count, *SIZES)
        ],
        pulumi_average_entry_bytes=round(pulumi_average),
    )


TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkpoints", description=__doc__)
    parser.add_argument("--tenants", type=int, default=300, help="lean tenants (default 300)")
    parser.add_argument("--json", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    result = measure_checkpoints(args.tenants)
    print("\n".join(checkpoint_lines(result)))
    if args.json:
        args.json.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
