"""Production mode refuses the development defaults that would be unsafe on a real host."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from otpkeep.errors import ConfigurationError
from otpkeep.server.settings import load_settings

if TYPE_CHECKING:
    from pathlib import Path

SMTP = "smtp://mail.example.org:587?starttls=true"
PUBLIC = "https://backup.example.org"


def test_production_with_every_setting_made_explicit_is_accepted(tmp_path: Path) -> None:
    """SMTP mail, an https:// public URL and a seed outside the data folder: production starts."""
    settings = load_settings(
        environment="production",
        data_dir=tmp_path / "data",
        smtp_url=SMTP,
        public_url=PUBLIC,
        seed_file=tmp_path / "secrets" / "vault-seed",
    )
    assert settings.environment == "production"


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"smtp_url": None}, "OTPKEEP_SMTP_URL"),
        ({"public_url": "http://backup.example.org"}, "https:// OTPKEEP_PUBLIC_URL"),
        ({"seed_file": None}, "OTPKEEP_SEED_FILE outside"),
        ({"seed_file": "INSIDE"}, "OTPKEEP_SEED_FILE outside"),
    ],
)
def test_production_refuses_a_development_default(
    tmp_path: Path, overrides: dict[str, object], names: str
) -> None:
    """File mail, an http:// URL or a seed in the data folder stop production with a reason."""
    values: dict[str, object] = {
        "environment": "production",
        "data_dir": tmp_path / "data",
        "smtp_url": SMTP,
        "public_url": PUBLIC,
        "seed_file": tmp_path / "secrets" / "vault-seed",
    }
    values.update(overrides)
    if values["seed_file"] == "INSIDE":
        values["seed_file"] = tmp_path / "data" / "keys" / "vault-seed"
    with pytest.raises(ConfigurationError) as refused:
        load_settings(**values)
    assert names in str(refused.value)


def test_development_mode_keeps_its_no_setup_defaults(tmp_path: Path) -> None:
    """Development mode still runs with file mail, http:// and the seed in the data folder."""
    settings = load_settings(data_dir=tmp_path / "data")
    assert settings.smtp_url is None
    assert settings.resolved_seed_file.parent == tmp_path / "data"
