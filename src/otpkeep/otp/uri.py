"""Google's Key Uri Format: ``otpauth://totp/Issuer:name?secret=...&issuer=...``.

Steam Guard accounts come as ``otpauth://steam/...`` or with ``encoder=steam`` and
go out as ``otpauth://totp/...&encoder=steam``. Errors never quote the URI: it
holds the secret.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from otpkeep.errors import InvalidAccountError, InvalidURIError
from otpkeep.otp.account import (
    MAX_DIGITS,
    MAX_PERIOD,
    MIN_DIGITS,
    Account,
    Algorithm,
    OtpType,
    decode_base32,
    encode_base32,
)
from otpkeep.otp.label import export_label, split_label

SCHEME = "otpauth"
_MAX_LENGTH = 64 * 1024
_MAX_FIELDS = 100


# Values some exporters write for a parameter they have no value for (Ente: "null").
_NO_VALUE = frozenset({"", "null", "none", "undefined"})


def _number(params: dict[str, str], key: str, default: int, what: str) -> int:
    text = params.get(key, "").strip()
    if text.lower() in _NO_VALUE:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        raise InvalidURIError(f"The {what} in the otpauth URI is not a whole number.")
    return int(text)


def _query(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        raise InvalidURIError("The otpauth URI has too many parameters.") from None
    for raw_key, value in pairs:
        key = raw_key.strip().lower()
        if key in params and params[key] != value:
            raise InvalidURIError(
                f"The otpauth URI gives the {key[:20]!r} parameter twice, with different "
                "values: keep one of them."
            )
        params.setdefault(key, value)
    return params


def _type(host: str, params: dict[str, str]) -> OtpType:
    kind = host.lower()
    if kind == "steam" or (kind == "totp" and params.get("encoder", "").lower() == "steam"):
        return OtpType.STEAM
    if kind == "totp":
        return OtpType.TOTP
    if kind == "hotp":
        return OtpType.HOTP
    raise InvalidURIError("The otpauth URI is neither totp, hotp nor steam.")


def parse_uri(text: str) -> Account:
    """The account an ``otpauth://`` URI describes; anything malformed raises InvalidURIError."""
    text = text.strip()
    if len(text) > _MAX_LENGTH:
        raise InvalidURIError("The otpauth URI is too long.")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidURIError("The text is not a well-formed URI.") from None
    if parts.scheme.lower() != SCHEME:
        raise InvalidURIError("The URI does not start with otpauth://.")
    params = _query(parts.query)
    kind = _type(parts.netloc, params)
    if not params.get("secret", "").strip():
        raise InvalidURIError("The otpauth URI has no secret.")
    digits = _number(params, "digits", MIN_DIGITS, "digits")
    if kind is not OtpType.STEAM and not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise InvalidURIError(
            f"The otpauth URI asks for {digits} digits; {MIN_DIGITS} to {MAX_DIGITS} are supported."
        )
    period = _number(params, "period", 30, "period")
    if not 1 <= period <= MAX_PERIOD:
        raise InvalidURIError(
            f"The period in the otpauth URI must be from 1 to {MAX_PERIOD} seconds."
        )
    counter = _number(params, "counter", 0, "counter") if kind is OtpType.HOTP else 0
    issuer, name = split_label(unquote(parts.path.removeprefix("/")), params.get("issuer", ""))
    try:
        return Account(
            issuer=issuer,
            name=name,
            secret=decode_base32(params["secret"]),
            type=kind,
            algorithm=_algorithm(params.get("algorithm", "")),
            digits=digits,
            period=period,
            counter=counter,
        )
    except InvalidAccountError as exc:
        raise InvalidURIError(f"The otpauth URI is invalid: {_lower_first(exc.message)}") from exc


def _algorithm(text: str) -> Algorithm:
    if text.strip().lower() in _NO_VALUE:
        return Algorithm.SHA1
    return Algorithm.parse(text)


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def format_uri(account: Account) -> str:
    """The ``otpauth://`` URI of ``account``, which :func:`parse_uri` reads back as equal."""
    kind = OtpType.TOTP if account.type is OtpType.STEAM else account.type
    params = {"secret": encode_base32(account.secret)}
    if account.issuer:
        params["issuer"] = account.issuer
    params["algorithm"] = account.algorithm.value
    params["digits"] = str(account.digits)
    if account.type is OtpType.HOTP:
        params["counter"] = str(account.counter)
    else:
        params["period"] = str(account.period)
    if account.type is OtpType.STEAM:
        params["encoder"] = "steam"
    label = quote(export_label(account.issuer, account.name), safe=":@")
    return f"{SCHEME}://{kind.value}/{label}?{urlencode(params, quote_via=quote, safe='')}"


def parse_uri_lines(text: str) -> list[Account]:
    """Every account of a text with one URI a line; blank lines and ``#`` comments are skipped."""
    accounts = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            accounts.append(parse_uri(stripped))
        except InvalidURIError as exc:
            raise InvalidURIError(f"Line {number}: {exc.message}") from exc
    return accounts
