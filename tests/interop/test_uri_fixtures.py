"""Interoperability: otpauth and Google export URIs, codes and camera frames of other apps.

The fixtures are other projects' files kept beside the repository in ../shared/fixtures.
"""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from otpkeep.errors import InvalidImageError
from otpkeep.otp.account import Account, Algorithm, OtpType, decode_base32
from otpkeep.otp.codes import code_for
from otpkeep.otp.migration import decode_migration_uri
from otpkeep.otp.qr import decode_image, decode_luminance, qr_png
from otpkeep.otp.uri import format_uri, parse_uri, parse_uri_lines

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
FRAME_URI = (
    "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j"
    "&algorithm=SHA1&digits=6&period=30"
)


@pytest.fixture(scope="module")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is absent: interoperability test skipped")
    return FIXTURES


def _vectors(fixtures: Path) -> dict[str, Account]:
    """V1-V8 of the fixtures' README, from its JSON block, keyed "Issuer:name"."""
    readme = (fixtures / "README.md").read_text()
    block = readme.split("```json", 1)[1].split("```", 1)[0]
    entries: list[dict[str, Any]] = json.loads(block)
    return {
        f"{entry['issuer']}:{entry['name']}": Account(
            issuer=entry["issuer"],
            name=entry["name"],
            secret=decode_base32(entry["secret"]),
            type=OtpType(entry["type"]),
            algorithm=Algorithm.parse(entry["algorithm"]),
            digits=entry["digits"],
            period=entry.get("period", 30),
            counter=entry.get("counter", 0),
        )
        for entry in entries
    }


def test_plain_text_uris_parse_to_the_seven_vectors(fixtures: Path) -> None:
    """plain.txt holds V1-V7 as otpauth URIs, Steam included, in order."""
    accounts = parse_uri_lines((fixtures / "importers" / "plain.txt").read_text())
    assert accounts == list(_vectors(fixtures).values())[:7]


def test_our_uris_of_the_vectors_read_back(fixtures: Path) -> None:
    """Writing each vector as a URI and reading it gives the vector."""
    for account in _vectors(fixtures).values():
        assert parse_uri(format_uri(account)) == account


def test_the_google_export_decodes_to_its_accounts(fixtures: Path) -> None:
    """google-migration.txt holds the four accounts expected-codes.json lists, in order."""
    expected = json.loads((fixtures / "expected-codes.json").read_text())
    batch = decode_migration_uri((fixtures / "google-migration.txt").read_text())
    vectors = _vectors(fixtures)
    assert list(batch.accounts) == [vectors[key] for key in expected["migration_uri_entries"]]
    assert (batch.batch_index, batch.batch_size) == (0, 1)


def test_codes_match_the_expected_codes(fixtures: Path) -> None:
    """Every vector gives the expected code at every listed time, or at its HOTP counter."""
    expected = json.loads((fixtures / "expected-codes.json").read_text())["expected_codes"]
    vectors = _vectors(fixtures)
    checked = 0
    for key, codes in expected.items():
        account = vectors[key]
        for at, code in codes.items():
            when = 0 if at == "hotp_at_counter" else int(at)
            assert code_for(account, when) == code, f"{key} at {at}"
            checked += 1
    assert checked == 28


@pytest.mark.parametrize(
    ("name", "width", "height", "stride"),
    [("qr.y.gz", 1600, 1200, 1600), ("qr.strided.y.gz", 1840, 1380, 1856)],
)
def test_camera_frames_decode_to_the_uri(
    fixtures: Path, name: str, width: int, height: int, stride: int
) -> None:
    """Camera luminance planes, padded rows included, hold the neo4j URI."""
    frame = gzip.decompress((fixtures / "qr" / name).read_bytes())
    assert decode_luminance(frame, width, height, stride) == [FRAME_URI]
    assert parse_uri(FRAME_URI).issuer == "neo4j"


def test_a_strided_frame_read_with_the_wrong_stride_fails(fixtures: Path) -> None:
    """Ignoring the 16 padding bytes per row shears the image and no code is found."""
    frame = gzip.decompress((fixtures / "qr" / "qr.strided.y.gz").read_bytes())
    with pytest.raises(InvalidImageError):
        decode_luminance(frame, 1840, 1380, 1840)


def test_the_google_export_survives_a_qr_code(fixtures: Path) -> None:
    """The export URI written as a QR code and scanned again decodes the same."""
    uri = (fixtures / "google-migration.txt").read_text().strip()
    (scanned,) = decode_image(qr_png(uri))
    assert decode_migration_uri(scanned) == decode_migration_uri(uri)
