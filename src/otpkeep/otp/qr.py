"""QR codes out (segno) and in (Pillow and zxing-cpp).

Pillow and zxing-cpp are imported inside the functions that read images, so the
command line's hot path does not pay for them.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from otpkeep.errors import InvalidImageError

if TYPE_CHECKING:
    from PIL.Image import Image

_QUIET_ZONE = 4
_MAX_PIXELS = 64 * 1024 * 1024
# Two modules a character: (top, bottom) dark -> the character that draws them.
_HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def qr_png(text: str, *, scale: int = 8) -> bytes:
    """A PNG of the QR code of ``text``, ``scale`` pixels a module, quiet zone included."""
    import segno  # noqa: PLC0415 - not on the command line's hot path

    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="png", scale=scale, border=_QUIET_ZONE)
    return out.getvalue()


def qr_terminal(text: str, *, dark_background: bool = True) -> str:
    """The QR code of ``text`` drawn with Unicode half blocks, two modules a character.

    On a dark terminal the light modules are drawn (the default); pass
    ``dark_background=False`` for dark text on a light background.
    """
    import segno  # noqa: PLC0415 - not on the command line's hot path

    qr = segno.make_qr(text, error="m")
    rows = [[bool(module) for module in row] for row in qr.matrix_iter(border=_QUIET_ZONE)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2], strict=True):
        drawn = (
            zip((not m for m in top), (not m for m in bottom), strict=True)
            if dark_background
            else zip(top, bottom, strict=True)
        )
        lines.append("".join(_HALF_BLOCKS[pair] for pair in drawn))
    return "\n".join(lines)


def _read(image: Image) -> list[str]:
    import zxingcpp  # noqa: PLC0415 - not on the command line's hot path

    try:
        formats = zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCode])
        found = zxingcpp.read_barcodes(image, formats=formats)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise InvalidImageError("The image could not be scanned for QR codes.") from exc
    texts = [barcode.text for barcode in found if barcode.text]
    if not texts:
        raise InvalidImageError("No QR code could be read in the image.")
    return texts


def decode_image(data: bytes) -> list[str]:
    """The text of every QR code in an image file (PNG, JPEG, ... as Pillow reads them)."""
    from PIL import Image  # noqa: PLC0415 - not on the command line's hot path

    try:
        with Image.open(io.BytesIO(data)) as opened:
            too_large = opened.width * opened.height > _MAX_PIXELS
            image = None if too_large else opened.convert("L")
    # Pillow's decoders raise many unrelated types (OSError, SyntaxError, struct.error, ...)
    # on damaged files; every one of them means the same thing to a person.
    except Exception as exc:
        raise InvalidImageError("The file is not an image that can be read.") from exc
    if image is None:
        raise InvalidImageError("The image is too large to scan for QR codes.")
    return _read(image)


def decode_luminance(data: bytes, width: int, height: int, stride: int) -> list[str]:
    """The text of every QR code in a raw 8-bit luminance plane, ``stride`` bytes a row."""
    from PIL import Image  # noqa: PLC0415 - not on the command line's hot path

    if width < 1 or height < 1 or stride < width:
        raise InvalidImageError("The frame size is invalid: the stride must be at least the width.")
    if len(data) < stride * (height - 1) + width:
        raise InvalidImageError("The frame holds fewer bytes than its size says.")
    if width * height > _MAX_PIXELS:
        raise InvalidImageError("The frame is too large to scan for QR codes.")
    view = memoryview(data)
    pixels = b"".join(view[row * stride : row * stride + width] for row in range(height))
    return _read(Image.frombytes("L", (width, height), pixels))
