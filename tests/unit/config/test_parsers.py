"""libyaml and the pure-Python parser: the same values, lines and problems, worded the same.

`config.loader` reads YAML with libyaml where PyYAML has it, and with PyYAML's pure-Python
parser otherwise; the pure-Python parser also decides, and words, whatever libyaml refuses, and
reads every file holding a tab. These tests hold both paths to one behaviour.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import load_configuration
from config import loader as loader_module
from config.loader import InputError, parse_yaml
from tests.unit.config.conftest import Problems, WriteYaml
from tests.unit.config.test_properties import DOCUMENTS

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

Outcome = tuple[Any, ...]


def outcome(text: str) -> Outcome:
    """What `parse_yaml` makes of `text`: values, lines and problems, or the refusal."""
    try:
        result = parse_yaml(text)
    except InputError as exc:
        return ("refused", exc.line, exc.message)
    return ("read", result.data, result.lines, result.problems)


def with_each_parser(text: str) -> tuple[Outcome, Outcome]:
    """`outcome` with libyaml, then with the pure-Python parser forced."""
    fast = outcome(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml, "__with_libyaml__", False)
        slow = outcome(text)
    return fast, slow


class Refused:
    """Stands in for a loader class that must not be used."""

    def __init__(self, text: str) -> None:
        raise AssertionError(f"this parser was not to be used (for {text[:20]!r})")


VALID = {
    "block style": """\
# the dev stack
defaults:
  customAttributes: {plan: free}
  settings:
    sessionTokenExpiration: 30
    sessionTokenExpirationUnit: minutes

tenants:
  - id: acme          # a comment after a value
    name: "Acme Corp"
    selfProvisioningDomains:
      - acme.com
      - 'acme.io'
  - id: globex
    name: Globex
    customAttributes: {seats: 3, ratio: 0.5, trial: true, note: ~}
flows:
  - {id: sign-up-or-in, file: sign-up-or-in.json}
