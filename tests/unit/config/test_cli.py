"""``python -m config``: exit codes and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.cli import SCHEMA_FILE, STACK_HINT, main
from config.document import json_schema_text
from tests.unit.config.conftest import REPO

DEV_ARGS = [
    "validate",
    "config/tenants/dev.yaml",
    "--flows-dir",
    "config/flows",
    "--var",
    "domainSuffix=dev.example.com",
    "--var",
    "environment=dev",
    "--secret",
    "globexOidcClientSecret",
]


def test_validate_prints_a_summary_and_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "config", *DEV_ARGS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "config/tenants/dev.yaml: 4 tenants, 1 flow, theme: yes — valid\n"


def test_validate_prints_every_problem_and_exits_1() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "config", "validate", "config/tenants/dev.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = (REPO / "config" / "tenants" / "dev.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if '["acme.${domainSuffix}"]' in text)
    assert f'config/tenants/dev.yaml:{line}: tenant "acme", field selfProvisioningDomains[0]:' in (
        result.stderr
    )
    # Run without the stack's variables and flows folder: say how to give them.
    assert result.stderr.rstrip().endswith(STACK_HINT)
    assert "problems found.\n" in result.stderr


def test_validate_in_process_singular_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("tenants: [{id: a, name: A}]\n")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: 1 tenant, 0 flows, theme: no — valid\n"


def test_validate_in_process_with_flows_dir_and_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(DEV_ARGS) == 0
    assert capsys.readouterr().out.endswith("4 tenants, 1 flow, theme: yes — valid\n")


def test_validate_a_missing_file_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "1 problem found.\n" in err


@pytest.mark.parametrize(
    "argv",
    [[], ["validate"], ["validate", "x.yaml", "--var", "novalue"], ["frobnicate"], ["--help"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == (0 if argv == ["--help"] else 2)
    captured = capsys.readouterr()
    assert "usage:" in captured.out + captured.err
    assert "Traceback" not in captured.err


def test_schema_writes_the_file_and_check_compares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "schema.json"
    assert main(["schema", "--check", "--output", str(output)]) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert main(["schema", "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == json_schema_text()
    assert main(["schema", "--check", "--output", str(output)]) == 0
    assert "up to date" in capsys.readouterr().out
    output.write_text("{}\n")
    assert main(["schema", "--check", "--output", str(output)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["schema", "--output", str(tmp_path / "missing" / "schema.json")]) == 1
    assert "cannot be written" in capsys.readouterr().err


def test_schema_check_passes_on_the_committed_file() -> None:
    assert main(["schema", "--check"]) == 0


def test_schema_without_output_prints_it_and_writes_no_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    committed = SCHEMA_FILE.stat().st_mtime_ns
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == json_schema_text()
    assert SCHEMA_FILE.stat().st_mtime_ns == committed


def test_an_out_of_date_schema_says_the_command_that_updates_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "schema.json"
    output.write_text("{}\n")
    assert main(["schema", "--check", "--output", str(output)]) == 1
    assert f"Run: python -m config schema --output {output}" in capsys.readouterr().err


def test_validate_with_variables_and_flows_gives_no_stack_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("tenants: [{id: a}]\n")
    assert main(["validate", str(path), "--var", "x=1", "--flows-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.endswith("1 problem found.\n")
    assert STACK_HINT not in err
