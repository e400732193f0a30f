"""SMTP delivery to a real server on loopback: plain, after an outage, STARTTLS, TLS, login."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from otpkeep.errors import ConfigurationError, MailDeliveryError
from otpkeep.server.db.outbox import OutboxMessage
from otpkeep.server.mail.outbox import enqueue
from otpkeep.server.mail.sender import OutboxSender, run_worker
from otpkeep.server.mail.smtp import SMTPMailer
from service_harness import mail_text

OUTBOX_KEY = bytes(range(32))
"""The key these tests seal outbox bodies with (a service derives it from its seed)."""

if TYPE_CHECKING:
    from pathlib import Path

    from aiosmtpd.smtp import SMTP, AuthenticatorType, Envelope
    from aiosmtpd.smtp import Session as SMTPSession
    from sqlalchemy import Engine

    from conftest import MailSettingsFake, SMTPServers, SteppingClock

PASSWORD = "s3cret-Pa55"


def _enqueue(engine: Engine, clock: SteppingClock, to: str = "ada@example.org") -> None:
    with Session(engine) as db:
        context = {"code": "771204", "link": "https://b.example.org/v", "purpose": "transfer"}
        enqueue(
            db,
            key=OUTBOX_KEY,
            to=to,
            template="verification_code",
            context={**context, "minutes": 10},
            now=clock(),
        )
        db.commit()


def _received(envelope: Envelope) -> EmailMessage:
    """The message as the SMTP server received it."""
    assert envelope.original_content is not None
    return message_from_bytes(envelope.original_content, policy=policy.SMTP)


def _row(engine: Engine) -> OutboxMessage:
    with Session(engine) as db:
        return db.scalars(select(OutboxMessage)).one()


def _message(to: str = "ada@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "no-reply@example.org"
    message["To"] = to
    message["Subject"] = "Hello"
    message["Message-ID"] = "<abc@otpkeep>"
    message.set_content("Hello.\n")
    return message


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    cert_path, key_path = _certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def _accept_only(username: str, password: str) -> AuthenticatorType:
    def authenticate(
        server: SMTP, session: SMTPSession, envelope: Envelope, mechanism: str, auth_data: object
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == username.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


def test_a_message_reaches_the_smtp_server_with_its_headers(
    engine: Engine,
    clock: SteppingClock,
    smtp_port: int,
    smtp_servers: SMTPServers,
    mail_settings: MailSettingsFake,
) -> None:
    """The worker hands the queued message to the server named by the SMTP URL."""
    handler = smtp_servers.start(smtp_port)
    settings = dataclasses.replace(mail_settings, smtp_url=f"smtp://127.0.0.1:{smtp_port}")
    _enqueue(engine, clock)
    run_worker(settings, engine, key=OUTBOX_KEY, once=True, clock=clock)
    [envelope] = handler.envelopes
    assert envelope.mail_from == "no-reply@example.org"
    assert envelope.rcpt_tos == ["ada@example.org"]
    received = _received(envelope)
    assert received["Message-ID"] == _row(engine).message_id
    assert received["From"] == "otpkeep <no-reply@example.org>"
    assert "771204" in mail_text(received)
    assert _row(engine).body is None


def test_a_server_that_was_down_gets_the_message_once_after_the_backoff(
    engine: Engine, clock: SteppingClock, smtp_port: int, smtp_servers: SMTPServers
) -> None:
    """Nothing listens at first; after the 5 s backoff the server is up and gets it once."""
    mailer = SMTPMailer(f"smtp://127.0.0.1:{smtp_port}?timeout=5")
    sender = OutboxSender(
        engine, key=OUTBOX_KEY, mailer=mailer, mail_from="no-reply@example.org", clock=clock
    )
    _enqueue(engine, clock)
    assert sender.drain().retried == 1
    row = _row(engine)
    assert (row.attempts, row.last_error) == (1, "ConnectionRefusedError")
    assert row.next_attempt_at == clock() + dt.timedelta(seconds=5)

    handler = smtp_servers.start(smtp_port)
    clock.advance(seconds=4)
    assert sender.drain().sent == 0
    clock.advance(seconds=1)
    assert sender.drain().sent == 1
    assert sender.drain().sent == 0
    [envelope] = handler.envelopes
    received = _received(envelope)
    assert received["Message-ID"] == row.message_id
    row = _row(engine)
    assert (row.sent_at, row.body, row.attempts) == (clock(), None, 1)


def test_starttls_with_login_and_a_private_ca(
    tmp_path: Path, smtp_port: int, smtp_servers: SMTPServers
) -> None:
    """STARTTLS is verified against the cafile of the URL, then the mailer logs in."""
    context, cert_path = _server_tls(tmp_path)
    handler = smtp_servers.start(
        smtp_port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=_accept_only("mailer", PASSWORD),
    )
    url = f"smtp://mailer:{PASSWORD}@127.0.0.1:{smtp_port}?starttls=true&cafile={cert_path}"
    SMTPMailer(url).send(_message())
    assert len(handler.envelopes) == 1

    wrong = url.replace(PASSWORD, "wrong")
    with pytest.raises(MailDeliveryError) as info:
        SMTPMailer(wrong).send(_message())
    assert "wrong" not in str(info.value)
    assert f"127.0.0.1:{smtp_port}" in str(info.value)
    assert not info.value.permanent
    assert len(handler.envelopes) == 1


def test_starttls_refuses_a_certificate_it_cannot_verify(
    tmp_path: Path, smtp_port: int, smtp_servers: SMTPServers
) -> None:
    """Without the private CA the self-signed certificate is refused and nothing is sent."""
    context, _ = _server_tls(tmp_path)
    handler = smtp_servers.start(smtp_port, tls_context=context, require_starttls=True)
    with pytest.raises(MailDeliveryError) as info:
        SMTPMailer(f"smtp://127.0.0.1:{smtp_port}?starttls=true").send(_message())
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    assert handler.envelopes == []


def test_implicit_tls_with_smtps(tmp_path: Path, smtp_port: int, smtp_servers: SMTPServers) -> None:
    """smtps:// speaks TLS from the first byte."""
    context, cert_path = _server_tls(tmp_path)
    handler = smtp_servers.start(smtp_port, ssl_context=context)
    SMTPMailer(f"smtps://127.0.0.1:{smtp_port}?cafile={cert_path}").send(_message())
    assert len(handler.envelopes) == 1


