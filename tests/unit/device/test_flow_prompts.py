"""The flows' steps: passcode policy and confirmation, Back, closing, links, check-in schedule."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from flowscript import Script
from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.gate import DEFAULT_CONFIG
from otpkeep.device.backup.state import BackupState, CheckIn
from otpkeep.device.flows.passcode import CHECKIN_INTERVALS, advance_checkin, choose_passcode
from otpkeep.device.flows.steps import BACK, Ask, Busy, Flow, Note, Question, drive
from otpkeep.device.flows.verify import parse_link
from otpkeep.device.session import Session
from otpkeep.device.vault import Vault
from otpkeep.errors import InvalidInputError, ServiceError

if TYPE_CHECKING:
    from pathlib import Path

SMALL_KDF = KdfParams(memory_kib=8, iterations=1)


class Connection:
    """What a flow's ``connect`` was asked for: the service address, then the token set."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token: str | None = None
        self.renew = self.heard = None


def session(tmp_path: Path, server: str = "https://svc.test", **options: Any) -> Session:
    """A session on a vault of its own, a fixed clock and the small check-in KDF."""
    vault = Vault(tmp_path, keystore="file")
    return Session(
        vault,
        clock=lambda: 1000.0,
        server_option=server,
        checkin_kdf=SMALL_KDF,
        **options,
    )


def test_weak_and_mismatched_passcodes_are_asked_again(tmp_path: Path) -> None:
    """A weak passcode shows the policy's reason, a mismatch says so, then a good pair passes."""
    script = Script(passcode=["1234", "482915", "482915"], again=["482916", "482915"])
    blinded = script.run(choose_passcode(session(tmp_path), DEFAULT_CONFIG))
    said = script.said
    assert [e.note for e in said] == [Note.RETRY, Note.RETRY]
    assert said[0].message.endswith("choose another.")
    assert "not the same" in said[1].message
    assert "482915" not in " ".join(script.messages)
    assert isinstance(script.steps[-1], Busy)  # the slow hash is announced before it runs
    assert blinded.checkin.next_due == 1000.0 + CHECKIN_INTERVALS[0].total_seconds()
    assert "482915" not in repr(blinded)


def test_back_at_the_confirmation_asks_for_the_passcode_again(tmp_path: Path) -> None:
    """Back from "the same passcode again" returns to the first question, with no complaint."""
    script = Script(passcode=["482915", "590317"], again=[BACK, "590317"])
    script.run(choose_passcode(session(tmp_path), DEFAULT_CONFIG, new=True))
    assert script.asked == [Ask.NEW_PASSCODE, Ask.PASSCODE_AGAIN] * 2
    assert script.said == []
    again = next(s for s in script.steps if isinstance(s, Question) and s.ask is Ask.PASSCODE_AGAIN)
    assert again.back


def test_a_flow_stopped_by_its_front_end_is_closed() -> None:
    """Whatever the responder raises stops the flow: its ``finally`` runs, the error goes on."""
    closed: list[bool] = []

    def flow() -> Flow[str]:
        try:
            answer = yield Question(Ask.EMAIL)
            return str(answer)
        finally:
            closed.append(True)

    def walk_away(step: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        drive(flow(), walk_away)
    assert closed == [True]
    assert drive(flow(), lambda step: "me@example.com") == "me@example.com"


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


def test_a_session_token_goes_only_to_the_service_that_granted_it(tmp_path: Path) -> None:
    """A saved session talks to its own service; another server named now is refused."""
    saved = BackupState(server_url="https://svc.test", session_token="secret-token")
    own = session(tmp_path / "own", "https://svc.test/", connect=Connection)
    granted: object = own.client(saved)
    assert isinstance(granted, Connection)  # made by this test's ``connect``
    assert (granted.url, granted.token) == ("https://svc.test", "secret-token")
    other = session(tmp_path / "other", "https://other.test", connect=Connection)
    with pytest.raises(ServiceError, match=r"backup is with https://svc\.test, not https://other"):
        other.client(saved)
    anonymous: object = other.client(BackupState(server_url="https://svc.test"))
    assert isinstance(anonymous, Connection)
    assert (anonymous.url, anonymous.token) == ("https://other.test", None)
