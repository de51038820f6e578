"""Counts the generated cases the property tests ran, for a summary line at the end."""

from __future__ import annotations

from collections import Counter

import pytest

CASES: Counter[str] = Counter()
"""Cases run per kind of input, and how they ended (``accepted`` / ``rejected``)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(CASES.items()))
    total = sum(n for kind, n in CASES.items() if kind.endswith(" cases"))
    terminalreporter.write_line(f"bad-input property cases run: {total} ({kinds})")
