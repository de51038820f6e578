"""Injected faults and request counters, both thread-safe.

A :class:`FaultPlan` says what goes wrong; :class:`Faults` applies it request by request,
in this order: drop the connection, add latency, rate limit (429), burst of 503s, burst
of 500s, corrupt answer (the request is served, its answer is cut short). :class:`Counters`
counts every management request and every faulted one.

The plan's JSON form (``POST /emulator/faults``; every key optional, absent = off)::

    {
      "latencyMs": 50,                       # fixed latency on every request
      "latencyRangeMs": [10, 80],            # or random latency, uniform in [min, max]
      "rateLimit": {"limit": 5, "windowSeconds": 10, "retryAfter": 10, "path": null},
      "fail503": {"count": 2, "path": "/v1/mgmt/tenant/create"},
      "fail500": {"count": 1},
      "dropConnections": {"count": 1},
      "corruptAnswers": {"count": 1, "path": "/v1/mgmt/sso/oidc"}
    }

``rateLimit``: once ``limit`` requests were admitted within the last ``windowSeconds``,
answer 429 with ``Retry-After: retryAfter`` (default: the whole seconds until the oldest
admitted request leaves the window, at least 1). Bursts answer the next ``count``
requests (to ``path`` only, when given) and then stop. ``corruptAnswers`` serves the request
(a write is done) and answers 200 with a body cut short, not JSON: the answer a broken proxy
or a connection cut mid-body gives.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator import exceptions as exc

__all__ = [
    "DESCOPE_BACKEND_LIMIT",
    "Burst",
    "Counters",
    "FaultDecision",
    "FaultPlan",
    "Faults",
    "PerClientLimit",
    "RateLimit",
]


MAX_LATENCY_MS = 600_000.0
"""The longest injected latency: ten minutes (a longer sleep is no test of a client)."""
MAX_COUNT = 1_000_000_000.0
"""The largest count, limit, window (seconds) or ``retryAfter`` of a fault plan."""


def _number(
    data: Mapping[str, Any],
    key: str,
    default: float | None = None,
    maximum: float = MAX_COUNT,
) -> float:
    """``data[key]`` (or ``default``): a number from 0 to ``maximum``, else ValueError."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= maximum:
        raise ValueError(f"{key} must be a number from 0 to {maximum:g}")
    return float(value)


def _path(data: Mapping[str, Any]) -> str | None:
    path = data.get("path")
    if path is not None and not isinstance(path, str):
        raise ValueError("path must be a string or null")
    return path


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be an object")
    return value


@dataclass(frozen=True)
class Burst:
    """Answer (or drop) the next ``count`` requests, to ``path`` only when given."""

    count: int
    path: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Burst:
        return cls(int(_number(data, "count")), _path(data))

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "path": self.path}


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per sliding window of ``window_seconds``."""

    limit: int
    window_seconds: float
    retry_after: int | None = None
    path: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RateLimit:
        retry = data.get("retryAfter")
        return cls(
            limit=int(_number(data, "limit")),
            window_seconds=_number(data, "windowSeconds", 60),
            retry_after=None if retry is None else int(_number(data, "retryAfter")),
            path=_path(data),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "windowSeconds": self.window_seconds,
            "retryAfter": self.retry_after,
            "path": self.path,
        }


@dataclass(frozen=True)
class FaultPlan:
    """What goes wrong. The default plan injects nothing."""

    latency_ms: float = 0.0
    latency_range_ms: tuple[float, float] | None = None
    rate_limit: RateLimit | None = None
    fail_503: Burst | None = None
    fail_500: Burst | None = None
    drop_connections: Burst | None = None
    corrupt_answers: Burst | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultPlan:
        """Parse the JSON form; raises ValueError on unknown keys or bad values."""
        known = {
            "latencyMs",
            "latencyRangeMs",
            "rateLimit",
            "fail503",
            "fail500",
            "dropConnections",
            "corruptAnswers",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        latency_range: tuple[float, float] | None = None
        raw_range = data.get("latencyRangeMs")
        if raw_range is not None:
            if not isinstance(raw_range, list) or len(raw_range) != 2:
                raise ValueError("latencyRangeMs must be [min, max]")
            low = _number({"min": raw_range[0]}, "min", maximum=MAX_LATENCY_MS)
            high = _number({"max": raw_range[1]}, "max", maximum=MAX_LATENCY_MS)
            if low > high:
                raise ValueError("latencyRangeMs must be [min, max] with min <= max")
            latency_range = (low, high)
        rate = _object(data, "rateLimit")
        b503 = _object(data, "fail503")
        b500 = _object(data, "fail500")
        drop = _object(data, "dropConnections")
        corrupt = _object(data, "corruptAnswers")
        return cls(
            latency_ms=_number(data, "latencyMs", 0, maximum=MAX_LATENCY_MS),
            latency_range_ms=latency_range,
            rate_limit=None if rate is None else RateLimit.from_json(rate),
            fail_503=None if b503 is None else Burst.from_json(b503),
            fail_500=None if b500 is None else Burst.from_json(b500),
            drop_connections=None if drop is None else Burst.from_json(drop),
            corrupt_answers=None if corrupt is None else Burst.from_json(corrupt),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "latencyMs": self.latency_ms,
            "latencyRangeMs": None
            if self.latency_range_ms is None
            else list(self.latency_range_ms),
            "rateLimit": None if self.rate_limit is None else self.rate_limit.to_json(),
            "fail503": None if self.fail_503 is None else self.fail_503.to_json(),
            "fail500": None if self.fail_500 is None else self.fail_500.to_json(),
            "dropConnections": (
                None if self.drop_connections is None else self.drop_connections.to_json()
            ),
            "corruptAnswers": (
                None if self.corrupt_answers is None else self.corrupt_answers.to_json()
            ),
        }


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request."""

    drop: bool = False
    """Close the connection without answering."""
    latency_seconds: float = 0.0
    """Sleep this long before answering."""
    error: exc.DescopeApiError | None = None
    """Answer this error instead of serving the request."""
    kind: str | None = None
    """``"drop"``, ``"429"``, ``"503"``, ``"500"`` or ``"corrupt"`` when a fault answers the
    request."""
    corrupt: bool = False
    """Serve the request, then answer 200 with a body cut short."""


