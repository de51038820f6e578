"""The data file: the whole state survives a restart; writes are atomic; bad files are one line."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import (
    AuthException,
    DescopeClient,
    RoleMapping,
    SSOOIDCSettings,
    SSOSAMLSettings,
    XAASettings,
)

from emulator import EmulatorApp, EmulatorServer
from emulator.persistence import DataFile, DataFileError
from tests.emulator.conftest import error_body
from tests.support.inprocess import plain_http_descope


def _client(server: EmulatorServer) -> DescopeClient:
    options = server.app.options
    return plain_http_descope(options.project_id, options.management_key, server.url)


def _fill(client: DescopeClient) -> None:
    """One of everything the data file keeps."""
    tenant = client.mgmt.tenant
    tenant.create("Parent", "parent", ["parent.com"])
    tenant.create("Acme", "acme", ["acme.com"], enforce_sso=True, disabled=True)
    tenant.update_settings(
        "acme",
        ["acme.com"],
        domains=["sso.acme.com"],
        auth_type="saml",
        session_settings_enabled=True,
        refresh_token_expiration=7,
        refresh_token_expiration_unit="days",
    )
    tenant.patch_tenant("acme", role_inheritance="none")
    client.mgmt.flow.import_flow("sign-in", {"name": "Sign in"}, [{"id": "s1", "inputs": []}])
    client.mgmt.flow.import_theme({"cssTemplate": {"light": {"x": 1}}})


def _everything(client: DescopeClient) -> dict[str, Any]:
    tenant = client.mgmt.tenant
    return {
        "tenants": tenant.load_all(),
        "settings": {t: tenant.load_settings(t) for t in ("parent", "acme")},
        "flow": client.mgmt.flow.export_flow("sign-in"),
        "theme": client.mgmt.flow.export_theme(),
    }


def test_data_file__the_whole_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        client = _client(first)
        _fill(client)
        first.app.backend.create_tenant({"name": "Child", "id": "child", "parent": "parent"})
        first.app.save()
        before = _everything(client)

    with EmulatorServer(data_file=path) as second:
        after = _everything(_client(second))

    assert after == before
    assert [t["id"] for t in after["tenants"]["tenants"]] == ["parent", "acme", "child"]
    assert after["tenants"]["tenants"][0]["successors"] == ["child"]


def test_data_file__missing_file_is_created_at_start_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    EmulatorApp(data_file=path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert (data["format"], data["version"], data["tenants"]) == ("descope-emulator-state", 1, [])


def test_data_file__every_changing_request_is_saved_at_once(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as server:
        client = _client(server)
        client.mgmt.tenant.create("Acme", "acme")
        assert [t["id"] for t in json.loads(path.read_text())["tenants"]] == ["acme"]

        client.mgmt.tenant.patch_tenant("acme", name="Acme 2")
        assert json.loads(path.read_text())["tenants"][0]["name"] == "Acme 2"

        client.mgmt.tenant.delete("acme")
        assert json.loads(path.read_text())["tenants"] == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temp files left


def test_data_file__reads_and_unchanged_state_do_not_rewrite_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as server:
        client = _client(server)
        client.mgmt.tenant.create("Acme", "acme")
        written = path.stat().st_ino

        client.mgmt.tenant.load_all()
        client.mgmt.tenant.search_all(ids=["acme"])  # a POST that changes nothing
        client.mgmt.flow.list_flows()

        assert path.stat().st_ino == written  # every write renames a new file into place


def test_data_file__a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    app = EmulatorApp(data_file=path)
    app.backend.create_tenant({"name": "Acme", "id": "acme"})
    app.save()
    saved = path.read_bytes()

    def no_rename(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    app.backend.create_tenant({"name": "Beta", "id": "beta"})
    with pytest.raises(OSError, match="No space"):
        app.save()

    assert path.read_bytes() == saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_data_file__a_failed_write_during_a_request_is_500_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as server:
        client = _client(server)

        def full_disk(self: DataFile, state: object) -> bool:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(DataFile, "save", full_disk)
        with pytest.raises(AuthException) as err:
            client.mgmt.tenant.create("Acme", "acme")

    assert err.value.status_code == 500
    body = error_body(err)
    assert body["errorCode"] == "E099500"
    assert str(path) in body["errorMessage"]
    assert "No space left on device" in body["errorMessage"]


def test_admin_reset__empties_the_data_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as server:
        _fill(_client(server))

        assert httpx.post(f"{server.url}/emulator/reset").status_code == 200

        data = json.loads(path.read_text())
        assert (data["tenants"], data["flows"], data["theme"]["version"]) == ([], {}, 1)
    with EmulatorServer(data_file=path) as again:
        assert _client(again).mgmt.tenant.load_all() == {"tenants": []}


def test_admin_reset__a_failed_save_is_500(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer(data_file=tmp_path / "state.json") as server:

        def full_disk(self: DataFile, state: object) -> bool:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(DataFile, "save", full_disk)
        response = httpx.post(f"{server.url}/emulator/reset")

    assert response.status_code == 500
    assert response.json()["errorCode"] == "E099500"


def _valid_state() -> dict[str, Any]:
    return {
        "format": "descope-emulator-state",
        "version": 1,
        "tenants": [{"id": "acme", "name": "Acme", "createdTime": 1700000000}],
        "flows": {"f": {"flow": {"id": "f", "version": 1}, "screens": [{"id": "s", "version": 1}]}},
        "theme": {"version": 3},
    }


def test_data_file__a_minimal_state_loads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_valid_state()))

    app = EmulatorApp(data_file=path)

    tenant = app.backend.load_tenant("acme")
    assert (tenant["authType"], tenant["domains"], tenant["createdTime"]) == (
        "none",
        [],
        1700000000,
    )
    suite = app.backend.load_settings("acme")["ssoSetupSuiteSettings"]
    assert (suite["enabled"], suite["styleId"], set(suite["disabledFeatures"].values())) == (
        False,
        "",
        {False},
    )
    assert app.backend.export_theme()["theme"]["version"] == 3


def _with(change: dict[str, Any]) -> dict[str, Any]:
    state = _valid_state()
    for dotted, value in change.items():
        target: Any = state
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return state


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "it is not valid JSON"),
        ("[1, 2]", "the file must be a JSON object"),
        (json.dumps({"tenants": []}), 'no "format": "descope-emulator-state" key'),
        (json.dumps(_with({"version": 9})), "it has version 9; this emulator reads version 1"),
        (json.dumps(_with({"tenants.0.createdTime": "x"})), "tenants[0].createdTime"),
        (json.dumps(_with({"tenants.0.name": ""})), "tenants[0].name must be a non-empty"),
        (json.dumps(_with({"tenants.0.domains": "a.com"})), "tenants[0].domains"),
        (json.dumps(_with({"tenants.0.disabled": "no"})), "tenants[0].disabled"),
        (json.dumps(_with({"tenants.0.settings": []})), "tenants[0].settings must be a JSON"),
        (json.dumps(_with({"tenants.0.parent": "ghost"})), "parent 'ghost', which is absent"),
        (json.dumps(_with({"tenants": [{"id": "a", "name": "A", "createdTime": 1}] * 2})), "twice"),
        (json.dumps(_with({"tenants": {}})), "the file.tenants must be a list"),
        (json.dumps(_with({"flows.f.flow.id": "g"})), "flows['f'].flow.id must be 'f'"),
        (json.dumps(_with({"flows.f.screens": [{"id": "s"}]})), "screens[0].version"),
        (json.dumps(_with({"theme": None})), "theme must be a JSON object"),
        (json.dumps(_with({"tenants.0.customAttributes": []})), "customAttributes"),
    ],
)
def test_data_file__an_unusable_file_is_one_line_naming_it_and_changes_nothing(
    tmp_path: Path, content: str, why: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)

    with pytest.raises(DataFileError) as err:
        EmulatorApp(data_file=path)

    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    assert why in message
    assert "Fix the file, or move it away to start with an empty project" in message
    assert path.read_text() == content  # never overwritten


def test_data_file__an_unreadable_path_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()

    with pytest.raises(DataFileError, match=r"cannot read the emulator data file .*a-folder"):
        EmulatorApp(data_file=folder)


def test_data_file__an_unwritable_place_is_an_error_at_start(tmp_path: Path) -> None:
    path = tmp_path / "missing-folder" / "state.json"

    with pytest.raises(DataFileError) as err:
        EmulatorApp(data_file=path)

    assert str(path) in str(err.value)
    assert "make sure its folder exists and is writable" in str(err.value)


def test_server__data_file_goes_with_options_not_with_an_app(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not both"):
        EmulatorServer(EmulatorApp(), data_file=tmp_path / "state.json")


# --- per-tenant SSO --------------------------------------------------------------------------

SSO_SECRET = "persisted-oidc-secret-Q7x"


def _fill_sso(client: DescopeClient) -> None:
    """Every kind of SSO state: default SAML with mappings, a further OIDC one, XAA, a link."""
    client.mgmt.tenant.create("Acme", "acme")
    client.mgmt.role.create("viewer")
    sso = client.mgmt.sso
    sso.configure_saml_settings(
        "acme",
        SSOSAMLSettings(
            idp_url="https://idp.acme.com/saml",
            idp_entity_id="entity",
            idp_cert="certificate",
            role_mappings=[RoleMapping(groups=["admins"], role_name="viewer")],
            default_sso_roles=["viewer"],
            disable_sign_request=True,
        ),
        redirect_url="https://app.acme.com/after",
        domains=["acme.com"],
    )
    sso.new_settings("acme", "Contractors", sso_id="contractors")
    sso.configure_auth_type("acme", "oidc", sso_id="contractors")
    sso.configure_oidc_settings(
        "acme",
        SSOOIDCSettings(name="Okta", client_id="cid", client_secret=SSO_SECRET, use_pkce=True),
    )
    sso.configure_xaa_settings("acme", XAASettings(enabled=True, allow_override_roles=True))
    client.mgmt.tenant.generate_sso_configuration_link("acme", expire_time=600)


def _sso_view(server: EmulatorServer) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/emulator/state")
    response.raise_for_status()
    sso: dict[str, Any] = response.json()["sso"]
    return sso


def test_data_file__sso_configurations_and_links_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        client = _client(first)
        _fill_sso(client)
        before = (
            client.mgmt.sso.load_all_settings("acme"),
            client.mgmt.sso.load_all_xaa_settings("acme"),
            _sso_view(first),
        )

    with EmulatorServer(data_file=path) as second:
        client = _client(second)
        after = (
            client.mgmt.sso.load_all_settings("acme"),
            client.mgmt.sso.load_all_xaa_settings("acme"),
            _sso_view(second),
        )
        stored = second.app.backend.sso.configurations["acme"]

    assert after == before
    assert [c["ssoId"] for c in after[0]["SSOSettings"]] == ["", "contractors"]
    assert after[2]["acme"]["configurations"][0]["clientSecretStored"] is True
    assert stored[""].saml.disable_sign_request is True
    assert stored[""].oidc.use_pkce is True
    assert len(after[2]["acme"]["adminLinks"]) == 1


def test_data_file__keeps_a_hash_of_a_client_secret_never_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        _fill_sso(_client(first))

    text = path.read_text()
    assert SSO_SECRET not in text
    digest = hashlib.sha256(SSO_SECRET.encode()).hexdigest()
    assert (
        json.loads(text)["sso"]["acme"]["configurations"][0]["oidc"]["clientSecretSha256"] == digest
    )

    with EmulatorServer(data_file=path) as second:  # restored, then saved again unchanged
        client = _client(second)
        client.mgmt.tenant.create("Other", "other")
        assert client.mgmt.sso.load_settings("acme")["oidc"]["clientSecret"] == ""
    assert SSO_SECRET not in path.read_text()
    saved = json.loads(path.read_text())["sso"]["acme"]["configurations"][0]["oidc"]
    assert saved["clientSecretSha256"] == digest


def test_data_file__deleting_a_tenant_drops_its_sso_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as server:
        client = _client(server)
        _fill_sso(client)
        client.mgmt.tenant.delete("acme")

    assert json.loads(path.read_text())["sso"] == {}


@pytest.mark.parametrize(
    ("sso", "why"),
    [
        ([], "sso must be a JSON object"),
        ({"ghost": {}}, "sso['ghost'] is for tenant 'ghost', which is absent"),
        ({"acme": {"configurations": {}}}, "sso['acme'].configurations must be a list"),
        (
            {"acme": {"configurations": [{"ssoId": ""}, {"ssoId": ""}]}},
            "holds ssoId '' twice",
        ),
        (
            {"acme": {"configurations": [{"ssoId": "", "saml": {"idpSsoUrl": 1}}]}},
            "configurations[0].saml.idpSsoUrl must be a str",
        ),
        (
            {"acme": {"configurations": [{"ssoId": "", "domains": "a.com"}]}},
            "configurations[0].domains must be a list of strings",
        ),
        (
            {"acme": {"configurations": [{"groupMappings": [{"roleId": 1}]}]}},
            "groupMappings[0].roleId must be a string",
        ),
        ({"acme": {"adminLinks": [{"createdTime": "x"}]}}, "adminLinks[0].createdTime"),
        ({"acme": {"adminLinks": [{"expiresTime": True}]}}, "adminLinks[0].expiresTime"),
        ({"acme": {"adminLinks": [{"email": 3}]}}, "adminLinks[0].email must be a string"),
    ],
)
def test_data_file__unusable_sso_is_one_line_naming_it(tmp_path: Path, sso: Any, why: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({**_valid_state(), "sso": sso}))

    with pytest.raises(DataFileError) as err:
        EmulatorApp(data_file=path)

    assert "\n" not in str(err.value)
    assert why in str(err.value)
