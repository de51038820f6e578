"""export: an existing project as code, that deploys with no drift and exports identically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from descope import DescopeClient

from config import load_configuration
from model import content_hash, normalise_flow_export, normalise_theme
from ops.stack import load_stack
from tests.ops.conftest import REPO, Project, Run
from tests.ops.deploy import Deployment

FLOW = {
    "flow": {"id": "login", "name": "Login", "dsl": {"start": "s1"}, "version": 4},
    "screens": [
        {"id": "s2", "inputs": [], "htmlTemplate": {"b": 1}},
        {"id": "s1", "inputs": [], "htmlTemplate": {"a": "${not-a-variable}"}},
    ],
}


def seed(descope: DescopeClient) -> None:
    """A project built by hand in the console: tenants with settings, a flow, a theme."""
    tenant = descope.mgmt.tenant
    tenant.create("Acme", "acme", ["acme.com"], {"plan": "gold", "seats": 5})
    tenant.update_settings(
        "acme",
        self_provisioning_domains=["acme.com"],
        domains=["sso.acme.com"],
        auth_type="saml",
        session_settings_enabled=True,
        session_token_expiration=30,
        session_token_expiration_unit="minutes",
    )
    tenant.update_default_roles("acme", ["member"])
    tenant.create("Globex ${x}", "globex", enforce_sso=True, enforce_sso_exclusions=["u1"])
    descope.mgmt.role.create("globex-ops", "Runs Globex", ["reports.read"], tenant_id="globex")
    tenant.update_default_roles("globex", ["globex-ops", "Tenant Admin"])
    descope.mgmt.flow.import_flow("login", FLOW["flow"], FLOW["screens"])
    descope.mgmt.flow.import_theme({"cssTemplate": {"light": {"primary": "#123456"}}})


def connection(project: Project) -> dict[str, str]:
    return load_stack("test", project.root).provider_config()


def test_export__deploys_with_no_drift(
    ops: Run, project: Project, descope: DescopeClient, tmp_path: Path
) -> None:
    seed(descope)
    out, flows = tmp_path / "out" / "tenants.yaml", tmp_path / "out" / "flows"

    code, stdout, _ = ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(flows))

    assert code == 0, stdout
    assert "2 tenant(s), 4 role(s), 3 permission(s), 1 flow(s) and the theme" in stdout
    assert "The tenants use plan, seats: declare them under tenantAttributes:" in stdout
    text = out.read_text()
    assert "tenantAttributes" not in text.split("# ")[-1]
    assert "adopt: true" in text
    assert "$${x}" in text  # a literal ${ survives variable substitution
    configuration = load_configuration(out, flows_dir=flows)
    assert [t.id for t in configuration.tenants] == ["acme", "globex"]
    assert all(t.adopt and t.settings is not None for t in configuration.tenants)
    assert configuration.tenants[1].name == "Globex ${x}"
    assert configuration.tenant_attributes is None
    assert [p.name for p in configuration.permissions or []] == [
        "billing.manage",
        "billing.read",
        "reports.read",
    ]
    assert [r.name for r in configuration.roles or []] == [
        "billing-admin",
        "billing-viewer",
        "member",
    ]
    assert [(r.name, r.permissions) for r in configuration.tenant_roles["globex"]] == [
        ("globex-ops", ["reports.read"])
    ]

    deployment = Deployment.of(
        out, flows_dir=flows, backup_dir=tmp_path / "backups", connection=connection(project)
    )
    # Roles and permissions are in Descope exactly as exported: taken over as they are.
    assert deployment.up() == {
        "permission-billing.manage": "create",
        "permission-billing.read": "create",
        "permission-reports.read": "create",
        "role-billing-admin": "create",
        "role-billing-viewer": "create",
        "role-member": "create",
        "tenant-acme": "create",
        "tenant-globex": "create",
        "tenant-role-globex/globex-ops": "create",
        "flow-login": "create",
        "theme": "create",
    }
    assert set(deployment.preview().values()) == {"same"}
    assert set(deployment.refresh().values()) == {"read"}
    # Adopting snapshots the tenants; flows and theme already matched, so nothing was overwritten.
    snapshots = [p.name for p in (tmp_path / "backups").iterdir()]
    assert not [name for name in snapshots if name.endswith("-overwrite.json")], snapshots


def test_export__twice_gives_identical_bytes(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    seed(descope)
    outputs = []
    for run in ("first", "second"):
        folder = tmp_path / run
        code, _, _ = ops(
            "export",
            "--stack",
            "test",
            "--out",
            str(folder / "t.yaml"),
            "--flows-dir",
            str(folder / "flows"),
        )
        assert code == 0
        outputs.append(
            {
                p.relative_to(folder): p.read_bytes()
                for p in sorted(folder.rglob("*"))
                if p.is_file()
            }
        )

    assert outputs[0] == outputs[1]
    assert set(outputs[0]) == {Path("t.yaml"), Path("flows/login.json"), Path("flows/theme.json")}
    assert outputs[0][Path("flows/login.json")].endswith(b"}\n")


def test_export__refuses_to_overwrite_unless_forced(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    seed(descope)
    out = tmp_path / "t.yaml"
    out.write_text("mine\n")
    args = ("export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path / "f"))

    code, _, err = ops(*args)

    assert code == 1
    assert f"Not overwriting existing files: {out}" in err
    assert out.read_text() == "mine\n"
    assert not (tmp_path / "f").exists()
    code, _, _ = ops(*args, "--force")
    assert code == 0
    assert "acme" in out.read_text()


def test_export__defaults_to_the_stacks_files(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    seed(descope)
    code, _, err = ops("export", "--stack", "test")
    assert code == 1
    assert "Not overwriting" in err
    assert "test.yaml" in err

    code, out, _ = ops("export", "--stack", "test", "--force")

    assert code == 0, out
    assert "id: acme" in project.tenants_file.read_text()
    assert (project.flows_dir / "login.json").is_file()


def seed_refused(descope: DescopeClient) -> None:
    """Tenants made in the console with values the configuration does not accept."""
    descope.mgmt.tenant.create("Big", "big", ["Big.COM"])
    descope.mgmt.tenant.create("Odd", "odd", enforce_sso_exclusions=["u1"])
    descope.mgmt.tenant.create("Fine", "fine", ["fine.com"])


BIG_PROBLEM = (
    'tenant "big": selfProvisioningDomains[0]: domain "Big.COM" must be written in '
    'lowercase: "big.com".'
)


def test_export__names_every_tenant_the_model_refuses_and_writes_nothing(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    seed_refused(descope)
    out, flows = tmp_path / "out" / "t.yaml", tmp_path / "out" / "flows"

    code, _, err = ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(flows))

    assert code == 1
    assert "Traceback" not in err
    assert "ValidationError" not in err
    assert "holds 2 tenant(s) with values the configuration does not accept" in err
    assert BIG_PROBLEM in err
    assert 'tenant "odd": enforceSSOExclusions is set but enforceSSO is false' in err
    assert 'tenant "fine"' not in err
    assert "Fix these values in the Descope console" in err
    assert "--write-invalid" in err
    assert "python -m ops validate --stack test" in err
    assert not out.parent.exists()


def test_export__a_role_the_configuration_refuses_stops_it_naming_the_role(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    descope.mgmt.role.create("Member", "Differs from member only in case")
    out = tmp_path / "out" / "t.yaml"

    code, _, err = ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path))

    assert code == 1
    assert "1 role or permission problem(s)" in err
    assert 'the role "member" differs only in case from "Member" declared in Descope' in err
    assert not out.exists()
    code, _, err = ops(
        "export",
        "--stack",
        "test",
        "--out",
        str(out),
        "--flows-dir",
        str(tmp_path),
        "--write-invalid",
    )
    assert code == 0, err
    assert "roles and permissions were written as Descope holds them" in err
    assert "- name: Member" in out.read_text()


def test_export__a_tenant_naming_a_role_descope_lacks_is_refused(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    descope.mgmt.tenant.create("Acme", "acme")
    descope.mgmt.tenant.update_default_roles("acme", ["member"])
    descope.mgmt.role.delete("member")  # Descope keeps the name among acme's default roles
    out = tmp_path / "out" / "t.yaml"

    code, _, err = ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path))

    assert code == 1
    assert 'tenant "acme": defaultRoles[0]: role "member" is not declared in roles:' in err


def test_export__write_invalid_writes_them_as_descope_holds_them(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    seed_refused(descope)

    code, out, err = ops("export", "--stack", "test", "--force", "--write-invalid")

    assert code == 0, err
    assert f"wrote {project.tenants_file}" in out
    assert "the configuration validates" not in out
    assert "warning: 2 tenant(s) were written as Descope holds them" in err
    assert BIG_PROBLEM in err
    assert "`python -m ops validate --stack test` lists what to fix" in err
    text = project.tenants_file.read_text()
    assert "- Big.COM" in text
    assert "id: fine" in text
    code, _, err = ops("validate", "--stack", "test")
    assert code == 1
    assert 'domain "Big.COM" must be written in lowercase' in err


def schema_reference(path: Path) -> Path:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    return (path.parent / first.split("$schema=", 1)[1]).resolve()


def test_export__schema_reference_is_relative_to_the_output(
    ops: Run, project: Project, descope: DescopeClient, tmp_path: Path
) -> None:
    seed(descope)
    schema = (project.root / "config" / "tenants.schema.json").resolve()
    out = tmp_path / "elsewhere" / "deeper" / "t.yaml"

    assert ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path))[0] == 0
    assert ops("export", "--stack", "test", "--force")[0] == 0

    assert schema_reference(out) == schema
    assert schema_reference(project.tenants_file) == schema
    assert project.tenants_file.read_text().startswith(
        "# yaml-language-server: $schema=../tenants.schema.json\n"
    )


def test_export__an_untouched_project_rewrites_flow_and_theme_files_identically(
    ops: Run, project: Project, tmp_path: Path
) -> None:
    Deployment.of(
        project.tenants_file,
        flows_dir=project.flows_dir,
        backup_dir=tmp_path / "backups",
        connection=connection(project),
        variables=load_stack("test", project.root).variables,
    ).up()
    before = {p.name: p.read_bytes() for p in project.flows_dir.iterdir()}

    code, _, err = ops("export", "--stack", "test", "--force")

    assert code == 0, err
    assert {p.name: p.read_bytes() for p in project.flows_dir.iterdir()} == before
    assert before == {p.name: p.read_bytes() for p in (REPO / "config" / "flows").iterdir()}


def test_export__lifetimes_descope_ignores_are_not_exported(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    """With custom session lifetimes turned off, Descope keeps but ignores the values: the
    export must not turn them back on."""
    descope.mgmt.tenant.create("Quiet", "quiet")
    descope.mgmt.tenant.update_settings(
        "quiet",
        self_provisioning_domains=[],
        session_settings_enabled=False,
        session_token_expiration=30,
        session_token_expiration_unit="minutes",
    )
    out = tmp_path / "out" / "t.yaml"

    code, _, err = ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path))

    assert code == 0, err
    [tenant] = [t for t in load_configuration(out, flows_dir=tmp_path).tenants if t.id == "quiet"]
    assert tenant.settings is not None
    assert tenant.settings.sessionTokenExpiration is None
    assert tenant.settings.sessionTokenExpirationUnit is None


PROD_FLOW = {
    "flow": {
        "id": "signin",
        "name": "Sign in",
        "description": "Sign in to https://app.example.com",
        "dsl": {"start": "s1", "connector": "prod-crm", "product": "production"},
    },
    "screens": [
        {
            "id": "s1",
            "inputs": [],
            "htmlTemplate": {
                "text": "Terms: https://app.example.com/terms",
                "hi": "Hi ${user.name}",
            },
        }
    ],
}
PROD_THEME = {"cssTemplate": {"light": {"logo": "https://app.example.com/logo.png"}}}
PROD_VARS = ("--var", "appUrl=https://app.example.com", "--var", "environment=prod")


def seed_prod(descope: DescopeClient) -> None:
    """A flow and a theme holding prod's own values, as a console edit in prod leaves them."""
    descope.mgmt.flow.import_flow("signin", PROD_FLOW["flow"], PROD_FLOW["screens"])
    descope.mgmt.flow.import_theme(PROD_THEME)


