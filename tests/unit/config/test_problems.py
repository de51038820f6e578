"""Invalid configuration: every problem is reported at once, with file, line, subject and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import ConfigProblem, ConfigurationErrors, load_configuration
from model import tenant_problems
from tests.unit.config.conftest import Problems, WriteYaml, flow_export


def located(problems: list[ConfigProblem]) -> set[tuple[int | None, str, str]]:
    return {(p.line, p.subject, p.field) for p in problems}


def only(problems: list[ConfigProblem]) -> ConfigProblem:
    assert len(problems) == 1, problems
    return problems[0]


def test_problem_text_names_file_line_subject_and_field(tmp_path: Path) -> None:
    problem = ConfigProblem(tmp_path / "dev.yaml", 12, 'tenant "acme"', "settings.authType", "x.")
    assert str(problem) == f'{tmp_path}/dev.yaml:12: tenant "acme", field settings.authType: x.'
    whole = ConfigProblem(tmp_path / "dev.yaml", None, "file", "", "is empty.")
    assert str(whole) == f"{tmp_path}/dev.yaml: file: is empty."


def test_errors_list_every_problem_and_end_with_a_count(tmp_path: Path) -> None:
    problems = [ConfigProblem(tmp_path, n, "file", "", f"p{n}.") for n in (1, 2)]
    text = str(ConfigurationErrors(problems))
    assert text.splitlines() == [str(problems[0]), str(problems[1]), "2 problems found."]
    assert str(ConfigurationErrors(problems[:1])).endswith("1 problem found.")


def test_wrong_enum_value_uses_the_models_wording(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme
            name: Acme
            settings:
              authType: ldap
        """
    )
    problem = only(problems_of(path))
    expected = tenant_problems({"id": "acme", "name": "Acme", "settings": {"authType": "ldap"}})
    assert (problem.line, problem.subject, problem.field) == (
        6,
        'tenant "acme"',
        "settings.authType",
    )
    assert problem.message == expected[0].message
    assert str(problem) == (
        f"{path}:6: tenant \"acme\", field settings.authType: must be one of 'none', 'saml' or "
        "'oidc'."
    )


def test_all_problems_are_reported_in_one_go(write_yaml: WriteYaml, problems_of: Problems) -> None:
    path = write_yaml(
        """
        tenants:
          - id: "bad id"
            name: Bad
          - id: acme
            name: Acme
            selfProvisioningDomains: ["https://acme.com"]
            settings: {authType: ldap, domains: [Acme.COM]}
          - id: globex
            nmae: Globex
        flows:
          - id: login
            file: missing.json
        """
    )
    problems = problems_of(path)
    assert located(problems) == {
        (3, 'tenant "bad id"', "id"),
        (7, 'tenant "acme"', "selfProvisioningDomains[0]"),
        (8, 'tenant "acme"', "settings.authType"),
        (8, 'tenant "acme"', "settings.domains[0]"),
        (9, 'tenant "globex"', "name"),
        (10, 'tenant "globex"', "nmae"),
        (13, 'flow "login"', "file"),
    }
    by_field = {p.field: p.message for p in problems}
    assert 'Did you mean "name"?' in by_field["nmae"]
    assert "is required but missing" in by_field["name"]
    assert "lowercase" in by_field["settings.domains[0]"]


