"""Auth, license handshake, routing errors and injected faults, as the SDK sees them."""

from __future__ import annotations

import json

import httpx
import pytest
from descope import AuthException, RateLimitException

from emulator import EmulatorApp, EmulatorServer, FaultPlan
from emulator.faults import Burst, RateLimit
from tests.emulator.conftest import Sdk, error_body
from tests.support.inprocess import inprocess_descope, plain_http_descope

CREATE = "POST /v1/mgmt/tenant/create"


def test_license_handshake__later_requests_carry_the_tier(sdk: Sdk) -> None:
    sdk.tenant.load_all()

    counters = sdk.app.counters.snapshot()
    assert counters["requests"]["GET /v1/mgmt/license"] == 1
    assert counters["licenseHeaders"] == {"none": 1, "tier4": 1}
    load_all = next(r for r in sdk.app.requests() if r.path == "/v1/mgmt/tenant/all")
    assert load_all.headers["x-descope-license"] == "tier4"
    assert "authorization" not in load_all.headers


def test_license_get__answers_the_configured_tier(sdk: Sdk) -> None:
    sdk.app.set_options(default_tier="tier2")

    assert sdk.client.mgmt.license.get() == {"rateLimitTier": "tier2"}


def test_wrong_management_key__401_and_no_license_header(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = emulator.app.options
    client = plain_http_descope(options.project_id, "K-wrong", emulator.url)

    with pytest.raises(AuthException) as err:
        client.mgmt.tenant.load_all()

    assert err.value.status_code == 401
    body = error_body(err)
    assert body["errorCode"] == "E099401"
    assert "K-wrong" not in str(err.value.error_message)
    assert options.management_key not in str(err.value.error_message)
    assert emulator.app.counters.snapshot()["licenseHeaders"] == {"none": 2}


def test_wrong_management_key__in_process_too(monkeypatch: pytest.MonkeyPatch) -> None:
    client = inprocess_descope(EmulatorApp(), monkeypatch, management_key="K-wrong")

    with pytest.raises(AuthException) as err:
        client.mgmt.flow.list_flows()

    assert err.value.status_code == 401


def test_missing_authorization__401(emulator: EmulatorServer) -> None:
    response = httpx.post(f"{emulator.url}/v1/mgmt/flow/list")

    assert response.status_code == 401
    assert response.json()["errorCode"] == "E099401"


def test_wrong_method_on_a_known_route__500_E010009(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.client.mgmt.flow._http.post("/v1/mgmt/tenant", body={"id": "x"})

    assert err.value.status_code == 500
    assert err.value.error_message == (
        '{"errorCode":"E010009","errorDescription":"Unknown server error"}'
    )


def test_unknown_route__404(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.client.mgmt.flow._http.get("/v1/mgmt/nothing")

    assert err.value.status_code == 404
    assert error_body(err)["errorCode"] == "E099404"


def test_malformed_json_body__400(emulator: EmulatorServer) -> None:
    options = emulator.app.options
    headers = {"Authorization": f"Bearer {options.project_id}:{options.management_key}"}

    for content in (b"{not json", b"[1, 2]"):
        response = httpx.post(
            f"{emulator.url}/v1/mgmt/tenant/create", content=content, headers=headers
        )
        assert response.status_code == 400
        assert response.json()["errorCode"] == "E011001"


def test_double_slash_from_a_trailing_slash_base_url_still_routes(emulator: EmulatorServer) -> None:
    options = emulator.app.options
    client = plain_http_descope(options.project_id, options.management_key, emulator.url + "/")

    assert client.mgmt.tenant.load_all() == {"tenants": []}


def test_rate_limit__429_with_retry_after_and_descope_body(sdk: Sdk) -> None:
    sdk.app.set_faults({"rateLimit": {"limit": 2, "windowSeconds": 60, "retryAfter": 10}})
    sdk.tenant.create("A", "a")
    sdk.tenant.create("B", "b")

    with pytest.raises(RateLimitException) as err:
        sdk.tenant.create("C", "c")

    # the SDK annotates status_code as int, but on 429 it carries the errorCode string
    assert err.value.status_code == "E130429"  # type: ignore[comparison-overlap]
    assert err.value.error_description == "https://docs.descope.com/rate-limit"
    assert err.value.error_message == "API rate limit exceeded."
    assert err.value.rate_limit_parameters == {"Retry-After": 10}
    assert sdk.app.counters.faulted("POST", "/v1/mgmt/tenant/create") == 1
    assert "c" not in sdk.app.backend.tenants


def test_rate_limit__default_retry_after_is_time_left_in_window(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr(sdk.app.faults, "_now", lambda: clock[0])
    sdk.app.set_faults(FaultPlan(rate_limit=RateLimit(limit=1, window_seconds=10)))
    sdk.tenant.create("A", "a")
    clock[0] = 103.5

    with pytest.raises(RateLimitException) as err:
        sdk.tenant.create("B", "b")
    assert err.value.rate_limit_parameters == {"Retry-After": 7}

    clock[0] = 110.0
    sdk.tenant.create("B", "b")  # the window moved on


def test_rate_limit__only_on_its_path(sdk: Sdk) -> None:
    sdk.app.set_faults({"rateLimit": {"limit": 0, "path": "/v1/mgmt/flow/list"}})

    sdk.tenant.create("A", "a")
    with pytest.raises(RateLimitException):
        sdk.flow.list_flows()


def test_503_burst_shorter_than_the_sdks_attempts__succeeds_after_retries(sdk: Sdk) -> None:
    sdk.app.set_faults({"fail503": {"count": 3, "path": "/v1/mgmt/tenant/create"}})

    assert sdk.tenant.create("A", "a") == {"id": "a"}

    assert sdk.app.counters.requests("POST", "/v1/mgmt/tenant/create") == 4
    assert sdk.app.counters.faulted("POST", "/v1/mgmt/tenant/create") == 3
    assert sdk.app.counters.snapshot()["faultsByKind"] == {"503": 3}


def test_503_burst_longer_than_the_sdks_attempts__raises_503(sdk: Sdk) -> None:
    sdk.app.set_faults({"fail503": {"count": 5}})

    with pytest.raises(AuthException) as err:
        sdk.tenant.load_all()

    assert err.value.status_code == 503
    assert error_body(err)["errorCode"] == "E099503"
    assert sdk.app.counters.snapshot()["faulted"] == {"GET /v1/mgmt/tenant/all": 4}


def test_500_burst__not_retried(sdk: Sdk) -> None:
    sdk.app.set_faults({"fail500": {"count": 1}})

    with pytest.raises(AuthException) as err:
        sdk.tenant.create("A", "a")

    assert err.value.status_code == 500
    assert error_body(err)["errorCode"] == "E010009"
    assert sdk.app.counters.requests("POST", "/v1/mgmt/tenant/create") == 1
    assert sdk.tenant.create("A", "a") == {"id": "a"}  # the burst is over


def test_burst_limited_to_a_path_leaves_others_alone(sdk: Sdk) -> None:
    sdk.app.set_faults(FaultPlan(fail_500=Burst(1, "/v1/mgmt/flow/list")))

    sdk.tenant.create("A", "a")
    with pytest.raises(AuthException):
        sdk.flow.list_flows()
    assert sdk.flow.list_flows() == {"flows": [], "total": 0}


def test_dropped_connection__httpx_error_and_nothing_done(sdk: Sdk) -> None:
    sdk.app.set_faults({"dropConnections": {"count": 1}})

    with pytest.raises(httpx.TransportError):
        sdk.tenant.create("A", "a")

    assert sdk.app.backend.tenants == {}
    assert sdk.app.counters.snapshot()["faultsByKind"] == {"drop": 1}
    assert sdk.tenant.create("A", "a") == {"id": "a"}


def test_latency__fixed_and_random(sdk: Sdk, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(sdk.app, "sleep", slept.append)

    sdk.app.set_faults({"latencyMs": 30})
    sdk.tenant.load_all()
    sdk.app.set_faults({"latencyRangeMs": [10, 20]})
    sdk.tenant.load_all()

    assert slept[0] == pytest.approx(0.03)
    assert 0.01 <= slept[1] <= 0.02


def test_latency__really_waits_over_http(emulator: EmulatorServer, client: object) -> None:
    emulator.app.set_faults({"latencyMs": 50})
    options = emulator.app.options
    headers = {"Authorization": f"Bearer {options.project_id}:{options.management_key}"}

    response = httpx.get(f"{emulator.url}/v1/mgmt/tenant/all", headers=headers)

    assert response.elapsed.total_seconds() >= 0.05
    assert response.json() == {"tenants": []}


def test_counters__count_every_management_request_including_errors(sdk: Sdk) -> None:
    sdk.tenant.create("A", "a")
    with pytest.raises(AuthException):
        sdk.tenant.create("A", "a")
    with pytest.raises(AuthException):
        sdk.tenant.load("ghost")

    counters = sdk.app.counters.snapshot()
    assert counters["requests"][CREATE] == 2
    assert counters["requests"]["GET /v1/mgmt/tenant"] == 1
    assert counters["total"] == 4  # with the license handshake
    assert counters["totalFaulted"] == 0


def test_error_bodies_are_compact_json_in_descope_key_order(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.create("")

    text = err.value.error_message
    assert isinstance(text, str)
    assert text.startswith('{"errorCode":"E011002","errorDescription":')
    assert ", " not in text
    assert list(json.loads(text)) == ["errorCode", "errorDescription", "errorMessage"]


def test_corrupt_answers__the_request_is_served_and_its_answer_cut_short() -> None:
    app = EmulatorApp()
    app.set_faults({"corruptAnswers": {"count": 1, "path": "/v1/mgmt/tenant/create"}})
    auth = {"Authorization": f"Bearer {app.options.project_id}:{app.options.management_key}"}
    body = b'{"id": "acme", "name": "Acme"}'

    cut = app.handle("POST", "/v1/mgmt/tenant/create", "", auth, body)

    assert cut.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.body)
    assert "acme" in app.backend.tenants  # served all the same
    assert app.counters.snapshot()["faultsByKind"] == {"corrupt": 1}
    whole = app.handle("POST", "/v1/mgmt/tenant/create", "", auth, b'{"id": "b", "name": "B"}')
    assert json.loads(whole.body) == {"id": "b"}
