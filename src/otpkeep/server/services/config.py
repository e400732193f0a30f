"""``GET /v1/config``: what the service publishes of its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.protocol.messages import Limits, PasscodePolicy, ServiceConfig, VerificationPolicy
from otpkeep.server.services.kdf import default_kdf

if TYPE_CHECKING:
    from otpkeep.server.settings import Settings


def service_config(settings: Settings) -> ServiceConfig:
    """What ``GET /v1/config`` answers for ``settings``."""
    return ServiceConfig(
        ecosystem=settings.ecosystem,
        passcode=PasscodePolicy(
            min_length=settings.passcode_min_length, max_length=settings.passcode_max_length
        ),
        verification=VerificationPolicy(
            code_lifetime_seconds=settings.code_lifetime_seconds,
            max_attempts=settings.code_max_attempts,
            max_sends_per_hour=settings.max_sends_per_hour,
        ),
        kdf=default_kdf(settings),
        limits=Limits(
            max_backup_bytes=settings.max_backup_bytes,
            versions_kept=settings.versions_kept,
            recovery_tries=settings.recovery_tries,
        ),
    )
