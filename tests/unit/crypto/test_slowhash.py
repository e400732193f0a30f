"""The device's slow passcode hash: Argon2id, compared in constant time."""

from otpkeep.crypto.kdf import KdfParams
from otpkeep.crypto.slowhash import hash_passcode, verify_passcode

PARAMS = KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"device-salt-0001")


def test_the_right_passcode_verifies() -> None:
    """A passcode verifies against its own digest."""
    digest = hash_passcode("2580", PARAMS)
    assert len(digest) == 32
    assert verify_passcode("2580", digest, PARAMS)


def test_a_wrong_passcode_does_not_verify() -> None:
    """Another passcode, or another salt, does not verify."""
    digest = hash_passcode("2580", PARAMS)
    assert not verify_passcode("2581", digest, PARAMS)
    assert not verify_passcode(
        "2580", digest, KdfParams(memory_kib=64, iterations=1, salt=b"x" * 16)
    )
    assert not verify_passcode("2580", digest[:16], PARAMS)
