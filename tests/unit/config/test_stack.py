"""A stack's own settings: defaults per stack, flags, misspellings, variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigurationErrors, plaintext_key_warning, project_values, stack_options

SOURCE = Path("Pulumi.x.yaml")


def test_defaults_dev_deletes_and_prod_protects() -> None:
    dev = stack_options("dev", {}, source=SOURCE)
    assert (dev.protect, dev.retain_on_delete) == (False, False)
    assert dev.tenants_file == Path("config/tenants/dev.yaml")
    assert dev.backup_dir == Path("backups/dev")
    assert dev.flows_dir is None
    prod = stack_options("prod", {}, source=SOURCE)
    assert (prod.protect, prod.retain_on_delete) == (True, True)


def test_settings_override_defaults_and_other_keys_are_variables() -> None:
    options = stack_options(
        "prod",
        {
            "protect": "False",
            "retainOnDelete": "true",
            "tenantsFile": "t.yaml",
            "flowsDir": "flows",
            "backupDir": "/var/backups",
            "domainSuffix": "example.com",
        },
        source=SOURCE,
    )
    assert (options.protect, options.retain_on_delete) == (False, True)
    assert options.tenants_file == Path("t.yaml")
    assert options.flows_dir == Path("flows")
    assert options.backup_dir == Path("/var/backups")
    assert options.variables == {"domainSuffix": "example.com"}


def test_every_bad_setting_is_reported_at_once() -> None:
    with pytest.raises(ConfigurationErrors) as raised:
        stack_options(
            "staging",
            {"protect": "yes", "retainOnDelet": "true", "domainSuffix": "x"},
            source=SOURCE,
        )
    assert [str(p) for p in raised.value.problems] == [
        "Pulumi.x.yaml: stack staging, field descope-config:retainOnDelet: looks like a "
        "misspelling of descope-config:retainOnDelete; as written it is only a ${...} variable "
        "and the setting keeps its default. Fix the key's spelling.",
        'Pulumi.x.yaml: stack staging, field descope-config:protect: is "yes": write true or '
        "false.",
    ]


def test_project_values_takes_the_namespace_unprefixed_with_booleans_as_pulumi_writes_them() -> (
    None
):
    values = project_values(
        {"descope-config:protect": True, "descope-config:n": 3, "descope:projectId": "P1", "x": 1}
    )
    assert values == {"protect": "true", "n": "3"}


def test_a_plaintext_management_key_outside_the_emulator_is_warned_about() -> None:
    config = {"descope:managementKey": "K-real", "descope:projectId": "P2abc"}
    warning = plaintext_key_warning("prod", config, secret_keys=())
    assert warning is not None
    assert "pulumi config set --secret descope:managementKey" in warning
    assert "K-real" not in warning
    assert plaintext_key_warning("prod", config, secret_keys={"descope:managementKey"}) is None
    assert plaintext_key_warning("prod", {"descope:projectId": "P2abc"}, secret_keys=()) is None


def test_the_emulators_key_in_plain_text_is_no_secret() -> None:
    config = {"descope:managementKey": "K-emulator-local-key"}
    for url in ("http://127.0.0.1:8787", "http://localhost:8787/", "http://[::1]:9"):
        assert plaintext_key_warning("dev", {**config, "descope:baseUrl": url}, ()) is None
    assert plaintext_key_warning("dev", {**config, "descope:baseUrl": "https://x.io"}, ())
