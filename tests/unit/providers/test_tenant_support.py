"""Retry policy from the environment, 401 advice, and connection settings resolution."""

from __future__ import annotations

import pytest

from providers import calls, client
from providers.errors import ConfigurationError


def test_current_policy__environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESCOPE_CONFIG_RETRY_BACKOFF", "0.05")
    monkeypatch.setenv("DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT", "3")
    monkeypatch.setenv("DESCOPE_CONFIG_MAX_ATTEMPTS", "2")
    policy = calls.current_policy()
    assert (policy.backoff, policy.max_rate_limit_wait, policy.max_attempts) == (0.05, 3.0, 2)


def test_current_policy__defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DESCOPE_CONFIG_RETRY_BACKOFF",
        "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT",
        "DESCOPE_CONFIG_MAX_ATTEMPTS",
    ):
        monkeypatch.delenv(name, raising=False)
    assert calls.current_policy() == calls.DEFAULT_POLICY


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DESCOPE_CONFIG_RETRY_BACKOFF", "fast"),
        ("DESCOPE_CONFIG_MAX_ATTEMPTS", "0"),
        ("DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT", "-1"),
    ],
)
def test_current_policy__malformed_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        calls.current_policy()


def test_describe_sources__names_origins_never_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESCOPE_MANAGEMENT_KEY", "K-env-secret")
    client.configure({"descope:projectId": "Pabc12345"})
    try:
        text = client.describe_sources()
    finally:
        client.configure({})
    assert text == (
        "project id Pabc12345 from stack config descope:projectId, "
        "management key from environment variable DESCOPE_MANAGEMENT_KEY"
    )
    assert "K-env-secret" not in text


def test_describe_sources__unresolvable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DESCOPE_PROJECT_ID", "DESCOPE_MANAGEMENT_KEY"):
        monkeypatch.delenv(name, raising=False)
    client.configure({})
    assert client.describe_sources() == "stack config or environment"


def test_resolve_settings__stack_config_wins_over_environment() -> None:
    settings = client.resolve_settings(
        {"descope:projectId": "Pstack123", "descope:managementKey": "Kstack"},
        {
            "DESCOPE_PROJECT_ID": "Penv12345",
            "DESCOPE_MANAGEMENT_KEY": "Kenv",
            "DESCOPE_BASE_URI": "http://x:1/",
        },
    )
    assert (settings.project_id, settings.management_key, settings.base_url) == (
        "Pstack123",
        "Kstack",
        "http://x:1",
    )
    assert settings.source["base_url"] == "environment variable DESCOPE_BASE_URI"
    assert "Kstack" not in repr(settings)


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        ({}, {}, "descope:projectId"),
        ({"descope:projectId": "P!"}, {}, "malformed"),
        ({"descope:projectId": "Pabc1234"}, {}, "DESCOPE_MANAGEMENT_KEY"),
        ({"descope:projectId": "Pabc1234", "descope:managementKey": "a b"}, {}, "malformed"),
        (
            {"descope:projectId": "Pabc1234"},
            {"DESCOPE_MANAGEMENT_KEY": "K", "DESCOPE_BASE_URI": "ftp:x"},
            "base URL",
        ),
        (
            {"descope:projectId": "Pabc1234", "descope:baseUrl": "http://127.0.0.1:8787/v1"},
            {"DESCOPE_MANAGEMENT_KEY": "K"},
            "it has a path; the SDK adds /v1/mgmt/... itself",
        ),
    ],
)
def test_resolve_settings__problems_name_both_ways(
    config: dict[str, str | None], env: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client.resolve_settings(config, env)
    text = str(caught.value)
    assert expected in text
    assert "pulumi config set" in text
    assert "environment variable" in text


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787", "http://127.0.0.1:8787/", "https://api.descope.com"]
)
def test_resolve_settings__a_bare_address_is_a_base_url(url: str) -> None:
    settings = client.resolve_settings(
        {"descope:projectId": "Pabc1234", "descope:baseUrl": url}, {"DESCOPE_MANAGEMENT_KEY": "K"}
    )
    assert settings.base_url == url.rstrip("/")
