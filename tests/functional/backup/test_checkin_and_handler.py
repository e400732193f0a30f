"""The passcode check-in and the otpkeep: link handler, through the real command."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Device, Server

HEROKU = "otpauth://totp/Heroku:me?secret=JBSWY3DPEHPK3PXP&issuer=Heroku"
PASSCODE = "482915"


def test_check_in_accepts_the_passcode_and_refuses_another(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """The passcode is checked on the device: right exits 0, wrong exits 1 with advice."""
    address = f"user-{uuid.uuid4().hex[:8]}@example.com"
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    phone.run("backup", "enable", "--email", address)
    phone.ok("verify", server.code(address, 1))
    phone.ok("backup", "enable", stdin=f"{PASSCODE}\n{PASSCODE}\n")
    right = phone.run("backup", "check-in", stdin=f"{PASSCODE}\n")
    assert right.returncode == 0
    assert "That is your backup passcode" in right.stderr
    wrong = phone.run("backup", "check-in", stdin="111999\n")
    assert wrong.returncode == 1
    assert "change-passcode" in wrong.stderr
    assert PASSCODE not in wrong.stderr + wrong.stdout


def test_install_handler_writes_an_xdg_desktop_file(tmp_path: Path) -> None:
    """--install-handler registers the otpkeep: scheme in a .desktop file (no xdg-mime here)."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PATH": str(bin_dir),
        "OTPKEEP_HOME": str(tmp_path / "home"),
    }
    result = subprocess.run(
        [bin_dir / "otpkeep", "open", "--install-handler"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / "data" / "applications" / "otpkeep-handler.desktop"
    text = desktop.read_text()
    assert "MimeType=x-scheme-handler/otpkeep;" in text
    assert " open %u" in text
    assert "xdg-mime is not installed" in result.stdout
