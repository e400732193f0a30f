"""Benchmark of the backup service: `.venv/bin/python bench/service.py [--quick]`.

``otpkeep-server serve`` runs in its own process (as ``make run``), on SQLite and then on
PostgreSQL (``OTPKEEP_TEST_POSTGRES_URL``; skipped when it does not answer). 32 client
threads, each on its own keep-alive connection of a raw-socket client (prepared requests:
the client costs little CPU), measure the health endpoint, a signed 8 KiB upload by a full
session, a download and a recovery evaluation. For each: throughput, p50/p99 latency, and
the server's CPU per request taken from the server process's own CPU time
(``/proc/PID/stat``), each beside its anchor of the same run — the health endpoint of the
same server, and, on SQLite, a bare Starlette endpoint doing one 8 KiB INSERT. On
PostgreSQL the CPU of the database's own processes per request is printed too.

Goals: an upload costs at most 4x the server CPU of a health check and at most 1.5 ms on
SQLite, and its p99 under load is at most 3x health's. ``--quick`` measures few requests
on SQLite only (the test suite runs it so that the script keeps working); ``--strict``
exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode
from serverkit import (
    Account,
    Wire,
    bearer,
    cpu_seconds,
    databases,
    enable,
    free_port,
    postgres_cpu_seconds,
    recovery_session,
    start_service,
)

if TYPE_CHECKING:
    from collections.abc import Callable

BACKUP_BYTES = 8 * 1024


@dataclass
class Size:
    clients: int
    requests: int
    evaluations: int


FULL = Size(clients=32, requests=3000, evaluations=256)
QUICK = Size(clients=4, requests=120, evaluations=8)


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]
    cpu: float
    database_cpu: float | None = None

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    @property
    def cpu_ms(self) -> float:
        return self.cpu / len(self.latencies) * 1000

    @property
    def database_cpu_ms(self) -> float | None:
        if self.database_cpu is None:
            return None
        return self.database_cpu / len(self.latencies) * 1000


def measure(
    name: str,
    port: int,
    pid: int,
    plans: list[list[bytes]],
    *,
    postgres: bool = False,
) -> Result:
    """Send each client's prepared requests on its own connection; time each answer."""
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []
    wires = [Wire(port) for _ in plans]
    barrier = threading.Barrier(len(plans) + 1)

    def client(wire: Wire, plan: list[bytes]) -> None:
        mine: list[float] = []
        barrier.wait()
        for request in plan:
            started = time.perf_counter()
            status, body = wire.send(request)
            mine.append(time.perf_counter() - started)
            if status >= 300:
                failures.append(f"{status} {body[:200]!r}")
        with lock:
            latencies.extend(mine)

    threads = [
        threading.Thread(target=client, args=(wire, plan))
        for wire, plan in zip(wires, plans, strict=True)
    ]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds(pid)
    database_before = postgres_cpu_seconds() if postgres else 0.0
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    cpu = cpu_seconds(pid) - cpu_before
    database = postgres_cpu_seconds() - database_before if postgres else None
    for wire in wires:
        wire.__exit__()
    if failures:
        raise SystemExit(f"{name}: {len(failures)} requests failed, e.g. {failures[0]}")
    return Result(name, seconds, latencies, cpu, database)


def split(requests: list[bytes], clients: int) -> list[list[bytes]]:
    return [requests[number::clients] for number in range(clients)]


def upload_plans(accounts: list[Account], size: Size) -> list[list[bytes]]:
    """Each client uploads to its own account, version after version (signed in advance)."""
    per_client = size.requests // size.clients
    plans = []
    for account in accounts:
        plan = [
            account.upload_request(os.urandom(BACKUP_BYTES), account.version + step + 1)
            for step in range(per_client)
        ]
        account.version += per_client
        plans.append(plan)
    return plans


