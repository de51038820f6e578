"""Every branch of the flow provider, against the real SDK talking in-process to the emulator."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from emulator import exceptions as emulator_errors
from emulator.app import EmulatorApp
from model.flow import content_hash, normalise_flow_export
from providers import client
from providers.backups import read_snapshot
from providers.errors import AnswerNotUnderstood, DescopeApiError
from providers.flow import INPUT_KEYS, Flow, FlowProvider
from tests.support.garble import Garbler
from tests.unit.providers import content_fakes
from tests.unit.providers.content_fakes import outs_of

# fixtures shared with the other content provider tests
app = content_fakes.app
warnings = content_fakes.warnings

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "flows" / "sign-up-or-in.json"
FLOW_ID = "sign-up-or-in"
EXPORT = "/v1/mgmt/flow/export"
IMPORT = "/v1/mgmt/flow/import"
DELETE = "/v1/mgmt/flow/delete"


def unknown() -> Any:
    """What a preview passes for a value not known yet."""
    return Unknown()  # type: ignore[no-untyped-call]


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


def edited(export: dict[str, Any], name: str = "Edited in the console") -> dict[str, Any]:
    changed = copy.deepcopy(export)
    changed["flow"]["name"] = name
    return changed


@pytest.fixture
def provider(tmp_path: Path) -> FlowProvider:
    return FlowProvider(backup_dir=str(tmp_path / "backups"))


def paths(app: EmulatorApp) -> list[str]:
    """The flow API calls Descope received, in order (the SDK's license handshake left out)."""
    return [r.path for r in app.requests() if "/flow/" in r.path]


def checked(provider: FlowProvider, content: Any, flow_id: str = FLOW_ID, **extra: Any) -> Any:
    result = provider.check({}, {"flowId": flow_id, "content": content, **extra})
    assert result.failures == []
    return result.inputs


def seed(app: EmulatorApp, export: dict[str, Any]) -> None:
    app.backend.seed_flow(export["flow"], export["screens"])


# --- check ---------------------------------------------------------------------------------


def test_check__normalises_and_hashes(provider: FlowProvider) -> None:
    inputs = checked(provider, example())
    assert inputs["content"] == normalise_flow_export(example())
    assert inputs["contentHash"] == content_hash(inputs["content"])
    assert inputs["deleteOnRemove"] is False
    assert "version" not in inputs["content"]["flow"]


def test_check__floats_and_dropped_nulls_keep_the_hash(provider: FlowProvider) -> None:
    original = checked(provider, example())
    wire = copy.deepcopy(original["content"])
    wire["screens"][1]["htmlTemplate"]["layout"]["gap"] = 8.0
    assert checked(provider, wire)["contentHash"] == original["contentHash"]


def test_check__flow_id_mismatch_names_the_flow_and_field(provider: FlowProvider) -> None:
    result = provider.check({}, {"flowId": "other", "content": example()})
    [failure] = result.failures
    assert failure.property == "content.flow.id"
    assert failure.reason.startswith('Descope flow "other": content.flow.id is "sign-up-or-in"')


def test_check__not_an_export(provider: FlowProvider) -> None:
    result = provider.check({}, {"flowId": FLOW_ID, "content": ["not", "an", "export"]})
    [failure] = result.failures
    assert failure.property == "content"
    assert "is not a flow export" in failure.reason
    assert f'Descope flow "{FLOW_ID}"' in failure.reason


def test_check__one_failure_per_problem(provider: FlowProvider) -> None:
    bad = {"flow": {"id": FLOW_ID}, "screens": [{"id": "a"}, {"id": "a"}, 3], "extra": 1}
    result = provider.check({}, {"flowId": FLOW_ID, "content": bad})
    assert sorted(f.property for f in result.failures) == [
        "content",
        "content.screens[1]",
        "content.screens[2]",
    ]


@pytest.mark.parametrize(
    ("flow_id", "words"),
    [
        ("", "flowId is required"),
        ("bad id!", "not a valid flow id"),
        ("sign-up-or-in\n", "not a valid flow id"),
    ],
)
def test_check__bad_flow_id(provider: FlowProvider, flow_id: str, words: str) -> None:
    content = example()
    content["flow"]["id"] = flow_id
    result = provider.check({}, {"flowId": flow_id, "content": content})
    assert any(f.property == "flowId" and words in f.reason for f in result.failures)


def test_check__delete_on_remove_must_be_a_bool(provider: FlowProvider) -> None:
    result = provider.check({}, {"flowId": FLOW_ID, "content": example(), "deleteOnRemove": "y"})
    [failure] = result.failures
    assert failure.property == "deleteOnRemove"


def test_check__unknowns_pass_through(provider: FlowProvider) -> None:
    value = unknown()
    content = example()
    content["flow"]["name"] = value
    news = {"flowId": FLOW_ID, "content": content}
    result = provider.check({}, news)
    assert result.failures == []
    assert result.inputs["content"]["flow"]["name"] is value
    result = provider.check({}, {"flowId": value, "content": example()})
    assert result.failures == []
    assert result.inputs["flowId"] is value


# --- diff ----------------------------------------------------------------------------------


def test_diff(provider: FlowProvider) -> None:
    olds = checked(provider, example())
    assert provider.diff(FLOW_ID, olds, dict(olds)).changes is False
    changed = checked(provider, edited(example()))
    diff = provider.diff(FLOW_ID, olds, changed)
    assert (diff.changes, diff.replaces) == (True, [])
    assert provider.diff(FLOW_ID, olds, {**olds, "deleteOnRemove": True}).changes is True
    renamed = {**olds, "flowId": "other"}
    diff = provider.diff(FLOW_ID, olds, renamed)
    assert (diff.changes, diff.replaces) == (True, ["flowId"])
    pending = {**olds, "content": unknown(), "contentHash": unknown()}
    assert provider.diff(FLOW_ID, olds, pending).changes is True


def test_diff__state_holding_drift_is_a_change_even_when_the_config_matches_it(
    provider: FlowProvider,
) -> None:
    deployed_hash = checked(provider, example())["contentHash"]
    drift = checked(provider, edited(example()))
    olds = {**drift, "deployedHash": deployed_hash, "deployedInputHash": deployed_hash}
    diff = provider.diff(FLOW_ID, olds, dict(drift))
    assert (diff.changes, diff.replaces) == (True, [])
    in_sync = {**drift, "deployedInputHash": drift["contentHash"]}
    assert provider.diff(FLOW_ID, in_sync, dict(drift)).changes is False
    older_state = {**drift, "deployedHash": deployed_hash}
    assert provider.diff(FLOW_ID, older_state, dict(drift)).changes is False


# --- create --------------------------------------------------------------------------------


def test_create__new_flow_is_imported(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    inputs = checked(provider, example())
    result = provider.create(inputs)
    assert result.id == FLOW_ID
    assert paths(app) == [EXPORT, IMPORT]
    assert result.outs == {
        **inputs,
        "version": 1,
        "deployedHash": inputs["contentHash"],
        "deployedInputHash": inputs["contentHash"],
        "lastSnapshot": None,
    }
    stored = app.backend.flows[FLOW_ID].export()
    assert content_hash(normalise_flow_export(stored)) == inputs["contentHash"]
    assert warnings == []


def test_create__existing_different_flow_is_snapshotted_first(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    console = edited(example())
    seed(app, console)
    result = provider.create(checked(provider, example()))
    assert paths(app) == [EXPORT, IMPORT]
    snapshot = read_snapshot(outs_of(result)["lastSnapshot"])
    assert (snapshot.kind, snapshot.id, snapshot.reason) == ("flow", FLOW_ID, "overwrite")
    assert snapshot.content["flow"]["name"] == "Edited in the console"
    [warning] = warnings
    assert outs_of(result)["lastSnapshot"] in warning
    assert "already exists in Descope with other content" in warning
    assert app.backend.flows[FLOW_ID].data["name"] == "Sign Up or In"


def test_create__existing_identical_flow_is_not_reimported(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    seed(app, example())
    inputs = checked(provider, example())
    result = provider.create(inputs)
    assert paths(app) == [EXPORT]
    assert outs_of(result)["version"] == 7
    assert outs_of(result)["lastSnapshot"] is None
    assert warnings == []


def test_create__import_failure_is_a_user_message(app: EmulatorApp, provider: FlowProvider) -> None:
    app.set_faults({"fail500": {"count": 10, "path": IMPORT}})
    with pytest.raises(DescopeApiError) as caught:
        provider.create(checked(provider, example()))
    assert str(caught.value).startswith(f'Unable to import Descope flow "{FLOW_ID}".')


def test_export_500_other_than_missing_is_retried(app: EmulatorApp, provider: FlowProvider) -> None:
    app.set_faults({"fail500": {"count": 1, "path": EXPORT}})
    provider.create(checked(provider, example()))
    assert paths(app) == [EXPORT, EXPORT, IMPORT]


# --- read ----------------------------------------------------------------------------------


def deployed(app: EmulatorApp, provider: FlowProvider, **extra: Any) -> dict[str, Any]:
    return outs_of(provider.create(checked(provider, example(), **extra)))


def test_read__no_drift_right_after_create(app: EmulatorApp, provider: FlowProvider) -> None:
    outs = deployed(app, provider)
    result = provider.read(FLOW_ID, outs)
    assert result.id == FLOW_ID
    assert result.outs == outs
    assert result.inputs == {k: outs[k] for k in INPUT_KEYS}
    assert provider.diff(FLOW_ID, outs_of(result), checked(provider, example())).changes is False


def test_read__console_edit_shows_as_drift(app: EmulatorApp, provider: FlowProvider) -> None:
    outs = deployed(app, provider)
    app.backend.import_flow(FLOW_ID, edited(example())["flow"], example()["screens"])
    result = provider.read(FLOW_ID, outs)
    assert result.inputs is not None
    assert result.inputs["content"]["flow"]["name"] == "Edited in the console"
    assert outs_of(result)["contentHash"] != outs["contentHash"]
    assert outs_of(result)["deployedHash"] == outs["deployedHash"]
    assert outs_of(result)["version"] == 2
    assert provider.diff(FLOW_ID, outs_of(result), checked(provider, example())).changes is True


def test_read__reverted_console_edit_leaves_no_drift_in_state(
    app: EmulatorApp, provider: FlowProvider
) -> None:
    outs = deployed(app, provider)
    app.backend.import_flow(FLOW_ID, edited(example())["flow"], example()["screens"])
    drifted = outs_of(provider.read(FLOW_ID, outs))
    assert drifted["content"]["flow"]["name"] == "Edited in the console"
    app.backend.import_flow(FLOW_ID, example()["flow"], example()["screens"])
    result = provider.read(FLOW_ID, drifted)
    assert result.inputs is not None
    assert result.inputs["content"]["flow"]["name"] == "Sign Up or In"
    assert outs_of(result)["contentHash"] == outs["contentHash"]
    assert outs_of(result)["deployedInputHash"] == outs["deployedInputHash"]
    assert provider.diff(FLOW_ID, outs_of(result), checked(provider, example())).changes is False


def test_read__state_without_deployed_input_hash_keeps_its_content(
    app: EmulatorApp, provider: FlowProvider
) -> None:
    outs = deployed(app, provider)
    older = {k: v for k, v in outs.items() if k != "deployedInputHash"}
    result = provider.read(FLOW_ID, older)
    assert outs_of(result) == {**older, "deployedInputHash": None}
    assert result.inputs == {k: outs[k] for k in INPUT_KEYS}


def fail_export(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """Make every flow export answer `error` (an emulator error, sent as Descope would)."""

    def export_flow(_flow_id: str) -> dict[str, Any]:
        raise error

    monkeypatch.setattr(app.backend, "export_flow", export_flow)


NOT_MISSING = [
    pytest.param(emulator_errors.route_not_found("POST", EXPORT), "404", id="404-from-a-proxy"),
    pytest.param(
        emulator_errors.DescopeApiError(
            500, "E010009", "Unknown server error", "project cache entry not found"
        ),
        "500 E010009",
        id="500-saying-not-found",
    ),
]


@pytest.mark.parametrize(("error", "answer"), NOT_MISSING)
def test_read__errors_other_than_a_missing_flow_are_raised_not_gone(
    app: EmulatorApp,
    provider: FlowProvider,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    answer: str,
) -> None:
    outs = deployed(app, provider)
    fail_export(app, monkeypatch, error)
    with pytest.raises(DescopeApiError) as caught:
        provider.read(FLOW_ID, outs)
    assert str(caught.value).startswith(
        f'Unable to export Descope flow "{FLOW_ID}". Descope answered {answer}'
    )


@pytest.mark.parametrize(("error", "answer"), NOT_MISSING)
def test_create_update_delete__never_act_on_an_export_error_other_than_missing(
    app: EmulatorApp,
    provider: FlowProvider,
    monkeypatch: pytest.MonkeyPatch,
    warnings: list[str],
    error: Exception,
    answer: str,
) -> None:
    outs = deployed(app, provider, deleteOnRemove=True)
    app.backend.import_flow(FLOW_ID, edited(example())["flow"], example()["screens"])
    fail_export(app, monkeypatch, error)
    calls_before = len(paths(app))
    with pytest.raises(DescopeApiError, match=answer):
        provider.create(checked(provider, example()))
    with pytest.raises(DescopeApiError, match=answer):
        provider.update(FLOW_ID, outs, checked(provider, edited(example(), "From the file")))
    with pytest.raises(DescopeApiError, match=answer):
        provider.delete(FLOW_ID, outs)
    assert IMPORT not in paths(app)[calls_before:]
    assert DELETE not in paths(app)[calls_before:]
    assert app.backend.flows[FLOW_ID].data["name"] == "Edited in the console"
    assert warnings == []


def test_read__missing_flow_is_gone_without_retries(
    app: EmulatorApp, provider: FlowProvider
) -> None:
    result = provider.read(FLOW_ID, {"flowId": FLOW_ID})
    assert (result.id, result.outs) == (None, {})
    assert paths(app) == [EXPORT]


def test_read__with_only_an_id_adopts_what_descope_holds(
    app: EmulatorApp, provider: FlowProvider
) -> None:
    seed(app, example())
    result = provider.read(FLOW_ID, {})
    assert result.inputs is not None
    assert result.inputs["contentHash"] == content_hash(normalise_flow_export(example()))
    assert outs_of(result)["deployedHash"] == result.inputs["contentHash"]
    assert outs_of(result)["deleteOnRemove"] is False


# --- update --------------------------------------------------------------------------------


def test_update__imports_new_content_without_snapshot(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    outs = deployed(app, provider)
    news = checked(provider, edited(example(), "Renamed in the file"))
    result = provider.update(FLOW_ID, outs, news)
    assert paths(app) == [EXPORT, IMPORT, EXPORT, IMPORT]
    assert outs_of(result)["version"] == 2
    assert outs_of(result)["contentHash"] == news["contentHash"]
    assert outs_of(result)["deployedHash"] == news["contentHash"]
    assert outs_of(result)["lastSnapshot"] is None
    assert warnings == []


def test_update__console_edit_is_snapshotted_before_overwrite(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    outs = deployed(app, provider)
    app.backend.import_flow(FLOW_ID, edited(example())["flow"], example()["screens"])
    refreshed = outs_of(provider.read(FLOW_ID, outs))
    result = provider.update(FLOW_ID, refreshed, checked(provider, example()))
    snapshot = read_snapshot(outs_of(result)["lastSnapshot"])
    assert snapshot.reason == "overwrite"
    assert snapshot.content["flow"]["name"] == "Edited in the console"
    assert "was changed outside Pulumi" in warnings[0]
    assert app.backend.flows[FLOW_ID].data["name"] == "Sign Up or In"


def test_update__after_the_config_adopts_a_console_edit_records_it_without_snapshot(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    outs = deployed(app, provider)
    app.backend.import_flow(FLOW_ID, edited(example())["flow"], example()["screens"])
    refreshed = outs_of(provider.read(FLOW_ID, outs))
    adopted = checked(provider, edited(example()))
    assert provider.diff(FLOW_ID, refreshed, adopted).changes is True
    calls_before = len(paths(app))
    recorded = outs_of(provider.update(FLOW_ID, refreshed, adopted))
    assert paths(app)[calls_before:] == [EXPORT]
    assert recorded["deployedHash"] == recorded["deployedInputHash"] == adopted["contentHash"]
    assert recorded["lastSnapshot"] is None
    assert provider.diff(FLOW_ID, recorded, adopted).changes is False
    later = checked(provider, edited(example(), "Renamed in the file later"))
    result = outs_of(provider.update(FLOW_ID, recorded, later))
    assert result["lastSnapshot"] is None
    assert warnings == []
    assert app.backend.flows[FLOW_ID].data["name"] == "Renamed in the file later"


def test_update__without_snapshot_keeps_the_last_snapshot(
    app: EmulatorApp, provider: FlowProvider
) -> None:
    outs = deployed(app, provider)
    app.backend.import_flow(FLOW_ID, edited(example())["flow"], example()["screens"])
    refreshed = outs_of(provider.read(FLOW_ID, outs))
    overwritten = outs_of(provider.update(FLOW_ID, refreshed, checked(provider, example())))
    assert overwritten["lastSnapshot"] is not None
    news = checked(provider, edited(example(), "Renamed in the file"))
    result = outs_of(provider.update(FLOW_ID, overwritten, news))
    assert result["lastSnapshot"] == overwritten["lastSnapshot"]


def test_update__only_delete_on_remove_changed_makes_no_import(
    app: EmulatorApp, provider: FlowProvider
) -> None:
    outs = deployed(app, provider)
    news = checked(provider, example(), deleteOnRemove=True)
    result = provider.update(FLOW_ID, outs, news)
    assert paths(app) == [EXPORT, IMPORT, EXPORT]
    assert outs_of(result)["deleteOnRemove"] is True


def test_update__flow_deleted_out_of_band_is_imported_again(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    outs = deployed(app, provider)
    app.backend.delete_flows([FLOW_ID])
    result = provider.update(FLOW_ID, outs, checked(provider, edited(example(), "Back")))
    assert app.backend.flows[FLOW_ID].data["name"] == "Back"
    assert outs_of(result)["lastSnapshot"] is None
    assert warnings == []


# --- delete --------------------------------------------------------------------------------


def test_delete__by_default_only_stops_managing(app: EmulatorApp, provider: FlowProvider) -> None:
    outs = deployed(app, provider)
    provider.delete(FLOW_ID, outs)
    assert FLOW_ID in app.backend.flows
    assert paths(app) == [EXPORT, IMPORT]


def test_delete__with_delete_on_remove_snapshots_then_deletes(
    app: EmulatorApp, provider: FlowProvider, warnings: list[str]
) -> None:
    outs = deployed(app, provider, deleteOnRemove=True)
    provider.delete(FLOW_ID, outs)
    assert FLOW_ID not in app.backend.flows
    assert paths(app)[2:] == [EXPORT, DELETE]
    [snapshot_file] = (Path(provider.backup_dir)).glob("*-flow-*-delete.json")
    snapshot = read_snapshot(snapshot_file)
    assert snapshot.content["flow"]["name"] == "Sign Up or In"
    assert str(snapshot_file) in warnings[0]


def test_delete__already_gone_is_success(app: EmulatorApp, provider: FlowProvider) -> None:
    provider.delete(FLOW_ID, {"flowId": FLOW_ID, "deleteOnRemove": True})
    assert paths(app) == [EXPORT]


# --- configure and the resource class ------------------------------------------------------


def test_configure_passes_descope_settings(
    provider: FlowProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(client, "configure", lambda cfg: seen.append(dict(cfg)))
    config = {"descope:projectId": "P123456", "descope:managementKey": "K1", "other:x": "y"}
    provider.configure(ConfigureRequest(Config(config, "descope-config")))
    assert seen == [
        {"descope:projectId": "P123456", "descope:managementKey": "K1", "descope:baseUrl": None}
    ]


def test_provider_as_the_program_builds_it_pickles_only_the_stack() -> None:
    assert vars(FlowProvider(stack="dev")) == {"stack": "dev"}


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        return args.name, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_flow_resource_registers_normalised_content() -> Any:
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    flow = Flow("flow-sign-up-or-in", flow_id=FLOW_ID, content=example(), stack="dev")
    bad = Flow("flow-bad", flow_id="other", content=example())

    def verify(values: list[Any]) -> None:
        content, content_hash_, delete_on_remove, bad_hash = values
        assert normalise_flow_export(content) == normalise_flow_export(example())
        assert content_hash_ == content_hash(normalise_flow_export(example()))
        assert delete_on_remove is False
        assert bad_hash is None
        [args] = [a for a in mocks.registered if a.name == "flow-sign-up-or-in"]
        assert args.typ == "pulumi-python:dynamic/descope:Flow"
        assert set(args.inputs) >= {"flowId", "content", "contentHash", "deleteOnRemove"}
        assert isinstance(flow.deployedInputHash, pulumi.Output)

    return pulumi.Output.all(
        flow.content, flow.contentHash, flow.deleteOnRemove, bad.contentHash
    ).apply(verify)


def test_import_answer_not_understood_but_made_records_what_descope_holds(
    app: EmulatorApp,
    provider: FlowProvider,
    warnings: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Garbler(app, monkeypatch).on("POST", IMPORT, "empty-object", forward=True)
    inputs = checked(provider, example())
    outs = outs_of(provider.create(inputs))
    stored = app.backend.flows[FLOW_ID].export()
    assert outs["deployedHash"] == content_hash(normalise_flow_export(stored))
    assert outs["version"] == stored["flow"]["version"]
    assert paths(app) == [EXPORT, IMPORT, EXPORT]
    assert any("shows it holds the new content" in w for w in warnings)


def test_import_answer_not_understood_and_not_made_fails_saying_so(
    app: EmulatorApp, provider: FlowProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = edited(example())
    seed(app, console)
    Garbler(app, monkeypatch).on("POST", IMPORT, "html", forward=False)
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.create(checked(provider, example()))
    text = str(caught.value)
    assert text.startswith(f'Unable to import Descope flow "{FLOW_ID}": ')
    assert "the flow import (POST /v1/mgmt/flow/import) was not understood" in text
    assert "'<!DOCTYPE html> <html><head><title>Sign in" in text
    assert "Descope does not hold the new content: the import was not made." in text
    [snapshot] = sorted(Path(provider.backup_dir).glob("*.json"))
    assert str(snapshot) in text
    assert read_snapshot(snapshot).content == console
    assert app.backend.flows[FLOW_ID].data["name"] == "Edited in the console"
