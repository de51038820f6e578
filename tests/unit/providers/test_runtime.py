"""What the providers do in the host: settings from the stack config, errors without tracebacks."""

from __future__ import annotations

import importlib.machinery
import logging
import pickle
import sys
import traceback
from types import MappingProxyType, ModuleType
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers import client, listing
from providers.flow import FlowProvider
from providers.runtime import (
    DEBUG_ENV,
    HOST_MODULE,
    configure_provider,
    has_unknowns,
    watch_configure,
)
from providers.tenant import TenantProvider

NOT_YET_KNOWN = Unknown()  # type: ignore[no-untyped-call]
STACK_CONFIG = {
    "descope:projectId": "Pruntime000000000000000000000",
    "descope:managementKey": "K-runtime-key",
    "descope:baseUrl": "http://127.0.0.1:1",
}


def request() -> ConfigureRequest:
    return ConfigureRequest(Config(dict(STACK_CONFIG), "descope-config"))


def test_configure_hands_the_stack_settings_to_the_client_factory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("DESCOPE_PROJECT_ID", "DESCOPE_MANAGEMENT_KEY", "DESCOPE_BASE_URI"):
        monkeypatch.delenv(variable, raising=False)
    configure_provider(request())
    settings = client.current_settings()
    assert settings.project_id == STACK_CONFIG["descope:projectId"]
    assert settings.base_url == STACK_CONFIG["descope:baseUrl"]
    assert settings.source["management_key"] == "stack config descope:managementKey"


def test_configure_makes_errors_read_as_their_message_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    configure_provider(request())
    try:
        raise ValueError("Unable to create Descope tenant.")
    except ValueError:
        text = traceback.format_exc()
    assert text == "ValueError: Unable to create Descope tenant.\n"


def test_debug_keeps_the_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")
    configure_provider(request())
    assert getattr(sys, "tracebacklimit", None) is None


class _Text(str):
    """A ``str`` subclass: told apart by ``isinstance``, not by exact type."""


@pytest.mark.parametrize(
    ("value", "unknown"),
    [
        ("acme", False),
        (NOT_YET_KNOWN, True),
        (rpc.UNKNOWN, True),
        ({"a": [1, {"b": NOT_YET_KNOWN}]}, True),
        ({"a": [1, {"b": 2}]}, False),
        ((rpc.UNKNOWN,), True),
        (("acme", 1), False),
        (["acme", 3.0, None, True], False),
        (MappingProxyType({"a": rpc.UNKNOWN}), True),
        (MappingProxyType({"a": "b"}), False),
        (_Text(rpc.UNKNOWN), True),
        (_Text("acme"), False),
        (object(), False),
    ],
)
def test_has_unknowns_looks_inside_mappings_and_lists(value: object, unknown: bool) -> None:
    assert has_unknowns(value) is unknown


def test_backup_dir_comes_from_the_stack_config_not_the_pickle() -> None:
    provider = pickle.loads(pickle.dumps(TenantProvider(stack="staging")))
    assert provider.backup_dir == "backups/staging"
    config = {**STACK_CONFIG, "descope-config:backupDir": "/srv/descope-snapshots"}
    provider.configure(ConfigureRequest(Config(config, "descope-config")))
    assert provider.backup_dir == "/srv/descope-snapshots"
    assert "backups" not in repr(vars(provider))
    client.configure({})


def test_backup_dir_given_to_the_constructor_wins_over_the_stack_config() -> None:
    provider = FlowProvider(stack="dev", backup_dir="/tmp/tool-snapshots")
    config = {**STACK_CONFIG, "descope-config:backupDir": "/srv/descope-snapshots"}
    provider.configure(ConfigureRequest(Config(config, "descope-config")))
    assert provider.backup_dir == "/tmp/tool-snapshots"
    client.configure({})


def test_a_program_can_register_thousands_of_dynamic_resources() -> None:
    """The SDK's serialize_provider nests one pickler wrapper per call (pulumi/pulumi#17803):
    unpatched, the ~970th dynamic resource of a program fails with RecursionError."""
    import pulumi.dynamic.dynamic as pulumi_dynamic  # noqa: PLC0415 - the patched module

    before = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    blobs = {pulumi_dynamic.serialize_provider(TenantProvider(stack="dev")) for _ in range(3000)}
    assert len(blobs) == 1  # still deterministic
    assert pickle._Pickler._batch_setitems is before  # type: ignore[attr-defined]


def fake_host(name: str = HOST_MODULE) -> ModuleType:
    """A module shaped as the SDK's host: a servicer whose Configure stores ``self._config``."""

    class DynamicResourceProviderServicer:
        _config: dict[str, Any] = {}  # noqa: RUF012 - as the SDK writes it

        def Configure(self, config: dict[str, Any]) -> None:
            self._config = config

    module = ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.DynamicResourceProviderServicer = DynamicResourceProviderServicer  # type: ignore[attr-defined]
    return module


def test_every_configure_of_the_host_begins_a_command() -> None:
    host = fake_host()
    servicer = host.DynamicResourceProviderServicer()
    servicer.Configure({"descope:projectId": "P1"})  # before the providers were imported
    assert watch_configure(host)
    assert watch_configure(host)  # idempotent
    began = listing.command()
    assert servicer._config == {"descope:projectId": "P1"}
    servicer.Configure({"descope:projectId": "P2"})
    assert listing.command() == began + 1
    assert servicer._config == {"descope:projectId": "P2"}
    assert host.DynamicResourceProviderServicer()._config == {}


@pytest.mark.parametrize("shape", ["other main", "no servicer", "no config"])
def test_a_host_not_shaped_as_expected_is_left_alone(
    shape: str, caplog: pytest.LogCaptureFixture
) -> None:
    host = fake_host("ops.cli" if shape == "other main" else HOST_MODULE)
    if shape == "no servicer":
        del host.DynamicResourceProviderServicer
    elif shape == "no config":
        del host.DynamicResourceProviderServicer._config
    with caplog.at_level(logging.INFO, logger="providers.runtime"):
        assert not watch_configure(host)
    assert ("could not be watched" in caplog.text) == (shape != "other main")
    assert not watch_configure(None)
