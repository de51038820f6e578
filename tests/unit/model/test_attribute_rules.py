"""Tenant custom-attribute definitions and a tenant's values against them (`model.attributes`)."""

from __future__ import annotations

from typing import Any

import pytest

from model.attributes import (
    AttributeDefinition,
    attribute_definition_problems,
    attribute_definitions,
    custom_attribute_problems,
)

DEFINITIONS: dict[str, Any] = {
    "plan": {
        "type": "singleselect",
        "displayName": "Plan",
        "options": ["starter", "business", "enterprise"],
    },
    "seats": {"type": "number", "displayName": "Seats"},
    "region": {"type": "string"},
    "trial": {"type": "boolean"},
    "modules": {"type": "multiselect", "options": ["billing", "crm", "ads"]},
    "renewal": {"type": "date"},
}


def problems(values: dict[str, Any], definitions: Any = None) -> dict[str, str]:
    found = custom_attribute_problems(values, DEFINITIONS if definitions is None else definitions)
    return {p.field: p.message for p in found}


def definition_problems(data: Any) -> dict[str, str]:
    return {p.field: p.message for p in attribute_definition_problems(data)}


# --- definitions ------------------------------------------------------------------------------


def test_display_name_defaults_to_the_attributes_name() -> None:
    assert AttributeDefinition(type="string").display_name("region") == "region"
    assert AttributeDefinition(type="string", displayName="Region").display_name("r") == "Region"


def test_a_definition_as_plain_data_has_its_display_name_resolved() -> None:
    definition = AttributeDefinition.model_validate(DEFINITIONS["plan"])
    assert definition.as_data("plan") == {
        "type": "singleselect",
        "displayName": "Plan",
        "options": ["starter", "business", "enterprise"],
    }
    assert AttributeDefinition(type="date").as_data("renewal") == {
        "type": "date",
        "displayName": "renewal",
        "options": None,
    }


@pytest.mark.parametrize("kind", ["singleselect", "multiselect"])
def test_a_select_attribute_needs_options(kind: str) -> None:
    for definition in ({"type": kind}, {"type": kind, "options": []}):
        assert definition_problems({"tier": definition}) == {
            "tier": f"a {kind} attribute needs options: list the values it may take, such as "
            "options: [starter, business]."
        }


@pytest.mark.parametrize("kind", ["string", "number", "boolean", "date"])
def test_options_are_refused_on_attributes_that_are_not_selects(kind: str) -> None:
    message = definition_problems({"x": {"type": kind, "options": ["a"]}})["x"]
    assert f"options are only for singleselect and multiselect attributes, not for a {kind}" in (
        message
    )


def test_options_are_unique_non_empty_plain_text() -> None:
    found = definition_problems(
        {
            "a": {"type": "singleselect", "options": ["x", "y", "x"]},
            "b": {"type": "multiselect", "options": ["", "z\u202e"]},
        }
    )
    assert found == {
        "a.options": "lists x more than once; list each value once.",
        "b.options[0]": "must not be empty.",
        "b.options[1]": found["b.options[1]"],
    }
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in found["b.options[1]"]


def test_attribute_names_are_descopes_machine_names_of_at_most_20_characters() -> None:
    assert definition_problems({"a" * 20: {"type": "string"}, "a_b-9": {"type": "string"}}) == {}
    found = definition_problems({"a" * 21: {"type": "string"}, "plan tier": {"type": "string"}})
    assert found["a" * 21] == "is 21 characters long; at most 20 are accepted. Shorten it."
    assert 'not a valid attribute name: use letters, digits, "_" and "-"' in found["plan tier"]


def test_a_misspelt_type_or_key_gets_a_did_you_mean() -> None:
    found = definition_problems({"seats": {"type": "Number", "displayNam": "Seats"}})
    assert found["seats.type"].endswith('Did you mean "number"?')
    assert 'unknown key "displayNam". Did you mean "displayName"?' in found["seats.displayNam"]


def test_definitions_given_as_plain_data_that_are_not_valid_raise_naming_the_problem() -> None:
    with pytest.raises(ValueError, match=r"plan: a singleselect attribute needs options"):
        attribute_definitions({"plan": {"type": "singleselect"}})


