"""Links written inside attached documents: the web addresses a PDF's link annotations open.

A "statement" or "invoice" PDF whose only content is a button is how a lure gets past link
scanners that read the body alone. A PDF keeps each link as `/URI (https://…)` in an annotation,
written plainly or inside a Flate-compressed object stream; both are read here, bounded in the
streams inflated and the bytes they may grow to (a stream that inflates to gigabytes is cut off
at the bound). Nothing is rendered, run or fetched.
"""

from __future__ import annotations

import re
import zlib

MAX_LINKS = 20  # per document
MAX_STREAMS = 64  # compressed streams inflated per document
MAX_INFLATED = 1024 * 1024  # bytes one stream may inflate to
MAX_TOTAL = 8 * 1024 * 1024  # bytes all streams of a document may inflate to

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
