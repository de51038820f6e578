"""The operations and tenants' SSO: export, backup, restore, report and the customer's link."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from descope import AttributeMapping, DescopeClient, SSOOIDCSettings, SSOSAMLSettings
from descope.management import tenant as descope_tenant

from config import load_configuration
from emulator.server import EmulatorServer
from ops.stack import load_stack, load_stack_configuration
from providers.backups import write_snapshot
from tests.ops.conftest import OIDC_SECRET, Project, Run
from tests.ops.deploy import Deployment, deploy
from tests.ops.test_backup_restore import commit_all
from tests.support.sso import certificate

DEV_VARIABLES = {"environment": "dev", "domainSuffix": "dev.example.com"}


def entries(path: Path) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in yaml.safe_load(path.read_text())["tenants"]}


def console_edits_acme(descope: DescopeClient) -> None:
    held = descope.mgmt.sso.load_settings("acme")
    saml = held["saml"]
    descope.mgmt.sso.configure_saml_settings(
        "acme",
        SSOSAMLSettings(
            idp_url=saml["idpSSOUrl"],
            idp_entity_id=saml["idpEntityId"],
            idp_cert=saml["idpCertificate"],
            attribute_mapping=AttributeMapping(name="cn"),
        ),
        redirect_url=saml["redirectUrl"],
        domains=held["tenant"]["domains"],
    )


# --- export ---------------------------------------------------------------------------------


def test_export__writes_each_tenants_sso_with_the_secrets_to_set(
    ops: Run, project: Project, tmp_path: Path
) -> None:
    deploy(project)
    out = tmp_path / "out" / "tenants.yaml"

    code, stdout, err = ops(
        "export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path / "flows")
    )

    assert code == 0, err
    text = out.read_text()
    assert OIDC_SECRET not in text
    assert "clientSecret: ${oidcClientSecret_globex}" in text
    assert "pulumi config set --secret descope-config:oidcClientSecret_globex" in stdout
    assert "contractors are written with their ssoId as displayName" in stdout
    written = entries(out)
    assert written["acme"]["sso"]["saml"]["certificate"].startswith("-----BEGIN CERTIFICATE")
    assert written["acme"]["sso"]["domains"] == ["acme.dev.example.com"]
    assert "domains" not in written["acme"]["settings"]  # owned by its sso:
    assert "authType" not in written["acme"]["settings"]
    assert written["globex"]["sso"]["additional"][0]["ssoId"] == "contractors"
    assert "sso" not in written["initech"]  # nothing set up, and no SSO Setup Suite
    configuration = load_configuration(
        out,
        flows_dir=tmp_path / "flows",
        variables=DEV_VARIABLES,
        secret_variables=["oidcClientSecret_globex"],
    )
    declared = load_stack_configuration(load_stack("test", project.root)).tenant_sso
    assert configuration.tenant_sso["acme"] == declared["acme"]


def test_export__the_exported_sso_adopts_with_no_drift(
    ops: Run, project: Project, tmp_path: Path
) -> None:
    deploy(project)
    out, flows = tmp_path / "out" / "tenants.yaml", tmp_path / "flows"
    assert ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(flows))[0] == 0
    load_configuration(
        out, flows_dir=flows, variables=DEV_VARIABLES, secret_variables=["oidcClientSecret_globex"]
    )
    deployment = Deployment.of(
        out,
        flows_dir=flows,
        backup_dir=tmp_path / "backups",
        connection=load_stack("test", project.root).provider_config(),
        variables=DEV_VARIABLES,
        secrets={"oidcClientSecret_globex": OIDC_SECRET},
    )
    created = deployment.up()
    sso = {k: v for k, v in created.items() if k.startswith(("sso-", "tenant-")) and "/" not in k}
    sso |= {k: v for k, v in created.items() if k.startswith("sso-")}
    assert len(sso) == 7  # tenants acme, acme-labs, globex, initech; SSO: acme, globex (two)
    assert set(sso.values()) == {"create"}  # each one adopted
    assert set(deployment.preview().values()) == {"same"}
    assert set(deployment.refresh().values()) == {"read"}


def test_export__customer_managed_where_the_sso_setup_suite_is_on(
    ops: Run, project: Project, emulator: EmulatorServer, tmp_path: Path
) -> None:
    deploy(project)
    with emulator.app.backend.lock:
        emulator.app.backend.tenants["initech"].settings.sso_setup_suite_settings = {
            "enabled": True
        }
    out = tmp_path / "t.yaml"
    code, _, err = ops(
        "export", "--stack", "test", "--out", str(out), "--flows-dir", str(tmp_path / "f")
    )
    assert code == 0, err
    assert entries(out)["initech"]["sso"] == {"managedBy": "customer"}


# --- backup and restore ---------------------------------------------------------------------


def take_backup(ops: Run, project: Project) -> Path:
    code, _, err = ops("backup", "--stack", "test")
    assert code == 0, err
    return sorted((project.root / "backups" / "test").glob("*-full-backup.json"))[-1]


def test_backup__keeps_each_tenants_sso_and_no_secret(ops: Run, project: Project) -> None:
    deploy(project)
    path = take_backup(ops, project)
    text = path.read_text()
    assert OIDC_SECRET not in text
    tenants = {t["tenant"]["id"]: t for t in json.loads(text)["tenants"]}
    assert [c["ssoId"] for c in tenants["globex"]["sso"]] == ["", "contractors"]
    assert tenants["acme"]["sso"][0]["saml"]["idpSSOUrl"] == "https://idp.acme.example/saml/sso"
    assert tenants["initech"]["sso"] == []


def test_restore__puts_a_tenants_sso_back_into_code_keeping_its_secret_reference(
    ops: Run, project: Project
) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    document = yaml.safe_load(project.tenants_file.read_text())
    for tenant in document["tenants"]:
        if tenant["id"] in ("acme", "globex"):
            tenant["sso"]["domains"] = [f"lost.{tenant['id']}.example"]
            tenant["sso"].pop("groupMappings", None)
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))

    code, out, err = ops(
        "restore", str(backup), "--stack", "test", "--tenant", "acme", "--tenant", "globex",
        "--force",
    )  # fmt: skip

    assert code == 0, err
    assert "pulumi config set --secret" not in out  # the reference was kept
    text = project.tenants_file.read_text()
    assert "clientSecret: ${globexOidcClientSecret}" in text
    assert "acme.${domainSuffix}" in text  # written back with the file's variable
    restored = load_stack_configuration(load_stack("test", project.root)).tenant_sso
    assert restored["acme"].domains == ["acme.dev.example.com"]
    assert [m.role for m in restored["acme"].groupMappings] == ["Tenant Admin", "billing-viewer"]
    assert restored["globex"].additional[0].displayName == "Globex contractors"


def test_restore__from_an_sso_snapshot_of_a_console_edit(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    console_edits_acme(descope)
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="sso",
        resource_id="acme",
        reason="overwrite",
        content={"sso": descope.mgmt.sso.load_settings("acme")},
    )

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme", "--force")

    assert code == 0, err
    restored = load_stack_configuration(load_stack("test", project.root)).tenant_sso["acme"]
    assert restored.saml is not None
    assert restored.saml.attributeMapping.name == "cn"
    assert restored.groupMappings == []  # the console's edit dropped them


def test_restore__leaves_customer_managed_sso_as_it_is(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    descope.mgmt.sso.configure_oidc_settings(
        "initech",
        SSOOIDCSettings(name="Initech IdP", client_id="i", client_secret="x"),
        domains=["initech.example"],
    )
    backup = take_backup(ops, project)
    before = project.tenants_file.read_text()

    code, out, err = ops("restore", str(backup), "--stack", "test", "--tenant", "initech")

    assert code == 0, err
    assert "tenant initech: SSO managed by the customer, left as it is" in out
    assert project.tenants_file.read_text() == before


def test_restore__from_a_stack_export_of_sso_resources(
    ops: Run, project: Project, tmp_path: Path
) -> None:
    found = deploy(project)
    resources_json = [
        {
            "urn": resource.urn,
            "type": resource.type,
            "outputs": {
                k: {
                    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                    "ciphertext": "x",
                }
                if k == "clientSecretHash" and v
                else v
                for k, v in resource.outputs.items()
            },
        }
        for resource in found.state.resources
        if resource.name.startswith(("sso-", "tenant-"))
    ]
    export = tmp_path / "stack.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": resources_json}}))
    document = yaml.safe_load(project.tenants_file.read_text())
    [globex] = [t for t in document["tenants"] if t["id"] == "globex"]
    globex["sso"].pop("additional")
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))

    code, _, err = ops("restore", str(export), "--stack", "test", "--tenant", "globex", "--force")

    assert code == 0, err
    restored = load_stack_configuration(load_stack("test", project.root)).tenant_sso["globex"]
    assert [c.ssoId for c in restored.additional] == ["contractors"]
    assert restored.additional[0].displayName == "Globex contractors"


# --- report ---------------------------------------------------------------------------------


def test_report__shows_each_configurations_state(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    code, out, _ = ops("report", "--stack", "test")
    assert code == 0
    assert "  - acme: default: in sync" in out
    assert "  - globex: contractors: in sync" in out
    assert "  - initech: managed by the customer: not set up yet" in out

    console_edits_acme(descope)
    descope.mgmt.sso.new_settings("acme", "Made by hand", "extra")
    descope.mgmt.sso.delete_settings("globex", "contractors")
    descope.mgmt.sso.configure_oidc_settings(
        "initech",
        SSOOIDCSettings(name="Initech IdP", client_id="i", client_secret="x"),
        domains=["initech.example"],
    )
    code, out, _ = ops("report", "--stack", "test")
    assert code == 0
    assert "  - acme: default: differs in saml, groupMappings" in out
    assert "  - acme: not in the configuration: extra: none, no SSO domains" in out
    assert "  - globex: contractors: missing in Descope" in out
    assert "  - initech: managed by the customer: default: oidc, initech.example" in out
    assert "x" not in [line.strip() for line in out.splitlines()]  # no secret shown


# --- the customer's link ----------------------------------------------------------------------


def test_sso_link__generates_and_revokes_for_a_customer_managed_tenant(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    deploy(project)
    code, out, err = ops(
        "sso-link", "--stack", "test", "--tenant", "initech", "--expires-in", "2h",
        "--email", "it@initech.example",
    )  # fmt: skip
    assert code == 0, err
    assert "valid for 2 hour(s)" in out
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://")
    (held,) = emulator.app.backend.sso.admin_links["initech"]
    assert held.expires_time is not None
    assert (held.email, held.expires_time - held.created_time) == ("it@initech.example", 7200)

    code, out, err = ops("sso-link", "--stack", "test", "--tenant", "initech", "--revoke")
    assert code == 0, err
    assert 'Revoked the SSO setup links of tenant "initech"' in out
    assert emulator.app.backend.sso.admin_links["initech"] == []


def test_sso_link__a_link_from_descope_cannot_act_on_the_terminal(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy(project)
    hostile = "https://x.example/\x1b]8;;https://evil.example\x07setup\u202e"
    monkeypatch.setattr(
        descope_tenant.Tenant, "generate_sso_configuration_link", lambda *_, **__: hostile
    )

    code, out, err = ops("sso-link", "--stack", "test", "--tenant", "initech")

    assert code == 0, err
    assert out.splitlines()[-1] == (
        "https://x.example/\\x1b]8;;https://evil.example\\x07setup\\u202e"
    )


def test_sso_link__refuses_a_tenant_whose_sso_is_code(ops: Run, project: Project) -> None:
    code, _, err = ops("sso-link", "--stack", "test", "--tenant", "acme")
    assert code == 1
    assert "declares its SSO as code" in err
    assert "would be overwritten by the next `pulumi up`" in err
    code, _, err = ops("sso-link", "--stack", "test", "--tenant", "nobody")
    assert code == 1
    assert 'Tenant "nobody" is not in' in err


def test_sso_link__a_bad_duration_is_a_usage_error(ops: Run) -> None:
    import pytest  # noqa: PLC0415

    with pytest.raises(SystemExit) as stopped:
        ops("sso-link", "--stack", "test", "--tenant", "initech", "--expires-in", "40d")
    assert stopped.value.code == 2


def test_the_suites_certificates_parse() -> None:
    assert certificate()  # tests.support.sso


def test_restore__a_one_key_sso_change_is_a_one_line_diff_keeping_references(
    ops: Run, project: Project
) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    data = json.loads(backup.read_text())
    acme = next(t for t in data["tenants"] if t["tenant"]["id"] == "acme")
    acme["sso"][0]["saml"]["redirectUrl"] = "https://app.dev.example.com/after-login"
    backup.write_text(json.dumps(data))
    commit_all(project)
    before = project.tenants_file.read_text()

    code, out, err = ops("restore", str(backup), "--stack", "test", "--tenant", "acme")

    assert code == 0, err
    assert f"tenant acme: restored -> {project.tenants_file}" in out
    after = project.tenants_file.read_text()
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]
    assert diff == [
        "-      redirectUrl: https://app.${domainSuffix}/after-sso",
        "+      redirectUrl: https://app.${domainSuffix}/after-login",
    ]
    restored = load_stack_configuration(load_stack("test", project.root)).tenant_sso["acme"]
    assert restored.redirectUrl == "https://app.dev.example.com/after-login"


def test_restore__an_sso_snapshot_of_a_further_configuration_keeps_the_others(
    ops: Run, project: Project
) -> None:
    deploy(project)
    backup = json.loads(take_backup(ops, project).read_text())
    globex = next(t for t in backup["tenants"] if t["tenant"]["id"] == "globex")
    contractors = next(c for c in globex["sso"] if c["ssoId"] == "contractors")
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="sso",
        resource_id="globex/contractors",
        reason="overwrite",
        content={"sso": contractors},
    )
    edited = project.tenants_file.read_text().replace(
        "https://contractors.globex.example/saml/metadata", "https://elsewhere.example/metadata"
    )
    project.tenants_file.write_text(edited)
    commit_all(project)

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "globex")

    assert code == 0, err
    after = project.tenants_file.read_text()
    assert after == edited.replace(
        "https://elsewhere.example/metadata", "https://contractors.globex.example/saml/metadata"
    )
