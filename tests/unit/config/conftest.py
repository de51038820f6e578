"""Helpers for configuration tests: write a YAML file and collect the problems it yields."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigProblem, ConfigurationErrors, load_configuration
from config.variables import substitute

REPO = Path(__file__).resolve().parents[3]
FLOW_EXPORT = REPO / "config" / "flows" / "sign-up-or-in.json"
DEV_VARIABLES = {"domainSuffix": "dev.example.com", "environment": "dev"}
"""The ${...} variables of the dev stack (Pulumi.dev.yaml)."""

WriteYaml = Callable[[str], Path]
Problems = Callable[..., list[ConfigProblem]]


@pytest.fixture
def write_yaml(tmp_path: Path) -> WriteYaml:
    """Write dedented YAML text to tenants.yaml in a temporary folder; return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "tenants.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with each YAML parser: libyaml's, and the pure-Python fallback.

    The fallback is forced as PyYAML without libyaml presents itself: `__with_libyaml__` false.
    """
    name: str = request.param
    if name == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML is installed without libyaml")
    if name == "pure-python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    return name


@pytest.fixture
def problems_of() -> Problems:
    """The problems `load_configuration` reports for a file (fails if it loads)."""

    def collect(path: Path, **kwargs: Any) -> list[ConfigProblem]:
        with pytest.raises(ConfigurationErrors) as info:
            load_configuration(path, **kwargs)
        return info.value.problems

    return collect


def flow_export(flow_id: str = "sign-up-or-in") -> dict[str, Any]:
    """The example flow export as stack dev loads it (variables substituted), with its id set
    to `flow_id`: a file that loads without variables."""
    written = json.loads(FLOW_EXPORT.read_text(encoding="utf-8"))
    export: dict[str, Any]
    export, problems = substitute(written, DEV_VARIABLES)
    assert not problems, problems
    export["flow"]["id"] = flow_id
    return export
