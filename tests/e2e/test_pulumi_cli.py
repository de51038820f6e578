"""End to end with the real pulumi CLI: up, no-change preview, an edit, refresh, export, destroy.

Runs only where `pulumi` is on PATH (it cannot be installed from any registry reachable here):
a copy of the project in a temp folder, a local file backend (no account), an empty passphrase,
and the emulator on a free port standing in for Descope.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from tests.support.project import TEST_PROJECT

REPO = Path(__file__).resolve().parents[2]
PROJECT_ID = "Pe2e0000000000000000000000000"
MANAGEMENT_KEY = "K-e2e-local-key-0123456789"
STACK = "e2e"
OIDC_SECRET = "e2e-oidc-client-secret-3f1"
TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
FLOW_TYPE = "pulumi-python:dynamic/descope:Flow"

pytestmark = [
    pytest.mark.cli,
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="needs the pulumi CLI on PATH; install it: https://www.pulumi.com/docs/install/",
    ),
]


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, **TEST_PROJECT
    ).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workdir(tmp_path: Path, emulator: EmulatorServer) -> Path:
    """A copy of the program and the dev configuration, as stack `e2e` on the emulator."""
    work = tmp_path / "project"
    work.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "requirements.txt"):
        shutil.copy(REPO / name, work / name)
    for package in ("model", "config", "providers"):
        shutil.copytree(
            REPO / package, work / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (work / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    (work / f"Pulumi.{STACK}.yaml").write_text(
        "config:\n"
        f"  descope:projectId: {PROJECT_ID}\n"
        f"  descope:baseUrl: {emulator.url}\n"
        f"  descope:managementKey: {MANAGEMENT_KEY}\n"
        "  descope-config:tenantsFile: config/tenants/dev.yaml\n"
        "  descope-config:flowsDir: config/flows\n"
        "  descope-config:protect: false\n"
        "  descope-config:retainOnDelete: false\n"
        "  descope-config:environment: dev\n"
        "  descope-config:domainSuffix: dev.example.com\n"
        f"  descope-config:backupDir: {tmp_path / 'backups'}\n",
        encoding="utf-8",
    )
    return work


@pytest.fixture
def pulumi_env(tmp_path: Path) -> dict[str, str]:
    state = tmp_path / "state"
    state.mkdir()
    return {
        **os.environ,
        "PULUMI_BACKEND_URL": state.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


def pulumi(workdir: Path, env: dict[str, str], *args: str) -> str:
    """Run `pulumi ARGS --stack e2e --non-interactive`; fail the test with its output."""
    command = ["pulumi", *args, "--stack", STACK, "--non-interactive"]
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def tenant_ids(client: DescopeClient) -> list[str]:
    return sorted(t["id"] for t in client.mgmt.tenant.load_all()["tenants"])


def test_pulumi_cli__up_preview_edit_refresh_export_destroy(
    workdir: Path, pulumi_env: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    descope = DescopeClient(PROJECT_ID, management_key=MANAGEMENT_KEY, base_url=emulator.url)
    pulumi(workdir, pulumi_env, "stack", "init")
    # The OIDC client secret globex's SSO names, set as a secret as the README says.
    pulumi(
        workdir,
        pulumi_env,
        "config",
        "set",
        "--secret",
        "descope-config:globexOidcClientSecret",
        OIDC_SECRET,
    )

    # Create: every tenant, the flow and the theme.
    pulumi(workdir, pulumi_env, "up", "--yes")
    assert tenant_ids(descope) == ["acme", "globex", "initech"]
    assert descope.mgmt.tenant.load_settings("acme")["authType"] == "saml"
    assert [f["id"] for f in descope.mgmt.flow.list_flows()["flows"]] == ["sign-up-or-in"]

    # The provider's most important invariant: after up, nothing left to do.
    pulumi(workdir, pulumi_env, "preview", "--expect-no-changes")

    # An edit in the YAML becomes an update.
    tenants_file = workdir / "config" / "tenants" / "dev.yaml"
    tenants_file.write_text(
        tenants_file.read_text().replace("name: Acme Corp", "name: Acme Corporation")
    )
    pulumi(workdir, pulumi_env, "up", "--yes")
    assert descope.mgmt.tenant.load("acme")["name"] == "Acme Corporation"

    # Descope holds exactly what the state says.
    pulumi(workdir, pulumi_env, "refresh", "--yes", "--expect-no-changes")
    pulumi(workdir, pulumi_env, "preview", "--expect-no-changes")
    assert descope.mgmt.sso.load_settings("globex")["tenant"]["authType"] == "oidc"

    # The stack export holds what restore reads.
    export_file = tmp_path / "stack.json"
    pulumi(workdir, pulumi_env, "stack", "export", "--file", str(export_file))
    exported = export_file.read_text()
    assert OIDC_SECRET not in exported  # the engine keeps the secret input encrypted
    resources = json.loads(exported)["deployment"]["resources"]
    tenants = {r["outputs"]["tenantId"]: r for r in resources if r["type"] == TENANT_TYPE}
    assert sorted(tenants) == ["acme", "globex", "initech"]
    assert tenants["acme"]["outputs"]["name"] == "Acme Corporation"
    flows = [r for r in resources if r["type"] == FLOW_TYPE]
    assert [r["outputs"]["flowId"] for r in flows] == ["sign-up-or-in"]
    assert flows[0]["outputs"]["contentHash"].startswith("sha256:")

    # Destroy: the dev stack deletes tenants; flows are kept unless deleteOnRemove.
    pulumi(workdir, pulumi_env, "destroy", "--yes")
    assert tenant_ids(descope) == []
    assert [f["id"] for f in descope.mgmt.flow.list_flows()["flows"]] == ["sign-up-or-in"]
    pulumi(workdir, pulumi_env, "stack", "rm", "--yes")
