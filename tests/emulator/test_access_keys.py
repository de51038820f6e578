"""Access-key endpoints, driven through the real SDK (HTTP and in-process), and their state."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from descope import AssociatedTenant, AuthException

from emulator import EmulatorApp, EmulatorServer
from emulator.exceptions import DescopeApiError
from emulator.persistence import DataFileError
from emulator.resources.access_keys.models import cleartext_hash
from tests.emulator.conftest import Sdk, error_body
from tests.support.inprocess import plain_http_descope

KEY_FIELDS = {
    "id",
    "name",
    "roleNames",
    "keyTenants",
    "status",
    "createdTime",
    "expireTime",
    "createdBy",
    "clientId",
    "boundUserId",
    "customClaims",
    "editable",
    "description",
    "permittedIps",
    "customAttributes",
}
"""The published ``AccessKey`` schema's properties."""


def keys(sdk: Sdk) -> Any:
    return sdk.client.mgmt.access_key


@pytest.fixture
def project(sdk: Sdk) -> Sdk:
    """Two tenants, a project role and a role of tenant acme."""
    sdk.tenant.create("Acme", "acme")
    sdk.tenant.create("Globex", "globex")
    sdk.role.create("member")
    sdk.role.create("acme-ci", tenant_id="acme")
    return sdk


def create(sdk: Sdk, name: str = "ci", tenant: str = "acme", **kw: Any) -> dict[str, Any]:
    roles = kw.pop("roles", ["member"])
    answer: dict[str, Any] = keys(sdk).create(
        name, key_tenants=[AssociatedTenant(tenant, roles)], **kw
    )
    return answer


def refused(err: pytest.ExceptionInfo[AuthException], code: str) -> str:
    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == code
    return str(body["errorMessage"])


def test_create__answers_the_key_and_its_cleartext_once(project: Sdk) -> None:
    answer = create(
        project,
        expire_time=int(time.time()) + 3600,
        description="CI deploys",
        permitted_ips=["10.0.0.0/8", "192.168.1.7"],
        roles=["member", "acme-ci"],
    )

    key, cleartext = answer["key"], answer["cleartext"]
    assert set(key) == KEY_FIELDS
    assert key["id"].startswith("K")
    assert len(key["id"]) == 28
    assert cleartext.startswith(key["id"] + ":")
    assert len(cleartext) > 40
    assert key["keyTenants"] == [
        {"tenantId": "acme", "roleNames": ["member", "acme-ci"], "tenantName": "Acme"}
    ]
    assert (key["status"], key["description"], key["permittedIps"]) == (
        "active",
        "CI deploys",
        ["10.0.0.0/8", "192.168.1.7"],
    )
    loaded = keys(project).load(key["id"])
    assert loaded == {"key": key}
    assert "cleartext" not in json.dumps(loaded)
    assert cleartext not in json.dumps(loaded)
    searched = keys(project).search_all_access_keys(tenant_ids=["acme"])
    assert searched == {"keys": [key]}


def test_cleartext__only_its_hash_is_kept_never_in_state_or_the_request_log(
    project: Sdk,
) -> None:
    answer = create(project)
    cleartext = answer["cleartext"]

    state = json.dumps(project.app.backend.snapshot())
    assert cleartext not in state
    assert cleartext_hash(cleartext) not in state
    assert cleartext not in json.dumps([r.to_json() for r in project.app.requests()])
    stored = project.app.backend.access_keys.keys[answer["key"]["id"]]
    assert stored.secret_hash == cleartext_hash(cleartext)
    assert cleartext not in repr(stored)


def test_search__filters_by_tenant_and_text(project: Sdk) -> None:
    acme = create(project, "acme-ci")["key"]["id"]
    globex = create(project, "globex-ci", tenant="globex")["key"]["id"]

    def found(**kw: Any) -> list[str]:
        return [k["id"] for k in keys(project).search_all_access_keys(**kw)["keys"]]

    assert found() == [acme, globex]
    assert found(tenant_ids=["globex"]) == [globex]
    assert found(tenant_ids=["initech"]) == []
    assert found(bound_user_id="nobody") == []


