"""The ``Issuer:name`` label that otpauth URIs and Google's export carry.

A label is ``issuer:name``, or just ``name``. A given issuer wins over the label's
prefix, and spaces after the colon are dropped, as Google's Key Uri Format says.
:func:`join_label` writes a label that :func:`split_label` reads back to the same
issuer and name, including names and issuers that hold a colon.
"""

from __future__ import annotations


def split_label(label: str, issuer: str = "") -> tuple[str, str]:
    """The issuer and name a label means; a non-empty ``issuer`` wins over the prefix."""
    if issuer and label.startswith(f"{issuer}:"):
        return issuer, label[len(issuer) + 1 :].lstrip(" ")
    prefix, colon, name = label.partition(":")
    if not colon:
        return issuer, label
    return issuer or prefix, name.lstrip(" ")


def join_label(issuer: str, name: str) -> str:
    """``issuer:name``; when ``issuer`` holds a colon, :func:`split_label` needs it passed too."""
    if issuer or ":" in name:
        return f"{issuer}:{name}"
    return name


def export_label(issuer: str, name: str) -> str:
    """The label written out with a separate issuer field (otpauth URIs, Google's export).

    The Key Uri Format allows no colon in the issuer part of a label, and readers
    that follow it refuse or misread one: an issuer that holds a colon is left out
    of the label and travels in the issuer field alone.
    """
    return join_label("" if ":" in issuer else issuer, name)
