"""Attachments: what each one really is (magic bytes), what archives hold, and QR codes in images.

The declared type and name come from the sender and prove nothing, so the type is sniffed from
the bytes; the checks compare the two. Archives are only ever *listed* from their directories
(zip central directory, rar headers, OLE storages): members are never extracted, so zip bombs
cost nothing. The one exception is a small archive nested in a zip (zip-in-zip is a common way
to hide an executable), read one level deep under a size cap.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re
import struct
import unicodedata
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header

try:  # declared dependencies; without them rar and OLE files are only sniffed, not listed
    import olefile
except ImportError:  # pragma: no cover
    olefile = None
try:
    import rarfile
except ImportError:  # pragma: no cover
    rarfile = None

from ..model import Attachment, Message, Part
from . import qr
from .documents import page_links, pdf_links
from .qr import decode_qr

__all__ = ["decode_qr", "extract_attachments", "has_macros", "sniff"]

MAX_MEMBERS = 200  # member names kept per attachment, nested ones included
MAX_NAME_CHARS = 512
MAX_ZIP_ENTRIES = 5000  # more central-directory entries than this: walk the first few by hand
MAX_RAR_HEADERS = 5000
MAX_NESTED = 3  # nested archives opened per attachment
NESTED_MAX_BYTES = 4 * 1024 * 1024  # a nested archive larger than this (or claiming to be) is not read
MAX_LISTED = 20  # archives listed per message
MAX_QR_IMAGES = 10  # images scanned for QR codes per message
MAX_QR_PDFS = 3  # PDFs rendered per message
MAX_PAGES = 3  # attached web pages read for their links per message
MAX_DATA_URIS = 10  # data: images in HTML looked at per message

# rarfile hands compressed archive comments to an external unrar; we never want a tool run on
# hostile bytes, and comments are not needed: a negative limit makes rarfile skip them all.
if rarfile is not None:
    rarfile.RAR_MAX_COMMENT = -1

_NESTED_SUFFIXES = (".zip", ".rar", ".jar")
_NOT_ATTACHMENTS = frozenset({
    "message/delivery-status", "message/disposition-notification", "message/feedback-report",
    "text/rfc822-headers", "message/global-delivery-status", "message/global-headers",
})
_MACRO_NAMES = frozenset({"vbaproject.bin", "macros", "_vba_project_cur", "_vba_project", "vba"})

# ---------------------------------------------------------------------------------------------
# Magic bytes

_LNK = b"\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"
_ONENOTE = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3")
_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "pe"),
    (b"\x7fELF", "elf"),
    (b"\xfe\xed\xfa\xce", "macho"),
    (b"\xfe\xed\xfa\xcf", "macho"),
    (b"\xce\xfa\xed\xfe", "macho"),
    (b"\xcf\xfa\xed\xfe", "macho"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"MSCF\x00\x00\x00\x00", "cab"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (_LNK, "lnk"),
    (_ONENOTE, "onenote"),
    (b"{\\rt", "rtf"),
    (b"ITSF", "chm"),
    (b"conectix", "vhd"),
    (b"vhdxfile", "vhd"),
)
_ISO_OFFSETS = (0x8001, 0x8801, 0x9001)
_ISO_IDS = (b"CD001", b"BEA01", b"NSR02", b"NSR03")  # ISO 9660 and UDF volume descriptors
_BMP_DIB_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<script", b"<iframe",
                b"<form", b"<hta:")
_SCRIPT_STARTS = (b"#!", b"@echo off", b"<job", b"<package", b"<?xml version=\"1.0\"?>\r\n<package")


def _magic(payload: bytes) -> str | None:
    """The type the first bytes (and a few fixed offsets) announce, without opening anything."""
    head = payload[:64]
    for prefix, kind in _PREFIXES:
        if head.startswith(prefix):
            return kind
    if head.startswith(b"\xca\xfe\xba\xbe") and len(head) >= 8:
        # Mach-O universal binary, or a Java class (same magic, then its version >= 45).
        return "macho" if 0 < struct.unpack(">I", head[4:8])[0] < 45 else None
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM") and len(head) >= 18 and struct.unpack("<I", head[14:18])[0] in _BMP_DIB_SIZES:
        return "bmp"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bzip2"
    if payload[257:262] == b"ustar":
        return "tar"
    if payload[7:14] == b"**ACE**":
        return "ace"
    if any(payload[o:o + 5] in _ISO_IDS for o in _ISO_OFFSETS):
        return "iso"
    if len(payload) >= 512 and payload[-512:-504] == b"conectix":  # fixed VHD: footer only
        return "vhd"
    if b"%PDF-" in payload[:1024]:  # readers accept junk before the header
        return "pdf"
    return _text_kind(payload[:1024])


# what makes an image a program: script, event handlers, script URLs, a page embedded in the drawing
_SVG_ACTIVE = re.compile(rb"<script|\son[a-z]+\s*=|javascript:|<foreignobject|<iframe|<embed", re.I)
_SVG_SCAN = 1024 * 1024


def _text_kind(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").replace(b"\x00", b"").lower()
    if text.startswith(_SCRIPT_STARTS):
        return "script"
    if text.startswith(_HTML_STARTS) or b"<html" in text:
        return "html"
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "svg"
    return None


def sniff(payload: bytes) -> str | None:
    """Magic-byte type: pe, elf, macho, zip, ooxml, rar, 7z, gzip, cab, iso, pdf, png, jpeg, gif, ...

    A zip whose directory names `[Content_Types].xml` is an Office Open XML document ("ooxml").
    """
    try:
        kind = _magic(payload)
        if kind == "zip":
            return _zip_kind(_zip_listing(payload))
        return kind
    except Exception:  # sniffing hostile bytes must not raise
        return None


# ---------------------------------------------------------------------------------------------
# Archive listings


@dataclass
class _Listing:
    names: list[str]
    encrypted: bool = False
    zip: zipfile.ZipFile | None = None  # kept open for reading a nested archive
    infos: list[zipfile.ZipInfo] | None = None
    skipped: list[str] = field(default_factory=list)  # what a bound left unread (Attachment.skipped)


def _zip_kind(listing: _Listing) -> str:
    return "ooxml" if "[Content_Types].xml" in listing.names else "zip"


def _zip_name(info: zipfile.ZipInfo) -> str:
    """zipfile decodes names without the UTF-8 flag as cp437; Japanese Windows wrote cp932."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            return _legacy_name(name.encode("cp437"))
        except UnicodeEncodeError:
            return name
    return name


