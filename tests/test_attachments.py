"""Attachments: sniffed types, archive members, encryption and QR codes, on real files.

Files are built here with the real tools (zipfile, Pillow, zxing-cpp's writer, gzip) or taken
from tests/data (see the README there for where each comes from).
"""

from __future__ import annotations

import gzip
import io
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from whence.facts.attachments import decode_qr, extract_attachments, has_macros, sniff
from whence.model import Message, Part
from whence.parse import parse_message

DATA = Path(__file__).parent / "data"
ATT = DATA / "attachments"


# ---------------------------------------------------------------------------------------------
# helpers


def part(payload: bytes, content_type: str = "application/octet-stream", filename: str | None = None,
         disposition: str | None = "attachment") -> Part:
    return Part(content_type=content_type, filename=filename, disposition=disposition,
                payload=payload, size=len(payload))


def message(*parts: Part) -> Message:
    return Message(headers=[("Subject", "test")], parts=list(parts), raw_size=0)


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def qr_image(text: str, scale: int = 6) -> Image.Image:
    drawn = memoryview(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=scale))
    return Image.frombytes("L", (drawn.shape[1], drawn.shape[0]), drawn.tobytes())


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_with_size(width: int, height: int) -> bytes:
    """A real PNG whose IHDR claims another size (CRC fixed): what a decompression bomb looks like."""
    data = bytearray(encode(Image.new("L", (32, 32), 255), "PNG"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


# ---------------------------------------------------------------------------------------------
# sniffing


def test_sniff_images_made_by_pillow():
    image = Image.new("RGB", (40, 40), "white")
    for fmt, kind in [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("BMP", "bmp"),
                      ("WEBP", "webp"), ("TIFF", "tiff"), ("PDF", "pdf")]:
        assert sniff(encode(image, fmt)) == kind, fmt


def test_sniff_archives_and_documents():
    assert sniff(zip_bytes({"a.txt": b"x"})) == "zip"
    assert sniff(zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})) == "ooxml"
    assert sniff(gzip.compress(b"hello")) == "gzip"
    assert sniff((ATT / "rarfile" / "rar5-subdirs.rar").read_bytes()) == "rar"
    assert sniff((ATT / "rarfile" / "rar3-subdirs.rar").read_bytes()) == "rar"
    assert sniff((ATT / "olefile" / "test-ole-file.doc").read_bytes()) == "ole"
    assert sniff((ATT / "encrypted-zipcrypto.zip").read_bytes()) == "zip"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs an ELF interpreter")
def test_sniff_executables():
    assert sniff(Path(sys.executable).resolve().read_bytes()[:4096]) == "elf"
    # A DOS stub is all Windows needs to recognise a program: "MZ" is the signal.
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50)) == "pe"


def test_sniff_text_kinds_and_unknown():
    assert sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html><body>login</body></html>") == "html"
    assert sniff(b"<HTML><form action=x>") == "html"
    assert sniff(b"#!/bin/sh\ncurl x | sh\n") == "script"
    assert sniff(b"Dear customer, please find the invoice.") is None
    assert sniff(b"") is None
    assert sniff(b"PK\x03\x04 not really a zip") == "zip"


def test_sniff_iso_volume_descriptor_needs_the_offset():
    image = bytearray(0x8800)
    image[0x8000:0x8006] = b"\x01CD001"
    assert sniff(bytes(image)) == "iso"
    assert sniff(bytes(image[:0x8003])) is None  # truncated before the descriptor


# ---------------------------------------------------------------------------------------------
# which parts, and the plain fields


def test_which_parts_are_attachments():
    png = encode(Image.new("RGB", (30, 30)), "PNG")
    found = extract_attachments(message(
        part(b"Hello", "text/plain", disposition=None),
        part(b"<p>Hello</p>", "text/html", disposition=None),
        part(png, "image/png", disposition="inline"),  # inline image in the HTML body
        part(b"<html><form>", "text/html", filename="login.html"),
        part(b"Reporting-MTA: dns; x", "message/delivery-status", disposition=None),
        part(b"From: a@example.com\r\n\r\nhi", "message/rfc822", disposition=None),
        part(b"BEGIN:VCALENDAR", "text/calendar", disposition="attachment"),
    ))
    assert [(a.content_type, a.sniffed_type) for a in found] == [
        ("image/png", "png"), ("text/html", "html"), ("message/rfc822", None), ("text/calendar", None)]


