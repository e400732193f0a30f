"""The addresses and text the wire accepts: every accepted address can be mailed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from otpkeep.protocol.messages import DeviceName, Email
from otpkeep.server.mail.message import build_message, parse, serialise
from otpkeep.server.mail.templates import render

EMAIL = TypeAdapter(Email)
DEVICE_NAME = TypeAdapter(DeviceName)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def mailed_to(address: str) -> str:
    """The ``To`` header of a message built for ``address``, after a round trip as bytes."""
    message = build_message(
        render("backup_enabled", {}), to=address, message_id="<a@otpkeep>", now=NOW
    )
    return str(parse(serialise(message))["To"])


@pytest.mark.parametrize(
    ("address", "header"),
    [
        ("alice@example.com", "alice@example.com"),
        ("o'neil+otp@mail.example.org", "o'neil+otp@mail.example.org"),
        ("a.b{c}|d@x.io", "a.b{c}|d@x.io"),
        ("jürgen@exämple.de", None),
        ("user@exämple.de", "user@xn--exmple-cua.de"),
    ],
)
def test_an_address_is_accepted_as_a_mailbox_or_refused(address: str, header: str | None) -> None:
    """A dot-atom ASCII local part with a (possibly internationalised) domain is accepted and
    mailed with the domain's A-labels; a UTF-8 local part is refused."""
    if header is None:
        with pytest.raises(ValidationError):
            EMAIL.validate_python(address)
        return
    assert EMAIL.validate_python(address) == address
    assert mailed_to(address) == header


@pytest.mark.parametrize(
    "address",
    [
        "0@[\u008f.0",
        "root@[127.0.0.1]",
        "a@b",
        "a@b.123",
        "a..b@example.com",
        ".a@example.com",
        '"quoted"@example.com',
        "a b@example.com",
        "a\x00@example.com",
        "a@exa\x00mple.com",
        "a@-example.com",
        "a@example.com.",
        "a@" + "x" * 64 + ".com",
        "x" * 65 + "@example.com",
        "a@\ud800.com",
        "no-at-sign.example.com",
    ],
)
def test_an_address_that_is_no_mailbox_is_refused(address: str) -> None:
    """Domain literals, bad local parts, bad domains, control characters and surrogates are
    refused at the wire."""
    with pytest.raises(ValidationError):
        EMAIL.validate_python(address)


@given(st.emails())
def test_every_address_of_the_standard_shape_is_accepted_and_mailable(address: str) -> None:
    """Any RFC 5322 dot-atom address with a registered top-level domain is accepted and mailed
    to exactly that address."""
    accepted = EMAIL.validate_python(address)
    assert mailed_to(accepted).lower() == address.lower()


@given(st.text(max_size=80))
def test_every_accepted_address_can_be_mailed(text: str) -> None:
    """Whatever text the Email type lets through, the message builder can address it."""
    try:
        accepted = EMAIL.validate_python(text)
    except ValidationError:
        return
    assert mailed_to(accepted)


@pytest.mark.parametrize("name", ["phone\x00", "tab\there", "bell\x07", "c1\u0085name", "\udfff"])
def test_a_device_name_with_a_control_character_is_refused(name: str) -> None:
    """NUL, other C0 and C1 controls and lone surrogates never reach a database."""
    with pytest.raises(ValidationError):
        DEVICE_NAME.validate_python(name)


def test_a_device_name_of_any_script_is_accepted() -> None:
    """Letters, emoji and punctuation of any script are a device name."""
    assert DEVICE_NAME.validate_python(" Jürgen's 📱 телефон ") == "Jürgen's 📱 телефон"
