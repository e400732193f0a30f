"""How long ``otpkeep backup now`` takes at 1,000 and 10,000 accounts, and what fits.

A real ``otpkeep-server serve`` process on loopback (SQLite, its default backup limit)
and a device that turned backup on; then, for each size, the device's vault is filled
and ``otpkeep backup now`` is timed through the real command, once with one change
waiting (an upload) and once with nothing new (no upload: the backup holds it all).
The goals: at most 1.3 s for 10,000 accounts, linear (at most 12x for 10x the
accounts), and 10,000 accounts within the service's default limit. ``--quick`` (or
``BENCH_QUICK=1``) runs 100 and 1,000 accounts for the test that keeps this working.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.steps import Ask, Question, Step, drive
from otpkeep.device.session import Session
from otpkeep.otp.account import Account

SIZES = (1_000, 10_000)
QUICK_SIZES = (100, 1_000)
GOAL_SECONDS = 1.3
GOAL_RATIO = 12.0
EMAIL = "bench@example.com"
PASSCODE = "739154"
BIN = Path(sys.executable).parent
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(
        os.environ,
        OTPKEEP_DATA_DIR=str(data),
        OTPKEEP_KDF_MEMORY_KIB="8",
        OTPKEEP_KDF_ITERATIONS="1",
        OTPKEEP_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [BIN / "otpkeep-server", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, url
        time.sleep(0.1)
    process.kill()
    raise SystemExit("otpkeep-server did not start")


def _code(mail: Path) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted(mail.glob("*.eml")):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            body = message.get_body(preferencelist=("plain",))
            found = CODE.search(body.get_content() if body is not None else "")
            if found is not None:
                return found.group(1)
        time.sleep(0.1)
    raise SystemExit("no verification mail arrived")


def _enable(home: Path, url: str, mail: Path) -> None:
    session = Session.open(
        home, server=url, keystore="file", checkin_kdf=KdfParams(memory_kib=8, iterations=1)
    )
    with session.vault.transaction() as data:
        data.add(Account("Heroku", EMAIL, os.urandom(20)), session.now_ms())

    def answer(step: Step) -> str | None:
        if not isinstance(step, Question):
            return None
        if step.ask is Ask.CODE:
            return _code(mail)
        return PASSCODE

    drive(enable_backup(session, EMAIL), answer)


def _fill(home: Path, count: int) -> None:
    session = Session.open(home, keystore="file")
    with session.vault.transaction() as data:
        have = len(data.live())
        index = data.index()
        for n in range(have, count):
            account = Account(f"Issuer{n % 997}", f"user{n}@example.com", os.urandom(20))
            index.add(account, session.now_ms())


def _backup_now(home: Path, url: str) -> tuple[float, str]:
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file")
    start = time.perf_counter()
    result = subprocess.run(
        [BIN / "otpkeep", "--server", url, "backup", "now"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"otpkeep backup now failed: {result.stderr.strip()}")
    return elapsed, result.stdout.strip()


def _newest_size(home: Path, url: str) -> int:
    """The stored size of the newest version, as ``otpkeep backup versions --json`` lists it."""
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file")
    result = subprocess.run(
        [BIN / "otpkeep", "--server", url, "backup", "versions", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    versions = json.loads(result.stdout)
    return int(max(versions, key=lambda item: item["version"])["size"])


def main() -> int:
    """Print the figures; exit 1 when a goal is missed (not in quick mode)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 accounts only")
    quick = parser.parse_args().quick or os.environ.get("BENCH_QUICK") == "1"
    sizes = QUICK_SIZES if quick else SIZES
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        process, url = _serve(root / "service")
        try:
            home = root / "device"
            _enable(home, url, root / "service" / "mail")
            upload: dict[int, float] = {}
            for count in sizes:
                _fill(home, count)
                upload[count], said = _backup_now(home, url)
                unchanged, again = _backup_now(home, url)
                size = _newest_size(home, url)
                print(f"backup now, {count:>6,} accounts: {upload[count]:.2f} s ({said})")
                print(f"stored size, {count:>6,} accounts: {size / 1024:,.0f} KiB")
                print(f"backup now, {count:>6,} accounts, nothing new: {unchanged:.2f} s ({again})")
        finally:
            process.terminate()
            process.wait(10)
    small, large = sizes
    ratio = upload[large] / upload[small]
    print(f"ratio for 10x the accounts: {ratio:.1f}x (goal: at most {GOAL_RATIO:.0f}x)")
    print(f"goal: at most {GOAL_SECONDS} s for {large:,} accounts")
    if quick:
        return 0
    return 0 if upload[large] <= GOAL_SECONDS and ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
