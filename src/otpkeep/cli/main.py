"""``otpkeep``: the argparse tree, the command registry and the one error boundary.

Command modules are listed in :data:`COMMAND_MODULES`. Each has
``register(subparsers) -> None``, which adds its sub-commands and sets
``func=handler`` on each, where ``handler(args, ctx: Context) -> int``. Every
module is imported on every run, so a module imports heavy libraries (httpx,
pydantic, textual, zxing, segno, shtab, ...) only inside its handlers: ``otpkeep
code`` must start fast.

After a command, a backup that waits is seen to (:mod:`otpkeep.cli.pending`), unless
the command sets ``backup_after=False``: the backup commands see to it themselves.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

from otpkeep.cli.completion import DIRECTORIES, completes
from otpkeep.cli.context import Context
from otpkeep.errors import AmbiguousQueryError, OtpkeepError

if TYPE_CHECKING:
    from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "otpkeep.cli.accounts",
    "otpkeep.cli.exchange",
    "otpkeep.cli.backup",
    "otpkeep.cli.transfer",
    "otpkeep.cli.settings",
    "otpkeep.cli.notify",
    "otpkeep.cli.privacy",
    "otpkeep.cli.tui",
    "otpkeep.cli.completion",
)
"""The modules whose ``register(subparsers)`` builds the sub-commands, in help order."""

FAST_COMMANDS: dict[str, str] = {
    "code": "otpkeep.cli.accounts",
    "list": "otpkeep.cli.accounts",
    "add": "otpkeep.cli.accounts",
}
"""Commands whose parser is built from their own module only, to start faster."""

DEBUG_ENV = "OTPKEEP_DEBUG"
DISTRIBUTION = "otpkeep"
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without ``shutil``.

    The stock one imports ``shutil`` (and with it bz2, lzma, fnmatch) whenever a
    parser is built, help or not: a tenth of the start-up of ``otpkeep code``.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return 80


class _Version(argparse.Action):
    """``--version``: the installed package's version, read from its metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib import metadata  # noqa: PLC0415 - only for --version

        try:
            version = metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            version = "(not installed)"
        print(f"{parser.prog} {version}")
        parser.exit()


class Parser(argparse.ArgumentParser):
    """The parser of ``otpkeep`` and of its sub-commands (which inherit its class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    default = None if defaults else argparse.SUPPRESS
    home = parser.add_argument(
        "--home",
        metavar="DIR",
        default=default,
        help="the device folder holding the vault (default: $OTPKEEP_HOME, else the user "
        "data folder)",
    )
    completes(home, DIRECTORIES)
    parser.add_argument(
        "--server",
        metavar="URL",
        default=default,
        help="the backup service (default: $OTPKEEP_SERVER)",
    )


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The argparse tree, built from :data:`COMMAND_MODULES` (or some of them)."""
    parser = Parser(
        prog="otpkeep",
        description="A TOTP/HOTP authenticator with an end-to-end encrypted backup.",
    )
    parser.add_argument("--version", action=_Version)
    _global_options(parser, defaults=True)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in modules:
        import_module(name).register(subparsers)
    return parser


def _command_word(argv: Sequence[str]) -> str | None:
    """The sub-command's name: the first word that is not a global option or its value."""
    words = iter(argv)
    for word in words:
        if word in {"--home", "--server"}:
            next(words, None)
        elif not word.startswith("-"):
            return word
        elif not word.startswith(("--home=", "--server=")):
            return None
    return None


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse, also accepting ``--home``/``--server`` after the sub-command."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        late = Parser(prog=parser.prog, add_help=False)
        _global_options(late, defaults=False)
        late_args, unknown = late.parse_known_args(extra)
        if unknown:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        for key, value in vars(late_args).items():
            setattr(args, key, value)
    return args


def _report(error: OtpkeepError) -> int:
    """The error's sentence, then what to do about it as a command (see :mod:`.wording`)."""
    from otpkeep.cli.wording import with_action  # noqa: PLC0415 - on the error path only

    print(f"otpkeep: {with_action(str(error), error.action)}", file=sys.stderr)
    if isinstance(error, AmbiguousQueryError):
        for match in error.matches:
            print(f"  {match}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_ERROR


def _modules(arguments: Sequence[str]) -> Sequence[str]:
    """The command modules this run needs: one for a fast command, none for ``--version``."""
    word = _command_word(arguments)
    if word is None and "--version" in arguments and "--help" not in arguments:
        return ()
    fast = FAST_COMMANDS.get(word or "")
    return (fast,) if fast else COMMAND_MODULES


def _run(arguments: list[str], context: Context | None) -> int:
    parser = build_parser(_modules(arguments))
    try:
        args = _parse(parser, arguments)
    except SystemExit as exc:  # argparse: --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    ctx = context or Context()
    ctx.home_option = args.home or ctx.home_option
    ctx.server = args.server or ctx.server
    handler = getattr(args, "func", None)
    if handler is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from otpkeep.cli.tui import run_tui  # noqa: PLC0415 - only on a terminal

            return run_tui(args, ctx)
        parser.print_help()
        return EXIT_OK if sys.stdin.isatty() else EXIT_USAGE
    result: int = handler(args, ctx)
    if getattr(args, "backup_after", True):
        from otpkeep.cli.pending import after_command  # noqa: PLC0415 - after the command

        after_command(ctx)
    return result


def main(argv: Sequence[str] | None = None, *, context: Context | None = None) -> int:
    """Run one command; the console script ``otpkeep``. The one error boundary."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(arguments, context)
    except OtpkeepError as exc:
        return _report(exc)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``otpkeep list | head``): nothing more to say to anyone.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"otpkeep: unexpected error ({type(exc).__name__}); run again with "
            f"{DEBUG_ENV}=1 for details and please report it.",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
