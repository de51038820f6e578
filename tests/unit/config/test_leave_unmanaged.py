"""``descope-config:leaveUnmanaged``: reading the setting, and refusing a configuration that
declares a kind the stack leaves to another tool."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigurationErrors, check_for_stack, load_configuration, stack_options
from config.stack import config_text
from model.ownership import KINDS, kinds_of, named_kinds, unmanaged_kinds

SOURCE = Path("Pulumi.x.yaml")
KEY = "descope-config:leaveUnmanaged"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (None, set()),
        ("", set()),
        ("flows", {"flows"}),
        (" flows , theme,", {"flows", "theme"}),
        ('["roles", "permissions"]', {"roles", "permissions"}),
        ("tenants,accessKeys,tenantAttributes", {"tenants", "accessKeys", "tenantAttributes"}),
    ],
)
def test_the_setting_is_a_list_or_comma_separated_text(text: str | None, kinds: set[str]) -> None:
    values = {} if text is None else {"leaveUnmanaged": text}
    options = stack_options("dev", values, source=SOURCE)
    assert options.unmanaged == kinds
    assert all(options.manages(kind) is (kind not in kinds) for kind in KINDS)
    assert "leaveUnmanaged" not in options.variables


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("flow", 'names "flow", which is not a kind this program manages. Did you mean "flows"?'),
        ("Roles", 'names "Roles", which is not a kind this program manages. Did you mean "roles"?'),
        ("access_keys", 'Did you mean "accessKeys"?'),
        ("users", 'names "users", which is not a kind this program manages. The kinds: '),
        ("[flows", 'is "[flows": write a list of kinds, or the kinds separated by commas.'),
        ('{"a": 1}', "not a kind"),
    ],
)
def test_an_unknown_kind_is_refused_naming_the_closest(text: str, message: str) -> None:
    with pytest.raises(ConfigurationErrors) as raised:
        stack_options("staging", {"leaveUnmanaged": text}, source=SOURCE)
    (problem,) = raised.value.problems
    assert str(problem).startswith(f"Pulumi.x.yaml: stack staging, field {KEY}: ")
    assert message in problem.message


def test_every_unknown_kind_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationErrors) as raised:
        stack_options("dev", {"leaveUnmanaged": "flows, themes, tenant"}, source=SOURCE)
    assert [p.message.split(".")[0] for p in raised.value.problems] == [
        'names "themes", which is not a kind this program manages',
        'names "tenant", which is not a kind this program manages',
    ]


def test_definitions_cannot_be_both_managed_and_left() -> None:
    values = {"leaveUnmanaged": "tenantAttributes", "manageAttributeDefinitions": "true"}
    with pytest.raises(ConfigurationErrors) as raised:
        stack_options("dev", values, source=SOURCE)
    assert [str(p) for p in raised.value.problems] == [
        "Pulumi.x.yaml: stack dev, field descope-config:manageAttributeDefinitions: is true, but "
        "leaveUnmanaged names tenantAttributes: the definitions cannot be written here and left "
        "to another tool. Set one of the two."
    ]
    values["leaveUnmanaged"] = "flows"
    assert stack_options("dev", values, source=SOURCE).manage_attribute_definitions


def test_a_misspelt_setting_name_is_pointed_at() -> None:
    with pytest.raises(ConfigurationErrors) as raised:
        stack_options("dev", {"leaveUnmanage": "flows"}, source=SOURCE)
    assert "looks like a misspelling of descope-config:leaveUnmanaged" in str(raised.value)


def test_a_yaml_list_reaches_the_setting_as_pulumi_hands_it_to_a_program() -> None:
    assert config_text(["flows", "theme"]) == '["flows", "theme"]'
    assert named_kinds(config_text(["flows", "theme"])) == ["flows", "theme"]
    assert named_kinds("[1]") == [1]
    assert named_kinds('"flows"') == ['"flows"']
    assert unmanaged_kinds('["flows", "nope", 3]') == {"flows"}
    assert unmanaged_kinds("{") == set()


@pytest.mark.parametrize(
    ("type_name", "props", "kinds"),
    [
        ("Permission", {}, {"permissions"}),
        ("Role", {"tenantId": ""}, {"roles"}),
        ("Role", {"tenantId": "acme"}, {"tenants"}),
        ("Flow", {}, {"flows"}),
        ("Theme", {}, {"theme"}),
        ("Tenant", {}, {"tenants"}),
        ("AttributeDefinition", {}, {"tenantAttributes"}),
        ("SSOConfiguration", {}, {"tenants"}),
        ("AccessKey", {}, {"accessKeys", "tenants"}),
        ("Other", {}, set()),
    ],
)
def test_each_resource_belongs_to_its_kinds(
    type_name: str, props: dict[str, str], kinds: set[str]
) -> None:
    assert kinds_of(type_name, props) == kinds


FILE = """\
tenantAttributes:
  plan: {type: string}
