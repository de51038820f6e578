"""A stand-in ``up`` of N tenants in a process of its own, as a verb runs it (`locked_state`,
checkpoints, Ctrl-C), for the tests that kill or interrupt it (tests/engine/test_checkpoints.py).

    python -m tests.engine.standin_driver WORKDIR BASE_URL TENANTS

The stack's state and lock are in WORKDIR/.pulumi-local/; the pid of every provider host it
starts is appended to WORKDIR/host-pids as soon as the host runs. Exit codes as ``python -m
ops``'s: 0, 1 (the error on stderr), 130 (Ctrl-C).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.lab import TENANT_TOKEN
from bench.workload import tenant_props, tenant_spec
from providers.tenant import TenantProvider
from standin.engine import Engine
from standin.errors import Interrupted, StandinError
from standin.host import ProviderHost, provider_blob
from standin.program import Registration, urn_of
from standin.state import locked_state
from tests.engine.conftest import MANAGEMENT_KEY, PROJECT_ID

STACK = "killed"
HOST_ENV = {"DESCOPE_CONFIG_RETRY_BACKOFF": "0.01", "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT": "2"}


def tenant_ids(count: int) -> list[str]:
    return [tenant_spec(i, prefix="k")["id"] for i in range(count)]


def tenant_registrations(count: int) -> list[Registration]:
    """`count` tenants, every other one with settings (a create of two calls)."""
    blob = provider_blob(TenantProvider(stack=STACK))
    found = []
    for index in range(count):
        spec = tenant_spec(index, prefix="k", settings=index % 2 == 0)
        name = f"tenant-{spec['id']}"
        found.append(
            Registration(
                urn=urn_of(STACK, "descope-config", TENANT_TOKEN, name),
                type=TENANT_TOKEN,
                name=name,
                inputs={**tenant_props(spec), "__provider": blob},
                protect=False,
                retain_on_delete=False,
                delete_before_replace=None,
                aliases=(),
                dependencies=(),
                additional_secret_outputs=(),
            )
        )
    return found


def config(workdir: Path, base_url: str) -> dict[str, str]:
    return {
        "descope:projectId": PROJECT_ID,
        "descope:managementKey": MANAGEMENT_KEY,
        "descope:baseUrl": base_url,
        "descope-config:backupDir": str(workdir / "backups"),
    }


def main(argv: list[str]) -> int:
    workdir, base_url, count = Path(argv[0]), argv[1], int(argv[2])
    pids = workdir / "host-pids"

    def host(**kwargs: Any) -> ProviderHost:
        started = ProviderHost(**kwargs)
        with pids.open("a", encoding="utf-8") as out:
            out.write(f"{started.process.pid}\n")
        return started

    stack_config = config(workdir, base_url)
    engine = Engine(env=HOST_ENV, host_factory=host)
    try:
        with locked_state(workdir, STACK, stack_config, command="standin_driver") as run:
            print("locked", flush=True)
            result = engine.up(
                run.state,
                tenant_registrations(count),
                stack_config,
                ("descope:managementKey",),
                checkpoint=run.checkpoint,
                stop=run.stop,
            )
            print(f"Resources: {result.summary()}", flush=True)
            run.finish(result)
            if not result.ok:
                print("error: " + "\n".join(result.errors), file=sys.stderr)
                return 1
    except Interrupted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except StandinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
