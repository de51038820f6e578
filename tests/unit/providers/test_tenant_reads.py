"""The tenant provider's reads through the tenant listing (`providers.listing`), against the
in-process emulator, counting API calls.

A read "in a refresh" is simulated without threads by holding `listing.reading()` open around
it: to the listing that is another read in flight, as under the provider host.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from descope import DescopeClient
from descope.exceptions import AuthException

from emulator.app import EmulatorApp
from providers import listing
from providers.listing import TenantListing
from providers.tenant import TenantProvider
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import Clock, acme, counts

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps

LIST = "GET /v1/mgmt/tenant/all"
LOAD = "GET /v1/mgmt/tenant"
SETTINGS_LOAD = "GET /v1/mgmt/tenant/settings"
SETTINGS = {"domains": ["sso.example.com"], "authType": "saml"}


def make_tenants(
    provider: TenantProvider, count: int, *, start: int = 0, **changes: Any
) -> list[dict[str, Any]]:
    """Create tenants t{start}.. (`count` of them); their recorded outputs."""
    outputs = []
    for i in range(start, start + count):
        props = acme(tenantId=f"t{i}", name=f"Tenant {i}", **changes)
        result = provider.create(provider.check({}, props).inputs)
        assert result.outs is not None
        outputs.append(result.outs)
    return outputs


def refresh(provider: TenantProvider, outputs: list[dict[str, Any]]) -> list[Any]:
    """Read every tenant as during a refresh (another read in flight), one after the other."""
    with listing.reading():
        return [provider.read(o["tenantId"], o) for o in outputs]


def test_refresh_of_n_tenants_is_one_listing_and_n_settings_loads(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    outputs = make_tenants(provider, 6, settings=SETTINGS)
    app.counters.reset()
    results = refresh(provider, outputs)
    assert counts(app) == {LIST: 1, SETTINGS_LOAD: 6}
    assert [r.id for r in results] == [f"t{i}" for i in range(6)]


def test_refresh_without_managed_settings_is_one_listing(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    outputs = make_tenants(provider, 5)
    app.counters.reset()
    refresh(provider, outputs)
    assert counts(app) == {LIST: 1}


@pytest.mark.parametrize("settings", [SETTINGS, None])
def test_reads_from_the_listing_equal_reads_alone(
    provider: TenantProvider, descope: DescopeClient, settings: Any
) -> None:
    outputs = make_tenants(provider, 3, settings=settings)
    descope.mgmt.tenant.update("t1", "Edited", ["t1.example.com"], {"l": ["a", "b"]}, True, ["u1"])
    alone = [provider.read(o["tenantId"], o) for o in outputs]
    assert listing.listing.fetches == 0
    shared = refresh(provider, outputs)
    assert listing.listing.fetches == 1
    assert [(r.id, r.outs, r.inputs) for r in shared] == [(r.id, r.outs, r.inputs) for r in alone]


def test_listed_tenants_are_shaped_as_loaded_ones(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    """`load_all` items are what `load` returns, field for field (emulator and §2.1)."""
    make_tenants(provider, 2, settings=SETTINGS)
    descope.mgmt.tenant.update("t1", "Edited", ["t1.example.com"], {"l": ["a", "b"]}, True, ["u1"])
    listed = descope.mgmt.tenant.load_all()["tenants"]
    assert listed == [descope.mgmt.tenant.load(t["id"]) for t in listed]
    assert len(listed) == 2


def test_lone_read_is_a_direct_load(provider: TenantProvider, app: EmulatorApp) -> None:
    [outputs] = make_tenants(provider, 1, settings=SETTINGS)
    app.counters.reset()
    provider.read("t0", outputs)
    assert counts(app) == {LOAD: 1, SETTINGS_LOAD: 1}


def test_read_edit_read_sees_the_edit(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    outputs = make_tenants(provider, 3)
    with listing.reading():
        assert provider.read("t0", outputs[0]).outs["name"] == "Tenant 0"  # type: ignore[index]
        descope.mgmt.tenant.update("t0", "Edited", [])
        assert provider.read("t0", outputs[0]).outs["name"] == "Edited"  # type: ignore[index]
    descope.mgmt.tenant.update("t0", "Edited again", [])
    assert provider.read("t0", outputs[0]).outs["name"] == "Edited again"  # type: ignore[index]


def test_tenant_gone_from_the_listing_is_confirmed_before_it_is_dropped(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    outputs = make_tenants(provider, 3)
    descope.mgmt.tenant.delete("t1")
    app.counters.reset()
    results = refresh(provider, outputs)
    assert [r.id for r in results] == ["t0", None, "t2"]
    assert counts(app) == {LIST: 1, LOAD: 1}


def test_tenant_created_after_the_listing_is_found(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    outputs = make_tenants(provider, 2)
    with listing.reading():
        provider.read("t0", outputs[0])
        [late] = make_tenants(provider, 1, start=2)  # created after the listing was fetched
        app.counters.reset()
        assert provider.read("t2", late).id == "t2"
    assert counts(app) == {LOAD: 1}


@pytest.mark.parametrize("write", ["update", "delete", "adopt"])
def test_writes_by_this_process_are_never_hidden_by_the_listing(
    provider: TenantProvider, descope: DescopeClient, write: str
) -> None:
    outputs = make_tenants(provider, 3)
    with listing.reading():
        provider.read("t0", outputs[0])  # the listing now holds t1
        if write == "update":
            news = provider.check({}, acme(tenantId="t1", name="Renamed")).inputs
            provider.update("t1", outputs[1], news)
            assert provider.read("t1", outputs[1]).outs["name"] == "Renamed"  # type: ignore[index]
        elif write == "delete":
            provider.delete("t1", outputs[1])
            assert provider.read("t1", outputs[1]).id is None
        else:
            props = acme(tenantId="t1", name="Adopted", adopt=True)
            provider.create(provider.check({}, props).inputs)
            assert provider.read("t1", outputs[1]).outs["name"] == "Adopted"  # type: ignore[index]


def test_max_age_expiry_lists_again(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(listing, "listing", TenantListing(clock))
    outputs = make_tenants(provider, 3)
    app.counters.reset()
    with listing.reading():
        provider.read("t0", outputs[0])
        clock.now += listing.DEFAULT_MAX_AGE + 1
        provider.read("t1", outputs[1])
    assert counts(app) == {LIST: 2}


def test_listing_forbidden_falls_back_to_direct_loads_and_says_so_once(
    provider: TenantProvider,
    descope: DescopeClient,
    app: EmulatorApp,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tries = []

    def forbidden() -> Any:
        tries.append(1)
        raise AuthException(403, "server error", '{"errorCode":"E099403","errorDescription":"no"}')

    outputs = make_tenants(provider, 3)
    monkeypatch.setattr(descope.mgmt.tenant, "load_all", forbidden)
    app.counters.reset()
    with caplog.at_level(logging.INFO, logger="providers.listing"):
        results = refresh(provider, outputs)
        refresh(provider, outputs)
    assert [r.id for r in results] == ["t0", "t1", "t2"]
    assert counts(app) == {LOAD: 6}
    assert len(tries) == 1
    [record] = [r for r in caplog.records if r.name == "providers.listing"]
    assert record.levelno == logging.INFO
    assert "reading each tenant on its own" in record.getMessage()


def test_knob_zero_reads_each_tenant_directly(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(listing.MAX_AGE_ENV, "0")
    outputs = make_tenants(provider, 3)
    app.counters.reset()
    refresh(provider, outputs)
    assert counts(app) == {LOAD: 3}


def test_eight_concurrent_reads_make_exactly_one_listing(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    outputs = make_tenants(provider, 8, settings=SETTINGS)
    app.counters.reset()
    app.set_faults({"latencyMs": 30})
    start = threading.Barrier(8)
    results: dict[str, Any] = {}

    def read(o: dict[str, Any]) -> None:
        start.wait(5)
        results[o["tenantId"]] = provider.read(o["tenantId"], o)

    threads = [threading.Thread(target=read, args=(o,)) for o in outputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    app.set_faults({})
    assert counts(app) == {LIST: 1, SETTINGS_LOAD: 8}
    assert {k: r.id for k, r in results.items()} == {f"t{i}": f"t{i}" for i in range(8)}
