"""Passcode escrow: registration then recovery, and every way it must fail."""

import uuid
from dataclasses import dataclass

import pytest

from otpkeep.crypto import envelope, escrow, schedule
from otpkeep.crypto.kdf import KdfParams
from otpkeep.errors import DecryptionError, InvalidElementError, InvalidParameterError

SEED = bytes(range(32))
ACCOUNT = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
KDF = KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"otpkeep-salt-16b")


@dataclass
class Service:
    """What the service keeps for one account, and its seed: a fake of the server's store."""

    seed: bytes
    key_version: int
    auth_public_key: bytes = b""
    wrapped_data_key: bytes = b""
    possession_key: bytes | None = None


def _register(
    service: Service, passcode: str, data_key: bytes, *, has_passcode: bool = False
) -> escrow.Registration:
    state, blinded = escrow.start(passcode)
    challenge = escrow.new_challenge()
    registration = escrow.register(
        state,
        escrow.evaluate(service.seed, ACCOUNT, service.key_version, blinded),
        account_id=ACCOUNT,
        key_version=service.key_version,
        kdf=KDF,
        data_key=data_key,
        challenge=challenge,
        has_passcode=has_passcode,
    )
    if has_passcode:
        assert service.possession_key is not None
        assert registration.possession_proof is not None
        assert escrow.verify_possession_proof(
            service.possession_key,
            account_id=ACCOUNT,
            challenge=challenge,
            proof=registration.possession_proof,
        )
    else:
        service.possession_key = registration.possession_key
    service.auth_public_key = registration.auth_public_key
    service.wrapped_data_key = registration.wrapped_data_key
    return registration


def _recover(
    service: Service, passcode: str, *, key_version: int | None = None
) -> tuple[bool, escrow.Recovery]:
    """One recovery try: whether the service accepts the proof, and the device's result."""
    version = service.key_version if key_version is None else key_version
    state, blinded = escrow.start(passcode)
    evaluated = escrow.evaluate(service.seed, ACCOUNT, service.key_version, blinded)
    attempt_id, challenge = uuid.uuid4(), escrow.new_challenge()
    recovery = escrow.recover(
        state,
        evaluated,
        account_id=ACCOUNT,
        key_version=version,
        kdf=KDF,
        attempt_id=attempt_id,
        challenge=challenge,
    )
    accepted = escrow.verify_recovery_proof(
        service.auth_public_key,
        account_id=ACCOUNT,
        attempt_id=attempt_id,
        challenge=challenge,
        signature=recovery.signature,
    )
    return accepted, recovery


def test_the_right_passcode_recovers_the_same_data_key() -> None:
    """Registration then recovery with the same passcode: the proof is accepted, DK returns."""
    service = Service(SEED, key_version=1)
    data_key = escrow.new_data_key()
    _register(service, "2580", data_key)
    accepted, recovery = _recover(service, "2580")
    assert accepted
    assert recovery.unwrap(service.wrapped_data_key) == data_key


def test_a_wrong_passcode_gives_an_invalid_signature_and_no_key() -> None:
    """A wrong passcode is refused by the service and cannot unwrap the data key."""
    service = Service(SEED, key_version=1)
    _register(service, "2580", escrow.new_data_key())
    accepted, recovery = _recover(service, "2581")
    assert not accepted
    with pytest.raises(DecryptionError):
        recovery.unwrap(service.wrapped_data_key)


def test_another_key_version_fails() -> None:
    """Evaluated under a different key version, the right passcode is refused."""
    service = Service(SEED, key_version=1)
    _register(service, "2580", escrow.new_data_key())
    service.key_version = 2
    accepted, recovery = _recover(service, "2580")
    assert not accepted
    with pytest.raises(DecryptionError):
        recovery.unwrap(service.wrapped_data_key)


def test_the_device_claiming_another_key_version_fails() -> None:
    """The key version enters the key schedule: the wrong one gives wrong keys."""
    service = Service(SEED, key_version=1)
    _register(service, "2580", escrow.new_data_key())
    accepted, recovery = _recover(service, "2580", key_version=7)
    assert not accepted
    with pytest.raises(DecryptionError):
        recovery.unwrap(service.wrapped_data_key)


def test_another_seed_fails() -> None:
    """A service with a different vault seed cannot confirm the right passcode."""
    service = Service(SEED, key_version=1)
    _register(service, "2580", escrow.new_data_key())
    service.seed = bytes(32)
    accepted, _ = _recover(service, "2580")
    assert not accepted


def test_a_signature_answers_one_attempt_only() -> None:
    """A valid signature does not verify for another attempt, challenge or account."""
    service = Service(SEED, key_version=1)
    _register(service, "2580", escrow.new_data_key())
    state, blinded = escrow.start("2580")
    attempt_id, challenge = uuid.uuid4(), escrow.new_challenge()
    recovery = escrow.recover(
        state,
        escrow.evaluate(SEED, ACCOUNT, 1, blinded),
        account_id=ACCOUNT,
        key_version=1,
        kdf=KDF,
        attempt_id=attempt_id,
        challenge=challenge,
    )
    good = (ACCOUNT, attempt_id, challenge)
    changed = [
        (ACCOUNT, uuid.uuid4(), challenge),
        (ACCOUNT, attempt_id, escrow.new_challenge()),
        (uuid.uuid4(), attempt_id, challenge),
    ]
    results = [
        escrow.verify_recovery_proof(
            service.auth_public_key,
            account_id=account,
            attempt_id=attempt,
            challenge=nonce,
            signature=recovery.signature,
        )
        for account, attempt, nonce in [good, *changed]
    ]
    assert results == [True, False, False, False]


