"""Email verification: send a code, then confirm it by typing it or opening the emailed link.

A code that was sent is remembered in the vault (``BackupState.verification``), so a
flow started again resumes at the code question while the code is valid (``resend``
asks for a new one), and ``otpkeep verify CODE`` or the link can finish it from another
process: the code question is then answered elsewhere, and the flow goes on by itself.
The person's own address is shown in full on their own device.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from otpkeep.device.actions import Action
from otpkeep.device.backup.state import BackupState, PendingVerification
from otpkeep.device.flows.steps import BACK, Ask, Busy, Flow, Note, Question, Say
from otpkeep.errors import (
    BackupError,
    InvalidInputError,
    ProtocolError,
    ServiceError,
    ServiceRefusal,
)
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from otpkeep.device.client import ServiceClient
    from otpkeep.device.session import Session

MAX_CODE_TRIES = 5
DELIVERY_CHECKS = 16
DELIVERY_EVERY = 0.25
"""How long a flow watches for the mail server to take the code's mail: 16 looks, 4 s."""
_LANDING = re.compile(r"^/v/([A-Za-z0-9_-]{16,512})/?$")

Possession = Callable[["ServiceClient", str], str]
"""Makes the possession proof a change of address needs, for the client and the address."""


@dataclasses.dataclass(frozen=True)
class EmailedLink:
    """A link from the verification email: the app's own (``otpkeep://verify``, with the
    verification and code) or the page's (``https://service/v/TOKEN``, a sealed token)."""

    verification_id: uuid.UUID | None = None
    code: str = dataclasses.field(default="", repr=False)
    token: str = dataclasses.field(default="", repr=False)


def read_link(text: str) -> EmailedLink | None:
    """The emailed link ``text`` is, or None when it is not a link (a typed code).

    A link that looks like one but is not well formed is refused with one sentence.
    """
    cleaned = text.strip()
    if cleaned.startswith(m.VERIFY_LINK):
        verification_id, code = parse_link(cleaned)
        return EmailedLink(verification_id=verification_id, code=code)
    parts = urllib.parse.urlsplit(cleaned)
    if parts.scheme not in {"http", "https"}:
        return None
    found = _LANDING.match(parts.path)
    if found is None or not parts.netloc:
        raise InvalidInputError("That is not a link from an otpkeep verification email.")
    return EmailedLink(token=found.group(1))


def open_emailed(session: Session, link: EmailedLink) -> tuple[uuid.UUID, str]:
    """The verification and code ``link`` holds (a page's link asks this device's service:
    the link's host is never contacted)."""
    if not link.token and link.verification_id is not None:
        return link.verification_id, link.code
    with session.connect(session.server_url()) as client:
        try:
            opened = client.open_link(link.token)
        except ServiceRefusal as exc:
            if exc.code is ErrorCode.VERIFICATION_EXPIRED:
                raise _expired() from exc
            if exc.code is ErrorCode.NOT_FOUND:
                raise InvalidInputError(
                    "This device's backup service did not send that link, or it was cut short:"
                    " open it from the email itself, or enter the code."
                ) from exc
            raise
    return opened.verification_id, opened.code


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
    state.signed_out = None


def _expired() -> BackupError:
    return BackupError(
        "The code has expired or was entered wrong too often: ask for a new one.",
        action=Action.RESEND_CODE,
    )


def confirm_pending(
    session: Session, code: str, *, verification_id: uuid.UUID | None = None
) -> tuple[m.Purpose, m.SessionGranted | m.EmailChanged]:
    """Finish the verification this device started with ``code``; its purpose and result."""
    state = session.backup()
    pending = state.verification
    if pending is None or (
        verification_id is not None and str(verification_id) != pending.verification_id
    ):
        raise BackupError(
            "This device is not waiting for that code: start again on this device.",
            action=Action.RESEND_CODE,
        )
    if not pending.valid(session.clock()):
        _forget(session, pending)
        raise _expired()
    # Only a change of address is confirmed in this device's session; a code for a new
    # session is confirmed without one (the old one may have ended).
    signed_in = state if pending.purpose is m.Purpose.CHANGE_EMAIL else None
    with session.client(signed_in, url=pending.server_url or None) as client:
        try:
            verification = uuid.UUID(pending.verification_id)
            grant: m.SessionGranted | m.EmailChanged
            if pending.purpose is m.Purpose.CHANGE_EMAIL:
                grant = client.confirm_email_change(verification, code)
            else:
                grant = client.confirm_session(verification, code)
        except ServiceRefusal as exc:
            if exc.code in {ErrorCode.VERIFICATION_EXPIRED, ErrorCode.NOT_FOUND}:
                _forget(session, pending)
                raise _expired() from exc
            raise
    with session.edit() as current:
        apply_grant(current, grant, server_url=pending.server_url or session.server_url())
    return pending.purpose, grant


def _forget(session: Session, pending: PendingVerification) -> None:
    with session.edit() as state:
        if state.verification == pending:
            state.verification = None


def _confirmed_elsewhere(session: Session, pending: PendingVerification) -> Callable[[], bool]:
    """True once another process (the link, ``otpkeep verify``) confirmed ``pending``."""

    def check() -> bool:
        try:
            current = session.backup().verification
        except Exception:  # noqa: BLE001 - a vault being written just reads next time
            return False
        return current is None or current.verification_id != pending.verification_id

    return check


