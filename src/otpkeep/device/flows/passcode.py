"""Choosing a backup passcode and registering it with the service (set, change, renew).

The passcode string lives only until its keys are derived: :func:`blind_passcode`
turns it into the OPRF states the registration needs and the check-in hash, and the
caller drops the string right after. Deriving them takes a few seconds (Argon2id), so
the flow says it is busy first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow, slowhash
from otpkeep.crypto.policy import check_passcode
from otpkeep.device.actions import Action
from otpkeep.device.backup.state import BackupState, CheckIn
from otpkeep.device.flows.steps import BACK, Ask, Busy, Flow, Note, Question, Say
from otpkeep.device.proofs import possession_header
from otpkeep.errors import WeakPasscodeError
from otpkeep.protocol import messages as m

if TYPE_CHECKING:
    import uuid

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.client import ServiceClient
    from otpkeep.device.session import Session

CHECKIN_INTERVALS = (
    dt.timedelta(days=3),
    dt.timedelta(weeks=1),
    dt.timedelta(weeks=2),
    dt.timedelta(weeks=4),
)
"""When the device asks for the passcode again: 3 days after it was set, then 1, 2, 4 weeks."""


@dataclasses.dataclass(frozen=True)
class BlindedPasscode:
    """A passcode turned into what the flows need; the passcode string itself is gone."""

    state: escrow.PasscodeState = dataclasses.field(repr=False)
    blinded: bytes = dataclasses.field(repr=False)
    checkin: CheckIn = dataclasses.field(repr=False)


def blind_passcode(passcode: str, session: Session, kdf: KdfParams) -> BlindedPasscode:
    """Blind the passcode for the OPRF and hash it for the device's own check-in.

    The check-in hash uses the session's parameters, else the service's defaults.
    """
    params = (session.checkin_kdf or kdf).with_new_salt()
    digest = slowhash.hash_passcode(passcode, params)
    state, blinded = escrow.start(passcode)
    checkin = CheckIn(
        digest=digest,
        kdf=params,
        next_due=session.clock() + CHECKIN_INTERVALS[0].total_seconds(),
    )
    return BlindedPasscode(state, blinded, checkin)


PROTECTING = "Protecting the passcode: this takes a few seconds…"


def choose_passcode(
    session: Session, config: m.ServiceConfig, *, new: bool = False
) -> Flow[BlindedPasscode]:
    """Ask for a passcode (``new``: a new one) and its confirmation until the policy takes it
    and both match. Back at the confirmation asks for the passcode again."""
    ask = Ask.NEW_PASSCODE if new else Ask.PASSCODE
    while True:
        passcode = yield Question(ask)
        if not isinstance(passcode, str):
            continue
        try:
            check_passcode(
                passcode,
                min_length=config.passcode.min_length,
                max_length=config.passcode.max_length,
            )
        except WeakPasscodeError as exc:
            yield Say(Note.RETRY, exc.reason)
            continue
        again = yield Question(Ask.PASSCODE_AGAIN, back=True)
        if again is BACK:
            continue
        if again != passcode:
            yield Say(Note.RETRY, "The two passcodes are not the same: enter the passcode again.")
            continue
        yield Busy(PROTECTING)
        blinded = blind_passcode(passcode, session, config.kdf)
        del passcode
        return blinded


def register_passcode(  # noqa: PLR0913 - the registration and what it proves
    client: ServiceClient,
    blinded: BlindedPasscode,
    *,
    account_id: uuid.UUID,
    data_key: bytes,
    has_passcode: bool,
    renewal: bool = False,
) -> m.PasscodeRegistered:
    """Wrap the data key under the passcode at the account's next key version.

    A change (``has_passcode``) first proves possession of the data key: the service
    evaluates nothing for a session that cannot. The answer carries the new session
    that replaces this one.
    """
    possession = None
    if has_passcode:
        possession = possession_header(
            client, data_key=data_key, account_id=account_id, action=m.PossessionAction.REGISTER
        )
    challenge = client.passcode_evaluate(blinded.blinded, possession=possession)
    registration = escrow.register(
        blinded.state,
        challenge.evaluated_element,
        account_id=account_id,
        registration_id=challenge.registration_id,
        key_version=challenge.key_version,
        kdf=challenge.kdf,
        data_key=data_key,
        challenge=challenge.challenge,
    )
    first = not challenge.has_passcode
    return client.register_passcode(
        m.PasscodeRegistration(
            registration_id=challenge.registration_id,
            key_version=challenge.key_version,
            auth_public_key=registration.auth_public_key,
            wrapped_data_key=registration.wrapped_data_key,
            kdf=challenge.kdf,
            signature=registration.signature,
            possession_public_key=registration.possession_public_key if first else None,
            renewal=renewal,
        )
    )


def adopt_session(state: BackupState, session: m.NewSession, client: ServiceClient) -> None:
    """Use the session the service gave in place of the one this device used, from now on."""
    state.session_token = session.session_token
    state.session_id = str(session.session_id)
    state.scope = session.scope
    client.token = session.session_token


def check_in(session: Session) -> Flow[bool]:
    """Ask for the passcode and check it on the device; True when right (the schedule moves on)."""
    state = session.backup()
    if state.checkin is None:
        yield Say(Note.INFO, "There is no passcode to check on this device.")
        return True
    passcode = yield Question(Ask.PASSCODE)
    yield Busy("Checking the passcode…")
    right = isinstance(passcode, str) and slowhash.verify_passcode(
        passcode, state.checkin.digest, state.checkin.kdf
    )
    del passcode
    if not right:
        yield Say(
            Note.WRONG_PASSCODE,
            "That is not your backup passcode. If you have forgotten it, choose a new one "
            "while this device still holds the backup.",
            action=Action.CHANGE_PASSCODE,
        )
        return False
    with session.edit() as current:
        advance_checkin(current, session.clock())
    yield Say(Note.DONE, "That is your backup passcode: keep it somewhere safe.")
    return True


def advance_checkin(state: BackupState, now: float) -> None:
    """Schedule the next check-in: the next interval of :data:`CHECKIN_INTERVALS`."""
    if state.checkin is None:
        return
    step = min(state.checkin.step + 1, len(CHECKIN_INTERVALS) - 1)
    state.checkin.step = step
    state.checkin.next_due = now + CHECKIN_INTERVALS[step].total_seconds()
