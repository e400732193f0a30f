"""What the service benchmarks share: a real service process, a lean client, real accounts.

- :func:`start_service` runs ``otpkeep-server serve`` (as ``make run`` does) on a free port,
  on SQLite or on a fresh PostgreSQL database (:func:`postgres_database`);
- :class:`Wire` is a keep-alive HTTP/1.1 client on a raw socket: it sends prepared request
  bytes and reads the answer, costing the client process little CPU (httpx costs more per
  request than the server's own work);
- :func:`enable` makes an account with backup on (verified, passcode set, first backup
  uploaded, signed under its data key), :func:`recovery_session` a transfer session;
- :func:`cpu_seconds` reads a process's own CPU time from ``/proc/PID/stat``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.kdf import kdf_from_wire

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

POSTGRES_URL = (
    os.environ.get("OTPKEEP_TEST_POSTGRES_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SERVER = [sys.executable, "-m", "otpkeep.cli.server"]
CODE = re.compile(rb"^\s+(\d{6})\s*$", re.MULTILINE)
TICKS = os.sysconf("SC_CLK_TCK")
BENCH_SETTINGS = {
    "OTPKEEP_MAX_SENDS_PER_HOUR": "1000000",
    "OTPKEEP_MAX_SENDS_PER_CLIENT_PER_HOUR": "1000000",
    "OTPKEEP_MAX_SENDS_PER_ADDRESS_CLIENT_PER_HOUR": "1000000",
    "OTPKEEP_SEND_GAPS": "0",
    "OTPKEEP_KDF_MEMORY_KIB": "8",
    "OTPKEEP_KDF_ITERATIONS": "1",
    "OTPKEEP_MAX_CONNECTIONS": "1024",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL server process on this machine (its backends included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


@dataclass
class Service:
    """A running ``otpkeep-server serve`` process."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_service(
    data_dir: Path, database_url: str | None, extra: Mapping[str, str] = {}
) -> Service:
    """``otpkeep-server serve`` on a free port, waited for until ``/readyz`` answers."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTPKEEP_")}
    env.update(BENCH_SETTINGS)
    env.update(extra or {})
    env["OTPKEEP_DATA_DIR"] = str(data_dir)
    if database_url:
        env["OTPKEEP_DATABASE_URL"] = database_url
    log = (data_dir.parent / f"service-{port}.log").open("ab")
    process = subprocess.Popen(
        [*SERVER, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    service = Service(process, port, data_dir)
    deadline = time.monotonic() + 60
    while True:
        try:
            with Wire(port) as wire:
                if wire.call("GET", "/readyz")[0] == 200:
                    return service
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the service did not start; see {log.name}")
        time.sleep(0.05)


class Wire:
    """One keep-alive HTTP/1.1 connection that sends prepared requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.sock.close()

    @staticmethod
    def prepare(
        method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> bytes:
        """The bytes of one request."""
        lines = [f"{method} {path} HTTP/1.1", "Host: bench"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method in {"POST", "PUT"}:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def send(self, request: bytes) -> tuple[int, bytes]:
        """Send prepared bytes; the status and body of the answer."""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            self.buffer = rest
            self._read()
            rest = self.buffer
        self.buffer = rest[length:]
        return status, rest[:length]

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the service closed the connection")
        self.buffer += chunk

    def call(
        self, method: str, path: str, payload: Any = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        """A JSON request; the status and the decoded JSON answer (None when empty)."""
        all_headers = dict(headers or {})
        body = b""
        if payload is not None:
            body = json.dumps(payload).encode()
            all_headers["Content-Type"] = "application/json"
        status, answer = self.send(self.prepare(method, path, body, all_headers))
        return status, json.loads(answer) if answer else None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mailed_code(mail_dir: Path, email: str, seen: set[Path]) -> str:
    """The code of the newest mail to ``email`` not yet read."""
    deadline = time.monotonic() + 30
    wanted = f"To: {email}".encode()
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            if path in seen:
                continue
            data = path.read_bytes()
            if wanted in data and (match := CODE.search(data)):
                seen.add(path)
                return match.group(1).decode()
        time.sleep(0.02)
    raise SystemExit(f"no code arrived for {email}")


def verify(wire: Wire, mail_dir: Path, email: str, purpose: str, seen: set[Path]) -> dict[str, Any]:
    status, started = wire.call("POST", "/v1/verifications", {"email": email, "purpose": purpose})
    if status != 202:
        raise SystemExit(f"verification refused: {status} {started}")
    code = mailed_code(mail_dir, email, seen)
    path = f"/v1/verifications/{started['verification_id']}/confirm"
    status, granted = wire.call("POST", path, {"code": code})
    if status != 200:
        raise SystemExit(f"confirmation refused: {status} {granted}")
    return dict(granted)


@dataclass
class Account:
    """An account with backup on, as a device that holds its data key sees it."""

    email: str
    account_id: uuid.UUID
    token: str
    data_key: bytes
    version: int = 1

    def upload_request(self, body: bytes, version: int) -> bytes:
        """The prepared, signed ``PUT /v1/backup`` of ``body`` as ``version``."""
        signature = escrow.sign_upload(
            self.data_key, account_id=self.account_id, version=version, body=body
        )
        precondition = {"If-None-Match": "*"} if version == 1 else {"If-Match": f'"{version - 1}"'}
        headers = {
            **bearer(self.token),
            **precondition,
            "Otpkeep-Signature": b64encode(signature),
            "Content-Type": "application/octet-stream",
        }
        return Wire.prepare("PUT", "/v1/backup", body, headers)


def passcode_body(
    state: escrow.PasscodeState, challenge: dict[str, Any], account_id: uuid.UUID, data_key: bytes
) -> dict[str, Any]:
    """The body of ``PUT /v1/passcode`` answering the evaluation ``challenge`` (its JSON)."""
    registration = escrow.register(
        state,
        b64decode(challenge["evaluated_element"]),
        account_id=account_id,
        registration_id=uuid.UUID(challenge["registration_id"]),
        key_version=challenge["key_version"],
        kdf=kdf_from_wire(challenge["kdf"]),
        data_key=data_key,
        challenge=b64decode(challenge["challenge"]),
    )
    return {
        "registration_id": challenge["registration_id"],
        "key_version": challenge["key_version"],
        "auth_public_key": b64encode(registration.auth_public_key),
        "wrapped_data_key": b64encode(registration.wrapped_data_key),
        "kdf": challenge["kdf"],
        "signature": b64encode(registration.signature),
        "possession_public_key": b64encode(registration.possession_public_key),
    }


def enable(wire: Wire, mail_dir: Path, seen: set[Path], first_backup: bytes) -> Account:
    """A new account: verified, passcode set, ``first_backup`` uploaded as version 1."""
    email = f"bench-{secrets.token_hex(6)}@example.com"
    granted = verify(wire, mail_dir, email, "enable", seen)
    account_id = uuid.UUID(granted["account_id"])
    token = granted["session_token"]
    data_key = escrow.new_data_key()
    state, blinded = escrow.start("2580")
    _, challenge = wire.call(
        "POST", "/v1/passcode/evaluate", {"blinded_element": b64encode(blinded)}, bearer(token)
    )
    status, registered = wire.call(
        "PUT", "/v1/passcode", passcode_body(state, challenge, account_id, data_key), bearer(token)
    )
    if status != 200:
        raise SystemExit(f"registration refused: {status} {registered}")
    account = Account(email, account_id, registered["session"]["session_token"], data_key, 0)
    status, _answer = wire.send(account.upload_request(first_backup, 1))
    if status != 200:
        raise SystemExit(f"first upload refused: {status}")
    account.version = 1
    return account


def recovery_session(wire: Wire, mail_dir: Path, seen: set[Path], account: Account) -> str:
    """The token of a transfer (recovery) session for ``account``."""
    return str(verify(wire, mail_dir, account.email, "transfer", seen)["session_token"])


def postgres_database() -> tuple[str, Callable[[], None]] | None:
    """A new PostgreSQL database and the function that drops it; None if there is none."""
    admin = create_engine(
        POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"otpkeep_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


def databases(*, postgres: bool = True) -> Iterator[tuple[str, str | None]]:
    """``("SQLite", None)``, then PostgreSQL's name and URL when it answers (dropped after)."""
    yield "SQLite", None
    if not postgres:
        return
    made = postgres_database()
    if made is None:
        print(f"PostgreSQL not reachable at {make_url(POSTGRES_URL)!r}: its run is skipped")
        return
    url, drop = made
    try:
        yield "PostgreSQL", url
    finally:
        drop()
