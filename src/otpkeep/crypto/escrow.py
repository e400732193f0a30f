"""Passcode escrow: registration and recovery, the service's side and the device's.

The service holds the vault seed and answers OPRF evaluations, each registration
under its own key (the seed, the account, the key version and a random salt drawn for
that registration); it stores the auth public key, the wrapped data key, the KDF
parameters and the possession *public* key. It never sees the passcode, the OPRF
output or any key derived from them or from the data key: all a database holds is
checkable only with the seed, and no signature can be made from it.

The device blinds the passcode (:func:`start`), finalises the service's answer,
stretches it with Argon2id and derives the auth key pair and the wrap key
(:mod:`otpkeep.crypto.schedule`). On registration it wraps the data key and signs
every new value with the possession key (derived from the data key); on recovery it
signs the challenge with the auth key and, once the service accepts, unwraps the data
key. Uploads and account changes are signed with the possession key too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from otpkeep.crypto import envelope, oprf, schedule, sodium
from otpkeep.crypto.kdf import stretch
from otpkeep.errors import DecryptionError, InvalidParameterError

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable

    from otpkeep.crypto.kdf import KdfParams

SEED_BYTES = 32
CHALLENGE_BYTES = 32

# --- the service's side --------------------------------------------------------------


def _check_seed(seed: bytes) -> None:
    if len(seed) != SEED_BYTES:
        raise InvalidParameterError("The vault seed must be 32 bytes.")


def new_oprf_salt(*, rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """The random value a registration's OPRF key is bound to."""
    return rng(schedule.OPRF_SALT_BYTES)


def oprf_key(seed: bytes, account_id: uuid.UUID, key_version: int, salt: bytes | None) -> bytes:
    """The OPRF private key of one registration, derived from the vault seed."""
    _check_seed(seed)
    return oprf.derive_private_key(seed, schedule.oprf_key_info(account_id, key_version, salt))


def evaluate(key: bytes, blinded_element: bytes) -> bytes:
    """The evaluated element answering a device's blinded passcode under ``key``."""
    return oprf.blind_evaluate(key, blinded_element)


