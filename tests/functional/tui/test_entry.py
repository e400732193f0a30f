"""`otpkeep` alone on a terminal opens the app, through the real entry point and a real pty."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from typing import TYPE_CHECKING

from tui_support import GITHUB, fill

if TYPE_CHECKING:
    from pathlib import Path

    from otpkeep.device.vault import Vault


def read_until(fd: int, needle: bytes, timeout: float = 30.0) -> bytes:
    """Read the terminal until ``needle`` shows (or fail after ``timeout`` seconds)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} never appeared: {seen[-400:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_otpkeep_alone_on_a_terminal_opens_the_app_and_q_quits(home: Path, vault: Vault) -> None:
    """On a terminal, `otpkeep` with no command shows the accounts; q quits with status 0."""
    fill(vault, GITHUB)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file", TERM="xterm-256color")
    env.pop("OTPKEEP_SERVER", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "otpkeep"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        screen = read_until(controller, b"GitHub")
        assert b"Notifications" in screen
        os.write(controller, b"q")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)


def test_tui_is_a_listed_command() -> None:
    """`otpkeep --help` lists the tui command."""
    result = subprocess.run(
        [sys.executable, "-m", "otpkeep", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "tui" in result.stdout


def test_tui_without_a_terminal_says_so_and_exits_2(home: Path) -> None:
    """`otpkeep tui` with a pipe for input and output refuses in one sentence, status 2."""
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file")
    result = subprocess.run(
        [sys.executable, "-m", "otpkeep", "tui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("otpkeep: the terminal app needs a terminal")
    assert result.stderr.count("\n") == 1


CRASHING = """
import sys
from otpkeep.tui.screens.home import HomeScreen

def action_copy(self):
    raise RuntimeError("a bug in the app")

HomeScreen.action_copy = action_copy
from otpkeep.cli.main import main
sys.exit(main(["tui"]))
"""


def test_a_crash_of_the_app_ends_in_one_sentence_and_status_1(home: Path, vault: Vault) -> None:
    """A bug reached by a key press closes the app with one sentence, no traceback, status 1."""
    fill(vault, GITHUB)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file", TERM="xterm-256color")
    env.pop("OTPKEEP_SERVER", None)
    env.pop("OTPKEEP_DEBUG", None)
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        read_until(controller, b"GitHub")
        os.write(controller, b"c")
        after = read_until(controller, b"please report it.")
        assert process.wait(timeout=30) == 1
        assert b"Traceback" not in after
        assert b"a bug in the app" not in after
        assert b"otpkeep: the terminal app stopped on an unexpected error" in after
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
