"""Settings: sources, the retry schedule, and what production mode refuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from otpkeep.errors import ConfigurationError
from otpkeep.server.settings import load_settings

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OTPKEEP_* variable of the test run leaks into these settings."""
    import os  # noqa: PLC0415

    for name in list(os.environ):
        if name.startswith("OTPKEEP_"):
            monkeypatch.delenv(name)


def test_defaults_run_with_no_set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without configuration everything lives in ./otpkeep-data and SQLite."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("otpkeep-data/otpkeep.sqlite3")
    assert str(settings.resolved_seed_file) == "otpkeep-data/vault-seed"
    assert str(settings.resolved_mail_dir) == "otpkeep-data/mail"
    assert settings.public_url == "http://127.0.0.1:8000"


def test_environment_overrides_the_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OTPKEEP_CONFIG names a TOML file; an environment variable wins over it."""
    config = tmp_path / "otpkeep.toml"
    config.write_text(
        "versions_kept = 3\nmax_backup_bytes = 4096\n"
        '[[ecosystem]]\nname = "Example"\ndomains = ["example.org"]\n'
    )
    monkeypatch.setenv("OTPKEEP_CONFIG", str(config))
    monkeypatch.setenv("OTPKEEP_VERSIONS_KEPT", "5")
    settings = load_settings()
    assert settings.versions_kept == 5
    assert settings.max_backup_bytes == 4096
    assert [member.name for member in settings.ecosystem] == ["Example"]


def test_retry_delays_follow_the_schedule() -> None:
    """The n-th failure waits the n-th value; later failures the last; 0 turns waits off."""
    settings = load_settings(passcode_retry_delays="0,0,30,60")
    assert [settings.retry_delay_after(n) for n in range(1, 7)] == [0, 0, 30, 60, 60, 60]
    assert load_settings(passcode_retry_delays="0").retry_delay_after(9) == 0
    default = load_settings()
    assert default.retry_delay_after(2) == 0
    assert default.retry_delay_after(3) == 30


@pytest.mark.parametrize("value", ["soon", "10,-1", ""])
def test_bad_retry_delays_are_one_sentence(value: str) -> None:
    """A schedule that is not seconds is refused with a sentence naming the setting."""
    with pytest.raises(ConfigurationError, match="passcode_retry_delays"):
        load_settings(passcode_retry_delays=value)


def test_production_refuses_development_defaults(tmp_path: Path) -> None:
    """Production mode refuses file mail, an http:// public URL and a seed in the data folder."""
    base = {"environment": "production", "data_dir": tmp_path / "data"}
    with pytest.raises(ConfigurationError, match="SMTP_URL"):
        load_settings(**base)
    smtp = {**base, "smtp_url": "smtp://mail.example.org:587"}
    with pytest.raises(ConfigurationError, match="https://"):
        load_settings(**smtp)
    https = {**smtp, "public_url": "https://backup.example.org"}
    with pytest.raises(ConfigurationError, match="SEED_FILE"):
        load_settings(**https)
    settings = load_settings(**https, seed_file=tmp_path / "secrets" / "seed")
    assert settings.environment == "production"
    assert "mail.example.org" not in repr(settings)
