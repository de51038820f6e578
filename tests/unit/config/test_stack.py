"""A stack's own settings: defaults per stack, flags, misspellings, variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import (
    ConfigurationErrors,
    load_configuration,
    plaintext_key_warning,
    project_values,
    stack_options,
)

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


# --- a misspelt variable: the did-you-mean names the side that is likely misspelt --------------

TENANTS = """\
tenants:
  - id: acme
    name: Acme
    selfProvisioningDomains: ["acme.${%s}"]
  - id: globex
    name: Globex
    selfProvisioningDomains: ["globex.${%s}"]
"""


def messages(tmp_path: Path, first: str, second: str, variables: dict[str, str]) -> list[str]:
    path = tmp_path / "tenants.yaml"
    path.write_text(TENANTS % (first, second), encoding="utf-8")
    with pytest.raises(ConfigurationErrors) as raised:
        load_configuration(path, variables=variables)
    return [p.message for p in raised.value.problems]


def test_a_misspelt_reference_is_pointed_at_the_stack_s_name(tmp_path: Path) -> None:
    # The YAML writes ${domainSufix} once and ${domainSuffix} elsewhere; the stack is right.
    (message,) = messages(tmp_path, "domainSufix", "domainSuffix", {"domainSuffix": "x.com"})
    assert 'refers to the unknown variable "domainSufix". Did you mean "domainSuffix"?' in message
    # Alone in the file, the reference is still the one to fix first.
    path = tmp_path / "one.yaml"
    path.write_text(
        'tenants:\n  - id: a\n    name: A\n    selfProvisioningDomains: ["a.${domainSufix}"]\n'
    )
    with pytest.raises(ConfigurationErrors) as raised:
        load_configuration(path, variables={"domainSuffix": "x.com"})
    assert 'Did you mean "domainSuffix"?' in raised.value.problems[0].message


def test_a_misspelt_stack_variable_is_pointed_at_the_stack_not_the_file(tmp_path: Path) -> None:
    # Every value writes ${domainSuffix}; the stack defines domainSufix, which nothing uses.
    found = messages(tmp_path, "domainSuffix", "domainSuffix", {"domainSufix": "x.com"})
    assert len(found) == 2
    for message in found:
        assert "Did you mean" not in message
        assert (
            'refers to the unknown variable "domainSuffix". The stack defines "domainSufix", '
            "which nothing in this file refers to: if that key is the misspelling, rename "
            "descope-config:domainSufix to descope-config:domainSuffix in the stack's "
            'configuration; otherwise write "${domainSufix}". Known variables: domainSufix.'
        ) in message


def test_a_variable_is_never_taken_for_a_misspelt_setting_unless_it_is_close() -> None:
    # A misspelt variable is judged against the files that use it (above), not the settings.
    options = stack_options("dev", {"domainSufix": "x.com", "region": "eu"}, source=SOURCE)
    assert options.variables == {"domainSufix": "x.com", "region": "eu"}
    with pytest.raises(ConfigurationErrors, match="misspelling of descope-config:flowsDir"):
        stack_options("dev", {"flowDir": "f"}, source=SOURCE)


def test_a_misspelt_provider_setting_is_refused_like_a_misspelt_stack_setting() -> None:
    # descope:managmentKey would otherwise pass unread, and the key would come from elsewhere.
    keys = ["descope:projectId", "descope:managmentKey", "descope:region", "aws:region"]
    with pytest.raises(ConfigurationErrors) as raised:
        stack_options("dev", {}, source=SOURCE, config_keys=keys)
    found = {p.field: p.message for p in raised.value.problems}
    assert set(found) == {"descope:managmentKey", "descope:region"}
    assert "Did you mean descope:managementKey?" in found["descope:managmentKey"]
    assert (
        "read only descope:projectId, descope:managementKey, descope:baseUrl"
        in (found["descope:region"])
    )
    assert "Did you mean" not in found["descope:region"]
    known = ["descope:projectId", "descope:managementKey", "descope:baseUrl", "pulumi:tags"]
    assert stack_options("dev", {}, source=SOURCE, config_keys=known).stack == "dev"
