"""The tenant provider never acts on an answer it did not understand, never deletes or adopts
without a verified, durable snapshot, and never records what Descope does not hold.

Descope is the in-process emulator; `Garbler` replaces chosen answers with bodies Descope
would never send, after Descope acted (``forward=True``) or instead of it (``forward=False``).
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient

from emulator.app import EmulatorApp
from providers import listing
from providers.errors import (
    AnswerNotUnderstood,
    DescopeProviderError,
    PartialFailure,
    SnapshotRefused,
    TenantAlreadyExists,
)
from providers.tenant import TenantProvider
from tests.support.garble import Garbler
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import acme, counts, warnings_logged

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps

LOAD = "/v1/mgmt/tenant"
SETTINGS_PATH = "/v1/mgmt/tenant/settings"
CREATE = "/v1/mgmt/tenant/create"
PATCH = "/v1/mgmt/tenant/patch"
ROLES = "/v1/mgmt/tenant/updateDefaultRoles"
DELETE = "/v1/mgmt/tenant/delete"
SETTINGS = {"domains": ["sso.acme.com"], "authType": "saml"}
NEVER_SHOWN = ("JSONDecodeError", "KeyError", "TypeError", "OSError", "Errno", "Traceback")


@pytest.fixture
def garble(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> Garbler:
    return Garbler(app, monkeypatch)


def checked(provider: TenantProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, props)
    assert result.failures == []
    return result.inputs


def created(provider: TenantProvider, props: dict[str, Any]) -> dict[str, Any]:
    outs = provider.create(checked(provider, props)).outs
    assert outs is not None
    return outs


def snapshots(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def held(app: EmulatorApp) -> dict[str, Any]:
    """Everything Descope holds, to compare before and after."""
    state: dict[str, Any] = app.backend.snapshot()
    return state


def user_text(error: BaseException) -> str:
    text = str(error)
    for word in NEVER_SHOWN:
        assert word not in text, text
    return text


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOAD, SETTINGS_PATH])
@pytest.mark.parametrize("kind", ["empty-object", "html", "other-id"])
def test_read__an_answer_not_understood_fails_and_never_drops_the_tenant(
    provider: TenantProvider, garble: Garbler, path: str, kind: Any
) -> None:
    outputs = created(provider, acme(settings=SETTINGS))
    garble.on("GET", path, kind)
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.read("acme", outputs)
    text = user_text(caught.value)
    assert text.startswith('Unable to read Descope tenant "acme": Descope\'s answer to the ')
    assert f" (GET {path}) was not understood" in text
    assert "Nothing was changed in Descope. The state is unchanged." in text
    assert provider.read("acme", outputs).outs == outputs


def test_read__a_listing_not_understood_is_not_used(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    outputs = created(provider, acme())
    garble.on("GET", "/v1/mgmt/tenant/all", "other-id", times=None)
    with listing.reading(), listing.reading():
        assert provider.read("acme", outputs).outs == outputs
    assert counts(app)["GET /v1/mgmt/tenant/all"] == 1
    assert listing.listing.fetches == 1


# --- delete ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOAD, SETTINGS_PATH])
@pytest.mark.parametrize("kind", ["empty-object", "empty-body", "truncated", "html", "other-id"])
def test_delete__refused_when_what_descope_holds_is_not_understood(
    provider: TenantProvider,
    garble: Garbler,
    app: EmulatorApp,
    backup_dir: Path,
    path: str,
    kind: Any,
) -> None:
    outputs = created(provider, acme(settings=SETTINGS))
    before = held(app)
    garble.on("GET", path, kind)
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.delete("acme", outputs)
    text = user_text(caught.value)
    assert text.startswith('Unable to delete Descope tenant "acme": ')
    assert "The tenant was not deleted: nothing is deleted without a snapshot" in text
    assert held(app) == before
    assert snapshots(backup_dir) == []


def test_delete__an_answer_not_understood_after_deleting_is_settled_by_a_load(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp, backup_dir: Path
) -> None:
    outputs = created(provider, acme())
    garble.on("POST", DELETE, "html", forward=True)
    with warnings_logged() as warned:
        provider.delete("acme", outputs)
    assert "acme" not in app.backend.tenants
    [snapshot] = snapshots(backup_dir)
    assert snapshot["content"]["tenant"]["name"] == "Acme"
    assert any("but the tenant is gone" in w for w in warned)


def test_delete__an_answer_not_understood_instead_of_deleting_says_it_was_not_deleted(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp, backup_dir: Path
) -> None:
    outputs = created(provider, acme())
    garble.on("POST", DELETE, "empty-body", forward=False)
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.delete("acme", outputs)
    text = user_text(caught.value)
    assert "the delete (POST /v1/mgmt/tenant/delete) was not understood" in text
    assert "got an empty body" in text
    assert "Loading it shows it still exists: it was not deleted." in text
    [path] = sorted(backup_dir.glob("*.json"))
    assert str(path) in text
    assert "acme" in app.backend.tenants


def test_delete__an_answer_not_understood_and_no_load_says_it_is_not_known(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    outputs = created(provider, acme())
    garble.on("POST", DELETE, "truncated", forward=False)
    garble.on("GET", LOAD, "html", skip=1)
    with pytest.raises(AnswerNotUnderstood, match="so it is not known whether it was"):
        provider.delete("acme", outputs)
    assert "acme" in app.backend.tenants


# --- snapshots that cannot be written ---------------------------------------------------------


def unusable(kind: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make `folder` unusable as `kind` says; returns the reason the user should read."""
    if kind == "file in the way":
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.write_text("not a folder")
        return "File exists"
    if kind == "read-only":
        folder.mkdir(parents=True)
        folder.chmod(0o500)
        if os.geteuid() == 0:  # root writes to read-only folders: make it refuse as for a user

            def refused(*_: Any, **__: Any) -> Any:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

            monkeypatch.setattr(tempfile, "mkstemp", refused)
        return "Permission denied"

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    return "No space left on device"


