"""Real ``otpkeep-server`` processes for the scale proofs: start, wait for /readyz, kill.

Every process gets its settings from ``OTPKEEP_*`` environment variables (nothing else of
the caller's ``OTPKEEP_*`` leaks in), listens on a free loopback port, and writes its log
to a file the failure message quotes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

READY_TIMEOUT = 60.0
SERVER = [sys.executable, "-m", "otpkeep.cli.server"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_environment(settings: Mapping[str, object]) -> dict[str, str]:
    """The process environment: the caller's without ``OTPKEEP_*``, plus ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTPKEEP_")}
    env.update({f"OTPKEEP_{key.upper()}": str(value) for key, value in settings.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_command(arguments: list[str], env: Mapping[str, str], log: Path) -> None:
    """Run ``otpkeep-server ARGUMENTS`` to its end; fail with its log when it fails."""
    with log.open("ab") as output:
        result = subprocess.run(
            [*SERVER, *arguments],
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"otpkeep-server {arguments[0]} failed:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    """The last lines of a log file."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@dataclass
class ServiceProcess:
    """One ``otpkeep-server serve`` (or ``worker``) process."""

    name: str
    env: dict[str, str]
    log: Path
    command: str = "serve"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL it serves."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The operating system's id of the running process."""
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def start(self) -> ServiceProcess:
        """Start the process (on the same port as before, after a kill)."""
        arguments = [self.command]
        if self.command == "serve":
            arguments += ["--host", "127.0.0.1", "--port", str(self.port)]
        output = self.log.open("ab")
        try:
            self.process = subprocess.Popen(
                [*SERVER, *arguments],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            output.close()
        return self

    def alive(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until ``/readyz`` answers 200; fail with the log if it never does."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"{self.name} exited:\n{tail(self.log)}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} was not ready in {timeout:.0f} s:\n{tail(self.log)}")

    def kill(self) -> None:
        """``kill -9``: no shutdown, no cleanup, transactions cut where they stand."""
        if self.alive():
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Ask the process to stop; kill it if it does not within ten seconds."""
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
