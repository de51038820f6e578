"""Every branch of the theme provider, against the real SDK talking in-process to the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from emulator.app import EmulatorApp
from model.flow import content_hash, normalise_theme
from providers import client
from providers.backups import read_snapshot
from providers.client import ManagementApi
from providers.errors import AnswerNotUnderstood, DescopeApiError
from providers.theme import THEME_ID, Theme, ThemeProvider
from tests.support.garble import Garbler
from tests.unit.providers import content_fakes
from tests.unit.providers.content_fakes import outs_of

# fixtures shared with the other content provider tests
app = content_fakes.app
warnings = content_fakes.warnings

EXPORT = "/v1/mgmt/theme/export"
IMPORT = "/v1/mgmt/theme/import"
THEME: dict[str, Any] = {
    "id": "",
    "version": 4,
    "cssTemplate": {
        "light": {"colors": {"primary": {"main": "#0052cc"}}, "typography": {"size": 14}},
        "dark": {"colors": {"primary": {"main": "#4c9aff"}}},
    },
    "componentsVersion": "1.92.0",
    "codeMode": False,
}


def theme(primary: str = "#0052cc") -> dict[str, Any]:
    return {
        **THEME,
        "cssTemplate": {
            **THEME["cssTemplate"],
            "light": {"colors": {"primary": {"main": primary}}},
        },
    }


@pytest.fixture
def provider(tmp_path: Path) -> ThemeProvider:
    return ThemeProvider(backup_dir=str(tmp_path / "backups"))


def paths(app: EmulatorApp) -> list[str]:
    return [r.path for r in app.requests() if "/theme/" in r.path]


def checked(provider: ThemeProvider, content: Any) -> dict[str, Any]:
    result = provider.check({}, {"content": content})
    assert result.failures == []
    return dict(result.inputs)


def test_check__drops_version_and_hashes(provider: ThemeProvider) -> None:
    inputs = checked(provider, theme())
    assert "version" not in inputs["content"]
    assert inputs["contentHash"] == content_hash(normalise_theme(theme()))


def test_check__bad_theme_names_the_field(provider: ThemeProvider) -> None:
    result = provider.check({}, {"content": {"cssTemplate": "dark"}})
    [failure] = result.failures
    assert failure.property == "content.cssTemplate"
    assert failure.reason == "The Descope project theme: content.cssTemplate must be an object."
    [failure] = provider.check({}, {"content": 3}).failures
    assert failure.property == "content"
    assert failure.reason.startswith("The Descope project theme: content is not a theme")


def test_check__unknowns_pass_through(provider: ThemeProvider) -> None:
    pending = Unknown()  # type: ignore[no-untyped-call]
    result = provider.check({}, {"content": pending})
    assert result.failures == []
    assert result.inputs["content"] is pending


def test_diff__version_is_ignored(provider: ThemeProvider) -> None:
    olds = {**checked(provider, theme()), "version": 3}
    same = checked(provider, {**theme(), "version": 9})
    assert provider.diff(THEME_ID, olds, same).changes is False
    assert provider.diff(THEME_ID, olds, checked(provider, theme("#ff0000"))).changes is True
    pending = {"content": Unknown(), "contentHash": Unknown()}  # type: ignore[no-untyped-call]
    diff = provider.diff(THEME_ID, olds, pending)
    assert (diff.changes, diff.replaces) == (True, [])


def test_create__snapshots_the_project_theme_then_imports(
    app: EmulatorApp, provider: ThemeProvider, warnings: list[str]
) -> None:
    inputs = checked(provider, theme())
    result = provider.create(inputs)
    assert result.id == THEME_ID
    assert paths(app) == [EXPORT, IMPORT]
    outs = outs_of(result)
    assert outs["version"] == 2
    assert outs["deployedHash"] == inputs["contentHash"]
    snapshot = read_snapshot(outs["lastSnapshot"])
    assert (snapshot.kind, snapshot.reason) == ("theme", "overwrite")
    assert snapshot.content["version"] == 1
    assert outs["lastSnapshot"] in warnings[0]
    assert app.backend.theme.to_dict()["cssTemplate"] == theme()["cssTemplate"]


def test_create__identical_theme_is_not_reimported(
    app: EmulatorApp, provider: ThemeProvider, warnings: list[str]
) -> None:
    app.backend.seed_theme(theme())
    outs = outs_of(provider.create(checked(provider, theme())))
    assert paths(app) == [EXPORT]
    assert (outs["version"], outs["lastSnapshot"]) == (4, None)
    assert warnings == []


def test_read__no_drift_after_create_and_version_bumps_are_ignored(
    app: EmulatorApp, provider: ThemeProvider
) -> None:
    outs = outs_of(provider.create(checked(provider, theme())))
    result = provider.read(THEME_ID, outs)
    assert result.outs == outs
    assert result.inputs == {"content": outs["content"], "contentHash": outs["contentHash"]}
    app.backend.import_theme(theme())
    bumped = outs_of(provider.read(THEME_ID, outs))
    assert bumped["version"] == 3
    assert provider.diff(THEME_ID, bumped, checked(provider, theme())).changes is False


def test_read__console_edit_shows_as_drift(app: EmulatorApp, provider: ThemeProvider) -> None:
    outs = outs_of(provider.create(checked(provider, theme())))
    app.backend.import_theme(theme("#ff0000"))
    result = provider.read(THEME_ID, outs)
    assert result.inputs is not None
    assert result.inputs["content"] == normalise_theme(theme("#ff0000"))
    assert outs_of(result)["deployedHash"] == outs["deployedHash"]
    assert provider.diff(THEME_ID, outs_of(result), checked(provider, theme())).changes is True


def test_read__reverted_console_edit_leaves_no_drift_in_state(
    app: EmulatorApp, provider: ThemeProvider
) -> None:
    outs = outs_of(provider.create(checked(provider, theme())))
    app.backend.import_theme(theme("#ff0000"))
    drifted = outs_of(provider.read(THEME_ID, outs))
    assert drifted["content"] == normalise_theme(theme("#ff0000"))
    app.backend.import_theme(theme())
    result = outs_of(provider.read(THEME_ID, drifted))
    assert result["content"] == normalise_theme(theme())
    assert result["contentHash"] == result["deployedInputHash"] == outs["contentHash"]
    assert provider.diff(THEME_ID, result, checked(provider, theme())).changes is False


def test_read__state_without_deployed_input_hash_keeps_its_content(
    app: EmulatorApp, provider: ThemeProvider
) -> None:
    outs = outs_of(provider.create(checked(provider, theme())))
    older = {k: v for k, v in outs.items() if k != "deployedInputHash"}
    assert outs_of(provider.read(THEME_ID, older)) == {**older, "deployedInputHash": None}


def test_read__with_only_an_id(app: EmulatorApp, provider: ThemeProvider) -> None:
    result = provider.read("", {})
    assert result.id == THEME_ID
    assert outs_of(result)["version"] == 1


def test_update__plain_change_has_no_snapshot(
    app: EmulatorApp, provider: ThemeProvider, warnings: list[str]
) -> None:
    app.backend.seed_theme(theme())
    outs = outs_of(provider.create(checked(provider, theme())))
    result = outs_of(provider.update(THEME_ID, outs, checked(provider, theme("#00ff00"))))
    assert result["lastSnapshot"] is None
    assert result["version"] == 5
    assert warnings == []


def test_update__console_edit_is_snapshotted_before_overwrite(
    app: EmulatorApp, provider: ThemeProvider, warnings: list[str]
) -> None:
    app.backend.seed_theme(theme())
    outs = outs_of(provider.create(checked(provider, theme())))
    app.backend.import_theme(theme("#ff0000"))
    refreshed = outs_of(provider.read(THEME_ID, outs))
    result = outs_of(provider.update(THEME_ID, refreshed, checked(provider, theme())))
    snapshot = read_snapshot(result["lastSnapshot"])
    assert snapshot.content["cssTemplate"]["light"]["colors"]["primary"]["main"] == "#ff0000"
    assert "was changed outside Pulumi" in warnings[0]
    assert app.backend.theme.to_dict()["cssTemplate"] == theme()["cssTemplate"]


def test_update__after_the_config_adopts_a_console_edit_records_it_without_snapshot(
    app: EmulatorApp, provider: ThemeProvider, warnings: list[str]
) -> None:
    app.backend.seed_theme(theme())
    outs = outs_of(provider.create(checked(provider, theme())))
    app.backend.import_theme(theme("#ff0000"))
    refreshed = outs_of(provider.read(THEME_ID, outs))
    adopted = checked(provider, theme("#ff0000"))
    assert provider.diff(THEME_ID, refreshed, adopted).changes is True
    calls_before = len(paths(app))
    recorded = outs_of(provider.update(THEME_ID, refreshed, adopted))
    assert paths(app)[calls_before:] == [EXPORT]
    assert recorded["deployedHash"] == recorded["deployedInputHash"] == adopted["contentHash"]
    assert provider.diff(THEME_ID, recorded, adopted).changes is False
    result = outs_of(provider.update(THEME_ID, recorded, checked(provider, theme("#00ff00"))))
    assert result["lastSnapshot"] is None
    assert warnings == []


def test_update__without_snapshot_keeps_the_last_snapshot(
    app: EmulatorApp, provider: ThemeProvider
) -> None:
    app.backend.seed_theme(theme())
    outs = outs_of(provider.create(checked(provider, theme())))
    app.backend.import_theme(theme("#ff0000"))
    refreshed = outs_of(provider.read(THEME_ID, outs))
    overwritten = outs_of(provider.update(THEME_ID, refreshed, checked(provider, theme())))
    assert overwritten["lastSnapshot"] is not None
    result = outs_of(provider.update(THEME_ID, overwritten, checked(provider, theme("#00ff00"))))
    assert result["lastSnapshot"] == overwritten["lastSnapshot"]


@pytest.mark.parametrize("answer", [{}, {"themes": {}}, {"theme": None}])
def test_export_without_a_theme_is_an_error_not_an_empty_theme(
    provider: ThemeProvider, answer: dict[str, Any]
) -> None:
    imported: list[dict[str, Any]] = []

    class FakeFlowApi:
        def export_theme(self) -> dict[str, Any]:
            return answer

        def import_theme(self, new: dict[str, Any]) -> dict[str, Any]:
            imported.append(new)
            return {"theme": new}

    class FakeManagement:
        tenant: Any = None
        flow = FakeFlowApi()

    with client.use_management(cast(ManagementApi, FakeManagement())):
        with pytest.raises(DescopeApiError) as caught:
            provider.read(THEME_ID, {})
        with pytest.raises(DescopeApiError):
            provider.create(checked(provider, theme()))
    message = str(caught.value)
    assert message.startswith("Unable to export the Descope theme: ")
    assert "the theme export (POST /v1/mgmt/theme/export) was not understood: expected " in (
        message
    )
    assert f"got {json.dumps(answer)}. Nothing was changed in Descope." in message
    assert imported == []


def test_configure_passes_descope_settings(
    provider: ThemeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(client, "configure", lambda cfg: seen.append(dict(cfg)))
    provider.configure(ConfigureRequest(Config({"descope:baseUrl": "http://x"}, "p")))
    assert seen == [
        {"descope:projectId": None, "descope:managementKey": None, "descope:baseUrl": "http://x"}
    ]


def test_delete__only_stops_managing(app: EmulatorApp, provider: ThemeProvider) -> None:
    outs = outs_of(provider.create(checked(provider, theme())))
    provider.delete(THEME_ID, outs)
    assert paths(app) == [EXPORT, IMPORT]


def test_import_answer_not_understood_but_made_records_what_descope_holds(
    app: EmulatorApp, provider: ThemeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    Garbler(app, monkeypatch).on("POST", IMPORT, "truncated", forward=True)
    inputs = checked(provider, theme())
    outs = outs_of(provider.create(inputs))
    assert outs["deployedHash"] == inputs["contentHash"]
    assert outs["version"] == app.backend.theme.version == 2
    assert paths(app) == [EXPORT, IMPORT, EXPORT]


def test_import_answer_not_understood_and_not_made_fails_saying_so(
    app: EmulatorApp, provider: ThemeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    Garbler(app, monkeypatch).on("POST", IMPORT, "empty-body", forward=False)
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.create(checked(provider, theme()))
    text = str(caught.value)
    assert "the theme import (POST /v1/mgmt/theme/import) was not understood" in text
    assert "got an empty body" in text
    assert "the import was not made. The version Descope held is saved in" in text
    assert app.backend.theme.version == 1


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_theme_resource_accepts_a_whole_export() -> Any:
    pulumi.runtime.set_mocks(_Mocks(), preview=False)
    good = Theme("theme", content={"theme": theme()})
    bad = Theme("bad-theme", content={"cssTemplate": 3})

    def verify(values: list[Any]) -> None:
        content_hash_, bad_hash = values
        assert content_hash_ == content_hash(normalise_theme(theme()))
        assert bad_hash is None
        assert isinstance(good.deployedInputHash, pulumi.Output)

    return pulumi.Output.all(good.contentHash, bad.contentHash).apply(verify)
