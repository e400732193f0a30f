"""Which backup service the device talks to, and whether that address is safe to use."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse

from otpkeep.errors import ConfigurationError, InsecureServiceURLError

SERVER_ENV = "OTPKEEP_SERVER"
DEFAULT_SERVER = "http://127.0.0.1:8000"


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address (127.0.0.0/8, ::1)."""
    if host.casefold() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_service_url(url: str) -> str:
    """The URL without a trailing slash; refused unless https, or http to loopback."""
    text = url.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        raise ConfigurationError(
            "The backup service address is not a valid URL: use https://host[:port]."
        ) from None
    if parts.scheme not in {"http", "https"} or not host:
        raise ConfigurationError(
            "The backup service address is not a valid URL: use https://host[:port]."
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            "The backup service address must not carry a user, a query or a fragment."
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise InsecureServiceURLError(
            f"Refusing plain http:// to {host}: use https:// (http is allowed only to loopback)."
        )
    return text.rstrip("/")


def resolve_server(explicit: str | None, saved: str | None) -> str:
    """``--server``, else ``OTPKEEP_SERVER``, else the address saved with the backup, else local."""
    for candidate in (explicit, os.environ.get(SERVER_ENV), saved):
        if candidate and candidate.strip():
            return check_service_url(candidate)
    return DEFAULT_SERVER
