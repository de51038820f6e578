"""The flow and theme providers never snapshot, overwrite or delete on an answer they did not
understand, and never record content Descope does not hold (the in-process emulator, with
chosen answers garbled by `Garbler`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from emulator.app import EmulatorApp
from model.flow import content_hash, normalise_flow_export
from providers.errors import AnswerNotUnderstood, SnapshotRefused
from providers.flow import FlowProvider
from providers.theme import THEME_ID, ThemeProvider
from tests.support.garble import KINDS, Garbler, Kind
from tests.unit.providers import content_fakes
from tests.unit.providers.content_fakes import outs_of

app = content_fakes.app
warnings = content_fakes.warnings

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "flows" / "sign-up-or-in.json"
FLOW_ID = "sign-up-or-in"
EXPORT = "/v1/mgmt/flow/export"
DELETE = "/v1/mgmt/flow/delete"
THEME_EXPORT = "/v1/mgmt/theme/export"
NEVER_SHOWN = ("JSONDecodeError", "KeyError", "TypeError", "OSError", "Traceback")


def example(name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    if name is not None:
        data["flow"]["name"] = name
    return data


@pytest.fixture
def garble(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> Garbler:
    return Garbler(app, monkeypatch)


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture
def flows(backup_dir: Path) -> FlowProvider:
    return FlowProvider(backup_dir=str(backup_dir))


def checked(provider: FlowProvider, content: Any, **extra: Any) -> dict[str, Any]:
    result = provider.check({}, {"flowId": FLOW_ID, "content": content, **extra})
    assert result.failures == []
    return dict(result.inputs)


def held_flow(app: EmulatorApp) -> dict[str, Any] | None:
    flow = app.backend.flows.get(FLOW_ID)
    return copy.deepcopy(flow.export()) if flow is not None else None


def user_text(error: BaseException) -> str:
    text = str(error)
    for word in NEVER_SHOWN:
        assert word not in text, text
    return text


@pytest.mark.parametrize("kind", KINDS)
def test_delete__refused_when_the_export_is_not_understood(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler, backup_dir: Path, kind: Kind
) -> None:
    outs = outs_of(flows.create(checked(flows, example(), deleteOnRemove=True)))
    before = held_flow(app)
    garble.on("POST", EXPORT, kind)
    with pytest.raises(AnswerNotUnderstood) as caught:
        flows.delete(FLOW_ID, outs)
    text = user_text(caught.value)
    assert text.startswith(f'Unable to export Descope flow "{FLOW_ID}": ')
    assert "the flow export (POST /v1/mgmt/flow/export) was not understood" in text
    assert (
        f'Descope flow "{FLOW_ID}" was not deleted: nothing is deleted without a snapshot' in text
    )
    assert held_flow(app) == before
    assert not backup_dir.exists() or list(backup_dir.iterdir()) == []


@pytest.mark.parametrize("kind", KINDS)
def test_overwrite__refused_when_the_export_is_not_understood(
    app: EmulatorApp,
    flows: FlowProvider,
    garble: Garbler,
    backup_dir: Path,
    warnings: list[str],
    kind: Kind,
) -> None:
    outs = outs_of(flows.create(checked(flows, example())))
    console = example("Edited in the console")
    app.backend.seed_flow(console["flow"], console["screens"])
    before = held_flow(app)
    garble.on("POST", EXPORT, kind)
    with pytest.raises(AnswerNotUnderstood) as caught:
        flows.update(FLOW_ID, outs, checked(flows, example("Next version")))
    assert "was not changed: nothing is overwritten without a snapshot" in user_text(caught.value)
    assert held_flow(app) == before
    assert not backup_dir.exists()
    assert not any("was saved" in w for w in warnings)


def test_read__an_export_not_understood_never_drops_the_flow(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler
) -> None:
    outs = outs_of(flows.create(checked(flows, example())))
    garble.on("POST", EXPORT, "other-id")
    with pytest.raises(AnswerNotUnderstood, match="The state is unchanged"):
        flows.read(FLOW_ID, outs)
    assert flows.read(FLOW_ID, outs).outs == outs


def test_read__an_export_answering_json_null_is_not_a_missing_flow(
    app: EmulatorApp, flows: FlowProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    outs = outs_of(flows.create(checked(flows, example())))
    monkeypatch.setattr(app.backend, "export_flow", lambda _id: None)
    with pytest.raises(AnswerNotUnderstood, match="got null"):
        flows.read(FLOW_ID, outs)


def test_delete__an_answer_not_understood_after_deleting_counts_as_deleted(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler, warnings: list[str]
) -> None:
    outs = outs_of(flows.create(checked(flows, example(), deleteOnRemove=True)))
    garble.on("POST", DELETE, "html", forward=True)
    flows.delete(FLOW_ID, outs)
    assert held_flow(app) is None
    assert any("but the flow is gone" in w for w in warnings)


def test_delete__an_answer_not_understood_instead_of_deleting_says_it_was_not(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler, backup_dir: Path
) -> None:
    outs = outs_of(flows.create(checked(flows, example(), deleteOnRemove=True)))
    garble.on("POST", DELETE, "other-id", forward=False)
    with pytest.raises(AnswerNotUnderstood) as caught:
        flows.delete(FLOW_ID, outs)
    text = user_text(caught.value)
    assert "Exporting the flow shows it still exists: it was not deleted." in text
    [snapshot] = sorted(backup_dir.glob("*.json"))
    assert str(snapshot) in text
    assert held_flow(app) is not None


def test_delete__an_answer_and_an_export_not_understood_say_it_is_not_known(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler
) -> None:
    outs = outs_of(flows.create(checked(flows, example(), deleteOnRemove=True)))
    garble.on("POST", DELETE, "truncated", forward=False)
    garble.on("POST", EXPORT, "html", skip=1)
    with pytest.raises(AnswerNotUnderstood, match="so it is not known whether it was"):
        flows.delete(FLOW_ID, outs)


def test_import__an_answer_and_an_export_not_understood_say_it_is_not_known(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler
) -> None:
    garble.on("POST", "/v1/mgmt/flow/import", "empty-body")
    garble.on("POST", EXPORT, "empty-object", skip=1)
    with pytest.raises(AnswerNotUnderstood, match="not known whether Descope holds the new"):
        flows.create(checked(flows, example()))


def test_import__made_despite_an_answer_naming_another_flow(
    app: EmulatorApp, flows: FlowProvider, garble: Garbler
) -> None:
    garble.on("POST", "/v1/mgmt/flow/import", "other-id", forward=True)
    outs = outs_of(flows.create(checked(flows, example())))
    stored = held_flow(app)
    assert stored is not None
    assert outs["deployedHash"] == content_hash(normalise_flow_export(stored))


def test_overwrite__refused_when_the_snapshot_cannot_be_written(
    app: EmulatorApp, flows: FlowProvider, backup_dir: Path
) -> None:
    outs = outs_of(flows.create(checked(flows, example())))
    console = example("Edited in the console")
    app.backend.seed_flow(console["flow"], console["screens"])
    backup_dir.write_text("a file where the folder should be")
    with pytest.raises(SnapshotRefused) as caught:
        flows.update(FLOW_ID, outs, checked(flows, example("Next version")))
    text = user_text(caught.value)
    assert text.startswith(f'Refusing to overwrite Descope flow "{FLOW_ID}": its snapshot ')
    assert str(backup_dir.absolute()) in text
    assert "descope-config:backupDir" in text
    assert app.backend.flows[FLOW_ID].data["name"] == "Edited in the console"


# --- theme -----------------------------------------------------------------------------------

THEME = {"id": "", "cssTemplate": {"light": {"colors": {"primary": "#0052cc"}}, "dark": {}}}


@pytest.mark.parametrize("kind", KINDS)
def test_theme__overwrite_refused_when_the_export_is_not_understood(
    app: EmulatorApp, backup_dir: Path, garble: Garbler, kind: Kind
) -> None:
    provider = ThemeProvider(backup_dir=str(backup_dir))
    before = app.backend.theme.to_dict()
    garble.on("POST", THEME_EXPORT, kind)
    inputs = provider.check({}, {"content": THEME}).inputs
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.create(inputs)
    text = user_text(caught.value)
    assert "the theme export (POST /v1/mgmt/theme/export) was not understood" in text
    assert "The Descope project theme was not changed: nothing is overwritten" in text
    assert app.backend.theme.to_dict() == before
    assert not backup_dir.exists()


def test_theme__read_not_understood_keeps_the_state(
    app: EmulatorApp, backup_dir: Path, garble: Garbler
) -> None:
    provider = ThemeProvider(backup_dir=str(backup_dir))
    outs = outs_of(provider.create(provider.check({}, {"content": THEME}).inputs))
    garble.on("POST", THEME_EXPORT, "html")
    with pytest.raises(AnswerNotUnderstood, match="The state is unchanged"):
        provider.read(THEME_ID, outs)


def test_theme__an_import_and_an_export_not_understood_say_it_is_not_known(
    app: EmulatorApp, backup_dir: Path, garble: Garbler
) -> None:
    provider = ThemeProvider(backup_dir=str(backup_dir))
    garble.on("POST", "/v1/mgmt/theme/import", "html")
    garble.on("POST", THEME_EXPORT, "empty-body", skip=1)
    with pytest.raises(AnswerNotUnderstood, match="not known whether Descope holds the new"):
        provider.create(provider.check({}, {"content": THEME}).inputs)
