"""A property of the whole API: whatever a session without the data key does, the service
answers no more OPRF evaluations than it charged tries for.

Hypothesis drives random sequences of everything such an attacker can send — recovery
evaluations and proofs, registration evaluations with and without forged proofs, sign-ins,
possession challenges, new mailbox sessions, time passing, the janitor — with the mailbox
session of the owner's address and the owner's stolen session token. After every step the
evaluations answered are compared with the tries the escrow shows as spent.
"""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

import escrowkit
from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode
from otpkeep.server.db import passcodes
from otpkeep.server.services import maintenance

if TYPE_CHECKING:
    import httpx

    from service_harness import ServiceHarness

TRIES = 10
OWNER_PASSCODE = "73916482"  # never among the attacker's guesses
GUESSES = st.sampled_from([f"{n:04d}" for n in range(20)])
_emails = itertools.count()


def _count_evaluation(answer: httpx.Response) -> int:
    return int(answer.status_code == 200 and "evaluated_element" in answer.text)


def make_machine(  # noqa: C901 - built per test
    service: ServiceHarness, seen: list[int]
) -> type[RuleBasedStateMachine]:
    class NoFreeEvaluations(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.email = f"victim{next(_emails)}-{uuid.uuid4().hex[:6]}@example.com"
            self.owner = escrowkit.enabled(service, self.email, passcode=OWNER_PASSCODE)
            self.thief = escrowkit.Device(service.client, self.owner.token, self.owner.account_id)
            self.thief.data_key = escrow.new_data_key()
            self.mailbox = escrowkit.device(service, self.email, "transfer", name="attacker")
            self.answered = 0
            self.pending: list[tuple[escrow.PasscodeState, dict[str, object]]] = []

        def _tries_charged(self) -> int:
            with service.app.state.runtime.unit() as db:
                row = passcodes.get(db, self.owner.account_id)
            return TRIES if row is None else TRIES - row.tries_left

        @rule(guess=GUESSES)
        def recovery_evaluate(self, guess: str) -> None:
            answer, state = self.mailbox.evaluate(guess)
            self.answered += _count_evaluation(answer)
            if answer.status_code == 200:
                self.pending.append((state, answer.json()))

        @rule(element=st.binary(min_size=32, max_size=32))
        def recovery_evaluate_junk(self, element: bytes) -> None:
            answer = service.client.post(
                "/v1/recovery/evaluate",
                json={"blinded_element": b64encode(element)},
                headers=self.mailbox.headers,
            )
            self.answered += _count_evaluation(answer)

        @rule()
        def recovery_prove(self) -> None:
            if self.pending:
                state, challenge = self.pending.pop(0)
                self.mailbox.prove(state, challenge)

        @rule(guess=GUESSES, forge=st.booleans())
        def registration_evaluate(self, guess: str, forge: bool) -> None:
            for device in (self.thief, self.mailbox):
                proof = device.possession("register") if forge and device is self.thief else None
                answer, _ = device.registration_evaluate(guess, proof=proof)
                self.answered += _count_evaluation(answer)

        @rule()
        def sign_in(self) -> None:
            for device in (self.thief, self.mailbox):
                challenge = service.client.post(
                    "/v1/possession/challenge",
                    json={"action": "session"},
                    headers=device.headers,
                )
                if challenge.status_code == 200:
                    body = challenge.json()
                    header = f"{body['challenge_id']}.{b64encode(bytes(64))}"
                    service.client.post(
                        "/v1/session", headers={**device.headers, "Otpkeep-Possession": header}
                    )

        @rule()
        def new_mailbox_session(self) -> None:
            granted = service.verify(self.email, "transfer", device_name="attacker")
            self.mailbox = escrowkit.Device(
                service.client, granted["session_token"], uuid.UUID(granted["account_id"])
            )

        @rule(seconds=st.integers(min_value=0, max_value=400))
        def time_passes(self, seconds: int) -> None:
            service.clock.advance(seconds)

        @rule()
        def janitor(self) -> None:
            maintenance.run(service.app.state.runtime)

        @invariant()
        def evaluations_never_exceed_the_tries_charged(self) -> None:
            assert self.answered <= self._tries_charged()

        def teardown(self) -> None:
            seen.append(self.answered)

    return NoFreeEvaluations


def test_no_sequence_of_calls_gets_more_evaluations_than_tries_charged(
    service: ServiceHarness,
) -> None:
    """For any sequence of API calls by sessions without the data key, the OPRF evaluations
    answered never exceed the passcode tries the service charged."""
    seen: list[int] = []
    machine = make_machine(service, seen)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert max(seen) > 0  # the runs did reach counted evaluations, not only refusals