def _zip_listing(payload: bytes) -> _Listing:
    """Names and the encryption bit from the central directory. Never decompresses anything."""
    if payload.count(_CENTRAL_SIG) > MAX_ZIP_ENTRIES:
        listing = _zip_listing_by_hand(payload, _CENTRAL_SIG)
        listing.skipped.append("archive-members")
        return listing
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            NotImplementedError, struct.error, UnicodeError):
        # No readable central directory (truncated, or damaged on purpose so that scanners give
        # up while Windows still opens it): the local headers carry the names too.
        return _zip_listing_by_hand(payload, _LOCAL_SIG)
    encrypted = any(info.flag_bits & 0x1 for info in infos)
    names = [_zip_name(info)[:MAX_NAME_CHARS] for info in infos[:MAX_MEMBERS]]
    skipped = ["archive-members"] if len(infos) > MAX_MEMBERS else []
    return _Listing(names=names, encrypted=encrypted, zip=archive, infos=infos[:MAX_MEMBERS], skipped=skipped)


# signature -> (header layout, index of the flags field, index of the name length, header size)
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL_SIG = b"PK\x03\x04"
_HEADERS = {
    _CENTRAL_SIG: (struct.Struct("<4s6H3L5H2L"), 3, 10),  # central directory file header
    _LOCAL_SIG: (struct.Struct("<4s5H3L2H"), 2, 9),  # local file header
}


def _zip_listing_by_hand(payload: bytes, signature: bytes) -> _Listing:
    """The first names from raw zip headers, for what zipfile cannot read or would take seconds
    on (a directory of a million entries). Signatures inside member data may add junk names;
    that is the price of reading a broken or hostile archive at all."""
    layout, flags_at, name_len_at = _HEADERS[signature]
    names: list[str] = []
    encrypted = False
    for match in re.finditer(re.escape(signature), payload):
        if len(names) >= MAX_MEMBERS:
            break
        start = match.start()
        try:
            fields = layout.unpack_from(payload, start)
        except struct.error:
            break
        flags, name_len = fields[flags_at], fields[name_len_at]
        raw = payload[start + layout.size:start + layout.size + name_len]
        if not raw:
            continue
        encrypted = encrypted or bool(flags & 0x1)
        name = raw.decode("utf-8", "replace") if flags & 0x800 else _legacy_name(raw)
        names.append(name[:MAX_NAME_CHARS])
    return _Listing(names=names, encrypted=encrypted)


