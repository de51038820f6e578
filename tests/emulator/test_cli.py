"""``python -m emulator`` as a separate process."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from descope import AuthException

from emulator import DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID
from tests.support.inprocess import plain_http_descope

REPO_ROOT = Path(__file__).resolve().parents[2]


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    assert selector.select(timeout), f"no output within {timeout}s"
    return proc.stdout.readline().strip()


def test_python_m_emulator__prints_url_first_and_serves_the_sdk() -> None:
    # The URL is the first line, flushed at once (scripts read it); how fast is the bench's
    # business, not a test's: the machines are shared.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
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
        url = _first_line(proc, timeout=30)
        assert url.startswith("http://127.0.0.1:")
        assert not url.endswith("/")

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


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "emulator", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    return proc.communicate(timeout=5)


def _refused(*args: str) -> str:
    """Run a start that must fail: exit status 2, and the one stderr line it printed."""
    proc = _start(*args)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m emulator: error: ")
    return lines[0]


def test_python_m_emulator__data_file_keeps_the_project_across_runs(tmp_path: Path) -> None:
    path = tmp_path / "descope.json"
    first = _start("--port", "0", "--data-file", str(path))
    try:
        url = _first_line(first, timeout=5)
        client = plain_http_descope(DEFAULT_PROJECT_ID, DEFAULT_MANAGEMENT_KEY, url)
        client.mgmt.tenant.create("Acme", "acme", ["acme.com"])
    finally:
        _stop(first)

    second = _start("--port", "0", "--data-file", str(path))
    try:
        url = _first_line(second, timeout=5)
        assert second.stdout is not None
        assert [second.stdout.readline().strip() for _ in range(2)][1] == f"data file: {path}"
        client = plain_http_descope(DEFAULT_PROJECT_ID, DEFAULT_MANAGEMENT_KEY, url)
        assert client.mgmt.tenant.load("acme")["selfProvisioningDomains"] == ["acme.com"]
    finally:
        _stop(second)


def test_python_m_emulator__corrupt_data_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "descope.json"
    path.write_text("{oops", encoding="utf-8")

    line = _refused("--port", "0", "--data-file", str(path))

    assert str(path) in line
    assert "not valid JSON" in line
    assert "move it away to start with an empty project" in line


def test_python_m_emulator__port_in_use_is_one_line_naming_the_address_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        line = _refused("--port", str(port))

    assert f"cannot listen on 127.0.0.1:{port}: the address is already in use" in line
    assert "pass another --port (0 picks a free one)" in line


@pytest.mark.parametrize("port", ["65536", "-1"])
def test_python_m_emulator__port_out_of_range_is_one_line_and_exit_2(port: str) -> None:
    line = _refused("--port", port)

    assert f"cannot listen on 127.0.0.1:{port}: the port must be between 0 and 65535" in line


def test_python_m_emulator__a_host_it_cannot_bind_is_one_line_and_exit_2() -> None:
    line = _refused("--port", "0", "--host", "192.0.2.1")  # TEST-NET-1: not on this machine

    assert "cannot listen on 192.0.2.1:0: " in line
    assert "check --host and --port" in line


def _reset_abruptly(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0) instead of a clean shutdown."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_python_m_emulator__clients_that_vanish_mid_request_or_response_leave_no_traceback() -> (
    None
):
    proc = _start("--port", "0")
    try:
        url = _first_line(proc, timeout=5)
        host, port = url.removeprefix("http://").split(":")
        address = (host, int(port))
        # mid-request: the body announced is never sent in full
        for _ in range(3):
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(
                f"POST /v1/mgmt/tenant/create HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
                + b'Content-Length: 100000\r\n\r\n{"name":'
            )
            time.sleep(0.05)
            _reset_abruptly(sock)
        # mid-response: gone while the emulator waits to answer
        httpx.post(f"{url}/emulator/faults", json={"latencyMs": 200}).raise_for_status()
        for _ in range(3):
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(
                f"GET /v1/mgmt/tenant/all HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
            )
            time.sleep(0.05)
            _reset_abruptly(sock)
        time.sleep(0.5)  # let the emulator try to answer the vanished clients
        httpx.post(f"{url}/emulator/faults", json={}).raise_for_status()
        assert httpx.get(f"{url}/emulator/health").json() == {"ok": True}  # still serving
    finally:
        _, err = _stop(proc)
    assert proc.returncode == 0
    assert err == ""


def test_python_m_emulator__tenant_attributes_file_defines_them(tmp_path: Path) -> None:
    path = tmp_path / "attributes.json"
    path.write_text(json.dumps({"seats": {"type": "number", "displayName": "Seats"}}))
    proc = _start("--port", "0", "--tenant-attributes", str(path))
    try:
        url = _first_line(proc, timeout=5)
        client = plain_http_descope(DEFAULT_PROJECT_ID, DEFAULT_MANAGEMENT_KEY, url)
        client.mgmt.tenant.create("Acme", "acme", custom_attributes={"seats": 3})
        with pytest.raises(AuthException) as err:
            client.mgmt.tenant.create("Beta", "beta", custom_attributes={"plan": "x"})
        assert "Custom attribute 'plan' is not defined" in str(err.value.error_message)
    finally:
        _stop(proc)


def test_python_m_emulator__no_require_attribute_definitions_stores_any(tmp_path: Path) -> None:
    proc = _start("--port", "0", "--no-require-attribute-definitions")
    try:
        url = _first_line(proc, timeout=5)
        client = plain_http_descope(DEFAULT_PROJECT_ID, DEFAULT_MANAGEMENT_KEY, url)
        client.mgmt.tenant.create("Acme", "acme", custom_attributes={"anything": [1]})
        assert client.mgmt.tenant.load("acme")["customAttributes"] == {"anything": [1]}
    finally:
        _stop(proc)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read --tenant-attributes file {path}: No such file or directory"),
        ("{oops", "--tenant-attributes file {path} is not valid JSON"),
        (
            '{"plan": {"type": "enum", "displayName": "Plan"}}',
            "--tenant-attributes file {path}: tenant attribute 'plan': type must be one of",
        ),
    ],
)
def test_python_m_emulator__a_bad_tenant_attributes_file_is_one_line_and_exit_2(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "attributes.json"
    if content is not None:
        path.write_text(content)

    line = _refused("--port", "0", "--tenant-attributes", str(path))

    assert expected.format(path=path) in line


def test_python_m_emulator__roles_file_seeds_the_project(tmp_path: Path) -> None:
    path = tmp_path / "roles.json"
    path.write_text(json.dumps({"roles": [{"name": "member"}]}))
    proc = _start("--port", "0", "--roles", str(path))
    try:
        url = _first_line(proc, timeout=5)
        client = plain_http_descope(DEFAULT_PROJECT_ID, DEFAULT_MANAGEMENT_KEY, url)
        client.mgmt.tenant.create("Acme", "acme")
        client.mgmt.tenant.update_default_roles("acme", ["member"])
        assert [r["name"] for r in client.mgmt.role.load_all()["roles"]] == [
            "Tenant Admin",
            "member",
        ]
    finally:
        _stop(proc)


def test_python_m_emulator__role_switches_can_be_turned_off_at_start() -> None:
    proc = _start("--port", "0", "--no-require-existing-roles", "--no-cascade-permission-changes")
    try:
        url = _first_line(proc, timeout=5)
        options = httpx.get(f"{url}/emulator/options").json()
    finally:
        _stop(proc)
    assert (options["requireExistingRoles"], options["cascadePermissionChanges"]) == (
        False,
        False,
    )
    assert options["requireAttributeDefinitions"] is True


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read --roles file {path}: No such file or directory"),
        ("[", "--roles file {path} is not valid JSON"),
        (
            '{"roles": [{"name": "x", "permissionNames": ["ghost"]}]}',
            "--roles file {path}: Permission 'ghost' not found",
        ),
    ],
)
def test_python_m_emulator__a_bad_roles_file_is_one_line_and_exit_2(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "roles.json"
    if content is not None:
        path.write_text(content)

    line = _refused("--port", "0", "--roles", str(path))

    assert expected.format(path=path) in line
