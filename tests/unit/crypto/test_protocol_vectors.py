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

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from otpkeep.crypto import envelope, escrow, libsodium, oprf, schedule
from otpkeep.crypto.kdf import KdfParams, stretch

SEED = bytes(range(32))
ACCOUNT = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
BLIND = bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706")
KDF = KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"otpkeep-salt-16b")
DATA_KEY = bytes(range(32, 64))
SALT = bytes(range(64, 96))
XCHACHA = Path(__file__).resolve().parents[2] / "vectors" / "draft-irtf-cfrg-xchacha-03.json"


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """RFC 5869 with SHA-256 and 32 bytes of output, written out."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_the_oprf_key_info_is_framed_label_account_version_and_salt() -> None:
    """info = len||"otpkeep/v1/oprf-key" || len||account id || len||version || len||salt."""
    expected = (
        b"\x00\x13otpkeep/v1/oprf-key"
        b"\x00\x10" + ACCOUNT.bytes + b"\x00\x04" + (1).to_bytes(4, "big") + b"\x00\x20" + SALT
    )
    assert schedule.oprf_key_info(ACCOUNT, 1, SALT) == expected
    sk = escrow.oprf_key(SEED, ACCOUNT, 1, SALT)
    assert sk.hex() == "2bbbe99976b3c40a04af0ffaafc1d98fe7ac9a2bcadbc58b4eebe5c5f62dad07"


def test_a_registration_without_a_salt_keeps_the_three_part_info() -> None:
    """Rows registered before salts existed derive their key from the 3-part info, as then."""
    assert schedule.oprf_key_info(ACCOUNT, 1, None) == (
        b"\x00\x13otpkeep/v1/oprf-key\x00\x10" + ACCOUNT.bytes + b"\x00\x04\x00\x00\x00\x01"
    )
    sk = escrow.oprf_key(SEED, ACCOUNT, 1, None)
    assert sk.hex() == "2486a42fe50804ba7a27ae35f9a362308b0931442e6a9ccb3e24bf9048b75c0b"


def test_the_passcode_keys_follow_the_documented_schedule() -> None:
    """Auth seed and wrap key are HKDF-SHA256(oprf output || Argon2id(output)) per purpose."""
    state, blinded = escrow.start("2580", blind=BLIND)
    assert blinded.hex() == "e0934044efe548c907dce492f5d69bc7b974d8ebfec15982573e2824f2824151"
    evaluated = escrow.evaluate(escrow.oprf_key(SEED, ACCOUNT, 1, SALT), blinded)
    output = oprf.finalize(state.passcode, state.blind, evaluated)
    ikm = output + stretch(output, KDF)
    context = b"\x00\x10" + ACCOUNT.bytes + b"\x00\x04\x00\x00\x00\x01"
    salt = b"otpkeep/v1/randomized-passcode"
    keys = schedule.passcode_keys(output, stretch(output, KDF), account_id=ACCOUNT, key_version=1)
    assert keys.wrap_key == _hkdf(ikm, salt, b"\x00\x13otpkeep/v1/wrap-key" + context)
    assert keys.wrap_key.hex() == "a799fa07f035c82fc6f82c6dc1557f0b55f64ad0fb0ea21d459c93ee170cdee3"
    assert (
        keys.auth_public_key.hex()
        == "724e24fcc0ca8e6657bcdcbc8cf712e7d87c92796c1d6651b918dcc43128bcf9"
    )
    seed = _hkdf(ikm, salt, b"\x00\x13otpkeep/v1/auth-key" + context)
    assert keys.auth_private_key.private_bytes_raw() == seed


def test_the_data_key_derivations_follow_the_documented_schedule() -> None:
    """The possession key is Ed25519 from HKDF(DK, "possession-key"); the backup key HKDF too."""
    seed = schedule.possession_seed(DATA_KEY)
    assert seed == _hkdf(DATA_KEY, b"", b"\x00\x19otpkeep/v1/possession-key")
    assert seed.hex() == "c4a0e63165a4a12f614cf7fdcf371712da6818215f16fd441a28e546709e9a39"
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    assert schedule.possession_key(DATA_KEY).public_key == public
    assert public.hex() == "4b7479f85a8923c36327b15522dd384858c9793404860e89f6b35b6174b5c8ba"
    assert schedule.possession_public_key(seed) == public
    backup = schedule.backup_key(DATA_KEY)
    assert backup == _hkdf(DATA_KEY, b"", b"\x00\x15otpkeep/v1/backup-key")


def test_a_possession_proof_is_an_ed25519_signature_of_the_framed_challenge() -> None:
    """The proof signs frame(label, account, challenge id, challenge, action, target)."""
    challenge_id, challenge = uuid.UUID(int=9), bytes(32)
    signature = escrow.prove_possession(
        DATA_KEY,
        account_id=ACCOUNT,
        challenge_id=challenge_id,
        challenge=challenge,
        action="delete_backup",
    )
    message = (
        b"\x00\x1botpkeep/v1/possession-proof\x00\x10"
        + ACCOUNT.bytes
        + b"\x00\x10"
        + challenge_id.bytes
        + b"\x00\x20"
        + challenge
        + b"\x00\x0ddelete_backup\x00\x00"
    )
    public = schedule.possession_key(DATA_KEY).public_key
    Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    assert signature.hex() == (
        "f44afdf745885fdac9e33a70660de8ac3c36f38dcaf17e8332d7912298eb05f4"
        "aae2cfbeb8c1350514f8123d035b46ebbaab3eb81e3a9ae3530026f0c64e8101"
    )


def test_the_signed_and_sealed_contexts_are_framed() -> None:
    """The recovery, registration and upload messages and the associated data, as documented."""
    attempt = uuid.UUID(int=7)
    challenge = b"c" * 32
    assert schedule.recovery_message(ACCOUNT, attempt, challenge) == (
        b"\x00\x19otpkeep/v1/recovery-proof"
        b"\x00\x10" + ACCOUNT.bytes + b"\x00\x10" + attempt.bytes + b"\x00\x20" + challenge
    )
    assert schedule.wrapped_data_key_context(ACCOUNT, 3) == (
        b"\x00\x1botpkeep/v1/wrapped-data-key\x00\x10" + ACCOUNT.bytes + b"\x00\x04\x00\x00\x00\x03"
    )
    assert schedule.backup_context(ACCOUNT, 5) == (
        b"\x00\x11otpkeep/v1/backup\x00\x10" + ACCOUNT.bytes + b"\x00\x04\x00\x00\x00\x05"
    )
    assert schedule.upload_message(ACCOUNT, 5, b"body") == (
        b"\x00\x18otpkeep/v1/backup-upload\x00\x10"
        + ACCOUNT.bytes
        + b"\x00\x04\x00\x00\x00\x05\x00\x20"
        + hashlib.sha256(b"body").digest()
    )
    kdf_bytes = (64).to_bytes(4, "big") + b"\x01\x01\x13" + b"\x00\x10" + KDF.salt
    assert schedule.kdf_bytes(KDF) == kdf_bytes
    registration = uuid.UUID(int=8)
    assert schedule.registration_message(
        ACCOUNT,
        registration,
        challenge,
        key_version=2,
        auth_public_key=b"a" * 32,
        wrapped_data_key=b"w" * 74,
        kdf=KDF,
        possession_public_key=b"p" * 32,
    ) == (
        b"\x00\x1dotpkeep/v1/registration-proof"
         b"\x00\x10" + ACCOUNT.bytes
        + b"\x00\x10" + registration.bytes
        + b"\x00\x20" + challenge
        + b"\x00\x04\x00\x00\x00\x02"
        + b"\x00\x20" + b"a" * 32
        + b"\x00\x20" + hashlib.sha256(b"w" * 74).digest()
        + len(kdf_bytes).to_bytes(2, "big") + kdf_bytes
        + b"\x00\x20" + b"p" * 32
    )  # fmt: skip


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
    context = schedule.backup_context(ACCOUNT, 1)
    sealed = envelope.seal(key, plaintext, associated_data=context, rng=lambda _size: nonce)
    header = b"\x01\x02"
    assert sealed == header + nonce + _xchacha20poly1305(key, nonce, plaintext, header + context)
    assert sealed.hex() == (
        "0102a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7"
        "18ec6962e93f57af0083b2767f8a81f4da4888c3513f2f39fd919742cd5e38f9"
    )
    assert envelope.open_sealed(key, sealed, associated_data=context) == plaintext
