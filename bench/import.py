"""How ``otpkeep import`` scales: 1,000, 10,000 and 100,000 accounts through the real command.

Each size gets a fresh home folder and a text file of that many distinct otpauth
URIs; the figure is the wall time of ``otpkeep import FILE`` (start-up, reading,
the duplicate check against the vault, the atomic save). The goal is linear time:
at most 12x the time for 10x the accounts. ``--quick`` (or ``BENCH_QUICK=1``) runs
100 and 1,000 accounts, for the test that keeps this script working.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (100, 1_000)
GOAL = 12.0


def _uris(count: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = []
    for n in range(count):
        secret = base64.b32encode(rng.randbytes(20)).decode("ascii").rstrip("=")
        issuer = f"Service{n % 997}"
        lines.append(
            f"otpauth://totp/{issuer}:user{n}%40example.com?secret={secret}&issuer={issuer}"
        )
    return "\n".join(lines) + "\n"


def _import_seconds(folder: Path, count: int) -> float:
    home = folder / f"home-{count}"
    source = folder / f"accounts-{count}.txt"
    source.write_text(_uris(count, seed=count))
    env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file")
    env.pop("OTPKEEP_SERVER", None)
    otpkeep = str(Path(sys.executable).parent / "otpkeep")
    start = time.perf_counter()
    result = subprocess.run(
        [otpkeep, "import", str(source)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"otpkeep import of {count} accounts failed: {result.stderr.strip()}")
    if f"{count} imported" not in result.stderr:
        raise SystemExit(f"otpkeep import of {count} accounts said: {result.stderr.strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Print each size's time and the ratio per 10x; exit 1 when a ratio misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 accounts only")
    args = parser.parse_args(argv)
    quick = args.quick or os.environ.get("BENCH_QUICK") == "1"
    sizes = QUICK_SIZES if quick else SIZES
    ratios = []
    with tempfile.TemporaryDirectory(prefix="otpkeep-bench-import-") as folder:
        previous: float | None = None
        for count in sizes:
            seconds = _import_seconds(Path(folder), count)
            line = f"otpkeep import {count:>7,} accounts: {seconds:7.2f} s"
            if previous is not None:
                ratio = seconds / previous
                ratios.append(ratio)
                line += f"  ({ratio:4.1f}x the time for 10x the accounts)"
            print(line)
            previous = seconds
    worst = max(ratios, default=0.0)
    print(f"worst ratio per 10x: {worst:.1f}x (goal: at most {GOAL:.0f}x)")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
