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

from descope import AttributeMapping, DescopeClient, SSOOIDCSettings, SSOSAMLSettings

from model.roles import BUILTIN_PERMISSIONS, BUILTIN_ROLES
from providers.backups import read_snapshot
from tests.support.yaml_files import dump_yaml, read_yaml

TENANT_DELETE = "POST /v1/mgmt/tenant/delete"
FLOW_DELETE = "POST /v1/mgmt/flow/delete"
ROLE_DELETE = "POST /v1/mgmt/role/delete"
PERMISSION_DELETE = "POST /v1/mgmt/permission/delete"
STACKS = ("dev", "staging", "prod")
"""The example stacks; their settings: dev neither protects nor retains, staging retains,
prod protects and retains."""


@dataclass
class Outcome:
    """One command's result: what happened to each resource, by name, and the errors."""

    ops: dict[str, str] = field(default_factory=dict)
    """``tenant-acme``: ``create``; the default provider is ``default``."""
    errors: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    """What the run printed besides its steps: the providers' warnings (snapshots taken, what
    went with a deleted tenant)."""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> dict[str, str]:
        """What ``--expect-no-changes`` would refuse."""
        return {name: op for name, op in self.ops.items() if op not in ("same", "read")}

    def error_text(self) -> str:
        return "\n".join(self.errors)

    def log_text(self) -> str:
        return "\n".join(self.log)


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
    document = read_yaml(driver.tenants_file)
    change(document)
    driver.tenants_file.write_text(dump_yaml(document), encoding="utf-8")


def without_sub_tenants_of(driver: Driver, parent_id: str) -> None:
    """Drop the entries naming `parent_id` as their parent (the dev example's acme-labs), for
    a scenario about one tenant alone: Descope deletes no tenant that has sub-tenants unless
    asked to cascade, and a renamed parent's sub-tenants must name its new id."""
    edit_tenants(
        driver,
        lambda doc: doc.update(tenants=[t for t in doc["tenants"] if t.get("parent") != parent_id]),
    )


def declared(driver: Driver) -> dict[str, Any]:
    document: dict[str, Any] = read_yaml(driver.tenants_file)
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


def access_key_names(document: dict[str, Any], tenant_id: str | None = None) -> list[str]:
    """The AccessKey resources the program registers for a tenants YAML (for one tenant, if
    given): one per entry of a tenant's accessKeys."""
    return [
        f"access-key-{tenant['id']}/{key['name']}"
        for tenant in document["tenants"]
        if tenant_id is None or tenant["id"] == tenant_id
        for key in tenant.get("accessKeys") or []
    ]


def rename_role_in_sso(document: dict[str, Any], old: str, new: str) -> list[str]:
    """Rename role `old` to `new` in every SSO configuration's mappings and default roles;
    returns the SSO resources that changed."""
    changed: list[str] = []
    for tenant in document["tenants"]:
        sso = tenant.get("sso") or {}
        configurations = [("", sso), *((c["ssoId"], c) for c in sso.get("additional") or [])]
        for sso_id, configuration in configurations:
            named = set(configuration.get("defaultRoles") or [])
            named |= {m["role"] for m in configuration.get("groupMappings") or []}
            if old not in named:
                continue
            configuration["defaultRoles"] = [
                new if r == old else r for r in configuration.get("defaultRoles") or []
            ]
            for mapping in configuration.get("groupMappings") or []:
                mapping["role"] = new if mapping["role"] == old else mapping["role"]
            changed.append(f"sso-{tenant['id']}/{sso_id}" if sso_id else f"sso-{tenant['id']}")
    return changed


def tenant_ids(driver: Driver) -> list[str]:
    return sorted(t["id"] for t in driver.descope.mgmt.tenant.load_all()["tenants"])


def flow_ids(driver: Driver) -> list[str]:
    return sorted(f["id"] for f in driver.descope.mgmt.flow.list_flows()["flows"])


Roles = dict[str, tuple[str, list[str]]]
"""Roles by name (``acme/acme-auditor`` for a tenant's role): description, permissions."""


