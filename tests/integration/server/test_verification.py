"""Email verification: codes, their limits, sessions, and a change of address."""

from __future__ import annotations

from typing import TYPE_CHECKING

import escrowkit
from escrowkit import bearer
from otpkeep.errors import MailDeliveryError
from otpkeep.protocol.errors import ErrorCode
from otpkeep.server.mail.sender import OutboxSender
from service_harness import mail_text

if TYPE_CHECKING:
    import httpx

    from service_harness import ServiceFactory, ServiceHarness


def start(
    service: ServiceHarness,
    email: str,
    purpose: str = "enable",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return service.client.post(
        "/v1/verifications",
        json={"email": email, "purpose": purpose, "device_name": "phone"},
        headers=headers or {},
    )


def confirm(
    service: ServiceHarness, verification_id: str, code: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return service.client.post(
        f"/v1/verifications/{verification_id}/confirm", json={"code": code}, headers=headers or {}
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_start_answers_the_same_for_known_and_unknown_addresses(service: ServiceHarness) -> None:
    """Starting answers 202 with the same fields whether or not the address has a backup."""
    escrowkit.enabled(service, "known@example.com")
    known = start(service, "known@example.com", "transfer")
    unknown = start(service, "stranger@example.com", "transfer")
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json())
    assert known.json()["expires_in"] == unknown.json()["expires_in"] == 600
    assert service.code("stranger@example.com").isdigit()


def test_a_code_for_an_address_without_a_backup_grants_a_setup_session(
    service: ServiceHarness,
) -> None:
    """The right code for a new address gives a setup session: it may set the first passcode
    and nothing else, whatever purpose was asked."""
    started = start(service, "Alice@Example.com").json()
    granted = confirm(service, started["verification_id"], service.code("alice@example.com"))
    assert granted.status_code == 200
    body = granted.json()
    assert body["scope"] == "setup"
    assert body["email"] == "alice@example.com"
    assert body["has_passcode"] is False
    assert body["backup_version"] is None
    devices = service.client.get("/v1/devices", headers=bearer(body["session_token"]))
    assert devices.status_code == 403
    assert devices.json()["error"]["code"] == ErrorCode.SESSION_SCOPE


def test_a_code_for_an_address_with_a_backup_grants_a_recovery_session(
    service: ServiceHarness,
) -> None:
    """The right code, for transfer or for enable, gives a recovery session when a passcode
    exists: it sees that the passcode exists and may not read the backup."""
    escrowkit.enabled(service, "bob@example.com")
    for purpose in ("transfer", "enable"):
        granted = service.verify("bob@example.com", purpose)
        assert granted["scope"] == "recovery"
        assert granted["has_passcode"] is True
        assert granted["backup_version"] is None
        backup = service.client.get("/v1/backup", headers=bearer(granted["session_token"]))
        assert backup.status_code == 403
        assert backup.json()["error"]["code"] == ErrorCode.SESSION_SCOPE


def test_transfer_for_an_address_without_backup_has_no_tries_to_spend(
    service: ServiceHarness,
) -> None:
    """Transfer for an unknown address still verifies, as a setup session: it has no
    passcode to try, so recovery is refused as outside its scope."""
    granted = service.verify("nobody@example.com", "transfer")
    assert granted["has_passcode"] is False
    assert granted["scope"] == "setup"
    device = escrowkit.Device(service.client, granted["session_token"], granted["account_id"])
    answer, _ = device.evaluate("1234")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE


def test_wrong_code_counts_down_and_five_void_it(service: ServiceHarness) -> None:
    """Each wrong code says how many tries are left; after five the right one is refused."""
    verification_id = start(service, "carol@example.com").json()["verification_id"]
    code = service.code("carol@example.com")
    for left in range(4, -1, -1):
        answer = confirm(service, verification_id, wrong(code))
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == ErrorCode.VERIFICATION_FAILED
        assert answer.json()["error"]["details"]["attempts_left"] == left
    answer = confirm(service, verification_id, code)
    assert answer.status_code == 410
    assert answer.json()["error"]["code"] == ErrorCode.VERIFICATION_EXPIRED


def test_code_works_once(service: ServiceHarness) -> None:
    """A code that verified once is refused the second time."""
    verification_id = start(service, "dan@example.com").json()["verification_id"]
    code = service.code("dan@example.com")
    assert confirm(service, verification_id, code).status_code == 200
    again = confirm(service, verification_id, code)
    assert again.status_code == 410
    assert again.json()["error"]["code"] == ErrorCode.VERIFICATION_EXPIRED


def test_code_expires_after_ten_minutes(service: ServiceHarness) -> None:
    """A code entered after its lifetime is refused as expired."""
    verification_id = start(service, "erin@example.com").json()["verification_id"]
    code = service.code("erin@example.com")
    service.clock.advance(601)
    answer = confirm(service, verification_id, code)
    assert answer.status_code == 410


def test_unknown_verification_is_refused(service: ServiceHarness) -> None:
    """A verification id the service never issued is verification_failed."""
    answer = confirm(service, "00000000-0000-4000-8000-000000000000", "123456")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == ErrorCode.VERIFICATION_FAILED


def test_malformed_code_is_invalid_request(service: ServiceHarness) -> None:
    """A code that is not six digits is refused before any try is spent."""
    verification_id = start(service, "fay@example.com").json()["verification_id"]
    answer = confirm(service, verification_id, "12ab56")
    assert answer.status_code == 422


def test_at_most_five_sends_an_hour_per_address_and_client(service_factory: ServiceFactory) -> None:
    """The sixth code within an hour for one address from one client is rate_limited, with
    Retry-After and a sentence that says when; another address is not held up."""
    service = service_factory(max_sends_per_address_client_per_hour=5)
    for _ in range(5):
        assert start(service, "gus@example.com").status_code == 202
    limited = start(service, "GUS@example.com")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == ErrorCode.RATE_LIMITED
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    assert "try again in" in limited.json()["error"]["message"]
    assert start(service, "other@example.com").status_code == 202
    service.clock.advance(3601)
    assert start(service, "gus@example.com").status_code == 202


def test_at_most_five_sends_an_hour_per_client_address(service_factory: ServiceFactory) -> None:
    """One client address can ask for five codes an hour, whatever the addresses."""
    service = service_factory(max_sends_per_client_per_hour=5)
    for number in range(5):
        assert start(service, f"user{number}@example.com").status_code == 202
    limited = start(service, "user9@example.com")
    assert limited.status_code == 429
    assert service.mails("user9@example.com") == []


def test_change_email_needs_a_full_session(service: ServiceHarness) -> None:
    """Starting a change of address without a device that holds the backup is refused."""
    answer = start(service, "new@example.com", "change_email")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE
    assert service.mails("new@example.com") == []


def test_change_email_moves_the_account_and_tells_the_old_address(service: ServiceHarness) -> None:
    """After verifying the new address the account uses it; the old address is told, with
    a link that undoes the change."""
    device = escrowkit.enabled(service, "old@example.com")
    proof = device.possession("change_email", "new@example.com")
    changed = service.verify(
        "new@example.com", "change_email", token=device.token, possession=proof
    )
    assert changed == {"email": "new@example.com"}
    assert "email_changed_old" in service.templates("old@example.com")
    old_mail = mail_text(service.mails("old@example.com")[-1])
    assert "new@example.com" in old_mail
    assert "/e/" in old_mail
    assert "email_changed_new" in service.templates("new@example.com")
    transfer = service.verify("new@example.com", "transfer")
    assert transfer["account_id"] == str(device.account_id)
    assert transfer["has_passcode"] is True
    kinds = [
        event["kind"]
        for event in service.client.get("/v1/events", headers=device.headers).json()["events"]
    ]
    assert "email_changed" in kinds


def test_change_email_to_the_current_address_says_so(service: ServiceHarness) -> None:
    """Asking to change to the address the backup already has sends nothing and says so."""
    device = escrowkit.enabled(service, "same@example.com")
    answer = start(service, "Same@Example.com", "change_email", device.headers)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == ErrorCode.EMAIL_UNCHANGED
    assert service.templates("same@example.com").count("verification_code") == 1


def test_change_email_to_an_address_in_use_is_refused(service: ServiceHarness) -> None:
    """A change to an address another account has is email_in_use; nothing changes."""
    device = escrowkit.enabled(service, "first@example.com")
    escrowkit.device(service, "taken@example.com")
    headers = device.headers
    proved = device.proved("change_email", "taken@example.com")
    verification_id = start(service, "taken@example.com", "change_email", proved).json()[
        "verification_id"
    ]
    answer = confirm(service, verification_id, service.code("taken@example.com"), headers)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == ErrorCode.EMAIL_IN_USE
    export = service.client.get("/v1/account/export", headers=headers).json()
    assert export["email"] == "first@example.com"


def test_change_email_code_needs_the_requesting_session(service: ServiceHarness) -> None:
    """Another session cannot confirm a change of address it did not ask for."""
    device = escrowkit.enabled(service, "owner@example.com")
    other = escrowkit.device(service, "intruder@example.com")
    proved = device.proved("change_email", "mine@example.com")
    verification_id = start(service, "mine@example.com", "change_email", proved).json()[
        "verification_id"
    ]
    answer = confirm(service, verification_id, service.code("mine@example.com"), other.headers)
    assert answer.status_code == 401


def test_a_code_alone_mails_nothing_but_the_code(service: ServiceHarness) -> None:
    """Verifying an address mails the code and nothing else: what a mailbox session does
    afterwards (a try, a transfer) is what the owner is told about."""
    escrowkit.enabled(service, "hank@example.com")
    before = len(service.templates("hank@example.com"))
    service.verify("hank@example.com", "transfer", device_name="tablet")
    assert service.templates("hank@example.com")[before:] == ["verification_code"]


def test_the_verification_mail_names_its_purpose_and_has_a_button(service: ServiceHarness) -> None:
    """The subject says what the code is for; the HTML part has a button, not a bare URL."""
    start(service, "ivy@example.com", "transfer")
    [mail] = service.mails("ivy@example.com")
    assert mail["Subject"] == "Your otpkeep code to transfer your accounts"
    html = mail_text(mail, "html")
    assert ">Open otpkeep</a>" in html
    link = service.link("ivy@example.com")
    assert f">{link}<" not in html


class RefusingMailer:
    """A mail server that refuses every message for good (an address that does not exist)."""

    def send(self, message: object) -> None:
        del message
        raise MailDeliveryError("550 no such user", permanent=True)


def delivery(service: ServiceHarness, verification_id: str) -> httpx.Response:
    return service.client.get(f"/v1/verifications/{verification_id}/delivery")


def test_the_delivery_of_a_code_is_queued_then_sent(service: ServiceHarness) -> None:
    """The device that asked for a code can tell whether the mail server took the mail."""
    started = start(service, "jay@example.com").json()
    queued = delivery(service, started["verification_id"])
    assert queued.status_code == 200
    assert queued.json() == {"delivery": "queued", "attempts": 0}
    service.deliver()
    assert delivery(service, started["verification_id"]).json()["delivery"] == "sent"


def test_a_code_whose_mail_was_refused_reads_as_failed(service: ServiceHarness) -> None:
    """A mail the server refused for good is ``failed``: no code will arrive."""
    started = start(service, "nobody@example.com").json()
    runtime = service.app.state.runtime
    OutboxSender(
        runtime.engine,
        RefusingMailer(),
        key=runtime.keys.outbox,
        mail_from=service.settings.mail_from,
        clock=service.clock,
    ).drain()
    answer = delivery(service, started["verification_id"]).json()
    assert answer == {"delivery": "failed", "attempts": 1}


def test_the_delivery_of_an_unknown_verification_is_not_found(service: ServiceHarness) -> None:
    """An id no verification has is 404, with a stable code."""
    answer = delivery(service, "00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == ErrorCode.NOT_FOUND


def test_an_emailed_link_gives_the_app_its_code_once(service: ServiceHarness) -> None:
    """The http link of the mail, pasted into the app, gives the verification and code; once
    the code is used the link is spent; a link this service did not make is unknown."""
    started = start(service, "kim@example.com").json()
    token = service.link("kim@example.com").rsplit("/v/", 1)[1]
    opened = service.client.post("/v1/verifications/link", json={"token": token})
    assert opened.status_code == 200
    assert opened.json() == {
        "verification_id": started["verification_id"],
        "code": service.code("kim@example.com"),
    }
    granted = confirm(service, started["verification_id"], opened.json()["code"])
    assert granted.status_code == 200
    spent = service.client.post("/v1/verifications/link", json={"token": token})
    assert spent.status_code == 410
    assert spent.json()["error"]["code"] == ErrorCode.VERIFICATION_EXPIRED
    forged = service.client.post("/v1/verifications/link", json={"token": token[:-4] + "AAAA"})
    assert forged.status_code == 404
    assert forged.json()["error"]["code"] == ErrorCode.NOT_FOUND


def test_a_device_is_renamed_by_the_account_only(service: ServiceHarness) -> None:
    """A full session with a proof for the name renames the account's devices; another
    account's device is not found; a name with a control character is refused at the wire."""
    owner = escrowkit.enabled(service, "lee@example.com", name="phone")
    other = escrowkit.enabled(service, "max@example.com", name="laptop")

    def rename(device_id: object, name: str) -> httpx.Response:
        proof = owner.possession("rename_device", f"{device_id} {name}")
        return service.client.patch(
            f"/v1/devices/{device_id}",
            json={"name": name},
            headers={**bearer(owner.token), "Otpkeep-Possession": proof},
        )

    renamed = rename(owner.session_id, "Lee's phone")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Lee's phone"
    listed = service.client.get("/v1/devices", headers=bearer(owner.token)).json()["devices"]
    assert [d["name"] for d in listed] == ["Lee's phone"]
    foreign = rename(other.session_id, "mine now")
    assert foreign.status_code == 404
    control = service.client.patch(
        f"/v1/devices/{owner.session_id}", json={"name": "a\u0000b"}, headers=bearer(owner.token)
    )
    assert control.status_code == 422
    assert control.json()["error"]["code"] == ErrorCode.INVALID_REQUEST
