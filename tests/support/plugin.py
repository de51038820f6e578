"""The suite's pytest plugin (registered in tests/conftest.py): the fixtures every kind of test
shares.

- the emulated projects' fixtures (`tests.support.emulated`, registered here): `emulator`,
  `descope`, `stack_config`, `host`, each directory's from the project its conftest declares.
- `_forked_provider_hosts` (session, automatic): provider hosts are forked from a pre-imported
  parent (`tests.support.zygote`) instead of started from scratch; each command still gets a
  host process of its own.
- the suite's summary lines (fault injection, bad-input cases), added up over the xdist
  workers (each sends its tallies at the end) and printed last, below the coverage table;
  one fault seed for every worker.
- the run's processes trust one certificate made for the run, not the public CA bundle
  (`tests.support.trust`: loading that bundle was a quarter of the suite's CPU).
- `recorded_sleeps`: the waits of the providers' retries (`providers.calls.sleep`) in this
  process are recorded instead of slept, and the emulator's clock (its rate-limit window)
  moves on by each of them, so Descope answers as it would after a real wait.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pytest

from emulator.faults import Faults
from emulator.server import EmulatorServer
from providers import calls
from standin.host import HOST_GUARD, ProviderHost
from tests.faults.scenario import TALLY
from tests.properties.conftest import CASES
from tests.support.trust import Trust, trust_one_certificate
from tests.support.zygote import ZygoteLauncher

pytest_plugins = ["tests.support.emulated"]

FAULT_SEED_ENV = "FAULT_SEED"


TRUST = pytest.StashKey[Trust]()


def pytest_configure(config: pytest.Config) -> None:
    """In the run's first process (workers inherit its environment): one fault seed for the
    whole run, ``FAULT_SEED`` or a random one; one certificate trusted (`tests.support.trust`)."""
    if hasattr(config, "workerinput"):
        return
    if not os.environ.get(FAULT_SEED_ENV, "").strip():
        os.environ[FAULT_SEED_ENV] = str(random.SystemRandom().randrange(1, 2**31))
    config.stash[TRUST] = trust_one_certificate()


def pytest_unconfigure(config: pytest.Config) -> None:
    trust = config.stash.get(TRUST, None)
    if trust is not None:
        trust.undo()


SILENT_WORKERS: list[str] = []
"""Workers that finished without sending their tallies (their `pytest_sessionfinish` failed)."""


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker sends its tallies to the controller (`pytest_testnodedown`).

    The fault tally's fields are sent as they are, not through `dataclasses.asdict`: that
    rebuilds the `faults` Counter from its (kind, count) pairs, so counts the pairs, and JSON
    cannot encode those tuple keys; the error came after xdist had already reported the worker
    finished, so every tally of that worker was lost without a word."""
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:
        faults = {field_.name: getattr(TALLY, field_.name) for field_ in fields(TALLY)}
        output["tallies"] = json.dumps({"faults": faults, "cases": CASES})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller adds up a finished worker's tallies, or notes that it sent none."""
    sent = getattr(node, "workeroutput", {}).get("tallies")
    if not sent:
        if error is None:  # a crashed worker is reported by xdist itself
            SILENT_WORKERS.append(str(node.workerinput.get("workerid", "?")))
        return
    tallies = json.loads(sent)
    CASES.update(tallies["cases"])
    for name, value in tallies["faults"].items():
        if name == "plans":
            TALLY.plans.extend(value)
        elif name == "faults":
            TALLY.faults.update(value)
        else:
            setattr(TALLY, name, getattr(TALLY, name) + value)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The suite's summary lines, after every other plugin's summary and just before pytest's
    short test summary. Last on purpose: pluggy calls a plugin registered later (this one,
    from a conftest) before those registered earlier (pytest-cov), which put the lines above
    the coverage table, a screenful and more from the end of a ``--cov`` run."""
    seed = os.environ.get(FAULT_SEED_ENV, "")
    if SILENT_WORKERS:
        terminalreporter.write_line(
            f"summary tallies missing from {', '.join(SILENT_WORKERS)} (its pytest_sessionfinish "
            "failed): the lines below count the other workers' tests only",
            red=True,
        )
    if CASES:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(CASES.items()))
        total = sum(n for kind, n in CASES.items() if kind.endswith(" cases"))
        terminalreporter.write_line(f"bad-input property cases run: {total} ({kinds})")
    if TALLY.garbled_cases:
        terminalreporter.write_line(
            f"garbled answers: {TALLY.garbled_cases} cases, {TALLY.garbled_answers} answers "
            f"garbled, {TALLY.snapshots_checked} changes of Descope's content found in a "
            "snapshot, nothing lost"
        )
    if TALLY.kills:
        terminalreporter.write_line(
            f"killed host (seed {seed}): {TALLY.kills} provider hosts killed with SIGKILL, "
            f"{TALLY.kill_reruns} reruns converged at once, no adopt needed"
        )
    if not TALLY.runs:
        return
    faults = ", ".join(f"{kind} x{n}" for kind, n in sorted(TALLY.faults.items())) or "none"
    plan_kinds = Counter(TALLY.plans)
    terminalreporter.write_line(
        f"fault injection (seed {seed}): {TALLY.runs} runs ({dict(plan_kinds)}), "
        f"{TALLY.operations} provider operations, {TALLY.failed_operations} failed under "
        f"faults and repeated, {TALLY.rounds} rounds, faults injected: {faults}"
    )


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
