"""The bench's laboratory: an emulator process, a provider host, and resources driven 4 at a time.

`EmulatorProcess` runs ``python -m emulator`` on a free loopback port, with the tenant custom
attributes the workload uses defined, and talks to its admin endpoints (reset, counters,
faults, state). `Lab` joins it to a `ProviderHost` (the SDK's real
dynamic-provider host over gRPC) configured like ``pulumi up`` configures it, and drives many
resources (`standin.resource.SingleResource`, the engine's steps for one resource) with at most
`CONCURRENCY` calls in flight, as the host's thread pool allows.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pulumi.dynamic import ResourceProvider

from bench.workload import TENANT_ATTRIBUTES
from standin.host import ProviderHost, stop_process
from standin.resource import ProviderBlobs, SingleResource
from standin.results import Op

REPO_ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 4
"""Calls in flight at once: the dynamic-provider host serves on ThreadPoolExecutor(4)."""
PROJECT_ID = "Pbench0000000000000000000000"
MANAGEMENT_KEY = "K-bench-management-key-0123456789"
LICENSE_KEY = "GET /v1/mgmt/license"
TENANT_TOKEN = "pulumi-python:dynamic/descope:Tenant"
SSO_TOKEN = "pulumi-python:dynamic/descope:SSOConfiguration"
FLOW_TOKEN = "pulumi-python:dynamic/descope:Flow"
ROLE_TOKEN = "pulumi-python:dynamic/descope:Role"
PERMISSION_TOKEN = "pulumi-python:dynamic/descope:Permission"

T = TypeVar("T")
R = TypeVar("R")


class EmulatorProcess:
    """``python -m emulator`` in its own process (its own GIL), on a free loopback port."""

    def __init__(
        self,
        *,
        project_id: str = PROJECT_ID,
        management_key: str = MANAGEMENT_KEY,
        extra_args: Iterable[str] = (),
        tenant_attributes: Mapping[str, Any] = TENANT_ATTRIBUTES,
        tls_certificate: Path | None = None,
    ) -> None:
        """`tls_certificate`: serve HTTPS (``--tls-cert``), the certificate written there
        being the only one the admin client trusts."""
        self.project_id, self.management_key = project_id, management_key
        self.tenant_attributes = dict(tenant_attributes)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-u",
                "-m",
                "emulator",
                "--port",
                "0",
                "--project-id",
                project_id,
                "--management-key",
                management_key,
                *(["--tls-cert", str(tls_certificate)] if tls_certificate else []),
                *extra_args,
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().decode().strip()
        if not self.url.startswith(("http://", "https://")):
            self.close()
            raise RuntimeError(f"the emulator did not start (first line {self.url!r})")
        verify = ssl.create_default_context(cafile=tls_certificate) if tls_certificate else True
        self.admin = httpx.Client(base_url=self.url, timeout=30, verify=verify)
        self._post("/emulator/tenant-attributes", self.tenant_attributes)

    def _post(self, path: str, body: Any = None) -> Any:
        response = self.admin.post(path, json=body if body is not None else {})
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """No tenants or flows, no faults, zero counters; the workload's attributes defined."""
        self._post("/emulator/reset")
        self._post("/emulator/tenant-attributes", self.tenant_attributes)

    def set_faults(self, plan: Mapping[str, Any]) -> None:
        """Replace the fault plan (the emulator's JSON form; ``{}`` clears it)."""
        self._post("/emulator/faults", dict(plan))

    def reset_counters(self) -> None:
        self._post("/emulator/counters/reset")

    def counters(self) -> dict[str, Any]:
        response = self.admin.get("/emulator/counters")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def api_calls(self) -> int:
        """Management requests received since the last counter reset, license handshake aside."""
        requests: dict[str, int] = self.counters()["requests"]
        return sum(n for key, n in requests.items() if key != LICENSE_KEY)

    def state(self) -> dict[str, Any]:
        response = self.admin.get("/emulator/state")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def timed_list_all(self, expected: int) -> float:
        """Seconds for one ``GET /v1/mgmt/tenant/all`` (the SDK's load_all), as a provider
        would send it; checks that it lists `expected` tenants."""
        started = time.perf_counter()
        response = self.admin.get("/v1/mgmt/tenant/all", headers=self.auth_headers())
        seconds = time.perf_counter() - started
        response.raise_for_status()
        listed = len(response.json()["tenants"])
        if listed != expected:
            raise RuntimeError(f"load_all listed {listed} tenants, expected {expected}")
        return seconds

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.project_id}:{self.management_key}"}

    def create_tenant_out_of_band(self, tenant_id: str, name: str) -> None:
        """Create a tenant behind Pulumi's back (as a console user would)."""
        response = self.admin.post(
            "/v1/mgmt/tenant/create",
            json={"id": tenant_id, "name": name, "selfProvisioningDomains": []},
            headers=self.auth_headers(),
        )
        response.raise_for_status()

    def configure_sso_out_of_band(self, tenant_id: str, idp: str) -> None:
        """Set the tenant's default SSO configuration up behind Pulumi's back (SAML by metadata
        of IdP `idp`), as a console user or the customer would."""
        response = self.admin.post(
            "/v1/mgmt/sso/saml/metadata",
            json={
                "tenantId": tenant_id,
                "settings": {"idpMetadataUrl": f"https://{idp}.example.com/md", "roleMappings": []},
            },
            headers=self.auth_headers(),
        )
        response.raise_for_status()

    def close(self) -> None:
        if hasattr(self, "admin"):
            self.admin.close()
        stop_process(self.process)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stack_config(project_id: str, management_key: str, url: str) -> dict[str, str]:
    """The stack config the engine sends in Configure."""
    return {
        "descope:projectId": project_id,
        "descope:managementKey": management_key,
        "descope:baseUrl": url,
    }


