"""Choosing a backup passcode and registering it with the service (set, change, renew).

The passcode string lives only until its keys are derived: :func:`blind_passcode`
turns it into the OPRF states the registration needs and the check-in hash, and the
caller drops the string right after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow, slowhash
from otpkeep.crypto.kdf import KdfParams
from otpkeep.crypto.policy import check_passcode
from otpkeep.device.backup import BackupState, CheckIn
from otpkeep.device.flows.context import EventKind, FlowContext
from otpkeep.errors import WeakPasscodeError
from otpkeep.protocol import messages as m

if TYPE_CHECKING:
    import uuid

    from otpkeep.device.client import ServiceClient

CHECKIN_INTERVALS = (
    dt.timedelta(days=3),
    dt.timedelta(weeks=1),
    dt.timedelta(weeks=2),
    dt.timedelta(weeks=4),
)
"""When the device asks for the passcode again: 3 days after it was set, then 1, 2, 4 weeks."""


def to_crypto_kdf(params: m.KdfParams) -> KdfParams:
    """The wire form of Argon2id parameters as the crypto layer takes them."""
    return KdfParams(
        memory_kib=params.memory_kib,
        iterations=params.iterations,
        lanes=params.lanes,
        version=params.version,
        salt=params.salt,
    )


def to_wire_kdf(params: KdfParams) -> m.KdfParams:
    """The crypto layer's Argon2id parameters in their wire form."""
    return m.KdfParams(
        memory_kib=params.memory_kib,
        iterations=params.iterations,
        lanes=params.lanes,
        version=params.version,
        salt=params.salt,
    )


@dataclasses.dataclass(frozen=True)
class BlindedPasscode:
    """A passcode turned into what the flows need; the passcode string itself is gone."""

    state: escrow.PasscodeState = dataclasses.field(repr=False)
    blinded: bytes = dataclasses.field(repr=False)
    checkin: CheckIn = dataclasses.field(repr=False)


def blind_passcode(passcode: str, ctx: FlowContext, kdf: m.KdfParams) -> BlindedPasscode:
    """Blind the passcode for the OPRF and hash it for the device's own check-in.

    The check-in hash uses the context's parameters, else the service's defaults.
    """
    params = (ctx.checkin_kdf or to_crypto_kdf(kdf)).with_new_salt()
    digest = slowhash.hash_passcode(passcode, params)
    state, blinded = escrow.start(passcode)
    checkin = CheckIn(
        digest=digest,
        memory_kib=params.memory_kib,
        iterations=params.iterations,
        lanes=params.lanes,
        salt=params.salt,
        next_due=ctx.clock() + CHECKIN_INTERVALS[0].total_seconds(),
    )
    return BlindedPasscode(state, blinded, checkin)


def choose_passcode(ctx: FlowContext, config: m.ServiceConfig) -> BlindedPasscode:
    """Ask for a new passcode and its confirmation until the policy takes it and both match."""
    while True:
        passcode = ctx.prompter.passcode()
        try:
            check_passcode(
                passcode,
                min_length=config.passcode.min_length,
                max_length=config.passcode.max_length,
            )
        except WeakPasscodeError as exc:
            ctx.say(f"{exc.reason} Choose another passcode.", EventKind.RETRY)
            continue
        if ctx.prompter.passcode_again() != passcode:
            ctx.say("The two passcodes are not the same: try again.", EventKind.RETRY)
            continue
        blinded = blind_passcode(passcode, ctx, config.kdf)
        del passcode
        return blinded


def register_passcode(
    client: ServiceClient,
    blinded: BlindedPasscode,
    *,
    account_id: uuid.UUID,
    data_key: bytes,
) -> int:
    """Wrap the data key under the passcode at the account's next key version; that version."""
    challenge = client.passcode_evaluate(blinded.blinded)
    kdf = to_crypto_kdf(challenge.kdf)
    if not kdf.salt:
        kdf = kdf.with_new_salt()
    registration = escrow.register(
        blinded.state,
        challenge.evaluated_element,
        account_id=account_id,
        key_version=challenge.key_version,
        kdf=kdf,
        data_key=data_key,
        challenge=challenge.challenge,
        has_passcode=challenge.has_passcode,
    )
    registered = client.register_passcode(
        m.PasscodeRegistration(
            registration_id=challenge.registration_id,
            key_version=challenge.key_version,
            auth_public_key=registration.auth_public_key,
            wrapped_data_key=registration.wrapped_data_key,
            kdf=to_wire_kdf(kdf),
            possession_key=registration.possession_key,
            possession_proof=registration.possession_proof,
        )
    )
    return registered.key_version


def checkin_params(checkin: CheckIn) -> KdfParams:
    """The Argon2id parameters the check-in hash was made with."""
    return KdfParams(
        memory_kib=checkin.memory_kib,
        iterations=checkin.iterations,
        lanes=checkin.lanes,
        salt=checkin.salt,
    )


def check_in(ctx: FlowContext) -> bool:
    """Ask for the passcode and check it on the device; True when right (the schedule moves on)."""
    state = ctx.state()
    if state.checkin is None:
        ctx.say("There is no passcode to check on this device.")
        return True
    passcode = ctx.prompter.passcode()
    right = slowhash.verify_passcode(passcode, state.checkin.digest, checkin_params(state.checkin))
    del passcode
    if not right:
        ctx.say(
            "That is not your backup passcode. If you have forgotten it, set a new one with "
            "`otpkeep settings change-passcode` while this device still holds the backup.",
            EventKind.WRONG_PASSCODE,
        )
        return False
    advance_checkin(state, ctx.clock())
    ctx.save(state)
    ctx.say("That is your backup passcode: keep it somewhere safe.")
    return True


def advance_checkin(state: BackupState, now: float) -> None:
    """Schedule the next check-in: the next interval of :data:`CHECKIN_INTERVALS`."""
    if state.checkin is None:
        return
    step = min(state.checkin.step + 1, len(CHECKIN_INTERVALS) - 1)
    state.checkin.step = step
    state.checkin.next_due = now + CHECKIN_INTERVALS[step].total_seconds()
