"""An access key's secret (its cleartext) is the AccessKey resource's secret output and nothing
else: no snapshot, backup, log line, message or emulator view holds it.

The emulator answers a distinctive cleartext (`CANARY`) at every create and rotate. The key
goes through its whole life in the real provider host (check, create, refresh, update, a
rotation that replaces it, an error, delete), logging at DEBUG; the sweep searches for the
canary in the host's stderr, every host answer except the ``cleartext`` output itself, the
snapshot files, the emulator's state and request log, its data file and every message.
"""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path

import httpx
import pytest

from emulator.server import EmulatorServer
from providers.access_key import AccessKeyProvider
from standin.host import provider_blob
from tests.security.conftest import CANARY_KEY, PROJECT_ID
from tests.support.host import HostError, ProviderHost, ResourceUnderTest

pytestmark = pytest.mark.engine

ACCESS_KEY = "pulumi-python:dynamic/descope:AccessKey"
CANARY = "AKcanary-cleartext-SECRET"
AUTH = {"Authorization": f"Bearer {PROJECT_ID}:{CANARY_KEY}"}


def secret_in(text: str | bytes) -> bool:
    data = text.encode() if isinstance(text, str) else text
    return CANARY.encode() in data


@pytest.fixture
def canary(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every cleartext the emulator hands out from now on holds `CANARY`; the list of them."""
    issued: list[str] = []
    numbers = count(1)

    def cleartext(key_id: str) -> str:
        issued.append(f"{key_id}:{CANARY}-{next(numbers)}")
        return issued[-1]

    monkeypatch.setattr(emulator.app.backend.access_keys, "cleartext_factory", cleartext)
    httpx.post(
        f"{emulator.url}/v1/mgmt/tenant/create",
        json={"id": "acme", "name": "Acme"},
        headers=AUTH,
    ).raise_for_status()
    return issued


def props(**changes: object) -> dict[str, object]:
    return {"tenantId": "acme", "name": "ci", "roles": ["member"], "rotation": 1} | changes


def outside_the_secret_output(resource: ResourceUnderTest) -> str:
    """What the host answered of the resource, but for the ``cleartext`` output."""
    outputs = {k: v for k, v in resource.outputs.items() if k != "cleartext"}
    return json.dumps({"id": resource.id, "outputs": outputs, "inputs": resource.inputs})


def test_a_key_s_secret_is_its_secret_output_and_in_nothing_else(
    host: ProviderHost, emulator: EmulatorServer, canary: list[str], tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    provider = AccessKeyProvider(backup_dir=str(backups))
    key = ResourceUnderTest(host, provider, ACCESS_KEY, "access-key-acme/ci")
    said: list[str] = []

    assert key.up(props()) == "create"
    assert key.outputs["cleartext"] == canary[-1]
    said.append(outside_the_secret_output(key))
    assert key.refresh()
    assert key.outputs["cleartext"] == canary[-1]
    said.append(outside_the_secret_output(key))
    assert key.up(props(description="CI", disabled=True)) == "update"
    said.append(outside_the_secret_output(key))
    assert key.up(props(description="CI", rotation=2)) == "replace"
    assert key.outputs["cleartext"] == canary[-1]
    assert len(canary) == 2
    said.append(outside_the_secret_output(key))
    with pytest.raises(HostError) as refused:
        key.up(props(description="CI", rotation=2, roles=["no-such-role"]))
    said.append(refused.value.message)
    key.destroy()

    assert all(not secret_in(text) for text in said), said
    assert not secret_in(provider_blob(provider))
    files = sorted(backups.glob("*.json"))
    assert {p.stem.rsplit("-", 1)[-1] for p in files} == {"delete"}
    assert all(not secret_in(p.read_bytes()) for p in files)
    assert not secret_in(host.stderr_text())
    assert "DEBUG" in host.stderr_text() or "INFO" in host.stderr_text()
    for view in ("/emulator/state", "/emulator/requests"):
        assert not secret_in(httpx.get(f"{emulator.url}{view}").text), view


def test_the_emulator_data_file_holds_no_cleartext(tmp_path: Path) -> None:
    data = tmp_path / "emulator.json"
    with EmulatorServer(data_file=data, project_id=PROJECT_ID, management_key=CANARY_KEY) as server:
        httpx.post(
            f"{server.url}/v1/mgmt/tenant/create", json={"id": "acme", "name": "Acme"}, headers=AUTH
        ).raise_for_status()
        created = httpx.post(
            f"{server.url}/v1/mgmt/accesskey/create",
            json={"name": "ci", "keyTenants": [{"tenantId": "acme"}]},
            headers=AUTH,
        )
        created.raise_for_status()
        cleartext = created.json()["cleartext"]
    assert cleartext
    assert cleartext.encode() not in data.read_bytes()
