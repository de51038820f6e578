"""The one certificate a test run's processes trust, instead of the public CA bundle.

Every HTTP client the suite builds loads its CA store when it is built: the SDK's
(``DescopeClient`` builds three, each loading ``SSL_CERT_FILE`` or certifi's bundle, and
``REQUESTS_CA_BUNDLE`` again when it is set), each provider host's connection pool, each
``httpx.Client``. The public bundle holds about 140 certificates and costs 20 to 40 ms of CPU
per load; the suite builds thousands of clients, in its workers, its provider hosts and the
commands it starts, and a quarter of its CPU went to loading that bundle.

No test reaches the internet, and a test about TLS makes and trusts its own certificate
(`emulator.tls`). So a run trusts one certificate made for it at start, which signs nothing:
``SSL_CERT_FILE`` names it, ``SSL_CERT_DIR`` and ``REQUESTS_CA_BUNDLE`` are unset, and every
process the run starts inherits that. The code under test builds its clients exactly as it
does anywhere else; only what they load is smaller.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from emulator.tls import make_certificate

__all__ = ["CA_VARIABLES", "Trust", "trust_one_certificate"]

CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")
"""Where OpenSSL, httpx, the Descope SDK and requests look for the CA store."""


@dataclass(frozen=True)
class Trust:
    """What `trust_one_certificate` changed: its folder and the variables as they were."""

    folder: Path
    before: dict[str, str | None]

    def undo(self) -> None:
        """Put the variables back as they were and remove the certificate."""
        for name, value in self.before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.folder, ignore_errors=True)


def trust_one_certificate() -> Trust:
    """Point this process (and what it starts from now on) at a certificate made now."""
    folder = Path(tempfile.mkdtemp(prefix="suite-trust-"))
    path = make_certificate().write_certificate(folder / "trusted.pem")
    before = {name: os.environ.pop(name, None) for name in CA_VARIABLES}
    os.environ["SSL_CERT_FILE"] = str(path)
    return Trust(folder, before)
