"""Every export format imports back to the same accounts."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpkeep.crypto.kdf import KdfParams
from otpkeep.errors import InvalidInputError, WrongPasswordError
from otpkeep.otp.account import MIN_NEW_SECRET_BYTES, Account, Algorithm, OtpType
from otpkeep.otp.exporters import ExportFile, export, formats
from otpkeep.otp.importers import read_export

SMALL_KDF = KdfParams(memory_kib=64, iterations=1)
_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"))
_LABELS = st.text(_CHARACTERS, max_size=30).filter(lambda text: not text.startswith(" "))


@st.composite
def accounts(draw: st.DrawFn, *, google: bool = False) -> Account:
    """An account in the canonical form every format keeps (HOTP period 30, TOTP counter 0)."""
    kind = draw(st.sampled_from([OtpType.TOTP, OtpType.HOTP] if google else list(OtpType)))
    return Account(
        issuer=draw(_LABELS),
        name=draw(_LABELS),
        secret=draw(st.binary(min_size=MIN_NEW_SECRET_BYTES, max_size=64)),
        type=kind,
        algorithm=draw(st.sampled_from(list(Algorithm))),
        digits=draw(st.sampled_from([6, 8]) if google else st.integers(6, 10)),
        period=30 if google or kind is OtpType.HOTP else draw(st.integers(1, 86400)),
        counter=draw(st.integers(0, 2**63 - 1)) if kind is OtpType.HOTP else 0,
    )


def _import(files: list[ExportFile], password: str = "pw") -> list[Account]:
    result: list[Account] = []
    for file in files:
        result += read_export(
            file.data, filename="x" + file.name_suffix, password=lambda: password
        ).accounts
    return result


@pytest.mark.parametrize("fmt", ["otpauth", "aegis", "2fas"])
@settings(max_examples=40, deadline=None)
@given(st.lists(accounts(), min_size=1, max_size=5))
def test_plain_exports_import_back_to_the_same_accounts(fmt: str, items: list[Account]) -> None:
    """otpauth text, Aegis JSON and 2FAS files carry every field of every account."""
    assert _import(export(items, fmt)) == items


@settings(max_examples=15, deadline=None)
@given(st.lists(accounts(), max_size=4))
def test_otpkeep_export_imports_back_to_the_same_accounts(items: list[Account]) -> None:
    """The encrypted otpkeep file opens with its passphrase to the same accounts."""
    assert _import(export(items, "otpkeep", password="pw", kdf=SMALL_KDF)) == items


def test_encrypted_exports_refuse_a_wrong_password() -> None:
    """The encrypted Aegis and otpkeep exports import back only with their password."""
    items = [Account("Deno", "Mason", b"0123456789", type=OtpType.STEAM)]
    for fmt in ("aegis-encrypted", "otpkeep"):
        files = export(items, fmt, password="pw", kdf=SMALL_KDF)
        assert _import(files) == items
        with pytest.raises(WrongPasswordError):
            _import(files, password="wrong")


def test_encrypted_exports_need_a_password() -> None:
    """Asking for an encrypted export without a password is refused."""
    with pytest.raises(InvalidInputError, match="password"):
        export([], "aegis-encrypted")


@settings(max_examples=5, deadline=None)
@given(st.lists(accounts(google=True), min_size=1, max_size=12))
def test_google_migration_qr_codes_import_back(items: list[Account]) -> None:
    """Google export QR codes (ten accounts each) scan back to the same accounts."""
    files = export(items, "google-migration", batch_id=7)
    assert len(files) == (len(items) + 9) // 10
    assert all(f.media_type == "image/png" for f in files)
    assert _import(files) == items


def test_plain_qr_export_gives_one_png_per_account() -> None:
    """The QR export writes one PNG per account that scans back to that account."""
    items = [
        Account("Deno", "Mason", b"0123456789"),
        Account("", "x", b"abcdefghij", type=OtpType.HOTP),
    ]
    files = export(items, "qr")
    assert [f.name_suffix for f in files] == ["-1.png", "-2.png"]
    assert _import(files) == items


def test_unknown_export_format_is_refused() -> None:
    """An unknown export format name is refused, listing the formats that exist."""
    with pytest.raises(InvalidInputError, match="aegis"):
        export([], "keepass")
    assert "otpkeep" in formats()
