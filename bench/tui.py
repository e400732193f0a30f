"""How the terminal app feels: first paint, memory and idle CPU, against a minimal Textual app.

``otpkeep tui`` runs on a real pseudo-terminal (80x24), as a person runs it, with a
vault of 200 and of 2,000 accounts. For each run:

- first paint: from starting the process to the first frame that shows an account;
- RSS: the process's resident memory after it has idled;
- idle CPU: the process's own user + system time (``/proc/PID/stat``) over the idle
  seconds, as a share of one core; and the bytes it wrote to the terminal meanwhile.

The anchor is a minimal Textual app (a label and a footer) measured the same way in
the same run. Runs alternate between the two; medians are printed. Goals: first
paint under 1 s, at most 60 MiB, under 2 % of a core while idle.

``--quick`` (or ``BENCH_QUICK=1``): 20 accounts, one run, one idle second, goals not
judged. It only shows that the measurement still works.
"""

from __future__ import annotations

import compileall
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account, OtpType

QUICK = "--quick" in sys.argv[1:] or os.environ.get("BENCH_QUICK") == "1"
SIZES = (20,) if QUICK else (200, 2000)
RUNS = 1 if QUICK else int(os.environ.get("BENCH_RUNS", "3"))
IDLE_SECONDS = 1.0 if QUICK else float(os.environ.get("BENCH_IDLE", "10"))
SETTLE_SECONDS = 0.5 if QUICK else 2.0
ROWS, COLUMNS = 24, 80
TICKS = os.sysconf("SC_CLK_TCK")
GOAL_PAINT, GOAL_MIB, GOAL_CPU = 1.0, 60.0, 2.0

ANCHOR = """
from textual.app import App
from textual.widgets import Footer, Label

class Anchor(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Label("anchor ready")
        yield Footer()

Anchor().run()
"""


@dataclass(frozen=True)
class Run:
    """What one process measured."""

    paint: float
    rss_mib: float
    cpu_percent: float
    bytes_per_second: float


def fill(home: Path, count: int) -> None:
    """A vault of ``count`` accounts, one in seven counter-based."""
    vault = Vault(home, keystore="file")
    with vault.transaction() as data:
        for n in range(count):
            kind = OtpType.HOTP if n % 7 == 3 else OtpType.TOTP
            account = Account(
                issuer=f"Issuer{n:04d}",
                name=f"user{n}@example.com",
                secret=os.urandom(20),
                type=kind,
            )
            data.add(account, 0)


def cpu_seconds(pid: int) -> float:
    """User + system time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def drain(fd: int, seconds: float, needle: bytes | None = None) -> tuple[bytes, float | None]:
    """Read the terminal for ``seconds`` (or until ``needle``); when the needle showed."""
    seen = b""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if needle is not None and needle in seen:
            return seen, time.monotonic()
    return seen, None


def measure(command: list[str], env: dict[str, str], needle: bytes) -> Run:
    """Start ``command`` on a pseudo-terminal and measure it (see the module docstring)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        _, shown = drain(controller, 60.0, needle)
        if shown is None:
            raise RuntimeError(f"{needle!r} never appeared on the terminal")
        drain(controller, SETTLE_SECONDS)
        before = cpu_seconds(process.pid)
        output, _ = drain(controller, IDLE_SECONDS)
        used = cpu_seconds(process.pid) - before
        memory = rss_mib(process.pid)
        os.write(controller, b"q")
        drain(controller, 0.2)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(controller)
    return Run(
        paint=shown - start,
        rss_mib=memory,
        cpu_percent=100 * used / IDLE_SECONDS,
        bytes_per_second=len(output) / IDLE_SECONDS,
    )


def summary(label: str, runs: list[Run]) -> str:
    """One line of medians."""
    paint = statistics.median(r.paint for r in runs)
    memory = statistics.median(r.rss_mib for r in runs)
    cpu = statistics.median(r.cpu_percent for r in runs)
    written = statistics.median(r.bytes_per_second for r in runs)
    return (
        f"{label:<28} first paint {paint * 1000:6.0f} ms   RSS {memory:5.1f} MiB   "
        f"idle CPU {cpu:4.1f} %   {written:6.0f} B/s to the terminal"
    )


def main() -> int:
    """Print the figures; exit 1 when a goal is missed (never in quick mode)."""
    import otpkeep  # noqa: PLC0415 - only to find where it is

    compileall.compile_dir(Path(otpkeep.__file__).parent, quiet=1)
    otpkeep_command = [str(Path(sys.executable).parent / "otpkeep"), "tui"]
    anchor_command = [sys.executable, "-c", ANCHOR]
    base_env = dict(os.environ, TERM="xterm-256color", OTPKEEP_KEYSTORE="file")
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    base_env.pop("OTPKEEP_SERVER", None)
    print(
        f"{RUNS} run(s) each, {IDLE_SECONDS:.0f} s idle, a {COLUMNS}x{ROWS} pseudo-terminal"
        + (" (quick mode: goals not judged)" if QUICK else "")
    )
    missed = False
    with tempfile.TemporaryDirectory() as folder:
        for count in SIZES:
            home = Path(folder) / f"home-{count}"
            fill(home, count)
            env = dict(base_env, OTPKEEP_HOME=str(home))
            ours: list[Run] = []
            anchor: list[Run] = []
            for _ in range(RUNS):
                anchor.append(measure(anchor_command, base_env, b"anchor ready"))
                ours.append(measure(otpkeep_command, env, b"Issuer0000"))
            print(summary(f"otpkeep tui, {count:,} accounts", ours))
            print(summary("minimal Textual app", anchor))
            paint = statistics.median(r.paint for r in ours)
            memory = statistics.median(r.rss_mib for r in ours)
            cpu = statistics.median(r.cpu_percent for r in ours)
            missed |= paint >= GOAL_PAINT or memory > GOAL_MIB or cpu >= GOAL_CPU
    print(
        f"goals: first paint < {GOAL_PAINT:.0f} s, RSS <= {GOAL_MIB:.0f} MiB, "
        f"idle CPU < {GOAL_CPU:.0f} % of a core"
    )
    return 0 if QUICK or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
