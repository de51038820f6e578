"""Calling Descope: retries for rate limits and transient failures, errors in the user's words.

Rate-limited calls (429) are always retried, honouring ``Retry-After`` (backing off from 1 s
when Descope sends none), because Descope did not act on them; the waiting is bounded per
provider operation (`operation`: a create's or a refresh read's calls share one budget), and a
Retry-After beyond what is left of it fails at once, saying so. 5xx answers and network
failures are retried with exponential backoff only for calls that are safe to repeat (reads,
full-state writes), since a create that failed half-way may have happened. Everything else
raises at once. Every wait is logged and told to `waits_reported_to` listeners.

A success answer is only used once it fits the call's wire shape (`providers.wire`): `ask`
reads what the SDK parsed, `send` a raw reply (`providers.sdk_http.reply_of`). A body the SDK
could not even parse (HTML, cut short) raises inside the SDK; it becomes the same
`AnswerNotUnderstood`, never a ``JSONDecodeError``. Such answers are not retried.

The timing can be tuned per process with environment variables, read at every call (the
provider host runs in its own process, so tests and impatient users set these instead of
calling `set_policy`):

- ``DESCOPE_CONFIG_RETRY_BACKOFF``: first backoff in seconds for 5xx/network retries (0.5);
- ``DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT``: seconds one operation may spend waiting on 429s (60);
- ``DESCOPE_CONFIG_MAX_ATTEMPTS``: attempts for repeatable calls failing with 5xx (4).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal, ParamSpec, TypeVar

import httpx
from descope.exceptions import AuthException, RateLimitException

from model.text import shown
from providers import errors, wire
from providers.errors import (
    AnswerNotUnderstood,
    ConfigurationError,
    DescopeApiError,
    from_sdk_exception,
)
from providers.sdk_http import Reply

T = TypeVar("T")
M = TypeVar("M", bound=wire.Answer)
P = ParamSpec("P")
log = logging.getLogger(__name__)

Kind = Literal["create", "read", "update", "delete"]
RESUMED_CREATE_KEY = "__resumedCreate"
"""An input the engine adds to a Create it makes again after a run that recorded the create as
pending and never learnt its result (killed, host lost): the Unix time that first create began.
`operation` takes it out of the properties before the provider sees them and keeps it in
`Operation.resumed_since`, so a provider can tell what that first create made from someone
else's resource (`providers.tenant`)."""


@dataclass
class Operation:
    """One provider operation under way in this thread: what it is, and what it has spent."""

    kind: Kind
    rate_limit_wait: float = 0.0
    """Seconds spent waiting on 429s so far, by all of the operation's calls together."""
    resumed_since: float | None = None
    """For a create the engine makes again (`RESUMED_CREATE_KEY`): when the first one began."""


def _resumed(args: tuple[Any, ...]) -> tuple[tuple[Any, ...], float | None]:
    """A create's arguments (self, props) without `RESUMED_CREATE_KEY`, and its value."""
    if len(args) < 2 or not isinstance(args[1], dict) or RESUMED_CREATE_KEY not in args[1]:
        return args, None
    props = dict(args[1])
    since = props.pop(RESUMED_CREATE_KEY)
    valid = isinstance(since, int | float) and not isinstance(since, bool)
    return (args[0], props, *args[2:]), float(since) if valid else None


_current: ContextVar[Operation | None] = ContextVar("descope_operation", default=None)


