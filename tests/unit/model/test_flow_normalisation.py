"""Normalisation and hashing of flow exports and themes, as properties over generated content."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import string
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime import rpc

from model.flow import (
    FLOW_VOLATILE_KEYS,
    SCREEN_DERIVED_KEYS,
    SCREEN_VOLATILE_KEYS,
    canonical_json,
    content_hash,
    flow_export_problems,
    normalise_flow_export,
    normalise_theme,
    theme_problems,
    unwrap_theme_export,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "flows" / "sign-up-or-in.json"
IGNORED_FLOW_KEYS = FLOW_VOLATILE_KEYS
IGNORED_SCREEN_KEYS = SCREEN_VOLATILE_KEYS | SCREEN_DERIVED_KEYS
RESERVED = IGNORED_FLOW_KEYS | IGNORED_SCREEN_KEYS | {"id"}

# What UTF-8 encodes: every character but the surrogates. Said so rather than with
# ``codec="utf-8"``, which has hypothesis try every character against the codec (seconds).
keys = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)
content_keys = keys.filter(lambda k: k not in RESERVED)
flow_ids = st.from_regex(
    r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,20}\Z", alphabet=string.ascii_letters + string.digits + "._-"
)


@st.composite
def flow_exports(draw: st.DrawFn) -> dict[str, Any]:
    """A valid flow export with arbitrary content and arbitrary volatile fields."""
    flow_id = draw(flow_ids)
    flow = draw(st.dictionaries(content_keys, json_values, max_size=5))
    flow["id"] = flow_id
    flow["version"] = draw(st.integers(0, 1000))
    flow["etag"] = draw(st.text(max_size=8))
    flow["modifiedTime"] = str(draw(st.integers(0, 2**40)))
    screen_ids = draw(st.lists(flow_ids, unique=True, max_size=4))
    screens = []
    for screen_id in screen_ids:
        screen = draw(st.dictionaries(content_keys, json_values, max_size=3))
        screen.update(id=screen_id, version=draw(st.integers(0, 50)), flowId=flow_id)
        screens.append(screen)
    return {"flow": flow, "screens": screens}


def pulumi_round_trip(value: dict[str, Any]) -> dict[str, Any]:
    """What a dict looks like after a trip through Pulumi's wire format (state, check, diff)."""
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties({"v": value}, {}))
    finally:
        loop.close()
    assert isinstance(struct, struct_pb2.Struct)
    back = rpc.deserialize_properties(struct)
    assert isinstance(back, dict)
    result = back["v"]
    assert isinstance(result, dict)
    return result


@given(flow_exports())
def test_normalising_twice_changes_nothing(export: dict[str, Any]) -> None:
    once = normalise_flow_export(export)
    assert normalise_flow_export(once) == once
    assert content_hash(normalise_flow_export(once)) == content_hash(once)


@given(flow_exports(), st.data())
def test_volatile_fields_and_screen_order_never_change_the_hash(
    export: dict[str, Any], data: st.DataObject
) -> None:
    changed = copy.deepcopy(export)
    changed["flow"]["version"] += data.draw(st.integers(1, 5))
    changed["flow"]["etag"] = data.draw(st.text(max_size=8))
    changed["flow"]["modifiedTime"] = data.draw(st.text(max_size=10) | st.integers(0, 2**40))
    for screen in changed["screens"]:
        screen["version"] = data.draw(st.integers(0, 99))
        screen["flowId"] = data.draw(st.text(max_size=5))
    changed["screens"] = data.draw(st.permutations(changed["screens"]))
    assert content_hash(normalise_flow_export(changed)) == content_hash(
        normalise_flow_export(export)
    )


@given(flow_exports(), content_keys, st.text(min_size=1, max_size=8), st.data())
def test_any_real_content_change_changes_the_hash(
    export: dict[str, Any], key: str, text: str, data: st.DataObject
) -> None:
    before = content_hash(normalise_flow_export(export))
    changed = copy.deepcopy(export)
    targets = [changed["flow"], *changed["screens"]]
    target = data.draw(st.sampled_from(targets))
    marker = f"changed:{text}"
    if target.get(key) == marker:
        marker += "!"
    target[key] = marker
    assert content_hash(normalise_flow_export(changed)) != before


