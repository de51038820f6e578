"""The one rule on domains across tenants (`model.domains`), on claims as the loader gathers."""

from __future__ import annotations

import pytest

from model.domains import DomainClaim, domain_claim_problems
from model.roles import Path


def at(path: Path) -> str:
    return f"at line {path[-1]}"


def claim(tenant: int, list_name: str, line: int, domain: str = "acme.com") -> DomainClaim:
    """A claim of `tenant` (0, 1, ...) in its `list_name`; the line is the path's last part."""
    sso = list_name != "selfProvisioningDomains"
    path = ("tenants", tenant, list_name, line)
    return DomainClaim(path, f'tenant "t{tenant}"', tenant, domain, sso=sso)


@pytest.mark.parametrize(
    ("claims", "allowed", "refused"),
    [
        # two tenants, one self-provisioning domain: never shared
        (
            [claim(0, "selfProvisioningDomains", 1), claim(1, "selfProvisioningDomains", 2)],
            True,
            [1],
        ),
        # a self-provisioning domain and another tenant's SSO domain: never shared
        ([claim(0, "selfProvisioningDomains", 1), claim(1, "domains", 2)], True, [1]),
        # two tenants' SSO domains: shared only when the project allows it
        ([claim(0, "domains", 1), claim(1, "domains", 2)], False, [1]),
        ([claim(0, "domains", 1), claim(1, "domains", 2)], True, []),
        # one tenant: a self-provisioning domain and an SSO domain are fine
        ([claim(0, "selfProvisioningDomains", 1), claim(0, "domains", 2)], False, []),
        # one tenant, two SSO configurations: refused, even when duplicates are allowed
        ([claim(0, "domains", 1), claim(0, "additional", 2)], True, [1]),
        # one list holding it twice is the list's own problem, not reported here
        ([claim(0, "domains", 1), claim(0, "domains", 2)], False, []),
        # compared without case; another domain is no conflict
        ([claim(0, "domains", 1, "Acme.com"), claim(1, "domains", 2)], False, [1]),
        ([claim(0, "domains", 1, "other.com"), claim(1, "domains", 2)], False, []),
    ],
)
def test_which_claims_are_refused(
    claims: list[DomainClaim], allowed: bool, refused: list[int]
) -> None:
    problems = domain_claim_problems(claims, allow_duplicate_sso_domains=allowed, locate=at)
    assert [claims.index(next(c for c in claims if c.path == p.path)) for p in problems] == refused


def test_the_wording_names_the_domain_both_tenants_where_and_what_to_do() -> None:
    claims = [claim(0, "selfProvisioningDomains", 3), claim(1, "domains", 9)]
    (problem,) = domain_claim_problems(claims, allow_duplicate_sso_domains=False, locate=at)
    assert problem.path == ("tenants", 1, "domains", 9)
    assert problem.message == (
        'the domain "acme.com" is claimed by two tenants: tenant "t1" here, as an SSO domain, '
        'and tenant "t0" at line 3, as a self-provisioning domain. A domain leads its users to '
        "one tenant only: remove it from one of them."
    )


def test_a_tenants_own_repeat_is_named_before_another_tenants_claim() -> None:
    claims = [claim(0, "domains", 1), claim(1, "domains", 2), claim(1, "additional", 3)]
    problems = domain_claim_problems(claims, allow_duplicate_sso_domains=False, locate=at)
    assert [p.path[-1] for p in problems] == [2, 3]
    assert problems[1].message == (
        'the SSO domain "acme.com" is claimed twice by tenant "t1": here and at line 2. An SSO '
        "domain leads its users to one SSO configuration: list it in one of them."
    )
