"""A request budget per provider host, below Descope's published rate limits.

Descope limits backend-SDK (management) calls to 1,000 requests per 10 seconds, counted per
IP, and answers past it with 429 and a 10 s backoff (docs.descope.com/rate-limiting). A
refresh of 10,000 tenants through 4 calls in flight can exceed that on a fast link, and every
429 costs the whole backoff. So the host spends at most `DEFAULT_LIMIT` requests in any
`WINDOW_SECONDS` (a sliding window, every attempt counted, resends included): a request over
budget waits until the oldest one in the window is `WINDOW_SECONDS` old. The limit is below
Descope's to leave room for what else shares the IP (another host of the same run, a CI job);
``DESCOPE_CONFIG_REQUESTS_PER_10S`` sets it (a whole number from 1 to 1,000).

One budget per pool (`providers.pool.PooledHttp`), so per client, so per host process.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 10.0
DESCOPE_LIMIT = 1000
"""Descope's published limit of backend-SDK requests per `WINDOW_SECONDS`."""
DEFAULT_LIMIT = 900
"""Requests per window a host spends by default: 90% of `DESCOPE_LIMIT`."""
LIMIT_ENV = "DESCOPE_CONFIG_REQUESTS_PER_10S"


def configured_limit(environ: dict[str, str] | None = None) -> int:
    """The limit `LIMIT_ENV` sets, or `DEFAULT_LIMIT`; a value that is not a whole number from
    1 to `DESCOPE_LIMIT` is refused with a ValueError naming the variable."""
    text = (os.environ if environ is None else environ).get(LIMIT_ENV, "").strip()
    if not text:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= DESCOPE_LIMIT:
        raise ValueError(
            f"{LIMIT_ENV} is {text!r}: set it to a whole number from 1 to {DESCOPE_LIMIT} "
            "(requests per 10 seconds), or unset it for the default of "
            f"{DEFAULT_LIMIT}."
        )
    return int(text)


class RequestBudget:
    """At most `limit` `take`s in any `window` seconds, for any number of threads.

    `clock` and `sleep` are the time source (tests pass a fake one)."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a request budget needs a limit >= 1 and a window > 0")
        self.limit, self.window = limit, window
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0
        """Seconds spent waiting for the budget, all threads together (the bench reads it)."""

    def take(self) -> None:
        """Spend one request, first waiting while `limit` were spent in the last `window`."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                wait = self._sent[0] + self.window - now
                self.waited += wait
            self._sleep(wait)