permissions:
  - {name: read}
roles:
  - {name: Reader, permissions: [read]}
tenants:
  - id: acme
    name: Acme
    accessKeys:
      - {name: ci}
flows:
  - {id: sign-up-or-in, file: sign-up-or-in.json}
theme:
  file: theme.json
"""


@pytest.fixture
def declared(tmp_path: Path, flow_files: None) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text(FILE)
    return path


@pytest.fixture
def flow_files(tmp_path: Path) -> None:
    flow = (Path(__file__).parents[3] / "config/flows").resolve()
    for name in ("sign-up-or-in.json", "theme.json"):
        (tmp_path / name).write_text((flow / name).read_text())


def test_a_configuration_declaring_an_unmanaged_kind_is_refused_at_its_line(
    declared: Path,
) -> None:
    configuration = load_configuration(
        declared, variables={"domainSuffix": "x.example.com", "environment": "dev"}
    )
    options = stack_options("dev", {"leaveUnmanaged": ",".join(KINDS)}, source=SOURCE)
    with pytest.raises(ConfigurationErrors) as raised:
        check_for_stack(options, configuration)
    setting = "(descope-config:leaveUnmanaged in Pulumi.dev.yaml)"
    assert [(p.line, p.subject, p.field) for p in raised.value.problems] == [
        (1, "file", "tenantAttributes"),
        (3, "file", "permissions"),
        (5, "file", "roles"),
        (7, "file", "tenants"),
        (8, 'tenant "acme"', "accessKeys"),
        (12, "file", "flows"),
        (14, "file", "theme"),
    ]
    messages = [p.message for p in raised.value.problems]
    assert messages[1] == (
        f"declares 1 permission(s), but stack dev leaves permissions unmanaged {setting}: "
        "another tool owns them, and this stack does not manage them. Remove the `permissions` "
        "entries from the file, or take permissions out of leaveUnmanaged to manage them here."
    )
    assert messages[5].startswith("declares the flow(s) sign-up-or-in, but")
    assert messages[4].startswith("declares 1 access key(s), but stack dev leaves accessKeys")


def test_an_empty_list_still_claims_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text("permissions: []\nroles: []\ntenants: []\nflows: []\n")
    configuration = load_configuration(path)
    options = stack_options("dev", {"leaveUnmanaged": "permissions,roles,flows"}, source=SOURCE)
    with pytest.raises(ConfigurationErrors) as raised:
        check_for_stack(options, configuration)
    # permissions: [] says "these and no others" (it would delete the others); flows: [] is
    # no claim, each flow is managed by its own entry.
    assert [p.field for p in raised.value.problems] == ["permissions", "roles"]


def test_a_configuration_without_the_unmanaged_kinds_passes(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants:\n  - {id: acme, name: Acme}\n")
    configuration = load_configuration(path)
    options = stack_options("dev", {"leaveUnmanaged": "roles,flows,theme"}, source=SOURCE)
    check_for_stack(options, configuration)
    assert configuration.key_lines == {"tenants": 1}
