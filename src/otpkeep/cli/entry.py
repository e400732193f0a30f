"""The ``otpkeep`` console script: ``code`` and ``list`` at interpreter speed, all else by main.

``otpkeep code [QUERY]`` and ``otpkeep list``, with at most a ``--home DIR`` before the
command or a ``--home=DIR`` anywhere, are answered here without argparse, typing,
pathlib or platformdirs: the quick reader (:mod:`otpkeep.device.vault.quick`) reads the
accounts, :mod:`otpkeep.otp.codes` computes the codes of the ones shown, and
:mod:`otpkeep.cli.output` prints them as the full command does.

Everything else goes to :func:`otpkeep.cli.main.main` unchanged, and so does any doubt,
always before anything is printed: another command or option (``--help``, ``--json``,
``--at``, ...), a home only platformdirs can tell, a backup that waits (its marker beside
the vault: the full command says so after the codes), a vault the quick reader does not
answer for (its key in the OS keyring, another schema, damaged: the full command's error
says what is wrong), a query that matches nothing (its error), one HOTP account named
alone (using its code advances its counter, which is a change), output the terminal
cannot encode.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from otpkeep.device.vault.quick import QuickAccount

EXIT_ERROR = 1
"""The status of a failed run, as :mod:`otpkeep.cli.main` has it."""
EXIT_INTERRUPTED = 130
"""The status of a run stopped by Ctrl-C, as :mod:`otpkeep.cli.main` has it."""
COMMANDS = frozenset({"code", "list"})
"""The commands answered here (when nothing else is asked of them)."""
HOME_OPTION = "--home"


def main() -> int:
    """Run one command: the console script ``otpkeep``."""
    status = answer(sys.argv[1:])
    if status is not None:
        return status
    from otpkeep.cli.main import main as full  # noqa: PLC0415 - every other run, as it was

    return full()


def answer(arguments: list[str]) -> int | None:
    """The exit status of ``arguments`` answered on the quick path; None for the full one."""
    form = quick_form(arguments)
    if form is None:
        return None
    command, query, home = form
    try:
        return _show(command, query, home)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        from otpkeep.cli.output import silence_stdout  # noqa: PLC0415 - the reader went away

        silence_stdout()
        return EXIT_ERROR


def quick_form(arguments: list[str]) -> tuple[str, str | None, str | None] | None:
    """The command, the query and ``--home`` of a run the quick path may answer.

    None for anything the full parser might read otherwise: an option other than
    ``--home``, ``--home`` twice, or ``--home DIR`` after the command (there argparse
    would take DIR for the query).
    """
    home: str | None = None
    homes = 0
    words: list[str] = []
    remaining = iter(arguments)
    for word in remaining:
        if word.startswith(f"{HOME_OPTION}="):
            home, homes = word.removeprefix(f"{HOME_OPTION}="), homes + 1
        elif word == HOME_OPTION and not words:
            home, homes = next(remaining, "-"), homes + 1
            if home.startswith("-"):
                return None
        elif word.startswith("-"):
            return None
        else:
            words.append(word)
    if homes > 1 or not words or words[0] not in COMMANDS:
        return None
    if len(words) > (2 if words[0] == "code" else 1):
        return None
    return words[0], (words[1] if len(words) > 1 else None), home


def _show(command: str, query: str | None, home_option: str | None) -> int | None:
    from otpkeep.cli import output  # noqa: PLC0415 - after the arguments are known
    from otpkeep.errors import OtpkeepError  # noqa: PLC0415 - same

    at = time.time()
    shown = _accounts(command, query, home_option)
    if shown is None:
        return None
    try:
        if command == "list":
            return output.print_accounts(shown)
        return output.print_codes(output.code_results(shown, at), grouped=output.is_terminal())
    except (OtpkeepError, UnicodeEncodeError):
        # Fields no account can have, or a name the terminal cannot show: nothing was
        # written yet (each table is one write), and the full command says what is wrong.
        return None


def _accounts(
    command: str, query: str | None, home_option: str | None
) -> list[QuickAccount] | None:
    """The accounts to show, as the quick reader has them; None when the full command must."""
    from otpkeep.device.vault import home, quick  # noqa: PLC0415 - after the arguments are known

    folder = home.home_text(home_option)
    if folder is None or _backup_waits(folder):
        return None
    shown = quick.accounts(folder, query)
    if shown is not None and command == "code" and query:
        if not shown:
            return None  # the full command's NotFoundError
        if len(shown) == 1 and shown[0].type == "hotp":
            return None  # used, so its counter advances
    return shown


def _backup_waits(folder: str) -> bool:
    """Whether the marker of a backup that waits is beside the vault (or cannot be told)."""
    from otpkeep.device.backup.pending import PENDING_MARKER  # noqa: PLC0415 - on the quick path

    try:
        os.stat(os.path.join(folder, PENDING_MARKER))  # noqa: PTH116, PTH118 - no pathlib here
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True
