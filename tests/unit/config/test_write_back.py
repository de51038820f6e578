"""Writing ``${name}`` back (`config.variables.template`): the exact inverse of substitution."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.variables import (
    MIN_TEMPLATE_LENGTH,
    parse_assignment,
    substitute,
    template,
    too_short,
)

PROD = {"domainSuffix": "example.com", "appUrl": "https://app.example.com", "environment": "prod"}


def written(text: str, variables: dict[str, str]) -> str:
    data: str = template(text, variables).data
    return data


def test_a_whole_value_becomes_a_reference() -> None:
    assert written("https://app.example.com", PROD) == "${appUrl}"


def test_a_part_of_a_value_becomes_a_reference() -> None:
    assert written("Terms at https://app.example.com/terms", PROD) == "Terms at ${appUrl}/terms"
    assert written("acme.example.com", PROD) == "acme.${domainSuffix}"


def test_the_longest_value_wins_where_two_start_at_the_same_place() -> None:
    staging = {"environment": "staging", "domainSuffix": "staging.example.com"}
    assert written("https://app.staging.example.com/x", staging) == "https://app.${domainSuffix}/x"
    assert written("staging-connector", staging) == "${environment}-connector"


def test_a_value_glued_to_a_letter_or_digit_is_left_alone() -> None:
    assert written("production", PROD) == "production"
    assert written("reprod", PROD) == "reprod"
    assert written("prod2", PROD) == "prod2"
    assert written("prod-connector", PROD) == "${environment}-connector"
    assert written("role_prod", PROD) == "role_${environment}"


def test_values_shorter_than_the_minimum_are_never_written_back() -> None:
    dev = {"environment": "dev", "region": "eu", "zone": "west"}
    assert MIN_TEMPLATE_LENGTH == 4
    assert written("dev eu west", dev) == "dev eu ${zone}"
    assert too_short(dev) == ["environment", "region"]


def test_a_literal_dollar_brace_is_escaped() -> None:
    assert written("Hello ${user.name}", PROD) == "Hello $${user.name}"
    assert written("$${x}", {}) == "$$${x}"


def test_a_value_right_after_a_literal_dollar_stays_as_it_is() -> None:
    braces = {"token": "{abcd}"}
    assert written("${abcd}", braces) == "$${abcd}"
    assert written("$prod", PROD) == "$prod"
    assert written("x{abcd}", braces) == "x${token}"


def test_when_two_variables_share_a_value_the_first_name_is_written() -> None:
    assert written("example.com", {"zone": "example.com", "apex": "example.com"}) == "${apex}"


def test_keys_and_other_values_are_left_alone_and_uses_are_counted() -> None:
    data = {"example.com": ["example.com", 3, True, None, {"k": "a.example.com"}]}
    result = template(data, PROD)
    assert result.data == {
        "example.com": ["${domainSuffix}", 3, True, None, {"k": "a.${domainSuffix}"}]
    }
    assert result.uses == {"domainSuffix": 2}


def test_a_variable_whose_name_cannot_be_written_as_a_reference_is_not_used() -> None:
    assert written("example.com", {"not a name": "example.com"}) == "example.com"


names = st.sampled_from(["a", "b", "domainSuffix", "env", "x.y"])
values = st.text(alphabet="ab.$-{}x1 ", min_size=0, max_size=8)
texts = st.text(alphabet="ab.$-{}x1 é", max_size=40)


@st.composite
def texts_holding_values(draw: st.DrawFn, variables: dict[str, str]) -> str:
    """Text made of the variables' values and of pieces that stress the escaping around them."""
    pieces = st.sampled_from([*variables.values(), "$", "${", "$${", "{", "}", "a", ".", "é"])
    return "".join(draw(st.lists(st.one_of(pieces, texts), max_size=8)))


@given(st.data(), st.dictionaries(names, values, max_size=4))
def test_substituting_what_was_written_back_gives_the_text_again(
    data: st.DataObject, variables: dict[str, str]
) -> None:
    text = data.draw(texts_holding_values(variables))
    document: dict[str, Any] = {"v": text, "l": [text, text + text]}
    back, problems = substitute(template(document, variables).data, variables)
    assert problems == []
    assert back == document


@given(texts)
def test_without_variables_writing_back_only_escapes(text: str) -> None:
    assert written(text, {}) == text.replace("${", "$${")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appUrl=https://x", ("appUrl", "https://x")),
        ("a=b=c", ("a", "b=c")),
        ("empty=", ("empty", "")),
    ],
)
def test_an_assignment_is_a_name_and_a_value(text: str, expected: tuple[str, str]) -> None:
    assert parse_assignment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("appUrl", "is not key=value"), ("=x", "is not key=value"), ("a b=x", "not a variable name")],
)
def test_an_assignment_without_a_usable_name_is_refused(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        parse_assignment(text)
