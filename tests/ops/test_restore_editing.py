"""The in-place YAML editing behind restore: text splicing and the forms of new values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap

from ops.edit.tenant_entry import FileForms, file_forms, new_entry
from ops.edit.yaml_edit import YamlEditor, plain_or_quoted
from ops.project.sso import restore_sso
from tests.support.sso import certificate, certificate_body

DOC = """\
# header
defaults:
  disabled: false   # a comment
tenants:
  # The first one.
  - id: a
    name: A

  - id: c
    name: C
flows: [{id: f, file: f.json}]
"""


def entry(tenant_id: str) -> CommentedMap:
    return CommentedMap({"id": tenant_id, "name": tenant_id.upper()})


def test_an_editor_without_edits_gives_the_text_back_unchanged() -> None:
    odd = "tenants:\n-   id: a\n    name:   A   # x\n"
    editor = YamlEditor(odd)
    editor.items("tenants")
    assert editor.text() == odd


def test_items_are_inserted_between_neighbours_with_the_files_spacing() -> None:
    editor = YamlEditor(DOC)
    editor.insert_item("tenants", 1, entry("b"))
    editor.insert_item("tenants", 3, entry("d"))
    editor.insert_item("tenants", 0, entry("first"))

    assert editor.text() == DOC.replace(
        "  # The first one.\n", "  - id: first\n    name: FIRST\n\n  # The first one.\n"
    ).replace("    name: A\n", "    name: A\n\n  - id: b\n    name: B\n").replace(
        "    name: C\n", "    name: C\n\n  - id: d\n    name: D\n"
    )


def test_a_flow_style_list_stays_in_flow_style() -> None:
    editor = YamlEditor(DOC)
    editor.insert_item("flows", 1, CommentedMap({"id": "g", "file": "g.json"}))
    assert editor.text() == DOC.replace(
        "flows: [{id: f, file: f.json}]", "flows: [{id: f, file: f.json}, {id: g, file: g.json}]"
    )


def test_an_empty_list_becomes_a_block_list_and_the_rest_is_kept() -> None:
    text = "defaults: {disabled: false}\n\ntenants: []\n\n# the end\n"
    editor = YamlEditor(text)
    editor.insert_item("tenants", 0, entry("a"))
    assert editor.text() == (
        "defaults: {disabled: false}\n\ntenants:\n  - id: a\n    name: A\n\n# the end\n"
    )


def test_a_new_top_level_key_is_added_at_the_end_spaced_like_the_others() -> None:
    editor = YamlEditor(DOC.replace("flows:", "\nflows:"))
    editor.set_key("theme", CommentedMap({"file": "theme.json"}))
    assert editor.text().endswith("flows: [{id: f, file: f.json}]\n\ntheme:\n  file: theme.json\n")


def test_a_file_of_comments_only_keeps_them_above_the_new_content() -> None:
    editor = YamlEditor("# just a header\n")
    editor.insert_item("tenants", 0, entry("a"))
    assert editor.text() == "# just a header\n\ntenants:\n  - id: a\n    name: A\n"


def test_an_item_whose_dash_is_on_its_own_line_is_replaced_whole() -> None:
    text = "tenants:\n  -\n    id: a\n    name: A\n  - id: b\n    name: B\n"
    editor = YamlEditor(text)
    editor.edit_item("tenants", 0)["name"] = "Changed"
    assert editor.text() == "tenants:\n  - id: a\n    name: Changed\n  - id: b\n    name: B\n"


def test_keys_added_to_an_entry_come_before_the_lines_that_follow_it() -> None:
    editor = YamlEditor(DOC)
    editor.edit_item("tenants", 0)["disabled"] = True
    assert "    name: A\n    disabled: true\n\n  - id: c\n" in editor.text()


def test_strings_pyyaml_would_misread_are_quoted() -> None:
    for text in ("yes", "on", "12:30", "3", "null", "~", "2024-01-01", "1.5"):
        written = plain_or_quoted(text)
        assert yaml.safe_load(f"key: {_dumped(written)}") == {"key": text}
    assert type(plain_or_quoted("plain")) is str


def _dumped(value: str) -> str:
    editor = YamlEditor("")
    editor.set_key("key", value)
    return editor.text().removeprefix("key: ").strip()


def test_a_reference_is_written_only_where_the_file_writes_it_that_way() -> None:
    forms = FileForms(
        variables={"domainSuffix": "dev.example.com", "environment": "dev"},
        references={
            "domainSuffix": frozenset({(".", None)}),
            "environment": frozenset({(None, None)}),
        },
    )
    assert forms.written_form("shop.dev.example.com") == "shop.${domainSuffix}"
    assert forms.written_form("dev") == "${environment}"
    assert forms.written_form("dev-team") == "dev-team"
    assert forms.written_form("dev.example.com") == "dev.example.com"  # no "." before it
    assert forms.written_form("cost ${x} dev") == "cost $${x} dev"


def test_file_forms_learn_contexts_defaults_and_styles(tmp_path: Path) -> None:
    raw = yaml.safe_load(DOC.replace("name: A", 'name: "A.${domainSuffix}"'))
    editor = YamlEditor(DOC.replace("name: A", 'name: "A.${domainSuffix}"'))
    forms = file_forms(raw, editor.items("tenants"), {"domainSuffix": "x.com"}, tmp_path / "t.yaml")
    assert forms.defaults == {"disabled": False}
    assert forms.references == {"domainSuffix": frozenset({(".", None)})}
    assert forms.quote_for(("name",)) == '"'
    made = new_entry({"id": "b", "name": "B.x.com", "disabled": False}, forms)
    assert dict(made) == {"id": "b", "name": "B.${domainSuffix}", "adopt": True}


def test_an_item_of_a_flow_style_list_is_written_back_with_the_list() -> None:
    text = "tenants: [{id: a, name: A}, {id: b, name: B}]  # two\nflows: []\n"
    editor = YamlEditor(text)
    editor.edit_item("tenants", 1)["name"] = "Changed"
    assert editor.text() == "tenants: [{id: a, name: A}, {id: b, name: Changed}] # two\nflows: []\n"


SSO_DOC = """\
tenants:
  - id: a
    sso:
      domains: [a.com]
      oidc: {name: A, issuer: https://a.example, clientId: a, clientSecret: '${aSecret}'}
      additional:   # further IdPs
        - ssoId: one   # first
          displayName: One
          saml:
            metadataUrl: https://one.example/m
        - ssoId: two
          displayName: Two
          saml: {metadataUrl: https://two.example/m}
"""


def restored_sso(text: str, wanted: dict[str, Any], tmp_path: Path) -> str:
    """`text` with its first tenant's sso: restored to `wanted` (no variables)."""
    raw = yaml.safe_load(text)
    editor = YamlEditor(text)
    forms = file_forms(raw, editor.items("tenants"), {}, tmp_path / "t.yaml")
    restore_sso(editor.edit_item("tenants", 0), raw["tenants"][0].get("sso"), wanted, forms)
    return editor.text()


def test_sso_further_configurations_are_matched_by_sso_id(tmp_path: Path) -> None:
    wanted = {
        "domains": ["a.com"],
        "oidc": {
            "name": "A",
            "issuer": "https://a.example",
            "clientId": "a",
            "clientSecret": "${aSecret}",
            "scopes": ["openid", "profile", "email"],  # the model's default: not written
            "attributeMapping": {"loginId": "sub", "name": "name", "group": "groups"},
        },
        "additional": [
            {
                "ssoId": "three",
                "displayName": "Three",
                "saml": {"metadataUrl": "https://3.example/m"},
            },
            {
                "ssoId": "one",
                "displayName": "One",
                "saml": {"metadataUrl": "https://one.example/n"},
            },
        ],
    }

    after = restored_sso(SSO_DOC, wanted, tmp_path)

    assert after == SSO_DOC.replace(
        "clientId: a, clientSecret", "clientId: a, attributeMapping: {group: groups}, clientSecret"
    ).replace(
        "        - ssoId: one   # first\n",
        "        - ssoId: three\n"
        "          displayName: Three\n"
        "          saml:\n"
        "            metadataUrl: https://3.example/m\n"
        "        - ssoId: one   # first\n",
    ).replace("https://one.example/m\n", "https://one.example/n\n").replace(
        "        - ssoId: two\n"
        "          displayName: Two\n"
        "          saml: {metadataUrl: https://two.example/m}\n",
        "",
    )


def test_sso_a_certificate_in_another_form_of_the_same_one_is_left_as_written(
    tmp_path: Path,
) -> None:
    pem = certificate("idp.a.example")
    text = (
        "tenants:\n  - id: a\n    sso:\n      saml:\n        ssoUrl: https://a.example/sso\n"
        "        entityId: a\n        certificate: |\n"
        + "".join(f"          {line}\n" for line in pem.splitlines())
    )
    saml = {"ssoUrl": "https://a.example/sso", "entityId": "a"}

    same = restored_sso(text, {"saml": {**saml, "certificate": certificate_body(pem)}}, tmp_path)
    other = restored_sso(text, {"saml": {**saml, "certificate": certificate("b")}}, tmp_path)

    assert same == text
    assert "        certificate: |\n          -----BEGIN CERTIFICATE-----\n" in other
    assert certificate("b").splitlines()[1] in other
    assert pem.splitlines()[1] not in other


def test_sso_a_new_configuration_holds_only_what_differs_from_the_defaults(
    tmp_path: Path,
) -> None:
    text = "tenants:\n  - id: a\n    name: A\n"
    wanted = {
        "domains": ["a.com"],
        "saml": {
            "metadataUrl": "https://a.example/m",
            "disableSignRequest": False,
            "attributeMapping": {"name": "name", "email": "mail", "customAttributes": {}},
        },
        "redirectUrl": "https://app.a.com/x",
    }

    after = restored_sso(text, wanted, tmp_path)

    assert after == text + (
        "    sso:\n"
        "      saml:\n"
        "        metadataUrl: https://a.example/m\n"
        "        attributeMapping:\n"
        "          email: mail\n"
        "      domains: [a.com]\n"
        "      redirectUrl: https://app.a.com/x\n"
    )
