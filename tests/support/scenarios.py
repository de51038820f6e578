"""What a platform engineer does with a stack, week after week, as scenarios any driver can play.

A `Driver` runs the program for one stack the way a user runs pulumi: `up`, `preview`,
`refresh`, `destroy`, against the emulator standing in for Descope. Two drivers play the same
scenarios: the stand-in engine (`tests.support.standin`, in `make test`) and the real pulumi
CLI (`tests/e2e`, where ``pulumi`` is on PATH). Each scenario states what the stack's settings
make of it: dev deletes, staging retains, prod protects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from descope import AttributeMapping, DescopeClient, SSOOIDCSettings, SSOSAMLSettings

from providers.backups import read_snapshot

TENANT_DELETE = "POST /v1/mgmt/tenant/delete"
FLOW_DELETE = "POST /v1/mgmt/flow/delete"
STACKS = ("dev", "staging", "prod")
"""The example stacks; their settings: dev neither protects nor retains, staging retains,
prod protects and retains."""


@dataclass
class Outcome:
    """One command's result: what happened to each resource, by name, and the errors."""

    ops: dict[str, str] = field(default_factory=dict)
    """``tenant-acme``: ``create``; the default provider is ``default``."""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> dict[str, str]:
        """What ``--expect-no-changes`` would refuse."""
        return {name: op for name, op in self.ops.items() if op not in ("same", "read")}

    def error_text(self) -> str:
        return "\n".join(self.errors)


class Driver(Protocol):
    """One stack of the program, a copy of its tenants YAML to edit, and the emulator."""

    stack: str
    descope: DescopeClient
    tenants_file: Path

    @property
    def backup_dir(self) -> Path: ...

    def set_config(self, key: str, value: str) -> None: ...

    def rotate_key(self, new_key: str) -> None:
        """Descope accepts only `new_key` from now on, and the stack's config says so."""
        ...

    def calls(self) -> dict[str, int]:
        """API calls the emulator answered since `reset_calls`, by ``METHOD path``."""
        ...

    def reset_calls(self) -> None: ...

    def state_names(self) -> list[str]:
        """The resources the stack's state holds, by name."""
        ...

    def up(self, *, refresh: bool = False, run_program: bool = False) -> Outcome: ...

    def preview(self, *, refresh: bool = False, run_program: bool = False) -> Outcome: ...

    def refresh(self, *, run_program: bool = False) -> Outcome: ...

    def destroy(self, *, run_program: bool = False) -> Outcome: ...


# --- helpers ---------------------------------------------------------------------------------