def test_fields_declared_type_lowercased_size_and_names_decoded():
    payload = zip_bytes({"a.txt": b"x"})
    original = Part(content_type="Application/PDF", filename="=?UTF-8?B?6KuL5rGC5pu4LnBkZg==?=",
                    disposition="attachment", payload=payload[:10], size=len(payload))
    rfc2231 = part(b"%PDF-1.4", "application/pdf", filename="UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf")
    first, second = extract_attachments(message(original, rfc2231))
    assert first.content_type == "application/pdf"
    assert first.filename == "請求書.pdf"
    assert first.size == len(payload)  # decoded size, not the truncated payload's
    assert first.sniffed_type == "zip"  # the bytes disagree with the declared type
    assert second.filename == "請求書.pdf"


# ---------------------------------------------------------------------------------------------
# zip


def test_zip_with_double_extension_executable():
    payload = zip_bytes({"invoice.pdf.exe": b"MZ" + bytes(100), "readme.txt": b"open the invoice"})
    [found] = extract_attachments(message(part(payload, "application/zip", "invoice.zip")))
    assert found.sniffed_type == "zip"
    assert found.members == ["invoice.pdf.exe", "readme.txt"]
    assert not found.encrypted


def test_encrypted_zip_made_by_info_zip():
    payload = (ATT / "encrypted-zipcrypto.zip").read_bytes()
    [found] = extract_attachments(message(part(payload, "application/zip", "doc.zip")))
    assert found.encrypted
    assert found.members == ["invoice.pdf.exe", "readme.txt"]


def test_encryption_flag_on_one_member_is_enough():
    payload = bytearray(zip_bytes({"a.txt": b"plain", "b.exe": b"MZ"}, zipfile.ZIP_STORED))
    # Set bit 0 of the general-purpose flags of b.exe in its local and central headers.
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = payload.index(signature, payload.index(signature) + 1)
        payload[at + flags_at] |= 0x01
    [found] = extract_attachments(message(part(bytes(payload), "application/zip", "x.zip")))
    assert found.encrypted
    assert zipfile.ZipFile(io.BytesIO(bytes(payload))).getinfo("b.exe").flag_bits & 1


def test_zip_in_zip_is_listed_one_level_deep():
    innermost = zip_bytes({"deep.exe": b"MZ"})
    inner = zip_bytes({"evil.exe": b"MZ" + bytes(64), "level2.zip": innermost})
    outer = zip_bytes({"docs/inner.zip": inner, "note.txt": b"hi"})
    [found] = extract_attachments(message(part(outer, "application/zip", "outer.zip")))
    assert "docs/inner.zip!/evil.exe" in found.members
    assert "docs/inner.zip!/level2.zip" in found.members
    assert not any("deep.exe" in name for name in found.members)


def test_encrypted_zip_inside_a_zip_marks_the_attachment():
    outer = zip_bytes({"archive.zip": (ATT / "encrypted-zipcrypto.zip").read_bytes()})
    [found] = extract_attachments(message(part(outer, "application/zip", "outer.zip")))
    assert found.encrypted
    assert "archive.zip!/invoice.pdf.exe" in found.members


def test_zip_bomb_is_never_inflated():
    bomb = zip_bytes({"zeros.bin": bytes(100 * 1024 * 1024)})  # 100 MiB of zeros, ~100 KiB packed
    nested = zip_bytes({"bomb.zip": zip_bytes({"zeros.bin": bytes(64 * 1024 * 1024)})})
    started = time.perf_counter()
    found = extract_attachments(message(part(bomb, "application/zip", "a.zip"),
                                        part(nested, "application/zip", "b.zip")))
    assert time.perf_counter() - started < 2.0
    assert found[0].members == ["zeros.bin"]
    assert found[1].members == ["bomb.zip", "bomb.zip!/zeros.bin"]  # listed, never inflated


def test_zip_with_huge_directory_is_bounded():
    payload = zip_bytes({f"file{i:05}.txt": b"" for i in range(6000)}, zipfile.ZIP_STORED)
    started = time.perf_counter()
    [found] = extract_attachments(message(part(payload, "application/zip", "many.zip")))
    assert time.perf_counter() - started < 2.0
    assert len(found.members) == 200
    assert found.members[0] == "file00000.txt"


def test_truncated_zip_still_names_its_members():
    payload = zip_bytes({"payment.scr": b"MZ" + bytes(5000), "readme.txt": b"hi" * 1000})
    cut = payload[:payload.index(b"PK\x01\x02")]  # no central directory any more
    [found] = extract_attachments(message(part(cut, "application/zip", "cut.zip")))
    assert found.sniffed_type == "zip"
    assert found.members == ["payment.scr", "readme.txt"]


@pytest.mark.parametrize("payload", [
    b"PK\x03\x04",
    b"PK\x03\x04" + b"\xff" * 40,
    b"PK\x05\x06" + bytes(18),
    b"PK\x03\x04" + b"PK\x01\x02" * 6000,
    zip_bytes({"a.zip": b"PK\x03\x04garbage"}),
])
def test_corrupt_zips_do_not_raise(payload):
    [found] = extract_attachments(message(part(payload, "application/zip", "bad.zip")))
    assert found.sniffed_type == "zip"