class Faults:
    """Applies a :class:`FaultPlan`, keeping the bursts' remaining counts and the rate window."""

    def __init__(
        self,
        plan: FaultPlan | None = None,
        *,
        now: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._now = now
        self._rng = rng or random.Random()
        self.set_plan(plan or FaultPlan())

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def set_plan(self, plan: FaultPlan) -> None:
        """Replace the plan and restart its bursts and rate window."""
        with self._lock:
            self._plan = plan
            self._remaining = {
                "drop": plan.drop_connections.count if plan.drop_connections else 0,
                "503": plan.fail_503.count if plan.fail_503 else 0,
                "500": plan.fail_500.count if plan.fail_500 else 0,
                "corrupt": plan.corrupt_answers.count if plan.corrupt_answers else 0,
            }
            self._admitted: deque[float] = deque()

    def clear(self) -> None:
        """No faults."""
        self.set_plan(FaultPlan())

    def to_json(self) -> dict[str, Any]:
        """The plan plus what is left of each burst."""
        with self._lock:
            return {**self._plan.to_json(), "remaining": dict(self._remaining)}

    def decide(self, path: str) -> FaultDecision:
        """The fault (if any) for one request to ``path``; consumes burst counts."""
        with self._lock:
            plan = self._plan
            if self._take("drop", plan.drop_connections, path):
                return FaultDecision(drop=True, kind="drop")
            latency = plan.latency_ms / 1000
            if plan.latency_range_ms is not None:
                low, high = plan.latency_range_ms
                latency = self._rng.uniform(low, high) / 1000
            limited = self._rate_limited(plan.rate_limit, path)
            if limited is not None:
                return FaultDecision(latency_seconds=latency, error=limited, kind="429")
            if self._take("503", plan.fail_503, path):
                return FaultDecision(
                    latency_seconds=latency, error=exc.service_unavailable(), kind="503"
                )
            if self._take("500", plan.fail_500, path):
                return FaultDecision(
                    latency_seconds=latency, error=exc.unknown_server_error(), kind="500"
                )
            if self._take("corrupt", plan.corrupt_answers, path):
                return FaultDecision(latency_seconds=latency, corrupt=True, kind="corrupt")
            return FaultDecision(latency_seconds=latency)

    def _take(self, kind: str, burst: Burst | None, path: str) -> bool:
        if burst is None or self._remaining[kind] <= 0:
            return False
        if burst.path is not None and burst.path != path:
            return False
        self._remaining[kind] -= 1
        return True

    def _rate_limited(self, rule: RateLimit | None, path: str) -> exc.DescopeApiError | None:
        if rule is None or (rule.path is not None and rule.path != path):
            return None
        now = self._now()
        while self._admitted and self._admitted[0] <= now - rule.window_seconds:
            self._admitted.popleft()
        if len(self._admitted) < rule.limit:
            self._admitted.append(now)
            return None
        retry = rule.retry_after
        if retry is None:
            oldest = self._admitted[0] if self._admitted else now
            retry = max(1, math.ceil(oldest + rule.window_seconds - now))
        return exc.rate_limited(retry)


DESCOPE_BACKEND_LIMIT = RateLimit(limit=1000, window_seconds=10, retry_after=10)
"""Descope's published limit of backend-SDK calls: 1,000 per 10 s per IP, then a 10 s backoff
(docs.descope.com/rate-limiting)."""


class PerClientLimit:
    """A :class:`RateLimit` per client address, as Descope counts its limits per IP.

    A client that sent ``rule.limit`` admitted requests within the last ``rule.window_seconds``
    is refused (429, ``Retry-After``) for a backoff of ``rule.retry_after`` seconds (default: the
    window) from its first refused request; refused requests are not admitted, so they do not
    lengthen the window. Only the server applies it (the in-process transport has no client
    address); admin routes are never limited. ``busiest`` is the most requests any client had
    admitted within one window: how close a run came to the limit.
    """

    def __init__(self, rule: RateLimit, *, now: Callable[[], float] = time.monotonic) -> None:
        self.rule = rule
        self._now = now
        self._lock = threading.Lock()
        self._admitted: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self.refused = 0
        self.busiest = 0

    def admit(self, client: str) -> exc.DescopeApiError | None:
        """None when `client` may send one more request now (it is counted), else the 429."""
        rule = self.rule
        backoff = rule.window_seconds if rule.retry_after is None else rule.retry_after
        with self._lock:
            now = self._now()
            until = self._blocked_until.get(client, 0.0)
            admitted = self._admitted.setdefault(client, deque())
            while admitted and admitted[0] <= now - rule.window_seconds:
                admitted.popleft()
            if until <= now and len(admitted) < rule.limit:
                admitted.append(now)
                self.busiest = max(self.busiest, len(admitted))
                return None
            if until <= now:
                until = self._blocked_until[client] = now + backoff
            self.refused += 1
            return exc.rate_limited(max(1, math.ceil(until - now)))

    def to_json(self) -> dict[str, Any]:
        """The rule, the requests refused and the busiest window so far."""
        with self._lock:
            return {**self.rule.to_json(), "refused": self.refused, "busiest": self.busiest}


@dataclass
class _Tallies:
    requests: Counter[str] = field(default_factory=Counter)
    faulted: Counter[str] = field(default_factory=Counter)
    faults_by_kind: Counter[str] = field(default_factory=Counter)
    license_headers: Counter[str] = field(default_factory=Counter)


class Counters:
    """Per-endpoint counts of management requests, keyed ``"POST /v1/mgmt/tenant/create"``.

    Snapshot format (``GET /emulator/counters``)::

        {"requests": {"POST /v1/mgmt/tenant/create": 3, ...},   # every request received
         "faulted": {"POST /v1/mgmt/tenant/create": 1, ...},    # answered (or dropped) by a fault
         "faultsByKind": {"503": 1},                    # drop, 429, 503, 500, corrupt
         "licenseHeaders": {"none": 1, "tier4": 2},            # x-descope-license seen
         "total": 3, "totalFaulted": 1}
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._t = _Tallies()

    @staticmethod
    def key(method: str, path: str) -> str:
        return f"{method.upper()} {path}"

    def record(self, method: str, path: str, license_tier: str | None) -> None:
        """Count one request received."""
        with self._lock:
            self._t.requests[self.key(method, path)] += 1
            self._t.license_headers[license_tier or "none"] += 1

    def record_fault(self, method: str, path: str, kind: str) -> None:
        """Count one request answered by a fault."""
        with self._lock:
            self._t.faulted[self.key(method, path)] += 1
            self._t.faults_by_kind[kind] += 1

    def requests(self, method: str, path: str) -> int:
        with self._lock:
            return self._t.requests[self.key(method, path)]

    def faulted(self, method: str, path: str) -> int:
        with self._lock:
            return self._t.faulted[self.key(method, path)]

    def reset(self) -> None:
        with self._lock:
            self._t = _Tallies()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            t = self._t
            return {
                "requests": dict(t.requests),
                "faulted": dict(t.faulted),
                "faultsByKind": dict(t.faults_by_kind),
                "licenseHeaders": dict(t.license_headers),
                "total": sum(t.requests.values()),
                "totalFaulted": sum(t.faulted.values()),
            }
