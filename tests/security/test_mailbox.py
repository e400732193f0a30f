"""A person who reads the owner's mail: 10 online guesses, each one told, and nothing offline.

The attack this suite was written for: verify the owner's address (with purpose
``enable`` to get a full session), ask ``POST /v1/passcode/evaluate`` for as many
evaluations as one likes, then read the auth key and the wrapped data key from the
privacy export and search the passcode offline. Each step is now refused, and even an
evaluation of the right passcode obtained with a counted try says nothing once the
owner's next registration draws a new OPRF key.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import escrowkit
from otpkeep.crypto import envelope, escrow, oprf, schedule
from otpkeep.crypto.kdf import stretch
from otpkeep.errors import DecryptionError
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.kdf import kdf_from_wire

if TYPE_CHECKING:
    import httpx

    from conftest import Target

EMAIL = "owner@example.com"
PASSCODE = "2580"


def test_an_enable_code_on_an_address_with_a_backup_gives_only_a_recovery_session(
    target: Target,
) -> None:
    """Verifying the owner's address for "enable" gives a recovery session, not a full one."""
    target.owner(EMAIL)
    granted = target.verify(EMAIL, "enable")
    assert granted["scope"] == "recovery"
    assert granted["backup_version"] is None


def test_a_mailbox_session_gets_no_evaluation_without_a_counted_try(target: Target) -> None:
    """300 registration evaluations from a mailbox session: every one refused, no try spent,
    and the owner's escrow is untouched."""
    owner = target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL, "enable")
    answers = []
    for guess in range(300):
        _state, blinded = escrow.start(f"{guess:04d}")
        answers.append(
            attacker.client.post(
                "/v1/passcode/evaluate",
                json={"blinded_element": b64encode(blinded)},
                headers=attacker.headers,
            )
        )
    assert {answer.status_code for answer in answers} == {403}
    assert all("evaluated_element" not in answer.text for answer in answers)
    assert target.escrow(owner.account_id).tries_left == 10


def test_a_mailbox_session_reads_nothing_of_the_account(target: Target) -> None:
    """The export, the backup, the versions, the devices and the events need a full session."""
    target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL, "enable")
    for path in (
        "/v1/account/export",
        "/v1/backup",
        "/v1/backup/versions",
        "/v1/devices",
        "/v1/events",
    ):
        answer = attacker.client.get(path, headers=attacker.headers)
        assert answer.status_code == 403, path
        assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE


def test_the_export_names_the_escrow_keys_by_fingerprint_only(target: Target) -> None:
    """Even the owner's export holds no auth key, wrapped data key or possession key."""
    owner = target.owner(EMAIL)
    row = target.escrow(owner.account_id)
    export = owner.client.get("/v1/account/export", headers=owner.headers)
    assert export.status_code == 200
    text = export.text
    for secret in (row.auth_public_key, row.wrapped_data_key, row.possession_public_key):
        assert b64encode(bytes(secret)) not in text
        assert bytes(secret).hex() not in text


def _offline_keys(
    passcode: str, state: escrow.PasscodeState, answer: dict[str, object], account: uuid.UUID
) -> schedule.PasscodeKeys:
    """What an attacker computes offline from an evaluation they obtained."""
    evaluated = b64decode(str(answer["evaluated_element"]))
    output = oprf.finalize(passcode.encode(), state.blind, evaluated)
    kdf = kdf_from_wire(answer["kdf"])
    return schedule.passcode_keys(
        output,
        stretch(output, kdf),
        account_id=account,
        key_version=int(str(answer["key_version"])),
    )


def test_evaluations_collected_before_a_transfer_match_nothing_afterwards(target: Target) -> None:
    """The whole chain: an attacker who reads the mail spends one counted try on the right
    passcode (a lucky guess) and keeps the evaluation; the owner then transfers to a new
    device, which re-registers at once. Nothing the attacker computed from what was collected
    matches anything the service holds, nor opens the wrapped data key."""
    owner = target.owner(EMAIL, PASSCODE)
    attacker = target.mailbox_device(EMAIL)
    answer, state = attacker.evaluate(PASSCODE)
    assert answer.status_code == 200
    collected = _offline_keys(PASSCODE, state, answer.json(), owner.account_id)
    assert collected.auth_public_key == bytes(target.escrow(owner.account_id).auth_public_key)
    target.harness.clock.advance(301)  # the attacker never proves; the try counts as failed

    newcomer = target.mailbox_device(EMAIL)
    assert newcomer.recover(PASSCODE).status_code == 200
    assert newcomer.set_passcode(PASSCODE, renewal=True).status_code == 200

    row = target.escrow(owner.account_id)
    assert row.key_version == 2
    assert bytes(row.auth_public_key) != collected.auth_public_key
    context = schedule.wrapped_data_key_context(owner.account_id, row.key_version)
    try:
        envelope.open_sealed(
            collected.wrap_key, bytes(row.wrapped_data_key), associated_data=context
        )
    except DecryptionError:
        pass
    else:
        raise AssertionError("a key from the collected evaluation opened the wrapped data key")
    dump = b"".join(
        bytes(value)
        for value in (row.auth_public_key, row.wrapped_data_key, row.possession_public_key)
    )
    assert collected.auth_public_key not in dump
    assert collected.wrap_key not in dump
    assert "passcode_failed" in target.templates(EMAIL)


def test_a_setup_session_evaluation_is_worthless_for_the_registration_that_follows(
    target: Target,
) -> None:
    """Before the owner's first passcode, a mailbox session may evaluate registrations (it
    could set a passcode itself): the evaluations it collects, even of the passcode the owner
    then chooses, do not give the owner's keys, because each registration has its own key."""
    attacker = target.mailbox_device(EMAIL, "enable")
    collected = []
    for guess in ("1357", PASSCODE):
        answer, state = attacker.registration_evaluate(guess)
        assert answer.status_code == 200
        collected.append(_offline_keys(guess, state, answer.json(), attacker.account_id))
    owner_http = target.client()
    granted = target.verify(EMAIL, "enable", owner_http)
    owner = _device(owner_http, granted)
    assert owner.set_passcode(PASSCODE).status_code == 200
    row = target.escrow(owner.account_id)
    assert all(bytes(row.auth_public_key) != keys.auth_public_key for keys in collected)


def test_a_registration_can_only_be_finished_in_the_session_that_evaluated_it(
    target: Target,
) -> None:
    """The attacker's setup session cannot finish the owner's registration, nor the owner's
    session the attacker's: a registration belongs to its session."""
    attacker = target.mailbox_device(EMAIL, "enable")
    answer, _state = attacker.registration_evaluate(PASSCODE)
    registration_id = answer.json()["registration_id"]
    owner_http = target.client()
    owner = _device(owner_http, target.verify(EMAIL, "enable", owner_http))
    stolen = owner.client.put(
        "/v1/passcode",
        json={
            "registration_id": registration_id,
            "key_version": answer.json()["key_version"],
            "auth_public_key": b64encode(bytes(32)),
            "wrapped_data_key": b64encode(bytes(60)),
            "kdf": answer.json()["kdf"],
            "signature": b64encode(bytes(64)),
            "possession_public_key": b64encode(bytes(32)),
        },
        headers=owner.headers,
    )
    assert stolen.status_code == 410
    assert stolen.json()["error"]["code"] == ErrorCode.REGISTRATION_EXPIRED


def _device(http: httpx.Client, granted: dict[str, str]) -> escrowkit.Device:
    return escrowkit.Device(http, granted["session_token"], uuid.UUID(granted["account_id"]))
