"""QR codes in images and PDF pages, decoded with zxing-cpp: the quishing pattern hides its link there.

Every input is hostile, so the work is bounded: images above MAX_PIXELS are refused before they
are decoded (Pillow's decompression-bomb guard is set to the same limit), PDFs are rendered only
for their first pages at a modest scale with a cap on the rendered size, and the number and
length of the payloads kept are capped.
"""

from __future__ import annotations

import io
import math
import warnings
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pypdfium2
    from PIL import Image

MAX_PIXELS = 20_000_000  # larger images are skipped (and Pillow refuses them too)
MIN_SIDE = 21  # a QR code has at least 21 modules a side: smaller images cannot hold one
PDF_PAGES = 3
PDF_SCALE = 2.0  # 144 dpi: a 2 cm code is ~110 px wide
PDF_MAX_RENDER_PIXELS = 4_000_000  # a page's bitmap is scaled down to stay under this
MAX_PAYLOADS = 10
MAX_PAYLOAD_CHARS = 4096

IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "bmp", "webp", "tiff"})

_PDF_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD


@cache
def _libs() -> tuple[ModuleType, ModuleType, ModuleType]:
    """(PIL.Image, zxingcpp, pypdfium2), imported when the first picture or PDF is looked at: most
    mail has neither, and loading them is a fifth of the host's start-up."""
    import pypdfium2
    import zxingcpp
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    return Image, zxingcpp, pypdfium2


def decode_qr(payload: bytes, kind: str) -> list[str]:
    """Texts of the QR codes in an image or in the first pages of a PDF; [] on anything odd."""
    return scan(payload, kind)[0]


def scan(payload: bytes, kind: str | None, notes: list[str] | None = None,
         password: str | None = None) -> tuple[list[str], bool]:
    """(QR texts, needs a password). The flag is for PDFs that will not open without one (they are
    read when PASSWORD opens them); `notes` gets what a bound left unread ("pdf-pages")."""
    try:
        if kind in IMAGE_KINDS:
            return _from_image(payload), False
        if kind == "pdf":
            return _from_pdf(payload, notes if notes is not None else [], password)
    except Exception:  # a decoder failing on hostile bytes is not our failure
        pass
    return [], False


def worth_scanning(payload: bytes, kind: str | None) -> bool:
    """Whether an image could hold a QR code and is small enough to decode, from its header
    alone: icons, spacers and tracking pixels must not use up the per-message budget."""
    return skip_reason(payload, kind) is None


def skip_reason(payload: bytes, kind: str | None) -> str | None:
    """None when the image (or PDF) is worth decoding; else why not: "image-too-large" (more
    than MAX_PIXELS: a decompression bomb is refused here, before any pixel is inflated),
    "too-small", "unreadable" or "not-an-image"."""
    if kind == "pdf":
        return None
    if kind not in IMAGE_KINDS:
        return "not-an-image"
    Image = _libs()[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(payload)) as image:
                width, height = image.size
    except Image.DecompressionBombError:  # Pillow refuses twice MAX_PIXELS from the header alone
        return "image-too-large"
    except Exception:  # unreadable header: nothing to decode
        return "unreadable"
    if width * height > MAX_PIXELS:
        return "image-too-large"
    return None if min(width, height) >= MIN_SIDE else "too-small"


def _read(image: Image.Image, found: list[str]) -> None:
    zxingcpp = _libs()[1]
    # QRCode is the symbology: it covers Model 1/2, Micro QR and rMQR. Linear barcodes (EAN on an
    # invoice) would only add noise, so they are not read.
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        text = (barcode.text or "")[:MAX_PAYLOAD_CHARS]
        if text and text not in found and len(found) < MAX_PAYLOADS:
            found.append(text)


def from_modules(grid: list[list[bool]]) -> list[str]:
    """Texts of a QR code given module by module (True: dark), drawn with a quiet zone and decoded."""
    if not grid:
        return []
    Image = _libs()[0]
    scale, quiet = 4, 4
    width = max(len(row) for row in grid) + 2 * quiet
    margin = b"\xff" * (scale * quiet)
    blank = b"\xff" * (scale * width)
    lines = [blank] * (scale * quiet)
    for row in grid:
        drawn = margin + b"".join(b"\x00" * scale if dark else b"\xff" * scale for dark in row)
        lines += [drawn.ljust(scale * width, b"\xff")] * scale
    lines += [blank] * (scale * quiet)
    found: list[str] = []
    try:
        _read(Image.frombytes("L", (scale * width, len(lines)), b"".join(lines)), found)
    except Exception:  # a decoder failing on a hostile drawing is not our failure
        return []
    return found


def _from_image(payload: bytes) -> list[str]:
    Image = _libs()[0]
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's remarks on odd palettes are noise on stderr
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(payload)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS or min(width, height) < MIN_SIDE:
                    return []
                image.seek(0)  # first frame of an animation only
                _read(image.convert("L"), found)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return []
    return found


def _from_pdf(payload: bytes, notes: list[str], password: str | None) -> tuple[list[str], bool]:
    pdfium = _libs()[2]
    try:
        document = pdfium.PdfDocument(payload)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) != _PDF_PASSWORD_ERROR or not password:
            return [], getattr(exc, "err_code", None) == _PDF_PASSWORD_ERROR
        try:  # locked: the password the message gives opens it, as it would for its reader
            document = pdfium.PdfDocument(payload, password=password)
        except pdfium.PdfiumError:
            return [], True
        return _read_pages(document, notes), True
    return _read_pages(document, notes), False


def _read_pages(document: pypdfium2.PdfDocument, notes: list[str]) -> list[str]:
    pdfium = _libs()[2]
    found: list[str] = []
    try:
        if len(document) > PDF_PAGES:
            notes.append("pdf-pages")
        for index in range(min(len(document), PDF_PAGES)):
            try:
                page = document[index]
            except pdfium.PdfiumError:
                continue
            try:
                width, height = page.get_size()
                area = max(width, 1.0) * max(height, 1.0)
                scale = min(PDF_SCALE, math.sqrt(PDF_MAX_RENDER_PIXELS / area))
                image = page.render(scale=scale, grayscale=True).to_pil()  # a quarter of the pixels' bytes
                _read(image if image.mode == "L" else image.convert("L"), found)
            except Exception:  # one broken page should not hide the others
                continue
            finally:
                page.close()
    finally:
        document.close()
    return found
