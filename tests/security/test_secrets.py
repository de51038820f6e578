"""The management key never leaves the process that needs it, and private files stay private.

A distinctive key (`CANARY_KEY`) is used end to end; the sweep searches for it in serialised
providers, host responses (inputs and outputs of Check, Create, Read, Update), snapshot and
backup files, the host's stderr with logging at DEBUG, in-process logging, and error messages
(401, 500, malformed settings). Snapshot and backup files must be 0600 in a 0700 folder.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi.dynamic import ResourceProvider

from bench.workload import flow_export, tenant_props, tenant_spec
from emulator.server import EmulatorServer
from providers import client
from providers.errors import ConfigurationError
from providers.flow import FlowProvider
from providers.tenant import TenantProvider
from providers.theme import ThemeProvider
from tests.security.conftest import CANARY_KEY, PROJECT_ID, captured_host, leaks
from tests.support.host import REPO_ROOT, HostError, ProviderHost, ResourceUnderTest, provider_blob

pytestmark = pytest.mark.engine

TENANT = "pulumi-python:dynamic/descope:Tenant"
FLOW = "pulumi-python:dynamic/descope:Flow"
THEME = "pulumi-python:dynamic/descope:Theme"


def _decoded(blob: str) -> bytes:
    try:
        return base64.b64decode(blob, validate=False)
    except ValueError:
        return b""


def _assert_private_tree(folder: Path, *, folders: bool = True) -> list[Path]:
    """Every file under `folder` is 0600 and (with `folders`) every folder 0700; returns the
    files."""
    files: list[Path] = []
    if folders:
        mode = stat.S_IMODE(folder.stat().st_mode)
        assert mode == 0o700, f"{folder} is {oct(mode)}, not 0700"
    for path in folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert not folders or mode == 0o700, f"{path} is {oct(mode)}, not 0700"
        else:
            assert mode == 0o600, f"{path} is {oct(mode)}, not 0600"
            files.append(path)
    return files


# --- serialised providers ---------------------------------------------------------------------


def test_serialised_providers_hold_no_key(
    stack_config: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DESCOPE_MANAGEMENT_KEY", CANARY_KEY)
    providers: list[ResourceProvider] = [
        TenantProvider(backup_dir=str(tmp_path)),
        FlowProvider(backup_dir=str(tmp_path)),
        ThemeProvider(backup_dir=str(tmp_path)),
    ]
    client.configure(stack_config)  # as `configure` in the host would, before pickling
    try:
        for provider in providers:
            blob = provider_blob(provider)
            assert not leaks(blob), type(provider).__name__
            assert not leaks(_decoded(blob)), type(provider).__name__
            assert not leaks(repr(vars(provider)))
    finally:
        client.configure({})


# --- the host: inputs, outputs, snapshots, logs -----------------------------------------------


def _everything_said(resource: ResourceUnderTest) -> str:
    return json.dumps({"inputs": resource.inputs, "outputs": resource.outputs}, default=str)


def test_host_responses_snapshots_and_logs_hold_no_key(
    host: ProviderHost, emulator: EmulatorServer, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    said: list[str] = []

    tenant = ResourceUnderTest(host, TenantProvider(backup_dir=str(backups)), TENANT, "tenant-sec")
    spec = tenant_spec(1, prefix="sec")
    said.append(json.dumps(tenant.check(tenant_props(spec)), default=str))
    tenant.up(tenant_props(spec))
    said.append(_everything_said(tenant))
    tenant.refresh()
    said.append(_everything_said(tenant))
    tenant.up(tenant_props({**spec, "name": "Renamed", "customAttributes": {"k": "v"}}))
    said.append(_everything_said(tenant))
    tenant.destroy()  # snapshot before delete

    # adopt: a tenant made behind Pulumi's back is snapshotted, then managed
    httpx.post(
        f"{emulator.url}/v1/mgmt/tenant/create",
        json={"id": "sec-adopt", "name": "Console made"},
        headers={"Authorization": f"Bearer {PROJECT_ID}:{CANARY_KEY}"},
    ).raise_for_status()
    adopted = ResourceUnderTest(
        host, TenantProvider(backup_dir=str(backups)), TENANT, "tenant-adopt"
    )
    adopted.up(tenant_props({**tenant_spec(2, prefix="sec"), "id": "sec-adopt", "adopt": True}))
    said.append(_everything_said(adopted))

    # flows: create, overwrite after a console edit (snapshot), delete (snapshot)
    flow = ResourceUnderTest(host, FlowProvider(backup_dir=str(backups)), FLOW, "flow-sec")
    props: dict[str, Any] = {
        "flowId": "sec-flow",
        "content": flow_export("sec-flow"),
        "deleteOnRemove": True,
    }
    flow.up(props)
    httpx.post(
        f"{emulator.url}/v1/mgmt/flow/import",
        json={"flowId": "sec-flow", **flow_export("sec-flow", revision=7)},
        headers={"Authorization": f"Bearer {PROJECT_ID}:{CANARY_KEY}"},
    ).raise_for_status()
    flow.up({**props, "content": flow_export("sec-flow", revision=2)})
    said.append(_everything_said(flow))
    flow.refresh()
    said.append(_everything_said(flow))
    flow.destroy()

    for text in said:
        assert not leaks(text), text[:300]
    files = _assert_private_tree(backups)
    reasons = {p.name.rsplit("-", 1)[-1].removesuffix(".json") for p in files}
    assert {"delete", "adopt", "overwrite"} <= reasons, sorted(p.name for p in files)
    for path in files:
        assert not leaks(path.read_bytes()), path

    log_text = host.stderr_text()
    assert "DEBUG" in log_text or "INFO" in log_text or "WARNING" in log_text, "no logs seen"
    assert not leaks(log_text), [line for line in log_text.splitlines() if leaks(line)][:3]


def test_in_process_logging_holds_no_key(
    stack_config: dict[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    client.configure(stack_config)
    try:
        provider = TenantProvider(backup_dir=str(tmp_path / "backups"))
        props = tenant_props(tenant_spec(3, prefix="log"))
        checked = provider.check({}, props)
        created = provider.create(checked.inputs)
        provider.read(created.id, created.outs or {})
        provider.delete(created.id, created.outs or {})
    finally:
        client.configure({})
    out = capsys.readouterr()
    assert caplog.records, "nothing was logged"
    assert not leaks(caplog.text)
    assert not leaks(out.out + out.err)


# --- error messages -----------------------------------------------------------------------------


def test_401_and_500_errors_hold_no_key(
    emulator: EmulatorServer, stack_config: dict[str, str], tmp_path: Path
) -> None:
    wrong = CANARY_KEY[::-1]  # also distinctive: the message must hold neither key
    host = captured_host()
    try:
        host.configure({**stack_config, "descope:managementKey": wrong})
        tenant = ResourceUnderTest(
            host, TenantProvider(backup_dir=str(tmp_path)), TENANT, "tenant-401"
        )
        with pytest.raises(HostError) as unauthorized:
            tenant.up(tenant_props(tenant_spec(4, prefix="err")))
        assert "401" in unauthorized.value.message
        for text in (unauthorized.value.message, host.stderr_text()):
            assert not leaks(text)
            assert wrong not in text
    finally:
        host.close()

    host = captured_host()
    try:
        host.configure(stack_config)
        httpx.post(f"{emulator.url}/emulator/faults", json={"fail500": {"count": 100}})
        tenant = ResourceUnderTest(
            host, TenantProvider(backup_dir=str(tmp_path)), TENANT, "tenant-500"
        )
        with pytest.raises(HostError) as server_error:
            tenant.up(tenant_props(tenant_spec(5, prefix="err")))
        assert "500" in server_error.value.message
        assert not leaks(server_error.value.message)
        assert not leaks(host.stderr_text())
    finally:
        httpx.post(f"{emulator.url}/emulator/faults", json={})
        host.close()


@pytest.mark.parametrize(
    "key",
    [
        f"{CANARY_KEY} trailing-words",
        f"{CANARY_KEY}:{CANARY_KEY}",
        f"prefix {CANARY_KEY}",
        f"{CANARY_KEY}\twith-tab",
    ],
)
def test_malformed_key_errors_hold_no_key(key: str) -> None:
    config = {"descope:projectId": PROJECT_ID, "descope:managementKey": key}
    with pytest.raises(ConfigurationError) as raised:
        client.resolve_settings(config, environ={})
    assert "managementKey" in str(raised.value)
    assert not leaks(str(raised.value))
    assert not leaks(repr(raised.value))


def test_a_key_with_surrounding_space_is_trimmed_and_hidden() -> None:
    config = {"descope:projectId": PROJECT_ID, "descope:managementKey": f" {CANARY_KEY}\n"}
    settings = client.resolve_settings(config, environ={})
    assert settings.management_key == CANARY_KEY
    assert not leaks(repr(settings))


def test_settings_from_the_environment_never_show_the_key() -> None:
    env = {"DESCOPE_PROJECT_ID": PROJECT_ID, "DESCOPE_MANAGEMENT_KEY": f"{CANARY_KEY} x"}
    with pytest.raises(ConfigurationError) as raised:
        client.resolve_settings({}, environ=env)
    assert "DESCOPE_MANAGEMENT_KEY" in str(raised.value)
    assert not leaks(str(raised.value))
    good = client.resolve_settings({}, environ={**env, "DESCOPE_MANAGEMENT_KEY": CANARY_KEY})
    assert not leaks(repr(good))
    assert not leaks(str(good))


# --- ops backup ---------------------------------------------------------------------------------


def _ops_backup(emulator: EmulatorServer, tmp_path: Path) -> tuple[Path, bytes]:
    """Run `python -m ops backup` on a stack holding the canary key; returns the backup folder
    and everything it printed."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: descope-config\nruntime: python\n")
    (project / "tenants.yaml").write_text(
        "tenants:\n  - {id: bk-1, name: Backed Up}\n  - {id: bk-2, name: Also Backed Up}\n"
    )
    backups = tmp_path / "ops-backups"
    (project / "Pulumi.sec.yaml").write_text(
        "config:\n"
        f"  descope:projectId: {PROJECT_ID}\n"
        f"  descope:managementKey: {CANARY_KEY}\n"
        f"  descope:baseUrl: {emulator.url}\n"
        f"  descope-config:tenantsFile: {project / 'tenants.yaml'}\n"
        f"  descope-config:backupDir: {backups}\n"
    )
    for tenant_id, name in (("bk-1", "Backed Up"), ("bk-2", "Also Backed Up")):
        httpx.post(
            f"{emulator.url}/v1/mgmt/tenant/create",
            json={"id": tenant_id, "name": name},
            headers={"Authorization": f"Bearer {PROJECT_ID}:{CANARY_KEY}"},
        ).raise_for_status()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESCOPE_")}
    done = subprocess.run(
        [sys.executable, "-m", "ops", "--project-dir", str(project), "backup", "--stack", "sec"],
        cwd=REPO_ROOT,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return backups, done.stdout + done.stderr


def test_ops_backup_file_is_private_and_holds_no_key(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    backups, printed = _ops_backup(emulator, tmp_path)
    assert not leaks(printed)
    files = _assert_private_tree(backups, folders=False)
    assert files, "ops backup wrote no file"
    for path in files:
        text = path.read_bytes()
        assert not leaks(text), path
        assert b"bk-1" in text


def test_ops_backup_folder_is_owner_only(emulator: EmulatorServer, tmp_path: Path) -> None:
    backups, _ = _ops_backup(emulator, tmp_path)
    _assert_private_tree(backups)


# --- the emulator listens on loopback -----------------------------------------------------------


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on `port`."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_emulator_server_binds_loopback_by_default() -> None:
    server = EmulatorServer().start()
    try:
        host, port = server.host_and_port
        assert host == "127.0.0.1"
        assert server.url.startswith("http://127.0.0.1:")
        addresses = _listening_addresses(port)
        if addresses:  # /proc is there: nothing listens beyond loopback
            assert addresses == {"0100007F"}, addresses
    finally:
        server.stop()


def test_python_m_emulator_binds_loopback_by_default() -> None:
    from emulator.__main__ import _parser  # noqa: PLC0415

    assert _parser().parse_args([]).host == "127.0.0.1"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "emulator", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:"), url
        addresses = _listening_addresses(int(url.rsplit(":", 1)[1]))
        if addresses:
            assert addresses == {"0100007F"}, addresses
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_emulator_request_log_drops_the_authorization_header(emulator: EmulatorServer) -> None:
    httpx.get(
        f"{emulator.url}/v1/mgmt/tenant/all",
        headers={"Authorization": f"Bearer {PROJECT_ID}:{CANARY_KEY}"},
    ).raise_for_status()
    log = httpx.get(f"{emulator.url}/emulator/requests").text
    assert "/v1/mgmt/tenant/all" in log
    assert not leaks(log)
