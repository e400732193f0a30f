"""The habits of a command line: --version, completion, codes as people read them, plurals."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from otpkeep.cli.pending import MAX_LINE, pending_line
from otpkeep.cli.wording import ACTIONS
from otpkeep.device.actions import Action
from otpkeep.device.backup.state import BackupState
from otpkeep.device.vault.data import StoredAccount, VaultData
from otpkeep.otp.codes import readable

if TYPE_CHECKING:
    from conftest import Cli

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 4226/6238
AT = "59"  # RFC 6238's first time: 94287082 in eight digits, 287082 in six


def on_terminal(cli: Cli, *args: str) -> str:
    """What ``otpkeep ARGS`` shows when its standard output is a terminal (a pty)."""
    reader, writer = os.openpty()
    try:
        process = subprocess.Popen(
            cli.command(*args),
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=subprocess.PIPE,
            env={**cli.env(), "COLUMNS": "100"},
        )
        os.close(writer)
        writer = -1
        shown = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([reader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(reader, 4096)
                except OSError:  # the command ended and the terminal closed
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        _, errors = process.communicate(timeout=10)
        assert process.returncode == 0, errors
        return shown.decode().replace("\r\n", "\n")
    finally:
        os.close(reader)
        if writer >= 0:
            os.close(writer)


def test_version_is_the_installed_package_version(cli: Cli) -> None:
    """`otpkeep --version` prints the version of the installed distribution and exits 0."""
    assert cli.ok("--version") == f"otpkeep {metadata.version('otpkeep')}\n"


def test_bash_completion_knows_the_commands_and_loads_in_bash(cli: Cli) -> None:
    """The bash script names every command, and bash accepts it as otpkeep's completion."""
    script = cli.ok("completion", "bash")
    for command in ("add", "code", "backup", "transfer", "account", "completion", "notifications"):
        assert command in script
    for option in ("--version", "--home", "--json", "--resend"):
        assert option in script
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    loaded = subprocess.run(
        [bash, "-c", "source <(otpkeep completion bash) && complete -p otpkeep"],
        capture_output=True,
        text=True,
        env={
            **cli.env(),
            "PATH": f"{Path(cli.command()[0]).parent}{os.pathsep}{os.environ['PATH']}",
        },
        timeout=60,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().endswith(" otpkeep")


def test_zsh_and_tcsh_completion_are_scripts_for_otpkeep(cli: Cli) -> None:
    """zsh gets a #compdef script, tcsh a `complete otpkeep` line; another shell is refused."""
    assert cli.ok("completion", "zsh").startswith("#compdef otpkeep")
    assert "complete otpkeep" in cli.ok("completion", "tcsh")
    refused = cli.run("completion", "fish")
    assert refused.returncode == 2
    assert "invalid choice" in refused.stderr


@pytest.mark.parametrize(
    ("code", "kind", "shown"),
    [
        ("325611", "totp", "325 611"),
        ("12345678", "totp", "1234 5678"),
        ("1234567", "hotp", "123 4567"),
        ("482913571", "totp", "482 913 571"),
        ("1234567890", "totp", "12345 67890"),
        ("2BC4F", "steam", "2BC4F"),
    ],
)
def test_codes_are_grouped_as_they_are_read_aloud(code: str, kind: str, shown: str) -> None:
    """Six digits in threes, eight in fours, Steam's five characters whole."""
    assert readable(code, kind) == shown


def test_codes_are_grouped_on_a_terminal_and_plain_in_pipes_and_json(cli: Cli) -> None:
    """On a terminal `325 611`; piped or --json `325611`, so scripts keep working."""
    cli.ok("add", "--issuer", "RFC", "--name", "six", "--secret", RFC_SECRET)
    cli.ok("add", "--issuer", "RFC", "--name", "eight", "--secret", RFC_SECRET, "--digits", "8")
    cli.ok("add", "--issuer", "Steam", "--name", "me", "--secret", RFC_SECRET, "--type", "steam")
    shown = on_terminal(cli, "code", "--at", AT)
    assert "287 082" in shown
    assert "9428 7082" in shown
    steam = next(line for line in shown.splitlines() if line.startswith("Steam"))
    assert len(steam.split()[2]) == 5  # Steam's code, whole

    piped = cli.ok("code", "--at", AT)
    assert "287082" in piped
    assert "94287082" in piped
    assert "287 082" not in piped
    assert [item["code"] for item in cli.json("code", "RFC", "--at", AT)] == [
        "287082",
        "94287082",
    ]
    helped = " ".join(cli.ok("code", "--help").split())
    assert "grouped" in helped
    assert "plain digits" in helped


def test_counts_are_written_in_the_singular_for_one(cli: Cli, tmp_path: Path) -> None:
    """`1 account`, `2 accounts`; `1 of 1 entry`, never `account(s)`."""
    cli.ok("add", "--issuer", "GitHub", "--name", "alice", "--secret", RFC_SECRET)
    one = cli.run("export", "--format", "otpauth", "-")
    assert "Exported 1 account;" in one.stderr
    cli.ok("add", "--issuer", "GitLab", "--name", "alice", "--secret", RFC_SECRET)
    two = cli.run("export", "--format", "otpauth", "-")
    assert "Exported 2 accounts;" in two.stderr

    bad = tmp_path / "bad.txt"
    bad.write_text("otpauth://totp/X:y?secret=1\n")
    refused = cli.run("import", str(bad))
    assert refused.returncode == 1
    assert "1 of 1 entry cannot be imported" in refused.stderr
    for shown in (one.stderr, two.stderr, refused.stderr):
        assert "(s)" not in shown


@pytest.mark.parametrize(
    "state",
    [
        BackupState(enabled=True, pending=True, last_error="Cannot reach the backup service."),
        BackupState(enabled=True, pending=True, last_failure=1.0, last_error="Refused."),
        BackupState(enabled=True, pending=True),
        BackupState(enabled=True, pending=True, signed_out="revoked"),
        BackupState(enabled=True, pending=True, damaged=7),
    ],
)
def test_the_pending_line_is_short_whatever_the_count(state: BackupState) -> None:
    """Every way of saying that changes wait fits in one short line, up to 9,999 changes."""
    for count in (1, 2, 9999):
        data = VaultData()
        for number in range(count):
            data.accounts[str(number)] = StoredAccount(str(number), None, 1000, deleted=True)
        line = pending_line(data, state)
        assert line.startswith("otpkeep: ")
        assert len(line) <= MAX_LINE, line
        assert ("1 change waits" in line) == (count == 1)


def test_every_action_is_worded_as_a_command() -> None:
    """An error or a notification names an Action: the command line says how to do each."""
    assert set(ACTIONS) == set(Action)
