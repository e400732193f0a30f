"""Security events and the mail that tells the owner, both in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from otpkeep.server.db import events
from otpkeep.server.db.tables import EventRow
from otpkeep.server.mail import outbox

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import Session

    from otpkeep.protocol.messages import EventKind
    from otpkeep.server.runtime import Runtime


def record(
    db: Session,
    account_id: uuid.UUID,
    kind: EventKind,
    *,
    now: dt.datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Add a security event to the account's history."""
    events.add(
        db,
        EventRow(
            id=uuid.uuid4(),
            account_id=account_id,
            kind=kind.value,
            details=details or {},
            created_at=now,
        ),
    )


def mail(  # noqa: PLR0913 - the message and where it goes
    rt: Runtime,
    db: Session,
    to: str,
    template: str,
    *,
    now: dt.datetime,
    context: Mapping[str, str | int] | None = None,
) -> uuid.UUID:
    """Queue the ``template`` message for ``to`` in the outbox, sealed; its outbox id."""
    return outbox.enqueue(
        db, key=rt.keys.outbox, to=to, template=template, context=context or {}, now=now
    )


def when(moment: dt.datetime) -> str:
    """A moment as a mail says it: ``1 December 2026, 14:05 UTC``."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc.day} {utc:%B %Y, %H:%M} UTC"


def mask_email(email: str) -> str:
    """``alice@example.com`` as ``a***@example.com``: enough to recognise, not to copy."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
