"""The tenant listing (`providers.listing`) alone: a fake ``load_all``, a fake direct load and a
fake clock. A read "in a refresh" is simulated by holding another `reading()` open around it:
to the listing that is another read in flight, as under the provider host.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from descope.exceptions import AuthException

from providers import client, listing
from providers.errors import ConfigurationError
from providers.listing import IDLE_GRACE, TenantListing
from tests.unit.providers.tenant_fakes import Clock


class FakeTenantApi:
    """`load_all` answering from `tenants`; `during` runs inside the call (races)."""

    def __init__(self, tenants: dict[str, dict[str, Any]]) -> None:
        self.tenants = tenants
        self.calls = 0
        self.answer: Any = None
        self.during: Callable[[], None] = lambda: None

    def load_all(self) -> Any:
        self.calls += 1
        self.during()
        if self.answer is not None:
            return self.answer
        return {"tenants": [dict(t) for t in self.tenants.values()]}


class FakeManagement:
    def __init__(self, api: FakeTenantApi) -> None:
        self.tenant = api


@pytest.fixture
def tenants() -> dict[str, dict[str, Any]]:
    return {t: {"id": t, "name": t.upper()} for t in ("a", "b", "c")}


@pytest.fixture
def api(tenants: dict[str, dict[str, Any]]) -> Iterator[FakeTenantApi]:
    fake = FakeTenantApi(tenants)
    with client.use_management(cast(client.ManagementApi, FakeManagement(fake))):
        yield fake


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shared(clock: Clock) -> TenantListing:
    return TenantListing(clock)


class Direct:
    """The direct load: counts its calls, answers from `tenants`."""

    def __init__(self, tenants: dict[str, dict[str, Any]]) -> None:
        self.tenants = tenants
        self.loaded: list[str] = []

    def __call__(self, tenant_id: str) -> Callable[[], dict[str, Any] | None]:
        def load() -> dict[str, Any] | None:
            self.loaded.append(tenant_id)
            found = self.tenants.get(tenant_id)
            return dict(found) if found is not None else None

        return load


@pytest.fixture
def direct(tenants: dict[str, dict[str, Any]]) -> Direct:
    return Direct(tenants)


def get(shared: TenantListing, direct: Direct, tenant_id: str) -> dict[str, Any] | None:
    return shared.tenant(tenant_id, doing=f"read {tenant_id}", load_one=direct(tenant_id))


def burst(shared: TenantListing) -> Any:
    """Another read in flight, as during a refresh."""
    return shared.reading()


def test_lone_read_loads_directly(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    with shared.reading():
        assert get(shared, direct, "a") == {"id": "a", "name": "A"}
    assert (api.calls, direct.loaded) == (0, ["a"])


def test_overlapping_reads_share_one_listing(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    with burst(shared):
        for tenant_id in ("a", "b", "c"):
            with shared.reading():
                assert get(shared, direct, tenant_id) == {
                    "id": tenant_id,
                    "name": tenant_id.upper(),
                }
    assert (api.calls, shared.fetches, direct.loaded) == (1, 1, [])


def test_entry_is_served_once_then_listed_again(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, tenants: dict[str, Any]
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        tenants["a"] = {"id": "a", "name": "Edited"}
        assert get(shared, direct, "a") == {"id": "a", "name": "Edited"}
    assert api.calls == 2


def test_entry_left_in_a_listing_is_served_to_a_later_overlapping_read(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
    with shared.reading():  # a lone read, within the idle grace
        assert get(shared, direct, "b") == {"id": "b", "name": "B"}
    assert (api.calls, direct.loaded) == (1, [])


def test_idle_process_discards_the_listing(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, clock: Clock
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
    clock.now += IDLE_GRACE + 0.1
    with shared.reading():
        get(shared, direct, "b")
    assert (api.calls, direct.loaded) == (1, ["b"])


def test_new_command_never_answers_from_the_previous_commands_listing(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, tenants: dict[str, Any]
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
    tenants["b"] = {"id": "b", "name": "Edited"}
    listing.command_began()  # the engine configured the host: within the idle grace
    with shared.reading():
        assert get(shared, direct, "b") == {"id": "b", "name": "Edited"}
    assert (api.calls, direct.loaded) == (1, ["b"])


def test_listing_fetched_while_a_command_begins_serves_nobody(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    api.during = listing.command_began
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        api.during = lambda: None
        get(shared, direct, "b")
    assert api.calls == 2


def test_tenant_absent_from_the_listing_is_loaded_directly(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, tenants: dict[str, Any]
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        tenants["new"] = {"id": "new", "name": "New"}  # created after the listing
        assert get(shared, direct, "new") == {"id": "new", "name": "New"}
        assert get(shared, direct, "gone") is None  # never on the listing's word alone
    assert (api.calls, direct.loaded) == (1, ["new", "gone"])


def test_tenant_missing_from_a_new_listing_is_loaded_directly(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    with burst(shared), shared.reading():
        assert get(shared, direct, "gone") is None
    assert (api.calls, direct.loaded) == (1, ["gone"])


def test_forgotten_tenant_is_not_served(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        shared.forget("b")  # written by this process
        get(shared, direct, "b")
        get(shared, direct, "c")
    assert api.calls == 2  # b came from a second listing, c from the first


def test_tenant_written_while_the_listing_is_fetched_is_dropped_from_it(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    api.during = lambda: shared.forget("b")
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        api.during = lambda: None
        assert get(shared, direct, "b") == {"id": "b", "name": "B"}
    assert (api.calls, direct.loaded) == (1, ["b"])


def test_max_age_expiry_fetches_again(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, clock: Clock
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        clock.now += listing.DEFAULT_MAX_AGE
        get(shared, direct, "b")
    assert api.calls == 2


def test_max_age_knob(
    shared: TenantListing,
    api: FakeTenantApi,
    direct: Direct,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(listing.MAX_AGE_ENV, "5")
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        clock.now += 4.9
        get(shared, direct, "b")
        clock.now += 0.2
        get(shared, direct, "c")
    assert api.calls == 2


def test_knob_zero_turns_the_listing_off(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(listing.MAX_AGE_ENV, "0")
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        get(shared, direct, "b")
    assert (api.calls, direct.loaded) == (0, ["a", "b"])


@pytest.mark.parametrize("raw", ["soon", "-1", "nan"])
def test_malformed_knob_names_the_variable(
    shared: TenantListing, direct: Direct, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(listing.MAX_AGE_ENV, raw)
    with pytest.raises(ConfigurationError, match=listing.MAX_AGE_ENV):
        get(shared, direct, "a")


def test_new_client_discards_the_listing(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    with burst(shared), shared.reading():
        get(shared, direct, "a")
        other = FakeTenantApi({"b": {"id": "b", "name": "Other project"}})
        with client.use_management(cast(client.ManagementApi, FakeManagement(other))):
            assert get(shared, direct, "b") == {"id": "b", "name": "Other project"}
    assert (api.calls, other.calls) == (1, 1)


@pytest.mark.parametrize("answer", [{"tenants": "x"}, {"tenants": [{"name": "no id"}]}, []])
def test_odd_answer_falls_back_to_direct_loads(
    shared: TenantListing, api: FakeTenantApi, direct: Direct, answer: Any
) -> None:
    api.answer = answer
    with burst(shared), shared.reading():
        assert get(shared, direct, "a") == {"id": "a", "name": "A"}
        get(shared, direct, "b")
    assert (api.calls, direct.loaded) == (1, ["a", "b"])


def test_unexpected_failure_releases_the_waiters(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    def boom() -> None:
        raise RuntimeError("bug")

    api.during = boom
    with burst(shared), shared.reading(), pytest.raises(RuntimeError):
        get(shared, direct, "a")
    api.during = lambda: None
    with burst(shared), shared.reading():
        assert get(shared, direct, "a") == {"id": "a", "name": "A"}
    assert api.calls == 2


def test_waiters_share_the_fetch_and_fall_back_when_it_fails(
    shared: TenantListing, api: FakeTenantApi, direct: Direct
) -> None:
    """Threads arriving during a fetch wait for it, then take their entry (or load directly
    when the fetch failed)."""
    arrived = threading.Event()
    release = threading.Event()
    results: dict[str, Any] = {}

    def slow() -> None:
        arrived.set()
        assert release.wait(5)

    def reader(tenant_id: str) -> None:
        with shared.reading():
            results[tenant_id] = get(shared, direct, tenant_id)

    for fail in (False, True):
        api.during = slow
        api.answer = [] if fail else None
        arrived.clear()
        release.clear()
        direct.loaded.clear()
        with burst(shared):
            first = threading.Thread(target=reader, args=("a",))
            first.start()
            assert arrived.wait(5)
            second = threading.Thread(target=reader, args=("b",))
            second.start()
            while shared._readers < 3:  # the second thread is in, and will wait
                threading.Event().wait(0.001)
            release.set()
            first.join(5)
            second.join(5)
        assert results == {"a": {"id": "a", "name": "A"}, "b": {"id": "b", "name": "B"}}
        assert direct.loaded == (["a", "b"] if fail else [])
    assert api.calls == 2


def test_a_refused_listing_is_logged_with_descope_s_words_escaped(
    shared: TenantListing,
    api: FakeTenantApi,
    direct: Direct,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse() -> None:
        body = '{"errorCode":"E099403","errorDescription":"no \\u001b]0;pwned\\u0007"}'
        raise AuthException(403, "E099403", body)

    api.during = refuse
    with (
        caplog.at_level(logging.INFO, logger="providers.listing"),
        burst(shared),
        shared.reading(),
    ):
        assert get(shared, direct, "a") == {"id": "a", "name": "A"}
    [record] = caplog.records
    assert "no \\x1b]0;pwned\\x07" in record.getMessage()
    assert "\x1b" not in record.getMessage()
