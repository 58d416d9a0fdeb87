"""Links written inside attached documents: the web addresses a PDF's link annotations open, and
where an attached web page's links, forms and scripts send the reader.

A "statement" or "invoice" PDF whose only content is a button is how a lure gets past link
scanners that read the body alone. A PDF keeps each link as `/URI (https://…)` in an annotation,
written plainly or inside a Flate-compressed object stream; both are read here, bounded in the
streams inflated and the bytes they may grow to (a stream that inflates to gigabytes is cut off
at the bound). Nothing is rendered, run or fetched.
"""

from __future__ import annotations

import re
import zlib

from .text import read_html

MAX_LINKS = 20  # per document
MAX_STREAMS = 64  # compressed streams inflated per document
MAX_INFLATED = 1024 * 1024  # bytes one stream may inflate to
MAX_TOTAL = 8 * 1024 * 1024  # bytes all streams of a document may inflate to
MAX_PAGE = 2 * 1024 * 1024  # bytes of an attached web page read (its inline pictures can come first)

_URI = re.compile(rb"/URI\s*(?:\((?P<lit>(?:[^()\\]|\\.){4,2000})\)|<(?P<hex>[0-9A-Fa-f\s]{8,4000})>)")
_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_links(payload: bytes) -> list[str]:
    """The http(s) and mailto addresses of a PDF's link annotations, in order, without repeats."""
    found: list[str] = []
    for chunk in _chunks(payload):
        for m in _URI.finditer(chunk):
            url = _decode(m)
            if url and url.lower().startswith(("http://", "https://", "mailto:")) and url not in found:
                found.append(url)
                if len(found) >= MAX_LINKS:
                    return found
    return found


def _chunks(payload: bytes):  # -> Iterator[bytes]
    """The document itself, then its compressed streams inflated (object streams hold annotations)."""
    yield payload
    total = 0
    for n, m in enumerate(_STREAM.finditer(payload)):
        if n >= MAX_STREAMS or total >= MAX_TOTAL:
            return
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(payload[m.end():m.end() + MAX_INFLATED], MAX_INFLATED)
        except zlib.error:
            continue
        total += len(data)
        if b"/URI" in data:
            yield data


def _decode(m: re.Match[bytes]) -> str | None:
    if m.group("hex") is not None:
        digits = re.sub(rb"\s+", b"", m.group("hex"))
        try:
            raw = bytes.fromhex(digits.decode("ascii") + ("0" if len(digits) % 2 else ""))
        except ValueError:
            return None
    else:
        raw = re.sub(rb"\\([nrtbf()\\])", lambda e: _ESCAPES.get(e.group(1), e.group(1)), m.group("lit"))
    text = raw.decode("utf-16", "replace") if raw.startswith((b"\xfe\xff", b"\xff\xfe")) else raw.decode("latin-1")
    return text.strip().replace("\x00", "")[:4096] or None


_PAGE_SOURCES = ("html-a", "html-form", "html-area")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script", re.I | re.S)
# an address a script sends the reader or the typed password to: location, fetch, XMLHttpRequest, $.ajax
_SCRIPT_URL = re.compile(r"""["'`](https?:(?:\\?/){2}[^"'`\s<>]{3,2000})["'`]""")


def page_links(payload: bytes) -> list[str]:
    """Where an attached HTML or SVG page sends its reader: its links and form actions, and the
    absolute addresses its scripts hold (a phishing page posts the password with fetch or moves on
    with location). Written, not run: an address a script assembles at run time is not seen."""
    page = payload[:MAX_PAGE].decode("utf-8", "replace")
    found = [href for href, _shown, source, _base in read_html(page).links if source in _PAGE_SOURCES]
    for script in _SCRIPT.findall(page):
        found += [m.group(1).replace("\\/", "/") for m in _SCRIPT_URL.finditer(script)]
    absolute = [u.strip() for u in found if u.strip().lower().startswith(("http:", "https:"))]
    return list(dict.fromkeys(absolute))[:MAX_LINKS]
