"""Counts the generated cases the property tests ran; the suite's plugin
(`tests.support.plugin`) prints them in a summary line at the end."""

from __future__ import annotations

from collections import Counter

CASES: Counter[str] = Counter()
"""Cases run per kind of input, and how they ended (``accepted`` / ``rejected``)."""
