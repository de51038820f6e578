"""An OIDC client secret never leaves the write that sends it to Descope.

A distinctive client secret (`CLIENT_SECRET`) goes through the whole life of an SSO
configuration in the real provider host (check, create, refresh, update with a new secret,
a console edit overwritten, delete), a stand-in ``up`` of the example program, an ops backup
and export and an error; the sweep searches for it in serialised providers, host responses
(inputs excepted: the engine keeps a secret input encrypted), outputs, snapshot and backup
files, the emulator's state, request log and data file, the host's stderr at DEBUG and every
message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.server import EmulatorServer
from providers.sso import SSOConfigurationProvider
from standin.host import provider_blob
from tests.security.conftest import CANARY_KEY, PROJECT_ID
from tests.support.host import REPO_ROOT, HostError, ProviderHost, ResourceUnderTest
from tests.support.sso import CLIENT_SECRET, oidc_props

pytestmark = pytest.mark.engine

SSO = "pulumi-python:dynamic/descope:SSOConfiguration"
ROTATED = "rotated-SECRET-canary-0b7e44"
AUTH = {"Authorization": f"Bearer {PROJECT_ID}:{CANARY_KEY}"}


def secret_in(text: str | bytes) -> bool:
    data = text.encode() if isinstance(text, str) else text
    return any(s.encode() in data for s in (CLIENT_SECRET, ROTATED, "SECRET-canary"))


def _without_inputs(resource: ResourceUnderTest) -> str:
    return json.dumps({"id": resource.id, "outputs": resource.outputs}, default=str)


def _create_tenant(emulator: EmulatorServer, tenant_id: str) -> None:
    httpx.post(
        f"{emulator.url}/v1/mgmt/tenant/create",
        json={"id": tenant_id, "name": tenant_id.title()},
        headers=AUTH,
    ).raise_for_status()
    httpx.post(
        f"{emulator.url}/v1/mgmt/role/create", json={"name": "admin"}, headers=AUTH
    )  # may exist


def test_a_client_secret_is_in_no_output_snapshot_log_or_emulator_view(
    host: ProviderHost, emulator: EmulatorServer, tmp_path: Path
) -> None:
    _create_tenant(emulator, "acme")
    backups = tmp_path / "backups"
    provider = SSOConfigurationProvider(backup_dir=str(backups))
    assert not secret_in(provider_blob(provider))
    said: list[str] = []
    sso = ResourceUnderTest(host, provider, SSO, "sso-acme")
    props = oidc_props(groupMappings=[], defaultRoles=[])
    sso.up(props)
    said.append(_without_inputs(sso))
    sso.refresh()
    said.append(_without_inputs(sso))
    assert "clientSecret" not in sso.inputs  # a read does not know it
    assert sso.up({**props, "clientSecret": ROTATED}) == "update"
    said.append(_without_inputs(sso))
    # A console edit, overwritten after a snapshot:
    httpx.post(
        f"{emulator.url}/v1/mgmt/sso/oidc",
        json={"tenantId": "acme", "settings": {"name": "console", "clientId": "c"}},
        headers=AUTH,
    ).raise_for_status()
    sso.refresh()
    sso.up({**props, "clientSecret": ROTATED})
    said.append(_without_inputs(sso))
    sso.destroy()

    assert all(not secret_in(text) for text in said), said
    files = sorted(backups.glob("*.json"))
    assert {p.stem.rsplit("-", 1)[-1] for p in files} == {"overwrite", "delete"}
    assert all(not secret_in(p.read_bytes()) for p in files)
    assert not secret_in(host.stderr_text())
    assert "DEBUG" in host.stderr_text() or "INFO" in host.stderr_text()
    for view in ("/emulator/state", "/emulator/requests"):
        assert not secret_in(httpx.get(f"{emulator.url}{view}").text), view


def test_errors_about_an_oidc_configuration_hold_no_secret(
    host: ProviderHost, emulator: EmulatorServer, tmp_path: Path
) -> None:
    _create_tenant(emulator, "acme")
    sso = ResourceUnderTest(host, SSOConfigurationProvider(backup_dir=str(tmp_path)), SSO, "sso-e")
    bad = oidc_props(groupMappings=[{"role": "no-such-role", "groups": ["g"]}])
    with pytest.raises(HostError) as refused:
        sso.up(bad)
    assert "no-such-role" in refused.value.message
    assert not secret_in(refused.value.message)
    httpx.post(f"{emulator.url}/emulator/faults", json={"fail500": {"count": 100}})
    try:
        with pytest.raises(HostError) as failed:
            sso.up(oidc_props(tenant_id="acme", groupMappings=[]))
        assert "500" in failed.value.message
        assert not secret_in(failed.value.message)
    finally:
        httpx.post(f"{emulator.url}/emulator/faults", json={})
    assert not secret_in(host.stderr_text())


def _project(tmp_path: Path, emulator: EmulatorServer) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: descope-config\nruntime: python\n")
    (project / "tenants.yaml").write_text(
        "tenants:\n"
        "  - id: acme\n    name: Acme\n    sso:\n      oidc:\n"
        "        issuer: https://idp.acme.example\n        clientId: c\n"
        "        clientSecret: ${acmeSecret}\n"
    )
    (project / "Pulumi.sec.yaml").write_text(
        "config:\n"
        f"  descope:projectId: {PROJECT_ID}\n"
        f"  descope:managementKey: {CANARY_KEY}\n"
        f"  descope:baseUrl: {emulator.url}\n"
        f"  descope-config:tenantsFile: {project / 'tenants.yaml'}\n"
        f"  descope-config:backupDir: {tmp_path / 'ops-backups'}\n"
        f"  descope-config:acmeSecret: {CLIENT_SECRET}\n"
    )
    return project


def _ops(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESCOPE_")}
    return subprocess.run(
        [sys.executable, "-m", "ops", "--project-dir", str(project), *args],
        cwd=REPO_ROOT,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_ops_backup_export_and_report_hold_no_secret(
    emulator: EmulatorServer, host: ProviderHost, tmp_path: Path
) -> None:
    _create_tenant(emulator, "acme")
    ResourceUnderTest(host, SSOConfigurationProvider(backup_dir=str(tmp_path)), SSO, "s").up(
        oidc_props(groupMappings=[], defaultRoles=[])
    )
    project = _project(tmp_path, emulator)
    printed: list[bytes] = []
    for args in (
        ("backup", "--stack", "sec"),
        ("report", "--stack", "sec"),
        (
            "export",
            "--stack",
            "sec",
            "--out",
            str(tmp_path / "x.yaml"),
            "--flows-dir",
            str(tmp_path / "f"),
        ),
        ("validate", "--stack", "sec"),
    ):
        done = _ops(project, *args)
        assert done.returncode == 0, done.stderr.decode()
        printed.append(done.stdout + done.stderr)
    assert all(not secret_in(text) for text in printed)
    written = [*(tmp_path / "ops-backups").glob("*.json"), tmp_path / "x.yaml"]
    assert all(not secret_in(p.read_bytes()) for p in written)
    assert "${oidcClientSecret_acme}" in (tmp_path / "x.yaml").read_text()


def test_the_emulator_data_file_holds_no_secret(tmp_path: Path) -> None:
    data = tmp_path / "emulator.json"
    with EmulatorServer(data_file=data, project_id=PROJECT_ID, management_key=CANARY_KEY) as server:
        httpx.post(
            f"{server.url}/v1/mgmt/tenant/create", json={"id": "acme", "name": "Acme"}, headers=AUTH
        ).raise_for_status()
        body: dict[str, Any] = {
            "tenantId": "acme",
            "settings": {"name": "n", "clientId": "c", "clientSecret": CLIENT_SECRET},
        }
        httpx.post(f"{server.url}/v1/mgmt/sso/oidc", json=body, headers=AUTH).raise_for_status()
    assert not secret_in(data.read_bytes())
