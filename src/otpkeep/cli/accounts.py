"""``otpkeep add | list | code | remove``: the accounts in the device vault.

This module is on the path of ``otpkeep code --json`` and ``--at``: it imports only
the standard library and otpkeep's light modules at the top. What ``code`` and
``list`` print is :mod:`otpkeep.cli.output`'s, shared with the quick path of
:mod:`otpkeep.cli.entry` (which answers ``code`` and ``list`` without this module).
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

from otpkeep.cli import output, prompt
from otpkeep.errors import InvalidAccountError, InvalidInputError

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context
    from otpkeep.device.vault.data import StoredAccount
    from otpkeep.otp.account import Account


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the account commands."""
    add = subparsers.add_parser(
        "add",
        help="add an account from an otpauth:// URI or from its fields",
        description="Add an account: otpkeep add URI, or otpkeep add --issuer I --name N "
        "--secret S. Without --secret (and without a URI) the secret is asked for.",
    )
    add.add_argument("uri", nargs="?", metavar="URI", help="an otpauth:// URI")
    add.add_argument("--issuer", default=None, help="the service, e.g. GitHub")
    add.add_argument("--name", default=None, help="the account name, e.g. an email address")
    add.add_argument("--secret", default=None, help="the base32 secret (spaces and case ignored)")
    add.add_argument("--algorithm", default=None, help="SHA1 (default), SHA256 or SHA512")
    add.add_argument("--digits", type=int, default=None, help="6 (default) to 10")
    add.add_argument("--type", choices=("totp", "hotp", "steam"), default=None, dest="otp_type")
    moving = add.add_mutually_exclusive_group()
    moving.add_argument("--period", type=int, default=None, help="TOTP period in seconds")
    moving.add_argument("--counter", type=int, default=None, help="HOTP counter (makes it HOTP)")
    add.set_defaults(func=run_add)

    listing = subparsers.add_parser("list", help="list the accounts (never their secrets)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    code = subparsers.add_parser(
        "code",
        help="show codes",
        description="Show the codes of the accounts QUERY matches (all without QUERY). "
        "When QUERY names one HOTP account, its code is used: the counter advances. On a "
        "terminal the digits are grouped as they are read aloud (325 611, 1234 5678; Steam "
        "codes stay whole); piped or redirected, and with --json, codes are plain digits "
        "(325611), so scripts keep working.",
    )
    code.add_argument("query", nargs="?", metavar="QUERY", help="part of the issuer or name")
    code.add_argument("--at", type=float, default=None, metavar="UNIX_TIME", help="another time")
    code.add_argument("--json", action="store_true", help="print JSON")
    code.set_defaults(func=run_code)

    remove = subparsers.add_parser("remove", help="remove one account")
    remove.add_argument("query", metavar="QUERY", help="part of the issuer or name")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(func=run_remove)


