"""Generated bad SSO input never crashes, reaches Descope or shows a client secret.

- Tenant entries with generated ``sso:`` values (near-valid ones mutated, and anything at all)
  given to `config.load_configuration` either load or raise `ConfigurationErrors` whose every
  problem names the tenant and has a message; a client secret written in the file (a canary)
  is in no message.
- Generated SSO resource inputs given to the SSO provider's `check` return a `CheckResult`
  whose every failure names an input and gives a reason, without touching the Descope client,
  and never echo the client secret.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import ConfigurationErrors, load_configuration
from providers import client
from providers.sso import INPUT_KEYS, SSOConfigurationProvider
from tests.properties.conftest import CASES
from tests.support.sso import certificate, certificate_body

CANARY = "LITERAL-secret-canary-a17c"
PROFILE = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.text(max_size=20),
    st.sampled_from(
        [
            "https://idp.example.com/md",
            "http://idp.example.com",
            "acme.com",
            "ACME.com",
            "${s}",
            "$${s}",
            "x\u200b",
            "line\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            certificate(),
            certificate_body(certificate()),
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
SSO_KEYS = [
    "managedBy",
    "saml",
    "oidc",
    "domains",
    "groupMappings",
    "defaultRoles",
    "redirectUrl",
    "additional",
]
PROTOCOL_KEYS = [
    "metadataUrl",
    "ssoUrl",
    "entityId",
    "certificate",
    "additionalCertificates",
    "attributeMapping",
    "issuer",
    "authUrl",
    "tokenUrl",
    "clientId",
    "clientSecret",
    "scopes",
]
protocol_like = st.dictionaries(
    st.one_of(st.sampled_from(PROTOCOL_KEYS), st.text(min_size=1, max_size=8)),
    json_values,
    max_size=5,
)
VALID_SSO: dict[str, Any] = {
    "domains": ["sso.acme.com"],
    "saml": {"ssoUrl": "https://idp.acme.com/sso", "entityId": "e", "certificate": certificate()},
    "groupMappings": [{"role": "member", "groups": ["g"]}],
}
sso_like = st.one_of(
    json_values,
    st.dictionaries(
        st.sampled_from(SSO_KEYS),
        st.one_of(protocol_like, json_values, st.lists(protocol_like, max_size=2)),
        max_size=4,
    ),
    st.builds(
        lambda key, value: {**VALID_SSO, key: value},
        st.sampled_from([*SSO_KEYS, "typo"]),
        st.one_of(json_values, protocol_like),
    ),
    # a client secret written in the file, among anything else
    st.builds(
        lambda oidc, extra: {**extra, "oidc": {**oidc, "clientSecret": CANARY}},
        protocol_like,
        st.dictionaries(st.sampled_from(SSO_KEYS), json_values, max_size=2),
    ),
)


@pytest.mark.timeout(60)
@PROFILE
@given(sso=sso_like, settings_value=st.one_of(st.none(), json_values))
def test_a_generated_sso_entry_loads_or_names_its_problems(sso: Any, settings_value: Any) -> None:
    CASES["sso document cases"] += 1
    tenant: dict[str, Any] = {"id": "acme", "name": "Acme", "sso": sso}
    if settings_value is not None:
        tenant["settings"] = settings_value
    text = yaml.safe_dump({"roles": [{"name": "member"}], "tenants": [tenant]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.yaml"
        path.write_text(text, encoding="utf-8")
        errors: ConfigurationErrors | None = None
        try:
            load_configuration(path, secret_variables=["s"])
        except ConfigurationErrors as exc:
            errors = exc
    if errors is None:
        return
    CASES["sso document rejected"] += 1
    assert errors.problems
    for problem in errors.problems:
        assert problem.message.strip()
        assert problem.subject in ('tenant "acme"', "file"), problem
        assert CANARY not in str(problem)


class Tripwire:
    """Stands in for the Descope client: any use fails the test."""

    touched: ClassVar[list[str]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("hypothesis_", "_")):
            raise AttributeError(name)
        self.touched.append(name)
        raise AssertionError(f"check called Descope ({name})")


@pytest.fixture(scope="module", autouse=True)
def _tripwire() -> Iterator[None]:
    with client.use_management(cast(client.ManagementApi, Tripwire())):
        yield
    assert Tripwire.touched == []


sso_props = st.fixed_dictionaries(
    {"tenantId": st.one_of(st.just("acme"), scalars)},
    optional={
        "ssoId": scalars,
        "displayName": scalars,
        "saml": st.one_of(protocol_like, json_values),
        "oidc": st.one_of(protocol_like, json_values),
        "domains": json_values,
        "groupMappings": json_values,
        "defaultRoles": json_values,
        "redirectUrl": scalars,
        "clientSecret": st.just(CANARY),
        "adopt": scalars,
    },
)


@pytest.mark.timeout(60)
@PROFILE
@given(props=sso_props)
def test_the_sso_check_accepts_or_names_the_input(props: dict[str, Any]) -> None:
    CASES["sso check cases"] += 1
    result = SSOConfigurationProvider().check({}, dict(props))
    assert Tripwire.touched == []
    for failure in result.failures:
        assert failure.reason.strip()
        assert failure.property in (*INPUT_KEYS, "", *props), failure
        assert CANARY not in failure.reason  # the client secret is never repeated
    if not result.failures:
        CASES["sso check accepted"] += 1
        assert result.inputs["tenantId"] == props["tenantId"]