def _legacy_name(raw: bytes) -> str:
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("cp437")


class _Enough(Exception):
    """Raised from rarfile's callback to stop reading headers once we have seen enough."""


def _rar_listing(payload: bytes) -> _Listing:
    """Names from the rar headers (rarfile parses them itself; unrar is only for extraction).

    Header-encrypted archives show no names until a password is given: they say so, and that is
    the fact we keep.
    """
    names: list[str] = []
    state = {"headers": 0, "encrypted": False}
    if rarfile is None:  # pragma: no cover
        return _Listing(names=names)

    def seen(item: rarfile.RarInfo) -> None:
        state["headers"] += 1
        if item.type in (rarfile.RAR_BLOCK_FILE, rarfile.RAR5_BLOCK_FILE) and item.filename:
            names.append(item.filename[:MAX_NAME_CHARS])
            state["encrypted"] = state["encrypted"] or item.needs_password()
        if len(names) >= MAX_MEMBERS or state["headers"] >= MAX_RAR_HEADERS:
            raise _Enough

    try:
        archive = rarfile.RarFile(io.BytesIO(payload), info_callback=seen, part_only=True)
        state["encrypted"] = state["encrypted"] or archive.needs_password()
    except _Enough:
        pass
    except Exception:  # rarfile on hostile bytes: keep what was read
        pass
    return _Listing(names=names, encrypted=bool(state["encrypted"]))


def _ole_listing(payload: bytes) -> _Listing:
    """Storage and stream paths of an OLE2 file: `Macros/VBA`, `_VBA_PROJECT_CUR` mean macros,
    `EncryptedPackage` means a password-protected Office document."""
    if olefile is None:  # pragma: no cover
        return _Listing(names=[])
    try:
        with olefile.OleFileIO(io.BytesIO(payload)) as ole:
            paths = ole.listdir(streams=True, storages=True)
    except Exception:  # olefile on hostile bytes
        return _Listing(names=[])
    names = ["/".join(path)[:MAX_NAME_CHARS] for path in paths[:MAX_MEMBERS]]
    encrypted = any(path and path[0] == "EncryptedPackage" for path in paths)
    return _Listing(names=names, encrypted=encrypted, skipped=["archive-members"] if len(paths) > MAX_MEMBERS else [])


def _nested(listing: _Listing, notes: list[str]) -> Iterator[tuple[str, _Listing]]:
    """Archives inside a zip, one level deep, small ones only: read with a hard byte cap, so
    a member that lies about its size still cannot make us inflate more than the cap. What is
    left unread goes to `notes`."""
    if listing.zip is None or not listing.infos:
        return
    opened = 0
    for info in listing.infos:
        if not info.filename.lower().endswith(_NESTED_SUFFIXES) or info.flag_bits & 0x1:
            continue
        if opened >= MAX_NESTED:
            notes.append("nested-archive-count")
            return
        if info.file_size > NESTED_MAX_BYTES or info.compress_size > NESTED_MAX_BYTES:
            notes.append("nested-archive-too-large")
            continue
        opened += 1
        try:
            with listing.zip.open(info) as member:
                data = member.read(NESTED_MAX_BYTES + 1)
        except Exception:  # unsupported method, bad CRC, truncated data, a size that lies
            notes.append("nested-archive-unreadable")
            continue
        if len(data) > NESTED_MAX_BYTES:
            notes.append("nested-archive-too-large")
            continue
        kind = _magic(data)
        inner = _zip_listing(data) if kind == "zip" else _rar_listing(data) if kind == "rar" else None
        if inner is None:
            continue
        notes.extend(inner.skipped)
        if any(name.lower().endswith(_NESTED_SUFFIXES) for name in inner.names):
            notes.append("nested-archive-depth")  # archives inside a nested one are listed, not opened
        yield _zip_name(info), inner


