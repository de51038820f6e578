"""The emulator over TLS (a certificate made at start) and its per-IP rate limit.

The SDK talks to an HTTPS emulator when it trusts the emulator's certificate (``SSL_CERT_FILE``,
which the SDK's TLS context reads) and refuses it otherwise. ``--descope-rate-limits`` answers
429 with ``Retry-After`` past 1,000 requests per 10 s per client address, as Descope does.
"""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from cryptography import x509
from descope import DescopeClient

from emulator import EmulatorServer
from emulator.__main__ import main
from emulator.faults import DESCOPE_BACKEND_LIMIT, PerClientLimit, RateLimit
from emulator.tls import VALIDITY, make_certificate

PROJECT, KEY = "Ptls00000000000000000000000", "K-tls-key"


@pytest.fixture(scope="module")
def certificate_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls") / "emulator.pem"


@pytest.fixture(scope="module")
def tls_server(certificate_file: Path) -> Iterator[EmulatorServer]:
    certificate = make_certificate()
    certificate.write_certificate(certificate_file)
    with EmulatorServer(
        tls=certificate.server_context(), project_id=PROJECT, management_key=KEY
    ) as server:
        yield server


def test_certificate__names_loopback_only_is_its_own_ca_and_short_lived() -> None:
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    made = make_certificate(now=now)
    cert = x509.load_pem_x509_certificate(made.certificate_pem)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]
    assert cert.issuer == cert.subject
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == VALIDITY
    assert cert.not_valid_before_utc < now
    assert b"PRIVATE KEY" not in made.certificate_pem


def test_sdk_over_tls__works_trusting_the_certificate_and_refuses_without(
    tls_server: EmulatorServer, certificate_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:")

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate_file))
    trusting = DescopeClient(PROJECT, management_key=KEY, base_url=tls_server.url)
    trusting.mgmt.tenant.create("over TLS", "tls-1")
    assert [t["id"] for t in trusting.mgmt.tenant.load_all()["tenants"]] == ["tls-1"]

    monkeypatch.delenv("SSL_CERT_FILE")
    distrusting = DescopeClient(PROJECT, management_key=KEY, base_url=tls_server.url)
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        distrusting.mgmt.tenant.load_all()


def test_tls_server__a_plain_http_client_is_dropped_quietly(
    tls_server: EmulatorServer, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(tls_server.url.replace("https://", "http://") + "/v1/mgmt/license")
    context = ssl.create_default_context()  # public CAs only
    with pytest.raises(httpx.ConnectError):
        httpx.get(tls_server.url + "/v1/mgmt/license", verify=context)
    assert "Traceback" not in capfd.readouterr().err


def test_cli__tls_cert_writes_the_certificate_and_serves_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[EmulatorServer] = []
    stopped = SimpleNamespace(set=lambda: None, wait=lambda timeout: True)  # at once
    monkeypatch.setattr("emulator.__main__.threading", SimpleNamespace(Event=lambda: stopped))
    original = EmulatorServer.start

    def start(self: EmulatorServer) -> EmulatorServer:
        started.append(self)
        return original(self)

    monkeypatch.setattr(EmulatorServer, "start", start)
    path = tmp_path / "ca.pem"
    assert main(["--port", "0", "--tls-cert", str(path), "--descope-rate-limits"]) == 0
    first, *rest = capsys.readouterr().out.splitlines()
    assert first.startswith("https://127.0.0.1:")
    assert f"TLS certificate to trust: {path}" in rest
    assert x509.load_pem_x509_certificate(path.read_bytes())
    server = started[0]  # started, then entered (start again: already running)
    assert server.rate_limit_per_ip is not None
    assert server.rate_limit_per_ip.rule == DESCOPE_BACKEND_LIMIT


def test_cli__an_unwritable_tls_cert_path_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", "0", "--tls-cert", str(tmp_path / "none" / "ca.pem")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the --tls-cert file" in err
    assert "Traceback" not in err


def test_per_client_limit__refuses_past_the_limit_per_address_with_a_backoff() -> None:
    clock = [0.0]
    limit = PerClientLimit(
        RateLimit(limit=2, window_seconds=10, retry_after=10), now=lambda: clock[0]
    )
    assert limit.admit("10.0.0.1") is None
    assert limit.admit("10.0.0.1") is None
    refused = limit.admit("10.0.0.1")
    assert refused is not None
    assert refused.status == 429
    assert refused.headers == {"Retry-After": "10"}
    assert limit.admit("10.0.0.2") is None  # another address has its own count
    clock[0] = 9.5  # the window is over for the first two, the backoff is not
    again = limit.admit("10.0.0.1")
    assert again is not None
    assert again.headers == {"Retry-After": "1"}
    clock[0] = 10.0
    assert limit.admit("10.0.0.1") is None
    assert limit.to_json() | {} == {
        **RateLimit(limit=2, window_seconds=10, retry_after=10).to_json(),
        "refused": 2,
        "busiest": 2,
    }


def test_server_ip_limit__answers_429_as_descope_counts_it_and_spares_admin_routes() -> None:
    rule = RateLimit(limit=3, window_seconds=60, retry_after=60)
    with EmulatorServer(
        rate_limit_per_ip=PerClientLimit(rule), project_id=PROJECT, management_key=KEY
    ) as server:
        headers = {"Authorization": f"Bearer {PROJECT}:{KEY}"}
        with httpx.Client(base_url=server.url, headers=headers) as client:
            statuses = [client.get("/v1/mgmt/tenant/all").status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            refused = client.post("/v1/mgmt/tenant/create", json={"name": "x"})
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "60"
            assert refused.json()["errorCode"] == "E130429"
            assert refused.json()["errorMessage"] == "API rate limit exceeded."
            counters = client.get("/emulator/counters").json()
            assert counters["faultsByKind"] == {"429": 2}
            assert counters["requests"]["POST /v1/mgmt/tenant/create"] == 1
            state = client.get("/emulator/rate-limit").json()
            assert (state["refused"], state["busiest"], state["limit"]) == (2, 3, 3)
