"""``tenantAttributes``: definitions in the file, and every tenant's values checked against them."""

from __future__ import annotations

from config import load_configuration
from model import AttributeDefinition
from tests.unit.config.conftest import Problems, WriteYaml

DEFINITIONS = """
tenantAttributes:
  plan: {type: singleselect, displayName: Plan, options: [starter, business, enterprise]}
  seats: {type: number, displayName: Seats}
  region: {type: string}
  environment: {type: string}
"""


def test_definitions_are_loaded_with_their_lines(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        DEFINITIONS
        + """
defaults:
  customAttributes: {environment: dev}
tenants:
  - id: acme
    name: Acme
    customAttributes: {plan: enterprise, seats: 250}
"""
    )
    configuration = load_configuration(path)
    assert configuration.tenant_attributes == {
        "plan": AttributeDefinition(
            type="singleselect",
            displayName="Plan",
            options=["starter", "business", "enterprise"],
        ),
        "seats": AttributeDefinition(type="number", displayName="Seats"),
        "region": AttributeDefinition(type="string"),
        "environment": AttributeDefinition(type="string"),
    }
    assert configuration.attribute_lines == {"plan": 3, "seats": 4, "region": 5, "environment": 6}
    assert configuration.tenants[0].customAttributes == {
        "environment": "dev",
        "plan": "enterprise",
        "seats": 250,
    }


def test_without_tenant_attributes_custom_attributes_stay_free_form(
    write_yaml: WriteYaml,
) -> None:
    path = write_yaml(
        "tenants:\n  - {id: a, name: A, customAttributes: {anything: [x], n: 1, b: true}}\n"
    )
    configuration = load_configuration(path)
    assert configuration.tenant_attributes is None
    assert configuration.tenants[0].customAttributes == {"anything": ["x"], "n": 1, "b": True}


def test_each_value_that_breaks_its_definition_is_reported_with_line_tenant_and_field(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        DEFINITIONS
        + """
tenants:
  - id: acme
    name: Acme
    customAttributes:
      plan: enterprize
      seats: "250"
      colour: blue
  - id: globex
    name: Globex
    customAttributes: {plna: starter, region: 3}
"""
    )
    found = {(p.line, p.subject, p.field): p.message for p in problems_of(path)}
    assert set(found) == {
        (12, 'tenant "acme"', "customAttributes.plan"),
        (13, 'tenant "acme"', "customAttributes.seats"),
        (14, 'tenant "acme"', "customAttributes.colour"),
        (17, 'tenant "globex"', "customAttributes.plna"),
        (17, 'tenant "globex"', "customAttributes.region"),
    }
    assert 'Did you mean "enterprise"?' in found[(12, 'tenant "acme"', "customAttributes.plan")]
    assert "write 250 without quotes" in found[(13, 'tenant "acme"', "customAttributes.seats")]
    assert found[(14, 'tenant "acme"', "customAttributes.colour")].startswith(
        "is not defined in tenantAttributes. Defined: environment, plan, region, seats."
    )
    assert 'Did you mean "plan"?' in found[(17, 'tenant "globex"', "customAttributes.plna")]
    assert "must be text" in found[(17, 'tenant "globex"', "customAttributes.region")]
    text = str(problems_of(path)[0])
    assert text.startswith(f'{path}:12: tenant "acme", field customAttributes.plan: "enterprize"')


def test_an_undefined_attribute_from_defaults_is_reported_once_at_the_defaults(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
tenantAttributes:
  plan: {type: string}
defaults:
  customAttributes: {environment: dev}
tenants:
  - {id: a, name: A}
  - {id: b, name: B}
"""
    )
    problems = problems_of(path)
    assert [(p.line, p.subject, p.field) for p in problems] == [
        (5, "defaults", "customAttributes.environment")
    ]
    assert "is not defined in tenantAttributes" in problems[0].message


def test_a_refused_definition_is_reported_once_and_its_values_are_not_judged(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
tenantAttributes:
  plan: {type: singleselect}
  seats: {type: numbr}
tenants:
  - {id: a, name: A, customAttributes: {plan: gold, seats: 3}}
"""
    )
    found = {(p.line, p.subject, p.field): p.message for p in problems_of(path)}
    assert set(found) == {
        (3, 'tenant attribute "plan"', ""),
        (4, 'tenant attribute "seats"', "type"),
    }
    assert "needs options" in found[(3, 'tenant attribute "plan"', "")]
    assert 'Did you mean "number"?' in found[(4, 'tenant attribute "seats"', "type")]


def test_empty_tenant_attributes_refuse_every_custom_attribute(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        "tenantAttributes: {}\ntenants:\n  - {id: a, name: A, customAttributes: {x: 1}}\n"
    )
    [problem] = problems_of(path)
    assert (problem.line, problem.field) == (3, "customAttributes.x")
    assert "tenantAttributes defines none." in problem.message


def test_a_tenant_attributes_key_without_a_value_is_refused_saying_both_choices(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml("tenantAttributes:\ntenants: []\n")
    [problem] = problems_of(path)
    assert (problem.line, problem.subject, problem.field) == (1, "file", "tenantAttributes")
    assert problem.message == (
        "is empty: write tenantAttributes: {} to define none (every custom attribute is then "
        "refused), or remove the key to leave custom attributes unchecked."
    )


def test_too_many_definitions_are_refused(write_yaml: WriteYaml, problems_of: Problems) -> None:
    lines = "".join(f"  a{n}: {{type: string}}\n" for n in range(101))
    [problem] = problems_of(write_yaml(f"tenantAttributes:\n{lines}tenants: []\n"))
    assert (problem.line, problem.field) == (1, "tenantAttributes")
    assert "at most 100 are accepted" in problem.message


def test_values_are_checked_also_on_a_tenant_refused_for_another_reason(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        DEFINITIONS
        + """
tenants:
  - id: acme
    name: Acme
    settings: {authType: ldap}
    customAttributes: {plan: gold, seats: .nan}
"""
    )
    found = {(p.line, p.field) for p in problems_of(path)}
    assert found == {
        (11, "settings.authType"),
        (12, "customAttributes.plan"),
        (12, "customAttributes.seats"),
    }


def test_custom_attributes_that_are_not_a_mapping_are_reported_once(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(DEFINITIONS + "tenants:\n  - {id: a, name: A, customAttributes: [plan]}\n")
    [problem] = problems_of(path)
    assert (problem.line, problem.field) == (8, "customAttributes")
    assert problem.message == "must be a mapping of key: value lines."
