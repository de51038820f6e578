"""The suite's pytest plugin (registered in tests/conftest.py): the fixtures every kind of test
shares.

- `_forked_provider_hosts` (session, automatic): provider hosts are forked from a pre-imported
  parent (`tests.support.zygote`) instead of started from scratch; each command still gets a
  host process of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ops.host import HOST_GUARD, ProviderHost
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
