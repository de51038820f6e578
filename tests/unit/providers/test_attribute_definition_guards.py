"""The attribute definition provider's guards around its read-modify-write of the project
configuration: a configuration that changes between reads, a write that changed another
section, an answer that does not fit, and where a model problem is reported."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from providers import attribute_calls, calls, client
from providers import attribute_definition as module
from providers.answers.attribute_definition import entry
from providers.errors import AnswerNotUnderstood, DescopeProviderError

SEATS = {"name": "seats", "displayName": "Seats", "type": "number", "options": []}


def fake(monkeypatch: pytest.MonkeyPatch, reads: list[dict[str, Any]], answer: Any = None) -> None:
    """`load` answers `reads` in turn; the PUT does nothing."""
    monkeypatch.setattr(attribute_calls, "load", lambda doing: reads.pop(0))
    monkeypatch.setattr(client, "current_settings", lambda: SimpleNamespace(project_id="P1"))
    monkeypatch.setattr(client, "management", lambda: None)
    monkeypatch.setattr(calls, "call", lambda fn, **kwargs: answer)


def add_seats(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*entries, entry(SEATS, None)]


@pytest.mark.parametrize(
    ("reads", "wording"),
    [
        ([{"name": "a"}, {"name": "b"}], "changed while it was being read"),
        (
            [{"name": "a"}, {"name": "a"}, {"name": "b", "attributes": {"tenant": [SEATS]}}],
            "not the one written",
        ),
    ],
)
def test_rewrite__refuses_a_change_in_between_and_a_write_that_changed_more(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reads: list[dict[str, Any]], wording: str
) -> None:
    fake(monkeypatch, reads)
    with pytest.raises(DescopeProviderError, match=wording):
        attribute_calls.rewrite(add_seats, doing="create x", subject="x", reason="overwrite",
                       backup_dir=str(tmp_path))  # fmt: skip
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_load__an_answer_without_data_is_not_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "current_settings", lambda: SimpleNamespace(project_id="P1"))
    monkeypatch.setattr(client, "management", lambda: None)
    monkeypatch.setattr(calls, "call", lambda fn, **kwargs: {"data": {"attributes": 3}})
    with pytest.raises(AnswerNotUnderstood, match="Nothing was changed"):
        attribute_calls.load("read x")


def test_check__a_bad_option_is_reported_on_options() -> None:
    result = module.AttributeDefinitionProvider().check(
        {}, {"name": "plan", "type": "singleselect", "displayName": "Plan", "options": [""]}
    )
    assert [f.property for f in result.failures] == ["options"]
    assert attribute_calls.credential_paths({"x": [{"apiKey": ""}], "tokenUnit": "days"}) == []
