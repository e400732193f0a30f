"""How fast ``otpkeep code`` starts, against a bare standard-library TOTP one-liner.

Start-up is what a person feels. With a vault of 200 accounts, ``otpkeep code QUERY``
and a ``python -c`` one-liner computing one TOTP code are run interleaved, and their
median wall times compared (goal: within 2x). Then codes per second: in process for
1,000 accounts, and ``otpkeep code`` listing a 1,000-account vault.
"""

from __future__ import annotations

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

RUNS = int(os.environ.get("BENCH_RUNS", "21"))
GOAL = 2.0
BASELINE = (
    "import base64,hashlib,hmac,struct,time;"
    "k=base64.b32decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');"
    "h=hmac.new(k,struct.pack('>Q',int(time.time())//30),hashlib.sha1).digest();"
    "o=h[-1]&15;print('%06d'%((int.from_bytes(h[o:o+4],'big')&0x7fffffff)%10**6))"
)


def _fill(home: Path, count: int) -> list[Account]:
    accounts = [
        Account(issuer=f"Issuer{n:04d}", name=f"user{n}@example.com", secret=os.urandom(20))
        for n in range(count)
    ]
    vault = Vault(home, keystore="file")
    with vault.transaction() as data:
        for account in accounts:
            data.add(account, 0)
    return accounts


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _compile_package() -> None:
    """Byte-compile otpkeep as an installation would (PYTHONDONTWRITEBYTECODE hides that)."""
    import otpkeep  # noqa: PLC0415 - only to find where it is

    compileall.compile_dir(Path(otpkeep.__file__).parent, quiet=1)


def main() -> int:
    """Print the figures; exit 1 when start-up misses the goal."""
    otpkeep = str(Path(sys.executable).parent / "otpkeep")
    _compile_package()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        _fill(home, 200)
        env = dict(os.environ, OTPKEEP_HOME=str(home), OTPKEEP_KEYSTORE="file")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        ours, base = [], []
        for _ in range(RUNS):
            ours.append(_wall([otpkeep, "code", "Issuer0123"], env))
            base.append(_wall([sys.executable, "-c", BASELINE], env))
        ours_ms, base_ms = statistics.median(ours) * 1000, statistics.median(base) * 1000
        ratio = ours_ms / base_ms
        print(f"otpkeep code QUERY (200 accounts): median {ours_ms:.1f} ms over {RUNS} runs")
        print(f"python -c one TOTP (stdlib):       median {base_ms:.1f} ms")
        print(f"ratio: {ratio:.2f}x (goal: within {GOAL:.0f}x)")

        accounts = _fill(Path(folder) / "big", 1000)
        start = time.perf_counter()
        for account in accounts:
            code_for(account, time.time())
        in_process = 1000 / (time.perf_counter() - start)
        print(f"codes in process: {in_process:,.0f} per second (1,000 accounts)")
        big = dict(env, OTPKEEP_HOME=str(Path(folder) / "big"))
        listing = statistics.median(_wall([otpkeep, "code", "--json"], big) for _ in range(5))
        print(
            f"otpkeep code (all of 1,000 accounts): {listing * 1000:.1f} ms, "
            f"{1000 / listing:,.0f} codes per second end to end"
        )
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
