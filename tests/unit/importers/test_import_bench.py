"""bench/import.py keeps working: its quick mode runs the real command and meets its goal."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "import.py"


def test_the_import_benchmark_runs_in_quick_mode() -> None:
    """bench/import.py --quick imports 100 and 1,000 accounts and prints the ratio."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("otpkeep import     100 accounts:")
    assert "10x the accounts" in lines[1]
    assert lines[-1].startswith("worst ratio per 10x:")
