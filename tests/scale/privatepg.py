"""A private PostgreSQL cluster in a temporary folder, to stop and start under load.

Restarting the machine's PostgreSQL would disturb every other test; this one belongs to
a single test. It uses Debian's server binaries (``/usr/lib/postgresql/<version>/bin``),
listens on a free loopback port with trust authentication, and runs as the ``postgres``
account when the tests run as root (``initdb`` refuses root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from processes import free_port

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def unavailable() -> str | None:
    """Why a private cluster cannot run here, or None."""
    if not BINARIES:
        return "no PostgreSQL server binaries under /usr/lib/postgresql: restart proof skipped"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres account: restart proof skipped"
        if shutil.which("runuser") is None:
            return "running as root without runuser: restart proof skipped"
    return None


class PrivatePostgres:
    """``initdb``, ``start``, ``stop`` and ``remove`` of a throw-away cluster."""

    def __init__(self) -> None:
        self.bin = BINARIES[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="otpkeep-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "postgres.log"
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.folder.chmod(0o700)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its ``postgres`` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *arguments: str) -> None:
        command = [str(self.bin / arguments[0]), *arguments[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=False, cwd=self.folder
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{arguments[0]} failed: {result.stderr.strip()}\n{log}")

    def create(self) -> PrivatePostgres:
        """Make the cluster and start it."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        return self

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c max_connections=50"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stop the server at once, cutting every connection (``-m fast``)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete the folder."""
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