def peak_memory_kib(pid: int) -> int:
    """VmHWM (peak resident set) of a process, in KiB; 0 where /proc is not available."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, in seconds; 0.0 where /proc is not
    available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_waits(pid: int) -> dict[int, float]:
    """Seconds each live thread of a process has waited, ready to run, for a CPU (the run
    queue: the machine's other load), by thread id, from ``/proc/PID/task/*/schedstat``;
    empty where it is not available."""
    waits: dict[int, float] = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return waits
    for task in tasks:
        try:
            waits[int(task.name)] = int((task / "schedstat").read_text().split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
    return waits


def waited_between(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """Seconds the threads of `after` waited since `before` (a thread started meanwhile counts
    whole). A thread that ended meanwhile is not seen: a lower bound."""
    return sum(value - before.get(tid, 0.0) for tid, value in after.items())


@dataclass
class CpuPerCall:
    """CPU per API call, in ms, of the three processes a bench run keeps busy."""

    host_ms: float
    emulator_ms: float
    engine_ms: float
    """This process: what the engine's side of each call costs (gRPC, the test engine)."""


class CpuMeter:
    """CPU the provider host, the emulator and this process use between `start` and `per_call`."""

    def __init__(self, host_pid: int, emulator_pid: int) -> None:
        self._pids = (host_pid, emulator_pid)
        self._start = (0.0, 0.0, 0.0)

    def _now(self) -> tuple[float, float, float]:
        host, emulator = (cpu_seconds(pid) for pid in self._pids)
        return host, emulator, time.process_time()

    def start(self) -> None:
        self._start = self._now()

    def per_call(self, calls: int) -> CpuPerCall:
        host, emulator, engine = (
            round(1000 * (now - then) / max(calls, 1), 2)
            for now, then in zip(self._now(), self._start, strict=True)
        )
        return CpuPerCall(host, emulator, engine)


Job = tuple[SingleResource, Mapping[str, Any]]
"""A resource and the inputs an ``up`` or ``preview`` gives it."""


def up_job(job: Job) -> Op:
    """``pulumi up`` of the job's resource with its inputs; what it did."""
    resource, props = job
    return resource.up(props)


def shows_change(job: Job) -> bool:
    """Whether a ``pulumi preview`` of the job's resource with its inputs shows a change."""
    resource, props = job
    return resource.preview(props).op != "same"


class Lab:
    """A provider host configured against an emulator, and the resources it drives as the
    engine does (`standin.resource.SingleResource`, in the stack ``bench``).

    The provider blob (``__provider``) is computed once per provider object (`blob`), as the
    program computes it once per resource registration.
    """

    def __init__(
        self,
        emulator_url: str,
        *,
        project_id: str = PROJECT_ID,
        management_key: str = MANAGEMENT_KEY,
        host_env: Mapping[str, str] | None = None,
    ) -> None:
        self.host = ProviderHost(env=dict(host_env or {}))
        self.host.configure(stack_config(project_id, management_key, emulator_url))
        self.blob = ProviderBlobs()
        # the engine's workers, kept across phases (their threads' CPU and waits stay readable)
        self._workers = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="engine")

    def resource(self, type_token: str, name: str, provider: ResourceProvider) -> SingleResource:
        """Resource `name` of `type_token`, not created yet, served by `provider`."""
        return SingleResource(self.host, provider, type_token, name, stack="bench", blob=self.blob)

    # --- many resources -----------------------------------------------------------------

    def run_all(self, items: Iterable[T], action: Callable[[T], R]) -> list[R]:
        """`action` on every item, `CONCURRENCY` at a time; exceptions propagate."""
        return list(self._workers.map(action, items))

    @property
    def host_pid(self) -> int:
        return self.host.process.pid

    def close(self) -> None:
        self._workers.shutdown(cancel_futures=True)
        self.host.close()

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
