"""Images (PNG, JPEG) holding QR codes: each code's text is read as a URI."""

from __future__ import annotations

from otpkeep.errors import ImportFormatError, InvalidImageError
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import JPEG_MAGIC, PNG_MAGIC, Password, Source
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.uritext import uri_entry
from otpkeep.otp.qr import decode_image


def _detect(source: Source) -> bool:
    return source.has_magic(PNG_MAGIC) or source.has_magic(JPEG_MAGIC)


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    try:
        texts = decode_image(source.data)
    except InvalidImageError as exc:
        raise ImportFormatError(exc.message) from exc
    result: list[ImportEntry] = []
    for number, text in enumerate(texts, start=1):
        if text.strip().lower().startswith("otpauth"):
            result.extend(uri_entry(text))
        else:
            result.append(
                ImportEntry.skipped(
                    f"QR code {number}", "The QR code does not hold an otpauth URI."
                )
            )
    return result


FORMAT = FormatSpec("qr", _detect, _read, (".png", ".jpg", ".jpeg"))
