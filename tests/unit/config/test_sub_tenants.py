"""Sub-tenants in a configuration file: what ``parent`` may name, each problem with its line."""

from __future__ import annotations

from config import load_configuration
from tests.unit.config.conftest import Problems, WriteYaml


def test_a_parent_declared_or_outside_the_file_is_accepted(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        """
        defaults:
          roleInheritance: userOnly
        tenants:
          - id: acme-labs
            name: Acme Labs
            parent: acme
          - id: acme
            name: Acme
          - id: partner
            name: Partner
            parent: existing-in-descope
        """
    )
    tenants = load_configuration(path).tenants
    assert [(t.id, t.parent, t.roleInheritance) for t in tenants] == [
        ("acme-labs", "acme", "userOnly"),
        ("acme", None, "userOnly"),
        ("partner", "existing-in-descope", "userOnly"),
    ]


def test_a_cycle_is_reported_on_each_of_its_tenants_with_every_line(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: a
            name: A
            parent: c
          - id: b
            name: B
            parent: a
          - id: c
            name: C
            parent: b
          - id: d
            name: D
            parent: a
        """
    )
    problems = problems_of(path)
    message = (
        'the parents form a cycle (each tenant\'s parent follows it): "a" (line 5) → "c" '
        '(line 11) → "b" (line 8) → "a". A parent must exist before its sub-tenants, so none '
        "of these could be created: remove parent from one of them."
    )
    assert [(p.line, p.subject, p.field, p.message) for p in problems] == [
        (5, 'tenant "a"', "parent", message),
        (8, 'tenant "b"', "parent", message),
        (11, 'tenant "c"', "parent", message),
    ]


def test_a_tenant_naming_itself_is_refused_once(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: a
            name: A
            parent: a
        """
    )
    [problem] = problems_of(path)
    assert (problem.line, problem.subject) == (3, 'tenant "a"')
    assert problem.message.startswith('parent "a" is the tenant\'s own id')


def test_a_parent_that_is_a_renamed_tenants_old_id_names_the_new_id(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme-corp
            name: Acme
            previousId: acme
          - id: acme-labs
            name: Acme Labs
            parent: acme
        """
    )
    [problem] = problems_of(path)
    assert (problem.line, problem.subject, problem.field) == (8, 'tenant "acme-labs"', "parent")
    assert problem.message == (
        'parent "acme" is the previous id of tenant "acme-corp" (previousId on line 5), which '
        "is replaced under its new id: set parent to the new id."
    )


def test_parent_cannot_be_a_default(write_yaml: WriteYaml, problems_of: Problems) -> None:
    path = write_yaml(
        """
        defaults:
          parent: acme
        tenants:
          - id: acme
            name: Acme
        """
    )
    [problem] = problems_of(path)
    assert (problem.line, problem.field) == (3, "parent")
    assert 'unknown key "parent"' in problem.message