# --- values against definitions ---------------------------------------------------------------


def test_values_of_every_type_that_fit_their_definitions_pass() -> None:
    assert (
        problems(
            {
                "plan": "business",
                "seats": 40,
                "region": "eu-west",
                "trial": False,
                "modules": ["billing", "crm"],
                "renewal": 1735689600000,
            }
        )
        == {}
    )


def test_numbers_as_pulumi_hands_them_over_pass() -> None:
    assert problems({"seats": 40.0, "renewal": 1735689600000.0}) == {}
    assert problems({"seats": 2.5}) == {}


def test_an_undefined_attribute_is_refused_with_a_did_you_mean() -> None:
    found = problems({"plna": "starter"})
    assert found["customAttributes.plna"].startswith(
        'is not defined in tenantAttributes. Did you mean "plan"?'
    )
    assert "define it under tenantAttributes, or remove it" in found["customAttributes.plna"]


def test_an_undefined_attribute_far_from_any_name_lists_the_defined_ones() -> None:
    message = problems({"colour": "red"})["customAttributes.colour"]
    assert "Defined: modules, plan, region, renewal, seats, trial." in message
    assert "tenantAttributes defines none." in problems({"x": 1}, {})["customAttributes.x"]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("region", 3, 'must be text (tenantAttributes defines "region" as string); put quotes'),
        ("seats", "250", 'defines "seats" as number): write 250 without quotes'),
        ("seats", "many", 'must be a number (tenantAttributes defines "seats" as number), written'),
        ("seats", True, "must be a number"),
        ("trial", "yes", 'must be true or false (tenantAttributes defines "trial" as boolean)'),
        ("trial", 1, "must be true or false"),
        ("plan", 3, "must be one of the options of \"plan\": 'starter', 'business' or"),
        ("modules", "billing", 'must be a list of options of "modules" (a multiselect attribute)'),
        ("modules", ["billing", 3], "must be a list of options"),
    ],
)
def test_a_value_of_the_wrong_type_says_in_plain_words_what_it_must_be(
    name: str, value: Any, expected: str
) -> None:
    assert expected in problems({name: value})[f"customAttributes.{name}"]


def test_a_value_outside_a_singleselects_options_gets_a_did_you_mean() -> None:
    message = problems({"plan": "enterprize"})["customAttributes.plan"]
    assert message == (
        "\"enterprize\" is not an option of \"plan\": must be one of 'starter', 'business' or "
        "'enterprise'. Did you mean \"enterprise\"? Use one of them, or add it to the options "
        "in tenantAttributes."
    )
    assert 'Did you mean "starter"?' in problems({"plan": "STARTER"})["customAttributes.plan"]


def test_a_multiselect_item_outside_the_options_or_listed_twice_is_refused() -> None:
    outside = problems({"modules": ["billing", "crn"]})["customAttributes.modules"]
    assert outside.startswith('"crn" is not an option of "modules"')
    assert 'Did you mean "crm"?' in outside
    twice = problems({"modules": ["crm", "crm"]})["customAttributes.modules"]
    assert twice == "lists crm more than once; list each value once."


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("2025-01-01", "here 1735689600000 for 2025-01-01"),
        ("soon", "such as 1735689600000 for 2025-01-01"),
        (1.5, "such as 1735689600000"),
        (True, "such as 1735689600000"),
        (8_640_000_000_000_001, "such as 1735689600000"),
    ],
)
def test_a_date_is_a_whole_number_of_milliseconds_since_1970(value: Any, hint: str) -> None:
    message = problems({"renewal": value})["customAttributes.renewal"]
    assert message.startswith(
        'must be a date as Descope stores it (tenantAttributes defines "renewal" as date): a '
        "whole number of milliseconds since 1970-01-01 UTC"
    )
    assert hint in message


def test_definitions_work_alike_as_models_and_as_plain_data() -> None:
    models = {n: AttributeDefinition.model_validate(d) for n, d in DEFINITIONS.items()}
    plain = {n: d.as_data(n) for n, d in models.items()}
    values = {"plan": "gold", "seats": "x", "trial": True, "nope": 1}
    assert problems(values, models) == problems(values, plain) == problems(values)
    assert len(problems(values)) == 3
