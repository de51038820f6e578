"""The flow and theme providers against a real Descope project.

Runs only when DESCOPE_TEST_PROJECT_ID and DESCOPE_TEST_MANAGEMENT_KEY are set (optionally
DESCOPE_TEST_BASE_URL). Every flow it creates has an id starting with a prefix unique to the
run, and is deleted afterwards whatever happens; the theme test puts the project's original
theme back in a finalizer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from model.flow import content_hash, normalise_flow_export, normalise_theme
from providers import client
from providers.backups import read_snapshot
from providers.flow import FlowProvider
from providers.theme import ThemeProvider
from tests.integration.real import NEEDS_REAL_DESCOPE, sdk, unique_prefix

pytestmark = NEEDS_REAL_DESCOPE

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "flows" / "sign-up-or-in.json"
FALLBACK = REPO / "tests" / "fixtures" / "flows" / "sign-up-or-in.json"
PREFIX = unique_prefix() + "-"
"""Unique to this run, so parallel runs and leftovers never collide."""


@pytest.fixture(scope="module")
def real() -> Iterator[Any]:
    """The management client for the test project, injected as the providers' client."""
    descope = sdk()
    with client.use_management(descope.mgmt):
        yield descope.mgmt


@pytest.fixture
def flow_ids(real: Any) -> Iterator[list[str]]:
    """Ids handed out to a test; every flow with this run's prefix is deleted afterwards."""
    ids: list[str] = []
    yield ids
    leftovers = [f["id"] for f in real.flow.list_flows().get("flows", [])]
    mine = [fid for fid in leftovers if fid.startswith(PREFIX)]
    if mine:
        real.flow.delete_flows(mine)


def example(flow_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLE if EXAMPLE.exists() else FALLBACK).read_text())
    data["flow"]["id"] = flow_id
    return data


def test_flow_lifecycle_on_real_descope(real: Any, flow_ids: list[str], tmp_path: Path) -> None:
    flow_id = f"{PREFIX}sign-up-or-in"
    flow_ids.append(flow_id)
    provider = FlowProvider(backup_dir=str(tmp_path))

    inputs = provider.check({}, {"flowId": flow_id, "content": example(flow_id)}).inputs
    created = provider.create(inputs)
    outs = created.outs
    assert outs is not None
    assert created.id == flow_id

    # Re-exporting what was just imported gives the recorded hash: no drift.
    read = provider.read(flow_id, outs)
    assert read.inputs is not None
    assert read.inputs["contentHash"] == inputs["contentHash"]
    assert provider.diff(flow_id, read.outs or {}, inputs).changes is False
    exported = real.flow.export_flow(flow_id)
    assert content_hash(normalise_flow_export(exported)) == outs["deployedHash"]

    # A console edit shows as drift and is snapshotted before the next deployment.
    console = copy.deepcopy(exported)
    console["flow"]["name"] = "Edited out of band"
    real.flow.import_flow(flow_id, console["flow"], console["screens"])
    refreshed = provider.read(flow_id, outs).outs or {}
    assert refreshed["content"]["flow"]["name"] == "Edited out of band"
    updated = provider.update(flow_id, refreshed, inputs).outs or {}
    assert read_snapshot(updated["lastSnapshot"]).content["flow"]["name"] == "Edited out of band"

    # deleteOnRemove deletes; a missing flow then reads as gone.
    provider.delete(flow_id, {**updated, "deleteOnRemove": True})
    assert provider.read(flow_id, updated).id is None


def test_theme_round_trip_on_real_descope(real: Any, tmp_path: Path) -> None:
    original = real.flow.export_theme()["theme"]
    try:
        provider = ThemeProvider(backup_dir=str(tmp_path))
        inputs = provider.check({}, {"content": original}).inputs
        outs = provider.create(inputs).outs or {}
        assert outs["lastSnapshot"] is None  # the same theme is not re-imported
        read = provider.read("theme", outs)
        assert provider.diff("theme", read.outs or {}, inputs).changes is False
        # Importing raises the version by one; the version never shows as drift.
        real.flow.import_theme(normalise_theme(original))
        bumped = provider.read("theme", outs)
        assert (bumped.outs or {})["version"] == outs["version"] + 1
        assert provider.diff("theme", bumped.outs or {}, inputs).changes is False
    finally:
        current = real.flow.export_theme()["theme"]
        if normalise_theme(current) != normalise_theme(original):
            real.flow.import_theme(normalise_theme(original))
