"""AccessKeyProvider against the real SDK over the in-process emulator (no sockets, no host)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from descope import AssociatedTenant, DescopeClient
from pulumi.runtime import rpc

from emulator.app import EmulatorApp
from emulator.resources.access_keys.models import cleartext_hash
from providers import access_key, errors
from providers.access_key import AccessKeyProvider
from providers.backups import read_snapshot
from providers.errors import DescopeApiError
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import Sleeps, counts, warnings_logged

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
sleeps = tenant_fakes.sleeps

SEARCH = "POST /v1/mgmt/accesskey/search"
CREATE = "POST /v1/mgmt/accesskey/create"
UPDATE = "POST /v1/mgmt/accesskey/update"
LOAD = "GET /v1/mgmt/accesskey"
DELETE = "POST /v1/mgmt/accesskey/delete"
DEACTIVATE = "POST /v1/mgmt/accesskey/deactivate"
ACTIVATE = "POST /v1/mgmt/accesskey/activate"


@pytest.fixture
def keys(backup_dir: Path, descope: DescopeClient, sleeps: Sleeps, app: EmulatorApp) -> Any:
    descope.mgmt.tenant.create("Acme", "acme")
    descope.mgmt.role.create("acme-ci", tenant_id="acme")
    app.counters.reset()
    return AccessKeyProvider(stack="dev", backup_dir=str(backup_dir))


def ci(**changes: Any) -> dict[str, Any]:
    """A valid key of tenant acme as the resource's inputs (before check)."""
    props: dict[str, Any] = {
        "tenantId": "acme",
        "name": "ci",
        "description": "CI deploys",
        "roles": ["member", "acme-ci"],
        "permittedIps": ["10.0.0.0/8"],
        "rotation": 1.0,
        "keyId": None,
        "cleartext": None,
    }
    props.update(changes)
    return props


def checked(keys: AccessKeyProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = keys.check({}, props)
    assert result.failures == [], result.failures
    return dict(result.inputs)


def created(keys: AccessKeyProvider, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    result = keys.create(checked(keys, props))
    assert result.outs is not None
    return str(result.id), dict(result.outs)


def stored(app: EmulatorApp, key_id: str) -> dict[str, Any]:
    found: dict[str, Any] = app.backend.access_keys.load(key_id)["key"]
    return found


# --- check and diff --------------------------------------------------------------------------


def test_check__returns_canonical_inputs(keys: AccessKeyProvider) -> None:
    assert checked(keys, ci(permittedIps=["203.0.113.7", "10.0.0.0/8"])) == {
        "tenantId": "acme",
        "name": "ci",
        "description": "CI deploys",
        "roles": ["acme-ci", "member"],
        "expireTime": 0,
        "permittedIps": ["10.0.0.0/8", "203.0.113.7"],
        "disabled": False,
        "rotation": 1,
        "adopt": False,
    }


def test_check__one_failure_per_bad_field_in_model_words(keys: AccessKeyProvider) -> None:
    result = keys.check(
        {}, ci(tenantId="not an id", permittedIps=["10.0.0.1/8"], expireTime=5, colour="red")
    )

    reasons = {f.property: f.reason for f in result.failures}
    assert set(reasons) == {"tenantId", "permittedIps", "expireTime", "colour"}
    assert 'write the network "10.0.0.0/8"' in reasons["permittedIps"]
    assert "is in the past" in reasons["expireTime"]


def test_check__unknown_values_are_not_judged(keys: AccessKeyProvider) -> None:
    assert keys.check({}, ci(name=rpc.UNKNOWN)).failures == []


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"rotation": 2}, ["rotation"]),
        ({"roles": ["member"]}, ["roles"]),
        ({"expireTime": 2_000_000_000}, ["expireTime"]),
        ({"tenantId": "globex"}, ["tenantId"]),
        ({"description": "x"}, []),
        ({"permittedIps": []}, []),
        ({"disabled": True}, []),
        ({"name": "deploy"}, []),
    ],
)
def test_diff__what_replaces_and_what_updates(
    keys: AccessKeyProvider, change: dict[str, Any], replaces: list[str]
) -> None:
    _, outs = created(keys, ci())

    result = keys.diff("K", outs, checked(keys, ci(**change)))

    assert result.changes
    assert result.replaces == replaces
    assert result.delete_before_replace


