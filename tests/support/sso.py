"""SSO fixtures the suite shares: real X.509 certificates and valid SSO declarations.

`certificate()` makes a self-signed certificate (EC P-256) once per common name, so tests can
check that a certificate parses, that two forms of one compare equal, and that two different
ones do not.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

CLIENT_SECRET = "oidc-client-SECRET-canary-6d2f91"
"""A distinctive OIDC client secret: a plain search finds any copy of it."""


@cache
def certificate(common_name: str = "idp.acme.example") -> str:
    """A PEM certificate for `common_name` (the same text for the same name in one run)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2035, 1, 1, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode("ascii")


def certificate_body(pem: str) -> str:
    """The base64 body of a PEM certificate, on one line (as IdP metadata often shows it)."""
    lines = [line for line in pem.strip().splitlines() if not line.startswith("-----")]
    return "".join(lines)


def saml(**changes: Any) -> dict[str, Any]:
    """SAML settings entered by hand, valid."""
    return {
        "ssoUrl": "https://idp.acme.example/saml/sso",
        "entityId": "https://idp.acme.example/saml",
        "certificate": certificate(),
        **changes,
    }


def oidc(**changes: Any) -> dict[str, Any]:
    """OIDC settings by issuer, as the SSO resource takes them (no secret)."""
    return {"issuer": "https://acme.okta.example", "clientId": "acme-client", **changes}


def sso_props(tenant_id: str = "acme", sso_id: str = "", **changes: Any) -> dict[str, Any]:
    """A SAML configuration as the SSO resource's inputs (before check)."""
    props: dict[str, Any] = {
        "tenantId": tenant_id,
        "ssoId": sso_id,
        "displayName": "" if not sso_id else f"Config {sso_id}",
        "saml": saml(),
        "domains": [f"{tenant_id}.example.com"],
        "groupMappings": [{"role": "admin", "groups": ["it-admins"]}],
        "defaultRoles": ["member"],
        "redirectUrl": f"https://app.{tenant_id}.example/after-sso",
    }
    props.update(changes)
    return props


def oidc_props(
    tenant_id: str = "acme", sso_id: str = "", secret: Any = CLIENT_SECRET, **changes: Any
) -> dict[str, Any]:
    """An OIDC configuration as the SSO resource's inputs, with its client secret."""
    return sso_props(tenant_id, sso_id, saml=None, oidc=oidc(), clientSecret=secret, **changes)
