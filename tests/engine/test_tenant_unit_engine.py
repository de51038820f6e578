"""A tenant deleted and replaced as a unit, end to end: the dev stack's program played by the
stand-in engine through the real provider host, against the emulator over HTTP.

What Descope deletes with a tenant (its SSO configurations, the customer's too, its roles,
declared or made in the console, and with cascadeDelete its sub-tenants) is in the one
snapshot its delete takes; a part that cannot be read refuses the delete; an id change
(previousId) makes the tenant's SSO and roles again on the new tenant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import AttributeMapping, SSOSAMLSettings
from descope.management.common import MgmtV1

from emulator.server import EmulatorServer
from providers.backups import read_snapshot
from standin.engine import Engine
from tests.support.scenarios import Driver, edit_tenants, expect_ok, tenant_ids
from tests.support.sso import certificate
from tests.support.standin import StandIn

pytestmark = pytest.mark.engine

FAST_RETRIES = {
    "DESCOPE_CONFIG_RETRY_BACKOFF": "0.01",
    "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT": "3",
    "DESCOPE_CONFIG_MAX_ATTEMPTS": "2",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(env=FAST_RETRIES)


@pytest.fixture
def dev(program_emulator: EmulatorServer, engine: Engine, tmp_path: Path) -> StandIn:
    driver = StandIn("dev", emulator=program_emulator, workdir=tmp_path, engine=engine)
    expect_ok(driver.up())
    return driver


def customer_saml(driver: Driver, tenant_id: str) -> None:
    """The customer sets SAML up by hand (Descope's SSO Setup Suite)."""
    driver.descope.mgmt.sso.configure_saml_settings(
        tenant_id,
        SSOSAMLSettings(
            idp_url="https://idp.customer.example/sso",
            idp_entity_id="https://idp.customer.example",
            idp_cert=certificate("idp.customer.example"),
            attribute_mapping=AttributeMapping(name="cn", email="mail"),
        ),
        redirect_url="https://app.example/after-sso",
        domains=[f"{tenant_id}.customer.example"],
    )


def held(driver: Driver, tenant_id: str) -> dict[str, Any]:
    """What Descope holds of the tenant's SSO and roles, in the snapshot's shapes."""
    mgmt = driver.descope.mgmt
    roles = mgmt.role.search(tenant_ids=[tenant_id])["roles"]
    return {
        "sso": mgmt.sso.load_all_settings(tenant_id)["SSOSettings"],
        "roles": sorted(
            (r for r in roles if r.get("tenantId") == tenant_id), key=lambda r: r["name"]
        ),
    }


def tenant_snapshot(driver: Driver, tenant_id: str) -> dict[str, Any]:
    [path] = sorted(driver.backup_dir.glob(f"*-tenant-{tenant_id}-delete.json"))
    return read_snapshot(path).content


def remove_tenant(driver: Driver, tenant_id: str) -> None:
    edit_tenants(
        driver,
        lambda doc: doc.update(tenants=[t for t in doc["tenants"] if t["id"] != tenant_id]),
    )


def test_removed_tenant__snapshot_holds_the_customers_sso_and_a_console_role(
    dev: StandIn,
) -> None:
    customer_saml(dev, "initech")
    dev.descope.mgmt.role.create("initech-ops", "made in the console", tenant_id="initech")
    before = held(dev, "initech")
    remove_tenant(dev, "initech")
    outcome = expect_ok(dev.up())
    assert outcome.changed == {"tenant-initech": "delete"}
    assert "initech" not in tenant_ids(dev)
    content = tenant_snapshot(dev, "initech")
    assert content["sso"] == before["sso"]
    assert content["roles"] == before["roles"]
    assert content["sso"][0]["saml"]["idpSSOUrl"] == "https://idp.customer.example/sso"
    assert [r["name"] for r in content["roles"]] == ["initech-ops"]
    assert content["subTenants"] == []
    assert (
        'Deleting Descope tenant "initech", with 1 SSO configuration (1 customer-managed), '
        "1 tenant role. All of it was saved to"
    ) in outcome.log_text()


def test_cascade_delete__snapshot_holds_a_console_sub_tenant_recursively(dev: StandIn) -> None:
    edit_tenants(dev, lambda doc: doc["tenants"][2].update(cascadeDelete=True))
    assert expect_ok(dev.up()).changed == {"tenant-initech": "update"}
    # The console (or the Go SDK) makes a sub-tenant; the Python SDK cannot send a parent.
    http = dev.descope.mgmt.tenant._http
    http.post(
        MgmtV1.tenant_create_path, body={"id": "childco", "name": "Child Co", "parent": "initech"}
    )
    dev.descope.mgmt.role.create("childco-ops", tenant_id="childco")
    customer_saml(dev, "childco")
    child_before = held(dev, "childco")
    remove_tenant(dev, "initech")
    outcome = expect_ok(dev.up())
    assert outcome.changed == {"tenant-initech": "delete"}
    assert {"initech", "childco"}.isdisjoint(tenant_ids(dev))
    [child] = tenant_snapshot(dev, "initech")["subTenants"]
    assert child["tenant"]["id"] == "childco"
    assert child["tenant"]["parent"] == "initech"
    assert child["sso"] == child_before["sso"]
    assert child["roles"] == child_before["roles"]
    assert child["subTenants"] == []
    assert "1 sub-tenant" in outcome.log_text()


def test_unreadable_part__refuses_the_delete_and_nothing_is_deleted(
    dev: StandIn, program_emulator: EmulatorServer
) -> None:
    remove_tenant(dev, "initech")
    plan = {"fail500": {"count": 100, "path": "/v2/mgmt/sso/settings/all"}}
    httpx.post(f"{program_emulator.url}/emulator/faults", json=plan).raise_for_status()
    try:
        outcome = dev.up()
    finally:
        httpx.post(f"{program_emulator.url}/emulator/faults", json={}).raise_for_status()
    text = outcome.error_text()
    assert (
        'Refusing to delete Descope tenant "initech": its SSO configurations could not be read'
        in text
    ), outcome
    assert "Nothing was changed in Descope." in text
    assert "Traceback" not in text
    assert "initech" in tenant_ids(dev)
    assert "tenant-initech" in dev.state_names()
    assert not list(dev.backup_dir.glob("*-tenant-initech-*.json"))
    assert expect_ok(dev.up()).changed == {"tenant-initech": "delete"}


def _rename(doc: dict[str, Any], old: str, new: str) -> None:
    entry = next(t for t in doc["tenants"] if t["id"] == old)
    entry.update(id=new, previousId=old)


def test_id_change__moves_sso_and_roles_to_the_new_tenant(dev: StandIn) -> None:
    """acme: SAML from the code, a declared role and one made in the console; initech: SAML the
    customer set up. Both change id: everything is on the new tenants afterwards, and no
    message says anything was deleted outside Pulumi."""
    edit_tenants(
        dev, lambda doc: doc.update(tenants=[t for t in doc["tenants"] if "parent" not in t])
    )
    expect_ok(dev.up())  # the example's sub-tenant of acme goes first: a parent's id stays
    dev.descope.mgmt.role.create("acme-console", "made in the console", tenant_id="acme")
    customer_saml(dev, "initech")
    acme_before, initech_before = held(dev, "acme"), held(dev, "initech")

    def rename(doc: dict[str, Any]) -> None:
        _rename(doc, "acme", "acme-corp")
        _rename(doc, "initech", "initech-co")

    edit_tenants(dev, rename)
    outcome = expect_ok(dev.up())
    assert outcome.changed["tenant-acme-corp"] == "replace"
    assert outcome.changed["tenant-initech-co"] == "replace"
    assert outcome.changed["sso-acme"] == "delete"
    assert outcome.changed["tenant-role-acme/acme-auditor"] == "delete"
    log = outcome.log_text()
    assert "outside Pulumi" not in log
    assert 'went with Descope tenant "acme", deleted (or replaced) by this run' in log
    assert 'Tenant id changed from "acme" to "acme-corp": 2 tenant roles and 0 SSO' in log
    assert 'Tenant id changed from "initech" to "initech-co": 0 tenant roles and 1 SSO' in log

    def shape(roles: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
        return [(r["name"], r["description"], sorted(r["permissionNames"])) for r in roles]

    acme_after, initech_after = held(dev, "acme-corp"), held(dev, "initech-co")
    assert shape(acme_after["roles"]) == shape(acme_before["roles"])
    assert [c["saml"]["idpSSOUrl"] for c in acme_after["sso"]] == [
        c["saml"]["idpSSOUrl"] for c in acme_before["sso"]
    ]
    [moved], [was] = initech_after["sso"], initech_before["sso"]
    for key in ("idpSSOUrl", "idpEntityId", "idpCertificate", "redirectUrl", "attributeMapping"):
        assert moved["saml"][key] == was["saml"][key], key
    assert moved["tenant"]["domains"] == was["tenant"]["domains"]
    assert {"acme", "initech"}.isdisjoint(tenant_ids(dev))
    assert expect_ok(dev.preview()).changed == {}
