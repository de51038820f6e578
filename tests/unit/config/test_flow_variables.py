"""``${name}`` variables in flow and theme files: substituted before checks, normalisation and
hashing, with the YAML's rules and messages, every problem located by file and JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from config import load_configuration
from config.loader import MAX_JSON_DEPTH
from config.variables import json_path
from model import content_hash, normalise_flow_export, normalise_theme
from tests.unit.config.conftest import Problems, WriteYaml, flow_export

DEV = {"appUrl": "https://app.dev.example.com", "seats": "250", "environment": "dev"}
PROD = {"appUrl": "https://app.example.com", "seats": "250", "environment": "prod"}


def text_screen(screen_id: str, *texts: str) -> dict[str, Any]:
    """A screen whose component tree holds one text component per text."""
    children = [{"type": "descope-text", "props": {"text": text}} for text in texts]
    return {"id": screen_id, "inputs": [], "htmlTemplate": {"type": "div", "children": children}}


def write_files(
    tmp_path: Path, write_yaml: WriteYaml, export: dict[str, Any], theme: dict[str, Any]
) -> Path:
    (tmp_path / "f.json").write_text(json.dumps(export), encoding="utf-8")
    (tmp_path / "theme.json").write_text(json.dumps({"theme": theme}), encoding="utf-8")
    return write_yaml(
        """
        tenants: []
        flows:
          - id: f
            file: f.json
        theme:
          file: theme.json
        """
    )


def sample_flow() -> dict[str, Any]:
    export = flow_export("f")
    export["flow"]["description"] = "Sign in to ${appUrl} (${environment})"
    export["flow"]["seats"] = "${seats}"
    export["screens"] = [
        text_screen("s2", "Terms: ${appUrl}/terms"),
        text_screen("s1", "Welcome"),
    ]
    return export


SAMPLE_THEME = {"cssTemplate": {"light": {"logo": "${appUrl}/logo.png"}}, "version": 3}


def test_flow_and_theme_strings_take_the_stacks_values(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    path = write_files(tmp_path, write_yaml, sample_flow(), SAMPLE_THEME)

    configuration = load_configuration(path, variables=DEV)

    (flow,) = configuration.flows
    assert flow.content["flow"]["description"] == "Sign in to https://app.dev.example.com (dev)"
    screens = {s["id"]: s for s in flow.content["screens"]}
    text = screens["s2"]["htmlTemplate"]["children"][0]["props"]["text"]
    assert text == "Terms: https://app.dev.example.com/terms"
    assert configuration.theme is not None
    assert configuration.theme.content == {
        "cssTemplate": {"light": {"logo": "https://app.dev.example.com/logo.png"}}
    }


def test_a_whole_value_reference_stays_text(write_yaml: WriteYaml, tmp_path: Path) -> None:
    path = write_files(tmp_path, write_yaml, sample_flow(), SAMPLE_THEME)

    (flow,) = load_configuration(path, variables=DEV).flows

    assert flow.content["flow"]["seats"] == "250"


def test_each_stack_gets_its_own_content_and_hash(write_yaml: WriteYaml, tmp_path: Path) -> None:
    path = write_files(tmp_path, write_yaml, sample_flow(), SAMPLE_THEME)

    dev = load_configuration(path, variables=DEV)
    prod = load_configuration(path, variables=PROD)

    assert dev.flows[0].content_hash != prod.flows[0].content_hash
    assert dev.theme is not None
    assert prod.theme is not None
    assert dev.theme.content_hash != prod.theme.content_hash
    for configuration, values in ((dev, DEV), (prod, PROD)):
        expected = sample_flow()
        expected["flow"]["description"] = f"Sign in to {values['appUrl']} ({values['environment']})"
        expected["flow"]["seats"] = "250"
        expected["screens"][0] = text_screen("s2", f"Terms: {values['appUrl']}/terms")
        assert configuration.flows[0].content_hash == content_hash(normalise_flow_export(expected))
        theme = {"cssTemplate": {"light": {"logo": f"{values['appUrl']}/logo.png"}}}
        assert configuration.theme is not None
        assert configuration.theme.content_hash == content_hash(normalise_theme(theme))


def test_unknown_variable_names_the_file_the_json_path_and_the_known_name(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    export = sample_flow()
    export["screens"] = [
        text_screen("s1", "a"),
        text_screen("s2", "b"),
        text_screen("s3", "Hello", "See ${apUrl}/help"),
    ]
    path = write_files(tmp_path, write_yaml, export, {"cssTemplate": {}})

    (problem,) = problems_of(path, variables=DEV)

    assert (problem.line, problem.subject, problem.field) == (5, 'flow "f"', "file")
    assert problem.message == (
        f"{tmp_path / 'f.json'}: $.screens[2].htmlTemplate.children[1].props.text: "
        '"See ${apUrl}/help" refers to the unknown variable "apUrl". Did you mean "appUrl"? '
        "Known variables: appUrl, environment, seats. Set it in the stack's configuration "
        "(descope-config:apUrl) or fix the name."
    )


def test_every_substitution_problem_in_every_file_is_reported_at_once(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    export = sample_flow()
    export["flow"]["description"] = "${enviroment} and ${sets}"
    export["screens"] = [text_screen("s1", "${open", "${not a name}")]
    theme = {"cssTemplate": {"light": {"logo": "${appURL}/logo.png"}}}
    path = write_files(tmp_path, write_yaml, export, theme)

    problems = problems_of(path, variables=DEV)

    messages = [p.message for p in problems]
    assert len(messages) == 5, messages
    flow_file, theme_file = tmp_path / "f.json", tmp_path / "theme.json"
    expected = [
        (f"{flow_file}: $.flow.description:", 'unknown variable "enviroment"', '"environment"?'),
        (f"{flow_file}: $.flow.description:", 'unknown variable "sets"', 'Did you mean "seats"?'),
        (f"{flow_file}: $.screens[0].htmlTemplate.children[0].props.text:", "closing", ""),
        (f"{flow_file}: $.screens[0].htmlTemplate.children[1].props.text:", "not a variable", ""),
        (f"{theme_file}: $.theme.cssTemplate.light.logo:", '"appURL"', 'Did you mean "appUrl"?'),
    ]
    for (prefix, what, hint), message in zip(expected, messages, strict=True):
        assert message.startswith(prefix), message
        assert what in message
        assert hint in message
    assert [p.subject for p in problems] == ['flow "f"'] * 4 + ["theme"]


def test_double_dollar_writes_a_literal_dollar_brace(write_yaml: WriteYaml, tmp_path: Path) -> None:
    export = sample_flow()
    export["flow"]["description"] = "Template $${user.name} for ${environment}"
    theme = {"cssTemplate": {"light": {"font": "$${font}"}}}
    path = write_files(tmp_path, write_yaml, export, theme)

    configuration = load_configuration(path, variables=DEV)

    assert configuration.flows[0].content["flow"]["description"] == "Template ${user.name} for dev"
    assert configuration.theme is not None
    assert configuration.theme.content["cssTemplate"]["light"]["font"] == "${font}"


def test_object_keys_are_not_substituted(write_yaml: WriteYaml, tmp_path: Path) -> None:
    export = sample_flow()
    export["flow"]["dsl"] = {"steps": {"${environment}": {"next": "${environment}"}}}
    path = write_files(tmp_path, write_yaml, export, SAMPLE_THEME)

    (flow,) = load_configuration(path, variables=DEV).flows

    assert flow.content["flow"]["dsl"] == {"steps": {"${environment}": {"next": "dev"}}}


def test_the_flow_id_is_checked_after_substitution(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    export = sample_flow()
    export["flow"]["id"] = "${flowId}"
    path = write_files(tmp_path, write_yaml, export, SAMPLE_THEME)

    (flow,) = load_configuration(path, variables={**DEV, "flowId": "f"}).flows
    assert flow.content["flow"]["id"] == "f"

    (problem,) = problems_of(path, variables={**DEV, "flowId": "other"})
    assert 'is "other" but the configuration declares this file as flow "f"' in problem.message


def test_an_id_left_as_written_is_not_reported_twice(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    export = sample_flow()
    export["flow"]["id"] = "${flowId}"
    path = write_files(tmp_path, write_yaml, export, SAMPLE_THEME)

    (problem,) = problems_of(path, variables=DEV)

    assert f"{tmp_path / 'f.json'}: $.flow.id:" in problem.message
    assert 'unknown variable "flowId"' in problem.message


def test_a_long_string_is_quoted_around_the_reference(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    export = sample_flow()
    export["flow"]["description"] = "a" * 500 + " ${nope} " + "b" * 500
    path = write_files(tmp_path, write_yaml, export, SAMPLE_THEME)

    (problem,) = problems_of(path, variables=DEV)

    assert '"…aaa' in problem.message
    assert 'bbb…" refers to the unknown variable "nope"' in problem.message
    assert "a" * 100 not in problem.message


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), "$"),
        (("screens", 2, "htmlTemplate"), "$.screens[2].htmlTemplate"),
        (("flow", "dsl", "steps", "check-user", "next"), '$.flow.dsl.steps["check-user"].next'),
        (("a b", 'q"'), '$["a b"]["q\\""]'),
    ],
)
def test_json_paths_quote_keys_that_are_not_names(
    path: tuple[str | int, ...], expected: str
) -> None:
    assert json_path(path) == expected


def test_a_flow_file_nested_deeper_than_the_limit_is_refused_without_a_traceback(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    def nested(depth: int) -> str:
        inner = "[" * (depth - 2) + '"${environment}"' + "]" * (depth - 2)
        return '{"flow": {"id": "f", "deep": ' + inner + '}, "screens": []}'

    path = write_yaml("tenants: []\nflows: [{id: f, file: f.json}]\n")
    (tmp_path / "f.json").write_text(nested(MAX_JSON_DEPTH))
    (flow,) = load_configuration(path, variables=DEV).flows
    assert "dev" in json.dumps(flow.content)

    (tmp_path / "f.json").write_text(nested(MAX_JSON_DEPTH + 1))
    (problem,) = problems_of(path, variables=DEV)
    assert f"nest too deeply (at most {MAX_JSON_DEPTH} levels" in problem.message


def test_a_theme_value_left_as_written_is_not_reported_twice(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    path = write_files(tmp_path, write_yaml, sample_flow(), {"cssTemplate": "${css}"})

    (problem,) = problems_of(path, variables=DEV)

    assert problem.subject == "theme"
    assert f"{tmp_path / 'theme.json'}: $.theme.cssTemplate:" in problem.message
    assert 'unknown variable "css"' in problem.message