def roles_held(driver: Driver) -> Roles:
    """Every role Descope holds but the built-in ones, as `Roles`."""
    held: Roles = {}
    for role in driver.descope.mgmt.role.load_all()["roles"]:
        tenant = role.get("tenantId") or ""
        if not tenant and role["name"] in BUILTIN_ROLES:
            continue
        key = f"{tenant}/{role['name']}" if tenant else role["name"]
        held[key] = (role.get("description") or "", sorted(role.get("permissionNames") or []))
    return held


def roles_declared(document: dict[str, Any]) -> Roles:
    """The roles the configuration declares, as `Roles`."""
    declared_roles: Roles = {
        r["name"]: (r.get("description", ""), sorted(r.get("permissions") or []))
        for r in document.get("roles") or []
    }
    for tenant in document["tenants"]:
        for r in tenant.get("roles") or []:
            key = f"{tenant['id']}/{r['name']}"
            declared_roles[key] = (r.get("description", ""), sorted(r.get("permissions") or []))
    return declared_roles


def permissions_held(driver: Driver) -> dict[str, str]:
    """Every permission Descope holds but the built-in ones: name -> description."""
    return {
        p["name"]: p.get("description") or ""
        for p in driver.descope.mgmt.permission.load_all()["permissions"]
        if p["name"] not in BUILTIN_PERMISSIONS
    }


def permissions_declared(document: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p.get("description", "") for p in document.get("permissions") or []}


def role_resources(document: dict[str, Any]) -> list[str]:
    """The names the program registers the declared permissions and roles under."""
    return [
        *(f"permission-{p['name']}" for p in document.get("permissions") or []),
        *(f"role-{r['name']}" for r in document.get("roles") or []),
        *(
            f"tenant-role-{t['id']}/{r['name']}"
            for t in document["tenants"]
            for r in t.get("roles") or []
        ),
    ]


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
            *role_resources(document),
            *sso_names(document),
            *access_key_names(document),
            *(f"flow-{f['id']}" for f in document.get("flows") or []),
            *(["theme"] if document.get("theme") else []),
            "default",
        ]
    )
    assert tenant_ids(driver) == tenants
    assert roles_held(driver) == roles_declared(document)
    assert permissions_held(driver) == permissions_declared(document)
    for tenant in document["tenants"]:
        held = driver.descope.mgmt.tenant.load(tenant["id"])["defaultRoles"]
        assert sorted(held) == sorted(tenant.get("defaultRoles") or [])
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
    without_sub_tenants_of(driver, declared(driver)["tenants"][0]["id"])
    expect_ok(driver.up())
    tenant = declared(driver)["tenants"][0]
    tenant_id = tenant["id"]
    own = [f"tenant-role-{tenant_id}/{r['name']}" for r in tenant.get("roles") or []]
    # Descope deletes the tenant's roles, SSO configurations and access keys with it.
    with_it = [
        f"tenant-{tenant_id}",
        *own,
        *sso_names(declared(driver), tenant_id),
        *access_key_names(declared(driver), tenant_id),
    ]
    driver.descope.mgmt.tenant.delete(tenant_id)
    assert expect_ok(driver.refresh()).changed == dict.fromkeys(with_it, "gone")
    assert expect_ok(driver.up()).changed == dict.fromkeys(with_it, "create")
    assert tenant_id in tenant_ids(driver)
    assert roles_held(driver) == roles_declared(declared(driver))
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
    """dev deletes every tenant, role and permission (snapshots first; flows stay:
    deleteOnRemove is off), staging keeps them all, prod refuses."""
    expect_ok(driver.up())
    tenants = tenant_ids(driver)
    roles, permissions = roles_held(driver), permissions_held(driver)
    driver.reset_calls()
    outcome = driver.destroy()
    deletes = (TENANT_DELETE, ROLE_DELETE, PERMISSION_DELETE)
    if driver.stack == "prod":
        assert "protected" in outcome.error_text(), outcome
        assert tenant_ids(driver) == tenants
        assert (roles_held(driver), permissions_held(driver)) == (roles, permissions)
        assert not any(driver.calls().get(d, 0) for d in deletes)
        return
    expect_ok(outcome)
    assert driver.state_names() == []
    if driver.stack == "staging":
        assert tenant_ids(driver) == tenants
        assert (roles_held(driver), permissions_held(driver)) == (roles, permissions)
        assert not any(driver.calls().get(d, 0) for d in deletes)
    else:
        assert tenant_ids(driver) == []
        assert (roles_held(driver), permissions_held(driver)) == ({}, {})
        assert {name for _, name, _ in snapshots(driver.backup_dir, "role")} == set(roles)
        assert {name for _, name, _ in snapshots(driver.backup_dir, "permission")} == set(
            permissions
        )
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
    without_sub_tenants_of(driver, declared(driver)["tenants"][0]["id"])
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
    # The tenant's own roles and SSO configurations go with the old tenant and are made again
    # for the new one (new resources, under the new id; Descope deleted the old ones with their
    # tenant, whose snapshot holds them, and the old resources' deletes say so truthfully).
    own = [r["name"] for r in tenant.get("roles") or []]
    renamed_sso = {
        **dict.fromkeys(sso_names(declared(driver), new_id), "create"),
        **{n.replace(new_id, old_id, 1): "delete" for n in sso_names(declared(driver), new_id)},
    }
    renamed_keys = {
        **dict.fromkeys(access_key_names(declared(driver), new_id), "create"),
        **{
            n.replace(new_id, old_id, 1): "delete"
            for n in access_key_names(declared(driver), new_id)
        },
    }
    assert outcome.changed == {
        f"tenant-{new_id}": "replace",
        **{f"tenant-role-{new_id}/{r}": "create" for r in own},
        **{f"tenant-role-{old_id}/{r}": "delete" for r in own},
        **renamed_sso,
        **renamed_keys,
    }
    assert {k for k in roles_held(driver) if "/" in k} >= {f"{new_id}/{r}" for r in own}
    assert ("tenant", old_id, "delete") in snapshots(driver.backup_dir)
    assert "deleted outside Pulumi" not in outcome.log_text()
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


