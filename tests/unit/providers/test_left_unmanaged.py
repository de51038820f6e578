"""A delete of a resource whose kind the stack now leaves to another tool only forgets it.

``descope-config:leaveUnmanaged`` set on a stack that managed the kind: the program registers
none of it, so the engine deletes what the state holds, through the providers' ``delete``,
which must then leave Descope alone (the other tool owns the object now).
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from providers import client
from providers.access_key import AccessKeyProvider
from providers.attribute_definition import AttributeDefinitionProvider
from providers.flow import FlowProvider
from providers.permission import PermissionProvider
from providers.role import RoleProvider
from providers.runtime import DescopeProvider
from providers.sso import SSOConfigurationProvider
from providers.tenant import TenantProvider
from providers.theme import ThemeProvider

STACK_CONFIG = {
    "descope:projectId": "Pleftunmanaged0000000000000000",
    "descope:managementKey": "K-left-unmanaged",
    "descope:baseUrl": "http://127.0.0.1:1",
}


class Contacted(Exception):
    """Descope would have been called."""


@pytest.fixture(autouse=True)
def no_descope(monkeypatch: pytest.MonkeyPatch) -> Any:
    def contacted() -> None:
        raise Contacted

    monkeypatch.setattr(client, "management", contacted)
    yield
    client.configure({})


def configured(provider: DescopeProvider, left: str | None) -> DescopeProvider:
    """`provider` as the host hands it over: unpickled from state, then configured."""
    provider = pickle.loads(pickle.dumps(provider))
    config = dict(STACK_CONFIG)
    if left is not None:
        config["descope-config:leaveUnmanaged"] = left
    provider.configure(ConfigureRequest(Config(config, "descope-config")))
    return provider


CASES = [
    (PermissionProvider(stack="dev"), "read", {"name": "read"}, "permissions"),
    (RoleProvider(stack="dev"), "Reader", {"name": "Reader", "tenantId": ""}, "roles"),
    (RoleProvider(stack="dev"), "acme/Own", {"name": "Own", "tenantId": "acme"}, "tenants"),
    (TenantProvider(stack="dev"), "acme", {"tenantId": "acme", "name": "Acme"}, "tenants"),
    (SSOConfigurationProvider(stack="dev"), "acme", {"tenantId": "acme", "ssoId": ""}, "tenants"),
    (AccessKeyProvider(stack="dev"), "K1", {"tenantId": "acme", "name": "ci"}, "accessKeys"),
    (AccessKeyProvider(stack="dev"), "K1", {"tenantId": "acme", "name": "ci"}, '["tenants"]'),
    (FlowProvider(stack="dev"), "sign-in", {"deleteOnRemove": True}, "theme, flows"),
    (AttributeDefinitionProvider(stack="dev"), "plan", {"name": "plan"}, "tenantAttributes"),
]


@pytest.mark.parametrize(("provider", "id_", "props", "left"), CASES)
def test_a_delete_of_a_kind_left_to_another_tool_only_forgets(
    provider: DescopeProvider,
    id_: str,
    props: dict[str, Any],
    left: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="providers.runtime"):
        configured(provider, left).delete(id_, props)
    (record,) = caplog.records
    assert record.getMessage().startswith(f"{type(provider).__name__.removesuffix('Provider')} ")
    assert "was not deleted in Descope: stack dev leaves" in record.getMessage()
    assert "to another tool (descope-config:leaveUnmanaged), so the stack only forgets it." in (
        record.getMessage()
    )


@pytest.mark.parametrize(("provider", "id_", "props", "left"), CASES)
@pytest.mark.parametrize("other", [None, "", "users", "theme"])
def test_a_delete_of_a_kind_still_managed_goes_to_descope(
    provider: DescopeProvider, id_: str, props: dict[str, Any], left: str, other: str | None
) -> None:
    del left
    with pytest.raises(Contacted):
        configured(provider, other).delete(id_, props)


@pytest.mark.parametrize("left", ["theme", None])
def test_the_theme_delete_makes_no_call_either_way(left: str | None) -> None:
    configured(ThemeProvider(stack="dev"), left).delete("theme", {})  # no Contacted


def test_the_wrapped_delete_keeps_its_name_and_documentation() -> None:
    assert FlowProvider.delete.__name__ == "delete"
    assert "Stop managing the flow" in (FlowProvider.delete.__doc__ or "")