def new_challenge(*, rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """A fresh random 32-byte challenge."""
    return rng(CHALLENGE_BYTES)


def verify_recovery_proof(
    auth_public_key: bytes,
    *,
    account_id: uuid.UUID,
    attempt_id: uuid.UUID,
    challenge: bytes,
    signature: bytes,
) -> bool:
    """True only if ``signature`` is the auth key's over this account, attempt and challenge.

    Verification is libsodium's strict Ed25519: a small-order key or a non-canonical
    signature never verifies, whatever was registered.
    """
    message = schedule.recovery_message(account_id, attempt_id, challenge)
    return sodium.verify_signature(signature, message, auth_public_key)


def verify_possession(  # noqa: PLR0913 - the proof and everything it binds
    possession_public_key: bytes,
    *,
    account_id: uuid.UUID,
    challenge_id: uuid.UUID,
    challenge: bytes,
    action: str,
    target: str,
    signature: bytes,
) -> bool:
    """True only if the possession key signed this action on this target for this challenge."""
    message = schedule.possession_message(account_id, challenge_id, challenge, action, target)
    return sodium.verify_signature(signature, message, possession_public_key)


def verify_registration(  # noqa: PLR0913 - the signature and everything it binds
    possession_public_key: bytes,
    signature: bytes,
    *,
    account_id: uuid.UUID,
    registration_id: uuid.UUID,
    challenge: bytes,
    key_version: int,
    auth_public_key: bytes,
    wrapped_data_key: bytes,
    kdf: KdfParams,
) -> bool:
    """True only if the possession key signed exactly these new passcode values."""
    message = schedule.registration_message(
        account_id,
        registration_id,
        challenge,
        key_version=key_version,
        auth_public_key=auth_public_key,
        wrapped_data_key=wrapped_data_key,
        kdf=kdf,
        possession_public_key=possession_public_key,
    )
    return sodium.verify_signature(signature, message, possession_public_key)


def verify_upload(
    possession_public_key: bytes,
    signature: bytes,
    *,
    account_id: uuid.UUID,
    version: int,
    body: bytes,
) -> bool:
    """True only if the possession key signed ``body`` as backup version ``version``."""
    message = schedule.upload_message(account_id, version, body)
    return sodium.verify_signature(signature, message, possession_public_key)


def seed_fingerprint(seed: bytes) -> bytes:
    """A keyed hash that identifies the seed without revealing it."""
    _check_seed(seed)
    return schedule.seed_fingerprint(seed)


# --- the device's side ----------------------------------------------------------------


@dataclass(frozen=True)
class PasscodeState:
    """The device's memory between sending the blinded passcode and the answer."""

    passcode: bytes = field(repr=False)
    blind: bytes = field(repr=False)


@dataclass(frozen=True)
class Registration:
    """What the device uploads to set its passcode, signed under the possession key."""

    auth_public_key: bytes
    wrapped_data_key: bytes
    possession_public_key: bytes
    signature: bytes


@dataclass(frozen=True)
class Recovery:
    """The answer to a recovery challenge, and the key that opens the wrapped data key."""

    signature: bytes
    account_id: uuid.UUID
    key_version: int
    wrap_key: bytes = field(repr=False)

    def unwrap(self, wrapped_data_key: bytes) -> bytes:
        """The data key; DecryptionError if the passcode was wrong."""
        context = schedule.wrapped_data_key_context(self.account_id, self.key_version)
        return envelope.open_sealed(self.wrap_key, wrapped_data_key, associated_data=context)


def start(passcode: str, *, blind: bytes | None = None) -> tuple[PasscodeState, bytes]:
    """Blind the passcode: the state to keep and the blinded element to send."""
    data = passcode.encode("utf-8")
    chosen, blinded = oprf.blind(data, blind)
    return PasscodeState(data, chosen), blinded


def _keys(
    state: PasscodeState,
    evaluated_element: bytes,
    *,
    account_id: uuid.UUID,
    key_version: int,
    kdf: KdfParams,
) -> schedule.PasscodeKeys:
    output = oprf.finalize(state.passcode, state.blind, evaluated_element)
    stretched = stretch(output, kdf)
    return schedule.passcode_keys(output, stretched, account_id=account_id, key_version=key_version)


def register(  # noqa: PLR0913 (the fixed API: every argument is part of the context)
    state: PasscodeState,
    evaluated_element: bytes,
    *,
    account_id: uuid.UUID,
    registration_id: uuid.UUID,
    key_version: int,
    kdf: KdfParams,
    data_key: bytes,
    challenge: bytes,
    rng: Callable[[int], bytes] = os.urandom,
) -> Registration:
    """Wrap the data key under the passcode, and sign every new value with the possession key."""
    keys = _keys(state, evaluated_element, account_id=account_id, key_version=key_version, kdf=kdf)
    possession = schedule.possession_key(data_key)
    wrapped = envelope.seal(
        keys.wrap_key,
        data_key,
        associated_data=schedule.wrapped_data_key_context(account_id, key_version),
        rng=rng,
    )
    message = schedule.registration_message(
        account_id,
        registration_id,
        challenge,
        key_version=key_version,
        auth_public_key=keys.auth_public_key,
        wrapped_data_key=wrapped,
        kdf=kdf,
        possession_public_key=possession.public_key,
    )
    return Registration(
        keys.auth_public_key, wrapped, possession.public_key, possession.sign(message)
    )


def prove_possession(  # noqa: PLR0913 - the proof and everything it binds
    data_key: bytes,
    *,
    account_id: uuid.UUID,
    challenge_id: uuid.UUID,
    challenge: bytes,
    action: str,
    target: str = "",
) -> bytes:
    """The signature that authorises ``action`` on ``target`` for one challenge."""
    message = schedule.possession_message(account_id, challenge_id, challenge, action, target)
    return schedule.possession_key(data_key).sign(message)


def sign_upload(data_key: bytes, *, account_id: uuid.UUID, version: int, body: bytes) -> bytes:
    """The signature of an upload of ``body`` as backup version ``version``."""
    return schedule.possession_key(data_key).sign(
        schedule.upload_message(account_id, version, body)
    )


def recover(  # noqa: PLR0913 (the fixed API: every argument is part of the context)
    state: PasscodeState,
    evaluated_element: bytes,
    *,
    account_id: uuid.UUID,
    key_version: int,
    kdf: KdfParams,
    attempt_id: uuid.UUID,
    challenge: bytes,
) -> Recovery:
    """Sign the recovery challenge with the auth key the passcode gives."""
    keys = _keys(state, evaluated_element, account_id=account_id, key_version=key_version, kdf=kdf)
    message = schedule.recovery_message(account_id, attempt_id, challenge)
    signature = keys.auth_private_key.sign(message)
    return Recovery(signature, account_id, key_version, keys.wrap_key)


def new_data_key(*, rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """A fresh random 32-byte data key."""
    return envelope.new_key(rng=rng)


def seal_backup(
    data_key: bytes,
    plaintext: bytes,
    *,
    account_id: uuid.UUID,
    version: int,
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """Seal a backup under the key derived from the data key, bound to account and version."""
    context = schedule.backup_context(account_id, version)
    return envelope.seal(schedule.backup_key(data_key), plaintext, associated_data=context, rng=rng)


def open_backup(data_key: bytes, sealed: bytes, *, account_id: uuid.UUID, version: int) -> bytes:
    """Open backup version ``version``; DecryptionError for any failure, another version too."""
    if len(data_key) != schedule.KEY_BYTES:
        raise DecryptionError
    context = schedule.backup_context(account_id, version)
    return envelope.open_sealed(schedule.backup_key(data_key), sealed, associated_data=context)
