"""The project configuration (``/v1/mgmt/infra``, entity ``project``): GET, PUT (replace or
merge), its tenant attributes being the project's definitions, refusals, the data file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import EmulatorApp, EmulatorOptions

PROJECT = "Ptest"
AUTH = {"Authorization": f"Bearer {PROJECT}:K-test"}
PLAN = {
    "name": "plan",
    "displayName": "Plan",
    "type": "singleselect",
    "options": [{"label": "starter", "value": "starter"}, {"label": "pro", "value": "pro"}],
    "authorization": {"viewPermissions": ["billing.read"]},
}
SEATS = {
    "name": "seats",
    "displayName": "Seats",
    "type": "number",
    "options": [],
    "authorization": {"viewPermissions": []},
}


def app(**switches: Any) -> EmulatorApp:
    return EmulatorApp(EmulatorOptions(project_id=PROJECT, management_key="K-test", **switches))


def call(target: EmulatorApp, method: str, body: Any = None, query: str = "") -> tuple[int, Any]:
    raw = b"" if body is None else json.dumps(body).encode()
    answer = target.handle(method, "/v1/mgmt/infra", query, AUTH, raw)
    return answer.status, json.loads(answer.body)


def load(target: EmulatorApp) -> dict[str, Any]:
    status, answer = call(target, "GET", query=f"entity=project&id={PROJECT}")
    assert status == 200, answer
    assert (answer["entity"], answer["id"]) == ("project", PROJECT)
    data: dict[str, Any] = answer["data"]
    return data


def put(target: EmulatorApp, data: dict[str, Any]) -> tuple[int, Any]:
    return call(target, "PUT", {"entity": "project", "id": PROJECT, "data": data})


def test_get__a_fresh_project_answers_its_configuration_with_no_tenant_attributes() -> None:
    data = load(app())
    assert data["name"] == "Emulated project"
    assert data["attributes"] == {"user": [], "accessKey": [], "tenant": []}


def test_put__writes_the_tenant_attribute_definitions_and_keeps_other_sections_opaque() -> None:
    target = app()
    data = {**load(target), "styles": {"opaque": [1, {"x": None}]}}
    data["attributes"]["tenant"] = [PLAN, SEATS]
    status, answer = put(target, data)
    assert status == 200, answer
    assert answer["data"] == data == load(target)
    held = target.backend.tenant_attributes
    assert held["plan"].options == ("starter", "pro")
    assert held["plan"].view_permissions == ("billing.read",)
    assert held["seats"].type == "number"


def test_put__replaces_by_default_a_section_left_out_is_gone() -> None:
    target = app()
    put(target, {**load(target), "styles": {"a": 1}})
    status, answer = put(target, {"name": "Renamed"})
    assert status == 200
    assert answer["data"] == {"name": "Renamed", "attributes": {"tenant": []}}


def test_put__merges_with_the_switch_on() -> None:
    target = app(infra_put_merges=True)
    put(target, {"attributes": {"tenant": [SEATS]}, "styles": {"a": 1, "b": 2}})
    status, answer = put(target, {"styles": {"b": 3}})
    assert status == 200
    assert answer["data"]["styles"] == {"a": 1, "b": 3}
    assert answer["data"]["name"] == "Emulated project"
    assert [a["name"] for a in answer["data"]["attributes"]["tenant"]] == ["seats"]
    assert answer["data"]["attributes"]["user"] == []


@pytest.mark.parametrize(
    ("body", "wording"),
    [
        ({"entity": "flow", "id": PROJECT, "data": {}}, "not supported"),
        ({"entity": "project", "id": "Pother", "data": {}}, "not this project"),
        ({"entity": "project", "id": PROJECT, "data": []}, "must be an object"),
        ({"entity": "project", "id": PROJECT, "data": {"attributes": []}}, "must be an object"),
        (
            {"entity": "project", "id": PROJECT, "data": {"attributes": {"tenant": [{}]}}},
            "needs a name",
        ),
        (
            {"entity": "project", "id": PROJECT, "data": {"attributes": {"tenant": [PLAN, PLAN]}}},
            "defined twice",
        ),
        (
            {
                "entity": "project",
                "id": PROJECT,
                "data": {"attributes": {"tenant": [{**PLAN, "options": ["starter"]}]}},
            },
            "options must be a list",
        ),
        (
            {
                "entity": "project",
                "id": PROJECT,
                "data": {"attributes": {"tenant": [{**SEATS, "type": "decimal"}]}},
            },
            "type must be one of",
        ),
    ],
)
def test_put__refuses_a_bad_request_and_changes_nothing(body: Any, wording: str) -> None:
    target = app()
    before = load(target)
    status, answer = call(target, "PUT", body)
    assert status == 400
    assert wording in answer["errorMessage"]
    assert load(target) == before


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [("id=Ptest", 400, "entity"), ("entity=project", 400, "id")],
)
def test_get__without_entity_or_id_is_refused(query: str, status: int, field: str) -> None:
    answer_status, answer = call(app(), "GET", query=query)
    assert answer_status == status
    assert field in answer["errorDescription"] + answer.get("errorMessage", "")


def test_put__refuses_to_remove_a_definition_a_tenant_uses() -> None:
    target = app()
    put(target, {"attributes": {"tenant": [PLAN, SEATS]}})
    target.backend.create_tenant(
        {"id": "acme", "name": "Acme", "customAttributes": {"plan": "pro"}}
    )
    status, answer = put(target, {"attributes": {"tenant": [SEATS]}})
    assert status == 400
    assert "'acme'" in answer["errorMessage"]
    assert "'plan'" in answer["errorMessage"]
    assert set(target.backend.tenant_attributes) == {"plan", "seats"}
    target.backend.update_tenant({"id": "acme", "name": "Acme", "customAttributes": {}})
    assert put(target, {"attributes": {"tenant": [SEATS]}})[0] == 200


def test_other_methods_on_the_path_answer_descopes_unknown_error() -> None:
    status, answer = call(app(), "DELETE", query=f"entity=project&id={PROJECT}")
    assert status == 500
    assert answer["errorCode"] == "E010009"


def test_data_file__keeps_the_configuration_and_a_reset_forgets_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = EmulatorApp(
        EmulatorOptions(project_id=PROJECT, management_key="K-test"), data_file=path
    )
    assert "project" not in json.loads(path.read_text())
    put(first, {"name": "Kept", "attributes": {"tenant": [SEATS], "user": []}})
    assert json.loads(path.read_text())["project"] == {"name": "Kept", "attributes": {"user": []}}
    second = EmulatorApp(
        EmulatorOptions(project_id=PROJECT, management_key="K-test"), data_file=path
    )
    assert load(second) == load(first)
    assert second.backend.snapshot()["project"]["name"] == "Kept"
    second.reset()
    assert load(second)["name"] == "Emulated project"
    path.write_text(json.dumps({**json.loads(path.read_text()), "project": []}))
    with pytest.raises(Exception, match="project configuration"):
        EmulatorApp(EmulatorOptions(project_id=PROJECT, management_key="K-test"), data_file=path)
