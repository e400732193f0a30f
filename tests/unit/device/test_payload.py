"""The backup plaintext: every account field and tombstone survives a round trip."""

import json

import pytest

from otpkeep.device.backup.payload import decode_payload, encode_payload
from otpkeep.device.vault.data import StoredAccount
from otpkeep.errors import BackupError, DamagedBackupError
from otpkeep.otp.account import Account, Algorithm, OtpType


def test_round_trip_keeps_fields_and_tombstones() -> None:
    """Accounts come back equal, secrets in base32 on the way, tombstones without fields."""
    hotp = Account("Quip", "me@x", b"\x01\x02\x03", type=OtpType.HOTP, counter=41, digits=8)
    totp = Account("Heroku", "ops", b"secret!!", algorithm=Algorithm.SHA256, period=60)
    accounts = [
        StoredAccount("b", hotp, 20),
        StoredAccount("a", totp, 10),
        StoredAccount("c", None, 30, deleted=True),
    ]
    plaintext = encode_payload(accounts)
    document = json.loads(plaintext)
    assert document["format"] == "otpkeep-backup"
    assert document["version"] == 1
    assert document["accounts"][2] == {"id": "c", "rev": 1, "updated_at": 30, "deleted": True}
    assert document["accounts"][0]["secret"] == "ONSWG4TFOQQSC"
    assert sorted(decode_payload(plaintext), key=lambda s: s.id) == sorted(
        accounts, key=lambda s: s.id
    )


@pytest.mark.parametrize(
    "plaintext",
    [
        b"not json",
        b"[]",
        b'{"format": "other", "version": 1, "accounts": []}',
        b'{"format": "otpkeep-backup", "version": 0, "accounts": []}',
        b'{"format": "otpkeep-backup", "version": 1, "accounts": [{"id": "a"}]}',
        (
            b'{"format": "otpkeep-backup", "version": 1, "accounts": '
            b'[{"id": "a", "updated_at": 1, "deleted": false, "issuer": "x", "name": "y", '
            b'"secret": "!!", "type": "totp", "algorithm": "SHA1", "digits": 6, '
            b'"period": 30, "counter": 0}]}'
        ),
    ],
)
def test_damaged_plaintext_is_one_backup_error(plaintext: bytes) -> None:
    """Anything but a version-1 otpkeep backup is damage, said in one sentence."""
    with pytest.raises(DamagedBackupError, match="cannot read"):
        decode_payload(plaintext)


def test_a_newer_format_asks_for_an_update_and_is_not_damage() -> None:
    """A backup of a newer format is not damaged: this app is old (nothing may overwrite it)."""
    with pytest.raises(BackupError, match="newer version of otpkeep") as info:
        decode_payload(b'{"format": "otpkeep-backup", "version": 2, "accounts": []}')
    assert not isinstance(info.value, DamagedBackupError)


def test_a_backup_written_before_change_counts_reads_as_the_first_change() -> None:
    """An account without ``rev`` reads as rev 1; a rev that is not a count is refused."""
    old = (
        b'{"format":"otpkeep-backup","version":1,'
        b'"accounts":[{"id":"c","updated_at":30,"deleted":true}]}'
    )
    assert decode_payload(old)[0].rev == 1
    with pytest.raises(DamagedBackupError):
        decode_payload(old.replace(b'"deleted"', b'"rev":"2","deleted"'))
