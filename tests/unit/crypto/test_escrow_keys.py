"""Passcode escrow: registration then recovery, and every way it must fail."""

import uuid
from dataclasses import dataclass, field
from typing import TypedDict

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
    salt: bytes = field(default_factory=escrow.new_oprf_salt)
    auth_public_key: bytes = b""
    wrapped_data_key: bytes = b""
    possession_public_key: bytes | None = None

    def evaluate(self, blinded: bytes, *, salt: bytes | None = None) -> bytes:
        """The OPRF answer under this registration's key (or another salt's)."""
        key = escrow.oprf_key(self.seed, ACCOUNT, self.key_version, salt or self.salt)
        return escrow.evaluate(key, blinded)


def _register(service: Service, passcode: str, data_key: bytes) -> escrow.Registration:
    """Register as the service would: a fresh salt, and the possession signature checked."""
    service.salt = escrow.new_oprf_salt()
    state, blinded = escrow.start(passcode)
    challenge, registration_id = escrow.new_challenge(), uuid.uuid4()
    registration = escrow.register(
        state,
        service.evaluate(blinded),
        account_id=ACCOUNT,
        registration_id=registration_id,
        key_version=service.key_version,
        kdf=KDF,
        data_key=data_key,
        challenge=challenge,
    )
    public_key = service.possession_public_key or registration.possession_public_key
    assert escrow.verify_registration(
        public_key,
        registration.signature,
        account_id=ACCOUNT,
        registration_id=registration_id,
        challenge=challenge,
        key_version=service.key_version,
        auth_public_key=registration.auth_public_key,
        wrapped_data_key=registration.wrapped_data_key,
        kdf=KDF,
    )
    service.possession_public_key = public_key
    service.auth_public_key = registration.auth_public_key
    service.wrapped_data_key = registration.wrapped_data_key
    return registration


def _recover(
    service: Service, passcode: str, *, key_version: int | None = None
) -> tuple[bool, escrow.Recovery]:
    """One recovery try: whether the service accepts the proof, and the device's result."""
    version = service.key_version if key_version is None else key_version
    state, blinded = escrow.start(passcode)
    evaluated = service.evaluate(blinded)
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
        service.evaluate(blinded),
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


def test_an_evaluation_is_worthless_for_another_registration() -> None:
    """The OPRF key is bound to the registration's salt: the same passcode, version and
    account evaluated under another salt give another output, so evaluations collected
    before a registration say nothing about it."""
    service = Service(SEED, key_version=2)
    _, blinded = escrow.start("2580")
    before = service.evaluate(blinded, salt=escrow.new_oprf_salt())
    _register(service, "2580", escrow.new_data_key())
    assert service.evaluate(blinded) != before


def test_a_registration_before_salts_keeps_its_key() -> None:
    """A registration stored without a salt derives the key of its time (three-part info)."""
    legacy = escrow.oprf_key(SEED, ACCOUNT, 1, None)
    assert legacy == escrow.oprf_key(SEED, ACCOUNT, 1, None)
    assert legacy != escrow.oprf_key(SEED, ACCOUNT, 1, bytes(32))
    with pytest.raises(InvalidParameterError):
        escrow.oprf_key(SEED, ACCOUNT, 1, b"short")


def test_changing_the_passcode_is_signed_by_the_data_key() -> None:
    """A later registration verifies under the possession key of the first; another DK's fails."""
    service = Service(SEED, key_version=1)
    data_key = escrow.new_data_key()
    first = _register(service, "2580", data_key)
    service.key_version = 2
    second = _register(service, "7391", data_key)
    assert second.possession_public_key == first.possession_public_key
    accepted, recovery = _recover(service, "7391")
    assert accepted
    assert recovery.unwrap(service.wrapped_data_key) == data_key
    stranger = Service(SEED, key_version=3, possession_public_key=first.possession_public_key)
    with pytest.raises(AssertionError):
        _register(stranger, "7391", escrow.new_data_key())


class RegistrationBinding(TypedDict):
    """What a registration signature binds, besides the keys."""

    account_id: uuid.UUID
    registration_id: uuid.UUID
    challenge: bytes
    key_version: int
    auth_public_key: bytes
    wrapped_data_key: bytes
    kdf: KdfParams


class PossessionBinding(TypedDict):
    """What a possession proof binds."""

    account_id: uuid.UUID
    challenge_id: uuid.UUID
    challenge: bytes
    action: str
    target: str


def test_the_registration_signature_binds_every_new_value() -> None:
    """Changing any one signed value (keys, wrapped key, version, KDF) fails the signature."""
    data_key = escrow.new_data_key()
    state, blinded = escrow.start("2580")
    registration_id, challenge = uuid.uuid4(), escrow.new_challenge()
    service = Service(SEED, key_version=1)
    registration = escrow.register(
        state,
        service.evaluate(blinded),
        account_id=ACCOUNT,
        registration_id=registration_id,
        key_version=1,
        kdf=KDF,
        data_key=data_key,
        challenge=challenge,
    )
    values: RegistrationBinding = {
        "account_id": ACCOUNT,
        "registration_id": registration_id,
        "challenge": challenge,
        "key_version": 1,
        "auth_public_key": registration.auth_public_key,
        "wrapped_data_key": registration.wrapped_data_key,
        "kdf": KDF,
    }
    altered: list[RegistrationBinding] = [
        {**values, "account_id": uuid.uuid4()},
        {**values, "registration_id": uuid.uuid4()},
        {**values, "challenge": escrow.new_challenge()},
        {**values, "key_version": 2},
        {**values, "auth_public_key": bytes(32)},
        {**values, "wrapped_data_key": registration.wrapped_data_key + b"x"},
        {**values, "kdf": KdfParams(memory_kib=128, iterations=1, lanes=1, salt=KDF.salt)},
    ]
    key = registration.possession_public_key
    assert escrow.verify_registration(key, registration.signature, **values)
    for one_changed in altered:
        assert not escrow.verify_registration(key, registration.signature, **one_changed)


