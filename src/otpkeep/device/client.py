"""The backup service's HTTP API as the device speaks it: one method per endpoint.

Every foreign error is translated here, once: a failure to connect, a timeout or a
5xx answer becomes :class:`ServiceUnavailableError`; a refusal becomes
:class:`ServiceRefusal` carrying the stable protocol code and a sentence of our own (never
the service's message). Only idempotent calls (GET, DELETE) are retried.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
import pydantic

from otpkeep.device.actions import Action
from otpkeep.device.address import check_service_url
from otpkeep.errors import (
    InvalidInputError,
    ProtocolError,
    ServiceRefusal,
    ServiceUnavailableError,
)
from otpkeep.protocol import endpoints as e
from otpkeep.protocol import messages as m
from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.errors import EndReason, ErrorCode

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable

    from otpkeep.protocol.endpoints import Endpoint

T = TypeVar("T", bound=pydantic.BaseModel)

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
RETRY_DELAYS = (0.2, 0.6)
USER_AGENT = "otpkeep-device/1"

_SENTENCES: dict[ErrorCode | None, str] = {
    ErrorCode.UNAUTHORIZED: "This device is not signed in to the backup service.",
    ErrorCode.SESSION_EXPIRED: "This device's session with the backup service has expired.",
    ErrorCode.SESSION_ENDED: "This device's session with the backup service has ended.",
    ErrorCode.SESSION_SCOPE: "This device's session cannot do that yet: finish the transfer first.",
    ErrorCode.RATE_LIMITED: "Too many codes were asked for.",
    ErrorCode.EMAIL_UNCHANGED: "That is already the backup's address.",
    ErrorCode.PASSCODE_EXISTS: "This address already has a backup.",
    ErrorCode.REQUEST_TOO_LARGE: "The request is larger than the service accepts.",
    ErrorCode.METHOD_NOT_ALLOWED: "The service does not accept that request.",
    ErrorCode.VERIFICATION_FAILED: "That code is not right: check the email and try again.",
    ErrorCode.VERIFICATION_EXPIRED: "That code has expired or was entered wrong too often.",
    ErrorCode.EMAIL_IN_USE: "That email address is already used for another backup.",
    ErrorCode.PASSCODE_NOT_SET: "No backup passcode is set for this address yet.",
    ErrorCode.POSSESSION_PROOF_INVALID: "This device does not hold the backup's key, "
    "so it cannot change the passcode.",
    ErrorCode.REGISTRATION_EXPIRED: "The passcode change took too long: try again.",
    ErrorCode.KEY_VERSION_CONFLICT: "The passcode was changed from another device at the "
    "same time: try again.",
    ErrorCode.PASSCODE_INCORRECT: "The passcode is not right.",
    ErrorCode.RECOVERY_WAIT: "Too many wrong passcodes: wait before the next try.",
    ErrorCode.ATTEMPT_EXPIRED: "The passcode check took too long: try again.",
    ErrorCode.NO_BACKUP: "There is no backup for this address.",
    ErrorCode.BACKUP_CONFLICT: "The backup changed on the service in the meantime.",
    ErrorCode.PRECONDITION_REQUIRED: "The service needs the backup version to update it.",
    ErrorCode.BACKUP_TOO_LARGE: "The backup is larger than the service accepts.",
    ErrorCode.NOT_FOUND: "The service does not know that item.",
    ErrorCode.INVALID_REQUEST: "The service refused the request as malformed.",
}


def _retry_after(response: httpx.Response, details: dict[str, Any]) -> float | None:
    for raw in (response.headers.get("Retry-After"), details.get("retry_after")):
        if raw is None:
            continue
        try:
            return max(0.0, float(raw))
        except (TypeError, ValueError):
            continue
    return None


_ACTIONS: dict[ErrorCode | None, Action] = {
    ErrorCode.UNAUTHORIZED: Action.RECONNECT,
    ErrorCode.SESSION_ENDED: Action.RECONNECT,
    ErrorCode.SESSION_SCOPE: Action.TRANSFER,
    ErrorCode.PASSCODE_EXISTS: Action.TRANSFER,
    ErrorCode.VERIFICATION_EXPIRED: Action.RESEND_CODE,
    ErrorCode.NO_BACKUP: Action.ENABLE_BACKUP,
}
"""What the person can do about a refusal (see :class:`otpkeep.device.actions.Action`)."""

_KNOWN = frozenset(code.value for code in ErrorCode)

_ENDED: dict[str, tuple[str, Action]] = {
    EndReason.REVOKED: (
        "This device was removed from the backup by another of your devices.",
        Action.RECONNECT,
    ),
    EndReason.REPLACED: ("This device's session was replaced by a newer one.", Action.RECONNECT),
    EndReason.BACKUP_DELETED: (
        "The backup was deleted, from this device or another one, and backup is off.",
        Action.ENABLE_BACKUP,
    ),
    EndReason.BACKUP_DESTROYED: (
        "The backup was destroyed after too many wrong passcodes, and backup is off.",
        Action.ENABLE_BACKUP,
    ),
    EndReason.EMAIL_CHANGE_UNDONE: (
        (
            "The backup's previous address undid this device's change of address, and signed "
            "this device out."
        ),
        Action.RECONNECT,
    ),
}


def in_words(seconds: float) -> str:
    """A wait as a person says it: ``40 seconds``, ``3 minutes``, ``2 hours``."""
    if seconds < 60:
        whole = max(1, round(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _etag_version(response: httpx.Response) -> int:
    tag = response.headers.get("ETag", "").removeprefix("W/").strip('"')
    try:
        return int(tag)
    except ValueError:
        raise ProtocolError("The service sent a backup without a valid version.") from None


class ServiceClient:
    """A client for one service; the session token, when set, authenticates each call.

    Two hooks let the device's session keep up with the service: ``renew`` is called
    when the service says the session's life ran out but it may be renewed (it returns
    the new token, and the request is sent again once), and ``heard`` with every
    refusal before it is raised (a session that ended is remembered with its reason).
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        token: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        owned: bool = False,
    ) -> None:
        self._http = http
        self.token = token
        self._sleep = sleep
        self._owned = owned
        self.renew: Callable[[ServiceClient], str | None] | None = None
        self.heard: Callable[[ServiceClient, ServiceRefusal], None] | None = None

    @classmethod
    def connect(
        cls, url: str, *, token: str | None = None, timeout: httpx.Timeout = TIMEOUT
    ) -> Self:
        """A client for ``url`` (checked: https, or http to loopback), verifying TLS.

        ``timeout``: how long to wait for the service (a client for the upload after a
        command gives up on connecting sooner than a flow's).
        """
        base = check_service_url(url)
        http = httpx.Client(
            base_url=base,
            timeout=timeout,
            verify=True,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )
        return cls(http, token=token, owned=True)

    @property
    def base_url(self) -> str:
        """The service's address, for messages."""
        return str(self._http.base_url).rstrip("/")

    def close(self) -> None:
        """Close the connections (of an HTTP client this object made; a given one stays open)."""
        if self._owned:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: pydantic.BaseModel | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return self._send_once(method, path, json=json, content=content, headers=headers)
        except ServiceRefusal as refusal:
            renew, self.renew = self.renew, None  # one renewal, and none from within it
            try:
                if (
                    renew is not None
                    and refusal.code is ErrorCode.SESSION_EXPIRED
                    and refusal.details.get("renewable") is True
                    and renew(self)
                ):
                    return self._send_once(
                        method, path, json=json, content=content, headers=headers
                    )
            except ServiceRefusal as again:
                refusal = again
            finally:
                self.renew = renew
            if self.heard is not None:
                self.heard(self, refusal)
            raise refusal from None

    def _send_once(
        self,
        method: str,
        path: str,
        *,
        json: pydantic.BaseModel | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        body = json.model_dump(mode="json") if json is not None else None
        idempotent = method in {"GET", "DELETE"}
        delays = RETRY_DELAYS if idempotent else ()
        for attempt in range(len(delays) + 1):
            try:
                response = self._http.request(
                    method, path, json=body, content=content, headers=all_headers
                )
            except httpx.TransportError as exc:
                if attempt < len(delays):
                    self._sleep(delays[attempt])
                    continue
                raise ServiceUnavailableError(
                    f"Cannot reach the backup service at {self.base_url}: check the "
                    "connection and the service's address, then try again."
                ) from exc
            if response.status_code in {502, 503, 504} and attempt < len(delays):
                self._sleep(delays[attempt])
                continue
            return self._checked(response)
        raise AssertionError  # pragma: no cover - the loop always returns or raises

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        try:
            detail = m.ErrorBody.model_validate_json(response.content).error
        except pydantic.ValidationError:
            detail = None
        if detail is None or response.status_code >= 500:
            raise ServiceUnavailableError(
                f"The backup service at {self.base_url} had a problem "
                f"(HTTP {response.status_code}): try again later."
            )
        code = ErrorCode(detail.code) if detail.code in _KNOWN else None
        sentence = _SENTENCES.get(code, "The backup service refused the request.")
        action = _ACTIONS.get(code)
        if code is ErrorCode.SESSION_ENDED:
            sentence, action = _ENDED.get(str(detail.details.get("reason")), (sentence, action))
        retry_after = _retry_after(response, detail.details)
        if retry_after and code in {ErrorCode.RATE_LIMITED, ErrorCode.RECOVERY_WAIT}:
            sentence = f"{sentence.rstrip('.')}: try again in {in_words(retry_after)}."
        raise ServiceRefusal(
            code,
            sentence,
            status=response.status_code,
            retry_after=retry_after,
            details=dict(detail.details),
            action=action,
        )

    def _model(self, model: type[T], response: httpx.Response) -> T:
        try:
            return model.model_validate_json(response.content)
        except pydantic.ValidationError:
            raise ProtocolError(
                f"The backup service at {self.base_url} sent an answer this app does not "
                "understand: is the address right?"
            ) from None

    # --- endpoints -----------------------------------------------------------------

    def _call(
        self,
        endpoint: Endpoint,
        *,
        json: pydantic.BaseModel | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        **parameters: object,
    ) -> httpx.Response:
        return self._send(
            endpoint.method, endpoint.url(**parameters), json=json, content=content, headers=headers
        )

    def config(self) -> m.ServiceConfig:
        """``GET /v1/config``."""
        return self._model(m.ServiceConfig, self._call(e.CONFIG))

    def start_verification(
        self,
        email: str,
        purpose: m.Purpose,
        device_name: str = "",
        *,
        possession: str | None = None,
    ) -> m.VerificationStarted:
        """``POST /v1/verifications``: the service emails a code (or says nothing)."""
        try:
            request = m.VerificationStart(email=email, purpose=purpose, device_name=device_name)
        except pydantic.ValidationError:
            raise InvalidInputError(
                "That is not a valid email address: write it as name@example.com."
            ) from None
        headers = {e.POSSESSION_HEADER: possession} if possession else None
        response = self._call(e.START_VERIFICATION, json=request, headers=headers)
        return self._model(m.VerificationStarted, response)

    def verification_delivery(self, verification_id: uuid.UUID) -> m.VerificationDelivery:
        """``GET /v1/verifications/{id}/delivery``: whether the code's mail went out."""
        response = self._call(e.VERIFICATION_DELIVERY, verification_id=verification_id)
        return self._model(m.VerificationDelivery, response)

    def open_link(self, token: str) -> m.VerificationLink:
        """``POST /v1/verifications/link``: the verification and code of an emailed link."""
        try:
            request = m.LinkOpen(token=token)
        except pydantic.ValidationError:
            raise InvalidInputError(
                "That link is not whole: copy all of it from the email, or enter the code."
            ) from None
        return self._model(m.VerificationLink, self._call(e.OPEN_LINK, json=request))

    def _confirm(self, verification_id: uuid.UUID, code: str) -> httpx.Response:
        try:
            request = m.VerificationConfirm(code=code.strip())
        except pydantic.ValidationError:
            raise InvalidInputError(
                f"The code is {m.CODE_LENGTH} digits: check the email and try again."
            ) from None
        return self._call(e.CONFIRM_VERIFICATION, json=request, verification_id=verification_id)

    def confirm_session(self, verification_id: uuid.UUID, code: str) -> m.SessionGranted:
        """Confirm an enable or transfer verification: a mailbox session."""
        return self._model(m.SessionGranted, self._confirm(verification_id, code))

    def confirm_email_change(self, verification_id: uuid.UUID, code: str) -> m.EmailChanged:
        """Confirm a change of email: the new address."""
        return self._model(m.EmailChanged, self._confirm(verification_id, code))

    def possession_challenge(
        self, action: m.PossessionAction, target: str = ""
    ) -> m.PossessionChallenge:
        """``POST /v1/possession/challenge``: a challenge to sign for one action."""
        request = m.PossessionChallengeRequest(action=action, target=target)
        response = self._call(e.POSSESSION_CHALLENGE, json=request)
        return self._model(m.PossessionChallenge, response)

    def sign_in(self, possession: str) -> m.SessionGranted:
        """``POST /v1/session``: a full session in place of this one (the proof names it)."""
        response = self._call(e.SIGN_IN, headers={e.POSSESSION_HEADER: possession})
        return self._model(m.SessionGranted, response)

    def passcode_evaluate(
        self, blinded_element: bytes, *, possession: str | None = None
    ) -> m.RegistrationChallenge:
        """``POST /v1/passcode/evaluate`` under the account's next key version."""
        request = m.OprfRequest(blinded_element=blinded_element)
        headers = {e.POSSESSION_HEADER: possession} if possession else None
        response = self._call(e.REGISTRATION_EVALUATE, json=request, headers=headers)
        return self._model(m.RegistrationChallenge, response)

    def register_passcode(self, registration: m.PasscodeRegistration) -> m.PasscodeRegistered:
        """``PUT /v1/passcode``: swap in the new passcode's keys."""
        response = self._call(e.REGISTRATION_FINISH, json=registration)
        return self._model(m.PasscodeRegistered, response)

    def recovery_evaluate(self, blinded_element: bytes) -> m.RecoveryChallenge:
        """``POST /v1/recovery/evaluate``: spends one try before answering."""
        request = m.OprfRequest(blinded_element=blinded_element)
        response = self._call(e.RECOVERY_EVALUATE, json=request)
        return self._model(m.RecoveryChallenge, response)

    def recovery_proof(self, attempt_id: uuid.UUID, signature: bytes) -> m.RecoveryGranted:
        """``POST /v1/recovery/proof``: the wrapped data key when the passcode was right."""
        request = m.RecoveryProof(attempt_id=attempt_id, signature=signature)
        response = self._call(e.RECOVERY_PROOF, json=request)
        return self._model(m.RecoveryGranted, response)

    def put_backup(
        self, sealed: bytes, *, if_match: int | None, signature: bytes
    ) -> m.BackupStored:
        """``PUT /v1/backup`` over version ``if_match`` (None: only if there is none yet)."""
        condition = {"If-None-Match": "*"} if if_match is None else {"If-Match": f'"{if_match}"'}
        headers = {
            "Content-Type": e.OCTETS,
            e.SIGNATURE_HEADER: b64encode(signature),
            **condition,
        }
        response = self._call(e.UPLOAD, content=sealed, headers=headers)
        return self._model(m.BackupStored, response)

    def get_backup(self) -> tuple[int, bytes]:
        """``GET /v1/backup``: the latest version and its sealed bytes."""
        response = self._call(e.DOWNLOAD)
        return _etag_version(response), response.content

    def get_backup_version(self, version: int) -> tuple[int, bytes]:
        """``GET /v1/backup/versions/{n}``."""
        response = self._call(e.DOWNLOAD_VERSION, version=int(version))
        return _etag_version(response), response.content

    def backup_versions(self) -> m.BackupVersionList:
        """``GET /v1/backup/versions``."""
        return self._model(m.BackupVersionList, self._call(e.VERSIONS))

    def delete_backup(self, possession: str) -> None:
        """``DELETE /v1/backup``: the backup, the passcode and every version."""
        self._call(e.DELETE_BACKUP, headers={e.POSSESSION_HEADER: possession})

    def devices(self) -> m.DeviceList:
        """``GET /v1/devices``."""
        return self._model(m.DeviceList, self._call(e.DEVICES))

    def rename_device(
        self, device_id: uuid.UUID, request: m.DeviceRename, possession: str
    ) -> m.DeviceInfo:
        """``PATCH /v1/devices/{id}``; ``possession`` names the device and the new name."""
        return self._model(
            m.DeviceInfo,
            self._call(
                e.RENAME_DEVICE,
                json=request,
                headers={e.POSSESSION_HEADER: possession},
                device_id=device_id,
            ),
        )

    def revoke_device(self, device_id: uuid.UUID, possession: str) -> None:
        """``DELETE /v1/devices/{id}``."""
        self._call(e.REVOKE_DEVICE, headers={e.POSSESSION_HEADER: possession}, device_id=device_id)

    def events(self) -> m.EventList:
        """``GET /v1/events``: security events, newest first."""
        return self._model(m.EventList, self._call(e.EVENTS))

    def export(self) -> m.AccountExport:
        """``GET /v1/account/export``: everything the service holds about the account."""
        return self._model(m.AccountExport, self._call(e.EXPORT))

    def delete_account(self, possession: str) -> None:
        """``DELETE /v1/account``: everything about the account."""
        self._call(e.DELETE_ACCOUNT, headers={e.POSSESSION_HEADER: possession})