def operation(kind: Kind) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Mark a provider method as one operation: its calls share one rate-limit budget, and
    errors are worded for it (a 401 during a read or delete mentions refresh and destroy).
    A create's `RESUMED_CREATE_KEY` input is taken out of its properties (`Operation`)."""

    def decorate(method: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(method)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            call: Callable[..., T] = method
            if _current.get() is not None:
                return method(*args, **kwargs)
            since = None
            if kind == "create":
                args, since = _resumed(args)  # type: ignore[assignment]
            token = _current.set(Operation(kind, resumed_since=since))
            try:
                return call(*args, **kwargs)
            finally:
                _current.reset(token)

        return run

    return decorate


def current_operation() -> Operation | None:
    """The operation this thread is running, if a provider method marked one."""
    return _current.get()


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to try again."""

    max_rate_limit_wait: float = 60.0
    """Seconds one operation (all its calls) may spend waiting on 429s before giving up: one
    full minute, Descope's published backoff, and well inside the ~180 s after which the
    provider host has been seen to hang (pulumi/pulumi#13841)."""
    max_attempts: int = 4
    """Attempts for repeatable calls failing with 5xx or network errors."""
    backoff: float = 0.5
    """First backoff in seconds; doubles each attempt."""
    min_retry_after: float = 1.0
    """The first wait on a 429 without a usable Retry-After; doubles on each such 429."""


DEFAULT_POLICY = RetryPolicy()
_policy_lock = threading.Lock()
_policy = DEFAULT_POLICY
sleep: Callable[[float], None] = time.sleep
"""The clock the retries wait on (tests replace it)."""


def set_policy(policy: RetryPolicy) -> RetryPolicy:
    """Replace the process-wide policy; returns the previous one."""
    global _policy
    with _policy_lock:
        previous, _policy = _policy, policy
    return previous


_ENV_OVERRIDES: tuple[tuple[str, str, type[float] | type[int]], ...] = (
    ("DESCOPE_CONFIG_RETRY_BACKOFF", "backoff", float),
    ("DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT", "max_rate_limit_wait", float),
    ("DESCOPE_CONFIG_MAX_ATTEMPTS", "max_attempts", int),
)


def current_policy() -> RetryPolicy:
    """The policy in force: the process-wide one, with the environment's overrides on top.

    Raises `ConfigurationError` naming the variable when one is not a non-negative number.
    """
    with _policy_lock:
        policy = _policy
    overrides: dict[str, Any] = {}
    for env_var, attribute, kind in _ENV_OVERRIDES:
        raw = os.environ.get(env_var, "").strip()
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError:
            value = -1
        if value < 0 or (kind is int and value < 1):
            raise ConfigurationError(
                f"The environment variable {env_var} is malformed ({raw!r}).",
                action=f"Set it to a {'whole number' if kind is int else 'number of seconds'} "
                "such as 2, or unset it.",
            )
        overrides[attribute] = value
    return replace(policy, **overrides) if overrides else policy


def _settings_source() -> str:
    """Where the credentials in force came from, for a 401's advice."""
    from providers.client import describe_sources  # noqa: PLC0415 - client never imports calls

    return describe_sources()


def _to_error(exc: Exception, doing: str) -> DescopeApiError:
    if isinstance(exc, AuthException) and str(exc.status_code) == "401":
        current = _current.get()
        return from_sdk_exception(
            exc,
            doing=doing,
            settings_source=_settings_source(),
            recorded_config=current is not None and current.kind in ("read", "delete"),
        )
    return from_sdk_exception(exc, doing=doing)


def backoff_delay(policy: RetryPolicy, attempt: int) -> float:
    """The wait before attempt `attempt + 1` of a repeatable call."""
    return float(policy.backoff * 2 ** (attempt - 1))


@dataclass(frozen=True)
class Wait:
    """A pause before trying a call again, as the user is told of it."""

    doing: str
    reason: Literal["rate limited by Descope", "Descope had a server error", "no answer"]
    seconds: float
    attempt: int
    """The attempt about to be made after the wait (2 for the first retry)."""
    of: int | None
    """The most attempts that will be made, when that is known (5xx retries)."""

    def text(self) -> str:
        """``rate limited by Descope, waiting 12 s (attempt 2 of 5)``"""
        count = f"attempt {self.attempt} of {self.of}" if self.of else f"attempt {self.attempt}"
        seconds = f"{self.seconds:.0f}" if self.seconds >= 1 else f"{self.seconds:.1f}"
        return f"{self.reason}, waiting {seconds} s ({count}) to {self.doing}"


_listeners: list[Callable[[Wait], None]] = []
_listeners_lock = threading.Lock()


@contextmanager
def waits_reported_to(listener: Callable[[Wait], None]) -> Iterator[None]:
    """Tell `listener` of every wait of this process's calls while the block runs (progress
    displays use it; nothing is called for it)."""
    with _listeners_lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _listeners_lock:
            _listeners.remove(listener)


def _pause(wait: Wait) -> None:
    log.info("%s", shown(wait.text()))  # what it waits for may quote Descope's data
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(wait)
    sleep(wait.seconds)


def _retry_after(exc: RateLimitException) -> float:
    """Descope's Retry-After in seconds, 0 when missing or unusable (the SDK gives 0 then)."""
    value = (exc.rate_limit_parameters or {}).get("Retry-After")
    try:
        seconds = float(value or 0)
    except (TypeError, ValueError):
        return 0.0
    return seconds if 0 < seconds < float("inf") else 0.0


def _unparsable(
    exc: json.JSONDecodeError | UnicodeDecodeError,
    doing: str,
    shape: wire.Shape[Any] | None,
    asked: str | None,
) -> AnswerNotUnderstood:
    """A 2xx body the SDK failed to parse, as the call's `AnswerNotUnderstood`."""
    got = (
        wire.excerpt_text(exc.doc)
        if isinstance(exc, json.JSONDecodeError)
        else "a body that is not UTF-8 text"
    )
    if shape is None:
        return AnswerNotUnderstood(doing, call="the call", expected="JSON", excerpt=got)
    return shape.not_understood(doing, got, asked=asked)


def call(
    fn: Callable[[], T],
    *,
    doing: str,
    repeatable: bool,
    shape: wire.Shape[Any] | None = None,
    asked: str | None = None,
) -> T:
    """Run one Descope call, retrying as the module docstring says.

    Rate limits draw on the waiting budget of the operation under way (`operation`), or of this
    call alone outside one. Raises `DescopeApiError` with a message about `doing` when the call
    finally fails; `AnswerNotUnderstood` (naming `shape`'s call and `asked`, the tenant or
    flow id) when the SDK could not parse a success answer.
    """
    policy = current_policy()
    budget = _current.get() or Operation("read")
    attempt = 1
    unhinted = 0
    while True:
        try:
            return fn()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _unparsable(exc, doing, shape, asked) from None
        except RateLimitException as exc:
            retry_after = _retry_after(exc)
            left = policy.max_rate_limit_wait - budget.rate_limit_wait
            if retry_after:
                delay = retry_after
            else:
                unhinted += 1
                delay = policy.min_retry_after * 2 ** (unhinted - 1)
            if delay > left:
                raise errors.rate_limited(
                    doing,
                    asked=retry_after,
                    waited=budget.rate_limit_wait,
                    budget=policy.max_rate_limit_wait,
                    code=str(exc.status_code),
                ) from None
            attempt += 1
            _pause(Wait(doing, "rate limited by Descope", delay, attempt, None))
            budget.rate_limit_wait += delay
        except (AuthException, httpx.HTTPError) as exc:
            error = _to_error(exc, doing)
            if not (repeatable and error.is_retryable and attempt < policy.max_attempts):
                raise error from None
            delay = backoff_delay(policy, attempt)
            reason: Literal["Descope had a server error", "no answer"] = (
                "no answer" if error.status == 0 else "Descope had a server error"
            )
            attempt += 1
            _pause(Wait(doing, reason, delay, attempt, policy.max_attempts))


def ask(
    fn: Callable[[], object],
    shape: wire.Shape[M],
    *,
    doing: str,
    asked: str | None = None,
    repeatable: bool = True,
) -> M:
    """`call` for a call whose answer the SDK parses, the answer read through `shape` (naming
    `asked`, the tenant or flow id, when the shape says it must)."""
    answer = call(fn, doing=doing, repeatable=repeatable, shape=shape, asked=asked)
    return shape.read(answer, doing=doing, asked=asked)


def send(
    fn: Callable[[], Reply],
    shape: wire.Shape[M],
    *,
    doing: str,
    asked: str | None = None,
    repeatable: bool = True,
) -> M:
    """`call` for a write whose answer the SDK ignores: `fn` returns the raw reply
    (`providers.sdk_http.reply_of`), read through `shape`."""
    reply = call(fn, doing=doing, repeatable=repeatable, shape=shape)
    return shape.read_reply(reply, doing=doing, asked=asked)


__all__ = [
    "DEFAULT_POLICY",
    "DescopeApiError",
    "Operation",
    "RetryPolicy",
    "Wait",
    "ask",
    "backoff_delay",
    "call",
    "current_operation",
    "current_policy",
    "operation",
    "send",
    "set_policy",
    "waits_reported_to",
]
