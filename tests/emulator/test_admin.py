"""The /emulator/ admin endpoints, over HTTP: no auth, JSON, never counted."""

from __future__ import annotations

import httpx
import pytest
from descope import DescopeClient

from emulator import EmulatorServer


def admin(server: EmulatorServer, method: str, path: str, json: object = None) -> httpx.Response:
    return httpx.request(method, f"{server.url}/emulator/{path}", json=json)


def test_admin_health(emulator: EmulatorServer) -> None:
    assert admin(emulator, "GET", "health").json() == {"ok": True}


def test_admin_state__dumps_everything(emulator: EmulatorServer, client: DescopeClient) -> None:
    client.mgmt.tenant.create("Acme", "acme")
    client.mgmt.flow.import_flow("f", {"name": "F"}, [])

    state = admin(emulator, "GET", "state").json()

    assert [t["id"] for t in state["tenants"]] == ["acme"]
    assert state["settings"]["acme"]["enabled"] is False
    assert state["flows"]["f"]["flow"]["version"] == 1
    assert state["theme"]["version"] == 1


def test_admin_reset__clears_state_faults_counters_and_options(
    emulator: EmulatorServer, client: DescopeClient
) -> None:
    client.mgmt.tenant.create("Acme", "acme")
    admin(emulator, "POST", "faults", {"latencyMs": 1})
    admin(emulator, "POST", "options", {"notFoundStatus": 404})

    assert admin(emulator, "POST", "reset").json() == {}

    assert admin(emulator, "GET", "state").json()["tenants"] == []
    assert admin(emulator, "GET", "counters").json()["total"] == 0
    assert admin(emulator, "GET", "faults").json()["latencyMs"] == 0
    assert admin(emulator, "GET", "options").json()["notFoundStatus"] == 400
    assert admin(emulator, "GET", "requests").json() == {"requests": []}


def test_admin_counters__and_their_reset(emulator: EmulatorServer, client: DescopeClient) -> None:
    client.mgmt.tenant.create("Acme", "acme")
    admin(emulator, "GET", "state")  # admin calls are not counted

    counters = admin(emulator, "GET", "counters").json()
    assert counters["requests"] == {"GET /v1/mgmt/license": 1, "POST /v1/mgmt/tenant/create": 1}
    assert counters["total"] == 2

    assert admin(emulator, "POST", "counters/reset").json() == {}
    assert admin(emulator, "GET", "counters").json()["requests"] == {}


def test_admin_faults__set_show_and_consume(
    emulator: EmulatorServer, client: DescopeClient
) -> None:
    plan = {
        "fail500": {"count": 2, "path": "/v1/mgmt/flow/list"},
        "rateLimit": {"limit": 100, "windowSeconds": 1},
        "latencyRangeMs": [0, 1],
    }

    shown = admin(emulator, "POST", "faults", plan).json()

    assert shown["fail500"] == {"count": 2, "path": "/v1/mgmt/flow/list"}
    assert shown["rateLimit"] == {
        "limit": 100,
        "windowSeconds": 1.0,
        "retryAfter": None,
        "path": None,
    }
    assert shown["remaining"] == {"drop": 0, "503": 0, "500": 2, "corrupt": 0}
    with pytest.raises(Exception):  # noqa: B017, PT011 - AuthException, checked elsewhere
        client.mgmt.flow.list_flows()
    assert admin(emulator, "GET", "faults").json()["remaining"]["500"] == 1


@pytest.mark.parametrize(
    "plan",
    [
        {"latency": 5},
        {"latencyMs": -1},
        {"latencyMs": True},
        {"latencyRangeMs": [5]},
        {"latencyRangeMs": [5, 1]},
        {"fail503": 3},
        {"fail503": {"count": 1, "path": 7}},
        {"rateLimit": {"windowSeconds": 1}},
        [1, 2],
    ],
)
def test_admin_faults__bad_plan_is_400_and_keeps_the_old_one(
    emulator: EmulatorServer, plan: object
) -> None:
    admin(emulator, "POST", "faults", {"latencyMs": 2})

    response = admin(emulator, "POST", "faults", plan)

    assert response.status_code == 400
    assert response.json()["errorCode"] in {"E011001", "E011004"}
    assert admin(emulator, "GET", "faults").json()["latencyMs"] == 2


def test_admin_options__change_switches(emulator: EmulatorServer, client: DescopeClient) -> None:
    shown = admin(
        emulator, "POST", "options", {"notFoundStatus": 404, "defaultTier": "tier1"}
    ).json()

    assert shown == {
        "notFoundStatus": 404,
        "normalizeDomains": False,
        "uniqueDomainsAcrossTenants": False,
        "defaultTier": "tier1",
        "allowDuplicateSSODomainsInOtherTenants": False,
        "requireAttributeDefinitions": True,
        "requireExistingRoles": True,
        "cascadePermissionChanges": True,
        "infraPutMerges": False,
    }
    assert client.mgmt.license.get() == {"rateLimitTier": "tier1"}


def test_admin_options__credentials_cannot_be_changed_or_seen(emulator: EmulatorServer) -> None:
    response = admin(emulator, "POST", "options", {"managementKey": "mine"})

    assert response.status_code == 400
    options = admin(emulator, "GET", "options").json()
    assert emulator.app.options.management_key not in str(options)


def test_admin_requests__log_bodies_without_authorization(
    emulator: EmulatorServer, client: DescopeClient
) -> None:
    client.mgmt.tenant.create("Acme", "acme")
    httpx.post(f"{emulator.url}/v1/mgmt/tenant/search", content=b"not json")

    records = admin(emulator, "GET", "requests").json()["requests"]

    create = records[1]
    assert (create["method"], create["path"]) == ("POST", "/v1/mgmt/tenant/create")
    assert create["body"] == {
        "name": "Acme",
        "id": "acme",
        "selfProvisioningDomains": [],
        "enforceSSO": False,
        "disabled": False,
    }
    assert "authorization" not in create["headers"]
    assert records[2]["body"] == "not json"
    assert emulator.app.options.management_key not in str(records)


def test_admin_unknown_route__404(emulator: EmulatorServer) -> None:
    response = admin(emulator, "GET", "nothing")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E099404"
