"""QR codes: written as PNG and terminal text, read from image files and camera frames."""

import io

import pytest
from PIL import Image

from otpkeep.errors import InvalidImageError
from otpkeep.otp.qr import decode_image, decode_luminance, qr_png, qr_terminal

URI = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"


def _terminal_to_png(drawing: str, *, dark_background: bool) -> bytes:
    """Paint each character as two pixels, drawn parts in the terminal's text colour."""
    lines = drawing.split("\n")
    ink, paper = (255, 0) if dark_background else (0, 255)
    image = Image.new("L", (len(lines[0]), 2 * len(lines)), paper)
    for y, line in enumerate(lines):
        for x, character in enumerate(line):
            if character in "▀█":
                image.putpixel((x, 2 * y), ink)
            if character in "▄█":
                image.putpixel((x, 2 * y + 1), ink)
    out = io.BytesIO()
    image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST).save(out, "PNG")
    return out.getvalue()


def test_a_png_reads_back_as_its_text() -> None:
    """qr_png then decode_image gives the same text."""
    assert decode_image(qr_png(URI)) == [URI]


def test_a_jpeg_with_two_codes_gives_both() -> None:
    """Every QR code in the image is read, from a lossy format too."""
    first = Image.open(io.BytesIO(qr_png("first")))
    second = Image.open(io.BytesIO(qr_png(URI)))
    canvas = Image.new("L", (first.width + second.width, max(first.height, second.height)), 255)
    canvas.paste(first, (0, 0))
    canvas.paste(second, (first.width, 0))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=90)
    assert sorted(decode_image(out.getvalue())) == sorted(["first", URI])


@pytest.mark.parametrize("dark_background", [True, False])
def test_the_terminal_drawing_is_a_readable_code(dark_background: bool) -> None:
    """Painted as the terminal shows it, the half-block drawing scans as the text."""
    drawing = qr_terminal(URI, dark_background=dark_background)
    assert set(drawing) <= set(" ▀▄█\n")
    assert decode_image(_terminal_to_png(drawing, dark_background=dark_background)) == [URI]


@pytest.mark.parametrize("data", [b"", b"not an image at all", qr_png(URI)[:60]])
def test_garbage_is_refused(data: bytes) -> None:
    """Bytes that are no image, or a truncated one, raise InvalidImageError."""
    with pytest.raises(InvalidImageError, match=r"\.$"):
        decode_image(data)


def test_an_image_without_a_code_is_refused() -> None:
    """A blank picture holds no QR code, and the person is told so."""
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, "PNG")
    with pytest.raises(InvalidImageError, match="No QR code"):
        decode_image(out.getvalue())


def test_a_strided_luminance_frame_is_read_only_with_its_stride() -> None:
    """Row padding is removed with the right stride; the wrong one shears the code away."""
    plane = Image.open(io.BytesIO(qr_png(URI, scale=4))).convert("L")
    width, height, stride = plane.width, plane.height, plane.width + 37
    raw = plane.tobytes()
    frame = b"".join(
        raw[row * width : (row + 1) * width] + bytes([row % 256]) * (stride - width)
        for row in range(height)
    )
    assert decode_luminance(frame, width, height, stride) == [URI]
    with pytest.raises(InvalidImageError):
        decode_luminance(frame, width, height, width)


@pytest.mark.parametrize(
    ("size", "width", "height", "stride"),
    [(100, 10, 10, 9), (99, 10, 10, 10), (100, 0, 10, 10), (100, 10, 0, 10)],
)
def test_impossible_frame_sizes_are_refused(
    size: int, width: int, height: int, stride: int
) -> None:
    """A stride below the width, too few bytes or an empty frame raise InvalidImageError."""
    with pytest.raises(InvalidImageError):
        decode_luminance(bytes(size), width, height, stride)
