"""What the wire accepts as an email address and as text: checked once, at the boundary.

An address is an RFC 5321 mailbox, ``local-part@domain``:

- the local part is a dot-atom of RFC 5322 ``atext`` (letters, digits and
  ``!#$%&'*+-/=?^_`{|}~``), dots only between atoms, at most 64 octets. Quoted local
  parts and UTF-8 local parts (RFC 6531) are refused: every mail server accepts the
  first kind, and a UTF-8 one would need SMTPUTF8 from the service to the mailbox;
- the domain is a host name of at least two labels, each of letters, digits and inner
  hyphens once IDNA-encoded (RFC 5890; a U-label is accepted and travels as its A-label),
  at most 63 octets a label and 253 in all, the last label not all digits. Domain
  literals (``user@[192.0.2.1]``) are refused: nobody's backup address is one;
- the whole address is at most 254 characters, with no white space or control character.

Text fields (a device name, a target) hold no control character (C0, DEL, C1) and no
lone surrogate, which neither UTF-8 nor PostgreSQL's text can store.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

MAX_ADDRESS: Final = 254
MAX_LOCAL_OCTETS: Final = 64
MAX_DOMAIN_OCTETS: Final = 253
MAX_LABEL_OCTETS: Final = 63

_ATEXT: Final = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+")
_LDH_LABEL: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
NO_CONTROL_PATTERN: Final = r"^[^\u0000-\u001f\u007f-\u009f]*$"
"""The JSON Schema pattern of a text field (surrogates cannot be written in one)."""


def check_text(value: str) -> str:
    """``value`` if it holds no control character and no lone surrogate; else ValueError."""
    for character in value:
        category = unicodedata.category(character)
        if category == "Cc":
            raise ValueError("text must not hold control characters")
        if category == "Cs":
            raise ValueError("text must be valid Unicode")
    return value


def _local_part(local: str) -> None:
    if not local.isascii():
        raise ValueError("the part before @ must be ASCII: use the address your mail server gives")
    if len(local) > MAX_LOCAL_OCTETS:
        raise ValueError("the part before @ is longer than 64 characters")
    if not all(_ATEXT.fullmatch(atom) for atom in local.split(".")):
        raise ValueError("the part before @ is not a valid mailbox name")


def ascii_domain(domain: str) -> str:
    """The domain of an address as IDNA A-labels, lowercase; ValueError if it is not one."""
    if domain.startswith("["):
        raise ValueError("domain literals ([address]) are not accepted: use a domain name")
    labels = domain.lower().split(".")
    encoded: list[str] = []
    for label in labels:
        try:
            ascii_label = label if label.isascii() else label.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError("the domain is not a valid internationalised domain name") from None
        if not 0 < len(ascii_label) <= MAX_LABEL_OCTETS or not _LDH_LABEL.fullmatch(ascii_label):
            raise ValueError("the domain is not a valid domain name")
        encoded.append(ascii_label)
    if len(encoded) < 2 or encoded[-1].isdigit():
        raise ValueError("the domain is not a valid domain name")
    result = ".".join(encoded)
    if len(result) > MAX_DOMAIN_OCTETS:
        raise ValueError("the domain is longer than 253 characters")
    return result


def check_address(value: str) -> str:
    """``value`` (stripped) if it is a mailbox the service can write to; else ValueError."""
    address = value.strip()
    if len(address) > MAX_ADDRESS:
        raise ValueError("the address is longer than 254 characters")
    check_text(address)
    if any(character.isspace() for character in address):
        raise ValueError("the address must not hold spaces")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError("the address must be name@domain")
    _local_part(local)
    ascii_domain(domain)
    return address