def test_duplicate_tenant_ids_are_reported_with_both_lines(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme
            name: Acme
          - id: acme
            name: Acme Two
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (5, 'tenant "acme"', "id")
    assert "tenant #1 on line 3" in problem.message
    assert "unique" in problem.message


def test_duplicate_tenant_names_are_reported_with_both_lines(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: a
            name: Acme
          - id: b
            name: Acme
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (6, 'tenant "b"', "name")
    assert 'the name "Acme" is also used by tenant "a" on line 4' in problem.message


def test_a_domain_claimed_by_two_tenants_is_reported(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: a
            name: A
            selfProvisioningDomains: [acme.com]
            settings: {domains: [acme.com]}
          - id: b
            name: B
            settings:
              domains: [other.com, acme.com]
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (
        10,
        'tenant "b"',
        "settings.domains[1]",
    )
    assert problem.message == (
        'the domain "acme.com" is claimed by two tenants: tenant "b" here, as an SSO domain, '
        'and tenant "a" at tenants.yaml:5, as a self-provisioning domain. A domain leads its '
        "users to one tenant only: remove it from one of them."
    )


def test_a_problem_in_defaults_is_reported_once_at_the_defaults_line(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        defaults:
          settings:
            authType: ldap
          selfProvisioningDomains: [shared.com]
          colour: blue
        tenants:
          - {id: a, name: A}
          - {id: b, name: B}
        """
    )
    problems = problems_of(path)
    assert located(problems) == {
        (4, "defaults", "settings.authType"),
        (5, "defaults", "selfProvisioningDomains[0]"),
        (6, "defaults", "colour"),
    }


def test_cross_field_rule_on_merged_settings_points_at_the_tenant(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        defaults:
          settings: {sessionTokenExpiration: 30}
        tenants:
          - id: a
            name: A
            settings: {authType: saml}
          - id: b
            name: B
            settings: {sessionTokenExpirationUnit: hours}
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (7, 'tenant "a"', "settings")
    assert "go together" in problem.message


def test_unknown_keys_at_every_level_suggest_the_right_one(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    (tmp_path / "f.json").write_text(json.dumps(flow_export("f")))
    path = write_yaml(
        """
        tenant: []
        tenants:
          - id: a
            name: A
            enforceSso: true
            settings: {authTyp: saml}
        flows:
          - id: f
            file: f.json
            deleteOnRemoval: true
        theme:
          fiel: theme.json
        """
    )
    problems = problems_of(path)
    hints = {(p.line, p.subject, p.field): p.message for p in problems}
    assert 'Did you mean "tenants"?' in hints[(2, "file", "tenant")]
    assert 'Did you mean "enforceSSO"?' in hints[(6, 'tenant "a"', "enforceSso")]
    assert 'Did you mean "authType"?' in hints[(7, 'tenant "a"', "settings.authTyp")]
    assert 'Did you mean "deleteOnRemove"?' in hints[(11, 'flow "f"', "deleteOnRemoval")]
    assert 'Did you mean "file"?' in hints[(13, "theme", "fiel")]


def test_tenants_list_is_required(write_yaml: WriteYaml, problems_of: Problems) -> None:
    problem = only(problems_of(write_yaml("flows: []\n")))
    assert (problem.subject, problem.field) == ("file", "tenants")
    assert "is required" in problem.message


def test_a_tenant_that_is_not_a_mapping_is_reported(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    problem = only(problems_of(write_yaml("tenants:\n  - acme\n")))
    assert (problem.line, problem.subject, problem.field) == (2, "tenant #1", "")
    assert "must be a mapping" in problem.message


def test_unknown_variable_names_file_line_and_known_variables(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme
            name: Acme
            selfProvisioningDomains: ["acme.${domainSufix}"]
        """
    )
    problem = only(problems_of(path, variables={"domainSuffix": "x.com", "environment": "dev"}))
    assert (problem.line, problem.subject, problem.field) == (
        5,
        'tenant "acme"',
        "selfProvisioningDomains[0]",
    )
    assert 'unknown variable "domainSufix"' in problem.message
    assert 'Did you mean "domainSuffix"?' in problem.message
    assert "Known variables: domainSuffix, environment." in problem.message


def test_every_unknown_variable_of_one_yaml_value_is_reported(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        'tenants:\n  - id: a\n    name: "${enviroment} ${domainSufix} ${enviroment}"\n'
    )
    problems = problems_of(path, variables={"domainSuffix": "x.com", "environment": "dev"})
    assert [(p.line, p.field) for p in problems] == [(3, "name"), (3, "name")]
    assert 'unknown variable "enviroment". Did you mean "environment"?' in problems[0].message
    assert 'unknown variable "domainSufix". Did you mean "domainSuffix"?' in problems[1].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${a b}", "is not a variable name"),
        ("${open", 'without a closing "}"'),
        ("${nothing}", "No variables are defined."),
    ],
)
def test_malformed_variable_references_are_reported(
    write_yaml: WriteYaml, problems_of: Problems, value: str, expected: str
) -> None:
    path = write_yaml(f'tenants:\n  - id: a\n    name: "{value}"\n')
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (3, "name")
    assert expected in problem.message


def test_flow_problems_are_all_reported(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    (tmp_path / "broken.json").write_text('{"flow": {"id": "broken",}\n}')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "other.json").write_text(json.dumps(flow_export("other")))
    (tmp_path / "latin1.json").write_bytes(b'{"flow": "caf\xe9"}')
    (tmp_path / "dupe.json").write_text('{"flow": {}, "flow": {}}')
    (tmp_path / "nan.json").write_text('{"flow": NaN}')
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "folder.json").mkdir()
    path = write_yaml(
        """
        tenants: []
        flows:
          - {id: broken, file: broken.json}
          - {id: list, file: list.json}
          - {id: mine, file: other.json}
          - {id: latin1, file: latin1.json}
          - {id: dupe, file: dupe.json}
          - {id: nan, file: nan.json}
          - {id: deep, file: deep.json}
          - {id: folder, file: folder.json}
          - {id: gone, file: gone.json}
          - {id: gone, file: gone.json}
          - {id: "bad id!", file: 3}
        """
    )
    problems = problems_of(path)
    messages = {(p.line, p.subject, p.field): p.message for p in problems}
    assert "is not valid JSON: Expecting property name" in messages[(4, 'flow "broken"', "file")]
    assert "(line 1, column 26)" in messages[(4, 'flow "broken"', "file")]
    assert "the file is not a flow export" in messages[(5, 'flow "list"', "file")]
    assert (
        'flow.id is "other" but the configuration declares this file as flow "mine"'
        in (messages[(6, 'flow "mine"', "file")])
    )
    assert (
        "not UTF-8 text: byte 0xe9 at offset 13 (line 1)"
        in (messages[(7, 'flow "latin1"', "file")])
    )
    assert 'repeats the key "flow"' in messages[(8, 'flow "dupe"', "file")]
    assert "NaN is not a JSON number" in messages[(9, 'flow "nan"', "file")]
    assert "nest too deeply" in messages[(10, 'flow "deep"', "file")]
    assert "is a directory" in messages[(11, 'flow "folder"', "file")]
    assert "does not exist" in messages[(12, 'flow "gone"', "file")]
    assert "already listed on line 12" in messages[(13, 'flow "gone"', "id")]
    assert "not a valid flow id" in messages[(14, 'flow "bad id!"', "id")]
    assert "must be text" in messages[(14, 'flow "bad id!"', "file")]
    assert all(p.file == path for p in problems)


