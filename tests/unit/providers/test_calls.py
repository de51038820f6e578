"""Retries: one rate-limit budget per operation, Retry-After honoured or refused, waits told."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from descope.exceptions import RateLimitException

from providers import calls
from providers.errors import DescopeApiError

POLICY = calls.RetryPolicy(max_rate_limit_wait=30.0, max_attempts=3, backoff=0.01)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    slept: list[float] = []
    monkeypatch.setattr(calls, "sleep", slept.append)
    for name in ("DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT", "DESCOPE_CONFIG_RETRY_BACKOFF"):
        monkeypatch.delenv(name, raising=False)
    previous = calls.set_policy(POLICY)
    yield slept
    calls.set_policy(previous)


def limited(retry_after: Any) -> RateLimitException:
    parameters = {} if retry_after is None else {"Retry-After": retry_after}
    status: Any = "E130429"  # what the SDK puts there for Descope's JSON 429
    return RateLimitException(
        status, "API rate limit exceeded", "", "", rate_limit_parameters=parameters
    )


def answering(*answers: Exception | str) -> Callable[[], str]:
    queue = list(answers)

    def fn() -> str:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return fn


def test_retry_after_is_waited_then_the_call_succeeds(waits: list[float]) -> None:
    assert calls.call(answering(limited(7), "ok"), doing="load x", repeatable=True) == "ok"
    assert waits == [7.0]


def test_a_429_without_retry_after_backs_off_doubling(waits: list[float]) -> None:
    fn = answering(limited(None), limited(0), limited("soon"), "ok")
    assert calls.call(fn, doing="load x", repeatable=True) == "ok"
    assert waits == [1.0, 2.0, 4.0]


def test_one_operation_shares_one_rate_limit_budget(waits: list[float]) -> None:
    @calls.operation("create")
    def create() -> None:
        calls.call(answering(limited(20), "ok"), doing="create x", repeatable=False)
        calls.call(answering(limited(20), "ok"), doing="set its settings", repeatable=True)

    with pytest.raises(DescopeApiError) as raised:
        create()
    assert waits == [20.0]
    assert raised.value.status == 429
    assert "asked to wait 20 s (Retry-After), more than the 10 s left of the 30 s" in str(
        raised.value
    )


def test_calls_outside_an_operation_each_have_the_budget(waits: list[float]) -> None:
    calls.call(answering(limited(20), "ok"), doing="a", repeatable=True)
    calls.call(answering(limited(20), "ok"), doing="b", repeatable=True)
    assert waits == [20.0, 20.0]


def test_a_retry_after_beyond_the_budget_fails_at_once_saying_how_to_raise_it(
    waits: list[float],
) -> None:
    with pytest.raises(DescopeApiError) as raised:
        calls.call(answering(limited(3600)), doing="create x", repeatable=False)
    text = str(raised.value)
    assert waits == []
    assert "asked to wait 3600 s" in text
    assert "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT=3600" in text
    assert text.count("rate limit") == 1


def test_a_429_storm_ends_with_its_cause_said_once(waits: list[float]) -> None:
    with pytest.raises(DescopeApiError) as raised:
        calls.call(answering(*[limited(None)] * 10), doing="load x", repeatable=True)
    text = str(raised.value)
    assert sum(waits) <= POLICY.max_rate_limit_wait
    assert "kept answering 429 (rate limited) through 15 s of waiting" in text
    assert text.count("429") == 1


def test_waits_are_told_to_listeners_in_the_users_words(waits: list[float]) -> None:
    told: list[str] = []
    with calls.waits_reported_to(lambda wait: told.append(wait.text())):
        calls.call(answering(limited(12), "ok"), doing="export the theme", repeatable=True)
    calls.call(answering(limited(1), "ok"), doing="after", repeatable=True)
    assert told == ["rate limited by Descope, waiting 12 s (attempt 2) to export the theme"]


def test_a_short_wait_is_told_in_tenths_not_as_zero() -> None:
    wait = calls.Wait("load x", "Descope had a server error", 0.5, 2, 4)
    assert wait.text() == "Descope had a server error, waiting 0.5 s (attempt 2 of 4) to load x"


def test_a_wait_is_logged_with_descope_s_data_escaped(
    waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="providers.calls"):
        calls.call(answering(limited(1), "ok"), doing='export flow "f\x1b[2J"', repeatable=True)
    assert [r.getMessage() for r in caplog.records] == [
        'rate limited by Descope, waiting 1 s (attempt 2) to export flow "f\\x1b[2J"'
    ]
