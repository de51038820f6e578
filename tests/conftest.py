"""Suite-wide fixtures."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

pytest_plugins = ["pytester", "tests.support.plugin"]

# Scenarios assert in shared modules: have pytest explain their failures as in test files.
pytest.register_assert_rewrite("tests.support.scenarios")


@pytest.fixture(autouse=True)
def _keep_tracebacks() -> Iterator[None]:
    """A provider's `configure` turns Python tracebacks off (meant for the provider host);
    give the test process its tracebacks back after each test."""
    before = getattr(sys, "tracebacklimit", None)
    yield
    if before is None:
        if hasattr(sys, "tracebacklimit"):
            del sys.tracebacklimit
    else:
        sys.tracebacklimit = before
