"""The service's configuration: one pydantic-settings object, passed in explicitly.

Values come from ``OTPKEEP_*`` environment variables, then from an optional TOML file
named by ``OTPKEEP_CONFIG``, then from the defaults below, which run with no set-up
(SQLite and the seed in ``./otpkeep-data``, mail written as ``.eml`` files).

``passcode_retry_delays`` is the wait, in seconds, the service enforces after each
failed passcode try, one value per failure (the first value after the first failure,
...); failures past the end of the list use its last value; ``0`` turns waits off. The
default lets the first two failures retry at once and grows from the third one on:
30 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h (the tenth failure destroys the backup).

Codes are sent at most ``max_sends_per_address_client_per_hour`` times an hour to one
address from one client network (an IPv4 address, an IPv6 /64), each send after the
wait ``send_gaps`` gives for the ones before it (``"0,30,60"``: the second 30 s after
the first, the third a minute after the second, ...); at most ``max_sends_per_hour``
to one address from all clients together; at most ``max_sends_per_client_per_hour``
from one client network to all addresses. A stranger alone cannot use up the owner's
sends: their own network's share runs out first.

The defaults of the passcode policy, the KDF and the limits are the protocol's
(:mod:`otpkeep.protocol.defaults`), the same a device uses before it has asked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from otpkeep.errors import ConfigurationError
from otpkeep.protocol import defaults, ecosystem
from otpkeep.protocol.messages import EcosystemMember

DEFAULT_ECOSYSTEM: tuple[EcosystemMember, ...] = ecosystem.DEFAULT_ECOSYSTEM
"""The ecosystem ``/v1/config`` publishes unless the operator sets one: the same data the
device uses offline (``otpkeep.protocol.ecosystem``)."""
DEFAULT_RETRY_DELAYS = "0,0,30,60,300,900,1800,3600,7200"
DEFAULT_SEND_GAPS = "0,30,60,120,300"


class Settings(BaseSettings):
    """Everything ``otpkeep-server`` can be told; see the module docstring for the sources."""

    model_config = SettingsConfigDict(env_prefix="OTPKEEP_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("otpkeep-data")
    database_url: str | None = None
    database_pool_size: int = Field(10, ge=1, le=500)
    seed_file: Path | None = None
    mail_dir: Path | None = None
    smtp_url: SecretStr | None = None
    mail_from: str = "otpkeep <no-reply@localhost>"
    mail_delivery: Literal["inprocess", "worker"] = "inprocess"
    public_url: str = "http://127.0.0.1:8000"
    ecosystem: list[EcosystemMember] = Field(default_factory=lambda: list(DEFAULT_ECOSYSTEM))

    code_lifetime_seconds: int = Field(defaults.VERIFICATION.code_lifetime_seconds, ge=60, le=3600)
    code_max_attempts: int = Field(defaults.VERIFICATION.max_attempts, ge=1, le=20)
    max_sends_per_address_client_per_hour: int = Field(5, ge=1)
    max_sends_per_hour: int = Field(defaults.VERIFICATION.max_sends_per_hour, ge=1)
    max_sends_per_client_per_hour: int = Field(20, ge=1)
    send_gaps: str = DEFAULT_SEND_GAPS
    challenge_lifetime_seconds: int = Field(300, ge=10, le=3600)

    recovery_tries: int = Field(defaults.LIMITS.recovery_tries, ge=1, le=100)
    passcode_retry_delays: str = DEFAULT_RETRY_DELAYS
    passcode_min_length: int = Field(defaults.PASSCODE.min_length, ge=4, le=32)
    passcode_max_length: int = Field(defaults.PASSCODE.max_length, ge=4, le=64)

    kdf_memory_kib: int = Field(defaults.KDF.memory_kib, ge=8)
    kdf_iterations: int = Field(defaults.KDF.iterations, ge=1)
    kdf_lanes: int = Field(defaults.KDF.lanes, ge=1)

    max_backup_bytes: int = Field(defaults.LIMITS.max_backup_bytes, ge=1024)
    versions_kept: int = Field(defaults.LIMITS.versions_kept, ge=1)
    max_request_bytes: int = Field(64 * 1024, ge=1024, le=1024 * 1024)

    session_idle_days: int = Field(60, ge=1, le=3650)
    session_lifetime_days: int = Field(365, ge=1, le=3650)
    mailbox_session_minutes: int = Field(60, ge=5, le=24 * 60)
    email_undo_days: int = Field(7, ge=1, le=90)
    metrics_token: SecretStr | None = None

    header_timeout_seconds: int = Field(10, ge=1, le=300)
    body_timeout_seconds: int = Field(60, ge=1, le=3600)
    max_header_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024)
    max_connections: int = Field(256, ge=1, le=100_000)
    listen_backlog: int = Field(512, ge=1, le=65_535)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init arguments, then the environment, then the TOML file of ``OTPKEEP_CONFIG``."""
        del dotenv_settings, file_secret_settings
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("OTPKEEP_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @field_validator("passcode_retry_delays", "send_gaps")
    @classmethod
    def _check_delays(cls, value: str) -> str:
        parse_delays(value)
        return value

    @model_validator(mode="after")
    def _check_production(self) -> Settings:
        if self.environment != "production":
            return self
        if self.smtp_url is None:
            raise ValueError("production mode needs OTPKEEP_SMTP_URL: file mail is for development")
        if not self.public_url.startswith("https://"):
            raise ValueError(
                "production mode needs an https:// OTPKEEP_PUBLIC_URL: links in mail carry "
                "verification tokens"
            )
        seed = self.resolved_seed_file.resolve()
        if seed.is_relative_to(self.data_dir.resolve()):
            raise ValueError(
                "production mode needs OTPKEEP_SEED_FILE outside OTPKEEP_DATA_DIR: a copy of "
                "the data folder must not hold the seed too"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """``OTPKEEP_DATABASE_URL``, else a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'otpkeep.sqlite3').resolve()}"

    @property
    def resolved_seed_file(self) -> Path:
        """``OTPKEEP_SEED_FILE``, else ``vault-seed`` in the data folder."""
        return self.seed_file or self.data_dir / "vault-seed"

    @property
    def resolved_mail_dir(self) -> Path:
        """``OTPKEEP_MAIL_DIR``, else ``mail`` in the data folder."""
        return self.mail_dir or self.data_dir / "mail"

    @property
    def retry_delays(self) -> tuple[int, ...]:
        """The parsed ``passcode_retry_delays``: seconds to wait after the n-th failure."""
        return parse_delays(self.passcode_retry_delays)

    def retry_delay_after(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failed tries in a row (0: no wait)."""
        delays = self.retry_delays
        if failures <= 0:
            return 0
        return delays[min(failures, len(delays)) - 1]

    def send_gap_after(self, sends: int) -> int:
        """Seconds a client must wait after ``sends`` sends to one address in the hour."""
        gaps = parse_delays(self.send_gaps)
        if sends <= 0:
            return 0
        return gaps[min(sends, len(gaps) - 1)]


def parse_delays(text: str) -> tuple[int, ...]:
    """``"0,0,30"`` to ``(0, 0, 30)``; refuses negative or non-integer values."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError("the delays must be comma-separated seconds") from None
    if not values or any(value < 0 for value in values):
        raise ValueError("the delays must be comma-separated seconds, 0 or more")
    return values


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment and ``OTPKEEP_CONFIG``; one sentence on error."""
    from pydantic import ValidationError  # noqa: PLC0415 - only the error path needs it

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigurationError(
            f"The setting {where!r} cannot work: {first['msg']}. "
            "Check OTPKEEP_* and OTPKEEP_CONFIG."
        ) from exc
    except OSError as exc:
        raise ConfigurationError(
            f"The configuration file cannot be read ({exc.strerror}): check OTPKEEP_CONFIG."
        ) from exc
