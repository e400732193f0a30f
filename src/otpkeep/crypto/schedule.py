"""The key schedule: every key and every signed or sealed context, each with its purpose.

All strings that enter a derivation are framed (:func:`frame`: each part preceded
by its length as two big-endian bytes), so no two different contexts can encode to
the same bytes. docs/protocol.md gives every derivation byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from otpkeep.errors import InvalidParameterError

if TYPE_CHECKING:
    import uuid

    from otpkeep.crypto.kdf import KdfParams

OPRF_KEY = b"otpkeep/v1/oprf-key"
RANDOMIZED_PASSCODE = b"otpkeep/v1/randomized-passcode"
AUTH_KEY = b"otpkeep/v1/auth-key"
WRAP_KEY = b"otpkeep/v1/wrap-key"
WRAPPED_DATA_KEY = b"otpkeep/v1/wrapped-data-key"
RECOVERY_PROOF = b"otpkeep/v1/recovery-proof"
POSSESSION_KEY = b"otpkeep/v1/possession-key"
POSSESSION_PROOF = b"otpkeep/v1/possession-proof"
REGISTRATION_PROOF = b"otpkeep/v1/registration-proof"
BACKUP_UPLOAD = b"otpkeep/v1/backup-upload"
BACKUP_KEY = b"otpkeep/v1/backup-key"
BACKUP = b"otpkeep/v1/backup"
SEED_FINGERPRINT = b"otpkeep/v1/seed-fingerprint"
OPRF_SALT_BYTES = 32

KEY_BYTES = 32
MAX_KEY_VERSION = 2**32 - 1


def frame(*parts: bytes) -> bytes:
    """Each part preceded by its length as a 2-byte big-endian integer."""
    return b"".join(len(part).to_bytes(2, "big") + part for part in parts)


def _version(key_version: int) -> bytes:
    if not 0 <= key_version <= MAX_KEY_VERSION:
        raise InvalidParameterError("A key version must be between 0 and 2**32 - 1.")
    return key_version.to_bytes(4, "big")


def hkdf(ikm: bytes, *, salt: bytes, info: bytes, length: int = KEY_BYTES) -> bytes:
    """HKDF-SHA256 (RFC 5869), extract then expand."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def oprf_key_info(account_id: uuid.UUID, key_version: int, salt: bytes | None) -> bytes:
    """The ``info`` of DeriveKeyPair for one registration's OPRF key.

    ``salt`` is the 32 random bytes the service drew for the registration, so an
    evaluation obtained before a registration is worthless for it. ``None`` gives the
    info of registrations made before salts existed (three parts, not four).
    """
    if salt is None:
        return frame(OPRF_KEY, account_id.bytes, _version(key_version))
    if len(salt) != OPRF_SALT_BYTES:
        raise InvalidParameterError("An OPRF key salt must be 32 bytes.")
    return frame(OPRF_KEY, account_id.bytes, _version(key_version), salt)


@dataclass(frozen=True)
class PasscodeKeys:
    """The keys a device derives from the passcode: never leave the device."""

    auth_private_key: Ed25519PrivateKey = field(repr=False)
    auth_public_key: bytes
    wrap_key: bytes = field(repr=False)


def passcode_keys(
    oprf_output: bytes, stretched: bytes, *, account_id: uuid.UUID, key_version: int
) -> PasscodeKeys:
    """The auth key pair and the wrap key from the OPRF output and its Argon2id stretch."""
    context = (account_id.bytes, _version(key_version))
    ikm = oprf_output + stretched
    seed = hkdf(ikm, salt=RANDOMIZED_PASSCODE, info=frame(AUTH_KEY, *context))
    wrap_key = hkdf(ikm, salt=RANDOMIZED_PASSCODE, info=frame(WRAP_KEY, *context))
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return PasscodeKeys(private, private.public_key().public_bytes_raw(), wrap_key)