def export_files(ops: Run, folder: Path, *args: str) -> tuple[str, dict[str, bytes]]:
    out, flows = folder / "t.yaml", folder / "flows"
    code, stdout, err = ops(
        "export", "--stack", "test", "--out", str(out), "--flows-dir", str(flows), *args
    )
    assert code == 0, err
    return stdout, {p.name: p.read_bytes() for p in sorted(flows.iterdir())}


def test_export__writes_variables_back_into_flow_and_theme_files(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    seed_prod(descope)

    stdout, files = export_files(ops, tmp_path / "a", "--no-vars", *PROD_VARS)

    flow = json.loads(files["signin.json"])
    assert flow["flow"]["description"] == "Sign in to ${appUrl}"
    assert flow["flow"]["dsl"]["connector"] == "${environment}-crm"
    assert flow["flow"]["dsl"]["product"] == "production"  # "prod" glued to letters: left alone
    template = flow["screens"][0]["htmlTemplate"]
    assert template == {"text": "Terms: ${appUrl}/terms", "hi": "Hi $${user.name}"}
    theme = json.loads(files["theme.json"])["theme"]
    assert theme["cssTemplate"] == {"light": {"logo": "${appUrl}/logo.png"}}
    assert "${appUrl} written in 3 place(s) in the flow and theme files" in stdout
    assert "${environment} written in 1 place(s) in the flow and theme files" in stdout
    assert "Pulumi.test.yaml does not define descope-config:appUrl" in stdout
    assert "--var environment differs from the value in Pulumi.test.yaml" in stdout
    assert "https://app.example.com" not in stdout  # values are never printed
    assert export_files(ops, tmp_path / "b", "--no-vars", *PROD_VARS)[1] == files


def test_export__with_variables_loads_back_to_descopes_content_and_hash(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    seed_prod(descope)
    export_files(ops, tmp_path, "--no-vars", *PROD_VARS)

    configuration = load_configuration(
        tmp_path / "t.yaml",
        variables={"appUrl": "https://app.example.com", "environment": "prod"},
        flows_dir=tmp_path / "flows",
    )

    held = normalise_flow_export(descope.mgmt.flow.export_flow("signin"))
    [flow] = [f for f in configuration.flows if f.id == "signin"]
    assert flow.content == held
    assert flow.content_hash == content_hash(held)
    held_theme = normalise_theme(descope.mgmt.flow.export_theme()["theme"])
    assert configuration.theme is not None
    assert configuration.theme.content_hash == content_hash(held_theme)
    staging = load_configuration(
        tmp_path / "t.yaml",
        variables={"appUrl": "https://app.staging.example.com", "environment": "staging"},
        flows_dir=tmp_path / "flows",
    )
    assert staging.flows[0].content["flow"]["dsl"]["connector"] == "staging-crm"
    assert staging.flows[0].content_hash != flow.content_hash


def test_export__writes_the_stacks_own_variables_back_unless_no_vars(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    screens = [{"id": "s1", "inputs": [], "htmlTemplate": {"url": "https://a.dev.example.com/x"}}]
    descope.mgmt.flow.import_flow("signin", {"id": "signin", "name": "dev flow"}, screens)

    stdout, files = export_files(ops, tmp_path / "a")
    _, literal = export_files(ops, tmp_path / "b", "--no-vars")

    flow = json.loads(files["signin.json"])
    assert flow["screens"][0]["htmlTemplate"]["url"] == "https://a.${domainSuffix}/x"
    assert flow["flow"]["name"] == "dev flow"  # environment=dev is too short to write back
    assert "does not define" not in stdout
    assert (
        json.loads(literal["signin.json"])["screens"][0]["htmlTemplate"]
        == screens[0]["htmlTemplate"]
    )


def test_export__a_var_that_is_not_name_equals_value_is_a_usage_error(
    ops: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        ops("export", "--stack", "test", "--var", "appUrl")
    assert info.value.code == 2
    assert '"appUrl" is not key=value' in capsys.readouterr().err


def test_export__a_var_named_like_a_stack_setting_is_refused(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    code, _, err = ops("export", "--stack", "test", "--var", "flowsDir=config/flows")

    assert code == 1
    assert "descope-config:flowsDir is a stack setting, not a ${...} variable" in err


def test_export__says_a_var_too_short_to_write_back_is_not_used(
    ops: Run, descope: DescopeClient, tmp_path: Path
) -> None:
    seed_prod(descope)

    stdout, files = export_files(ops, tmp_path, "--no-vars", "--var", "region=eu")

    assert "--var region: values shorter than 4 characters are never written back" in stdout
    assert "${region}" not in files["signin.json"].decode()
