"""The key schedule of docs/protocol.md, recomputed from the text with the standard library.

The hex values are otpkeep's own protocol vectors: a second implementation that
follows docs/protocol.md must reproduce them, and a change to any derivation shows here.
"""

import hashlib
import hmac
import uuid

from otpkeep.crypto import escrow, oprf, schedule
from otpkeep.crypto.kdf import KdfParams, stretch

SEED = bytes(range(32))
ACCOUNT = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
BLIND = bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706")
KDF = KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"otpkeep-salt-16b")
DATA_KEY = bytes(range(32, 64))


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """RFC 5869 with SHA-256 and 32 bytes of output, written out."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_the_oprf_key_info_is_framed_label_account_and_version() -> None:
    """info = len||"otpkeep/v1/oprf-key" || len||account id (16) || len||version (u32 BE)."""
    expected = (
        b"\x00\x13otpkeep/v1/oprf-key"
        b"\x00\x10" + ACCOUNT.bytes + b"\x00\x04" + (1).to_bytes(4, "big")
    )
    assert schedule.oprf_key_info(ACCOUNT, 1) == expected
    sk = escrow.oprf_key(SEED, ACCOUNT, 1)
    assert sk.hex() == "2486a42fe50804ba7a27ae35f9a362308b0931442e6a9ccb3e24bf9048b75c0b"


def test_the_passcode_keys_follow_the_documented_schedule() -> None:
    """Auth seed and wrap key are HKDF-SHA256(oprf output || Argon2id(output)) per purpose."""
    state, blinded = escrow.start("2580", blind=BLIND)
    assert blinded.hex() == "e0934044efe548c907dce492f5d69bc7b974d8ebfec15982573e2824f2824151"
    evaluated = escrow.evaluate(SEED, ACCOUNT, 1, blinded)
    output = oprf.finalize(state.passcode, state.blind, evaluated)
    ikm = output + stretch(output, KDF)
    context = b"\x00\x10" + ACCOUNT.bytes + b"\x00\x04\x00\x00\x00\x01"
    salt = b"otpkeep/v1/randomized-passcode"
    keys = schedule.passcode_keys(output, stretch(output, KDF), account_id=ACCOUNT, key_version=1)
    assert keys.wrap_key == _hkdf(ikm, salt, b"\x00\x13otpkeep/v1/wrap-key" + context)
    assert keys.wrap_key.hex() == "1fd91e44d6aa43e7309387c0e2e090621b33e99e423e02b497161e2784b906b0"
    assert (
        keys.auth_public_key.hex()
        == "b4a461c3f1b744b3dc68282d3a7772951537da72b0b923941d1ee06c800081db"
    )
    seed = _hkdf(ikm, salt, b"\x00\x13otpkeep/v1/auth-key" + context)
    assert keys.auth_private_key.private_bytes_raw() == seed


def test_the_data_key_derivations_follow_the_documented_schedule() -> None:
    """Possession and backup keys are HKDF-SHA256 of the data key with an empty salt."""
    possession = schedule.possession_key(DATA_KEY)
    assert possession == _hkdf(DATA_KEY, b"", b"\x00\x19otpkeep/v1/possession-key")
    assert possession.hex() == "c4a0e63165a4a12f614cf7fdcf371712da6818215f16fd441a28e546709e9a39"
    backup = schedule.backup_key(DATA_KEY)
    assert backup == _hkdf(DATA_KEY, b"", b"\x00\x15otpkeep/v1/backup-key")
    challenge = bytes(32)
    proof = schedule.possession_proof(possession, account_id=ACCOUNT, challenge=challenge)
    message = (
        b"\x00\x1botpkeep/v1/possession-proof\x00\x10" + ACCOUNT.bytes + b"\x00\x20" + challenge
    )
    assert proof == hmac.new(possession, message, hashlib.sha256).digest()


def test_the_signed_and_sealed_contexts_are_framed() -> None:
    """The recovery message and the associated data are framed exactly as documented."""
    attempt = uuid.UUID(int=7)
    challenge = b"c" * 32
    assert schedule.recovery_message(ACCOUNT, attempt, challenge) == (
        b"\x00\x19otpkeep/v1/recovery-proof"
        b"\x00\x10" + ACCOUNT.bytes + b"\x00\x10" + attempt.bytes + b"\x00\x20" + challenge
    )
    assert schedule.wrapped_data_key_context(ACCOUNT, 3) == (
        b"\x00\x1botpkeep/v1/wrapped-data-key\x00\x10" + ACCOUNT.bytes + b"\x00\x04\x00\x00\x00\x03"
    )
    assert schedule.backup_context(ACCOUNT) == b"\x00\x11otpkeep/v1/backup\x00\x10" + ACCOUNT.bytes


def test_the_seed_fingerprint_is_an_hmac_of_a_label() -> None:
    """seed_fingerprint = HMAC-SHA256(seed, "otpkeep/v1/seed-fingerprint")."""
    expected = hmac.new(SEED, b"otpkeep/v1/seed-fingerprint", hashlib.sha256).digest()
    assert escrow.seed_fingerprint(SEED) == expected