def test_diff__adopt_and_an_unchanged_key_are_no_change(keys: AccessKeyProvider) -> None:
    _, outs = created(keys, ci())

    assert not keys.diff("K", outs, checked(keys, ci(adopt=True))).changes
    assert keys.diff("K", outs, ci(name=rpc.UNKNOWN)).changes


# --- create ----------------------------------------------------------------------------------


def test_create__the_secret_is_the_cleartext_output_and_descope_holds_the_key(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    key_id, outs = created(keys, ci())

    assert counts(app) == {SEARCH: 1, CREATE: 1}
    assert outs["keyId"] == key_id
    assert outs["cleartextKnown"] is True
    assert app.backend.access_keys.keys[key_id].secret_hash == cleartext_hash(outs["cleartext"])
    held = stored(app, key_id)
    assert held["keyTenants"][0]["roleNames"] == ["acme-ci", "member"]
    assert (held["status"], held["description"], held["permittedIps"]) == (
        "active",
        "CI deploys",
        ["10.0.0.0/8"],
    )


def test_create__disabled_deactivates_the_new_key(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    key_id, outs = created(keys, ci(disabled=True))

    assert stored(app, key_id)["status"] == "inactive"
    assert (outs["status"], outs["disabled"]) == ("inactive", True)
    assert counts(app)[DEACTIVATE] == 1


def test_create__a_failed_deactivate_deletes_the_key_again(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    app.set_faults({"fail500": {"count": 10, "path": "/v1/mgmt/accesskey/deactivate"}})

    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci(disabled=True)))

    assert "was deleted again and nothing changed" in str(err.value)
    assert app.backend.access_keys.keys == {}


def test_create__a_key_of_that_name_is_refused_without_adopt(
    keys: AccessKeyProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    there = descope.mgmt.access_key.create("ci", key_tenants=[AssociatedTenant("acme")])

    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci()))

    assert there["key"]["id"] in str(err.value)
    assert "set `adopt: true`" in str(err.value)
    assert len(app.backend.access_keys.keys) == 1


def test_create__several_keys_of_that_name_are_refused_even_with_adopt(
    keys: AccessKeyProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    for _ in range(2):
        descope.mgmt.access_key.create("ci", key_tenants=[AssociatedTenant("acme")])

    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci(adopt=True)))

    assert "several keys" in str(err.value)
    assert "Delete or rename all but one" in str(err.value)
    assert len(app.backend.access_keys.keys) == 2


def test_create__a_lost_answer_leaves_no_key_and_no_secret_in_the_message(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    app.set_faults({"corruptAnswers": {"count": 1, "path": "/v1/mgmt/accesskey/create"}})

    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci()))

    assert errors.SECRET_NOT_SHOWN in str(err.value)
    assert f"got {errors.SECRET_NOT_SHOWN}" in str(err.value)
    assert app.backend.access_keys.keys == {}


def test_create__a_lost_answer_whose_key_cannot_be_looked_for_says_where_to_look(
    keys: AccessKeyProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches: list[str] = []

    def find(tenant_id: str, name: str, doing: str) -> list[Any]:
        searches.append(name)
        if len(searches) > 1:
            raise DescopeApiError("Unable to search:", "no answer")
        return []

    monkeypatch.setattr(access_key, "find", find)
    app.set_faults({"corruptAnswers": {"count": 1, "path": "/v1/mgmt/accesskey/create"}})

    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci()))

    assert "looking for the key it may have made failed too" in str(err.value)
    assert 'Look in the Descope console for Descope access key "ci"' in str(err.value)


def test_create__a_refusal_is_descope_s_words_and_leaves_nothing(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci(roles=["ghost"])))

    assert "ghost" in str(err.value)
    assert app.backend.access_keys.keys == {}


# --- adopt -----------------------------------------------------------------------------------


