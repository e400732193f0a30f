"""The flows' prompts: passcode policy and confirmation, countdowns, links, check-in schedule."""

import uuid

import pytest

from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.gate import DEFAULT_CONFIG
from otpkeep.device.backup.state import BackupState, CheckIn
from otpkeep.device.flows.context import EventKind, FlowContext
from otpkeep.device.flows.passcode import CHECKIN_INTERVALS, advance_checkin, choose_passcode
from otpkeep.device.flows.transfer import countdown
from otpkeep.device.flows.verify import mask_email, parse_link
from otpkeep.errors import InvalidInputError, ServiceError

SMALL_KDF = KdfParams(memory_kib=8, iterations=1)


class Script:
    """A prompter that answers from lists and records every event."""

    def __init__(self, passcodes=(), again=()) -> None:
        self.passcodes = list(passcodes)
        self.again = list(again)
        self.events = []

    def email(self) -> str:
        raise AssertionError("no email expected")

    def code(self) -> str:
        raise AssertionError("no code expected")

    def passcode(self) -> str:
        return self.passcodes.pop(0)

    def passcode_again(self) -> str:
        return self.again.pop(0)

    def confirm(self, question: str) -> bool:
        return False

    def event(self, event) -> None:
        self.events.append(event)


def context(prompter: Script, sleeps: list[float] | None = None) -> FlowContext:
    return FlowContext(
        vault=None,  # these steps never touch the vault
        prompter=prompter,
        server_url="https://svc.test",
        clock=lambda: 1000.0,
        sleep=(sleeps if sleeps is not None else []).append,
        checkin_kdf=SMALL_KDF,
    )


def test_weak_and_mismatched_passcodes_are_asked_again() -> None:
    """A weak passcode shows the policy's reason, a mismatch says so, then a good pair passes."""
    script = Script(passcodes=["1234", "482915", "482915"], again=["482916", "482915"])
    blinded = choose_passcode(context(script), DEFAULT_CONFIG)
    messages = [e.message for e in script.events]
    assert [e.kind for e in script.events] == [EventKind.RETRY, EventKind.RETRY]
    assert "Choose another passcode" in messages[0]
    assert "not the same" in messages[1]
    assert "482915" not in " ".join(messages)
    assert blinded.checkin.next_due == 1000.0 + CHECKIN_INTERVALS[0].total_seconds()
    assert "482915" not in repr(blinded)


def test_countdown_reports_each_second_without_sleeping_for_real() -> None:
    """A wait of 2.5 s counts down 3, 2, 1 with one-second sleeps."""
    script = Script()
    sleeps: list[float] = []
    countdown(context(script, sleeps), 2.5)
    assert [e.seconds_left for e in script.events] == [3, 2, 1]
    assert all(e.kind is EventKind.WAIT for e in script.events)
    assert sleeps == [1.0, 1.0, 1.0]


def test_verification_links_are_parsed_strictly() -> None:
    """The emailed otpkeep://verify link gives the id and code; anything else is refused."""
    vid = uuid.uuid4()
    assert parse_link(f"otpkeep://verify?id={vid}&code=012345") == (vid, "012345")
    for bad in (
        "https://verify?id=x&code=1",
        f"otpkeep://verify?id={vid}",
        "otpkeep://verify?id=no&code=1",
    ):
        with pytest.raises(InvalidInputError):
            parse_link(bad)


def test_check_in_schedule_is_3_days_then_1_2_4_weeks() -> None:
    """Each right answer moves the next check-in out, and it stays at four weeks."""
    state = BackupState(
        checkin=CheckIn(b"d", KdfParams(memory_kib=8, iterations=1, salt=b"s" * 16), next_due=0.0)
    )
    days = []
    for _ in range(4):
        advance_checkin(state, 0.0)
        assert state.checkin is not None
        days.append(state.checkin.next_due / 86400)
    assert days == [7, 14, 28, 28]


def test_email_is_masked() -> None:
    """Only the first letter of the local part shows."""
    assert mask_email("alice@example.com") == "a***@example.com"


class Connection:
    """What a flow's ``connect`` was asked for: the service address, then the token set."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token: str | None = None


def test_a_session_token_goes_only_to_the_service_that_granted_it() -> None:
    """A saved session talks to its own service; another server named now is refused."""
    session = BackupState(server_url="https://svc.test", session_token="secret-token")
    own = FlowContext(
        vault=None, prompter=Script(), server_url="https://svc.test/", connect=Connection
    )  # type: ignore[arg-type]
    granted = own.client(session)
    assert (granted.url, granted.token) == ("https://svc.test", "secret-token")
    other = FlowContext(
        vault=None, prompter=Script(), server_url="https://other.test", connect=Connection
    )  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match=r"backup is with https://svc\.test, not https://other"):
        other.client(session)
    anonymous = other.client(BackupState(server_url="https://svc.test"))
    assert (anonymous.url, anonymous.token) == ("https://other.test", None)
