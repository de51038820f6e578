"""report: drift field by field, screen by screen, as `pulumi preview` after a refresh sees it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from model import TenantSpec
from ops.inspect.report import differing_keys, tenant_drift
from ops.inspect.report.sso import TenantSSOReport, print_sso
from ops.project.live import Descope
from tests.ops.conftest import PROJECT_ID, Project, Run, counters, reset_counters
from tests.ops.deploy import deploy

FLOW_ID = "sign-up-or-in"


def edit_in_the_console(descope: DescopeClient) -> str:
    """What someone changes by hand after a deploy: acme's name, a custom attribute and its
    session lifetime, a screen and the name of the flow, a screen added, the dark theme.
    Returns the id of the edited screen."""
    tenant = descope.mgmt.tenant
    tenant.patch_tenant("acme", name="Acme Inc", custom_attributes={"seats": 300, "plan": "x"})
    settings = tenant.load_settings("acme")
    tenant.update_settings(
        "acme",
        self_provisioning_domains=["acme.dev.example.com"],
        domains=settings["domains"],
        auth_type=settings["authType"],
        session_settings_enabled=True,
        session_token_expiration=45,
        session_token_expiration_unit="minutes",
        refresh_token_expiration=7,
        refresh_token_expiration_unit="days",
        enable_inactivity=True,
        inactivity_time=60,
        inactivity_time_unit="minutes",
    )
    export = descope.mgmt.flow.export_flow(FLOW_ID)
    flow, screens = export["flow"], export["screens"]
    flow["name"] = "Sign up or in (edited)"
    edited = sorted(s["id"] for s in screens)[0]
    next(s for s in screens if s["id"] == edited)["htmlTemplate"] = {"edited": True}
    screens.append({"id": "console-screen", "inputs": []})
    descope.mgmt.flow.import_flow(FLOW_ID, flow, screens)
    theme = descope.mgmt.flow.export_theme()["theme"]
    theme["cssTemplate"]["dark"] = {"colors": {"primary": "#000000"}}
    descope.mgmt.flow.import_theme(theme)
    return str(edited)


def test_report__tables_name_each_drifted_field_screen_and_theme_part(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    screen = edit_in_the_console(descope)

    code, out, _ = ops("report", "--stack", "test")

    assert code == 0
    rows = [" ".join(line.split()) for line in out.splitlines()]
    assert (
        "Drift (Descope differs from the configuration): 1 of 4 managed tenant(s), 1 of 1 managed "
        "flow(s), the theme." in rows
    )
    start = rows.index("Tenant Field Descope Configuration")
    assert rows[start + 2 : start + 6] == [
        'acme name "Acme Inc" "Acme Corp"',
        'acme customAttributes.environment (not set) "dev"',
        'acme customAttributes.plan "x" "enterprise"',
        "acme customAttributes.seats 300 250",
    ]
    assert "acme settings.sessionTokenExpiration 45 30" in rows
    start = rows.index("Flow / theme Part Difference")
    assert rows[start + 2 : start + 6] == [
        f"{FLOW_ID} flow differs in name",
        f"{FLOW_ID} screen {screen} differs",
        f"{FLOW_ID} screen console-screen only in Descope",
        "theme cssTemplate.dark differs",
    ]
    assert not any(line != line.rstrip() for line in out.splitlines())  # no padding in logs
    assert "`python -m ops up --refresh --stack test` writes the configuration's values" in out
    assert "`python -m ops preview --refresh --stack test` shows the same changes" in out


def test_report__drift_is_what_pulumi_preview_shows_after_a_refresh(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deployed = deploy(project)
    edit_in_the_console(descope)
    descope.mgmt.tenant.update_default_roles("initech", ["member", "billing-viewer"])

    code, out, _ = ops("report", "--stack", "test", "--json")

    assert code == 0
    drift = json.loads(out)["drift"]
    reported = {f"tenant-{t['id']}" for t in drift["tenants"]}
    reported |= {f"flow-{f['id']}" for f in drift["flows"]}
    reported |= {"theme"} if drift["theme"] else set()
    deployed.refresh()
    changed = {name for name, op in deployed.preview().items() if op != "same"}
    assert reported == changed == {"tenant-acme", "tenant-initech", f"flow-{FLOW_ID}", "theme"}
    initech = next(t for t in drift["tenants"] if t["id"] == "initech")
    assert initech["fields"] == [
        {
            "field": "defaultRoles",
            "descope": ["member", "billing-viewer"],
            "configuration": ["member"],
        }
    ]


def test_report__json_shape_and_exit_statuses_for_ci(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)

    code, out, _ = ops("report", "--stack", "test", "--json", "--fail-on-drift")

    assert code == 0
    assert json.loads(out) == {
        "format": "descope-config-report/1",
        "stack": "test",
        "projectId": PROJECT_ID,
        "configuration": str(project.tenants_file),
        "unmanaged": {"tenants": [], "flows": [], "roles": [], "permissions": []},
        "missing": {"tenants": [], "flows": [], "roles": [], "permissions": []},
        "managed": {"roles": True, "permissions": True},
        "tenantAttributes": {
            "declared": True,
            "inUse": ["environment", "plan", "region", "seats"],
            "notVerified": [],
        },
        "drift": {"tenants": [], "flows": [], "theme": None},
        "checked": {"tenants": 4, "flows": 1, "theme": True},
        "leftUnmanaged": [],
        "hasUnmanaged": False,
        "hasDrift": False,
        "sso": [
            {
                "tenant": "acme",
                "managedBy": "code",
                "lines": ["default: in sync"],
                "drifted": False,
            },
            {"tenant": "acme-labs", "managedBy": "nobody", "lines": [], "drifted": False},
            {
                "tenant": "globex",
                "managedBy": "code",
                "lines": ["default: in sync", "contractors: in sync"],
                "drifted": False,
            },
            {
                "tenant": "initech",
                "managedBy": "customer",
                "lines": ["managed by the customer: not set up yet"],
                "drifted": False,
            },
        ],
    }

    descope.mgmt.tenant.patch_tenant("globex", disabled=True)
    descope.mgmt.tenant.create("Hand Made", "hand-made")

    code, out, err = ops("report", "--stack", "test", "--json", "--fail-on-drift")

    assert code == 1
    document = json.loads(out)  # stdout holds the document alone
    assert document["drift"]["tenants"] == [
        {"id": "globex", "fields": [{"field": "disabled", "descope": True, "configuration": False}]}
    ]
    assert document["unmanaged"]["tenants"] == ["hand-made"]
    assert (document["hasUnmanaged"], document["hasDrift"]) == (True, True)
    assert err.splitlines()[-1] == (
        "Failing (--fail-on-drift): 1 tenant(s) and 0 flow(s) differ in Descope from stack test's "
        "configuration; 0 tenant(s) and 0 flow(s) are missing in Descope."
    )
    code, out, _ = ops("report", "--stack", "test", "--fail-on-unmanaged", "--fail-on-drift")
    assert code == 1
    unmanaged = "1 tenant(s), 0 flow(s), 0 role(s) and 0 permission(s)"
    assert f"Failing (--fail-on-unmanaged): {unmanaged}" in out
    assert "Failing (--fail-on-drift): 1 tenant(s)" in out
    code, _, _ = ops("report", "--stack", "test", "--fail-on-unmanaged")
    assert code == 1
    code, _, _ = ops("report", "--stack", "test")
    assert code == 0  # without a flag, a report is never a failure


def test_report__a_declared_flow_or_tenant_missing_fails_on_drift(ops: Run) -> None:
    code, out, _ = ops("report", "--stack", "test", "--fail-on-drift")

    assert code == 1
    assert "Drift (Descope differs from the configuration): the theme." in out
    assert (
        "Failing (--fail-on-drift): 0 tenant(s), 0 flow(s) and the theme differ in Descope from "
        "stack test's configuration; 4 tenant(s) and 1 flow(s) are missing in Descope."
    ) in out
    assert "`python -m ops up --refresh --stack test` creates them" in out  # the real repair
    assert "pulumi up` creates" not in out


def test_report__one_tenant_listing_and_a_settings_load_only_where_settings_are_managed(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    text = project.tenants_file.read_text()
    initech = (
        "    settings:\n      sessionTokenExpiration: 2\n      sessionTokenExpirationUnit: hours\n"
    )
    assert initech in text
    project.tenants_file.write_text(text.replace(initech, "    settings: null\n"))
    deploy(project)
    reset_counters(emulator)

    code, out, err = ops("report", "--stack", "test")

    assert code == 0, err
    assert "Drift: none. The 4 managed tenant(s), 1 flow(s) and the theme" in out
    assert counters(emulator) == {
        "GET /v1/mgmt/tenant/all": 1,  # every tenant at once: no GET /v1/mgmt/tenant
        "GET /v1/mgmt/tenant/settings": 3,  # acme, acme-labs and globex; not initech's
        "GET /v1/mgmt/permission/all": 1,
        "GET /v1/mgmt/role/all": 1,
        "POST /v1/mgmt/flow/list": 1,
        "POST /v1/mgmt/flow/export": 1,
        "POST /v1/mgmt/theme/export": 1,
        "GET /v2/mgmt/sso/settings/all": 4,  # one per declared tenant: no batch SSO load
    }
    assert err.splitlines() == [
        "report: list Descope tenants",
        # acme, acme-labs and globex: settings and SSO; initech: its SSO only (settings not managed)
        "report: load tenant settings and SSO 0/4",
        "report: load tenant settings and SSO 1/4",
        "report: load tenant settings and SSO 2/4",
        "report: load tenant settings and SSO 3/4",
        *[
            line
            for line in err.splitlines()
            if line.startswith("report: load tenant settings and SSO 4/4")
        ],
        "report: list roles and permissions",
        "report: list Descope flows",
        *[line for line in err.splitlines() if line.startswith("report: export flows")],
        "report: export the theme",
    ]


# --- comparing, without Descope ---------------------------------------------------------------


def spec(**changes: Any) -> TenantSpec:
    return TenantSpec.model_validate({"id": "a", "name": "A", **changes})


def listed(**changes: Any) -> dict[str, Any]:
    return {"id": "a", "name": "A", **changes}


SETTINGS = {"domains": ["a.com"], "authType": "saml", "enabled": True}


def test_tenant_drift__compares_as_the_providers_do() -> None:
    # Order of set-like lists, whole floats, absent defaults: no drift, as for the providers.
    assert not tenant_drift(
        spec(selfProvisioningDomains=["a.com", "b.com"], customAttributes={"n": 3}),
        listed(selfProvisioningDomains=["b.com", "a.com"], customAttributes={"n": 3.0}),
        None,
    )
    # Settings the configuration does not manage are never drift, whatever Descope holds.
    assert not tenant_drift(spec(), listed(), SETTINGS)


def test_tenant_drift__a_sub_tenant_s_parent_and_declared_role_inheritance() -> None:
    held = listed(parent="acme", roleInheritance="userOnly")
    assert not tenant_drift(spec(parent="acme", roleInheritance="userOnly"), held, None)
    # roleInheritance not declared: not managed, whatever Descope holds.
    assert not tenant_drift(spec(parent="acme"), held, None)
    drift = tenant_drift(spec(parent="globex", roleInheritance="none"), held, None)
    assert [(d.field, d.descope, d.configuration) for d in drift] == [
        ("roleInheritance", "userOnly", "none"),
        ("parent", "acme", "globex"),
    ]
    drift = tenant_drift(spec(), held, None)
    assert [(d.field, d.descope, d.configuration) for d in drift] == [("parent", "acme", None)]


def test_tenant_drift__settings_field_by_field_in_the_configuration_s_words() -> None:
    wanted = spec(
        settings={
            "domains": ["a.com"],
            "authType": "oidc",
            "sessionTokenExpiration": 30,
            "sessionTokenExpirationUnit": "minutes",
        }
    )

    drift = tenant_drift(wanted, listed(), SETTINGS)

    assert [(d.field, d.descope, d.configuration) for d in drift] == [
        ("settings.authType", "saml", "oidc"),
        ("settings.sessionTokenExpiration", None, 30),
        ("settings.sessionTokenExpirationUnit", None, "minutes"),
    ]


@pytest.mark.parametrize(
    ("held", "wanted", "depth", "keys"),
    [
        ({"a": 1, "b": {"c": 1}}, {"a": 1, "b": {"c": 2}}, 1, ["b"]),
        ({"a": 1, "b": {"c": 1}}, {"a": 1, "b": {"c": 2}}, 2, ["b.c"]),
        ({"a": 1}, {"b": 1}, 2, ["a", "b"]),
        ({"b": [1]}, {"b": {"c": 1}}, 2, ["b"]),
        ({"a": 1}, {"a": 1}, 2, []),
    ],
)
def test_differing_keys(held: Any, wanted: Any, depth: int, keys: list[str]) -> None:
    assert differing_keys(held, wanted, depth) == keys


def test_report__a_flow_deleted_after_the_listing_is_missing(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy(project)
    monkeypatch.setattr(Descope, "flow", lambda _self, _flow_id: None)

    code, out, _ = ops("report", "--stack", "test", "--json")

    assert code == 0
    document = json.loads(out)
    assert document["missing"]["flows"] == [FLOW_ID]
    assert document["checked"]["flows"] == 0


HOSTILE = "\x1b[2J\x1b]0;pwned\x07[bold]x[/bold]\x7f\x85\u202e\u2066"
"""Clear the screen, set the window title, a bell, rich markup, DEL, a C1 control (NEL) and
bidirectional overrides: what a tenant or role made in the console may be called."""
HOSTILE_SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07[bold]x[/bold]\\x7f\\x85\\u202e\\u2066"
RAW = ("\x1b", "\x07", "\x7f", "\x85", "\u202e", "\u2066")


def test_report__names_from_descope_cannot_act_on_the_terminal(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    descope.mgmt.tenant.patch_tenant("acme", name=f"Acme {HOSTILE}")
    descope.mgmt.tenant.create(f"Evil {HOSTILE}", f"evil{HOSTILE}")
    descope.mgmt.role.create(f"console {HOSTILE}")

    code, out, err = ops("report", "--stack", "test")

    assert code == 0, err
    assert not [char for char in RAW if char in out], out
    assert f"  - evil{HOSTILE_SHOWN}" in out.splitlines()
    assert f"  - console {HOSTILE_SHOWN}" in out.splitlines()
    # The drift table's cell, on one line: JSON's escapes for C0 controls, ours for the rest.
    assert '"Acme \\u001b[2J\\u001b]0;pwned\\u0007[bold]x[/bold]\\x7f\\x85\\u202e\\u2066"' in out

    code, out, _ = ops("report", "--stack", "test", "--json")

    assert not [char for char in RAW if char in out]
    assert f"evil{HOSTILE}" in json.loads(out)["unmanaged"]["tenants"]


def test_report__sso_lines_from_descope_cannot_act_on_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_sso([TenantSSOReport(f"acme{HOSTILE}", "customer", [f"managed by {HOSTILE}"])])

    out = capsys.readouterr().out
    assert out.splitlines()[1] == f"  - acme{HOSTILE_SHOWN}: managed by {HOSTILE_SHOWN}"


def test_report__a_role_descope_holds_in_another_unicode_form_is_the_declared_role(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    text = project.tenants_file.read_text(encoding="utf-8")
    text = text.replace("roles:", 'roles:\n  - name: "g\u00e9rant"', 1)
    text = text.replace("permissions:", 'permissions:\n  - name: "r\u00e9sum\u00e9"', 1)
    project.tenants_file.write_text(text, encoding="utf-8")
    descope.mgmt.permission.create("re\u0301sume\u0301")
    descope.mgmt.role.create("ge\u0301rant", permission_names=[])

    code, out, err = ops("report", "--stack", "test", "--json")

    assert code == 0, err
    document = json.loads(out)
    assert "g\u00e9rant" not in document["missing"]["roles"]
    assert "r\u00e9sum\u00e9" not in document["missing"]["permissions"]
    assert document["unmanaged"]["roles"] == []
    assert document["unmanaged"]["permissions"] == []
