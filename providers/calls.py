"""Calling Descope: retries for rate limits and transient failures, errors in the user's words.

Rate-limited calls (429) are always retried, honouring ``Retry-After``, because Descope did not
act on them; the total wait is bounded. 5xx answers and network failures are retried with
exponential backoff only for calls that are safe to repeat (reads, full-state writes), since a
create that failed half-way may have happened. Everything else raises at once.

The timing can be tuned per process with environment variables, read at every call (the
provider host runs in its own process, so tests and impatient users set these instead of
calling `set_policy`):

- ``DESCOPE_CONFIG_RETRY_BACKOFF``: first backoff in seconds for 5xx/network retries (0.5);
- ``DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT``: seconds one call may spend waiting on 429s (60);
- ``DESCOPE_CONFIG_MAX_ATTEMPTS``: attempts for repeatable calls failing with 5xx (4).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal, ParamSpec, TypeVar

import httpx
from descope.exceptions import AuthException, RateLimitException

from providers.errors import ConfigurationError, DescopeApiError, from_sdk_exception

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger(__name__)

Kind = Literal["create", "read", "update", "delete"]


@dataclass
class Operation:
    """One provider operation under way in this thread: what it is, and what it has spent."""

    kind: Kind
    rate_limit_wait: float = 0.0
    """Seconds spent waiting on 429s so far, by all of the operation's calls together."""


_current: ContextVar[Operation | None] = ContextVar("descope_operation", default=None)


def operation(kind: Kind) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Mark a provider method as one operation: its calls share one rate-limit budget, and
    errors are worded for it (a 401 during a read or delete mentions refresh and destroy)."""

    def decorate(method: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(method)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if _current.get() is not None:
                return method(*args, **kwargs)
            token = _current.set(Operation(kind))
            try:
                return method(*args, **kwargs)
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
    """Seconds spent waiting on 429s in one call before giving up: one full minute, Descope's
    published backoff, and short enough that an operation of a few calls stays well inside the
    ~180 s after which the provider host has been seen to hang (pulumi/pulumi#13841)."""
    max_attempts: int = 4
    """Attempts for repeatable calls failing with 5xx or network errors."""
    backoff: float = 0.5
    """First backoff in seconds; doubles each attempt."""
    min_retry_after: float = 1.0
    """Wait at least this long on a 429 whose Retry-After is missing or zero."""


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


def call(fn: Callable[[], T], *, doing: str, repeatable: bool) -> T:
    """Run one Descope call, retrying as the module docstring says.

    Raises `DescopeApiError` with a message about `doing` when the call finally fails.
    """
    policy = current_policy()
    waited = 0.0
    attempt = 1
    while True:
        try:
            return fn()
        except RateLimitException as exc:
            retry_after = float((exc.rate_limit_parameters or {}).get("Retry-After") or 0)
            delay = max(retry_after, policy.min_retry_after)
            if waited + delay > policy.max_rate_limit_wait:
                raise from_sdk_exception(exc, doing=doing) from None
            log.info("Descope rate limited %s; retrying in %.0f s", doing, delay)
            sleep(delay)
            waited += delay
        except (AuthException, httpx.HTTPError) as exc:
            error = _to_error(exc, doing)
            if not (repeatable and error.is_retryable and attempt < policy.max_attempts):
                raise error from None
            delay = backoff_delay(policy, attempt)
            log.info("Retrying %s in %.1f s after: %s", doing, delay, error.detail)
            sleep(delay)
            attempt += 1


__all__ = [
    "DEFAULT_POLICY",
    "DescopeApiError",
    "RetryPolicy",
    "backoff_delay",
    "call",
    "current_policy",
    "set_policy",
]
