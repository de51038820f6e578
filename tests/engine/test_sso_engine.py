"""The program's SSO through the stand-in engine: the client secret goes from the stack secret to
Descope and nowhere else; the tenant settings and the SSO configuration never write each other's
fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from standin.engine import Engine
from tests.engine.test_program_engine import FAST_RETRIES
from tests.support.scenarios import edit_tenants, expect_nothing_to_do, expect_ok
from tests.support.standin import OIDC_SECRET, OIDC_SECRET_KEY, StandIn

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(env=FAST_RETRIES)


def test_the_stack_secret_reaches_descope_and_no_output(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = StandIn("staging", emulator=program_emulator, workdir=tmp_path, engine=engine)
    expect_ok(driver.up())
    stored = program_emulator.app.backend.sso.configurations["globex"][""]
    assert stored.oidc.client_secret == OIDC_SECRET
    outputs = json.dumps([r.outputs for r in driver.state.resources])
    assert OIDC_SECRET not in outputs
    sso = driver.state.by_name("sso-globex")
    assert sso.outputs["clientSecretSet"] is True
    assert sso.outputs["clientSecretHash"].startswith("sha256:")

    driver.set_config(OIDC_SECRET_KEY, "a-rotated-client-secret")
    assert expect_ok(driver.up()).changed == {"default": "update", "sso-globex": "update"}
    assert stored.oidc.client_secret == "a-rotated-client-secret"


def test_a_tenant_settings_change_keeps_its_sso_domains_and_auth_type(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    driver = StandIn("dev", emulator=program_emulator, workdir=tmp_path, engine=engine)
    expect_ok(driver.up())

    def lengthen(document: dict[str, object]) -> None:
        tenants = document["tenants"]
        assert isinstance(tenants, list)
        tenants[0]["settings"]["inactivityTime"] = 90

    edit_tenants(driver, lengthen)
    assert expect_ok(driver.up()).changed == {"tenant-acme": "update"}
    tenant = program_emulator.app.backend.tenants["acme"]
    assert (tenant.auth_type, tenant.domains) == ("saml", ["acme.dev.example.com"])
    assert tenant.settings.inactivity_time == 90
    expect_nothing_to_do(driver)


def test_sso_domains_moving_from_one_tenant_to_another_in_one_up(
    program_emulator: EmulatorServer, engine: Engine, tmp_path: Path
) -> None:
    """Descope refuses an SSO domain another tenant holds; moving one is two ups, as Descope
    needs: the message says which domain and tenant."""
    driver = StandIn("dev", emulator=program_emulator, workdir=tmp_path, engine=engine)
    expect_ok(driver.up())

    def move(document: dict[str, object]) -> None:
        tenants = document["tenants"]
        assert isinstance(tenants, list)
        tenants[1]["sso"]["domains"].append("acme.${domainSuffix}")

    edit_tenants(driver, move)
    refused = driver.preview()
    assert 'the domain "acme.dev.example.com" is claimed by two tenants' in refused.error_text()
