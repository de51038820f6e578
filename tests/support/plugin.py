"""The suite's pytest plugin (registered in tests/conftest.py): the fixtures every kind of test
shares.

- `_forked_provider_hosts` (session, automatic): provider hosts are forked from a pre-imported
  parent (`tests.support.zygote`) instead of started from scratch; each command still gets a
  host process of its own.
- `recorded_sleeps`: the waits of the providers' retries (`providers.calls.sleep`) in this
  process are recorded instead of slept, and the emulator's clock (its rate-limit window)
  moves on by each of them, so Descope answers as it would after a real wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from emulator.faults import Faults
from emulator.server import EmulatorServer
from ops.host import HOST_GUARD, ProviderHost
from providers import calls
from tests.support.zygote import ZygoteLauncher


@pytest.fixture(scope="session", autouse=True)
def _forked_provider_hosts() -> Iterator[None]:
    """Every provider host the session starts in this process is forked from a zygote."""
    launcher, before = ZygoteLauncher(HOST_GUARD), ProviderHost.launcher
    ProviderHost.launcher = launcher
    try:
        yield
    finally:
        ProviderHost.launcher = before
        launcher.close()


@dataclass
class RecordedSleeps:
    """A clock whose `sleep` records the wait and moves the clock on at once."""

    seconds: list[float] = field(default_factory=list)
    """Every wait asked for, in order."""
    offset: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        with self._lock:
            return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.seconds.append(seconds)
            self.offset += seconds


@pytest.fixture
def recorded_sleeps(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> RecordedSleeps:
    """The retries' waits recorded, not slept; the emulator's faults timed by the same clock."""
    clock = RecordedSleeps()
    monkeypatch.setattr(calls, "sleep", clock.sleep)
    monkeypatch.setattr(emulator.app, "faults", Faults(now=clock.now))
    return clock
