"""report, stack settings, stack-backup and the CLI's error paths: one clear message, exit 1."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from ops.cli import main
from ops.errors import OpsError
from ops.inspect import report
from ops.project.live import sdk_default_url, unreachable
from ops.stack import load_stack
from providers.errors import DescopeApiError
from tests.ops.conftest import MANAGEMENT_KEY, PROJECT_ID, Project, Run, stack_yaml
from tests.support.plugin import RecordedSleeps


def test_report__lists_unmanaged_and_missing(ops: Run, descope: DescopeClient) -> None:
    descope.mgmt.tenant.create("Acme Corp", "acme")
    descope.mgmt.tenant.create("Hand Made", "hand-made")
    descope.mgmt.flow.import_flow("console-flow", {"id": "console-flow"}, [])

    code, out, _ = ops("report", "--stack", "test")

    assert code == 0
    assert "Tenants in Descope, not in the configuration: 1\n  - hand-made" in out
    assert "Flows in Descope, not in the configuration: 1\n  - console-flow" in out
    assert (
        "Tenants in the configuration, missing in Descope: 3\n"
        "  - acme-labs\n  - globex\n  - initech" in out
    )
    assert "Flows in the configuration, missing in Descope: 1\n  - sign-up-or-in" in out
    code, out, _ = ops("report", "--stack", "test", "--fail-on-unmanaged")
    assert code == 1
    assert "Failing (--fail-on-unmanaged): 1 tenant(s), 1 flow(s), 0 role(s) and" in out


def test_report__lists_roles_and_permissions_descope_holds_and_lacks(
    ops: Run, descope: DescopeClient
) -> None:
    descope.mgmt.permission.create("console.only")
    descope.mgmt.role.create("console-role")
    descope.mgmt.role.delete("billing-admin")
    descope.mgmt.tenant.create("Acme Corp", "acme")
    descope.mgmt.role.create("acme-helpdesk", tenant_id="acme")
    descope.mgmt.tenant.create("Hand Made", "hand-made")
    descope.mgmt.role.create("theirs", tenant_id="hand-made")  # goes with its tenant

    code, out, _ = ops("report", "--stack", "test", "--fail-on-unmanaged")

    assert code == 1
    assert (
        "Roles in Descope, not in the configuration: 2\n  - acme/acme-helpdesk\n  - console-role\n"
    ) in out
    assert (
        "Roles in the configuration, missing in Descope: 2\n  - acme/acme-auditor\n"
        "  - billing-admin\n"
    ) in out
    assert "Permissions in Descope, not in the configuration: 1\n  - console.only\n" in out
    assert "Permissions in the configuration, missing in Descope: 0\n" in out
    assert "Tenant Admin" not in out
    assert "1 tenant(s), 0 flow(s), 2 role(s) and 1 permission(s) are not managed" in out


def test_report__says_which_declared_attributes_it_could_not_verify(
    ops: Run, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Acme Corp", "acme", custom_attributes={"plan": "x", "seats": 3})

    code, out, _ = ops("report", "--stack", "test")

    assert code == 0
    assert (
        "Tenant attributes declared and in use in Descope (some tenant holds a value): 2\n"
        "  - plan\n  - seats\n"
    ) in out
    assert (
        "Tenant attributes declared but not verified against Descope: 2\n"
        "  - environment\n  - region\n"
    ) in out
    assert "Descope has no API that reads the attribute definitions" in out


def test_report__unmanaged_roles_and_permissions_are_not_compared(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    project.tenants_file.write_text("tenants:\n  - {id: acme, name: Acme Corp}\n")
    descope.mgmt.role.create("console-role")

    code, out, _ = ops("report", "--stack", "test", "--fail-on-unmanaged")

    assert code == 0, out
    assert "Roles: not managed by the configuration (it has no roles: key)." in out
    assert "Permissions: not managed by the configuration" in out
    assert "Tenant attributes: not declared (no tenantAttributes: key)" in out


def test_report__passes_ci_when_everything_is_managed(ops: Run) -> None:
    code, _, _ = ops("report", "--stack", "test", "--fail-on-unmanaged")
    assert code == 0


def test_cli__missing_stack_file(ops: Run) -> None:
    code, _, err = ops("report", "--stack", "nope")
    assert code == 1
    assert "No stack file Pulumi.nope.yaml" in err
    assert "stacks with a file: test" in err


def test_cli__no_project_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project-dir", str(tmp_path), "backup", "--stack", "dev"]) == 1
    assert "No Pulumi.yaml in" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "is not a JSON object"),
        ('{"hello": 1}', "is not a file restore can read"),
        ('{"format": "descope-config-snapshot/1"}', "is a damaged snapshot"),
        ('{"deployment": {}}', "has no deployment.resources list"),
        ('{"format": "descope-config-backup/1", "tenants": [1]}', "holds a tenant that is not"),
        ('{"format": "descope-config-backup/1", "flows": [{"flow": {}}]}', "holds a flow that"),
    ],
)
def test_cli__bad_restore_source(ops: Run, project: Project, content: str, message: str) -> None:
    source = project.root / "source.json"
    source.write_text(content)
    code, _, err = ops("restore", str(source), "--stack", "test", "--all")
    assert code == 1
    assert message in err
    assert str(source) in err


def test_cli__restore_source_missing(ops: Run, project: Project) -> None:
    code, _, err = ops("restore", str(project.root / "gone.json"), "--stack", "test", "--all")
    assert code == 1
    assert "gone.json does not exist" in err


def backup_file(project: Project) -> Path:
    path = project.root / "b.json"
    tenant = {"tenant": {"id": "acme", "name": "Acme"}, "settings": None}
    path.write_text(
        json.dumps({"format": "descope-config-backup/1", "tenants": [tenant], "flows": []})
    )
    return path


def test_cli__restore_unknown_tenant_id(ops: Run, project: Project) -> None:
    code, _, err = ops("restore", str(backup_file(project)), "--stack", "test", "--tenant", "zzz")
    assert code == 1
    assert "Tenant 'zzz' is not in" in err
    assert "it holds tenants: acme" in err


def test_cli__restore_needs_a_choice(ops: Run, project: Project) -> None:
    code, _, err = ops("restore", str(backup_file(project)), "--stack", "test")
    assert code == 1
    assert (
        "--tenant ID, --role NAME (TENANT/NAME for a tenant's own role), --permission NAME" in err
    )


def test_cli__invalid_configuration_lists_problems(ops: Run, project: Project) -> None:
    project.tenants_file.write_text("tenants:\n  - id: a\n")
    code, _, err = ops("backup", "--stack", "test")
    assert code == 1
    assert "the configuration is not valid" in err
    assert "test.yaml:2" in err


def test_cli__unreachable_descope_is_one_message_naming_the_url(
    ops: Run,
    project: Project,
    caplog: pytest.LogCaptureFixture,
    recorded_sleeps: RecordedSleeps,
) -> None:
    project.write_stack(stack_yaml("http://127.0.0.1:9"))
    level = logging.getLogger("descope").level
    caplog.set_level(logging.DEBUG)

    code, _, err = ops("report", "--stack", "test")

    assert code == 1
    *progress, error = err.splitlines()
    assert error.startswith(
        "error: Unable to list Descope tenants. No emulator answers at http://127.0.0.1:9 ("
    )
    assert "`python -m ops emulator --stack test`" in error
    # Before it, each wait of the retries is said as it starts (stderr is not a terminal).
    assert progress == [
        "report: list Descope tenants",
        "report: no answer, waiting 0.5 s (attempt 2 of 4) to list Descope tenants",
        "report: no answer, waiting 1 s (attempt 3 of 4) to list Descope tenants",
        "report: no answer, waiting 2 s (attempt 4 of 4) to list Descope tenants",
    ]
    assert recorded_sleeps.seconds == [0.5, 1.0, 2.0]  # the waits said are the waits made
    assert "Traceback" not in err
    assert MANAGEMENT_KEY not in err
    # The SDK's "License handshake failed" warning is not shown before the error...
    assert not [r for r in caplog.records if r.name.startswith("descope")]
    # ...and the SDK's logger is left as it was for whoever imports ops.
    assert logging.getLogger("descope").level == level


def test_live__the_sdk_default_url_when_no_base_url_is_set() -> None:
    assert sdk_default_url(PROJECT_ID) == "https://api.descope.com"
    assert sdk_default_url("Puse1" + "x" * 27) == "https://api.use1.descope.com"
    error = unreachable(
        DescopeApiError("Unable to list Descope tenants.", "The request did not get an answer."),
        sdk_default_url(PROJECT_ID),
    )
    assert str(error).startswith(
        "Unable to list Descope tenants. No answer from Descope at https://api.descope.com: "
    )


def test_cli__an_unexpected_error_is_one_line_asking_for_a_report(
    ops: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> int:
        raise RuntimeError("boom\n  on two lines.")

    monkeypatch.setattr(report, "run", broken)
    monkeypatch.delenv("DESCOPE_CONFIG_DEBUG", raising=False)

    code, _, err = ops("report", "--stack", "test")

    assert code == 1
    assert err == (
        "error: RuntimeError: boom on two lines. This is a bug in descope-config; please "
        "report it (run with DESCOPE_CONFIG_DEBUG=1 for the traceback).\n"
    )
    monkeypatch.setenv("DESCOPE_CONFIG_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        ops("report", "--stack", "test")


def test_stack__encrypted_key_falls_back_to_the_environment(
    project: Project,
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project.write_stack(
        stack_yaml(emulator.url, key=None)
        + "  descope:managementKey:\n    secure: v1:AAAA\n"
        + "  descope-config:backupDir: elsewhere\n  plainKey: 3\n"
    )
    pulumi_yaml = project.root / "Pulumi.yaml"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text() + "config:\n  protect:\n    type: boolean\n    default: false\n"
    )
    monkeypatch.delenv("DESCOPE_MANAGEMENT_KEY", raising=False)
    stack = load_stack("test", project.root)
    with pytest.raises(OpsError, match="is an encrypted secret") as raised:
        stack.connection()
    assert "DESCOPE_MANAGEMENT_KEY" in str(raised.value)

    settings = stack.connection({"DESCOPE_MANAGEMENT_KEY": MANAGEMENT_KEY})

    assert settings.management_key == MANAGEMENT_KEY
    assert "using the DESCOPE_MANAGEMENT_KEY environment variable instead" in stack.notes[0]
    assert capsys.readouterr().err == f"note: {stack.notes[0]}\n"
    assert stack.backup_dir == project.root / "elsewhere"
    assert stack.variables["plainKey"] == "3"
    assert stack.config["descope-config:protect"] == "false"  # a Pulumi.yaml config default
    assert "protect" not in stack.variables  # a setting, not a ${...} variable
    assert stack.options.protect is False


def test_stack__bad_settings_are_named(project: Project) -> None:
    project.write_stack("config:\n  descope:projectId: P1\n  descope:managementKey: k\n")
    stack = load_stack("test", project.root)
    with pytest.raises(OpsError, match=r"Stack test .Pulumi.test.yaml.: The Descope project id"):
        stack.connection({})
    assert stack.tenants_file == project.root / "config" / "tenants" / "test.yaml"  # the default
    assert stack.flows_dir is None
    with pytest.raises(OpsError, match='"a/b" is not a stack name'):
        load_stack("a/b", project.root)
    project.write_stack("config: [1]\n")
    with pytest.raises(OpsError, match="config must be a mapping"):
        load_stack("test", project.root)
    project.write_stack("- 1\n")
    with pytest.raises(OpsError, match="must hold a YAML mapping"):
        load_stack("test", project.root)
    project.write_stack("config: {\n")
    with pytest.raises(OpsError, match="is not valid YAML"):
        load_stack("test", project.root)
    project.write_stack("")
    assert load_stack("test", project.root).config == {}  # an empty stack file sets nothing


def fake_pulumi(folder: Path, script: str) -> Path:
    """A `pulumi` on PATH that logs its arguments and runs `script`."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "pulumi"
    exe.write_text(f'#!/bin/sh\necho "$@" >> "{folder}/calls.log"\n{script}\n')
    exe.chmod(0o755)
    return folder