def test_update__replaces_what_is_sent_and_keeps_the_rest(project: Sdk) -> None:
    key = create(project, description="old", permitted_ips=["10.0.0.1"])["key"]

    keys(project).update(key["id"], "renamed")
    kept = keys(project).load(key["id"])["key"]
    assert (kept["name"], kept["description"], kept["permittedIps"]) == (
        "renamed",
        "old",
        ["10.0.0.1"],
    )
    keys(project).update(key["id"], "renamed", description="new", permitted_ips=[])
    changed = keys(project).load(key["id"])["key"]
    assert (changed["description"], changed["permittedIps"]) == ("new", [])
    assert changed["keyTenants"] == key["keyTenants"]


def test_update__the_spec_s_roles_fields_replace_the_roles(project: Sdk) -> None:
    key = create(project)["key"]

    answer = project.app.backend.access_keys.update(
        {"id": key["id"], "name": "ci", "keyTenants": [{"tenantId": "acme", "roleNames": []}]}
    )

    assert answer["key"]["keyTenants"][0]["roleNames"] == []


def test_deactivate_and_activate__change_the_status_only(project: Sdk) -> None:
    key = create(project)["key"]

    keys(project).deactivate(key["id"])
    assert keys(project).load(key["id"])["key"]["status"] == "inactive"
    keys(project).activate(key["id"])
    assert keys(project).load(key["id"])["key"] == key


def test_batch_calls__act_on_every_id_or_on_none(project: Sdk) -> None:
    first, second = (create(project, n)["key"]["id"] for n in ("a", "b"))

    keys(project).deactivate_batch([first, second])
    assert {k["status"] for k in keys(project).search_all_access_keys()["keys"]} == {"inactive"}
    keys(project).activate_batch([first])
    assert keys(project).load(first)["key"]["status"] == "active"
    with pytest.raises(AuthException) as err:
        keys(project).delete_batch([first, "Kghost"])
    refused(err, "E099301")
    assert len(keys(project).search_all_access_keys()["keys"]) == 2
    keys(project).delete_batch([first, second])
    assert keys(project).search_all_access_keys() == {"keys": []}


def test_delete__the_key_is_gone(project: Sdk) -> None:
    key = create(project)["key"]

    keys(project).delete(key["id"])

    with pytest.raises(AuthException) as err:
        keys(project).load(key["id"])
    assert key["id"] in refused(err, "E099301")


def test_rotate__a_new_cleartext_for_the_same_key(project: Sdk) -> None:
    first = create(project)

    rotated = keys(project).rotate(first["key"]["id"])

    assert rotated["key"] == first["key"]
    assert rotated["cleartext"] != first["cleartext"]
    stored = project.app.backend.access_keys.keys[first["key"]["id"]]
    assert stored.secret_hash == cleartext_hash(rotated["cleartext"])


@pytest.mark.parametrize(
    ("kwargs", "code", "words"),
    [
        ({"roles": ["ghost"]}, "E011004", "'ghost' not found"),
        ({"tenant": "globex", "roles": ["acme-ci"]}, "E011004", "'acme-ci' not found"),
        ({"tenant": "initech"}, "E099001", "initech"),
        ({"permitted_ips": ["10.0.0.300"]}, "E011004", "not an IP address or CIDR"),
        ({"expire_time": 1000}, "E011004", "in the future"),
        ({"expire_time": -1}, "E011004", "Unix seconds"),
    ],
)
def test_create__refuses_what_descope_would(
    project: Sdk, kwargs: dict[str, Any], code: str, words: str
) -> None:
    with pytest.raises(AuthException) as err:
        create(project, **kwargs)

    assert words in refused(err, code)
    assert keys(project).search_all_access_keys() == {"keys": []}