SMALL_ORDER_POINTS = [
    bytes(32),  # y = 0, order 4
    b"\x01" + bytes(31),  # the identity
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),  # order 2
]


@pytest.mark.parametrize(
    ("public_key", "signature"),
    [
        (b"", b""),
        (b"\x01" * 31, b""),
        (bytes(32), bytes(63)),
        *[(p, p + bytes(32)) for p in SMALL_ORDER_POINTS],
    ],
)
def test_malformed_and_small_order_proofs_never_verify(public_key: bytes, signature: bytes) -> None:
    """Garbage, or a small-order key with a trivial signature, verifies as False for any attempt."""
    results = {
        escrow.verify_recovery_proof(
            public_key,
            account_id=ACCOUNT,
            attempt_id=uuid.UUID(int=attempt),
            challenge=bytes(32),
            signature=signature,
        )
        for attempt in range(32)
    }
    assert results == {False}


def test_changing_the_passcode_proves_possession_of_the_data_key() -> None:
    """A second registration carries a proof the service checks; another DK's proof fails."""
    service = Service(SEED, key_version=1)
    data_key = escrow.new_data_key()
    first = _register(service, "2580", data_key)
    assert first.possession_key is not None
    assert first.possession_proof is None
    service.key_version = 2
    second = _register(service, "7391", data_key, has_passcode=True)
    assert second.possession_key is None
    accepted, recovery = _recover(service, "7391")
    assert accepted
    assert recovery.unwrap(service.wrapped_data_key) == data_key
    assert service.possession_key is not None
    assert not escrow.verify_possession_proof(
        service.possession_key, account_id=ACCOUNT, challenge=bytes(32), proof=bytes(32)
    )


def test_the_service_side_holds_nothing_that_checks_a_guess_without_the_seed() -> None:
    """Two registrations of one passcode under different seeds share no stored value."""
    data_key = escrow.new_data_key()
    one, two = Service(SEED, 1), Service(bytes(32), 1)
    _register(one, "2580", data_key)
    _register(two, "2580", data_key)
    assert one.auth_public_key != two.auth_public_key
    assert one.possession_key == two.possession_key  # depends on the DK alone, not the passcode


def test_backups_round_trip_and_are_bound_to_the_account() -> None:
    """A backup opens with its data key and account, and not with another of either."""
    data_key = escrow.new_data_key()
    sealed = escrow.seal_backup(data_key, b'{"accounts": []}', account_id=ACCOUNT)
    assert escrow.open_backup(data_key, sealed, account_id=ACCOUNT) == b'{"accounts": []}'
    for key, account in (
        (escrow.new_data_key(), ACCOUNT),
        (data_key, uuid.uuid4()),
        (b"", ACCOUNT),
    ):
        with pytest.raises(DecryptionError):
            escrow.open_backup(key, sealed, account_id=account)


def test_a_backup_is_not_sealed_under_the_data_key_itself() -> None:
    """The backup key is derived from the data key: the raw data key does not open a backup."""
    data_key = escrow.new_data_key()
    sealed = escrow.seal_backup(data_key, b"x", account_id=ACCOUNT)
    with pytest.raises(DecryptionError):
        envelope.open_sealed(data_key, sealed, associated_data=schedule.backup_context(ACCOUNT))


def test_bad_inputs_raise_the_projects_errors() -> None:
    """A short seed, a bad element, a negative version or a short data key are refused."""
    _, blinded = escrow.start("2580")
    with pytest.raises(InvalidParameterError):
        escrow.evaluate(bytes(31), ACCOUNT, 1, blinded)
    with pytest.raises(InvalidElementError):
        escrow.evaluate(SEED, ACCOUNT, 1, bytes(32))
    with pytest.raises(InvalidParameterError):
        escrow.oprf_key(SEED, ACCOUNT, -1)
    with pytest.raises(InvalidParameterError):
        escrow.seed_fingerprint(b"short")
    state, blinded = escrow.start("2580")
    with pytest.raises(InvalidParameterError):
        escrow.register(
            state,
            escrow.evaluate(SEED, ACCOUNT, 1, blinded),
            account_id=ACCOUNT,
            key_version=1,
            kdf=KDF,
            data_key=b"short",
            challenge=bytes(32),
            has_passcode=False,
        )


def test_secrets_stay_out_of_reprs() -> None:
    """The device's state and recovery print no passcode, blind or wrap key."""
    state, _ = escrow.start("2580")
    assert "2580" not in repr(state)
    assert state.blind.hex() not in repr(state)
    service = Service(SEED, key_version=1)
    _register(service, "2580", escrow.new_data_key())
    _, recovery = _recover(service, "2580")
    assert "wrap_key" not in repr(recovery)


def test_the_seed_fingerprint_identifies_the_seed() -> None:
    """The fingerprint is stable for a seed, differs between seeds, and is not the seed."""
    assert escrow.seed_fingerprint(SEED) == escrow.seed_fingerprint(SEED)
    assert escrow.seed_fingerprint(SEED) != escrow.seed_fingerprint(bytes(32))
    assert SEED not in escrow.seed_fingerprint(SEED)
