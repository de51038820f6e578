"""The flow provider through the real Pulumi provider host, against the emulator over HTTP."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from model.flow import canonical_json, content_hash, normalise_flow_export
from providers.backups import read_snapshot
from providers.flow import FlowProvider
from tests.support.host import CheckFailed, ProviderHost, ResourceUnderTest

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "flows" / "sign-up-or-in.json"
FALLBACK = REPO / "tests" / "fixtures" / "flows" / "sign-up-or-in.json"
FLOW_TYPE = "pulumi-python:dynamic/descope:Flow"
FLOW_ID = "sign-up-or-in"
EXPORT = "POST /v1/mgmt/flow/export"


def example() -> dict[str, Any]:
    """The example configuration's flow export (a fixture of ours until it exists)."""
    data: dict[str, Any] = json.loads((EXAMPLE if EXAMPLE.exists() else FALLBACK).read_text())
    return data


def renamed(export: dict[str, Any], name: str) -> dict[str, Any]:
    changed = copy.deepcopy(export)
    changed["flow"]["name"] = name
    return changed


def props(
    content: Any, *, flow_id: str = FLOW_ID, delete_on_remove: bool = False
) -> dict[str, Any]:
    """What `providers.flow.Flow` registers for this content."""
    registered: dict[str, Any] = {
        "flowId": flow_id,
        "content": content,
        "deleteOnRemove": delete_on_remove,
    }
    if isinstance(content, dict) and "flow" in content:
        normalised = normalise_flow_export(content)
        registered.update(content=normalised, contentHash=content_hash(normalised))
    return registered


def remote(descope: DescopeClient, flow_id: str = FLOW_ID) -> dict[str, Any]:
    exported: dict[str, Any] = descope.mgmt.flow.export_flow(flow_id)
    return exported


def requests(emulator: EmulatorServer, key: str) -> int:
    counters = httpx.get(f"{emulator.url}/emulator/counters").json()
    return int(counters["requests"].get(key, 0))


@pytest.fixture
def flow(host: ProviderHost, backup_dir: Path) -> ResourceUnderTest:
    return ResourceUnderTest(
        host, FlowProvider(backup_dir=str(backup_dir)), FLOW_TYPE, "flow-sign-up-or-in"
    )


def assert_deployed_as_written(written: dict[str, Any], exported: dict[str, Any]) -> None:
    """Descope holds every field of the file as written (it may add fields left at default)."""
    mine, theirs = normalise_flow_export(written), normalise_flow_export(exported)
    assert {k: theirs["flow"].get(k) for k in mine["flow"]} == mine["flow"]
    assert len(theirs["screens"]) == len(mine["screens"])
    for screen, stored in zip(mine["screens"], theirs["screens"], strict=True):
        assert {k: stored.get(k) for k in screen} == screen


def assert_no_changes(resource: ResourceUnderTest, content: dict[str, Any]) -> None:
    step = resource.preview(props(content))
    assert step.op == "same"
    assert step.news == resource.inputs


def test_flow_lifecycle(flow: ResourceUnderTest, descope: DescopeClient) -> None:
    # Create, and the very next plan is empty.
    assert flow.up(props(example())) == "create"
    assert flow.id == FLOW_ID
    assert flow.outputs["version"] == 1
    assert "lastSnapshot" not in flow.outputs  # None does not survive the wire
    assert_no_changes(flow, example())
    # Refresh sees no drift: the inputs stay what was deployed.
    assert flow.refresh()
    assert flow.inputs["contentHash"] == content_hash(normalise_flow_export(example()))
    assert_no_changes(flow, example())
    # A changed file is exactly one update, and the plan after it is empty.
    changed = renamed(example(), "Sign in")
    step = flow.preview(props(changed))
    assert step.news != flow.inputs
    assert (step.op, step.replaces) == ("update", ())
    assert flow.up(props(changed)) == "update"
    assert remote(descope)["flow"]["name"] == "Sign in"
    assert flow.outputs["version"] == 2
    assert "lastSnapshot" not in flow.outputs
    assert_no_changes(flow, changed)
    assert flow.refresh()
    assert_no_changes(flow, changed)
    # Removing it from the configuration leaves the flow in Descope (apps depend on it).
    flow.destroy()
    assert remote(descope)["flow"]["name"] == "Sign in"