""",
    "flow style, as the bench writes it": (
        "tenants:\n"
        + "".join(
            f"  - {{id: c{i}, name: Customer {i}, selfProvisioningDomains: [c{i}.io]}}\n"
            for i in range(5)
        )
    ),
    "duplicate, merge and complex keys": (
        "base: &b {name: A}\ntenants:\n  - <<: *b\n    id: a\n    id: b\n"
        "    [x]: 1\n    ? {y: 2}\n    : 3\n"
    ),
    "anchors and aliases": (
        "shared: &s [a.com, b.com]\ntenants:\n  - {id: a, selfProvisioningDomains: *s}\n"
    ),
    "windows line ends": "tenants:\r\n  - id: a\r\n    name: A\r\n",
    "block scalars and escapes": (
        "tenants:\n  - id: a\n    note: |\n      two\n      lines\n"
        "    folded: >\n      one\n      line\n"
        "    quoted: \"caf\\u00e9 \\x41 \\\"q\\\"\"\n    single: 'it''s'\n"
    ),
    "unicode": "tenants:\n  - id: a\n    name: Café 東京 🚀\n",
    "empty items and values": "tenants:\n  -\n  - id: b\n    name:\n  - []\n",
    "explicit tags": "tenants: !!seq\n  - !!map {id: !!str 1}\n",
    "an empty document": "",
    "a comment only": "# nothing yet\n",
    "a document start only": "---\n",
    "an unknown directive": "%FOO bar\n---\ntenants: []\n",  # libyaml alone refuses it
}

MALFORMED = {
    "an unclosed flow list": ("tenants:\n  - id: [a\nflows: []\n", 3, "expected ',' or ']'"),
    "an unquoted variable in a flow list": (
        "tenants:\n  - id: a\n    selfProvisioningDomains: [a.${domainSuffix}]\n",
        3,
        "quote values that use ${...}",
    ),
    "an undefined alias": ("tenants:\n  - *nope\n", 2, "found undefined alias 'nope'"),
    "a duplicate anchor": ("a: &x 1\nb: &x 2\ntenants: []\n", 2, "found duplicate anchor 'x'"),
    "an unknown escape": ('tenants: []\nx: "\\q"\n', 2, "found unknown escape character 'q'"),
    "a bad indentation": ("tenants:\n  - id: a\n   name: b\n", 3, "expected <block end>"),
    "a key in a value": ("tenants:\n  - id: a: b\n", 2, "mapping values are not allowed here"),
    "two documents": ("tenants: []\n---\ntenants: []\n", 2, "single document"),
    "a tab indenting": ("tenants:\n\t- id: a\n", 2, "tab character on line 2, column 1"),
    "a tab inside [...]": ("tenants: [\ta]\n", 1, "tab character on line 1"),  # libyaml allows it
    "a control character": ("tenants: []\nx: \x07\n", 2, "#x0007 on line 2"),
    "a lone surrogate": ("tenants: []\nx: \ud800\n", 2, "#xd800 on line 2"),
    "nesting past libyaml's limit": ("tenants: " + "[" * 2000 + "]" * 2000, None, "nests too"),
    "nesting past ours": ("tenants: " + "[" * 70 + "]" * 70, 1, "nests too deeply"),
    "a custom tag": ("tenants: !custom {a: 1}\n", 1, 'tag "!custom" on a mapping'),
}


@needs_libyaml
@pytest.mark.parametrize("name", VALID)
def test_both_parsers_read_the_same_values_lines_and_problems(name: str) -> None:
    fast, slow = with_each_parser(VALID[name])
    assert fast[0] == "read", fast
    assert fast == slow


@needs_libyaml
@pytest.mark.parametrize("name", MALFORMED)
def test_both_parsers_refuse_with_the_same_words(name: str) -> None:
    text, line, words = MALFORMED[name]
    fast, slow = with_each_parser(text)
    assert fast == slow
    refused, at, message = fast
    assert (refused, at) == ("refused", line)
    assert words in message


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_file_is_located_and_says_what_to_do(
    name: str, tmp_path: Path, problems_of: Problems
) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(MALFORMED[name][0], encoding="utf-8", errors="surrogatepass")
    problems = problems_of(path)
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.file, problem.subject) == (path, "file")
    if name == "a lone surrogate":  # not UTF-8 once written: refused before parsing
        assert "Save the file with UTF-8 encoding" in problem.message
    else:
        assert problem.line == MALFORMED[name][1]
        assert MALFORMED[name][2] in problem.message


@needs_libyaml
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS, flow=st.booleans(), width=st.sampled_from([20, 80, 1000]))
def test_any_dumped_document_reads_the_same_with_both_parsers(
    document: dict[str, Any], flow: bool, width: int
) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, width=width, allow_unicode=True)
    fast, slow = with_each_parser(text)
    assert fast == slow


@needs_libyaml
def test_libyaml_reads_a_file_without_the_pure_python_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yaml, "SafeLoader", Refused)
    assert parse_yaml(VALID["block style"]).data["tenants"][1]["id"] == "globex"


def test_without_libyaml_the_pure_python_parser_reads_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    monkeypatch.setattr(yaml, "CSafeLoader", Refused, raising=False)
    loaded = parse_yaml(VALID["block style"])
    assert loaded.data["tenants"][1]["id"] == "globex"
    assert loaded.lines[("tenants", 1)] == 14


@pytest.fixture
def fresh_probe() -> Iterator[None]:
    loader_module._libyaml_limits_nesting.cache_clear()
    yield
    loader_module._libyaml_limits_nesting.cache_clear()


class NoNestingLimit:
    """A libyaml older than 0.2.6, as far as the probe can tell: deep nesting goes through."""

    def __init__(self, text: str) -> None:
        self.text = text

    def get_single_node(self) -> None:
        return None

    def dispose(self) -> None:
        pass


@pytest.mark.usefixtures("fresh_probe")
def test_a_libyaml_without_its_own_nesting_limit_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", True)
    monkeypatch.setattr(yaml, "CSafeLoader", NoNestingLimit, raising=False)
    assert not loader_module._libyaml_usable()
    assert parse_yaml("tenants: []\n").data == {"tenants": []}


@needs_libyaml
@pytest.mark.usefixtures("fresh_probe")
def test_this_libyaml_limits_nesting_and_is_used() -> None:
    assert loader_module._libyaml_usable()


def test_loading_leaves_the_garbage_collector_as_it_found_it(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    assert gc.isenabled()
    load_configuration(write_yaml("tenants: [{id: a, name: A}]\n"))
    assert gc.isenabled()
    problems_of(write_yaml("tenants: [\n"))
    assert gc.isenabled()
    gc.disable()
    try:
        load_configuration(write_yaml("tenants: []\n"))
        problems_of(write_yaml("tenants: [\n"))
        assert not gc.isenabled()
    finally:
        gc.enable()
