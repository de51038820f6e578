"""`providers.calls.operation` takes the engine's resumed-create marker out of a create's
properties and keeps its time for the provider (`Operation.resumed_since`)."""

from __future__ import annotations

from typing import Any

import pytest

from providers import calls
from providers.calls import RESUMED_CREATE_KEY


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[dict[str, Any], float | None]] = []

    def _record(self, props: dict[str, Any]) -> None:
        operation = calls.current_operation()
        assert operation is not None
        self.seen.append((props, operation.resumed_since))

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> None:
        self._record(props)

    @calls.operation("update")
    def update(self, props: dict[str, Any]) -> None:
        self._record(props)


@pytest.mark.parametrize(
    ("marker", "since"), [(1234.5, 1234.5), (42, 42.0), (True, None), ("soon", None)]
)
def test_a_create_is_handed_its_properties_without_the_marker(
    marker: object, since: float | None
) -> None:
    provider = Recorder()
    provider.create({"tenantId": "a", RESUMED_CREATE_KEY: marker})
    assert provider.seen == [({"tenantId": "a"}, since)]


def test_a_create_without_the_marker_is_not_resumed() -> None:
    provider = Recorder()
    provider.create({"tenantId": "a"})
    assert provider.seen == [({"tenantId": "a"}, None)]


def test_only_a_create_takes_the_marker_out() -> None:
    provider = Recorder()
    provider.update({RESUMED_CREATE_KEY: 1.0})
    assert provider.seen == [({RESUMED_CREATE_KEY: 1.0}, None)]
