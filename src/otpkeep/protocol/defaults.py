"""The operator defaults both sides start from: passcode policy, verification, KDF, limits.

The service's settings take their defaults from here, and a device that has not yet
reached its service (or cannot reach it) uses the same values; the service's
``GET /v1/config`` then says what its operator chose. The ecosystem's default is in
:mod:`otpkeep.protocol.ecosystem`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from otpkeep.crypto.kdf import KdfParams
from otpkeep.protocol.messages import Limits, PasscodePolicy, ServiceConfig, VerificationPolicy

if TYPE_CHECKING:
    from collections.abc import Iterable

    from otpkeep.protocol.messages import EcosystemMember

PASSCODE: Final = PasscodePolicy()
VERIFICATION: Final = VerificationPolicy()
KDF: Final = KdfParams()
"""Argon2id at RFC 9106's second recommended option: 64 MiB, three passes, one lane."""
LIMITS: Final = Limits(max_backup_bytes=1024 * 1024, versions_kept=10, recovery_tries=10)


def config(ecosystem: Iterable[EcosystemMember]) -> ServiceConfig:
    """The configuration a service with every default publishes, for ``ecosystem``."""
    return ServiceConfig(
        ecosystem=list(ecosystem),
        passcode=PASSCODE,
        verification=VERIFICATION,
        kdf=KDF,
        limits=LIMITS,
    )