def test_stack_backup__without_pulumi_says_what_to_install(
    ops: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = ops("stack-backup", "--stack", "test")
    assert code == 1
    assert "https://www.pulumi.com/docs/install/" in err
    assert "python -m ops backup --stack test" in err


def test_stack_backup__exports_the_stack_to_a_private_file(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", 'echo \'{"version": 3}\' > "$6"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    code, out, _ = ops("stack-backup", "--stack", "test")

    assert code == 0
    files = list((project.root / "backups" / "test").glob("*-stack.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert json.loads(files[0].read_text()) == {"version": 3}
    assert f"pulumi stack import --stack test --file {files[0]}" in out
    assert "stack export --stack test --file" in (bin_dir / "calls.log").read_text()


def test_stack_backup__pulumi_failure_is_reported(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", "exit 3")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    code, _, err = ops("stack-backup", "--stack", "test")
    assert code == 1
    assert "failed (exit 3)" in err
    assert not list((project.root / "backups" / "test").glob("*-stack.json"))


def test_validate__reads_the_stack_file_for_variables_and_flows(ops: Run) -> None:
    code, out, _ = ops("validate", "--stack", "test")
    assert code == 0
    assert "Stack test:" in out
    assert "4 tenant(s), 1 flow(s), theme managed" in out


def test_validate__lists_every_problem_with_its_line(ops: Run, project: Project) -> None:
    project.tenants_file.write_text(
        "tenants:\n  - {id: a, name: A}\n  - {id: b, name: A, enforceSSo: true}\n"
    )
    code, _, err = ops("validate", "--stack", "test")
    assert code == 1
    assert "test.yaml:3" in err
    assert 'the name "A" is also used by tenant "a"' in err
    assert 'Did you mean "enforceSSO"?' in err


def test_validate__warns_of_a_plaintext_key_for_a_real_project(ops: Run, project: Project) -> None:
    (project.root / "Pulumi.test.yaml").write_text(
        stack_yaml("https://api.descope.com", secure_secret=True)
    )
    code, _, err = ops("validate", "--stack", "test")
    assert code == 0
    assert "warning: Stack test holds descope:managementKey in plain text" in err
    assert MANAGEMENT_KEY not in err


def test_cli__a_stack_name_with_a_trailing_newline_is_refused(ops: Run) -> None:
    code, _, err = ops("validate", "--stack", "test\n")
    assert code == 1
    assert "is not a stack name" in err


def test_cli__a_401_names_the_environment_when_the_stack_key_is_encrypted(
    ops: Run, project: Project, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_stack(
        stack_yaml(emulator.url, key=None) + "  descope:managementKey:\n    secure: v1:AAAA\n"
    )
    monkeypatch.setenv("DESCOPE_MANAGEMENT_KEY", "K-revoked-key-0123456789")

    code, _, err = ops("report", "--stack", "test")

    assert code == 1
    error = err.splitlines()[-1]
    assert "401" in error
    assert "management key from environment variable DESCOPE_MANAGEMENT_KEY" in error
    assert "stack config descope:managementKey" not in error
    assert "K-revoked-key-0123456789" not in err
    # What the providers are configured with holds no key the stack file does not set.
    stack = load_stack("test", project.root)
    assert "descope:managementKey" not in stack.provider_config()


def test_cli__a_401_names_the_stack_config_when_the_stack_file_holds_the_key(
    ops: Run, project: Project, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write_stack(stack_yaml(emulator.url, key="K-revoked-key-0123456789"))
    monkeypatch.setenv("DESCOPE_MANAGEMENT_KEY", MANAGEMENT_KEY)  # not used: the stack's wins

    code, _, err = ops("report", "--stack", "test")

    assert code == 1
    assert "management key from stack config descope:managementKey" in err.splitlines()[-1]


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (OpsError('Tenant "acme\x1b]0;pwned\x07" refused.\nSecond \u202eline.'), "error: Tenant"),
        (RuntimeError("boom \x1b]0;pwned\x07"), "error: RuntimeError: boom"),
    ],
    ids=["ops error", "unexpected error"],
)
def test_cli__an_error_quoting_descope_s_data_cannot_act_on_the_terminal(
    ops: Run, monkeypatch: pytest.MonkeyPatch, error: Exception, said: str
) -> None:
    def broken(*_: object, **__: object) -> int:
        raise error

    monkeypatch.setattr(report, "run", broken)
    monkeypatch.delenv("DESCOPE_CONFIG_DEBUG", raising=False)

    code, _, err = ops("report", "--stack", "test")

    assert code == 1
    assert err.startswith(said)
    assert "\\x1b]0;pwned\\x07" in err
    assert not [char for char in ("\x1b", "\x07", "\u202e") if char in err]


def test_cli__unreachable_remote_descope_says_to_check_the_network() -> None:
    from ops.project.live import unreachable  # noqa: PLC0415 - the function under test
    from providers.errors import DescopeApiError  # noqa: PLC0415

    cause = DescopeApiError(
        "Unable to list Descope tenants.", "The request did not get an answer (ConnectError)."
    )
    for stack in ("", "prod"):
        text = str(unreachable(cause, "https://api.euc1.descope.com", stack))
        assert "No answer from Descope at https://api.euc1.descope.com (ConnectError)" in text
        assert "Check the network, and descope:baseUrl" in text
    # At a loopback address without a stack to name, the same general advice.
    assert "Check the network" in str(unreachable(cause, "http://127.0.0.1:9"))
