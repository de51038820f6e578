"""The tenant rules' wording, shared by the YAML loader and the providers' check."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from model.problems import problems_from_validation_error
from model.tenant import TenantSpec, tenant_problems


def test_each_bad_custom_attribute_is_one_problem_at_its_own_field() -> None:
    problems = tenant_problems(
        {"id": "a", "name": "A", "customAttributes": {"k": {"x": 1}, "ok": 1, "l": [1, "a"]}}
    )
    assert [(p.field, p.message) for p in problems] == [
        ("customAttributes.k", "must be a string, a number, true/false or a list of strings."),
        (
            "customAttributes.l",
            "must be a string, a number, true/false or a list of strings: item 1 of the list "
            "is not text.",
        ),
    ]


def test_custom_attributes_keep_their_types_and_whole_floats_become_ints() -> None:
    spec = TenantSpec.model_validate(
        {"id": "a", "name": "A", "customAttributes": {"n": 3.0, "f": 1.5, "b": True, "l": ["x"]}}
    )
    assert spec.customAttributes == {"n": 3, "f": 1.5, "b": True, "l": ["x"]}


def test_a_misspelt_choice_gets_a_did_you_mean() -> None:
    [problem] = tenant_problems({"id": "a", "name": "A", "settings": {"authType": "SAML"}})
    assert problem.field == "settings.authType"
    assert problem.message == "must be one of 'none', 'saml' or 'oidc'. Did you mean \"saml\"?"
    [problem] = tenant_problems({"id": "a", "name": "A", "settings": {"authType": "ldap"}})
    assert problem.message == "must be one of 'none', 'saml' or 'oidc'."


def test_a_quoted_boolean_is_told_how_to_write_it() -> None:
    [problem] = tenant_problems({"id": "a", "name": "A", "enforceSSO": "maybe"})
    assert (problem.field, problem.message) == (
        "enforceSSO",
        "must be true or false, written without quotes.",
    )


def test_an_unknown_key_inside_a_union_of_models_is_named_without_a_guess() -> None:
    class A(BaseModel):
        model_config = ConfigDict(extra="forbid")
        alpha: int = 0

    class B(BaseModel):
        model_config = ConfigDict(extra="forbid")
        beta: int = 0

    class Holder(BaseModel):
        item: A | B

    with pytest.raises(ValidationError) as info:
        Holder.model_validate({"item": {"alpah": 1}})
    messages = {p.message for p in problems_from_validation_error(info.value, Holder)}
    assert 'unknown key "alpah". Remove it or fix its spelling.' in messages


def test_a_tenant_name_is_normalized_to_nfc() -> None:
    spec = TenantSpec.model_validate(
        {"id": "cafe", "name": "Cafe\u0301 Corp", "defaultRoles": ["ge\u0301rant"]}
    )
    assert (spec.name, spec.defaultRoles) == ("Caf\u00e9 Corp", ["g\u00e9rant"])
