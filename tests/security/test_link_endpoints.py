"""The two verification endpoints that need no session give nothing to a stranger.

``GET /v1/verifications/{id}/delivery`` says what became of a code's email, to whoever
started the verification (it holds the verification's random id); ``POST
/v1/verifications/link`` turns an emailed link into its code, for the app it is pasted
in. Attacked here: the delivery answer never carries the code; the link endpoint opens
only a token the service mailed, whole and unaltered, once; neither puts a token or a
code in the service's log.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    import pytest

    from conftest import Target

EMAIL = "owner@example.com"


def _token(link: str) -> str:
    return link.rsplit("/v/", 1)[1]


def test_the_delivery_answer_never_holds_the_code(target: Target) -> None:
    http = target.client()
    started = http.post("/v1/verifications", json={"email": EMAIL, "purpose": "enable"})
    assert started.status_code == 202
    verification_id = started.json()["verification_id"]
    code = target.harness.code(EMAIL)  # delivers the mail
    answer = http.get(f"/v1/verifications/{verification_id}/delivery")
    assert answer.status_code == 200
    assert code not in answer.text
    guessed = http.get(f"/v1/verifications/{uuid.uuid4()}/delivery")
    assert guessed.status_code == 404
    assert guessed.json()["error"]["code"] == ErrorCode.NOT_FOUND


def test_only_the_mailed_token_whole_opens_a_link_and_only_once(
    target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    http = target.client()
    started = http.post("/v1/verifications", json={"email": EMAIL, "purpose": "enable"})
    assert started.status_code == 202
    code = target.harness.code(EMAIL)
    token = _token(target.harness.link(EMAIL))
    altered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the seal's tag, or spare bits
        ("A" if token[0] != "A" else "B") + token[1:],  # its header
        token[: len(token) // 2]
        + ("A" if token[len(token) // 2] != "A" else "B")
        + token[len(token) // 2 + 1 :],  # the sealed code
        token[:-8],  # cut short
    ]
    with caplog.at_level(logging.INFO):
        for forged in altered:
            answer = http.post("/v1/verifications/link", json={"token": forged})
            assert answer.status_code in {404, 422}, answer.text
            assert code not in answer.text
        opened = http.post("/v1/verifications/link", json={"token": token})
        assert opened.status_code == 200
        assert opened.json()["code"] == code
        confirmed = http.post(
            f"/v1/verifications/{opened.json()['verification_id']}/confirm", json={"code": code}
        )
        assert confirmed.status_code == 200
        again = http.post("/v1/verifications/link", json={"token": token})
        assert again.status_code == 410
        assert again.json()["error"]["code"] == ErrorCode.VERIFICATION_EXPIRED
        assert code not in again.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert token[:16] not in logged
    assert f"    {code}" not in logged