@pytest.mark.parametrize("kind", ["file in the way", "read-only", "disk full"])
def test_delete__refused_when_the_snapshot_cannot_be_written(
    provider: TenantProvider,
    app: EmulatorApp,
    backup_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    outputs = created(provider, acme())
    reason = unusable(kind, backup_dir, monkeypatch)
    with pytest.raises(SnapshotRefused) as caught:
        provider.delete("acme", outputs)
    text = user_text(caught.value)
    assert text.startswith('Refusing to delete Descope tenant "acme": its snapshot could not be ')
    assert f"written to the backups folder {backup_dir.absolute()} ({reason})" in text
    assert "nothing is deleted without a snapshot. Nothing was changed in Descope." in text
    assert "descope-config:backupDir" in text
    assert "acme" in app.backend.tenants
    if backup_dir.is_dir():
        backup_dir.chmod(0o700)
        assert list(backup_dir.iterdir()) == []  # no temp file left behind


def test_adopt__refused_when_the_snapshot_cannot_be_written(
    provider: TenantProvider,
    descope: DescopeClient,
    app: EmulatorApp,
    backup_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    descope.mgmt.tenant.create("Old", "acme")
    before = held(app)
    unusable("file in the way", backup_dir, monkeypatch)
    with pytest.raises(SnapshotRefused, match='Refusing to adopt Descope tenant "acme"'):
        created(provider, acme(adopt=True))
    assert held(app) == before


def test_create__a_rollback_without_a_snapshot_says_exactly_what_is_left(
    provider: TenantProvider,
    app: EmulatorApp,
    backup_dir: Path,
    garble: Garbler,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unusable("file in the way", backup_dir, monkeypatch)
    garble.on("POST", SETTINGS_PATH, "html", forward=False)
    with pytest.raises(PartialFailure) as caught:
        created(provider, acme(defaultRoles=[], settings=SETTINGS))
    text = user_text(caught.value)
    assert "the tenant was created but setting its settings failed, and deleting it again" in text
    assert "its snapshot could not be written" in text
    assert 'Tenant "acme" now exists in Descope, with the name and tenant fields' in text
    assert "without its settings" in text
    assert app.backend.tenants["acme"].auth_type == "none"


# --- create ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["empty-object", "empty-body", "truncated", "html", "other-id"])
def test_create__an_answer_not_understood_after_creating_is_recognised_as_ours(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp, kind: Any
) -> None:
    garble.on("POST", CREATE, kind, forward=True)
    outputs = created(provider, acme(settings=SETTINGS))
    assert app.backend.tenants["acme"].auth_type == "saml"
    assert provider.read("acme", outputs).outs == outputs


def test_create__an_answer_not_understood_instead_of_creating_says_nothing_was_created(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    garble.on("POST", CREATE, "html", forward=False)
    with pytest.raises(AnswerNotUnderstood) as caught:
        created(provider, acme())
    text = user_text(caught.value)
    assert text.startswith('Unable to create Descope tenant "acme": ')
    assert "the create (POST /v1/mgmt/tenant/create) was not understood" in text
    assert "'<!DOCTYPE html> <html><head><title>Sign in - Corporate Proxy" in text
    assert "Loading the tenant shows it was not created. Nothing was changed in Descope." in text
    assert app.backend.tenants == {}


def test_create__an_answer_not_understood_and_no_load_says_the_tenant_may_exist(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    garble.on("POST", CREATE, "empty-object", forward=True)
    garble.on("GET", LOAD, "truncated")
    with pytest.raises(AnswerNotUnderstood, match="it may exist in Descope without being"):
        created(provider, acme())
    # the next run recognises the tenant its create made
    created(provider, acme())


@pytest.mark.parametrize(("path", "step"), [(SETTINGS_PATH, "settings"), (ROLES, "default roles")])
def test_create__a_later_step_not_made_is_rolled_back_snapshot_first(
    provider: TenantProvider,
    garble: Garbler,
    app: EmulatorApp,
    backup_dir: Path,
    path: str,
    step: str,
) -> None:
    garble.on("POST", path, "empty-body", forward=False)
    with pytest.raises(PartialFailure) as caught:
        created(provider, acme(settings=SETTINGS))
    text = user_text(caught.value)
    assert f"the tenant was created but setting its {step} failed, so it was deleted again" in text
    assert f"Descope does not hold the change of its {step}: it was not made" in text
    assert app.backend.tenants == {}
    [snapshot] = snapshots(backup_dir)
    assert snapshot["reason"] == "delete"
    assert snapshot["content"]["tenant"]["name"] == "Acme"


@pytest.mark.parametrize("path", [SETTINGS_PATH, ROLES])
def test_create__a_later_step_made_despite_its_answer_counts_as_done(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp, path: str
) -> None:
    garble.on("POST", path, "other-id", forward=True)
    outputs = created(provider, acme(settings=SETTINGS))
    assert provider.read("acme", outputs).outs == outputs
    assert app.backend.tenants["acme"].default_roles == ["member"]


# --- ownership after an ambiguous create -------------------------------------------------------


def made_by_someone(descope: DescopeClient, **changes: Any) -> None:
    """A tenant "acme" made in the console moments ago."""
    fields = {
        "self_provisioning_domains": ["acme.com", "acme.io"],
        "custom_attributes": {"tier": "gold", "seats": 3},
    }
    fields.update(changes)
    descope.mgmt.tenant.create("Acme", "acme", **fields)


def test_create__a_recent_console_tenant_with_other_values_is_not_taken_over(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, backup_dir: Path
) -> None:
    made_by_someone(descope, custom_attributes={"plan": "console"})
    app.set_faults({"fail500": {"count": 1, "path": CREATE}})
    before = held(app)
    with pytest.raises(TenantAlreadyExists) as caught:
        created(provider, acme(settings=SETTINGS))
    assert "set `adopt: true`" in user_text(caught.value)
    assert held(app) == before
    assert snapshots(backup_dir) == []


def test_create__a_recent_console_tenant_with_settings_is_not_taken_over(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    made_by_someone(descope)
    descope.mgmt.tenant.update_settings("acme", ["acme.com", "acme.io"], auth_type="oidc")
    app.set_faults({"fail500": {"count": 1, "path": CREATE}})
    with pytest.raises(TenantAlreadyExists):
        created(provider, acme(settings=SETTINGS))
    assert app.backend.tenants["acme"].auth_type == "oidc"


def test_create__a_leftover_that_equals_the_configuration_says_adopting_is_safe(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    """A run that was killed after creating the tenant and writing its settings."""
    created(provider, acme(settings=SETTINGS))
    before = held(app)
    with pytest.raises(TenantAlreadyExists) as caught:
        created(provider, acme(settings=SETTINGS))
    text = user_text(caught.value)
    assert "holds exactly what the configuration declares for it" in text
    assert 'Setting `adopt: true` on the tenant with id "acme" is safe' in text
    assert held(app) == before
    adopted = created(provider, acme(settings=SETTINGS, adopt=True))
    assert provider.read("acme", adopted).outs == adopted


def test_create__the_check_of_a_found_tenant_not_understood_changes_nothing(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, garble: Garbler
) -> None:
    made_by_someone(descope)
    app.set_faults({"fail500": {"count": 1, "path": CREATE}})
    garble.on("GET", SETTINGS_PATH, "html")
    before = held(app)
    with pytest.raises(AnswerNotUnderstood, match="whether this run created it could not be"):
        created(provider, acme(settings=SETTINGS))
    assert held(app) == before


# --- update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["empty-body", "truncated", "html", "other-id"])
def test_update__a_patch_not_made_fails_and_records_nothing(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp, kind: Any
) -> None:
    outputs = created(provider, acme())
    garble.on("PATCH", PATCH, kind, forward=False)
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.update("acme", outputs, checked(provider, acme(name="Acme 2")))
    # (``{}`` is Descope's own answer to a patch: one that never reached Descope cannot be told
    # from it, so it is not among the kinds here.)
    text = user_text(caught.value)
    assert text.startswith('Unable to update Descope tenant "acme": Descope\'s answer to the ')
    assert "tenant patch (PATCH /v1/mgmt/tenant/patch) was not understood" in text
    assert "Descope does not hold the change of its tenant fields: it was not made." in text
    assert app.backend.tenants["acme"].name == "Acme"


@pytest.mark.parametrize("kind", ["empty-object", "html", "other-id"])
def test_update__a_patch_made_despite_its_answer_records_what_descope_holds(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp, kind: Any
) -> None:
    outputs = created(provider, acme())
    garble.on("PATCH", PATCH, kind, forward=True)
    news = checked(provider, acme(name="Acme 2"))
    outs = provider.update("acme", outputs, news).outs
    assert outs is not None
    assert app.backend.tenants["acme"].name == "Acme 2"
    assert provider.read("acme", outs).outs == outs


def test_update__a_settings_write_not_made_after_the_patch_says_what_was_written(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    outputs = created(provider, acme(settings=SETTINGS))
    garble.on("POST", SETTINGS_PATH, "html", forward=False)
    news = checked(provider, acme(name="Acme 2", settings={**SETTINGS, "authType": "oidc"}))
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.update("acme", outputs, news)
    text = user_text(caught.value)
    assert "Descope does not hold the change of its settings: it was not made." in text
    assert "Before that, its tenant fields were written; the next `pulumi up` writes" in text
    assert (app.backend.tenants["acme"].name, app.backend.tenants["acme"].auth_type) == (
        "Acme 2",
        "saml",
    )
    # the next up: old outputs, same inputs: it converges
    outs = provider.update("acme", outputs, news).outs
    assert outs is not None
    assert provider.read("acme", outs).outs == outs


def test_update__the_settings_load_not_understood_changes_nothing(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    outputs = created(provider, acme(settings=SETTINGS))
    garble.on("GET", SETTINGS_PATH, "empty-object")
    before = held(app)
    news = checked(provider, acme(settings={**SETTINGS, "authType": "oidc"}))
    with pytest.raises(AnswerNotUnderstood, match="Nothing was changed in Descope"):
        provider.update("acme", outputs, news)
    assert held(app) == before


def test_update__roles_not_made_and_no_load_say_it_is_not_known(
    provider: TenantProvider, garble: Garbler, app: EmulatorApp
) -> None:
    outputs = created(provider, acme())
    garble.on("POST", ROLES, "truncated", forward=False)
    garble.on("GET", LOAD, "empty-object")
    with pytest.raises(AnswerNotUnderstood) as caught:
        provider.update("acme", outputs, checked(provider, acme(defaultRoles=["admin"])))
    assert "so it is not known whether it was; `pulumi refresh`" in user_text(caught.value)


# --- adopt -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOAD, SETTINGS_PATH])
def test_adopt__refused_when_what_descope_holds_is_not_understood(
    provider: TenantProvider,
    descope: DescopeClient,
    garble: Garbler,
    app: EmulatorApp,
    backup_dir: Path,
    path: str,
) -> None:
    descope.mgmt.tenant.create("Old", "acme")
    before = held(app)
    garble.on("GET", path, "other-id")
    with pytest.raises(AnswerNotUnderstood, match="Nothing was changed in Descope"):
        created(provider, acme(adopt=True))
    assert held(app) == before
    assert snapshots(backup_dir) == []


def test_adopt__a_write_not_made_names_the_snapshot(
    provider: TenantProvider,
    descope: DescopeClient,
    garble: Garbler,
    app: EmulatorApp,
    backup_dir: Path,
) -> None:
    descope.mgmt.tenant.create("Old", "acme")
    garble.on("PATCH", PATCH, "html", forward=False)
    with pytest.raises(PartialFailure) as caught:
        created(provider, acme(adopt=True))
    text = user_text(caught.value)
    [path] = sorted(backup_dir.glob("*-tenant-acme-adopt.json"))
    assert str(path) in text
    assert "it was not made" in text
    assert app.backend.tenants["acme"].name == "Old"


def test_every_error_here_is_a_provider_error() -> None:
    for cls in (AnswerNotUnderstood, SnapshotRefused, PartialFailure, TenantAlreadyExists):
        assert issubclass(cls, DescopeProviderError)
