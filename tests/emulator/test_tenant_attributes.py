"""Tenant custom attributes through the real SDK: undefined or mistyped values are refused."""

from __future__ import annotations

from typing import Any

import pytest
from descope import AuthException

from tests.emulator.conftest import Sdk, error_body

DEFINITIONS: dict[str, Any] = {
    "name_": {"type": "string", "displayName": "Name"},
    "seats": {"type": "number", "displayName": "Seats"},
    "trial": {"type": "boolean", "displayName": "Trial"},
    "plan": {"type": "singleselect", "displayName": "Plan", "options": ["starter", "enterprise"]},
    "regions": {"type": "multiselect", "displayName": "Regions", "options": ["eu", "us"]},
    "renewal": {"type": "date", "displayName": "Renewal"},
}


@pytest.fixture(autouse=True)
def _define(sdk: Sdk) -> None:
    sdk.app.set_tenant_attributes(DEFINITIONS)


def refused(err: pytest.ExceptionInfo[AuthException]) -> str:
    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011004"
    message = body["errorMessage"]
    assert isinstance(message, str)
    return message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("name_", "Acme"),
        ("name_", ""),
        ("seats", 250),
        ("seats", 2.5),
        ("seats", -3),
        ("trial", True),
        ("trial", False),
        ("plan", "enterprise"),
        ("regions", ["eu", "us"]),
        ("regions", []),
        ("renewal", "2025-10-01"),
        ("renewal", "2025-10-01T14:30:00Z"),
        ("renewal", "2025-10-01T14:30:00+05:30"),
        ("renewal", 1730399400000),
        ("seats", None),
        ("plan", None),
    ],
)
def test_tenant_custom_attribute__a_value_of_its_type_is_stored(
    sdk: Sdk, name: str, value: object
) -> None:
    sdk.tenant.create("Acme", "acme", custom_attributes={name: value})

    assert sdk.tenant.load("acme")["customAttributes"] == {name: value}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("name_", 5, "must be a string, got 5"),
        ("name_", ["a"], "must be a string"),
        ("seats", "250", "must be a number, got '250'"),
        ("seats", True, "must be a number, got True"),
        ("trial", "true", "must be true or false, got 'true'"),
        ("trial", 1, "must be true or false, got 1"),
        ("plan", "gold", "must be one of 'starter', 'enterprise', got 'gold'"),
        ("plan", ["starter"], "must be one of"),
        ("regions", "eu", "must be a list of values among 'eu', 'us', got 'eu'"),
        ("regions", ["eu", "apac"], "must be a list of values among"),
        ("regions", ["eu", 1], "must be a list of values among"),
        ("renewal", "next tuesday", "must be an ISO 8601 date (2025-10-01) or date-time"),
        ("renewal", True, "must be an ISO 8601 date"),
        ("renewal", -1, "must be an ISO 8601 date"),
        ("renewal", 1.5, "must be an ISO 8601 date"),
    ],
)
def test_tenant_custom_attribute__a_value_of_the_wrong_type_is_refused_naming_it(
    sdk: Sdk, name: str, value: object, expected: str
) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Acme", "acme", custom_attributes={name: value})

    message = refused(err)
    assert message.startswith(f"Custom attribute {name!r} ")
    assert expected in message
    assert sdk.tenant.load_all() == {"tenants": []}


def test_tenant_custom_attribute__an_undefined_name_is_refused_on_create_naming_it(
    sdk: Sdk,
) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Acme", "acme", custom_attributes={"seats": 3, "tier": "gold"})

    message = refused(err)
    assert "Custom attribute 'tier' is not defined for tenants in this project" in message
    assert "define it in the project's tenant custom attributes first" in message
    assert "'seats'" in message  # the defined ones are listed
    assert sdk.tenant.load_all() == {"tenants": []}


def test_tenant_custom_attribute__refused_on_update_and_patch_changing_nothing(
    sdk: Sdk,
) -> None:
    sdk.tenant.create("Acme", "acme", ["acme.com"], {"seats": 3})

    with pytest.raises(AuthException) as update_err:
        sdk.tenant.update("acme", "Acme 2", ["acme.io"], {"tier": "gold"})
    with pytest.raises(AuthException) as patch_err:
        sdk.tenant.patch_tenant("acme", name="Acme 3", custom_attributes={"seats": "many"})

    assert "'tier' is not defined" in refused(update_err)
    assert "'seats' must be a number" in refused(patch_err)
    loaded = sdk.tenant.load("acme")
    assert (loaded["name"], loaded["selfProvisioningDomains"]) == ("Acme", ["acme.com"])
    assert loaded["customAttributes"] == {"seats": 3}


def test_tenant_custom_attribute__none_defined_refuses_every_attribute(sdk: Sdk) -> None:
    sdk.app.set_tenant_attributes({})

    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Acme", "acme", custom_attributes={"seats": 3})

    assert "(defined: none)" in refused(err)
    sdk.tenant.create("Acme", "acme", custom_attributes={})  # no attributes is fine


def test_option_require_attribute_definitions_off__any_attribute_is_stored(sdk: Sdk) -> None:
    sdk.app.set_options(requireAttributeDefinitions=False)

    sdk.tenant.create("Acme", "acme", custom_attributes={"tier": "gold", "seats": "many"})

    assert sdk.tenant.load("acme")["customAttributes"] == {"tier": "gold", "seats": "many"}


def test_search_tenants__by_custom_attribute_is_not_checked(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", custom_attributes={"plan": "starter"})

    assert sdk.tenant.search_all(custom_attributes={"undefined": 1}) == {"tenants": []}
