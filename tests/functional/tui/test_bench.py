"""The terminal app's benchmark still runs: its quick mode, on a real pseudo-terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "tui.py"


def test_the_tui_benchmark_measures_the_app_and_its_anchor() -> None:
    """`bench/tui.py --quick` starts the app and a minimal Textual app and prints each figure."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    ours = next(line for line in lines if line.startswith("otpkeep tui, 20 accounts"))
    anchor = next(line for line in lines if line.startswith("minimal Textual app"))
    for line in (ours, anchor):
        assert "first paint" in line
        assert "MiB" in line
        assert "idle CPU" in line