def _account_from_fields(args: argparse.Namespace) -> Account:
    from otpkeep.otp.account import (  # noqa: PLC0415 - only for add
        Account,
        Algorithm,
        OtpType,
        decode_base32,
    )

    if args.issuer is None and args.name is None:
        raise InvalidInputError("Give an otpauth:// URI, or at least --issuer or --name.")
    secret_text = args.secret
    if secret_text is None:
        secret_text = prompt.ask_secret("Secret (base32): ")
    otp_type = OtpType(args.otp_type) if args.otp_type else OtpType.TOTP
    if args.counter is not None:
        if otp_type is not OtpType.TOTP and otp_type is not OtpType.HOTP:
            raise InvalidAccountError("--counter is for HOTP accounts only.")
        otp_type = OtpType.HOTP
    elif args.period is not None and otp_type is OtpType.HOTP:
        raise InvalidAccountError("--period is for TOTP accounts; HOTP takes --counter.")
    fields: dict[str, Any] = {
        "issuer": (args.issuer or "").strip(),
        "name": (args.name or "").strip(),
        "secret": decode_base32(secret_text),
        "type": otp_type,
    }
    if args.algorithm is not None:
        fields["algorithm"] = Algorithm.parse(args.algorithm)
    if args.digits is not None:
        fields["digits"] = args.digits
    if args.period is not None:
        fields["period"] = args.period
    if args.counter is not None:
        fields["counter"] = args.counter
    return Account(**fields)


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    """Add one account; a duplicate (same codes under the same label) is reported, not doubled.

    The same secret with another type, algorithm, digits, period or counter is another
    account, and is added.
    """
    if args.uri is not None:
        given = [args.issuer, args.name, args.secret, args.algorithm, args.digits]
        given += [args.period, args.counter, args.otp_type]
        if any(value is not None for value in given):
            raise InvalidInputError("Give either an otpauth:// URI or the fields, not both.")
        from otpkeep.otp.uri import parse_uri  # noqa: PLC0415 - only for add

        account = parse_uri(args.uri)
    else:
        account = _account_from_fields(args)
    from otpkeep.otp.account import check_new_account  # noqa: PLC0415 - only for add

    check_new_account(account)
    with ctx.vault().transaction() as data:
        same = data.find_same(account)
        stored = None if same is not None else data.add(account, ctx.now_ms())
    if stored is None:
        kept = same.account.label if same is not None and same.account else account.label
        print(
            f"Already in the vault as {kept} (same secret, {account.settings()}), "
            f"not added again: {account.label}"
        )
    else:
        print(f"Added {account.label}")
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    """List the accounts, never their secrets."""
    live = ctx.vault().load().live()
    accounts = [(stored.id, stored.account) for stored in live if stored.account is not None]
    if args.json:
        output.print_json([{"id": id_, **output.account_fields(acc)} for id_, acc in accounts])
        return 0
    return output.print_accounts([acc for _, acc in accounts])


def _moment(args: argparse.Namespace, ctx: Context) -> float:
    if args.at is None:
        return ctx.clock()
    if not math.isfinite(args.at) or args.at < 0:
        raise InvalidInputError("--at must be a Unix time from 1970 on (seconds).")
    return float(args.at)


def _use_hotp(ctx: Context, stored_id: str) -> Account:
    """Advance one HOTP account's counter, saved; return the account as it was used."""
    with ctx.vault().transaction() as data:
        stored = data.accounts.get(stored_id)
        if stored is None or stored.account is None or stored.deleted:
            raise InvalidInputError("The account was removed meanwhile; nothing was changed.")
        used = stored.account
        data.update(stored_id, used.replace(counter=used.counter + 1), ctx.now_ms())
    return used


def run_code(args: argparse.Namespace, ctx: Context) -> int:
    """Show codes; one HOTP account named alone is used, so its counter advances."""
    from otpkeep.device.vault.lookup import find  # noqa: PLC0415 - after argparse, still light

    at = _moment(args, ctx)
    matches: list[StoredAccount] = find(ctx.vault().load(), args.query)
    if args.query and not matches:
        from otpkeep.errors import NotFoundError  # noqa: PLC0415 - error path only

        raise NotFoundError(f"No account matches {args.query[:60]!r}: see otpkeep list.")
    accounts = [stored.account for stored in matches if stored.account is not None]
    if len(matches) == 1 and args.query and accounts[0].type == "hotp":
        accounts = [_use_hotp(ctx, matches[0].id)]
    results = output.code_results(accounts, at)
    if args.json:
        output.print_json(results)
        return 0
    return output.print_codes(results, grouped=output.is_terminal())


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    """Remove one account, after a confirmation unless ``--yes``."""
    from otpkeep.device.vault.lookup import find_one  # noqa: PLC0415 - light, but not for code

    vault = ctx.vault()
    target = find_one(vault.load(), args.query)
    label = target.account.label if target.account is not None else target.id
    if not args.yes and not prompt.confirm(f"Remove {label}? Its codes will be gone."):
        print("Nothing removed.", file=sys.stderr)
        return 1
    with vault.transaction() as data:
        data.remove(target.id, ctx.now_ms())
    print(f"Removed {label}")
    return 0
