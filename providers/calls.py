"""Calling Descope: retries for rate limits and transient failures, errors in the user's words.

Rate-limited calls (429) are always retried, honouring ``Retry-After``, because Descope did not
act on them; the total wait is bounded. 5xx answers and network failures are retried with
exponential backoff only for calls that are safe to repeat (reads, full-state writes), since a
create that failed half-way may have happened. Everything else raises at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from descope.exceptions import AuthException, RateLimitException

from providers.errors import DescopeApiError, from_sdk_exception

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to try again."""

    max_rate_limit_wait: float = 120.0
    """Seconds spent waiting on 429s in one call before giving up."""
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
    global _policy  # noqa: PLW0603
    with _policy_lock:
        previous, _policy = _policy, policy
    return previous


def call(fn: Callable[[], T], *, doing: str, repeatable: bool) -> T:
    """Run one Descope call, retrying as the module docstring says.

    Raises `DescopeApiError` with a message about `doing` when the call finally fails.
    """
    policy = _policy
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
            error = from_sdk_exception(exc, doing=doing)
            if not (repeatable and error.is_retryable and attempt < policy.max_attempts):
                raise error from None
            delay = policy.backoff * 2 ** (attempt - 1)
            log.info("Retrying %s in %.1f s after: %s", doing, delay, error.detail)
            sleep(delay)
            attempt += 1


__all__ = ["DEFAULT_POLICY", "DescopeApiError", "RetryPolicy", "call", "set_policy"]
