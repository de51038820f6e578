"""The theme provider through the real Pulumi provider host, against the emulator over HTTP."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient

from model.flow import content_hash, normalise_theme, unwrap_theme_export
from providers.backups import read_snapshot
from providers.theme import THEME_ID, ThemeProvider
from tests.support.host import CheckFailed, ProviderHost, ResourceUnderTest

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "flows" / "theme.json"
THEME_TYPE = "pulumi-python:dynamic/descope:Theme"
FALLBACK: dict[str, Any] = {
    "id": "",
    "version": 1,
    "cssTemplate": {"light": {"colors": {"primary": {"main": "#1f4fd8"}}}, "dark": {}},
}


def example() -> dict[str, Any]:
    """The example configuration's theme object (a fixture of ours until it exists)."""
    if not EXAMPLE.exists():
        return copy.deepcopy(FALLBACK)
    theme: dict[str, Any] = unwrap_theme_export(json.loads(EXAMPLE.read_text()))
    return theme


def recoloured(theme: dict[str, Any], colour: str) -> dict[str, Any]:
    changed = copy.deepcopy(theme)
    changed["cssTemplate"]["light"]["colors"]["primary"]["main"] = colour
    return changed


def props(content: Any) -> dict[str, Any]:
    """What `providers.theme.Theme` registers for this content."""
    if isinstance(content, dict) and "cssTemplate" in content:
        normalised = normalise_theme(content)
        return {"content": normalised, "contentHash": content_hash(normalised)}
    return {"content": content}


def remote(descope: DescopeClient) -> dict[str, Any]:
    theme: dict[str, Any] = descope.mgmt.flow.export_theme()["theme"]
    return theme


@pytest.fixture
def theme(host: ProviderHost, backup_dir: Path) -> ResourceUnderTest:
    return ResourceUnderTest(host, ThemeProvider(backup_dir=str(backup_dir)), THEME_TYPE, "theme")


def assert_no_changes(resource: ResourceUnderTest, content: dict[str, Any]) -> None:
    step = resource.preview(props(content))
    assert step.op == "same"
    assert step.news == resource.inputs


def test_theme_lifecycle_with_version_ignored(
    theme: ResourceUnderTest, descope: DescopeClient, backup_dir: Path
) -> None:
    original = remote(descope)
    # Create: the project's previous theme is saved, then replaced; the next plan is empty.
    assert theme.up(props(example())) == "create"
    assert theme.id == THEME_ID
    assert theme.outputs["version"] == original["version"] + 1
    assert read_snapshot(theme.outputs["lastSnapshot"]).content == original
    assert normalise_theme(remote(descope)) == normalise_theme(example())
    assert_no_changes(theme, example())
    # Re-importing the same theme only raises its version: no drift, no changes.
    descope.mgmt.flow.import_theme(remote(descope))
    assert theme.refresh()
    assert theme.outputs["version"] == original["version"] + 2
    assert_no_changes(theme, {**example(), "version": 99})
    # A changed file is one update, without a snapshot: lastSnapshot still names the last one.
    snapshot_at_create = theme.outputs["lastSnapshot"]
    changed = recoloured(example(), "#00aa00")
    assert theme.up(props(changed)) == "update"
    assert theme.outputs["lastSnapshot"] == snapshot_at_create
    assert_no_changes(theme, changed)
    # Removing the theme from the configuration leaves the project's theme as it is.
    theme.destroy()
    assert normalise_theme(remote(descope)) == normalise_theme(changed)
    assert len(list(backup_dir.iterdir())) == 1


def test_theme__console_edit_is_drift_and_snapshotted_before_overwrite(
    theme: ResourceUnderTest, descope: DescopeClient
) -> None:
    theme.up(props(example()))
    descope.mgmt.flow.import_theme(recoloured(example(), "#ff0000"))
    console_version = remote(descope)

    assert theme.refresh()
    assert theme.inputs["content"] == normalise_theme(console_version)
    step = theme.preview(props(example()))
    assert step.op == "update"
    assert step.replaces == ()

    assert theme.up(props(example())) == "update"
    snapshot = read_snapshot(theme.outputs["lastSnapshot"])
    assert (snapshot.kind, snapshot.reason) == ("theme", "overwrite")
    assert snapshot.content == console_version
    assert normalise_theme(remote(descope)) == normalise_theme(example())
    assert_no_changes(theme, example())


def test_theme__bad_content_fails_check(theme: ResourceUnderTest) -> None:
    with pytest.raises(CheckFailed) as caught:
        theme.up(props({"cssTemplate": ["not", "an", "object"]}))
    assert caught.value.failures == [
        ("content.cssTemplate", "The Descope project theme: content.cssTemplate must be an object.")
    ]
