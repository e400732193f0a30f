"""Email verification: send a code, then confirm it by typing it or opening the emailed link.

A code that was sent is remembered in the vault (``BackupState.verification``), so
an interrupted flow resumes at the code prompt while the code is valid, and
``otpkeep verify CODE`` or the link can finish it from a separate command.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from otpkeep.device.backup.state import BackupState, PendingVerification
from otpkeep.device.flows.context import EventKind, FlowContext
from otpkeep.errors import APIError, BackupError, InvalidInputError
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from otpkeep.device.client import ServiceClient

MAX_CODE_TRIES = 5


def mask_email(email: str) -> str:
    """``a***@example.com``: enough to recognise the address, not to read it off a screen."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def parse_link(link: str) -> tuple[uuid.UUID, str]:
    """The verification id and code of an ``otpkeep://verify?id=...&code=...`` link."""
    parts = urllib.parse.urlsplit(link.strip())
    query = urllib.parse.parse_qs(parts.query)
    target = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
    ids = query.get("id") or []
    codes = query.get("code") or []
    if target != m.VERIFY_LINK or len(ids) != 1 or len(codes) != 1:
        raise InvalidInputError("That is not an otpkeep verification link.")
    try:
        return uuid.UUID(ids[0]), codes[0]
    except ValueError:
        raise InvalidInputError("That is not an otpkeep verification link.") from None


def apply_grant(
    state: BackupState, grant: m.SessionGranted | m.EmailChanged, *, server_url: str
) -> None:
    """Record what a confirmed verification gave: a session (of ``server_url``), or the address."""
    state.verification = None
    if isinstance(grant, m.EmailChanged):
        state.email = grant.email
        return
    state.server_url = server_url
    state.session_token = grant.session_token
    state.session_id = str(grant.session_id)
    state.scope = grant.scope
    state.account_id = str(grant.account_id)
    state.email = grant.email
    state.has_passcode = grant.has_passcode


def confirm_pending(
    ctx: FlowContext, code: str, *, verification_id: uuid.UUID | None = None
) -> tuple[str, m.SessionGranted | m.EmailChanged]:
    """Finish the verification this device started with ``code``; its purpose and result."""
    state = ctx.state()
    pending = state.verification
    if pending is None or (
        verification_id is not None and str(verification_id) != pending.verification_id
    ):
        raise BackupError(
            "This device is not waiting for that code: start again with "
            "`otpkeep backup enable` or `otpkeep transfer` on this device."
        )
    if not pending.valid(ctx.clock()):
        state.verification = None
        ctx.save(state)
        raise BackupError("The code has expired: run the command again to get a new one.")
    grant = _confirm(ctx, state, pending, code)
    apply_grant(state, grant, server_url=pending.server_url or ctx.server_url)
    ctx.save(state)
    return pending.purpose, grant


def _confirm(
    ctx: FlowContext, state: BackupState, pending: PendingVerification, code: str
) -> m.SessionGranted | m.EmailChanged:
    # Only a change of address is confirmed in this device's session; a code for a new
    # session is confirmed without one (the old one may have ended).
    signed_in = state if pending.purpose is m.Purpose.CHANGE_EMAIL else None
    with ctx.client(signed_in, url=pending.server_url or None) as client:
        try:
            if pending.purpose is m.Purpose.CHANGE_EMAIL:
                return client.confirm_email_change(uuid.UUID(pending.verification_id), code)
            return client.confirm_session(uuid.UUID(pending.verification_id), code)
        except APIError as exc:
            if exc.code in {ErrorCode.VERIFICATION_EXPIRED, ErrorCode.NOT_FOUND}:
                state.verification = None
                ctx.save(state)
                raise BackupError(
                    "The code has expired or was entered wrong too often: run the command "
                    "again to get a new one."
                ) from exc
            raise


Possession = Callable[["ServiceClient", str], str]
"""Makes the possession proof a change of address needs, for the client and the address."""


def send_code(
    ctx: FlowContext,
    purpose: m.Purpose,
    email: str | None,
    *,
    possession: Possession | None = None,
) -> PendingVerification:
    """Ask the service to email a code (or resume one sent before); the pending verification."""
    state = ctx.state()
    now = ctx.clock()
    pending = state.verification
    if (
        pending is not None
        and pending.purpose == purpose
        and pending.valid(now)
        and (email is None or email.strip().casefold() == pending.email.casefold())
    ):
        ctx.say(
            f"Enter the code sent to {mask_email(pending.email)} (or open the link in the email).",
            EventKind.RESUMED,
        )
        return pending
    address = (email or ctx.prompter.email()).strip()
    signed_in = state if purpose is m.Purpose.CHANGE_EMAIL else None
    with ctx.client(signed_in) as client:
        proof = possession(client, address) if possession is not None else None
        started = client.start_verification(address, purpose, ctx.device_name, possession=proof)
    pending = PendingVerification(
        verification_id=str(started.verification_id),
        email=address,
        purpose=purpose,
        expires_at=now + started.expires_in,
        server_url=ctx.server_url,
    )
    state.verification = pending
    ctx.save(state)
    ctx.say(
        f"A code was sent to {mask_email(address)}: enter it here, or open the link in the email.",
        EventKind.CODE_SENT,
    )
    return pending


def verify_email(
    ctx: FlowContext,
    purpose: m.Purpose,
    email: str | None,
    *,
    possession: Possession | None = None,
) -> m.SessionGranted | m.EmailChanged:
    """Send (or resume) a code and ask for it until it is right; what the service granted."""
    send_code(ctx, purpose, email, possession=possession)
    for _ in range(MAX_CODE_TRIES):
        code = ctx.prompter.code()
        try:
            return confirm_pending(ctx, code)[1]
        except APIError as exc:
            if exc.code != ErrorCode.VERIFICATION_FAILED:
                raise
            ctx.say(str(exc), EventKind.RETRY)
    raise BackupError("Too many wrong codes: run the command again to get a new one.")