@dataclasses.dataclass(frozen=True)
class CodeRequest:
    """What a flow asks a code for: the purpose, the address if it is known already, the
    possession proof a change of address needs, and whether to ask for a new code."""

    purpose: m.Purpose
    email: str | None = None
    possession: Possession | None = None
    resend: bool = False

    def resumes(self, pending: PendingVerification | None, address: str | None, now: float) -> bool:
        """Whether ``pending`` is the code this request asks for (``address`` None: any)."""
        if self.resend or pending is None or pending.purpose is not self.purpose:
            return False
        same = address is None or address.strip().casefold() == pending.email.casefold()
        return same and pending.valid(now)


def send_code(
    session: Session, request: CodeRequest, *, ask: bool = False
) -> Flow[PendingVerification]:
    """Ask the service to email a code, or resume one sent before (for the same purpose and
    address, unless ``request.resend``); the pending verification.

    Without ``request.email`` the address is asked for, except that a code still pending
    is resumed at once (an interrupted flow goes on where it stopped), unless ``ask``.
    """
    state = session.backup()
    pending = state.verification
    while True:
        address = request.email
        if address is None and not ask and request.resumes(pending, None, session.clock()):
            address = pending.email if pending is not None else None
        if address is None:
            changing = request.purpose is m.Purpose.CHANGE_EMAIL
            answer = yield (
                Question(Ask.NEW_EMAIL) if changing else Question(Ask.EMAIL, state.email)
            )
            address = answer if isinstance(answer, str) else ""
        if pending is not None and request.resumes(pending, address, session.clock()):
            yield Say(
                Note.RESUMED,
                f"Enter the code sent to {pending.email} (or open the link in the email).",
            )
            return pending
        outcome = yield from _request_code(session, request, address.strip())
        if isinstance(outcome, PendingVerification):
            return outcome
        if request.email is not None:
            raise BackupError(outcome, action=Action.RESEND_CODE)
        yield Say(Note.RETRY, outcome)


def _request_code(
    session: Session, request: CodeRequest, address: str
) -> Flow[PendingVerification | str]:
    """Have a code mailed to ``address``: the pending verification, or why there is none."""
    state = session.backup()
    if request.purpose is m.Purpose.CHANGE_EMAIL and address.casefold() == state.email.casefold():
        raise BackupError(f"{address} is already the backup's address: nothing to change.")
    yield Busy("Asking the service to email a code…")
    signed_in = state if request.purpose is m.Purpose.CHANGE_EMAIL else None
    try:
        with session.client(signed_in) as client:
            proof = request.possession(client, address) if request.possession else None
            started = client.start_verification(
                address, request.purpose, session.device_name, possession=proof
            )
            yield Busy(f"Sending the email to {address}…")
            delivery = _delivery(session, client, started.verification_id)
    except InvalidInputError as exc:
        return str(exc)
    if delivery is m.Delivery.FAILED:
        return (
            f"The mail server did not take the email to {address}: check the address "
            "(no code will arrive)."
        )
    pending = PendingVerification(
        verification_id=str(started.verification_id),
        email=address,
        purpose=request.purpose,
        expires_at=session.clock() + started.expires_in,
        server_url=session.server_url(),
    )
    with session.edit() as current:
        current.verification = pending
    if delivery is m.Delivery.SENT:
        news = f"A code was sent to {address}: enter it here, or open the link in the email."
    else:
        news = (
            f"A code is on its way to {address} (the mail server has not taken it yet): "
            "enter it here, or open the link in the email."
        )
    yield Say(Note.CODE_SENT, news)
    return pending


def _delivery(
    session: Session, client: ServiceClient, verification_id: uuid.UUID
) -> m.Delivery | None:
    """What became of the code's mail after a few seconds at most (None: the service
    cannot say)."""
    for _ in range(DELIVERY_CHECKS):
        try:
            delivery = client.verification_delivery(verification_id).delivery
        except (ServiceError, ProtocolError):
            return None  # an older service, or a blip: the code may well arrive
        if delivery is not m.Delivery.QUEUED:
            return delivery
        session.sleep(DELIVERY_EVERY)
    return m.Delivery.QUEUED


def verify_email(
    session: Session,
    purpose: m.Purpose,
    email: str | None,
    *,
    possession: Possession | None = None,
    resend: bool = False,
) -> Flow[m.Purpose]:
    """Send (or resume) a code and take it until it is right; the state then holds the result.

    Back at the code question asks for the address again (the same address resumes
    the code already sent).
    """
    request = CodeRequest(purpose, email, possession, resend)
    pending = yield from send_code(session, request)
    tries = 0
    while tries < MAX_CODE_TRIES:
        answer = yield Question(
            Ask.CODE,
            pending.email,
            back=email is None,
            answered=_confirmed_elsewhere(session, pending),
        )
        if answer is BACK:
            again = dataclasses.replace(request, email=None, resend=False)
            pending = yield from send_code(session, again, ask=True)
            continue
        if answer is None or answer is True:
            if _confirmed_elsewhere(session, pending)():
                yield Say(
                    Note.INFO,
                    "The address was verified elsewhere"
                    " (the link in the email, or another terminal).",
                )
                return purpose
            continue
        tries += 1
        try:
            link = read_link(str(answer))
            if link is None:
                confirm_pending(session, str(answer))
            else:
                verification_id, code = open_emailed(session, link)
                confirm_pending(session, code, verification_id=verification_id)
        except (ServiceRefusal, InvalidInputError) as exc:
            failed = isinstance(exc, InvalidInputError) or exc.code is ErrorCode.VERIFICATION_FAILED
            if not failed:
                raise
            yield Say(Note.RETRY, str(exc))
            continue
        return purpose
    _forget(session, pending)
    raise BackupError("Too many wrong codes: ask for a new code.", action=Action.RESEND_CODE)
