"""Flow and theme ``file:`` entries resolve inside the flows folder, or are refused with
file:line before anything is read from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import load_configuration
from tests.unit.config.conftest import Problems, WriteYaml, flow_export


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    """A flows folder holding login.json, and a readable flow file outside it."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "login.json").write_text(json.dumps(flow_export("login")), encoding="utf-8")
    (tmp_path / "outside.json").write_text(json.dumps(flow_export("login")), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("file", "why"),
    [
        ("../outside.json", 'the path climbs out of the folder with "..".'),
        ("sub/../../outside.json", 'the path climbs out of the folder with "..".'),
        ("{outside}", "the path is an absolute path; a path relative to the folder is needed."),
    ],
)
def test_a_flow_file_outside_the_flows_folder_is_refused_with_its_line(
    write_yaml: WriteYaml, problems_of: Problems, flows: Path, file: str, why: str
) -> None:
    file = file.format(outside=flows.parent / "outside.json")
    path = write_yaml(f"tenants: []\nflows:\n  - id: login\n    file: {file}\n")

    (problem,) = problems_of(path, flows_dir=flows)

    assert str(problem) == (
        f'{path}:4: flow "login", field file: "{file}" is outside the flows folder {flows}: '
        f"{why} Put the file in {flows}/ and write its path relative to that folder."
    )


def test_a_flow_file_linked_outside_the_flows_folder_is_refused(
    write_yaml: WriteYaml, problems_of: Problems, flows: Path
) -> None:
    (flows / "linked.json").symlink_to(flows.parent / "outside.json")
    path = write_yaml("tenants: []\nflows:\n  - {id: login, file: linked.json}\n")

    (problem,) = problems_of(path, flows_dir=flows)

    assert problem.line == 3
    assert problem.subject == 'flow "login"'
    assert "leads outside the folder through a symbolic link" in problem.message


def test_a_theme_file_outside_the_flows_folder_is_refused(
    write_yaml: WriteYaml, problems_of: Problems, flows: Path
) -> None:
    (flows.parent / "theme.json").write_text('{"theme": {"cssTemplate": {}}}')
    path = write_yaml("tenants: []\ntheme:\n  file: ../theme.json\n")

    (problem,) = problems_of(path, flows_dir=flows)

    assert problem.line == 3
    assert problem.subject == "theme"
    assert problem.message.startswith('"../theme.json" is outside the flows folder')


def test_a_nul_in_a_file_entry_is_refused_without_a_traceback(
    write_yaml: WriteYaml, problems_of: Problems, flows: Path
) -> None:
    path = write_yaml('tenants: []\nflows:\n  - {id: login, file: "login\\0.json"}\n')

    (problem,) = problems_of(path, flows_dir=flows)

    assert '"login\\x00.json" is outside the flows folder' in problem.message
    assert "contains NUL" in problem.message


def test_files_inside_the_flows_folder_load_through_links_that_stay_inside(
    write_yaml: WriteYaml, tmp_path: Path, flows: Path
) -> None:
    (flows / "sub").mkdir()
    (flows / "sub" / "alias.json").symlink_to(flows / "login.json")
    (tmp_path / "linked-flows").symlink_to(flows)
    path = write_yaml("tenants: []\nflows:\n  - {id: login, file: sub/../sub/alias.json}\n")

    (flow,) = load_configuration(path, flows_dir=tmp_path / "linked-flows").flows

    assert flow.file == tmp_path / "linked-flows" / "sub/../sub/alias.json"


def test_flow_files_that_differ_only_in_case_are_refused_with_both_lines(
    write_yaml: WriteYaml, problems_of: Problems, flows: Path
) -> None:
    for flow_id in ("Login", "LOGIN"):
        (flows / f"{flow_id}.json").write_text(json.dumps(flow_export(flow_id)))
    path = write_yaml(
        "tenants: []\n"
        "flows:\n"
        "  - {id: login, file: login.json}\n"
        "  - {id: Login, file: ./Login.json}\n"
        "  - {id: LOGIN, file: LOGIN.json}\n"
    )

    problems = problems_of(path, flows_dir=flows)

    assert [(p.line, p.subject, p.message) for p in problems] == [
        (
            4,
            'flow "Login"',
            '"./Login.json" and "login.json" on line 3 differ only in case (or Unicode form): '
            "macOS and Windows keep them as one file. Give each flow its own file name.",
        ),
        (
            5,
            'flow "LOGIN"',
            '"LOGIN.json" and "login.json" on line 3 differ only in case (or Unicode form): '
            "macOS and Windows keep them as one file. Give each flow its own file name.",
        ),
    ]
