"""Hostile or broken files: a clear problem with a line where there is one, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigProblem
from config.loader import MAX_DEPTH, MAX_VALUES, MAX_YAML_BYTES
from tests.unit.config.conftest import Problems

pytestmark = pytest.mark.usefixtures("parser")  # every case, with libyaml and without


def only(problems: list[ConfigProblem]) -> ConfigProblem:
    assert len(problems) == 1, problems
    return problems[0]


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "tenants.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_a_missing_file_is_reported(tmp_path: Path, problems_of: Problems) -> None:
    problem = only(problems_of(tmp_path / "nope.yaml"))
    assert (problem.file, problem.line, problem.subject) == (tmp_path / "nope.yaml", None, "file")
    assert "does not exist" in problem.message


def test_a_directory_is_reported(tmp_path: Path, problems_of: Problems) -> None:
    assert "is a directory" in only(problems_of(tmp_path)).message


def test_an_unreadable_file_is_reported(tmp_path: Path, problems_of: Problems) -> None:
    link = tmp_path / "loop.yaml"
    link.symlink_to(link)
    assert "cannot be read" in only(problems_of(link)).message


def test_an_oversized_file_is_refused(tmp_path: Path, problems_of: Problems) -> None:
    path = write(tmp_path, "#" * (MAX_YAML_BYTES + 1))
    assert "larger than" in only(problems_of(path)).message


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_file_is_reported(tmp_path: Path, problems_of: Problems, content: str) -> None:
    problem = only(problems_of(write(tmp_path, content)))
    assert "is empty" in problem.message
    assert "tenants: []" in problem.message


@pytest.mark.parametrize(
    ("content", "found"),
    [("- a\n- b\n", "a list"), ("hello\n", "plain text"), ("42\n", "a single value (42)")],
)
def test_a_document_that_is_not_a_mapping_is_reported(
    tmp_path: Path, problems_of: Problems, content: str, found: str
) -> None:
    problem = only(problems_of(write(tmp_path, content)))
    assert problem.message.endswith(f"found {found}.")


def test_non_utf8_bytes_are_reported_with_offset_and_line(
    tmp_path: Path, problems_of: Problems
) -> None:
    problem = only(problems_of(write(tmp_path, b"tenants:\n  - id: caf\xe9\n")))
    assert problem.line == 2
    assert "byte 0xe9 at offset 20 (line 2)" in problem.message


def test_a_tab_is_reported_with_its_line(tmp_path: Path, problems_of: Problems) -> None:
    problem = only(problems_of(write(tmp_path, "tenants:\n\t- id: a\n")))
    assert problem.line == 2
    assert "tab character on line 2" in problem.message
    assert "spaces" in problem.message


def test_a_syntax_error_is_reported_with_its_line(tmp_path: Path, problems_of: Problems) -> None:
    problem = only(problems_of(write(tmp_path, "tenants:\n  - id: [a\nflows: []\n")))
    assert problem.line is not None
    assert problem.message.startswith("is not valid YAML:")


def test_an_unquoted_variable_in_a_flow_list_gets_a_hint(
    tmp_path: Path, problems_of: Problems
) -> None:
    content = "tenants:\n  - id: a\n    selfProvisioningDomains: [a.${domainSuffix}]\n"
    problem = only(problems_of(write(tmp_path, content)))
    assert problem.line == 3
    assert "quote values that use ${...}" in problem.message


def test_several_documents_are_refused(tmp_path: Path, problems_of: Problems) -> None:
    problem = only(problems_of(write(tmp_path, "tenants: []\n---\ntenants: []\n")))
    assert "single document" in problem.message
    assert problem.line == 2


def test_a_control_character_is_reported_with_its_line(
    tmp_path: Path, problems_of: Problems
) -> None:
    problem = only(problems_of(write(tmp_path, "tenants: []\nx: \x07\n")))
    assert problem.line == 2
    assert "#x0007" in problem.message


def test_duplicate_keys_are_reported_with_both_lines(tmp_path: Path, problems_of: Problems) -> None:
    content = "tenants:\n  - id: a\n    name: A\n    name: B\n"
    problem = only(problems_of(write(tmp_path, content)))
    assert (problem.line, problem.subject, problem.field) == (4, 'tenant "a"', "name")
    assert "on line 3 and on line 4" in problem.message


def test_billion_laughs_is_refused(tmp_path: Path, problems_of: Problems) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    problem = only(problems_of(write(tmp_path, "\n".join(lines) + "\ntenants: []\n")))
    assert f"more than {MAX_VALUES} values" in problem.message


def test_a_self_referencing_alias_is_refused(tmp_path: Path, problems_of: Problems) -> None:
    problem = only(problems_of(write(tmp_path, "tenants: &t\n  - *t\n")))
    assert "refers to a value containing it" in problem.message


def test_deep_nesting_is_refused(tmp_path: Path, problems_of: Problems) -> None:
    content = "tenants: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert "nests too deeply" in only(problems_of(write(tmp_path, content))).message


def test_very_deep_nesting_does_not_overflow_the_stack(
    tmp_path: Path, problems_of: Problems
) -> None:
    content = "tenants: " + "[" * 50_000 + "]" * 50_000 + "\n"
    assert "nests too deeply" in only(problems_of(write(tmp_path, content))).message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("tenants: !!python/object:os.system []\n", 'tag "tag:yaml.org,2002:python/object'),
        ("tenants: !custom\n  a: 1\n", 'tag "!custom" on a mapping'),
        ("tenants: !!set\n  ? a\n", 'tag "tag:yaml.org,2002:set" on a mapping'),
        ("tenants: []\nx: !!python/name:os.system ''\n", "python/name:os.system"),
        ("tenants: !!omap [a: 1]\n", "on a sequence"),
    ],
)
def test_custom_tags_are_refused(
    tmp_path: Path, problems_of: Problems, content: str, expected: str
) -> None:
    assert expected in only(problems_of(write(tmp_path, content))).message


def test_merge_keys_and_complex_keys_are_refused(tmp_path: Path, problems_of: Problems) -> None:
    content = "base: &b {name: A}\ntenants:\n  - <<: *b\n    id: a\n    [x]: 1\n"
    problems = problems_of(write(tmp_path, content))
    messages = [(p.line, p.subject, p.message) for p in problems]
    assert any(m[:2] == (3, 'tenant "a"') and "merge key (<<)" in m[2] for m in messages)
    assert any(m[:2] == (5, 'tenant "a"') and "must be plain text" in m[2] for m in messages)


def test_a_value_yaml_cannot_convert_is_reported_with_its_line(
    tmp_path: Path, problems_of: Problems
) -> None:
    path = write(tmp_path, "tenants:\n  - id: a\n    name: A\n    x: 2001-13-45\n")
    problem = only(problems_of(path))
    assert problem.line == 4
    assert '"2001-13-45"' in problem.message
    assert "Put it in quotes" in problem.message


def test_an_escape_naming_no_character_is_reported(tmp_path: Path, problems_of: Problems) -> None:
    path = write(tmp_path, 'tenants:\n  - id: a\n    name: "\\UFFFFFFFF"\n')
    problem = only(problems_of(path))
    assert "escape that names no character" in problem.message
