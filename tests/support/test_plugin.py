"""The suite plugin's summary lines (`tests.support.plugin`), in a pytest run of their own
(pytest's `pytester`): counted in one process (``-n 0``) and added up over xdist workers
(``-n 2``), each line printed once, after the other plugins' summaries and before pytest's
short test summary.

The inner run is in this process (its xdist workers are processes of their own), so the
tallies it counts and adds up are fresh ones, put in place of the suite's for the test: the
suite's own summary lines are left as they were.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from xdist import workermanage  # type: ignore[import-untyped]

from tests.faults import scenario
from tests.faults.scenario import Tally
from tests.properties import conftest as properties
from tests.support import plugin
from tests.support.zygote import SUITE_ROOT

CONFTEST = """
import pytest

pytest_plugins = ["tests.support.plugin"]


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("another plugin's summary")
"""
"""The inner run's conftest: the suite plugin, registered after a summary of its own (as
pytest-cov's is)."""

TESTS = """
import pytest

from tests.faults.scenario import TALLY
from tests.properties.conftest import CASES


@pytest.mark.parametrize("n", range(3))
def test_counts(n):
    CASES["sample cases"] += 1
    CASES["sample rejected"] += 1
    TALLY.runs += 1
    TALLY.plans.append("429")
    TALLY.faults["503"] += 2
    TALLY.operations += 5
    TALLY.rounds += 1
    TALLY.garbled_cases += 1
    TALLY.garbled_answers += 1
    TALLY.kills += 1
    TALLY.kill_reruns += 1


def test_skipped():
    pytest.skip("a line in the short test summary")
"""


@pytest.mark.parametrize(
    ("args", "runs"),
    [
        pytest.param(["-n", "0"], 3, id="one-process"),
        pytest.param(["-n", "2", "--dist", "each"], 6, id="two-workers"),
    ],
)
def test_summary_lines_add_up_over_workers_and_come_last(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], runs: int
) -> None:
    tally, cases = Tally(), Counter[str]()
    for module in (scenario, plugin):
        monkeypatch.setattr(module, "TALLY", tally)
    for module in (properties, plugin):
        monkeypatch.setattr(module, "CASES", cases)
    # the workers import the suite's packages: xdist starts them with the sys.path this
    # process had when it started (`xdist.workermanage._sys_path`), which holds the suite's
    # root only when PYTHONPATH named it then
    monkeypatch.setattr(workermanage, "_sys_path", [str(SUITE_ROOT), *workermanage._sys_path])
    monkeypatch.setenv(plugin.FAULT_SEED_ENV, "1234")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_counts=TESTS)

    result = pytester.runpytest(*args, "-p", "no:cacheprovider", "-p", "no:cov", "-ra")

    result.assert_outcomes(passed=runs, skipped=runs // 3)
    lines = [
        f"bad-input property cases run: {runs} (sample cases: {runs}, sample rejected: {runs})",
        f"garbled answers: {runs} cases, {runs} answers garbled, 0 changes of Descope's content "
        "found in a snapshot, nothing lost",
        f"killed host (seed 1234): {runs} provider hosts killed with SIGKILL, {runs} reruns "
        "converged at once, no adopt needed",
        f"fault injection (seed 1234): {runs} runs ({{'429': {runs}}}), {5 * runs} provider "
        f"operations, 0 failed under faults and repeated, {runs} rounds, faults injected: "
        f"503 x{2 * runs}",
    ]
    output = result.stdout.lines
    for line in lines:
        assert output.count(line) == 1, f"{line!r} printed {output.count(line)} times"
    result.stdout.fnmatch_lines(
        ["another plugin's summary", *lines, "*short test summary info*"], consecutive=True
    )


def test_a_worker_that_sent_no_tallies_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    silent: list[str] = []
    monkeypatch.setattr(plugin, "SILENT_WORKERS", silent)
    finished = SimpleNamespace(workeroutput={"exitstatus": 0}, workerinput={"workerid": "gw1"})
    crashed = SimpleNamespace(workerinput={"workerid": "gw0"})

    plugin.pytest_testnodedown(finished, None)
    plugin.pytest_testnodedown(crashed, "worker 'gw0' crashed")

    assert silent == ["gw1"]