def test_possession_proofs_answer_one_challenge_action_and_target() -> None:
    """A possession proof verifies for its challenge, action and target, and nothing else."""
    data_key = escrow.new_data_key()
    public_key = schedule.possession_key(data_key).public_key
    challenge_id, challenge = uuid.uuid4(), escrow.new_challenge()
    signature = escrow.prove_possession(
        data_key,
        account_id=ACCOUNT,
        challenge_id=challenge_id,
        challenge=challenge,
        action="revoke_device",
        target="device-1",
    )
    base: PossessionBinding = {
        "account_id": ACCOUNT,
        "challenge_id": challenge_id,
        "challenge": challenge,
        "action": "revoke_device",
        "target": "device-1",
    }
    assert escrow.verify_possession(public_key, signature=signature, **base)
    altered: list[PossessionBinding] = [
        {**base, "account_id": uuid.uuid4()},
        {**base, "challenge_id": uuid.uuid4()},
        {**base, "challenge": bytes(32)},
        {**base, "action": "delete_backup"},
        {**base, "target": "device-2"},
    ]
    for one_changed in altered:
        assert not escrow.verify_possession(public_key, signature=signature, **one_changed)
    other = schedule.possession_key(escrow.new_data_key()).public_key
    assert not escrow.verify_possession(other, signature=signature, **base)


def test_an_upload_signature_binds_account_version_and_body() -> None:
    """An upload's signature verifies for its body as its version of its account only."""
    data_key = escrow.new_data_key()
    public_key = schedule.possession_key(data_key).public_key
    signature = escrow.sign_upload(data_key, account_id=ACCOUNT, version=3, body=b"sealed")
    assert escrow.verify_upload(
        public_key, signature, account_id=ACCOUNT, version=3, body=b"sealed"
    )
    for account, version, body in (
        (uuid.uuid4(), 3, b"sealed"),
        (ACCOUNT, 4, b"sealed"),
        (ACCOUNT, 3, b"sealeD"),
    ):
        assert not escrow.verify_upload(
            public_key, signature, account_id=account, version=version, body=body
        )


def test_the_service_side_holds_nothing_that_checks_a_guess_without_the_seed() -> None:
    """Two registrations of one passcode under different seeds share no passcode-bound value;
    the possession key depends on the data key alone, and the service holds only its public half."""
    data_key = escrow.new_data_key()
    one, two = Service(SEED, 1), Service(bytes(32), 1)
    _register(one, "2580", data_key)
    _register(two, "2580", data_key)
    assert one.auth_public_key != two.auth_public_key
    assert one.possession_public_key == two.possession_public_key
    assert one.possession_public_key != schedule.possession_seed(data_key)


def test_backups_round_trip_and_are_bound_to_the_account_and_version() -> None:
    """A backup opens with its data key, account and version, and not with another of any."""
    data_key = escrow.new_data_key()
    sealed = escrow.seal_backup(data_key, b'{"accounts": []}', account_id=ACCOUNT, version=4)
    assert escrow.open_backup(data_key, sealed, account_id=ACCOUNT, version=4) == (
        b'{"accounts": []}'
    )
    for key, account, version in (
        (escrow.new_data_key(), ACCOUNT, 4),
        (data_key, uuid.uuid4(), 4),
        (data_key, ACCOUNT, 3),
        (b"", ACCOUNT, 4),
    ):
        with pytest.raises(DecryptionError):
            escrow.open_backup(key, sealed, account_id=account, version=version)


def test_a_backup_is_not_sealed_under_the_data_key_itself() -> None:
    """The backup key is derived from the data key: the raw data key does not open a backup."""
    data_key = escrow.new_data_key()
    sealed = escrow.seal_backup(data_key, b"x", account_id=ACCOUNT, version=1)
    with pytest.raises(DecryptionError):
        envelope.open_sealed(data_key, sealed, associated_data=schedule.backup_context(ACCOUNT, 1))


def test_bad_inputs_raise_the_projects_errors() -> None:
    """A short seed, a bad element, a negative version or a short data key are refused."""
    _, blinded = escrow.start("2580")
    salt = escrow.new_oprf_salt()
    with pytest.raises(InvalidParameterError):
        escrow.oprf_key(bytes(31), ACCOUNT, 1, salt)
    with pytest.raises(InvalidElementError):
        escrow.evaluate(escrow.oprf_key(SEED, ACCOUNT, 1, salt), bytes(32))
    with pytest.raises(InvalidParameterError):
        escrow.oprf_key(SEED, ACCOUNT, -1, salt)
    with pytest.raises(InvalidParameterError):
        escrow.seed_fingerprint(b"short")
    state, blinded = escrow.start("2580")
    with pytest.raises(InvalidParameterError):
        escrow.register(
            state,
            escrow.evaluate(escrow.oprf_key(SEED, ACCOUNT, 1, salt), blinded),
            account_id=ACCOUNT,
            registration_id=uuid.uuid4(),
            key_version=1,
            kdf=KDF,
            data_key=b"short",
            challenge=bytes(32),
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
