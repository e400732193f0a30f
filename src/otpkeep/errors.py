"""The whole exception tree of otpkeep.

Every error a person can cause is an :class:`OtpkeepError` whose ``str()`` is one
sentence written for that person: what happened and, where it helps, what to do
next. Foreign errors (``binascii.Error``, ``sqlalchemy`` errors, ``httpx`` errors,
...) are translated once, where they enter, with ``raise ... from exc``; the
command line and the terminal app print ``str(error)`` and exit non-zero, never a
traceback.

Messages never contain a secret, a passcode, a code or a token.

::

    OtpkeepError
    ├── InvalidInputError              bad input from a person or a file
    │   ├── InvalidAccountError        issuer/name/secret/algorithm/digits/period out of range
    │   ├── InvalidURIError            an otpauth:// or otpauth-migration:// URI that does not parse
    │   ├── InvalidImageError          an image that cannot be read or holds no QR code
    │   ├── ImportFormatError          an export file that is not of a known format, or is damaged
    │   ├── WrongPasswordError         the password of an encrypted export file is wrong
    │   ├── WeakPasscodeError          a passcode the policy refuses (``reason`` says why)
    │   └── AmbiguousQueryError        a query that names several accounts where one is needed
    ├── NotFoundError                  a query, version or device that names nothing
    ├── VaultError                     the device's vault
    │   ├── VaultCorruptError          damaged, truncated or foreign file: never overwritten
    │   ├── VaultLockedError           another process holds the vault for too long
    │   └── DeviceKeyError             the device key is missing or does not open the vault
    ├── CryptoError
    │   ├── DecryptionError            every failure to open sealed data: one opaque error
    │   ├── InvalidElementError        a non-canonical, invalid or identity group element
    │   ├── InvalidParameterError      a key, seed, scalar or KDF parameter out of range
    │   └── CryptoBackendError         a crypto library is missing (says what to install)
    ├── ProtocolError                  a wire message that does not decode
    ├── ServiceError                   talking to the backup service (device side)
    │   ├── ServiceUnavailableError    cannot reach it, or it answered 5xx
    │   ├── InsecureServiceURLError    http:// to a host that is not loopback
    │   └── ServiceRefusal             the service refused; ``code`` is its protocol ErrorCode
    ├── BackupError                    device-side backup flows (gate closed, not enabled, ...)
    │   └── DamagedBackupError         a backup version that does not decrypt or parse
    ├── MailDeliveryError              the mail server did not take a message (service side)
    └── ConfigurationError             a setting that cannot work (server or device)
        └── SeedError                  the vault seed is missing or does not match the database
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: `otpkeep code` imports this module and not typing
if TYPE_CHECKING:
    import enum


class OtpkeepError(Exception):
    """The root of every error otpkeep raises on purpose; ``str()`` is for people.

    ``action`` (an ``otpkeep.device.actions.Action``) names what the person can do about
    it; the sentence itself names no command or screen, and each front end words the
    action its own way after it (``otpkeep.cli.wording``, ``otpkeep.tui.wording``).
    """

    action: enum.StrEnum | None = None

    def __init__(self, message: str, *, action: enum.StrEnum | None = None) -> None:
        super().__init__(message)
        self.message = message
        if action is not None:
            self.action = action

    def __str__(self) -> str:
        return self.message


class InvalidInputError(OtpkeepError):
    """Input from a person or a file that otpkeep cannot accept."""


class InvalidAccountError(InvalidInputError):
    """An account field (issuer, name, secret, algorithm, digits, period, counter) is invalid."""


class InvalidURIError(InvalidInputError):
    """An ``otpauth://`` or ``otpauth-migration://`` URI that does not parse."""


class InvalidImageError(InvalidInputError):
    """An image that cannot be read, or that holds no QR code."""


class ImportFormatError(InvalidInputError):
    """An export file of an unknown format, or a damaged one."""


class WrongPasswordError(InvalidInputError):
    """The password of an encrypted export file does not open it."""


class WeakPasscodeError(InvalidInputError):
    """A passcode the policy refuses; ``reason`` is the sentence shown to the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AmbiguousQueryError(InvalidInputError):
    """A query that matches several accounts where exactly one is needed."""

    def __init__(self, message: str, matches: list[str]) -> None:
        super().__init__(message)
        self.matches = matches


class NotFoundError(OtpkeepError):
    """A query, backup version or device that names nothing."""


class VaultError(OtpkeepError):
    """A problem with the device's encrypted vault."""


class VaultCorruptError(VaultError):
    """The vault file is damaged, truncated or not a vault; it is never overwritten."""


class VaultLockedError(VaultError):
    """Another process holds the vault's lock for longer than we wait."""


class DeviceKeyError(VaultError):
    """The device key is missing, or it does not open the vault."""


class CryptoError(OtpkeepError):
    """A failure in the cryptographic layer."""


class DecryptionError(CryptoError):
    """Sealed data could not be opened. Deliberately says nothing about why."""

    def __init__(self, message: str = "The data could not be decrypted.") -> None:
        super().__init__(message)


class InvalidElementError(CryptoError, ValueError):
    """A group element that is non-canonical, invalid, or the identity."""


class InvalidParameterError(CryptoError, ValueError):
    """A key, seed, scalar or KDF parameter of the wrong size or out of range."""


class CryptoBackendError(CryptoError):
    """A cryptographic library is missing or too old; the message says what to install."""


class ProtocolError(OtpkeepError):
    """A wire message that does not decode."""


class ServiceError(OtpkeepError):
    """A problem talking to the backup service."""


class ServiceUnavailableError(ServiceError):
    """The service cannot be reached, timed out, or answered with a server error."""


class InsecureServiceURLError(ServiceError):
    """A plain ``http://`` service URL for a host that is not loopback."""


class ServiceRefusal(ServiceError):  # noqa: N818 - a refusal is an answer, not a crash
    """The service refused a request (the device's side of it).

    ``code`` is the stable ``otpkeep.protocol.errors.ErrorCode`` it answered with (None
    for a code this version does not know; typed as its base here, which sits below the
    protocol); the message is the device's own
    sentence for it, never the service's. The service's own refusal type is
    ``otpkeep.server.errors.Refusal``.
    """

    def __init__(  # noqa: PLR0913 - what a refusal carries, each by keyword
        self,
        code: enum.StrEnum | None,
        message: str,
        *,
        status: int = 400,
        retry_after: float | None = None,
        details: dict[str, object] | None = None,
        action: enum.StrEnum | None = None,
    ) -> None:
        super().__init__(message, action=action)
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.details = details or {}


class BackupError(OtpkeepError):
    """A device-side backup flow cannot go on (the gate is closed, backup is off, ...)."""


class DamagedBackupError(BackupError):
    """A backup version that does not decrypt or does not parse; ``version`` names it
    (None while it is not known yet)."""

    def __init__(
        self, message: str, *, version: int | None = None, action: enum.StrEnum | None = None
    ) -> None:
        super().__init__(message, action=action)
        self.version = version


class MailDeliveryError(OtpkeepError):
    """The mail server did not take a message; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ConfigurationError(OtpkeepError):
    """A setting that cannot work."""


class SeedError(ConfigurationError):
    """The service's vault seed is missing, or does not match the database."""
