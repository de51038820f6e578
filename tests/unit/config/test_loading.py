"""Loading valid files: defaults, variables, flows, theme and what the result holds."""

from __future__ import annotations

import json
from pathlib import Path

from config import load_configuration
from model import SessionSettings, content_hash, normalise_flow_export
from tests.unit.config.conftest import WriteYaml, flow_export


def test_defaults_are_deep_merged_and_a_tenants_own_value_wins(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        """
        defaults:
          customAttributes: {plan: free, region: eu}
          defaultRoles: [member]
          settings: {sessionTokenExpiration: 30, sessionTokenExpirationUnit: minutes}
        tenants:
          - id: acme
            name: Acme
            customAttributes: {plan: enterprise}
            settings: {authType: saml}
          - id: globex
            name: Globex
            defaultRoles: [admin]
        """
    )
    acme, globex = load_configuration(path).tenants
    assert acme.customAttributes == {"plan": "enterprise", "region": "eu"}
    assert acme.defaultRoles == ["member"]
    assert acme.settings == SessionSettings(
        authType="saml", sessionTokenExpiration=30, sessionTokenExpirationUnit="minutes"
    )
    assert globex.defaultRoles == ["admin"]
    assert globex.settings is not None
    assert globex.settings.authType == "none"


def test_variables_are_substituted_and_double_dollar_escapes(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        """
        tenants:
          - id: acme
            name: Acme ${environment}
            selfProvisioningDomains: ["acme.${domainSuffix}"]
            customAttributes: {note: "cost $${notAVariable}", seats: 3}
        """
    )
    variables = {"domainSuffix": "dev.example.com", "environment": "dev"}
    (acme,) = load_configuration(path, variables=variables).tenants
    assert acme.name == "Acme dev"
    assert acme.selfProvisioningDomains == ["acme.dev.example.com"]
    assert acme.customAttributes == {"note": "cost ${notAVariable}", "seats": 3}


def test_flows_are_read_normalised_and_hashed(write_yaml: WriteYaml, tmp_path: Path) -> None:
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    export = flow_export("login")
    (flows_dir / "login.json").write_text(json.dumps(export), encoding="utf-8")
    path = write_yaml(
        """
        tenants: []
        flows:
          - id: login
            file: login.json
            deleteOnRemove: true
        """
    )
    configuration = load_configuration(path, flows_dir=flows_dir)
    (flow,) = configuration.flows
    assert flow.id == "login"
    assert flow.file == flows_dir / "login.json"
    assert flow.delete_on_remove is True
    assert flow.content == normalise_flow_export(export)
    assert flow.content_hash == content_hash(flow.content)
    assert configuration.theme is None
    assert configuration.source == path


def test_flow_files_default_to_the_yaml_files_folder(write_yaml: WriteYaml, tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text(json.dumps(flow_export("f")), encoding="utf-8")
    (tmp_path / "theme.json").write_text('{"theme": {"cssTemplate": {}, "version": 4}}')
    path = write_yaml("tenants: []\nflows: [{id: f, file: f.json}]\ntheme: {file: theme.json}\n")
    configuration = load_configuration(path)
    assert configuration.flows[0].delete_on_remove is False
    assert configuration.theme is not None
    assert configuration.theme.content == {"cssTemplate": {}}
    assert configuration.theme.content_hash.startswith("sha256:")


def test_tenant_lines_give_each_tenants_entry_line(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        """
        # comment
        tenants:
          - id: a
            name: A

          - name: B
            id: b
        """
    )
    assert load_configuration(path).tenant_lines == {"a": 4, "b": 7}


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbftenants: [{id: a, name: A}]\n")
    assert [t.id for t in load_configuration(path).tenants] == ["a"]