def edit_tenants(driver: Driver, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the stack's tenants YAML as a user would (`change` edits the parsed document)."""
    document = yaml.safe_load(driver.tenants_file.read_text(encoding="utf-8"))
    change(document)
    driver.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def declared(driver: Driver) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(driver.tenants_file.read_text(encoding="utf-8"))
    return document


def sso_names(document: dict[str, Any], tenant_id: str | None = None) -> list[str]:
    """The SSO resources the program registers for a tenants YAML (for one tenant, if given):
    one per configuration the code manages (none for customer-managed SSO)."""
    names: list[str] = []
    for tenant in document["tenants"]:
        if tenant_id is not None and tenant["id"] != tenant_id:
            continue
        sso = tenant.get("sso") or {}
        if sso.get("managedBy") == "customer":
            continue
        if "saml" in sso or "oidc" in sso:
            names.append(f"sso-{tenant['id']}")
        names.extend(f"sso-{tenant['id']}/{c['ssoId']}" for c in sso.get("additional") or [])
    return names


def tenant_ids(driver: Driver) -> list[str]:
    return sorted(t["id"] for t in driver.descope.mgmt.tenant.load_all()["tenants"])


def flow_ids(driver: Driver) -> list[str]:
    return sorted(f["id"] for f in driver.descope.mgmt.flow.list_flows()["flows"])


def snapshots(folder: Path, kind: str = "tenant") -> list[tuple[str, str, str]]:
    """(kind, id, reason) of every snapshot of `kind` in `folder`."""
    if not folder.is_dir():
        return []
    taken = (read_snapshot(p) for p in folder.glob("*.json"))
    return sorted((s.kind, s.id, s.reason) for s in taken if s.kind == kind)


def expect_ok(outcome: Outcome) -> Outcome:
    assert outcome.ok, outcome.error_text()
    return outcome


def expect_nothing_to_do(driver: Driver) -> None:
    """The provider's first promise: after an up, preview and refresh find nothing."""
    assert expect_ok(driver.preview()).changed == {}
    assert expect_ok(driver.refresh()).changed == {}
    assert expect_ok(driver.preview()).changed == {}


# --- scenarios -------------------------------------------------------------------------------


def first_up_then_nothing_to_do(driver: Driver) -> None:
    document = declared(driver)
    outcome = expect_ok(driver.up())
    tenants = sorted(t["id"] for t in document["tenants"])
    assert sorted(n for n, op in outcome.ops.items() if op == "create") == sorted(
        [
            *(f"tenant-{t}" for t in tenants),
            *sso_names(document),
            *(f"flow-{f['id']}" for f in document.get("flows") or []),
            *(["theme"] if document.get("theme") else []),
            "default",
        ]
    )
    assert tenant_ids(driver) == tenants
    assert set(flow_ids(driver)) >= {f["id"] for f in document.get("flows") or []}
    expect_nothing_to_do(driver)
    assert expect_ok(driver.preview(refresh=True)).changed == {}


def console_edit_is_seen_by_refresh_and_repaired_by_up(driver: Driver) -> None:
    expect_ok(driver.up())
    tenant = declared(driver)["tenants"][0]
    driver.descope.mgmt.tenant.patch_tenant(tenant["id"], name=f"{tenant['name']} (edited)")
    assert expect_ok(driver.refresh()).changed == {f"tenant-{tenant['id']}": "drift"}
    assert expect_ok(driver.preview()).changed == {f"tenant-{tenant['id']}": "update"}
    assert expect_ok(driver.up()).changed == {f"tenant-{tenant['id']}": "update"}
    assert driver.descope.mgmt.tenant.load(tenant["id"])["name"] == tenant["name"]
    expect_nothing_to_do(driver)


def out_of_band_delete_is_dropped_by_refresh_and_created_again(driver: Driver) -> None:
    expect_ok(driver.up())
    tenant_id = declared(driver)["tenants"][0]["id"]
    driver.descope.mgmt.tenant.delete(tenant_id)
    with_sso = [f"tenant-{tenant_id}", *sso_names(declared(driver), tenant_id)]
    assert expect_ok(driver.refresh()).changed == dict.fromkeys(with_sso, "gone")
    assert expect_ok(driver.up()).changed == dict.fromkeys(with_sso, "create")
    assert tenant_id in tenant_ids(driver)
    expect_nothing_to_do(driver)


def tenant_removed_from_the_yaml(driver: Driver) -> None:
    """dev deletes it (snapshot first), staging stops managing it, prod refuses."""
    expect_ok(driver.up())
    removed = declared(driver)["tenants"][-1]["id"]
    name = f"tenant-{removed}"
    edit_tenants(driver, lambda doc: doc["tenants"].pop())
    driver.reset_calls()
    if driver.stack == "prod":
        preview = driver.preview()
        assert "protected" in preview.error_text(), preview
        outcome = driver.up()
        assert "protected" in outcome.error_text(), outcome
        assert removed in tenant_ids(driver)
        assert name in driver.state_names()
        assert driver.calls().get(TENANT_DELETE, 0) == 0
        return
    outcome = expect_ok(driver.up())
    if driver.stack == "staging":
        assert outcome.changed == {name: "retain"}
        assert removed in tenant_ids(driver)
        assert driver.calls().get(TENANT_DELETE, 0) == 0
        assert snapshots(driver.backup_dir) == []
    else:
        assert outcome.changed == {name: "delete"}
        assert removed not in tenant_ids(driver)
        assert ("tenant", removed, "delete") in snapshots(driver.backup_dir)
    assert name not in driver.state_names()
    expect_nothing_to_do(driver)


def flow_removed_from_the_yaml_stays_in_descope(driver: Driver) -> None:
    expect_ok(driver.up())
    flow_id = declared(driver)["flows"][0]["id"]
    edit_tenants(driver, lambda doc: doc["flows"].pop(0))
    driver.reset_calls()
    outcome = driver.up()
    if driver.stack == "prod":
        assert "protected" in outcome.error_text(), outcome
    else:
        expect_ok(outcome)
        # The flow's own deleteOnRemove (off) decides, in every stack: no Delete call.
        assert outcome.changed == {f"flow-{flow_id}": "delete"}
        assert f"flow-{flow_id}" not in driver.state_names()
    assert flow_id in flow_ids(driver)
    assert driver.calls().get(FLOW_DELETE, 0) == 0


def changed_backup_dir_is_used_without_touching_any_resource(driver: Driver) -> None:
    expect_ok(driver.up())
    old_folder = driver.backup_dir
    new_folder = old_folder.parent / "moved-backups"
    driver.set_config("descope-config:backupDir", str(new_folder))
    removed = declared(driver)["tenants"][-1]["id"]
    edit_tenants(driver, lambda doc: doc["tenants"].pop())
    assert expect_ok(driver.up()).changed == {"default": "update", f"tenant-{removed}": "delete"}
    assert snapshots(new_folder) == [("tenant", removed, "delete")]
    assert snapshots(old_folder) == []
    expect_ok(driver.destroy())
    remaining = [t["id"] for t in declared(driver)["tenants"]]
    assert snapshots(new_folder) == sorted(("tenant", t, "delete") for t in [removed, *remaining])
    assert snapshots(old_folder) == []


def rotated_key_needs_run_program_for_refresh_and_destroy(driver: Driver) -> None:
    expect_ok(driver.up())
    driver.rotate_key("K-rotated-0123456789abcdef")
    stale = driver.refresh()
    assert "401" in stale.error_text(), stale
    assert "--run-program" in stale.error_text()
    assert expect_ok(driver.refresh(run_program=True)).changed == {}
    assert expect_ok(driver.preview()).changed == {"default": "update"}
    assert "401" in driver.destroy().error_text()
    expect_ok(driver.destroy(run_program=True))
    assert tenant_ids(driver) == []


def destroy_follows_the_stack_settings(driver: Driver) -> None:
    """dev deletes every tenant (flows stay: deleteOnRemove is off), staging keeps them all,
    prod refuses."""
    expect_ok(driver.up())
    tenants = tenant_ids(driver)
    driver.reset_calls()
    outcome = driver.destroy()
    if driver.stack == "prod":
        assert "protected" in outcome.error_text(), outcome
        assert tenant_ids(driver) == tenants
        assert driver.calls().get(TENANT_DELETE, 0) == 0
        return
    expect_ok(outcome)
    assert driver.state_names() == []
    if driver.stack == "staging":
        assert tenant_ids(driver) == tenants
        assert driver.calls().get(TENANT_DELETE, 0) == 0
    else:
        assert tenant_ids(driver) == []
    assert driver.calls().get(FLOW_DELETE, 0) == 0


def _rename_first_tenant(document: dict[str, Any], new_id: str, previous: bool) -> None:
    tenant = document["tenants"][0]
    if previous:
        tenant["previousId"] = tenant["id"]
    tenant["id"] = new_id


def tenant_id_change_without_previous_id_is_refused(driver: Driver) -> None:
    expect_ok(driver.up())
    old_id = declared(driver)["tenants"][0]["id"]
    before = tenant_ids(driver)
    edit_tenants(driver, lambda doc: _rename_first_tenant(doc, f"{old_id}-renamed", False))
    outcome = driver.up()
    text = outcome.error_text()
    assert f'"{old_id}"' in text, outcome
    assert f'"{old_id}-renamed"' in text
    assert f"previousId: {old_id}" in text
    assert tenant_ids(driver) == before
    assert f"tenant-{old_id}" in driver.state_names()


def tenant_id_change_with_previous_id_replaces_the_tenant(driver: Driver) -> None:
    """previousId makes the engine replace the tenant: snapshot, delete, create. Where removed
    tenants are kept (staging, prod) the program refuses it until the entry stops retaining
    (and protecting), as the message says; then the same change goes through."""
    expect_ok(driver.up())
    tenant = declared(driver)["tenants"][0]
    old_id, new_id = tenant["id"], f"{tenant['id']}-renamed"
    before = tenant_ids(driver)
    if driver.stack != "dev":
        edit_tenants(driver, lambda doc: _rename_first_tenant(doc, new_id, True))
        for refused in (driver.preview(), driver.up()):
            assert "retainOnDelete: false" in refused.error_text(), refused
        assert tenant_ids(driver) == before
        edit_tenants(driver, lambda doc: _rename_first_tenant(doc, old_id, False))
        edit_tenants(driver, lambda doc: doc["tenants"][0].pop("previousId"))
        edit_tenants(
            driver, lambda doc: doc["tenants"][0].update(retainOnDelete=False, protect=False)
        )
        assert expect_ok(driver.up()).changed == {}  # options only: recorded, no call
    edit_tenants(driver, lambda doc: _rename_first_tenant(doc, new_id, True))
    outcome = expect_ok(driver.up())
    # Its SSO configurations are registered under the new id: new resources, the old ones
    # deleted (Descope deleted them with the old tenant).
    renamed_sso = {
        **dict.fromkeys(sso_names(declared(driver), new_id), "create"),
        **{n.replace(new_id, old_id, 1): "delete" for n in sso_names(declared(driver), new_id)},
    }
    assert outcome.changed == {f"tenant-{new_id}": "replace", **renamed_sso}
    assert ("tenant", old_id, "delete") in snapshots(driver.backup_dir)
    assert tenant_ids(driver) == sorted([new_id, *(t for t in before if t != old_id)])
    assert driver.descope.mgmt.tenant.load(new_id)["name"] == tenant["name"]
    assert driver.state_names().count(f"tenant-{new_id}") == 1
    assert f"tenant-{old_id}" not in driver.state_names()
    expect_nothing_to_do(driver)
    edit_tenants(driver, lambda doc: doc["tenants"][0].pop("previousId"))
    assert expect_ok(driver.preview()).changed == {}


def config_edit_is_an_update_of_the_default_provider(driver: Driver) -> None:
    expect_ok(driver.up())
    driver.set_config("descope-config:ticket", "OPS-1234")
    assert expect_ok(driver.preview()).changed == {"default": "update"}
    assert expect_ok(driver.up()).changed == {"default": "update"}
    assert expect_ok(driver.preview()).changed == {}


def _tenant_with(document: dict[str, Any], protocol: str) -> dict[str, Any]:
    """The first tenant whose default SSO configuration uses `protocol` (saml or oidc)."""
    return next(t for t in document["tenants"] if protocol in (t.get("sso") or {}))


def _customer_managed(document: dict[str, Any]) -> dict[str, Any]:
    return next(
        t for t in document["tenants"] if (t.get("sso") or {}).get("managedBy") == "customer"
    )


def sso_console_edit_is_seen_by_refresh_and_repaired_with_a_snapshot(driver: Driver) -> None:
    """Someone changes a tenant's SAML attribute mapping in the console: refresh sees it, the
    next up writes the declared mapping back, after saving Descope's version."""
    expect_ok(driver.up())
    tenant_id = _tenant_with(declared(driver), "saml")["id"]
    sso = driver.descope.mgmt.sso
    held = sso.load_settings(tenant_id)
    saml = held["saml"]
    sso.configure_saml_settings(
        tenant_id,
        SSOSAMLSettings(
            idp_url=saml["idpSSOUrl"],
            idp_entity_id=saml["idpEntityId"],
            idp_cert=saml["idpCertificate"],
            attribute_mapping=AttributeMapping(name="cn", email="userPrincipalName"),
        ),
        redirect_url=saml["redirectUrl"],
        domains=held["tenant"]["domains"],
    )
    name = f"sso-{tenant_id}"
    assert expect_ok(driver.refresh()).changed == {name: "drift"}
    assert expect_ok(driver.preview()).changed == {name: "update"}
    assert expect_ok(driver.up()).changed == {name: "update"}
    assert ("sso", tenant_id, "overwrite") in snapshots(driver.backup_dir, "sso")
    repaired = sso.load_settings(tenant_id)
    assert repaired["saml"]["attributeMapping"] == saml["attributeMapping"]
    assert repaired["saml"]["groupsMapping"] == saml["groupsMapping"]
    expect_nothing_to_do(driver)


def customer_managed_sso_survives_every_up(driver: Driver) -> None:
    """The customer sets its SSO up (Descope's SSO Setup Suite); ups that change the tenant,
    its settings included, and refreshes leave it as the customer made it."""
    expect_ok(driver.up())
    tenant = _customer_managed(declared(driver))
    tenant_id = tenant["id"]
    domain = f"sso.{tenant_id}.customer.example"
    sso = driver.descope.mgmt.sso
    sso.configure_oidc_settings(
        tenant_id,
        SSOOIDCSettings(
            name="Customer IdP",
            client_id="customer-client",
            client_secret="customer-secret",
            auth_url="https://idp.customer.example/auth",
            token_url="https://idp.customer.example/token",
        ),
        domains=[domain],
    )
    made = sso.load_settings(tenant_id)
    assert made["tenant"]["authType"] == "oidc"

    def lengthen(document: dict[str, Any]) -> None:
        entry = next(t for t in document["tenants"] if t["id"] == tenant_id)
        entry["name"] = f"{entry['name']} (renamed)"
        entry.setdefault("settings", {})["refreshTokenExpiration"] = 12
        entry["settings"]["refreshTokenExpirationUnit"] = "hours"

    edit_tenants(driver, lengthen)
    assert expect_ok(driver.up()).changed == {f"tenant-{tenant_id}": "update"}
    assert expect_ok(driver.up(refresh=True)).changed == {}
    expect_nothing_to_do(driver)
    now = sso.load_settings(tenant_id)
    assert {k: now[k] for k in ("saml", "oidc", "ssoId")} == {
        k: made[k] for k in ("saml", "oidc", "ssoId")
    }
    kept = driver.descope.mgmt.tenant.load_settings(tenant_id)
    assert (kept["authType"], kept["domains"]) == ("oidc", [domain])
    assert kept["refreshTokenExpiration"] == 12


def oidc_client_secret_change_is_an_update(driver: Driver, new_secret: str) -> None:
    """A new client secret in the stack config updates the configuration, and only it."""
    expect_ok(driver.up())
    tenant_id = _tenant_with(declared(driver), "oidc")["id"]
    secret_name = _tenant_with(declared(driver), "oidc")["sso"]["oidc"]["clientSecret"][2:-1]
    driver.set_config(f"descope-config:{secret_name}", new_secret)
    expected = {"default": "update", f"sso-{tenant_id}": "update"}
    assert expect_ok(driver.preview()).changed == expected
    assert expect_ok(driver.up()).changed == expected
    expect_nothing_to_do(driver)


def sso_configuration_removed_from_the_yaml(driver: Driver) -> None:
    """dev deletes it (snapshot first), staging stops managing it, prod refuses."""
    expect_ok(driver.up())
    tenant = next(t for t in declared(driver)["tenants"] if (t.get("sso") or {}).get("additional"))
    extra = tenant["sso"]["additional"][0]["ssoId"]
    name = f"sso-{tenant['id']}/{extra}"

    def remove(document: dict[str, Any]) -> None:
        entry = next(t for t in document["tenants"] if t["id"] == tenant["id"])
        entry["sso"].pop("additional")

    edit_tenants(driver, remove)
    listed = driver.descope.mgmt.sso.load_all_settings
    outcome = driver.up()
    if driver.stack == "prod":
        assert "protected" in outcome.error_text(), outcome
        assert extra in [c["ssoId"] for c in listed(tenant["id"])["SSOSettings"]]
        return
    expect_ok(outcome)
    kept = extra in [c["ssoId"] for c in listed(tenant["id"])["SSOSettings"]]
    if driver.stack == "staging":
        assert outcome.changed == {name: "retain"}
        assert kept
    else:
        assert outcome.changed == {name: "delete"}
        assert not kept
        assert ("sso", f"{tenant['id']}/{extra}", "delete") in snapshots(driver.backup_dir, "sso")
    expect_nothing_to_do(driver)


SCENARIOS: dict[str, tuple[Callable[[Driver], None], tuple[str, ...]]] = {
    "first_up": (first_up_then_nothing_to_do, STACKS),
    "console_edit": (console_edit_is_seen_by_refresh_and_repaired_by_up, STACKS),
    "out_of_band_delete": (out_of_band_delete_is_dropped_by_refresh_and_created_again, STACKS),
    "tenant_removed": (tenant_removed_from_the_yaml, STACKS),
    "flow_removed": (flow_removed_from_the_yaml_stays_in_descope, STACKS),
    "backup_dir_changed": (changed_backup_dir_is_used_without_touching_any_resource, ("dev",)),
    "rotated_key": (rotated_key_needs_run_program_for_refresh_and_destroy, ("dev",)),
    "destroy": (destroy_follows_the_stack_settings, STACKS),
    "id_change_refused": (tenant_id_change_without_previous_id_is_refused, STACKS),
    "id_change_replaces": (tenant_id_change_with_previous_id_replaces_the_tenant, STACKS),
    "config_edit": (config_edit_is_an_update_of_the_default_provider, ("dev",)),
    "sso_console_edit": (sso_console_edit_is_seen_by_refresh_and_repaired_with_a_snapshot, STACKS),
    "sso_customer_managed": (customer_managed_sso_survives_every_up, STACKS),
    "sso_secret_change": (
        lambda driver: oidc_client_secret_change_is_an_update(driver, "rotated-oidc-secret-2f9"),
        STACKS,
    ),
    "sso_removed": (sso_configuration_removed_from_the_yaml, STACKS),
}
"""Every scenario, and the stacks it is played for."""


def cases() -> list[tuple[str, str]]:
    """(scenario, stack) pairs, for ``pytest.mark.parametrize``."""
    return [(name, stack) for name, (_, stacks) in SCENARIOS.items() for stack in stacks]