def test_japanese_windows_zip_names_are_decoded():
    payload = bytearray(zip_bytes({"abcdef.exe": b"MZ"}))
    assert not zipfile.ZipFile(io.BytesIO(bytes(payload))).getinfo("abcdef.exe").flag_bits & 0x800
    payload = payload.replace(b"abcdef.exe", "請求書.exe".encode("cp932"))  # 10 bytes, like the old name
    [found] = extract_attachments(message(part(bytes(payload), "application/zip", "x.zip")))
    assert found.members == ["請求書.exe"]


# ---------------------------------------------------------------------------------------------
# Office documents


def test_ooxml_with_and_without_macros():
    base = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    docm = zip_bytes({**base, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    found = extract_attachments(message(part(zip_bytes(base), filename="a.docx"),
                                        part(docm, filename="b.docm")))
    assert [a.sniffed_type for a in found] == ["ooxml", "ooxml"]
    assert "word/vbaProject.bin" in found[1].members
    assert [has_macros(a) for a in found] == [False, True]


def test_ole_document_storages_and_macros():
    doc = (ATT / "olefile" / "test-ole-file.doc").read_bytes()
    # Rename the "1Table" stream to "Macros" (same length) as a stand-in for a macro storage.
    with_macros = doc.replace("1Table".encode("utf-16-le"), "Macros".encode("utf-16-le"))
    plain, macro = extract_attachments(message(part(doc, "application/msword", "a.doc"),
                                               part(with_macros, "application/msword", "b.doc")))
    assert plain.sniffed_type == "ole"
    assert "WordDocument" in plain.members
    assert not has_macros(plain)
    assert "Macros" in macro.members
    assert has_macros(macro)


# ---------------------------------------------------------------------------------------------
# rar


def test_rar_names_without_unrar():
    for name in ("rar3-subdirs.rar", "rar5-subdirs.rar"):
        [found] = extract_attachments(message(part((ATT / "rarfile" / name).read_bytes(), filename=name)))
        assert found.sniffed_type == "rar"
        assert "sub/dir1/file1.txt" in found.members
        assert "sub/üȵĩöḋè/file.txt" in found.members
        assert not found.encrypted


def test_rar_encryption():
    files = ["rar5-psw.rar", "rar5-hpsw.rar", "rar3-comment-hpsw.rar", "rar3-comment-psw.rar"]
    found = extract_attachments(message(*(part((ATT / "rarfile" / f).read_bytes(), filename=f)
                                          for f in files)))
    assert [a.encrypted for a in found] == [True, True, True, True]
    assert found[0].members == ["stest1.txt", "stest2.txt"]  # file data encrypted, names readable
    assert found[1].members == []  # header-encrypted: no names without the password


def test_rar_truncated_does_not_raise():
    data = (ATT / "rarfile" / "rar5-subdirs.rar").read_bytes()
    for cut in (7, 20, 100, len(data) - 10):
        [found] = extract_attachments(message(part(data[:cut], filename="x.rar")))
        assert found.sniffed_type == "rar"


# ---------------------------------------------------------------------------------------------
# QR codes


URL = "https://qr.example.test/pay?id=42"


@pytest.mark.parametrize("fmt,kind", [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("BMP", "bmp"),
                                      ("WEBP", "webp")])
def test_qr_code_in_image_formats(fmt, kind):
    canvas = Image.new("RGB", (400, 300), "white")
    canvas.paste(qr_image(URL, 5), (120, 40))
    payload = encode(canvas, fmt)
    assert decode_qr(payload, kind) == [URL]


def test_qr_code_in_inline_image_part():
    png = encode(qr_image(URL), "PNG")
    [found] = extract_attachments(message(part(b"<img src=cid:x>", "text/html", disposition=None),
                                          part(png, "image/png", disposition="inline")))
    assert found.filename is None
    assert found.qr_payloads == [URL]


def test_qr_code_in_data_uri_image_in_html():
    import base64

    png = base64.b64encode(encode(qr_image(URL), "PNG")).decode()
    html = f'<p>Scan</p><img alt="" src="data:image/png;base64,{png}">'.encode()
    [found] = extract_attachments(message(part(html, "text/html", disposition=None)))
    assert found.qr_payloads == [URL]
    assert found.sniffed_type == "png"
    plain = base64.b64encode(encode(Image.new("L", (60, 60), 255), "PNG")).decode()
    html = f'<img src="data:image/png;base64,{plain}">'.encode()
    assert extract_attachments(message(part(html, "text/html", disposition=None))) == []


def test_qr_code_in_pdf_page():
    page = Image.new("L", (595, 842), 255)  # A4 at 72 dpi
    page.paste(qr_image(URL, 3), (400, 650))
    pdf = encode(page, "PDF", resolution=72)
    [found] = extract_attachments(message(part(pdf, "application/pdf", "tax.pdf")))
    assert found.sniffed_type == "pdf"
    assert found.qr_payloads == [URL]
    assert not found.encrypted


def test_password_protected_pdf_is_encrypted():
    payload = (ATT / "password-1234.pdf").read_bytes()
    [found] = extract_attachments(message(part(payload, "application/pdf", "invoice.pdf")))
    assert found.sniffed_type == "pdf"
    assert found.encrypted
    assert found.qr_payloads == []


def test_a_locked_pdf_is_opened_with_the_password_the_message_gives():
    # article 003: the QR document is locked with a 4-digit password written somewhere in the body
    payload = (ATT / "qr-password-3906.pdf").read_bytes()
    [locked] = extract_attachments(message(part(payload, "application/pdf", "补贴通知.pdf")))
    assert locked.encrypted and locked.qr_payloads == []
    [opened] = extract_attachments(message(part(payload, "application/pdf", "补贴通知.pdf")), password=lambda: "3906")
    assert opened.encrypted and opened.qr_payloads == [URL]
    [wrong] = extract_attachments(message(part(payload, "application/pdf", "补贴通知.pdf")), password=lambda: "1234")
    assert wrong.encrypted and wrong.qr_payloads == []


def test_qr_code_only_in_first_three_pdf_pages():
    pages = [Image.new("L", (300, 300), 255) for _ in range(4)]
    pages[3].paste(qr_image(URL, 4), (50, 50))
    pdf = encode(pages[0], "PDF", save_all=True, append_images=pages[1:])
    assert decode_qr(pdf, "pdf") == []
    pdf = encode(pages[3], "PDF", save_all=True, append_images=pages[:3])
    assert decode_qr(pdf, "pdf") == [URL]


def test_case_qr_tax_cn_decodes():
    raw = (DATA / "cases" / "qr-tax-cn.eml").read_bytes()
    [found] = extract_attachments(parse_message(raw))
    assert found.filename == "2024补贴通知.png"
    assert found.sniffed_type == "png"
    assert found.qr_payloads == ["https://aaaefiubew.cn/s/8833"]


def test_decompression_bomb_png_is_skipped_quickly():
    started = time.perf_counter()
    for width, height in [(100_000, 100_000), (5000, 5000), (1, 10**6)]:
        bomb = png_with_size(width, height)
        assert sniff(bomb) == "png"
        assert decode_qr(bomb, "png") == []
        [found] = extract_attachments(message(part(bomb, "image/png", "bomb.png")))
        assert found.qr_payloads == []
    assert time.perf_counter() - started < 2.0


def test_small_images_do_not_use_up_the_qr_budget():
    icon = encode(Image.new("RGB", (16, 16), "red"), "PNG")
    banner = encode(Image.new("RGB", (600, 12), "blue"), "GIF")
    code = encode(qr_image(URL), "PNG")
    parts = [part(icon, "image/png", disposition="inline") for _ in range(12)]
    parts += [part(banner, "image/gif", disposition="inline") for _ in range(12)]
    found = extract_attachments(message(*parts, part(code, "image/png", disposition="inline")))
    assert found[-1].qr_payloads == [URL]


def test_qr_work_is_capped_per_message():
    png = encode(qr_image(URL), "PNG")
    found = extract_attachments(message(*(part(png, "image/png", f"{i}.png") for i in range(15))))
    assert len(found) == 15
    assert sum(1 for a in found if a.qr_payloads) == 10


@pytest.mark.parametrize("payload,kind", [
    (b"\x89PNG\r\n\x1a\n" + bytes(30), "png"),
    (b"\xff\xd8\xff\xe0" + bytes(100), "jpeg"),
    (b"GIF89a\xff\xff\xff\xff", "gif"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "pdf"),
    (b"%PDF-", "pdf"),
    (b"", "png"),
    (b"not an image", "jpeg"),
])
def test_broken_images_and_pdfs_do_not_raise(payload, kind):
    assert decode_qr(payload, kind) == []
    [found] = extract_attachments(message(part(payload, filename="x")))
    assert found.qr_payloads == []


def test_extract_never_raises_on_odd_parts():
    odd = Part(content_type="", filename=None, disposition=None, payload=None, size=0)  # type: ignore[arg-type]
    junk = [part(bytes(range(256)) * 40, filename=f"{i}.bin") for i in range(3)]
    found = extract_attachments(message(odd, *junk))
    assert len(found) == 4
    assert extract_attachments(Message(headers=[], parts=[], raw_size=0)) == []
