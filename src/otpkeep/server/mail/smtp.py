"""Delivery over SMTP, configured by one URL (``OTPKEEP_SMTP_URL``).

``smtp://user:pass@host:587?starttls=true`` upgrades with STARTTLS; ``smtps://host:465``
speaks TLS from the first byte. Optional query fields: ``timeout`` (seconds, default 30)
and ``cafile`` (a PEM bundle to trust instead of the system's). A password is refused on
a connection without TLS unless the server is on loopback. Every failure becomes one
:class:`~otpkeep.errors.MailDeliveryError` naming the server, never the credentials or
the message; a refusal with a 5xx code for the recipient or the content is permanent.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs, unquote, urlsplit

from otpkeep.errors import ConfigurationError, MailDeliveryError

if TYPE_CHECKING:
    from email.message import EmailMessage

DEFAULT_PORTS: Final = {"smtp": 25, "smtps": 465}
DEFAULT_TIMEOUT: Final = 30.0
_TRUE: Final = {"1", "true", "yes", "on"}
_FALSE: Final = {"0", "false", "no", "off"}


class SMTPMailer:
    """Hands messages to an SMTP server, one connection per message."""

    def __init__(self, url: str, *, ssl_context: ssl.SSLContext | None = None) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise ConfigurationError(_BAD_URL) from exc
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ConfigurationError(_BAD_URL)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.host: str = parts.hostname
        self.port: int = port or DEFAULT_PORTS[parts.scheme]
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = _flag(query.get("starttls", "false"), "starttls")
        self.timeout = _seconds(query.get("timeout"))
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        if self.implicit_tls and self.starttls:
            raise ConfigurationError(
                "OTPKEEP_SMTP_URL asks for smtps:// and STARTTLS at once: use one of them."
            )
        if self._username and not (self.implicit_tls or self.starttls or _loopback(self.host)):
            raise ConfigurationError(
                "OTPKEEP_SMTP_URL would send a password without TLS: use smtps:// or add "
                "?starttls=true."
            )
        self._context = ssl_context or _tls_context(query.get("cafile"))

    def __repr__(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"SMTPMailer('{scheme}://{self.host}:{self.port}', starttls={self.starttls})"

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` to its ``To`` addresses, from its ``From`` address."""
        try:
            with self._connect() as client:
                if self.starttls:
                    client.starttls(context=self._context)
                if self._username is not None:
                    client.login(self._username, self._password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise self._error(permanent=all(500 <= code < 600 for code in codes)) from exc
        except smtplib.SMTPDataError as exc:
            raise self._error(permanent=500 <= exc.smtp_code < 600) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise self._error(permanent=False) from exc

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _error(self, *, permanent: bool) -> MailDeliveryError:
        what = "refused the message" if permanent else "could not take the message"
        return MailDeliveryError(
            f"The mail server {self.host}:{self.port} {what}; see the log for the reason.",
            permanent=permanent,
        )


_BAD_URL: Final = (
    "OTPKEEP_SMTP_URL is not a mail server URL: write it as "
    "smtp://user:password@host:587?starttls=true or smtps://host:465."
)


def _flag(value: str, name: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigurationError(f"OTPKEEP_SMTP_URL has {name}={value}: write true or false.")


def _seconds(value: str | None) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 600:
        raise ConfigurationError(
            "OTPKEEP_SMTP_URL has a timeout that is not a number of seconds up to 600."
        )
    return seconds


def _tls_context(cafile: str | None) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            "OTPKEEP_SMTP_URL names a cafile that cannot be read as PEM certificates."
        ) from exc


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
