"""The backend without HTTP: validation paths, seeding, snapshots and options."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import DescopeApiError, DescopeBackend, EmulatorOptions
from emulator.options import apply_switches


@pytest.fixture
def backend() -> DescopeBackend:
    return DescopeBackend(now=lambda: 1700000000.0)


def raises(call: Any, code: str) -> DescopeApiError:
    with pytest.raises(DescopeApiError) as err:
        call()
    assert err.value.code == code
    return err.value


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": 5}, "The name field must be a string"),
        ({"name": "n", "id": 5}, "The id field must be a string"),
        ({"name": "n", "selfProvisioningDomains": "a.com"}, "must be a list of strings"),
        ({"name": "n", "selfProvisioningDomains": [1]}, "must be a list of strings"),
        ({"name": "n", "customAttributes": []}, "The customAttributes field must be an object"),
        ({"name": "n", "disabled": "yes"}, "The disabled field must be a boolean"),
        ({"name": "n", "enforceSSO": 1}, "The enforceSSO field must be a boolean"),
        ({"name": "n", "authType": "ldap"}, "The authType field must be one of"),
    ],
)
def test_create_tenant__bad_types_are_400_invalid_argument(
    backend: DescopeBackend, body: dict[str, Any], message: str
) -> None:
    error = raises(lambda: backend.create_tenant(body), "E011004")

    assert error.status == 400
    assert message in (error.message or "")
    assert backend.tenants == {}


def test_create_tenant__missing_name_key(backend: DescopeBackend) -> None:
    error = raises(lambda: backend.create_tenant({}), "E011002")

    assert error.message == "The name field is required"


def test_create_tenant__unknown_parent_is_not_found(backend: DescopeBackend) -> None:
    raises(lambda: backend.create_tenant({"name": "n", "parent": "ghost"}), "E099001")


def test_create_tenant__deprecated_auth_type_and_role_inheritance(
    backend: DescopeBackend,
) -> None:
    backend.create_tenant({"name": "n", "id": "t", "authType": "saml", "roleInheritance": "x"})

    loaded = backend.load_tenant("t")
    assert (loaded["authType"], loaded["roleInheritance"]) == ("saml", "x")
    backend.update_tenant({"id": "t", "name": "n", "authType": "oidc"})
    assert backend.load_tenant("t")["authType"] == "oidc"


def test_create_tenant__generated_id_retries_on_collision(backend: DescopeBackend) -> None:
    ids = iter(["Tsame", "Tsame", "Tother"])
    backend.id_factory = lambda: next(ids)

    assert backend.create_tenant({"name": "a"}) == {"id": "Tsame"}
    assert backend.create_tenant({"name": "b", "id": ""}) == {"id": "Tother"}


def test_patch_tenant__empty_name_is_name_required(backend: DescopeBackend) -> None:
    backend.create_tenant({"name": "n", "id": "t"})

    error = raises(lambda: backend.patch_tenant({"id": "t", "name": ""}), "E011002")
    assert error.message == "The name field is required"


def test_patch_tenant__missing_id(backend: DescopeBackend) -> None:
    raises(lambda: backend.patch_tenant({"name": "x"}), "E011002")


def test_load_and_settings__empty_id_is_id_required(backend: DescopeBackend) -> None:
    for call in (lambda: backend.load_tenant(None), lambda: backend.load_settings("")):
        assert raises(call, "E011002").message == "The id field is required"


def test_update_settings__bad_sso_setup_and_types(backend: DescopeBackend) -> None:
    backend.create_tenant({"name": "n", "id": "t"})

    for body in (
        {"ssoSetupSuiteSettings": {"enabled": "yes"}},
        {"ssoSetupSuiteSettings": "on"},
        {"inactivityTime": True},
        {"inactivityTime": "3"},
        {"enabled": "true"},
    ):
        raises(lambda body=body: backend.update_settings({"tenantId": "t", **body}), "E011004")
    assert backend.load_settings("t")["inactivityTime"] == 0


def test_update_settings__normalize_domains(backend: DescopeBackend) -> None:
    backend.options.normalize_domains = True
    backend.create_tenant({"name": "n", "id": "t"})

    backend.update_settings({"tenantId": "t", "domains": ["B.com ", "a.COM"]})

    assert backend.load_settings("t")["domains"] == ["a.com", "b.com"]
    assert backend.search_tenants({"tenantSSODomains": ["A.com"]})["tenants"][0]["id"] == "t"


def test_import_flow__bad_shapes_are_400(backend: DescopeBackend) -> None:
    raises(lambda: backend.import_flow("f", None, []), "E011004")
    raises(lambda: backend.import_flow("f", {}, {"id": "s"}), "E011004")
    raises(lambda: backend.import_flow("f", {}, ["s"]), "E011004")
    assert backend.flows == {}


def test_import_flow__screens_may_be_omitted(backend: DescopeBackend) -> None:
    assert backend.import_flow("f", {"name": "F"}, None)["screens"] == []


def test_export_flow__no_id_is_flow_not_found(backend: DescopeBackend) -> None:
    error = raises(lambda: backend.export_flow(None), "E103003")

    assert error.status == 500


def test_seed_flow__needs_an_id(backend: DescopeBackend) -> None:
    with pytest.raises(ValueError, match="needs an id"):
        backend.seed_flow({"name": "x"})


def test_seed_theme_and_import_theme(backend: DescopeBackend) -> None:
    backend.seed_theme({"id": "th", "version": 41})

    assert backend.import_theme({"id": "th"})["theme"]["version"] == 42
    raises(lambda: backend.import_theme(None), "E011004")


def test_snapshot_and_reset(backend: DescopeBackend) -> None:
    backend.create_tenant({"name": "n", "id": "t"})
    backend.import_flow("f", {}, [{"id": "s"}])
    backend.import_theme({"cssTemplate": {"x": 1}})

    snap = backend.snapshot()
    assert [t["id"] for t in snap["tenants"]] == ["t"]
    assert snap["settings"]["t"]["authType"] == "none"
    assert snap["flows"]["f"]["screens"][0]["id"] == "s"
    assert snap["theme"]["version"] == 2

    backend.authz.create_permission({"name": "p"})
    backend.authz.create_role({"name": "r", "tenantId": "t"})

    backend.reset()
    snap = backend.snapshot()
    builtins = {"User Admin", "SSO Admin", "Impersonate"}
    assert {p["name"] for p in snap.pop("permissions")} == builtins
    assert [r["name"] for r in snap.pop("roles")] == ["Tenant Admin"]
    assert snap == {
        "tenants": [],
        "settings": {},
        "flows": {},
        "theme": DescopeBackend().export_theme()["theme"],
        "sso": {},
        "accessKeys": [],
        "tenantAttributes": {},
    }


def test_options__validated() -> None:
    with pytest.raises(ValueError, match="400 or 404"):
        EmulatorOptions(not_found_status=500)
    with pytest.raises(ValueError, match="default_tier"):
        EmulatorOptions(default_tier="gold")


def test_options__management_key_not_in_repr() -> None:
    assert "secret-key" not in repr(EmulatorOptions(management_key="secret-key"))


def test_apply_switches__names_types_and_credentials() -> None:
    options = EmulatorOptions()

    changed = apply_switches(options, {"notFoundStatus": 404, "normalize_domains": True})
    assert (changed.not_found_status, changed.normalize_domains) == (404, True)
    assert options.not_found_status == 400  # a copy
    for bad in (
        {"managementKey": "x"},
        {"management_key": "x"},
        {"nope": 1},
        {"notFoundStatus": "404"},
        {"normalizeDomains": 1},
        {"defaultTier": "tier9"},
    ):
        with pytest.raises(ValueError, match=r"option|default_tier"):
            apply_switches(options, bad)
