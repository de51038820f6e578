"""The stand-in's state file holds no secret in plain text: secret properties are sealed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from standin.errors import StandinError
from standin.sealed import key_file
from standin.snapshot import PendingOperation, ResourceState, StackState

SECRET = "oidc-client-secret-CANARY-51f3"
URN = "urn:pulumi:dev::descope-config::pulumi-python:dynamic/descope:SSOConfiguration::sso-globex"


def state_with_a_secret() -> StackState:
    resource = ResourceState(
        URN,
        "pulumi-python:dynamic/descope:SSOConfiguration",
        "globex",
        inputs={"tenantId": "globex", "clientSecret": SECRET, "nested": {"a": 1}},
        outputs={"tenantId": "globex", "clientSecret": SECRET, "clientSecretSet": True},
        secrets=("clientSecret",),
    )
    pending = PendingOperation(
        URN, resource.type, "updating", dict(resource.inputs), "globex", 1.0, ("clientSecret",)
    )
    return StackState("dev", resources=[resource], pending=[pending])


def test_secret_properties_are_sealed_in_the_file_and_opened_on_load(tmp_path: Path) -> None:
    path = tmp_path / "standin-dev.json"
    state = state_with_a_secret()

    state.save(path)

    text = path.read_text()
    assert SECRET not in text
    document = json.loads(text)
    sealed = document["resources"][0]["inputs"]["clientSecret"]
    assert set(sealed) == {"sealed"}
    assert document["resources"][0]["inputs"]["tenantId"] == "globex"  # the rest as it is
    assert "sealed" in document["pendingOperations"][0]["inputs"]["clientSecret"]
    key = key_file(path)
    assert key.name == "standin-dev.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    loaded = StackState.load(path, "dev", {})
    assert loaded.resources == state.resources
    assert loaded.pending == state.pending
    assert state.resources[0].inputs["clientSecret"] == SECRET  # the state itself unchanged


def test_a_state_without_secrets_makes_no_key(tmp_path: Path) -> None:
    path = tmp_path / "standin-dev.json"
    StackState("dev").save(path)
    assert not key_file(path).exists()


def test_a_missing_or_foreign_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "standin-dev.json"
    state_with_a_secret().save(path)
    key = key_file(path)
    key.rename(tmp_path / "kept.key")

    with pytest.raises(StandinError, match=r"standin-dev\.key is missing"):
        StackState.load(path, "dev", {})

    other = tmp_path / "other.json"
    state_with_a_secret().save(other)  # makes other.key
    key_file(other).rename(key)
    with pytest.raises(StandinError, match="did not seal"):
        StackState.load(path, "dev", {})

    key.write_text("not a key")
    with pytest.raises(StandinError, match="is not usable"):
        StackState.load(path, "dev", {})
