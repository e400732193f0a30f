"""Passcode escrow: registration and recovery, the service's side and the device's.

The service holds the vault seed and answers OPRF evaluations; it stores the auth
public key, the wrapped data key, the KDF parameters and the possession key. It
never sees the passcode, the OPRF output or any key derived from them: all a
database holds is checkable only with the seed.

The device blinds the passcode (:func:`start`), finalises the service's answer,
stretches it with Argon2id and derives the auth key pair and the wrap key
(:mod:`otpkeep.crypto.schedule`). On registration it wraps the data key; on
recovery it signs the challenge and, once the service accepts, unwraps it.
"""

from __future__ import annotations

import hmac
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


def oprf_key(seed: bytes, account_id: uuid.UUID, key_version: int) -> bytes:
    """The account's OPRF private key of ``key_version``, derived from the vault seed."""
    _check_seed(seed)
    secret, _public = oprf.derive_key_pair(seed, schedule.oprf_key_info(account_id, key_version))
    return secret


def evaluate(seed: bytes, account_id: uuid.UUID, key_version: int, blinded_element: bytes) -> bytes:
    """The evaluated element answering a device's blinded passcode."""
    return oprf.blind_evaluate(oprf_key(seed, account_id, key_version), blinded_element)


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


def verify_possession_proof(
    possession_key: bytes, *, account_id: uuid.UUID, challenge: bytes, proof: bytes
) -> bool:
    """True only if ``proof`` is the MAC of this account and challenge (constant time)."""
    expected = schedule.possession_proof(possession_key, account_id=account_id, challenge=challenge)
    return hmac.compare_digest(expected, proof)


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
    """What the device uploads to set its passcode."""

    auth_public_key: bytes
    wrapped_data_key: bytes
    possession_key: bytes | None = field(default=None, repr=False)
    possession_proof: bytes | None = None


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
    key_version: int,
    kdf: KdfParams,
    data_key: bytes,
    challenge: bytes,
    has_passcode: bool,
    rng: Callable[[int], bytes] = os.urandom,
) -> Registration:
    """Wrap the data key under the passcode; prove possession of it, or register that key."""
    keys = _keys(state, evaluated_element, account_id=account_id, key_version=key_version, kdf=kdf)
    proof_key = schedule.possession_key(data_key)
    wrapped = envelope.seal(
        keys.wrap_key,
        data_key,
        associated_data=schedule.wrapped_data_key_context(account_id, key_version),
        rng=rng,
    )
    if has_passcode:
        proof = schedule.possession_proof(proof_key, account_id=account_id, challenge=challenge)
        return Registration(keys.auth_public_key, wrapped, possession_proof=proof)
    return Registration(keys.auth_public_key, wrapped, possession_key=proof_key)


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
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """Seal a backup under the key derived from the data key, bound to the account."""
    context = schedule.backup_context(account_id)
    return envelope.seal(schedule.backup_key(data_key), plaintext, associated_data=context, rng=rng)


def open_backup(data_key: bytes, sealed: bytes, *, account_id: uuid.UUID) -> bytes:
    """Open a sealed backup; DecryptionError for any failure."""
    if len(data_key) != schedule.KEY_BYTES:
        raise DecryptionError
    context = schedule.backup_context(account_id)
    return envelope.open_sealed(schedule.backup_key(data_key), sealed, associated_data=context)