def bench(database_url: str | None, size: Size) -> list[Result]:
    postgres = database_url is not None
    with tempfile.TemporaryDirectory() as folder:
        service = start_service(Path(folder) / "data", database_url)
        try:
            seen: set[Path] = set()
            with Wire(service.port) as wire:
                accounts = [
                    enable(wire, service.mail_dir, seen, os.urandom(BACKUP_BYTES))
                    for _ in range(size.clients)
                ]
                evaluators = [
                    enable(wire, service.mail_dir, seen, os.urandom(BACKUP_BYTES))
                    for _ in range(size.evaluations)
                ]
                recoveries = [
                    recovery_session(wire, service.mail_dir, seen, account)
                    for account in evaluators
                ]
            health = Wire.prepare("GET", "/healthz")
            downloads = [
                Wire.prepare("GET", "/v1/backup", headers=bearer(account.token))
                for account in accounts
            ]
            _state, blinded = escrow.start("0000")
            body = f'{{"blinded_element": "{b64encode(blinded)}"}}'.encode()
            evaluations = [
                Wire.prepare(
                    "POST",
                    "/v1/recovery/evaluate",
                    body,
                    {**bearer(token), "Content-Type": "application/json"},
                )
                for token in recoveries
            ]
            run: Callable[[str, list[list[bytes]]], Result] = lambda name, plans: measure(  # noqa: E731
                name, service.port, service.pid, plans, postgres=postgres
            )
            run("warm-up", split([health] * size.clients * 8, size.clients))
            results = [run("health", split([health] * size.requests, size.clients))]
            results.append(run("upload 8 KiB", upload_plans(accounts, size)))
            per_client = size.requests // size.clients
            results.append(run("download", [[request] * per_client for request in downloads]))
            results.append(run("recovery evaluate", split(evaluations, size.clients)))
            results.append(run("health (again)", split([health] * size.requests, size.clients)))
            if not postgres:
                results.append(anchor(Path(folder), size))
        finally:
            service.stop()
    return results


# --- the anchor: a bare Starlette endpoint doing one 8 KiB INSERT -----------------------


def anchor(folder: Path, size: Size) -> Result:
    """The same load on a bare Starlette app whose one endpoint INSERTs the body into SQLite."""
    port = free_port()
    database = folder / "anchor.sqlite3"
    process = subprocess.Popen(
        [sys.executable, __file__, "--anchor-server", str(port), str(database)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with Wire(port) as wire:
                    wire.send(Wire.prepare("PUT", "/anchor", b"x"))
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the anchor server did not start") from None
                time.sleep(0.05)
        request = Wire.prepare("PUT", "/anchor", os.urandom(BACKUP_BYTES))
        return measure(
            "anchor: Starlette + INSERT",
            port,
            process.pid,
            split([request] * size.requests, size.clients),
        )
    finally:
        process.terminate()
        process.wait(30)


def anchor_server(port: int, database: str) -> None:
    import uvicorn  # noqa: PLC0415 - only the anchor process needs it
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415, TC002 - the app's annotation
    from starlette.responses import Response  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS backups (id INTEGER PRIMARY KEY, data BLOB)")

    async def store(request: Request) -> Response:
        data = await request.body()
        connection.execute("INSERT INTO backups (data) VALUES (?)", (data,))
        return Response(b'{"stored": true}', media_type="application/json")

    app = Starlette(routes=[Route("/anchor", store, methods=["PUT"])])
    asyncio.run(
        uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        ).serve()
    )


# --- the report ---------------------------------------------------------------------------


def report(database: str, results: list[Result], size: Size) -> bool:
    health = results[0]
    print(f"\n{database}: {size.clients} concurrent clients")
    print(
        f"{'endpoint':<28}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'p99 x':>7}"
        f"{'CPU ms':>9}{'CPU x':>7}{'db CPU ms':>11}"
    )
    for result in results:
        database_cpu = result.database_cpu_ms
        print(
            f"{result.name:<28}{result.rate:>8.0f}{result.percentile(0.5):>9.2f}"
            f"{result.percentile(0.99):>9.2f}"
            f"{result.percentile(0.99) / health.percentile(0.99):>7.1f}"
            f"{result.cpu_ms:>9.3f}{result.cpu_ms / health.cpu_ms:>7.1f}"
            + (f"{database_cpu:>11.3f}" if database_cpu is not None else f"{'':>11}")
        )
    upload = results[1]
    cpu_ratio = upload.cpu_ms / health.cpu_ms
    p99_ratio = upload.percentile(0.99) / health.percentile(0.99)
    met = cpu_ratio <= 4 and p99_ratio <= 3
    goals = f"upload CPU {cpu_ratio:.1f}x health (goal <= 4x), p99 {p99_ratio:.1f}x (goal <= 3x)"
    if database == "SQLite":
        met = met and upload.cpu_ms <= 1.5
        goals += f", {upload.cpu_ms:.2f} ms CPU (goal <= 1.5 ms)"
    print(f"goals: {goals}: {'met' if met else 'missed'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few requests, SQLite only")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--only", choices=["SQLite", "PostgreSQL"], help="one database only")
    parser.add_argument(
        "--anchor-server", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()
    if arguments.anchor_server:
        anchor_server(int(arguments.anchor_server[0]), arguments.anchor_server[1])
        return 0
    size = QUICK if arguments.quick else FULL
    met = True
    wanted = not arguments.quick and arguments.only != "SQLite"
    for database, url in databases(postgres=wanted):
        if arguments.only and database != arguments.only:
            continue
        met = report(database, bench(url, size), size) and met
    return 1 if arguments.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
