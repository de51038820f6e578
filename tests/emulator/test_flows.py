"""Flow and theme endpoints, driven through the real SDK (over HTTP and in-process)."""

from __future__ import annotations

import pytest
from descope import AuthException

from tests.emulator.conftest import Sdk, error_body

FLOW = {"name": "Sign Up or In", "description": "d", "dsl": {"start": {"next": "end"}}}
SCREENS = [{"id": "s2", "inputs": [{"name": "email"}]}, {"id": "s1"}]


def test_list_flows__empty_project(sdk: Sdk) -> None:
    assert sdk.flow.list_flows() == {"flows": [], "total": 0}


def test_list_flows__accepts_the_sdks_empty_body_and_lists_flows_without_their_dsl(
    sdk: Sdk,
) -> None:
    sdk.flow.import_flow("sign-up-or-in", FLOW, SCREENS)
    sdk.app.backend.seed_flow({"id": "a-flow", "name": "A", "disabled": True})

    listed = sdk.flow.list_flows()

    # The four fields the SDKs' decoders read, and the rest of the published Flow object
    # (version, modifiedTime, etag, ...) but its dsl, which a listing does not carry.
    assert [
        {k: flow[k] for k in ("id", "name", "description", "disabled")} for flow in listed["flows"]
    ] == [
        {"id": "a-flow", "name": "A", "description": "", "disabled": True},
        {"id": "sign-up-or-in", "name": "Sign Up or In", "description": "d", "disabled": False},
    ]
    assert listed["total"] == 2
    imported = listed["flows"][1]
    exported = sdk.flow.export_flow("sign-up-or-in")["flow"]
    assert {k: imported[k] for k in ("version", "modifiedTime", "etag")} == {
        k: exported[k] for k in ("version", "modifiedTime", "etag")
    }
    assert imported["version"] == 1
    assert imported["etag"]
    assert all("dsl" not in flow for flow in listed["flows"])
    record = [r for r in sdk.app.requests() if r.path == "/v1/mgmt/flow/list"][-1]
    assert record.body is None  # the SDK sent no body at all


def test_list_flows__ids_filter(sdk: Sdk) -> None:
    sdk.app.backend.seed_flow({"id": "f1"})
    sdk.app.backend.seed_flow({"id": "f2"})

    listed = sdk.app.backend.list_flows(["f2"])["flows"]
    assert [{k: f[k] for k in ("id", "name", "description", "disabled")} for f in listed] == [
        {"id": "f2", "name": "", "description": "", "disabled": False}
    ]


def test_import_flow__returns_stored_flow_with_server_owned_fields(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sdk.app.backend, "now", lambda: 1712345678.5)

    imported = sdk.flow.import_flow("sign-up-or-in", FLOW, SCREENS)

    flow = imported["flow"]
    assert flow["id"] == "sign-up-or-in"
    assert flow["version"] == 1
    assert flow["modifiedTime"] == "1712345678"
    assert isinstance(flow["etag"], str)
    assert flow["etag"]
    assert flow["dsl"] == FLOW["dsl"]
    assert set(flow) >= {
        "translate",
        "translateConnectorID",
        "translateSourceLang",
        "translateTargetLangs",
        "fingerprint",
        "widget",
        "sharedInteractions",
        "management",
        "managementConfig",
    }
    assert [s["id"] for s in imported["screens"]] == ["s2", "s1"]
    assert imported["screens"][0] == {
        "id": "s2",
        "version": 1,
        "flowId": "sign-up-or-in",
        "inputs": [{"name": "email"}],
        "interactions": [],
        "htmlTemplate": {},
        "componentsVersion": "",
    }
    assert sdk.flow.export_flow("sign-up-or-in") == imported


def test_import_flow__reimport_bumps_version_etag_modified_time_and_screen_versions(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter([1000.0, 2000.0])
    monkeypatch.setattr(sdk.app.backend, "now", lambda: next(clock))
    first = sdk.flow.import_flow("f", FLOW, SCREENS)

    second = sdk.flow.import_flow("f", {**FLOW, "name": "Renamed"}, [{"id": "s1"}, {"id": "s3"}])

    assert second["flow"]["version"] == first["flow"]["version"] + 1
    assert second["flow"]["etag"] != first["flow"]["etag"]
    assert (first["flow"]["modifiedTime"], second["flow"]["modifiedTime"]) == ("1000", "2000")
    assert {s["id"]: s["version"] for s in second["screens"]} == {"s1": 2, "s3": 1}
    exported = sdk.flow.export_flow("f")
    assert exported["flow"]["name"] == "Renamed"
    assert [s["id"] for s in exported["screens"]] == ["s1", "s3"]


def test_import_flow__flow_id_wins_over_the_body_id(sdk: Sdk) -> None:
    imported = sdk.flow.import_flow("target", {"id": "source", "name": "x"}, [])

    assert imported["flow"]["id"] == "target"
    assert imported["screens"] == []


def test_import_flow__empty_flow_id_is_400(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.flow.import_flow("", FLOW, [])

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011002"
    assert body["errorMessage"] == "The flowId field is required"


def test_export_flow__missing_is_500_E103003(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.flow.export_flow("ghost")

    assert err.value.status_code == 500
    assert err.value.error_message == (
        '{"errorCode":"E103003","errorDescription":"Failed getting flow",'
        '"errorMessage":"Failed loading flow by ID","message":"Failed loading flow by ID"}'
    )


def test_export_flow__seeded_flow_keeps_its_given_volatile_fields(sdk: Sdk) -> None:
    sdk.app.backend.seed_flow(
        {"id": "f", "version": 7, "etag": "abc", "modifiedTime": "5"}, [{"id": "s", "version": 3}]
    )

    exported = sdk.flow.export_flow("f")

    assert (exported["flow"]["version"], exported["flow"]["etag"]) == (7, "abc")
    assert exported["screens"][0]["version"] == 3
    assert exported["screens"][0]["flowId"] == "f"
    assert sdk.flow.import_flow("f", {}, [{"id": "s"}])["screens"][0]["version"] == 4


def test_delete_flows__deletes_existing_and_ignores_unknown(sdk: Sdk) -> None:
    sdk.flow.import_flow("f1", FLOW, [])
    sdk.flow.import_flow("f2", FLOW, [])

    assert sdk.flow.delete_flows(["f1", "ghost"]) == {}

    assert [f["id"] for f in sdk.flow.list_flows()["flows"]] == ["f2"]


def test_delete_flows__empty_ids_is_400(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.flow.delete_flows([])

    assert error_body(err)["errorMessage"] == "The ids field is required"


def test_export_theme__a_default_theme_exists(sdk: Sdk) -> None:
    theme = sdk.flow.export_theme()

    assert set(theme) == {"theme"}
    assert theme["theme"]["version"] == 1
    assert set(theme["theme"]) == {"id", "version", "cssTemplate", "componentsVersion", "codeMode"}


def test_import_theme__version_goes_up_by_exactly_one(sdk: Sdk) -> None:
    before = sdk.flow.export_theme()["theme"]
    css = {"light": {"colors": {"primary": "#123456"}}}

    imported = sdk.flow.import_theme({**before, "cssTemplate": css})
    again = sdk.flow.import_theme(imported["theme"])

    assert imported["theme"]["version"] == before["version"] + 1
    assert again["theme"]["version"] == before["version"] + 2
    assert sdk.flow.export_theme() == again
    assert again["theme"]["cssTemplate"] == css


def test_import_theme__not_an_object_is_400(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.client.mgmt.flow._http.post("/v1/mgmt/theme/import", body={"theme": "css"})

    assert error_body(err)["errorCode"] == "E011004"
