"""Benchmark of the backup service: run with `.venv/bin/python bench/service.py`.

``otpkeep-server serve`` runs in its own process (one uvicorn worker, as ``make run``),
on SQLite and then on PostgreSQL (``OTPKEEP_TEST_POSTGRES_URL``, default the local test
server; skipped when it does not answer). 32 concurrent clients measure throughput and
p50/p99 latency of the health endpoint, a backup upload of 8 KiB, a backup download and
a recovery evaluation, and print each as a ratio to the health endpoint of the same run.
Goal: upload at >= 50 % of the health endpoint's throughput, with p99 under 50 ms.

The clients run in this process with asyncio; at these rates they are part of what is
measured, for every endpoint alike.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from otpkeep.crypto import escrow
from otpkeep.device.flows.passcode import to_crypto_kdf
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.messages import KdfParams as WireKdfParams

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from otpkeep.crypto.kdf import KdfParams

CLIENTS = 32
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "64"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
BACKUP = os.urandom(8 * 1024)
POSTGRES_URL = os.environ.get(
    "OTPKEEP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CODE = re.compile(rb"^\s+(\d{6})\s*$", re.MULTILINE)


@dataclass
class Account:
    email: str
    account_id: uuid.UUID
    full: str
    recovery: str
    version: int = 1


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def start_server(data_dir: Path, database_url: str | None) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "OTPKEEP_DATA_DIR": str(data_dir),
        "OTPKEEP_MAX_SENDS_PER_CLIENT_PER_HOUR": "100000",
        "OTPKEEP_KDF_MEMORY_KIB": "8",
        "OTPKEEP_KDF_ITERATIONS": "1",
    }
    if database_url:
        env["OTPKEEP_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "otpkeep.cli.server", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the service did not start") from None
            time.sleep(0.1)
        else:
            return process, url


async def mailed_code(mail_dir: Path, email: str, seen: set[Path]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):  # noqa: ASYNC240 - a benchmark's set-up
            if path in seen:
                continue
            data = path.read_bytes()
            if f"To: {email}".encode() in data and (match := CODE.search(data)):
                seen.add(path)
                return match.group(1).decode()
        await asyncio.sleep(0.05)
    raise SystemExit(f"no code arrived for {email}")


async def verify(
    client: httpx.AsyncClient, mail_dir: Path, email: str, purpose: str, seen: set[Path]
) -> dict[str, str]:
    started = await client.post("/v1/verifications", json={"email": email, "purpose": purpose})
    code = await mailed_code(mail_dir, email, seen)
    confirmed = await client.post(
        f"/v1/verifications/{started.json()['verification_id']}/confirm", json={"code": code}
    )
    granted: dict[str, str] = confirmed.json()
    return granted


def kdf_of(wire: dict[str, object]) -> KdfParams:
    return to_crypto_kdf(WireKdfParams.model_validate(wire))


async def new_account(client: httpx.AsyncClient, mail_dir: Path, seen: set[Path]) -> Account:
    email = f"bench-{secrets.token_hex(6)}@example.com"
    full = await verify(client, mail_dir, email, "enable", seen)
    account_id = uuid.UUID(full["account_id"])
    headers = {"Authorization": f"Bearer {full['session_token']}"}
    state, blinded = escrow.start("2580")
    challenge = (
        await client.post(
            "/v1/passcode/evaluate", json={"blinded_element": b64encode(blinded)}, headers=headers
        )
    ).json()
    registration = escrow.register(
        state,
        b64decode(challenge["evaluated_element"]),
        account_id=account_id,
        key_version=challenge["key_version"],
        kdf=kdf_of(challenge["kdf"]),
        data_key=escrow.new_data_key(),
        challenge=b64decode(challenge["challenge"]),
        has_passcode=challenge["has_passcode"],
    )
    registered = await client.put(
        "/v1/passcode",
        headers=headers,
        json={
            "registration_id": challenge["registration_id"],
            "key_version": challenge["key_version"],
            "auth_public_key": b64encode(registration.auth_public_key),
            "wrapped_data_key": b64encode(registration.wrapped_data_key),
            "kdf": challenge["kdf"],
            "possession_key": b64encode(registration.possession_key or b""),
        },
    )
    registered.raise_for_status()
    stored = await client.put(
        "/v1/backup", content=BACKUP, headers={**headers, "If-None-Match": "*"}
    )
    stored.raise_for_status()
    recovery = await verify(client, mail_dir, email, "transfer", seen)
    return Account(email, account_id, full["session_token"], recovery["session_token"])


async def measure(name: str, count: int, call: Callable[[int, int], Awaitable[None]]) -> Result:
    latencies: list[float] = []
    counter = iter(range(count))

    async def worker(number: int) -> None:
        for index in counter:
            started = time.perf_counter()
            await call(number, index)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker(number) for number in range(CLIENTS)))
    return Result(name, time.perf_counter() - began, latencies)


async def run(url: str, mail_dir: Path) -> list[Result]:
    # Idle connections are dropped before uvicorn closes them (5 s), so none is reused half-closed.
    limits = httpx.Limits(
        max_connections=CLIENTS, max_keepalive_connections=CLIENTS, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        seen: set[Path] = set()
        accounts = list(
            await asyncio.gather(*(new_account(client, mail_dir, seen) for _ in range(ACCOUNTS)))
        )
        _state, blinded = escrow.start("0000")
        blinded_body = {"blinded_element": b64encode(blinded)}

        async def health(_worker: int, _index: int) -> None:
            (await client.get("/healthz")).raise_for_status()

        async def upload(worker: int, _index: int) -> None:
            account = accounts[worker % len(accounts)]
            answer = await client.put(
                "/v1/backup",
                content=BACKUP,
                headers={
                    "Authorization": f"Bearer {account.full}",
                    "If-Match": f'"{account.version}"',
                },
            )
            answer.raise_for_status()
            account.version += 1

        async def download(worker: int, _index: int) -> None:
            account = accounts[worker % len(accounts)]
            answer = await client.get(
                "/v1/backup", headers={"Authorization": f"Bearer {account.full}"}
            )
            answer.raise_for_status()

        async def evaluate(_worker: int, index: int) -> None:
            account = accounts[index % len(accounts)]
            answer = await client.post(
                "/v1/recovery/evaluate",
                json=blinded_body,
                headers={"Authorization": f"Bearer {account.recovery}"},
            )
            answer.raise_for_status()

        await measure("warm-up", CLIENTS * 4, health)
        results = [await measure("health", REQUESTS, health)]
        results.append(await measure("upload 8 KiB", REQUESTS, upload))
        results.append(await measure("download", REQUESTS, download))
        results.append(await measure("recovery evaluate", ACCOUNTS * 9, evaluate))
        results.append(await measure("health (again)", REQUESTS, health))
        return results


def report(database: str, results: list[Result]) -> bool:
    health = results[0].rate
    print(f"\n{database}: {CLIENTS} concurrent clients")
    print(f"{'endpoint':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs health':>11}")
    for result in results:
        print(
            f"{result.name:<20}{result.rate:>10.0f}{result.percentile(0.5):>10.1f}"
            f"{result.percentile(0.99):>10.1f}{result.rate / health:>10.0%}"
        )
    upload = results[1]
    met = upload.rate >= 0.5 * health and upload.percentile(0.99) < 50
    print(
        f"goal (upload >= 50 % of health, p99 < 50 ms): {'met' if met else 'missed'}"
        f" ({upload.rate / health:.0%}, p99 {upload.percentile(0.99):.1f} ms;"
        f" mean {statistics.fmean(upload.latencies) * 1000:.1f} ms)"
    )
    return met


def postgres_database() -> tuple[str, Callable[[], None]] | None:
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


def bench(database: str, database_url: str | None) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        process, url = start_server(data_dir, database_url)
        try:
            results = asyncio.run(run(url, data_dir / "mail"))
        finally:
            process.terminate()
            process.wait(30)
    return report(database, results)


def main() -> int:
    met = bench("SQLite", None)
    postgres = postgres_database()
    if postgres is None:
        print(f"\nPostgreSQL not reachable at {make_url(POSTGRES_URL)!r}: PostgreSQL run skipped")
    else:
        url, drop = postgres
        try:
            met = bench("PostgreSQL", url) and met
        finally:
            drop()
    if "--strict" in sys.argv and not met:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
