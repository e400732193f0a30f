"""Queueing mail: render it, seal it, and add it to the outbox in the caller's transaction.

The message is written in the same transaction as the change that causes it, so it is
sent if and only if that change is committed. Its body (which may hold a verification
code and the token of a link) is sealed under the outbox key, derived from the vault
seed, before it reaches the database: neither the table, nor freed pages, nor the
write-ahead log ever hold it in the clear. The table and the statements that claim and
settle its rows are in :mod:`otpkeep.server.db.outbox`; the sender opens and drains it.

A transaction that queued a message is marked, so that the in-process sender is woken by
the commits that queued mail (:func:`wake_after_commit`) and by no other.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import event

from otpkeep.crypto import envelope
from otpkeep.crypto.schedule import frame
from otpkeep.server.db import outbox as rows
from otpkeep.server.mail.message import build_message, new_message_id, serialise
from otpkeep.server.mail.templates import render

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from sqlalchemy.orm import Session, sessionmaker

BODY_CONTEXT = b"otpkeep/v1/outbox-body"
QUEUED = "otpkeep.mail.queued"
"""The mark, in a session's ``info``, of a transaction that queued mail."""


def _context(row_id: uuid.UUID) -> bytes:
    return frame(BODY_CONTEXT, row_id.bytes)


def seal_body(key: bytes, row_id: uuid.UUID, body: bytes) -> bytes:
    """The body as the outbox stores it, bound to its row."""
    return envelope.seal(key, body, associated_data=_context(row_id))


def open_body(key: bytes, row_id: uuid.UUID, body: bytes) -> bytes:
    """The body of a row; DecryptionError for another key, row or an altered body."""
    return envelope.open_sealed(key, body, associated_data=_context(row_id))


def enqueue(  # noqa: PLR0913 - the message, its recipient, the key and the time
    db: Session,
    *,
    key: bytes,
    to: str,
    template: str,
    context: Mapping[str, str | int],
    now: datetime,
) -> uuid.UUID:
    """Render ``template`` for ``to``; add it, sealed, to the outbox in the caller's
    transaction. The message's id in the outbox."""
    now = rows.aware_utc(now)
    row_id = uuid.uuid4()
    message_id = new_message_id(row_id)
    rendered = render(template, context)
    message = build_message(rendered, to=to, message_id=message_id, now=now)
    rows.add(
        db,
        row_id=row_id,
        message_id=message_id,
        template=template,
        recipient=to,
        subject=rendered.subject,
        body=seal_body(key, row_id, serialise(message)),
        now=now,
    )
    db.info[QUEUED] = True
    return row_id


def wake_after_commit(sessions: sessionmaker[Session], wake: Callable[[], None]) -> None:
    """Call ``wake`` after each commit, of a session of ``sessions``, that queued mail."""

    def after_commit(session: Session) -> None:
        if session.info.pop(QUEUED, False):
            wake()

    def after_rollback(session: Session) -> None:
        session.info.pop(QUEUED, None)

    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)
