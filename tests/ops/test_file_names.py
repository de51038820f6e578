"""Nothing outside its folder: hostile flow ids in `ops export` and `ops restore`, ``file:``
entries that lead out, and the folders a failed restore created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient

from ops.files import json_text
from providers.backups import write_snapshot
from tests.ops.conftest import Project, Run

HOSTILE = "../../../outside/PWN"
"""From the project's flows folder (config/flows), the file ``<tmp>/outside/PWN.json``."""


def every_file(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def import_flow(descope: DescopeClient, flow_id: str) -> None:
    descope.mgmt.flow.import_flow(flow_id, {"id": flow_id, "name": flow_id}, [{"id": "s"}])


@pytest.mark.parametrize(
    ("flow_ids", "expected"),
    [
        ([HOSTILE], f'flow "{HOSTILE}": its file name "{HOSTILE}.json" contains "/"'),
        (["a/../.."], 'flow "a/../..": its file name "a/../...json" contains "/"'),
        (["/tmp/abs"], 'flow "/tmp/abs": its file name "/tmp/abs.json" contains "/"'),
        (["..", "ok"], 'flow "..": its file name "...json" starts with "."'),
        (["a\x00b"], 'flow "a\\x00b": its file name "a\\x00b.json" contains U+0000 (NUL)'),
        (["x" * 300], "is 305 bytes long in UTF-8; a file name holds at most 255 bytes."),
        (
            ["Sign-Up", "sign-up"],
            'flow "Sign-Up" and flow "sign-up": their file names "Sign-Up.json" and '
            '"sign-up.json" differ only in case',
        ),
    ],
)
def test_export__refuses_flow_ids_that_are_no_plain_file_names_and_writes_nothing(
    ops: Run,
    project: Project,
    descope: DescopeClient,
    tmp_path: Path,
    flow_ids: list[str],
    expected: str,
) -> None:
    for flow_id in flow_ids:
        import_flow(descope, flow_id)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "PWN.json").write_text("mine\n")
    before = every_file(tmp_path)

    code, out, err = ops("export", "--stack", "test", "--force")

    assert code == 1
    assert every_file(tmp_path) == before  # nothing written, in the project or outside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "project"]
    assert "holds flows whose ids cannot be used as file names, so nothing was written:" in err
    assert expected in err
    assert "Give each of these flows a plain id in the Descope console" in err
    assert "Traceback" not in err + out
    assert "This is a bug" not in err


def test_export__a_flow_named_like_the_theme_in_another_case_keeps_them_apart(
    ops: Run, project: Project, descope: DescopeClient, tmp_path: Path
) -> None:
    import_flow(descope, "Theme")
    out, flows = tmp_path / "out" / "tenants.yaml", tmp_path / "out" / "flows"

    code, _, err = ops("export", "--stack", "test", "--out", str(out), "--flows-dir", str(flows))

    assert code == 0, err
    assert sorted(p.name for p in flows.iterdir()) == ["Theme.json", "project-theme.json"]


def test_export__refuses_a_flow_file_linked_outside_the_flows_folder(
    ops: Run, project: Project, descope: DescopeClient, tmp_path: Path
) -> None:
    import_flow(descope, "login")
    victim = tmp_path / "victim.json"
    victim.write_text("mine\n")
    (project.flows_dir / "login.json").symlink_to(victim)

    code, out, err = ops("export", "--stack", "test", "--force")

    assert code == 1
    assert victim.read_text() == "mine\n"
    assert f'Not writing the file "login.json" to {project.flows_dir / "login.json"}' in err
    assert "leads outside the folder through a symbolic link" in err
    assert "Nothing was written. Remove the link, or choose another --flows-dir." in err
    assert "Traceback" not in err + out


def tampered_backup(project: Project, *flow_ids: str) -> Path:
    path = project.root / "tampered-backup.json"
    flows = [{"flow": {"id": f, "name": "x"}, "screens": [{"id": "s"}]} for f in flow_ids]
    path.write_text(json_text({"format": "descope-config-backup/1", "flows": flows}))
    return path


@pytest.mark.parametrize("flow_id", [HOSTILE, "a/../..", "..", "x" * 300, "/tmp/abs"])
def test_restore__refuses_a_hostile_flow_id_from_a_tampered_backup(
    ops: Run, project: Project, tmp_path: Path, flow_id: str
) -> None:
    backup = tampered_backup(project, "fine", flow_id)
    before = every_file(tmp_path)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all", "--force")

    assert code == 1
    assert every_file(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]  # no folder created
    assert f"{backup} (full backup) holds flows whose ids cannot be used as file names" in err
    assert f'flow "{flow_id}": its file name' in err
    assert "Leave these flows out: name each of the others with --flow instead of --all." in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("flow_id", "expected"),
    [
        (
            "Sign-Up-Or-In",
            'flow "Sign-Up-Or-In" and flow "sign-up-or-in": their file names '
            '"Sign-Up-Or-In.json" and "sign-up-or-in.json" differ only in case',
        ),
        (
            "THEME",
            'flow "THEME" and the theme: their file names "THEME.json" and "theme.json" differ '
            "only in case",
        ),
    ],
)
def test_restore__refuses_a_flow_id_that_is_an_existing_file_in_another_case(
    ops: Run, project: Project, tmp_path: Path, flow_id: str, expected: str
) -> None:
    backup = tampered_backup(project, flow_id)
    before = every_file(tmp_path)

    code, _, err = ops("restore", str(backup), "--stack", "test", "--flow", flow_id)

    assert code == 1
    assert every_file(tmp_path) == before
    assert expected in err


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("../../../outside/x.json", 'the path climbs out of the folder with "..".'),
        ("/tmp/abs-flow.json", "the path is an absolute path"),
    ],
)
def test_restore__refuses_a_flow_entry_whose_file_leads_outside_the_flows_folder(
    ops: Run, project: Project, tmp_path: Path, file: str, expected: str
) -> None:
    text = project.tenants_file.read_text()
    project.tenants_file.write_text(text.replace("file: sign-up-or-in.json", f"file: {file}", 1))
    assert file in project.tenants_file.read_text()
    backup = tampered_backup(project, "sign-up-or-in")
    before = every_file(tmp_path)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all", "--force")

    assert code == 1
    assert every_file(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    assert 'Not writing flow "sign-up-or-in" to ' in err
    assert expected in err
    assert f'Give flow "sign-up-or-in" a file: inside that folder in {project.tenants_file}' in err
    assert "Traceback" not in err + out


def test_restore__a_failed_restore_removes_the_folders_it_created(
    ops: Run, project: Project
) -> None:
    text = project.tenants_file.read_text()
    project.tenants_file.write_text(text.replace("file: theme.json", "file: new/folder/theme.json"))
    theme: dict[str, Any] = {"theme": {"cssTemplate": {"light": {}}}}
    snapshot = write_snapshot(
        project.root / "snaps", kind="theme", resource_id="theme", reason="delete", content=theme
    )
    # a flow file the configuration refuses: the check after writing fails, and rolls back
    (project.flows_dir / "sign-up-or-in.json").write_text(json.dumps({"not": "a flow"}))

    code, out, err = ops("restore", str(snapshot), "--stack", "test", "--theme", "--force")

    assert code == 1, out
    assert "put back as it was" in err
    assert "theme: restored" not in out
    assert not (project.flows_dir / "new").exists()  # created for the theme, then removed
