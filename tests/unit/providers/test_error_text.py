"""What Descope sends or holds reaches the user's terminal escaped (`model.text.shown`): its
error descriptions, the excerpts of answers not understood, the names quoted in messages."""

from __future__ import annotations

import json

import pytest
from descope.exceptions import AuthException

from providers import errors, wire
from providers.errors import AnswerNotUnderstood, DescopeApiError

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b\x7f\u202e"
HOSTILE_SHOWN = "\\x1b]0;pwned\\x07\\x1b[2J\\x9b\\x7f\\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e")


def clean(text: str) -> bool:
    return not any(char in text for char in RAW)


def test_descope_s_error_description_is_escaped_and_kept_as_it_came_in_detail() -> None:
    body = json.dumps({"errorCode": "E011002", "errorDescription": f"Bad name {HOSTILE}"})
    error = errors.from_sdk_exception(
        AuthException(400, "E011002", body), doing='update Descope tenant "acme"'
    )

    assert clean(str(error)), str(error)
    assert f"Bad name {HOSTILE_SHOWN}" in str(error)
    assert HOSTILE in error.detail  # the code reading Descope's words reads them as they came


def test_a_message_built_on_descope_s_answer_is_escaped() -> None:
    cause = DescopeApiError("Unable to create Descope tenant.", f"Descope answered 409: {HOSTILE}")
    error = errors.tenant_name_taken("acme", "Acme", f"old{HOSTILE}", cause)

    assert clean(str(error))
    assert f'tenant "old{HOSTILE_SHOWN}"' in str(error)


@pytest.mark.parametrize(
    "render",
    [
        lambda: wire.excerpt({"id": f"other{HOSTILE}"}),
        lambda: wire.excerpt_text(f"<html>{HOSTILE}</html>"),
        lambda: errors.describe(f"x{HOSTILE}"),
        lambda: errors.snapshot_warning(f'Descope flow "f{HOSTILE}"', "was changed", "b.json"),
    ],
    ids=["excerpt", "excerpt_text", "describe", "snapshot_warning"],
)
def test_renderings_of_descope_s_data_are_escaped(render: object) -> None:
    assert callable(render)
    text = render()
    assert isinstance(text, str)
    assert clean(text)
    assert "0;pwned" in text
    assert "\\x9b\\x7f\\u202e" in text


def test_an_answer_not_understood_quotes_it_escaped() -> None:
    with pytest.raises(AnswerNotUnderstood) as caught:
        wire.TENANT_LOAD.read({"id": f"other{HOSTILE}", "name": "x"}, doing="load", asked="acme")

    assert clean(str(caught.value))
    assert "\\x9b\\x7f\\u202e" in str(caught.value)
