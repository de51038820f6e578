"""`model.access_keys`: one access key's rules and a tenant's list of them."""

from __future__ import annotations

from typing import Any

import pytest

from model import access_keys
from model.access_keys import AccessKeySpec, access_keys_problems, expire_time_problem

NOW = 1_800_000_000


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_keys, "clock", lambda: NOW)


def messages(data: Any) -> dict[tuple[str | int, ...], str]:
    return {p.path: p.message for p in access_keys_problems(data)}


def test_canonical__every_key_present_sets_sorted_and_floats_made_whole() -> None:
    spec = AccessKeySpec.model_validate(
        {
            "name": "ci",
            "roles": ["b", "a"],
            "permittedIps": ["203.0.113.7", "10.0.0.0/8"],
            "expireTime": float(NOW + 1),
            "rotation": 3.0,
        }
    )

    assert spec.canonical() == {
        "name": "ci",
        "description": "",
        "roles": ["a", "b"],
        "expireTime": NOW + 1,
        "permittedIps": ["10.0.0.0/8", "203.0.113.7"],
        "disabled": False,
        "rotation": 3,
        "adopt": False,
    }


@pytest.mark.parametrize(
    ("entry", "path", "words"),
    [
        ({"name": " ci"}, (0, "name"), "leading or trailing spaces"),
        ({"name": "c\u200bi"}, (0, "name"), "\\u200b"),
        ({"name": "ci", "description": "x" * 255}, (0, "description"), "254"),
        ({"name": "ci", "expireTime": NOW}, (0, "expireTime"), "is in the past"),
        ({"name": "ci", "expireTime": -1}, (0, "expireTime"), "greater than or equal to 0"),
        ({"name": "ci", "expireTime": "soon"}, (0, "expireTime"), "whole number"),
        ({"name": "ci", "permittedIps": ["::1/64"]}, (0, "permittedIps", 0), 'network "::/64"'),
        ({"name": "ci", "permittedIps": ["1.2.3"]}, (0, "permittedIps", 0), "not an IP"),
        ({"name": "ci", "permittedIps": ["::1", "::1"]}, (0, "permittedIps"), "more than once"),
        ({"name": "ci", "rotation": False}, (0, "rotation"), "whole number or a word"),
        ({"name": "ci", "rotation": " "}, (0, "rotation"), "must not be empty"),
        ({"name": "ci", "rotation": "v\n2"}, (0, "rotation"), "LINE FEED"),
        ({"name": "ci", "disabled": "yes"}, (0, "disabled"), "true or false"),
        ({"name": "ci", "secret": "x"}, (0, "secret"), 'unknown key "secret"'),
    ],
)
def test_one_problem_per_bad_field(
    entry: dict[str, Any], path: tuple[Any, ...], words: str
) -> None:
    found = messages([entry])

    assert path in found, found
    assert words in found[path]


def test_valid_values_pass() -> None:
    assert not access_keys_problems(
        [
            {"name": "a", "expireTime": 0, "permittedIps": ["2001:db8::/32", "192.0.2.1"]},
            {"name": "b", "expireTime": NOW + 60, "rotation": "2026-q1", "disabled": True},
        ]
    )


def test_names_are_unique_within_the_list_also_by_case() -> None:
    found = messages([{"name": "ci"}, {"name": "ci"}, {"name": "CI"}, {"name": 3}])

    assert "is also the name of the key declared at accessKeys[0]" in found[(1, "name")]
    assert 'differs only in case from "ci"' in found[(2, "name")]
    assert (3, "name") in found  # not text: the model says so, once


def test_expire_time_problem__zero_and_the_future_are_fine() -> None:
    assert expire_time_problem(0) is None
    assert expire_time_problem(NOW + 1) is None
    assert "2027-01-15 08:00:00 UTC" in str(expire_time_problem(NOW))
