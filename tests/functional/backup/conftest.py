"""A real ``otpkeep-server serve`` process on loopback, and the ``otpkeep`` command against it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

BIN = Path(sys.executable).parent
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
LINK = re.compile(r"^(https?://\S+/v/\S+)\s*$", re.MULTILINE)
DEEP_LINK = re.compile(r'(otpkeep://verify\?[^"\'<\s]+)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The service process: its URL, the mail it wrote as .eml files, and stop/start."""

    def __init__(self, port: int, data: Path, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.mail_dir = data / "mail"
        self._command = [
            BIN / "otpkeep-server",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process (on the same port and data) and wait until it answers."""
        process = subprocess.Popen(
            self._command, env=self._env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._process = process
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("otpkeep-server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process: the service is unreachable until :meth:`start`."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def mails(self, to: str) -> list[str]:
        """The plain-text bodies sent to ``to``, oldest first."""
        bodies = []
        for path in sorted(self.mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if to in str(message["To"]):
                body = message.get_body(preferencelist=("plain",))
                bodies.append(body.get_content() if body is not None else "")
        return bodies

    def wait_for(self, to: str, count: int, timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.mails(to)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{to} received {len(found)} of {count} mails")
            time.sleep(0.05)

    def code(self, to: str, count: int) -> str:
        """The code of the ``count``-th mail to ``to`` (a verification mail)."""
        found = CODE.search(self.wait_for(to, count)[count - 1])
        assert found is not None
        return found.group(1)

    def deep_link(self, to: str, count: int) -> str:
        """The otpkeep:// link behind the landing page of the ``count``-th mail to ``to``."""
        found = LINK.search(self.wait_for(to, count)[count - 1])
        assert found is not None
        path = "/" + found.group(1).split("://", 1)[1].split("/", 1)[1]
        page = httpx.get(self.url + path, timeout=10)
        link = DEEP_LINK.search(page.text)
        assert link is not None
        return link.group(1).replace("&amp;", "&")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``otpkeep-server serve`` on a free loopback port, small Argon2, no retry waits."""
    data = tmp_path_factory.mktemp("service")
    port = free_port()
    env = {
        **os.environ,
        "OTPKEEP_DATA_DIR": str(data),
        "OTPKEEP_KDF_MEMORY_KIB": "8",
        "OTPKEEP_KDF_ITERATIONS": "1",
        "OTPKEEP_PASSCODE_RETRY_DELAYS": "0",
        "OTPKEEP_MAX_SENDS_PER_CLIENT_PER_HOUR": "10000",
        "OTPKEEP_MAX_SENDS_PER_ADDRESS_CLIENT_PER_HOUR": "10000",
        "OTPKEEP_SEND_GAPS": "0",
        "OTPKEEP_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    service = Server(port, data, env)
    service.start()
    try:
        yield service
    finally:
        service.stop()


class Device:
    """One device folder, driven through the real ``otpkeep`` entry point."""

    def __init__(self, home: Path, server: Server) -> None:
        self.home = home
        self.server = server

    def run(
        self, *args: str, stdin: str = "", server: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "OTPKEEP_KEYSTORE": "file", "OTPKEEP_HOME": str(self.home)}
        env.pop("OTPKEEP_SERVER", None)
        return subprocess.run(
            [BIN / "otpkeep", "--server", server or self.server.url, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def device_factory(tmp_path: Path, server: Server):
    """Device folders on the module's service."""
    return lambda name: Device(tmp_path / name, server)
