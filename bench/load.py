"""Load benchmark of the backup service: `.venv/bin/python bench/load.py [--seconds 60]`.

Starts real `otpkeep-server serve` processes (after one `otpkeep-server migrate`) on
SQLite with one process, and on PostgreSQL with one and with two processes, then runs
CLIENTS concurrent clients for SECONDS against them, spread round-robin over the
processes. Each client owns one account (verified, passcode set, first backup stored)
and loops over a realistic mix: read the configuration, upload a new backup version
(2-16 KiB of ciphertext, with its If-Match precondition), download the newest
version, and ask for a verification code. Mail goes to an SMTP sink in this process.

Prints one Markdown row per configuration: requests, throughput, p50/p99 latency, errors
(transport errors and answers other than the expected ones), and the peak resident memory
of each service process. Each client is a thread with its own keep-alive connections
(httpx's async pool, not the service, limits throughput at 64 concurrent requests); the
clients share the machine, and its cores, with the services.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode
from serverkit import passcode_body

SERVER = [sys.executable, "-m", "otpkeep.cli.server"]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MIX = (("config", 30), ("upload", 25), ("download", 30), ("code", 15))
CODE = re.compile(rb"^\s*(\d{6})\s*$", re.MULTILINE)


class CodeSink:
    """An SMTP handler keeping the latest verification code of each recipient."""

    def __init__(self) -> None:
        self.codes: dict[str, list[str]] = {}
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del server, session
        found = CODE.search(bytes(envelope.original_content or envelope.content))
        with self.arrived:
            for to in envelope.rcpt_tos:
                self.codes.setdefault(to.lower(), []).append(
                    found.group(1).decode() if found else ""
                )
            self.arrived.notify_all()
        return "250 OK"

    def wait(self, to: str, count: int, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.codes.get(to, [])) < count:
                if not self.arrived.wait(max(0.0, deadline - time.monotonic())):
                    raise RuntimeError(f"no code reached {to}")
            return self.codes[to][count - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Client:
    token: str
    account_id: uuid.UUID
    data_key: bytes
    version: int


def enable(http: httpx.Client, url: str, sink: CodeSink, email: str) -> Client:
    """A verified account with a passcode and a first backup, signed under its data key."""
    started = http.post(f"{url}/v1/verifications", json={"email": email, "purpose": "enable"})
    started.raise_for_status()
    code = sink.wait(email, 1)
    granted = http.post(
        f"{url}/v1/verifications/{started.json()['verification_id']}/confirm", json={"code": code}
    ).json()
    token, account_id = granted["session_token"], uuid.UUID(granted["account_id"])
    auth = {"Authorization": f"Bearer {token}"}
    state, blinded = escrow.start("2580")
    body = http.post(
        f"{url}/v1/passcode/evaluate", json={"blinded_element": b64encode(blinded)}, headers=auth
    ).json()
    data_key = escrow.new_data_key()
    registered = http.put(
        f"{url}/v1/passcode", json=passcode_body(state, body, account_id, data_key), headers=auth
    )
    registered.raise_for_status()
    client = Client(
        token=registered.json()["session"]["session_token"],
        account_id=account_id,
        data_key=data_key,
        version=0,
    )
    sealed = escrow.seal_backup(data_key, os.urandom(2048), account_id=account_id, version=1)
    http.put(
        f"{url}/v1/backup", content=sealed, headers=upload_headers(client, sealed)
    ).raise_for_status()
    client.version = 1
    return client


def upload_headers(client: Client, body: bytes) -> dict[str, str]:
    """The headers of a signed upload of ``body`` over the client's newest version."""
    version = client.version + 1
    signature = escrow.sign_upload(
        client.data_key, account_id=client.account_id, version=version, body=body
    )
    precondition = {"If-None-Match": "*"} if version == 1 else {"If-Match": f'"{client.version}"'}
    return {
        "Authorization": f"Bearer {client.token}",
        "Otpkeep-Signature": b64encode(signature),
        **precondition,
    }


def run_client(urls: list[str], client: Client, stats: Stats, until: float) -> None:
    """One client's loop over the mix until ``until`` (a thread with its own connections)."""
    auth = {"Authorization": f"Bearer {client.token}"}
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    turn = random.randrange(len(urls))
    latencies: dict[str, list[float]] = {name: [] for name in names}
    errors = 0
    failures: list[str] = []
    with httpx.Client(timeout=60) as http:
        while time.monotonic() < until:
            turn += 1
            url = urls[turn % len(urls)]
            action = random.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                ok = _act(http, url, action, client, auth)
            except httpx.TransportError as exc:
                ok = type(exc).__name__
            latencies[action].append(time.perf_counter() - started)
            if ok is not True:
                errors += 1
                failures.append(f"{action}: {ok}")
    with stats.lock:
        stats.errors += errors
        stats.failures.extend(failures)
        for action, values in latencies.items():
            stats.latencies.extend(values)
            stats.by_action.setdefault(action, []).extend(values)


