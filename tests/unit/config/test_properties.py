"""Whatever the file holds, loading it gives a configuration or `ConfigurationErrors`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import Configuration, ConfigurationErrors, load_configuration

KEYS = st.sampled_from(
    [
        "defaults",
        "tenants",
        "flows",
        "theme",
        "id",
        "name",
        "file",
        "settings",
        "authType",
        "domains",
        "selfProvisioningDomains",
        "customAttributes",
        "enforceSSO",
        "enforceSSOExclusions",
        "sessionTokenExpiration",
        "sessionTokenExpirationUnit",
        "deleteOnRemove",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["acme", "acme.com", "${domainSuffix}", "$${x}", "${", "saml", "minutes"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=5)


def outcome(content: bytes) -> Configuration | ConfigurationErrors:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tenants.yaml"
        path.write_bytes(content)
        try:
            return load_configuration(path, variables={"domainSuffix": "example.com"})
        except ConfigurationErrors as exc:
            errors = exc
    assert errors.problems
    assert all(str(problem) for problem in errors.problems)
    return errors


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_load_or_raise_configuration_errors(content: bytes) -> None:
    outcome(content)


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!#'\"\t\n ,$|>?%@`.1~")), max_size=80))
def test_arbitrary_yaml_punctuation_loads_or_raises_configuration_errors(content: str) -> None:
    outcome(content.encode("utf-8"))


@settings(max_examples=300)
@given(DOCUMENTS)
def test_arbitrary_documents_load_or_raise_configuration_errors(document: dict[str, Any]) -> None:
    outcome(yaml.safe_dump(document).encode("utf-8"))


@settings(max_examples=100)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"id": st.sampled_from(["a", "b", "bad id"]), "name": st.sampled_from(["A", "B"])},
            optional={"settings": st.dictionaries(KEYS, SCALARS, max_size=3)},
        ),
        max_size=4,
    )
)
def test_arbitrary_tenant_lists_load_or_raise_configuration_errors(
    tenants: list[dict[str, Any]],
) -> None:
    result = outcome(yaml.safe_dump({"tenants": tenants}).encode("utf-8"))
    if isinstance(result, Configuration):
        assert len(result.tenants) == len(tenants)
