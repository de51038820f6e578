"""Fixtures for the ops tests: the emulator over HTTP (the suite's plugin serves it,
`tests.support.emulated`, with `descope` and the session `host`), a copy of the project in a
temp folder."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from emulator.server import EmulatorServer
from ops.cli import main
from tests.support.emulated import EmulatedProject
from tests.support.project import DEPLOYED_PROJECT

REPO = Path(__file__).resolve().parents[2]
PROJECT_ID = "Popstest000000000000000000000"
MANAGEMENT_KEY = "K-ops-test-secret-0123456789"
STACK = "test"


EMULATED = EmulatedProject(PROJECT_ID, MANAGEMENT_KEY, DEPLOYED_PROJECT, contract=True)
"""Reset for every test, one session host, held to Descope's description."""


@pytest.fixture
def emulated() -> EmulatedProject:
    return EMULATED


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
