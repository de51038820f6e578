"""Fixtures for the security sweep: a distinctive management key (the canary), the emulator
expecting it, and a provider host per test whose every stderr line (logging turned up to DEBUG)
is kept (the suite's plugin serves them, `tests.support.emulated`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.emulated import EmulatedProject
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


EMULATED = EmulatedProject(
    PROJECT_ID, CANARY_KEY, TEST_PROJECT, host_env=host_env(), host_per_test=True
)
"""Reset for every test; a fresh host per test, logging at DEBUG, so its stderr belongs to
that test."""


@pytest.fixture
def emulated() -> EmulatedProject:
    return EMULATED
