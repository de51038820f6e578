"""``python -m emulator`` as a separate process."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from emulator import DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID
from tests.support.inprocess import plain_http_descope

REPO_ROOT = Path(__file__).resolve().parents[2]


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    assert selector.select(timeout), f"no output within {timeout}s"
    return proc.stdout.readline().strip()


def test_python_m_emulator__prints_url_first_within_a_second_and_serves_the_sdk() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            "0",
            "--not-found-status",
            "404",
            "--allow-duplicate-sso-domains",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _first_line(proc, timeout=5)
        elapsed = time.monotonic() - started
        assert url.startswith("http://127.0.0.1:")
        assert not url.endswith("/")
        assert elapsed < 1.0, f"took {elapsed:.2f}s to print its URL"

        client = plain_http_descope(DEFAULT_PROJECT_ID, DEFAULT_MANAGEMENT_KEY, url)
        assert client.mgmt.tenant.create("Acme", "acme") == {"id": "acme"}
        assert client.mgmt.tenant.load("acme")["name"] == "Acme"
        options = httpx.get(f"{url}/emulator/options").json()
        assert (options["notFoundStatus"], options["allowDuplicateSSODomainsInOtherTenants"]) == (
            404,
            True,
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0
    assert DEFAULT_MANAGEMENT_KEY not in out + err