def _role(document: dict[str, Any], name: str) -> dict[str, Any]:
    role: dict[str, Any] = next(r for r in document["roles"] if r["name"] == name)
    return role


def unused_role(document: dict[str, Any]) -> str:
    """A project role no tenant names in its defaultRoles."""
    used = {r for t in document["tenants"] for r in t.get("defaultRoles") or []}
    return next(str(r["name"]) for r in document["roles"] if r["name"] not in used)


def used_role(document: dict[str, Any]) -> tuple[str, list[str]]:
    """A project role that tenants name in their defaultRoles, and those tenants."""
    for role in document["roles"]:
        users = [t["id"] for t in document["tenants"] if role["name"] in t.get("defaultRoles", [])]
        if users:
            return role["name"], users
    raise AssertionError("no tenant names a project role")


def console_edit_of_a_role_is_seen_by_refresh_and_repaired_by_up(driver: Driver) -> None:
    expect_ok(driver.up())
    document = declared(driver)
    name, _ = used_role(document)
    role = _role(document, name)
    granted = sorted(role.get("permissions") or [])
    driver.descope.mgmt.role.update(
        name, name, description="edited in the console", permission_names=granted[:-1]
    )
    assert expect_ok(driver.refresh()).changed == {f"role-{name}": "drift"}
    assert expect_ok(driver.preview()).changed == {f"role-{name}": "update"}
    assert expect_ok(driver.up()).changed == {f"role-{name}": "update"}
    assert roles_held(driver)[name] == (role.get("description", ""), granted)
    expect_nothing_to_do(driver)


def role_removed_from_the_yaml(driver: Driver) -> None:
    """dev deletes it (snapshot first), staging stops managing it, prod refuses."""
    expect_ok(driver.up())
    name = unused_role(declared(driver))
    resource = f"role-{name}"
    held = roles_held(driver)[name]
    edit_tenants(driver, lambda doc: doc["roles"].remove(_role(doc, name)))
    driver.reset_calls()
    if driver.stack == "prod":
        for refused in (driver.preview(), driver.up()):
            assert "protected" in refused.error_text(), refused
        assert roles_held(driver)[name] == held
        assert resource in driver.state_names()
        assert driver.calls().get(ROLE_DELETE, 0) == 0
        return
    outcome = expect_ok(driver.up())
    if driver.stack == "staging":
        assert outcome.changed == {resource: "retain"}
        assert roles_held(driver)[name] == held
        assert driver.calls().get(ROLE_DELETE, 0) == 0
    else:
        assert outcome.changed == {resource: "delete"}
        assert name not in roles_held(driver)
        assert ("role", name, "delete") in snapshots(driver.backup_dir, "role")
    assert resource not in driver.state_names()
    expect_nothing_to_do(driver)


