"""Registering the ``otpkeep:`` scheme with the desktop (XDG), so email links open otpkeep."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from otpkeep.errors import ConfigurationError

DESKTOP_FILE = "otpkeep-handler.desktop"
MIME_TYPE = "x-scheme-handler/otpkeep"


def exec_quote(argument: str) -> str:
    """One argument as a desktop entry's Exec key takes it (the freedesktop quoting rules).

    Plain words stay as they are; anything else goes in double quotes, with ``"``,
    backquote, ``$`` and backslash escaped by a backslash. (Shell quoting is not the
    same: a desktop entry does not understand single quotes.)
    """
    if argument and all(ch.isalnum() or ch in "/._-+" for ch in argument):
        return argument
    escaped = "".join("\\" + ch if ch in '"`$\\' else ch for ch in argument)
    return f'"{escaped}"'


def _command() -> str:
    found = shutil.which("otpkeep")
    if found:
        return exec_quote(found)
    return f"{exec_quote(sys.executable)} -m otpkeep"


def applications_dir() -> Path:
    """``$XDG_DATA_HOME/applications`` (``~/.local/share/applications`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "applications"


def desktop_entry(command: str) -> str:
    """The .desktop file that opens otpkeep:// links in a terminal."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=otpkeep\n"
        "Comment=Open otpkeep verification links\n"
        f"Exec={command} open %u\n"
        "Terminal=true\n"
        "NoDisplay=true\n"
        f"MimeType={MIME_TYPE};\n"
    )


def install_handler() -> str:
    """Write the .desktop file and make it the scheme's default; a sentence saying what was done."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise ConfigurationError(
            "Registering the otpkeep: link handler is supported on XDG desktops (Linux, BSD) "
            "only: type the code with `otpkeep verify CODE` instead."
        )
    folder = applications_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DESKTOP_FILE
    path.write_text(desktop_entry(_command()), encoding="utf-8")
    xdg_mime = shutil.which("xdg-mime")
    if xdg_mime is None:
        return (
            f"Wrote {path}; xdg-mime is not installed, so make it the handler of "
            f"{MIME_TYPE} with your desktop's settings."
        )
    result = subprocess.run(  # noqa: S603 - a fixed program and arguments
        [xdg_mime, "default", DESKTOP_FILE, MIME_TYPE],
        check=False,
        capture_output=True,
        timeout=30,
    )
    if result.returncode != 0:
        return f"Wrote {path}, but xdg-mime could not make it the default for otpkeep: links."
    return f"otpkeep: links now open with otpkeep ({path})."
