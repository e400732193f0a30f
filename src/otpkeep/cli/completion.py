"""``otpkeep completion bash|zsh|tcsh``: tab completion, generated from the argparse tree.

The script is written by shtab from the same parser that reads the command line, so it
knows every command and option there is; shtab is imported by this command only.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context

SHELLS = ("bash", "zsh", "tcsh")

FILES = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
"""Completes a file name: set as an argument's ``complete`` (shtab's own table, copied so
that building the parser does not import shtab)."""
DIRECTORIES = {"bash": "_shtab_compgen_dirs", "zsh": "_files -/", "tcsh": "d"}
"""Completes a folder name, the same way."""


def completes(action: argparse.Action, how: dict[str, str]) -> None:
    """Tell the completion script how to complete ``action``'s value."""
    action.complete = how  # type: ignore[attr-defined]


_HOW = (
    "Print a completion script for SHELL. Load it in the running shell with "
    "`source <(otpkeep completion bash)` (bash, zsh); to keep it, write it where the shell "
    "reads completions: `otpkeep completion bash > "
    "~/.local/share/bash-completion/completions/otpkeep`, or `otpkeep completion zsh > "
    '"${fpath[1]}/_otpkeep"`; for tcsh, `otpkeep completion tcsh > ~/.otpkeep.tcsh` and '
    "`source ~/.otpkeep.tcsh` in ~/.tcshrc."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep completion``."""
    completion = subparsers.add_parser(
        "completion", help="print a shell completion script (bash, zsh, tcsh)", description=_HOW
    )
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or tcsh")
    completion.set_defaults(func=run_completion, backup_after=False)


def run_completion(args: argparse.Namespace, ctx: Context) -> int:
    """Write the completion script for ``args.shell`` to standard output."""
    del ctx
    import shtab  # noqa: PLC0415 - only this command needs it

    from otpkeep.cli.main import build_parser  # noqa: PLC0415 - the whole tree, built here

    script = shtab.complete(build_parser(), shell=args.shell)
    sys.stdout.write(script if script.endswith("\n") else script + "\n")
    return 0