def wrapped_data_key_context(account_id: uuid.UUID, key_version: int) -> bytes:
    """The associated data of the data key sealed under a wrap key."""
    return frame(WRAPPED_DATA_KEY, account_id.bytes, _version(key_version))


def recovery_message(account_id: uuid.UUID, attempt_id: uuid.UUID, challenge: bytes) -> bytes:
    """What the auth key signs to answer a recovery challenge."""
    return frame(RECOVERY_PROOF, account_id.bytes, attempt_id.bytes, challenge)


def _check_data_key(data_key: bytes) -> None:
    if len(data_key) != KEY_BYTES:
        raise InvalidParameterError("A data key must be 32 bytes.")


def possession_seed(data_key: bytes) -> bytes:
    """The Ed25519 seed of the possession key: only a device with the data key has it."""
    _check_data_key(data_key)
    return hkdf(data_key, salt=b"", info=frame(POSSESSION_KEY))


@dataclass(frozen=True)
class PossessionKey:
    """The signing key that proves a device holds the data key; the service keeps the public."""

    private_key: Ed25519PrivateKey = field(repr=False)
    public_key: bytes

    def sign(self, message: bytes) -> bytes:
        """An Ed25519 signature of ``message``."""
        return self.private_key.sign(message)


def possession_key(data_key: bytes) -> PossessionKey:
    """The possession key pair of a data key."""
    private = Ed25519PrivateKey.from_private_bytes(possession_seed(data_key))
    return PossessionKey(private, private.public_key().public_bytes_raw())


def possession_public_key(seed: bytes) -> bytes:
    """The public key of a possession seed (the service's migration of older rows)."""
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def possession_message(
    account_id: uuid.UUID, challenge_id: uuid.UUID, challenge: bytes, action: str, target: str
) -> bytes:
    """What the possession key signs to authorise ``action`` on ``target`` once."""
    return frame(
        POSSESSION_PROOF,
        account_id.bytes,
        challenge_id.bytes,
        challenge,
        action.encode("ascii"),
        target.encode("utf-8"),
    )


def kdf_bytes(params: KdfParams) -> bytes:
    """The Argon2id parameters as bytes (the layout of the passphrase file's header)."""
    return (
        params.memory_kib.to_bytes(4, "big")
        + bytes((params.iterations, params.lanes, params.version))
        + frame(params.salt)
    )


def registration_message(  # noqa: PLR0913 - every value the signature binds
    account_id: uuid.UUID,
    registration_id: uuid.UUID,
    challenge: bytes,
    *,
    key_version: int,
    auth_public_key: bytes,
    wrapped_data_key: bytes,
    kdf: KdfParams,
    possession_public_key: bytes,
) -> bytes:
    """What the possession key signs to swap in a passcode: every value it brings."""
    return frame(
        REGISTRATION_PROOF,
        account_id.bytes,
        registration_id.bytes,
        challenge,
        _version(key_version),
        auth_public_key,
        hashlib.sha256(wrapped_data_key).digest(),
        kdf_bytes(kdf),
        possession_public_key,
    )


def upload_message(account_id: uuid.UUID, version: int, body: bytes) -> bytes:
    """What the possession key signs to upload ``body`` as backup version ``version``."""
    return frame(BACKUP_UPLOAD, account_id.bytes, _version(version), hashlib.sha256(body).digest())


def backup_key(data_key: bytes) -> bytes:
    """The key that seals backups, derived from the data key."""
    _check_data_key(data_key)
    return hkdf(data_key, salt=b"", info=frame(BACKUP_KEY))


def backup_context(account_id: uuid.UUID, version: int) -> bytes:
    """The associated data of a sealed backup: the account and the version it is stored as."""
    return frame(BACKUP, account_id.bytes, _version(version))


def seed_fingerprint(seed: bytes) -> bytes:
    """A keyed hash that identifies the vault seed without revealing it."""
    return hmac.new(seed, SEED_FINGERPRINT, hashlib.sha256).digest()
