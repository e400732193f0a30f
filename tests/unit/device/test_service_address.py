"""Which service the device talks to: https anywhere, plain http only to loopback."""

import pytest

from otpkeep.device.address import DEFAULT_SERVER, check_service_url, resolve_server
from otpkeep.errors import ConfigurationError, InsecureServiceURLError


@pytest.mark.parametrize(
    "url",
    [
        "https://backup.example.com",
        "http://127.0.0.1:8000/",
        "http://localhost:9",
        "http://[::1]:8",
    ],
)
def test_secure_or_loopback_addresses_are_accepted(url: str) -> None:
    """https anywhere and http to loopback are kept, without a trailing slash."""
    assert check_service_url(url) == url.rstrip("/")


def test_plain_http_to_another_host_is_refused() -> None:
    """http:// to a host that is not loopback is refused, naming the host."""
    with pytest.raises(InsecureServiceURLError, match=r"backup\.example\.com"):
        check_service_url("http://backup.example.com")


@pytest.mark.parametrize(
    "url", ["ftp://x.test", "https://", "backup.example.com", "https://u:p@x.test"]
)
def test_malformed_addresses_are_refused(url: str) -> None:
    """Anything but an http(s) URL with a host is refused with one sentence."""
    with pytest.raises(ConfigurationError):
        check_service_url(url)


def test_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """--server, then OTPKEEP_SERVER, then the saved address, then the local default."""
    monkeypatch.delenv("OTPKEEP_SERVER", raising=False)
    assert resolve_server(None, None) == DEFAULT_SERVER
    assert resolve_server(None, "https://saved.test") == "https://saved.test"
    monkeypatch.setenv("OTPKEEP_SERVER", "https://env.test")
    assert resolve_server(None, "https://saved.test") == "https://env.test"
    assert resolve_server("https://flag.test", "https://saved.test") == "https://flag.test"
