"""The tenant provider through the real Pulumi provider host, against the emulator over HTTP.

A host of our own is started with fast retry timing (``DESCOPE_CONFIG_*`` variables, read by
`providers.calls` at call time) so the fault tests stay quick; the session's `host` fixture
serves the plain lifecycle.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import DescopeClient

from config import load_configuration
from emulator.server import EmulatorServer
from providers.backups import read_snapshot
from providers.tenant import TenantProvider, tenant_props
from tests.engine.conftest import EMULATED
from tests.support.emulated import EmulatorPool
from tests.support.host import UNKNOWN, CheckFailed, HostError, ProviderHost, ResourceUnderTest

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]
TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
FAST_RETRIES = {
    "DESCOPE_CONFIG_RETRY_BACKOFF": "0.01",
    "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT": "3",
    "DESCOPE_CONFIG_MAX_ATTEMPTS": "3",
}


@pytest.fixture(scope="module")
def fast_host(emulator_pool: EmulatorPool) -> Iterator[ProviderHost]:
    with ProviderHost(env=FAST_RETRIES) as provider_host:
        provider_host.configure(emulator_pool.stack_config(EMULATED))
        yield provider_host


def tenant(host: ProviderHost, backup_dir: Path, name: str = "tenant-acme") -> ResourceUnderTest:
    return ResourceUnderTest(host, TenantProvider(backup_dir=str(backup_dir)), TENANT_TYPE, name)


def acme(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tenantId": "acme",
        "name": "Acme",
        "selfProvisioningDomains": ["acme.com"],
        "customAttributes": {"plan": "gold", "seats": 250},
        "defaultRoles": ["member"],
        "settings": {
            "domains": ["sso.acme.com"],
            "authType": "saml",
            "sessionTokenExpiration": 30,
            "sessionTokenExpirationUnit": "minutes",
        },
    }
    props.update(changes)
    return props


def faults(emulator: EmulatorServer, plan: dict[str, Any]) -> None:
    httpx.post(f"{emulator.url}/emulator/faults", json=plan).raise_for_status()


def counters(emulator: EmulatorServer) -> dict[str, int]:
    response = httpx.get(f"{emulator.url}/emulator/counters")
    response.raise_for_status()
    return {k: v for k, v in response.json()["requests"].items() if v}


def reset_counters(emulator: EmulatorServer) -> None:
    httpx.post(f"{emulator.url}/emulator/counters/reset").raise_for_status()


def no_changes(resource: ResourceUnderTest, props: dict[str, Any]) -> None:
    """The provider's key promise: right after an apply, preview and refresh find nothing."""
    step = resource.preview(props)
    assert step.op == "same"
    assert step.news == resource.inputs
    outputs, inputs = dict(resource.outputs), dict(resource.inputs)
    assert resource.refresh()
    assert resource.outputs == outputs
    assert resource.inputs == inputs


def example_tenants() -> list[dict[str, Any]]:
    configuration = load_configuration(
        REPO / "config" / "tenants" / "dev.yaml",
        variables={"domainSuffix": "dev.example.com", "environment": "dev"},
        flows_dir=REPO / "config" / "flows",
    )
    return [tenant_props(spec) for spec in configuration.tenants]


@pytest.mark.parametrize(
    "unknown",
    [
        {"name": UNKNOWN},
        {"enforceSSOExclusions": UNKNOWN},
        {"customAttributes": {"plan": UNKNOWN}},
        {"settings": UNKNOWN},
        {"tenantId": UNKNOWN},
    ],
    ids=lambda u: next(iter(u)),
)
def test_tenant__preview_with_unknown_inputs(
    host: ProviderHost, backup_dir: Path, unknown: dict[str, Any]
) -> None:
    """A preview whose inputs depend on outputs not known yet: an update, or a replace when the
    tenant id is what is unknown; never a crash."""
    resource = tenant(host, backup_dir)
    resource.up(acme())
    recorded = dict(resource.outputs)
    step = resource.preview({**acme(), **unknown})
    assert resource.outputs == recorded
    assert step.op == ("replace" if "tenantId" in unknown else "update")
    assert list(step.replaces) == (["tenantId"] if "tenantId" in unknown else [])