def _listing(payload: bytes, kind: str | None) -> _Listing | None:
    if kind in ("zip", "ooxml"):
        listing = _zip_listing(payload)
        names = list(listing.names)
        encrypted = listing.encrypted
        notes = list(listing.skipped)
        for outer, inner in _nested(listing, notes):
            encrypted = encrypted or inner.encrypted
            names.extend(f"{outer}!/{name}" for name in inner.names)
        if len(names) > MAX_MEMBERS:
            notes.append("archive-members")
        return _Listing(names=names[:MAX_MEMBERS], encrypted=encrypted, skipped=list(dict.fromkeys(notes)))
    if kind == "rar":
        return _rar_listing(payload)
    if kind == "ole":
        return _ole_listing(payload)
    return None


def has_macros(attachment: Attachment) -> bool:
    """An Office document carrying VBA: `vbaProject.bin` in OOXML, a Macros/VBA storage in OLE."""
    if attachment.sniffed_type not in ("ooxml", "ole"):
        return False
    return any(part.lower() in _MACRO_NAMES
               for name in attachment.members for part in name.split("/"))


# ---------------------------------------------------------------------------------------------
# Which parts are attachments


def _is_attachment(part: Part) -> bool:
    ctype = (part.content_type or "").lower()
    if ctype.startswith("multipart/") or ctype in _NOT_ATTACHMENTS:
        return False
    if part.filename or (part.disposition or "").lower() == "attachment":
        return True
    return not ctype.startswith("text/")


_RFC2231 = re.compile(r"^([A-Za-z0-9_.:-]+)'[^']*'(.*%[0-9A-Fa-f]{2}.*)$")


def _filename(raw: str | None) -> str | None:
    """The parser decodes names already; some senders still leave RFC 2047/2231 encodings."""
    if not raw:
        return None
    name = raw
    try:
        if "=?" in name:
            name = str(make_header(decode_header(name)))
        else:
            match = _RFC2231.match(name)
            if match:
                name = urllib.parse.unquote(match.group(2), encoding=match.group(1), errors="replace")
    except (LookupError, ValueError, UnicodeError, binascii.Error):
        name = raw
    return name[:MAX_NAME_CHARS] or None


@dataclass
class _Budget:
    listed: int = MAX_LISTED
    images: int = MAX_QR_IMAGES
    pdfs: int = MAX_QR_PDFS
    pages: int = MAX_PAGES


def _qr_allowed(payload: bytes, kind: str | None, budget: _Budget, notes: list[str] | None = None) -> bool:
    """Whether to decode this image or PDF for QR codes; why not goes to `notes` when a bound
    (size, per-message budget) is the reason."""
    notes = [] if notes is None else notes
    reason = qr.skip_reason(payload, kind)
    if reason is not None:
        if reason == "image-too-large":
            notes.append(reason)
        return False
    if kind == "pdf":
        if budget.pdfs <= 0:
            notes.append("pdf-budget")
            return False
        budget.pdfs -= 1
        return True
    if budget.images <= 0:
        notes.append("image-budget")
        return False
    budget.images -= 1
    return True


def _attachment(part: Part, budget: _Budget, password: Callable[[], str | None] | None = None) -> Attachment:
    payload = part.payload or b""
    attachment = Attachment(
        filename=_filename(part.filename),
        content_type=(part.content_type or "application/octet-stream").lower(),
        size=part.size if isinstance(part.size, int) else len(payload),
    )
    # What could not be read stays unknown; the name and size still count.
    with contextlib.suppress(Exception):
        _enrich(attachment, payload, budget, password)
    return attachment


def _enrich(attachment: Attachment, payload: bytes, budget: _Budget,
            password: Callable[[], str | None] | None) -> None:
    kind = attachment.sniffed_type = _magic(payload)
    if kind in ("zip", "rar", "ole") and budget.listed <= 0:
        attachment.skipped.append("archive-budget")
    elif kind in ("zip", "rar", "ole"):
        budget.listed -= 1
        listing = _listing(payload, kind)
        if listing is not None:
            if kind == "zip":
                attachment.sniffed_type = kind = _zip_kind(listing)
            attachment.members = listing.names
            attachment.encrypted = listing.encrypted
            attachment.skipped.extend(listing.skipped)
    if kind == "pdf":
        attachment.links = pdf_links(payload)
    if kind in ("html", "svg") and budget.pages <= 0:
        attachment.skipped.append("page-budget")
    elif kind in ("html", "svg"):  # a page that opens in the browser: where its links and forms go
        budget.pages -= 1
        attachment.links = page_links(payload)
    if kind == "svg":
        attachment.scripted = bool(_SVG_ACTIVE.search(payload[:_SVG_SCAN]))
    if _qr_allowed(payload, kind, budget, attachment.skipped):
        payloads, locked = qr.scan(payload, kind, attachment.skipped)
        given = password() if locked and password is not None else None
        if given:  # a locked PDF, and the message gives a password: open it as its reader would
            payloads, locked = qr.scan(payload, kind, attachment.skipped, given)
        attachment.qr_payloads = payloads
        attachment.encrypted = attachment.encrypted or locked


