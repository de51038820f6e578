"""Every provider unit test starts, and leaves, with a new process's tenant listing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers import listing


@pytest.fixture(autouse=True)
def _fresh_tenant_listing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(listing.MAX_AGE_ENV, raising=False)
    listing.listing.reset()
    yield
    listing.listing.reset()
