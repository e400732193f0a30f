"""``otpkeep code`` and ``otpkeep list`` on their quick path: the same bytes, fewer imports.

The console script answers these two commands without the full parser
(:mod:`otpkeep.cli.entry`). What a person sees must not depend on which path answered, so
each case runs the console script and ``python -m otpkeep`` (always the full command) at
the same frozen moment and compares standard output, standard error and status byte for
byte. The modules the quick path imports are pinned: none of the user interface, web,
database or settings stacks, and none of the standard modules it was made to avoid.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
FROZEN = 1_111_111_109  # an RFC 6238 test moment

# Runs one command through a given entry point with time.time() frozen, so that the two
# paths compute their codes for the same moment.
RUNNER = """
import sys, time
time.time = lambda: {at}
sys.argv = ["otpkeep", *{args!r}]
if {quick!r}:
    from otpkeep.cli.entry import main
else:
    from otpkeep.cli.main import main
sys.exit(main())
"""

# Runs one command on the quick path and prints the modules it imported, as JSON.
IMPORTS = """
import sys
sys.argv = ["otpkeep", *{args!r}]
from otpkeep.cli.entry import answer
status = answer(sys.argv[1:])
modules = sorted(sys.modules)  # before json, which only this report needs
import json
sys.stderr.write(json.dumps({{"status": status, "modules": modules}}))
"""

NEVER_IMPORTED = (
    "textual",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "httpx",
    "argparse",
    "typing",
    "pathlib",
    "platformdirs",
    "gettext",
    "json",
    "re",
    "enum",
    "base64",
    "otpkeep.cli.main",
    "otpkeep.device.vault.store",
)


def _python(cli: Cli, source: str, *, measured: bool = True) -> subprocess.CompletedProcess[str]:
    env = cli.env()
    if not measured:
        # A coverage tracer started in the child (make test measures subprocesses) imports
        # typing and more of its own: the modules counted must be the command's alone.
        env = {name: value for name, value in env.items() if not name.startswith("COVERAGE_")}
    return subprocess.run(
        [sys.executable, "-c", source],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _both(cli: Cli, *args: str) -> tuple[subprocess.CompletedProcess[str], ...]:
    quick, full = (
        _python(cli, RUNNER.format(at=FROZEN, args=list(args), quick=quick))
        for quick in (True, False)
    )
    return quick, full


@pytest.fixture
def filled(cli: Cli) -> Cli:
    for issuer, name, extra in (
        ("GitHub", "ana@example.com", ()),
        ("GitLab", "ana", ("--digits", "8")),
        ("Steam", "ana", ("--type", "steam")),
        ("Café", "ana", ("--algorithm", "SHA256", "--period", "60")),
        ("Counter", "ana", ("--counter", "3")),
        ("", "bare-name", ()),
    ):
        args = ["add", "--name", name, "--secret", RFC_SECRET, *extra]
        if issuer:
            args += ["--issuer", issuer]
        cli.ok(*args)
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("code",),
        ("code", "git"),
        ("code", "GitHub"),
        ("code", "café"),
        ("code", "nothing-matches"),
    ],
    ids=" ".join,
)
def test_the_quick_path_prints_what_the_full_command_prints(
    filled: Cli, args: tuple[str, ...]
) -> None:
    quick, full = _both(filled, *args)
    assert (quick.returncode, quick.stdout, quick.stderr) == (
        full.returncode,
        full.stdout,
        full.stderr,
    )
    assert "Traceback" not in quick.stderr


def test_codes_are_those_of_rfc_6238(filled: Cli) -> None:
    quick, _ = _both(filled, "code", "GitLab")
    assert quick.returncode == 0
    assert "07081804" in quick.stdout  # RFC 6238, SHA-1, 8 digits, at 1111111109


def test_an_empty_or_missing_vault_reads_the_same_on_both_paths(cli: Cli) -> None:
    for args in (("list",), ("code",), ("code", "x")):
        quick, full = _both(cli, *args)
        assert (quick.returncode, quick.stdout, quick.stderr) == (
            full.returncode,
            full.stdout,
            full.stderr,
        )


def test_a_damaged_vault_is_left_to_the_full_command_and_its_sentence(filled: Cli) -> None:
    raw = filled.vault_file.read_bytes()
    filled.vault_file.write_bytes(raw[:-5] + bytes(5))
    quick, full = _both(filled, "code")
    assert quick.returncode == full.returncode == 1
    assert quick.stderr == full.stderr
    assert quick.stderr.startswith("otpkeep: ")


@pytest.mark.parametrize("args", [("code", "GitHub"), ("list",)], ids=" ".join)
def test_the_quick_path_imports_only_what_a_code_needs(filled: Cli, args: tuple[str, ...]) -> None:
    ran = _python(filled, IMPORTS.format(args=list(args)), measured=False)
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stderr)
    assert report["status"] == 0, "the quick path handed the command to the full one"
    imported = set(report["modules"])
    for name in NEVER_IMPORTED:
        assert not {m for m in imported if m == name or m.startswith(f"{name}.")}, name


@pytest.mark.parametrize(
    "args",
    [("code", "--json"), ("code", "--help"), ("list", "extra"), ("code", "a", "b"), ("status",)],
    ids=" ".join,
)
def test_anything_else_goes_to_the_full_command(filled: Cli, args: tuple[str, ...]) -> None:
    ran = _python(filled, IMPORTS.format(args=list(args)))
    assert json.loads(ran.stderr)["status"] is None
