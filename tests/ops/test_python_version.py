"""An older Python stops before anything installs or imports; demo installs the runtime only."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.ops.conftest import REPO

OLD_PYTHON = """#!/bin/sh
# Python 3.10, as far as anyone asking it can tell: the real interpreter, its version_info 3.10.
exec {python} -c 'import sys; sys.version_info = (3, 10, 13, "final", 0); exec(sys.argv[1])' "$2"
"""


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_make__an_old_python_stops_before_the_virtualenv_is_built(tmp_path: Path) -> None:
    python = tmp_path / "python3.10"
    python.write_text(OLD_PYTHON.format(python=sys.executable))
    python.chmod(0o755)
    venv = tmp_path / "venv"

    result = make("demo", f"PYTHON={python}", f"VENV={venv}")

    assert result.returncode != 0
    assert (
        f"make: descope-config needs Python 3.11 or newer, and {python} is Python 3.10.13; "
        "nothing was installed. Pick another with PYTHON, for example: "
        "make demo PYTHON=python3.11"
    ) in result.stderr
    assert not venv.exists()


def test_make__a_python_that_does_not_run_is_named(tmp_path: Path) -> None:
    venv = tmp_path / "venv"

    result = make("test", "PYTHON=no-such-python3.11", f"VENV={venv}")

    assert result.returncode != 0
    assert "make: no-such-python3.11 does not run here" in result.stderr
    assert "make test PYTHON=python3.11" in result.stderr
    assert not venv.exists()


def test_make__demo_installs_requirements_txt_only_and_test_the_rest(tmp_path: Path) -> None:
    venv = tmp_path / "venv"

    demo = make("-n", "demo", f"VENV={venv}").stdout
    everything = make("-n", "test", f"VENV={venv}").stdout

    assert "pip install --quiet -r requirements.txt" in demo
    assert "requirements-dev.txt" not in demo
    assert "-m ops demo" in demo
    assert "pip install --quiet -r requirements.txt" in everything
    assert "pip install --quiet -r requirements-dev.txt" in everything


@pytest.mark.parametrize(
    ("package", "arguments"),
    [("ops", ["report", "--stack", "dev"]), ("config", ["validate"]), ("emulator", [])],
)
def test_python_m__an_old_python_gets_one_line_before_any_import(
    package: str, arguments: list[str]
) -> None:
    # The package's __init__ runs before its __main__: the check must come first in both.
    prelude = (
        "import sys, runpy; sys.version_info = (3, 10, 13, 'final', 0); "
        f"runpy.run_module('{package}', run_name='__main__'); "
    )
    result = subprocess.run(
        [sys.executable, "-c", prelude, *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr == (
        f"error: python -m {package} needs Python 3.11 or newer; this is Python 3.10.13 "
        f"({sys.executable}). Use the project's virtualenv (`make setup`, then "
        f"`.venv/bin/python -m {package} ...`), or pick another interpreter: "
        "`make demo PYTHON=python3.11`.\n"
    )
    assert result.stdout == ""


def test_installed_commands_run_from_any_folder_with_project_dir(tmp_path: Path) -> None:
    # `make setup` installs the project into the virtualenv: its commands and `python -m ops`
    # work outside the project folder, which --project-dir names.
    commands = Path(sys.executable).parent
    for command in (
        [str(commands / "descope-config")],
        [sys.executable, "-m", "ops"],
    ):
        result = subprocess.run(
            [*command, "--project-dir", str(REPO), "validate", "--stack", "dev"],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "Stack dev: " in result.stdout
        assert "is valid" in result.stdout
    emulator = subprocess.run(
        [str(commands / "descope-emulator"), "--port", "-1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert emulator.returncode == 2
    assert emulator.stderr.startswith("python -m emulator: error: cannot listen on ")


def test_the_minimum_python_is_the_same_everywhere() -> None:
    from requires_python import MINIMUM_PYTHON  # noqa: PLC0415 - the module under test

    minimum = ".".join(str(n) for n in MINIMUM_PYTHON)
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == f">={minimum}"
    makefile = (REPO / "Makefile").read_text()
    declared = re.search(r"^PYTHON_MIN := (.+)$", makefile, re.MULTILINE)
    assert declared is not None
    assert declared[1] == minimum
    assert f"Requirements: Python {minimum}+" in (REPO / "README.md").read_text()
