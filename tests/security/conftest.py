"""Fixtures for the security sweep: a distinctive management key (the canary), the emulator
expecting it, and a provider host whose every stderr line (logging turned up to DEBUG) is kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.server import EmulatorServer
from tests.support.host import REPO_ROOT, ProviderHost
from tests.support.project import TEST_PROJECT

PROJECT_ID = "Psecurity00000000000000000000"
CANARY_KEY = "K2canaryZQX7secretVALUE9f3b1d0e6a4c8"
"""The management key: distinctive, so any copy of it anywhere is found by a plain search."""
SITE_DIR = Path(__file__).resolve().parent / "host_site"


def leaks(text: str | bytes) -> bool:
    """Whether `text` holds the key or a recognisable part of it."""
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return any(part in data for part in (CANARY_KEY.encode(), b"canaryZQX7secret"))


def captured_host() -> ProviderHost:
    """A provider host logging at DEBUG; its stderr is kept (`ProviderHost.stderr_text`)."""
    return ProviderHost(env=host_env())


def host_env() -> dict[str, str]:
    return {
        "DESCOPE_TEST_LOG_LEVEL": "DEBUG",
        "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(REPO_ROOT)]),
    }


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=CANARY_KEY, **TEST_PROJECT
    ).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _clean_emulator(emulator: EmulatorServer) -> None:
    httpx.post(f"{emulator.url}/emulator/reset").raise_for_status()


@pytest.fixture(scope="session")
def stack_config(emulator: EmulatorServer) -> dict[str, str]:
    return {
        "descope:projectId": PROJECT_ID,
        "descope:managementKey": CANARY_KEY,
        "descope:baseUrl": emulator.url,
    }


@pytest.fixture
def host(stack_config: dict[str, str]) -> Iterator[ProviderHost]:
    """A fresh host per test, so its stderr belongs to that test."""
    provider_host = captured_host()
    try:
        provider_host.configure(stack_config)
        yield provider_host
    finally:
        provider_host.close()
