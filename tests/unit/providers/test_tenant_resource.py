"""The Tenant resource under Pulumi's mocks: type token, properties, protect, output keys."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from model.tenant import TenantSpec
from providers.tenant import INPUT_KEYS, OUTPUT_ONLY_KEYS, Tenant


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.seen: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.seen.append(args)
        return args.inputs.get("tenantId"), dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_tenant_resource__registers_inputs_with_output_placeholders(mocks: Mocks) -> Any:
    spec = TenantSpec.model_validate({"id": "acme", "name": "Acme", "protect": True})
    resource = Tenant("tenant-acme", spec, stack="dev")

    def check(values: list[Any]) -> None:
        resource_id, name = values
        assert resource_id == "acme"
        assert name == "Acme"
        [args] = [a for a in mocks.seen if a.typ == "pulumi-python:dynamic/descope:Tenant"]
        assert args.inputs["tenantId"] == "acme"
        assert "id" not in args.inputs
        assert "protect" not in args.inputs

    for key in (*INPUT_KEYS, *OUTPUT_ONLY_KEYS):
        assert hasattr(resource, key), key
    return pulumi.Output.all(resource.id, resource.name).apply(check)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_tenant_resource__accepts_a_mapping(mocks: Mocks) -> Any:
    resource = Tenant("tenant-x", {"id": "x", "name": "X", "protect": False})
    return resource.tenantId.apply(lambda value: value == "x" or pytest.fail(value))