def _act(
    http: httpx.Client, url: str, action: str, client: Client, auth: dict[str, str]
) -> bool | str:
    """Do one request of ``action``; True for the expected answer, else what came."""
    if action == "config":
        answer = http.get(f"{url}/v1/config")
    elif action == "download":
        answer = http.get(f"{url}/v1/backup", headers=auth)
    elif action == "code":
        email = f"{secrets.token_hex(6)}@load.example"
        answer = http.post(f"{url}/v1/verifications", json={"email": email, "purpose": "enable"})
    else:
        payload = os.urandom(random.randint(2048, 16384))
        answer = http.put(
            f"{url}/v1/backup", content=payload, headers=upload_headers(client, payload)
        )
        if answer.status_code == 200:
            client.version = answer.json()["version"]
    if answer.status_code >= 300:
        return f"{answer.status_code} {answer.text[:120]}"
    return True


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory of a process, from /proc (0 where there is no /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def wait_ready(http: httpx.Client, url: str, folder: Path) -> None:
    """Wait until the service at ``url`` answers /readyz with 200."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if http.get(f"{url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} never became ready; see the log in {folder}")
        time.sleep(0.1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def run_configuration(
    name: str, database_url: str | None, processes: int, seconds: float, clients: int
) -> str:
    """Start the services, load them, stop them; the Markdown row."""
    folder = Path(tempfile.mkdtemp(prefix="otpkeep-load-"))
    sink = CodeSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTPKEEP_")}
    env.update(
        {
            "OTPKEEP_DATA_DIR": str(folder / "data"),
            "OTPKEEP_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "OTPKEEP_MAX_SENDS_PER_HOUR": "1000000",
            "OTPKEEP_MAX_SENDS_PER_CLIENT_PER_HOUR": "1000000",
            "OTPKEEP_VERSIONS_KEPT": "10",
            "OTPKEEP_KDF_MEMORY_KIB": "8",
            "OTPKEEP_KDF_ITERATIONS": "1",
        }
    )
    if database_url:
        env["OTPKEEP_DATABASE_URL"] = database_url
    log = (folder / "service.log").open("ab")
    subprocess.run([*SERVER, "migrate"], env=env, stdout=log, stderr=log, check=True)
    ports = [free_port() for _ in range(processes)]
    services = [
        subprocess.Popen(
            [*SERVER, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        with httpx.Client(timeout=30) as http:
            for url in urls:
                wait_ready(http, url, folder)
            accounts = [
                enable(http, urls[n % len(urls)], sink, f"client{n}@load.example")
                for n in range(clients)
            ]
        stats = Stats()
        started = time.monotonic()
        threads = [
            threading.Thread(target=run_client, args=(urls, account, stats, started + seconds))
            for account in accounts
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        memory = ", ".join(f"{peak_rss_mib(service.pid):.0f}" for service in services)
    finally:
        for service in services:
            service.send_signal(signal.SIGTERM)
        for service in services:
            try:
                service.wait(15)
            except subprocess.TimeoutExpired:
                service.kill()
        controller.stop()
        log.close()
    count = len(stats.latencies)
    for failure in sorted(set(stats.failures))[:5]:
        print(f"  failed: {failure}", file=sys.stderr)
    actions = "; ".join(
        f"{action} {percentile(values, 0.5) * 1000:.0f}/{percentile(values, 0.99) * 1000:.0f}"
        for action, values in sorted(stats.by_action.items())
    )
    return (
        f"| {name} | {processes} | {count} | {count / elapsed:.0f} | "
        f"{percentile(stats.latencies, 0.5) * 1000:.1f} | "
        f"{percentile(stats.latencies, 0.99) * 1000:.1f} | {stats.errors} | {memory} | "
        f"{actions} |"
    )


def fresh_postgres(admin_url: str) -> tuple[str, str]:
    """A new database on the PostgreSQL of ``admin_url``: its URL and name."""
    name = f"otpkeep_load_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--quick", action="store_true", help="3 s, 4 clients, SQLite only (keeps the script honest)"
    )
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql-1", "postgresql-2"], action="append"
    )
    parser.add_argument(
        "--postgres-url", default=os.environ.get("OTPKEEP_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    )
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.seconds, arguments.clients, arguments.only = 3.0, 4, ["sqlite"]
    wanted = arguments.only or ["sqlite", "postgresql-1", "postgresql-2"]
    print(f"{arguments.clients} clients, {arguments.seconds:.0f} s each; mix {dict(MIX)} (%)")
    print(
        "| database | processes | requests | req/s | p50 ms | p99 ms | errors "
        "| peak RSS MiB | p50/p99 ms by action |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in wanted:
        if name == "sqlite":
            row = run_configuration(name, None, 1, arguments.seconds, arguments.clients)
        else:
            url, database = fresh_postgres(arguments.postgres_url)
            try:
                processes = int(name.rsplit("-", 1)[1])
                row = run_configuration(
                    "postgresql", url, processes, arguments.seconds, arguments.clients
                )
            finally:
                drop_postgres(arguments.postgres_url, database)
        print(row, flush=True)


if __name__ == "__main__":
    main()