def test_theme_problems_are_reported(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    (tmp_path / "bare.json").write_text('{"cssTemplate": {}}')
    path = write_yaml("tenants: []\ntheme:\n  file: bare.json\n")
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (3, "theme", "file")
    assert "is not a theme export" in problem.message

    (tmp_path / "bare.json").write_text('{"theme": {"cssTemplate": 3}}')
    problem = only(problems_of(path))
    assert "theme.cssTemplate must be an object" in problem.message

    (tmp_path / "bare.json").write_text("{")
    assert "is not valid JSON" in only(problems_of(path)).message


def test_an_empty_flow_id_is_worded_as_the_flow_rules_word_it(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    problem = only(problems_of(write_yaml('tenants: []\nflows: [{id: "", file: ""}]\n'))[:1])
    assert problem.field == "id"
    assert "the flow id is missing" in problem.message


def test_problems_are_ordered_by_line(write_yaml: WriteYaml, problems_of: Problems) -> None:
    path = write_yaml("tenants:\n  - {id: b}\n  - {id: a}\nextra: 1\n")
    lines = [p.line or 0 for p in problems_of(path)]
    assert lines == sorted(lines)
    assert load_configuration is not None


@pytest.mark.parametrize(
    ("value", "hint"),
    [("'true'", " Did you mean true?"), ("1", " Did you mean true?"), ("yes please", "")],
)
def test_delete_on_remove_must_be_a_real_boolean(
    write_yaml: WriteYaml, problems_of: Problems, value: str, hint: str
) -> None:
    """A quoted 'true' must not pass as valid and then be read as false."""
    path = write_yaml(
        f"""
        tenants: []
        flows:
          - id: sign-up-or-in
            file: flow.json
            deleteOnRemove: {value}
        """
    )
    problems = [p for p in problems_of(path) if p.field == "deleteOnRemove"]
    assert len(problems) == 1
    assert problems[0].subject == 'flow "sign-up-or-in"'
    assert problems[0].message == f"must be true or false, written without quotes.{hint}"


@pytest.mark.parametrize(
    ("field", "value", "hint"),
    [
        ("enforceSSO", '"yes"', " Did you mean true?"),
        ("disabled", "1", " Did you mean true?"),
        ("disabled", "0", " Did you mean false?"),
        ("enforceSSO", "'off'", " Did you mean false?"),
        ("disabled", '"nope"', ""),
        ("cascadeDelete", "2", ""),
    ],
)
def test_tenant_booleans_are_booleans_not_lookalikes(
    write_yaml: WriteYaml, problems_of: Problems, field: str, value: str, hint: str
) -> None:
    """YAML 1.1 habits ("yes", 1) are refused with the boolean they meant, not read as one."""
    path = write_yaml(
        f"""
        tenants:
          - id: acme
            name: Acme
            {field}: {value}
        """
    )
    problems = [p for p in problems_of(path) if p.field == field]
    assert [p.message for p in problems] == [
        f"must be true or false, written without quotes.{hint}"
    ]


def test_tenant_ids_differing_only_in_case_are_refused_on_the_second_naming_the_first_line(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme
            name: Acme
          - id: Acme
            name: Acme Two
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (5, 'tenant "Acme"', "id")
    assert 'the id "Acme" differs only in case from "acme" of tenant "acme" on line 3' in (
        problem.message
    )
    assert "make them differ by more than case" in problem.message


def test_tenant_names_differing_only_in_case_are_refused_on_the_second_naming_the_first_line(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: a
            name: Acme Corp
          - id: b
            name: ACME CORP
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (6, 'tenant "b"', "name")
    assert 'differs only in case from "Acme Corp" of tenant "a" on line 4' in problem.message


def test_a_control_character_written_as_an_escape_is_reported_with_line_and_field(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme
            name: "Acme\\x1b[31m Corp"
            customAttributes: {"plan\\u200b": pro}
        """
    )
    problems = problems_of(path)
    assert located(problems) == {
        (4, 'tenant "acme"', "name"),
        (5, 'tenant "acme"', "customAttributes.plan\\u200b"),
    }
    assert all("\x1b" not in str(p) and "\u200b" not in str(p) for p in problems)
    assert "U+001B (ESCAPE), a control character, at position 5" in problems[0].message


def test_a_variable_reference_with_a_line_feed_is_not_a_variable_name(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    problem = only(problems_of(write_yaml('tenants:\n  - id: a\n    name: "${env\\n}"\n')))
    assert (problem.line, problem.field) == (3, "name")
    assert 'refers to "${env\\n}", which is not a variable name' in problem.message


CAFE_NFC = "Caf\u00e9 Corp"
CAFE_NFD = "Cafe\u0301 Corp"
"""One name, two ways to write it: a precomposed é, and an e with a combining acute accent."""


def test_tenant_names_equal_in_nfc_are_one_name_refused_naming_both_lines(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    assert CAFE_NFC != CAFE_NFD
    path = write_yaml(
        f"""
        tenants:
          - id: a
            name: "{CAFE_NFC}"
          - id: b
            name: "{CAFE_NFD}"
        """
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.subject, problem.field) == (6, 'tenant "b"', "name")
    assert f'the name "{CAFE_NFC}" is also used by tenant "a" on line 4' in problem.message
    assert "other Unicode characters" in problem.message


def test_tenant_names_differing_in_case_and_form_are_refused_as_differing_in_case(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        f"""
        tenants:
          - id: a
            name: "{CAFE_NFC}"
          - id: b
            name: "{CAFE_NFD.upper()}"
        """
    )
    problem = only(problems_of(path))
    assert problem.line == 6
    assert f'differs only in case from "{CAFE_NFC}" of tenant "a" on line 4' in problem.message
