"""With SMTP_USE_TLS and SMTP_USER/SMTP_PASSWORD the sender's connections upgrade with STARTTLS
(verifying the server's certificate) and log in before sending anything."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_django.fixtures import Settings

from rankandfile.notifications.models import Message, MessageStatus
from rankandfile.notifications.sending import messages_deliver_due
from tests.notifications.outbox import ballot_opened
from tests.notifications.smtp_sink import Recorder, free_port
from tests.personas import MakeMember

pytestmark = pytest.mark.django_db


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Logins:
    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.seen.append((data.login.decode(), session.ssl is not None))
        ok = (data.login, data.password) == (b"sender", b"s3cret")
        return AuthResult(success=ok, handled=False)


def test_the_sender_upgrades_with_starttls_and_logs_in(
    make_member: MakeMember, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_path, key_path = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    # The client trusts the test certificate as it would a public one: through the default
    # verification paths that ssl.create_default_context() reads.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    recorder, logins, port = Recorder(), Logins(), free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=logins,
        auth_required=True,
    )
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": port,
                    "use_tls": True,
                    "username": "sender",
                    "password": "s3cret",
                    "timeout": 5,
                },
            }
        }
        member = make_member()
        ballot_opened(member, 9)

        assert messages_deliver_due().sent == 1
    finally:
        controller.stop()

    assert logins.seen == [("sender", True)], "one login, after STARTTLS"
    assert Message.objects.get().status == MessageStatus.SENT
    (received,) = recorder.received
    assert received.envelope_to == [member.email]