@given(flow_exports())
def test_pulumi_wire_round_trip_keeps_the_hash(export: dict[str, Any]) -> None:
    """Pulumi turns ints into floats and drops None-valued keys; the hash must not notice."""
    normalised = normalise_flow_export(export)
    through_wire = pulumi_round_trip(normalised)
    assert content_hash(normalise_flow_export(through_wire)) == content_hash(normalised)
    assert normalise_flow_export(through_wire) == normalised


@settings(max_examples=50)
@given(st.dictionaries(content_keys, json_values, max_size=6), st.integers(0, 10_000))
def test_theme_version_never_changes_the_hash(theme: dict[str, Any], version: int) -> None:
    theme["cssTemplate"] = theme.get("cssTemplate") or {"light": {}}
    with_version = {**theme, "version": version}
    assert content_hash(normalise_theme(with_version)) == content_hash(normalise_theme(theme))
    assert normalise_theme(normalise_theme(with_version)) == normalise_theme(theme)
    through_wire = pulumi_round_trip(normalise_theme(theme))
    assert content_hash(normalise_theme(through_wire)) == content_hash(normalise_theme(theme))


def test_example_flow_normalises_to_sorted_screens_without_volatile_fields() -> None:
    export = json.loads(FIXTURE.read_text())
    normalised = normalise_flow_export(export)
    assert [s["id"] for s in normalised["screens"]] == ["SC2verify", "SC2welcome"]
    assert not IGNORED_FLOW_KEYS & set(normalised["flow"])
    assert all(not IGNORED_SCREEN_KEYS & set(s) for s in normalised["screens"])
    assert normalised["flow"]["dsl"] == export["flow"]["dsl"]
    assert content_hash(normalised).startswith("sha256:")
    assert json.loads(canonical_json(normalised)) == normalised


def test_hash_is_the_sha256_of_the_canonical_json() -> None:
    content = {"b": [1, 2.5], "a": "é"}
    assert canonical_json(content) == '{"a":"é","b":[1,2.5]}'
    digest = hashlib.sha256('{"a":"é","b":[1,2.5]}'.encode()).hexdigest()
    assert content_hash(content) == f"sha256:{digest}"


@pytest.mark.parametrize(
    ("theme", "field", "words"),
    [
        ("css", "", "is not a theme"),
        ({"theme": {"cssTemplate": {}}}, "theme", "whole theme export"),
        ({"id": ""}, "cssTemplate", "is missing"),
        ({"cssTemplate": "dark"}, "cssTemplate", "must be an object"),
    ],
)
def test_theme_problems(theme: Any, field: str, words: str) -> None:
    [problem] = theme_problems(theme)
    assert problem.field == field
    assert words in problem.message


def test_valid_theme_has_no_problems_and_exports_unwrap() -> None:
    theme = {"id": "", "version": 3, "cssTemplate": {"light": {"primary": "#123"}}}
    assert theme_problems(theme) == []
    assert unwrap_theme_export({"theme": theme}) is theme
    assert unwrap_theme_export(theme) is theme
    assert unwrap_theme_export("x") == "x"


def test_flow_export_problems_name_the_field() -> None:
    export = json.loads(FIXTURE.read_text())
    [problem] = flow_export_problems(export, expected_id="other-flow")
    assert problem.field == "flow.id"
    assert '"other-flow"' in problem.message


@pytest.mark.parametrize(
    ("export", "field", "words"),
    [
        ({"flow": {"name": "x"}, "screens": []}, "flow.id", "is missing"),
        ({"screens": []}, "flow", "is missing or not an object"),
        ({"flow": {"id": "bad id"}, "screens": []}, "flow.id", "not a valid flow id"),
        ({"flow": {"id": "ok\n"}, "screens": []}, "flow.id", "not a valid flow id"),
        ({"flow": {"id": "ok"}, "screens": {"a": 1}}, "screens", "must be a list"),
    ],
)
def test_flow_export_problems__shapes(export: Any, field: str, words: str) -> None:
    [problem] = flow_export_problems(export)
    assert problem.field == field
    assert words in problem.message
