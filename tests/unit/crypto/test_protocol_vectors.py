"""The key schedule of docs/protocol.md, recomputed from the text with the standard library.

The sealed envelope is recomputed with an independent XChaCha20-Poly1305: HChaCha20
written out below (checked against draft-irtf-cfrg-xchacha-03) and the IETF
ChaCha20-Poly1305 of ``cryptography``, so the vector does not rest on libsodium alone.

The hex values are otpkeep's own protocol vectors: a second implementation that
follows docs/protocol.md must reproduce them, and a change to any derivation shows here.
"""

import hashlib
import hmac
import json
import struct
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from otpkeep.crypto import envelope, escrow, libsodium, oprf, schedule
from otpkeep.crypto.kdf import KdfParams, stretch

SEED = bytes(range(32))
ACCOUNT = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
BLIND = bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706")
KDF = KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"otpkeep-salt-16b")
DATA_KEY = bytes(range(32, 64))
XCHACHA = Path(__file__).resolve().parents[2] / "vectors" / "draft-irtf-cfrg-xchacha-03.json"


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


def _rotl32(value: int, count: int) -> int:
    return ((value << count) & 0xFFFFFFFF) | (value >> (32 - count))


def _hchacha20(key: bytes, nonce: bytes) -> bytes:
    """HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): 20 ChaCha rounds, words 0-3 and 12-15."""
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += struct.unpack("<8L", key) + struct.unpack("<4L", nonce)

    def quarter(a: int, b: int, c: int, d: int) -> None:
        for x, y, z, shift in ((a, b, d, 16), (c, d, b, 12), (a, b, d, 8), (c, d, b, 7)):
            state[x] = (state[x] + state[y]) & 0xFFFFFFFF
            state[z] = _rotl32(state[z] ^ state[x], shift)

    for _ in range(10):
        for column in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15)):
            quarter(*column)
        for diagonal in ((0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
            quarter(*diagonal)
    return struct.pack("<8L", *state[0:4], *state[12:16])


def _xchacha20poly1305(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AEAD_XChaCha20_Poly1305 (draft §2.3): IETF ChaCha20-Poly1305 under the HChaCha20 subkey."""
    subkey = _hchacha20(key, nonce[:16])
    return ChaCha20Poly1305(subkey).encrypt(bytes(4) + nonce[16:], plaintext, aad)


def test_the_independent_xchacha20poly1305_reproduces_the_draft_vectors() -> None:
    """The test's own HChaCha20 and XChaCha20-Poly1305, and libsodium's, give the draft's bytes."""
    vectors = json.loads(XCHACHA.read_text(encoding="utf-8"))
    [subkey] = vectors["hchacha20"]
    assert _hchacha20(bytes.fromhex(subkey["key"]), bytes.fromhex(subkey["nonce"])) == (
        bytes.fromhex(subkey["subkey"])
    )
    [aead] = vectors["aead_xchacha20poly1305"]
    key, nonce = bytes.fromhex(aead["key"]), bytes.fromhex(aead["nonce"])
    plaintext, aad = bytes.fromhex(aead["plaintext"]), bytes.fromhex(aead["aad"])
    expected = bytes.fromhex(aead["ciphertext"] + aead["tag"])
    assert _xchacha20poly1305(key, nonce, plaintext, aad) == expected
    assert libsodium.aead_encrypt(key, nonce, plaintext, aad) == expected
    assert libsodium.aead_decrypt(key, nonce, expected, aad) == plaintext


def test_the_sealed_envelope_is_header_nonce_and_xchacha20poly1305() -> None:
    """envelope = 01 02 || nonce || XChaCha20-Poly1305(key, nonce, plaintext, 01 02 || AD)."""
    key = schedule.backup_key(DATA_KEY)
    nonce = bytes(range(0xA0, 0xB8))
    plaintext = b'{"accounts": []}'
    context = schedule.backup_context(ACCOUNT)
    sealed = envelope.seal(key, plaintext, associated_data=context, rng=lambda _size: nonce)
    header = b"\x01\x02"
    assert sealed == header + nonce + _xchacha20poly1305(key, nonce, plaintext, header + context)
    assert sealed.hex() == (
        "0102a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7"
        "18ec6962e93f57af0083b2767f8a81f4ca1948dc61658e90df71d60999d66bd1"
    )
    assert envelope.open_sealed(key, sealed, associated_data=context) == plaintext