_DATA_IMAGE = re.compile(
    rb"data:image/(png|jpe?g|gif|bmp|webp)[^,;\"'>]*;base64,([A-Za-z0-9+/=\s]{100,})", re.I)
_MAX_DATA_URI_CHARS = 8 * 1024 * 1024


def _data_uri_images(part: Part, budget: _Budget) -> Iterator[Attachment]:
    """QR codes drawn as `<img src="data:image/png;base64,...">` in the HTML body: not MIME
    parts, but the same lure. Reported as an attachment only when a QR code is found."""
    html = part.payload or b""
    if b"data:image/" not in html:
        return
    seen = 0
    for match in _DATA_IMAGE.finditer(html):
        if seen >= MAX_DATA_URIS or budget.images <= 0:
            return
        seen += 1
        encoded = match.group(2)
        if len(encoded) > _MAX_DATA_URI_CHARS:
            continue
        try:
            image = base64.b64decode(re.sub(rb"\s+", b"", encoded) + b"==", validate=False)
        except (binascii.Error, ValueError):
            continue
        kind = _magic(image)
        if kind not in qr.IMAGE_KINDS or not _qr_allowed(image, kind, budget):
            continue
        payloads = decode_qr(image, kind)
        if payloads:
            subtype = match.group(1).decode("ascii").lower().replace("jpg", "jpeg")
            yield Attachment(filename=None, content_type=f"image/{subtype}", size=len(image),
                             sniffed_type=kind, qr_payloads=payloads)


_PASSWORD_RX = re.compile(
    r"(?:password|passcode|passwd|\bpw\b|\bpwd\b|\bpass\b|パスワード|パス|暗証番号|解凍(?:キー|用)?|解除キー|密码|密碼"
    r"|senha|contraseña|passwort|kennwort|mot de passe)"
    r"[^\S\n]*(?:is|は|:|：|=|＝|-)?[^\S\n]*[「『【\[(（\"'“]?[^\S\n]*"
    r"(?P<token>[A-Za-z0-9!#$%&*+\-.?@^_~]{3,40}|[０-９Ａ-Ｚａ-ｚ]{3,40})",
    re.IGNORECASE)
_NOT_TOKENS = frozenset({"the", "and", "for", "your", "you", "will", "sent", "separately", "below", "above",
                         "protected", "please", "required", "reset", "word", "with", "from", "this", "that"})


def given_password(text: str) -> str | None:
    """A password the message gives for its attachments (パスワード：4739, password: 2022, 【3906】,
    #8127#: senders wrap it in brackets or other symbols, which are not part of it)."""
    for m in _PASSWORD_RX.finditer(text[:50_000]):
        token = unicodedata.normalize("NFKC", m.group("token")).strip(".")
        if len(token) >= 5 and token[0] == token[-1] and not token[0].isalnum():
            token = token[1:-1]
        if token.lower() not in _NOT_TOKENS and len(token) >= 3:
            return token
    return None


def extract_attachments(message: Message, password: Callable[[], str | None] | None = None) -> list[Attachment]:
    """One Attachment per attached or inline non-text part (plus data: images holding QR codes).
    A locked PDF is opened with the password the message gives (PASSWORD(), asked only then).

    Bounded per message (archives listed, images and PDFs scanned) and never raises.
    """
    budget = _Budget()
    found: list[Attachment] = []
    for part in getattr(message, "parts", None) or []:
        try:
            if _is_attachment(part):
                found.append(_attachment(part, budget, password))
            if (part.content_type or "").lower() == "text/html":
                found.extend(_data_uri_images(part, budget))
        except Exception:  # one hostile part must not cost the others
            continue
    return found