def test_adopt__takes_the_key_over_without_a_secret_after_a_snapshot(
    keys: AccessKeyProvider, descope: DescopeClient, app: EmulatorApp, backup_dir: Path
) -> None:
    there = descope.mgmt.access_key.create(
        "ci", key_tenants=[AssociatedTenant("acme", ["member", "acme-ci"])], description="old"
    )
    app.counters.reset()

    with warnings_logged() as warnings:
        key_id, outs = created(keys, ci(adopt=True))

    assert key_id == there["key"]["id"]
    assert (outs["cleartext"], outs["cleartextKnown"]) == ("", False)
    assert any("its secret is not known" in w for w in warnings)
    assert stored(app, key_id)["description"] == "CI deploys"
    [snapshot] = backup_dir.glob("*-accessKey-*-adopt.json")
    content = read_snapshot(snapshot).content["accessKey"]
    assert content["description"] == "old"
    assert there["cleartext"] not in snapshot.read_text()


def test_adopt__other_roles_or_expiry_are_refused_and_change_nothing(
    keys: AccessKeyProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    there = descope.mgmt.access_key.create("ci", key_tenants=[AssociatedTenant("acme")])

    with pytest.raises(DescopeApiError) as err:
        keys.create(checked(keys, ci(adopt=True)))

    assert 'roles ["acme-ci", "member"]' in str(err.value)
    assert stored(app, there["key"]["id"])["description"] == ""


# --- read, update, delete --------------------------------------------------------------------


def test_read__descope_s_values_and_the_recorded_secret(
    keys: AccessKeyProvider, descope: DescopeClient
) -> None:
    key_id, outs = created(keys, ci())
    descope.mgmt.access_key.update(key_id, "ci", description="edited in the console")

    result = keys.read(key_id, outs)

    assert result.outs is not None
    assert result.outs["description"] == "edited in the console"
    assert result.outs["cleartext"] == outs["cleartext"]
    assert result.inputs is not None
    assert "cleartext" not in result.inputs
    descope.mgmt.access_key.delete(key_id)
    assert keys.read(key_id, outs).id is None


def test_update__writes_what_changed_and_carries_the_secret(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    key_id, outs = created(keys, ci())
    app.counters.reset()

    result = keys.update(key_id, outs, checked(keys, ci(name="deploy", permittedIps=[])))

    assert counts(app) == {UPDATE: 1}
    assert (stored(app, key_id)["name"], stored(app, key_id)["permittedIps"]) == ("deploy", [])
    assert result.outs is not None
    assert result.outs["cleartext"] == outs["cleartext"]
    assert result.outs["name"] == "deploy"


def test_update__disabled_deactivates_and_enabling_activates(
    keys: AccessKeyProvider, app: EmulatorApp
) -> None:
    key_id, outs = created(keys, ci())
    app.counters.reset()

    off = keys.update(key_id, outs, checked(keys, ci(disabled=True))).outs
    assert off is not None
    assert (stored(app, key_id)["status"], off["status"]) == ("inactive", "inactive")
    on = keys.update(key_id, off, checked(keys, ci())).outs
    assert on is not None
    assert stored(app, key_id)["status"] == "active"
    assert counts(app) == {DEACTIVATE: 1, ACTIVATE: 1, LOAD: 2}


def test_update__a_key_deleted_outside_pulumi_says_refresh(
    keys: AccessKeyProvider, descope: DescopeClient
) -> None:
    key_id, outs = created(keys, ci())
    descope.mgmt.access_key.delete(key_id)

    with pytest.raises(DescopeApiError) as err:
        keys.update(key_id, outs, checked(keys, ci(description="new")))

    assert "no longer exists in Descope" in str(err.value)
    assert "pulumi refresh" in str(err.value)


def test_delete__snapshot_without_the_secret_then_gone(
    keys: AccessKeyProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    key_id, outs = created(keys, ci())

    keys.delete(key_id, outs)

    assert app.backend.access_keys.keys == {}
    [snapshot] = backup_dir.glob("*-accessKey-acme%2Fci-delete.json")
    text = snapshot.read_text()
    assert outs["cleartext"] not in text
    assert "cleartext" not in text
    assert json.loads(text)["content"]["accessKey"]["id"] == key_id


def test_delete__a_key_already_gone_counts_as_deleted(
    keys: AccessKeyProvider, descope: DescopeClient, backup_dir: Path
) -> None:
    key_id, outs = created(keys, ci())
    descope.mgmt.tenant.delete("acme")  # takes its keys with it

    with warnings_logged() as warnings:
        keys.delete(key_id, outs)

    assert any("was not found in Descope: it was deleted outside Pulumi" in w for w in warnings)
    assert not list(backup_dir.glob("*.json"))