def role_rename_with_previous_name_is_an_update(driver: Driver) -> None:
    """previousName: Descope renames the role (same role id, users keep it); the tenants that
    name it are updated after it, in every stack (protect allows updates)."""
    expect_ok(driver.up())
    old, users = used_role(declared(driver))
    new = f"{old}-renamed"
    before = {r["name"]: r["id"] for r in driver.descope.mgmt.role.load_all()["roles"]}

    sso_changed: list[str] = []

    def rename(doc: dict[str, Any]) -> None:
        role = _role(doc, old)
        role["name"], role["previousName"] = new, old
        for tenant in doc["tenants"]:
            roles = tenant.get("defaultRoles") or []
            tenant["defaultRoles"] = [new if r == old else r for r in roles]
        sso_changed.extend(rename_role_in_sso(doc, old, new))

    edit_tenants(driver, rename)
    expected = {
        f"role-{new}": "update",
        **{f"tenant-{t}": "update" for t in users},
        **dict.fromkeys(sso_changed, "update"),
    }
    assert expect_ok(driver.preview()).changed == expected
    assert expect_ok(driver.up()).changed == expected
    after = {r["name"]: r["id"] for r in driver.descope.mgmt.role.load_all()["roles"]}
    assert old not in after
    assert after[new] == before[old]
    for tenant in users:
        assert new in driver.descope.mgmt.tenant.load(tenant)["defaultRoles"]
    assert f"role-{old}" not in driver.state_names()
    expect_nothing_to_do(driver)
    edit_tenants(driver, lambda doc: _role(doc, new).pop("previousName"))
    assert expect_ok(driver.preview()).changed == {}


def removing_a_role_a_tenant_uses_is_refused_before_anything_runs(driver: Driver) -> None:
    expect_ok(driver.up())
    name, users = used_role(declared(driver))
    edit_tenants(driver, lambda doc: doc["roles"].remove(_role(doc, name)))
    driver.reset_calls()
    for refused in (driver.preview(), driver.up()):
        text = refused.error_text()
        assert "not valid; nothing was changed" in text, refused
        assert f'role "{name}" is not declared in roles:' in text
        assert f'tenant "{users[0]}"' in text
    assert driver.calls() == {}
    assert name in roles_held(driver)


def tenant_whose_default_role_is_its_own(driver: Driver) -> None:
    """A new tenant naming its own role in defaultRoles: the tenant first (without it), then
    the role, which adds itself; nothing is left to do after."""
    expect_ok(driver.up())

    def add(doc: dict[str, Any]) -> None:
        doc["tenants"].append(
            {
                "id": "hooli",
                "name": "Hooli",
                "defaultRoles": ["hooli-admin", "Tenant Admin"],
                "roles": [{"name": "hooli-admin", "permissions": ["User Admin"]}],
            }
        )

    edit_tenants(driver, add)
    outcome = expect_ok(driver.up())
    assert outcome.changed == {"tenant-hooli": "create", "tenant-role-hooli/hooli-admin": "create"}
    held = driver.descope.mgmt.tenant.load("hooli")["defaultRoles"]
    assert sorted(held) == ["Tenant Admin", "hooli-admin"]
    expect_nothing_to_do(driver)


def attribute_descope_does_not_define_is_refused_naming_it(driver: Driver) -> None:
    """The YAML declares an attribute the Descope project lacks (no API defines them): the
    configuration is valid, Descope refuses the tenant, the message says what to do."""
    expect_ok(driver.up())
    tenant_id = declared(driver)["tenants"][0]["id"]

    def use_undefined(doc: dict[str, Any]) -> None:
        doc["tenantAttributes"]["crmId"] = {"type": "string"}
        doc["tenants"][0].setdefault("customAttributes", {})["crmId"] = "CRM-1"

    edit_tenants(driver, use_undefined)
    outcome = driver.up()
    text = outcome.error_text()
    assert f'Unable to update Descope tenant "{tenant_id}"' in text, outcome
    assert f'the custom attribute "crmId" of tenant "{tenant_id}"' in text
    assert "Custom Attributes" in text
    assert "tenantAttributes:" in text
    assert "Traceback" not in text
    assert "crmId" not in driver.descope.mgmt.tenant.load(tenant_id)["customAttributes"]


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


