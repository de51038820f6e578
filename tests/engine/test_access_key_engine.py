"""The program's access keys through the stand-in engine and the real provider host: the key's
secret is the resource's secret output and nowhere else; rotation replaces the key, disabled
deactivates it, removal deletes it after a snapshot that holds no secret.

The one place the secret may appear in the state is the output ``cleartext`` of the AccessKey
resource, which the registration declares in ``additional_secret_outputs``: `pulumi up` keeps
it encrypted, and so does the stand-in's state file (`standin.sealed`). Everything else (inputs,
the other resources, the host's log, snapshots) is checked to hold no trace of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.resources.access_keys.models import cleartext_hash
from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.program import ProgramRun
from standin.results import Result
from standin.snapshot import StackState
from tests.engine.test_program_engine import FAST_RETRIES
from tests.support.scenarios import edit_tenants, expect_nothing_to_do, snapshots
from tests.support.standin import SECRET_KEYS, StandIn

pytestmark = pytest.mark.engine

KEY = "access-key-acme/ci"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(env=FAST_RETRIES)


def with_key(**fields: Any) -> Any:
    """An edit giving tenant acme the access key "ci" with `fields` (or none, without)."""

    def edit(document: dict[str, Any]) -> None:
        acme = document["tenants"][0]
        assert acme["id"] == "acme"
        if fields.get("remove"):
            acme.pop("accessKeys", None)
            return
        acme["accessKeys"] = [
            {"name": "ci", "description": "CI deploys", "roles": ["acme-auditor", "member"]}
            | fields
        ]

    return edit


def up(driver: StandIn) -> tuple[Result, ProgramRun]:
    """`driver.up()`, keeping the engine's whole result (its host log) and the registrations."""
    run = driver._program()
    assert isinstance(run, ProgramRun), run
    result = driver.engine.up(driver.state, run.registrations, driver.config, SECRET_KEYS)
    driver.state = result.state
    assert result.ok, result.errors
    return result, run


def changed(result: Result) -> dict[str, str]:
    return {s.name: s.op for s in result.changes}


def secret_places(driver: StandIn, secret: str) -> list[str]:
    """Where `secret` appears in the state, as ``<resource> <part>.<key>``."""
    found = []
    for resource in driver.state.resources:
        for part in ("inputs", "outputs"):
            for key, value in getattr(resource, part).items():
                if secret in json.dumps(value):
                    found.append(f"{resource.name} {part}.{key}")
    return found


def test_an_access_key_is_created_rotated_disabled_and_deleted(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = StandIn("dev", emulator=program_emulator, workdir=tmp_path, engine=engine)
    edit_tenants(driver, with_key(rotation=1))
    keys = program_emulator.app.backend.access_keys.keys

    result, run = up(driver)

    assert changed(result)[KEY] == "create"
    key = driver.state.by_name(KEY)
    secret = key.outputs["cleartext"]
    assert keys[key.id].secret_hash == cleartext_hash(secret)
    assert key.outputs["cleartextKnown"] is True
    [registration] = [r for r in run.registrations if r.name == KEY]
    assert registration.additional_secret_outputs == ("cleartext",)
    assert secret_places(driver, secret) == [f"{KEY} outputs.cleartext"]
    assert secret not in "\n".join(result.log)
    # In the state file it is sealed, as Pulumi's secrets provider seals it in a checkpoint.
    assert key.secrets == ("cleartext",)
    file = tmp_path / "standin-dev.json"
    driver.state.save(file)
    assert secret not in file.read_text()
    assert StackState.load(file, "dev", {}).by_name(KEY).outputs["cleartext"] == secret
    expect_nothing_to_do(driver)

    edit_tenants(driver, with_key(rotation=2))
    rotated, _ = up(driver)
    assert changed(rotated) == {KEY: "replace"}
    new = driver.state.by_name(KEY)
    assert new.id != key.id
    assert list(keys) == [new.id]
    new_secret = new.outputs["cleartext"]
    assert new_secret != secret
    assert keys[new.id].secret_hash == cleartext_hash(new_secret)
    assert secret_places(driver, new_secret) == [f"{KEY} outputs.cleartext"]
    assert secret_places(driver, secret) == []

    edit_tenants(driver, with_key(rotation=2, disabled=True))
    disabled, _ = up(driver)
    assert changed(disabled) == {KEY: "update"}
    assert keys[new.id].status == "inactive"
    assert driver.state.by_name(KEY).outputs["cleartext"] == new_secret
    expect_nothing_to_do(driver)

    edit_tenants(driver, with_key(remove=True))
    removed, _ = up(driver)
    assert changed(removed) == {KEY: "delete"}
    assert keys == {}
    assert snapshots(driver.backup_dir, "accessKey") == [
        ("accessKey", "acme/ci", "delete"),
        ("accessKey", "acme/ci", "delete"),
    ]
    for path in driver.backup_dir.glob("*.json"):
        text = path.read_text()
        assert secret not in text
        assert new_secret not in text
    for log in (result.log, rotated.log, disabled.log, removed.log):
        assert secret not in "\n".join(log)
        assert new_secret not in "\n".join(log)
