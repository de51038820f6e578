"""A tenant's ``accessKeys``: declared, validated (file:line), split off the tenant."""

from __future__ import annotations

import pytest

from config import load_configuration
from model import access_keys as model_access_keys
from model.access_keys import AccessKeySpec
from tests.unit.config.conftest import Problems, WriteYaml

NOW = 1_800_000_000

HEAD = """
roles:
  - name: member
tenants:
  - id: acme
    name: Acme
    roles:
      - name: acme-ci
"""


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_access_keys, "clock", lambda: NOW)


def test_access_keys_load_per_tenant_and_are_split_off_the_tenant(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        HEAD
        + """
    accessKeys:
      - name: ci
        description: CI deploys
        roles: [member, acme-ci, Tenant Admin]
        expireTime: 1900000000
        permittedIps: [10.0.0.0/8, 203.0.113.7, "2001:db8::/32"]
        rotation: 2
      - {name: legacy, disabled: true, adopt: true, rotation: spring-2026}
  - id: globex
    name: Globex
"""
    )

    configuration = load_configuration(path)

    assert configuration.tenant_access_keys == {
        "acme": [
            AccessKeySpec(
                name="ci",
                description="CI deploys",
                roles=["member", "acme-ci", "Tenant Admin"],
                expireTime=1_900_000_000,
                permittedIps=["10.0.0.0/8", "203.0.113.7", "2001:db8::/32"],
                rotation=2,
            ),
            AccessKeySpec(name="legacy", disabled=True, adopt=True, rotation="spring-2026"),
        ]
    }
    assert "accessKeys" not in configuration.tenants[0].model_dump()


def test_every_problem_of_an_access_key_is_reported_with_file_line_and_field(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        HEAD
        + """
    accessKeys:
      - name: ci
        roles: [globex-ci, ghost, member, member]
        expireTime: 1700000000
        permittedIps: [10.0.0.1/8, not-an-ip]
        rotation: true
        colour: red
      - name: CI
  - id: globex
    name: Globex
    roles:
      - name: globex-ci
"""
    )

    found = {(p.line, p.field): p.message for p in problems_of(path)}

    assert set(found) == {
        (12, "accessKeys[0].roles"),
        (12, "accessKeys[0].roles[0]"),
        (12, "accessKeys[0].roles[1]"),
        (13, "accessKeys[0].expireTime"),
        (14, "accessKeys[0].permittedIps[0]"),
        (14, "accessKeys[0].permittedIps[1]"),
        (15, "accessKeys[0].rotation"),
        (16, "accessKeys[0].colour"),
        (17, "accessKeys[1].name"),
    }
    assert (
        'role "globex-ci" is a role of tenant "globex" only (declared on line'
        in found[(12, "accessKeys[0].roles[0]")]
    )
    assert 'role "ghost" is not declared in roles:' in found[(12, "accessKeys[0].roles[1]")]
    assert 'the roles of access key "ci" on line 12' in found[(12, "accessKeys[0].roles[1]")]
    assert "lists member more than once" in found[(12, "accessKeys[0].roles")]
    assert "is in the past" in found[(13, "accessKeys[0].expireTime")]
    assert 'write the network "10.0.0.0/8"' in found[(14, "accessKeys[0].permittedIps[0]")]
    assert "not an IP address or a CIDR range" in found[(14, "accessKeys[0].permittedIps[1]")]
    assert "whole number or a word" in found[(15, "accessKeys[0].rotation")]
    assert 'unknown key "colour"' in found[(16, "accessKeys[0].colour")]
    assert 'differs only in case from "ci"' in found[(17, "accessKeys[1].name")]
    assert "declared on line 11" in found[(17, "accessKeys[1].name")]


def test_without_a_roles_key_an_access_key_s_roles_are_unchecked(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        """
tenants:
  - id: acme
    name: Acme
    accessKeys:
      - {name: ci, roles: [anything]}
"""
    )

    assert load_configuration(path).tenant_access_keys["acme"][0].roles == ["anything"]


def test_an_access_key_list_that_is_not_a_list_is_refused(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(HEAD + "    accessKeys: {name: ci}\n")

    [problem] = problems_of(path)

    assert (problem.line, problem.field) == (9, "accessKeys")
    assert "must be a list" in problem.message