def _entry(document: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    """The tenants YAML's entry for `tenant_id`."""
    return next(t for t in document["tenants"] if t["id"] == tenant_id)


def _sub_tenant(document: dict[str, Any]) -> dict[str, Any]:
    """The first tenant naming a parent (the dev example's acme-labs)."""
    return next(t for t in document["tenants"] if t.get("parent"))


def sub_tenant_moved_to_another_parent_is_replaced(driver: Driver) -> None:
    """Descope sets a parent only when it creates a tenant: a new parent is one up that
    replaces the sub-tenant (snapshot, delete, create under the new parent), nothing else."""
    expect_ok(driver.up())
    document = declared(driver)
    sub = _sub_tenant(document)
    sub_id = sub["id"]
    new_parent = next(
        t["id"] for t in document["tenants"] if not t.get("parent") and t["id"] != sub["parent"]
    )
    edit_tenants(driver, lambda doc: _entry(doc, sub_id).update(parent=new_parent))
    outcome = expect_ok(driver.up())
    assert outcome.changed == {f"tenant-{sub_id}": "replace"}
    held = driver.descope.mgmt.tenant.load(sub_id)
    assert (held["parent"], held["name"]) == (new_parent, sub["name"])
    assert sorted(held["defaultRoles"]) == sorted(sub.get("defaultRoles") or [])
    assert tenant_ids(driver) == sorted(t["id"] for t in document["tenants"])
    assert roles_held(driver) == roles_declared(document)
    assert ("tenant", sub_id, "delete") in snapshots(driver.backup_dir)
    expect_nothing_to_do(driver)


def sub_tenant_role_inheritance_change_is_an_update(driver: Driver) -> None:
    """Unlike its parent, a sub-tenant's roleInheritance can change after its creation: a new
    value is an update in place, not a replace."""
    expect_ok(driver.up())
    sub_id = _sub_tenant(declared(driver))["id"]
    edit_tenants(driver, lambda doc: _entry(doc, sub_id).update(roleInheritance="none"))
    assert expect_ok(driver.up()).changed == {f"tenant-{sub_id}": "update"}
    assert driver.descope.mgmt.tenant.load(sub_id)["roleInheritance"] == "none"
    assert expect_ok(driver.preview()).changed == {}


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
    "role_console_edit": (console_edit_of_a_role_is_seen_by_refresh_and_repaired_by_up, STACKS),
    "role_removed": (role_removed_from_the_yaml, STACKS),
    "role_rename": (role_rename_with_previous_name_is_an_update, STACKS),
    "role_in_use_removed": (removing_a_role_a_tenant_uses_is_refused_before_anything_runs, STACKS),
    "own_default_role": (tenant_whose_default_role_is_its_own, ("dev",)),
    "undefined_attribute": (attribute_descope_does_not_define_is_refused_naming_it, ("dev",)),
    "sso_console_edit": (sso_console_edit_is_seen_by_refresh_and_repaired_with_a_snapshot, STACKS),
    "sso_customer_managed": (customer_managed_sso_survives_every_up, STACKS),
    "sso_secret_change": (
        lambda driver: oidc_client_secret_change_is_an_update(driver, "rotated-oidc-secret-2f9"),
        STACKS,
    ),
    "sso_removed": (sso_configuration_removed_from_the_yaml, STACKS),
    "parent_change": (sub_tenant_moved_to_another_parent_is_replaced, ("dev",)),
    "role_inheritance_change": (sub_tenant_role_inheritance_change_is_an_update, ("dev",)),
}
"""Every scenario, and the stacks it is played for."""


def cases() -> list[tuple[str, str]]:
    """(scenario, stack) pairs, for ``pytest.mark.parametrize``."""
    return [(name, stack) for name, (_, stacks) in SCENARIOS.items() for stack in stacks]
