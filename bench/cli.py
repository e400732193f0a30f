"""How fast ``otpkeep code`` and ``otpkeep list`` start, against a bare stdlib TOTP one-liner.

Start-up is what a person feels. Every figure is the median wall time of the installed
``otpkeep`` console script, each run followed by one of the anchor (a ``python -c``
one-liner computing one TOTP code), so that each figure stands beside an anchor measured
at the same moment on the same, possibly busy, machine:

- ``otpkeep code QUERY`` with 200 accounts; goal: at most 1.3x the anchor (exit 1 when
  it is missed);
- ``otpkeep list`` and ``otpkeep code`` (every account) with 10, 1,000 and 10,000
  accounts: how start-up grows with the vault;
- codes per second in process (1,000 accounts), for scale.

``--quick`` (or ``BENCH_QUICK=1``) takes a few runs of 10 and 1,000 accounts, for the
test that keeps this script working; it prints the same lines but judges no goal (a few
runs on a shared machine say too little).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account
from otpkeep.otp.codes import code_for

GOAL = 1.3
QUERY_ACCOUNTS = 200
SIZES = (10, 1_000, 10_000)
QUICK_SIZES = (10, 1_000)
BASELINE = (
    "import base64,hashlib,hmac,struct,time;"
    "k=base64.b32decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');"
    "h=hmac.new(k,struct.pack('>Q',int(time.time())//30),hashlib.sha1).digest();"
    "o=h[-1]&15;print('%06d'%((int.from_bytes(h[o:o+4],'big')&0x7fffffff)%10**6))"
)


def _accounts(count: int) -> list[Account]:
    return [
        Account(issuer=f"Issuer{n:05d}", name=f"user{n}@example.com", secret=os.urandom(20))
        for n in range(count)
    ]


def _fill(home: Path, count: int) -> None:
    with Vault(home, keystore="file").transaction() as data:
        index = data.index()  # linear: data.add checks every account against all the others
        for account in _accounts(count):
            index.add(account, 0)


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _beside_anchor(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median milliseconds of ``command`` and of the anchor, run alternately."""
    ours, anchor = [], []
    for _ in range(runs):
        ours.append(_wall(command, env))
        anchor.append(_wall([sys.executable, "-c", BASELINE], env))
    return statistics.median(ours) * 1000, statistics.median(anchor) * 1000


def _compile_package() -> None:
    """Byte-compile otpkeep as an installation would (PYTHONDONTWRITEBYTECODE hides that)."""
    import otpkeep  # noqa: PLC0415 - only to find where it is

    compileall.compile_dir(Path(otpkeep.__file__).parent, quiet=1)


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("OTPKEEP_SERVER", None)
    return env


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when ``code QUERY`` misses its goal (not in quick mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few runs, 10 and 1,000 accounts")
    args = parser.parse_args(argv)
    quick = args.quick or os.environ.get("BENCH_QUICK") == "1"
    runs = int(os.environ.get("BENCH_RUNS", "5" if quick else "21"))
    otpkeep = str(Path(sys.executable).parent / "otpkeep")
    _compile_package()
    with tempfile.TemporaryDirectory(prefix="otpkeep-bench-cli-") as folder:
        home = Path(folder) / f"home-{QUERY_ACCOUNTS}"
        _fill(home, QUERY_ACCOUNTS)
        query = f"Issuer{QUERY_ACCOUNTS // 2:05d}"
        ours, anchor = _beside_anchor([otpkeep, "code", query], _env(home), runs)
        ratio = ours / anchor
        print(f"anchor, python -c one TOTP (stdlib): {anchor:6.1f} ms (median of {runs} runs)")
        print(
            f"otpkeep code QUERY, {QUERY_ACCOUNTS:>6,} accounts: {ours:6.1f} ms, "
            f"{ratio:.2f}x the anchor (goal: at most {GOAL}x)"
        )
        for count in QUICK_SIZES if quick else SIZES:
            home = Path(folder) / f"home-{count}"
            _fill(home, count)
            times = max(3, runs // 2) if count < 10_000 else max(3, runs // 4)
            for command in ("list", "code"):
                ours, anchor = _beside_anchor([otpkeep, command], _env(home), times)
                print(
                    f"otpkeep {command:<4} {count:>6,} accounts: {ours:7.1f} ms, "
                    f"{ours / anchor:5.2f}x the anchor ({anchor:.1f} ms)"
                )
    accounts = _accounts(1000)
    start = time.perf_counter()
    for account in accounts:
        code_for(account, time.time())
    print(
        f"codes in process: {1000 / (time.perf_counter() - start):,.0f} per second (1,000 accounts)"
    )
    return 0 if quick or ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
