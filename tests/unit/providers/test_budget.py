"""The request budget: at most N requests in any 10 s per host, below Descope's limit."""

from __future__ import annotations

import threading

import httpx
import pytest

from providers import client
from providers.budget import (
    DEFAULT_LIMIT,
    DESCOPE_LIMIT,
    LIMIT_ENV,
    RequestBudget,
    configured_limit,
)
from providers.errors import ConfigurationError
from providers.pool import PooledHttp


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_budget_spends_its_limit_then_waits_for_the_oldest_request_to_age_out() -> None:
    time = FakeTime()
    budget = RequestBudget(3, 10.0, clock=time.clock, sleep=time.sleep)

    for _ in range(3):
        budget.take()
        time.now += 1.0  # requests at 1000, 1001, 1002
    assert time.slept == []
    budget.take()  # the 4th waits until the 1st is 10 s old: 1010
    assert time.slept == [pytest.approx(7.0)]
    assert time.now == pytest.approx(1010.0)
    budget.take()  # and the 5th until the 2nd is: 1011
    assert time.slept[-1] == pytest.approx(1.0)
    assert budget.waited == pytest.approx(8.0)


def test_a_budget_holds_for_threads_together() -> None:
    time = FakeTime()
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            time.sleep(seconds)

    budget = RequestBudget(5, 10.0, clock=time.clock, sleep=sleep)
    threads = [threading.Thread(target=budget.take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 12 requests at 5 per 10 s: the clock had to reach the third window.
    assert time.now >= 1020.0
    assert len(budget._sent) <= 5


def test_the_limit_is_configurable_below_descopes_and_refused_past_it() -> None:
    assert configured_limit({}) == DEFAULT_LIMIT < DESCOPE_LIMIT
    assert configured_limit({LIMIT_ENV: " 250 "}) == 250
    for bad in ("0", "1001", "fast", "-5", "2.5"):
        with pytest.raises(ValueError, match=LIMIT_ENV):
            configured_limit({LIMIT_ENV: bad})
    with pytest.raises(ValueError, match="limit >= 1"):
        RequestBudget(0)


def test_every_attempt_of_the_pooled_client_takes_from_its_budget() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={})

    http = PooledHttp(
        "P" * 28,
        management_key="K",
        transport=httpx.MockTransport(answer),
        requests_per_window=2,
    )
    time = FakeTime()
    http.budget = RequestBudget(2, 10.0, clock=time.clock, sleep=time.sleep)
    try:
        for _ in range(5):
            http.get("/v1/mgmt/tenant/all")
    finally:
        http.close()
    assert len(seen) == 5
    assert time.slept == [pytest.approx(10.0), pytest.approx(10.0)]


def test_a_bad_limit_in_the_environment_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(LIMIT_ENV, "5000")
    settings = client.ConnectionSettings(
        project_id="P" * 28, management_key="K-x", base_url="http://127.0.0.1:1", source={}
    )
    with pytest.raises(ConfigurationError, match=f"{LIMIT_ENV} is '5000'"):
        client._pooled_http(settings, httpx.MockTransport(lambda r: httpx.Response(200)))
