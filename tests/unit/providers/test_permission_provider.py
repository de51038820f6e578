"""PermissionProvider against the real SDK over the in-process emulator (no sockets, no host)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient
from descope.exceptions import AuthException

from emulator.app import EmulatorApp
from providers import permission
from providers.backups import read_snapshot
from providers.errors import DescopeApiError
from providers.permission import PermissionProvider
from tests.unit.providers import authz_fakes, tenant_fakes
from tests.unit.providers.authz_fakes import checked, created
from tests.unit.providers.tenant_fakes import counts

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
sleeps = tenant_fakes.sleeps
permissions = authz_fakes.permissions

CREATE = "POST /v1/mgmt/permission/create"
UPDATE = "POST /v1/mgmt/permission/update"
DELETE = "POST /v1/mgmt/permission/delete"
LIST = "GET /v1/mgmt/permission/all"


def billing(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"name": "billing.read", "description": "Read invoices"}
    props.update(changes)
    return props


def held(app: EmulatorApp) -> dict[str, str]:
    return {
        p["name"]: p["description"]
        for p in app.backend.authz.load_permissions()["permissions"]
        if not p["systemDefault"]
    }


def test_check__returns_canonical_inputs_and_refuses_in_model_words(
    permissions: PermissionProvider,
) -> None:
    assert checked(permissions, {"name": "billing.read"}) == {
        "name": "billing.read",
        "description": "",
    }
    result = permissions.check({}, {"name": " padded", "descripton": "typo"})
    assert {f.property for f in result.failures} == {"name", "descripton"}
    builtin = permissions.check({}, {"name": "User Admin"})
    assert [f.property for f in builtin.failures] == ["name"]
    assert "built-in" in builtin.failures[0].reason


def test_diff__a_rename_or_a_new_description_is_an_update(
    permissions: PermissionProvider,
) -> None:
    inputs, outputs = created(permissions, billing())
    assert permissions.diff("billing.read", outputs, inputs).changes is False
    renamed = permissions.diff("billing.read", outputs, {**inputs, "name": "invoices.read"})
    assert (renamed.changes, renamed.replaces) == (True, [])
    assert permissions.diff("billing.read", outputs, {**inputs, "description": "x"}).changes


def test_create__is_one_call(permissions: PermissionProvider, app: EmulatorApp) -> None:
    _, outputs = created(permissions, billing())
    assert counts(app) == {CREATE: 1}
    assert held(app) == {"billing.read": "Read invoices"}
    assert outputs == {"name": "billing.read", "description": "Read invoices"}


def test_create__adopts_the_same_and_refuses_a_different_one(
    permissions: PermissionProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.permission.create("billing.read", "Read invoices")
    app.counters.reset()
    created(permissions, billing())
    assert counts(app) == {CREATE: 1, LIST: 1}
    with pytest.raises(DescopeApiError) as caught:
        created(permissions, billing(description="Something else"))
    text = str(caught.value)
    assert 'Descope already has Descope permission "billing.read"' in text
    assert 'Descope holds description "Read invoices"' in text
    assert held(app) == {"billing.read": "Read invoices"}


def test_create__a_lost_answer_of_a_create_that_happened_is_success(
    permissions: PermissionProvider, descope: DescopeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = descope.mgmt.permission.create

    def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        real_create(*args, **kwargs)
        raise AuthException(500, "server error", '{"errorCode":"E010009"}')

    monkeypatch.setattr(descope.mgmt.permission, "create", create_then_fail)
    created(permissions, billing())


def test_read__sees_console_edits_and_drops_a_permission_gone(
    permissions: PermissionProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    inputs, outputs = created(permissions, billing())
    descope.mgmt.permission.update("billing.read", "billing.read", "Edited")
    app.counters.reset()
    result = permissions.read("billing.read", outputs)
    assert counts(app) == {LIST: 1}
    assert result.outs == {"name": "billing.read", "description": "Edited"}
    assert permissions.diff("billing.read", result.outs, inputs).changes
    descope.mgmt.permission.delete("billing.read")
    assert permissions.read("billing.read", outputs).id is None


def test_refresh_of_many_permissions_shares_one_listing(
    permissions: PermissionProvider, app: EmulatorApp
) -> None:
    recorded = [created(permissions, billing(name=f"p{i}"))[1] for i in range(5)]
    app.counters.reset()
    with permission.permissions.reading():
        results = [permissions.read(o["name"], o) for o in recorded]
    assert counts(app) == {LIST: 1}
    assert [r.id for r in results] == [f"p{i}" for i in range(5)]


def test_update__renames_with_new_name(
    permissions: PermissionProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outputs = created(permissions, billing())
    descope.mgmt.role.create("viewer-of-bills", permission_names=["billing.read"])
    app.counters.reset()
    news = checked(permissions, billing(name="invoices.read"))
    result = permissions.update("billing.read", outputs, news)
    assert counts(app) == {UPDATE: 1}
    assert held(app) == {"invoices.read": "Read invoices"}
    assert result.outs == news


def test_update__a_permission_gone_says_refresh(
    permissions: PermissionProvider, descope: DescopeClient
) -> None:
    inputs, outputs = created(permissions, billing())
    descope.mgmt.permission.delete("billing.read")
    with pytest.raises(DescopeApiError, match="pulumi refresh"):
        permissions.update("billing.read", outputs, {**inputs, "description": "x"})


def test_delete__snapshots_then_deletes_and_a_second_delete_is_done(
    permissions: PermissionProvider,
    app: EmulatorApp,
    backup_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, outputs = created(permissions, billing())
    app.counters.reset()
    permissions.delete("billing.read", outputs)
    assert counts(app) == {LIST: 1, DELETE: 1}
    assert held(app) == {}
    (path,) = backup_dir.glob("*.json")
    snapshot = read_snapshot(path)
    assert (snapshot.kind, snapshot.id) == ("permission", "billing.read")
    assert snapshot.content == {
        "permission": {
            "id": snapshot.content["permission"]["id"],
            "name": "billing.read",
            "description": "Read invoices",
            "systemDefault": False,
        }
    }
    with caplog.at_level(logging.WARNING):
        permissions.delete("billing.read", outputs)
    assert "already deleted" in caplog.text


def test_registered_name() -> None:
    assert permission.registered_name("billing.read") == "permission-billing.read"


def test_a_permission_descope_holds_in_another_unicode_form_is_the_declared_one(
    permissions: PermissionProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    nfc, nfd = "r\u00e9sum\u00e9.read", "re\u0301sume\u0301.read"
    inputs, outputs = created(permissions, billing(name=nfd))
    assert inputs["name"] == nfc
    descope.mgmt.permission.update(nfc, nfd, "Read invoices")

    read = permissions.read(nfc, outputs)
    assert read.outs == {"name": nfd, "description": "Read invoices"}
    assert permissions.diff(nfc, read.outs, inputs).changes is False

    news = checked(permissions, billing(name=nfc, description="Edited"))
    permissions.update(nfc, read.outs, news)
    assert held(app) == {nfc: "Edited"}

    descope.mgmt.permission.update(nfc, nfd, "Edited")
    permissions.delete(nfc, {"name": nfd, "description": "Edited"})
    assert held(app) == {}