def test_tenant__existing_without_adopt_fails_with_hint(
    host: ProviderHost, backup_dir: Path, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Made by hand", "acme")
    with pytest.raises(HostError) as caught:
        tenant(host, backup_dir).up(acme())
    line = caught.value.last_line
    assert 'Unable to create Descope tenant "acme": a tenant with id "acme" already exists' in line
    assert "adopt: true" in line
    # The user reads the provider's message alone, not the host's Python traceback.
    assert caught.value.message.strip() == line
    assert "Traceback" not in caught.value.message
    assert descope.mgmt.tenant.load("acme")["name"] == "Made by hand"


def test_tenant__existing_with_adopt_is_snapshotted_and_managed(
    host: ProviderHost, backup_dir: Path, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Made by hand", "acme")
    resource = tenant(host, backup_dir)
    assert resource.up(acme(adopt=True)) == "create"
    assert descope.mgmt.tenant.load("acme")["name"] == "Acme"
    [snapshot] = [read_snapshot(p) for p in backup_dir.glob("*.json")]
    assert snapshot.reason == "adopt"
    assert snapshot.content["tenant"]["name"] == "Made by hand"
    no_changes(resource, acme(adopt=True))


def test_tenant__check_failures_reach_the_engine(host: ProviderHost, backup_dir: Path) -> None:
    with pytest.raises(CheckFailed) as caught:
        tenant(host, backup_dir).up(acme(tenantId="bad id", name=""))
    assert {p for p, _ in caught.value.failures} == {"tenantId", "name"}


def test_tenant__wrong_key_says_which_setting(
    stack_config: dict[str, str], backup_dir: Path, descope: DescopeClient
) -> None:
    with ProviderHost() as wrong:
        wrong.configure({**stack_config, "descope:managementKey": "K-wrong-key-123"})
        with pytest.raises(HostError) as caught:
            tenant(wrong, backup_dir).up(acme())
    line = caught.value.last_line
    assert "Descope answered 401" in line
    assert "stack config descope:managementKey" in line
    assert "K-wrong-key-123" not in caught.value.message
    assert descope.mgmt.tenant.load_all()["tenants"] == []


def test_tenant__rate_limit_storm_is_waited_out(
    fast_host: ProviderHost, backup_dir: Path, emulator: EmulatorServer, descope: DescopeClient
) -> None:
    faults(emulator, {"rateLimit": {"limit": 2, "windowSeconds": 1, "retryAfter": 1}})
    resource = tenant(fast_host, backup_dir)
    assert resource.up(acme()) == "create"  # 4 calls through a 2-per-second window
    faults(emulator, {})
    assert descope.mgmt.tenant.load("acme")["defaultRoles"] == ["member"]
    no_changes(resource, acme())


def test_tenant__endless_rate_limit_gives_up_cleanly(
    fast_host: ProviderHost, backup_dir: Path, emulator: EmulatorServer, descope: DescopeClient
) -> None:
    faults(emulator, {"rateLimit": {"limit": 0, "windowSeconds": 60, "retryAfter": 1}})
    with pytest.raises(HostError) as caught:
        tenant(fast_host, backup_dir).up(acme())
    faults(emulator, {})
    assert "rate limiting" in caught.value.last_line
    assert descope.mgmt.tenant.load_all()["tenants"] == []


def test_tenant__503_burst_is_retried(
    fast_host: ProviderHost, backup_dir: Path, emulator: EmulatorServer, descope: DescopeClient
) -> None:
    faults(emulator, {"fail503": {"count": 1, "path": "/v1/mgmt/tenant/create"}})
    resource = tenant(fast_host, backup_dir)
    assert resource.up(acme()) == "create"
    assert [t["id"] for t in descope.mgmt.tenant.load_all()["tenants"]] == ["acme"]
    no_changes(resource, acme())


def test_tenant__500_on_create_is_checked_then_retried(
    fast_host: ProviderHost, backup_dir: Path, emulator: EmulatorServer, descope: DescopeClient
) -> None:
    faults(emulator, {"fail500": {"count": 1, "path": "/v1/mgmt/tenant/create"}})
    reset_counters(emulator)
    resource = tenant(fast_host, backup_dir)
    assert resource.up(acme()) == "create"
    assert counters(emulator)["POST /v1/mgmt/tenant/create"] == 2
    assert [t["id"] for t in descope.mgmt.tenant.load_all()["tenants"]] == ["acme"]
    no_changes(resource, acme())


def test_tenant__settings_failure_rolls_back(
    fast_host: ProviderHost, backup_dir: Path, emulator: EmulatorServer, descope: DescopeClient
) -> None:
    faults(emulator, {"fail500": {"count": 10, "path": "/v1/mgmt/tenant/settings"}})
    with pytest.raises(HostError) as caught:
        tenant(fast_host, backup_dir).up(acme())
    faults(emulator, {})
    assert "it was deleted again and nothing changed" in caught.value.last_line
    assert descope.mgmt.tenant.load_all()["tenants"] == []
    [snapshot] = [read_snapshot(p) for p in backup_dir.glob("*.json")]  # before the rollback
    assert (snapshot.id, snapshot.reason) == ("acme", "delete")


def test_tenant__four_concurrent_creates(
    host: ProviderHost, backup_dir: Path, descope: DescopeClient
) -> None:
    resources = [tenant(host, backup_dir, f"tenant-t{i}") for i in range(4)]
    errors: list[BaseException] = []

    def up(i: int) -> None:
        try:
            resources[i].up(acme(tenantId=f"t{i}", name=f"Tenant {i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=up, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    held = sorted(t["id"] for t in descope.mgmt.tenant.load_all()["tenants"])
    assert held == ["t0", "t1", "t2", "t3"]
    assert sorted(r.id for r in resources) == held
    for i, resource in enumerate(resources):
        no_changes(resource, acme(tenantId=f"t{i}", name=f"Tenant {i}"))


def test_tenant__api_calls_per_operation(
    host: ProviderHost, backup_dir: Path, emulator: EmulatorServer, descope: DescopeClient
) -> None:
    """The minimum calls each operation makes; the numbers the README quotes."""
    resource = tenant(host, backup_dir)
    measured: dict[str, dict[str, int]] = {}

    def measure(label: str, action: Any) -> None:
        reset_counters(emulator)
        action()
        measured[label] = counters(emulator)

    measure("create", lambda: resource.up(acme()))
    measure("preview", lambda: resource.preview(acme()))
    measure("read", resource.refresh)
    measure("update (tenant fields)", lambda: resource.up(acme(name="Acme 2")))
    measure(
        "update (settings)",
        lambda: resource.up(
            acme(name="Acme 2", settings={**acme()["settings"], "authType": "oidc"})
        ),
    )
    measure("delete", resource.destroy)
    descope.mgmt.tenant.create("Made by hand", "acme")
    adopted = tenant(host, backup_dir, "tenant-adopted")
    measure("adopt", lambda: adopted.up(acme(adopt=True)))

    assert measured == {
        "create": {
            "POST /v1/mgmt/tenant/create": 1,
            "POST /v1/mgmt/tenant/settings": 1,
            "POST /v1/mgmt/tenant/updateDefaultRoles": 1,
        },
        "preview": {},
        "read": {"GET /v1/mgmt/tenant": 1, "GET /v1/mgmt/tenant/settings": 1},
        "update (tenant fields)": {"PATCH /v1/mgmt/tenant/patch": 1},
        # load settings (ssoSetupSuiteSettings is sent back as held) + settings write
        "update (settings)": {
            "GET /v1/mgmt/tenant/settings": 1,
            "POST /v1/mgmt/tenant/settings": 1,
        },
        # the snapshot holds the tenant as a unit: its SSO configurations, roles, access keys
        "delete": {
            "GET /v1/mgmt/tenant": 1,
            "GET /v1/mgmt/tenant/settings": 1,
            "GET /v2/mgmt/sso/settings/all": 1,
            "POST /v1/mgmt/role/search": 1,
            "POST /v1/mgmt/accesskey/search": 1,
            "POST /v1/mgmt/tenant/delete": 1,
        },
        "adopt": {
            "GET /v1/mgmt/tenant": 1,
            "GET /v1/mgmt/tenant/settings": 1,
            "PATCH /v1/mgmt/tenant/patch": 1,
            "POST /v1/mgmt/tenant/settings": 1,
            "POST /v1/mgmt/tenant/updateDefaultRoles": 1,
        },
    }
