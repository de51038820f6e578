"""Every provider unit test starts, and leaves, with a new process's listings (tenants, roles,
permissions)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers import listing, permission, role


@pytest.fixture(autouse=True)
def _fresh_listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(listing.MAX_AGE_ENV, raising=False)
    every = (listing.listing, role.roles, permission.permissions)
    for shared in every:
        shared.reset()
    yield
    for shared in every:
        shared.reset()
