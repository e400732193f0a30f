"""The benchmark scripts keep working: each runs in its quick mode to its end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).parents[2] / "bench"


@pytest.mark.parametrize(
    ("script", "printed"),
    [
        ("service.py", "upload 8 KiB"),
        ("load.py", "| sqlite | 1 |"),
        ("crypto.py", "anchor crypto_scalarmult_ristretto255"),
        ("cli.py", "otpkeep code QUERY"),
        ("backup.py", "nothing new"),
        ("transfer.py", "all but Argon2id"),
    ],
)
def test_a_benchmark_runs_quickly_to_its_figures(script: str, printed: str) -> None:
    """``bench/SCRIPT --quick`` exits 0 and prints its figures, with no failed request."""
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert printed in result.stdout
    assert "failed" not in result.stdout + result.stderr