def test_a_refused_recipient_is_a_permanent_failure(
    smtp_port: int, smtp_servers: SMTPServers
) -> None:
    """A 5xx answer for the recipient will not change with retries."""
    smtp_servers.start(smtp_port, refuse={"gone@example.org"})
    with pytest.raises(MailDeliveryError) as info:
        SMTPMailer(f"smtp://127.0.0.1:{smtp_port}").send(_message("gone@example.org"))
    assert info.value.permanent


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://mail.example.org", "not a mail server URL"),
        ("smtp://", "not a mail server URL"),
        ("smtp://mail.example.org:99999", "not a mail server URL"),
        (f"smtp://user:{PASSWORD}@mail.example.org:587", "without TLS"),
        ("smtps://mail.example.org?starttls=true", "at once"),
        ("smtp://mail.example.org?starttls=maybe", "true or false"),
        ("smtp://mail.example.org?timeout=0", "timeout"),
        ("smtps://mail.example.org?cafile=/nonexistent.pem", "cafile"),
    ],
)
def test_unusable_smtp_urls_are_refused_in_one_sentence(url: str, words: str) -> None:
    """A URL that cannot work is refused at start, without echoing a password."""
    with pytest.raises(ConfigurationError) as info:
        SMTPMailer(url)
    assert words in str(info.value)
    assert PASSWORD not in str(info.value)


def test_the_mailer_never_shows_its_password() -> None:
    """The repr names the server, not the credentials."""
    mailer = SMTPMailer(f"smtp://user:{PASSWORD}@mail.example.org:587?starttls=true")
    assert (mailer.host, mailer.port, mailer.starttls) == ("mail.example.org", 587, True)
    assert PASSWORD not in repr(mailer)
    assert "user" not in repr(mailer)
