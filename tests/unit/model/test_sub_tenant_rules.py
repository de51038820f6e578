"""Sub-tenants in the model: parent's shape, roleInheritance's values, cycles and ordering."""

from __future__ import annotations

import pytest

from model.tenant import TenantSpec, parent_cycle, parents_first, tenant_problems


def test_parent_and_role_inheritance_are_recorded_in_the_canonical_form() -> None:
    spec = TenantSpec.model_validate(
        {"id": "acme-labs", "name": "Acme Labs", "parent": "acme", "roleInheritance": "userOnly"}
    )
    canonical = spec.canonical()
    assert (canonical["parent"], canonical["roleInheritance"]) == ("acme", "userOnly")
    top = TenantSpec.model_validate({"id": "acme", "name": "Acme"}).canonical()
    assert (top["parent"], top["roleInheritance"]) == (None, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"roleInheritance": "all"},
            "roleInheritance",
            "must be one of 'none' or 'userOnly'.",
        ),
        (
            {"roleInheritance": "useronly"},
            "roleInheritance",
            "must be one of 'none' or 'userOnly'. Did you mean \"userOnly\"?",
        ),
        (
            {"parent": "no spaces"},
            "parent",
            'tenant id "no spaces" is not allowed: use 1 to 64 letters, digits, ".", "-" or "_", '
            "starting with a letter or digit.",
        ),
        (
            {"parent": "a"},
            "",
            'parent "a" is the tenant\'s own id: a tenant cannot be its own parent. Set parent '
            "to another tenant's id, or remove it.",
        ),
    ],
)
def test_a_bad_parent_or_role_inheritance_is_one_problem_worded_plainly(
    data: dict[str, str], field: str, message: str
) -> None:
    [problem] = tenant_problems({"id": "a", "name": "A", **data})
    assert (problem.field, problem.message) == (field, message)


@pytest.mark.parametrize(
    ("parents", "cycle"),
    [
        ({}, None),
        ({"b": "a", "c": "b"}, None),  # a chain ending at a tenant outside: no cycle
        ({"a": "c", "b": "a", "c": "b", "x": "y"}, ["a", "c", "b", "a"]),
        ({"z": "y", "y": "z", "q": "z"}, ["y", "z", "y"]),  # started from the smallest id
    ],
)
def test_a_cycle_of_parents_is_found_from_its_smallest_id(
    parents: dict[str, str], cycle: list[str] | None
) -> None:
    assert parent_cycle(parents) == cycle


def test_parents_come_first_and_the_written_order_is_kept_otherwise() -> None:
    parents = {"c": "b", "b": "a", "a": None, "d": "elsewhere", "e": None, "f": "e"}
    ordered = parents_first(["f", "c", "d", "b", "a", "e"], str, parents.get)
    assert ordered == ["e", "f", "a", "b", "c", "d"]
    assert parents_first(["x", "y"], str, {"x": "y", "y": "x"}.get) == ["y", "x"]
