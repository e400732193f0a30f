"""A stolen database holds no code, no link token, no session token and nothing of the data key.

Before: verification codes and link tokens sat in the clear in the outbox until the
mail was sent, and afterwards in freed SQLite pages and the write-ahead log (24 of 41
found in the raw ``-wal`` file). Now the outbox body is sealed before it is written, so
the clear text never reaches the database at all: not its tables, not its free pages,
not its log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, select

from otpkeep.crypto import schedule
from service_harness import mail_text

if TYPE_CHECKING:
    from conftest import Target

EMAIL = "owner@example.com"
LINK_TOKEN = re.compile(r"/v/([A-Za-z0-9_-]+)")


def _secrets_of_mail(target: Target, emails: list[str]) -> tuple[list[str], list[str]]:
    """The codes and link tokens that were mailed to ``emails``."""
    codes, tokens = [], []
    for email in emails:
        for mail in target.harness.mails(email):
            if mail["X-Otpkeep-Template"] != "verification_code":
                continue
            text = mail_text(mail)
            codes += re.findall(r"^\s+(\d{6})\s*$", text, flags=re.MULTILINE)
            tokens += LINK_TOKEN.findall(text)
    return codes, tokens


def _dump(target: Target) -> bytes:
    """Every value of every table, as a dump of the database would hold it."""
    engine = target.harness.app.state.runtime.engine
    metadata = MetaData()
    metadata.reflect(engine)
    parts: list[bytes] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value))
                    elif value is not None:
                        parts.append(str(value).encode())
    return b"\0".join(parts)


def _files(target: Target) -> bytes:
    """The raw bytes of the SQLite database file and its write-ahead log (free pages too)."""
    url = target.harness.settings.resolved_database_url
    if not url.startswith("sqlite"):
        return b""
    database = Path(url.removeprefix("sqlite:///"))
    found = b""
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            found += path.read_bytes()
    return found


def test_no_code_or_link_token_is_in_the_database_before_or_after_delivery(target: Target) -> None:
    """Twenty verifications: while their mail waits in the outbox, and once it is delivered,
    no code and no link token is in any table, nor in the SQLite file and its WAL."""
    owner = target.owner(EMAIL)
    emails = [f"person{number}@example.com" for number in range(20)]
    http = target.client()
    for email in emails:
        answer = http.post("/v1/verifications", json={"email": email, "purpose": "enable"})
        assert answer.status_code == 202
    waiting = _dump(target) + _files(target)
    codes, tokens = _secrets_of_mail(target, emails)  # delivers the mail
    delivered = _dump(target) + _files(target)
    assert len(codes) == len(tokens) == 20
    # A code is six digits, which timestamps and UUIDs hold by chance: look for it as the
    # message writes it (indented in the text, between tags in the HTML); a link token is
    # long and random, so it is looked for alone.
    spelled = [form for code in codes for form in (f"    {code}", f">{code}<")]
    for content in (waiting, delivered):
        for secret in (*spelled, *tokens):
            assert secret.encode() not in content
    assert owner.token.encode() not in delivered


def test_nothing_derived_from_the_data_key_but_its_public_key_is_stored(target: Target) -> None:
    """The data key, its backup key and its possession seed are in no table and no file;
    the possession public key is (the service checks signatures with it)."""
    owner = target.owner(EMAIL)
    assert owner.data_key is not None
    content = _dump(target) + _files(target)
    for secret in (
        owner.data_key,
        schedule.backup_key(owner.data_key),
        schedule.possession_seed(owner.data_key),
    ):
        assert secret not in content
    assert schedule.possession_key(owner.data_key).public_key in _dump(target)


def test_the_seed_is_not_in_the_database(target: Target) -> None:
    """The vault seed lives in its own file: no table or database file holds it."""
    target.owner(EMAIL)
    seed = target.harness.app.state.runtime.keys.seed
    assert seed not in _dump(target) + _files(target)
