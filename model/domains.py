"""Which tenant an email domain leads to: the one rule across tenants, and its one wording.

A tenant claims a domain in two ways:

- as a *self-provisioning* domain (``selfProvisioningDomains``): users of that email domain
  join the tenant;
- as an *SSO* domain (``settings.domains``, or the ``domains`` of one of its SSO
  configurations, ``sso:``): users of that email domain sign in through the tenant's SSO.

The rule, compared without case:

- a domain belongs to one tenant only. Two tenants may share an SSO domain only when the
  Descope project allows it (its ``allowDuplicateSSODomainsInOtherTenants`` setting, which the
  stack states as ``descope-config:allowDuplicateSSODomains``); a self-provisioning domain is
  never shared, not even with another tenant's SSO domain;
- within one tenant, an SSO domain leads to one SSO configuration: it is claimed once (the
  same domain as a self-provisioning domain and an SSO domain of one tenant is fine). A value
  listed twice in one list is that list's own problem (`model.text.check_unique`), not
  reported again here.

`domain_claim_problems` applies the rule to every claim of a file at once; the configuration
loader (`config.validate`) gathers the claims and places each problem on its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from model.problems import Problem
from model.text import shown

if TYPE_CHECKING:
    from model.roles import Locate, Path

ALLOW_DUPLICATE_SSO_DOMAINS = "descope-config:allowDuplicateSSODomains"
"""The stack setting that says the Descope project lets tenants share SSO domains."""


@dataclass(frozen=True)
class DomainClaim:
    """One domain as one tenant lists it."""

    path: Path
    """Where the domain is written; the list holding it is ``path[:-1]``."""
    tenant: str
    """The tenant, as a person reads it: ``tenant "acme"``."""
    tenant_index: int
    """The tenant's place in the file: tells apart two tenants written with one id."""
    domain: str
    sso: bool
    """An SSO domain (True) or a self-provisioning domain (False)."""

    @property
    def kind(self) -> str:
        return "an SSO domain" if self.sso else "a self-provisioning domain"


def domain_claim_problems(
    claims: list[DomainClaim], *, allow_duplicate_sso_domains: bool, locate: Locate
) -> list[Problem]:
    """Every claim that breaks the rule, reported at the later claim (in `claims`' order),
    naming the earlier one. `locate` words where a claim is written (``at tenants.yaml:12``)."""
    problems: list[Problem] = []
    earlier: dict[str, list[DomainClaim]] = {}
    for claim in claims:
        held = earlier.setdefault(claim.domain.lower(), [])
        # The tenant's own earlier claim first: listing it once is then the whole fix.
        for other in sorted(held, key=lambda o: o.tenant_index != claim.tenant_index):
            message = _conflict(claim, other, allow_duplicate_sso_domains, locate)
            if message is not None:
                problems.append(Problem(claim.path, message))
                break
        held.append(claim)
    return problems


def _conflict(
    claim: DomainClaim, other: DomainClaim, allow_duplicates: bool, locate: Locate
) -> str | None:
    """What is wrong with `claim` given the earlier `other` of the same domain, if anything."""
    domain = shown(claim.domain)
    if claim.tenant_index == other.tenant_index:
        if not (claim.sso and other.sso) or claim.path[:-1] == other.path[:-1]:
            return None
        return (
            f'the SSO domain "{domain}" is claimed twice by {claim.tenant}: here and '
            f"{locate(other.path)}. An SSO domain leads its users to one SSO configuration: "
            "list it in one of them."
        )
    if claim.sso and other.sso and allow_duplicates:
        return None
    both = (
        f'the domain "{domain}" is claimed by two tenants: {claim.tenant} here, as '
        f"{claim.kind}, and {other.tenant} {locate(other.path)}, as {other.kind}."
    )
    if claim.sso and other.sso:
        return (
            f"{both} Descope refuses an SSO domain another tenant holds: remove it from one of "
            "them (or, if the Descope project allows duplicate SSO domains, set "
            f"{ALLOW_DUPLICATE_SSO_DOMAINS}: true in the stack)."
        )
    return f"{both} A domain leads its users to one tenant only: remove it from one of them."
