"""A real ``otpkeep-server serve`` process on loopback, and the ``otpkeep`` command against it.

- :class:`Server`: the service process, the mail it wrote, and stop/start;
- :class:`Device`: one device folder, ``otpkeep`` run in it to the end (:meth:`Device.run`)
  or left running with its standard input open (:meth:`Device.start`, a :class:`Live`);
- :class:`Listener`: a socket in the service's place that counts the connections made to it;
- :class:`Screen`: ``otpkeep`` on a terminal of its own (a pty), as a person sees it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import httpx
import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

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
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.mail_dir = data / "mail"
        self._command: list[str | Path] = [
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


class Live:
    """A command still running: its standard input open, its output read as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._err: list[str] = []
        self._out: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(process.stderr, self._err), daemon=True),
            threading.Thread(target=self._read, args=(process.stdout, self._out), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: TextIO, into: list[str]) -> None:
        while line := stream.readline():
            into.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._err)

    @property
    def stdout(self) -> str:
        return "".join(self._out)

    def expect(self, text: str, timeout: float = 30.0) -> str:
        """Wait until standard error holds ``text``; all of standard error so far."""
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            if self.process.poll() is not None:
                time.sleep(0.2)  # the last lines may still be on their way
                if text in self.stderr:
                    break
                raise AssertionError(f"ended ({self.process.returncode}) without {text!r}: "
                                     f"{self.stderr}{self.stdout}")  # fmt: skip
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in {timeout} s: {self.stderr}")
            time.sleep(0.05)
        return self.stderr

    def send(self, line: str) -> None:
        """Type one line."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 60.0) -> int:
        """Wait for the end (standard input is closed first); the exit status."""
        with contextlib.suppress(BrokenPipeError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        status = self.process.wait(timeout)
        self._close()
        return status

    def _close(self) -> None:
        for reader in self._readers:
            reader.join(10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def stop(self) -> None:
        """End the command if it still runs, and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._close()


class Device:
    """One device folder, driven through the real ``otpkeep`` entry point."""

    def __init__(self, home: Path, server: Server) -> None:
        self.home = home
        self.server = server

    def env(self) -> dict[str, str]:
        env = {**os.environ, "OTPKEEP_KEYSTORE": "file", "OTPKEEP_HOME": str(self.home)}
        env.pop("OTPKEEP_SERVER", None)
        return env

    def run(
        self, *args: str, stdin: str = "", server: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BIN / "otpkeep", "--server", server or self.server.url, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=60,
            check=False,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self, *args: str) -> Live:
        """Start ``otpkeep ARGS`` with its standard input a pipe kept open."""
        process = subprocess.Popen(
            [BIN / "otpkeep", "--server", self.server.url, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=self.env(),
        )
        return Live(process)

    def enable(self, address: str, passcode: str) -> None:
        """Turn backup on: the code from the mail, then the passcode twice."""
        sent = len(self.server.mails(address))
        assert self.run("backup", "enable", "--email", address).returncode == 1  # no code yet
        self.ok("verify", self.server.code(address, sent + 1))
        self.ok("backup", "enable", stdin=f"{passcode}\n{passcode}\n")

    def transfer(self, address: str, passcode: str) -> str:
        """Bring the backup of ``address`` here; what the command printed."""
        sent = len(self.server.mails(address))
        assert self.run("transfer", "--email", address).returncode == 1  # no code yet
        self.ok("verify", self.server.code(address, sent + 1))
        return self.ok("transfer", stdin=f"{passcode}\n")

    def session_token(self) -> str:
        """The session token this device holds, read from its vault."""
        from otpkeep.device.session import Session  # noqa: PLC0415 - the device's own view

        return Session.open(self.home).backup().session_token


class Listener:
    """A socket on the service's port in its place: it counts connections, closes each at once."""

    def __init__(self, port: int) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.connections = 0
        self._open = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._open:
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._open = False
        self._thread.join(5)
        self._socket.close()


class Screen:
    """``otpkeep`` on a terminal of its own (a pty): what it shows, and keys typed into it.

    The command's standard input, output and error are the terminal, and it is the
    command's controlling terminal, so passcodes are asked without echo as in a person's
    terminal.
    """

    _CONTROLLING = (
        "import os, sys; os.close(os.open(os.ttyname(0), os.O_RDWR)); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )

    def __init__(
        self, command: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None
    ) -> None:
        import pty  # noqa: PLC0415 - POSIX only, like this class

        self._master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-c", self._CONTROLLING, *map(str, command)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "COLUMNS": "100", "TERM": "dumb"},
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self.shown = ""

    def _pump(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self._master, 4096)
        except OSError:  # the command ended and the terminal closed
            return False
        self.shown += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(chunk)

    def expect(self, text: str, timeout: float = 30.0) -> str:
        """Wait until the terminal shows ``text``; everything shown since the start."""
        deadline = time.monotonic() + timeout
        while text not in self.shown:
            if not self._pump(0.1) and self.process.poll() is not None:
                while self._pump(0.1):
                    pass
                if text in self.shown:
                    break
                raise AssertionError(f"ended without {text!r}:\n{self.shown}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in {timeout} s:\n{self.shown}")
        return self.shown

    def type(self, line: str) -> None:
        """Type ``line`` and Enter."""
        os.write(self._master, line.encode() + b"\r")

    def finish(self, timeout: float = 60.0) -> int:
        """Wait for the end, reading what is left; the exit status."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._pump(0.1)
        while self._pump(0.1):
            pass
        status = self.process.wait(5)
        os.close(self._master)
        return status


@pytest.fixture
def device_factory(tmp_path: Path, server: Server) -> Callable[[str], Device]:
    """Device folders on the module's service."""
    return lambda name: Device(tmp_path / name, server)


HEROKU = "otpauth://totp/Heroku:me@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Heroku"
QUIP = "otpauth://hotp/Quip:me?secret=GEZDGNBVGY3TQOJQ&issuer=Quip&counter=5"
PASSCODE = "482915"


def new_address() -> str:
    """An address no other test of the module's service uses."""
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


@dataclasses.dataclass
class Owner:
    """A person's phone with one account, backup on for their own address."""

    address: str
    phone: Device


@pytest.fixture
def owner(device_factory: Callable[[str], Device]) -> Owner:
    """A phone holding Heroku, its backup enabled with :data:`PASSCODE` for a new address."""
    address = new_address()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    phone.enable(address, PASSCODE)
    return Owner(address, phone)