def test_create__a_project_role_name_outside_tenants_must_exist(project: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        keys(project).create("ci", role_names=["acme-ci"])

    assert "'acme-ci' not found" in refused(err, "E011004")
    assert keys(project).create("ci", role_names=["member"])["key"]["roleNames"] == ["member"]


def test_unknown_id_and_missing_fields(project: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        keys(project).activate("Kghost")
    refused(err, "E099301")
    key = create(project)["key"]
    with pytest.raises(DescopeApiError) as missing:
        project.app.backend.access_keys.update({"id": key["id"]})  # the SDK always sends name
    assert missing.value.code == "E011002"
    with pytest.raises(DescopeApiError) as no_id:
        project.app.backend.access_keys.load(None)
    assert no_id.value.code == "E011002"


def test_deleting_a_tenant__deletes_its_keys_and_unbinds_shared_ones(project: Sdk) -> None:
    own = create(project, "own")["key"]["id"]
    shared = keys(project).create(
        "shared", key_tenants=[AssociatedTenant("acme"), AssociatedTenant("globex")]
    )["key"]["id"]

    project.tenant.delete("acme")

    assert [k["id"] for k in keys(project).search_all_access_keys()["keys"]] == [shared]
    assert [t["tenantId"] for t in keys(project).load(shared)["key"]["keyTenants"]] == ["globex"]
    assert own not in project.app.backend.access_keys.keys


def test_reset__forgets_every_key(project: Sdk) -> None:
    create(project)

    project.app.reset()

    assert project.app.backend.access_keys.keys == {}


def test_data_file__keeps_keys_with_the_hash_only_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        options = first.app.options
        client = plain_http_descope(options.project_id, options.management_key, first.url)
        client.mgmt.tenant.create("Acme", "acme")
        answer = client.mgmt.access_key.create("ci", key_tenants=[AssociatedTenant("acme")])
        client.mgmt.access_key.deactivate(answer["key"]["id"])
        before = client.mgmt.access_key.load(answer["key"]["id"])

    text = path.read_text()
    assert answer["cleartext"] not in text
    assert cleartext_hash(answer["cleartext"]) in text
    with EmulatorServer(data_file=path) as second:
        options = second.app.options
        client = plain_http_descope(options.project_id, options.management_key, second.url)
        assert client.mgmt.access_key.load(answer["key"]["id"]) == before


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"id": "K1", "name": "a", "createdTime": 1}, "cleartextHash"),
        ({"id": "K1", "name": "a", "createdTime": "x", "cleartextHash": "h"}, "createdTime"),
        (
            {"id": "K1", "name": "a", "createdTime": 1, "cleartextHash": "h", "status": "x"},
            "status",
        ),
        (
            {
                "id": "K1",
                "name": "a",
                "createdTime": 1,
                "cleartextHash": "h",
                "keyTenants": [{"tenantId": "ghost"}],
            },
            "tenant 'ghost' is absent",
        ),
        (
            {"id": "K1", "name": "a", "createdTime": 1, "cleartextHash": "h", "keyTenants": 1},
            "list",
        ),
    ],
)
def test_data_file__a_bad_access_key_is_one_line_naming_it(
    tmp_path: Path, entry: dict[str, Any], why: str
) -> None:
    path = tmp_path / "state.json"
    state = {
        "format": "descope-emulator-state",
        "version": 1,
        "tenants": [],
        "flows": {},
        "theme": {"version": 1},
        "accessKeys": [entry],
    }
    path.write_text(json.dumps(state))

    with pytest.raises(DataFileError) as err:
        EmulatorApp(data_file=path)

    assert why in str(err.value)
    assert "accessKeys[0]" in str(err.value)


def test_data_file__two_keys_with_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    entry = {"id": "K1", "name": "a", "createdTime": 1, "cleartextHash": "h"}
    path.write_text(
        json.dumps(
            {
                "format": "descope-emulator-state",
                "version": 1,
                "tenants": [],
                "flows": {},
                "theme": {"version": 1},
                "accessKeys": [entry, entry],
            }
        )
    )

    with pytest.raises(DataFileError, match="appears twice"):
        EmulatorApp(data_file=path)
