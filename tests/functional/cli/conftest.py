"""Run ``otpkeep`` through its real entry point, in a fresh home folder."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@dataclasses.dataclass
class Cli:
    """``otpkeep`` with OTPKEEP_HOME set to a temporary folder and a file key store."""

    home: Path

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(OTPKEEP_HOME=str(self.home), OTPKEEP_KEYSTORE="file")
        env.pop("OTPKEEP_SERVER", None)
        return env

    def command(self, *args: str) -> list[str]:
        """The ``otpkeep`` console script, as installed beside this Python."""
        return [str(Path(sys.executable).parent / "otpkeep"), *args]

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*args),
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=60,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))

    def fails(self, *args: str, stdin: str | None = None, status: int = 1) -> str:
        """Run a command that must fail with one ``otpkeep: ...`` sentence; return it."""
        result = self.run(*args, stdin=stdin)
        assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
        first = result.stderr.splitlines()[0]
        assert first.startswith("otpkeep: "), result.stderr
        return result.stderr

    @property
    def vault_file(self) -> Path:
        return self.home / "vault.otpkeep"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command line with its own empty home folder."""
    return Cli(home=tmp_path / "home")
