"""Queueing mail: render it and add it to the outbox in the caller's transaction.

The message is written in the same transaction as the change that causes it, so it is
sent if and only if that change is committed. The table and the statements that claim and
settle its rows are in :mod:`otpkeep.server.db.outbox`; the sender drains it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from otpkeep.server.db import outbox as rows
from otpkeep.server.mail.message import build_message, new_message_id, serialise
from otpkeep.server.mail.templates import render

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy.orm import Session


def enqueue(
    db: Session, *, to: str, template: str, context: Mapping[str, str | int], now: datetime
) -> None:
    """Render ``template`` for ``to`` and add it to the outbox in the caller's transaction."""
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
        body=serialise(message),
        now=now,
    )
