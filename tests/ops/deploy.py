"""Deploying a configuration through the real provider host, resource by resource."""

from __future__ import annotations

from pathlib import Path

from config import Configuration
from ops.apply import plan
from tests.support.host import ProviderHost, ResourceUnderTest

TYPES = {
    "tenant": "pulumi-python:dynamic/descope:Tenant",
    "flow": "pulumi-python:dynamic/descope:Flow",
    "theme": "pulumi-python:dynamic/descope:Theme",
    "sso": "pulumi-python:dynamic/descope:SSOConfiguration",
}
SECRETS = {"globexOidcClientSecret": "ops-test-oidc-client-secret"}
"""The stack secrets the ops tests' stack sets (tests/ops/conftest.py)."""


def resources(
    host: ProviderHost,
    configuration: Configuration,
    backup_dir: Path,
    secrets: dict[str, str] | None = None,
) -> dict[str, tuple[ResourceUnderTest, dict[str, object]]]:
    """`kind:id` -> (the resource as the engine would track it, the props the program declares)."""
    return {
        f"{item.kind}:{item.resource_id}": (
            ResourceUnderTest(
                host, item.provider, TYPES[item.kind], f"{item.kind}-{item.resource_id}"
            ),
            item.props,
        )
        for item in plan(configuration, backup_dir, secrets or SECRETS)
    }


def up(
    found: dict[str, tuple[ResourceUnderTest, dict[str, object]]],
) -> dict[str, str]:
    """`pulumi up` on every resource; `kind:id` -> create/update/same/replace."""
    return {key: resource.up(dict(props)) for key, (resource, props) in found.items()}
