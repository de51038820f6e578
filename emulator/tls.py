"""TLS for the emulator: a self-signed certificate made at start, for loopback names only.

Usage::

    certificate = make_certificate()
    certificate.write_certificate("ca.pem")   # what a client is to trust (no key in it)
    server = EmulatorServer(tls=certificate)  # serves https://127.0.0.1:port

The certificate names ``localhost``, ``127.0.0.1`` and ``::1``, is its own issuer (a CA with
``keyCertSign``, so that a client can trust exactly it and nothing else), and is valid for
`VALIDITY` from a minute before it is made. Its key is an EC P-256 key that lives only in this
process: it is written to a private temporary file just long enough for `ssl` to load it, then
deleted. A client that is not given the certificate refuses the emulator (no public CA signed
it), which is what the tests check.

Needs ``cryptography`` (``requirements.txt``); the rest of the emulator is stdlib only, and
this module is imported only when TLS is asked for.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["VALIDITY", "Certificate", "make_certificate"]

VALIDITY = datetime.timedelta(days=1)
"""How long a certificate is valid: an emulator runs for a session, not for months."""
NAMES = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Certificate:
    """A certificate (PEM) and its private key (PEM, unencrypted; never written but briefly)."""

    certificate_pem: bytes
    key_pem: bytes

    def write_certificate(self, path: str | os.PathLike[str]) -> Path:
        """Write the certificate alone (public: a client's trust file) to `path`."""
        target = Path(path)
        target.write_bytes(self.certificate_pem)
        return target

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting this certificate, TLS 1.2 at least."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        descriptor, name = tempfile.mkstemp(prefix="emulator-tls-", suffix=".pem")
        try:
            with os.fdopen(descriptor, "wb") as file:  # mkstemp: readable by this user only
                file.write(self.certificate_pem + self.key_pem)
            context.load_cert_chain(name)
        finally:
            os.unlink(name)
        return context


def make_certificate(*, now: datetime.datetime | None = None) -> Certificate:
    """A new self-signed certificate for the loopback names (see the module docstring)."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = (now or datetime.datetime.now(datetime.UTC)) - datetime.timedelta(minutes=1)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Descope emulator (local)")])
    alternative: list[x509.GeneralName] = [x509.DNSName(n) for n in NAMES]
    alternative += [x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES]
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Certificate(
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
