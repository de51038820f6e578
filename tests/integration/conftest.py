"""Fixtures of the tests against a real Descope project (see `tests.integration.real`)."""

from __future__ import annotations

import pytest

from tests.integration.real import unique_prefix


@pytest.fixture
def prefix() -> str:
    """This test's prefix for everything it makes in the project."""
    return unique_prefix()
