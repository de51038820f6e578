"""Fixtures for the ops tests: the emulator over HTTP, a copy of the project in a temp folder."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from ops.cli import main
from tests.contract.checker import CONTRACT, contract_kept
from tests.support.host import ProviderHost
from tests.support.project import DEPLOYED_PROJECT

REPO = Path(__file__).resolve().parents[2]
PROJECT_ID = "Popstest000000000000000000000"
MANAGEMENT_KEY = "K-ops-test-secret-0123456789"
STACK = "test"


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, **DEPLOYED_PROJECT
    ).start()
    CONTRACT.attach(server.app)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _clean_emulator(emulator: EmulatorServer) -> None:
    httpx.post(f"{emulator.url}/emulator/reset").raise_for_status()


@pytest.fixture
def descope(emulator: EmulatorServer) -> DescopeClient:
    """The real SDK on the emulator, to arrange and check out of band."""
    return DescopeClient(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, base_url=emulator.url
    )


@pytest.fixture(scope="session")
def host(emulator: EmulatorServer) -> Iterator[ProviderHost]:
    with ProviderHost() as provider_host:
        provider_host.configure(
            {
                "descope:projectId": PROJECT_ID,
                "descope:managementKey": MANAGEMENT_KEY,
                "descope:baseUrl": emulator.url,
            }
        )
        yield provider_host


OIDC_SECRET = "ops-test-oidc-client-secret"
"""The value of descope-config:globexOidcClientSecret, which the dev configuration names."""


def stack_yaml(
    base_url: str, *, key: str | None = MANAGEMENT_KEY, extra: str = "", secure_secret: bool = False
) -> str:
    """The stack file; `secure_secret` writes the OIDC client secret as Pulumi writes a
    secret (encrypted, so these commands know it by name only), else in plain text (accepted
    on the emulator's stack only)."""
    key_line = f"  descope:managementKey: {key}\n" if key else ""
    secret_value = "{secure: v1:AAAAbm90LWEtcmVhbC1jaXBoZXJ0ZXh0}" if secure_secret else OIDC_SECRET
    return (
        "config:\n"
        f"  descope:projectId: {PROJECT_ID}\n"
        f"  descope:baseUrl: {base_url}\n"
        f"{key_line}"
        f"  descope-config:tenantsFile: config/tenants/{STACK}.yaml\n"
        "  descope-config:flowsDir: config/flows\n"
        "  descope-config:environment: dev\n"
        "  descope-config:domainSuffix: dev.example.com\n"
        f"  descope-config:globexOidcClientSecret: {secret_value}\n"
        f"{extra}"
    )


@dataclass
class Project:
    """A copy of the project (Pulumi.yaml, the dev configuration) as stack `test`."""

    root: Path
    stack: str = STACK

    @property
    def tenants_file(self) -> Path:
        return self.root / "config" / "tenants" / f"{STACK}.yaml"

    @property
    def flows_dir(self) -> Path:
        return self.root / "config" / "flows"

    def write_stack(self, text: str) -> None:
        (self.root / f"Pulumi.{STACK}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorServer) -> Project:
    root = tmp_path / "project"
    (root / "config" / "tenants").mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO / "config" / "flows", root / "config" / "flows")
    shutil.copy(REPO / "config" / "tenants" / "dev.yaml", root / "config" / "tenants" / "test.yaml")
    result = Project(root)
    result.write_stack(stack_yaml(emulator.url))
    return result


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def ops(project: Project, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``python -m ops --project-dir <project> ARGS...``; returns (exit code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--project-dir", str(project.root), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def counters(emulator: EmulatorServer) -> dict[str, int]:
    """The emulator's request counts by endpoint, since the last reset (the SDK's license
    handshake left out)."""
    response = httpx.get(f"{emulator.url}/emulator/counters")
    response.raise_for_status()
    return {k: v for k, v in response.json()["requests"].items() if v and "license" not in k}


def reset_counters(emulator: EmulatorServer) -> None:
    httpx.post(f"{emulator.url}/emulator/counters/reset").raise_for_status()


def timeless(lines: str) -> list[str]:
    """Progress lines, the durations of finished loops written as ``(T s)``."""
    return [re.sub(r"\(\d+\.\d s\)$", "(T s)", line) for line in lines.splitlines()]


@pytest.fixture(autouse=True)
def _held_to_descopes_api_description() -> Iterator[None]:
    """Every answer the emulator gives in the test fits Descope's published description."""
    yield from contract_kept()