def test_flow__console_edit_is_drift_and_snapshotted_before_overwrite(
    flow: ResourceUnderTest, descope: DescopeClient, backup_dir: Path
) -> None:
    flow.up(props(example()))
    console = renamed(example(), "Edited in the console")
    descope.mgmt.flow.import_flow(FLOW_ID, console["flow"], console["screens"])
    console_version = remote(descope)

    assert flow.refresh()
    assert flow.inputs["content"]["flow"]["name"] == "Edited in the console"
    step = flow.preview(props(example()))
    assert step.op == "update"
    assert step.replaces == ()

    assert flow.up(props(example())) == "update"
    snapshot = read_snapshot(flow.outputs["lastSnapshot"])
    assert Path(flow.outputs["lastSnapshot"]).parent == backup_dir
    assert (snapshot.kind, snapshot.id, snapshot.reason) == ("flow", FLOW_ID, "overwrite")
    assert snapshot.content == console_version
    assert remote(descope)["flow"]["name"] == example()["flow"]["name"]
    assert_no_changes(flow, example())


def test_flow__existing_flow_is_snapshotted_before_first_deploy(
    flow: ResourceUnderTest, descope: DescopeClient
) -> None:
    console = renamed(example(), "Built in the console")
    descope.mgmt.flow.import_flow(FLOW_ID, console["flow"], console["screens"])
    assert flow.up(props(example())) == "create"
    snapshot = read_snapshot(flow.outputs["lastSnapshot"])
    assert snapshot.content["flow"]["name"] == "Built in the console"


def test_flow__deleted_out_of_band_is_dropped_on_refresh(
    flow: ResourceUnderTest, descope: DescopeClient, emulator: EmulatorServer
) -> None:
    flow.up(props(example()))
    descope.mgmt.flow.delete_flows([FLOW_ID])
    before = requests(emulator, EXPORT)
    assert flow.refresh() is False
    assert flow.id == ""
    assert requests(emulator, EXPORT) == before + 1  # E103003 is "gone", never retried


def test_flow__delete_on_remove_snapshots_then_deletes(
    flow: ResourceUnderTest, descope: DescopeClient, backup_dir: Path
) -> None:
    flow.up(props(example(), delete_on_remove=True))
    last_version = remote(descope)
    flow.destroy()
    assert descope.mgmt.flow.list_flows()["flows"] == []
    [snapshot_file] = backup_dir.glob("*-flow-sign-up-or-in-delete.json")
    assert read_snapshot(snapshot_file).content == last_version


def test_flow__delete_on_remove_of_a_flow_already_gone_succeeds(
    flow: ResourceUnderTest, descope: DescopeClient
) -> None:
    flow.up(props(example(), delete_on_remove=True))
    descope.mgmt.flow.delete_flows([FLOW_ID])
    flow.destroy()


@pytest.mark.parametrize(
    ("content", "flow_id", "field", "words"),
    [
        (example(), "other-flow", "content.flow.id", 'is "sign-up-or-in" but the configuration'),
        ({"screens": []}, FLOW_ID, "content.flow", "is missing or not an object"),
        ("<html>not json</html>", FLOW_ID, "content", "is not a flow export"),
    ],
)
def test_flow__bad_content_fails_check(
    flow: ResourceUnderTest, content: Any, flow_id: str, field: str, words: str
) -> None:
    with pytest.raises(CheckFailed) as caught:
        flow.up(props(content, flow_id=flow_id))
    [(prop, reason)] = caught.value.failures
    assert prop == field
    assert reason.startswith(f'Descope flow "{flow_id}": {field} ')
    assert words in reason


def test_example_flow_round_trips_export_file_import(
    flow: ResourceUnderTest, descope: DescopeClient, tmp_path: Path
) -> None:
    """Deploy the example, export it to a file, import the file: nothing changes."""
    flow.up(props(example()))
    assert flow.refresh()
    assert_no_changes(flow, example())

    exported = remote(descope)
    file = tmp_path / "sign-up-or-in.json"
    file.write_text(json.dumps(exported, indent=2))
    from_file = json.loads(file.read_text())
    descope.mgmt.flow.import_flow(FLOW_ID, from_file["flow"], from_file["screens"])
    again = remote(descope)

    assert canonical_json(normalise_flow_export(again)) == canonical_json(
        normalise_flow_export(exported)
    )
    assert_deployed_as_written(example(), exported)
    assert again["flow"]["version"] == exported["flow"]["version"] + 1
    assert flow.refresh()
    assert_no_changes(flow, example())


def test_flow__larger_than_grpc_default_deploys(
    flow: ResourceUnderTest, descope: DescopeClient
) -> None:
    # 7.3 MB of flow: past gRPC's 4 MiB default, inside the loader's limit. The engine and the
    # host take 400 MiB messages, so the stand-in's channel must too (both directions).
    large = example()
    large["screens"][0]["interactions"] = {"padding": "x" * 7_300_000}
    assert flow.up(props(large)) == "create"
    assert remote(descope)["screens"][0]["interactions"]["padding"] == "x" * 7_300_000
    assert_no_changes(flow, large)
